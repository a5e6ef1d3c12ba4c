import CFFmpeg
import Foundation

/// Writes an MP4 file: RGB frames encoded with FFmpeg's H.264 encoder (libx264, yuv420p, CRF 23), and the
/// audio of another file copied packet by packet, interleaved by time as the frames arrive (nothing of
/// the video is held in memory). Frame timestamps are milliseconds from the first frame, as
/// `VideoReader` gives them; the audio keeps its place relative to the video of its file.
public final class VideoWriter {
    public let path: String
    private var output: UnsafeMutablePointer<AVFormatContext>?
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var sws: OpaquePointer?
    private let videoStream: UnsafeMutablePointer<AVStream>
    private let width: Int, height: Int
    /// One frame's duration in the encoder's time base (ms): without it the muxer's edit list drops the last frame.
    private let frameMillis: Int64
    // The audio source: its file, stream, the matching output stream and the video's start in its time base.
    private var input: UnsafeMutablePointer<AVFormatContext>?
    private var audioIndex: Int32 = -1
    private var audioStream: UnsafeMutablePointer<AVStream>?
    private var audioOffset: Int64 = 0
    private var audioDone = true
    private var headerWritten = false
    /// Why the audio was not copied, when it was not (for a warning).
    public private(set) var audioNote: String?

    /// - Parameters:
    ///   - width, height: the frames' size (rounded down to even numbers, as yuv420p needs).
    ///   - frameRate: the nominal rate, for the encoder's rate control.
    ///   - audioFrom: the file whose audio is copied (none when nil, or when it has no audio MP4 can hold).
    /// - Throws: InvalidParameterException when FFmpeg has no H.264 encoder, AccessDeniedException when the
    ///   file cannot be created, InternalServerError for other FFmpeg failures.
    public init(path: String, width: Int, height: Int, frameRate: Double, audioFrom: String?) throws {
        self.path = path
        self.width = max(2, width & ~1)
        self.height = max(2, height & ~1)
        var oc: UnsafeMutablePointer<AVFormatContext>?
        var rc = avformat_alloc_output_context2(&oc, nil, "mp4", path)
        guard rc >= 0, let oc else { throw APIError(.internalServerError, "cannot make an MP4 muxer (\(FF.describe(rc)))") }
        output = oc
        guard let codec = avcodec_find_encoder_by_name("libx264") ?? avcodec_find_encoder(AV_CODEC_ID_H264) else {
            avformat_free_context(oc)
            throw APIError.invalidParameter("this system's FFmpeg has no H.264 encoder (Debian's libavcodec has libx264)")
        }
        guard let stream = avformat_new_stream(oc, nil), let ctx = avcodec_alloc_context3(codec) else {
            avformat_free_context(oc)
            throw APIError(.internalServerError, "out of memory making the video encoder")
        }
        videoStream = stream
        encoder = ctx
        ctx.pointee.width = Int32(self.width)
        ctx.pointee.height = Int32(self.height)
        ctx.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        ctx.pointee.time_base = AVRational(num: 1, den: 1000)
        let fps = frameRate.isFinite && frameRate > 0 ? frameRate : 25
        frameMillis = max(1, Int64((1000 / fps).rounded()))
        ctx.pointee.framerate = av_d2q(fps, 100_000)
        ctx.pointee.gop_size = Int32(max(1, (fps * 2).rounded()))
        ctx.pointee.max_b_frames = 2
        if (oc.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER) != 0 {
            ctx.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        if let priv = ctx.pointee.priv_data {
            av_opt_set(priv, "preset", "veryfast", 0)
            av_opt_set(priv, "crf", "23", 0)
        }
        rc = avcodec_open2(ctx, codec, nil)
        guard rc >= 0 else { throw APIError(.internalServerError, "cannot open the H.264 encoder (\(FF.describe(rc)))") }
        avcodec_parameters_from_context(stream.pointee.codecpar, ctx)
        stream.pointee.time_base = ctx.pointee.time_base
        frame = av_frame_alloc()
        packet = av_packet_alloc()
        guard let f = frame, packet != nil else { throw APIError(.internalServerError, "out of memory making the video encoder") }
        f.pointee.width = Int32(self.width)
        f.pointee.height = Int32(self.height)
        f.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        rc = av_frame_get_buffer(f, 0)
        guard rc >= 0 else { throw APIError(.internalServerError, "out of memory making the video encoder (\(FF.describe(rc)))") }
        if let audioFrom { openAudio(audioFrom) }
        rc = avio_open(&oc.pointee.pb, path, AVIO_FLAG_WRITE)
        guard rc >= 0 else { throw APIError(.accessDenied, "cannot create \(path) (\(FF.describe(rc)))") }
        rc = avformat_write_header(oc, nil)
        guard rc >= 0 else { throw APIError(.internalServerError, "cannot write the MP4 header of \(path) (\(FF.describe(rc)))") }
        headerWritten = true
    }

    private func openAudio(_ source: String) {
        var ic: UnsafeMutablePointer<AVFormatContext>?
        guard avformat_open_input(&ic, source, nil, nil) >= 0, let ic else { audioNote = "its audio cannot be read"; return }
        input = ic
        guard avformat_find_stream_info(ic, nil) >= 0 else { audioNote = "its audio cannot be read"; return }
        let a = av_find_best_stream(ic, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)
        guard a >= 0, let inStream = ic.pointee.streams[Int(a)] else { return }  // no audio: nothing to copy
        let par = inStream.pointee.codecpar!
        guard avformat_query_codec(output!.pointee.oformat, par.pointee.codec_id, FF_COMPLIANCE_NORMAL) == 1,
              let out = avformat_new_stream(output, nil), avcodec_parameters_copy(out.pointee.codecpar, par) >= 0 else {
            audioNote = "its \(String(cString: avcodec_get_name(par.pointee.codec_id))) audio cannot go into an MP4 file"
            return
        }
        out.pointee.codecpar.pointee.codec_tag = 0
        out.pointee.time_base = inStream.pointee.time_base
        audioIndex = a
        audioStream = out
        audioDone = false
        // The video's first frame is time 0: audio is shifted by the video stream's start.
        let v = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        if v >= 0, let vs = ic.pointee.streams[Int(v)], vs.pointee.start_time != FF.noPTS {
            audioOffset = av_rescale_q(vs.pointee.start_time, vs.pointee.time_base, inStream.pointee.time_base)
        } else if inStream.pointee.start_time != FF.noPTS {
            audioOffset = inStream.pointee.start_time
        }
    }

    deinit {
        if sws != nil { sws_freeContext(sws) }
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&encoder)
        if input != nil { avformat_close_input(&input) }
        if let oc = output {
            if oc.pointee.pb != nil { avio_closep(&oc.pointee.pb) }
            avformat_free_context(oc)
        }
    }

