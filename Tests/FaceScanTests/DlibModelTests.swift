import Foundation
import Testing
@testable import FaceScan

/// dlib's model files: parsed exactly as ../shared/docs/models.md §5 describes them, the ResNet's engine
/// graph equal to a direct scalar NCHW forward pass of the parsed layers, and the pieces of the lowering
/// (filter transposition, affine folding, dlib's zero-padded add, the fully connected layer) against
/// scalar references.
///
/// Serialized: each case holds copies of a 22 MB model, and many at once would swell the process's
/// memory while VideoReaderTests measures that it stays flat.
@Suite("dlib models: parsing and the ResNet graph", .serialized)
struct DlibModelTests {
    static func bytes(_ model: ModelFile) throws -> [UInt8] {
        let url = NeuralNetTestSupport.model(model.name)
        try #require(FileManager.default.fileExists(atPath: url.path), "model \(url.path) is missing: run `facescan models fetch`")
        return [UInt8](try Data(contentsOf: url))
    }

    @Test("the ResNet parses to dlib's anet_type with 5,614,592 parameters")
    func resnet() throws {
        let m = try DlibResNetModel(bytes: try Self.bytes(.faceRecognitionResNet), file: "resnet")
        #expect(m.layers.count == 130)
        var convs = 0, affines = 0, relus = 0, adds = 0, avg = 0, maxp = 0, fcs = 0, tags = 0, skips = 0, params = 0
        for l in m.layers {
            switch l {
            case .convolution(let c): convs += 1; params += c.filters.count + c.biases.count
            case let .affine(g, b): affines += 1; params += g.count + b.count
            case .relu: relus += 1
            case .addPrevious: adds += 1
            case .averagePool: avg += 1
            case .maxPool: maxp += 1
            case let .fullyConnected(_, _, w): fcs += 1; params += w.count
            case .tag: tags += 1
            case .skip: skips += 1
            }
        }
        let counts: [Int] = [convs, affines, relus, adds, avg, maxp, fcs, tags, skips]
        #expect(counts == [29, 29, 29, 14, 5, 1, 1, 18, 4])
        #expect(params == 5_614_592)
        #expect(abs(m.mean.red - 122.782) < 1e-4 && abs(m.mean.green - 117.001) < 1e-4 && abs(m.mean.blue - 104.298) < 1e-4)
        #expect(abs(m.margin - 0.04) < 1e-7 && abs(m.distanceThreshold - 0.6) < 1e-7)
        let net = try NeuralNetwork(dlibResNet: m, name: "resnet", threads: 1, optimize: true, reuseBuffers: true)
        #expect(net.inputShape == [1, 150, 150, 3] && net.outputShapes == [[1, 1, 1, 128]])
        // After fusion: conv0 (+affine, relu) and max pool; 10 residual blocks of 2 convolutions (the second
        // adding the block input and applying relu); 2 down blocks whose sum fuses into their second
        // convolution (conv, conv+pooled residual, pool) and 2 with spatial zero padding (conv, conv, pad,
        // pool, add+relu); the global average pool and the fully connected layer.
        #expect(net.stepCount == 2 + 20 + 2 * 3 + 2 * 5 + 2)
    }

    @Test("the 5-point shape predictor parses: 15 levels × 500 depth-4 trees, 800 feature pixels a level")
    func shapePredictor() throws {
        let m = try DlibShapePredictorModel(bytes: try Self.bytes(.shapePredictor5), file: "sp5")
        #expect(m.parts == 5 && m.initialShape.count == 10)
        #expect(abs(m.initialShape[0] - 0.7762519717) < 1e-6)
        #expect(m.levels.count == 15)
        for level in m.levels {
            #expect(level.trees.count == 500 && level.anchors.count == 800 && level.deltas.count == 800)
            #expect(level.trees.allSatisfy { $0.splitCount == 15 } && level.leafValues.count == 500 * 16 * 10)
        }
    }

