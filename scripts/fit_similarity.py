#!/usr/bin/env python3
"""Fits facescan's Similarity scale to false-match rates (Sources/FaceScan/Recognition/Similarity.swift and
scripts/similarity_curve.py hold the result).

A default threshold has to keep false matches rare: the API's FaceMatchThreshold 80 should let at most 1
pair of different people in 1000 match, and 90 and 99 far fewer. This script measures, with the facescan
binary given, the descriptor distance of every pair of the 100 LFW photos in ../shared/data/lfw_subset
(10 people x 10 photos: 4,950 pairs, 450 of one person; the Similarities the binary prints are turned back
into distances with the scale the binary was built with, scripts/similarity_curve.py). It then places:

- Similarity 80 at the distance below which 1 in 1000 different-person pairs fall: the smaller of the
  empirical quantile (the 4,500 different pairs resolve 1/1000) and a normal distribution's, fitted to the
  different-person distances;
- 90 and 99 at that normal distribution's 1/10,000 and 1/1,000,000 quantiles. These rates are beyond
  what 4,500 pairs can measure, so they are extrapolations, and the script says so.

It prints the anchors, the same-person pairs still matching at each (TAR), and Markdown tables that
README quotes. Reads ../shared/data, which is not part of the repository; says so when it is absent.

usage: scripts/fit_similarity.py [--binary PATH]   (default .build/release/facescan)
"""
import math, statistics, sys
from measure_similarity import binary, collect
from similarity_curve import distance

RATES = [(80, 1e-3), (90, 1e-4), (99, 1e-6)]


def normal_quantile(p):
    """Φ⁻¹(p) by bisection on math.erf (no SciPy needed)."""
    lo, hi = -12.0, 12.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def main():
    exe = binary(__doc__.split("\n\n")[0])
    if exe is None:
        return 0
    sim, person, images, no_face = collect(exe)
    same = sorted(distance(s) for (a, b), s in sim.items() if person[a] == person[b])
    diff = sorted(distance(s) for (a, b), s in sim.items() if person[a] != person[b])
    mu, sd = statistics.mean(diff), statistics.stdev(diff)
    print("## Similarity fit on the LFW subset\n")
    print("%d photos, %d without a face; %d same-person pairs (median distance %.3f), %d different-person pairs "
          "(median %.3f, mean %.3f, sd %.4f).\n" % (len(images), len(no_face), len(same), statistics.median(same),
                                                     len(diff), statistics.median(diff), mu, sd))
    allowed = int(len(diff) * 1e-3)
    empirical = diff[allowed]
    print("Different pairs: empirical 1/1000 quantile %.4f (at most %d of %d pairs below), normal 1/1000 quantile %.4f.\n"
          % (empirical, allowed, len(diff), mu + sd * normal_quantile(1e-3)))
    print("| Similarity | false-match rate | distance < | how | TAR | same pairs | different pairs below |\n|---|---|---|---|---|---|---|")
    anchors = []
    for s, rate in RATES:
        normal = mu + sd * normal_quantile(rate)
        d = min(empirical, normal) if rate == 1e-3 else normal
        if rate * len(diff) < 1:
            how = "normal tail (extrapolated)"
        else:
            how = "%s (empirical %.4f, normal %.4f)" % ("normal" if normal < empirical else "empirical", empirical, normal)
        ns = sum(x < d for x in same)
        nd = sum(x < d for x in diff)
        print("| %d | 1/%d | %.4f | %s | %.4f | %d/%d | %d/%d |" % (s, round(1 / rate), d, how, ns / len(same), ns, len(same), nd, len(diff)))
        anchors.append((round(d, 4), float(s)))
    print("\nANCHORS = %s  (scripts/similarity_curve.py; Similarity.swift's `anchors`)" % sorted(anchors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
