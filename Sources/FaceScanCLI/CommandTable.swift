import FaceScan

/// Every command of the tool, in the order `--help` lists them.
public enum CommandTable {
    public static var all: [CommandSpec] {
        [detect, search, searchFacesByImage, compareFaces, detectFaces,
         createCollection, indexFaces, listFaces, deleteFaces, searchFaces, listCollections, describeCollection, deleteCollection,
         startFaceDetection, getFaceDetection, startFaceSearch, getFaceSearch, listJobs, deleteJob, draw, serve, worker, probe, models]
    }

    /// Options every command accepts.
    public static let globalOptions: [OptionSpec] = [
        OptionSpec("help", short: "h", .flag, help: "show help (for the command, when one is given) and exit"),
        OptionSpec("version", short: "V", .flag, help: "print facescan's version and exit"),
        OptionSpec("quiet", short: "q", .flag, help: "no progress display and no warnings on stderr"),
    ]
}
