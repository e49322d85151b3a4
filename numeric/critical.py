"""Critical points of deep linear networks: enumeration, Hessian inertia, classification.

Baldi & Hornik (1989) and Kawaguchi (2016): for ``L(W) = 1/2 ||W_{H+1}...W_1 X - Y||_F^2`` with
``Sigma = Y X^T (X X^T)^{-1} X Y^T = U Lambda U^T`` and ``M = Y X^T (X X^T)^{-1}``, every subset
``I`` of eigen-indices with ``|I| = k <= p`` gives a critical point (zero-padded when k < p)

    W_1 = [U_I^T M; 0],  W_l = [[I_k, 0], [0, 0]]  (1 < l <= H),  W_{H+1} = [U_I, 0],

(for H = 1 and k = p with an invertible C: ``A = U_I C``, ``B = C^{-1} U_I^T M``) with value
``1/2 (tr YY^T - sum_{i in I} lambda_i)``.  Each point is classified from its Hessian inertia at
``dps`` digits and, where the Hessian is singular and positive semidefinite, by an explicit
polynomial curve ``W(t) = W + t D`` along which ``L(W(t)) - L(W)`` has a negative lowest-order
coefficient (so the point is not a local minimum), computed exactly when the data are exact.

Every public function takes the deep linear :class:`~lossgeom.Net` first, then a
:class:`~lossgeom.point.Point` (functions at a weight point) or ``X, Y`` (functions of the data).
The loss, its derivatives and the curve test live in :mod:`lossgeom.numeric.linear`; exact quantities
(Sigma, its eigenvalues, the assumptions) in :mod:`lossgeom.symbolic.linear`.
"""

import functools
import itertools
import math
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp

from lossgeom.checks import (
    check_args,
    check_int,
    check_matrix,
    check_matrix_like,
    check_net,
    check_point,
    check_sequence,
    check_type,
)
from lossgeom.display import short_repr, summary_latex
from lossgeom.errors import DataError, choose
from lossgeom.limits import LIMITS, critical_work_units
from lossgeom.net import Net
from lossgeom.precision import (
    DEFAULT_DPS,
    MAX_DPS,
    MIN_DPS,
    Precision,
    check_dps,
    int_digits_for,
    tolerance,
    working_precision,
)
from lossgeom.symbolic import linear as lin

from .backends import select_backend
from .ldl import ldl_inertia
from .linear import DescentCurve, _backend, _curve, _find_curve, _gradient, _hessian, _loss, descent_certificate
from .spectrum import Inertia, symmetric_eigen

__all__ = ["CLASSIFICATIONS", "CriticalPoint", "CriticalSet", "enumerate_critical_points", "subset_weights",
           "sigma_eigenvectors", "hessian_inertia", "classify_point", "PointClassification", "critical_report",
           "MAX_HESSIAN_SIZE", "MAX_SUBSETS"]

CLASSIFICATIONS = ("global minimum", "local minimum", "saddle", "local maximum", "undecided")
#: Most eigenvector subsets (critical points) enumerated in one call.
MAX_SUBSETS = LIMITS["critical_subsets"].value
#: Largest Hessian (parameters) classified at high precision; larger requests are refused up front
#: (jointly with the number of subsets and ``dps``: ``LIMITS["critical_work"]``).
MAX_HESSIAN_SIZE = LIMITS["critical_hessian_parameters"].value
#: Converts SymPy numbers to mpf for printing; its conversions work at the caller's working precision.
_MP = select_backend(DEFAULT_DPS, "mpmath")


