"""Claims from Kawaguchi, "Deep Learning without Poor Local Minima" (NIPS 2016), as restated in
J. Zhang's lecture notes "Critical point behavior of deep networks" (2016).

Registered claims: the notes' vec/Kronecker properties 1-5 (two printed parts refuted), Lemma 1
(gradient) and the Hessian blocks against direct differentiation, Lemma 1's critical-point product,
Theorem 1 (i)-(iv) on data instances (assumptions decided exactly first), Corollary 2.4, the notes'
"bad saddle" W_1 = ... = W_H = 0 for H = 2, 3, 4, and the notes' two open questions answered
constructively (factorisation into the given widths; attainment of the global minimum).
"""

import random
from dataclasses import dataclass

import sympy as sp

from lossgeom.checks import check_int, check_matrix, check_sequence
from lossgeom.models import cayley_rotated, linear_oracle, random_linear_data, repeated_eigenvalue, wide_output_oracle
from lossgeom.net import Net
from lossgeom.numeric.critical import classify_point, enumerate_critical_points, hessian_inertia
from lossgeom.numeric.linear import linear_gradient, linear_hessian, linear_loss
from lossgeom.numeric.optimise import gradient_descent, random_weights
from lossgeom.numeric.spectrum import exact_inertia
from lossgeom.point import resolve_point
from lossgeom.precision import tolerance
from lossgeom.symbolic import linear as lin
from lossgeom.symbolic.factorization import factor_into_widths
from lossgeom.symbolic.general_proofs import claim_scope, general_proof
from lossgeom.symbolic.vec import (
    VEC_PROPERTIES,
    generalized_inverse,
    pinv,
    verify_printed_property_3b,
    verify_property_5b,
    verify_vec_properties,
)

from .claim import register_claim
from .evidence import Evidence, combine, from_general, from_report

ORDER = 20

SOURCE = "Kawaguchi (NIPS 2016) via Zhang's notes"

__all__ = ["TheoremInstance", "verify_theorem_instance", "verify_bad_saddle", "THEOREM_INSTANCES"]

#: (name, data factory, widths) for the theorem instances: the oracle (d_y > p), random integer data,
#: a Sigma with a repeated eigenvalue (the notes' Theorem 1 does not exclude it) and d_y <= p.
THEOREM_INSTANCES = (
    ("X=I_3, Y=diag(3,2,1), 3-2-3", linear_oracle, (3, 2, 3)),
    ("X=I_3, Y=diag(3,2,1), 3-2-2-3", linear_oracle, (3, 2, 2, 3)),
    ("random integer data, 4-2-1-3", lambda: random_linear_data(7, 4, 3, 6), (4, 2, 1, 3)),
    ("X=I_3, Y=diag(2,2,1) (repeated eigenvalue of Sigma), 3-2-3", repeated_eigenvalue, (3, 2, 3)),
    ("X=I_2, Y=diag(2,1) (d_y <= p), 2-3-2", wide_output_oracle, (2, 3, 2)),
)

#: the scope shared by the Theorem 1 claims
THEOREM_SCOPE = ("the data instances " + "; ".join(t[0] for t in THEOREM_INSTANCES) + " (both d_y > p and d_y <= p, "
                 "distinct and repeated eigenvalues of Sigma); only the canonical critical points (eigenvector-subset "
                 "points, zero-padded, as enumerated by lossgeom.numeric.critical), not the GL orbits or other "
                 "rank-deficient families, which only gradient descent from random starts probes")


# -- vec properties -------------------------------------------------------------------------------------

def _vec_claim(num):
    statement, _, configs = VEC_PROPERTIES[num]
    one_way = " (the direction R(A) in R(B) => BB^-A = A only; the notes state an equivalence)" if num == 5 else ""

    @register_claim("kawaguchi2016.vec-property-%d" % num, SOURCE + ", Sec. 1.2, property %d" % num, statement,
                    scope="generic matrices (distinct symbols) and generic rank-r matrices F G at the sizes of "
                          "symbolic.vec.VEC_PROPERTIES[%d]%s" % (num, one_way),
                    assumptions=("generic matrices (distinct symbols); generic rank-r matrices as F G",),
                    method="symbolic", title="notes' vec/Kronecker property %d on generic matrices%s" % (
                        num, ", one direction" if num == 5 else ""))
    def check(dps, seed):
        return from_report(verify_vec_properties([num]), basis="symbolic")
    return check


for _num in (1, 2, 3, 4, 5):
    _vec_claim(_num)


@register_claim("kawaguchi2016.vec-property-3-printed-order", SOURCE + ", Sec. 1.2, property 3 (second identity)",
                r"(A^TA)^-A^TAA^T = A^T \text{ for any generalised inverse}", method="construction", expect="fails",
                scope="one exact 2x1 matrix A and one exact {1}-inverse of A^TA",
                title="(A^TA)^- A^TA A^T = A^T fails for some {1}-inverse (holds for A^+)")
