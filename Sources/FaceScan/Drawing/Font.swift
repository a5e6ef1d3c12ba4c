import CFreeType
import Foundation

/// Text through FreeType, in DejaVu Sans (Debian's fonts-dejavu-core) unless told otherwise:
/// anti-aliased glyphs blended onto a `Canvas`. Not thread-safe.
public final class Font {
    /// Where Debian installs DejaVu Sans and its bold face.
    public static let defaultPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    public static let boldPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

    public let pixels: Int
    private var library: FT_Library?
    private var face: FT_Face?
    /// Pixels above and below the baseline.
    public let ascender: Int, descender: Int

    /// - Throws: ResourceNotFoundException when the font file is missing or unreadable.
    public init(path: String = Font.defaultPath, pixels: Int) throws {
        self.pixels = pixels
        var lib: FT_Library?, f: FT_Face?
        let e = cft_open(path, Int32(pixels), &lib, &f)
        guard e == 0, let f else {
            throw APIError(.resourceNotFound, "cannot open the font \(path) (FreeType error \(e)); install Debian's fonts-dejavu-core")
        }
        library = lib
        face = f
        ascender = Int(cft_ascender(f))
        descender = -Int(cft_descender(f))
    }

    deinit { if let library, let face { cft_close(library, face) } }

    /// Line height in pixels.
    public var lineHeight: Int { ascender + descender }

    /// Width of `text` in pixels.
    public func width(_ text: String) -> Int {
        var w = 0
        var g = cft_glyph()
        for s in text.unicodeScalars where cft_glyph_of(face, UInt(s.value), &g) == 0 { w += Int(g.advance) }
        return w
    }

    /// Draws `text` with its top-left corner at (x, y); returns the x after the text.
    @discardableResult
    public func draw(_ text: String, x: Int, y: Int, color: Color, on canvas: inout Canvas) -> Int {
        var pen = x
        let baseline = y + ascender
        var g = cft_glyph()
        for s in text.unicodeScalars {
            guard cft_glyph_of(face, UInt(s.value), &g) == 0 else { continue }
            if let buffer = g.buffer {
                for row in 0..<Int(g.rows) {
                    for col in 0..<Int(g.width) {
                        let coverage = buffer[row * Int(g.pitch) + col]
                        if coverage > 0 {
                            canvas.blend(pen + Int(g.left) + col, baseline - Int(g.top) + row, color, Float(coverage) / 255)
                        }
                    }
                }
            }
            pen += Int(g.advance)
        }
        return pen
    }

    /// A label: `text` on a filled box with a margin, top-left at (x, y), kept inside the canvas.
    public func label(_ text: String, x: Int, y: Int, color: Color, background: Color, on canvas: inout Canvas) {
        let pad = max(2, pixels / 5)
        let w = width(text) + 2 * pad, h = lineHeight + 2 * pad
        let lx = max(0, min(x, canvas.width - w)), ly = max(0, min(y, canvas.height - h))
        canvas.fill(x0: lx, y0: ly, x1: lx + w, y1: ly + h, background, alpha: 0.85)
        draw(text, x: lx + pad, y: ly + pad, color: color, on: &canvas)
    }
}
