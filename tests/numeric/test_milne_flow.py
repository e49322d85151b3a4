"""Milne section 4 in float64: eq. (19) against the explicit Hessian, the R-operator against autograd,
the flow's gamma'' against finite differences, Lemma 8 (Gronwall), eq. (20)."""

import autograd.numpy as anp
import mpmath
import numpy as np
import pytest
from autograd import grad, hessian

from lossgeom import Net
from lossgeom.errors import DataError
from lossgeom.numeric.evaluate import full_hessian
from lossgeom.numeric.milne_flow import (
    MLP,
    convex_from,
    descent_trajectory,
    entry_fraction,
    flow_trajectory,
    in_U_float,
    lemma8_check,
    loss_fraction,
)

CASES = [((2, 3, 1), False, "relu", "square"), ((1, 2, 1), False, "identity", "square"),
         ((3, 4, 3), True, "identity", "cross_entropy"), ((2, 3, 3, 2), True, "identity", "square")]


def _instance(widths, bias, out, loss, seed=0, n=6):
    rng = np.random.default_rng(seed)
    net = MLP(widths, bias=bias, output=out, loss=loss, lam=0.3)
    th = net.torch_init(rng)
    X = rng.normal(size=(widths[0], n))
    Y = rng.normal(size=(widths[-1], n)) if loss == "square" else np.eye(widths[-1])[:, rng.integers(0, widths[-1], n)]
    return net, th, X, Y


def _lossgeom_hessian(net, th, X, Y, dps):
    lnet = Net(widths=net.widths, activation="relu", output_activation=net.output, loss=net.loss, bias=net.bias,
               reduction="mean", weight_decay="3/10")
    layers = net.unpack(th)
    H = full_hessian(lnet, [W.tolist() for W, _ in layers], [b.tolist() for _, b in layers] if net.bias else None,
                     X.tolist(), Y.tolist(), dps=dps)
    return H


@pytest.mark.parametrize("case", CASES)
def test_eq19_equals_explicit_2gHg(case):
    """gamma'' by eq. (19) (two passes, no Hessian) = 2 g^T H g with H lossgeom's explicit Hessian (50 digits)."""
    net, th, X, Y = _instance(*case)
    gdd, g2, _ = net.gamma_dd(th, X, Y)
    _, g = net.loss_grad(th, X, Y)
    H = _lossgeom_hessian(net, th, X, Y, 50)
    with mpmath.workdps(50):
        gm = mpmath.matrix([mpmath.mpf(float(v)) for v in g])
        explicit = 2 * (gm.T * H * gm)[0]
        rel = abs(mpmath.mpf(gdd) - explicit) / abs(explicit)
    assert rel < 1e-12, (case, gdd, explicit)
    assert abs(g2 - float(g @ g)) == 0


def _autograd_loss(net, X, Y):
    def f(th):
        a = X
        k = 0
        decay = 0.0
        for i, (m, n) in enumerate(zip(net.widths, net.widths[1:])):
            W = anp.reshape(th[k:k + m * n], (m, n)).T
            k += m * n
            h = anp.dot(W, a)
            if net.bias:
                h = h + th[k:k + n][:, None]
                k += n
            decay = decay + anp.sum(W * W)
            a = anp.maximum(h, 0.0) if i < len(net.widths) - 2 or net.output == "relu" else h
        if net.loss == "square":
            loss = 0.5 * anp.sum((a - Y) ** 2) / Y.shape[1]
        else:
            s = a - anp.max(a, axis=0)
            loss = -anp.sum(Y * (s - anp.log(anp.sum(anp.exp(s), axis=0)))) / Y.shape[1]
        return loss + 0.5 * net.lam * decay
    return f


