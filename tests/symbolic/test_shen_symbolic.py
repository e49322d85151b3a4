"""Shen's linear system in SymPy: grad J = P eps, dummy units = biases, the Hessian at an exact fit.

Each identity is checked against lossgeom's own forward pass differentiated by sympy.diff, and each
check is shown to fail when the object under test is deliberately broken.
"""

import pytest
import sympy as sp

from lossgeom import Net
from lossgeom.symbolic import shen as S


@pytest.mark.parametrize("widths, act", [((2, 2, 1), "f"), ((2, 3, 1), "tanh"), ((2, 2, 2), "sigmoid"),
                                         ((1, 2, 2, 1), "f")])
def test_gradient_is_P_eps(widths, act):
    ok, n = S.verify_shen_gradient(Net(widths=widths, activation=act, bias=True), samples=2)
    assert ok and n == Net(widths=widths, bias=True).n_params


def test_gradient_without_biases():
    assert S.verify_shen_gradient(Net(widths=(2, 3, 1), activation="f"), samples=2) == (True, 9)


def test_a_wrong_parameter_order_is_caught(monkeypatch):
    net = Net(widths=(2, 2, 1), activation="tanh", bias=True)
    good = S.shen_permutation(net)
    monkeypatch.setattr(S, "shen_permutation", lambda n: list(reversed(good)))
    assert S.verify_shen_gradient(net)[0] is False


def test_a_missing_derivative_factor_is_caught():
    """P built with sigma' = 1 (the derivative dropped) does not give the gradient."""
    net = Net(widths=(1, 2, 1), activation="tanh", bias=True)
    w, b = [[[sp.Rational(1, 2)], [-1]], [[2, 3]]], [[1, 0], [sp.Rational(1, 3)]]
    x, y = sp.Rational(1, 2), 1
    exact = S.shen_system_exact(net, w, b, [[x]], [[y]])
    wrong = S.shen_system(net, S.shen_layers(net, w, b), [[x]], [[y]],
                          lambda z, k: sp.tanh(z) if k == 0 else 1)
    assert exact.gradient() != wrong.gradient()


def test_dummy_units_equal_biases_and_a_wrong_translation_is_caught(monkeypatch):
    net = Net(widths=(2, 3, 1), activation="f", bias=True)
    assert S.verify_dummy_units(net, samples=2)
    real = S.shen_layers

    def untransposed(n, weights, biases=None):   # W_l read without the transpose (padded with 0)
        return [[[W[j][k] if j < len(W) and k < len(W[0]) else 0 for k in range(n.widths[l + 1])]
                 for j in range(n.widths[l])] + [list(biases[l])] for l, W in enumerate(weights)]
    monkeypatch.setattr(S, "shen_layers", untransposed)
    assert S.verify_dummy_units(net) is False
    monkeypatch.setattr(S, "shen_layers", real)


def test_shen_layers_is_the_transpose_with_the_bias_row():
    net = Net(widths=(3, 2, 1), bias=True)
    W1, b1 = sp.Matrix([[1, 2, 3], [4, 5, 6]]), [7, 8]
    WS = S.shen_layers(net, [W1.tolist(), [[1, 1]]], [b1, [0]])
    assert sp.Matrix(WS[0]) == W1.T.col_join(sp.Matrix([b1]))


def test_P_shape_and_exact_values():
    net = Net(widths=(2, 2, 1), activation="softsign", bias=True)
    s = S.shen_system_exact(net, [[[1, 1], [1, 1]], [["5/2", "-5/2"]]], [["-1/2", "-3/2"], ["-2/3"]],
                            X=[[0, 0, 1, 1], [0, 1, 0, 1]], Y=[[0, 1, 1, 0]])
    assert (s.n_rows, s.n_cols) == (9, 4) and s.eps == (0, 0, 0, 0)
    # the output block is [Phi_1; 1^T]; at x = (0, 0): softsign(-1/2), softsign(-3/2), 1
    assert [s.blocks[1][r][0] for r in range(3)] == [sp.Rational(-1, 3), sp.Rational(-3, 5), 1]


def test_hessian_residual_vanishes_only_at_an_exact_fit():
    net = Net(widths=(2, 2, 1), activation="f", bias=True)
    assert S.verify_hessian_residual(net, samples=2) == (True, 81)
    # off the fit the residual term is there (so the substitution y := F is what makes it vanish)
    u, v = sp.symbols("u v")
    F = v * sp.tanh(u)
    H = sp.hessian((F - 0) ** 2 / 2, (u, v))
    J = sp.Matrix([F]).jacobian([u, v])
    assert (H - J.T * J).subs({u: sp.Rational(1, 2), v: 2}) != sp.zeros(2, 2)


def test_shen_system_rejects_other_losses():
    from lossgeom.errors import NetSpecError
    with pytest.raises(NetSpecError, match="square loss"):
        S.shen_system_exact(Net(widths=(1, 1, 2), loss="cross_entropy"), [[[1]], [[1], [2]]], X=[[1]], Y=[[0], [1]])