    /// Encodes `image` (scaled to the writer's size if it differs) shown at `timestampMillis`.
    public func write(_ image: RGBImage, timestampMillis: Int64) throws {
        guard let f = frame, let ctx = encoder else { return }
        sws = sws_getCachedContext(sws, Int32(image.width), Int32(image.height), AV_PIX_FMT_RGB24, Int32(width), Int32(height),
                                   AV_PIX_FMT_YUV420P, SWS_BILINEAR, nil, nil, nil)
        guard let sws else { throw APIError(.internalServerError, "cannot convert frames for the H.264 encoder") }
        var rc = av_frame_make_writable(f)
        guard rc >= 0 else { throw APIError(.internalServerError, "cannot write a frame (\(FF.describe(rc)))") }
        image.pixels.withUnsafeBufferPointer { px in
            var src: [UnsafePointer<UInt8>?] = [px.baseAddress, nil, nil, nil]
            var srcStride: [Int32] = [Int32(image.width * 3), 0, 0, 0]
            withUnsafeMutablePointer(to: &f.pointee.data) { data in
                data.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { dst in
                    withUnsafeMutablePointer(to: &f.pointee.linesize) { lines in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { dstStride in
                            _ = sws_scale(sws, &src, &srcStride, 0, Int32(image.height), dst, dstStride)
                        }
                    }
                }
            }
        }
        f.pointee.pts = timestampMillis
        rc = avcodec_send_frame(ctx, f)
        guard rc >= 0 else { throw APIError(.internalServerError, "H.264 encoding failed (\(FF.describe(rc)))") }
        try drain()
        try copyAudio(upTo: timestampMillis + 500)
    }

    /// Flushes the encoder, copies the rest of the audio and writes the MP4 index.
    public func finish() throws {
        guard let ctx = encoder, let oc = output else { return }
        var rc = avcodec_send_frame(ctx, nil)
        guard rc >= 0 else { throw APIError(.internalServerError, "H.264 encoding failed (\(FF.describe(rc)))") }
        try drain()
        try copyAudio(upTo: .max)
        rc = av_write_trailer(oc)
        guard rc >= 0 else { throw APIError(.internalServerError, "cannot finish \(path) (\(FF.describe(rc)))") }
        avio_closep(&oc.pointee.pb)
    }

    private func drain() throws {
        guard let ctx = encoder, let p = packet, let oc = output else { return }
        while true {
            let rc = avcodec_receive_packet(ctx, p)
            if rc == cff_averror(EAGAIN) || rc == cff_averror_eof() { return }
            guard rc >= 0 else { throw APIError(.internalServerError, "H.264 encoding failed (\(FF.describe(rc)))") }
            if p.pointee.duration <= 0 { p.pointee.duration = frameMillis }
            av_packet_rescale_ts(p, ctx.pointee.time_base, videoStream.pointee.time_base)
            p.pointee.stream_index = videoStream.pointee.index
            let w = av_interleaved_write_frame(oc, p)
            guard w >= 0 else { throw APIError(.internalServerError, "cannot write \(path) (\(FF.describe(w)))") }
        }
    }

    /// Copies audio packets up to `millis` of video time.
    private func copyAudio(upTo millis: Int64) throws {
        guard !audioDone, let ic = input, let out = audioStream, let p = packet, let oc = output else { return }
        let inStream = ic.pointee.streams[Int(audioIndex)]!
        while true {
            let rc = av_read_frame(ic, p)
            if rc < 0 { audioDone = true; return }
            defer { av_packet_unref(p) }
            guard p.pointee.stream_index == audioIndex, p.pointee.pts != FF.noPTS else { continue }
            p.pointee.pts -= audioOffset
            if p.pointee.dts != FF.noPTS { p.pointee.dts -= audioOffset }
            guard p.pointee.pts >= 0 else { continue }
            let ms = av_rescale_q(p.pointee.pts, inStream.pointee.time_base, AVRational(num: 1, den: 1000))
            av_packet_rescale_ts(p, inStream.pointee.time_base, out.pointee.time_base)
            p.pointee.stream_index = out.pointee.index
            p.pointee.pos = -1
            let w = av_interleaved_write_frame(oc, p)
            guard w >= 0 else { throw APIError(.internalServerError, "cannot write the audio of \(path) (\(FF.describe(w)))") }
            if ms > millis { return }
        }
    }
}
