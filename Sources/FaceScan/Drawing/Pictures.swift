import Foundation

/// The pictures of `facescan draw`: faces drawn on frames, an annotated video, a contact sheet of each
/// person's best crops, a timeline of who appears when. One pass over the video makes them all.
public struct PictureRequest: Sendable {
    public var video: String
    public var framesDirectory: String?
    public var annotatedVideo: String?
    public var contactSheet: String?
    public var timeline: String?
    /// Collection photos by FaceId (the contact sheet's first column): image path and the face's box.
    public var collectionFaces: [String: (path: String, box: BoundingBox)] = [:]
    /// Crops per person on the contact sheet.
    public var cropsPerPerson = 6

    public init(video: String) { self.video = video }
}

public struct PictureSummary: Sendable {
    public var framesWritten = 0
    public var videoFrames = 0
    public var warnings: [String] = []
}

public final class Pictures {
    let result: FaceResult
    let font: Font, small: Font, bold: Font
    /// Colour of each matched name (in order of first appearance), for boxes and timeline bars.
    let nameColors: [String: Color]
    /// The result's faces by track and by timestamp, each in time order (looked up once per frame or row).
    let byTrack: [Int: [DrawnFace]]
    let byTime: [Int64: [DrawnFace]]

    public init(result: FaceResult) throws {
        self.result = result
        font = try Font(pixels: 15)
        small = try Font(pixels: 12)
        bold = try Font(path: Font.boldPath, pixels: 15)
        var colors: [String: Color] = [:]
        for f in result.faces { if let n = f.name, colors[n] == nil { colors[n] = Color.palette[colors.count % Color.palette.count] } }
        nameColors = colors
        byTrack = Dictionary(grouping: result.faces, by: \.track)
        byTime = Dictionary(grouping: result.faces, by: \.timestamp)
    }

    /// The colour a face is drawn in: its match's, else (search) grey for an unmatched person, else (detection) its track's.
    func color(_ f: DrawnFace) -> Color {
        if let n = f.name { return nameColors[n] ?? .white }
        return result.kind == .search ? Color(200, 200, 200) : Color.palette[f.track % Color.palette.count]
    }

    /// The label beside a face's box: "#3 eileen 99.9%" for a person matched, "#3" unmatched, "99%" for a detection.
    func label(_ f: DrawnFace) -> String {
        switch result.kind {
        case .search:
            guard let n = f.name else { return "#\(f.track)" }
            return "#\(f.track) \(n)" + (f.similarity.map { String(format: " %.1f%%", $0) } ?? "")
        case .detection:
            return String(format: "%.0f%%", f.confidence)
        }
    }

    /// Boxes, landmark dots and labels drawn on a frame.
    public func annotate(_ image: RGBImage, _ faces: [DrawnFace]) -> RGBImage {
        var canvas = Canvas(image)
        let w = Double(image.width), h = Double(image.height)
        let thickness = max(2, image.height / 240)
        for f in faces {
            let c = color(f)
            let x0 = Int((Double(f.box.left) * w).rounded()), y0 = Int((Double(f.box.top) * h).rounded())
            let x1 = Int((Double(f.box.left + f.box.width) * w).rounded()), y1 = Int((Double(f.box.top + f.box.height) * h).rounded())
            canvas.stroke(x0: x0 - thickness, y0: y0 - thickness, x1: x1 + thickness, y1: y1 + thickness, .black, thickness: 1)
            canvas.stroke(x0: x0, y0: y0, x1: x1, y1: y1, c, thickness: thickness)
            let r = max(1.5, Double(image.height) / 360)
            for p in f.landmarks { canvas.dot(Double(p.x) * w, Double(p.y) * h, radius: r, c) }
            let text = label(f)
            let above = y0 - thickness - font.lineHeight - 6
            font.label(text, x: x0 - thickness, y: above >= 0 ? above : y1 + thickness + 2, color: .white,
                       background: f.name != nil || result.kind == .detection ? Color(c.r / 2, c.g / 2, c.b / 2) : .darkGray, on: &canvas)
        }
        return canvas.image
    }

