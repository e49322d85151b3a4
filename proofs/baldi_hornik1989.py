"""Claims resting on Baldi & Hornik, "Neural networks and principal component analysis: learning from
examples without local minima", Neural Networks 2(1):53-58 (1989), and their worked example
(X = I_3, Y = diag(3, 2, 1), so Sigma = diag(9, 4, 1) and tr YY^T = 14; 1/2-convention).

The sources the catalog reads quote only the paper's conclusion (every local minimum is global for
H = 1, p < d_y = d_x); every statement below except ``classification`` is this project's own
derivation from the paper (``origin="derived"``), and the worked values are computed, not quoted.
"""

import itertools
import random
from math import comb

import mpmath
import sympy as sp

from lossgeom.models import cayley_rotated, equal_subset_sums, linear_oracle, random_linear_data
from lossgeom.net import Net
from lossgeom.numeric.critical import enumerate_critical_points, subset_weights
from lossgeom.numeric.linear import linear_gradient, linear_hessian, linear_loss
from lossgeom.numeric.spectrum import exact_inertia
from lossgeom.point import resolve_point
from lossgeom.symbolic import linear as lin

from .claim import register_claim
from .evidence import Evidence

ORDER = 25

SOURCE = "Baldi & Hornik (1989), Neural Networks 2(1):53-58 [RECALLED]"
#: the source field of claims whose statement this project derived from the paper
DERIVED = SOURCE + "; statement derived by lossgeom (not printed in the sources)"

__all__ = ["ORACLE_VALUES", "ORACLE_SPECTRUM"]

#: the worked example's critical values per subset I (1-based), 1/2-convention: 1/2 (14 - sum_{i in I} lambda_i)
ORACLE_VALUES = {1: {(): 7, (1,): sp.Rational(5, 2), (2,): 5, (3,): sp.Rational(13, 2)},
                 2: {(1, 2): sp.Rational(1, 2), (1, 3): 2, (2, 3): sp.Rational(9, 2)}}
#: the worked example's Hessian spectrum of the 3-1-3 net at I = {1} (C = 1), to 3 decimals
ORACLE_SPECTRUM = ("0", "0.528", "0.877", "9.123", "9.472", "10")
#: decimals the spectrum is stated to: agreement means within half a unit of the last one
ORACLE_DECIMALS = 3


@register_claim("baldi_hornik1989.critical-form", DERIVED, origin="derived",
                scope="X=I_3, Y=diag(3,2,1) and the Cayley-rotated data, widths 3-p-3 for p = 1, 2, every subset I "
                      "of size p, one seeded random invertible integer C per (I, p)",
                statement=r"A = U_{\mathcal I}C,\ B = C^{-1}U_{\mathcal I}^T\Sigma_{YX}\Sigma_{XX}^{-1} \text{ is critical for "
                r"every } |\mathcal I| = p,\ C \in GL(p)", assumptions=("exact data; random invertible rational C",),
                method="symbolic", title="A = U_I C, B = C^{-1} U_I^T S_YX S_XX^{-1} is a critical point (exact)")
def _form(dps, seed):
    rng = random.Random(seed)
    instances = [("oracle", *linear_oracle()), ("Cayley-rotated", *cayley_rotated())]
    checked, bad = 0, []
    for name, X, Y in instances:
        e = lin.sigma_eigen(Net(widths=(3, 3)), X, Y)
        M = Y * X.T * (X * X.T).inv()
        for p in (1, 2):
            for I in itertools.combinations(range(3), p):
                C = sp.zeros(p, p)
                while C.det() == 0:
                    C = sp.Matrix(p, p, lambda i, j: rng.randint(-3, 3))
                net = Net(widths=(3, p, 3))
                W = subset_weights(net, e.eigenvectors, M, I, C=C)
                g = linear_gradient(net, resolve_point(net, W, X=X, Y=Y), "exact")
                checked += 1
                if any(sp.simplify(v) != 0 for v in g):
                    bad.append((name, I, str(C.tolist())))
    return Evidence("instances", "exact gradient = 0 at A = U_I C, B = C^{-1} U_I^T M for every I, on the stated "
                    "instances and random C", facts={"points checked": checked,
                                                     "instances": [i[0] for i in instances]},
                    counterexample={"instances": bad} if bad else None)


@register_claim("baldi_hornik1989.worked-critical-values", DERIVED + ", worked example", origin="derived",
                scope="the worked example only: X=I_3, Y=diag(3,2,1) at widths 3-1-3 and 3-2-3, every canonical "
                      "critical point",
                statement=r"E = \tfrac12(\mathrm{tr}\,YY^T - \sum_{i\in\mathcal I}\lambda_i):\ p=1: \{7, 2.5, 5, 6.5\},\ "
                r"p=2: \{0.5, 2, 4.5, \dots\}", assumptions=("X = I_3, Y = diag(3,2,1)",), method="symbolic",
                title="worked oracle critical values, exactly (loss at the exact critical weights)")
