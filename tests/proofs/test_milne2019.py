"""Milne (2019): the exact helpers of lossgeom.numeric.milne against independent oracles (direct SymPy
differentiation, lossgeom's engine Hessian, mpmath finite differences at raised precision, SymPy's exact
eigenvalues), and the claims' discriminating controls."""

import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from lossgeom.errors import DataError, LossgeomError
from lossgeom.numeric.evaluate import evaluate_net
from lossgeom.numeric.milne import (
    ball_condition,
    chain_instance,
    in_U,
    lemma3_holds,
    lemma3_ratio,
    lemma3_sweep,
    lemma4_condition,
    milne_loss,
    milne_net,
    milne_weights,
    norm_power_below,
    second_derivative,
    switch_output,
    switches,
)
from lossgeom.proofs import get_claim
from lossgeom.proofs.milne2019 import _linear_trace


def _rand(rng, rows, cols, lo=-2, hi=2, den=4):
    return [[Fraction(rng.randint(lo * den, hi * den), den) + Fraction(1, rng.randint(50, 99)) for _ in range(cols)]
            for _ in range(rows)]


def _point(rng, widths, samples=3):
    W = [_rand(rng, widths[l], widths[l - 1]) for l in range(1, len(widths))]
    X = [_rand(rng, widths[l], widths[l - 1]) for l in range(1, len(widths))]
    A = _rand(rng, widths[0], samples, -1, 1)
    f = [Fraction(rng.randint(-4, 4), 4) for _ in range(samples)]
    return W, X, A, f


def _sympy_phi(W, X, A, f, t):
    """phi(W + tX) with the switches of W held fixed, built from SymPy matrices (lossgeom convention)."""
    total = 0
    for j in range(len(f)):
        z, zt = sp.Matrix([sp.Rational(v[j]) for v in A]), sp.Matrix([sp.Rational(v[j]) for v in A])
        for Wl, Xl in zip(W, X):
            h = sp.Matrix(Wl).applyfunc(sp.Rational) * z
            S = sp.diag(*[1 if v > 0 else 0 for v in h])
            z = S * h
            zt = S * (sp.Matrix(Wl).applyfunc(sp.Rational) + t * sp.Matrix(Xl).applyfunc(sp.Rational)) * zt
        total += (sp.Rational(f[j]) - zt[0]) ** 2
    return total / (2 * len(f))


@pytest.mark.parametrize("widths", [(2, 2, 1), (2, 3, 2, 1), (1, 2, 2, 2, 1)])
def test_second_derivative_matches_direct_sympy(widths):
    rng, t = random.Random(7), sp.Symbol("t")
    for _ in range(5):
        W, X, A, f = _point(rng, widths)
        direct = sp.diff(_sympy_phi(W, X, A, f, t), t, 2).subs(t, 0)
        d2 = second_derivative(W, X, A, f)
        assert sp.Rational(d2.numerator, d2.denominator) == direct


def test_second_derivative_is_the_engine_quadratic_form():
    rng, n = random.Random(3), 0
    widths = (2, 3, 1)
    net = milne_net(widths, "1/3")
    while n < 5:
        W, X, A, f = _point(rng, widths)
        ev = evaluate_net(net, W, X=A, Y=[f], dps="exact")
        if ev.kink_units:
            continue
        n += 1
        v = sp.Matrix([sp.Rational(Xl[i][j]) for Xl in X for j in range(len(Xl[0])) for i in range(len(Xl))])  # vec
        quad = (v.T * ev.hessian * v)[0]
        d2 = second_derivative(W, X, A, f)
        assert quad == sp.Rational(d2.numerator, d2.denominator) + sp.Rational(1, 3) * (v.T * v)[0]
        assert ev.loss == sp.Rational(*_nd(milne_loss(W, A, f))) + sp.Rational(1, 6) * sum(
            sp.Rational(w) ** 2 for Wl in W for row in Wl for w in row)


def _nd(q):
    return q.numerator, q.denominator


