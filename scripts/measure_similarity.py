#!/usr/bin/env python3
"""How well facescan's Similarity separates same-person from different-person pairs on the LFW subset
in ../shared/data/lfw_subset (10 people x 10 LFW photos; third-party data, not part of the repository).

Every photo is copied flat into a temporary collection folder as `<Name>__<file>`, so that each photo is
its own ExternalImageId (README "Collections": the file name without extension). Each photo is then
searched against that collection with `facescan --quiet search-faces-by-image --face-match-threshold 0
--max-faces 4096`, which gives its Similarity to every other photo (the self match is skipped, the two
directions of a pair are averaged). The collection cache goes to a temporary XDG_CACHE_HOME. Photos in
which facescan finds no face are counted and skipped.

Prints Markdown tables: TAR (same-person pairs with Similarity >= T) and FMR (different-person pairs
>= T) for several thresholds T, with the descriptor distance each T stands for (facescan's scale,
scripts/similarity_curve.py); the Similarity at FMR = 1/1000 and the TAR there; the medians; and the
same on the pairs of LFW's official list (lfw_pairs_official.txt) whose two photos are both present.

usage: scripts/measure_similarity.py [--binary PATH]   (default .build/release/facescan)
"""
import argparse, concurrent.futures, json, math, os, shutil, statistics, subprocess, sys, tempfile
from similarity_curve import distance

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
LFW = os.path.join(DATA, "lfw_subset")
THRESHOLDS = [50, 60, 70, 75, 80, 85, 90, 95, 97, 99]
def search(exe, collection, image, env):
    r = subprocess.run([exe, "--quiet", "search-faces-by-image", "--collection", collection,
                        "--face-match-threshold", "0", "--max-faces", "4096", image],
                       capture_output=True, text=True, env=env)
    if r.returncode == 2 and "no faces in the image" in r.stderr:
        return None                                   # no face in the image
    if r.returncode != 0:
        sys.exit("measure_similarity: facescan failed on %s (exit %d): %s" % (image, r.returncode, r.stderr.strip()))
    return {m["Face"]["ExternalImageId"]: m["Similarity"] for m in json.loads(r.stdout)["FaceMatches"]}


def at_fmr(same, diff, rate=0.001):
    """The Similarity t above which at most rate * len(diff) different pairs lie, and the TAR above it."""
    allowed = int(len(diff) * rate)
    ranked = sorted(diff, reverse=True)
    t = ranked[allowed] if allowed < len(ranked) else 0.0
    return t, sum(s > t for s in diff), sum(s > t for s in same), allowed


def report(title, same, diff):
    print("### %s\n" % title)
    print("| pairs | count | median Similarity | median distance |\n|---|---|---|---|")
    for name, v in (("same person", same), ("different people", diff)):
        med = statistics.median(v) if v else float("nan")
        print("| %s | %d | %.2f | %.3f |" % (name, len(v), med, distance(med) if v else float("nan")))
    print("\n| threshold | distance < | TAR | same >= T | FMR | different >= T |\n|---|---|---|---|---|---|")
    for t in THRESHOLDS:
        ns, nd = sum(s >= t for s in same), sum(s >= t for s in diff)
        print("| %g | %.3f | %.4f | %d/%d | %.4f | %d/%d |" % (t, distance(t), ns / max(len(same), 1), ns, len(same),
                                                            nd / max(len(diff), 1), nd, len(diff)))
    if same and diff:
        t, nd, ns, allowed = at_fmr(same, diff)
        print("\nAt FMR = 1/1000 (at most %d of %d different pairs above): Similarity > %.4f (distance < %.4f): "
              "FMR %.4f (%d/%d), TAR %.4f (%d/%d)%s\n" % (allowed, len(diff), t, distance(t), nd / len(diff), nd,
              len(diff), ns / len(same), ns, len(same),
              "; fewer than 1000 different pairs, so this is FMR = 0" if len(diff) < 1000 else ""))


