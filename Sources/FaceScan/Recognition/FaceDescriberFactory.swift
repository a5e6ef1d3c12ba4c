/// dlib's descriptor as the search pipeline's `FaceDescribing`.
extension FaceDescriptorExtractor: FaceDescribing {
    public func describe(_ image: RGBImage, _ detection: Detection) throws -> [Float] {
        try descriptor(for: image, detection: detection).values
    }
}

/// Makes the descriptor the commands use.
public enum FaceDescriberFactory {
    public static func make(store: ModelStore) throws -> FaceDescribing {
        try FaceDescriptorExtractor(store: store)
    }
}
