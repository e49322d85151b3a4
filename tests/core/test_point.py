"""The core types: Point (exact weights and data bound to a Net), Pattern (which piece each unit takes),
Precision (how numbers are computed), and the number parser they share."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from lossgeom import (
    DataError,
    Net,
    NetSpecError,
    Pattern,
    PatternError,
    Point,
    Precision,
    exact_matrix,
    net_file_from_dict,
    resolve_point,
)
from lossgeom.numbers import parse_number

rationals = st.fractions(min_value=-5, max_value=5, max_denominator=12)


def _rows(draw, r, c):
    return [[draw(rationals) for _ in range(c)] for _ in range(r)]


@st.composite
def points(draw):
    widths = tuple(draw(st.lists(st.integers(1, 3), min_size=2, max_size=4)))
    bias = draw(st.booleans())
    net = Net(widths=widths, activation="tanh", bias=bias)
    m = draw(st.integers(1, 3))
    W = [_rows(draw, widths[l], widths[l - 1]) for l in range(1, len(widths))]
    b = [[draw(rationals) for _ in range(widths[l])] for l in range(1, len(widths))] if bias else None
    X = _rows(draw, widths[0], m)
    Y = _rows(draw, widths[-1], m)
    return net, W, b, X, Y


@settings(max_examples=40, deadline=None)
@given(points())
def test_point_equals_the_net_file_reading_of_the_same_numbers(case):
    net, W, b, X, Y = case
    pt = resolve_point(net, W, b, X, Y)
    doc = dict(net.spec(), weights=[[[str(v) for v in row] for row in w] for w in W],
               inputs=[[str(X[i][s]) for i in range(len(X))] for s in range(len(X[0]))],
               targets=[[str(Y[i][s]) for i in range(len(Y))] for s in range(len(Y[0]))])
    if b is not None:
        doc["biases"] = [[str(v) for v in vec] for vec in b]
    assert net_file_from_dict(doc).point() == pt
    # theta stacks columns: entry (i, j) of W_1 sits at j * d_1 + i
    theta = pt.theta()
    assert theta[0] == sp.Rational(W[0][0][0].numerator, W[0][0][0].denominator)
    if net.widths[0] > 1:
        assert theta[net.widths[1]] == sp.Rational(W[0][0][1].numerator, W[0][0][1].denominator)
    assert len(theta) == net.n_params
    Wf, bf, Xf, Yf = pt.fractions()
    assert Wf[0][0][0] == Fraction(W[0][0][0]) and Xf[0] == tuple(Fraction(X[i][0]) for i in range(len(X)))


def test_point_reads_numpy_mpmath_and_sympy_values_exactly():
    net = Net(widths=(2, 1))
    for W in (np.array([[0.5, -0.25]]), mpmath.matrix([[0.5, -0.25]]), sp.Matrix([[sp.Rational(1, 2), -0.25]])):
        assert resolve_point(net, [W]).weights[0] == sp.ImmutableMatrix([[sp.Rational(1, 2), sp.Rational(-1, 4)]])
    assert parse_number(np.float64(0.1)) == sp.Rational(3602879701896397, 36028797018963968)
    assert parse_number(np.int64(7)) == 7


@pytest.mark.parametrize("kwargs,match", [
    (dict(weights=[[[1, 2]]]), r"weights\[0\]: expected a 1x1 matrix, got 1x2"),
    (dict(weights=[[[1]], [[1]]]), "weights: expected a list of 1 matrices"),
    (dict(weights=[[["pi"]]]), r"weights\[0\]\[0\]\[0\]: expected a number"),
    (dict(weights=[[[1]]], biases=[[0]]), "biases: given, but the net has bias = false"),
    (dict(weights=[[[1]]], X=[[1]]), "Y: given X without Y"),
    (dict(weights=[[[1]]], X=[[1, 2]], Y=[[1]]), "Y: expected a 1x2 matrix"),
    (dict(weights=[[[1]]], X=[[float("nan")]], Y=[[1]]), "X\\[0\\]\\[0\\]: expected a finite number"),
])
def test_bad_points_name_the_field(kwargs, match):
    with pytest.raises(DataError, match=match):
        resolve_point(Net(widths=(1, 1)), **kwargs)


def test_point_sample_and_bias_accessors():
    pt = resolve_point(Net(widths=(1, 2), bias=True), [[[1], [2]]], [[3, 4]], X=[[1, 2]], Y=[[0, 1], [1, 0]])
    assert pt.bias(1) == sp.ImmutableMatrix([3, 4])
    x, y = pt.sample(2)
    assert list(x) == [2] and list(y) == [1, 0]
    with pytest.raises(DataError, match="sample: expected an integer from 1 to 2"):
        pt.sample(3)
    assert isinstance(pt, Point) and hash(pt) == hash(resolve_point(pt.net, pt.weights, pt.biases, pt.X, pt.Y))


def test_pattern_reports_every_problem_at_once():
    net = Net(widths=(1, 2, 1), activation="relu")
    with pytest.raises(PatternError) as info:
        Pattern.from_spec({(1, 3): 0, (1, 1): 2, (3, 1): 0, (5, 1, 1): 0}, net, n_samples=2)
    problems = info.value.problems
    assert len(problems) == 4
    assert any("unit (1, 3) is not a unit" in p for p in problems)
    assert any("pattern[(1, 1)]: expected a piece index from 0 to 1 (relu), got 2" in p for p in problems)
    assert any("sample 5" in p for p in problems)
    assert isinstance(info.value, NetSpecError) and isinstance(info.value, DataError)


def test_pattern_is_frozen_hashable_and_reads_every_spelling():
    net = Net(widths=(1, 2, 1), activation="relu")
    a = Pattern.from_spec({(1, 2): 0, (1, 1): 1}, net)
    b = Pattern.from_spec([((1, 1), 1), ((1, 2), 0)], net)
    assert a == b and hash(a) == hash(b) and {a: 1}[b] == 1
    assert Pattern.from_spec(a) is a and not Pattern.from_spec(None)
    with pytest.raises(AttributeError):
        a.units = ()


def test_a_per_sample_pattern_reaches_the_numeric_engine():
    """Both samples sit exactly at the ReLU kink; the per-sample pattern takes the 'on' piece for sample 1 and
    the 'off' piece for sample 2, so the summed gradient is that of sample 1 alone (on) plus sample 2 (off)."""
    from lossgeom.numeric.evaluate import gradient
    net = Net(widths=(1, 1, 1), activation="relu", bias=True)
    W, b = [[[1]], [[2]]], [[-1], [0]]
    X, Y = [[1, 1]], [[3, -1]]
    both = gradient(net, W, b, X, Y, dps="exact", pattern={(1, 1, 1): 1, (2, 1, 1): 0})
    one = gradient(net, W, b, [[1]], [[3]], dps="exact", pattern={(1, 1): 1})
    two = gradient(net, W, b, [[1]], [[-1]], dps="exact", pattern={(1, 1): 0})
    assert both == one + two
    assert one != two  # the two pieces give different gradients, so the test would notice a shared pattern


def test_precision_resolves_once_and_names_the_field():
    assert mpmath.nstr(Precision.resolve("float64").tolerance(), 5) == "1.0e-10"
    assert Precision.resolve("exact").tolerance() == 0
    assert Precision.resolve(Precision.resolve(40)).digits == 40
    with pytest.raises(DataError, match="digits: expected an integer from 15 to 10000, 'float64' or 'exact', got 3"):
        Precision.resolve(3, field="digits")
    before = mpmath.mp.dps
    with mpmath.workdps(23):
        with Precision.resolve(30).context():
            assert mpmath.mp.dps == 40
        assert mpmath.mp.dps == 23
    assert mpmath.mp.dps == before


def test_exact_matrix_accepts_flat_columns_and_refuses_text():
    assert exact_matrix(["1/3", 2], "v", (2, 1)) == sp.ImmutableMatrix([sp.Rational(1, 3), 2])
    with pytest.raises(DataError, match="v: expected a 2x1 matrix, got '12'"):
        exact_matrix("12", "v", (2, 1))


def test_net_layer_activation_and_deep_linear():
    net = Net(widths=(2, 3, 1), activation="tanh", output_activation="sigmoid")
    assert [net.layer_activation(l).name for l in (1, 2)] == ["tanh", "sigmoid"]
    with pytest.raises(NetSpecError, match="layer: expected an integer from 1 to 2, got 0"):
        net.layer_activation(0)
    assert Net(widths=(3, 2, 3)).is_deep_linear
    assert not Net(widths=(3, 2, 3), weight_decay="1/10").is_deep_linear
    assert len(Net(widths=(3, 2, 2), activation="relu", bias=True).linear_problems()) == 2
