"""Spectra of symmetric matrices: eigenvalues, inertia, PSD test, trace and rank, each with its tolerance.

Every verdict states the tolerance it used (from :func:`lossgeom.numeric.precision.tolerance`)
or, for exact input, that it was decided exactly.
"""

from dataclasses import dataclass

import mpmath
import sympy as sp

from .precision import DEFAULT_DPS, tolerance, working_precision

__all__ = ["Inertia", "to_mp_matrix", "symmetric_eigen", "symmetric_eigenvalues", "inertia", "is_psd",
           "numeric_rank", "exact_rank", "symmetry_defect"]


@dataclass(frozen=True)
class Inertia:
    """Counts of positive, negative and zero eigenvalues, and the tolerance that separated them.

    Examples
    --------
    >>> Inertia(2, 1, 0, "1e-45")
    Inertia(positive=2, negative=1, zero=0, tolerance='1e-45')
    """

    positive: int
    negative: int
    zero: int
    tolerance: str

    def to_dict(self):
        """JSON-ready dict with the DESIGN.md field names."""
        return {"positive": self.positive, "negative": self.negative, "zero": self.zero,
                "tolerance": self.tolerance}


def to_mp_matrix(A):
    """Convert a SymPy matrix, nested list or mpmath matrix to an mpmath matrix at the working precision.

    Exact SymPy entries are evaluated at the current precision (``evalf`` with ``mp.dps`` digits).

    Examples
    --------
    >>> print(to_mp_matrix(sp.Matrix([[sp.Rational(1, 4), 0], [0, 2]])))
    [0.25  0.0]
    [ 0.0  2.0]
    """
    if isinstance(A, mpmath.matrix):
        return A.copy()
    if isinstance(A, sp.MatrixBase):
        n = mpmath.mp.dps
        return mpmath.matrix([[_to_mpf(A[i, j], n) for j in range(A.cols)] for i in range(A.rows)])
    return mpmath.matrix([[mpmath.mpmathify(v) for v in row] for row in A])


def _to_mpf(value, n):
    if isinstance(value, sp.Rational):
        return mpmath.mpf(value.p) / value.q
    return mpmath.mpmathify(sp.N(value, n + 5))


def symmetry_defect(A):
    """max |A - A^T| entrywise (zero for an exactly symmetric matrix)."""
    A = to_mp_matrix(A)
    return max((abs(A[i, j] - A[j, i]) for i in range(A.rows) for j in range(i)), default=mpmath.mpf(0))


def symmetric_eigen(A, dps=DEFAULT_DPS):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix at ``dps`` digits.

    Uses ``mpmath.eigsy`` with guard digits; the result is rounded back to ``dps`` digits.

    Returns
    -------
    (E, Q) : (list of mpf, mpmath.matrix)
        ``A = Q diag(E) Q^T`` to the working precision.

    Examples
    --------
    >>> E, Q = symmetric_eigen([[2, 1], [1, 2]], dps=20)
    >>> [mpmath.nstr(e, 10) for e in E]
    ['1.0', '3.0']
    """
    with working_precision(dps):
        M = to_mp_matrix(A)
        if M.rows != M.cols:
            from lossgeom.errors import DataError
            raise DataError("matrix: expected a square matrix, got %dx%d" % (M.rows, M.cols))
        if M.rows == 0:
            return [], mpmath.matrix(0, 0)
        E, Q = mpmath.eigsy(M)
        order = sorted(range(M.rows), key=lambda k: E[k])
        values = [E[k] for k in order]
        vectors = mpmath.matrix(M.rows, M.rows)
        for new, old in enumerate(order):
            for i in range(M.rows):
                vectors[i, new] = Q[i, old]
    with mpmath.workdps(dps):
        return [+v for v in values], vectors


def symmetric_eigenvalues(A, dps=DEFAULT_DPS):
    """Eigenvalues of a symmetric matrix, ascending, at ``dps`` digits.

    Examples
    --------
    >>> [mpmath.nstr(e, 5) for e in symmetric_eigenvalues([[0, 1], [1, 0]], dps=20)]
    ['-1.0', '1.0']
    """
    return symmetric_eigen(A, dps)[0]


def _scale(A):
    M = to_mp_matrix(A)
    return max((abs(v) for v in M), default=mpmath.mpf(0))


def inertia(A, dps=DEFAULT_DPS, tol=None):
    """Numbers of positive, negative and zero eigenvalues of a symmetric matrix.

    An eigenvalue counts as zero when ``|lambda| <= tol``; the default tolerance is
    ``tolerance(dps, scale=max|A_ij| * n)``.

    Examples
    --------
    >>> inertia([[1, 0, 0], [0, -2, 0], [0, 0, 0]], dps=30)
    Inertia(positive=1, negative=1, zero=1, tolerance='6.0e-27')
    """
    with working_precision(dps):
        M = to_mp_matrix(A)
        eigen = symmetric_eigenvalues(M, dps)
        if tol is None:
            tol = tolerance(dps, scale=_scale(M) * max(M.rows, 1))
        tol = mpmath.mpf(tol)
        pos = sum(1 for e in eigen if e > tol)
        neg = sum(1 for e in eigen if e < -tol)
        return Inertia(pos, neg, len(eigen) - pos - neg, mpmath.nstr(tol, 3))


def is_psd(A, dps=DEFAULT_DPS, tol=None):
    """True when no eigenvalue is below ``-tol`` (PSD to the stated tolerance).

    Examples
    --------
    >>> is_psd([[1, 1], [1, 1]], dps=20), is_psd([[0, 1], [1, 0]], dps=20)
    (True, False)
    """
    return inertia(A, dps, tol).negative == 0


def numeric_rank(A, dps=DEFAULT_DPS, tol=None):
    """Rank from singular values at ``dps`` digits: the number above ``tol``.

    Examples
    --------
    >>> numeric_rank([[1, 2], [2, 4]], dps=30)
    1
    """
    with working_precision(dps):
        M = to_mp_matrix(A)
        if M.rows == 0 or M.cols == 0:
            return 0
        s = mpmath.svd_r(M, compute_uv=False)
        if tol is None:
            tol = tolerance(dps, scale=_scale(M) * max(M.rows, M.cols))
        return sum(1 for v in s if v > mpmath.mpf(tol))


def exact_rank(A):
    """Rank over the rationals of an exact matrix (fraction-free elimination, no rounding).

    Raises
    ------
    DataError
        If an entry is not an exact rational number.

    Examples
    --------
    >>> exact_rank(sp.Matrix([[1, 2], [2, 4]])), exact_rank(sp.Matrix([[sp.Rational(1, 3), 0], [0, 1]]))
    (1, 2)
    """
    M = sp.Matrix(A)
    bad = [v for v in M if not (v.is_Rational)]
    if bad:
        from lossgeom.errors import DataError
        raise DataError("matrix: exact rank needs rational entries, got %s" % bad[0])
    from sympy.polys.matrices import DomainMatrix
    return DomainMatrix.from_Matrix(M).convert_to(sp.QQ).rank()
