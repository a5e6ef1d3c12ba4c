#!/usr/bin/env python3
"""Measures how BlazeFace's box should be turned into the rectangle dlib's 5-point shape predictor takes.

dlib's face_recognition pipeline gives the shape predictor its HOG detector's box. facescan detects faces
with BlazeFace, whose boxes are placed and sized differently, so it gives the shape predictor a square
derived from BlazeFace's box: side = SCALE x the box's mean side, centre = box centre + (SHIFT_X, SHIFT_Y)
x side (Sources/FaceScan/Recognition/ShapePredictorRectangle.swift). This script measures those three
numbers on photos where both detectors find the same face:

  1. boxes: dlib's HOG detector (upsampling once when it finds nothing) and facescan's BlazeFace boxes
     (`facescan detect`, BoundingBox ratios times the frame size), paired by overlap;
  2. fit: SCALE = median(HOG side / BlazeFace mean side), SHIFT = median((HOG centre - BlazeFace centre)
     / HOG side);
  3. check: with dlib's own shape predictor and ResNet (which facescan reproduces exactly), the 5 points
     and descriptors from the derived square are compared with those from dlib's HOG box (points as a
     fraction of the outer-eye-corner distance, descriptors as Euclidean distance), for the fitted
     mapping, the plain BlazeFace box (scale 1, no shift), and a small grid around the fit.

Photos: ../shared/data/lfw_subset (100 LFW faces) and ../shared/data/dlib_faces (PASCAL VOC photos), when
present (evaluation data, never part of the project), plus the test photos. Images are decoded with
FFmpeg as facescan decodes them.

usage: scripts/measure_sp5_rectangle.py [FACESCAN_BINARY]   (default: .build/release/facescan)
"""
import glob
import json
import os
import subprocess
import sys

import dlib
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_dlib_goldens import MODELS, OPENCV, PHOTOS, decode  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")


def blazeface_boxes(binary, path, w, h):
    out = subprocess.run([binary, "detect", "--quiet", path], check=True, capture_output=True, text=True).stdout
    boxes = []
    for face in json.loads(out)["Faces"]:
        b = face["Face"]["BoundingBox"]
        boxes.append((b["Left"] * w, b["Top"] * h, (b["Left"] + b["Width"]) * w, (b["Top"] + b["Height"]) * h))
    return boxes


def square(box, scale, sx, sy):
    """The rectangle facescan derives from a BlazeFace box (same arithmetic as the Swift code)."""
    x0, y0, x1, y1 = box
    side = max(1.0, scale * ((x1 - x0) + (y1 - y0)) / 2)
    cx = (x0 + x1) / 2 + sx * side
    cy = (y0 + y1) / 2 + sy * side
    left, top = int(np.floor(cx - side / 2 + 0.5)), int(np.floor(cy - side / 2 + 0.5))
    n = max(1, int(np.floor(side + 0.5)))
    return dlib.rectangle(left, top, left + n - 1, top + n - 1)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "facescan")
    detector = dlib.get_frontal_face_detector()
    sp = dlib.shape_predictor(os.path.join(MODELS, "shape_predictor_5_face_landmarks.dat"))
    net = dlib.face_recognition_model_v1(os.path.join(MODELS, "dlib_face_recognition_resnet_model_v1.dat"))
    paths = sorted(glob.glob(os.path.join(SHARED, "lfw_subset", "images", "*", "*.jpg")))
    paths += sorted(glob.glob(os.path.join(SHARED, "dlib_faces", "*.jpg")))
    if not paths:
        print(f"note: {SHARED} is absent; measuring on the test photos only")
    paths += [os.path.join(OPENCV, "messi5.jpg"), os.path.join(PHOTOS, "astronaut.png")]

    pairs = []  # (image, hog rectangle, blazeface box)
    for path in paths:
        img = decode(path)
        h, w = img.shape[:2]
        hogs = detector(img, 0) or detector(img, 1)
        blazes = blazeface_boxes(binary, path, w, h)
        for r in hogs:
            hc = np.array([(r.left() + r.right()) / 2 + 0.5, (r.top() + r.bottom()) / 2 + 0.5])
            hs = r.right() - r.left() + 1
            best = min(blazes, default=None, key=lambda b: np.linalg.norm(np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]) - hc))
            if best is None:
                continue
            bc = np.array([(best[0] + best[2]) / 2, (best[1] + best[3]) / 2])
            if np.linalg.norm(bc - hc) > 0.3 * hs:
                continue
            pairs.append((img, r, best))
    print(f"{len(pairs)} faces found by both detectors in {len(paths)} photos")

    ratios = np.array([[(r.right() - r.left() + 1) / (((b[2] - b[0]) + (b[3] - b[1])) / 2),
                        ((r.left() + r.right()) / 2 + 0.5 - (b[0] + b[2]) / 2) / (r.right() - r.left() + 1),
                        ((r.top() + r.bottom()) / 2 + 0.5 - (b[1] + b[3]) / 2) / (r.right() - r.left() + 1)]
                       for _, r, b in pairs])
    scale, sx, sy = np.median(ratios, axis=0)
    q = np.percentile(ratios, [25, 75], axis=0)
    print(f"fit: scale {scale:.3f} (IQR {q[0][0]:.3f}-{q[1][0]:.3f}), shift x {sx:+.3f} ({q[0][1]:+.3f}..{q[1][1]:+.3f}), "
          f"shift y {sy:+.3f} ({q[0][2]:+.3f}..{q[1][2]:+.3f}) of the side")

    reference = []
    for img, r, _ in pairs:
        s = sp(img, r)
        reference.append((np.array([[p.x, p.y] for p in s.parts()], float), np.array(net.compute_face_descriptor(img, s))))

    def evaluate(scale, sx, sy):
        point_err, dists = [], []
        for (img, _, b), (pts, desc) in zip(pairs, reference):
            s = sp(img, square(b, scale, sx, sy))
            p = np.array([[q.x, q.y] for q in s.parts()], float)
            iod = np.linalg.norm(pts[0] - pts[2])
            point_err.append(np.abs(p - pts).max() / iod)
            dists.append(np.linalg.norm(np.array(net.compute_face_descriptor(img, s)) - desc))
        return np.array(point_err), np.array(dists)

    def report(label, scale, sx, sy):
        pe, d = evaluate(scale, sx, sy)
        print(f"{label:28s} scale {scale:.3f} shift ({sx:+.3f}, {sy:+.3f}): points max|Δ|/eye-span median {np.median(pe):.3f} "
              f"p90 {np.percentile(pe, 90):.3f}; descriptor distance to HOG's median {np.median(d):.4f} "
              f"p90 {np.percentile(d, 90):.4f} max {d.max():.4f}")
        return np.median(d)

    report("BlazeFace box as it is", 1.0, 0.0, 0.0)
    report("fitted (medians)", scale, sx, sy)
    best = None
    for ds in (-0.05, 0, 0.05):
        for dy in (-0.04, 0, 0.04):
            m = np.median(evaluate(scale + ds, sx, sy + dy)[1])
            if best is None or m < best[0]:
                best = (m, scale + ds, sy + dy)
    report("best of grid around the fit", best[1], sx, best[2])


if __name__ == "__main__":
    main()