def official_pairs(path, present):
    """LFW's official pairs whose two images are present: (same, id_a, id_b); ids as in the collection."""
    ident = lambda name, n: "%s__%s_%04d" % (name, name, int(n))
    pairs, total = [], 0
    with open(path) as f:
        next(f)                                       # header: folds and pairs per fold
        for line in f:
            p = line.split()
            if len(p) == 3:
                a, b, same = ident(p[0], p[1]), ident(p[0], p[2]), True
            elif len(p) == 4:
                a, b, same = ident(p[0], p[1]), ident(p[2], p[3]), False
            else:
                continue
            total += 1
            if a in present and b in present:
                pairs.append((same, a, b))
    return pairs, total


def collect(exe):
    """Every photo of the subset searched against all of them: (Similarity per pair, person per
    ExternalImageId, collection paths, photos without a face)."""
    tmp = tempfile.mkdtemp(prefix="measure_similarity.")
    try:
        models = os.environ.get("FACESCAN_MODELS") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "facescan", "models")
        env = dict(os.environ, FACESCAN_MODELS=models, XDG_CACHE_HOME=os.path.join(tmp, "cache"))
        coll = os.path.join(tmp, "collection")
        os.makedirs(coll)
        images, person = {}, {}                       # ExternalImageId -> path in the collection, -> person
        for name in sorted(os.listdir(os.path.join(LFW, "images"))):
            folder = os.path.join(LFW, "images", name)
            for f in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
                if f.lower().endswith((".jpg", ".jpeg", ".png")):
                    ident = "%s__%s" % (name, os.path.splitext(f)[0])
                    images[ident] = os.path.join(coll, ident + os.path.splitext(f)[1])
                    person[ident] = name
                    shutil.copyfile(os.path.join(folder, f), images[ident])
        ids = sorted(images)
        results = {ids[0]: search(exe, coll, images[ids[0]], env)}    # the first query builds the cache
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for ident, r in zip(ids[1:], pool.map(lambda i: search(exe, coll, images[i], env), ids[1:])):
                results[ident] = r
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    no_face = sorted(i for i, r in results.items() if r is None)
    sims = {}                                         # (a, b) with a < b -> Similarities seen both ways
    for q, matches in results.items():
        for other, s in (matches or {}).items():
            if other != q and results.get(other) is not None:
                sims.setdefault(tuple(sorted((q, other))), []).append(s)
    sim = {p: sum(v) / len(v) for p, v in sims.items()}
    return sim, person, images, no_face


def binary(description):
    """The facescan binary named by --binary, or None when the data is absent (after saying so)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "facescan"), help="the facescan binary")
    exe = os.path.abspath(ap.parse_args().binary)
    if not os.path.isdir(os.path.join(LFW, "images")):
        print("%s: %s is absent (third-party evaluation data, not part of the repository); nothing measured"
              % (os.path.basename(sys.argv[0]), os.path.join(LFW, "images")))
        return None
    if not os.access(exe, os.X_OK):
        sys.exit("%s: %s is not an executable facescan binary (see --binary)" % (os.path.basename(sys.argv[0]), exe))
    return exe


def main():
    exe = binary(__doc__.split("\n\n")[0])
    if exe is None:
        return 0
    sim, person, images, no_face = collect(exe)
    ids = sorted(images)
    same = [s for (a, b), s in sim.items() if person[a] == person[b]]
    diff = [s for (a, b), s in sim.items() if person[a] != person[b]]
    print("## facescan Similarity on the LFW subset (%s)\n" % LFW)
    print("| images | with a face | no face (skipped) | people | same pairs | different pairs |\n|---|---|---|---|---|---|")
    print("| %d | %d | %d | %d | %d | %d |\n" % (len(ids), len(ids) - len(no_face), len(no_face),
                                                len(set(person.values())), len(same), len(diff)))
    if no_face:
        print("No face: %s\n" % ", ".join(no_face))
    report("All pairs of the subset", same, diff)
    pairs, total = official_pairs(os.path.join(LFW, "lfw_pairs_official.txt"), images)
    scored = [(s, sim[tuple(sorted((a, b)))]) for s, a, b in pairs if tuple(sorted((a, b))) in sim]
    print("LFW's official list: %d pairs, %d with both images present, %d of them with a face in both.\n"
          % (total, len(pairs), len(scored)))
    if scored:
        report("LFW official pairs with both images present", [v for s, v in scored if s], [v for s, v in scored if not s])
    else:
        print("No official pair has both images in the subset, so there is nothing to measure on that list.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
