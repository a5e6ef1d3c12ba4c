/// A run of a search's sampled frames after the costly part of the analysis (detection, following,
/// description), before persons are linked: every face with its track within the run and the descriptor
/// its track has that second. A search links runs into persons in video order (`PersonLinker`); a video
/// split into segments stores its segments' runs, and the last step links them all, so the persons are
/// those of one process reading the whole video.
public struct DescribedRun: Codable, Sendable {
    public struct Face: Codable, Sendable {
        /// The face's track within its run.
        public var track: Int
        /// Which of the run's descriptors it carries (a track's second shares one).
        public var sample: Int
        /// The detection's box, as the linking compares it: xmin, ymin, xmax, ymax.
        public var box: [Double]
        public var descriptor: [Float]
        public var detail: FaceDetail
    }

    public struct Frame: Codable, Sendable {
        public var timestamp: Int64
        public var faces: [Face]
    }

    public var frames: [Frame]

    /// The detection the linking compares (box only).
    static func detection(_ f: Face) -> Detection {
        Detection(xmin: f.box[0], ymin: f.box[1], xmax: f.box[2], ymax: f.box[3], keypoints: [], score: 0)
    }

    /// dlib's descriptors: 128 values.
    static let descriptorLength = 128

    /// Checks a stored run before it is linked.
    var isWellFormed: Bool {
        frames.allSatisfy { frame in
            frame.faces.allSatisfy {
                $0.box.count == 4 && $0.box.allSatisfy(\.isFinite) && $0.descriptor.count == Self.descriptorLength
                    && $0.descriptor.allSatisfy(\.isFinite) && $0.track >= 0 && $0.sample >= 0
            }
        }
    }
}

