"""The symbolic -> numeric bridge agrees with the direct engine to the working precision."""

import mpmath
import pytest
import sympy as sp

from lossgeom import DataError, Net, NonDifferentiableError
from lossgeom.numeric.bridge import compile_expression, evaluate_expression, evaluate_on_net, symbol_values
from lossgeom.numeric.evaluate import evaluate_net
from lossgeom.precision import agreeing_digits
from lossgeom.symbolic.forward import forward_trace, parameter_symbols

CASES = [
    (Net(widths=(2, 2, 1), activation="tanh", bias=True), [1, "-1/2"], ["1/3"]),
    (Net(widths=(2, 2, 2), activation="sigmoid", loss="cross_entropy"), ["1/2", 2], [0, 1]),
    (Net(widths=(1, 2, 1), activation="softplus", bias=True, weight_decay="1/10"), ["3/2"], ["-1"]),
    (Net(widths=(2, 1, 2), activation={"name": "leaky_relu", "slope": "1/10"}, bias=True), [1, 1], [1, 0]),
    (Net(widths=(1, 2, 1), activation="bent_identity", output_activation="tanh"), ["-2/3"], ["1/2"]),
]


def _weights(net, seed):
    theta = [sp.Rational((-1) ** (k + seed) * (k % 4 + 1), 3 + (k + seed) % 5) for k in range(net.n_params)]
    W, b, k = [], [], 0
    for l in range(1, net.depth + 1):
        d, dprev = net.layer_shape(l)
        W.append([[theta[k + j * d + i] for j in range(dprev)] for i in range(d)])
        k += d * dprev
        if net.bias:
            b.append(theta[k:k + d])
            k += d
    return W, (b if net.bias else None)


@pytest.mark.parametrize("net,x,y", CASES, ids=[str(c[0]) for c in CASES])
def test_lambdified_sympy_hessian_equals_engine(net, x, y):
    H = sp.hessian(forward_trace(net).loss(), parameter_symbols(net))
    W, b = _weights(net, 1)
    for dps in (30, 50):
        via_bridge = evaluate_on_net(H, net, W, b, x=x, y=y, dps=dps)
        direct = evaluate_net(net, W, b, X=[[v] for v in x], Y=[[v] for v in y], dps=dps).hessian
        n = net.n_params
        with mpmath.workdps(dps + 10):
            assert min(agreeing_digits(via_bridge[i, j], direct[i, j]) for i in range(n) for j in range(n)) \
                >= dps - 2


def test_loss_and_gradient_through_the_bridge():
    net, x, y = CASES[0]
    W, b = _weights(net, 2)
    E = forward_trace(net).loss()
    g = sp.Matrix([E]).jacobian(parameter_symbols(net)).T
    ev = evaluate_net(net, W, b, X=[[v] for v in x], Y=[[v] for v in y], dps=50)
    with mpmath.workdps(60):
        assert agreeing_digits(evaluate_on_net(E, net, W, b, x=x, y=y, dps=50), ev.loss) >= 48
        gb = evaluate_on_net(g, net, W, b, x=x, y=y, dps=50)
        assert min(agreeing_digits(gb[i], ev.gradient[i]) for i in range(net.n_params)) >= 48


def test_compiled_expression_is_cached_and_reports_missing_symbols():
    w, v = sp.symbols("w v")
    assert compile_expression(w * v) is compile_expression(w * v)
    with pytest.raises(DataError, match="no value for v"):
        evaluate_expression(w * v, {"w": 1})
    with pytest.raises(DataError, match="undefined function"):
        compile_expression(sp.Function("f")(w))
    with pytest.raises(DataError, match="float64"):
        compile_expression(w)({"w": 1}, dps="float64")


def test_values_are_exact_rationals_rounded_once():
    w = sp.Symbol("w")
    with mpmath.workdps(60):
        assert evaluate_expression(3 * w, {w: "1/3"}, dps=50) == 1


def test_piecewise_at_a_kink_is_refused():
    net = Net(widths=(1, 1, 1), activation="relu")
    H = sp.hessian(forward_trace(net).loss(), parameter_symbols(net))
    assert evaluate_on_net(H, net, [[[1]], [[2]]], x=[1], y=[0], dps=20)[0, 0] == 4
    grad = sp.Matrix([forward_trace(net).loss()]).jacobian(parameter_symbols(net))
    # SymPy differentiates Piecewise branch by branch; the bridge checks the point exactly instead
    with pytest.raises(NonDifferentiableError, match=r"h1\[1\] \(sample 1\)"):
        evaluate_on_net(grad, net, [[[0]], [[2]]], x=[1], y=[0], dps=20, order=1)
    loss = evaluate_on_net(forward_trace(net).loss(), net, [[[0]], [[2]]], x=[1], y=[0], dps=20, order=0)
    assert loss == 0


def test_symbol_values_covers_weights_biases_and_data():
    net = Net(widths=(1, 1), bias=True)
    vals = symbol_values(net, [[[2]]], [[3]], x=[5], y=[7])
    assert sorted(str(v) for v in vals.values()) == ["2", "3", "5", "7"]
