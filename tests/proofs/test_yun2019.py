"""Yun, Sra & Jadbabaie (2019), Theorem 1 (proofs/yun2019.py), against independent oracles: a plain Fraction
forward pass (no lossgeom code), numpy least squares, and exact perturbations inside and outside the box."""

import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from lossgeom.models import yun_data
from lossgeom.proofs import get_claim
from lossgeom.proofs import yun2019 as yun

EXPECTED = {"data-conditions": "proved", "worked-example": "proved", "spurious-minimum": "verified",
            "infinitely-many": "proved"}
SLOPES = [(Fraction(1), Fraction(0)), (Fraction(1), Fraction(1, 100)), (Fraction(11, 10), Fraction(1)),
          (Fraction(2), Fraction(1, 3))]


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_outcomes(catalog_reports, slug):
    rep = catalog_reports["yun2019." + slug]
    assert rep.outcome == EXPECTED[slug] and rep.matches, (rep.method, rep.evidence)


def F(v):
    return Fraction(int(sp.Rational(v).p), int(sp.Rational(v).q))


def forward_loss(point, X, Y, s_plus, s_minus):
    """1/2 sum_i (W2 h(W1 x_i + b1) + b2 - y_i)^2 with Fractions only."""
    W1, b1, W2, b2 = point
    h = lambda t: max(s_plus * t, Fraction(0)) + min(s_minus * t, Fraction(0))  # noqa: E731
    total = Fraction(0)
    for i in range(len(Y[0])):
        hidden = [h(sum(W1[k][j] * X[j][i] for j in range(len(X))) + b1[k]) for k in range(len(b1))]
        out = sum(W2[k] * hidden[k] for k in range(len(b1))) + b2
        total += (out - Y[0][i]) ** 2 / 2
    return total


def as_fractions(point):
    W1, b1, W2, b2 = point
    return ([[F(v) for v in W1.row(k)] for k in range(W1.rows)], [F(v) for v in b1], [F(v) for v in W2], F(b2))


def data_fractions(X, Y):
    return [[F(v) for v in X.row(i)] for i in range(X.rows)], [[F(v) for v in Y]]


@pytest.mark.parametrize("s_plus, s_minus", SLOPES)
@pytest.mark.parametrize("d1", [2, 3])
def test_one_third_versus_zero_with_fractions(s_plus, s_minus, d1):
    X, Y = data_fractions(*yun_data())
    spur = as_fractions(yun.spurious_point(*yun_data(), sp.Rational(s_plus.numerator, s_plus.denominator), d1))
    glob = as_fractions(yun.global_point(sp.Rational(str(s_plus)), sp.Rational(str(s_minus)), d1))
    assert forward_loss(spur, X, Y, s_plus, s_minus) == Fraction(1, 3)
    assert forward_loss(glob, X, Y, s_plus, s_minus) == 0
    # normalisation: the mean over the 3 samples gives 1/9, the plain sum of squares 2/3
    assert forward_loss(spur, X, Y, s_plus, s_minus) / 3 == Fraction(1, 9)


def test_least_squares_against_numpy():
    X, Y = yun_data()
    Xt = np.vstack([np.array(X.tolist(), dtype=float), np.ones(3)])
    R, *_ = np.linalg.lstsq(Xt.T, np.array([0.0, 0, 1]), rcond=None)
    assert np.allclose(R @ Xt, 1 / 3)
    Wbar, Ybar, l0 = yun.least_squares(X, Y)
    assert np.allclose(np.array(Wbar.tolist(), dtype=float).ravel(), R) and l0 == sp.Rational(1, 3)