def test_second_derivative_against_finite_differences():
    rng = random.Random(11)
    W, X, A, f = _point(rng, (2, 2, 2, 1))
    with mpmath.workdps(80):
        h = Fraction(1, 10 ** 12)
        lp, l0, lm = (milne_loss([[[w + s * x for w, x in zip(rw, rx)] for rw, rx in zip(Wl, Xl)]
                                  for Wl, Xl in zip(W, X)], A, f) for s in (h, 0, -h))
        fd = (mpmath.mpf(lp.numerator) / lp.denominator - 2 * mpmath.mpf(l0.numerator) / l0.denominator
              + mpmath.mpf(lm.numerator) / lm.denominator) / (mpmath.mpf(h.numerator) / h.denominator) ** 2
        d2 = second_derivative(W, X, A, f)
        assert abs(fd - mpmath.mpf(d2.numerator) / d2.denominator) < mpmath.mpf(10) ** -15


def test_switch_form_and_translation():
    W = [[[1, 2], [-3, 1]], [[1, -1]]]
    assert [M.shape for M in milne_weights(W)] == [(2, 2), (2, 1)]
    assert switches(W, [1, 1]) == [(1, 0), (1,)]
    assert switch_output(W, [1, 1]) == 3
    assert switch_output(W, [1, 1], S=[(1, 1), (1,)]) == 3 - (-2)  # the dead unit forced on: 3 + 2
    assert switch_output(W, [-1, -1]) == 0  # output ReLU clips -(-3 ...) paths


@pytest.mark.parametrize("seed", range(4))
def test_norm_power_below_matches_sympy_eigenvalues(seed):
    rng = random.Random(seed)
    W = [_rand(rng, 2, 3), _rand(rng, 1, 2)]
    mats = [sp.Matrix(M).applyfunc(sp.Rational) for M in W]
    top = max(max((M * M.T).eigenvals()) for M in mats)  # largest squared singular value, exact
    for p in (1, 2):
        for q in (sp.nsimplify(sp.N(top ** p, 30) * sp.Rational(999, 1000)),
                  sp.nsimplify(sp.N(top ** p, 30) * sp.Rational(1001, 1000))):
            q = sp.Rational(q)
            assert norm_power_below(W, p, Fraction(q.p, q.q)) == bool(sp.N(top ** p, 40) < q)


def test_lemma3_controls():
    out = lemma3_sweep((2, 2, 1), 300, seed=5, c2s=(2, 0, Fraction(1, 10 ** 6)))
    assert out["violations"][2] == 0 and out["negative"] > 10
    assert out["violations"][0] == out["negative"] and out["violations"][Fraction(1, 10 ** 6)] > 0
    assert 0 < out["max ratio"] < 2 ** 0.5 / 2
    W, X, A, f = out["argmax"]
    ratio = lemma3_ratio(W, X, A, f, 30)
    assert abs(ratio - out["max ratio"]) < 1e-9
    r2 = Fraction(int(ratio * 10 ** 6), 10 ** 6) ** 2
    assert lemma3_holds(W, X, A, f, r2 * Fraction(1001, 1000) ** 2) and not lemma3_holds(W, X, A, f, r2 * Fraction(999, 1000) ** 2)


@pytest.mark.parametrize("H", [1, 2, 4])
def test_chain_instance_is_near_sharp(H):
    W, X, A, f = chain_instance(H, Fraction(1, 10 ** 4))
    ratio = lemma3_ratio(W, X, A, f, 30)
    assert abs(ratio - mpmath.sqrt(2) / (H + 1)) < 1e-3
    assert lemma3_holds(W, X, A, f, Fraction(2, (H + 1) ** 2))
    assert not lemma3_holds(W, X, A, f, Fraction(2, (H + 1) ** 2) * Fraction(99, 100))