def hessian_inertia(H, dps=DEFAULT_DPS, tol=None, method="auto"):
    """Inertia (and, for the eigenvalue method, the ascending eigenvalues) of a symmetric Hessian.

    Parameters
    ----------
    H : symmetric matrix (SymPy, mpmath, NumPy)
    dps : int or "float64"
    tol : optional
        Default ``tolerance(dps, scale=max|H_ij| * n)``, as in :func:`lossgeom.numeric.spectrum.inertia`.
    method : {"auto", "eigen", "ldl"}
        ``eigen``: eigenvalues from :func:`lossgeom.numeric.spectrum.symmetric_eigen`, counted against
        ``tol``.  ``ldl``: :func:`lossgeom.numeric.ldl.ldl_inertia` (Sylvester's law of inertia on
        a Bunch-Parlett LDL^T factorisation in arb_mat); no eigenvalues are returned.  ``auto``:
        ``eigen`` up to 24 rows, ``ldl`` above (mpmath's eigensolvers take about a second per
        64 x 64 matrix at 50 digits).

    Returns
    -------
    (Inertia, list)
        The eigenvalues (empty for ``ldl``).

    Examples
    --------
    >>> inertia, eig = hessian_inertia(sp.Matrix([[0, 1], [1, 0]]), dps=30)
    >>> inertia.negative, inertia.positive, [mpmath.nstr(e, 5) for e in eig]
    (1, 1, ['-1.0', '1.0'])
    >>> hessian_inertia(sp.Matrix([[0, 1, 0], [1, 0, 0], [0, 0, 0]]), dps=30, method="ldl")[0]
    Inertia(positive=1, negative=1, zero=1, tolerance='3.0e-27')

    Notes
    -----
    Sylvester: ``H = P L D L^T P^T`` with D block diagonal (1x1 and 2x2 pivots) has the inertia
    of D; a 2x2 pivot with negative determinant contributes one positive and one negative eigenvalue.

    References
    ----------
    J. R. Bunch, B. N. Parlett, "Direct methods for solving symmetric indefinite systems of
    linear equations", SIAM J. Numer. Anal. 8 (1971) 639-655.
    """
    H = check_matrix_like(H, "H")
    check_args(tol=tol)
    choose("method", method, ("auto", "eigen", "ldl"))
    if dps == "float64":
        A = select_backend("float64").from_matrix(H)
        n = A.shape[0]
        eig = list(np.linalg.eigvalsh((A + A.T) / 2)) if n else []
        scale = float(np.max(np.abs(A))) * max(n, 1) if n else 1.0
        t = float(tolerance("float64", scale=scale)) if tol is None else float(tol)
        pos, neg = sum(e > t for e in eig), sum(e < -t for e in eig)
        return Inertia(pos, neg, n - pos - neg, mpmath.nstr(mpmath.mpf(t), 3)), eig
    from . import spectrum
    with working_precision(dps):
        M = spectrum.to_mp_matrix(H) if not isinstance(H, mpmath.matrix) else H
        n = M.rows
        if n == 0:
            return Inertia(0, 0, 0, "0"), []
        scale = max(abs(v) for v in M) * n
        t = tolerance(dps, scale=scale) if tol is None else mpmath.mpf(tol)
        if method == "ldl" or (method == "auto" and n > 24):
            return ldl_inertia(M, dps, tol=t), []
        eig = spectrum.symmetric_eigen(M, dps)[0]
        pos = sum(1 for e in eig if e > t)
        neg = sum(1 for e in eig if e < -t)
        return Inertia(pos, neg, n - pos - neg, mpmath.nstr(t, 3)), sorted(eig)


# -- enumeration -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CriticalPoint:
    """One enumerated critical point of a deep linear net.

    Attributes
    ----------
    subset : tuple of int
        1-based eigen-indices I (eigenvalues of Sigma in descending order).
    weights : tuple
        W_1 .. W_{H+1} (exact SymPy matrices when Sigma's eigenvectors are exact, else mpmath).
    value : SymPy number
        Exact critical value ``1/2 (tr YY^T - sum_{i in I} lambda_i)``.
    value_numeric : mpf or float
        The loss evaluated at ``weights`` (agrees with ``value``).
    gradient_norm : mpf or float
    inertia : Inertia
    eigenvalues : tuple
        Hessian eigenvalues, ascending.
    classification : str
        One of ``CLASSIFICATIONS``.
    certificate : dict
        Why: ``{"reason": ...}`` and for saddles with a PSD Hessian the descent curve.
    """

    subset: tuple
    weights: tuple
    value: object
    value_numeric: object
    gradient_norm: object
    inertia: Inertia
    eigenvalues: tuple
    classification: str
    certificate: dict = field(default_factory=dict)

    @property
    def rank(self):
        return len(self.subset)

    def __repr__(self):
        return short_repr(self, {"subset": self.subset, "value": self.value, "inertia": self.inertia,
                                 "classification": self.classification})

    def _repr_latex_(self):
        r"""Jupyter's display: the eigen-index set I, the exact critical value, the inertia and the verdict."""
        i = self.inertia
        return summary_latex("Critical point", [
            ("I", ("latex", r"\{%s\}" % ", ".join(map(str, self.subset)) if self.subset else r"\emptyset")), ("L(W)", self.value),
            (r"\text{Hessian inertia } (+, -, 0)", (i.positive, i.negative, i.zero)),
            ("classification", self.classification)])

    def to_dict(self, dps=DEFAULT_DPS):
        digits = 15 if dps == "float64" else dps
        v = self.value
        out = {"subset": list(self.subset), "rank": self.rank,
               "value": str(v) if isinstance(v, sp.Rational) else _dec(self.value_numeric, digits),
               "value_decimal": _dec(self.value_numeric, digits),
               "value_exact": str(v), "gradient_norm": _dec(self.gradient_norm, 5),
               "inertia": self.inertia.to_dict(), "classification": self.classification,
               "certificate": self.certificate}
        return out


