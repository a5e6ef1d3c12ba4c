/// dlib's face recognition ResNet (`dlib_face_recognition_resnet_model_v1.dat`) parsed from its
/// serialization: the input layer's means and size, the loss parameters, and every computing layer in
/// execution order (input side first) with its parameters.
///
/// dlib's files carry no description of the network: the topology is the C++ type the file was written
/// from (`anet_type` in dlib's `examples/dnn_face_recognition_ex.cpp`; loss_metric → fc_no_bias 128 →
/// avg_pool_everything → 4 residual levels → max_pool → relu → affine → con 32 7×7 s2 → input 150×150).
/// The parser mirrors that type (`DlibResNetModel.architecture`) and checks every wrapper's version,
/// every layer's version string, every size, stride and padding against it, and that the file is read
/// to its last byte. See `../shared/docs/models.md` §5.2–5.3 for the layout.
struct DlibResNetModel {
    /// A convolution as dlib stores it: filters `[outChannels, inChannels, kernel, kernel]` (NCHW),
    /// one bias per output channel, padding `padding` on every side.
    struct Convolution {
        var outChannels: Int, inChannels: Int
        var kernel: Int, stride: Int, padding: Int
        var filters: [Float]
        var biases: [Float]
    }

    /// One computing layer, in execution order.
    enum Layer {
        case convolution(Convolution)
        /// Per-channel `gamma · x + beta` (dlib's affine_ in CONV_MODE).
        case affine(gamma: [Float], beta: [Float])
        case relu
        case maxPool(window: Int, stride: Int)
        /// `window` 0 means the whole input (avg_pool_everything).
        case averagePool(window: Int, stride: Int)
        /// dlib's add_prev: this layer's input plus the value remembered by tag `tag`, the sum having the
        /// largest size of each dimension with missing elements counting as zero.
        case addPrevious(tag: Int)
        /// Remembers the current value under `tag` (dlib's tagN; no computation).
        case tag(Int)
        /// Continues from the value remembered under `tag` (dlib's skipN; no computation).
        case skip(Int)
        /// A fully connected layer without bias: `out[j] = Σ_i in[i] · weights[i · outputs + j]`.
        case fullyConnected(inputs: Int, outputs: Int, weights: [Float])
    }

    /// Per-channel means subtracted from the input pixels (red, green, blue); pixels are then divided by 256.
    var mean: (red: Float, green: Float, blue: Float)
    /// The input side (150).
    var inputSize: Int
    /// The metric loss's margin and distance threshold (descriptors of one person are closer than the threshold).
    var margin: Float, distanceThreshold: Float
    /// Every layer, input side first, tags and skips included.
    var layers: [Layer]

    /// Parses and checks the file.
    /// - Throws: `ModelError` naming the offset and what is wrong.
    init(bytes: [UInt8], file: String) throws {
        var r = DlibReader(bytes: bytes, file: file)
        try r.expectInt(1, "add_loss_layer version")
        try r.expectString("loss_metric_2", "loss layer version")
        margin = try r.finiteFloat("loss margin")
        distanceThreshold = try r.finiteFloat("loss distance threshold")
        let arch = DlibResNetModel.architecture
        // Wrapper versions, from the output down to the input.
        for (i, w) in arch.enumerated().reversed() {
            let expected: Int
            switch w {
            case .tag, .skip: expected = 1
            default: expected = i == 0 ? 3 : 2
            }
            try r.expectInt(expected, "version of wrapper \(arch.count - i) (\(w.name)) counted from the output")
        }
        try r.expectString("input_rgb_image_sized", "input layer version")
        mean = (try r.finiteFloat("input mean red"), try r.finiteFloat("input mean green"), try r.finiteFloat("input mean blue"))
        let nr = try r.unsignedLong("input rows"), nc = try r.unsignedLong("input columns")
        guard nr == 150, nc == 150 else { throw r.error("input size is \(nr)×\(nc), expected 150×150") }
        inputSize = 150
        layers = []
        layers.reserveCapacity(arch.count)
        var channels = 3
        var tagChannels: [Int: Int] = [:]
        for (i, w) in arch.enumerated() {
            let layer = try DlibResNetModel.readLayer(&r, w, index: i, channels: &channels, tags: &tagChannels)
            layers.append(layer)
            switch w {
            case .tag, .skip: continue
            default: break
            }
            // The state every add_layer stores after its details (empty in trained files).
            _ = try r.bool("layer \(i) setup_called")
            _ = try r.bool("layer \(i) gradient_input_is_stale")
            _ = try r.bool("layer \(i) output_and_gradient_disabled")
            try r.skipTensor("layer \(i) x_grad")
            try r.skipTensor("layer \(i) cached_output")
            if i == 0 {
                try r.skipTensor("layer \(i) grad_final")
                let factor = try r.unsigned("layer \(i) sample_expansion_factor", typeSize: 4)
                guard factor == 1 else { throw r.error("sample_expansion_factor is \(factor), expected 1") }
            } else {
                try r.skipTensor("layer \(i) params_grad")
            }
        }
        try r.expectEnd("network")
    }

