/// How facescan derives Rekognition's 30 landmark types from MediaPipe's 468-point face mesh and the
/// iris model. Left and right are as Rekognition uses them: of the image (eyeLeft is the eye on the
/// left side of the image, the person's right eye). Each type is the mean of the listed mesh points;
/// the pupils are the iris model's centres. The 68-point (iBUG/dlib) counterpart of each type is given
/// for reference; the README lists the table and the errors measured against it.
public enum LandmarkMapping {
    public struct Entry: Sendable {
        public let type: String
        /// Mesh point indices averaged (empty for the pupils).
        public let mesh: [Int]
        /// Indices of the 68-point scheme that correspond (averaged), or empty.
        public let ibug68: [Int]
    }

    public static let table: [Entry] = [
        Entry(type: "eyeLeft", mesh: [33, 133, 159, 145], ibug68: [36, 37, 38, 39, 40, 41]),
        Entry(type: "eyeRight", mesh: [362, 263, 386, 374], ibug68: [42, 43, 44, 45, 46, 47]),
        Entry(type: "nose", mesh: [4], ibug68: [30]),
        Entry(type: "mouthLeft", mesh: [61], ibug68: [48]),
        Entry(type: "mouthRight", mesh: [291], ibug68: [54]),
        Entry(type: "leftEyeBrowLeft", mesh: [70], ibug68: [17]),
        Entry(type: "leftEyeBrowRight", mesh: [107], ibug68: [21]),
        Entry(type: "leftEyeBrowUp", mesh: [105], ibug68: [19]),
        Entry(type: "rightEyeBrowLeft", mesh: [336], ibug68: [22]),
        Entry(type: "rightEyeBrowRight", mesh: [300], ibug68: [26]),
        Entry(type: "rightEyeBrowUp", mesh: [334], ibug68: [24]),
        Entry(type: "leftEyeLeft", mesh: [33], ibug68: [36]),
        Entry(type: "leftEyeRight", mesh: [133], ibug68: [39]),
        Entry(type: "leftEyeUp", mesh: [159], ibug68: [37, 38]),
        Entry(type: "leftEyeDown", mesh: [145], ibug68: [40, 41]),
        Entry(type: "rightEyeLeft", mesh: [362], ibug68: [42]),
        Entry(type: "rightEyeRight", mesh: [263], ibug68: [45]),
        Entry(type: "rightEyeUp", mesh: [386], ibug68: [43, 44]),
        Entry(type: "rightEyeDown", mesh: [374], ibug68: [46, 47]),
        Entry(type: "noseLeft", mesh: [98], ibug68: [31]),
        Entry(type: "noseRight", mesh: [327], ibug68: [35]),
        Entry(type: "mouthUp", mesh: [0], ibug68: [51]),
        Entry(type: "mouthDown", mesh: [17], ibug68: [57]),
        Entry(type: "leftPupil", mesh: [], ibug68: []),
        Entry(type: "rightPupil", mesh: [], ibug68: []),
        Entry(type: "upperJawlineLeft", mesh: [234], ibug68: [1]),
        Entry(type: "midJawlineLeft", mesh: [172], ibug68: [4]),
        Entry(type: "chinBottom", mesh: [152], ibug68: [8]),
        Entry(type: "midJawlineRight", mesh: [397], ibug68: [12]),
        Entry(type: "upperJawlineRight", mesh: [454], ibug68: [15]),
    ]

    /// The 30 landmarks in frame pixels, in the table's order.
    public static func landmarks(mesh: [SIMD3<Double>], leftPupil: SIMD2<Double>, rightPupil: SIMD2<Double>) -> [(type: String, x: Double, y: Double)] {
        table.map { e in
            switch e.type {
            case "leftPupil": return (e.type, leftPupil.x, leftPupil.y)
            case "rightPupil": return (e.type, rightPupil.x, rightPupil.y)
            default:
                var x = 0.0, y = 0.0
                for i in e.mesh { x += mesh[i].x; y += mesh[i].y }
                return (e.type, x / Double(e.mesh.count), y / Double(e.mesh.count))
            }
        }
    }
}
