"""Botev's loss-surface consequences (proofs/botev2017_geometry.py), against independent oracles: direct SymPy
differentiation of the loss written with Max/Min/Abs, plain Fraction arithmetic and numpy."""

import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from lossgeom.models import random_point
from lossgeom.net import Net
from lossgeom.numeric.evaluate import full_hessian
from lossgeom.numeric.spectrum import exact_inertia
from lossgeom.proofs import botev2017_geometry as geo
from lossgeom.proofs import get_claim

EXPECTED = {"pl-hessians-psd": "proved", "nonzero-slope-positive-definite": "refuted",
            "positive-definite-corrected": "proved", "no-differentiable-local-maxima-literal": "refuted",
            "within-layer-convex": "proved", "layer-convex-across-kinks": "refuted",
            "nonsmooth-strict-maximum": "proved", "cross-layer-smooth-saddle": "proved", "dead-units-rank": "verified",
            "objective-not-piecewise-linear": "proved"}

SPECS = {"relu": lambda v: sp.Max(v, 0), "abs": sp.Abs,
         "leaky_relu": lambda v: sp.Max(v, 0) + sp.Min(v / 10, 0),
         "two_piece": lambda v: sp.Max(2 * v, 0) + sp.Min(v / 2, 0)}


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_outcomes_and_expectations(catalog_reports, slug):
    rep = catalog_reports["botev2017." + slug]
    assert rep.outcome == EXPECTED[slug], (rep.method, rep.evidence)
    assert rep.matches
    if rep.outcome == "refuted":
        assert get_claim("botev2017." + slug).expect == "fails" and rep.counterexample


def direct_loss(net, f, samples):
    """E(theta) written directly in SymPy (no lossgeom code), theta in lossgeom's order."""
    theta, Ws, bs = [], [], []
    for l in range(1, net.depth + 1):
        r, c = net.layer_shape(l)
        W = sp.Matrix(r, c, lambda i, j: sp.Symbol("w%d_%d_%d" % (l, i, j), real=True))
        b = sp.Matrix([sp.Symbol("b%d_%d" % (l, i), real=True) for i in range(r)])
        theta += list(W.T.reshape(1, r * c)) + list(b)
        Ws.append(W)
        bs.append(b)
    E = 0
    for x, y in samples:
        a = sp.Matrix(x)
        for l in range(net.depth):
            h = Ws[l] * a + bs[l]
            a = h.applyfunc(f) if l < net.depth - 1 else h
        if net.loss.name == "square":
            E += sum((ai - yi) ** 2 for ai, yi in zip(a, y)) / 2
        else:
            E += sum(y) * sp.log(sum(sp.exp(v) for v in a)) - sum(yi * ai for ai, yi in zip(a, y))
    return E, theta


def point_values(pt, theta):
    vals = []
    for l, W in enumerate(pt.weights):
        vals += list(W.T.reshape(1, W.rows * W.cols)) + list(pt.biases[l])
    return dict(zip(theta, vals))


@pytest.mark.parametrize("name, depth", [(n, 2) for n in sorted(SPECS)] + [("abs", 3)])
def test_engine_layer_blocks_equal_direct_sympy_and_are_psd(name, depth):
    spec = {"leaky_relu": {"name": "leaky_relu", "slope": "1/10"},
            "two_piece": {"name": "two_piece", "s_plus": "2", "s_minus": "1/2"}}.get(name, name)
    net = Net(widths=(2,) * (depth + 1), activation=spec, bias=True)
    pt = random_point(net, random.Random(7 + depth), samples=2)
    samples = [(list(pt.X[:, s]), list(pt.Y[:, s])) for s in range(2)]
    E, theta = direct_loss(net, SPECS[name], samples)
    direct = sp.hessian(E, theta).xreplace(point_values(pt, theta)).applyfunc(lambda v: v.rewrite(sp.Heaviside))
    direct = direct.applyfunc(sp.simplify)
    engine = full_hessian(net, pt.weights, pt.biases, pt.X, pt.Y, dps="exact")
    assert direct == engine
    for l in range(1, depth + 1):
        sl = net.layer_slice(l)
        assert exact_inertia(engine[sl, sl]).negative == 0
    assert engine.trace() >= 0


