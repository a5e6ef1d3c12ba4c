import FaceScan

/// Options shared by the commands that read a video: sampling, time range and how often to detect.
enum VideoOptions {
    static let sampleRate = OptionSpec(
        "sample-rate", .text(accepts: "frames per second (a number above 0, at most 1000) or all", valid: { v in
            if v == "all" { return true }
            guard let f = Double(v), f.isFinite else { return false }
            return f > 0 && f <= 1000
        }), valueName: "FPS", default: "5",
        help: "frames analysed per second of video, by presentation time; all analyses every frame")
    /// The longest video accepted (6 hours), in seconds: no time of a video lies beyond it.
    static let maxSeconds = Double(VideoReader.maxDurationMillis / 1000)
    static let start = OptionSpec("start", .number(min: 0, max: maxSeconds), valueName: "SECONDS",
                                  help: "analyse from this time on (seconds from the first frame, at most 6 hours)")
    static let end = OptionSpec("end", .number(min: 0, max: maxSeconds), valueName: "SECONDS",
                                help: "analyse up to this time (inclusive; at most 6 hours)")

    static let detectionInterval = OptionSpec(
        "detection-interval", .number(min: 0, max: 60), valueName: "SECONDS", default: "2",
        help: "run the full face detector at least this often (and at every cut); faces are followed by their mesh in between; 0 detects in every sampled frame")

    static let all = [sampleRate, start, end, detectionInterval]

    static func validate(_ args: ParsedArguments) -> String? {
        if let s = args.double("start"), let e = args.double("end"), e < s {
            return "--end (\(e)) must not be before --start (\(s))"
        }
        return nil
    }

    /// The frames the options choose: sampling, start and end (ms), and the tracking schedule.
    static func frames(_ args: ParsedArguments) -> (FrameSampling, Int64?, Int64?, TrackingSchedule) {
        (sampling(args), millis(args, "start"), millis(args, "end"), millis(args, "detection-interval").map { TrackingSchedule(detectionInterval: $0) } ?? .default)
    }

    static func sampling(_ args: ParsedArguments) -> FrameSampling {
        guard let v = args.string("sample-rate") else { return .default }
        return v == "all" ? .everyFrame : .rate(Double(v)!)
    }

    static func millis(_ args: ParsedArguments, _ name: String) -> Int64? {
        args.double(name).map { Int64(($0 * 1000).rounded()) }
    }
}
