"""Deep linear nets at a precision: the loss, its gradient and Hessian, and the loss along polynomial curves.

For ``L(W) = 1/2 ||W_{H+1}...W_1 X - Y||_F^2`` (Kawaguchi 2016) the closed forms of
:mod:`lossgeom.symbolic.linear` are evaluated in one pass, exactly (``dps="exact"``), at ``dps``
digits (mpmath) or in float64.  ``L(W + t D) - L(W)`` is a polynomial in t whose lowest-order
coefficient decides whether the loss decreases along the curve (the higher-order test that
:mod:`lossgeom.numeric.critical` uses at singular critical points).

Public functions take the deep linear :class:`~lossgeom.Net` first and a :class:`~lossgeom.point.Point`.
"""

import itertools
import numbers
import random
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from lossgeom.checks import check_int, check_matrices, check_net, check_point, check_sequence, check_type
from lossgeom.errors import DataError
from lossgeom.net import Net
from lossgeom.point import Point
from lossgeom.precision import DEFAULT_DPS, Precision, check_dps, tolerance
from lossgeom.symbolic import linear as lin

from .backends import select_backend

__all__ = ["linear_loss", "linear_gradient", "linear_hessian", "curve_polynomial", "descent_certificate",
           "find_descent_curve", "DescentCertificate", "DescentCurve"]


# -- the matrices of one backend ---------------------------------------------------------------------------

def _backend(dps):
    """The :class:`~lossgeom.numeric.backends.Backend` of ``dps`` (``"exact"``, ``"float64"`` or digits)."""
    return select_backend(Precision.resolve(dps).dps)


def _chain(be, Ws, a, b, widths):
    """``W_a W_{a-1} ... W_b`` (the identity when a < b), multiplied left to right."""
    if a < b:
        return be.identity(widths[a])
    P = Ws[a - 1]
    for i in range(a - 1, b - 1, -1):
        P = be.dot(P, Ws[i - 1])
    return P


