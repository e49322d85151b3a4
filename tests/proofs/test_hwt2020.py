"""He, Wang & Tao (2020) (proofs/hwt2020.py) against independent oracles: a plain Fraction forward pass (no
lossgeom code), exact random perturbations inside the certified boxes, direct SymPy expansion."""

import random
from fractions import Fraction

import pytest
import sympy as sp

from lossgeom.models import three_piece, yun_data
from lossgeom.proofs import hwt2020 as hwt
from lossgeom.symbolic.cells import Interval, certify_cell_box

EXPECTED = {"spurious-minima-deep": "verified", "spurious-family": "proved", "cell-multilinear": "proved",
            "cell-convex-reparametrisation": "proved", "cell-minimum-global": "proved",
            "constant-risk-path": "proved", "linear-one-cell": "proved", "cells-on-line-plane": "verified",
            "botev-pl-psd-at-scale": "verified"}


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


def test_cell_output_matches_direct_forward():
    """cell_forward with the pattern's pieces = the Fraction forward pass at a random exact point."""
    from lossgeom.net import Net
    from lossgeom.symbolic.cells import cell_forward, pattern_at, piece_affine
    rng = random.Random(5)
    X, Y = yun_data()
    net = Net(widths=(2, 3, 2, 1), activation=three_piece(), bias=True)
    W, b = hwt.random_layers(net.widths, rng)
    pat = pattern_at(net, W, b, X)
    _, outs = cell_forward([sp.Matrix(w) for w in W], [sp.Matrix(v) for v in b], X,
                           lambda s, l, k: piece_affine(net.activation, pat[(s, l, k)]))
    Wf, bf = to_f(W, b)
    Xf = [[F(v) for v in X.row(i)] for i in range(2)]
    for s in range(3):
        direct = forward_loss(Wf, bf, [[r[s]] for r in Xf], [[F(outs[s][0])]], ACTS["three"])
        assert direct == 0


def test_line_count_against_dense_exact_sampling():
    """Exact patterns at 400 rational points of the line meet no cell that cells_on_line missed, in order."""
    from lossgeom.net import Net
    from lossgeom.symbolic.cells import cells_on_line, pattern_at
    X, _ = yun_data()
    net = Net(widths=(2, 3, 1), activation="relu", bias=True)
    rng = random.Random(11)
    theta, d = hwt.random_layers(net.widths, rng), hwt.random_layers(net.widths, rng)
    found = cells_on_line(net, *theta, X, *d, 2)
    seen = []
    for i in range(401):
        t = sp.Rational(-2) + sp.Rational(4 * i, 400)
        W = [sp.Matrix(w) + t * sp.Matrix(e) for w, e in zip(theta[0], d[0])]
        bb = [sp.Matrix(v) + t * sp.Matrix(e) for v, e in zip(theta[1], d[1])]
        p = pattern_at(net, W, bb, X)
        if p is not None and (not seen or seen[-1] != p):
            seen.append(p)
    assert all(p in found["patterns"] for p in seen)
    it = iter(found["patterns"])
    assert all(any(p == q for q in it) for p in seen)  # the sampled sequence is a subsequence
    assert len(seen) <= found["segments"]


def test_plane_count_against_grid_sampling():
    """Distinct exact patterns on a rational grid of the plane never exceed the arrangement's face count."""
    from lossgeom.net import Net
    from lossgeom.symbolic.cells import cells_on_plane, pattern_at
    X, _ = yun_data()
    net = Net(widths=(2, 2, 1), activation="relu", bias=True)
    rng = random.Random(2)
    theta = hwt.random_layers(net.widths, rng)
    d1, d2 = hwt.random_layers(net.widths, rng), hwt.random_layers(net.widths, rng)
    exact = cells_on_plane(net, *theta, X, (d1, d2))["cells"]
    seen = set()
    for i in range(-12, 13):
        for j in range(-12, 13):
            u, v = sp.Rational(i, 2), sp.Rational(j, 2)
            W = [sp.Matrix(w) + u * sp.Matrix(e1) + v * sp.Matrix(e2) for w, e1, e2 in zip(theta[0], d1[0], d2[0])]
            bb = [sp.Matrix(w) + u * sp.Matrix(e1) + v * sp.Matrix(e2) for w, e1, e2 in zip(theta[1], d1[1], d2[1])]
            p = pattern_at(net, W, bb, X)
            if p is not None:
                seen.add(tuple(sorted(p.items())))
    assert 1 < len(seen) <= exact


