"""Inertia of a symmetric matrix by a symmetric-pivoted LDL^T factorisation (Sylvester's law of inertia).

No eigenvalues are computed: faster than an eigendecomposition for large matrices
(:func:`lossgeom.numeric.spectrum.inertia` computes them).
"""

import mpmath
import numpy as np

from lossgeom.checks import check_args
from lossgeom.precision import DEFAULT_DPS, tolerance, working_precision

from .spectrum import Inertia, _scale, to_mp_matrix

__all__ = ["ldl_inertia"]

_BUNCH_ALPHA = (1 + 17 ** 0.5) / 8  # Bunch-Parlett's growth-optimal pivot threshold


def ldl_inertia(A, dps=DEFAULT_DPS, tol=None):
    """Inertia of a symmetric matrix from a Bunch-Parlett LDL^T factorisation in arb_mat at ``dps`` digits.

    Faster than an eigendecomposition for large matrices; no eigenvalues are computed.  It stops when
    every entry of the remaining Schur complement is ``<= tol`` (those count as zero eigenvalues).

    Parameters
    ----------
    A : symmetric matrix (SymPy, mpmath, nested lists)
    dps : int
    tol : number, optional
        Default ``tolerance(dps, scale=max|A_ij| * n)``, as in :func:`inertia`.

    Examples
    --------
    >>> ldl_inertia([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dps=30)
    Inertia(positive=1, negative=1, zero=1, tolerance='3.0e-27')

    Notes
    -----
    Sylvester: ``A = P L D L^T P^T`` with D block diagonal (1x1 and 2x2 pivots) has the inertia of D;
    a 2x2 pivot with negative determinant contributes one positive and one negative eigenvalue.
    Pivots are chosen from a float64 shadow copy while its entries are well above float64 noise;
    below that, from the precise matrix (whose remaining entries decide the zero count).

    References
    ----------
    J. R. Bunch, B. N. Parlett, "Direct methods for solving symmetric indefinite systems of
    linear equations", SIAM J. Numer. Anal. 8 (1971) 639-655.
    """
    check_args(tol=tol)
    with working_precision(dps):
        M = to_mp_matrix(A)
        n = M.rows
        if n == 0:
            return Inertia(0, 0, 0, "0")
        t = tolerance(dps, scale=_scale(M) * n) if tol is None else mpmath.mpf(tol)
        pos, neg, zero = _ldl_counts(M, t)
        return Inertia(pos, neg, zero, mpmath.nstr(t, 3))


def _ldl_counts(M, tol):
    """(positive, negative, zero) of the symmetric mp matrix M via Bunch-Parlett LDL^T in arb_mat."""
    from flint import arb, arb_mat, ctx

    n = M.rows
    with ctx.workprec(mpmath.mp.prec + 32):
        S = arb_mat(n, n)
        for i in range(n):
            for j in range(n):
                if M[i, j] != 0:  # exactly, from the mpf's (sign, mantissa, exponent)
                    sign, man, exp, _ = M[i, j]._mpf_
                    S[i, j] = arb((-int(man) if sign else int(man), int(exp)))
        F = np.array([[float(M[i, j]) for j in range(n)] for i in range(n)])
        noise = float(tolerance("float64", scale=float(np.max(np.abs(F))) * n, loss=10))
        alive = list(range(n))
        pos = neg = 0
        while alive:
            pivot = _pick_pivot(S, F, alive, noise, tol)
            if pivot is None:
                break
            S, F, dpos, dneg = _eliminate(S, F, alive, pivot)
            pos, neg = pos + dpos, neg + dneg
        return pos, neg, len(alive)


def _pick_pivot(S, F, alive, noise, tol):
    """The Bunch-Parlett pivot among the ``alive`` rows: ``(i,)`` (1x1) or ``(j, k)`` (2x2), or None
    when every remaining entry of the precise Schur complement S is ``<= tol``."""
    m = len(alive)
    sub = F[np.ix_(alive, alive)]
    if float(np.max(np.abs(sub))) > noise:
        diag = np.abs(np.diag(sub))
        off = np.abs(sub - np.diag(np.diag(sub)))
    else:  # the float64 shadow copy is unreliable here: use the precise entries
        sub = np.array([[abs(S[i, j].mid()) for j in alive] for i in alive], dtype=object)
        if max(v for row in sub for v in row) <= tol:
            return None
        diag = np.array([sub[i, i] for i in range(m)], dtype=object)
        off = sub.copy()
        for i in range(m):
            off[i, i] = 0
    ii = max(range(m), key=lambda q: diag[q])
    flat = max(((a, b) for a in range(m) for b in range(m) if a != b), key=lambda ab: off[ab], default=(0, 0))
    if m == 1 or diag[ii] >= _BUNCH_ALPHA * off[flat]:
        return (alive[ii],)
    return (alive[flat[0]], alive[flat[1]])


def _eliminate(S, F, alive, pivot):
    """Eliminate the pivot rows from S (arb_mat) and its shadow F; remove them from ``alive``.

    Returns (S, F, positive, negative): the Schur complements and the pivot block's inertia.
    """
    from flint import arb, arb_mat

    n = S.nrows()
    if len(pivot) == 1:
        i = pivot[0]
        piv = S[i, i].mid()
        c = arb_mat(n, 1)
        for r in alive:
            c[r, 0] = S[r, i]
        S = (S - (c * c.transpose()) / piv).mid()
        cf = F[:, i].copy()
        F = F - np.outer(cf, cf) / float(piv) if float(piv) != 0 else F
        counts = (1, 0) if piv > 0 else (0, 1)
    else:
        j, k = pivot
        a, b, dd = S[j, j].mid(), S[j, k].mid(), S[k, k].mid()
        det = a * dd - b * b
        Pinv = arb_mat([[dd, -b], [-b, a]]) / det
        C = arb_mat(n, 2)
        for r in alive:
            C[r, 0], C[r, 1] = S[r, j], S[r, k]
        S = (S - C * Pinv * C.transpose()).mid()
        Pf = np.array([[float(a), float(b)], [float(b), float(dd)]])
        if abs(np.linalg.det(Pf)) > 0:
            Cf = F[:, [j, k]].copy()
            F = F - Cf @ np.linalg.solve(Pf, Cf.T)
        counts = (1, 1) if det < 0 else ((2, 0) if a + dd > 0 else (0, 2))
    for g in pivot:
        alive.remove(g)
        for r in range(n):
            S[r, g] = arb(0)
            S[g, r] = arb(0)
        F[:, g] = 0
        F[g, :] = 0
    return S, F, counts[0], counts[1]