    /// dlib's forward pass written directly on NCHW tensors from the parsed layers (direct convolution
    /// with dlib's padding, affine, relu, pools, add_prev with zero padding, fc): the scalar reference.
    static func referenceForward(_ m: DlibResNetModel, chw input: [Float]) -> [Float] {
        struct T { var c: Int, h: Int, w: Int, v: [Float] }
        var x = T(c: 3, h: m.inputSize, w: m.inputSize, v: input)
        var tags: [Int: T] = [:]
        for layer in m.layers {
            switch layer {
            case .convolution(let p):
                let k = p.kernel, s = p.stride, pad = p.padding
                let oh = 1 + (x.h + 2 * pad - k) / s, ow = 1 + (x.w + 2 * pad - k) / s
                var out = [Float](repeating: 0, count: p.outChannels * oh * ow)
                for o in 0..<p.outChannels {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var acc = p.biases[o]
                            for i in 0..<p.inChannels {
                                for ky in 0..<k {
                                    let iy = oy * s - pad + ky
                                    if iy < 0 || iy >= x.h { continue }
                                    for kx in 0..<k {
                                        let ix = ox * s - pad + kx
                                        if ix < 0 || ix >= x.w { continue }
                                        acc += p.filters[((o * p.inChannels + i) * k + ky) * k + kx] * x.v[(i * x.h + iy) * x.w + ix]
                                    }
                                }
                            }
                            out[(o * oh + oy) * ow + ox] = acc
                        }
                    }
                }
                x = T(c: p.outChannels, h: oh, w: ow, v: out)
            case let .affine(g, b):
                for c in 0..<x.c { for j in 0..<(x.h * x.w) { x.v[c * x.h * x.w + j] = g[c] * x.v[c * x.h * x.w + j] + b[c] } }
            case .relu:
                x.v = x.v.map { max($0, 0) }
            case let .maxPool(win, s), let .averagePool(win, s):
                var isMax = false
                if case .maxPool = layer { isMax = true }
                let (kh, kw) = win == 0 ? (x.h, x.w) : (win, win)
                let oh = 1 + (x.h - kh) / s, ow = 1 + (x.w - kw) / s
                var out = [Float](repeating: 0, count: x.c * oh * ow)
                for c in 0..<x.c {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var acc: Float = isMax ? -.infinity : 0
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let v = x.v[(c * x.h + oy * s + ky) * x.w + ox * s + kx]
                                    acc = isMax ? max(acc, v) : acc + v
                                }
                            }
                            out[(c * oh + oy) * ow + ox] = isMax ? acc : acc / Float(kh * kw)
                        }
                    }
                }
                x = T(c: x.c, h: oh, w: ow, v: out)
            case .tag(let t):
                tags[t] = x
            case .skip(let t):
                x = tags[t]!
            case .addPrevious(let t):
                let y = tags[t]!
                var out = T(c: max(x.c, y.c), h: max(x.h, y.h), w: max(x.w, y.w), v: [])
                out.v = [Float](repeating: 0, count: out.c * out.h * out.w)
                for src in [x, y] {
                    for c in 0..<src.c {
                        for r in 0..<src.h {
                            for q in 0..<src.w { out.v[(c * out.h + r) * out.w + q] += src.v[(c * src.h + r) * src.w + q] }
                        }
                    }
                }
                x = out
            case let .fullyConnected(ni, no, w):
                var out = [Float](repeating: 0, count: no)
                for j in 0..<no { for i in 0..<ni { out[j] += x.v[i] * w[i * no + j] } }
                x = T(c: no, h: 1, w: 1, v: out)
            }
        }
        return x.v
    }

    @Test("the engine's graph (fused, folded, planned) equals a direct NCHW forward pass of dlib's layers")
    func graphEqualsReference() throws {
        let m = try DlibResNetModel(bytes: try Self.bytes(.faceRecognitionResNet), file: "resnet")
        let n = m.inputSize
        let hwc = NeuralNetTestSupport.xorshiftInput(count: n * n * 3, seed: 0x1234_5678).map { $0 * 0.5 }
        var chw = [Float](repeating: 0, count: hwc.count)
        for y in 0..<n { for x in 0..<n { for c in 0..<3 { chw[(c * n + y) * n + x] = hwc[(y * n + x) * 3 + c] } } }
        let expected = Self.referenceForward(m, chw: chw)
        for optimize in [true, false] {
            let net = try NeuralNetwork(dlibResNet: m, name: "resnet", threads: 2, optimize: optimize, reuseBuffers: optimize)
            let out = try net.run(hwc)[0]
            let d = FaceDescriptor.distance(out, expected)
            #expect(d < 1e-4, "optimize \(optimize): distance \(d) from the scalar NCHW reference")
        }
    }

    @Test("dlib's add_prev lowering: zero-padded sums of every mismatch (channels, 3×3 vs 4×4, 1×1 vs 2×2)",
          arguments: [([5, 5, 8], [5, 5, 3]), ([3, 3, 6], [4, 4, 4]), ([1, 1, 5], [2, 2, 5]), ([2, 3, 4], [3, 2, 7])])
    func addZeroPadded(_ shapes: ([Int], [Int])) throws {
        let (sa, sb) = shapes
        // Both operands are VALID convolutions of one input, their kernels sized to give shapes sa and sb.
        let h = max(sa[0], sb[0]), w = max(sa[1], sb[1])
        let cin = 3
        let g = try Graph(inputShape: [1, h, w, cin])
        func operand(_ s: [Int], seed: UInt32) throws -> (ValueID, [Float], Int, Int) {
            let kh = h - s[0] + 1, kw = w - s[1] + 1
            let weights = NeuralNetTestSupport.noise(s[2] * kh * kw * cin, seed: seed)
            let v = try g.conv2D(g.input, weights: weights, weightShape: [s[2], kh, kw, cin], bias: nil, strideH: 1,
                                 strideW: 1, padding: .valid)
            return (v, weights, kh, kw)
        }
        let (a, wa, kha, kwa) = try operand(sa, seed: 3)
        let (b, wb, khb, kwb) = try operand(sb, seed: 4)
        g.outputs = [try DlibResNetGraphBuilder.addZeroPadded(g, a, b, name: "add")]
        let input = NeuralNetTestSupport.noise(h * w * cin, seed: 9)
        func conv(_ s: [Int], _ wts: [Float], _ kh: Int, _ kw: Int, _ y: Int, _ x: Int, _ o: Int) -> Float {
            var acc: Float = 0
            for ky in 0..<kh { for kx in 0..<kw { for c in 0..<cin {
                acc = acc.addingProduct(input[((y + ky) * w + x + kx) * cin + c], wts[((o * kh + ky) * kw + kx) * cin + c])
            } } }
            return acc
        }
        let oh = max(sa[0], sb[0]), ow = max(sa[1], sb[1]), oc = max(sa[2], sb[2])
        var expected = [Float](repeating: 0, count: oh * ow * oc)
        for y in 0..<oh { for x in 0..<ow { for c in 0..<oc {
            var v: Float = 0
            if y < sa[0], x < sa[1], c < sa[2] { v += conv(sa, wa, kha, kwa, y, x, c) }
            if y < sb[0], x < sb[1], c < sb[2] { v += conv(sb, wb, khb, kwb, y, x, c) }
            expected[(y * ow + x) * oc + c] = v
        } } }
        for optimize in [true, false] {
            let net = try NeuralNetwork(graph: g, outputNames: ["sum"], name: "add", threads: 1, optimize: optimize,
                                        reuseBuffers: true)
            #expect(net.outputShapes == [[1, oh, ow, oc]])
            let out = try net.run(input)[0]
            let err = zip(out, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(err < 1e-5, "\(sa) ⊕ \(sb), optimize \(optimize): max |Δ| \(err)")
        }
    }

    @Test("NCHW filters [O, I, kh, kw] become OHWI [O, kh, kw, I]")
    func filterTransposition() {
        let c = DlibResNetModel.Convolution(outChannels: 2, inChannels: 3, kernel: 2, stride: 1, padding: 0,
                                            filters: (0..<24).map(Float.init), biases: [0, 0])
        let w = DlibResNetGraphBuilder.ohwi(c)
        for o in 0..<2 { for i in 0..<3 { for y in 0..<2 { for x in 0..<2 {
            #expect(w[((o * 2 + y) * 2 + x) * 3 + i] == Float(((o * 3 + i) * 2 + y) * 2 + x))
        } } } }
    }
}
