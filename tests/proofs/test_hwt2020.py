"""He, Wang & Tao (2020) (proofs/hwt2020.py) against independent oracles: a plain Fraction forward pass (no
lossgeom code), exact random perturbations inside the certified boxes, direct SymPy expansion."""

import random
from fractions import Fraction

import pytest
import sympy as sp

from lossgeom.models import three_piece, yun_data
from lossgeom.proofs import hwt2020 as hwt
from lossgeom.symbolic.cells import Interval, certify_cell_box

EXPECTED = {"spurious-minima-deep": "verified", "spurious-family": "proved"}


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_outcomes(catalog_reports, slug):
    rep = catalog_reports["hwt2020." + slug]
    assert rep.outcome == EXPECTED[slug] and rep.matches, (rep.method, rep.evidence)


def F(v):
    v = sp.Rational(v)
    return Fraction(int(v.p), int(v.q))


def pl(pieces):
    """A PL function from [(upper kink or None, slope, offset), ...] with Fractions only."""
    def f(t):
        for upper, s, c in pieces:
            if upper is None or t <= upper:
                return s * t + c
    return f


ACTS = {"relu": pl([(0, 0, 0), (None, 1, 0)]), "leaky": pl([(0, Fraction(1, 100), 0), (None, 1, 0)]),
        "two": pl([(0, Fraction(1, 3), 0), (None, 2, 0)]),
        "three": pl([(0, Fraction(1, 2), 0), (1, 1, 0), (None, 2, -1)])}
SPECS = {"relu": "relu", "leaky": {"name": "leaky_relu", "slope": "1/100"},
         "two": {"name": "two_piece", "s_plus": "2", "s_minus": "1/3"}, "three": three_piece()}


def forward_loss(W, b, X, Y, f):
    """1/2 sum_i (net(x_i) - y_i)^2, layers as lists of Fraction rows."""
    total = Fraction(0)
    for i in range(len(Y[0])):
        a = [X[j][i] for j in range(len(X))]
        for l, (w, v) in enumerate(zip(W, b)):
            h = [sum(wk[j] * a[j] for j in range(len(a))) + v[k] for k, wk in enumerate(w)]
            a = h if l == len(W) - 1 else [f(t) for t in h]
        total += (a[0] - Y[0][i]) ** 2 / 2
    return total


def to_f(W, b):
    return [[[F(x) for x in row] for row in sp.Matrix(w).tolist()] for w in W], [[F(x) for x in v] for v in b]


@pytest.mark.parametrize("act", sorted(ACTS))
@pytest.mark.parametrize("hidden", [(2,), (3, 2), (2, 2, 2)])
def test_spurious_minimum_against_fraction_oracle(act, hidden):
    X, Y = yun_data()
    Xf, Yf = [[F(v) for v in X.row(i)] for i in range(2)], [[F(v) for v in Y]]
    net = hwt.net_of(2, hidden, SPECS[act])
    W, b = hwt.spurious_point(net, X, Y, 1)
    Wf, bf = to_f(W, b)
    assert forward_loss(Wf, bf, Xf, Yf, ACTS[act]) == Fraction(1, 3)
    Wg, bg = to_f(*hwt.global_point(net))
    assert forward_loss(Wg, bg, Xf, Yf, ACTS[act]) == 0
    r = hwt.certified_radius(net, [w.tolist() for w in W], [list(v) for v in b], X, hwt.top_pattern(net, 3))
    rng = random.Random(7)
    for _ in range(60):  # exact random points of the box (corners included): never below l0
        pert = lambda v: v + F(r) * rng.choice([-1, 1, Fraction(rng.randint(-99, 99), 100)])  # noqa: E731
        Wp = [[[pert(v) for v in row] for row in w] for w in Wf]
        bp = [[pert(v) for v in vec] for vec in bf]
        assert forward_loss(Wp, bp, Xf, Yf, ACTS[act]) >= Fraction(1, 3)


def test_box_certificate_is_not_vacuous():
    """A box too large is refused, and leaving the cell lowers the loss below 1/3 (relu 2-2-1)."""
    X, Y = yun_data()
    net = hwt.net_of(2, (2,), "relu")
    W, b = hwt.spurious_point(net, X, Y, 1)
    ok, bad = certify_cell_box(net, [w.tolist() for w in W], [list(v) for v in b], X, hwt.top_pattern(net, 3), 2)
    assert not ok and bad


@pytest.mark.parametrize("act", ["relu", "three"])
def test_family_members_against_fraction_oracle(act):
    X, Y = yun_data()
    Xf, Yf = [[F(v) for v in X.row(i)] for i in range(2)], [[F(v) for v in Y]]
    net = hwt.net_of(2, (2, 2), SPECS[act])
    rng = random.Random(3)
    box = hwt.spurious_point(net, X, Y, Interval(*hwt.FAMILY))
    r = hwt.certified_radius(net, *box, X, hwt.top_pattern(net, 3))
    assert r is not None and r > 0
    for _ in range(10):
        alpha = Fraction(rng.randint(50, 200), 100)
        Wf, bf = to_f(*hwt.spurious_point(net, X, Y, sp.Rational(alpha.numerator, alpha.denominator)))
        assert forward_loss(Wf, bf, Xf, Yf, ACTS[act]) == Fraction(1, 3)
        Wp = [[[v + F(r) * rng.choice([-1, 1]) for v in row] for row in w] for w in Wf]
        bp = [[v + F(r) * rng.choice([-1, 1]) for v in vec] for vec in bf]
        assert forward_loss(Wp, bp, Xf, Yf, ACTS[act]) >= Fraction(1, 3)


def test_interval_arithmetic_encloses():
    rng = random.Random(0)
    for _ in range(200):
        a, b = sorted(Fraction(rng.randint(-9, 9), 4) for _ in range(2))
        c, d = sorted(Fraction(rng.randint(-9, 9), 4) for _ in range(2))
        x, y = a + (b - a) * Fraction(rng.randint(0, 8), 8), c + (d - c) * Fraction(rng.randint(0, 8), 8)
        prod = Interval(a, b) * Interval(c, d)
        assert prod.lo <= x * y <= prod.hi
