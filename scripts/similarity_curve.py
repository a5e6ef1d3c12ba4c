"""facescan's Similarity scale, for the scripts that turn Similarity back into descriptor distance.

The same anchors as Sources/FaceScan/Recognition/Similarity.swift (a Swift test checks that they agree):
logit(Similarity / 100) is piecewise linear in the descriptor distance d through the anchors
(distance, Similarity), and continues with the slope of the nearest segment beyond the first and last.
"""
import math

# (distance, Similarity), nearest first. Fitted by scripts/fit_similarity.py.
ANCHORS = [(0.4540, 99.0), (0.5231, 90.0), (0.5651, 80.0)]


def _logit(p):
    return math.log(p / (100 - p))


def _segment(i):
    (d0, s0), (d1, s1) = ANCHORS[i], ANCHORS[i + 1]
    slope = (_logit(s1) - _logit(s0)) / (d1 - d0)
    return d0, _logit(s0), slope


def similarity(d):
    """Similarity (0-100) for descriptor distance d."""
    i = 0
    while i < len(ANCHORS) - 2 and d > ANCHORS[i + 1][0]:
        i += 1
    d0, l0, slope = _segment(i)
    z = l0 + slope * (d - d0)
    return 100 / (1 + math.exp(-max(min(z, 80), -80)))


def distance(s):
    """The descriptor distance a Similarity stands for (the inverse of `similarity`)."""
    s = min(max(s, 1e-9), 100 - 1e-9)
    z = _logit(s)
    i = 0
    while i < len(ANCHORS) - 2 and z < _logit(ANCHORS[i + 1][1]):
        i += 1
    d0, l0, slope = _segment(i)
    return d0 + (z - l0) / slope
