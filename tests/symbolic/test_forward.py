"""The symbolic forward trace against a 1-1-1 net worked out by hand, activation patterns (dicts and
lossgeom.point.Pattern), exact input reading, and the enumeration of activation cells."""

import itertools

import mpmath
import pytest
import sympy as sp

from lossgeom import Net
from lossgeom.errors import DataError, SizeLimitError
from lossgeom.point import Pattern, PatternError
from lossgeom.symbolic import activation_cells, forward_trace, one_sample_pattern, parameter_symbols, symbol

W1, W2, b1, b2, x, y = (symbol(n) for n in ("W1[1,1]", "W2[1,1]", "b1[1]", "b2[1]", "x[1]", "y[1]"))


def test_symbolic_1_1_1_trace_written_out_by_hand():
    net = Net(widths=(1, 1, 1), activation="tanh", bias=True)
    tr = forward_trace(net)
    assert tr.a[0] == sp.Matrix([[x]])
    assert tr.h[0] == sp.Matrix([[W1 * x + b1]])
    assert tr.a[1] == sp.Matrix([[sp.tanh(W1 * x + b1)]])
    assert tr.h[1] == sp.Matrix([[W2 * sp.tanh(W1 * x + b1) + b2]])
    assert tr.a[2] == tr.h[1]  # identity output
    assert sp.expand(tr.loss() - (W2 * sp.tanh(W1 * x + b1) + b2 - y) ** 2 / 2) == 0
    assert tr.weights == (sp.Matrix([[W1]]), sp.Matrix([[W2]])) and tr.biases == (sp.Matrix([[b1]]), sp.Matrix([[b2]]))


def test_exact_1_1_1_trace_at_the_botev_micro_example():
    # W1 = 1/2, W2 = 2, x = 1, y = 0: h1 = 1/2, a1 = tanh(1/2), h2 = 2 tanh(1/2), E = 2 tanh(1/2)^2
    net = Net(widths=(1, 1, 1), activation="tanh")
    tr = forward_trace(net, weights=[[["1/2"]], [[2]]], x=[1], y=[0])
    half = sp.Rational(1, 2)
    assert (tr.h[0][0], tr.a[1][0], tr.h[1][0]) == (half, sp.tanh(half), 2 * sp.tanh(half))
    assert tr.loss() == 2 * sp.tanh(half) ** 2
    with mpmath.workdps(40):  # independent value: mpmath's tanh
        assert abs(mpmath.mpf(sp.N(tr.loss(), 40)) - 2 * mpmath.tanh(mpmath.mpf(1) / 2) ** 2) < mpmath.mpf(10) ** -35


def test_weight_decay_and_square_loss_of_two_outputs():
    net = Net(widths=(1, 1, 2), activation="identity", weight_decay="1/10")
    tr = forward_trace(net, weights=[[[2]], [[1], [-3]]], x=["1/2"], y=[0, 1])
    # h1 = 1, h2 = (1, -3); E = ((1 - 0)^2 + (-3 - 1)^2) / 2 + (1/20) (2^2 + 1^2 + (-3)^2)
    assert tr.loss() == sp.Rational(17, 2) + sp.Rational(14, 20)


def test_output_activation_applies_to_the_last_layer_only():
    net = Net(widths=(1, 1, 1), activation="tanh", output_activation="sigmoid")
    tr = forward_trace(net)
    assert tr.a[2][0] == 1 / (1 + sp.exp(-W2 * sp.tanh(W1 * x)))


def test_a_pattern_fixes_each_unit_to_one_piece():
    net = Net(widths=(1, 2, 1), activation="relu")
    W11, W12 = symbol("W1[1,1]"), symbol("W1[2,1]")
    tr = forward_trace(net, pattern={(1, 1): 1, (1, 2): 0})
    assert tr.a[1] == sp.Matrix([[W11 * x], [0]])
    assert tr.h[1][0] == symbol("W2[1,1]") * W11 * x
    # a Pattern and the dict it was read from give the same trace, and a free unit keeps the whole activation
    assert forward_trace(net, pattern=Pattern.from_spec({(1, 1): 1, (1, 2): 0}, net)) == tr
    free = forward_trace(net, pattern={(1, 1): 1}).a[1][1]
    assert isinstance(free, sp.Piecewise) and free.subs(W12, 1).subs(x, -1) == 0 and free.subs({W12: 1, x: 2}) == 2


def test_a_pattern_chooses_the_piece_expression_even_where_values_would_say_otherwise():
    net = Net(widths=(1, 1, 1), activation="leaky_relu")  # pieces: h/100 for h < 0, h for h > 0
    assert forward_trace(net, pattern={(1, 1): 0}).a[1][0] == W1 * x / 100
    assert forward_trace(net, pattern={(1, 1): 1}).a[1][0] == W1 * x
    # at exact values the cell's piece is used as given (checking membership is the derivations' job)
    assert forward_trace(net, weights=[[[2]], [[1]]], x=[1], y=[0], pattern={(1, 1): 0}).a[1][0] == sp.Rational(1, 50)


