#!/usr/bin/env python3
"""Same/different accuracy of facescan's face descriptors on ../shared/data/lfw_subset (10 people x 10
LFW photos): the folder is used as a collection (sub-folder = person = ExternalImageId), each photo is
searched against it with `facescan search-faces-by-image --face-match-threshold 0`, and every pair of
photos is called "same person" when Similarity >= 80 (descriptor distance < 0.6, dlib's threshold).
Prints pairs, accuracy, and the distance medians. Reads ../shared/data, which is not part of the
repository; says so when it is absent.

usage: scripts/measure_lfw.py [FACESCAN]   (default .build/release/facescan)
"""
import itertools, json, math, os, subprocess, sys, tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = os.path.join(root, "..", "shared", "data", "lfw_subset", "images")
exe = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build", "release", "facescan")
if not os.path.isdir(data):
    sys.exit("measure_lfw: %s is absent (third-party photos, not part of the repository); nothing measured" % data)

models = os.environ.get("FACESCAN_MODELS") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "facescan", "models")
env = dict(os.environ, FACESCAN_MODELS=models, XDG_CACHE_HOME=tempfile.mkdtemp())   # a fresh collection cache
photos = sorted((p, f) for p in os.listdir(data) for f in os.listdir(os.path.join(data, p)) if f.endswith(".jpg"))
k = 18.41
d0 = 0.6 + math.log(4) / k
def distance(similarity):
    s = min(max(similarity, 1e-6), 100 - 1e-6)
    return d0 + math.log(100 / s - 1) / k

sim = {}
missing = 0
for person, f in photos:
    r = subprocess.run([exe, "--quiet", "search-faces-by-image", "--collection", data, "--face-match-threshold", "0",
                        os.path.join(data, person, f)], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        missing += 1
        continue
    for m in json.loads(r.stdout)["FaceMatches"]:
        sim[(person + "/" + f, m["Face"]["FaceId"], m["Face"]["ExternalImageId"])] = m["Similarity"]
# FaceId of each photo: the match at Similarity ~100 with its own name.
own = {}
for (query, face, name), s in sim.items():
    if s > 99.99 and query.split("/")[0] == name:
        own.setdefault(query, face)
right = total = 0
same_d, diff_d = [], []
keys = sorted(own)
for a, b in itertools.combinations(keys, 2):
    s = sim.get((a, own[b], b.split("/")[0]))
    if s is None:
        continue
    same = a.split("/")[0] == b.split("/")[0]
    total += 1
    right += (s >= 80) == same
    (same_d if same else diff_d).append(distance(s))
same_d.sort(); diff_d.sort()
print(json.dumps({"photos": len(photos), "no_face": missing, "pairs": total, "accuracy": round(right / total, 4),
                  "same_median_distance": round(same_d[len(same_d) // 2], 3), "different_median_distance": round(diff_d[len(diff_d) // 2], 3)}))
