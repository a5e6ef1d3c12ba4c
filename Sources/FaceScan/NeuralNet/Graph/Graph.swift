/// Index of a value (a float32 tensor) in a `Graph`.
typealias ValueID = Int

/// Activation applied to an operator's result, in place, as its last step.
enum Activation: Equatable {
    case none
    case relu
    case relu6
    /// `x >= 0 ? x : slope[c] * x`, one slope per channel (last dimension).
    case prelu([Float])

    /// The clamp `[lo, hi]` for the activations that are one (none, relu, relu6).
    var clamp: (lo: Float, hi: Float)? {
        switch self {
        case .none: return (-.infinity, .infinity)
        case .relu: return (0, .infinity)
        case .relu6: return (0, 6)
        case .prelu: return nil
        }
    }
}

/// How a convolution or pooling window is padded.
enum Padding: Equatable {
    /// TFLite SAME: output = ceil(in / stride); total = max((out − 1)·stride + k − in, 0), before = total / 2.
    case same
    /// No padding: output = (in − k) / stride + 1.
    case valid
    /// Explicit zero rows/columns on each side.
    case explicit(top: Int, left: Int, bottom: Int, right: Int)
}

/// Geometry of a 2-D window (convolution, depthwise convolution, pooling) over an NHWC tensor.
struct Window: Equatable {
    var kernelH: Int, kernelW: Int
    var strideH: Int, strideW: Int
    var padTop: Int, padLeft: Int, padBottom: Int, padRight: Int

    /// Resolves `padding` for an input of `inH`×`inW` and returns the window with the output size.
    static func resolve(inH: Int, inW: Int, kernelH: Int, kernelW: Int, strideH: Int, strideW: Int,
                        padding: Padding) throws -> (Window, outH: Int, outW: Int) {
        guard kernelH >= 1, kernelW >= 1 else { throw GraphError("window size \(kernelH)×\(kernelW) is invalid") }
        guard strideH >= 1, strideW >= 1 else { throw GraphError("stride \(strideH)×\(strideW) is invalid") }
        guard kernelH <= 64, kernelW <= 64, strideH <= 64, strideW <= 64 else {
            throw GraphError("window \(kernelH)×\(kernelW) stride \(strideH)×\(strideW) is out of the supported range (≤ 64)")
        }
        var w = Window(kernelH: kernelH, kernelW: kernelW, strideH: strideH, strideW: strideW,
                       padTop: 0, padLeft: 0, padBottom: 0, padRight: 0)
        switch padding {
        case .same:
            let outH = (inH + strideH - 1) / strideH, outW = (inW + strideW - 1) / strideW
            let totalH = max((outH - 1) * strideH + kernelH - inH, 0)
            let totalW = max((outW - 1) * strideW + kernelW - inW, 0)
            w.padTop = totalH / 2; w.padBottom = totalH - totalH / 2
            w.padLeft = totalW / 2; w.padRight = totalW - totalW / 2
        case .valid:
            break
        case let .explicit(top, left, bottom, right):
            guard top >= 0, left >= 0, bottom >= 0, right >= 0, top < kernelH, bottom < kernelH,
                  left < kernelW, right < kernelW else {
                throw GraphError("padding \(top),\(left),\(bottom),\(right) is invalid for a \(kernelH)×\(kernelW) window")
            }
            w.padTop = top; w.padLeft = left; w.padBottom = bottom; w.padRight = right
        }
        let spanH = inH + w.padTop + w.padBottom, spanW = inW + w.padLeft + w.padRight
        guard spanH >= kernelH, spanW >= kernelW else {
            throw GraphError("input \(inH)×\(inW) is smaller than the \(kernelH)×\(kernelW) window")
        }
        return (w, (spanH - kernelH) / strideH + 1, (spanW - kernelW) / strideW + 1)
    }
}

/// A 2-D convolution: weights OHWI `[outChannels, kernelH, kernelW, inChannels]`, one bias per output channel.
struct Conv2DParams {
    var window: Window
    var inChannels: Int, outChannels: Int
    var weights: [Float]
    var bias: [Float]
}

