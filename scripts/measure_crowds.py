#!/usr/bin/env python3
"""Measures facescan detect-faces' recall by face size, and its precision, on the crowd photos in
../shared/data/wider_crowds (200 WIDER FACE validation images with WIDER's official boxes; third-party
data, not part of the repository; says so when it is absent).

The images are stored stretched to 416x416 (README of the data), so each is first restored to its
original_width x original_height with ffmpeg in a temporary folder, and its boxes scaled by the same
factors. `facescan --quiet detect-faces` then runs on every restored image (--jobs at a time; the models
come from FACESCAN_MODELS or the default model folder). Detections are matched one-to-one to ground-truth
faces greedily, best IoU first, when IoU >= 0.4. Faces WIDER marks invalid do not count for recall, and a
detection matching one is neither true nor false.

Prints Markdown tables: recall by face height in the stored image (< 10, 10-16, 16-24, >= 24 px, with
the heights these are in the restored images), precision = true / (true + false) detections, the same
for detections with Confidence >= 50, 70 and 90, the number of images and the seconds spent in facescan.

`--reference` measures the reference runtime instead: facenet-pytorch 2.6.0's MTCNN (the weights facescan's
crowd detector loads) with its defaults, in PyTorch on 2 threads, Confidence = 100 * probability
(needs torch, torchvision, facenet-pytorch; see scripts/make_mtcnn_goldens.py). `--reference mmod` measures
dlib's CNN face detector (MMOD, `mmod_human_face_detector.dat` from face_recognition_models) and
`--reference hog` dlib's HOG detector, both in dlib-bin, with `--upsample N` upsamplings (default 1);
they give no probability, so every detection counts at every Confidence threshold.

usage: scripts/measure_crowds.py [--binary PATH | --reference [mtcnn|mmod|hog] [--upsample N]] [--limit N] [--jobs J]
       (default .build/release/facescan)
"""
import argparse, concurrent.futures, json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "wider_crowds"))
IOU = 0.4
EDGES = [10, 16, 24]                                  # bucket edges, face height in stored pixels
NAMES = ["< 10", "10-16", "16-24", ">= 24"]
CONFIDENCES = [0, 50, 70, 90]


def bucket(height):
    return sum(height >= e for e in EDGES)


def iou(a, b):
    """IoU of two [left, top, width, height] boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def restore(entry, tmp):
    W, H = entry["original_width"], entry["original_height"]
    out = os.path.join(tmp, os.path.splitext(os.path.basename(entry["image"]))[0] + ".png")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", os.path.join(DATA, entry["image"]),
                    "-vf", "scale=%d:%d" % (W, H), out], check=True)
    return out


def detect(exe, entry, tmp):
    """Restores one image, runs facescan on it: ([(box in restored pixels, Confidence)], seconds)."""
    W, H = entry["original_width"], entry["original_height"]
    out = restore(entry, tmp)
    start = time.monotonic()
    r = subprocess.run([exe, "--quiet", "detect-faces", out], capture_output=True, text=True)
    seconds = time.monotonic() - start
    os.remove(out)
    if r.returncode != 0:
        raise RuntimeError("facescan failed on %s (exit %d): %s" % (entry["image"], r.returncode, r.stderr.strip()))
    dets = []
    for f in json.loads(r.stdout)["FaceDetails"]:
        b = f["BoundingBox"]
        dets.append(([b["Left"] * W, b["Top"] * H, b["Width"] * W, b["Height"] * H], f["Confidence"]))
    return dets, seconds


def detect_reference(mtcnn, entry, tmp):
    """facenet-pytorch's MTCNN on one restored image: ([(box, Confidence)], seconds)."""
    from PIL import Image
    path = restore(entry, tmp)
    img = Image.open(path).convert("RGB")
    os.remove(path)
    start = time.monotonic()
    boxes, probs = mtcnn.detect(img)
    seconds = time.monotonic() - start
    if boxes is None:
        return [], seconds
    return [([float(x1), float(y1), float(x2 - x1), float(y2 - y1)], 100 * float(p)) for (x1, y1, x2, y2), p in zip(boxes, probs)], seconds