def _dec(x, digits):
    if isinstance(x, float):
        return repr(x)
    if isinstance(x, sp.Basic):
        x = _MP.convert(x)
    return mpmath.nstr(x, digits)


@dataclass(frozen=True)
class CriticalSet:
    """All enumerated critical points with the data's assumptions and the global minimum.

    Attributes
    ----------
    widths : tuple
    points : tuple of CriticalPoint
    global_minimum_value : SymPy number (exact)
    eigenvalues : tuple
        Sigma's exact eigenvalues, descending.
    assumptions : KawaguchiAssumptions
    dps : int or "float64"
    """

    widths: tuple
    points: tuple
    global_minimum_value: object
    eigenvalues: tuple
    assumptions: object
    dps: object

    def values(self):
        """The distinct exact critical values, ascending."""
        return sorted(set(p.value for p in self.points), key=lambda v: sp.N(v, 60))

    def _counts(self):
        counts = {}
        for p in self.points:
            counts[p.classification] = counts.get(p.classification, 0) + 1
        return counts

    def __repr__(self):
        return short_repr(self, {"widths": self.widths, "points": len(self.points), "classifications": self._counts(),
                                 "global_minimum_value": self.global_minimum_value, "dps": self.dps})

    def _repr_latex_(self):
        r"""Jupyter's display: the widths, Sigma's eigenvalues, the global minimum and the critical values.

        Examples
        --------
        >>> cs = enumerate_critical_points(Net(widths=(2, 1, 2)), sp.eye(2), sp.diag(2, 1), dps=20)
        >>> "L^{*}" in cs._repr_latex_() and "\\frac{1}{2}" in cs._repr_latex_()
        True
        """
        rows = [("widths", "-".join(map(str, self.widths))),
                (r"\text{eigenvalues of }\Sigma", tuple(self.eigenvalues)),
                (r"L^{*} = \min L", self.global_minimum_value),
                ("critical points", len(self.points)),
                (r"\text{critical values}", tuple(self.values()))]
        rows += [(r"\quad\text{%s}" % k, n) for k, n in sorted(self._counts().items())]
        return summary_latex("Critical points of a deep linear net", rows)


def subset_weights(net, U, M, subset, C=None, dps="exact"):
    """The zero-padded critical point for the eigen-index subset I (0-based ``subset``).

    Parameters
    ----------
    net : Net
        A deep linear net ``(d_x, d_1, ..., d_H, d_y)``, H >= 1.
    U : matrix
        Eigenvectors of Sigma as columns, in the eigenvalue order used for ``subset``.
    M : matrix
        ``Y X^T (X X^T)^{-1}``.
    subset : sequence of int
        0-based column indices, ``len(subset) <= min(d_1..d_H)``.
    C : optional invertible k x k matrix
        Baldi-Hornik's ``GL(k)`` freedom for H = 1: ``A = [U_I C, 0]``, ``B = [C^{-1} U_I^T M; 0]``.
    dps : "exact", "float64" or int
        The arithmetic (:func:`lossgeom.numeric.backends.select_backend`): SymPy matrices for ``"exact"``,
        NumPy arrays for ``"float64"``, mpmath matrices at the caller's working precision for digits.

    Examples
    --------
    >>> W = subset_weights(Net(widths=(2, 1, 2)), sp.eye(2), sp.diag(3, 2), [1])
    >>> W[0], W[1]
    (Matrix([[0, 2]]), Matrix([
    [0],
    [1]]))
    """
    check_net(net)
    U = check_matrix(U, "U", symbolic=True)
    M = check_matrix(M, "M", symbolic=True)
    subset = [check_int(i, "subset[%d]" % k, 0, U.cols - 1) for k, i in enumerate(check_sequence(subset, "subset"))]
    if C is not None:
        C = check_matrix(C, "C")
    widths = lin.require_deep_linear(net, hidden=True).widths
    k, H1 = len(subset), len(widths) - 1
    p = min(widths[1:-1])
    if k > p:
        raise DataError("subset: expected at most p = %d eigen-indices, got %d" % (p, k))
    be = _backend(dps)
    U, M = be.from_matrix(U), be.from_matrix(M)
    UI = U[:, list(subset)]
    first = be.dot(UI.T, M)
    if C is not None:
        Cm = be.from_matrix(C)
        UI, first = be.dot(UI, Cm), be.dot(be.inverse(Cm), first)
    Ws = []
    for l in range(1, H1 + 1):
        Wl = be.full((widths[l], widths[l - 1]))
        src = first if l == 1 else (UI if l == H1 else be.identity(k))
        rows, cols = (k if l < H1 else widths[l]), (widths[l - 1] if l == 1 else k)
        Wl[:rows, :cols] = src[:rows, :cols]
        Ws.append(be.output(Wl, rounded=False))
    return tuple(Ws)


