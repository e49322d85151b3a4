"""Spectra: residual checks, certified enclosures, exact inertia, PSD verdicts, on Hessians from the engine."""

import random

import mpmath
import pytest
import sympy as sp

from lossgeom import DataError, Net
from lossgeom.numeric.evaluate import evaluate_net
from lossgeom.numeric.ldl import ldl_inertia
from lossgeom.numeric.spectrum import (
    Inertia,
    certified_eigenvalues,
    certified_inertia,
    eigen_residual,
    exact_inertia,
    exact_rank,
    inertia,
    is_psd,
    numeric_rank,
    psd_verdict,
    symmetric_eigen,
    symmetric_eigenvalues,
    trace,
)


def _random_symmetric(n, seed, den=7):
    rng = random.Random(seed)
    M = sp.zeros(n, n)
    for i in range(n):
        for j in range(i, n):
            M[i, j] = M[j, i] = sp.Rational(rng.randint(-9, 9), rng.randint(1, den))
    return M


def _hessian(seed=0):
    net = Net(widths=(2, 3, 2), activation="tanh", loss="cross_entropy", bias=True)
    rng = random.Random(seed)
    q = lambda: sp.Rational(rng.randint(-6, 6), rng.randint(1, 5))  # noqa: E731
    W = [[[q() for _ in range(2)] for _ in range(3)], [[q() for _ in range(3)] for _ in range(2)]]
    b = [[q() for _ in range(3)], [q() for _ in range(2)]]
    return evaluate_net(net, W, b, X=[[1, "1/2"], ["-1/3", 2]], Y=[[1, 0], [0, 1]], dps=50)


@pytest.mark.parametrize("n,seed", [(1, 0), (4, 1), (9, 2)])
def test_eigen_decomposition_residuals_random_rational(n, seed):
    A = _random_symmetric(n, seed)
    E, Q = symmetric_eigen(A, dps=50)
    assert E == sorted(E)
    with mpmath.workdps(50):
        r, o = eigen_residual(A, E, Q)
        scale = max(abs(v) for v in E)
        assert r <= mpmath.mpf(10) ** -45 * max(1, scale) and o <= mpmath.mpf(10) ** -45
        assert abs(mpmath.fsum(E) - mpmath.mpf(sp.N(trace(A), 60))) < mpmath.mpf(10) ** -45


def test_engine_hessian_eigen_residual_and_trace():
    H = _hessian().hessian
    E, Q = symmetric_eigen(H, dps=50)
    with mpmath.workdps(50):
        r, o = eigen_residual(H, E, Q)
        assert r < mpmath.mpf(10) ** -44 and o < mpmath.mpf(10) ** -45
        assert abs(mpmath.fsum(E) - trace(H, dps=50)) < mpmath.mpf(10) ** -44


def test_certified_enclosures_contain_the_mpmath_eigenvalues():
    H = _hessian(1).hessian
    E = symmetric_eigenvalues(H, dps=50)
    enc = certified_eigenvalues(H, dps=50)
    assert len(enc) == len(E)
    with mpmath.workdps(50):
        for e, lam in zip(enc, E):
            assert e.lower - mpmath.mpf(10) ** -45 <= lam <= e.upper + mpmath.mpf(10) ** -45
            assert e.radius < mpmath.mpf(10) ** -40


def test_certified_eigenvalues_of_an_exact_matrix_match_sympy():
    A = sp.Matrix([[2, 1, 0], [1, 2, 1], [0, 1, 2]])        # eigenvalues 2 - sqrt 2, 2, 2 + sqrt 2
    enc = certified_eigenvalues(A, dps=40)
    exact = sorted([2 - sp.sqrt(2), sp.Integer(2), 2 + sp.sqrt(2)], key=lambda v: float(v))
    with mpmath.workdps(60):
        for e, lam in zip(enc, exact):
            v = mpmath.mpf(sp.N(lam, 60))
            assert e.lower <= v <= e.upper
    assert certified_inertia(A, dps=30).positive == 3


def test_certified_inertia_widens_by_entry_radius():
    A = [[mpmath.mpf(1), 0], [0, mpmath.mpf(10) ** -30]]
    assert certified_inertia(A, dps=40).positive == 2
    undecided = certified_inertia(A, dps=40, entry_radius=mpmath.mpf(10) ** -20)
    assert (undecided.positive, undecided.zero) == (1, 1)
    assert undecided.tolerance.startswith("certified")


@pytest.mark.parametrize("seed", range(4))
def test_exact_inertia_matches_sympy_eigenvalues(seed):
    A = _random_symmetric(4, seed)
    A[3, :] = A[0, :] + A[1, :]        # force a zero eigenvalue sometimes
    A[:, 3] = A[3, :].T
    A[3, 3] = A[0, 0] + A[1, 1] + 2 * A[0, 1]
    A[3, 3] = (A[0, :] + A[1, :])[3]
    A = (A + A.T) / 2
    ev = A.eigenvals()
    signs = {1: 0, -1: 0, 0: 0}
    for lam, mult in ev.items():
        v = sp.N(lam, 50, chop=True)
        s = 0 if abs(v) < 1e-40 else (1 if sp.re(v) > 0 else -1)
        signs[s] += mult
    I = exact_inertia(A)
    assert (I.positive, I.negative, I.zero) == (signs[1], signs[-1], signs[0])
    assert I.zero == A.rows - exact_rank(A)


def test_exact_inertia_errors():
    with pytest.raises(DataError, match="rational"):
        exact_inertia(sp.Matrix([[sp.sqrt(2)]]))
    with pytest.raises(DataError, match="symmetric"):
        exact_inertia(sp.Matrix([[1, 2], [3, 4]]))