/// A depthwise convolution with multiplier 1: weights `[kernelH, kernelW, channels]`, bias per channel.
struct DepthwiseParams {
    var window: Window
    var channels: Int
    var weights: [Float]
    var bias: [Float]
}

enum PoolKind: Equatable { case max, average }

/// One operation of a graph. Every spatial operation works on NHWC tensors of batch 1.
enum GraphOp {
    case conv2D(Conv2DParams)
    case depthwiseConv2D(DepthwiseParams)
    /// inputs[0] + inputs[1]; inputs[1] may have fewer channels (the missing ones count as zero).
    case add
    /// The identity followed by the node's activation (RELU, RELU6, PRELU as operators of their own).
    case activation
    case pool(PoolKind, Window)
    /// Zero padding: `before[d]` and `after[d]` elements on each dimension.
    case pad(before: [Int], after: [Int])
    /// Same elements, new shape (shares storage with its input).
    case reshape
    case concatenation(axis: Int)
    case resizeBilinear(alignCorners: Bool, halfPixelCenters: Bool)
    case depthToSpace(blockSize: Int)
    /// Softmax over the last axis: exp(beta·x) normalised.
    case softmax(beta: Float)

    var name: String {
        switch self {
        case .conv2D: return "conv2D"
        case .depthwiseConv2D: return "depthwiseConv2D"
        case .add: return "add"
        case .activation: return "activation"
        case .pool(let kind, _): return kind == .max ? "maxPool" : "averagePool"
        case .pad: return "pad"
        case .reshape: return "reshape"
        case .concatenation: return "concatenation"
        case .resizeBilinear: return "resizeBilinear"
        case .depthToSpace: return "depthToSpace"
        case .softmax: return "softmax"
        }
    }
}

/// One node: an operation, its inputs, its output, and what is fused after it.
struct GraphNode {
    var op: GraphOp
    var inputs: [ValueID]
    var output: ValueID
    /// Applied last.
    var activation: Activation = .none
    /// Convolutions only: a value added to the result before the activation; it may have fewer
    /// channels than the output (the missing ones count as zero).
    var residual: ValueID? = nil
}

/// A network as a list of operations on float32 tensors, in execution order. It names no file format:
/// loaders (e.g. the TFLite reader) build it with the methods of `Graph+Builder.swift`, which check
/// every shape and parameter and infer output shapes.
final class Graph {
    /// Shape of every value (NHWC for spatial tensors).
    private(set) var shapes: [[Int]] = []
    private(set) var names: [String] = []
    var nodes: [GraphNode] = []
    /// The one input value.
    private(set) var input: ValueID = 0
    /// The outputs, in order.
    var outputs: [ValueID] = []

    /// Largest element count accepted for one value.
    static let maxElements = 1 << 25

    init(inputShape: [Int], inputName: String = "input") throws {
        input = try addValue(shape: inputShape, name: inputName)
    }

    func addValue(shape: [Int], name: String) throws -> ValueID {
        _ = try Graph.elementCount(shape)
        shapes.append(shape)
        names.append(name)
        return shapes.count - 1
    }

    /// Product of the dimensions, checked against `maxElements` (and negative dimensions).
    static func elementCount(_ shape: [Int]) throws -> Int {
        var n = 1
        for d in shape {
            guard d >= 0 else { throw GraphError("shape \(shape) has a negative dimension") }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            guard !o, p <= maxElements else {
                throw GraphError("shape \(shape) has more than \(maxElements) elements")
            }
            n = p
        }
        return n
    }

    func count(_ v: ValueID) -> Int { shapes[v].reduce(1, *) }

    /// Indices of the nodes that read `v` (as input or residual).
    func consumers(of v: ValueID) -> [Int] {
        nodes.indices.filter { nodes[$0].inputs.contains(v) || nodes[$0].residual == v }
    }
}
