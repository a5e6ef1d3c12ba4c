#!/usr/bin/env python3
"""Times dlib's own face descriptor (dlib-bin) for facescan-bench: prints one JSON line.

  descriptor: face_recognition_model_v1.compute_face_descriptor(chip) on a 150x150 chip (the network
              alone, what facescan's FaceDescriptorExtractor.descriptor(chip:) does);
  pipeline:   shape_predictor(image, rect) then compute_face_descriptor(image, shape) (landmarks, chip
              extraction and network) on scikit-image's astronaut.png with the goldens' rectangle, when
              the photo is present.

Median and minimum wall time in milliseconds over --runs calls after --warmup calls. The chip is the
seeded synthetic chip of scripts/make_dlib_goldens.py, so facescan-bench feeds its engine the same input.

usage: scripts/dlib_bench.py MODELS_DIR [--runs N] [--warmup N]
"""
import argparse
import json
import os
import sys
import time

import dlib
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_dlib_goldens import PHOTOS, decode, synthetic_chip  # noqa: E402


def timed(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times)), float(np.min(times))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("models")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    net = dlib.face_recognition_model_v1(os.path.join(a.models, "dlib_face_recognition_resnet_model_v1.dat"))
    sp = dlib.shape_predictor(os.path.join(a.models, "shape_predictor_5_face_landmarks.dat"))
    chip = synthetic_chip()
    med, best = timed(lambda: net.compute_face_descriptor(chip), a.runs, a.warmup)
    result = {"descriptor_median_ms": med, "descriptor_min_ms": best, "runs": a.runs, "dlib_version": dlib.__version__}
    photo = os.path.join(PHOTOS, "astronaut.png")
    if os.path.exists(photo):
        img = decode(photo)
        rect = dlib.rectangle(179, 83, 266, 170)
        med, best = timed(lambda: net.compute_face_descriptor(img, sp(img, rect)), a.runs, a.warmup)
        result.update({"pipeline_median_ms": med, "pipeline_min_ms": best})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