def _prep(weights, X, Y, dps):
    be = _backend(dps)
    Ws = [be.from_matrix(W) for W in weights]
    widths = [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
    for k, W in enumerate(Ws, 1):
        if W.shape[1] != widths[k - 1]:
            raise DataError("weights[%d]: expected %d columns, got shape %s" % (k - 1, widths[k - 1], W.shape))
    Xc, Yc = be.from_matrix(X), be.from_matrix(Y)
    if Xc.shape[0] != widths[0] or Yc.shape != (widths[-1], Xc.shape[1]):
        raise DataError("X, Y: expected shapes %dx m and %dx m, got %s and %s"
                        % (widths[0], widths[-1], Xc.shape, Yc.shape))
    return be, Ws, tuple(widths), Xc, Yc


def _residual(be, Ws, widths, Xc, Yc):
    """``R = W_{H+1} ... W_1 X - Y``."""
    return be.dot(_chain(be, Ws, len(Ws), 1, widths), Xc) - Yc


def linear_loss(net, point, dps=DEFAULT_DPS):
    """``1/2 ||W_{H+1}...W_1 X - Y||_F^2`` exactly (``dps="exact"``), at ``dps`` digits or in float64.

    Parameters
    ----------
    net : Net
        A deep linear net.
    point : Point
        Exact weights and data, from :func:`lossgeom.point.resolve_point`.
    dps : int, "float64" or "exact"

    Examples
    --------
    >>> from lossgeom.point import resolve_point
    >>> net = Net(widths=(1, 1, 1))
    >>> linear_loss(net, resolve_point(net, [[[2]], [[1]]], X=[[1, 1]], Y=[[1, 3]]), "exact")
    1
    """
    check_net(net)
    check_point(point)
    return _loss(*lin.linear_arrays(net, point), dps)


def linear_gradient(net, point, dps=DEFAULT_DPS):
    """The gradient ``[vec(A_k^T R B_k^T)]_k`` in theta's (column) order: exact, mp or float64 list.

    Parameters
    ----------
    net : Net
        A deep linear net.
    point : Point
        Exact weights and data.
    dps : int, "float64" or "exact"

    Examples
    --------
    >>> from lossgeom.point import resolve_point
    >>> net = Net(widths=(1, 1, 1))
    >>> linear_gradient(net, resolve_point(net, [[[2]], [[3]]], X=[[1]], Y=[[1]]), "exact")
    [15, 10]
    """
    check_net(net)
    check_point(point)
    return _gradient(*lin.linear_arrays(net, point), dps)


def linear_hessian(net, point, dps=DEFAULT_DPS):
    """The full Hessian in theta's (column) order from the closed-form blocks (one numeric pass).

    Blocks (``lossgeom.symbolic.linear``): diagonal ``(B_k B_k^T) (x) (A_k^T A_k)``, cross (j < k)
    ``(B_k B_j^T) (x) (A_k^T A_j) + [M_{kj} (x) (A_k^T R B_j^T)] K_{d_j, d_{j-1}}``.

    Parameters
    ----------
    net : Net
        A deep linear net.
    point : Point
        Exact weights and data.
    dps : int, "float64" or "exact"

    Returns
    -------
    SymPy Matrix, mpmath matrix or ndarray

    Examples
    --------
    >>> from lossgeom.point import resolve_point
    >>> net = Net(widths=(1, 1, 1))
    >>> linear_hessian(net, resolve_point(net, [[[2]], [[3]]], X=[[1]], Y=[[1]]), "exact")
    Matrix([
    [ 9, 11],
    [11,  4]])
    """
    check_net(net)
    check_point(point)
    return _hessian(*lin.linear_arrays(net, point), dps)


def _loss(weights, X, Y, dps):
    if dps not in ("exact",):
        check_dps(dps)
    with Precision.resolve(dps).context():
        be, Ws, widths, Xc, Yc = _prep(weights, X, Y, dps)
        R = _residual(be, Ws, widths, Xc, Yc)
        val = be.output_scalar(be.inner(R, R) / 2, rounded=False)
        return (val if val.is_Rational else sp.simplify(val)) if be.dps == "exact" else val


def _exact_point(weights, X, Y):
    """A Point holding exact (possibly algebraic) weights: built directly, since resolve_point reads rationals."""
    Ws = tuple(sp.ImmutableMatrix(W) for W in weights)
    net = Net(widths=lin.linear_widths(Ws))
    return net, Point(net, Ws, None, sp.ImmutableMatrix(X), sp.ImmutableMatrix(Y))


def _gradient(weights, X, Y, dps):
    with Precision.resolve(dps).context():
        be, Ws, widths, Xc, Yc = _prep(weights, X, Y, dps)
        H1 = len(Ws)
        R = _residual(be, Ws, widths, Xc, Yc)
        out = []
        for k in range(1, H1 + 1):
            left = _chain(be, Ws, H1, k + 1, widths)
            right = be.dot(_chain(be, Ws, k - 1, 1, widths), Xc)
            G = be.dot(be.dot(left.T, R), right.T)
            r, c = G.shape
            out += [be.output_scalar(G[i, j], rounded=False) for j in range(c) for i in range(r)]
        return out


def _hessian(weights, X, Y, dps):
    """The Hessian of weights that may be mpmath (irrational critical points) or exact, on the backend of ``dps``.

    Exact weights use the closed forms of :func:`lossgeom.symbolic.linear.deep_linear_hessian`;
    ``A_k = W_{H+1} ... W_{k+1}`` and ``B_k = W_{k-1} ... W_1 X`` as in the public docstring."""
    if dps == "exact":
        net, point = _exact_point(weights, X, Y)
        return sp.Matrix(lin.deep_linear_hessian(net, point))
    with Precision.resolve(dps).context():
        be, Ws, widths, Xc, Yc = _prep(weights, X, Y, dps)
        H1 = len(Ws)
        sizes = [widths[k] * widths[k - 1] for k in range(1, H1 + 1)]
        offs = [sum(sizes[:k]) for k in range(H1 + 1)]
        Hm = be.full((offs[-1], offs[-1]))
        R = _residual(be, Ws, widths, Xc, Yc)
        A = [None] + [_chain(be, Ws, H1, k + 1, widths) for k in range(1, H1 + 1)]
        B = [None] + [be.dot(_chain(be, Ws, k - 1, 1, widths), Xc) for k in range(1, H1 + 1)]
        for k in range(1, H1 + 1):
            for j in range(1, k + 1):
                blk = be.kron(be.dot(B[k], B[j].T), be.dot(A[k].T, A[j]))
                if j < k:
                    Z = be.kron(_chain(be, Ws, k - 1, j + 1, widths), be.dot(be.dot(A[k].T, R), B[j].T))
                    m_, n_ = widths[j], widths[j - 1]
                    # right-multiplying by K_{m,n} permutes columns: (Z K)[:, i + c m] = Z[:, c + i n]
                    for i in range(m_):
                        for c in range(n_):
                            blk[:, i + c * m_] += Z[:, c + i * n_]
                rows, cols = slice(offs[k - 1], offs[k]), slice(offs[j - 1], offs[j])
                Hm[rows, cols] = blk
                if j < k:
                    Hm[cols, rows] = blk.T
        return be.output(Hm, rounded=False)


# -- higher-order test along explicit polynomial curves --------------------------------------------------

def curve_polynomial(net, point, directions, dps="exact"):
    """Coefficients ``c_0, c_1, ...`` of ``L(W + t D) - L(W)`` as a polynomial in t.

    Parameters
    ----------
    net : Net
        A deep linear net.
    point : Point
        The weights W and the data.
    directions : sequence of matrices
        D, one per layer with the weights' shapes.
    dps : "exact", int or "float64"

    Returns
    -------
    list
        ``c[d]`` is the coefficient of ``t^d`` (``c[0] = 0``); degree at most ``2(H+1)``.

    Examples
    --------
    >>> from lossgeom.point import resolve_point
    >>> net = Net(widths=(1, 1, 1))
    >>> curve_polynomial(net, resolve_point(net, [[[0]], [[0]]], X=[[1]], Y=[[1]]), [[[1]], [[1]]])
    [0, 0, -1, 0, 1/2]

    Notes
    -----
    ``W_k + t D_k`` are matrix polynomials; their product is a convolution of coefficient
    matrices, ``R(t) = P(t) X - Y`` and ``L(t) = 1/2 sum_{a,b} <R_a, R_b> t^{a+b}``.
    """
    check_net(net)
    check_point(point)
    directions = check_matrices(directions, "directions", count=net.depth)
    weights, X, Y = lin.linear_arrays(net, point)
    return _curve(weights, [sp.Matrix(D) for D in directions], X, Y, dps)


def _curve(weights, directions, X, Y, dps):
    with Precision.resolve(dps).context():
        be, Ws, widths, Xc, Yc = _prep(weights, X, Y, dps)
        Ds = [be.from_matrix(D) for D in directions]
        if len(Ds) != len(Ws) or any(D.shape != W.shape for D, W in zip(Ds, Ws)):
            raise DataError("directions: expected one matrix per layer with the weights' shapes")
        P = [Ws[0], Ds[0]]
        for W, D in zip(Ws[1:], Ds[1:]):
            new = [None] * (len(P) + 1)
            for d, C in enumerate(P):
                for e, F in ((0, W), (1, D)):
                    term = be.dot(F, C)
                    new[d + e] = term if new[d + e] is None else new[d + e] + term
            P = new
        Rs = [be.dot(C, Xc) for C in P]
        Rs[0] = Rs[0] - Yc
        coeffs = [0] * (2 * len(Rs) - 1)
        for a, Ra in enumerate(Rs):
            for b, Rb in enumerate(Rs):
                if a + b == 0:
                    continue
                coeffs[a + b] = coeffs[a + b] + be.inner(Ra, Rb) / 2
        if be.dps == "exact":
            coeffs = [be.output_scalar(c) for c in coeffs]
            coeffs = [c if c.is_Rational else sp.simplify(c) for c in coeffs]
        return coeffs


@dataclass(frozen=True)
class DescentCertificate:
    """The lowest-order non-zero coefficient of ``L(W + tD) - L(W)`` and its sign.

    Attributes
    ----------
    order : int
    coefficient : str
        Exact text, or a decimal at the working precision.
    decreases : bool
        The coefficient is negative: the loss strictly decreases along the curve for small t > 0.
    """

    order: int
    coefficient: str
    decreases: bool

    def to_dict(self):
        return {"order": self.order, "coefficient": self.coefficient, "decreases": self.decreases}


@dataclass(frozen=True)
class DescentCurve(DescentCertificate):
    """A curve ``W + t D`` with its certificate: the coefficients of ``L(W + tD) - L(W)`` and D.

    Attributes
    ----------
    polynomial : tuple of str
        ``c_0, c_1, ...`` as text.
    directions : tuple of str
        D per layer (as row lists), empty when D was a built-in candidate direction.
    """

    polynomial: tuple = ()
    directions: tuple = ()

    def to_dict(self):
        """The JSON-ready certificate (``order``, ``coefficient``, ``decreases``, [``directions``], ``polynomial``)."""
        out = DescentCertificate.to_dict(self)
        if self.directions:
            out["directions"] = list(self.directions)
        out["polynomial"] = list(self.polynomial)
        return out


def descent_certificate(coeffs, dps="exact", tol=None):
    """The sign of the lowest-order non-zero coefficient of ``L(W + tD) - L(W)``.

    Returns
    -------
    DescentCertificate or None
        For the first coefficient with ``|c| > tol`` (exactly non-zero for exact input); None when
        all vanish.

    Examples
    --------
    >>> descent_certificate([0, 0, -1, 0, sp.Rational(1, 2)])
    DescentCertificate(order=2, coefficient='-1', decreases=True)
    """
    for k, c in enumerate(check_sequence(coeffs, "coeffs", "a list of numbers")):
        check_type(c, "coeffs[%d]" % k, (sp.Basic, numbers.Real, mpmath.mpf), "a number")
    for d, c in enumerate(coeffs):
        if d == 0:
            continue
        if dps == "exact":
            nonzero = c != 0
        else:
            t = tolerance(dps) if tol is None else tol
            nonzero = abs(c) > t
        if nonzero:
            text = str(c) if dps == "exact" else (mpmath.nstr(c, 20) if not isinstance(c, float) else repr(c))
            return DescentCertificate(d, text, bool(c < 0))
    return None


def find_descent_curve(net, point, dps="exact", seed=0, tries=40, candidates=()):
    """Search a polynomial curve ``W + t D`` along which the loss strictly decreases (lowest order < 0).

    Tries the given candidate directions first, then random integer directions on every non-empty
    subset of layers (and their sign flips).  A found curve proves "not a local minimum".

    Returns
    -------
    DescentCurve or None

    Examples
    --------
    >>> from lossgeom.point import resolve_point
    >>> net = Net(widths=(1, 1, 1, 1))
    >>> c = find_descent_curve(net, resolve_point(net, [[[0]], [[0]], [[1]]], X=[[1]], Y=[[1]]))  # H = 2
    >>> c.order, c.decreases, c.polynomial
    (2, True, ('0', '0', '-2', '0', '2', '0', '0'))
    """
    check_net(net)
    check_point(point)
    seed = check_int(seed, "seed", 0)
    tries = check_int(tries, "tries", 0)
    candidates = [check_matrices(c, "candidates[%d]" % k, count=net.depth) for k, c in enumerate(check_sequence(candidates, "candidates"))]
    weights, X, Y = lin.linear_arrays(net, point)
    return _find_curve(weights, X, Y, dps, seed, tries, candidates)


def _find_curve(weights, X, Y, dps="exact", seed=0, tries=40, candidates=()):
    rng = random.Random(seed)
    shapes = [_backend(dps).from_matrix(W).shape for W in weights]
    H1 = len(weights)

    def attempts():
        for D in candidates:
            yield D
        subsets = [s for r in range(1, H1 + 1) for s in itertools.combinations(range(H1), r)]
        subsets.sort(key=lambda s: (-len(s), s))
        for _ in range(max(1, tries // max(1, len(subsets)))):
            for s in subsets:
                D = [sp.Matrix(r, c, lambda *_: rng.randint(-3, 3)) if k in s else sp.zeros(r, c)
                     for k, (r, c) in enumerate(shapes)]
                yield D
                yield [(-d if k == s[0] else d) for k, d in enumerate(D)]

    for D in itertools.islice(attempts(), len(candidates) + 2 * tries):
        coeffs = _curve(weights, D, X, Y, dps)
        cert = descent_certificate(coeffs, dps)
        if cert is not None and cert.decreases:
            poly = tuple(str(c) if dps == "exact" else mpmath.nstr(mpmath.mpmathify(c), 15) for c in coeffs)
            dirs = tuple(str(d.tolist()) if isinstance(d, (mpmath.matrix, np.ndarray)) else str(sp.Matrix(d).tolist())
                         for d in D)
            return DescentCurve(cert.order, cert.coefficient, cert.decreases, poly, dirs)
    return None