def test_membership_h1_threshold_and_lemma4():
    lam, theta = Fraction(2, 5), Fraction(1, 10)
    zero = [[[0], [0]], [[0, 0]]]
    thr = (lam - theta) ** 2 / 8  # ((lambda - theta) / (2 sqrt 2 r))^2, r = 1
    for f in (Fraction(3, 20), Fraction(3, 20) + Fraction(1, 10 ** 9), Fraction(1, 10)):
        assert in_U(zero, [[1]], [f], lam, theta) == (f * f / 2 < thr)
    # H = 2: |||0||| = 0, so 0 is in U whatever the targets
    assert in_U([[[0], [0]], [[0, 0], [0, 0]], [[0, 0]]], [[1]], [5], lam, theta)
    # eq. (10) against its unraised form in mpmath: l(0) < lambda^(1+1/H)/2 (H(H+1) r)^(-2/H)
    for H in (1, 2, 3):
        for f in (Fraction(1, 10), Fraction(1, 4), Fraction(1, 2)):
            rhs = mpmath.mpf(2) / 5 ** (1 + mpmath.mpf(1) / H) / 2 * (H * (H + 1)) ** (-mpmath.mpf(2) / H)
            assert lemma4_condition([[1]], [f], H, lam) == bool(mpmath.mpf(f.numerator) ** 2 / f.denominator ** 2 / 2
                                                                 < rhs)


def test_ball_condition_implies_membership_and_is_not_vacuous():
    rng, met, missed = random.Random(2), 0, 0
    for k in range(60):
        W, _, A, f = _point(rng, (2, 2, 2, 1))
        W = [[[v * (k % 4 + 1) / 8 for v in row] for row in Wl] for Wl in W]
        f = [switch_output(W, [[row[j]] for row in A]) + Fraction(rng.randint(-4, 4), 100) for j in range(len(f))]
        cond = ball_condition(W, A, f, Fraction(1, 2), Fraction(1, 8), 1)
        member = in_U(W, A, f, Fraction(1, 2), Fraction(1, 8))
        assert member or not cond
        met += cond
        missed += member and not cond
    assert met > 0 and missed > 0


def test_theorem3_negative_control_outside_U():
    """Away from U the bound can fail: a point with a Hessian eigenvalue below theta (so the certificate
    in milne2019.theorem3 is not vacuous)."""
    W, A, f = [[[2], [2]], [[2, 2]]], [[1]], [5]  # y = 8, residual 3
    lam, theta = Fraction(1, 2), Fraction(1, 8)
    assert not in_U(W, A, f, lam, theta)
    ev = evaluate_net(milne_net((1, 2, 1), "1/2"), W, X=A, Y=[f], dps="exact")
    assert min(ev.hessian.eigenvals()) < theta


def test_linear_trace_closed_form():
    assert _linear_trace((2, 2, 1), 1) == 0
    assert _linear_trace((1, 2, 2, 1), 2) == 0


@pytest.mark.parametrize("bad, field", [({"A": [[1, 2]]}, "f"), ({"f": [sp.sqrt(2)]}, "f"),
                                        ({"A": [[1], [2]]}, "A")])
def test_bad_data_names_the_field(bad, field):
    args = dict(weights=[[[1]], [[1]]], A=[[1]], f=[1])
    args.update(bad)
    with pytest.raises(DataError, match=field):
        milne_loss(**args)


def test_bad_parameters():
    with pytest.raises(LossgeomError, match="lam, theta"):
        in_U([[[1]], [[1]]], [[1]], [1], "1/10", "1/2")
    with pytest.raises(LossgeomError, match="scalar output"):
        milne_loss([[[1]], [[1], [1]]], [[1]], [1])
    with pytest.raises(LossgeomError, match="direction"):
        second_derivative([[[1]], [[1]]], [[[1, 1]], [[1]]], [[1]], [1])


@pytest.mark.parametrize("cid", ["milne2019.switch-form", "milne2019.origin-h1", "milne2019.constant-cell"])
def test_fast_claims(cid):
    rep = get_claim(cid).verify()
    assert rep.outcome == "proved" and rep.matches
