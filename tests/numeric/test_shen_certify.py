"""lossgeom.numeric.shen_certify against independent oracles: lossgeom's engine (evaluate_net at 40 digits) for
J, grad J and the Hessian; Krawczyk certificates checked on a known critical point and refused on a plateau."""

import mpmath
import numpy as np
import pytest

from lossgeom import LossgeomError, Net
from lossgeom.numeric.evaluate import evaluate_net
from lossgeom.numeric.shen_certify import (
    classify_xor_starts,
    krawczyk_critical,
    newton_critical,
    plateau_track,
    xor_loss_grad_hess,
)

X8 = [[0, 1, 2, 0, 1, 2, 0, 1], [0, 0, 0, 1, 1, 1, 2, 2]]
Y8 = [[0, 1, 0, 1, 1, 0, 1, 0]]
SADDLE_START = [-0.786, 1.133, -0.069, 0.244, 0.477]


def _lossgeom(th, h):
    th = [mpmath.mpf(v) for v in th]
    W1 = [[th[i * h + j] for i in range(2)] for j in range(h)]
    return [W1, [th[3 * h:4 * h]]], [th[2 * h:3 * h], [th[4 * h]]]


@pytest.mark.parametrize("act,h", [("tanh", 2), ("sigmoid", 3)])
def test_loss_gradient_hessian_match_lossgeom_engine(act, h):
    th = np.random.default_rng(h).normal(size=4 * h + 1).tolist()
    L, g, H = xor_loss_grad_hess(th, h, act, dps=40)
    W, b = _lossgeom(th, h)
    e = evaluate_net(Net(widths=(2, h, 1), activation=act, bias=True), W, b, [[0, 0, 1, 1], [0, 1, 0, 1]],
                     [[0, 1, 1, 0]], dps=40)
    with mpmath.workdps(40):
        assert abs(L - e.loss) < mpmath.mpf(10) ** -35
        assert max(abs(a - b) for a, b in zip(g, e.gradient)) < mpmath.mpf(10) ** -35
        assert max(abs(H[i][j] - e.hessian[i, j]) for i in range(len(g)) for j in range(len(g))) < 1e-35


def test_krawczyk_certifies_a_saddle_and_its_inertia_matches_mpmath_eigenvalues():
    th, hist = newton_critical(SADDLE_START, 1, X=X8, Y=Y8, dps=40)
    assert hist[-1] < 1e-40
    c = krawczyk_critical(th, 1, X=X8, Y=Y8, dps=40)
    assert c.contains and c.loss_positive and c.kind == "saddle"
    # independent eigenvalues of the Hessian from lossgeom's engine at the centre
    W, b = _lossgeom(th, 1)
    e = evaluate_net(Net(widths=(2, 1, 1), activation="tanh", bias=True), W, b, X8, Y8, dps=40)
    with mpmath.workdps(40):
        ev = mpmath.eigsy(e.hessian)[0]
    assert c.inertia == (sum(1 for v in ev if v > 0), sum(1 for v in ev if v < 0))
    # a box that misses the critical point is not certified
    far = [v + mpmath.mpf("1e-3") for v in th]
    assert not krawczyk_critical(far, 1, X=X8, Y=Y8, dps=40).contains


def test_plateau_has_no_critical_point_and_runs_to_infinity():
    out = classify_xor_starts(2, starts=200, seed=2, tracked=1, dps=30, newton_iters=30)
    c = out["counts"]
    assert c["fit"] + c["nonfit"] == 200 and c["nonfit"] > 0
    assert c["J > 0 and grad != 0 certified"] == c["nonfit"]
    w = out["worst"]
    rows = w["rows"]
    assert w["kind"] == "plateau"
    assert rows[-1][0] > rows[0][0] + 10 and rows[-1][1] < rows[0][1] * 1e-15   # ||theta|| up, grad down
    assert abs(rows[-1][2] - rows[0][2]) < 1e-6 and rows[-1][2] > 0.2            # J stays put, > 0
    cert = w["certificate"]
    assert not cert.contains and cert.loss_positive and cert.gradient_nonzero


def test_plateau_track_and_bad_input():
    rows = plateau_track([0] * 8 + [0.5], 2, dps=20, iters=2)
    assert rows[0][1] == 0 and len(rows) == 1          # (0, ..., 1/2) is critical: stops at once
    with pytest.raises(LossgeomError):
        xor_loss_grad_hess([0] * 7, 2)
    with pytest.raises(LossgeomError):
        krawczyk_critical([0] * 9, 2, radius=-1)
    with pytest.raises(LossgeomError):
        newton_critical([0] * 9, 2, activation="relu")
