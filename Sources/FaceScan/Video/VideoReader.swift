import CFFmpeg
import Foundation

/// One decoded frame chosen by the sampler.
public struct SampledFrame: Sendable {
    /// Milliseconds from the first frame of the video (the first frame is at 0).
    public let timestamp: Int64
    /// The frame as displayed (display-matrix rotation applied), RGB.
    public let image: RGBImage
    /// Index of the frame among all decoded frames of the stream.
    public let frameIndex: Int
}

/// Which frames of a video are analysed.
public enum FrameSampling: Sendable, Equatable {
    /// A frame every 1/fps seconds of video time: the first frame at or after each multiple of the interval.
    case rate(Double)
    /// Every decoded frame.
    case everyFrame

    /// Rekognition Video analyses about 5 frames per second; facescan's default.
    public static let `default` = FrameSampling.rate(5)
}

/// Reads a video or still image file with FFmpeg, decoding the best video stream, and hands out sampled
/// RGB frames one at a time (memory stays flat whatever the length of the video).
///
/// Still images (JPEG, PNG, WebP, BMP, …) are one-frame inputs at Timestamp 0. Packets that cannot be
/// decoded in the middle of a file are skipped and counted in `skippedPackets`; a file from which no
/// frame at all can be decoded is an `InvalidImageFormatException`.
public final class VideoReader {
    public let path: String
    public let metadata: VideoMetadata
    /// True for a still image.
    public let isStillImage: Bool
    /// Clockwise rotation (0, 90, 180, 270) applied to decoded frames, from the display matrix.
    public let rotation: Int
    /// Packets or frames the decoder rejected (corrupt data); they are skipped.
    public private(set) var skippedPackets = 0
    /// Frames decoded so far (sampled or not).
    public private(set) var decodedFrames = 0
    /// Timestamp of the last decoded frame, for progress reports.
    public private(set) var position: Int64 = 0
    /// Whether frames that cannot be sampled are left undecoded where the codec allows it (see
    /// `discard(_:)`); the frames returned are the same either way.
    public var skipsUnneededFrames = true
    /// Packets handed to the decoder with the instruction to skip their frame if it is not a reference.
    public private(set) var discardablePackets = 0

    /// Largest accepted file (bytes) and duration (ms), as Rekognition Video's limits.
    public static let maxFileBytes: Int64 = 10 * 1_000_000_000
    public static let maxDurationMillis: Int64 = 6 * 3600 * 1000
    /// Largest accepted frame side, in pixels.
    public static let maxFrameSide = 16384

    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var sws: OpaquePointer?
    private var swsKey: (Int32, Int32, Int32) = (0, 0, -1)
    private let streamIndex: Int32
    private let timeBase: AVRational
    private let startPTS: Int64
    private let frameDurationMillis: Double
    private var draining = false
    private var finished = false
    private var sampling: FrameSampling = .default
    /// `configure(continuing:)`: frames before the start are sampled (not returned).
    private var replaysBeforeStart = false
    private var nextSampleTime = 0.0
    /// Sample times (as multiples of the sampling interval) near a packet sent for decoding (`discard(_:)`).
    private var coveredSamples: Set<Int64> = []
    private var endTime: Double = .infinity
    private var startTime: Double = 0