def _swap_direction(be, widths, U, M, pos, j):
    """D moving u_{I[pos]} toward u_j: column pos of W_{H+1} and row pos of W_1 (arrays of the backend be)."""
    H1 = len(widths) - 1
    D = [be.full((widths[l], widths[l - 1])) for l in range(1, H1 + 1)]
    D[-1][:, pos] = U[:, j]
    D[0][pos, :] = be.dot(U[:, j:j + 1].T, M)[0, :]
    return D


def _add_direction(be, widths, U, M, k, j):
    """D switching on the unused slot k with eigenvector u_j in every layer."""
    H1 = len(widths) - 1
    D = _swap_direction(be, widths, U, M, k, j)  # slot k of the outer layers, as for a swap
    for l in range(2, H1):
        D[l - 1][k, k] = be.one
    return D


def _subset_sizes(net, dy, ranks, dps, classify):
    """The subset sizes |I| to enumerate, after the size limits (parameters, subsets, joint work)."""
    if classify:
        LIMITS["critical_hessian_parameters"].check(net.n_params, "widths", shown="the Hessian has %d parameters "
                                                    "(the limit for classification is %d)" % (net.n_params,
                                                                                             MAX_HESSIAN_SIZE))
    top = min(min(net.widths[1:-1]), dy)
    sizes = range(top, top + 1) if ranks == "full" else range(0, top + 1)
    n_subsets = sum(math.comb(dy, k) for k in sizes)
    LIMITS["critical_subsets"].check(n_subsets, "widths", shown="%d eigenvector subsets (critical points) to "
                                     "enumerate" % n_subsets)
    if classify:
        work = critical_work_units(n_subsets, net.n_params, dps)
        LIMITS["critical_work"].check(work, "widths", shown="%d critical points of %d parameters at %s digits: about "
                                      "%s work units" % (n_subsets, net.n_params, dps, "{:,}".format(work)))
    return sizes


