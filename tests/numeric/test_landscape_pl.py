"""The kink-crossing slice grid (numeric/_landscape_pl.py) against the plain batched pass and the mpmath engine."""

import numpy as np
import pytest
import sympy as sp

from lossgeom import Net, resolve_point
from lossgeom.activations import Activation, Piece, X, register_activation, unregister_activation
from lossgeom.numeric import _landscape_pl
from lossgeom.numeric.evaluate import loss_value
from lossgeom.numeric.landscape import loss_slice, slice_directions


@pytest.fixture(scope="module")
def three_piece():
    """A three-piece linear spline with kinks at -1 and 2 (slopes 1/2, 1, -1/3)."""
    h = sp.Rational(1, 2)
    pieces = (Piece(-sp.oo, sp.Integer(-1), h * X - h), Piece(sp.Integer(-1), sp.Integer(2), X),
              Piece(sp.Integer(2), sp.oo, -X / 3 + sp.Rational(8, 3)))
    register_activation("spline3", lambda: Activation("spline3", (), pieces, 1, True))
    yield "spline3"
    unregister_activation("spline3")


def _case(rng, act, bias, loss, out_act, dead=False):
    kw = dict(widths=(3, 5, 2), activation=act, bias=bias, loss=loss)
    if out_act:
        kw["output_activation"] = out_act
    net = Net(**kw)
    W = [rng.normal(size=(5, 3)).round(3), rng.normal(size=(2, 5)).round(3)]
    Xd = rng.normal(size=(3, 7)).round(3)
    if dead:                                   # sample 0 kills every hidden unit at the point
        Xd[:, 0] = 0
        W.append(None)
    b = [rng.normal(size=(5, 1)).round(3), rng.normal(size=(2, 1)).round(3)] if bias else None
    if dead and bias:
        b[0][:] = -abs(b[0]) - 5
    Y = rng.normal(size=(2, 7)).round(2) if loss == "square" else np.eye(2)[:, rng.integers(0, 2, 7)]
    return resolve_point(net, [w.tolist() for w in W[:2]], biases=None if b is None else [v.tolist() for v in b],
                         X=Xd.tolist(), Y=Y.tolist())


CASES = [(a, bias, loss, out) for a in ("relu", "leaky_relu", "abs", {"name": "two_piece", "s_plus": "2", "s_minus": "1/2"}, "spline3",
                                        "identity")
         for bias in (False, True) for loss, out in (("square", None), ("cross_entropy", None), ("square", "relu"))]


@pytest.mark.parametrize("act,bias,loss,out", CASES)
def test_equals_the_plain_batched_pass(act, bias, loss, out, three_piece, monkeypatch):
    rng = np.random.default_rng(CASES.index((act, bias, loss, out)))
    p = _case(rng, act, bias, loss, out, dead=(act == "relu"))
    assert _landscape_pl.applies(p.net)
    dirs = slice_directions(p, seed=1)
    al, be = np.linspace(-1.3, 1.1, 23), np.linspace(-0.9, 1.7, 19)
    fast2, fast1 = loss_slice(p, dirs, al, be), loss_slice(p, dirs, al)
    monkeypatch.setattr(_landscape_pl, "applies", lambda net: False)
    slow2, slow1 = loss_slice(p, dirs, al, be), loss_slice(p, dirs, al)
    scale = 1 + np.abs(slow2.loss).max()
    assert np.max(np.abs(fast2.loss - slow2.loss)) <= 1e-12 * scale
    assert np.max(np.abs(fast1.loss - slow1.loss)) <= 1e-12 * scale
    # the same cells: every cell boundary of the plain pass, and no other
    assert (fast2.cuts_alpha == slow2.cuts_alpha).all() and (fast2.cuts_beta == slow2.cuts_beta).all()
    assert (fast1.cuts_alpha == slow1.cuts_alpha).all()
    if act != "identity":
        assert fast2.n_cuts > 0


def test_against_the_mpmath_engine_at_random_grid_points(three_piece):
    rng = np.random.default_rng(7)
    for act in ("relu", "spline3", "abs"):
        p = _case(rng, act, True, "square", None)
        dirs = slice_directions(p, seed=2)
        al, be = np.linspace(-2, 2, 9), np.linspace(-1, 3, 7)
        s = loss_slice(p, dirs, al, be)
        for j, i in rng.integers(0, [7, 9], size=(6, 2)):
            W = [np.array(w.tolist(), dtype=float) + al[i] * A + be[j] * B for w, A, B in zip(p.weights, *dirs)]
            ref = float(loss_value(p.net, W, p.biases, X=p.X, Y=p.Y, dps=30))
            assert abs(s.values[j, i] - ref) <= 1e-12 * (1 + abs(ref)), (act, i, j)


def test_applies_only_to_one_hidden_layer_with_linear_pieces():
    assert _landscape_pl.applies(Net(widths=(2, 3, 1), activation="relu"))
    assert not _landscape_pl.applies(Net(widths=(2, 3, 1), activation="tanh"))
    assert not _landscape_pl.applies(Net(widths=(2, 3, 3, 1), activation="relu"))