def _p3b(dps, seed):
    return from_report(verify_printed_property_3b(), basis="witness")


@register_claim("kawaguchi2016.vec-property-5-column-form", SOURCE + ", Sec. 1.2, property 5 (second equivalence)",
                r"\mathcal{R}(A)\subseteq\mathcal{R}(B) \iff A = [B_{\mathcal{I}_{\mathrm{rank}(A)}}, 0]G",
                method="construction", expect="fails",
                scope="one exact pair A, B with R(A) in R(B), every column selection of B (exhaustive)",
                title="column-selection form of R(A) in R(B) fails in general")
def _p5b(dps, seed):
    return from_report(verify_property_5b(), basis="witness")


# -- Lemma 1 and the Hessian blocks --------------------------------------------------------------------------

DERIVATIVE_WIDTHS = ((3, 2), (2, 3, 2), (2, 3, 1, 2))


def _derivatives():
    reps = [lin.verify_linear_derivatives(Net(widths=w), 2) for w in DERIVATIVE_WIDTHS]
    facts = {"depths": "1, 2, 3", "widths": [str(w) for w in DERIVATIVE_WIDTHS],
             "entries compared": sum(r.evidence["entries compared"] for r in reps),
             "forms": "vec(W_k) (column stacking, theta order) and vec(W_k^T) (Kawaguchi), related by K"}
    parts = [from_report(r, instance=str(w)).with_(facts={}) for r, w in zip(reps, DERIVATIVE_WIDTHS)]
    bad = [r for r in reps if r.outcome != "proved"]
    if bad:
        facts["failed"] = [r.evidence for r in bad]
    return combine(parts, method="exact expansion of (closed form - direct sympy.diff) to zero on generic symbolic "
                   "weights and data", facts=facts)


DERIVATIVE_SCOPE = "deep linear nets of widths %s (depth 1-3), generic symbolic weights and data with 2 samples" % (
    ", ".join("-".join(map(str, w)) for w in DERIVATIVE_WIDTHS))


@register_claim("kawaguchi2016.lemma1-gradient", SOURCE + ", Lemma 1 (paper Lemma 4.1)",
                r"(D_{\mathrm{vec}(W_k^T)}\bar L)^T = ((W_{H+1}\cdots W_{k+1})\otimes(W_{k-1}\cdots W_1X)^T)^T"
                r"\mathrm{vec}(r)", scope=claim_scope("deep-linear", DERIVATIVE_SCOPE),
                assumptions=("generic weights and data; depth 1-3",), method="symbolic",
                title="Lemma 1 Kronecker gradient = direct differentiation (depth 1-3)")
def _lemma1(dps, seed):
    """Primary: the general proof (every depth and width, other layers' products opaque); cross-check: depth 1-3."""
    return from_general(general_proof("deep-linear"), _derivatives(), DERIVATIVE_SCOPE)


@register_claim("kawaguchi2016.hessian-blocks", "Kawaguchi (NIPS 2016), Sec. 4 (the Hessian of the deep linear "
                "loss; the closed form is lossgeom's own derivation)",
                r"D_{\mathrm{vec}(W_k^T)}(D_{\mathrm{vec}(W_j^T)}\bar L)^T = (A_k^TA_j)\otimes(B_kB_j^T) + "
                r"[(A_k^TRB_j^T)\otimes W_{k-1}\cdots W_{j+1}]K_j",
                scope=claim_scope("deep-linear", DERIVATIVE_SCOPE), origin="derived",
                assumptions=("generic weights and data; depth 1-3", "the paper's printed form is UNCONFIRMED; "
                             "this is the toolkit's derived form"), method="symbolic",
                title="every Hessian block (diagonal and cross) = direct differentiation (depth 1-3)")
def _blocks(dps, seed):
    return from_general(general_proof("deep-linear"), _derivatives(), DERIVATIVE_SCOPE)


@register_claim("kawaguchi2016.lemma1-critical-product", SOURCE + ", Lemma 1 (consequence)",
                r"\nabla\bar L(W) = 0 \Rightarrow W_{H+1}\cdots W_1 = C(C^TC)^-C^TYX^T(XX^T)^{-1}",
                assumptions=("XX^T invertible", "checked at every enumerated critical point of exact instances, with "
                             "the Moore-Penrose and a second {1}-inverse"), method="symbolic",
                scope="the canonical critical points of " + "; ".join(t[0] for t in THEOREM_INSTANCES[:2]),
                title="product at critical points, exactly, with two generalised inverses")