    /// What the C++ type says a wrapper is.
    enum Wrapper {
        case conv(filters: Int, kernel: Int, stride: Int)
        case affine, relu
        case maxPool(window: Int, stride: Int)
        case avgPool(window: Int, stride: Int)
        case avgPoolEverything
        case addPrev(tag: Int)
        case fcNoBias(outputs: Int)
        case tag(Int), skip(Int)

        var name: String {
            switch self {
            case .conv: return "con"
            case .affine: return "affine"
            case .relu: return "relu"
            case .maxPool: return "max_pool"
            case .avgPool, .avgPoolEverything: return "avg_pool"
            case .addPrev(let t): return "add_prev\(t)"
            case .fcNoBias: return "fc_no_bias"
            case .tag(let t): return "tag\(t)"
            case .skip(let t): return "skip\(t)"
            }
        }
    }

    /// `anet_type` of dlib's dnn_face_recognition_ex.cpp, input side first (130 wrappers: 108 layers,
    /// 18 tags, 4 skips).
    static let architecture: [Wrapper] = {
        var a: [Wrapper] = [.conv(filters: 32, kernel: 7, stride: 2), .affine, .relu, .maxPool(window: 3, stride: 2)]
        // block<N, stride> = affine<con<N,3,3,1,1, relu<affine<con<N,3,3,stride,stride, SUBNET>>>>>
        func block(_ n: Int, _ stride: Int) -> [Wrapper] {
            [.conv(filters: n, kernel: 3, stride: stride), .affine, .relu, .conv(filters: n, kernel: 3, stride: 1), .affine]
        }
        // ares<N> = relu<add_prev1<block<N,1,tag1<SUBNET>>>>
        func ares(_ n: Int) -> [Wrapper] { [.tag(1)] + block(n, 1) + [.addPrev(tag: 1), .relu] }
        // ares_down<N> = relu<add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,2,tag1<SUBNET>>>>>>>
        func aresDown(_ n: Int) -> [Wrapper] {
            [.tag(1)] + block(n, 2) + [.tag(2), .skip(1), .avgPool(window: 2, stride: 2), .addPrev(tag: 2), .relu]
        }
        for _ in 0..<3 { a += ares(32) }
        a += aresDown(64)
        for _ in 0..<3 { a += ares(64) }
        a += aresDown(128)
        for _ in 0..<2 { a += ares(128) }
        a += aresDown(256)
        for _ in 0..<2 { a += ares(256) }
        a += aresDown(256)
        a += [.avgPoolEverything, .fcNoBias(outputs: 128)]
        return a
    }()

