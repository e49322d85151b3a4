"""Loss-surface slices: the vectorised float64 grid against per-point evaluate_net, the cell boundaries
against the activation patterns of the independent engine, and what Botev's three pictures show."""

import json
import os
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from lossgeom.cli import main
from lossgeom.data import read_net_file
from lossgeom.errors import DataError, SizeLimitError
from lossgeom.models import botev_slice_point
from lossgeom.numeric.evaluate import evaluate_net, loss_value
from lossgeom.numeric.landscape import draw_slice, loss_slice, slice_directions, slice_json
from lossgeom.precision import tolerance

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       "examples", "landscape_relu_3_4_2.json")
GRID = np.linspace(-2, 2, 61)   # the grid of the README's figures


def _figure(kind, layers):
    p = botev_slice_point()
    return loss_slice(p, slice_directions(p, kind, layers, seed=0), GRID, GRID, origin="zero")


def _second_differences(Z, cuts, axis):
    """Second differences along ``axis`` and whether their three points lie in one cell."""
    Z, cuts = np.moveaxis(Z, axis, -1), np.moveaxis(cuts, axis, -1)
    d2 = Z[..., 2:] - 2 * Z[..., 1:-1] + Z[..., :-2]
    return d2, ~(cuts[..., 1:] | cuts[..., :-1])


def _diagonal_second_differences(Z, ca, cb):
    """Second differences along alpha = beta lines (through three diagonal neighbours), and 'one cell'
    (no cut on the staircase between them)."""
    d2 = Z[2:, 2:] - 2 * Z[1:-1, 1:-1] + Z[:-2, :-2]
    step = ca[:-1, :] | cb[:, 1:]            # (j, i) -> (j, i+1) -> (j+1, i+1)
    one = ~(step[1:, 1:] | step[:-1, :-1])
    return d2, one


def _tol(Z):
    return 16 * float(tolerance("float64", scale=float(np.max(np.abs(Z)))))


def _interior_strict_maxima(Z):
    c = Z[1:-1, 1:-1]
    nb = [Z[1 + dj:Z.shape[0] - 1 + dj, 1 + di:Z.shape[1] - 1 + di]
          for dj in (-1, 0, 1) for di in (-1, 0, 1) if (dj, di) != (0, 0)]
    return int(np.sum(np.all([c > n for n in nb], axis=0)))


def test_float64_grid_equals_per_point_evaluation():
    p = botev_slice_point()
    dirs = slice_directions(p, "random", seed=3)
    al, be = np.linspace(-1, 1, 4), np.linspace(-0.5, 1.5, 3)
    s = loss_slice(p, dirs, al, be)
    for j, b in enumerate(be):
        for i, a in enumerate(al):
            W = [np.array(w.tolist(), dtype=float) + a * A + b * B for w, A, B in zip(p.weights, *dirs)]
            ref = loss_value(p.net, W, X=p.X, Y=p.Y, dps=30)      # the mpmath engine, exact binary inputs
            assert abs(s.values[j, i] - float(ref)) <= _tol(s.values), (i, j)
    mp = loss_slice(p, dirs, al, be, dps=30)
    exact = [[[Fraction(str(w[r, c])) + Fraction(1) * Fraction(A[r, c]) + Fraction(1.5) * Fraction(B[r, c])
               for c in range(w.shape[1])] for r in range(w.shape[0])] for w, A, B in zip(p.weights, *dirs)]
    # the dps grid forms W0 + alpha A + beta B exactly: equal to 30 digits, not just to float64
    assert mpmath.almosteq(mp.loss[2, 3], loss_value(p.net, exact, X=p.X, Y=p.Y, dps=30), 1e-25)
    assert abs(float(mp.loss[2, 3]) - s.values[2, 3]) <= _tol(s.values)


def test_cell_boundaries_are_the_pattern_changes_of_the_engine():
    p = botev_slice_point()
    dirs = slice_directions(p, "layer", (1,), seed=0)
    al = np.linspace(-2, 2, 41)
    s = loss_slice(p, dirs, al)
    signs = []
    for a in al:
        W = [np.array(w.tolist(), dtype=float) + a * A for w, A in zip(p.weights, dirs[0])]
        ev = evaluate_net(p.net, W, X=p.X, Y=p.Y, dps=30, hessian=False)
        signs.append(tuple(h > 0 for sample in ev.preactivations for h in sample[0]))
    expected = [signs[i] != signs[i + 1] for i in range(len(al) - 1)]
    assert s.cuts_alpha.tolist() == expected and any(expected)