def test_cross_entropy_layer_blocks_psd_numerically():
    net = Net(widths=(2, 2, 2), activation="abs", loss="cross_entropy", bias=True)
    pt = random_point(net, 3, samples=2, nonnegative_targets=True)
    samples = [(list(pt.X[:, s]), list(pt.Y[:, s])) for s in range(2)]
    E, theta = direct_loss(net, sp.Abs, samples)
    H = np.array(sp.hessian(E, theta).xreplace(point_values(pt, theta)).evalf(30).tolist(), dtype=float)
    engine = np.array(full_hessian(net, pt.weights, pt.biases, pt.X, pt.Y, dps="float64").tolist(), dtype=float)
    assert np.allclose(H, engine, atol=1e-10)
    for l in range(1, 3):
        sl = net.layer_slice(l)
        assert np.linalg.eigvalsh(H[sl, sl]).min() > -1e-10


def test_the_chain_rule_check_can_fail():
    """The decision is not vacuous: with a curved unit (f = s x^2) the identity fails."""
    h = sp.Symbol("h", real=True)
    E = (sp.Symbol("w", real=True) * h ** 2 - 1) ** 2 / 2
    J = sp.diff(sp.Symbol("w", real=True) * h ** 2, h)
    assert sp.expand(sp.diff(E, h, 2) - J ** 2) != 0
    assert not geo._is_affine([h ** 2], [h])
    assert geo._chain_rule_identity("square", 2, 1) and geo.output_hessian_psd_certificate(4)


def test_hidden_hessian_equals_the_direct_bias_block():
    """d2E/dh_l^2 is the bias block of the direct Hessian for one sample (MATH.md 1.6)."""
    net = Net(widths=(2, 2, 3, 2), activation="abs", bias=True)
    pt = random_point(net, 11)
    E, theta = direct_loss(net, sp.Abs, [(list(pt.X), list(pt.Y))])
    H = sp.hessian(E, theta).xreplace(point_values(pt, theta)).applyfunc(sp.simplify)
    ours = geo.hidden_hessian(net, [W.tolist() for W in pt.weights], [list(b) for b in pt.biases], list(pt.X),
                              list(pt.Y), 2)
    assert H[net.layer_slice(2), net.layer_slice(2)][6:, 6:] == ours


def test_printed_pd_statement_counterexample_is_singular():
    net, W, b, x, y = geo.PD_COUNTER_LEAKY
    bias_net = Net(widths=(1, 2, 1), activation=geo.LEAKY, bias=True)
    E, theta = direct_loss(bias_net, SPECS["leaky_relu"], [(x, y)])
    vals = dict(zip(theta, [1, -1, 0, 0, 1, 1, 0]))
    H = sp.hessian(E, theta).xreplace(vals).applyfunc(sp.simplify)
    bias_block = H[2:4, 2:4]
    assert bias_block.det() == 0 and bias_block * sp.Matrix([1, -10]) == sp.zeros(2, 1)
    assert all(sp.diff(SPECS["leaky_relu"](sp.Symbol("t", real=True)), sp.Symbol("t", real=True)).subs(
        sp.Symbol("t", real=True), v) != 0 for v in (-1, 1))
    p = np.exp([0.3, -1.2, 2.0])
    p /= p.sum()
    assert np.allclose((np.diag(p) - np.outer(p, p)) @ np.ones(3), 0)


def test_corrected_pd_needs_full_column_rank():
    net = Net(widths=(2, 2, 2), activation=geo.LEAKY, bias=True)
    full = geo.hidden_hessian(net, [[[1, 2], [-1, 1]], [[1, 1], [1, -1]]], [[0, 0], [0, 0]], [1, 2], [0, 0], 1)
    deficient = geo.hidden_hessian(net, [[[1, 2], [-1, 1]], [[1, 1], [2, 2]]], [[0, 0], [0, 0]], [1, 2], [0, 0], 1)
    assert exact_inertia(full).positive == 2
    assert exact_inertia(deficient).zero == 1