    /// Opens `path`, checks it and reads its metadata. Throws `APIError` naming the file (or
    /// `displayName`) and the cause. The file is read through its own descriptor, opened once and checked
    /// with fstat (it is the file checked that is read), by whitelisted demuxers that cannot open any
    /// other file or address. With `noFollow`, a symbolic link as the last component is refused.
    public convenience init(path: String, displayName: String? = nil, noFollow: Bool = false) throws {
        _ = FF.quietLogging
        let name = displayName ?? path
        try VideoReader.checkFile(path, name: name)
        let fd = open(path, O_RDONLY | O_CLOEXEC | (noFollow ? O_NOFOLLOW : 0))
        var st = stat()
        guard fd >= 0, fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            if fd >= 0 { close(fd) }
            throw APIError(.invalidS3Object, "unable to access the object: \(name) cannot be opened as a regular file")
        }
        var fmt: UnsafeMutablePointer<AVFormatContext>?
        let rc = cff_open_source(&fmt, nil, 0, fd)  // owns fd from here
        guard rc >= 0, let fmt else {
            throw APIError(.invalidImageFormat, "\(name) is not a video or image FFmpeg can read (\(FF.describe(rc)))")
        }
        try self.init(opened: fmt, name: name)
    }

    /// Largest frame accepted, in pixels (an image of small bytes can claim a huge size).
    public static let maxPixels = 40_000_000

    /// Largest image accepted as bytes (the API's Image.Bytes limit, 5 MB).
    public static let maxImageBytes = 5 * 1024 * 1024

    /// Opens an image (or video) held in memory, e.g. an API request's Image.Bytes; `name` stands for it
    /// in messages. The bytes are copied. Throws as `init(path:)` does; more than `maxImageBytes` is an
    /// ImageTooLargeException.
    public convenience init(bytes: [UInt8], name: String) throws {
        _ = FF.quietLogging
        guard !bytes.isEmpty else { throw APIError(.invalidImageFormat, "\(name) is empty") }
        guard bytes.count <= VideoReader.maxImageBytes else {
            throw APIError(.imageTooLarge, "\(name) is \(bytes.count) bytes; image bytes are limited to \(VideoReader.maxImageBytes) (5 MB)")
        }
        var fmt: UnsafeMutablePointer<AVFormatContext>?
        let rc = bytes.withUnsafeBufferPointer { cff_open_memory_input(&fmt, $0.baseAddress, $0.count) }
        guard rc >= 0, let fmt else {
            throw APIError(.invalidImageFormat, "\(name) is not an image FFmpeg can read (\(FF.describe(rc)))")
        }
        try self.init(opened: fmt, name: name)
    }

    /// Reads the stream information and metadata of an opened input, which it then owns.
    /// (Every input is opened through `cff_open_source`'s AVIOContext, closed with it.)
    private init(opened fmt: UnsafeMutablePointer<AVFormatContext>, name path: String) throws {
        self.path = path
        var rc: Int32
        format = fmt
        // From here on deinit frees what was allocated.
        rc = avformat_find_stream_info(fmt, nil)
        if rc < 0 {
            cff_close_input(&format, 1)
            throw APIError(.invalidImageFormat, "\(path): cannot read stream information (\(FF.describe(rc)))")
        }
        var decoder: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        guard index >= 0, let stream = fmt.pointee.streams[Int(index)] else {
            cff_close_input(&format, 1)
            throw APIError(.invalidImageFormat, "\(path) contains no video stream (an audio-only or data file?)")
        }
        let par = stream.pointee.codecpar!
        guard let decoder else {
            let name = String(cString: avcodec_get_name(par.pointee.codec_id))
            cff_close_input(&format, 1)
            throw APIError(.invalidImageFormat, "\(path): no decoder for its video codec \"\(name)\"")
        }
        streamIndex = index
        timeBase = stream.pointee.time_base

        let formatName = String(cString: fmt.pointee.iformat.pointee.name)
        isStillImage = formatName == "image2" || formatName.hasSuffix("_pipe") || formatName == "webp"

        let degrees = cff_stream_rotation(stream)
        if degrees.isNaN {
            rotation = 0
        } else {
            // av_display_rotation_get gives the counter-clockwise angle; ffmpeg turns frames by -angle.
            let cw = Int((-degrees).rounded())
            rotation = ((cw % 360) + 360) % 360 / 90 * 90
        }

        let width = Int(par.pointee.width), height = Int(par.pointee.height)
        guard width > 0, height > 0 else {
            cff_close_input(&format, 1)
            throw APIError(.invalidImageFormat, "\(path): the video stream has no frame size")
        }
        guard width <= VideoReader.maxFrameSide, height <= VideoReader.maxFrameSide, width * height <= VideoReader.maxPixels else {
            cff_close_input(&format, 1)
            let kind: APIError.Kind = isStillImage ? .imageTooLarge : .videoTooLarge
            throw APIError(kind, "\(path): frames of \(width)x\(height) exceed the limits (\(VideoReader.maxFrameSide) pixels a side, \(VideoReader.maxPixels / 1_000_000) megapixels)")
        }

        var rate = stream.pointee.avg_frame_rate
        if rate.num <= 0 || rate.den <= 0 { rate = stream.pointee.r_frame_rate }
        let fps = rate.num > 0 && rate.den > 0 ? Double(rate.num) / Double(rate.den) : 0
        frameDurationMillis = fps > 0 ? 1000 / fps : 40

        var duration: Int64? = nil
        if isStillImage {
            duration = 0
        } else if stream.pointee.duration > 0 {
            // A duration too large for Int64 milliseconds is far over the limit; NaN (no time base) is unknown.
            let ms = FF.seconds(stream.pointee.duration, timeBase) * 1000
            duration = ms.isNaN ? nil : Int64(exactly: ms.rounded()) ?? Int64.max
        } else if fmt.pointee.duration > 0 {
            duration = fmt.pointee.duration / 1000
        }
        if let duration, duration > VideoReader.maxDurationMillis {
            cff_close_input(&format, 1)
            throw APIError(.videoTooLarge, "\(path) lasts \(duration / 1000) s; facescan accepts videos up to 6 hours")
        }
        startPTS = stream.pointee.start_time != FF.noPTS ? stream.pointee.start_time : 0

        let pixFmt = AVPixelFormat(rawValue: par.pointee.format)
        metadata = VideoMetadata(
            codec: String(cString: avcodec_get_name(par.pointee.codec_id)),
            format: String(cString: fmt.pointee.iformat.pointee.long_name ?? fmt.pointee.iformat.pointee.name),
            durationMillis: duration,
            frameRate: isStillImage || fps <= 0 ? nil : Float(fps),
            frameWidth: rotation % 180 == 0 ? width : height,
            frameHeight: rotation % 180 == 0 ? height : width,
            colorRange: VideoReader.colorRange(par.pointee.color_range, pixFmt))

        // Decoder with frame threads on every core.
        guard let ctx = avcodec_alloc_context3(decoder) else {
            cff_close_input(&format, 1)
            throw APIError(.internalServerError, "\(path): out of memory allocating a decoder")
        }
        codec = ctx
        avcodec_parameters_to_context(ctx, par)
        ctx.pointee.max_pixels = Int64(VideoReader.maxPixels)
        ctx.pointee.thread_count = 0
        ctx.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        ctx.pointee.pkt_timebase = timeBase
        rc = avcodec_open2(ctx, decoder, nil)
        if rc < 0 {
            throw APIError(.invalidImageFormat, "\(path): cannot open the \(metadata.codec) decoder (\(FF.describe(rc)))")
        }
        packet = av_packet_alloc()
        frame = av_frame_alloc()
        guard packet != nil, frame != nil else {
            throw APIError(.internalServerError, "\(path): out of memory allocating frames")
        }
    }

    deinit {
        if sws != nil { sws_freeContext(sws) }
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codec)
        cff_close_input(&format, 1)
    }

    /// Rejects what FFmpeg should not even be asked to open.
    static func checkFile(_ path: String, name: String? = nil) throws {
        let path = path, shown = name ?? path
        var st = stat()
        guard stat(path, &st) == 0 else {
            // The service's answer for an S3 object it cannot get: InvalidS3ObjectException.
            if errno == EACCES {
                throw APIError(.invalidS3Object, "unable to access the object: \(shown) cannot be reached: permission denied")
            }
            throw APIError(.invalidS3Object, "unable to access the object: \(shown) does not exist")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw APIError(.invalidParameter, "\(shown) is a directory, not a video or image file")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw APIError(.invalidParameter, "\(shown) is not a regular file")
        }
        guard access(path, R_OK) == 0 else {
            throw APIError(.invalidS3Object, "unable to access the object: \(shown) cannot be read: permission denied")
        }
        guard st.st_size > 0 else {
            throw APIError(.invalidImageFormat, "\(shown) is empty")
        }
        guard Int64(st.st_size) <= maxFileBytes else {
            throw APIError(.videoTooLarge, "\(shown) is \(st.st_size) bytes; facescan accepts files up to 10 GB")
        }
    }

    static func colorRange(_ range: AVColorRange, _ pixFmt: AVPixelFormat) -> String {
        if range == AVCOL_RANGE_JPEG { return "FULL" }
        if range == AVCOL_RANGE_MPEG { return "LIMITED" }
        // Unspecified: the deprecated yuvj formats and RGB/palette/grey formats are full range,
        // other YUV formats are limited (studio) range by convention.
        if let desc = av_pix_fmt_desc_get(pixFmt) {
            let name = String(cString: desc.pointee.name)
            if name.hasPrefix("yuvj") { return "FULL" }
            let isYUV = desc.pointee.nb_components >= 3 && (desc.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB)) == 0
            return isYUV ? "LIMITED" : "FULL"
        }
        return "LIMITED"
    }

    /// Chooses the frames `next()` returns: a sampling rate and an optional time range in milliseconds.
    /// With `continuing`, the range continues a sampling that began earlier in the video (a segment of
    /// a job, `VideoSegments`): the frames before `start` are decoded and sampled but not returned, so
    /// that the frames returned are exactly those a reader from the beginning returns from `start` on
    /// (a frame just before `start` may stand for the sample time at `start`). Call before the first
    /// `next()`.
    public func configure(sampling: FrameSampling, start: Int64? = nil, end: Int64? = nil, continuing: Bool = false) {
        self.sampling = sampling
        startTime = Double(max(0, start ?? 0))
        endTime = end.map(Double.init) ?? .infinity
        nextSampleTime = startTime
        coveredSamples = []
        var lead = 0.0
        if case .rate(let fps) = sampling, fps > 0 {
            let interval = 1000 / fps
            // (A tolerance: 2700000 / (1000 / 3) is 8100.000000000001 in floating point.)
            nextSampleTime = (startTime / interval - 1e-9).rounded(.up) * interval
            if continuing && startTime > 0 {
                // The first frame decoded sets the sampling going; start decoding early enough that
                // frames before `start` are among them.
                nextSampleTime = -.infinity
                lead = max(interval, 2 * frameDurationMillis)
            }
        }
        replaysBeforeStart = continuing
        // The seek target in the stream's time base, when it fits in Int64 (else frames are decoded
        // from the start and skipped: a start past the end simply finds no frame).
        let seekTime = max(0, startTime - lead)
        if seekTime > 0, !isStillImage, let format, let codec,
           let offset = Int64(exactly: (seekTime / 1000 * Double(timeBase.den) / Double(timeBase.num)).rounded(.down)),
           case let (target, overflow) = startPTS.addingReportingOverflow(offset), !overflow {
            if av_seek_frame(format, streamIndex, target, AVSEEK_FLAG_BACKWARD) >= 0 {
                avcodec_flush_buffers(codec)
            }
        }
    }

    /// The next sampled frame, or nil at the end of the stream (or of the time range).
    public func next() throws -> SampledFrame? {
        while let (timestamp, index) = try decodeNext() {
            if Double(timestamp) > endTime { finished = true; return nil }
            let early = Double(timestamp) + 0.5 < startTime
            if early && !replaysBeforeStart { continue }
            let take: Bool
            switch sampling {
            case .everyFrame: take = true
            case .rate(let fps):
                // A frame is taken when it is the first at or after the next sample time (half a frame
                // of tolerance so that 30 fps sampled at 30 fps takes every frame).
                take = Double(timestamp) + frameDurationMillis / 2 >= nextSampleTime
                if take {
                    let interval = 1000 / fps
                    let slot = ((Double(timestamp) + frameDurationMillis / 2) / interval).rounded(.down)
                    nextSampleTime = (slot + 1) * interval
                }
            }
            if take && !early {
                return SampledFrame(timestamp: timestamp, image: try convertFrame(), frameIndex: index)
            }
        }
        if decodedFrames == 0 {
            throw APIError(.invalidImageFormat, "\(path): no frame could be decoded (the file is truncated or corrupt)")
        }
        return nil
    }

    /// Decodes the next frame into `frame`; returns its timestamp (ms) and index, or nil at the end.
    private func decodeNext() throws -> (Int64, Int)? {
        guard let format, let codec, let packet, let frame, !finished else { return nil }
        while true {
            let rc = avcodec_receive_frame(codec, frame)
            if rc >= 0 {
                decodedFrames += 1
                let ts = timestamp(of: frame)
                position = ts
                if isStillImage { finished = true }
                return (ts, decodedFrames - 1)
            }
            if rc == FF.eof { finished = true; return nil }
            if rc != FF.again {
                // A frame the decoder could not produce: count it and go on.
                skippedPackets += 1
                if draining { finished = true; return nil }
            }
            if draining { finished = true; return nil }
            // Feed the next packet of our stream.
            while true {
                let r = av_read_frame(format, packet)
                if r < 0 {
                    if r != FF.eof && !(r == cff_averror(EIO) && decodedFrames > 0) {
                        // A read error in the middle: treat what was read as the whole file.
                        skippedPackets += 1
                    }
                    draining = true
                    avcodec_send_packet(codec, nil)
                    break
                }
                defer { av_packet_unref(packet) }
                if packet.pointee.stream_index != streamIndex { continue }
                let skip = discard(packet)
                if codec.pointee.skip_frame != skip { codec.pointee.skip_frame = skip }
                if skip == AVDISCARD_NONREF { discardablePackets += 1 }
                let s = avcodec_send_packet(codec, packet)
                if s < 0 && s != FF.again { skippedPackets += 1; continue }
                break
            }
        }
    }

    /// The decoder's skip setting for a packet. When sampling at a rate, the frame that stands for sample
    /// time g is the first at or after g − half a frame, so with a steady frame rate it is shown in
    /// [g − ½, g + ½) frame durations. A packet is needed when a sample time lies within a frame duration
    /// of its presentation time (half a frame of tolerance for timestamp jitter), or when the last sample
    /// time before it is not yet covered by a packet sent for decoding (a gap in the frames: the first
    /// frame after it stands for it). Any other packet may be skipped by the decoder when it is not a
    /// reference frame (AVDISCARD_NONREF; a reference frame is decoded, later frames need it), so the
    /// frames taken are exactly those of a full decode.
    ///
    /// The decision is made on the packets alone, in decode order, because the decoder returns frames
    /// several packets late (frame threads, B-frame reordering): judged by the frames returned so far, the
    /// packets sent are already past the next sample time and nearly none would be skipped.
    /// Every frame is decoded for `.everyFrame`, still images, packets without a timestamp (the frame
    /// count then stands for time) and when `skipsUnneededFrames` is off.
    private func discard(_ packet: UnsafeMutablePointer<AVPacket>) -> AVDiscard {
        guard skipsUnneededFrames, case .rate(let fps) = sampling, fps > 0, !isStillImage, packet.pointee.pts != FF.noPTS,
              case let (delta, overflow) = packet.pointee.pts.subtractingReportingOverflow(startPTS), !overflow else {
            return AVDISCARD_DEFAULT
        }
        let ms = FF.seconds(delta, timeBase) * 1000
        let interval = 1000 / fps, d = frameDurationMillis
        // Sampling at more than half the frame rate needs every frame; a time beyond any real video's
        // (a damaged timestamp) is decoded.
        guard interval > 2 * d, ms.isFinite, abs(ms / interval) < 1e12 else { return AVDISCARD_DEFAULT }
        // Sample times (multiples of the interval, `next()`) within a frame duration of this frame.
        let first = ((ms - d) / interval).rounded(.up), last = ((ms + d) / interval).rounded(.down)
        let needed: Bool
        if first <= last {
            needed = true
        } else {
            // The last sample time before this frame: covered when a frame near it was sent for decoding.
            needed = !coveredSamples.contains(Int64(first) - 1)
        }
        if needed {
            // Sample times this frame may stand for (it or a later frame shown up to 1.5 durations after).
            let lo = ((ms - 1.5 * d) / interval).rounded(.up), hi = ((ms + d / 2) / interval).rounded(.down)
            if lo <= hi {
                for k in Int64(lo)...Int64(hi) { coveredSamples.insert(k) }
                if coveredSamples.count > 64 { coveredSamples = coveredSamples.filter { $0 >= Int64(hi) - 16 } }
            }
            return AVDISCARD_DEFAULT
        }
        return AVDISCARD_NONREF
    }

    private func timestamp(of frame: UnsafeMutablePointer<AVFrame>) -> Int64 {
        if isStillImage { return 0 }
        var pts = frame.pointee.best_effort_timestamp
        if pts == FF.noPTS { pts = frame.pointee.pts }
        // Without a usable pts (none, or one so far off that it overflows), the frame count's time.
        let counted = Int64(exactly: (Double(decodedFrames - 1) * frameDurationMillis).rounded()) ?? Int64.max
        guard pts != FF.noPTS, case let (delta, overflow) = pts.subtractingReportingOverflow(startPTS), !overflow,
              let ms = Int64(exactly: (FF.seconds(delta, timeBase) * 1000).rounded()) else { return counted }
        return max(0, ms)
    }

    /// How frames become RGB24. A still image (a photo: one frame, where the cost does not matter) gets
    /// swscale's accurate rounding and full chroma interpolation, the conversion the dlib and MTCNN goldens
    /// were decoded with. Video frames get swscale's vectorised path: 10.6 → 1.5 ms a 1080p frame, a mean
    /// difference of 1.2 levels (README, Performance).
    private var swsFlags: Int32 { isStillImage ? SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT : SWS_BILINEAR }

    /// Converts the decoded frame to RGB24 with libswscale and applies the display rotation.
    private func convertFrame() throws -> RGBImage {
        guard let frame else { throw APIError(.internalServerError, "\(path): no frame") }
        let w = frame.pointee.width, h = frame.pointee.height, f = frame.pointee.format
        guard w > 0, h > 0, Int(w) <= VideoReader.maxFrameSide, Int(h) <= VideoReader.maxFrameSide else {
            throw APIError(.invalidImageFormat, "\(path): a decoded frame has an invalid size \(w)x\(h)")
        }
        if sws == nil || swsKey != (w, h, f) {
            if sws != nil { sws_freeContext(sws) }
            sws = sws_getContext(w, h, AVPixelFormat(rawValue: f), w, h, AV_PIX_FMT_RGB24,
                                 swsFlags, nil, nil, nil)
            guard sws != nil else {
                throw APIError(.invalidImageFormat, "\(path): cannot convert frames of pixel format \(f) to RGB")
            }
            swsKey = (w, h, f)
            // Honour full-range YUV that is not flagged by a yuvj pixel format.
            if frame.pointee.color_range == AVCOL_RANGE_JPEG {
                let coeffs = sws_getCoefficients(SWS_CS_DEFAULT)
                sws_setColorspaceDetails(sws, coeffs, 1, coeffs, 1, 0, 1 << 16, 1 << 16)
            }
        }
        let width = Int(w), height = Int(h)
        // swscale's vectorised converters work in blocks of pixels: on a row whose width is no multiple of
        // 16 they stop short of its end (the last columns left unconverted) or write past it. Rows are
        // converted with a stride padded to 16 pixels, then packed in place (each row moves to a lower
        // address, rows in order, so none is overwritten before it moves); one padded row of slack
        // follows the last.
        let row = width * 3, stride = (width + 15) / 16 * 16 * 3
        // Not zeroed first (6 MB a 1080p frame): sws_scale writes every byte, and a failure throws.
        var rc: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: stride * (height + 1)) { dst, initialised in
            rc = convert(into: dst, stride: stride, h: h)
            if stride != row, let base = dst.baseAddress {
                for y in 1..<height { memmove(base + y * row, base + y * stride, row) }
            }
            initialised = row * height
        }
        guard rc == h else {
            throw APIError(.invalidImageFormat, "\(path): converting a frame to RGB failed")
        }
        let image = RGBImage(width: width, height: height, pixels: pixels)
        return rotation == 0 ? image : image.rotated(clockwise: rotation)
    }

    /// Converts the decoded frame into `dst` (RGB24, rows `stride` bytes apart); sws_scale's result (rows written).
    private func convert(into dst: UnsafeMutableBufferPointer<UInt8>, stride: Int, h: Int32) -> Int32 {
        guard let frame else { return -1 }
        var dstData: [UnsafeMutablePointer<UInt8>?] = [dst.baseAddress, nil, nil, nil]
        var dstStride: [Int32] = [Int32(stride), 0, 0, 0]
        return withUnsafePointer(to: &frame.pointee.data) { dataTuple in
            dataTuple.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { src in
                withUnsafePointer(to: &frame.pointee.linesize) { lsTuple in
                    lsTuple.withMemoryRebound(to: Int32.self, capacity: 8) { srcStride in
                        sws_scale(sws, src, srcStride, 0, h, &dstData, &dstStride)
                    }
                }
            }
        }
    }
}
