"""Issue 11 item 6: forced patterns never give a silent wrong loss, a pole of a forced piece is a DataError naming the
unit and sample, and the number types by dps are the ones docs/numeric.md's table states."""

import mpmath
import numpy as np
import pytest
import sympy as sp
from flint import arb, arb_mat

from lossgeom import Net
from lossgeom.errors import DataError
from lossgeom.numeric.ball import ball_evaluate
from lossgeom.numeric.evaluate import evaluate_net, loss_value

RELU = Net(widths=(1, 1, 1), activation="relu")
ARGS = ([[[-1]], [[1]]],)      # h1 = -1 < 0: relu's zero piece, z = 0, y = 1: the loss is 1/2


def test_a_departing_pattern_is_reported_and_labelled_never_silent():
    assert loss_value(RELU, *ARGS, X=[[1]], Y=[[1]], dps="exact") == sp.Rational(1, 2)
    ev = evaluate_net(RELU, *ARGS, X=[[1]], Y=[[1]], dps="exact", pattern={(1, 1): 1})
    assert ev.loss == 2                                          # the forced identity piece's loss
    assert [str(f) for f in ev.forced] == ["h1[1] (sample 1) forced to piece 1, its value lies in piece 0"]
    assert ev.loss_basis.startswith("forced pattern (not the net's loss)") and "at the forced pattern" in repr(ev)
    with pytest.raises(DataError, match="h1\\[1\\] \\(sample 1\\) forced to piece 1"):
        loss_value(RELU, *ARGS, X=[[1]], Y=[[1]], pattern={(1, 1): 1})
    agree = evaluate_net(RELU, *ARGS, X=[[1]], Y=[[1]], dps=20, pattern={(1, 1): 0})
    assert agree.loss_basis == "net" and not agree.forced[0].departs
    assert evaluate_net(RELU, *ARGS, X=[[1]], Y=[[1]], dps=20).forced == ()


def test_a_forced_piece_with_a_pole_names_the_unit_and_sample():
    net = Net(widths=(1, 1, 1), activation="softsign")
    for dps in ("exact", 30, "float64"):
        try:
            evaluate_net(net, [[[1]], [[1]]], X=[[-1, 1]], Y=[[1, 0]], dps=dps, pattern={(1, 1): 0})
        except DataError as e:
            assert "unit h1[1] has a pole at sample 2" in str(e)
        else:
            assert dps == "float64"      # float64 divides by zero into inf without raising


def test_return_types_by_dps_match_the_table():
    net = Net(widths=(1, 1, 1), activation="softsign")
    args = ([[["1/2"]], [[2]]],)
    kw = {"X": [[1]], "Y": [[0]]}
    table = {30: (mpmath.mpf, mpmath.matrix), "float64": (float, np.ndarray), "exact": (sp.Rational, sp.ImmutableMatrix)}
    for dps, (scalar, matrix) in table.items():
        ev = evaluate_net(net, *args, **kw, dps=dps)
        assert isinstance(ev.loss, scalar) and isinstance(ev.hessian, matrix) and isinstance(ev.gradient, matrix)
        assert isinstance(loss_value(net, *args, **kw, dps=dps), scalar)
    bev = ball_evaluate(net, *args, **kw, dps=30)
    assert isinstance(bev.loss, arb) and isinstance(bev.hessian, arb_mat) and isinstance(bev.gradient, arb_mat)