def test_per_sample_patterns_apply_sample_one_and_refuse_others():
    net = Net(widths=(1, 2, 1), activation="relu")
    assert dict(one_sample_pattern(net, {(1, 1, 2): 1})) == {(1, 2): 1}
    assert forward_trace(net, pattern={(1, 1, 2): 1}) == forward_trace(net, pattern={(1, 2): 1})
    with pytest.raises(PatternError, match="sample 2"):
        forward_trace(net, pattern={(2, 1, 1): 0})


@pytest.mark.parametrize("pattern, message", [({(1, 3): 0}, r"unit \(1, 3\)"), ({(3, 1): 0}, r"unit \(3, 1\)"),
                                              ({(1, 1): 2}, "piece index from 0 to 1"),
                                              ({(2, 1): 1}, r"pattern\[\(2, 1\)\]: expected a piece index from 0 to 0"),
                                              ])
def test_a_pattern_outside_the_net_is_refused(pattern, message):
    with pytest.raises(PatternError, match=message):
        forward_trace(Net(widths=(1, 2, 1), activation="relu"), pattern=pattern)


def test_exact_inputs_are_read_exactly_and_shapes_checked():
    net = Net(widths=(2, 1), bias=True)
    tr = forward_trace(net, weights=[[["0.1", "1/3"]]], biases=[["-2.5e-1"]], x=[3, 6])
    assert tr.h[0][0] == sp.Rational(3, 10) + 2 - sp.Rational(1, 4)
    with pytest.raises(DataError, match="weights"):
        forward_trace(net, weights=[[[1, 2, 3]]])
    with pytest.raises(DataError, match="x"):
        forward_trace(net, x=[1])
    with pytest.raises(DataError, match="biases: given"):
        forward_trace(Net(widths=(2, 1)), biases=[[1]])


def _cells_by_hand(net):
    units = [(l, i) for l in range(1, net.depth + 1) for i in range(1, net.widths[l] + 1)
             if len(net.layer_activation(l).pieces) > 1]
    sizes = [len(net.layer_activation(l).pieces) for l, _ in units]
    return [dict(zip(units, c)) for c in itertools.product(*[range(k) for k in sizes])]


@pytest.mark.parametrize("net", [Net(widths=(2, 3, 1), activation="relu"), Net(widths=(1, 2, 2, 1), activation="abs"),
                                 Net(widths=(1, 1, 1), activation="tanh", output_activation="relu"),
                                 Net(widths=(2, 2, 1), activation="tanh")], ids=str)
def test_activation_cells_are_every_choice_of_piece(net):
    cells = list(activation_cells(net))
    assert cells == _cells_by_hand(net)
    assert len({tuple(sorted(c.items())) for c in cells}) == len(cells)
    for cell in cells:  # every cell is a valid pattern of the net
        Pattern.from_spec(cell, net)


def test_activation_cells_of_a_smooth_net_and_the_limit():
    assert list(activation_cells(Net(widths=(3, 4, 1), activation="sigmoid"))) == [{}]
    net = Net(widths=(1, 5, 1), activation="relu")
    assert len(list(activation_cells(net, limit=32))) == 32
    with pytest.raises(SizeLimitError, match="32 activation cells, above the limit 31"):
        list(activation_cells(net, limit=31))


def test_parameter_symbols_follow_theta_order():
    net = Net(widths=(2, 2, 1), bias=True)
    assert [s.name for s in parameter_symbols(net)] == list(net.parameter_names())
    assert [s.name for s in parameter_symbols(net)][:4] == ["W1[1,1]", "W1[2,1]", "W1[1,2]", "W1[2,2]"]


def test_a_point_supplies_weights_biases_and_its_datapoint():
    from lossgeom.errors import DataError
    from lossgeom.point import resolve_point
    net = Net(widths=(2, 2, 1), activation="tanh", bias=True)
    W, b, X, Y = [[[1, "1/2"], [0, -1]], [[2, 3]]], [["1/3", 0], [1]], [[1], [2]], [["1/4"]]
    pt = resolve_point(net, W, b, X, Y)
    by_point = forward_trace(net, pt)
    by_values = forward_trace(net, W, b, [1, 2], ["1/4"])
    assert by_point.a[-1] == by_values.a[-1] and by_point.loss() == by_values.loss()
    two = resolve_point(net, W, b, [[1, 0], [2, 1]], [[0, 1]])
    with pytest.raises(DataError, match="one datapoint, the point has 2 samples"):
        forward_trace(net, two)
    assert forward_trace(net, two, x=[1, 2], y=["1/4"]).a[-1] == by_values.a[-1]
