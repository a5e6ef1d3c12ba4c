/// One executable operation of a planned network: inputs and outputs are bound to fixed buffers when it
/// is created (weights packed then); `run` allocates nothing (except per-thread scratch, the first time
/// a larger thread count is used).
protocol Step: AnyObject {
    func run(threads: Int)
}

/// Per-thread scratch buffers of a fixed size, grown on demand.
struct ScratchBuffers {
    let size: Int
    private(set) var buffers: [AlignedBuffer] = []

    init(size: Int) { self.size = size }

    mutating func reserve(_ threads: Int) {
        while buffers.count < threads { buffers.append(AlignedBuffer(count: size)) }
    }

    func pointer(_ i: Int) -> UnsafeMutablePointer<Float> { buffers[i].pointer }
}

/// The epilogue of a fused node, with the storage it points into kept alive.
struct BoundEpilogue {
    var spec = EpilogueSpec()
    var slopes: AlignedBuffer? = nil
    /// Clamp for a kernel that applies it itself while `done` (else the clamp of the activation,
    /// or none for PReLU).
    var kernelLo: Float = -.infinity
    var kernelHi: Float = .infinity
    /// The activation's clamp (none for PReLU), for kernels that also add the residual themselves.
    var lo: Float = -.infinity
    var hi: Float = .infinity

    init(activation: Activation, residual: UnsafePointer<Float>?, residualChannels: Int) {
        spec.residual = residual
        spec.residualChannels = residualChannels
        switch activation {
        case .prelu(let s):
            let b = AlignedBuffer(count: (s.count + 15) / 16 * 16)
            for (i, v) in s.enumerated() { b.pointer[i] = v }
            slopes = b
            spec.slopes = UnsafePointer(b.pointer)
        default:
            let (lo, hi) = activation.clamp!
            spec.lo = lo
            spec.hi = hi
            self.lo = lo
            self.hi = hi
            if residual == nil { kernelLo = lo; kernelHi = hi }
        }
    }

    /// True when nothing is left after the kernel's own clamp.
    var done: Bool { spec.clampOnly }
}
