import Foundation

/// A folder of photos used as a face collection, indexed as IndexFaces would index them.
///
/// Every image in the folder and its sub-folders (JPEG, PNG, WebP, BMP, by extension) is indexed: its
/// largest face gets a FaceId (a UUID derived from the image's SHA-256 and the face's position, so the
/// same bytes always give the same FaceId), the image an ImageId (from its SHA-256), and an
/// ExternalImageId from its name: the file name without extension for images directly in the folder,
/// the first-level sub-folder's name for images inside one (so `DIR/alex/1.jpg` and `DIR/alex/2.jpg`
/// both stand for "alex"), sanitised to the characters the API allows.
///
/// The index (descriptors and metadata) is cached under `$XDG_CACHE_HOME/facescan/collections/`, one
/// file per folder, and refreshed incrementally: an image whose size and modification time are
/// unchanged is not analysed again; a changed, new or removed image is. A cache that cannot be read, is
/// corrupt, or was made by another model version is rebuilt, never trusted.
public final class FaceCollection {
    public struct Entry: Codable, Sendable {
        public var path: String
        public var faceId: String
        public var imageId: String
        public var externalImageId: String?
        public var box: [Float]          // Width, Height, Left, Top
        public var confidence: Float
        public var descriptor: [Float]

        public var face: CollectionFace {
            CollectionFace(faceId: faceId, boundingBox: BoundingBox(width: box[0], height: box[1], left: box[2], top: box[3]),
                           imageId: imageId, externalImageId: externalImageId, confidence: confidence,
                           indexFacesModelVersion: FaceIdentity.modelVersion)
        }
    }

    /// The folder (nil for a collection read from a store).
    public let directory: URL?
    public private(set) var entries: [Entry] = []
    /// Problems worth a warning (images without a face, with several, unreadable).
    public private(set) var warnings: [String] = []
    /// How many images were analysed now (not taken from the cache).
    public private(set) var analysedImages = 0

    /// A collection of faces stored by IndexFaces (in a `CollectionStore`), to match against.
    public init(stored faces: [StoredFace]) {
        directory = nil
        entries = faces.map { f in
            Entry(path: "", faceId: f.faceId, imageId: f.imageId, externalImageId: f.externalImageId,
                  box: [f.boundingBox.width, f.boundingBox.height, f.boundingBox.left, f.boundingBox.top],
                  confidence: f.confidence, descriptor: f.descriptor)
        }
    }

    static let extensions: Set<String> = ["jpg", "jpeg", "png", "webp", "bmp"]

    private struct CacheFile: Codable {
        var format = 1
        var modelVersion: String
        var directory: String
        var images: [String: CachedImage]
    }

    private struct CachedImage: Codable {
        var size: Int64
        var modified: Double
        var sha256: String
        var faces: [Entry]
        var note: String?
    }

    /// Indexes `directory` (see the type's documentation). Throws `ResourceNotFoundException` for a
    /// missing folder and `InvalidParameterException` for one that is not a folder. A folder without
    /// images, or whose images have no face, is an empty collection.
    public init(directory: URL, analyzer: FaceAnalyzer, describer: FaceDescribing,
                cacheDirectory: URL? = FaceCollection.defaultCacheDirectory()) throws {
        let folder = directory.standardizedFileURL
        self.directory = folder
        let images = try FaceCollection.check(directory: folder)
        let cacheURL = cacheDirectory.map { $0.appendingPathComponent(FaceIdentity.uuid(folder.path) + ".json") }
        var cache = cacheURL.flatMap(FaceCollection.readCache) ?? CacheFile(modelVersion: FaceIdentity.modelVersion, directory: folder.path, images: [:])
        if cache.modelVersion != FaceIdentity.modelVersion || cache.directory != folder.path || cache.format != 1 {
            cache = CacheFile(modelVersion: FaceIdentity.modelVersion, directory: folder.path, images: [:])
        }
        var fresh: [String: CachedImage] = [:]
        for relative in images {
            let url = folder.appendingPathComponent(relative)
            guard let attrs = try? FileManager.default.attributesOfItem(atPath: url.path),
                  let size = (attrs[.size] as? NSNumber)?.int64Value else {
                warnings.append("\(url.path): cannot be read; skipped")
                continue
            }
            let modified = (attrs[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            if let old = cache.images[relative], old.size == size, old.modified == modified, FaceCollection.valid(old) {
                fresh[relative] = old
                if let note = old.note { warnings.append(note) }
                continue
            }
            guard let data = FileManager.default.contents(atPath: url.path) else {
                warnings.append("\(url.path): cannot be read; skipped")
                continue
            }
            let sha = data.withUnsafeBytes { Digest.sha256($0).hexString }
            if let old = cache.images[relative], old.sha256 == sha, FaceCollection.valid(old) {
                fresh[relative] = CachedImage(size: size, modified: modified, sha256: sha, faces: old.faces, note: old.note)
                continue
            }
            analysedImages += 1
            fresh[relative] = try FaceCollection.analyse(url: url, relative: relative, sha: sha, size: size, modified: modified,
                                                         analyzer: analyzer, describer: describer)
            if let note = fresh[relative]?.note { warnings.append(note) }
        }
        entries = images.compactMap { fresh[$0] }.flatMap(\.faces)
        if let cacheURL, analysedImages > 0 || fresh.count != cache.images.count {
            FaceCollection.writeCache(CacheFile(modelVersion: FaceIdentity.modelVersion, directory: folder.path, images: fresh), to: cacheURL)
        }
    }

    /// The cheap checks of a collection folder, without analysing anything: it exists and is a readable
    /// folder. A start checks this before it starts a job (as it checks the video). A folder without
    /// images is an empty collection, as the service searches an empty collection: nothing matches.
    /// - Returns: the image files, relative paths, sorted.
    /// - Throws: ResourceNotFoundException (missing), InvalidParameterException (not a folder),
    ///   AccessDeniedException (unreadable).
    @discardableResult
    public static func check(directory: URL) throws -> [String] {
        let path = directory.standardizedFileURL.path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw APIError(.resourceNotFound, "collection \(directory.path) does not exist")
        }
        guard isDir.boolValue else {
            throw APIError(.invalidParameter, "collection \(directory.path) is not a directory; give a folder of face photos")
        }
        guard access(path, R_OK | X_OK) == 0 else {
            throw APIError(.accessDenied, "collection \(directory.path) cannot be read: permission denied")
        }
        return imageFiles(in: directory.standardizedFileURL)
    }

    public static func defaultCacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        ModelStore.cacheRoot(environment: environment).appendingPathComponent("collections")
    }