def enumerate_critical_points(net, X, Y, dps=DEFAULT_DPS, ranks="all", classify=True, C=None):
    """Enumerate and classify the Baldi-Hornik / Kawaguchi critical points from Sigma's eigenvectors.

    Parameters
    ----------
    net : Net
        A deep linear net ``(d_x, d_1, ..., d_H, d_y)`` with H >= 1.
    X, Y : exact matrices (d_x x m, d_y x m; samples as columns)
    dps : int or "float64"
        Precision of the Hessian spectra (exact data and exact eigenvectors keep the weights exact).
    ranks : {"all", "full"}
        ``full``: only ``|I| = min(p, d_y)``; ``all``: every ``|I| <= min(p, d_y)`` (zero-padded).
    classify : bool
        Compute Hessian inertia and classify (otherwise only values and gradients).
    C : optional invertible matrix for the full-rank points of a shallow net.

    Returns
    -------
    CriticalSet

    Raises
    ------
    NetSpecError
        When the net is not deep linear or has no hidden layer (listing every reason).
    DataError
        When ``X X^T`` is singular (Sigma undefined), naming its rank.
    SizeLimitError
        When the Hessian would exceed ``MAX_HESSIAN_SIZE`` parameters.

    Examples
    --------
    >>> cs = enumerate_critical_points(Net(widths=(3, 1, 3)), sp.eye(3), sp.diag(3, 2, 1), dps=30)
    >>> [(p.subset, str(p.value), p.inertia.negative, p.classification) for p in cs.points]
    [((), '7', 3, 'saddle'), ((1,), '5/2', 0, 'global minimum'), ((2,), '5', 1, 'saddle'), ((3,), '13/2', 2, 'saddle')]

    Notes
    -----
    Critical value ``1/2 (tr YY^T - sum_{i in I} lambda_i)``; the number of distinct values is
    ``sum_{k <= p} C(d_y, k)`` when the eigenvalues are distinct and positive.

    References
    ----------
    P. Baldi, K. Hornik, Neural Networks 2(1):53-58 (1989); K. Kawaguchi, "Deep Learning without Poor Local Minima", NIPS 2016.
    """
    check_args(net=net, X=X, Y=Y, C=C)
    widths = lin.require_deep_linear(net, hidden=True, what="enumerate_critical_points").widths
    if ranks not in ("all", "full"):
        raise DataError("ranks: expected 'all' or 'full', got %r" % (ranks,))
    if dps != "float64":
        check_dps(dps)
    X, Y = (sp.Matrix(A) for A in lin.linear_data(net, X, Y))
    sizes = _subset_sizes(net, Y.rows, ranks, dps, classify)
    assumptions = lin.check_assumptions(net, X, Y)
    if not assumptions.xxt_invertible:
        raise DataError("X: X X^T is singular (rank %d < d_x = %d), so Sigma and the Baldi-Hornik critical "
                        "points are undefined" % (assumptions.ranks["XX^T"], X.rows))
    eig = lin.sigma_eigen(net, X, Y)
    gmin = lin.global_minimum_value(net, X, Y)
    Mexact = Y * X.T * (X * X.T).inv()
    with Precision.resolve(dps, allow=("float64", "mp")).context():
        # exact data and exact eigenvectors keep the weights exact; otherwise they are rounded to dps
        be = _backend("exact" if eig.exact and dps != "float64" else dps)
        U = be.from_matrix(eig.eigenvectors if be.dps == "exact"
                          else sigma_eigenvectors(eig, DEFAULT_DPS if dps == "float64" else dps))
        ctx = _Enumeration(net, X, Y, U, be.from_matrix(Mexact), eig, (Y * Y.T).trace(), gmin, dps, be, classify,
                           assumptions.distinct_eigenvalues is True)
        points = [_classify_subset(ctx, subset, C if k == min(widths[1:-1]) and len(widths) == 3 else None)
                  for k in sizes for subset in itertools.combinations(range(Y.rows), k)]
    return CriticalSet(widths, tuple(points), gmin, eig.eigenvalues, assumptions, dps)


@dataclass(frozen=True)
class _Enumeration:
    """What every subset of one enumeration shares: the data, Sigma's eigenvectors (``U`` and ``M`` as arrays
    of ``backend``, the arithmetic of the weights), and the settings."""

    net: Net
    X: object
    Y: object
    U: object
    M: object
    eig: object
    trYY: object
    gmin: object
    dps: object
    backend: object
    classify: bool
    distinct: bool

    @property
    def widths(self):
        return self.net.widths


def _classify_subset(ctx, subset, C):
    X, Y, dps, wdps = ctx.X, ctx.Y, ctx.dps, ctx.backend.dps
    W = subset_weights(ctx.net, ctx.U, ctx.M, subset, C=C, dps=wdps)
    value = sp.Rational(1, 2) * (ctx.trYY - sum((ctx.eig.eigenvalues[i] for i in subset), sp.Integer(0)))
    value = value if value.has(sp.CRootOf) else sp.simplify(value)
    vnum = _loss(W, X, Y, wdps)
    g = _gradient(W, X, Y, wdps)
    if wdps == "exact":
        gnorm = sp.sqrt(sum((v ** 2 for v in g), sp.Integer(0)))
    else:
        gnorm = (float(np.sqrt(sum(v * v for v in g))) if dps == "float64"
                 else mpmath.sqrt(sum((v * v for v in g), mpmath.mpf(0))))
    subset1 = tuple(i + 1 for i in subset)
    if not ctx.classify:
        return CriticalPoint(subset1, W, value, vnum, gnorm, Inertia(0, 0, 0, "not computed"), (), "undecided",
                             {"reason": "classification not requested"})
    Hm = _hessian(W, X, Y, wdps)
    inertia, spec = hessian_inertia(Hm, dps)  # for exact weights: eigenvalues at dps digits, for display
    if wdps == "exact" and all(v.is_Rational for v in Hm):  # normalised eigenvectors can hold square roots
        from . import spectrum
        inertia = spectrum.exact_inertia(Hm)  # a rational Hessian's inertia is decided exactly
    cls, cert = _classify(ctx, W, subset, value, inertia)
    return CriticalPoint(subset1, W, value, vnum, gnorm, inertia, tuple(spec), cls, cert)


