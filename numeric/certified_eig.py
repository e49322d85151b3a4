"""A certified symmetric eigen-solver: float64 ``eigh``, refinement by matrix products, rigorous enclosures.

:func:`certified_eigh` encloses every eigenvalue of a real symmetric matrix whose entries are exact
(rationals, dyadic mpf) or balls (python-flint ``arb``, e.g. a ball-arithmetic Hessian from
:mod:`lossgeom.numeric.ball`), and bounds the error of its eigenvectors (Davis-Kahan).  Three stages:

1. NumPy's float64 ``eigh`` (one BLAS thread) gives approximate eigenvectors X (about 35-45 correct bits).
2. Ogita-Aishima refinement (2018): with R = I - X^T X and S = X^T A X, lambda_i = S_ii / (1 - R_ii) and
   E_ij = (S_ij + lambda_j R_ij) / (lambda_j - lambda_i) (E_ij = R_ij / 2 inside a cluster,
   |lambda_i - lambda_j| <= delta), X <- X + X E.  S and R are ``arb_mat`` products at a precision that
   doubles with the correct bits; E is computed in double-double (NumPy, :mod:`._dd`), so each step
   squares the error.  The last correction is not applied: its E enters the enclosure below.  This
   stage need not be rigorous.
3. Enclosure, rigorous in ball arithmetic for the vectors Y = X (I + E), X and E exact dyadic matrices:
   from the full-precision balls S = X^T A X and M = X^T X, Y^T A Y = S + diag(S) E + E^T diag(S) + P
   (entry by entry) with ||P||_F bounded by norms, and Y^T Y likewise.  F = Y^T Y - I, alpha >= ||F||_2,
   Y^T A_mid Y = D + G with D = diag(d), d_i the midpoints of its diagonal, g >= ||G||_2.  If alpha < 1,
   Y is nonsingular and A_mid = C (Y^T A_mid Y) C^T with C = Y^-T, whose squared singular values lie in
   [1/(1+alpha), 1/(1-alpha)].  Ostrowski's theorem gives lambda_k(A_mid) = theta_k lambda_k(Y^T A_mid Y)
   with theta_k in that interval, Weyl's inequality |lambda_k(Y^T A_mid Y) - d_(k)| <= g (d_(k) the k-th
   smallest), and Weyl again |lambda_k(A) - lambda_k(A_mid)| <= ||A - A_mid||_2 <= ||radius(A)||_F for
   every symmetric A in the balls.  Every bound is an arb upper bound (Frobenius norms summed in ball
   arithmetic), never a tolerance.

Overlapping enclosures are merged into clusters; a cluster's enclosure (their hull) is reported with its
count, never split.  Where refinement cannot make alpha < 1 the solver falls back to python-flint's
``acb_mat.eig(multiple=True)``.

Eigenvectors (Davis-Kahan sin-theta theorem).  For a cluster C (one eigenvalue or several sharing an
enclosure [lo, hi]) let Q = Y_C (Y_C^T Y_C)^(-1/2).  Then ||A Q - Q (Q^T A Q)||_2 <= rho =
(||G_{:,C}||_F + max_C |d| ||F_{:,C}||_F) / (1 - alpha) + ||A - A_mid||_2 (because
(I - Q Q^T) A Y_C = (I - Q Q^T)(A Y_C - Y_C D_C) and ||Y^-T||_2 <= (1 - alpha)^(-1/2)), the Ritz values
of Q lie in [lo, hi], and the other eigenvalues of A lie in the other enclosures, at distance >= delta
(the gap to the neighbouring clusters).  So the sine of the largest principal angle between span(Y_C)
and the invariant subspace of the eigenvalues in [lo, hi] is at most rho / delta.  ``vector_bounds``
holds these bounds for the returned ``vectors`` (midpoints of balls holding Y, the rounding added).

References
----------
T. Ogita, K. Aishima, "Iterative refinement for symmetric eigenvalue decomposition", Japan J. Indust.
Appl. Math. 35 (2018) 1007-1035.  A. M. Ostrowski, "A quantitative formulation of Sylvester's law of
inertia", PNAS 45 (1959).  H. Weyl, Math. Ann. 71 (1912).  S. Miyajima, "Numerical enclosure for each
eigenvalue in generalized eigenvalue problem", J. Comput. Appl. Math. 236 (2012) (the same
Ostrowski-Weyl argument for X^T A X).  C. Davis, W. M. Kahan, "The rotation of eigenvectors by a
perturbation. III", SIAM J. Numer. Anal. 7 (1970) 1-46 (the sin-theta theorem); G. W. Stewart, J.-G. Sun,
"Matrix Perturbation Theory" (1990), Theorem V.3.6.
"""

