#!/usr/bin/env python3
"""Writes the MTCNN parity goldens into Tests/FaceScanTests/Goldens/mtcnn/mtcnn_goldens.json, from the
reference runtime: PyTorch with facenet-pytorch 2.6.0 (the package whose pnet.pt, rnet.pt and onet.pt
facescan loads).

1. Each network alone, on a synthetic input the test rebuilds: element (c, y, x) of the NCHW input is
   float32(0.9 * sin(0.37 * y + 0.91 * x + 1.3 * c)). P-Net runs on 3x31x37, R-Net on 3x24x24, O-Net on
   3x48x48. Stored: every output (P-Net's face probability map and regression map in NHWC order, the
   others' vectors; probabilities are the softmax's face column).
2. The whole cascade, `MTCNN(keep_all=True).detect(image, landmarks=True)` with facenet-pytorch's
   defaults (min_face_size 20, thresholds 0.6/0.7/0.7, factor 0.709), on package-shipped photos
   decoded as facescan decodes them (ffmpeg + swscale, scripts/make_dlib_goldens.py's decode): Debian
   opencv-doc's messi5.jpg, scikit-image's astronaut.png (scripts/fetch-test-photos.sh), and "small":
   astronaut.png subsampled by 4, 6 and 8 (every k-th pixel of every k-th row, from the first) pasted
   with their top-left corners at (10, 60), (150, 20) and (240, 150) on a 320x240 canvas of grey 128:
   faces of about 20 to 40 pixels. Stored: boxes [x1, y1, x2, y2], probabilities and the five landmarks.

usage: python3 scripts/make_mtcnn_goldens.py   (needs torch, torchvision, facenet-pytorch==2.6.0, numpy,
       pillow and the ffmpeg CLI; e.g. Debian's python3-torch and python3-torchvision and
       `pip install --no-deps facenet-pytorch==2.6.0` in a venv with --system-site-packages)
"""
import hashlib
import json
import math
import os
import sys

import numpy as np
import torch
from facenet_pytorch import MTCNN
from facenet_pytorch.models.mtcnn import ONet, PNet, RNet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_images import decode  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "FaceScanTests", "Goldens", "mtcnn")
PHOTOS = os.environ.get("FACESCAN_TEST_PHOTOS") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "facescan", "test-photos")
OPENCV = "/usr/share/doc/opencv-doc/examples/data"


def synthetic(h, w):
    x = np.zeros((1, 3, h, w), np.float32)
    for c in range(3):
        for y in range(h):
            for xx in range(w):
                x[0, c, y, xx] = np.float32(0.9 * math.sin(0.37 * y + 0.91 * xx + 1.3 * c))
    return torch.from_numpy(x)


def floats(t):
    return [float(v) for v in np.asarray(t, np.float32).ravel()]


def small_canvas():
    astro = decode(os.path.join(PHOTOS, "astronaut.png"))
    canvas = np.full((240, 320, 3), 128, np.uint8)
    for k, x, y in ((4, 10, 60), (6, 150, 20), (8, 240, 150)):
        sub = astro[::k, ::k]
        canvas[y:y + sub.shape[0], x:x + sub.shape[1]] = sub
    return canvas


def main():
    torch.set_grad_enabled(False)
    nets = {"pnet": (PNet(), (31, 37)), "rnet": (RNet(), (24, 24)), "onet": (ONet(), (48, 48))}
    networks = {}
    for name, (net, (h, w)) in nets.items():
        net.eval()
        out = net(synthetic(h, w))
        if name == "pnet":
            reg, prob = out
            networks[name] = {"height": h, "width": w, "shape": list(prob.shape[2:]),
                              "probability": floats(prob[0, 1]),
                              "regression": floats(reg[0].permute(1, 2, 0))}
        elif name == "rnet":
            reg, prob = out
            networks[name] = {"height": h, "width": w, "probability": floats(prob[0, 1:]), "regression": floats(reg[0])}
        else:
            reg, marks, prob = out
            networks[name] = {"height": h, "width": w, "probability": floats(prob[0, 1:]), "regression": floats(reg[0]),
                              "landmarks": floats(marks[0])}
        print(f"{name}: outputs stored")

    mtcnn = MTCNN(keep_all=True, device="cpu")
    photos = []
    cases = [("messi5", lambda: decode(os.path.join(OPENCV, "messi5.jpg"))),
             ("astronaut", lambda: decode(os.path.join(PHOTOS, "astronaut.png"))),
             ("small", small_canvas)]
    for name, load in cases:
        img = load()
        boxes, probs, points = mtcnn.detect(img, landmarks=True)
        faces = []
        if boxes is not None:
            for b, p, pts in zip(boxes, probs, points):
                faces.append({"box": floats(b), "probability": float(p), "landmarks": [floats(q) for q in pts]})
        photos.append({"name": name, "width": int(img.shape[1]), "height": int(img.shape[0]),
                       "image_sha256": hashlib.sha256(img.tobytes()).hexdigest(), "faces": faces})
        print(f"{name}: {len(faces)} faces, probabilities {[round(f['probability'], 4) for f in faces]}")

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "mtcnn_goldens.json"), "w") as f:
        json.dump({"generator": "scripts/make_mtcnn_goldens.py", "torch": torch.__version__,
                   "facenet_pytorch": "2.6.0", "networks": networks, "photos": photos}, f)
        f.write("\n")
    print(f"wrote {OUT}/mtcnn_goldens.json")


if __name__ == "__main__":
    main()