def test_reparametrisation_is_exact_on_an_instance():
    """A What = the outputs at a random exact point (independent: direct substitution)."""
    from lossgeom.symbolic.cells import cell_forward, cell_weight_symbols, path_reparametrisation
    W, b = cell_weight_symbols((2, 2, 2, 1))
    X = sp.Matrix([[1, 2], [3, -1]])
    aff = lambda s, l, k: (sp.Rational(s + k, 3), sp.Rational(l, 5))  # noqa: E731
    _, outs = cell_forward(W, b, X, aff)
    A, what = path_reparametrisation([o[0] for o in outs], W, b)
    rng = random.Random(1)
    sub = {v: sp.Rational(rng.randint(-9, 9), 4) for w in W + b for v in w.free_symbols}
    z = sp.Matrix([m.xreplace(sub) for m in what])
    assert [(A * z)[s] for s in range(2)] == [o[0].xreplace(sub) for o in outs]
    assert all(ev >= 0 for ev in (A.T * A).eigenvals()) if A.cols <= 4 else (A.T * A).is_symmetric()


@pytest.mark.slow
def test_botev_sweep_at_scale():
    """>= 1,000 off-kink pairs per activation, kinks counted and reported, no violation, oracles agree."""
    from lossgeom.numeric.cells import pl_psd_sweep
    out = pl_psd_sweep(n=1400, seed=0, engine_every=40)
    for name, c in out.items():
        assert c["psd"] >= 1000 and c["violation"] == 0 and c["oracle_mismatch"] == 0, (name, c)
        assert c["at_kink"] > 0 and c["psd"] + c["at_kink"] == c["pairs"] == 1400
        assert c["engine_checked"] >= 20 and c["engine_mismatch"] == 0


def test_sweep_detects_a_broken_recursion(monkeypatch):
    """Negative control: a recursion with a wrong sign is caught by the second-difference oracle."""
    from lossgeom.numeric import cells
    real = cells._recursion
    monkeypatch.setattr(cells, "_recursion", lambda W, hs, left, right: [-H for H in real(W, hs, left, right)])
    out = cells.pl_psd_sweep(n=30, seed=0, engine_every=30)
    assert all(c["oracle_mismatch"] > 0 for c in out.values())


@pytest.mark.parametrize("layer", [1, 2])
def test_layer_inequalities_decide_cell_membership(layer):
    """Exact forward passes: a point with the other layers fixed is in the cell iff every inequality holds."""
    from lossgeom.net import Net
    from lossgeom.symbolic.cells import layer_inequalities, pattern_at
    X, _ = yun_data()
    net = Net(widths=(2, 3, 2, 1), activation=three_piece(), bias=True)
    rng = random.Random(20 + layer)
    W, b = hwt.random_layers(net.widths, rng)
    while pattern_at(net, W, b, X) is None:
        W, b = hwt.random_layers(net.widths, rng)
    pat = pattern_at(net, W, b, X)
    rows = layer_inequalities(net, W, b, X, layer)
    r, c = net.widths[layer], net.widths[layer - 1]
    inside = outside = 0
    for k in range(150):
        q = lambda: sp.Rational(rng.randint(-30, 30), 100) * (1 + k % 10)  # noqa: E731
        Wl = [[W[layer - 1][i][j] + q() for j in range(c)] for i in range(r)]
        bl = [v + q() for v in b[layer - 1]]
        w = sp.Matrix([Wl[i][j] for j in range(c) for i in range(r)] + bl)
        holds = all(e["lower"] < (e["coefficients"] * w)[0] + e["constant"] < e["upper"] for e in rows)
        W2, b2 = list(W), list(b)
        W2[layer - 1], b2[layer - 1] = Wl, bl
        member = pattern_at(net, W2, b2, X) == pat
        assert holds == member
        inside, outside = inside + member, outside + (not member)
    assert inside > 0 and outside > 0