    /// Reads the details of wrapper `w` (nothing for tags and skips); `channels` tracks the channel count
    /// of the current value and `tagChannels` the channel count each tag remembered.
    private static func readLayer(_ r: inout DlibReader, _ w: Wrapper, index i: Int, channels: inout Int,
                                  tags tagChannels: inout [Int: Int]) throws -> Layer {
        let at = "layer \(i) (\(w.name))"
        switch w {
        case .tag(let t):
            tagChannels[t] = channels
            return .tag(t)
        case .skip(let t):
            channels = tagChannels[t] ?? channels
            return .skip(t)
        case let .conv(n, k, stride):
            try r.expectString("con_4", "\(at) version")
            let params = try r.tensor("\(at) params")
            let filters = try r.long("\(at) num_filters")
            let kr = try r.long("\(at) nr"), kc = try r.long("\(at) nc")
            let sy = try r.int("\(at) stride_y"), sx = try r.int("\(at) stride_x")
            let py = try r.int("\(at) padding_y"), px = try r.int("\(at) padding_x")
            let padding = stride == 1 ? k / 2 : 0
            guard filters == n, kr == k, kc == k, sy == stride, sx == stride, py == padding, px == padding else {
                throw r.error("\(at): \(filters) filters \(kr)×\(kc) stride \(sy),\(sx) padding \(py),\(px); expected \(n) filters \(k)×\(k) stride \(stride) padding \(padding)")
            }
            let filterShape = try r.aliasTensor("\(at) filters")
            let biasShape = try r.aliasTensor("\(at) biases")
            guard filterShape == [n, channels, k, k], biasShape == [1, n, 1, 1] else {
                throw r.error("\(at): filter view \(filterShape) and bias view \(biasShape); expected \([n, channels, k, k]) and \([1, n, 1, 1])")
            }
            let weightCount = n * channels * k * k
            guard params.values.count == weightCount + n else {
                throw r.error("\(at): params hold \(params.values.count) floats, expected \(weightCount + n)")
            }
            try checkFinite(params.values, &r, at)
            for m in 0..<4 { _ = try r.double("\(at) learning-rate/decay multiplier \(m)") }
            let conv = Convolution(outChannels: n, inChannels: channels, kernel: k, stride: stride, padding: padding,
                                   filters: Array(params.values[0..<weightCount]),
                                   biases: Array(params.values[weightCount...]))
            channels = n
            return .convolution(conv)
        case .affine:
            try r.expectString("affine_", "\(at) version")
            let params = try r.tensor("\(at) params")
            let g = try r.aliasTensor("\(at) gamma"), b = try r.aliasTensor("\(at) beta")
            guard g == [1, channels, 1, 1], b == g, params.values.count == 2 * channels else {
                throw r.error("\(at): gamma view \(g), beta view \(b), \(params.values.count) params; expected \([1, channels, 1, 1]) and \(2 * channels) params")
            }
            try r.expectInt(0, "\(at) mode (0 = CONV_MODE)")
            try checkFinite(params.values, &r, at)
            return .affine(gamma: Array(params.values[0..<channels]), beta: Array(params.values[channels...]))
        case .relu:
            try r.expectString("relu_", "\(at) version")
            return .relu
        case let .maxPool(window, stride), let .avgPool(window, stride):
            let isMax: Bool
            if case .maxPool = w { isMax = true } else { isMax = false }
            try r.expectString(isMax ? "max_pool_2" : "avg_pool_2", "\(at) version")
            try readPool(&r, at, window: window, stride: stride)
            return isMax ? .maxPool(window: window, stride: stride) : .averagePool(window: window, stride: stride)
        case .avgPoolEverything:
            try r.expectString("avg_pool_2", "\(at) version")
            try readPool(&r, at, window: 0, stride: 1)
            return .averagePool(window: 0, stride: 1)
        case .addPrev(let tag):
            try r.expectString("add_prev_", "\(at) version")
            channels = max(channels, tagChannels[tag] ?? channels)
            return .addPrevious(tag: tag)
        case .fcNoBias(let outputs):
            try r.expectString("fc_2", "\(at) version")
            let no = try r.unsignedLong("\(at) num_outputs"), ni = try r.unsignedLong("\(at) num_inputs")
            guard no == outputs, ni == channels else {
                throw r.error("\(at): \(ni) inputs → \(no) outputs, expected \(channels) → \(outputs)")
            }
            let params = try r.tensor("\(at) params")
            let wShape = try r.aliasTensor("\(at) weights"), bShape = try r.aliasTensor("\(at) biases")
            guard params.values.count == ni * no, wShape == [ni, no, 1, 1], bShape == [0, 0, 0, 0] else {
                throw r.error("\(at): \(params.values.count) params, weight view \(wShape), bias view \(bShape); expected \(ni * no), \([ni, no, 1, 1]), none")
            }
            try r.expectInt(1, "\(at) bias mode (1 = FC_NO_BIAS)")
            try checkFinite(params.values, &r, at)
            for m in 0..<4 { _ = try r.double("\(at) learning-rate/decay multiplier \(m)") }
            channels = no
            return .fullyConnected(inputs: ni, outputs: no, weights: params.values)
        }
    }

    private static func readPool(_ r: inout DlibReader, _ at: String, window: Int, stride: Int) throws {
        let nr = try r.long("\(at) nr"), nc = try r.long("\(at) nc")
        let sy = try r.int("\(at) stride_y"), sx = try r.int("\(at) stride_x")
        let py = try r.int("\(at) padding_y"), px = try r.int("\(at) padding_x")
        guard nr == window, nc == window, sy == stride, sx == stride, py == 0, px == 0 else {
            throw r.error("\(at): window \(nr)×\(nc) stride \(sy),\(sx) padding \(py),\(px); expected \(window)×\(window) stride \(stride) padding 0")
        }
    }

    private static func checkFinite(_ values: [Float], _ r: inout DlibReader, _ at: String) throws {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw r.error("\(at): parameter \(i) is \(values[i]); finite values are required")
        }
    }
}