def test_within_layer_two_the_slice_is_a_convex_quadratic():
    """Blog, second picture: varying W_2 alone shows no differentiable maxima; here the loss is even a convex
    quadratic in (alpha, beta) (the output is linear in W_2), and no cell boundary crosses the slice."""
    s = _figure("layer", (2,))
    Z = s.values
    assert s.n_cuts == 0
    for axis in (0, 1):
        d2, _ = _second_differences(Z, s.cuts_alpha, axis)
        assert d2.min() > 0 and np.ptp(d2) <= _tol(Z)          # constant, positive curvature
    d2, _ = _diagonal_second_differences(Z, s.cuts_alpha, s.cuts_beta)
    assert d2.min() > 0
    assert _interior_strict_maxima(Z) == 0


def test_within_layer_one_convex_along_every_line_inside_each_cell():
    """Blog, first picture: varying W_1 = alpha A + beta B, no differentiable local maxima; the Botev block of
    a layer is PSD away from the kinks, so every grid line is convex inside each cell, with ridges between."""
    s = _figure("layer", (1,))
    Z, tol = s.values, _tol(s.values)
    assert s.n_cuts > 100                                     # the ReLU cells are rays through the origin
    kinked = []
    for axis, cuts in ((1, s.cuts_alpha), (0, s.cuts_beta)):
        d2, one = _second_differences(Z, cuts if axis == 1 else cuts, axis)
        assert d2[one].min() >= -tol
        kinked.append(d2[~one].min())
    d2, one = _diagonal_second_differences(Z, s.cuts_alpha, s.cuts_beta)
    assert d2[one].min() >= -tol
    assert min(kinked) < -tol                                 # a ridge: the slice is not convex across cells
    assert _interior_strict_maxima(Z) == 0


def test_across_layers_no_maxima_but_saddles():
    """Blog, third picture: W_1 = alpha A, W_2 = beta B; no differentiable maxima (each axis stays in one
    layer, so d2E/dalpha2, d2E/dbeta2 >= 0 inside a cell), but the slice is not convex: inside a cell the
    loss curves down along some line (a smooth saddle across layers)."""
    s = _figure("layers", (1, 2))
    Z, tol = s.values, _tol(s.values)
    for axis, cuts in ((1, s.cuts_alpha), (0, s.cuts_beta)):
        d2, one = _second_differences(Z, cuts, axis)
        assert d2[one].min() >= -tol
    d2, one = _diagonal_second_differences(Z, s.cuts_alpha, s.cuts_beta)
    anti = Z[2:, :-2] - 2 * Z[1:-1, 1:-1] + Z[:-2, 2:]
    assert min(d2[one].min(), anti[one].min()) < -1.0         # concave along a diagonal, inside one cell
    assert _interior_strict_maxima(Z) == 0


def test_limits_and_bad_input():
    p = botev_slice_point()
    dirs = slice_directions(p)
    with pytest.raises(SizeLimitError, match="landscape_work"):
        loss_slice(p, dirs, np.linspace(0, 1, 2000), np.linspace(0, 1, 2000), dps=50)
    with pytest.raises(DataError, match="alphas"):
        loss_slice(p, dirs, [1, 0])
    with pytest.raises(DataError, match="layers"):
        slice_directions(p, "layers", (1, 1))


def test_draw_json_and_cli(tmp_path, capsys):
    p = botev_slice_point()
    s = loss_slice(p, slice_directions(p), np.linspace(-1, 1, 5), np.linspace(-1, 1, 4))
    draw_slice(s, str(tmp_path / "a.png"))
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    doc = slice_json(s)
    assert len(doc["loss"]) == 4 and len(doc["loss"][0]) == 5 and float(doc["loss"][1][2]) == s.values[1, 2]
    out = tmp_path / "b.svg"
    assert main(["landscape", EXAMPLE, "--out", str(out), "--points", "5", "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["points"] == [5, 5] and out.read_text()[:5] == "<?xml"
    nf = read_net_file(EXAMPLE)
    assert got["min"]["loss"] == pytest.approx(min(float(v) for row in got["grid"]["loss"] for v in row))
    assert nf.net.widths == (3, 4, 2)
    assert main(["landscape", EXAMPLE, "--out", str(tmp_path / "c.png"), "--dim", "1", "--points", "150",
                 "--dps", "20"]) == 0
    err = capsys.readouterr().err
    assert "landscape: 150 of 150 grid points" in err
