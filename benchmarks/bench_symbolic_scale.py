"""Symbolic layer blocks at scale: the structured form up to 10^4 parameters, and expanded blocks against SymEngine.

Prints, in one run:

(i) ``structured_hessian`` (symbolic/structured.py) on tanh nets of growing size, up to and past 10^4
    parameters: the time to build every U_l and H_l equation and the factors of every layer block
    (the blocks stay lazy Kronecker products), the number of terms, the number of entries the blocks
    would have if formed, and the time of the named recursion of symbolic/hessian.py
    (``derive_hessian``: every H_l entry written out as B W^T H W B + D) where it is small enough to run.
    Target: the largest net under 10 s, >= 10^4 parameters.

(ii) Expanded blocks (every named quantity substituted: expressions in weights, biases, x and y) against
     SymEngine (a C++ CAS, the ``bench`` extra): the composed loss built with ``symengine`` symbols and
     differentiated twice, entry by entry (``symengine.diff``, upper triangle of every layer block).  Both
     times, their ratio, and whether the results are equal: a rational point is substituted into both and
     every entry compared exactly (the difference, in SymEngine, expands to 0; tanh of rationals stays
     symbolic, so this is an identity in those atoms, not a float comparison).

Run: ``python benchmarks/bench_symbolic_scale.py`` (several minutes), ``--quick`` (under a minute).
Requires ``pip install -e .[bench]`` for (ii).
"""

import random
import sys
import time

import sympy as sp

from lossgeom import Net
from lossgeom.symbolic import hessian as hs
from lossgeom.symbolic import structured as st
from lossgeom.symbolic.forward import bias_symbols, input_symbols, parameter_symbols, target_symbols, weight_symbols

SCALE = [(3, 4, 4, 2), (10, 30, 20, 1), (20, 40, 40, 2), (30, 60, 40, 2), (40, 80, 50, 2), (50, 100, 50, 2),
         (100, 100, 2), (60, 60, 60, 60, 2)]
QUICK_SCALE = [(3, 4, 4, 2), (10, 30, 20, 1), (100, 100, 2), (50, 100, 50, 2)]
#: the named recursion of hessian.py is run up to this many estimated terms (its cost is several times ours)
NAMED_UP_TO = 150000
EXPANDED = [(3, 4, 4, 2), (4, 6, 6, 2), (6, 10, 10, 2), (8, 12, 12, 2)]
QUICK_EXPANDED = [(3, 4, 4, 2), (4, 6, 6, 2)]


def timed(func):
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def structured_build(net):
    st._structured.cache_clear()
    sh = st.structured_hessian(net)
    sh.equations  # noqa: B018 - builds every equation (cached_property)
    return sh, [G.factors() for G in sh.blocks()]


def named_build(net):
    hs._derive.cache_clear()
    rec = hs.derive_hessian(net)
    rec.equations  # noqa: B018
    return rec


def scale_table(nets):
    print("(i) Structured layer blocks of tanh nets, square loss, one sample, no biases (times in seconds)")
    print("%-16s %7s %9s %14s %11s %12s %8s" % ("widths", "params", "terms", "block entries", "structured",
                                                "named (hs.)", "ratio"))
    best = None
    for widths in nets:
        net = Net(widths=widths, activation="tanh")
        t_st, (sh, _) = timed(lambda: structured_build(net))
        entries = sum(G.shape[0] ** 2 for G in sh.blocks())
        if st.estimated_terms(net) <= NAMED_UP_TO:
            t_named, _ = timed(lambda: named_build(net))
            named, ratio = "%12.3f" % t_named, "%7.1fx" % (t_named / t_st)
        else:
            named, ratio = "%12s" % "-", "%8s" % "-"
        print("%-16s %7d %9d %14.3g %11.3f %s %s" % ("-".join(map(str, widths)), net.n_params, sh.n_terms, entries,
                                                     t_st, named, ratio), flush=True)
        if t_st < 10 and (best is None or net.n_params > best[1]):
            best = (widths, net.n_params, t_st)
    print("terms = summands of the U_l and H_l equations; block entries = sum_l (size of G_l)^2, never formed.")
    print("ratio = named recursion of symbolic/hessian.py / structured ('-': not run, above %d terms)." % NAMED_UP_TO)
    print("Largest net built under 10 s: %s, %d parameters, %.2f s (target >= 10^4 parameters)."
          % ("-".join(map(str, best[0])), best[1], best[2]) if best else "No net built under 10 s.")
    print()


