"""The matrix methods of every registered backend against exact rational arithmetic (SymPy)."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from mpmath.libmp import from_rational, round_nearest

from lossgeom.numeric.backends import BACKENDS, ExactBackend, select_backend
from lossgeom.precision import tolerance

DPS = {"float64": "float64", "exact": "exact"}

A = sp.Matrix([[sp.Rational(1, 3), -2, sp.Rational(5, 7)], [sp.Rational(-1, 9), sp.Rational(2, 3), 1]])
C = sp.Matrix([[sp.Rational(1, 3), 1], [sp.Rational(-3, 11), sp.Rational(1, 6)], [2, sp.Rational(-1, 7)]])
S = sp.Matrix([[2, sp.Rational(1, 3)], [sp.Rational(-1, 5), sp.Rational(3, 2)]])


def _backend(name):
    return select_backend(DPS.get(name, 30), name)


def _exact(v):
    """The exact rational value of a backend number (a float, an mpf or a Fraction)."""
    if isinstance(v, Fraction):
        return sp.Rational(v.numerator, v.denominator)
    if isinstance(v, mpmath.mpf):
        sign, man, exp, _ = v._mpf_
        return (-1) ** sign * sp.Integer(int(man)) * sp.Integer(2) ** exp
    return sp.Rational(v)  # floats convert exactly


def _close(got, truth, be):
    """Every entry of the backend array ``got`` equals the SymPy matrix ``truth``: exactly for the exact
    backend, else to the working tolerance."""
    assert got.shape == truth.shape
    scale = max([abs(v) for v in truth] + [1])
    tol = 0 if be.dps == "exact" else sp.Rational(str(tolerance(be.dps, scale=scale)))
    for i in range(truth.rows):
        for j in range(truth.cols):
            assert abs(_exact(got[i, j]) - truth[i, j]) <= tol, (be.name, i, j, got[i, j], truth[i, j])


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_from_matrix_reads_sympy_mpmath_numpy_and_rows_alike(name):
    be = _backend(name)
    with be.context():
        ref = be.from_matrix(A)
        _close(ref, A, be)
        assert be.from_matrix(A.tolist()).tolist() == ref.tolist()
        assert be.from_matrix(be.output(ref, rounded=False)).tolist() == ref.tolist()
        assert be.from_matrix(ref).tolist() == ref.tolist()
        assert be.from_matrix(sp.zeros(2, 0)).shape == (2, 0)


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_matrix_operations_agree_with_exact_arithmetic(name):
    be, ex = _backend(name), ExactBackend()
    with be.context():
        a, c, s = be.from_matrix(A), be.from_matrix(C), be.from_matrix(S)
        _close(be.dot(a, c), A * C, be)
        _close(be.kron(a, s), sp.kronecker_product(A, S), be)
        _close(be.identity(3), sp.eye(3), be)
        _close(be.full((2, 3)), sp.zeros(2, 3), be)
        _close(be.inverse(s), S.inv(), be)
        inner = be.inner(a, be.from_matrix(2 * A))
        _close(np.array([[inner]], dtype=object), sp.Matrix([[2 * sum(v * v for v in A)]]), be)
    # the exact backend is the oracle of the others: it must itself be exact
    assert be.dps != "exact" or ex.inner(ex.from_matrix(A), ex.from_matrix(A)) == Fraction(sum(
        Fraction(int(v.p), int(v.q)) ** 2 for v in A))


@pytest.mark.parametrize("name", ["mpmath", "flint"])
def test_mp_dot_rounds_every_entry_once(name):
    """Each entry of ``dot`` is the exact dot product of the (rounded) inputs, correctly rounded, as in
    ``mpmath.matrix`` products; sequential rounding of the partial sums differs on these entries."""
    be = _backend(name)
    with be.context():
        n = 12
        L = sp.Matrix(3, n, lambda i, j: sp.Rational((-1) ** j * (2 * i + j + 1), 3 * j + 7))
        R = sp.Matrix(n, 2, lambda i, j: sp.Rational(i + 3 * j + 1, 11))
        a, b = be.from_matrix(L), be.from_matrix(R)
        got = be.dot(a, b)
        for i in range(3):
            for j in range(2):
                exact = sum((_exact(a[i, k]) * _exact(b[k, j]) for k in range(n)), sp.Integer(0))
                want = mpmath.mp.make_mpf(from_rational(int(exact.p), int(exact.q), mpmath.mp.prec, round_nearest))
                assert got[i, j] == want
        np.testing.assert_array_equal(be.output(got, rounded=False), mpmath.matrix(a.tolist()) * mpmath.matrix(b.tolist()))


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_convert_keeps_algebraic_numbers_exact_or_rounds_them(name):
    be = _backend(name)
    with be.context():
        v = be.convert(sp.sqrt(2) / 3)
        if be.dps == "exact":
            assert v == sp.sqrt(2) / 3 and be.output_scalar(v) == sp.sqrt(2) / 3
        else:
            digits = 15 if be.dps == "float64" else be.dps
            assert abs(mpmath.mpf(v) - mpmath.sqrt(2) / 3) <= tolerance(be.dps) and len(str(v)) >= digits


@pytest.mark.parametrize("name", ["mpmath", "flint"])
def test_unrounded_output_keeps_the_working_precision(name):
    be = _backend(name)
    with be.context():
        third = be.dot(be.from_matrix([[1]]), be.from_matrix([[sp.Rational(1, 3)]]))
        kept, rounded = be.output(third, rounded=False)[0, 0], be.output(third)[0, 0]
        assert kept == third[0, 0] and rounded != kept
        assert be.output_scalar(third[0, 0], rounded=False) == kept
        with mpmath.workdps(be.dps):
            assert rounded == +kept