def test_psd_verdicts_state_their_basis():
    exact = psd_verdict(sp.Matrix([[2, -1], [-1, 2]]))
    assert exact.psd is True and exact.method == "exact" and exact.min_eigenvalue.startswith("1.0")
    num = psd_verdict(mpmath.matrix([[1, 0], [0, -mpmath.mpf(10) ** -48]]), dps=50)
    assert num.psd is True and "e-45" in num.basis                    # within the stated tolerance
    cert = psd_verdict(mpmath.matrix([[1, 0], [0, -mpmath.mpf(10) ** -48]]), dps=50, method="certified")
    assert cert.psd is False                                          # the certificate sees the sign
    with pytest.raises(DataError, match="method"):
        psd_verdict([[1]], method="magic")


def test_inertia_counts_eigenvalues_below_the_stated_tolerance_as_zero():
    # tolerance(20, scale=max|A_ij| * n) = 10^-17 * 3: an eigenvalue 10^-22 is zero, 10^-10 is not
    tiny = sp.diag(1, -1, sp.Rational(1, 10 ** 22))
    assert inertia(tiny, dps=20) == Inertia(1, 1, 1, "3.0e-17")
    assert inertia(sp.diag(1, -1, sp.Rational(1, 10 ** 10)), dps=20) == Inertia(2, 1, 0, "3.0e-17")
    assert inertia(tiny, dps=20, tol=sp.Rational(1, 10 ** 30)) == Inertia(2, 1, 0, "1.0e-30")


def test_psd_and_rank_tests_separate_singular_from_nearly_singular():
    assert is_psd([[1, 1], [1, 1]], dps=20)
    assert not is_psd([[1, 1], [1, "99/100"]], dps=20)
    assert numeric_rank([[1, 2], [2, 4]], dps=30) == 1
    assert numeric_rank([[1, 2], [2, "4.0000001"]], dps=30) == 2
    assert exact_rank(sp.Matrix([[1, 2], [2, 4]])) == 1


def _counts(inr):
    return inr.positive, inr.negative, inr.zero


@pytest.mark.parametrize("seed", range(6))
def test_ldl_inertia_equals_exact_inertia_with_two_by_two_pivots(seed):
    # zero diagonals force 2x2 Bunch-Parlett pivots; a low-rank factor makes the zero count matter
    rng = random.Random(seed)
    n, r = 7, 4
    B = sp.Matrix(n, r, lambda i, j: sp.Rational(rng.randint(-4, 4), rng.randint(1, 3)))
    D = sp.diag(*[rng.choice((-1, 1)) for _ in range(r)])
    A = B * D * B.T
    A = A - sp.diag(*[A[i, i] for i in range(n)]) if seed % 2 else A
    assert _counts(ldl_inertia(A, dps=40)) == _counts(exact_inertia(A))


def test_ldl_inertia_of_an_antidiagonal_matrix_needs_a_two_by_two_pivot():
    assert _counts(ldl_inertia([[0, 0, 1], [0, 0, 0], [1, 0, 0]], dps=30)) == (1, 1, 1)


def test_layer_blocks_are_psd_for_a_relu_square_net():
    # Botev et al.: piecewise-linear f and a convex loss make every H_l, hence every layer block, PSD
    net = Net(widths=(2, 3, 1), activation="relu", bias=True)
    ev = evaluate_net(net, [[[1, -2], ["1/2", 1], [-1, "1/3"]], [[1, -1, 2]]], [["1/3", 0, 1], ["1/2"]],
                      X=[[1, 2], [1, "-1/2"]], Y=[[0, 1]], dps=40)
    for l in (1, 2):
        assert psd_verdict(ev.layer_block(l), dps=40).psd is True
    assert not is_psd(ev.hessian, dps=40)     # the full Hessian has cross-layer blocks: not PSD here


def _householder_conjugate(diag, seed):
    """Q diag Q^T with a rational orthogonal Householder Q: exact eigenvalues, multiplicities included."""
    rng = random.Random(seed)
    n = len(diag)
    v = sp.Matrix([rng.randint(-5, 5) or 1 for _ in range(n)])
    Q = sp.eye(n) - 2 * v * v.T / (v.T * v)[0]
    return Q * sp.diag(*diag) * Q.T


@pytest.mark.parametrize("seed", [0, 1])
def test_refined_eigen_matches_eigsy_and_passes_residual_checks(seed):
    A = _random_symmetric(26, seed)
    E1, Q1 = symmetric_eigen(A, dps=50, method="refine")
    E2, _ = symmetric_eigen(A, dps=50, method="mpmath")
    with mpmath.workdps(50):
        assert max(abs(a - b) for a, b in zip(E1, E2)) < mpmath.mpf(10) ** -45
        r, o = eigen_residual(A, E1, Q1)
        assert r < mpmath.mpf(10) ** -44 and o < mpmath.mpf(10) ** -45


def test_refined_eigen_with_exact_multiple_eigenvalues():
    diag = [sp.Rational(k // 3, 2) - 2 for k in range(27)]     # each value three times, zero included
    A = _householder_conjugate(diag, 3)
    E, Q = symmetric_eigen(A, dps=50, method="refine")
    with mpmath.workdps(50):
        for e, d in zip(E, sorted(diag)):
            assert abs(e - mpmath.mpf(d.p) / d.q) < mpmath.mpf(10) ** -45
        r, o = eigen_residual(A, E, Q)
        assert r < mpmath.mpf(10) ** -44
    enc = certified_eigenvalues(A, dps=50)
    with mpmath.workdps(60):
        assert all(e.lower <= mpmath.mpf(d.p) / d.q <= e.upper for e, d in zip(enc, sorted(diag)))
    assert exact_inertia(A) == Inertia(sum(bool(d > 0) for d in diag), sum(bool(d < 0) for d in diag), 3, "exact")