@pytest.mark.parametrize("case", CASES)
def test_gradient_and_hvp_match_autograd(case):
    net, th, X, Y = _instance(*case, seed=3)
    f = _autograd_loss(net, X, Y)
    loss, g = net.loss_grad(th, X, Y)
    assert abs(loss - f(th)) < 1e-13 and np.allclose(g, grad(f)(th), rtol=1e-12, atol=1e-14)
    v = np.random.default_rng(9).normal(size=net.size)
    assert np.allclose(net.hvp(th, v, X, Y), hessian(f)(th) @ v, rtol=1e-11, atol=1e-13)


def test_flow_gamma_derivatives_and_lemma8():
    """Along an RK4 flow of the toy net: gamma' = -||g||^2 and gamma'' (eq. 19) agree with central differences
    of the recorded gamma; Lemma 8's bound holds on the smooth piece; the Gronwall identity's residual is the
    trapezoid error (small)."""
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, size=(1, 100))
    net = MLP((1, 2, 1), lam=0.4)
    fl = flow_trajectory(net, np.array([0.9, -0.8, 0.7, -0.6]), X, X / 4, 10.0, 2000)
    t, gam, g2, gdd = fl["t"], fl["gamma"], fl["g2"], fl["gdd"]
    h = t[1] - t[0]
    d1 = (gam[2:] - gam[:-2]) / (2 * h)
    d2 = (gam[2:] - 2 * gam[1:-1] + gam[:-2]) / h ** 2
    assert np.max(np.abs(d1 + g2[1:-1])) < 5e-5 * np.max(g2)  # central differences: O(h^2), h = 1/200
    assert np.max(np.abs(d2 - gdd[1:-1])[10:]) < 1e-3 * np.max(np.abs(gdd))
    out = lemma8_check(fl)
    assert out["points"] == 2001 and out["t_star"] == 10.0  # no switch change on this flow
    assert out["C"] > 0 and out["excess"] <= 1e-9 and out["identity"] < 1e-4


def test_lemma8_excess_detects_a_wrong_C():
    """The check has teeth: with the recorded ratio doubled, the Gronwall bound fails."""
    net = MLP((1, 2, 1), lam=0.4)
    X = np.linspace(-1, 1, 20)[None, :]
    fl = flow_trajectory(net, np.array([0.9, -0.8, 0.7, -0.6]), X, X / 4, 5.0, 500)
    fl2 = dict(fl, gdd=2 * fl["gdd"])
    assert lemma8_check(fl)["excess"] <= 1e-9 < lemma8_check(fl2)["excess"]


def test_descent_and_fractions():
    net = MLP((1, 2, 1), lam=0.4)
    X = np.linspace(-1, 1, 11)[None, :]
    out = descent_trajectory(net, np.array([0.9, -0.8, 0.7, -0.6]), X, X / 4, 0.1, 300)
    assert np.all(np.diff(out["gamma"]) <= 1e-15)  # eta = 0.1 is below 2 / L here: monotone descent
    assert out["thetas"].shape == (301, 4) and out["gdd"].shape == (301,)
    assert loss_fraction([5.0, 3.0, 1.0], 1) == 0.5 and loss_fraction([5.0, 3.0, 1.0], 0) == 1.0
    assert np.isnan(loss_fraction([1.0, 2.0], 0))
    assert entry_fraction(np.array([5.0, 3.0, 1.0]), np.array([False, False, False])) == 0.0
    assert convex_from([1.0, 2.0]) == 0 and convex_from([-1.0, -2.0, 3.0]) == 2
    with pytest.raises(DataError, match="inside"):
        entry_fraction([1.0, 0.0], [True])


def test_in_U_float_h1_threshold():
    """H = 1: U(lambda) = {l < lambda^2 / (8 r^2)} (|||W|||^0 = 1)."""
    net = MLP((1, 2, 1), lam=0.4)
    X = np.array([[1.0]])
    for y, inside in ((0.19, True), (0.21, False)):  # l = y^2 / 2 against 0.02
        assert in_U_float(net, np.zeros(4), X, np.array([[y]]), 1.0) is inside