    /// Video time as m:ss.s.
    static func clock(_ ms: Int64) -> String {
        let s = Double(ms) / 1000
        return String(format: "%d:%04.1f", Int(s) / 60, s - Double(Int(s) / 60 * 60))
    }

    /// Makes the pictures the request asks for, in one pass over the video.
    public func make(_ request: PictureRequest) throws -> PictureSummary {
        var summary = PictureSummary()
        let reader = try VideoReader(path: request.video)
        try checkSameVideo(reader.metadata)
        reader.configure(sampling: .everyFrame)
        // The contact sheet's crops: per track, the best face in each of `cropsPerPerson` time slices.
        var wanted: [Int64: [DrawnFace]] = [:]
        if request.contactSheet != nil {
            for f in chosenCrops(request.cropsPerPerson) { wanted[f.timestamp, default: []].append(f) }
        }
        var crops: [Int: [(DrawnFace, RGBImage)]] = [:]
        var writer: VideoWriter?
        if let out = request.annotatedVideo {
            writer = try VideoWriter(path: out, width: reader.metadata.frameWidth, height: reader.metadata.frameHeight,
                                     frameRate: Double(reader.metadata.frameRate ?? 25), audioFrom: request.video)
            if let note = writer?.audioNote { summary.warnings.append("\(out): audio not copied: \(note)") }
        }
        if let dir = request.framesDirectory {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let needsFrames = request.framesDirectory != nil || writer != nil || !wanted.isEmpty
        var timeline = FaceTimeline(result)
        while needsFrames, let frame = try reader.next() {
            let t = frame.timestamp
            if let dir = request.framesDirectory, let faces = byTime[t] {
                let picture = annotate(frame.image, faces)
                try PNGFile.write(picture, to: dir + "/" + String(format: "frame-%09lld.png", t))
                summary.framesWritten += 1
            }
            if let writer {
                try writer.write(annotate(frame.image, timeline.faces(at: t, result: result)), timestampMillis: t)
                summary.videoFrames += 1
            }
            for f in wanted[t] ?? [] { crops[f.track, default: []].append((f, Self.crop(frame.image, f.box, size: 112))) }
        }
        try writer?.finish()
        if let out = request.contactSheet { try PNGFile.write(try contactSheet(crops, request), to: out) }
        if let out = request.timeline { try PNGFile.write(timelinePicture(durationMillis: reader.metadata.durationMillis), to: out) }
        return summary
    }

    /// A result made for another video is refused rather than drawn at the wrong places.
    func checkSameVideo(_ m: VideoMetadata) throws {
        guard let v = result.videoMetadata else { return }
        let w = FaceResult.number(v["FrameWidth"]).map(Int.init), h = FaceResult.number(v["FrameHeight"]).map(Int.init)
        if let w, let h, w != m.frameWidth || h != m.frameHeight {
            throw APIError.invalidParameter("the result is for a video of \(w)x\(h) frames; this one's are \(m.frameWidth)x\(m.frameHeight)")
        }
        if let d = FaceResult.number(v["DurationMillis"]), let md = m.durationMillis, abs(Int64(d) - md) > 1000 {
            throw APIError.invalidParameter("the result is for a video of \(Int64(d)) ms; this one lasts \(md) ms")
        }
    }

    /// Per track, the best face of each of `n` equal time slices of its appearance.
    func chosenCrops(_ n: Int) -> [DrawnFace] {
        var out: [DrawnFace] = []
        for track in result.tracks {
            let list = byTrack[track] ?? []
            guard let first = list.first?.timestamp, let last = list.last?.timestamp else { continue }
            let span = max(1, last - first + 1)
            var best: [Int: DrawnFace] = [:]
            for f in list {
                let slice = min(n - 1, Int((f.timestamp - first) * Int64(n) / span))
                if best[slice].map({ f.goodness > $0.goodness }) ?? true { best[slice] = f }
            }
            out += best.keys.sorted().map { best[$0]! }
        }
        return out
    }

    /// A square crop around a face box (1.4 × its longer side), `size` pixels.
    static func crop(_ image: RGBImage, _ box: BoundingBox, size: Int) -> RGBImage {
        let w = Double(image.width), h = Double(image.height)
        let side = max(Double(box.width) * w, Double(box.height) * h) * 1.4
        let cx = (Double(box.left) + Double(box.width) / 2) * w, cy = (Double(box.top) + Double(box.height) / 2) * h
        var canvas = Canvas(width: size, height: size, background: .black)
        canvas.draw(image, region: PixelRect(x: cx - side / 2, y: cy - side / 2, width: side, height: side), x: 0, y: 0, width: size, height: size)
        return canvas.image
    }

    static let cell = 112, gap = 8, labelWidth = 190, rowHeight = 112 + 8 + 18 + 10

    /// One row per person: the name, the collection's photo of the face matched (when the collection
    /// folder was given), then the person's best crops with their times.
    func contactSheet(_ crops: [Int: [(DrawnFace, RGBImage)]], _ request: PictureRequest) throws -> RGBImage {
        let tracks = orderedTracks()
        let columns = 1 + request.cropsPerPerson
        let width = Self.labelWidth + columns * (Self.cell + Self.gap) + Self.gap
        let header = 34
        let height = header + max(1, tracks.count) * Self.rowHeight + Self.gap
        var canvas = Canvas(width: width, height: height, background: .white)
        bold.draw(result.kind == .search ? "People found, with the collection's photo and their best frames" : "Faces found, best frames of each",
                  x: Self.gap, y: 8, color: .black, on: &canvas)
        var photos: [String: RGBImage] = [:]
        for (row, track) in tracks.enumerated() {
            let y = header + row * Self.rowHeight
            if row % 2 == 1 { canvas.fill(x0: 0, y0: y - 4, x1: width, y1: y + Self.rowHeight - 4, Color(244, 244, 244)) }
            let faces = byTrack[track] ?? []
            let named = faces.first { $0.name != nil }
            let c = named.map(color) ?? .gray
            canvas.fill(x0: Self.gap, y0: y, x1: Self.gap + 6, y1: y + Self.cell, c)
            bold.draw(result.kind == .search ? "Person #\(track)" : "Face #\(track)", x: Self.gap + 14, y: y + 4, color: .black, on: &canvas)
            if let named, let name = named.name {
                font.draw(name, x: Self.gap + 14, y: y + 26, color: c, on: &canvas)
                let best = faces.compactMap(\.similarity).max() ?? 0
                small.draw(String(format: "best Similarity %.1f", best), x: Self.gap + 14, y: y + 48, color: .darkGray, on: &canvas)
            } else if result.kind == .search {
                font.draw("no match", x: Self.gap + 14, y: y + 26, color: .gray, on: &canvas)
            }
            small.draw("\(Self.clock(faces.first!.timestamp)) – \(Self.clock(faces.last!.timestamp)), \(faces.count) frame\(faces.count == 1 ? "" : "s")",
                       x: Self.gap + 14, y: y + 68, color: .darkGray, on: &canvas)
            // The collection's photo of the face matched.
            let x = Self.labelWidth
            if let id = named?.faceId, let source = request.collectionFaces[id] {
                if photos[source.path] == nil, let frame = try? VideoReader(path: source.path).next() { photos[source.path] = frame.image }
                if let photo = photos[source.path] {
                    canvas.draw(Self.crop(photo, source.box, size: Self.cell), region: PixelRect(x: 0, y: 0, width: Double(Self.cell), height: Double(Self.cell)),
                                x: x, y: y, width: Self.cell, height: Self.cell)
                    canvas.stroke(x0: x - 3, y0: y - 3, x1: x + Self.cell + 3, y1: y + Self.cell + 3, c, thickness: 3)
                    small.draw("collection", x: x + 2, y: y + Self.cell + 4, color: .darkGray, on: &canvas)
                }
            } else {
                canvas.fill(x0: x, y0: y, x1: x + Self.cell, y1: y + Self.cell, .lightGray)
                small.draw(named == nil ? "—" : "no photo", x: x + 8, y: y + Self.cell / 2 - 6, color: .darkGray, on: &canvas)
            }
            for (k, (face, image)) in (crops[track] ?? []).enumerated() {
                let cx = Self.labelWidth + (k + 1) * (Self.cell + Self.gap)
                canvas.draw(image, region: PixelRect(x: 0, y: 0, width: Double(image.width), height: Double(image.height)),
                            x: cx, y: y, width: Self.cell, height: Self.cell)
                var text = Self.clock(face.timestamp)
                if let s = face.similarity { text += String(format: "  %.0f", s) }
                small.draw(text, x: cx + 2, y: y + Self.cell + 4, color: .black, on: &canvas)
            }
        }
        return canvas.image
    }

    /// Matched people first (by name), then the others, each by first appearance.
    func orderedTracks() -> [Int] {
        let tracks = result.tracks
        let named = Dictionary(result.faces.compactMap { f in f.name.map { (f.track, $0) } }, uniquingKeysWith: { a, _ in a })
        return tracks.filter { named[$0] != nil } + tracks.filter { named[$0] == nil }
    }

    /// A bar per person over the video's duration, filled where they appear (a sample interval around
    /// each sampled face), in their match's colour (grey: no match), with a time axis.
    public func timelinePicture(durationMillis: Int64?) -> RGBImage {
        let tracks = orderedTracks()
        let end = max(durationMillis ?? 0, (result.faces.last?.timestamp ?? 0) + result.sampleInterval, 1)
        let width = 1200, left = Self.labelWidth, right = 24, top = 40, bar = 16, row = 24
        let plot = width - left - right
        let height = top + max(1, tracks.count) * row + 46
        var canvas = Canvas(width: width, height: height, background: .white)
        bold.draw(result.kind == .search ? "Who appears when" : "Faces over time", x: 10, y: 10, color: .black, on: &canvas)
        func xOf(_ t: Int64) -> Int { left + Int(Double(t) / Double(end) * Double(plot)) }
        // Axis: a tick at a round step (about 10 across).
        let step = Self.niceStep(end / 10)
        var t: Int64 = 0
        let axisY = top + tracks.count * row + 6
        while t <= end {
            let x = xOf(t)
            canvas.fill(x0: x, y0: top - 4, x1: x + 1, y1: axisY, Color(232, 232, 232))
            canvas.fill(x0: x, y0: axisY, x1: x + 1, y1: axisY + 6, .darkGray)
            let text = Self.clock(t).replacingOccurrences(of: ".0", with: "")
            small.draw(text, x: max(0, x - small.width(text) / 2), y: axisY + 9, color: .darkGray, on: &canvas)
            t += step
        }
        canvas.fill(x0: left, y0: axisY, x1: left + plot, y1: axisY + 1, .darkGray)
        let half = max(1, result.sampleInterval / 2)
        for (i, track) in tracks.enumerated() {
            let y = top + i * row
            let faces = byTrack[track] ?? []
            let name = faces.first { $0.name != nil }?.name
            let title = result.kind == .search ? "#\(track) " + (name ?? "no match") : "face #\(track)"
            font.draw(title, x: 10, y: y + (bar - font.lineHeight) / 2, color: name == nil && result.kind == .search ? .gray : .black, on: &canvas)
            canvas.fill(x0: left, y0: y, x1: left + plot, y1: y + bar, Color(246, 246, 246))
            for f in faces {
                canvas.fill(x0: xOf(max(0, f.timestamp - half)), y0: y, x1: max(xOf(f.timestamp + half), xOf(max(0, f.timestamp - half)) + 1),
                            y1: y + bar, color(f))
            }
        }
        return canvas.image
    }

    /// 1, 2 or 5 × a power of ten milliseconds, at least `ms`.
    static func niceStep(_ ms: Int64) -> Int64 {
        var p: Int64 = 100
        while true {
            for m: Int64 in [1, 2, 5] where m * p >= ms { return m * p }
            p *= 10
        }
    }
}