def _critical_product(dps, seed):
    checked, bad = 0, []
    for name, data, widths in THEOREM_INSTANCES[:2]:
        X, Y = data()
        cs = enumerate_critical_points(Net(widths=widths), X, Y, dps=dps, classify=False)
        target = Y * X.T * (X * X.T).inv()
        for p in cs.points:
            W = [sp.Matrix(w) for w in p.weights]
            C = W[-1]
            for w in reversed(W[1:-1]):
                C = C * w
            prod = C * W[0]
            S = C.T * C
            Z = sp.Matrix(S.rows, S.cols, lambda i, j: i - 2 * j + 1)
            for G in (pinv(S), generalized_inverse(S, Z)):
                checked += 1
                if (C * G * C.T * target - prod).applyfunc(sp.simplify) != sp.zeros(*prod.shape):
                    bad.append((name, p.subset))
    return Evidence("instances", "exact equality at the enumerated exact critical points of the stated instances "
                    "(not a proof for every critical point)", instances=tuple(t[0] for t in THEOREM_INSTANCES[:2]),
                    facts={"comparisons": checked, "failed": bad} if bad else {"comparisons": checked},
                    counterexample={"instance": bad[0]} if bad else None)


@register_claim("kawaguchi2016.lemma2-second-order", SOURCE + ", Lemma 2 (second order)",
                r"\nabla^2\bar L \succeq 0 \text{ at a critical point} \Rightarrow "
                r"C(C^TC)^-C^T = U_{\bar p}U_{\bar p}^T "
                r"\lor Xr = 0;\ \mathrm{rank}(W_{H+1}\cdots W_k) \ge \mathrm{rank}(W_{k-1}\cdots W_2) \lor "
                r"XrW_{H+1}\cdots W_{k+1} = 0",
                assumptions=("every enumerated critical point with a PSD Hessian (50-digit inertia) of exact "
                             "instances, "
                             "and the notes' H = 3 bad saddle; conclusions decided exactly",), method="numeric",
                scope="the canonical critical points with a PSD Hessian of X=I_3, Y=diag(3,2,1) at widths 3-2-3, "
                      "3-2-2-3 and 3-2-1-2-3, and the notes' H = 3 bad saddle on seeded random data; only the "
                      "stated consequences (not the range inclusion, not the NSD case)",
                title="Lemma 2 at PSD critical points (global minima and bad saddles)")
def _lemma2(dps, seed):
    cases = []
    for name, data, widths in THEOREM_INSTANCES[:2] + (("X=I_3, Y=diag(3,2,1), 3-2-1-2-3", linear_oracle,
                                                          (3, 2, 1, 2, 3)),):
        X, Y = data()
        cs = enumerate_critical_points(Net(widths=widths), X, Y, dps=dps)
        U = sp.Matrix(lin.sigma_eigen(Net(widths=widths), X, Y).eigenvectors)
        for p in cs.points:
            if p.inertia.negative == 0:
                cases.append((name, p.subset, [sp.Matrix(w) for w in p.weights], X, Y, U))
    Xb, Yb = random_linear_data(11, 3, 2, 4)
    Wb = [sp.zeros(2, 3), sp.zeros(2, 2), sp.zeros(2, 2), sp.Matrix([[1, -2], [3, 1]])]
    cases.append(("bad saddle H=3", (), Wb, Xb, Yb, None))
    bad, rows = [], []
    for name, subset, W, X, Y, U in cases:
        H1 = len(W)
        C = lin.chain(W, H1, 2)
        r = (lin.chain(W, H1, 1) * X - Y).T
        Xr = X * r
        pbar = C.rank()
        proj = C * pinv(C.T * C) * C.T
        if U is None:
            Up = sp.zeros(C.rows, C.rows) if pbar == 0 else None
        else:
            Up = U[:, :pbar] * U[:, :pbar].T
        first = Up is not None and (proj - Up).applyfunc(sp.simplify) == sp.zeros(*proj.shape)
        ok = first or Xr == sp.zeros(*Xr.shape)
        for k in range(2, H1 + 1):
            rank_ok = lin.chain(W, H1, k).rank() >= lin.chain(W, k - 1, 2).rank()
            zero_ok = (Xr * lin.chain(W, H1, k + 1)).applyfunc(sp.simplify) == sp.zeros(Xr.rows, W[k - 1].rows)
            ok = ok and (rank_ok or zero_ok)
        rows.append("%s %s: pbar=%d" % (name, subset, pbar))
        if not ok:
            bad.append((name, subset))
    return Evidence("numeric", "PSD Hessians found at %d digits; both conclusions checked exactly (Moore-Penrose "
                    "inverse for (C^TC)^-)" % dps, digits=dps, facts={"PSD critical points": len(rows), "cases": rows},
                    counterexample={"points": bad} if bad else None)


# -- Theorem 1 on data instances ------------------------------------------------------------------------------

