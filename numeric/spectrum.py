"""Spectra of symmetric matrices: eigenvalues, inertia, PSD test, trace and rank, each with its tolerance.

Every verdict states the tolerance it used (from :func:`lossgeom.precision.tolerance`)
or, for exact input, that it was decided exactly.
"""

from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from lossgeom.checks import check_args, check_int, check_matrix, check_real, check_sequence, check_shape
from lossgeom.display import summary_latex
from lossgeom.errors import DataError
from lossgeom.precision import DEFAULT_DPS, MAX_DPS, MIN_DPS, check_dps, tolerance, working_precision

__all__ = ["Inertia", "to_mp_matrix", "symmetric_eigen", "symmetric_eigenvalues", "inertia", "is_psd",
           "numeric_rank", "exact_rank", "symmetry_defect", "trace", "Enclosure", "certified_eigenvalues",
           "certified_inertia", "exact_inertia", "PsdVerdict", "psd_verdict", "eigen_residual"]


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
        """JSON-ready dict with the field names of the JSON output."""
        return {"positive": self.positive, "negative": self.negative, "zero": self.zero,
                "tolerance": self.tolerance}

    def _repr_latex_(self):
        r"""Jupyter's display: the three counts and what separated zero.

        Examples
        --------
        >>> print(Inertia(2, 1, 0, "exact")._repr_latex_())  # doctest: +NORMALIZE_WHITESPACE
        $\displaystyle \begin{array}{ll}\textbf{Inertia} & \\ (n_+, n_-, n_0) & \left(2, 1, 0\right) \\
        \text{tolerance} & \text{exact}\end{array}$
        """
        return summary_latex("Inertia", [("(n_+, n_-, n_0)", (self.positive, self.negative, self.zero)),
                                         ("tolerance", self.tolerance)])


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
    return to_mp_matrix(check_matrix(A, "A"))


def _to_mpf(value, n):
    if isinstance(value, sp.Rational):
        return mpmath.mpf(value.p) / value.q
    return mpmath.mpmathify(sp.N(value, n + 5))


def symmetry_defect(A):
    """max |A - A^T| entrywise (zero for an exactly symmetric matrix)."""
    A = to_mp_matrix(A)
    return max((abs(A[i, j] - A[j, i]) for i in range(A.rows) for j in range(i)), default=mpmath.mpf(0))


#: From this size on, ``method="auto"`` refines a float64 eigendecomposition in flint instead of mpmath's eigsy.
REFINE_MIN_SIZE = 24


