/// PAD (zeros).
final class PadStep: Step {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let inShape: [Int], before: [Int], after: [Int]

    init(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, inShape: [Int], before: [Int], after: [Int]) {
        self.input = input
        self.output = output
        self.inShape = inShape
        self.before = before
        self.after = after
    }

    func run(threads: Int) {
        padTensor(input: input, inShape: inShape, before: before, after: after, output: output)
    }
}

/// CONCATENATION.
final class ConcatStep: Step {
    let inputs: [(UnsafePointer<Float>, [Int])]
    let axis: Int
    let output: UnsafeMutablePointer<Float>

    init(inputs: [(UnsafePointer<Float>, [Int])], axis: Int, output: UnsafeMutablePointer<Float>) {
        self.inputs = inputs
        self.axis = axis
        self.output = output
    }

    func run(threads: Int) { concatenate(inputs: inputs, axis: axis, output: output) }
}

/// DEPTH_TO_SPACE.
final class DepthToSpaceStep: Step {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let h: Int, w: Int, c: Int, block: Int

    init(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, h: Int, w: Int, c: Int, block: Int) {
        self.input = input
        self.output = output
        self.h = h
        self.w = w
        self.c = c
        self.block = block
    }

    func run(threads: Int) { depthToSpace(input: input, inH: h, inW: w, inC: c, block: block, output: output) }
}

/// RESIZE_BILINEAR.
final class ResizeStep: Step {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let inH: Int, inW: Int, c: Int, outH: Int, outW: Int
    let alignCorners: Bool, halfPixel: Bool

    init(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, inH: Int, inW: Int, c: Int, outH: Int,
         outW: Int, alignCorners: Bool, halfPixel: Bool) {
        self.input = input
        self.output = output
        self.inH = inH
        self.inW = inW
        self.c = c
        self.outH = outH
        self.outW = outW
        self.alignCorners = alignCorners
        self.halfPixel = halfPixel
    }

    func run(threads: Int) {
        let t = Parallel.threads(threads, work: outH * outW * c * 4, minimum: 300_000)
        Parallel.forChunks(outH, threads: t) { _, rows in
            resizeBilinear(input: input, inH: inH, inW: inW, channels: c, output: output, outH: outH, outW: outW,
                           alignCorners: alignCorners, halfPixel: halfPixel, rows: rows)
        }
    }
}
