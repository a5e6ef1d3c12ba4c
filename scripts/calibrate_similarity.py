#!/usr/bin/env python3
"""Calibrates the slope of facescan's Similarity curve (Sources/FaceScan/Recognition/Similarity.swift).

Computes dlib's 128-D descriptors (dlib-bin: HOG detector, 5-point shape predictor, ResNet; the same
pipeline as the face_recognition library) for the 100 LFW photos of ../shared/data/lfw_subset (10
people), takes every pair, and fits a logistic regression of "same person" on descriptor distance:
P(same) = 1 / (1 + exp(k (d - c))). Prints k, c and the same/different accuracy at distance 0.6.
The pairs are almost perfectly separable, so the fitted k is very steep (it would put nearly every
pair at 0 or 100); facescan instead takes the slope that maps the median same-person distance to
Similarity 99 while 0.6 stays at 80 (the API's default FaceMatchThreshold):
k = (ln 99 - ln 4) / (0.6 - median_same). Both are printed.
Reads ../shared/data, which is not part of the repository; says so when it is absent.
Needs: dlib-bin, numpy, pillow; the models in the facescan models directory.
"""
import itertools, json, math, os, sys
import numpy as np

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = os.path.join(root, "..", "shared", "data", "lfw_subset")
if not os.path.isdir(data):
    sys.exit("calibrate_similarity: %s is absent (third-party photos, not part of the repository); nothing fitted" % data)
import dlib
from PIL import Image

models = os.environ.get("FACESCAN_MODELS") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "facescan", "models")
detector = dlib.get_frontal_face_detector()
sp = dlib.shape_predictor(os.path.join(models, "shape_predictor_5_face_landmarks.dat"))
net = dlib.face_recognition_model_v1(os.path.join(models, "dlib_face_recognition_resnet_model_v1.dat"))

ids = json.load(open(os.path.join(data, "identity_pairs.json")))["identities"]
desc = {}
for person, files in ids.items():
    for f in files:
        img = np.asarray(Image.open(os.path.join(data, "images", person, f)).convert("RGB"))
        dets = detector(img, 1)
        if not dets:
            continue
        d = max(dets, key=lambda r: r.width() * r.height())
        desc[(person, f)] = np.array(net.compute_face_descriptor(img, sp(img, d)))
keys = list(desc)
pairs = [(np.linalg.norm(desc[a] - desc[b]), a[0] == b[0]) for a, b in itertools.combinations(keys, 2)]
d = np.array([p[0] for p in pairs]); y = np.array([1.0 if p[1] else 0.0 for p in pairs])
# Logistic regression by Newton's method on z = -(d - c) * k, weights balancing the classes.
w = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
a, b = 0.0, 0.0   # logit = a + b*d
for _ in range(50):
    z = a + b * d
    p = 1 / (1 + np.exp(-z))
    g = np.array([np.sum(w * (p - y)), np.sum(w * (p - y) * d)])
    h = np.array([[np.sum(w * p * (1 - p)), np.sum(w * p * (1 - p) * d)], [np.sum(w * p * (1 - p) * d), np.sum(w * p * (1 - p) * d * d)]])
    step = np.linalg.solve(h, g)
    a, b = a - step[0], b - step[1]
k, c = -b, a / -b
acc = np.mean((d < 0.6) == (y == 1))
same_median = float(np.median(d[y == 1]))
k99 = (math.log(99) - math.log(4)) / (0.6 - same_median)
d0 = 0.6 + math.log(4) / k99
diff_median = float(np.median(d[y == 0]))
print(json.dumps({"faces": len(keys), "pairs": len(pairs), "same": int(y.sum()), "slope_k_logistic_fit": round(float(k), 3),
                  "slope_k_used": round(k99, 2), "similarity_at_diff_median": round(100 / (1 + math.exp(k99 * (diff_median - d0))), 1),
                  "centre_c": round(float(c), 4), "accuracy_at_0.6": round(float(acc), 4),
                  "same_median": round(float(np.median(d[y == 1])), 3), "diff_median": round(float(np.median(d[y == 0])), 3)}))
