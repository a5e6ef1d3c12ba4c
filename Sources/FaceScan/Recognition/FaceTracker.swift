/// Links the faces of successive sampled frames into persons, each with a stable Index.
///
/// A face continues an active person (seen within `maxGap` ms) when its box overlaps that person's last
/// box (IoU > 0.3) and its descriptor agrees (distance < 0.6, dlib's same-person threshold). Otherwise it is
/// the same person as any earlier one whose descriptor is close (distance < `reidentifyDistance`,
/// stricter than dlib's 0.6): a person who leaves and comes back keeps the Index. Otherwise it is a new
/// person, with the next Index (0, 1, 2, …). Each frame's faces are assigned greedily, best overlap
/// first, and two faces of one frame never get the same Index.
public struct FaceTracker {
    public var maxGap: Int64 = 1500
    public var linkIoU = 0.3
    public var linkDistance: Float = 0.6
    public var reidentifyDistance: Float = 0.5

    struct Person {
        var last: Detection
        var lastSeen: Int64
        var descriptors: [[Float]]
    }
    private var persons: [Person] = []

    public init() {}

    public var personCount: Int { persons.count }

    /// Assigns a person Index to each face of one frame (same order as `faces`). A face whose entry in
    /// `fixed` is an Index (a face followed from an earlier frame by video tracking) keeps it.
    public mutating func assign(timestamp: Int64, faces: [(detection: Detection, descriptor: [Float])], fixed: [Int?] = []) -> [Int] {
        var result = [Int](repeating: -1, count: faces.count)
        var taken = Set<Int>()
        for (f, index) in fixed.enumerated() where f < faces.count {
            if let index, persons.indices.contains(index), !taken.contains(index) { result[f] = index; taken.insert(index) }
        }
        // Continuations by overlap, best first.
        var candidates: [(face: Int, person: Int, iou: Double)] = []
        for (f, face) in faces.enumerated() where result[f] < 0 {
            for (p, person) in persons.enumerated() where !taken.contains(p) && timestamp - person.lastSeen <= maxGap && person.lastSeen < timestamp {
                let iou = face.detection.iou(person.last)
                if iou > linkIoU && nearest(face.descriptor, person) < linkDistance { candidates.append((f, p, iou)) }
            }
        }
        for c in candidates.sorted(by: { $0.iou > $1.iou }) where result[c.face] < 0 && !taken.contains(c.person) {
            result[c.face] = c.person
            taken.insert(c.person)
        }
        // Re-identification by descriptor, then new persons.
        for (f, face) in faces.enumerated() where result[f] < 0 {
            let best = persons.indices.filter { !taken.contains($0) && persons[$0].lastSeen < timestamp }
                .map { ($0, nearest(face.descriptor, persons[$0])) }
                .min { $0.1 < $1.1 }
            if let best, best.1 < reidentifyDistance {
                result[f] = best.0
            } else {
                persons.append(Person(last: face.detection, lastSeen: timestamp, descriptors: []))
                result[f] = persons.count - 1
            }
            taken.insert(result[f])
        }
        for (f, face) in faces.enumerated() {
            let p = result[f]
            persons[p].last = face.detection
            persons[p].lastSeen = timestamp
            // Keep a bounded sample of descriptors to compare against.
            if persons[p].descriptors.count < 16 { persons[p].descriptors.append(face.descriptor) }
            else { persons[p].descriptors[Int(timestamp / 200) % 16] = face.descriptor }
        }
        return result
    }

    private func nearest(_ d: [Float], _ person: Person) -> Float {
        person.descriptors.map { FaceDescriptor.distance(d, $0) }.min() ?? 0
    }
}
