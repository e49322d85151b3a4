"""Enumerate and classify every full-rank critical point of a shallow linear net, 50 digits vs float64.

d_x = d_y = 8, p = 4: C(8, 4) = 70 eigenvector subsets, each with a 64 x 64 Hessian (closed form, one
numeric pass) and its inertia.  Target: the 50-digit run under 60 s.  Run:

    /work/venv/bin/python benchmarks/bench_linear.py
"""

import random
import time

import sympy as sp

from lossgeom import Net
from lossgeom.numeric.critical import enumerate_critical_points


def data(seed=0, dx=8, dy=8, m=12):
    rng = random.Random(seed)
    X = sp.Matrix(dx, m, lambda i, j: rng.randint(-3, 3))
    Y = sp.Matrix(dy, m, lambda i, j: rng.randint(-3, 3))
    return X, Y


def run(dps):
    X, Y = data()
    start = time.perf_counter()
    cs = enumerate_critical_points(Net(widths=(8, 4, 8)), X, Y, dps=dps, ranks="full")
    return time.perf_counter() - start, cs


def main():
    rows, sets = [], []
    for dps in ("float64", 50):
        seconds, cs = run(dps)
        sets.append(cs)
        counts = {}
        for p in cs.points:
            counts[p.classification] = counts.get(p.classification, 0) + 1
        rows.append((str(dps), len(cs.points), seconds, counts))
    print("%-8s %8s %10s  %s" % ("dps", "points", "seconds", "classifications"))
    for dps, n, s, c in rows:
        print("%-8s %8d %10.2f  %s" % (dps, n, s, ", ".join("%s: %d" % kv for kv in sorted(c.items()))))
    print("ratio 50 digits / float64: %.1f" % (rows[1][2] / rows[0][2]))
    agree = sum((a.inertia.positive, a.inertia.negative, a.inertia.zero) ==
                (b.inertia.positive, b.inertia.negative, b.inertia.zero) for a, b in zip(*[s.points for s in sets]))
    print("inertia identical in both runs: %d of %d points" % (agree, len(sets[0].points)))
    print("target: 50-digit run under 60 s: %s" % ("met" if rows[1][2] < 60 else "NOT met"))


if __name__ == "__main__":
    main()
