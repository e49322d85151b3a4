"""lossgeom.numeric.shen_newton against independent oracles (lossgeom's engine at 30 digits, finite differences)."""

import numpy as np
import pytest

from lossgeom import LossgeomError, Net
from lossgeom.models import random_point
from lossgeom.numeric.evaluate import evaluate_net, full_hessian
from lossgeom.numeric.shen_newton import (
    an_ggn,
    convergence_ratios,
    four_regions,
    ggn_exact,
    ggn_float,
    residual_jacobian,
    xor_multistart,
)

X4, Y4 = [[0, 0, 1, 1], [0, 1, 0, 1]], [[0, 1, 1, 0]]


def _lossgeom(th, h, k=1):
    W1, b1 = th[:2 * h].reshape(2, h).T, th[2 * h:3 * h]
    W2 = th[3 * h:3 * h + h * k].reshape(h, k).T
    return [W1.tolist(), W2.tolist()], [b1.tolist(), th[3 * h + h * k:].tolist()]


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "softplus", "bent_identity"])
def test_loss_and_gradient_match_lossgeom(act):
    th = np.random.default_rng(3).normal(size=(1, 2 * 3 + 3 + 3 * 2 + 2))
    X, Y = [[0.1, -0.5, 0.7], [0.3, 0.2, -0.9]], [[1, 0, 2], [0, 1, -1]]
    L, g, G = ggn_float(th, X, Y, 3, act)
    W, b = _lossgeom(th[0], 3, 2)
    e = evaluate_net(Net(widths=(2, 3, 2), activation=act, bias=True), W, b, X, Y, dps=30)
    assert abs(float(e.loss) - L[0]) < 1e-12
    assert max(abs(float(a) - v) for a, v in zip(e.gradient, g[0])) < 1e-12
    H = np.array(e.hessian.tolist(), dtype=float)
    r, _ = residual_jacobian(th, X, Y, 3, act)
    assert np.abs(H - G[0]).max() > 1e-6  # eps != 0: the residual term is present, GGN != H
    assert np.linalg.eigvalsh(G[0]).min() > -1e-12


def test_ggn_exact_equals_float_ggn_and_is_not_the_hessian():
    net = Net(widths=(2, 2, 1), activation="softsign", bias=True)
    pt = random_point(net, 5, samples=4)
    G = np.array(ggn_exact(net, pt.weights, pt.biases, pt.X, pt.Y).tolist(), dtype=float)
    th = np.array([float(v) for v in pt.theta()])
    _, _, Gf = ggn_float(th, np.array(pt.X.tolist(), dtype=float), np.array(pt.Y.tolist(), dtype=float), 2,
                         "softsign")
    assert np.abs(G - Gf[0]).max() < 1e-12
    H = np.array(full_hessian(net, pt.weights, pt.biases, pt.X, pt.Y, dps="float64").tolist(), dtype=float)
    assert np.abs(G - H).max() > 1e-6


def test_multistart_is_seeded_and_finds_fits():
    a = xor_multistart(2, starts=30, seed=4, gd_iters=100, lm_iters=100)
    b = xor_multistart(2, starts=30, seed=4, gd_iters=100, lm_iters=100)
    assert np.array_equal(a["theta"], b["theta"])
    assert (a["loss"] < 1e-20).sum() >= 20 and set(a["rank"][a["loss"] < 1e-20]) == {4}


def test_an_converges_quadratically_and_gd_does_not():
    X, Y = four_regions(12, seed=2)
    th0 = np.random.default_rng(2).normal(0, 0.5, size=(1, 4 * 8 + 1))
    ths, L = an_ggn(th0, X, Y, 8, "bent_identity", iters=40)
    assert L[-1, 0] < 1e-24
    e, q = convergence_ratios(ths[:, 0])
    assert q and max(q) < 10
    _, Lg = an_ggn(th0, X, Y, 8, "bent_identity", iters=40, method="gd")
    assert Lg[-1, 0] > 1e-6


def test_four_regions_labels():
    X, Y = four_regions(200, seed=0)
    r = np.linalg.norm(X, axis=0)
    assert np.array_equal(Y[0], (r > 0.3).astype(float) + (r > 0.6) + (r > 0.9))
    Xo, Yo = four_regions(200, seed=0, one_hot=True)
    assert np.array_equal(Yo.argmax(axis=0), Y[0]) and np.array_equal(Xo, X)


@pytest.mark.parametrize("bad", [{"theta": np.zeros(8)}, {"theta": [[np.nan] * 9]}, {"hidden": 0}, {"X": "x"}])
def test_bad_input_is_a_lossgeom_error(bad):
    kw = dict(theta=np.zeros(9), X=X4, Y=Y4, hidden=2)
    kw.update(bad)
    with pytest.raises(LossgeomError):
        ggn_float(**kw)
