/// Float storage aligned to 64 bytes, zero-initialised, with `AlignedBuffer.slack` extra floats after
/// the end so that SIMD16 kernels may *read* (never write) one vector past the last element.
final class AlignedBuffer {
    /// Floats readable (not writable) past `count`.
    static let slack = 16

    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        precondition(count >= 0)
        self.count = count
        let total = count + AlignedBuffer.slack
        let raw = UnsafeMutableRawPointer.allocate(byteCount: total * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: total)
        pointer.initialize(repeating: 0, count: total)
    }

    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}