import contextlib
import math
import os
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp
from flint import arb, arb_mat, ctx

from lossgeom.checks import check_int, check_matrix, check_matrix_like, check_type
from lossgeom.display import summary_latex
from lossgeom.errors import DataError
from lossgeom.precision import DEFAULT_DPS, check_dps

from . import _dd as dd
from .spectrum import Enclosure, Inertia, _arb_matrix, certified_eigenvalues

__all__ = ["CertifiedSpectrum", "certified_eigh", "decimal_outward"]

#: Extra bits carried beyond the requested digits.
GUARD_BITS = 40
#: Refinement steps before giving up on convergence.
MAX_STEPS = 10
#: Largest cluster split by a block rotation (larger ones stay clusters).
MAX_SPLIT = 60
#: At most this many threads for flint's matrix products.
THREADS = 2
#: Enclose X (I + E) from the last full-precision products instead of a last step and new products.
FUSED = True


@dataclass(frozen=True)
class CertifiedSpectrum:
    """Certified enclosures of all eigenvalues of a symmetric matrix, ascending.

    Attributes
    ----------
    enclosures : tuple of Enclosure
        One per eigenvalue, ascending; the k-th smallest eigenvalue lies in the k-th.  Members of a
        cluster all carry the cluster's enclosure (the hull of the overlapping ones).
    counts : tuple of int
        ``counts[k]``: how many eigenvalues share the k-th enclosure (1 for an isolated one).
    method : str
        ``"refined"`` (Ogita-Aishima refinement with Ostrowski-Weyl bounds) or ``"arb-eig"``.
    orthogonality : mpf
        The bound alpha >= ||X^T X - I||_2 (``"refined"``; 0 otherwise).
    residual : mpf
        The bound g >= ||X^T A X - D||_2 (``"refined"``; 0 otherwise).
    entry_radius : mpf
        The bound on ||A - A_mid||_2 from the entries' radii (Frobenius norm of the radii).
    steps : int
        Refinement steps taken.
    vector_bounds : tuple
        Per eigenvalue (ascending) an mpf proved to bound the sine of the angle between column k of
        ``vectors`` and the true eigenvector; for a cluster, the sine of the largest principal angle
        between the span of its columns and the true invariant subspace (Davis-Kahan).  None each for
        ``"arb-eig"``.
    vectors : arb_mat or None
        The approximate eigenvectors (exact dyadic entries), columns in ascending eigenvalue order, not
        normalised (their norms are within alpha of 1).

    Examples
    --------
    >>> s = certified_eigh(sp.Matrix([[2, 1], [1, 2]]), dps=30)
    >>> [e.sign for e in s.enclosures], s.counts, s.method
    ([1, 1], (1, 1), 'refined')
    >>> s.inertia()
    Inertia(positive=2, negative=0, zero=0, tolerance='certified (refined enclosures, max radius 7.46e-41)')
    """

    enclosures: tuple
    counts: tuple
    method: str
    orthogonality: object
    residual: object
    entry_radius: object
    steps: int
    vector_bounds: tuple = ()
    vectors: object = None

    def inertia(self):
        """:class:`~lossgeom.numeric.spectrum.Inertia` from the enclosures: ``zero`` counts those holding 0."""
        pos = sum(1 for e in self.enclosures if e.lower > 0)
        neg = sum(1 for e in self.enclosures if e.upper < 0)
        width = max((e.radius for e in self.enclosures), default=mpmath.mpf(0))
        return Inertia(pos, neg, len(self.enclosures) - pos - neg,
                       "certified (%s enclosures, max radius %s)" % (self.method, mpmath.nstr(width, 3)))

    def rank(self):
        """The rank when every enclosure excludes 0 or the matrix is 0, else None (undecided).

        Examples
        --------
        >>> certified_eigh(sp.Matrix([[1, 0], [0, 3]]), dps=20).rank()
        2
        >>> certified_eigh(sp.Matrix([[1, 1], [1, 1]]), dps=20).rank() is None
        True
        """
        if all(e.lower > 0 or e.upper < 0 for e in self.enclosures):
            return len(self.enclosures)
        if all(e.lower == e.upper == 0 for e in self.enclosures):
            return 0
        return None

    def _repr_latex_(self):
        r"""Jupyter's display: the smallest and largest enclosures, the inertia, the rank and the widest radius.

        Examples
        --------
        >>> tex = certified_eigh(sp.Matrix([[2, 1], [1, 2]]), dps=20)._repr_latex_()
        >>> r"\lambda_{\min} & [1.0, 1.0]" in tex and r"(n_+, n_-, n_0) & \left(2, 0, 0\right)" in tex
        True
        """
        def interval(e):
            return ("latex", "[%s, %s]" % (mpmath.nstr(e.lower, 15), mpmath.nstr(e.upper, 15)))
        inertia = self.inertia()
        rows = [("method", self.method), ("eigenvalues", len(self.enclosures))]
        if self.enclosures:
            rows += [(r"\lambda_{\min}", interval(self.enclosures[0])),
                     (r"\lambda_{\max}", interval(self.enclosures[-1])),
                     (r"\text{max radius}", max(e.radius for e in self.enclosures))]
        rows += [("(n_+, n_-, n_0)", (inertia.positive, inertia.negative, inertia.zero)),
                 (r"\operatorname{rank}", self.rank() if self.rank() is not None else "undecided")]
        return summary_latex("Certified spectrum", rows)

    def max_relative_width(self):
        """The widest enclosure divided by the largest |eigenvalue| bound (0 for the zero matrix)."""
        top = max((max(abs(e.lower), abs(e.upper)) for e in self.enclosures), default=mpmath.mpf(0))
        width = max((e.upper - e.lower for e in self.enclosures), default=mpmath.mpf(0))
        return width / top if top else mpmath.mpf(0)


