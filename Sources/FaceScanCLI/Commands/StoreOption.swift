import FaceScan
import FaceScanStore
import Foundation

/// `--store`: which store a command uses for its jobs and collections. A directory is the embedded
/// store (jobs in files, collections in its collections.sqlite); postgres://… is the shared store
/// (PostgreSQL: jobs, their segments and collections, for `facescan worker` on any number of
/// machines). Without the option: FACESCAN_STORE, else the embedded store in the default directory.
enum StoreOption {
    static let option = OptionSpec(
        "store", .text(accepts: "a directory, or a PostgreSQL URL postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE",
                       valid: { !$0.isEmpty }),
        valueName: "DIR|URL",
        help: "the job and collection store (default: $FACESCAN_STORE, else the embedded store in $FACESCAN_HOME); postgres://… is shared by many machines")

    /// The location the command names, or nil for the default.
    static func location(_ args: ParsedArguments) -> String? {
        args.string("store") ?? ProcessInfo.processInfo.environment["FACESCAN_STORE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The job store.
    static func jobs(_ args: ParsedArguments) throws -> JobStore {
        try JobStore.open(location(args).map(absolute))
    }

    /// The collection store: the shared one for a postgres:// store, else the SQLite database of the
    /// embedded store's directory.
    static func collections(_ args: ParsedArguments) throws -> CollectionStore {
        guard let location = location(args) else { return try SQLiteCollectionStore(path: SQLiteCollectionStore.defaultPath()) }
        if JobStores.scheme(of: location) != nil { return try CollectionStores.open(location) }
        return try SQLiteCollectionStore(path: absolute(location) + "/collections.sqlite")
    }

    /// The embedded store where detect and search keep the job they run in this process.
    static func embeddedJobs() throws -> JobStore {
        try JobStore.open(JobStore.defaultDirectory())
    }

    /// A directory made absolute (a worker process may run elsewhere); a URL as it is.
    static func absolute(_ location: String) -> String {
        if JobStores.scheme(of: location) != nil || location.hasPrefix("/") { return location }
        return (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(location)
    }
}
