import FaceScan
import Foundation

/// Maps the API's S3Object `{Bucket, Name}` to the file `ROOT/Bucket/Name` under `serve --s3-root`.
/// Nothing outside the root is reachable: `..` components, absolute names and symbolic links that lead
/// out of the root are refused as InvalidS3ObjectException, as is every S3Object when no root was given.
struct S3Root: Sendable {
    /// The root folder, with symbolic links resolved; nil when the endpoint serves no S3 objects.
    let root: String?

    init(_ directory: String?) throws {
        guard let directory else { root = nil; return }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue,
              let real = realpath(directory, nil) else {
            throw APIError.invalidParameter("--s3-root \(directory) is not a folder")
        }
        root = String(cString: real)
        free(real)
    }

    /// The file an S3Object names.
    func path(_ object: RequestMembers) throws -> (path: String, bucket: String, name: String) {
        let bucket = try object.required("Bucket") { try object.string($0, min: 3, max: 255) }
        let name = try object.required("Name") { try object.string($0, min: 1, max: 1024) }
        guard let root else {
            throw APIError(.invalidS3Object, "unable to access the object s3://\(bucket)/\(name): this endpoint was started without --s3-root")
        }
        let bucketOK = bucket.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard bucketOK, bucket != "..", !name.hasPrefix("/"), !name.utf8.contains(0), !parts.contains("..") else {
            throw APIError(.invalidS3Object, "unable to access the object s3://\(bucket)/\(name): the name leaves the S3 root")
        }
        let candidate = root + "/" + bucket + "/" + name
        guard let real = realpath(candidate, nil) else {
            throw APIError(.invalidS3Object, "unable to access the object s3://\(bucket)/\(name): it does not exist")
        }
        let resolved = String(cString: real)
        free(real)
        guard resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw APIError(.invalidS3Object, "unable to access the object s3://\(bucket)/\(name): it leads out of the S3 root")
        }
        var st = stat()
        guard stat(resolved, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw APIError(.invalidS3Object, "unable to access the object s3://\(bucket)/\(name): it is not a file")
        }
        return (resolved, bucket, name)
    }
}