def certified_eigh(A, dps=DEFAULT_DPS):
    """Certified enclosures of every eigenvalue of a real symmetric matrix, with Davis-Kahan bounds.

    Parameters
    ----------
    A : symmetric matrix
        SymPy (exact rationals), mpmath, nested lists or NumPy (entries exact), or a python-flint
        ``arb_mat`` whose balls hold the true entries (the true matrix is assumed symmetric).
    dps : int
        Decimal digits the refinement aims at (the enclosures' widths are about 10^-dps relative to the
        largest eigenvalue, widened by the entries' radii).

    Returns
    -------
    CertifiedSpectrum
        With ``vector_bounds``: for the k-th eigenvalue, a proved bound on the sine of the angle between
        ``vectors`` column k and the true eigenvector (for a cluster: the largest principal angle between
        the span of its columns and the true invariant subspace of the eigenvalues in its enclosure).

    Raises
    ------
    DataError
        When A is not square, not symmetric (exact input), or has a non-finite entry.

    Examples
    --------
    >>> s = certified_eigh(sp.Matrix([[1, 0, 0], [0, 1, 0], [0, 0, -2]]), dps=40)
    >>> s.counts, [e.sign for e in s.enclosures]
    ((1, 2, 2), [-1, 1, 1])
    >>> s = certified_eigh(sp.Matrix([[2, 1], [1, 2]]), dps=40)
    >>> all(b < mpmath.mpf(10) ** -40 for b in s.vector_bounds)
    True
    """
    dps = check_dps(dps)
    if not isinstance(A, arb_mat):
        check_matrix_like(A, "A")
    if dps == "float64":
        dps = 15
    bits = int(dps * 3.33) + GUARD_BITS
    Amid, rad = _as_balls(A, bits)
    n = Amid.nrows()
    if n == 0:
        z = mpmath.mpf(0)
        return CertifiedSpectrum((), (), "refined", z, z, z, 0, (), arb_mat(0, 0))
    with _flint_threads(), ctx.workprec(bits):
        X, steps, last = _refine(Amid, bits)
        out = _enclose(Amid, X, rad, bits, last)
    if out is None:
        return _fallback(Amid, rad, dps, bits)
    pairs, order, alpha, g, cols, Y, eta = out
    groups = _groups(pairs)
    encs, counts = _clusters(groups)
    with ctx.workprec(64):
        bounds = _rounded(_subspace_bounds(groups, order, cols, alpha, rad), alpha, eta)
    with mpmath.workprec(bits + 64):
        return CertifiedSpectrum(tuple(encs), tuple(counts), "refined", _mpf(alpha), _mpf(g), _mpf(rad), steps,
                                 tuple(_mpf(b) for b in bounds), _columns(Y, order))


@contextlib.contextmanager
def _flint_threads():
    """flint's matrix products on every core (at most THREADS), restored afterwards."""
    old = ctx.threads
    ctx.threads = max(1, min(THREADS, os.cpu_count() or 1))
    try:
        yield
    finally:
        ctx.threads = old