def detect_dlib(detector, upsample, entry, tmp):
    """dlib's MMOD or HOG detector on one restored image: ([(box, 100)], seconds)."""
    import numpy as np
    from PIL import Image
    path = restore(entry, tmp)
    img = np.asarray(Image.open(path).convert("RGB"))
    os.remove(path)
    start = time.monotonic()
    found = detector(img, upsample)
    seconds = time.monotonic() - start
    rects = [getattr(f, "rect", f) for f in found]
    return [([float(r.left()), float(r.top()), float(r.width()), float(r.height())], 100.0) for r in rects], seconds


def match(faces, dets):
    """Greedy one-to-one matching, best IoU first: {detection index: face index}."""
    pairs = sorted(((iou(g, d), gi, di) for gi, g in enumerate(faces) for di, (d, _) in enumerate(dets)), reverse=True)
    used_g, matched = set(), {}
    for v, gi, di in pairs:
        if v < IOU:
            break
        if gi not in used_g and di not in matched:
            used_g.add(gi); matched[di] = gi
    return matched


def score(results, min_conf):
    """Counts over all images for detections with Confidence >= min_conf:
    (found per bucket, valid faces per bucket, true, false, ignored detections)."""
    found, total = [0] * len(NAMES), [0] * len(NAMES)
    tp = fp = ignored = 0
    for entry, dets in results:
        sx, sy = entry["original_width"] / entry["width"], entry["original_height"] / entry["height"]
        faces = [[x * sx, y * sy, w * sx, h * sy] for x, y, w, h in entry["faces"]]
        invalid = entry["wider_invalid"]
        dets = [d for d in dets if d[1] >= min_conf]
        matched = match(faces, dets)
        for gi, (_, _, _, h) in enumerate(entry["faces"]):
            if not invalid[gi]:
                total[bucket(h)] += 1
        for di in range(len(dets)):
            if di not in matched:
                fp += 1
            elif invalid[matched[di]]:
                ignored += 1
            else:                                     # every valid face is in a bucket, even the smallest
                tp += 1
                found[bucket(entry["faces"][matched[di]][3])] += 1
    return found, total, tp, fp, ignored