# -- SymEngine -------------------------------------------------------------------------------------
def symengine_blocks(net, se):
    """The layer blocks by SymEngine: composed loss in symengine symbols, diff twice entry by entry."""
    S = lambda s: se.Symbol(s.name)
    a = [S(s) for s in input_symbols(net)]
    for l in range(1, net.depth + 1):
        W = weight_symbols(net, l)
        h = [se.add(*([S(W[i, j]) * a[j] for j in range(W.cols)] + ([S(bias_symbols(net, l)[i])] if net.bias else [])))
             for i in range(W.rows)]
        a = [se.tanh(v) for v in h] if l < net.depth else h
    E = se.add(*[(ai - S(yi)) ** 2 for ai, yi in zip(a, target_symbols(net))]) / 2
    params = [S(p) for p in parameter_symbols(net)]
    blocks = []
    for l in range(1, net.depth + 1):
        ps = params[net.layer_slice(l)]
        first = [se.diff(E, p) for p in ps]
        n = len(ps)
        M = [[None] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                M[i][j] = M[j][i] = se.diff(first[i], ps[j])
        blocks.append(M)
    return blocks


def expanded_blocks(net):
    st._structured.cache_clear()
    sh = st.structured_hessian(net)
    return [G.expand(force=True) for G in sh.blocks()]


def rational_point(net, seed=0):
    rng = random.Random(seed)
    return {p: sp.Rational(rng.randint(-9, 9), rng.randint(2, 9))
            for p in list(parameter_symbols(net)) + list(input_symbols(net)) + list(target_symbols(net))}


def equal_at_point(ours, theirs, point, se):
    """Every entry of our expanded blocks equals SymEngine's at ``point``, exactly (difference expands to 0)."""
    se_point = {se.Symbol(k.name): se.Rational(int(v.p), int(v.q)) for k, v in point.items()}
    checked = 0
    for A, B in zip(ours, theirs):
        for i in range(A.rows):
            for j in range(i, A.cols):
                mine = se.sympify(A[i, j].xreplace(point))
                other = B[i][j].xreplace(se_point) if hasattr(B[i][j], "xreplace") else B[i][j].subs(se_point)
                if se.expand(mine - other) != 0:
                    return False, checked
                checked += 1
    return True, checked


def symengine_table(nets):
    try:
        import symengine as se
    except ImportError:
        print("(ii) skipped: SymEngine is not installed (pip install -e .[bench])")
        return
    print("(ii) Expanded layer blocks vs SymEngine (%s) differentiating the composed loss, tanh, biases (seconds)"
          % se.__version__)
    print("%-12s %7s %9s %13s %11s %8s %22s" % ("widths", "params", "entries", "ours expanded", "SymEngine",
                                              "ratio", "equal at a rational pt"))
    for widths in nets:
        net = Net(widths=widths, activation="tanh", bias=True)
        t_ours, ours = timed(lambda: expanded_blocks(net))
        t_se, theirs = timed(lambda: symengine_blocks(net, se))
        entries = sum(G.rows * (G.rows + 1) // 2 for G in ours)
        same, checked = equal_at_point(ours, theirs, rational_point(net), se)
        print("%-12s %7d %9d %13.3f %11.3f %7.2fx %22s" % ("-".join(map(str, widths)), net.n_params, entries, t_ours,
                                                         t_se, t_ours / t_se, "yes (%d entries)" % checked if same
                                                         else "NO (entry %d differs)" % checked), flush=True)
    print("entries = upper-triangle entries of all layer blocks; ratio = ours / SymEngine (> 1: SymEngine faster).")


def main(argv):
    quick = "--quick" in argv
    scale_table(QUICK_SCALE if quick else SCALE)
    symengine_table(QUICK_EXPANDED if quick else EXPANDED)


if __name__ == "__main__":
    main(sys.argv[1:])