def symmetric_eigen(A, dps=DEFAULT_DPS, method="auto"):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix at ``dps`` digits.

    Parameters
    ----------
    A : symmetric matrix (SymPy, mpmath, nested lists)
    dps : int
    method : {"auto", "mpmath", "refine"}
        ``mpmath``: ``mpmath.eigsy`` with guard digits.  ``refine``: NumPy's float64 ``eigh``, refined to
        the working precision by Ogita-Aishima iterations (matrix products in python-flint's arb_mat);
        it falls back to ``eigsy`` if the iteration does not converge.  ``auto`` refines from
        :data:`REFINE_MIN_SIZE` rows on.

    Returns
    -------
    (E, Q) : (list of mpf, mpmath.matrix)
        ``A = Q diag(E) Q^T`` to the working precision; E rounded to ``dps`` digits.

    Examples
    --------
    >>> E, Q = symmetric_eigen([[2, 1], [1, 2]], dps=20)
    >>> [mpmath.nstr(e, 10) for e in E]
    ['1.0', '3.0']
    >>> [mpmath.nstr(e, 10) for e in symmetric_eigen([[2, 1], [1, 2]], dps=20, method="refine")[0]]
    ['1.0', '3.0']

    References
    ----------
    T. Ogita, K. Aishima, "Iterative refinement for symmetric eigenvalue decomposition", Japan J. Indust.
    Appl. Math. 35 (2018) 1007-1035.
    """
    if method not in ("auto", "mpmath", "refine"):
        raise DataError("method: expected one of auto, mpmath, refine; got %r" % (method,))
    with working_precision(dps):
        M = to_mp_matrix(A)
        if M.rows != M.cols:
            raise DataError("matrix: expected a square matrix, got %dx%d" % (M.rows, M.cols))
        if M.rows == 0:
            return [], mpmath.matrix(0, 0)
        if method == "auto":
            method = "refine" if M.rows >= REFINE_MIN_SIZE else "mpmath"
        result = _refine_eigen(M) if method == "refine" else None
        if result is None:
            E, Q = mpmath.eigsy(M)
        else:
            E, Q = result
        order = sorted(range(M.rows), key=lambda k: E[k])
        values = [E[k] for k in order]
        vectors = mpmath.matrix(M.rows, M.rows)
        for new, old in enumerate(order):
            for i in range(M.rows):
                vectors[i, new] = Q[i, old]
    with mpmath.workdps(dps):
        return [+v for v in values], vectors


def _refine_eigen(M, max_iter=12):
    """Ogita-Aishima refinement of NumPy's eigh to the current mpmath precision, or None."""
    from flint import arb_mat, ctx

    n = M.rows
    prec = mpmath.mp.prec
    target = mpmath.mpf(2) ** (-prec + 8)
    start = np.array(M.tolist(), dtype=float)
    if not np.all(np.isfinite(start)):
        return None  # entries beyond the float64 range: no float start
    w, V = np.linalg.eigh(start)
    with ctx.workprec(prec + 32):
        A = _arb_matrix(M, prec + 32)
        X = arb_mat(V.tolist())
        norm_A = max(abs(float(v)) for v in w) or 1.0
        I = arb_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])
        for _ in range(max_iter):
            R = (I - X.transpose() * X).mid()
            S = (X.transpose() * (A * X)).mid()
            lam = [S[i, i] / (1 - R[i, i]) for i in range(n)]
            off = max((abs(float(S[i, j].mid())) for i in range(n) for j in range(n) if i != j), default=0.0)
            rmax = max(abs(float(R[i, j].mid())) for i in range(n) for j in range(n))
            delta = 2 * (off * n + norm_A * rmax * n)
            lamf = [float(v.mid()) for v in lam]
            E = arb_mat(n, n)
            biggest = 0.0
            clustered = False  # close eigenvalues: Ogita-Aishima only re-orthogonalises inside a cluster
            for i in range(n):
                for j in range(n):
                    if i != j and abs(lamf[i] - lamf[j]) > delta:
                        e = ((S[i, j] + lam[j] * R[i, j]) / (lam[j] - lam[i])).mid()
                    else:
                        clustered = clustered or i != j
                        e = (R[i, j] / 2).mid()
                    E[i, j] = e
                    biggest = max(biggest, abs(float(e)))
            X = (X + X * E).mid()
            if biggest < float(target) or biggest == 0.0:
                break
        else:
            return None
        if clustered:  # the Rayleigh quotients inside a cluster are not resolved: let eigsy decide
            return None
        R = (I - X.transpose() * X).mid()
        S = (X.transpose() * (A * X)).mid()
        lam = [(S[i, i] / (1 - R[i, i])).mid() for i in range(n)]
        Q = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                Q[i, j] = _arb_to_mpf(X[i, j].mid())
        return [_arb_to_mpf(v) for v in lam], Q


def symmetric_eigenvalues(A, dps=DEFAULT_DPS, method="auto"):
    """Eigenvalues of a symmetric matrix, ascending, at ``dps`` digits (see :func:`symmetric_eigen`).

    Examples
    --------
    >>> [mpmath.nstr(e, 5) for e in symmetric_eigenvalues([[0, 1], [1, 0]], dps=20)]
    ['-1.0', '1.0']
    """
    return symmetric_eigen(A, dps, method)[0]


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
    check_args(tol=tol)
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
    check_args(tol=tol)
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
    M = sp.Matrix(check_matrix(A, "A"))
    bad = [v for v in M if not (v.is_Rational)]
    if bad:
            raise DataError("matrix: exact rank needs rational entries, got %s" % bad[0])
    from sympy.polys.matrices import DomainMatrix
    return DomainMatrix.from_Matrix(M).convert_to(sp.QQ).rank()


