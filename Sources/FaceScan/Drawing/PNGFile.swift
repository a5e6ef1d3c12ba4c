import CFFmpeg
import Foundation

/// Writes RGB images as PNG files with FFmpeg's PNG encoder (no other image library).
public enum PNGFile {
    /// Encodes `image` and writes it to `path` (through a temporary file renamed into place).
    /// - Throws: InternalServerError when encoding fails, AccessDeniedException when the file cannot be written.
    public static func write(_ image: RGBImage, to path: String) throws {
        let data = try encode(image)
        let tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(data)) else {
            throw APIError(.accessDenied, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw APIError(.accessDenied, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The PNG bytes of `image`.
    public static func encode(_ image: RGBImage) throws -> [UInt8] {
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_PNG), let ctx = avcodec_alloc_context3(codec) else {
            throw APIError(.internalServerError, "this FFmpeg has no PNG encoder")
        }
        var context: UnsafeMutablePointer<AVCodecContext>? = ctx
        defer { avcodec_free_context(&context) }
        ctx.pointee.width = Int32(image.width)
        ctx.pointee.height = Int32(image.height)
        ctx.pointee.pix_fmt = AV_PIX_FMT_RGB24
        ctx.pointee.time_base = AVRational(num: 1, den: 1)
        var rc = avcodec_open2(ctx, codec, nil)
        guard rc >= 0 else { throw APIError(.internalServerError, "cannot open the PNG encoder (\(FF.describe(rc)))") }
        var frame = av_frame_alloc()
        var packet = av_packet_alloc()
        defer { av_frame_free(&frame); av_packet_free(&packet) }
        guard let f = frame, let p = packet else { throw APIError(.internalServerError, "out of memory encoding a PNG") }
        f.pointee.width = Int32(image.width)
        f.pointee.height = Int32(image.height)
        f.pointee.format = AV_PIX_FMT_RGB24.rawValue
        rc = av_frame_get_buffer(f, 0)
        guard rc >= 0 else { throw APIError(.internalServerError, "out of memory encoding a PNG (\(FF.describe(rc)))") }
        image.pixels.withUnsafeBufferPointer { src in
            let stride = Int(f.pointee.linesize.0)
            for y in 0..<image.height {
                memcpy(f.pointee.data.0! + y * stride, src.baseAddress! + y * image.width * 3, image.width * 3)
            }
        }
        rc = avcodec_send_frame(ctx, f)
        if rc >= 0 { rc = avcodec_send_frame(ctx, nil) }
        guard rc >= 0 else { throw APIError(.internalServerError, "PNG encoding failed (\(FF.describe(rc)))") }
        var out: [UInt8] = []
        while avcodec_receive_packet(ctx, p) >= 0 {
            out += UnsafeBufferPointer(start: p.pointee.data, count: Int(p.pointee.size))
            av_packet_unref(p)
        }
        guard !out.isEmpty else { throw APIError(.internalServerError, "the PNG encoder produced nothing") }
        return out
    }
}
