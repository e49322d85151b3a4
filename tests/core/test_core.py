"""Net validation, the activation and loss registries, exact number parsing and the net-file reader."""

import json

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from lossgeom import (
    DataError,
    Net,
    NetFileError,
    NetSpecError,
    SizeLimitError,
    UnknownActivationError,
    activation_names,
    get_activation,
    get_loss,
    parse_activation,
    parse_number,
    read_net_file,
)
from lossgeom.activations import X


def test_net_reports_every_problem_at_once():
    with pytest.raises(NetSpecError) as err:
        Net(widths=(0, 2), activation="swish", loss="hinge", bias="yes", weight_decay="-1")
    problems = err.value.problems
    assert len(problems) == 5
    assert any("widths" in p and "0" in p for p in problems)
    assert any("unknown activation 'swish'" in p and "tanh" in p for p in problems)
    assert any("unknown loss 'hinge'" in p for p in problems)
    assert any(p.startswith("bias:") for p in problems)
    assert any(p.startswith("weight_decay:") for p in problems)


def test_net_is_frozen_hashable_and_ordered():
    a = Net(widths=(2, 3, 1), activation="tanh", bias=True)
    assert a == Net(widths=[2, 3, 1], activation=get_activation("tanh"), bias=True)
    assert hash(a) == hash(Net(widths=(2, 3, 1), activation="tanh", bias=True))
    with pytest.raises(AttributeError):
        a.bias = False
    assert a.n_params == 2 * 3 + 3 + 3 + 1
    assert a.parameter_names()[:7] == ("W1[1,1]", "W1[2,1]", "W1[3,1]", "W1[1,2]", "W1[2,2]", "W1[3,2]", "b1[1]")
    assert a.layer_slice(2) == slice(9, 13)


def test_cross_entropy_needs_two_outputs():
    with pytest.raises(NetSpecError, match="cross_entropy needs at least 2 outputs"):
        Net(widths=(2, 1), loss="cross_entropy")


_s = 1 / (1 + sp.exp(-X))  # the logistic function
_sech2 = 1 / sp.cosh(X) ** 2
#: f' and f'' of every piece, written by hand from calculus tables (independent of the registry's
#: expressions): name -> [(f', f'') of piece 0, of piece 1, ...].
HAND_DERIVATIVES = {
    "identity": [(1, 0)],
    "relu": [(0, 0), (1, 0)],
    "leaky_relu": [(sp.Rational(1, 100), 0), (1, 0)],
    "two_piece": [(0, 0), (1, 0)],
    "abs": [(-1, 0), (1, 0)],
    "tanh": [(_sech2, -2 * sp.tanh(X) * _sech2)],
    "sigmoid": [(_s * (1 - _s), _s * (1 - _s) * (1 - 2 * _s))],
    "softplus": [(_s, _s * (1 - _s))],
    "softsign": [(1 / (1 - X) ** 2, 2 / (1 - X) ** 3), (1 / (1 + X) ** 2, -2 / (1 + X) ** 3)],
    "bent_identity": [(X / (2 * sp.sqrt(X ** 2 + 1)) + 1, 1 / (2 * (X ** 2 + 1) ** sp.Rational(3, 2)))],
}


def test_the_hand_table_covers_the_registry():
    assert set(HAND_DERIVATIVES) == set(activation_names()) - {"f"}


@pytest.mark.parametrize("name", sorted(HAND_DERIVATIVES))
def test_registered_derivatives_match_a_hand_written_table(name):
    act = get_activation(name)
    table = HAND_DERIVATIVES[name]
    assert len(act.pieces) == len(table)
    for k, piece in enumerate(act.pieces):
        sign = -1 if piece.upper == 0 else 1  # points t inside the open piece (-oo, 0), (0, oo) or the line
        for order, expected in zip((1, 2), table[k]):
            got = act.piece_apply(k, X, order)
            assert sp.simplify((got - expected).rewrite(sp.exp)) == 0, (name, k, order)
            for t in (sp.Rational(1, 3), sp.Rational(7, 2)):  # and numerically, in case simplify is fooled
                assert abs(sp.N((got - expected).subs(X, sign * t), 30)) < sp.Float("1e-25")
    assert act.piecewise_linear == all(e[1] == 0 for e in table)


@pytest.mark.parametrize("name", [n for n in activation_names() if n != "f"])
def test_numeric_forms_agree_with_the_expression(name):
    act = get_activation(name)
    for value in (sp.Rational(-3, 7), sp.Rational(5, 4)):
        k = act.piece_index(value)
        for order in (0, 1, 2):
            exact = sp.N(act.piece_apply(k, value, order), 40)
            with mpmath.workdps(40):
                assert abs(act.evaluate(mpmath.mpf(value.p) / value.q, order) - mpmath.mpf(exact)) < mpmath.mpf(10) ** -35


def test_kinks_are_reported_not_differentiated():
    from lossgeom.errors import NonDifferentiableError
    for name in ("relu", "abs", "leaky_relu", "two_piece"):
        with pytest.raises(NonDifferentiableError):
            get_activation(name).evaluate(mpmath.mpf(0), 1)
        assert get_activation(name).evaluate(mpmath.mpf(0), 0) == 0  # f itself is continuous
    assert get_activation("softsign").evaluate(mpmath.mpf(0), 1) == 1
    with pytest.raises(NonDifferentiableError):
        get_activation("softsign").evaluate(mpmath.mpf(0), 2)