def trace(A, dps=DEFAULT_DPS):
    """The trace, exactly for a rational SymPy matrix, else at ``dps`` digits.

    Examples
    --------
    >>> trace(sp.Matrix([[sp.Rational(1, 3), 5], [5, sp.Rational(2, 3)]]))
    1
    >>> print(trace([[0.5, 0], [0, 0.25]], dps=20))
    0.75
    """
    if isinstance(A, sp.MatrixBase) and all(v.is_Rational for v in A):
        return sp.Matrix(A).trace()
    with working_precision(dps):
        M = to_mp_matrix(A)
        total = mpmath.fsum(M[i, i] for i in range(min(M.rows, M.cols)))
    with mpmath.workdps(dps):
        return +total


def eigen_residual(A, E, Q):
    """max |A - Q diag(E) Q^T| and max |Q^T Q - I| (entrywise), at the current precision.

    Examples
    --------
    >>> E, Q = symmetric_eigen([[2, 1], [1, 2]], dps=30)
    >>> with mpmath.workdps(30):
    ...     r, o = eigen_residual([[2, 1], [1, 2]], E, Q)
    >>> r < mpmath.mpf(10) ** -28 and o < mpmath.mpf(10) ** -28
    True
    """
    M = to_mp_matrix(A)
    n = M.rows
    E = [check_real(e, "E[%d]" % k) for k, e in enumerate(check_sequence(E, "E", length=n))]
    Q = check_shape(to_mp_matrix(Q), "Q", (n, n))
    D = mpmath.diag(E) if n else mpmath.matrix(0, 0)
    R = M - Q * D * Q.T
    O = Q.T * Q - mpmath.eye(n)
    worst = lambda X: max((abs(v) for v in X), default=mpmath.mpf(0))  # noqa: E731
    return worst(R), worst(O)


# -- certified enclosures (python-flint) ----------------------------------------------------------
@dataclass(frozen=True)
class Enclosure:
    """A certified interval [lower, upper] holding one eigenvalue.

    Examples
    --------
    >>> e = Enclosure(mpmath.mpf(-1), mpmath.mpf(2))
    >>> e.sign, e.contains_zero
    (None, True)
    """

    lower: mpmath.mpf
    upper: mpmath.mpf

    @property
    def contains_zero(self):
        return self.lower <= 0 <= self.upper

    @property
    def sign(self):
        """+1 or -1 when the whole interval has that sign, 0 for the point 0, None when undecided."""
        if self.lower > 0:
            return 1
        if self.upper < 0:
            return -1
        if self.lower == self.upper == 0:
            return 0
        return None

    @property
    def mid(self):
        return (self.lower + self.upper) / 2

    @property
    def radius(self):
        return (self.upper - self.lower) / 2


def _arb_matrix(A, prec):
    """An arb_mat holding A exactly where possible (rationals are rounded with a certified radius)."""
    from flint import arb, arb_mat, fmpq
    if isinstance(A, sp.MatrixBase):
        rows = [[A[i, j] for j in range(A.cols)] for i in range(A.rows)]
    elif isinstance(A, mpmath.matrix):
        rows = [[A[i, j] for j in range(A.cols)] for i in range(A.rows)]
    else:
        rows = [list(r) for r in A]

    def conv(v):
        if isinstance(v, sp.Rational):
            return arb(fmpq(int(v.p), int(v.q)))
        if isinstance(v, mpmath.mpf):
            sign, man, exp, _ = v._mpf_
            return arb((-int(man) if sign else int(man), int(exp)))
        if isinstance(v, (int, float)):
            return arb(v)
        if isinstance(v, sp.Expr) and v.is_number:
            return conv(mpmath.mpf(sp.N(v, int(prec / 3.3) + 10)))
        return arb(str(mpmath.mpmathify(v)))

    return arb_mat([[conv(v) for v in r] for r in rows])


def _arb_to_mpf(x):
    man, exp = x.man_exp()
    return mpmath.mpf((int(man), int(exp)))