def sigma_eigenvectors(eig, dps=DEFAULT_DPS):
    """Sigma's orthonormal eigenvectors at ``dps`` digits, as the columns of an mpmath matrix, in the
    (descending) order of ``eig.eigenvalues``: exact ones rounded, else from
    :func:`lossgeom.numeric.spectrum.symmetric_eigen`.

    Parameters
    ----------
    eig : lossgeom.symbolic.linear.SigmaEigen
    dps : int

    Examples
    --------
    >>> e = lin.sigma_eigen(Net(widths=(2, 2)), sp.eye(2), sp.Matrix([[1, 1], [0, 1]]))
    >>> U = sigma_eigenvectors(e, 20)
    >>> [mpmath.nstr(abs(U[i, 0]), 10) for i in range(2)]  # for (3 + sqrt(5))/2, the larger eigenvalue
    ['0.8506508084', '0.5257311121']
    """
    check_type(eig, "eig", lin.SigmaEigen, "a SigmaEigen (lossgeom.symbolic.sigma_eigen(net, X, Y))")
    dps = check_int(dps, "dps", MIN_DPS, MAX_DPS)
    with working_precision(dps):
        if eig.exact:
            return _MP.output(_MP.from_matrix(eig.eigenvectors), rounded=False)
        E, Q = symmetric_eigen(eig.sigma, dps)
        n = len(E)
        U = mpmath.matrix(n, n)
        for new, old in enumerate(reversed(range(n))):  # ascending -> descending
            for i in range(n):
                U[i, new] = Q[i, old]
        return U


def _equal(a, b, dps):
    if not (a.has(sp.CRootOf) or b.has(sp.CRootOf)) and a.is_Rational and b.is_Rational:
        return a == b
    d = sp.N(a - b, 60 if dps == "float64" else dps + 10)
    return abs(d) <= sp.Float(str(tolerance(dps, scale=abs(sp.N(b, 20)))))


def _is_global_minimum(subset, eig, value, gmin, widths, distinct, dps):
    """Decide exactly whether the subset's critical value equals the global minimum value.

    Rational values are compared exactly.  Otherwise, with Sigma's eigenvalues distinct (decided exactly
    by the assumptions check) and sorted descending, all >= 0: sum_I lambda <= sum_{i<=|I|} lambda <=
    sum_{i<=p'} lambda, with equality iff I = {1..|I|} and lambda_i = 0 exactly for |I| < i <= p'.
    Returns (True/False, how) or (None, how) when it cannot be decided exactly.
    """
    if not (value.has(sp.CRootOf) or gmin.has(sp.CRootOf)) and value.is_Rational and gmin.is_Rational:
        return value == gmin, "exact rational values"
    if distinct:
        lam, k = eig.eigenvalues, len(subset)
        top = min(min(widths[1:-1]), len(lam))
        leading = tuple(subset) == tuple(range(k))
        rest_zero = all(lam[i].is_zero is True for i in range(k, top))
        rest_decided = all(lam[i].is_zero is not None for i in range(k, top))
        if leading and not rest_decided:
            return None, "could not decide whether the remaining eigenvalues are zero"
        return leading and rest_zero, "exact: distinct eigenvalues, I = {1..|I|} and the rest of the top p' zero"
    return None, "eigenvalues not known to be distinct and values irrational"


