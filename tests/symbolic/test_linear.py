"""Deep linear nets: closed forms against direct SymPy differentiation and numpy; Sigma and the minimum."""

import numpy as np
import pytest
import sympy as sp

from lossgeom import Net
from lossgeom.errors import DataError, NetSpecError
from lossgeom.point import Point, resolve_point
from lossgeom.symbolic.factorization import factor_into_widths
from lossgeom.symbolic.linear import (
    check_assumptions,
    deep_linear_hessian,
    deep_linear_loss,
    generic_linear_instance,
    global_minimum_value,
    hessian_block,
    lemma1_gradient,
    minimising_product,
    sigma_eigen,
    sigma_matrix,
    verify_linear_derivatives,
)
from lossgeom.symbolic.vec import commutation_matrix


def _net(widths):
    return Net(widths=tuple(widths))


def _pt(W, X, Y):
    net = _net([sp.Matrix(W[0]).cols] + [sp.Matrix(w).rows for w in W])
    return net, resolve_point(net, W, X=X, Y=Y)


@pytest.mark.parametrize("widths", [(3, 2), (2, 3, 2), (2, 3, 1, 2)])
def test_lemma1_and_every_hessian_block_equal_direct_differentiation_depth_1_to_3(widths):
    rep = verify_linear_derivatives(_net(widths), 2)
    assert rep.outcome == "proved", rep.evidence
    assert rep.evidence["entries compared"] > 50


def test_blocks_at_exact_rational_weights_match_sympy_hessian_of_loss():
    W = [sp.Matrix([[1, -2], [sp.Rational(1, 3), 0], [2, 1]]), sp.Matrix([[1, 0, -1], [2, 1, 1]])]
    X, Y = sp.Matrix([[1, 2, 0], [0, 1, 1]]), sp.Matrix([[1, 0, 2], [0, 1, 1]])
    net = _net((2, 3, 2))
    gW = generic_linear_instance(net, 3).weights
    params = [s for G in gW for s in G.T]  # vec, column stacking = theta order
    L = deep_linear_loss(net, Point(net, gW, None, sp.ImmutableMatrix(X), sp.ImmutableMatrix(Y)))  # symbolic W
    subs = dict(zip(params, [v for M in W for v in M.T]))
    direct = sp.hessian(L, params).subs(subs)
    assert deep_linear_hessian(net, resolve_point(net, W, X=X, Y=Y)) == direct
    # the residual (cross) term is needed away from exact fit
    g = sp.Matrix([sp.diff(L, v) for v in params]).subs(subs)
    assert g != sp.zeros(len(params), 1)


def test_kawaguchi_form_is_commutation_of_column_form():
    W = [sp.Matrix([[1, 2]]), sp.Matrix([[3], [1]])]
    X, Y = sp.Matrix([[1], [2]]), sp.Matrix([[1], [0]])
    K1, K2 = commutation_matrix(1, 2), commutation_matrix(2, 1)
    net, pt = _pt(W, X, Y)
    assert lemma1_gradient(net, pt, 1, "kawaguchi") == K1 * lemma1_gradient(net, pt, 1, "column")
    assert hessian_block(net, pt, 2, 1, "kawaguchi") == K2 * hessian_block(net, pt, 2, 1) * K1.T


def test_gradient_matches_numpy_finite_differences():
    rng = np.random.default_rng(3)
    W = [sp.Matrix(3, 2, [sp.Rational(int(v), 4) for v in rng.integers(-4, 5, 6)]),
         sp.Matrix(2, 3, [sp.Rational(int(v), 4) for v in rng.integers(-4, 5, 6)])]
    X, Y = sp.Matrix([[1, 0, 2], [1, 1, 0]]), sp.Matrix([[0, 1, 1], [2, 0, 1]])
    f = lambda Ws: float(deep_linear_loss(*_pt(Ws, X, Y)))  # noqa: E731
    g = lemma1_gradient(*_pt(W, X, Y), 1)
    h = sp.Rational(1, 10 ** 6)
    for idx in range(6):
        i, j = idx % 3, idx // 3  # column stacking
        Wp = [W[0] + sp.Matrix(3, 2, lambda a, b: h if (a, b) == (i, j) else 0), W[1]]
        Wm = [W[0] - sp.Matrix(3, 2, lambda a, b: h if (a, b) == (i, j) else 0), W[1]]
        assert abs((f(Wp) - f(Wm)) / (2 * float(h)) - float(g[idx])) < 1e-5


def test_sigma_eigen_and_global_minimum_worked_example():
    X, Y = sp.eye(3), sp.diag(3, 2, 1)
    assert sigma_matrix(_net((3, 3)), X, Y) == sp.diag(9, 4, 1)
    e = sigma_eigen(_net((3, 3)), X, Y)
    assert e.eigenvalues == (9, 4, 1) and e.exact
    assert global_minimum_value(_net((3, 1, 3)), X, Y) == sp.Rational(5, 2)
    assert global_minimum_value(_net((3, 2, 3)), X, Y) == sp.Rational(1, 2)
    assert global_minimum_value(_net((3, 4, 3)), X, Y) == 0
    W = minimising_product(_net((3, 2, 3)), X, Y)
    assert W == sp.diag(3, 2, 0)