def _rounded(bounds, alpha, eta):
    """Davis-Kahan bounds for the rounded vectors V, ||V - Y||_F <= eta, from those for Y (sigma(Y)^2 in
    [1 - alpha, 1 + alpha]): sin(V, U) <= (sin(Y, U) sqrt(1 + alpha) + eta) / (sqrt(1 - alpha) - eta)."""
    if not eta > 0:
        return bounds
    lo = (1 - arb(alpha)).sqrt() - eta
    if not lo > 0:
        return [arb(1)] * len(bounds)
    hi = (1 + arb(alpha)).sqrt()
    out = []
    for b in bounds:
        v = ((b * hi + eta) / lo).upper()
        out.append(v if v < 1 else arb(1))
    return out


def _mpf(x):
    """The exact upper end of an arb as an mpf (the caller holds a high enough mpmath precision)."""
    man, exp = x.upper().man_exp() if isinstance(x, arb) else (0, 0)
    return mpmath.mpf((int(man), int(exp)))


def _as_balls(A, bits):
    """(midpoint arb_mat, symmetric and exact; arb upper bound on ||radius||_F) for the input."""
    with ctx.workprec(bits + 64):
        if isinstance(A, arb_mat):
            M = A
        else:
            if isinstance(A, np.ndarray) and A.ndim != 2:
                raise DataError("matrix: expected a 2-D matrix, got shape %s" % (A.shape,))
            if isinstance(A, sp.MatrixBase) and A != A.T:
                raise DataError("matrix: expected a symmetric matrix for certified eigenvalues")
            if not isinstance(A, (sp.MatrixBase, mpmath.matrix)):
                A = check_matrix(A, "A")           # exact numbers only: strings are parsed, never evaluated
            try:
                M = _arb_matrix(A, bits + 64)
            except (TypeError, ValueError) as err:
                raise DataError("A: expected a real matrix of numbers (%s)" % err) from None
        n = M.nrows()
        if M.ncols() != n:
            raise DataError("matrix: expected a square matrix, got %dx%d" % (n, M.ncols()))
        if not isinstance(A, (arb_mat, sp.MatrixBase)):
            rows = M.tolist()
            for i in range(n):
                for j in range(i):
                    if not rows[i][j].mid() == rows[j][i].mid():
                        raise DataError("matrix: expected a symmetric matrix for certified eigenvalues "
                                        "(entries (%d, %d) and (%d, %d) differ)" % (i + 1, j + 1, j + 1, i + 1))
        C = (M + M.transpose()) * arb(0.5)  # the true symmetric A equals (A + A^T)/2, so lies in C
        mid = C.mid()
    with ctx.workprec(64):
        total = arb(0)
        for i, row in enumerate(C.tolist()):
            for j, x in enumerate(row):
                if not x.is_finite():
                    raise DataError("matrix: entry (%d, %d) is not finite" % (i + 1, j + 1))
                r = x.rad()
                if r:
                    total += r * r
        rad = total.sqrt().upper() if total > 0 else arb(0)
    return mid, rad


def _column_squares(M, d=None):
    """Per column j an arb upper bound on sum_i |M_ij - [i = j] d_j|^2 (ball arithmetic, 64 bits)."""
    with ctx.workprec(64):
        cols = [arb(0)] * M.ncols()
        for i, row in enumerate(M.tolist()):
            for j, x in enumerate(row):
                if i == j and d is not None:
                    x = x - d[j]           # a ball about 0 of x's radius: the difference is exact
                a = x.abs_upper()
                if a:
                    cols[j] = cols[j] + a * a
    return cols


def _floats(M, scale=1.0):
    """The midpoints of an arb_mat divided by ``scale`` (a power of 2) as a float64 array."""
    return np.array(M.mid().tolist(), dtype=float) / scale


def _double_double(M, scale):
    """(hi, lo) float64 arrays with hi + lo = M/scale to about 106 bits (M's midpoints)."""
    M = M.mid() * arb(1.0 / scale)
    hi = np.array(M.tolist(), dtype=float)
    lo = np.array((M - arb_mat(hi.tolist())).mid().tolist(), dtype=float)
    return hi, lo