def _values(dps, seed):
    X, Y = linear_oracle()
    got, bad = {}, []
    for p, expected in ORACLE_VALUES.items():
        net = Net(widths=(3, p, 3))
        cs = enumerate_critical_points(net, X, Y, dps=dps, classify=False)
        for pt in cs.points:
            loss = linear_loss(net, resolve_point(net, pt.weights, X=X, Y=Y), "exact")
            got[str(pt.subset)] = str(loss)
            if pt.subset in expected and (loss != expected[pt.subset] or pt.value != loss):
                bad.append((p, pt.subset, str(loss)))
        missing = set(expected) - {pt.subset for pt in cs.points}
        bad += [(p, s, "missing") for s in missing]
    if bad:
        return Evidence("witness", "exact loss", facts=got, counterexample={"mismatches": bad})
    return Evidence("witness", "exact loss at the exact critical weights equals the stated values and the formula "
                    "1/2 (tr YY^T - sum_{i in I} lambda_i)", facts={"values (subset: loss)": got})


@register_claim("baldi_hornik1989.critical-value-count", DERIVED + ", enumeration of the critical values",
                origin="derived",
                scope="a counterexample to the project's own count formula: X=I_3, Y=diag(5,4,3) at 3-2-3 (the "
                      "worked example at 3-p-3, p = 1, 2, 3, agrees with it); not a statement of the paper",
                statement=r"\#\{\text{critical values}\} = \sum_{k=0}^{p}\binom{d_y}{k}",
                assumptions=("distinct positive eigenvalues of Sigma",),
                method="construction", expect="fails",
                title="number of distinct critical values = sum_{k<=p} C(d_y, k) (fails: equal subset sums)")
def _count(dps, seed):
    """Holds on the worked oracle, but distinct eigenvalues do not make the subset sums distinct:
    X = I_3, Y = diag(5, 4, 3) has eigenvalues 25, 16, 9 and 25 = 16 + 9, so with p = 2 the subsets {1}
    and {2, 3} share a critical value.  The count is right when all subset sums are distinct."""
    ev = {}
    X, Y = linear_oracle()
    for p in (1, 2, 3):
        cs = enumerate_critical_points(Net(widths=(3, p, 3)), X, Y, dps=dps, classify=False)
        ev["oracle p=%d" % p] = "%d distinct values (formula %d)" % (len(cs.values()), sum(comb(3, k)
                                                                                         for k in range(p + 1)))
    X, Y = equal_subset_sums()
    assumptions = lin.check_assumptions(Net(widths=(3, 2, 3)), X, Y)
    cs = enumerate_critical_points(Net(widths=(3, 2, 3)), X, Y, dps=dps, classify=False)
    n, want = len(cs.values()), sum(comb(3, k) for k in range(3))
    ev["corrected statement"] = "the count equals the formula when all sums of at most p eigenvalues are distinct"
    if assumptions.distinct_eigenvalues is True and n != want:
        return Evidence("witness", "exact critical values of an exact counterexample", facts=ev, counterexample={
                          "X": "I_3", "Y": "diag(5, 4, 3)", "p": 2, "Sigma eigenvalues": "25, 16, 9 (distinct)",
                          "distinct critical values": n, "formula": want,
                          "coinciding": "subsets {1} and {2,3}: 1/2(50 - 25) = 1/2(50 - 16 - 9) = 25/2"})
    return Evidence("witness", "the counterexample did not reproduce", facts=ev,
                    undecided=("the counterexample X = I_3, Y = diag(5, 4, 3)",))


@register_claim("baldi_hornik1989.classification", SOURCE,
                r"\mathcal I = \{1..p\} \text{ is the global minimum; every other } \mathcal I \text{ gives a saddle}",
                scope="the canonical critical points of X=I_3, Y=diag(3,2,1) at 3-1-3 and 3-2-3 (within the paper's "
                      "hypothesis p < d_y = d_x) and of seeded random integer data at 4-2-3 (d_x > d_y: a "
                      "Kawaguchi-style generalisation, outside that hypothesis)",
                assumptions=("instances: the oracle (p = 1, 2) and random integer data (d_x = 4, d_y = 3, p = 2)",),
                method="numeric", title="I = {1..p} global minimum, every other subset a saddle (50-digit inertia)")
def _classification(dps, seed):
    instances = [("oracle p=1", *linear_oracle(), (3, 1, 3)), ("oracle p=2", *linear_oracle(), (3, 2, 3)),
                 ("random", *random_linear_data(seed + 21, 4, 3, 6), (4, 2, 3))]
    ev, bad = {}, []
    for name, X, Y, widths in instances:
        cs = enumerate_critical_points(Net(widths=widths), X, Y, dps=dps)
        p = widths[1]
        for pt in cs.points:
            want = "global minimum" if pt.subset == tuple(range(1, p + 1)) else "saddle"
            if pt.classification != want:
                bad.append((name, pt.subset, pt.classification))
        ev[name] = {str(pt.subset): "%s (neg=%d, zero=%d)" % (pt.classification, pt.inertia.negative,
                                                              pt.inertia.zero) for pt in cs.points}
    return Evidence("numeric", "Hessian inertia at %d digits; values compared exactly with the global minimum "
                    "value" % dps, digits=dps, facts=ev, counterexample={"points": bad} if bad else None)


