import CFFmpeg

/// Thin helpers over FFmpeg's C API: error text and the constants Swift cannot import.
enum FF {
    static let eof = cff_averror_eof()
    static let again = cff_averror(EAGAIN)
    static let noPTS = cff_nopts_value()

    /// FFmpeg's text for an error code.
    static func describe(_ code: Int32) -> String {
        var buf = [CChar](repeating: 0, count: Int(AV_ERROR_MAX_STRING_SIZE))
        return buf.withUnsafeMutableBufferPointer { p in
            String(cString: cff_err2str(code, p.baseAddress, p.count))
        }
    }

    static func seconds(_ value: Int64, _ base: AVRational) -> Double {
        Double(value) * Double(base.num) / Double(base.den)
    }

    /// Silences FFmpeg's own logging once: facescan reports problems itself, as JSON or warnings.
    static let quietLogging: Void = { av_log_set_level(AV_LOG_QUIET) }()
}