def ratio(a, b):
    return "%.3f" % (a / b) if b else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "facescan"), help="the facescan binary")
    ap.add_argument("--limit", type=int, help="measure only the first N images")
    ap.add_argument("--jobs", type=int, default=2, help="facescan processes at a time (default 2)")
    ap.add_argument("--reference", nargs="?", const="mtcnn", choices=["mtcnn", "mmod", "hog"],
                    help="measure a reference detector instead of facescan: facenet-pytorch's MTCNN (default), dlib's MMOD or HOG")
    ap.add_argument("--upsample", type=int, default=1, help="dlib's upsamplings of the image (--reference mmod|hog; default 1)")
    args = ap.parse_args()
    if not os.path.isdir(DATA):
        print("measure_crowds: %s is absent (third-party evaluation data, not part of the repository); nothing measured" % DATA)
        return 0
    names = {"mtcnn": "facenet-pytorch 2.6.0 MTCNN (reference)",
             "mmod": "dlib MMOD CNN, mmod_human_face_detector.dat, %d upsampling(s) (reference)" % args.upsample,
             "hog": "dlib HOG, %d upsampling(s) (reference)" % args.upsample}
    exe = names[args.reference] if args.reference else os.path.abspath(args.binary)
    if not args.reference and not os.access(exe, os.X_OK):
        sys.exit("measure_crowds: %s is not an executable facescan binary (see --binary)" % exe)
    if shutil.which("ffmpeg") is None:
        sys.exit("measure_crowds: ffmpeg is needed to restore the images to their original sizes")
    entries = json.load(open(os.path.join(DATA, "detection_gt.json")))[:args.limit]

    tmp = tempfile.mkdtemp(prefix="measure_crowds.")
    wall = time.monotonic()
    try:
        if args.reference in ("mmod", "hog"):
            import dlib
            if args.reference == "mmod":
                import face_recognition_models
                detector = dlib.cnn_face_detection_model_v1(face_recognition_models.cnn_face_detector_model_location())
            else:
                detector = dlib.get_frontal_face_detector()
            outs = [detect_dlib(detector, args.upsample, e, tmp) for e in entries]
        elif args.reference:
            import torch
            from facenet_pytorch import MTCNN
            torch.set_num_threads(2)
            torch.set_grad_enabled(False)
            mtcnn = MTCNN(keep_all=True, device="cpu")
            outs = [detect_reference(mtcnn, e, tmp) for e in entries]
        else:
            with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                outs = list(pool.map(lambda e: detect(exe, e, tmp), entries))
    except (RuntimeError, subprocess.CalledProcessError) as e:
        sys.exit("measure_crowds: %s" % e)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    wall = time.monotonic() - wall
    results = [(e, dets) for e, (dets, _) in zip(entries, outs)]
    seconds = sum(s for _, s in outs)

    # Typical restored heights of the bucket edges: the edges times the median vertical factor of the faces.
    factor = statistics.median(e["original_height"] / e["height"] for e in entries for _ in e["faces"]) if entries else 1
    restored = ["< %.0f" % (EDGES[0] * factor)] + ["%.0f-%.0f" % (a * factor, b * factor) for a, b in zip(EDGES, EDGES[1:])] \
        + [">= %.0f" % (EDGES[-1] * factor)]

    title = {"mtcnn": "MTCNN (facenet-pytorch)", "mmod": "dlib MMOD", "hog": "dlib HOG"}.get(args.reference, "facescan detect-faces")
    print("## %s on wider_crowds (%s)\n" % (title, DATA))
    print("%d images restored to their original sizes, IoU >= %.1f, WIDER-invalid faces ignored; %s.\n"
          % (len(entries), IOU, exe))
    found, total, tp, fp, ignored = score(results, 0)
    print("### Recall by face height\n")
    print("| height in stored image (px) | typical restored height (px, x%.2f) | found / faces | recall |\n|---|---|---|---|" % factor)
    for i, name in enumerate(NAMES):
        print("| %s | %s | %d/%d | %s |" % (name, restored[i], found[i], total[i], ratio(found[i], total[i])))
    print("| all | | %d/%d | %s |\n" % (sum(found), sum(total), ratio(sum(found), sum(total))))
    print("### Precision\n")
    print("| detections | true | false | matching an invalid face (ignored) | precision = true / (true + false) |\n|---|---|---|---|---|")
    print("| %d | %d | %d | %d | %s |\n" % (tp + fp + ignored, tp, fp, ignored, ratio(tp, tp + fp)))
    print("### By Confidence threshold\n")
    print("| Confidence >= | " + " | ".join("recall %s px" % n for n in NAMES) + " | recall all | detections | true | false | precision |")
    print("|---" * (len(NAMES) + 6) + "|")
    for c in CONFIDENCES:
        found, total, tp, fp, ignored = score(results, c)
        print("| %g | " % c + " | ".join("%d/%d (%s)" % (f, t, ratio(f, t)) for f, t in zip(found, total))
              + " | %s | %d | %d | %d | %s |" % (ratio(sum(found), sum(total)), tp + fp + ignored, tp, fp, ratio(tp, tp + fp)))
    print("\n| images | facescan seconds (sum over processes) | wall seconds (--jobs %d) |\n|---|---|---|" % args.jobs)
    print("| %d | %.1f | %.1f |" % (len(entries), seconds, wall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