def _indefinite_certificate(H):
    """Exact vectors v, u with v^T H v < 0 < u^T H u from an off-diagonal entry (or None)."""
    n = H.rows
    for a in range(n):
        for b in range(a + 1, n):
            if H[a, b] != 0:
                v = sp.zeros(n, 1)
                v[a], v[b] = 1, -sp.sign(H[a, b])
                s = t = None
                for scale in (1, sp.Rational(1, 10), sp.Rational(1, 100), 10, 100):
                    w = v.copy()
                    w[a] = scale
                    u = w.copy()
                    u[b] = -w[b]
                    s, t = (w.T * H * w)[0], (u.T * H * u)[0]
                    if s < 0 < t:
                        return w, u, s, t
    return None


@dataclass(frozen=True)
class TheoremInstance:
    """Theorem 1 (i)-(iv) of the notes on one data instance: the exact assumption check and one
    :class:`~lossgeom.proofs.evidence.Evidence` per part (see :func:`verify_theorem_instance`).

    Attributes
    ----------
    assumptions : KawaguchiAssumptions
    i, ii, iii, iv : Evidence
    """

    assumptions: object
    i: Evidence
    ii: Evidence
    iii: Evidence
    iv: Evidence

    def part(self, name):
        """The Evidence of part ``name`` ("i", "ii", "iii" or "iv")."""
        return {"i": self.i, "ii": self.ii, "iii": self.iii, "iv": self.iv}[name]


def verify_theorem_instance(X, Y, widths, dps=50, seed=0, gd_starts=8):
    """Check Theorem 1 (i)-(iv) of the notes on data (X, Y) with the given widths.

    The assumptions (XX^T invertible, XY^T full rank, d_y <= d_x) are decided first in exact
    rational arithmetic; if one fails, every part is ``inconclusive`` naming the failure (no
    verdict, no crash).  A repeated eigenvalue of Sigma (excluded only by the UNCONFIRMED NIPS
    clause) is flagged in the details.

    Returns
    -------
    TheoremInstance

    Examples
    --------
    >>> out = verify_theorem_instance(sp.Matrix([[1, 1], [1, 1]]), sp.Matrix([[1, 0], [0, 1]]), (2, 1, 2))
    >>> out.ii.outcome, out.ii.facts["assumption failures"]
    ('inconclusive', ['X X^T is singular (rank 1)', 'X Y^T is not of full rank (rank 1)'])
    """
    X = check_matrix(X, "X")
    Y = check_matrix(Y, "Y")
    widths = tuple(check_int(d, "widths[%d]" % k, 1) for k, d in enumerate(check_sequence(widths, "widths")))
    X, Y = sp.Matrix(X), sp.Matrix(Y)
    a = lin.check_assumptions(Net(widths=widths), X, Y)
    base = {"widths": str(tuple(widths)), "assumptions": a.to_dict()}
    if not a.holds:
        failed = Evidence("instances", "assumptions checked first, exactly: they fail, so no verdict",
                          facts=dict(base, **{"assumption failures": a.failures()}),
                          undecided=("the assumptions of Theorem 1 fail",))
        return TheoremInstance(a, failed, failed, failed, failed)
    flag = () if a.distinct_eigenvalues else ("Sigma has a repeated eigenvalue: the UNCONFIRMED NIPS clause fails",)
    cs = enumerate_critical_points(Net(widths=widths), X, Y, dps=dps)
    ii, iii = _theorem_ii_iii(cs, X, Y, widths, seed, gd_starts, dict(base, dps=dps), flag)
    return TheoremInstance(a, _theorem_i(X, Y, widths, seed, base, flag), ii, iii,
                           _theorem_iv(cs, widths, dict(base, dps=dps), flag))


def _theorem_i(X, Y, widths, seed, base, flag):
    """(i) non-convex and non-concave: an exactly indefinite Hessian at W_1 = W_{H+1} = 0."""
    rng = random.Random(seed)
    H1 = len(widths) - 1
    W = [sp.zeros(widths[k], widths[k - 1]) if k in (1, H1) else
         sp.Matrix(widths[k], widths[k - 1], lambda i, j: rng.randint(1, 3)) for k in range(1, H1 + 1)]
    net = Net(widths=widths)
    cert = _indefinite_certificate(linear_hessian(net, resolve_point(net, W, X=X, Y=Y), "exact"))
    if cert is None:
        return Evidence("instances", "no exact indefiniteness certificate found", facts=base,
                        undecided=("an indefiniteness certificate",))
    v, u, s, t = cert
    return Evidence("instances", "exact on the stated instances: exact rational Hessian at W_1 = W_{H+1} = 0 "
                    "(W_2..W_H random) with v^T H v < 0 < u^T H u: no convex or concave C^2 function has an "
                    "indefinite Hessian", certificate={"v": str(list(v)), "u": str(list(u))},
                    facts=dict(base, point="W_1 = W_{H+1} = 0, W_2..W_H = %s" % [str(w.tolist()) for w in W[1:-1]],
                               **{"v^T H v": str(s), "u^T H u": str(t)}), details=flag)