def test_global_minimum_against_numpy_reduced_rank_regression():
    X = sp.Matrix([[1, 2, 0, 1], [0, 1, 1, 3], [2, 0, 1, 1]])
    Y = sp.Matrix([[1, 0, 1, 2], [0, 2, 1, 1]])
    val = global_minimum_value(_net((3, 1, 2)), X, Y)
    Xf, Yf = np.array(X.tolist(), float), np.array(Y.tolist(), float)
    # rank-1 reduced-rank regression via whitening: best rank-1 approx of Y P_X
    P = Xf.T @ np.linalg.solve(Xf @ Xf.T, Xf)
    s = np.linalg.svd(Yf @ P, compute_uv=False)
    expected = 0.5 * (np.sum(Yf * Yf) - s[0] ** 2)
    assert abs(float(val) - expected) < 1e-10
    e = sigma_eigen(_net((3, 2)), X, Y)
    assert not e.exact or len(e.eigenvalues) == 2


def test_assumptions_decided_exactly_and_reported_not_raised():
    a = check_assumptions(_net((2, 2)), sp.Matrix([[1, 1], [1, 1]]), sp.Matrix([[1, 0], [2, 0]]))
    assert not a.holds and a.distinct_eigenvalues is None
    assert a.failures() == ["X X^T is singular (rank 1)", "X Y^T is not of full rank (rank 1)"]
    # a rational perturbation of 10^-30 is seen exactly
    eps = sp.Rational(1, 10 ** 30)
    b = check_assumptions(_net((2, 2)), sp.Matrix([[1, 1], [1, 1 + eps]]), sp.Matrix([[1, 0], [0, 1]]))
    assert b.xxt_invertible and b.xyt_full_rank
    c = check_assumptions(_net((2, 2)), sp.eye(2), sp.eye(2))
    assert c.holds and c.distinct_eigenvalues is False
    d = check_assumptions(_net((1, 2)), sp.Matrix([[1, 0, 1]]), sp.Matrix([[1, 0, 0], [0, 1, 0]]))
    assert "d_y > d_x" in d.failures()
    with pytest.raises(DataError, match="X X\\^T is singular"):
        sigma_matrix(_net((2, 2)), sp.Matrix([[1, 1]]).T * sp.Matrix([[1, 1]]), sp.eye(2))


@pytest.mark.parametrize("widths", [(3, 1, 3), (3, 2, 1, 3), (2, 2, 3, 2, 2)])
def test_factorisation_answers_question_1_exactly(widths):
    p = min(widths[1:-1])
    for r in range(0, min(widths[0], widths[-1]) + 1):
        W = sp.zeros(widths[-1], widths[0])
        for i in range(r):
            W[i, i] = i + 2
        W[0, :] = W[0, :] + sp.Matrix([[sp.Rational(1, 3)] * widths[0]]) if r else W[0, :]
        f = factor_into_widths(_net(widths), W)
        assert f.possible == (W.rank() <= p)
        if f.possible:
            prod = f.weights[-1]
            for M in reversed(f.weights[:-1]):
                prod = prod * M
            assert prod == W and [m.shape for m in f.weights] == [(widths[k], widths[k - 1])
                                                                  for k in range(1, len(widths))]


def test_bad_input():
    with pytest.raises(DataError, match="form: expected one of column, kawaguchi"):
        lemma1_gradient(*_pt([sp.eye(1)], sp.eye(1), sp.eye(1)), 1, "rows")
    with pytest.raises(DataError, match="k: expected a layer from 1 to 1, got 2"):
        hessian_block(*_pt([sp.eye(1)], sp.eye(1), sp.eye(1)), 2, 1)
    with pytest.raises(DataError, match="weights\\[1\\]: expected a 1x2 matrix, got 1x3"):
        resolve_point(_net((2, 2, 1)), [sp.ones(2, 2), sp.ones(1, 3)], X=sp.eye(2), Y=sp.ones(1, 2))
    with pytest.raises(DataError, match="X\\[0\\]\\[0\\]: expected a number .* got pi"):
        sigma_matrix(_net((1, 1)), sp.Matrix([[sp.pi]]), sp.eye(1))
    with pytest.raises(DataError, match="W: expected a 2x3 matrix, got 3x2"):
        factor_into_widths(_net((3, 1, 2)), sp.ones(3, 2))
    with pytest.raises(NetSpecError, match="needs a deep linear net.*activation: expected 'identity'"):
        global_minimum_value(Net(widths=(1, 1, 1), activation="relu"), sp.eye(1), sp.eye(1))
    with pytest.raises(DataError, match="point: expected a lossgeom Point"):
        deep_linear_loss(_net((1, 1)), [sp.eye(1)])
