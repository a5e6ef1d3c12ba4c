#!/usr/bin/env python3
"""Writes the LiteRT parity goldens used by Tests/FaceScanTests/NeuralNetParityTests.swift.

Needs: Python 3 with `ai-edge-litert`, `numpy` and `pillow` (pip install ai-edge-litert numpy pillow),
the five TFLite face models in the models directory ($FACESCAN_MODELS if set, else
${XDG_CACHE_HOME:-$HOME/.cache}/facescan/models), and the photo
/usr/share/doc/opencv-doc/examples/data/messi5.jpg (Debian package opencv-doc).

For every model it runs LiteRT (default resolver, i.e. XNNPACK, 1 thread) on two inputs:
  * "random": xorshift32 noise in [-1, 1) that the Swift tests regenerate (see `xorshift_input`);
  * "messi":  a square crop around the face in messi5.jpg resized with PIL (bilinear) to the model's
              input size, stored as raw uint8 RGB (crop_<size>.rgb) and normalised in float32 as
              x / 127.5 - 1 (detectors) or x / 255 (face_landmark, iris_landmark).
Outputs are stored as little-endian float32 <model>.<input>.<i>.bin with an index goldens.json
(model, sha256 of the model file, input, shapes, names, files, value ranges).

Usage: python3 scripts/make_goldens.py [output_dir]   (default Tests/FaceScanTests/Goldens)
"""
import hashlib
import json
import os
import sys

MODELS = [
    # (file, normalisation)
    ("face_detection_short_range.tflite", "x/127.5-1"),
    ("face_detection_full_range.tflite", "x/127.5-1"),
    ("face_detection_full_range_sparse.tflite", "x/127.5-1"),
    ("face_landmark.tflite", "x/255"),
    ("iris_landmark.tflite", "x/255"),
]
PHOTO = "/usr/share/doc/opencv-doc/examples/data/messi5.jpg"
# Messi's face (chin to hairline) spans about x 215-262, y 75-135 of the 548x342 photo; a square box around it.
FACE_BOX = (190, 58, 286, 154)
SEED = 0x2545F491


def models_dir():
    env = os.environ.get("FACESCAN_MODELS")
    if env:
        return env
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "facescan", "models")


def xorshift_input(count, seed):
    """xorshift32 (13, 17, 5); value = (state >> 8) * 2^-23 - 1, exact in float32."""
    import numpy as np
    out = np.empty(count, dtype=np.float32)
    x = seed & 0xFFFFFFFF
    for i in range(count):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = np.float32((x >> 8) * 2.0 ** -23 - 1.0)
    return out


def main():
    try:
        import numpy as np
        from PIL import Image
        from ai_edge_litert.interpreter import Interpreter
        import ai_edge_litert
    except ImportError as e:
        sys.exit(f"make_goldens.py needs ai-edge-litert, numpy and pillow ({e}); "
                 "install them with: pip install ai-edge-litert numpy pillow")
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "FaceScanTests", "Goldens")
    os.makedirs(out_dir, exist_ok=True)
    mdir = models_dir()
    if not os.path.isfile(PHOTO):
        sys.exit(f"missing {PHOTO} (Debian package opencv-doc)")
    photo = Image.open(PHOTO).convert("RGB")
    crop = photo.crop(FACE_BOX)

    entries = []
    for name, norm in MODELS:
        path = os.path.join(mdir, name)
        if not os.path.isfile(path):
            sys.exit(f"missing model {path}; set FACESCAN_MODELS or install the models there")
        sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
        interp = Interpreter(model_path=path, num_threads=1)
        interp.allocate_tensors()
        inp = interp.get_input_details()[0]
        shape = [int(d) for d in inp["shape"]]
        size = shape[1]
        rgb_file = f"crop_{size}.rgb"
        rgb = np.asarray(crop.resize((shape[2], shape[1]), Image.BILINEAR), dtype=np.uint8)
        rgb.tofile(os.path.join(out_dir, rgb_file))
        x = rgb.astype(np.float32).reshape(-1)
        if norm == "x/127.5-1":
            messi = x / np.float32(127.5) - np.float32(1)
        else:
            messi = x / np.float32(255)
        inputs = {"random": xorshift_input(int(np.prod(shape)), SEED), "messi": messi.astype(np.float32)}
        stem = name[:-len(".tflite")]
        for kind, data in inputs.items():
            interp.set_tensor(inp["index"], data.reshape(shape))
            interp.invoke()
            outputs = []
            for i, od in enumerate(interp.get_output_details()):
                y = np.asarray(interp.get_tensor(od["index"]), dtype="<f4")
                fname = f"{stem}.{kind}.{i}.bin"
                y.tofile(os.path.join(out_dir, fname))
                outputs.append({"name": od["name"], "shape": [int(d) for d in y.shape], "file": fname,
                                "min": float(y.min()), "max": float(y.max())})
            entry = {"model": name, "sha256": sha, "input": kind, "input_shape": shape, "outputs": outputs}
            if kind == "random":
                entry["seed"] = SEED
            else:
                entry["input_file"] = rgb_file
                entry["normalisation"] = norm
            entries.append(entry)
            print(f"{name} {kind}: " + ", ".join(f"{o['name']} {o['shape']}" for o in outputs))
    index = {"generator": "scripts/make_goldens.py", "litert": getattr(ai_edge_litert, "__version__", "unknown"),
             "photo": PHOTO, "face_box": FACE_BOX, "random": "xorshift32(13,17,5), (s >> 8) * 2^-23 - 1",
             "entries": entries}
    with open(os.path.join(out_dir, "goldens.json"), "w") as f:
        json.dump(index, f, indent=1)
    print("wrote", os.path.join(out_dir, "goldens.json"))


if __name__ == "__main__":
    main()