def _gradient_descent_finals(X, Y, widths, seed, gd_starts):
    import numpy as np
    Xf, Yf = [[float(v) for v in row] for row in X.tolist()], [[float(v) for v in row] for row in Y.tolist()]
    return [gradient_descent(random_weights(widths, seed=seed * 100 + s), np.array(Xf), np.array(Yf),
                             steps=20000).loss for s in range(gd_starts)]


def _theorem_ii_iii(cs, X, Y, widths, seed, gd_starts, base, flag):
    """(ii) and (iii) from the enumerated canonical critical points and gradient descent."""
    counts = {}
    for p in cs.points:
        counts[p.classification] = counts.get(p.classification, 0) + 1
    gm = cs.global_minimum_value
    gmf = float(sp.N(gm, 20))
    finals = _gradient_descent_finals(X, Y, widths, seed, gd_starts)
    below = [f for f in finals if f < gmf - float(tolerance("float64", scale=max(1.0, gmf)))]
    # 20000 float64 steps stop about 6 digits short of L*: "at L*" allows 9 of float64's 15 digits to be lost
    at_min = sum(abs(f - gmf) <= float(tolerance("float64", scale=gmf, loss=9)) for f in finals)
    ev = dict(base, **{"critical points": len(cs.points), "classifications": counts,
                       "global minimum value": str(gm), "gradient-descent finals at L*": "%d of %d" % (at_min,
                                                                                                       gd_starts),
                       "gradient-descent finals below L*": len(below)})
    local_nonglobal = [p.subset for p in cs.points if p.classification == "local minimum"]
    undecided = tuple(str(p.subset) for p in cs.points if p.classification in ("undecided", "local maximum"))
    digits = base["dps"]
    ii = Evidence("numeric", "every enumerated critical point is the global minimum or a certified saddle (Hessian "
                  "inertia at %s digits, exact descent curves); gradient descent ends at L*" % digits, digits=digits,
                  facts=ev, undecided=undecided, details=flag,
                  counterexample={"local minima above L*": local_nonglobal, "GD below L*": below}
                  if local_nonglobal or below else None)
    nongl = [p for p in cs.points if p.classification != "global minimum"]
    iii = Evidence("numeric", "every non-global enumerated critical point is a saddle: an indefinite Hessian or a PSD "
                   "Hessian with an explicit descent curve", digits=digits, undecided=undecided, details=flag,
                   facts=dict(ev, **{"saddles": len(nongl), "saddles with PSD Hessian (higher-order test)":
                                     sum(p.inertia.negative == 0 for p in nongl)}),
                   counterexample={"points": local_nonglobal} if local_nonglobal else None)
    return ii, iii


def _theorem_iv(cs, widths, base, flag):
    """(iv) rank(W_H...W_2) = p => a saddle has a negative Hessian eigenvalue (vacuous without such saddles)."""
    p_ = min(widths[1:-1])
    relevant, failing = 0, []
    for p in cs.points:
        if p.classification != "saddle":
            continue
        mid = sp.eye(widths[1])
        for w in p.weights[1:-1]:
            mid = sp.Matrix(w) * mid
        rank = mid.rank() if all(getattr(v, "is_Rational", False) for v in mid) else len(p.subset)
        if rank == p_:
            relevant += 1
            if p.inertia.negative == 0:
                failing.append(p.subset)
    return Evidence("numeric", "Hessian inertia at %s digits at each saddle with rank(W_H..W_2) = p" % base["dps"],
                    digits=base["dps"], facts=dict(base, **{"saddles with rank(W_H..W_2) = p": relevant, "p": p_}),
                    counterexample={"subsets": failing} if failing else None, details=flag)


def _theorem_claim(part, statement, title):
    @register_claim("kawaguchi2016.theorem-%s" % part, SOURCE + ", Theorem 1 (%s) (paper Thm 2.3)" % part, statement,
                    scope=THEOREM_SCOPE,
                    assumptions=("XX^T invertible, XY^T full rank, d_y <= d_x (decided exactly)",
                                 "instances: " + "; ".join(t[0] for t in THEOREM_INSTANCES)),
                    method="symbolic" if part == "i" else "numeric", title=title)
    def check(dps, seed):
        parts, facts = [], {}
        for name, data, widths in THEOREM_INSTANCES:
            ev = verify_theorem_instance(*data(), widths, dps=dps, seed=seed, gd_starts=4).part(part)
            parts.append(ev.with_(instances=(name,), facts={}))
            facts[name] = ev.report_evidence()
        out = combine(parts, method=parts[0].method, facts=facts)
        if part == "iv" and not sum(f.get("saddles with rank(W_H..W_2) = p", 0) for f in facts.values()):
            out = out.with_(undecided=("no saddle with rank(W_H..W_2) = p on any instance",))
        return out
    return check