def certified_eigenvalues(A, dps=DEFAULT_DPS, entry_radius=0, method="auto"):
    """Certified enclosures of the eigenvalues of a symmetric matrix (python-flint ball arithmetic).

    Parameters
    ----------
    A : symmetric matrix (SymPy, mpmath, nested lists)
        Exact rationals are enclosed with a certified radius; mpf entries are taken exactly.
    dps : int
        Working precision of the enclosure computation.
    entry_radius : number, default 0
        A bound on the error of each entry of A (e.g. the accuracy of a computed Hessian); by Weyl's
        inequality every enclosure widens by ``n * entry_radius`` (>= the 2-norm of the error).
    method : {"auto", "arb", "residual"}
        ``arb``: ``acb_mat.eig(multiple=True)``; ``residual``: Weyl-Ostrowski bounds around mpmath's
        ``eigsy``, evaluated in ball arithmetic.  ``auto`` tries ``arb`` and falls back to ``residual``
        when Arb cannot isolate the eigenvalues (tight clusters, e.g. a rounded exact null space).

    Returns
    -------
    tuple of Enclosure
        The k-th (ascending) eigenvalue lies in the k-th enclosure.

    Raises
    ------
    DataError
        When the matrix is not square or not symmetric.

    Examples
    --------
    >>> enc = certified_eigenvalues(sp.Matrix([[2, 1], [1, 2]]), dps=30)
    >>> [(e.sign, mpmath.nstr(e.mid, 10)) for e in enc]
    [(1, '1.0'), (1, '3.0')]
    >>> enc = certified_eigenvalues(sp.Matrix([[1, 1], [1, 1]]), dps=30, method="residual")
    >>> enc[0].contains_zero, enc[1].sign
    (True, 1)

    Notes
    -----
    ``residual``: with approximate eigenpairs (Lambda, Q), R = A - Q Lambda Q^T and
    eta = ||Q^T Q - I||_F < 1, Weyl's inequality and Ostrowski's theorem (S = Q Lambda Q^T is congruent to
    Lambda) give lambda_k(A) in lambda_k [1 - eta, 1 + eta] +- ||R||_F, all norms bounded rigorously in
    arb.  The enclosures are rigorous for the matrix as given.

    References
    ----------
    F. Johansson, "Arb: efficient arbitrary-precision midpoint-radius interval arithmetic", IEEE Trans.
    Computers 66 (2017).  A. M. Ostrowski, "A quantitative formulation of Sylvester's law of inertia",
    PNAS 45 (1959).  H. Weyl, Math. Ann. 71 (1912).
    """
    entry_radius = check_real(entry_radius, "entry_radius")

    dps = check_dps(dps)
    if dps == "float64":
        dps = 15
    if method not in ("auto", "arb", "residual"):
        raise DataError("method: expected one of auto, arb, residual; got %r" % (method,))
    with working_precision(dps):
        M = to_mp_matrix(A)
        if M.rows != M.cols:
            raise DataError("matrix: expected a square matrix, got %dx%d" % (M.rows, M.cols))
        if isinstance(A, sp.MatrixBase) and A != A.T or symmetry_defect(M) != 0:
            raise DataError("matrix: expected a symmetric matrix for certified eigenvalues")
        prec = mpmath.mp.prec
    if M.rows == 0:
        return ()
    widen = mpmath.mpf(mpmath.mpmathify(entry_radius)) * M.rows
    out = None
    if method in ("auto", "arb"):
        out = _arb_eig(A, prec)
        if out is None and method == "arb":
            raise DataError("matrix: Arb could not isolate the eigenvalues at %d digits; use method='residual'"
                            % dps)
    if out is None:
        out = _residual_enclosures(A, M, dps, prec)
    with mpmath.workprec(prec + 64):
        return tuple(Enclosure(e.lower - widen, e.upper + widen) for e in sorted(out, key=lambda e: e.mid))


def _arb_eig(A, prec):
    from flint import acb_mat, ctx
    with ctx.workprec(prec + 32):
        E = acb_mat(_arb_matrix(A, prec + 32)).eig(multiple=True, nonstop=True)
        out = []
        for z in E:
            re = z.real
            if not (re.is_finite() and z.imag.contains(0)):
                return None
            with mpmath.workprec(prec + 64):
                out.append(Enclosure(_arb_to_mpf(re.lower()), _arb_to_mpf(re.upper())))
    return out


