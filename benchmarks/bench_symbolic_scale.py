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

The ~1,000-parameter net (10-30-20-1 with biases, 971 parameters, 247,356 block entries): each side may
stop after a budget, its time to every entry then extrapolated from the entries done, and the exact
comparison then covers at most CHECK_CAP entries both computed (it costs more than either side: about
0.1 s an entry).  Measured on the shared machine: ours expanded all entries in 15.5 s, SymEngine 110,504
of them in 60 s (about 134 s for all), 2,000 entries compared exactly, all equal.

Run: ``python benchmarks/bench_symbolic_scale.py`` (about 15-20 minutes), ``--quick`` (under a minute).
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
EXPANDED = [(3, 4, 4, 2), (4, 6, 6, 2), (6, 10, 10, 2), (8, 12, 12, 2), (10, 30, 20, 1)]
QUICK_EXPANDED = [(3, 4, 4, 2), (4, 6, 6, 2)]
#: seconds each side may spend on one net before its time is extrapolated from the entries done
BUDGET, QUICK_BUDGET = 120.0, 5.0


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
def _upper(net):
    """(layer, i, j) of every upper-triangle entry of every layer block, in order."""
    return [(l, i, j) for l in range(1, net.depth + 1) for i in range(net.layer_size(l))
            for j in range(i, net.layer_size(l))]


def symengine_entries(net, se, deadline):
    """The layer-block entries by SymEngine: composed loss in symengine symbols, diff twice entry by entry.

    Stops at ``deadline`` (time.perf_counter()); returns {(l, i, j): entry} of the entries done."""
    S = lambda s: se.Symbol(s.name)
    a = [S(s) for s in input_symbols(net)]
    for l in range(1, net.depth + 1):
        W = weight_symbols(net, l)
        h = [se.add(*([S(W[i, j]) * a[j] for j in range(W.cols)] + ([S(bias_symbols(net, l)[i])] if net.bias else [])))
             for i in range(W.rows)]
        a = [se.tanh(v) for v in h] if l < net.depth else h
    E = se.add(*[(ai - S(yi)) ** 2 for ai, yi in zip(a, target_symbols(net))]) / 2
    params = [S(p) for p in parameter_symbols(net)]
    out, first = {}, {}
    for l, i, j in _upper(net):
        ps = params[net.layer_slice(l)]
        if (l, i) not in first:
            first[(l, i)] = se.diff(E, ps[i])
        out[(l, i, j)] = se.diff(first[(l, i)], ps[j])
        if time.perf_counter() > deadline:
            break
    return out


def expanded_entries(net, deadline):
    """The layer-block entries of the structured form expanded into the weights (as ``LayerBlock.expand``),
    entry by entry until ``deadline``.  Returns (seconds to expand the named quantities, {(l, i, j): entry})."""
    st._structured.cache_clear()
    start = time.perf_counter()
    sh = st.structured_hessian(net)
    expansions = sh._expansions  # every named quantity in weights, biases, x and y (the bulk of the work)
    named = {l: sh.block(l).named() for l in range(1, net.depth + 1)}
    setup = time.perf_counter() - start
    out = {}
    for l, i, j in _upper(net):
        out[(l, i, j)] = named[l][i, j].xreplace(expansions)
        if time.perf_counter() > deadline:
            break
    return setup, out


def _memo_subs(e, point, cache):
    """``e.xreplace(point)`` over the expression DAG, each shared subexpression once (xreplace walks the tree,
    which is exponential in depth for expanded Hessian entries)."""
    r = cache.get(e)
    if r is None:
        if e in point:
            r = point[e]
        elif not e.args:
            r = e
        else:
            r = e.func(*[_memo_subs(a, point, cache) for a in e.args])
        cache[e] = r
    return r


def _to_symengine(e, se, cache):
    """A SymPy number expression (rationals, +, *, **, tanh) as SymEngine, each shared subexpression once."""
    r = cache.get(e)
    if r is None:
        if e.is_Integer or e.is_Rational:
            r = se.Rational(int(e.p), int(e.q))
        elif e.is_Add:
            r = se.add(*[_to_symengine(a, se, cache) for a in e.args])
        elif e.is_Mul:
            r = se.Mul(*[_to_symengine(a, se, cache) for a in e.args])
        elif e.is_Pow:
            r = _to_symengine(e.base, se, cache) ** _to_symengine(e.exp, se, cache)
        elif isinstance(e, sp.tanh):
            r = se.tanh(_to_symengine(e.args[0], se, cache))
        else:
            r = se.sympify(e)
        cache[e] = r
    return r