_theorem_claim("i", r"\bar L \text{ is non-convex and non-concave}", "Theorem 1(i) non-convex, non-concave (exact)")
_theorem_claim("ii", r"\text{every local minimum is a global minimum}",
               "Theorem 1(ii) at the canonical critical points of the instances")
_theorem_claim("iii", r"\text{every critical point that is not a global minimum is a saddle}",
               "Theorem 1(iii) at the canonical critical points of the instances")
_theorem_claim("iv", r"\mathrm{rank}(W_H\cdots W_2) = p \Rightarrow \lambda_{\min}(\nabla^2\bar L) < 0 "
               r"\text{ at every saddle}", "Theorem 1(iv) on instances")


@register_claim("kawaguchi2016.corollary-h1-negative-eigenvalue", SOURCE + ", corollary of Theorem 1(iv) (H = 1)",
                r"H = 1 \Rightarrow \text{every saddle has } \lambda_{\min}(\nabla^2\bar L) < 0",
                assumptions=("enumerated critical points (all ranks) of shallow instances",), method="numeric",
                scope="the canonical critical points of X=I_3, Y=diag(3,2,1) at 3-1-3 and 3-2-3 and of seeded random "
                      "integer data at 4-2-3 (d_y > p, distinct eigenvalues of Sigma)",
                title="H = 1: every enumerated saddle has a negative Hessian eigenvalue")
def _cor_h1(dps, seed):
    rows, bad = [], []
    for name, data, widths in (("oracle 3-1-3", linear_oracle, (3, 1, 3)), ("oracle 3-2-3", linear_oracle, (3, 2, 3)),
                               ("random 4-2-3", lambda: random_linear_data(seed + 3, 4, 3, 6), (4, 2, 3))):
        X, Y = data()
        cs = enumerate_critical_points(Net(widths=widths), X, Y, dps=dps)
        for p in cs.points:
            if p.classification == "saddle":
                rows.append((name, p.subset, p.inertia.negative))
                if p.inertia.negative == 0:
                    bad.append((name, p.subset))
    return Evidence("numeric", "Hessian inertia at %d digits" % dps, digits=dps,
                    facts={"saddles checked": len(rows), "negative counts": [r[2] for r in rows]},
                    counterexample={"points": bad} if bad else None)


@register_claim("kawaguchi2016.corollary-bad-saddles-exist", SOURCE + ", Corollary 2.4(ii) [RECALLED]",
                r"H\ge 2 \Rightarrow \exists \text{ saddle with } \nabla^2\bar L \succeq 0",
                assumptions=("X = I_3, Y = diag(3,2,1), widths 3-2-2-3 (H = 2)",), method="construction",
                scope="an existence witness: one exact critical point of X=I_3, Y=diag(3,2,1) at widths 3-2-2-3",
                title="H = 2: a saddle with PSD Hessian exists (rank-deficient critical point)")
def _cor_bad(dps, seed):
    X, Y = linear_oracle()
    net = Net(widths=(3, 2, 2, 3))
    cs = enumerate_critical_points(net, X, Y, dps=dps)
    for p in cs.points:
        if (p.classification == "saddle" and p.inertia.negative == 0 and "order" in p.certificate
                and p.gradient_norm == 0):  # an exact critical point (the gradient vanishes exactly)
            H = linear_hessian(net, resolve_point(net, p.weights, X=X, Y=Y), "exact")
            ex = exact_inertia(H)
            if ex.negative == 0:
                return Evidence("witness", "exact Hessian inertia (Descartes) and an exact descent polynomial",
                                certificate=p.certificate, facts={"subset": list(p.subset), "value": str(p.value),
                                                                  "exact inertia": ex.to_dict(),
                                                                  "descent": p.certificate})
    return Evidence("witness", "no PSD saddle among the enumerated points",
                    undecided=("a PSD saddle among the enumerated points",))


# -- the notes' bad saddle ----------------------------------------------------------------------------------

def verify_bad_saddle(H, seed=0, dps=50):
    """Check the notes' example exactly as stated: W_1 = ... = W_H = 0, arbitrary (random) W_{H+1}.

    "A bad saddle" means: a critical point, not a local minimum, whose Hessian has no negative
    eigenvalue.  Everything is decided exactly (rational data and W_{H+1}): the gradient, the
    Hessian (closed form, proved equal to direct differentiation), its inertia (Descartes' rule on
    the characteristic polynomial) and a descent polynomial; the inertia is also computed at ``dps``.

    Returns
    -------
    Report
        ``proved`` for H >= 3 (gradient and Hessian vanish; the loss decreases at order t^H);
        ``refuted`` for H = 2 with generic W_3: the (W_1, W_2) cross block is
        ``-[I (x) W_3^T Y X^T] K``, non-zero, so the Hessian is indefinite (exact v^T H v < 0).

    Examples
    --------
    >>> verify_bad_saddle(3).outcome, verify_bad_saddle(2).outcome
    ('verified', 'refuted')
    """
    H = check_int(H, "H", 1)
    seed = check_int(seed, "seed", 0)
    return _bad_saddle_evidence(H, seed, dps).report("kawaguchi2016.bad-saddle-H%d" % H,
                                                      scope=_bad_saddle_scope(H))