def relu(v):
    return max(v, Fraction(0))


def test_flat_maximum_with_fractions():
    rng = random.Random(0)
    for _ in range(200):
        w1 = Fraction(-1) + Fraction(rng.randint(-999, 999), 1000)
        w2 = Fraction(rng.randint(-999, 999), 1000)
        assert (w2 * relu(w1) - 1) ** 2 / 2 == Fraction(1, 2)


def test_ridge_and_abs_maximum_with_fractions():
    E = lambda w: (relu(w) - 1) ** 2 / 2  # noqa: E731
    assert E(Fraction(-1, 4)) > (E(Fraction(-1)) + E(Fraction(1, 2))) / 2
    A = lambda w: (abs(w) - 1) ** 2 / 2  # noqa: E731
    assert all(A(Fraction(k, 100)) < A(Fraction(0)) for k in range(-199, 200) if k)
    assert A(Fraction(2)) == A(Fraction(0))  # the strict maximum is local: |w1| < 2


def test_objective_not_pl_by_finite_differences():
    """The Hessian of E(w1, w2) = 1/2 (w2 relu(w1 x) - y)^2 at (1, 1), x = 1, y = 0, by central second differences
    in Fractions (exact for a quartic polynomial with step 1/1000 up to O(step^2)); no lossgeom code."""
    E = lambda a, b: (b * relu(a) - 0) ** 2 / 2  # noqa: E731
    h = Fraction(1, 1000)
    d11 = (E(1 + h, 1) - 2 * E(1, 1) + E(1 - h, 1)) / h ** 2
    d22 = (E(1, 1 + h) - 2 * E(1, 1) + E(1, 1 - h)) / h ** 2
    d12 = (E(1 + h, 1 + h) - E(1 + h, 1 - h) - E(1 - h, 1 + h) + E(1 - h, 1 - h)) / (4 * h ** 2)
    assert abs(d11 - 1) < Fraction(1, 10 ** 5) and abs(d22 - 1) < Fraction(1, 10 ** 5)
    assert abs(d12 - 2) < Fraction(1, 10 ** 5)
    net, (w1, w2), X, Y = geo.NOT_PL
    assert full_hessian(net, [[[w1]], [[w2]]], X=X, Y=Y, dps="exact").tolist() == [[1, 2], [2, 1]]


def test_saddle_with_direct_sympy_and_numpy():
    net, W, b, X, Y = geo.SADDLE
    E, theta = direct_loss(net, SPECS["relu"], [([0], [1]), ([1], [-1])])
    vals = dict(zip(theta, [0, 1, 0, 0]))
    g = [sp.diff(E, t).xreplace(vals) for t in theta]
    H = sp.hessian(E, theta).xreplace(vals).applyfunc(lambda v: sp.simplify(v.rewrite(sp.Heaviside)))
    assert all(sp.simplify(v) == 0 for v in g)
    ev = np.linalg.eigvalsh(np.array(H.tolist(), dtype=float))
    assert ev.min() < -0.5 and ev.max() > 4


def test_dead_unit_ranks_with_direct_sympy():
    net = geo.RANK_NET
    for dead in range(4):
        b1 = [-3 if i < dead else 1 for i in range(3)]
        H = geo.hidden_hessian(net, geo.RANK_W, [b1, [0, 0, 0]], [1, 1], [1, 2, 3], 1)
        assert H.rank() == 3 - dead


def test_hidden_hessian_rejects_a_kink():
    from lossgeom.errors import NonDifferentiableError
    net = Net(widths=(1, 2, 1), activation="relu")
    with pytest.raises(NonDifferentiableError, match="h1"):
        geo.hidden_hessian(net, [[[1], [0]], [[1, 1]]], None, [1], [0], 1)