def _classify(ctx, W, subset, value, inertia):
    X, Y, widths, U, M, eig, gmin, dps = ctx.X, ctx.Y, ctx.widths, ctx.U, ctx.M, ctx.eig, ctx.gmin, ctx.dps
    is_min, how = _is_global_minimum(subset, eig, value, gmin, widths, ctx.distinct, dps)
    if is_min is None:
        is_min = _equal(value, gmin, dps)
        how = "value equals the global minimum to the working tolerance (not decided exactly)"
    if is_min:
        return "global minimum", {"reason": "value equals the global minimum value 1/2(tr YY^T - sum_{i<=p'} "
                                            "lambda_i) (%s)" % how}
    if inertia.negative and inertia.positive:
        return "saddle", {"reason": "indefinite Hessian (%d negative, %d positive eigenvalues)"
                          % (inertia.negative, inertia.positive)}
    # PSD (or NSD) Hessian: a higher-order test along explicit curves W + t D
    lam = eig.eigenvalues
    be = ctx.backend
    cdps = be.dps
    cands = []
    k, dy = len(subset), widths[-1]
    outside = [j for j in range(dy) if j not in subset]
    for pos, i in enumerate(subset):
        for j in outside:
            if sp.N(lam[j] - lam[i], 30) > 0:
                cands.append(_swap_direction(be, widths, U, M, pos, j))
    if k < min(widths[1:-1]):
        for j in outside:
            if sp.N(lam[j], 30) > 0:
                cands.append(_add_direction(be, widths, U, M, k, j))
    curve = None
    for D in cands:
        cert = descent_certificate(_curve(W, D, X, Y, cdps), cdps)
        if cert is not None and cert.decreases:
            curve = DescentCurve(cert.order, cert.coefficient, cert.decreases,
                                 tuple(str(c) if cdps == "exact" else _dec(c, 15) for c in _curve(W, D, X, Y, cdps)))
            break
    if curve is None and cdps == "exact":
        curve = _find_curve(W, X, Y, "exact", tries=20)
    if curve is not None:
        if inertia.positive == 0 and inertia.negative == 0:
            reason = "Hessian is zero; not a minimum: L(W + tD) - L(W) has lowest-order coefficient %s at t^%d" % (
                curve.coefficient, curve.order)
        else:
            reason = ("singular PSD Hessian; not a minimum: L(W + tD) - L(W) has lowest-order coefficient %s at "
                      "t^%d" % (curve.coefficient, curve.order))
        if inertia.positive:
            return "saddle", dict(curve.to_dict(), reason=reason)
        return "saddle", dict(curve.to_dict(), reason=reason + "; not a maximum since the loss is convex in each layer")
    if inertia.zero == 0 and inertia.negative == 0:
        return "local minimum", {"reason": "positive definite Hessian above the global minimum value"}
    return "undecided", {"reason": "semidefinite Hessian and no descent curve found"}


def classify_point(net, point, dps=DEFAULT_DPS, seed=0, exact=None):
    """Gradient, Hessian inertia and classification of an arbitrary point of a deep linear net.

    Exact weights and data are handled exactly (exact gradient, exact Hessian and
    ``spectrum.exact_inertia``, exact descent polynomial) unless ``exact=False``.

    Returns
    -------
    PointClassification

    Examples
    --------
    >>> from lossgeom.point import resolve_point
    >>> net = Net(widths=(1, 1, 1, 1, 1))
    >>> r = classify_point(net, resolve_point(net, [[[0]], [[0]], [[0]], [[2]]], X=[[1]], Y=[[1]]))
    >>> r.critical, r.inertia.zero, r.classification, r.certificate["order"]
    (True, 4, 'saddle', 3)
    """
    check_net(net)
    check_point(point)
    from . import spectrum
    weights, X, Y = lin.linear_arrays(net, point)
    mode = "exact" if exact is not False else dps
    g = _gradient(weights, X, Y, mode)
    value = _loss(weights, X, Y, mode)
    Hm = _hessian(weights, X, Y, mode)
    if mode == "exact":
        critical = all(v == 0 for v in g)
        gnorm = sp.sqrt(sum((v ** 2 for v in g), sp.Integer(0)))
        inertia = spectrum.exact_inertia(Hm) if Hm.rows <= 40 else hessian_inertia(Hm, dps)[0]
    else:
        gn = mpmath.sqrt(sum((v * v for v in g), mpmath.mpf(0))) if dps != "float64" else float(np.linalg.norm(g))
        critical = gn <= tolerance(dps, scale=1)
        gnorm = gn
        inertia = hessian_inertia(Hm, dps)[0]
    out = functools.partial(PointClassification, bool(critical), gnorm, value, inertia, Hm)
    if not critical:
        return out("not critical", {"reason": "non-zero gradient"})
    if inertia.negative and inertia.positive:
        return out("saddle", {"reason": "indefinite Hessian"})
    curve = _find_curve(weights, X, Y, mode, seed=seed)
    if curve is not None:
        return out("saddle", dict(curve.to_dict(), reason="descent curve"))
    return out("undecided", {"reason": "no descent curve found"})