@pytest.mark.parametrize("data", [yun_data(), yun.CASE2_DATA] + yun.random_case1_data(0))
def test_certified_box_holds_under_exact_perturbations(data):
    """Inside the certified box: signs kept and loss >= l0 at 300 exact random points; the box of twice the
    radius is not certified and holds a sign flip."""
    X, Y = data
    _, _, l0 = yun.least_squares(X, Y)
    point = yun.spurious_point(X, Y, 1, 2)
    r = yun.certified_radius(X, point[0], point[1])
    Xf, Yf = data_fractions(X, Y)
    base = as_fractions(point)
    rng = random.Random(1)
    rf = F(r)
    for _ in range(300):
        d = lambda: rf * Fraction(rng.randint(-1000, 1000), 1000)  # noqa: E731
        W1 = [[v + d() for v in row] for row in base[0]]
        b1 = [v + d() for v in base[1]]
        W2 = [v + d() for v in base[2]]
        b2 = base[3] + d()
        for k in range(2):
            for i in range(len(Yf[0])):
                assert sum(W1[k][j] * Xf[j][i] for j in range(len(Xf))) + b1[k] > 0
        assert forward_loss((W1, b1, W2, b2), Xf, Yf, Fraction(1), Fraction(0)) >= F(l0)
    assert yun.certify_box(X, point[0], point[1], r)[0]
    assert not yun.certify_box(X, point[0], point[1], 2 * r)[0]
    W, b, value = yun.sign_flip_witness(X, point[0], point[1], 2 * r)
    assert value <= 0 and max(abs(v) for v in list(W - point[0]) + list(b - point[1])) <= 2 * r


def test_a_too_large_radius_breaks_the_claim(monkeypatch):
    """If the certificate used a radius it cannot certify, the worked example is no longer proved."""
    real = yun.certified_radius
    monkeypatch.setattr(yun, "certified_radius", lambda X, W1, b1: 3 * real(X, W1, b1))
    rep = get_claim("yun2019.worked-example").verify()
    assert rep.outcome != "proved"


@pytest.mark.parametrize("data", [yun_data(), yun.CASE2_DATA] + yun.random_case1_data(0))
@pytest.mark.parametrize("act, s", [("relu", SLOPES[0]), ({"name": "two_piece", "s_plus": "11/10", "s_minus": "1"},
                                                          SLOPES[2])])
def test_descent_point_is_lower_with_fractions(data, act, s):
    X, Y = data
    _, _, l0 = yun.least_squares(X, Y)
    point, loss, case = yun.descent_point(X, Y, act, 2)
    Xf, Yf = data_fractions(X, Y)
    assert forward_loss(as_fractions(point), Xf, Yf, *s) == F(loss) < F(l0)
    assert case == yun.theorem1_case(X, Y)


def test_data_conditions_reject_fittable_and_duplicate_data():
    rng = random.Random(3)
    X = sp.Matrix(2, 5, lambda i, j: rng.randint(-3, 3))
    R = sp.Matrix([[2, -1, 3]])
    assert not yun.data_conditions(X, R * yun.augmented(X))["no linear fit (rank [X~; Y] > rank X~)"]
    Xd = X.copy()
    Xd[:, 1] = Xd[:, 0]
    assert not yun.data_conditions(Xd, sp.Matrix([[0, 1, 2, 3, 4]]))["distinct samples"]
    assert all(yun.data_conditions(*yun_data()).values())


def test_family_alpha_keeps_the_loss_and_moves_the_point():
    X, Y = yun_data()
    Xf, Yf = data_fractions(X, Y)
    seen = set()
    for alpha in (Fraction(1, 7), Fraction(1), Fraction(13, 2)):
        point = yun.spurious_point(X, Y, 1, 2, sp.Rational(alpha.numerator, alpha.denominator))
        assert forward_loss(as_fractions(point), Xf, Yf, Fraction(1), Fraction(0)) == Fraction(1, 3)
        seen.add(tuple(as_fractions(point)[2]))
    assert len(seen) == 3


@pytest.mark.parametrize("d1", [1, 0, "2", True])
def test_bad_width_names_the_field(d1):
    from lossgeom.errors import DataError
    with pytest.raises(DataError, match="d1"):
        yun.spurious_point(*yun_data(), 1, d1)
    with pytest.raises(DataError, match="d1"):
        yun.descent_point(*yun_data(), "relu", d1)