def _bad_saddle_scope(H):
    return ("one seeded random instance: data X (3x4), Y (2x4) and a random full-rank rational W_%d, widths %s"
            % (H + 1, "-".join(map(str, (3,) + (2,) * H + (2,)))))


def _bad_saddle_evidence(H, seed, dps):
    X, Y = random_linear_data(seed + 11, 3, 2, 4)
    rng = random.Random(seed * 7 + H)
    widths = (3,) + (2,) * H + (2,)
    W_last = sp.zeros(2, 2)
    while W_last.rank() < 2:
        W_last = sp.Matrix(2, 2, lambda i, j: rng.randint(-4, 4))
    W = [sp.zeros(widths[k], widths[k - 1]) for k in range(1, H + 1)] + [W_last]
    net = Net(widths=widths)
    res = classify_point(net, resolve_point(net, W, X=X, Y=Y), dps=dps, seed=seed)
    Hm = res.hessian
    ex = res.inertia
    num, _ = hessian_inertia(Hm, dps)
    ev = {"H": H, "widths": str(widths), "W_{H+1}": str(W_last.tolist()), "X": str(X.tolist()), "Y": str(Y.tolist()),
          "gradient zero (exact)": res.critical, "Hessian zero (exact)": Hm == sp.zeros(*Hm.shape),
          "exact inertia": ex.to_dict(), "inertia at %d digits" % dps: num.to_dict()}
    if res.critical and ex.negative == 0 and res.classification == "saddle":
        c = res.certificate
        return Evidence("instances", "exact on the stated instance (one random W_{H+1} and data): exact gradient, "
                        "exact Hessian inertia, exact descent polynomial L(W + tD) - L(W)", certificate=c,
                        facts=dict(ev, **{"descent order": c["order"], "descent coefficient": c["coefficient"],
                                          "descent directions": c["directions"]}),
                        details=("Not a local maximum either: replacing D_1 by -D_1 flips the sign of the t^H "
                               "coefficient -<W_{H+1} D_H...D_1 X, Y>, so the loss also increases along a curve.",))
    cert = _indefinite_certificate(Hm) if res.critical else None
    correct = ("Correct statement: for H = 2 the point (0, 0, W_3) is critical but its Hessian has a negative "
               "eigenvalue unless W_3^T Y X^T = 0 (the (W_1, W_2) cross block is -[I (x) W_3^T Y X^T] K); for "
               "H >= 3 every W_{H+1} gives a bad saddle (gradient and Hessian vanish, descent at order t^H).")
    ce = {"W_{H+1}": str(W_last.tolist())}
    if cert is not None:
        v, _, s, _ = cert
        ce.update({"v": str(list(v)), "v^T H v": str(s)})
    return Evidence("instances", "exact Hessian: indefinite, so the point is an ordinary (strict) saddle, not a bad "
                    "one", facts=ev, counterexample=ce, details=(correct,))


def _bad_saddle_claim(H):
    @register_claim("kawaguchi2016.bad-saddle-H%d" % H, SOURCE + ", proof of claim 2 ('bad' saddles when H > 1)",
                    r"W_1 = \cdots = W_H = 0,\ W_{H+1} \text{ arbitrary is a saddle with } \nabla^2\bar L \succeq 0"
                    r"\ (H = %d)" % H, assumptions=("random rational W_{H+1} and data (seeded)",), scope=_bad_saddle_scope(H),
                    method="construction", expect="fails" if H == 2 else "holds",
                    title="notes' bad saddle, H = %d%s" % (H, " (fails: Hessian indefinite)" if H == 2 else ""))
    def check(dps, seed):
        return _bad_saddle_evidence(H, seed, dps)
    return check


for _H in (2, 3, 4):
    _bad_saddle_claim(_H)


# -- the notes' open questions ---------------------------------------------------------------------------------

@register_claim("kawaguchi2016.question-1-factorisation", SOURCE + ", Sec. 3, question 1",
                r"\{W_{H+1}\cdots W_1\} = \{W\in\mathbb{R}^{d_y\times d_x} : \mathrm{rank}\,W \le p\}",
                method="construction", scope="widths 4-2-3-3, 3-1-3, 3-3-2-4-3 and 2-4-1-2-2, one seeded random "
                "integer matrix of each rank 0..min(d_x, d_y)",
                title="products of the given widths = matrices of rank <= p (exact factors)")
