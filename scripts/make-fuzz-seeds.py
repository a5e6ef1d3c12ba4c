#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses (Fuzz/*.swift) into Fuzz/Corpus/<harness>/.

The seeds are small valid inputs, crafted here from the formats the readers expect, so that the
fuzzers start from inputs that reach deep into each parser:

- tflite: small TFLite models (FlatBuffers, identifier "TFL3") that load, together covering every
  supported operator, both buffer forms (inline data and external offset/size), FLOAT16 weights with
  DEQUANTIZE and CSR-sparse weights with DENSIFY;
- dlib: small shape predictors that load and the head of a face recognition ResNet file (loss layer,
  all wrapper versions, input layer, the first layers with their parameters);
- torch: PyTorch legacy checkpoints (torch.save's pickles and raw storages): a P-Net-shaped state dict
  with synthetic weights, and a one-tensor one;
- token: NextTokens signed with the harness's key, and token bodies (the harness signs its input);
- json: JSON documents like the stored result items, with escapes, surrogates and numbers;
- arguments: command lines (one argument per line) from the commands' examples.

Usage: scripts/make-fuzz-seeds.py [OUTPUT_DIR]   (default: Fuzz/Corpus next to this script)
Deterministic: running it again rewrites the same bytes.
"""
import hashlib
import hmac
import os
import struct
import sys

# --------------------------------------------------------------------------------------------------
# A minimal FlatBuffers writer. Children are written after their parents (uoffset_t is unsigned and
# relative to the referencing field), each table's vtable just before the table.


class Table:
    def __init__(self, **fields):
        # name -> (field id, kind, value); kinds: u8 i8 bool i32 u32 u64 table tables i32s u16s u8s str
        self.fields = fields


def field(fid, kind, value):
    return (fid, kind, value)


SCALAR = {"u8": ("<B", 1), "i8": ("<b", 1), "bool": ("<B", 1), "i32": ("<i", 4), "u32": ("<I", 4),
          "u64": ("<Q", 8)}


class Builder:
    def __init__(self, identifier):
        self.buf = bytearray(b"\0\0\0\0" + identifier)
        self.marks = {}  # name -> absolute position of a scalar field (for patching)

    def align(self, n):
        while len(self.buf) % n:
            self.buf.append(0)

    def finish(self, root):
        pos = self.table(root)
        struct.pack_into("<I", self.buf, 0, pos)
        return self.buf

    def patch_u64(self, mark, value):
        struct.pack_into("<Q", self.buf, self.marks[mark], value)

    def table(self, t):
        items = sorted(t.fields.items(), key=lambda kv: kv[1][0])
        nfields = (max(v[0] for _, v in items) + 1) if items else 0
        layout, off = [], 4
        for name, (fid, kind, value) in items:
            size = SCALAR[kind][1] if kind in SCALAR else 4
            while off % size:
                off += 1
            layout.append((name, fid, kind, value, off))
            off += size
        while off % 4:
            off += 1
        vt_len = 4 + 2 * nfields
        self.align(4)
        while (len(self.buf) + vt_len) % 8:
            self.buf += b"\0\0"
        vt = len(self.buf)
        entries = [0] * nfields
        for _, fid, _, _, o in layout:
            entries[fid] = o
        self.buf += struct.pack("<HH", vt_len, off) + b"".join(struct.pack("<H", e) for e in entries)
        pos = len(self.buf)
        self.buf += struct.pack("<i", pos - vt) + bytes(off - 4)
        refs = []
        for name, fid, kind, value, o in layout:
            if kind in SCALAR:
                struct.pack_into(SCALAR[kind][0], self.buf, pos + o, int(value))
                self.marks[name] = pos + o
            else:
                refs.append((pos + o, kind, value))
        for at, kind, value in refs:
            child = self.child(kind, value)
            struct.pack_into("<I", self.buf, at, child - at)
        return pos

    def vector(self, count, data, align=4):
        self.align(4)
        while (len(self.buf) + 4) % align:
            self.buf += b"\0"
        pos = len(self.buf)
        self.buf += struct.pack("<I", count) + data
        return pos

    def child(self, kind, value):
        if kind == "table":
            return self.table(value)
        if kind == "i32s":
            return self.vector(len(value), b"".join(struct.pack("<i", v) for v in value))
        if kind == "u16s":
            return self.vector(len(value), b"".join(struct.pack("<H", v) for v in value))
        if kind == "u8s":
            return self.vector(len(value), bytes(value), align=16)
        if kind == "str":
            b = value.encode()
            return self.vector(len(b), b + b"\0")
        if kind == "tables":
            pos = self.vector(len(value), bytes(4 * len(value)))
            for i, t in enumerate(value):
                at = pos + 4 + 4 * i
                struct.pack_into("<I", self.buf, at, self.table(t) - at)
            return pos
        raise ValueError(kind)


# --------------------------------------------------------------------------------------------------
# TFLite models (schema field indices as in Sources/FaceScan/NeuralNet/TFLite/TFLiteSchema.swift).

FLOAT32, FLOAT16, INT32 = 0, 1, 2
OP = {"ADD": 0, "AVERAGE_POOL_2D": 1, "CONCATENATION": 2, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 4,
      "DEPTH_TO_SPACE": 5, "DEQUANTIZE": 6, "MAX_POOL_2D": 17, "RELU": 19, "RELU6": 21, "RESHAPE": 22,
      "RESIZE_BILINEAR": 23, "PAD": 34, "PRELU": 54, "DENSIFY": 124, "CUSTOM": 32}
OPTIONS = {"conv": 1, "depthwise": 2, "pool": 5, "concat": 10, "add": 11, "resize": 15, "reshape": 17,
           "pad": 22, "d2s": 94}


def f32(values):
    return b"".join(struct.pack("<f", v) for v in values)


def f16(values):
    return b"".join(struct.pack("<e", v) for v in values)


def i32(values):
    return b"".join(struct.pack("<i", v) for v in values)


class Model:
    """Tensors, buffers and operators of one subgraph, then the FlatBuffer."""

    def __init__(self):
        self.buffers = [None]  # buffer 0: empty (TFLite convention); entries: bytes, "external:<bytes>" or None
        self.tensors = []
        self.ops = []
        self.codes = []

    def tensor(self, name, shape, type=FLOAT32, data=None, external=False, sparsity=None):
        b = 0
        if data is not None:
            self.buffers.append(("external", data) if external else ("inline", data))
            b = len(self.buffers) - 1
        fields = dict(shape=field(0, "i32s", shape), type=field(1, "i8", type), buffer=field(2, "u32", b),
                      name=field(3, "str", name))
        if sparsity is not None:
            fields["sparsity"] = field(6, "table", sparsity)
        self.tensors.append(Table(**fields))
        return len(self.tensors) - 1

    def op(self, name, inputs, outputs, options=None, custom=None):
        key = (OP[name], custom)
        if key not in self.codes:
            self.codes.append(key)
        fields = dict(opcode=field(0, "u32", self.codes.index(key)), inputs=field(1, "i32s", inputs),
                      outputs=field(2, "i32s", outputs))
        if options is not None:
            kind, opts = options
            fields["otype"] = field(3, "u8", OPTIONS[kind])
            fields["options"] = field(4, "table", Table(**{f"f{i}": field(i, k, v) for i, (k, v) in opts.items()}))
        self.ops.append(Table(**fields))

    def build(self, inputs, outputs):
        codes = []
        for code, custom in self.codes:
            f = dict(deprecated=field(0, "i8", min(code, 127)), version=field(2, "i32", 1),
                     builtin=field(3, "i32", code))
            if custom:
                f["custom"] = field(1, "str", custom)
            codes.append(Table(**f))
        buffers, external = [], []
        for i, b in enumerate(self.buffers):
            if b is None:
                buffers.append(Table())
            elif b[0] == "inline":
                buffers.append(Table(data=field(0, "u8s", b[1])))
            else:  # data after the FlatBuffer; the offset is patched once the FlatBuffer is written
                buffers.append(Table(**{f"offset{i}": field(1, "u64", 2), f"size{i}": field(2, "u64", len(b[1]))}))
                external.append((i, b[1]))
        subgraph = Table(tensors=field(0, "tables", self.tensors), inputs=field(1, "i32s", inputs),
                         outputs=field(2, "i32s", outputs), operators=field(3, "tables", self.ops),
                         name=field(4, "str", "main"))
        model = Table(version=field(0, "u32", 3), codes=field(1, "tables", codes),
                      subgraphs=field(2, "tables", [subgraph]), description=field(3, "str", "facescan fuzz seed"),
                      buffers=field(4, "tables", buffers))
        b = Builder(b"TFL3")
        b.finish(model)
        for i, data in external:
            b.align(16)
            b.patch_u64(f"offset{i}", len(b.buf))
            b.buf += data
        return bytes(b.buf)


def ramp(n, scale=0.1):
    return [((i * 7) % 11 - 5) * scale for i in range(n)]


def model_conv():
    """CONV_2D (weights inline, bias external) with fused RELU, then a 1×1 CONV_2D with RELU6."""
    m = Model()
    x = m.tensor("input", [1, 4, 4, 3])
    w = m.tensor("conv/w", [2, 3, 3, 3], data=f32(ramp(54)))
    b = m.tensor("conv/b", [2], data=f32([0.5, -0.25]), external=True)
    y = m.tensor("conv", [1, 4, 4, 2])
    m.op("CONV_2D", [x, w, b], [y], ("conv", {0: ("u8", 0), 1: ("i32", 1), 2: ("i32", 1), 3: ("i8", 1)}))
    w2 = m.tensor("conv2/w", [3, 1, 1, 2], data=f32(ramp(6)))
    z = m.tensor("output", [1, 2, 2, 3])
    m.op("CONV_2D", [y, w2, -1], [z], ("conv", {0: ("u8", 1), 1: ("i32", 2), 2: ("i32", 2), 3: ("i8", 3)}))
    return m.build([x], [z])


def model_depthwise():
    """DEPTHWISE_CONV_2D, ADD with the input, RELU6, PRELU, RELU; two outputs."""
    m = Model()
    x = m.tensor("input", [1, 4, 4, 2])
    w = m.tensor("dw/w", [1, 3, 3, 2], data=f32(ramp(18)))
    b = m.tensor("dw/b", [2], data=f32([0.1, 0.2]))
    y = m.tensor("dw", [1, 4, 4, 2])
    m.op("DEPTHWISE_CONV_2D", [x, w, b], [y],
         ("depthwise", {0: ("u8", 0), 1: ("i32", 1), 2: ("i32", 1), 3: ("i32", 1), 4: ("i8", 0)}))
    s = m.tensor("add", [1, 4, 4, 2])
    m.op("ADD", [y, x], [s], ("add", {0: ("i8", 0)}))
    r = m.tensor("relu6", [1, 4, 4, 2])
    m.op("RELU6", [s], [r])
    a = m.tensor("prelu/alpha", [1, 1, 2], data=f32([0.25, 0.5]))
    p = m.tensor("prelu", [1, 4, 4, 2])
    m.op("PRELU", [r, a], [p])
    q = m.tensor("relu", [1, 4, 4, 2])
    m.op("RELU", [p], [q])
    return m.build([x], [q, r])


def model_layout():
    """MAX_POOL_2D and AVERAGE_POOL_2D, CONCATENATION, PAD, RESHAPE."""
    m = Model()
    x = m.tensor("input", [1, 4, 4, 2])
    mp = m.tensor("maxpool", [1, 2, 2, 2])
    m.op("MAX_POOL_2D", [x], [mp],
         ("pool", {0: ("u8", 1), 1: ("i32", 2), 2: ("i32", 2), 3: ("i32", 2), 4: ("i32", 2), 5: ("i8", 0)}))
    ap = m.tensor("avgpool", [1, 2, 2, 2])
    m.op("AVERAGE_POOL_2D", [x], [ap],
         ("pool", {0: ("u8", 0), 1: ("i32", 2), 2: ("i32", 2), 3: ("i32", 3), 4: ("i32", 3), 5: ("i8", 1)}))
    c = m.tensor("concat", [1, 2, 2, 4])
    m.op("CONCATENATION", [mp, ap], [c], ("concat", {0: ("i32", 3), 1: ("i8", 0)}))
    pads = m.tensor("pad/paddings", [4, 2], type=INT32, data=i32([0, 0, 1, 1, 1, 1, 0, 0]))
    p = m.tensor("pad", [1, 4, 4, 4])
    m.op("PAD", [c, pads], [p], ("pad", {}))
    shape = m.tensor("reshape/shape", [2], type=INT32, data=i32([1, 64]))
    r = m.tensor("output", [1, 64])
    m.op("RESHAPE", [p, shape], [r], ("reshape", {0: ("i32s", [1, 64])}))
    return m.build([x], [r])


def model_resize():
    """DEPTH_TO_SPACE, RESIZE_BILINEAR, DEQUANTIZE of FLOAT16 weights into a 1×1 CONV_2D."""
    m = Model()
    x = m.tensor("input", [1, 2, 2, 4])
    d = m.tensor("d2s", [1, 4, 4, 1])
    m.op("DEPTH_TO_SPACE", [x], [d], ("d2s", {0: ("i32", 2)}))
    size = m.tensor("resize/size", [2], type=INT32, data=i32([6, 6]))
    r = m.tensor("resize", [1, 6, 6, 1])
    m.op("RESIZE_BILINEAR", [d, size], [r], ("resize", {2: ("bool", 0), 3: ("bool", 1)}))
    h = m.tensor("conv/w16", [2, 1, 1, 1], type=FLOAT16, data=f16([0.5, -1.5]))
    w = m.tensor("conv/w", [2, 1, 1, 1])
    m.op("DEQUANTIZE", [h], [w])
    y = m.tensor("output", [1, 6, 6, 2])
    m.op("CONV_2D", [r, w], [y], ("conv", {0: ("u8", 0), 1: ("i32", 1), 2: ("i32", 1), 3: ("i8", 0)}))
    return m.build([x], [y])


def model_sparse():
    """DENSIFY of CSR-sparse weights (dense, dense, dense, sparse with uint8 and uint16 index vectors)."""
    m = Model()
    x = m.tensor("input", [1, 2, 2, 3])

    def dense(n):
        return Table(format=field(0, "u8", 0), size=field(1, "i32", n))

    def index_vector(kind, values):
        width = {1: "i32s", 2: "u16s", 3: "u8s"}[kind]
        return Table(values=field(0, width, values))

    csr = Table(format=field(0, "u8", 1), segtype=field(2, "u8", 2), segments=field(3, "table", index_vector(2, [0, 2, 3])),
                idxtype=field(4, "u8", 3), indices=field(5, "table", index_vector(3, [0, 2, 1])))
    sparsity = Table(order=field(0, "i32s", [0, 1, 2, 3]),
                     meta=field(2, "tables", [dense(2), dense(1), dense(1), csr]))
    w = m.tensor("conv/w_sparse", [2, 1, 1, 3], data=f32([1.0, -2.0, 0.5]), sparsity=sparsity)
    wd = m.tensor("conv/w", [2, 1, 1, 3])
    m.op("DENSIFY", [w], [wd])
    y = m.tensor("output", [1, 2, 2, 2])
    m.op("CONV_2D", [x, wd], [y], ("conv", {0: ("u8", 1), 1: ("i32", 1), 2: ("i32", 1), 3: ("i8", 0)}))
    return m.build([x], [y])


def model_custom():
    """A custom operator (an error the reader names)."""
    m = Model()
    x = m.tensor("input", [1, 2, 2, 1])
    y = m.tensor("output", [1, 2, 2, 1])
    m.op("CUSTOM", [x], [y], custom="Convolution2DTransposeBias")
    return m.build([x], [y])


# --------------------------------------------------------------------------------------------------
# dlib serialization (Sources/FaceScan/NeuralNet/Dlib/DlibReader.swift).


def pack(v):
    """dlib's pack_int: control byte (byte count | 0x80 when negative), then the magnitude LE."""
    neg = 0x80 if v < 0 else 0
    v = abs(v)
    b = bytearray()
    while True:
        b.append(v & 0xFF)
        v >>= 8
        if v == 0:
            break
    return bytes([len(b) | neg]) + bytes(b)


def dfloat(v):
    """dlib's portable float: mantissa and exponent, value = mantissa · 2^exponent."""
    if v == 0:
        return pack(0) + pack(0)
    e = 0
    while v != int(v) and e > -60:
        v *= 2
        e -= 1
    return pack(int(v)) + pack(e)


def dstring(s):
    return pack(len(s)) + s.encode()


def column(values):
    return pack(-len(values)) + pack(-1) + b"".join(dfloat(v) for v in values)


def shape_predictor(parts, levels):
    """levels: list of (trees, features); each tree has `splits` splits (2^d − 1)."""
    out = pack(1) + column([(i % 4) * 0.25 for i in range(2 * parts)])
    out += pack(len(levels))
    for trees, features in levels:
        out += pack(len(trees))
        for t, splits in enumerate(trees):
            out += pack(splits)
            for s in range(splits):
                out += pack((s + t) % features) + pack((s * 3 + 1) % features) + dfloat(((s % 5) - 2) * 8.0)
            out += pack(splits + 1)
            for k in range(splits + 1):
                out += column([((k + j) % 3 - 1) * 0.0078125 for j in range(2 * parts)])
    out += pack(len(levels))
    for _, features in levels:
        out += pack(features) + b"".join(pack(i % parts) for i in range(features))
    out += pack(len(levels))
    for _, features in levels:
        out += pack(features) + b"".join(dfloat((i % 3 - 1) * 0.125) + dfloat(0.0625) for i in range(features))
    return out


def resnet_architecture():
    """DlibResNetModel.architecture: (kind, parameters), input side first."""
    a = [("conv", 32, 7, 2), ("affine",), ("relu",), ("maxpool", 3, 2)]

    def block(n, s):
        return [("conv", n, 3, s), ("affine",), ("relu",), ("conv", n, 3, 1), ("affine",)]

    def ares(n):
        return [("tag", 1)] + block(n, 1) + [("addprev", 1), ("relu",)]

    def ares_down(n):
        return [("tag", 1)] + block(n, 2) + [("tag", 2), ("skip", 1), ("avgpool", 2, 2), ("addprev", 2), ("relu",)]

    for _ in range(3):
        a += ares(32)
    a += ares_down(64)
    for _ in range(3):
        a += ares(64)
    a += ares_down(128)
    for _ in range(2):
        a += ares(128)
    a += ares_down(256)
    for _ in range(2):
        a += ares(256)
    a += ares_down(256)
    a += [("avgpool_everything",), ("fc", 128)]
    return a


def empty_tensor():
    return pack(2) + pack(0) * 4


def resnet_head(layers):
    """The file up to and including the first `layers` layers of the architecture."""
    arch = resnet_architecture()
    out = pack(1) + dstring("loss_metric_2") + dfloat(0.04) + dfloat(0.6)
    for i in reversed(range(len(arch))):
        out += pack(1 if arch[i][0] in ("tag", "skip") else 3 if i == 0 else 2)
    out += dstring("input_rgb_image_sized") + dfloat(122.782) + dfloat(117.001) + dfloat(104.298)
    out += pack(150) + pack(150)
    channels = 3
    for i, w in enumerate(arch[:layers]):
        kind = w[0]
        if kind == "tag":
            continue
        if kind == "conv":
            _, n, k, s = w
            count = n * channels * k * k + n
            out += dstring("con_4") + pack(2) + pack(count) + pack(1) + pack(1) + pack(1)
            out += f32([((j * 13) % 17 - 8) * 0.01 for j in range(count)])
            pad = k // 2 if s == 1 else 0
            out += pack(n) + pack(k) + pack(k) + pack(s) + pack(s) + pack(pad) + pack(pad)
            out += pack(1) + pack(n) + pack(channels) + pack(k) + pack(k)
            out += pack(1) + pack(1) + pack(n) + pack(1) + pack(1)
            out += b"".join(dfloat(v) for v in (1, 1, 1, 0))
            channels = n
        elif kind == "affine":
            out += dstring("affine_") + pack(2) + pack(2 * channels) + pack(1) + pack(1) + pack(1)
            out += f32([1.0] * channels + [0.0] * channels)
            out += pack(1) + pack(1) + pack(channels) + pack(1) + pack(1)
            out += pack(1) + pack(1) + pack(channels) + pack(1) + pack(1)
            out += pack(0)
        elif kind == "relu":
            out += dstring("relu_")
        elif kind == "maxpool":
            _, win, s = w
            out += dstring("max_pool_2") + pack(win) + pack(win) + pack(s) + pack(s) + pack(0) + pack(0)
        else:
            raise ValueError(kind)
        out += b"000" + empty_tensor() + empty_tensor()
        out += (empty_tensor() + pack(1)) if i == 0 else empty_tensor()
    return out


# --------------------------------------------------------------------------------------------------
# NextTokens (Sources/FaceScan/Jobs/PaginationToken.swift), signed with TokenFuzz.swift's key.

TOKEN_KEY = b"facescan fuzz key: 32 bytes long"


# PyTorch's legacy torch.save format (Sources/FaceScan/NeuralNet/PyTorch/TorchCheckpoint.swift): pickles
# written opcode by opcode (no torch needed), then the raw float32 storages.
def p_str(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def p_int(i):
    return b"K" + bytes([i]) if i < 256 else b"M" + struct.pack("<H", i) if i < 65536 else b"J" + struct.pack("<i", i)


def p_tuple(items):
    return b"(" + b"".join(p_int(i) for i in items) + b"t"


def torch_checkpoint(tensors):
    """tensors: [(name, shape)], values a ramp; contiguous, one storage each."""
    magic = b"\x80\x02\x8a\x0a" + bytes([0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]) + b"."
    version = b"\x80\x02M\xe9\x03."
    info = b"\x80\x02}(" + p_str("protocol_version") + b"M\xe9\x03" + p_str("little_endian") + b"\x88u."
    state = b"\x80\x02ccollections\nOrderedDict\n)R("
    keys, data = [], b""
    for i, (name, shape) in enumerate(tensors):
        n = 1
        for d in shape:
            n *= d
        strides = [1] * len(shape)
        for d in range(len(shape) - 2, -1, -1):
            strides[d] = strides[d + 1] * shape[d + 1]
        key = str(1000 + i)
        keys.append(key)
        state += (p_str(name) + b"ctorch._utils\n_rebuild_tensor_v2\n(" + b"(" + p_str("storage") + b"ctorch\nFloatStorage\n"
                  + p_str(key) + p_str("cpu") + p_int(n) + b"NtQ" + p_int(0) + p_tuple(shape) + p_tuple(strides)
                  + b"\x89ccollections\nOrderedDict\n)RtR")
        data += struct.pack("<q", n) + f32(ramp(n, 0.01))
    state += b"u}(" + p_str("_metadata") + b"}ub."
    key_list = b"\x80\x02](" + b"".join(p_str(k) for k in keys) + b"e."
    return magic + version + info + state + key_list + data


PNET = [("conv1.weight", [10, 3, 3, 3]), ("conv1.bias", [10]), ("prelu1.weight", [10]),
        ("conv2.weight", [16, 10, 3, 3]), ("conv2.bias", [16]), ("prelu2.weight", [16]),
        ("conv3.weight", [32, 16, 3, 3]), ("conv3.bias", [32]), ("prelu3.weight", [32]),
        ("conv4_1.weight", [2, 32, 1, 1]), ("conv4_1.bias", [2]), ("conv4_2.weight", [4, 32, 1, 1]), ("conv4_2.bias", [4])]


def token_body(job_id, order, position):
    i = job_id.encode()
    return bytes([1, order]) + struct.pack(">I", position) + bytes([len(i)]) + i


def b64url(b):
    import base64
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def token(job_id, order, position):
    body = token_body(job_id, order, position)
    return b64url(body + hmac.new(TOKEN_KEY, body, hashlib.sha256).digest()[:16])


# --------------------------------------------------------------------------------------------------

JSON_SEEDS = {
    "item": b'{"Timestamp":0,"Face":{"BoundingBox":{"Width":0.25,"Height":0.3125,"Left":0.375,"Top":0.1},'
            b'"Landmarks":[{"Type":"eyeLeft","X":0.4,"Y":0.2}],"Pose":{"Roll":-1.5e-05,"Yaw":12,"Pitch":3.25},'
            b'"Confidence":99.99,"Quality":{"Brightness":50,"Sharpness":100}}}',
    "escapes": b'["a\\"b\\\\c\\/d\\n\\r\\t\\b\\f", "\\u00e9\\u0000\\u001f", "\\ud83d\\ude00", "caf\xc3\xa9 \xf0\x9f\x98\x80"]',
    "numbers": b'[0, -0, 1, -1, 9223372036854775807, -9223372036854775808, 9223372036854775808, 1.5, -2.5e10,'
               b' 1E-5, 3e+2, 0.1]',
    "nested": b' {"a" : [ { "b" : [ [ ] , { } , null , true , false ] } ] , "": "" } \n',
    "page": b'{"JobStatus":"SUCCEEDED","VideoMetadata":{"Codec":"h264","DurationMillis":2000,"Format":"QuickTime / MOV",'
            b'"FrameRate":25,"FrameHeight":480,"FrameWidth":640},"NextToken":"AQAAAAAGYWJjMTIz","Faces":[]}',
}

ARGUMENT_SEEDS = {
    "detect": ["detect", "--sample-rate", "1", "--start", "2", "--end", "4", "SampleVideos/face-zoom.mp4"],
    "detect-jsonl": ["--quiet", "detect", "--output=jsonl", "--max-results", "20", "clip.mp4"],
    "search": ["search", "--collection", "known/", "--max-results", "10", "--sort-by", "INDEX", "clip.mp4"],
    "search-image": ["search-faces-by-image", "--collection", "known/", "--max-faces", "3", "--quality-filter",
                     "AUTO", "visitor.jpg"],
    "compare": ["compare-faces", "--similarity-threshold", "80.5", "id-photo.jpg", "group.jpg", "-q"],
    "start": ["start-face-detection", "--job-tag", "nightly", "--notification-command", "jq -c . >> done.jsonl",
              "--client-request-token", "req-1", "--face-attributes", "ALL", "clip.mp4"],
    "get": ["get-face-detection", "--job-id", "abc_123", "--max-results", "10", "--next-token", "", "--"],
    "get-search": ["get-face-search", "--job-id=ID", "--sort-by", "TIMESTAMP", "--max-results=5"],
    "start-search": ["start-face-search", "--collection", "known/", "--face-match-threshold", "90", "--", "-clip.mp4"],
    "jobs": ["list-jobs"],
    "delete": ["delete-job", "--job-id", "ID"],
    "models": ["models", "fetch", "--force"],
    "probe": ["probe", "SampleVideos/face-zoom.mp4"],
    "help": ["help", "detect"],
    "man": ["help", "--man"],
    "version": ["-V"],
    "typo": ["detetc", "--sampel-rate", "5"],
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "Fuzz", "Corpus")
    seeds = {
        "tflite": {"conv": model_conv(), "depthwise": model_depthwise(), "layout": model_layout(),
                   "resize": model_resize(), "sparse": model_sparse(), "custom": model_custom()},
        "dlib": {"sp-1level": shape_predictor(2, [([1], 2)]),
                 "sp-2levels": shape_predictor(3, [([3, 1, 0], 5), ([7, 3], 6)]),
                 "resnet-head": resnet_head(4),
                 "resnet-header": resnet_head(0)},
        "torch": {"pnet": torch_checkpoint(PNET), "one-tensor": torch_checkpoint([("conv1.bias", [10])])},
        "token": {"token": token("abc123", 0, 0), "token-long": token("J" * 64, 1, 1000),
                  "body": token_body("job_1", 1, 4242), "body-empty-id": token_body("", 0, 0xFFFFFFFF)},
        "json": JSON_SEEDS,
        "arguments": {k: "\n".join(v).encode() for k, v in ARGUMENT_SEEDS.items()},
    }
    for harness, files in seeds.items():
        d = os.path.join(root, harness)
        os.makedirs(d, exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
    total = sum(len(v) for files in seeds.values() for v in files.values())
    print(f"wrote {sum(len(f) for f in seeds.values())} seeds ({total} bytes) under {os.path.normpath(root)}")


if __name__ == "__main__":
    main()
