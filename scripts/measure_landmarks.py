#!/usr/bin/env python3
"""Normalised mean error of facescan's landmarks against ../shared/data/dlib_faces/landmarks68_gt.json
(68 points per face, made by dlib's 68-point model: a consistency reference, not human truth).

For every landmark type with a 68-point counterpart (see LandmarkMapping.swift), the error is the
distance to the mean of the counterpart's points divided by the inter-ocular distance (between the
centres of points 36-41 and 42-47). Faces are matched to the ground truth by box IoU > 0.3.
Reads ../shared/data, which is not part of the repository; says so when it is absent.

usage: scripts/measure_landmarks.py [FACESCAN]   (default .build/release/facescan)
"""
import json, math, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = os.path.join(root, "..", "shared", "data", "dlib_faces")
exe = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build", "release", "facescan")
if not os.path.isdir(data):
    sys.exit("measure_landmarks: %s is absent (real third-party photos, not part of the repository); nothing measured" % data)

# The mapping, read from the Swift table so the two cannot disagree.
table = open(os.path.join(root, "Sources", "FaceScan", "Faces", "LandmarkMapping.swift")).read()
mapping = {t: [int(i) for i in ib.split(",") if i.strip()]
           for t, ib in re.findall(r'type: "(\w+)", mesh: \[[^\]]*\], ibug68: \[([^\]]*)\]', table)}
mapping = {t: ib for t, ib in mapping.items() if ib}

def iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0])); iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    i = ix * iy
    return i / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i)

def mean(points):
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))

errors = {t: [] for t in mapping}
faces = 0
for entry in json.load(open(os.path.join(data, "landmarks68_gt.json"))):
    doc = json.loads(subprocess.run([exe, "--quiet", "detect", os.path.join(data, entry["image"])], capture_output=True, check=True).stdout)
    W, H = doc["VideoMetadata"]["FrameWidth"], doc["VideoMetadata"]["FrameHeight"]
    for (x, y, w, h), pts in zip(entry["faces"], entry["landmarks68"]):
        g = (x, y, x + w, y + h)
        best, score = None, 0.3
        for f in doc["Faces"]:
            b = f["Face"]["BoundingBox"]
            box = (b["Left"] * W, b["Top"] * H, (b["Left"] + b["Width"]) * W, (b["Top"] + b["Height"]) * H)
            if iou(g, box) > score:
                best, score = f, iou(g, box)
        if best is None:
            continue
        faces += 1
        le, re_ = mean(pts[36:42]), mean(pts[42:48])
        iod = math.dist(le, re_)
        marks = {m["Type"]: (m["X"] * W, m["Y"] * H) for m in best["Face"].get("Landmarks", [])}
        for t, ib in mapping.items():
            if t in marks:
                errors[t].append(math.dist(marks[t], mean([pts[i] for i in ib])) / iod)

print("faces matched: %d" % faces)
allerr = []
for t, e in errors.items():
    if e:
        allerr += e
        print("%-20s NME %.3f (median %.3f)" % (t, sum(e) / len(e), sorted(e)[len(e) // 2]))
print("all %d types: mean NME %.3f" % (len([e for e in errors.values() if e]), sum(allerr) / len(allerr)))