@register_claim("baldi_hornik1989.worked-hessian-spectrum", DERIVED + ", worked example", origin="derived",
                scope="the worked example only: X=I_3, Y=diag(3,2,1) at 3-1-3, the critical points I = {1}, {2}, {3}",
                statement=r"\mathrm{spec}\,\nabla^2E|_{\mathcal I=\{1\}} = \{0, 0.528, 0.877, 9.123, 9.472, 10\};\ "
                r"\#\lambda<0 = 0, 1, 2 \text{ at } \mathcal I = \{1\},\{2\},\{3\}",
                assumptions=("X = I_3, Y = diag(3,2,1), A in R^{3x1}, B in R^{1x3}, C = 1",), method="numeric",
                title="3-1-3 Hessian spectrum at I={1} and negative counts 0, 1, 2 (exact inertia too)")
def _spectrum(dps, seed):
    X, Y = linear_oracle()
    net = Net(widths=(3, 1, 3))
    cs = enumerate_critical_points(net, X, Y, dps=dps)
    pts = {pt.subset: pt for pt in cs.points}
    spec = pts[(1,)].eigenvalues
    with mpmath.workdps(dps):
        err = max(abs(a - mpmath.mpf(b)) for a, b in zip(spec, ORACLE_SPECTRUM))
        half_unit = mpmath.mpf(10) ** -ORACLE_DECIMALS / 2
    negs = [pts[(i,)].inertia.negative for i in (1, 2, 3)]
    exact_negs = [exact_inertia(linear_hessian(net, resolve_point(net, pts[(i,)].weights, X=X, Y=Y), "exact")).negative
                  for i in (1, 2, 3)]
    ev = {"spectrum at I={1}": [mpmath.nstr(e, 12) for e in spec], "max deviation from the stated values (3 decimals)":
          mpmath.nstr(err, 3), "negative eigenvalues at {1},{2},{3}": negs, "exact inertia (Descartes)": exact_negs,
          "most negative at I={2}": mpmath.nstr(pts[(2,)].eigenvalues[0], 12)}
    bad = negs != [0, 1, 2] or exact_negs != [0, 1, 2] or err > half_unit
    return Evidence("numeric", "eigenvalues at %d digits (agree with the stated 3 decimals); negative counts also "
                    "exact (Descartes' rule)" % dps, digits=dps, facts=ev, counterexample=dict(ev) if bad else None)


def _pairs(subset, dy):
    I = [i - 1 for i in subset]
    return sum(1 for i in I for j in range(dy) if j not in I and j < i)


@register_claim("baldi_hornik1989.negative-eigenvalue-count", DERIVED + ", a pattern observed on the worked example",
                origin="derived",
                scope="the full-rank canonical critical points of X=I_3, Y=diag(3,2,1) at 3-1-3 and 3-2-3 and of 3 "
                      "seeded random integer data sets (d_x in 3..4, d_y <= d_x, p < d_y)",
                statement=r"|\mathcal I| = p:\ \#\{\lambda(\nabla^2E) < 0\} = \#\{(i\in\mathcal I, j\notin\mathcal I): "
                r"\lambda_j > \lambda_i\}", assumptions=("shallow nets, full-rank critical points, distinct positive "
                                                       "eigenvalues; the oracle and random integer data",),
                method="numeric", title="negative Hessian eigenvalues = #{(i in I, j not in I): lambda_j > lambda_i}")
def _pattern(dps, seed):
    rng = random.Random(seed)
    instances = [("oracle p=1", *linear_oracle(), (3, 1, 3)), ("oracle p=2", *linear_oracle(), (3, 2, 3))]
    for t in range(3):
        dx = rng.randint(3, 4)
        dy = rng.randint(2, dx)
        p = rng.randint(1, dy - 1)
        instances.append(("random %d" % t, *random_linear_data(seed * 10 + t, dx, dy, dx + 2), (dx, p, dy)))
    ev, bad, extra = {}, [], []
    for name, X, Y, widths in instances:
        cs = enumerate_critical_points(Net(widths=widths), X, Y, dps=dps, ranks="all")
        dy, p = widths[-1], widths[1]
        for pt in cs.points:
            k = len(pt.subset)
            want = _pairs(pt.subset, dy)
            if k == p and pt.inertia.negative != want:
                bad.append((name, pt.subset, pt.inertia.negative, want))
            if k < p and pt.inertia.negative != want + (p - k) * (dy - k):
                extra.append((name, pt.subset))
        ev[name] = {"widths": str(widths), "full-rank points": sum(len(pt.subset) == p for pt in cs.points)}
    details = ("Rank-deficient points (|I| = k < p) follow #neg = #{pairs} + (p - k)(d_y - k) on these instances%s."
               % ("" if not extra else " except %s" % extra),)
    return Evidence("numeric", "Hessian inertia at %d digits on every full-rank critical point" % dps, digits=dps,
                    facts=ev, details=details, counterexample={"points": bad} if bad else None)