def _residual_enclosures(A, M, dps, prec):
    from flint import arb, arb_mat, ctx

    E, Q = symmetric_eigen(M, dps + 10, method="auto")
    n = M.rows
    with ctx.workprec(prec + 32):
        Aa = _arb_matrix(A, prec + 32)
        Qa = _arb_matrix(Q, prec + 32)
        D = arb_mat(n, n)
        for k in range(n):
            D[k, k] = _arb_matrix([[E[k]]], prec + 32)[0, 0]
        R = Aa - Qa * D * Qa.transpose()
        O = Qa.transpose() * Qa - arb_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])
        fro = lambda X: sum((X[i, j].abs_upper() ** 2 for i in range(n) for j in range(n)), arb(0)).sqrt()  # noqa
        r, eta = fro(R).upper(), fro(O).upper()
        if not eta < 1:
            raise DataError("matrix: eigenvectors too inaccurate to certify (||Q^T Q - I|| = %s)" % eta)
        out = []
        for k in range(n):
            lam = D[k, k]
            a, b = lam * (1 - eta), lam * (1 + eta)
            lo, hi = (a, b) if lam >= 0 else (b, a)
            with mpmath.workprec(prec + 64):
                out.append(Enclosure(_arb_to_mpf((lo - r).lower()), _arb_to_mpf((hi + r).upper())))
    return out


def certified_inertia(A, dps=DEFAULT_DPS, entry_radius=0):
    """Inertia from certified enclosures: signs that are proved, and how many stay undecided.

    Returns
    -------
    Inertia
        ``zero`` counts the enclosures that contain 0 (undecided: exactly 0 or too close to tell);
        ``tolerance`` states the certificate and the widest radius.

    Examples
    --------
    >>> certified_inertia(sp.Matrix([[1, 0, 0], [0, -2, 0], [0, 0, 0]]), dps=20)
    Inertia(positive=1, negative=1, zero=1, tolerance='certified (arb enclosures, max radius 0.0)')
    """
    enc = certified_eigenvalues(A, dps, entry_radius)
    pos = sum(1 for e in enc if e.lower > 0)
    neg = sum(1 for e in enc if e.upper < 0)
    width = max((e.radius for e in enc), default=mpmath.mpf(0))
    return Inertia(pos, neg, len(enc) - pos - neg,
                   "certified (arb enclosures, max radius %s)" % mpmath.nstr(width, 3))


def exact_inertia(A):
    """Inertia of an exact rational symmetric matrix, decided exactly (no tolerance).

    The characteristic polynomial of a symmetric matrix has only real roots, so Descartes' rule of
    signs is exact: #positive eigenvalues = sign changes of p(x), #negative = sign changes of p(-x),
    #zero = the multiplicity of the root 0.

    Raises
    ------
    DataError
        If an entry is not rational or the matrix is not symmetric.

    Examples
    --------
    >>> exact_inertia(sp.Matrix([[1, 2], [2, 1]]))
    Inertia(positive=1, negative=1, zero=0, tolerance='exact')
    >>> exact_inertia(sp.Matrix([[sp.Rational(1, 3), 0], [0, 0]]))
    Inertia(positive=1, negative=0, zero=1, tolerance='exact')
    """
    M = sp.Matrix(check_matrix(A, "A"))
    if any(not v.is_Rational for v in M):
        raise DataError("matrix: exact inertia needs rational entries, got %s" % next(v for v in M if not v.is_Rational))
    if M.rows != M.cols or M != M.T:
        raise DataError("matrix: expected a square symmetric matrix")
    n = M.rows
    if n == 0:
        return Inertia(0, 0, 0, "exact")
    from flint import fmpq_mat
    poly = fmpq_mat([[_fmpq(v) for v in M.row(i)] for i in range(n)]).charpoly()
    c = [poly[k] for k in range(n + 1)]  # c[k] = coefficient of x^k
    zero = next(k for k in range(n + 1) if c[k] != 0)
    pos = _sign_changes(c[zero:])
    neg = _sign_changes([v if k % 2 == 0 else -v for k, v in enumerate(c)][zero:])
    return Inertia(pos, neg, zero, "exact")


