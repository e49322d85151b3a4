"""The engine's stable numeric forms of saturating activations are the registry's functions, and keep
every digit where SymPy's derivative expressions cancel (tanh' = 1 - tanh^2 at |x| = 60)."""

import mpmath
import numpy as np
import pytest
import sympy as sp

from lossgeom import Net, activation_names, get_activation
from lossgeom.activations import X
from lossgeom.numeric.evaluate import evaluate_net

#: (name, order) of every hand-written form in the registry, with both an mpmath and a NumPy form
STABLE = sorted({(name, order) for name in activation_names() for (k, order, module), _ in
                 get_activation(name).numeric_forms})


def test_the_saturating_activations_carry_stable_forms():
    assert {name for name, _ in STABLE} == {"tanh", "sigmoid", "softplus"}
    for name, order in STABLE:
        forms = dict(get_activation(name).numeric_forms)
        assert (0, order, "mpmath") in forms and (0, order, "numpy") in forms


@pytest.mark.parametrize("name, order", STABLE)
@pytest.mark.parametrize("x", ["-1/3", "5/2", "60", "-60", "-800"])
def test_stable_form_equals_the_registry_expression(name, order, x):
    act = get_activation(name)
    exact = sp.diff(act.pieces[0].expr, X, order).subs(X, sp.Rational(x))
    with mpmath.workdps(1000):  # softplus(-800) = log(1 + e^-800) ~ 3.7e-348 needs > 348 digits
        truth = mpmath.mpf(sp.N(exact, 1000))
    mp_form, np_form = act.numeric_form(0, order, "mpmath"), act.numeric_form(0, order, "numpy")
    assert mp_form is dict(act.numeric_forms)[(0, order, "mpmath")]
    with mpmath.workdps(50):
        ours = mp_form(mpmath.mpf(sp.Rational(x).p) / sp.Rational(x).q)
    with mpmath.workdps(1000):
        assert abs(ours - truth) <= abs(truth) * mpmath.mpf(10) ** -45 + mpmath.mpf(10) ** -400
    value = float(np_form(np.array([float(sp.Rational(x))]))[0])
    assert np.isfinite(value)
    assert abs(value - float(truth)) <= 1e-13 * abs(float(truth)) + 1e-300


def test_saturated_tanh_net_keeps_its_digits():
    net = Net(widths=(1, 1, 1), activation="tanh")
    H50 = evaluate_net(net, [[[60]], [[2]]], X=[[1]], Y=[[0]], dps=50).hessian
    H120 = evaluate_net(net, [[[60]], [[2]]], X=[[1]], Y=[[0]], dps=120).hessian
    with mpmath.workdps(120):
        for i in range(2):
            for j in range(2):
                assert abs(H50[i, j] - H120[i, j]) <= abs(H120[i, j]) * mpmath.mpf(10) ** -45


def test_saturated_softmax_keeps_its_digits():
    net = Net(widths=(1, 2), loss="cross_entropy")
    ev = evaluate_net(net, [[[140], [0]]], X=[[1]], Y=[[1], [0]], dps=50)
    with mpmath.workdps(100):
        truth = mpmath.log1p(mpmath.exp(-140))  # -log softmax_1 = log(1 + e^-140)
        assert abs(ev.loss - truth) <= truth * mpmath.mpf(10) ** -45
        assert abs(ev.gradient[0] + mpmath.exp(-140) / (1 + mpmath.exp(-140))) <= truth * mpmath.mpf(10) ** -45
