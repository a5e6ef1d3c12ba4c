#!/usr/bin/env python3
"""Measures video tracking against detecting in every sampled frame: per frame, how many of the faces
`facescan detect --detection-interval 0` finds the default `facescan detect` (faces followed between
full detections) finds too (IoU > 0.5, matched one-to-one, best first), and how many it adds.

Videos: the arguments, or by default ../shared/data's videos (third-party, not part of the repository),
the 1080p and 720p copies of the Hamilton clip that `make bench` makes (.build/bench-videos), and pans
across two WIDER FACE crowd photos of ../shared/data/wider_crowds, made here with ffmpeg (each photo
restored to its original size, then a 960x540 window moving 64 px right and to the bottom over 4 s at
25 frames/s, x264): crowds of small faces that move.

usage: scripts/measure_tracking.py [--binary PATH] [--reference-binary PATH] [VIDEO...]
  --binary            the facescan that tracks (default .build/release/facescan)
  --reference-binary  the facescan whose every-frame detection is the reference (default: --binary), to
                      measure a change against the detection before it
"""
import argparse, json, os, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
PANS = ["0_Parade_marchingband_1_172", "1_Handshaking_Handshaking_1_579"]


def faces(exe, path, extra):
    """{timestamp: [(x1, y1, x2, y2)]} in pixels."""
    r = subprocess.run([exe, "--quiet", "detect"] + extra + [path], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("facescan failed on %s (exit %d): %s" % (path, r.returncode, r.stderr.strip()))
    doc = json.loads(r.stdout)
    W, H = doc["VideoMetadata"]["FrameWidth"], doc["VideoMetadata"]["FrameHeight"]
    out = {}
    for f in doc["Faces"]:
        b = f["Face"]["BoundingBox"]
        out.setdefault(f["Timestamp"], []).append((b["Left"] * W, b["Top"] * H, (b["Left"] + b["Width"]) * W, (b["Top"] + b["Height"]) * H))
    return out


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    i = ix * iy
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i
    return i / u if u > 0 else 0.0


def compare(reference, tracked):
    """(reference faces, found by tracking, added by tracking)."""
    total = found = added = 0
    for t in set(reference) | set(tracked):
        r, k = reference.get(t, []), tracked.get(t, [])
        pairs = sorted(((iou(a, b), i, j) for i, a in enumerate(r) for j, b in enumerate(k)), reverse=True)
        used_r, used_k = set(), set()
        for v, i, j in pairs:
            if v <= 0.5:
                break
            if i not in used_r and j not in used_k:
                used_r.add(i); used_k.add(j)
        total += len(r); found += len(used_r); added += len(k) - len(used_k)
    return total, found, added


def pans(tmp):
    data = os.path.join(SHARED, "wider_crowds")
    if not os.path.isdir(data) or shutil.which("ffmpeg") is None:
        return []
    entries = {os.path.splitext(os.path.basename(e["image"]))[0]: e for e in json.load(open(os.path.join(data, "detection_gt.json")))}
    out = []
    for name in PANS:
        e = entries.get(name)
        if e is None:
            continue
        W, H = e["original_width"], e["original_height"]
        still = os.path.join(tmp, name + ".png")
        video = os.path.join(tmp, "pan_" + name + ".mp4")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", os.path.join(data, e["image"]), "-vf", "scale=%d:%d" % (W, H), still], check=True)
        crop = "crop=960:540:'min(64*t/4,%d)':'min(%d*t/4,%d)'" % (W - 960, H - 540, H - 540)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", still, "-t", "4", "-r", "25", "-vf", crop,
                        "-c:v", "libx264", "-preset", "fast", "-pix_fmt", "yuv420p", video], check=True)
        out.append(video)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "facescan"))
    ap.add_argument("--reference-binary")
    ap.add_argument("videos", nargs="*")
    args = ap.parse_args()
    exe = os.path.abspath(args.binary)
    ref = os.path.abspath(args.reference_binary or args.binary)
    for b in (exe, ref):
        if not os.access(b, os.X_OK):
            sys.exit("measure_tracking: %s is not an executable facescan binary (see --binary)" % b)
    tmp = tempfile.mkdtemp(prefix="measure_tracking.")
    try:
        videos = args.videos
        if not videos:
            if not os.path.isdir(SHARED):
                print("measure_tracking: %s is absent (third-party evaluation data); nothing measured" % SHARED)
                return 0
            videos = [os.path.join(SHARED, p) for p in ["face_recognition_examples/short_hamilton_clip.mp4", "videos/talking_head_410.mp4",
                                                          "videos/portrait_vertical_720x1280.mp4"]]
            videos += [os.path.join(ROOT, ".build", "bench-videos", "hamilton-%dp.mp4" % h) for h in (1080, 720)]
            videos = [v for v in videos if os.path.exists(v)] + pans(tmp)
        print("| video | every-frame detection: faces | tracking finds | share | tracking adds |\n|---|---|---|---|---|")
        for v in videos:
            total, found, added = compare(faces(ref, v, ["--detection-interval", "0"]), faces(exe, v, []))
            print("| %s | %d | %d | %s | %d |" % (os.path.basename(v), total, found, "%.3f" % (found / total) if total else "-", added))
    except (RuntimeError, subprocess.CalledProcessError) as e:
        sys.exit("measure_tracking: %s" % e)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