def _fmpq(v):
    from flint import fmpq
    return fmpq(int(v.p), int(v.q))


def _sign_changes(coeffs):
    signs = [1 if v > 0 else -1 for v in coeffs if v != 0]
    return sum(1 for a, b in zip(signs, signs[1:]) if a != b)


# -- PSD verdicts ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PsdVerdict:
    """Whether a symmetric matrix is PSD, and on what grounds.

    Attributes
    ----------
    psd : bool or None
        None when the method could not decide (a certified enclosure straddles 0 with a negative part).
    method : {"exact", "certified", "numeric"}
    basis : str
        The tolerance used, the certificate, or "exact".
    min_eigenvalue : str
        The smallest eigenvalue (or its enclosure), as text.
    """

    psd: object
    method: str
    basis: str
    min_eigenvalue: str

    def to_dict(self):
        return {"psd": self.psd, "method": self.method, "basis": self.basis, "min_eigenvalue": self.min_eigenvalue}


def psd_verdict(A, dps=DEFAULT_DPS, tol=None, method="auto"):
    """Is a symmetric matrix positive semidefinite?  The verdict says how it was decided.

    Parameters
    ----------
    A : symmetric matrix
    dps : int
    tol : number, optional
        For ``method="numeric"``: eigenvalues >= -tol count as nonnegative (default from
        :func:`~lossgeom.precision.tolerance`).
    method : {"auto", "exact", "certified", "numeric"}
        ``auto`` is ``exact`` for a rational SymPy matrix, else ``numeric``.

    Examples
    --------
    >>> psd_verdict(sp.Matrix([[1, 1], [1, 1]]))
    PsdVerdict(psd=True, method='exact', basis='exact inertia (Descartes on the characteristic polynomial)', min_eigenvalue='0')
    >>> v = psd_verdict([[1, 0], [0, -1]], dps=20)
    >>> v.psd, v.method, v.min_eigenvalue
    (False, 'numeric', '-1.0')
    """
    check_args(tol=tol)
    dps = check_int(dps, "dps", MIN_DPS, MAX_DPS)
    if method == "auto":
        exact = isinstance(A, sp.MatrixBase) and all(v.is_Rational for v in A)
        method = "exact" if exact else "numeric"
    if method == "exact":
        I = exact_inertia(A)
        M = sp.Matrix(check_matrix(A, "A"))
        if not M.rows:
            lam = "n/a"
        elif I.negative == 0 and I.zero:
            lam = "0"
        else:
            with mpmath.workdps(dps):
                lam = mpmath.nstr(symmetric_eigenvalues(M, dps)[0], 15)
        return PsdVerdict(I.negative == 0, "exact", "exact inertia (Descartes on the characteristic polynomial)",
                          lam)
    if method == "certified":
        enc = certified_eigenvalues(A, dps)
        if not enc:
            return PsdVerdict(True, "certified", "empty matrix", "n/a")
        low = enc[0]
        if all(e.lower >= 0 for e in enc):
            psd = True
        elif any(e.upper < 0 for e in enc):
            psd = False
        else:
            psd = None
        return PsdVerdict(psd, "certified", "arb enclosures (max radius %s)"
                          % mpmath.nstr(max(e.radius for e in enc), 3),
                          "[%s, %s]" % (mpmath.nstr(low.lower, 15), mpmath.nstr(low.upper, 15)))
    if method == "numeric":
        with working_precision(dps):
            M = to_mp_matrix(A)
            E = symmetric_eigenvalues(M, dps)
            if tol is None:
                tol = tolerance(dps, scale=_scale(M) * max(M.rows, 1))
            tol = mpmath.mpf(tol)
            low = E[0] if E else None
            with mpmath.workdps(dps):
                text = mpmath.nstr(low, 15) if low is not None else "n/a"
            return PsdVerdict(all(e >= -tol for e in E), "numeric", "eigenvalues >= -%s" % mpmath.nstr(tol, 3), text)
    raise DataError("method: expected one of auto, exact, certified, numeric; got %r" % (method,))
