#!/usr/bin/env python3
"""Measures facescan detect's recall and false positives on ../shared/data/dlib_faces/detection_gt.json
(43 faces in dlib's example photos; boxes [left, top, width, height]). A ground-truth face counts as
found when a detected box overlaps it with IoU > 0.3 (boxes from different detectors frame faces
differently). Reads ../shared/data, which is not part of the repository; says so when it is absent.

usage: scripts/measure_recall.py [FACESCAN]   (default .build/release/facescan)
"""
import json, os, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = os.path.join(root, "..", "shared", "data", "dlib_faces")
exe = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build", "release", "facescan")
if not os.path.isdir(data):
    sys.exit("measure_recall: %s is absent (real third-party photos, not part of the repository); nothing measured" % data)

def iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0])); iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    i = ix * iy
    return i / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i)

found = total = false_pos = 0
for entry in json.load(open(os.path.join(data, "detection_gt.json"))):
    out = subprocess.run([exe, "--quiet", "detect", os.path.join(data, entry["image"])], capture_output=True, check=True).stdout
    doc = json.loads(out)
    W, H = doc["VideoMetadata"]["FrameWidth"], doc["VideoMetadata"]["FrameHeight"]
    boxes = []
    for f in doc["Faces"]:
        b = f["Face"]["BoundingBox"]
        boxes.append((b["Left"] * W, b["Top"] * H, (b["Left"] + b["Width"]) * W, (b["Top"] + b["Height"]) * H))
    used = set()
    hits = 0
    for (x, y, w, h) in entry["faces"]:
        g = (x, y, x + w, y + h)
        best = max(range(len(boxes)), key=lambda i: iou(g, boxes[i]), default=None)
        if best is not None and best not in used and iou(g, boxes[best]) > 0.3:
            used.add(best); hits += 1
    total += len(entry["faces"]); found += hits; false_pos += len(boxes) - len(used)
    print("%-28s faces %2d found %2d unmatched detections %d" % (entry["image"], len(entry["faces"]), hits, len(boxes) - len(used)))
print("recall %d/%d (%.1f%%), unmatched detections %d" % (found, total, 100.0 * found / total, false_pos))