@dataclass(frozen=True)
class PointClassification:
    """What :func:`classify_point` decided at one point of a deep linear net.

    Attributes
    ----------
    critical : bool
        The gradient vanishes (exactly for exact weights, else to the working tolerance).
    gradient_norm : SymPy number, mpf or float
    value : the loss at the point
    inertia : Inertia
        Of the Hessian (exact for exact weights up to 40 parameters).
    hessian : matrix
    classification : str
        One of ``CLASSIFICATIONS`` or ``"not critical"``.
    certificate : dict
        Why: ``{"reason": ...}``, with the descent curve for a saddle found along one.
    """

    critical: bool
    gradient_norm: object
    value: object
    inertia: Inertia
    hessian: object
    classification: str
    certificate: dict = field(default_factory=dict)

    def __repr__(self):
        return short_repr(self, {"critical": self.critical, "value": self.value, "inertia": self.inertia,
                                 "classification": self.classification})

    def _repr_latex_(self):
        r"""Jupyter's display: critical or not, the loss, the Hessian inertia and the classification.

        Examples
        --------
        >>> from lossgeom.point import resolve_point
        >>> net = Net(widths=(1, 1, 1, 1))
        >>> r = classify_point(net, resolve_point(net, [[[0]], [[0]], [[0]]], X=[[1]], Y=[[1]]))
        >>> r"\text{saddle}" in r._repr_latex_()
        True
        """
        i = self.inertia
        return summary_latex("Point of a deep linear net", [
            ("critical", self.critical), (r"\|\nabla L\|", self.gradient_norm), ("L(W)", self.value),
            (r"\text{Hessian inertia } (+, -, 0)", (i.positive, i.negative, i.zero)),
            ("classification", self.classification), ("reason", self.certificate.get("reason"))])

    def to_dict(self, dps=DEFAULT_DPS):
        """The JSON-ready dict of ``lossgeom critical``'s ``at_weights``."""
        gn = self.gradient_norm
        return {"critical": self.critical, "value": str(self.value),
                "gradient_norm": str(gn) if isinstance(gn, sp.Basic) and gn.is_Rational else _decimal(gn, dps),
                "inertia": self.inertia.to_dict(), "classification": self.classification,
                "certificate": self.certificate}


def _decimal(v, dps):
    with int_digits_for(dps + 25), mpmath.workdps(dps + 10):
        return mpmath.nstr(mpmath.mpf(str(sp.N(v, dps + 15))), dps)


def critical_report(net, X, Y, weights=None, dps=DEFAULT_DPS, ranks="all"):
    """Everything ``lossgeom critical`` reports, as a JSON-ready dict (the command only formats it).

    Parameters
    ----------
    net : Net
        A deep linear net with a hidden layer.
    X, Y : matrix-like
        Exact inputs and targets, samples as columns.
    weights : sequence of matrices, optional
        A point to classify too (``at_weights``).
    dps : int
    ranks : {"all", "full"}

    Returns
    -------
    dict
        ``net``, ``widths``, ``dps``, ``assumptions``, ``sigma_eigenvalues``, ``global_minimum_value``,
        ``global_minimum_value_exact``, ``critical_points`` and, with weights, ``at_weights``.

    Examples
    --------
    >>> rep = critical_report(Net(widths=(3, 1, 3)), sp.eye(3), sp.diag(3, 2, 1), dps=20)
    >>> rep["global_minimum_value"], [(c["value"], c["classification"]) for c in rep["critical_points"]]
    ('5/2', [('7', 'saddle'), ('5/2', 'global minimum'), ('5', 'saddle'), ('13/2', 'saddle')])
    """
    check_args(net=net, X=X, Y=Y, weights=weights)
    with int_digits_for(dps):
        return _critical_report(net, X, Y, weights, dps, ranks)


def _critical_report(net, X, Y, weights, dps, ranks):
    cs = enumerate_critical_points(net, X, Y, dps=dps, ranks=ranks)
    gm = cs.global_minimum_value
    points = []
    for p in cs.points:
        d = p.to_dict(dps)
        if p.eigenvalues:
            d["eigenvalues"] = [mpmath.nstr(e, dps) for e in p.eigenvalues]
        points.append(d)
    out = {"net": net.spec(), "widths": list(net.widths), "dps": dps,
           "assumptions": dict(cs.assumptions.to_dict(), failures=cs.assumptions.failures()),
           "sigma_eigenvalues": [{"exact": str(v), "decimal": _decimal(v, dps)} for v in cs.eigenvalues],
           "global_minimum_value": str(gm) if gm.is_Rational else _decimal(gm, dps),
           "global_minimum_value_exact": str(gm), "critical_points": points}
    if weights is not None:
        from lossgeom.point import resolve_point
        out["at_weights"] = classify_point(net, resolve_point(net, list(weights), X=X, Y=Y), dps=dps).to_dict(dps)
    return out