@pytest.mark.parametrize("text, problem", [
    ("swish", "unknown activation 'swish'"),
    ("leaky_relu(slope=pi)", "activation.slope: expected a number"),
    ("leaky_relu(slope=1)", "slope 1 is the identity"),
    ("leaky_relu(gain=2)", "unknown parameter(s) gain"),
    ("tanh(slope=2)", "takes no parameters"),
    ("os.system('ls')", "expected a name such as tanh"),
    ("two_piece(s_plus=1, s_minus=1)", "s_plus != s_minus"),
])
def test_bad_activation_text(text, problem):
    with pytest.raises(NetSpecError) as err:
        parse_activation(text)
    assert problem in str(err.value)


def test_unknown_activation_is_a_value_error_listing_choices():
    with pytest.raises(ValueError) as err:
        get_activation("gelu")
    assert isinstance(err.value, UnknownActivationError)
    assert "relu" in str(err.value) and "softplus" in str(err.value)


def test_loss_output_hessians():
    assert get_loss("cross_entropy").hessian([0, 0], [1, 0]) == sp.Matrix([[sp.Rational(1, 4), -sp.Rational(1, 4)],
                                                                           [-sp.Rational(1, 4), sp.Rational(1, 4)]])
    z = sp.symbols("z1:4")
    y = sp.symbols("y1:4")
    ce = get_loss("cross_entropy")
    grad = ce.gradient(z, y)
    for k in range(3):
        assert sp.simplify(sp.diff(ce.value(z, y), z[k]) - grad[k]) == 0
        for j in range(3):
            assert sp.simplify(sp.diff(grad[k], z[j]) - ce.hessian(z, y)[k, j]) == 0


@settings(max_examples=60, deadline=None)
@given(st.fractions(max_denominator=10**6))
def test_parse_number_is_exact(frac):
    assert parse_number("%d/%d" % (frac.numerator, frac.denominator)) == sp.Rational(frac.numerator, frac.denominator)
    assert parse_number(str(float(frac))) == sp.Rational(str(float(frac)))


@pytest.mark.parametrize("bad", ["pi", "1/0", "1e", "0x10", "__import__('os')", "nan", "", True, None, [1]])
def test_parse_number_rejects(bad):
    with pytest.raises(DataError):
        parse_number(bad, "weights[0][0][0]")


def _write(tmp_path, doc, raw=None):
    path = tmp_path / "net.json"
    path.write_text(raw if raw is not None else json.dumps(doc))
    return str(path)


GOOD = {"widths": [2, 1], "activation": "tanh", "weights": [[[1, "0.1"]]], "inputs": [[1, 2]], "targets": [[0]]}


@pytest.mark.parametrize("change, message", [
    ({"widths": None}, "missing field 'widths'"),
    ({"colour": "red"}, "unknown field 'colour'"),
    ({"weights": [[[1, 2, 3]]]}, "weights[0][0]: expected 2 numbers, got 3"),
    ({"weights": [[[1, "one"]]]}, "weights[0][0][1]: expected a number"),
    ({"inputs": [[1]]}, "inputs[0]: expected 2 numbers, got 1"),
    ({"targets": [[0], [1]]}, "targets: expected 1 samples to match inputs, got 2"),
    ({"activation": "swish"}, "unknown activation 'swish'"),
    ({"bias": True}, "biases: the net has bias = true and weights, so biases are required"),
    ({"targets": None}, "inputs: given without targets"),
])
def test_malformed_net_files(tmp_path, change, message):
    doc = dict(GOOD)
    for k, v in change.items():
        if v is None:
            doc.pop(k)
        else:
            doc[k] = v
    with pytest.raises(NetFileError) as err:
        read_net_file(_write(tmp_path, doc))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_net_file_syntax_errors(tmp_path):
    with pytest.raises(NetFileError, match="not valid JSON"):
        read_net_file(_write(tmp_path, None, raw="{widths: [1]"))
    with pytest.raises(NetFileError, match="expected finite numbers, got NaN"):
        read_net_file(_write(tmp_path, None, raw='{"widths": [1, 1], "weights": [[[NaN]]]}'))
    with pytest.raises(NetFileError, match="cannot read"):
        read_net_file(str(tmp_path / "missing.json"))
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe{")
    with pytest.raises(NetFileError, match="not a UTF-8 text file"):
        read_net_file(str(binary))


def test_net_file_numbers_are_exact(tmp_path):
    nf = read_net_file(_write(tmp_path, None, raw='{"widths": [2, 1], "weights": [[[0.1, -2.5e-3]]]}'))
    assert nf.weights[0] == sp.Matrix([[sp.Rational(1, 10), sp.Rational(-1, 400)]])


@pytest.mark.parametrize("name", [n for n in activation_names() if n != "f" and len(get_activation(n).pieces) > 1])
def test_piecewise_derivative_branches_are_the_pieces_derivatives(name):
    act = get_activation(name)
    assert act.kinks == (0,)
    inside = (sp.Symbol("t", negative=True), sp.Symbol("t", positive=True))  # a generic point of each piece
    for order in (1, 2):
        for t, piece in zip(inside, act.pieces):
            assert sp.simplify(act.derivative(order).subs(X, t) - sp.diff(piece.expr, X, order).subs(X, t)) == 0


def test_huge_exponents_and_repeated_parameters_are_refused():
    with pytest.raises(SizeLimitError, match="decimal exponent"):
        parse_number("1e-99999999999", "weight_decay")
    with pytest.raises(NetSpecError, match="given twice"):
        parse_activation("leaky_relu(slope=0.1, slope=2)")