def _eigh(Af):
    """float64 eigenvectors, on one BLAS thread (threads fight over 2 shared cores, and gain little)."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1, user_api="blas"):
        return np.linalg.eigh(Af)[1]


def _refine(A, bits):
    """Approximate eigenvectors (exact dyadic arb_mat), refined until the error is below about 2^-bits.

    Each Ogita-Aishima step at precision p costs three arb_mat products (A X, X^T (A X), X^T X) at p bits
    and one (X E) at about p - acc bits; E is computed in double-double, so a step squares the error (at
    most about 100 bits gained per step; float64 eigh gives about 2^-35..2^-45).  Returns (X, steps,
    last): when the last products were at full precision and their correction E would reach the target,
    it is not applied but returned as ``last = (S, M, E, size)`` for :func:`_enclose` (saving a full
    product round).
    """
    Af = _floats(A)
    top = float(np.max(np.abs(Af)))
    scale = 2.0 ** math.frexp(top)[1] if top > 0 else 1.0
    X0 = _eigh(Af / scale)
    X = arb_mat(X0.tolist())
    acc, before, steps = 45, 0, 0
    target = bits - GUARD_BITS // 2
    while steps < MAX_STEPS:
        p = min(bits, 2 * acc + 32)
        with ctx.workprec(p):
            S, M = _products(A, X, exact=p >= bits)
        Eh, El, size = _correction(S, M, scale)
        now = -math.log2(size) if size > 0 else bits  # the error of X; after the correction about squared
        stalled = now <= before + 4 and steps > 2      # no longer converging (e.g. an unresolved cluster)
        nxt = min(2 * now, now + 100) - 6
        if FUSED and p == bits and (nxt >= target or stalled or steps + 1 == MAX_STEPS):
            return X, steps + 1, (S, M, Eh, El, size)
        X = _apply(X, X0, Eh, El, p, acc)
        steps += 1
        before, acc = now, nxt
        if not FUSED and (acc >= target or stalled):
            break
    return X, steps, None


def _products(A, X, exact=True):
    """(X^T A X, X^T X) as balls at flint's working precision (A's midpoints rounded to it unless ``exact``:
    the balls then hold the products for A itself, as the enclosures need)."""
    Ap = A if exact else (A * 1).mid()
    return X.transpose() * (Ap * X), X.transpose() * X


def _correction(S, M, scale):
    """The Ogita-Aishima correction E = Eh + El (double-double) from S = X^T A X, M = X^T X; and max |E|."""
    Sh, Sl = _double_double(S, scale)
    n = Sh.shape[0]
    F = arb_mat(M)
    for i in range(n):
        F[i, i] = F[i, i] - 1    # F = M - I in arb, so that its tiny diagonal keeps 106 bits in double-double
    Fh, Fl = _double_double(F, 1.0)
    Rh, Rl = -Fh, -Fl
    mh, ml = dd.add(np.ones(n), np.zeros(n), np.diag(Fh).copy(), np.diag(Fl).copy())
    lh, ll = dd.div(np.diag(Sh).copy(), np.diag(Sl).copy(), mh, ml)
    off = Sh - np.diag(np.diag(Sh))
    normA = max(float(np.max(np.abs(lh))), 1e-300)
    delta = 2 * (np.linalg.norm(off) + normA * np.linalg.norm(Rh))
    gh, gl = dd.add(lh[None, :], ll[None, :], -lh[:, None], -ll[:, None])
    near = np.abs(gh) <= max(delta, 4 * np.finfo(float).tiny)
    nh, nl = dd.mul(np.broadcast_to(lh[None, :], Rh.shape), np.broadcast_to(ll[None, :], Rh.shape), Rh, Rl)
    nh, nl = dd.add(Sh, Sl, nh, nl)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        Eh, El = dd.div(nh, nl, np.where(near, 1.0, gh), np.where(near, 0.0, gl))
    Eh, El = np.where(near, Rh / 2, Eh), np.where(near, Rl / 2, El)
    Eh = np.nan_to_num(Eh, nan=0.0, posinf=0.0, neginf=0.0)
    El = np.nan_to_num(El, nan=0.0, posinf=0.0, neginf=0.0)
    return Eh, El, float(np.max(np.abs(Eh))) if n else 0.0


def _apply(X, X0, Eh, El, p, acc):
    """X + X E rounded to p bits (X E at about p - acc bits; the tiny E_lo part in float64)."""
    low = arb_mat((X0 @ El).tolist())             # |E_lo| <= 2^-53 |E|: float64 products suffice
    with ctx.workprec(max(64, p - acc + 24)):
        XE = (X * 1).mid() * arb_mat(Eh.tolist())
    with ctx.workprec(p):
        return (X + XE + low).mid()


def _exact_e(Eh, El):
    """E = Eh + El as an exact arb_mat (rounded where the two parts are too far apart: any exact E works)."""
    with ctx.workprec(160):
        return (arb_mat(Eh.tolist()) + arb_mat(El.tolist())).mid()


def _enclose(A, X, rad, bits, last=None):
    """Rigorous enclosures (ascending, unmerged) for the vectors Y = X (I + E) T, or None if alpha >= 1.

    Without ``last``, E = 0.  With ``last = (S, M, Eh, El, size)`` (S, M the balls X^T A X, X^T X at full
    precision), Y^T A Y and Y^T Y come from S and M by :func:`_congruence`.  T is the identity, or block
    rotations splitting wide clusters (:func:`_split_clusters`).  Y is returned as balls' midpoints with
    eta >= ||Y - vectors||_F.

    Returns (pairs, order, alpha, g, (d, colG, colF, pS, pM), vectors, eta): pairs[k] = (lo, hi) encloses
    the k-th smallest eigenvalue, order[k] the column it comes from, d the diagonal of Y^T A Y, colG and
    colF the squared column norms of G = Y^T A Y - diag(d) and F = Y^T Y - I (arb upper bounds), pS and
    pM bounds on the norms of the remainders left out of them.
    """
    X = X.mid()
    pS = pM = arb(0)
    if last is None:
        S, M = _products(A, X)
        Yb = X
    else:
        S, M, Eh, El, size = last
        E = _exact_e(Eh, El)
        a = -math.log2(size) if size > 0 else bits
        (S, pS), (M, pM) = _congruence(S, E, bits), _congruence(M, E, bits)
        with ctx.workprec(max(64, int(bits - a) + 24)):
            XE = X * E
        Yb = X + XE
    out = _bounds(S, M, rad, pS, pM)
    if out is None:
        return None
    split = _split_clusters(S, M, Yb, out[0], out[1], bits)
    if split is not None:
        S2, M2, Yb2, grow = split
        with ctx.workprec(64):
            pS2, pM2 = (pS * grow).upper(), (pM * grow).upper()
        out2 = _bounds(S2, M2, rad, pS2, pM2)
        if out2 is not None:
            out, Yb = out2, Yb2
    return out + (Yb.mid(), _radius_norm(Yb))


def _bounds(S, M, rad, pS, pM):
    """(pairs, order, alpha, g, cols) of :func:`_enclose` from the balls S = Y^T A Y - P_S, M = Y^T Y - P_M
    (||P_S|| <= pS, ||P_M|| <= pM), or None if alpha >= 1."""
    n = S.nrows()
    F = arb_mat(M)
    for i in range(n):
        F[i, i] = F[i, i] - 1
    colF = _column_squares(F)
    with ctx.workprec(64):
        alpha = (sum(colF, arb(0)).sqrt() + pM).upper()
    if not alpha < 1:
        return None
    d = [S[i, i].mid() for i in range(n)]
    colG = _column_squares(S, d)
    with ctx.workprec(64):
        g = (sum(colG, arb(0)).sqrt() + pS).upper()
    th_lo = (1 / (1 + arb(alpha))).lower()
    th_hi = (1 / (1 - arb(alpha))).upper()
    order = sorted(range(n), key=lambda i: _key(d[i]))
    out = []
    for i in order:
        x = d[i] + arb(0, g)  # arb addition rounds outward: a ball holding [d_i - g, d_i + g]
        lo_, hi_ = x * th_lo, x * th_hi
        lo = (min(lo_.lower(), hi_.lower(), key=_key) - rad).lower()
        hi = (max(lo_.upper(), hi_.upper(), key=_key) + rad).upper()
        out.append((lo, hi))
    return out, order, alpha, g, (d, colG, colF, pS, pM)


def _split_clusters(S, M, Yb, pairs, order, bits):
    """Block rotations resolving clusters wider than the target precision (distinct but close eigenvalues).

    For each such cluster C (2 to MAX_SPLIT members) the k x k block S_CC is diagonalised by mpmath
    ``eigsy`` at the working precision, W its eigenvectors (exact dyadic), T = blockdiag(W, I).  Returns
    (T^T S T, T^T M T, Y T as balls, grow >= ||T||_2^2), or None when no cluster is wide.
    """
    groups = _groups(pairs)
    with ctx.workprec(64):
        top = max((max(abs(lo).upper(), abs(hi).upper(), key=_key) for lo, hi in pairs), key=_key)
        limit = (top * arb(2) ** -(bits - GUARD_BITS)).upper()
        blocks = [order[st:st + c] for lo, hi, st, c in groups if 2 <= c <= MAX_SPLIT and (hi - lo) > limit]
    if not blocks:
        return None
    rows = S.mid().tolist()
    Ws, grow = [], arb(1)
    with mpmath.workprec(bits + 16):
        for C in blocks:
            B = mpmath.matrix([[(_exact(rows[i][j]) + _exact(rows[j][i])) / 2 for j in C] for i in C])
            Q = mpmath.eigsy(B)[1]
            W = arb_mat([[_to_arb(Q[a, b]) for b in range(len(C))] for a in range(len(C))])
            with ctx.workprec(64):
                D = W.transpose() * W
                dev = sum(((D[a, b] - int(a == b)).abs_upper() ** 2 for a in range(len(C)) for b in range(len(C))), arb(0))
                grow = max(grow, (1 + dev.sqrt()).upper(), key=_key)
            Ws.append(W)
    S2 = _rotate_rows(_rotate_rows(S, blocks, Ws).transpose(), blocks, Ws).transpose()
    M2 = _rotate_rows(_rotate_rows(M, blocks, Ws).transpose(), blocks, Ws).transpose()
    Y2 = _rotate_rows(Yb.transpose(), blocks, Ws).transpose()
    return S2, M2, Y2, grow


def _rotate_rows(S, blocks, Ws):
    """T^T S for T = blockdiag(W_b on the index sets of blocks, identity elsewhere), in ball arithmetic."""
    rows = S.tolist()
    for C, W in zip(blocks, Ws):
        new = (W.transpose() * arb_mat([rows[i] for i in C])).tolist()
        for t, i in enumerate(C):
            rows[i] = new[t]
    return arb_mat(rows)


def _congruence(S, E, bits):
    """(S', p) with (I + E)^T S (I + E) = S' + P, ||P||_F <= p, for a ball S holding a symmetric matrix, E exact.

    S' = S + diag(S) E + E^T diag(S), entry by entry (no matrix product); the rest,
    P = G E + E^T G + E^T S E with G the off-diagonal part of S, is bounded by norms:
    ||P||_F <= 2 ||G||_F ||E||_F + ||E||_F^2 (max |S_ii| + ||G||_F).
    """
    n = S.nrows()
    rows, er = S.tolist(), E.tolist()
    diag = [rows[i][i] for i in range(n)]
    out = [[None] * n for _ in range(n)]
    with ctx.workprec(64):
        g2 = e2 = arb(0)
        top = max((x.abs_upper() for x in diag), key=_key, default=arb(0))
        for i in range(n):
            for j in range(n):
                e = er[i][j].abs_upper()
                e2 += e * e
                if i != j:
                    a = rows[i][j].abs_upper()
                    g2 += a * a
        gF, eF = g2.sqrt(), e2.sqrt()
        p = (2 * gF * eF + e2 * (top + gF)).upper()
    with ctx.workprec(bits):
        for i in range(n):
            ri, ei, di = rows[i], er[i], diag[i]
            for j in range(n):
                out[i][j] = ri[j] + di * ei[j] + er[j][i] * diag[j]
        return arb_mat(out), p


def _radius_norm(M):
    """An arb upper bound on the Frobenius norm of the radii of M."""
    with ctx.workprec(64):
        total = arb(0)
        for row in M.tolist():
            for x in row:
                r = x.rad()
                if r:
                    total += r * r
        return total.sqrt().upper() if total > 0 else arb(0)


def _subspace_bounds(groups, order, cols, alpha, rad):
    """Davis-Kahan sin-theta bounds, one per eigenvalue (a cluster's bound repeated per member).

    For a cluster C (columns X_C, enclosure [lo, hi]) with Q = X_C (X_C^T X_C)^(-1/2) orthonormal:
    ||A Q - Q Q^T A Q||_2 <= rho = (||G_{:,C}||_F + max|d_C| ||F_{:,C}||_F) / (1 - alpha) + ||A - A_mid||_2,
    the Ritz values of Q lie in [lo, hi], and every other eigenvalue of A lies at distance >= delta from
    it (the gap to the neighbouring enclosures); the sin-theta theorem gives ||sin Theta|| <= rho/delta.
    """
    d, colG, colF, pS, pM = cols
    inv = 1 / (1 - arb(alpha))
    out = []
    for k, (lo, hi, start, c) in enumerate(groups):
        members = order[start:start + c]
        gC = sum((colG[j] for j in members), arb(0)).sqrt() + pS   # + the norm-bounded remainders
        fC = sum((colF[j] for j in members), arb(0)).sqrt() + pM
        dmax = max((abs(arb(d[j])).upper() for j in members), key=_key)
        rho = ((gC + dmax * fC) * inv + rad).upper()
        gaps = ([(lo - groups[k - 1][1]).lower()] if k else []) + \
               ([(groups[k + 1][0] - hi).lower()] if k + 1 < len(groups) else [])
        if not gaps:
            bound = arb(0)            # one cluster holds the whole spectrum: the subspace is everything
        else:
            delta = min(gaps, key=_key)
            bound = (rho / delta).upper() if delta > 0 else arb(1)
            bound = bound if bound < 1 else arb(1)
        out.extend([bound] * c)
    return out


def _columns(X, order):
    """X with its columns permuted to the ascending order of the eigenvalues (exact)."""
    rows = X.mid().tolist()
    return arb_mat([[row[j] for j in order] for row in rows])


def _key(x):
    man, exp = x.man_exp()
    return Fraction(int(man)) * (Fraction(2) ** int(exp))


def _groups(encs):
    """Merge overlapping enclosures (ascending pairs) into clusters: (lo, hi, first index, count)."""
    groups = []
    for k, (lo, hi) in enumerate(encs):
        if groups and _key(lo) <= _key(groups[-1][1]):
            g = groups[-1]
            groups[-1] = (g[0], max(g[1], hi, key=_key), g[2], g[3] + 1)
        else:
            groups.append((lo, hi, k, 1))
    return groups


def _clusters(groups):
    """(enclosures repeated per member, counts) from the groups of :func:`_groups`."""
    out, counts = [], []
    prec = max((x.man_exp()[0].bit_length() for g in groups for x in g[:2] if x != 0), default=64)
    with mpmath.workprec(prec + 64):
        for lo, hi, _, c in groups:
            e = Enclosure(_exact(lo), _exact(hi))
            out.extend([e] * c)
            counts.extend([c] * c)
    return out, counts


def _exact(x):
    man, exp = x.man_exp()
    return mpmath.mpf((int(man), int(exp)))


def _fallback(A, rad, dps, bits):
    """python-flint's acb eig on the midpoints, widened by the radii (Weyl)."""
    n = A.nrows()
    rows = [[_exact_row(A[i, j]) for j in range(n)] for i in range(n)]
    with mpmath.workprec(bits + 64):
        r = _mpf(rad)
        encs = certified_eigenvalues(mpmath.matrix(rows), dps, method="arb")
        pairs = [(_to_arb(mpmath.mpf(e.lower) - r), _to_arb(mpmath.mpf(e.upper) + r)) for e in encs]
    encs, counts = _clusters(_groups(pairs))
    with mpmath.workprec(bits + 64):
        return CertifiedSpectrum(tuple(encs), tuple(counts), "arb-eig", mpmath.mpf(0), mpmath.mpf(0), r, 0,
                                 (None,) * n, None)


def _exact_row(x):
    with mpmath.workprec(max(x.mid().man_exp()[0].bit_length(), 53) + 8):
        return _exact(x.mid())


def _to_arb(v):
    sign, man, exp, _ = v._mpf_
    return arb((-int(man) if sign else int(man), int(exp)))


def decimal_outward(x, digits, direction):
    """A decimal string of ``digits`` significant digits rounded down (``direction=-1``) or up (+1).

    Parameters
    ----------
    x : mpf or arb (an exact point)
    digits : int
    direction : {-1, 1}

    Examples
    --------
    >>> decimal_outward(mpmath.mpf(1) / 3, 5, -1), decimal_outward(mpmath.mpf(1) / 3, 5, 1)
    ('3.3333e-1', '3.3334e-1')
    >>> decimal_outward(mpmath.mpf(-2), 3, -1)
    '-2.00e0'
    """
    check_int(digits, "digits", 1)
    if direction not in (-1, 1):
        raise DataError("direction: expected -1 (down) or 1 (up), got %r" % (direction,))
    check_type(x, "x", (int, mpmath.mpf, arb), "an int, an mpf or an exact arb")
    if isinstance(x, arb):
        if not (x.is_exact() and x.is_finite()):
            raise DataError("x: expected an exact, finite arb (a point), got %s" % x)
        man, exp = x.man_exp()
    else:
        if not mpmath.isfinite(x):
            raise DataError("x: expected a finite number, got %s" % x)
        sign, man, exp, _ = (x if isinstance(x, mpmath.mpf) else mpmath.mpf(x))._mpf_  # an mpf kept exactly
        man = -man if sign else man
    q = Fraction(int(man)) * Fraction(2) ** int(exp)
    if q == 0:
        return "0"
    e10 = math.floor(math.log10(abs(float(q)))) if 1e-300 < abs(float(q)) < 1e300 else _log10(q)
    shift = e10 - digits + 1
    scaled = q / Fraction(10) ** shift
    k = math.floor(scaled) if direction < 0 else math.ceil(scaled)
    s = str(abs(k))
    sign = "-" if k < 0 else ""
    return "%s%s.%se%d" % (sign, s[0], s[1:], shift + len(s) - 1) if len(s) > 1 else "%s%se%d" % (sign, s, shift)


def _log10(q):
    """floor(log10 |q|) for a nonzero Fraction, exactly."""
    q = abs(q)
    e = len(str(q.numerator)) - len(str(q.denominator))
    while Fraction(10) ** e > q:
        e -= 1
    while Fraction(10) ** (e + 1) <= q:
        e += 1
    return e
