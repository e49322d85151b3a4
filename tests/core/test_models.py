"""lossgeom.models: the named examples are what their docstrings say, checked against independent oracles."""

import random

import mpmath
import numpy as np
import pytest
import sympy as sp

from lossgeom import Net, Point, models
from lossgeom.symbolic.linear import check_assumptions, sigma_eigen


def test_botev_micro_loss_by_hand():
    pt = models.botev_micro()
    assert isinstance(pt, Point)
    # E = 1/2 (2 tanh(1/2) - 0)^2, computed with mpmath alone
    with mpmath.workdps(30):
        want = mpmath.mpf(1) / 2 * (2 * mpmath.tanh(mpmath.mpf(1) / 2)) ** 2
        W1, W2 = pt.weights
        got = sp.Rational(1, 2) * (W2[0, 0] * sp.tanh(W1[0, 0] * pt.X[0, 0]) - pt.Y[0, 0]) ** 2
        assert abs(mpmath.mpf(str(sp.N(got, 40))) - want) < mpmath.mpf(10) ** -25


def test_linear_oracle_and_cayley_sigma_eigenvalues():
    net = Net(widths=(3, 3))  # Sigma depends only on the data's widths
    assert sigma_eigen(net, *models.linear_oracle()).eigenvalues == (9, 4, 1)
    e = sigma_eigen(net, *models.cayley_rotated())
    assert e.eigenvalues == (18, 4, 2) and e.exact
    Q = np.array(models.cayley_orthogonal().tolist(), dtype=float)
    assert np.allclose(Q.T @ Q, np.eye(3)) and not np.allclose(Q, np.eye(3))


@pytest.mark.parametrize("factory, distinct", [(models.linear_oracle, True), (models.cayley_rotated, True),
                                               (models.equal_subset_sums, True),
                                               (models.repeated_eigenvalue, False),
                                               (models.wide_output_oracle, True)])
def test_admissibility_agrees_with_the_symbolic_check(factory, distinct):
    X, Y = factory()
    a = check_assumptions(Net(widths=(X.rows, Y.rows)), X, Y)
    assert a.holds and a.distinct_eigenvalues is distinct
    assert models.admissible_linear_data(X, Y) is distinct
    assert models.admissible_linear_data(X, Y, distinct=False)


def test_inadmissible_data_is_recognised():
    assert not models.admissible_linear_data(sp.Matrix([[1, 1], [1, 1]]), sp.eye(2))
    assert not models.admissible_linear_data(sp.Matrix([[1, 0, 1]]), sp.Matrix([[1, 0, 0], [0, 1, 0]]))  # d_y > d_x


@pytest.mark.parametrize("seed", [0, 7, 11])
def test_random_linear_data_is_admissible_and_deterministic(seed):
    X, Y = models.random_linear_data(seed, 4, 3, 6)
    a = check_assumptions(Net(widths=(4, 3)), X, Y)
    assert a.holds and a.distinct_eigenvalues
    assert (X, Y) == models.random_linear_data(seed, 4, 3, 6)
    assert all(-3 <= v <= 3 for v in list(X) + list(Y))


def test_random_point_shapes_ranges_and_stream():
    net = Net(widths=(2, 3, 2), activation="tanh", loss="cross_entropy", bias=True)
    pt = models.random_point(net, 5, samples=2, nonnegative_targets=True)
    assert [W.shape for W in pt.weights] == [(3, 2), (2, 3)] and pt.X.shape == (2, 2) and pt.Y.shape == (2, 2)
    assert all(v >= 0 for v in pt.Y) and all(abs(v) <= 3 for v in pt.theta())
    assert all(10 % sp.Rational(v).q == 0 for v in pt.theta())
    rng = random.Random(5)
    first, second = models.random_point(net, rng), models.random_point(net, rng)
    assert first != second  # one stream gives fresh points
    assert models.random_point(net, random.Random(5)) == first