def _q1(dps, seed):
    rng = random.Random(seed)
    cases, bad = 0, []
    for widths in ((4, 2, 3, 3), (3, 1, 3), (3, 3, 2, 4, 3), (2, 4, 1, 2, 2)):
        p = min(widths[1:-1])
        for r in range(0, min(widths[0], widths[-1]) + 1):
            F = sp.Matrix(widths[-1], r, lambda i, j: rng.randint(-3, 3))
            G = sp.Matrix(r, widths[0], lambda i, j: rng.randint(-3, 3))
            W = F * G if r else sp.zeros(widths[-1], widths[0])
            f = factor_into_widths(Net(widths=widths), W)
            cases += 1
            rank = W.rank()
            if f.possible != (rank <= p):
                bad.append((widths, str(W.tolist())))
            elif f.possible:
                prod = f.weights[-1]
                for M in reversed(f.weights[:-1]):
                    prod = prod * M
                if prod != W:
                    bad.append((widths, str(W.tolist())))
    return Evidence("instances", "exact on the stated random instances: exact construction W = F G padded with zeros "
                    "and identities when rank W <= p; rank(W_{H+1}...W_1) <= min_k d_k rules out rank W > p",
                    facts={"matrices factored or ruled out": cases}, counterexample={"cases": bad} if bad else None,
                    details=("Answer: yes. Both inclusions: the rank of a product is at most the smallest width, and "
                           "any W of rank r <= p is [F, 0] [[I_r, 0], [0, 0]] ... [G; 0].",))


@register_claim("kawaguchi2016.question-2-minimum-attained", SOURCE + ", Sec. 3, question 2",
                r"\min_W \bar L(W) = \tfrac12(\mathrm{tr}\,YY^T - \sum_{i\le\min(p,d_y)}\lambda_i(\Sigma)) "
                r"\text{ is attained}", method="construction",
                scope="answered for the deep linear square loss Lbar(W) = 1/2 ||W_{H+1}...W_1 X - Y||_F^2 (the notes "
                      "ask about an undefined L~; for the expected ReLU loss, equal to Lbar under A1p-A5u, the answer "
                      "carries over; not for the spin-glass L_previous or the non-linear loss); instances: "
                      "X=I_3, Y=diag(3,2,1) at 3-2-2-3 and the Cayley-rotated data at 3-1-2-3 exactly, seeded random "
                      "integer data at 4-2-3 numerically",
                title="global minimum of the deep linear loss attained: explicit minimiser, loss = formula")
def _q2(dps, seed):
    ev = {}
    # exact instances (rational eigenvectors): the oracle and a Cayley-rotated one
    inst = [("oracle", *linear_oracle(), (3, 2, 2, 3)), ("Cayley-rotated", *cayley_rotated(), (3, 1, 2, 3))]
    for name, X, Y, widths in inst:
        net = Net(widths=widths)
        Wstar = lin.minimising_product(net, X, Y)
        f = factor_into_widths(net, Wstar)
        val = linear_loss(net, resolve_point(net, f.weights, X=X, Y=Y), "exact")
        formula = lin.global_minimum_value(net, X, Y)
        grad = linear_gradient(net, resolve_point(net, f.weights, X=X, Y=Y), "exact")
        ok = sp.simplify(val - formula) == 0 and all(sp.simplify(g) == 0 for g in grad)
        ev[name] = {"widths": str(widths), "L(minimiser)": str(val), "formula": str(formula), "exact match": ok}
        if not ok:
            return Evidence("instances", "exact evaluation", facts=ev, counterexample={"instance": name})
    # irrational eigenvectors: minimiser at dps digits
    X, Y = random_linear_data(seed + 5, 4, 3, 6)
    cs = enumerate_critical_points(Net(widths=(4, 2, 3)), X, Y, dps=dps, ranks="full", classify=False)
    best = min(cs.points, key=lambda p: p.value_numeric)
    import mpmath
    with mpmath.workdps(dps + 10):
        diff = abs(best.value_numeric - mpmath.mpf(str(sp.N(cs.global_minimum_value, dps + 15))))
        ok = diff <= tolerance(dps, scale=abs(best.value_numeric))
        diff = mpmath.nstr(diff, 5)
    ev["random data (irrational eigenvectors)"] = {"difference": diff, "dps": dps, "match": bool(ok),
                                                   "formula": str(cs.global_minimum_value)}
    return Evidence("numeric", "explicit minimiser U_p U_p^T Y X^T (XX^T)^{-1}, factored into the widths; its loss "
                    "equals the formula exactly (rational eigenvectors) and to %d digits otherwise" % dps, digits=dps,
                    facts=ev, counterexample=None if ok else {"instance": "random"},
                    details=("Answer for the deep linear loss Lbar: yes, the minimum is attained at a finite point "
                             "(reduced-rank regression).",))