    /// Image files under `dir`, relative paths, sorted; hidden files and folders are skipped.
    static func imageFiles(in dir: URL) -> [String] {
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey],
                                                     options: [.skipsHiddenFiles]) else { return [] }
        var out: [String] = []
        let base = dir.path.hasSuffix("/") ? dir.path : dir.path + "/"
        for case let url as URL in e {
            guard extensions.contains(url.pathExtension.lowercased()),
                  (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            if path.hasPrefix(base) { out.append(String(path.dropFirst(base.count))) }
        }
        return out.sorted()
    }

    /// ExternalImageId of an image: its first-level sub-folder, or its file name without extension.
    static func externalImageId(forRelativePath relative: String) -> String {
        let parts = relative.split(separator: "/")
        let name = parts.count > 1 ? String(parts[0]) : String((parts.last ?? "").split(separator: ".").dropLast().joined(separator: "."))
        return FaceIdentity.externalImageId(name)
    }

    private static func valid(_ c: CachedImage) -> Bool {
        c.faces.allSatisfy { $0.descriptor.count == 128 && $0.box.count == 4 && $0.descriptor.allSatisfy(\.isFinite) }
    }

    private static func analyse(url: URL, relative: String, sha: String, size: Int64, modified: Double,
                                analyzer: FaceAnalyzer, describer: FaceDescribing) throws -> CachedImage {
        let image: RGBImage
        do {
            let reader = try VideoReader(path: url.path)
            reader.configure(sampling: .everyFrame)
            guard let frame = try reader.next() else { throw APIError(.invalidImageFormat, "no frame") }
            image = frame.image
        } catch let e as APIError {
            return CachedImage(size: size, modified: modified, sha256: sha, faces: [], note: "\(url.path): not indexed: \(e.message)")
        }
        let faces = try analyzer.analyse(image)
        guard let face = faces.first else {
            return CachedImage(size: size, modified: modified, sha256: sha, faces: [], note: "\(url.path): no face found; not indexed")
        }
        let b = face.detail.boundingBox
        let entry = Entry(path: relative, faceId: FaceIdentity.uuid("face:\(sha):0"), imageId: FaceIdentity.uuid("image:\(sha)"),
                          externalImageId: externalImageId(forRelativePath: relative),
                          box: [b.width, b.height, b.left, b.top], confidence: face.detail.confidence,
                          descriptor: try describer.describe(image, face.detection))
        let note = faces.count > 1 ? "\(url.path): \(faces.count) faces; only the largest is indexed" : nil
        return CachedImage(size: size, modified: modified, sha256: sha, faces: [entry], note: note)
    }

    private static func readCache(_ url: URL) -> CacheFile? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(CacheFile.self, from: data)
    }

    /// Write, fsync, rename: a reader sees the old cache or the new one. Failing to write the cache
    /// only costs time next run, so it is not an error. Face descriptors are biometric data: the cache
    /// folder is 0700 and its files 0600, whatever the umask.
    private static func writeCache(_ cache: CacheFile, to url: URL) {
        guard let data = try? JSONEncoder().encode(cache) else { return }
        let folder = url.deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chmod(folder.path, 0o700)
        let tmp = url.appendingPathExtension("tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: tmp.path, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        chmod(tmp.path, 0o600)
        let fd = open(tmp.path, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        if rename(tmp.path, url.path) != 0 { unlink(tmp.path) }
    }

    /// The collection faces whose descriptor is within reach of `descriptor`, best first, as FaceMatches
    /// with Similarity ≥ `threshold`.
    public func matches(for descriptor: [Float], threshold: Float, maxFaces: Int = 4096) -> [FaceMatch] {
        scored(descriptor, threshold: threshold).prefix(maxFaces).map { FaceMatch(similarity: $0.s, face: $0.e.face) }
    }

    /// The entries with Similarity ≥ `threshold` to `descriptor`, best first.
    public func nearest(to descriptor: [Float], threshold: Float) -> [Entry] {
        scored(descriptor, threshold: threshold).map(\.e)
    }

    private func scored(_ descriptor: [Float], threshold: Float) -> [(e: Entry, s: Float)] {
        entries.map { (e: $0, s: Similarity.percent(distance: FaceDescriptor.distance(descriptor, $0.descriptor))) }
            .filter { $0.s >= threshold }
            .sorted { $0.s > $1.s }
    }
}