def rational_point(net, seed=0):
    rng = random.Random(seed)
    return {p: sp.Rational(rng.randint(-9, 9), rng.randint(2, 9))
            for p in list(parameter_symbols(net)) + list(input_symbols(net)) + list(target_symbols(net))}


#: most entries compared exactly for a net that did not finish within the budget (the comparison costs more
#: than either side there)
CHECK_CAP = 2000


def equal_at_point(ours, theirs, point, se, cap=None):
    """Every common entry of ours and SymEngine's equal at ``point``, exactly (the difference expands to 0
    in SymEngine; tanh of a rational stays a symbolic atom).  Returns (all equal, entries compared)."""
    se_point = {se.Symbol(k.name): se.Rational(int(v.p), int(v.q)) for k, v in point.items()}
    checked, subs_cache, se_cache = 0, {}, {}
    for key in ours:
        if key not in theirs:
            continue
        if cap is not None and checked >= cap:
            break
        mine = _to_symengine(_memo_subs(ours[key], point, subs_cache), se, se_cache)
        if se.expand(mine - theirs[key].subs(se_point)) != 0:
            return False, checked
        checked += 1
    return True, checked


def _rate_cell(t, done, total, setup=0.0):
    """The time, or for a partial run the extrapolated time to all entries (a one-off ``setup`` not scaled)."""
    if done == total:
        return "%.3f" % t, t
    estimate = setup + (t - setup) * total / max(done, 1)
    return "~%.0f (%d/%d)" % (estimate, done, total), estimate


def symengine_table(nets, budget):
    try:
        import symengine as se
    except ImportError:
        print("(ii) skipped: SymEngine is not installed (pip install -e .[bench])")
        return
    print("(ii) Expanded layer blocks vs SymEngine (%s) differentiating the composed loss, tanh, biases (seconds)"
          % se.__version__)
    print("%-12s %7s %9s %22s %22s %8s %24s %8s" % ("widths", "params", "entries", "ours expanded", "SymEngine",
                                                  "ratio", "equal at a rational pt", "check s"))
    for widths in nets:
        net = Net(widths=widths, activation="tanh", bias=True)
        total = len(_upper(net))
        start = time.perf_counter()
        setup, ours = expanded_entries(net, start + budget)
        t_ours = time.perf_counter() - start
        start = time.perf_counter()
        theirs = symengine_entries(net, se, start + budget)
        t_se = time.perf_counter() - start
        partial = len(ours) < total or len(theirs) < total
        t_check, (same, checked) = timed(lambda: equal_at_point(ours, theirs, rational_point(net), se,
                                                                CHECK_CAP if partial else None))
        (c_ours, e_ours), (c_se, e_se) = _rate_cell(t_ours, len(ours), total, setup), _rate_cell(t_se, len(theirs), total)
        verdict = "yes (%d entries)" % checked if same else "NO (entry %d differs)" % checked
        print("%-12s %7d %9d %22s %22s %7.2fx %24s %8.1f" % ("-".join(map(str, widths)), net.n_params, total, c_ours,
                                                           c_se, e_ours / e_se, verdict, t_check), flush=True)
    print("entries = upper-triangle entries of all layer blocks; ratio = ours / SymEngine (> 1: SymEngine faster);")
    print("~T (done/total): stopped after a budget of %.0f s, T extrapolated linearly to every entry (entries of"
          % budget)
    print("later layers are cheaper, so this overestimates; ours: the one-off expansion of the named quantities is")
    print("not scaled); the comparison covers the entries both computed (at most %d then); check s = its time."
          % CHECK_CAP)


def main(argv):
    quick = "--quick" in argv
    scale_table(QUICK_SCALE if quick else SCALE)
    symengine_table(QUICK_EXPANDED if quick else EXPANDED, QUICK_BUDGET if quick else BUDGET)


if __name__ == "__main__":
    main(sys.argv[1:])
