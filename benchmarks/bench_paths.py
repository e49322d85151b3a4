"""Benchmark of the activation-path graph: counting and enumerating paths.

Run:  python benchmarks/bench_paths.py

Prints one table, measured in one run:
- counting Psi for a net with 10^30 paths (30 layers of width 10), from the widths and by dynamic
  programming on the networkx graph; target under 10 ms;
- enumerating and adding up 10^6 paths of a ReLU net (6 weight layers of width 10, one output)
  against the exact forward pass; target at least 10^6 paths in under 5 s, with the two sums
  EXACTLY equal (integer weights; then rational weights and a leaky ReLU with slope 1/10, where
  the terms are scaled to integers by one common denominator).
The ratio column is target / measured (> 1 means the target is met).
"""

import random
import time
from fractions import Fraction

from lossgeom import Net
from lossgeom.numeric.graph import activation_pattern, build_graph, count_paths, iter_path_terms, sum_path_terms


def _best(fn, repeat):
    best, value = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t)
    return best, value


def _instance(net, rng, rational):
    def num():
        return Fraction(rng.randint(-9, 9), rng.randint(1, 9)) if rational else rng.randint(-9, 9)
    for _ in range(100):
        W = [[[num() for _ in range(net.widths[l - 1])] for _ in range(net.widths[l])] for l in range(1, net.depth + 1)]
        x = [num() for _ in range(net.widths[0])]
        pat = activation_pattern(net, W, x)
        if not pat.kinks:
            return W, x, pat
    raise RuntimeError("no kink-free instance")


def _fmt(secs):
    if secs < 1e-3:
        return "%.1f us" % (secs * 1e6)
    if secs < 1:
        return "%.2f ms" % (secs * 1e3)
    return "%.3f s" % secs


def main():
    rows = []
    big = Net(widths=(10,) * 30 + (1,))
    t, c = _best(lambda: count_paths(big), 50)
    rows.append(("count Psi from the widths", "%.3e" % c.total, t, 0.010,
                 "== 10^30: %s" % (c.total == 10 ** 30)))
    g = build_graph(big)
    t, c = _best(lambda: count_paths(g), 5)
    rows.append(("count Psi by DP on the graph (301 nodes)", "%.3e" % c.total, t, 0.010,
                 "== 10^30: %s" % (c.total == 10 ** 30)))

    rng = random.Random(0)
    cases = (("relu, integer weights", Net(widths=(10,) * 6 + (1,), activation="relu"), False),
             ("leaky 1/10, rational weights", Net(widths=(10,) * 6 + (1,),
                                                       activation={"name": "leaky_relu", "slope": "1/10"}), True))
    for label, net, rational in cases:
        W, x, pat = _instance(net, rng, rational)
        graph = build_graph(net, W)
        t_fwd, pat = _best(lambda: activation_pattern(net, W, x), 1)
        t, total = _best(lambda: sum_path_terms(graph, pat), 1)
        n = count_paths(graph).total
        agree = tuple(total) == tuple(pat.output)
        rows.append(("enumerate+sum, %s" % label, "%d" % n, t, 5.0,
                     "sum %s %s forward %s (forward pass %.3f s)" % (total[0], "==" if agree else "!=", pat.output[0],
                                                                     t_fwd)))
    _, net, _ = cases[0]
    W, x, pat = _instance(net, rng, False)
    graph = build_graph(net, W)
    t, k = _best(lambda: sum(1 for _ in iter_path_terms(graph, pat)), 1)
    rows.append(("iter_path_terms generator (relu)", "%d" % k, t, 5.0, "lazy, exact terms"))

    print("%-46s %10s %11s %9s %8s  %s" % ("task", "paths", "measured", "target", "ratio", "check"))
    for task, paths, secs, target, check in rows:
        print("%-46s %10s %11s %7.3f s %8.1f  %s" % (task, paths, _fmt(secs), target, target / secs, check))
    print("ratio = target / measured; every enumeration sum is compared EXACTLY (integers / fractions) "
          "with the exact forward pass.")


if __name__ == "__main__":
    main()
