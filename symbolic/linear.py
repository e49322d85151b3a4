"""Deep linear networks, exactly: the loss, Lemma 1's Kronecker gradient, every Hessian block, Sigma.

Setting (Kawaguchi 2016, Sec. 2): ``L(W) = 1/2 ||W_{H+1} ... W_1 X - Y||_F^2`` with
``W_k`` of shape ``d_k x d_{k-1}``, ``X`` (d_x x m), ``Y`` (d_y x m), samples as columns.  Write
``A_k = W_{H+1}...W_{k+1}`` (d_y x d_k), ``B_k = W_{k-1}...W_1 X`` (d_{k-1} x m), ``R = W X - Y``
and ``M_{kj} = W_{k-1}...W_{j+1}`` (an empty product ``W_a...W_b``, a < b, is ``I_{d_a}``).

Two vectorisations, related only by commutation matrices (``lossgeom.symbolic.vec``):

* ``form="column"`` (the package's theta order): ``vec(W_k)``, columns stacked;
* ``form="kawaguchi"``: ``vec(W_k^T)`` (rows of ``W_k`` stacked), as in the paper and the notes.

Every function takes the deep linear :class:`~lossgeom.Net` first (identity activations, square loss,
no bias; any other net raises one :class:`~lossgeom.errors.NetSpecError` listing
``net.linear_problems()``), then a :class:`~lossgeom.point.Point` at a weight point, or ``X, Y`` for
quantities of the data alone.

Closed forms derived here (and proved equal to direct SymPy differentiation by
:func:`verify_linear_derivatives`):

* gradient, column: ``vec(A_k^T R B_k^T) = (B_k (x) A_k^T) vec(R)``;
  Kawaguchi: ``(A_k^T (x) B_k) vec(R^T)`` (Lemma 1, with ``r = R^T``);
* diagonal block, column: ``(B_k B_k^T) (x) (A_k^T A_k)``; Kawaguchi: ``(A_k^T A_k) (x) (B_k B_k^T)``;
* cross block j < k (rows W_k, columns W_j), column:
  ``(B_k B_j^T) (x) (A_k^T A_j) + [M_{kj} (x) (A_k^T R B_j^T)] K_{d_j, d_{j-1}}``;
  Kawaguchi: ``(A_k^T A_j) (x) (B_k B_j^T) + [(A_k^T R B_j^T) (x) M_{kj}] K_{d_{j-1}, d_j}``;
  ``K_{m,n} vec(A) = vec(A^T)`` for A of shape m x n.  The (j, k) block is the transpose.
"""

from dataclasses import dataclass, field
from functools import reduce

import sympy as sp

from lossgeom.checks import check_args, check_int, check_matrices, check_net
from lossgeom.display import summary_latex
from lossgeom.errors import DataError, NetSpecError
from lossgeom.net import Net
from lossgeom.numbers import exact_matrix, matrix_rows
from lossgeom.point import Point
from lossgeom.report import Report

from .vec import commutation_matrix, generic_matrix, kron, vec

__all__ = ["linear_arrays", "require_deep_linear", "linear_data", "chain", "linear_widths", "deep_linear_loss", "residual", "lemma1_gradient", "hessian_block",
           "deep_linear_hessian", "generic_linear_instance", "verify_linear_derivatives", "sigma_matrix",
           "KawaguchiAssumptions", "check_assumptions", "SigmaEigen", "sigma_eigen", "global_minimum_value",
           "minimising_product", "FORMS"]

FORMS = ("column", "kawaguchi")


def _check_form(form):
    if form not in FORMS:
        raise DataError("form: expected one of %s, got %r" % (", ".join(FORMS), form))


def require_deep_linear(net, hidden=False, what="this computation"):
    """Return ``net`` if it is a deep linear net, else raise one error listing every reason.

    Parameters
    ----------
    net : Net
    hidden : bool, default False
        Also require at least one hidden layer (the critical points of Baldi & Hornik need one).
    what : str
        Named in the message (``"lossgeom critical"``, ``"linear-gradient"``).

    Raises
    ------
    NetSpecError
        Listing ``net.linear_problems()`` (and the missing hidden layer).

    Examples
    --------
    >>> require_deep_linear(Net(widths=(2, 1, 2))).widths
    (2, 1, 2)
    >>> require_deep_linear(Net(widths=(2, 2), activation="tanh"), hidden=True)
    Traceback (most recent call last):
    ...
    lossgeom.errors.NetSpecError: invalid net (2 problems): this computation needs a deep linear net, got Net(2-2, tanh, square): activation: expected 'identity' (a deep linear net), got 'tanh'; widths: expected at least one hidden layer, got [2, 2]
    """
    if not isinstance(net, Net):
        raise NetSpecError("net: expected a lossgeom Net, got %r" % (net,))
    problems = list(net.linear_problems())
    if hidden and len(net.widths) < 3:
        problems.append("widths: expected at least one hidden layer, got %r" % (list(net.widths),))
    if problems:
        problems[0] = "%s needs a deep linear net, got %s: %s" % (what, net, problems[0])
        raise NetSpecError(problems)
    return net


def linear_data(net, X, Y):
    """Inputs and targets of a deep linear net, read exactly against its widths (samples as columns).

    Examples
    --------
    >>> linear_data(Net(widths=(1, 1)), [[1, "1/2"]], [[0, 1]])
    (Matrix([[1, 1/2]]), Matrix([[0, 1]]))
    >>> linear_data(Net(widths=(2, 1)), [[1, 2]], [[0, 1]])
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: X: expected a 2x2 matrix, got 1x2
    """
    check_args(X=X, Y=Y)
    require_deep_linear(net)
    rows = matrix_rows(X, "X") if X is not None else None
    m = len(rows[0]) if rows else 0
    return exact_matrix(X, "X", (net.widths[0], m)), exact_matrix(Y, "Y", (net.widths[-1], m))


def linear_arrays(net, point):
    """(weights, X, Y) of a Point of the deep linear ``net`` (a generic symbolic Point included), checked once.

    Raises
    ------
    NetSpecError
        When ``net`` is not deep linear (every reason listed).
    DataError
        When ``point`` is not a Point of ``net`` with data.

    Examples
    --------
    >>> from lossgeom import Net, resolve_point
    >>> net = Net(widths=(1, 1))
    >>> linear_arrays(net, resolve_point(net, [[[2]]], X=[[1]], Y=[[3]]))
    ([Matrix([[2]])], Matrix([[1]]), Matrix([[3]]))
    """
    require_deep_linear(net)
    if not isinstance(point, Point):
        raise DataError("point: expected a lossgeom Point (resolve_point(net, weights, X=X, Y=Y)), got %s"
                        % type(point).__name__)
    if point.net != net:
        raise DataError("point: expected a point of %s, got one of %s" % (net, point.net))
    if point.X is None:
        raise DataError("point: expected inputs X and targets Y, got a point without data")
    return list(point.weights), sp.Matrix(point.X), sp.Matrix(point.Y)


def linear_widths(weights):
    """The widths ``(d_0, d_1, ..., d_{H+1})`` of a chain of weight matrices (checking the shapes).

    Raises
    ------
    DataError
        When consecutive shapes do not chain (naming the layer).

    Examples
    --------
    >>> linear_widths([sp.ones(2, 3), sp.ones(1, 2)])
    (3, 2, 1)
    """
    weights = [sp.Matrix(W) for W in check_matrices(weights, "weights", symbolic=True)]
    if not weights:
        raise DataError("weights: expected at least one weight matrix, got none")
    widths = [weights[0].cols]
    for k, W in enumerate(weights, 1):
        if W.cols != widths[-1]:
            raise DataError("weights[%d]: expected %d columns to follow W_%d, got %dx%d"
                            % (k - 1, widths[-1], k - 1, W.rows, W.cols))
        widths.append(W.rows)
    return tuple(widths)


def chain(weights, a, b):
    """``W_a W_{a-1} ... W_b`` (1-based), or ``I_{d_a}`` when ``a < b``.

    Parameters
    ----------
    weights : sequence of matrices W_1 .. W_{H+1}
    a, b : int

    Examples
    --------
    >>> W = [sp.Matrix([[1, 2]]), sp.Matrix([[3]])]
    >>> chain(W, 2, 1), chain(W, 0, 1)
    (Matrix([[3, 6]]), Matrix([
    [1, 0],
    [0, 1]]))
    """
    weights = check_matrices(weights, "weights", symbolic=True)
    check_int(a, "a", 0, len(weights))
    check_int(b, "b", 1, len(weights) + 1)
    widths = linear_widths(weights)
    if a < b:
        return sp.eye(widths[a])
    return reduce(lambda P, W: P * sp.Matrix(W), [weights[i - 1] for i in range(a, b - 1, -1)])


def _product(weights):
    return chain(weights, len(weights), 1)


def residual(net, point):
    """``R = W_{H+1} ... W_1 X - Y`` (the notes' ``r`` is ``R^T``).

    Examples
    --------
    >>> from lossgeom.point import resolve_point
    >>> net = Net(widths=(1, 1))
    >>> residual(net, resolve_point(net, [[[2]]], X=[[1, 1]], Y=[[1, 3]]))
    Matrix([[1, -1]])
    """
    weights, X, Y = linear_arrays(net, point)
    return _product(weights) * X - Y


def deep_linear_loss(net, point):
    """``L(W) = 1/2 ||W_{H+1} ... W_1 X - Y||_F^2``, exactly.

    Examples
    --------
    >>> from lossgeom.point import resolve_point
    >>> net = Net(widths=(1, 1, 1))
    >>> deep_linear_loss(net, resolve_point(net, [[[2]], [[1]]], X=[[1, 1]], Y=[[1, 3]]))
    1

    Notes
    -----
    Kawaguchi (2016), eq. (1).

    References
    ----------
    K. Kawaguchi, "Deep Learning without Poor Local Minima", NIPS 2016.
    """
    R = residual(net, point)
    return sp.Rational(1, 2) * sum((v ** 2 for v in R), sp.Integer(0))


def lemma1_gradient(net, point, k, form="column"):
    """The gradient of L with respect to W_k in Kronecker form (Lemma 1).

    Parameters
    ----------
    net : Net
        A deep linear net.
    point : Point
        Exact weights and data (or the generic symbolic point of :func:`generic_linear_instance`).
    k : int
        Layer, 1 .. H+1.
    form : {"column", "kawaguchi"}
        ``column``: with respect to vec(W_k), ``(B_k (x) A_k^T) vec(R)``;
        ``kawaguchi``: with respect to vec(W_k^T), ``(A_k^T (x) B_k) vec(r)``, ``r = R^T``.

    Returns
    -------
    ImmutableMatrix (d_k d_{k-1} x 1)

    Examples
    --------
    >>> from lossgeom.point import resolve_point
    >>> net = Net(widths=(1, 1, 1))
    >>> lemma1_gradient(net, resolve_point(net, [[[2]], [[3]]], X=[[1]], Y=[[1]]), 1)
    Matrix([[15]])

    Notes
    -----
    ``dL/dW_k = A_k^T R B_k^T``; the two forms satisfy
    ``column = K_{d_{k-1}, d_k} kawaguchi``.

    References
    ----------
    Kawaguchi (2016), Lemma 4.1.
    """
    check_net(net)
    _check_form(form)
    weights, X, Y = linear_arrays(net, point)
    widths = net.widths
    _check_layer(k, widths)
    H1 = len(weights)
    A = chain(weights, H1, k + 1)
    B = chain(weights, k - 1, 1) * X
    R = _product(weights) * X - Y
    if form == "column":
        return sp.ImmutableMatrix(kron(B, A.T) * vec(R))
    # the notes' printed form, literally: ((W_{H+1}...W_{k+1}) (x) (W_{k-1}...W_1 X)^T)^T vec(r)
    return sp.ImmutableMatrix(kron(A, B.T).T * vec(R.T))


def _check_layer(k, widths):
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(widths) - 1:
        raise DataError("k: expected a layer from 1 to %d, got %r" % (len(widths) - 1, k))


def hessian_block(net, point, k, j, form="column"):
    """The Hessian block ``d^2 L / d vec(W_k) d vec(W_j)^T`` in closed form.

    Parameters
    ----------
    net : Net
        A deep linear net.
    point : Point
        Exact weights and data (or a generic symbolic point).
    k, j : int
        Row layer and column layer (1 .. H+1).
    form : {"column", "kawaguchi"}

    Returns
    -------
    ImmutableMatrix (d_k d_{k-1} x d_j d_{j-1})

    Examples
    --------
    >>> from lossgeom.point import resolve_point
    >>> net = Net(widths=(1, 1, 1))
    >>> pt = resolve_point(net, [[[2]], [[3]]], X=[[1]], Y=[[1]])
    >>> [hessian_block(net, pt, k, j)[0] for k in (1, 2) for j in (1, 2)]
    [9, 11, 11, 4]

    Notes
    -----
    Column form: diagonal ``(B_k B_k^T) (x) (A_k^T A_k)``; for j < k
    ``(B_k B_j^T) (x) (A_k^T A_j) + [M_{kj} (x) (A_k^T R B_j^T)] K_{d_j, d_{j-1}}``.
    Kawaguchi form: ``K_{d_k,d_{k-1}} H^{col}_{kj} K_{d_j,d_{j-1}}^T``, which expands to
    ``(A_k^T A_j) (x) (B_k B_j^T) + [(A_k^T R B_j^T) (x) M_{kj}] K_{d_{j-1}, d_j}``
    (Kawaguchi's printed form is unconfirmed).

    References
    ----------
    Kawaguchi (2016), Sec. 4 (Hessian blocks).
    """
    check_net(net)
    _check_form(form)
    weights, X, Y = linear_arrays(net, point)
    widths = net.widths
    _check_layer(k, widths)
    _check_layer(j, widths)
    if j > k:
        return sp.ImmutableMatrix(hessian_block(net, point, j, k, form).T)
    H1 = len(weights)
    Ak, Aj = chain(weights, H1, k + 1), chain(weights, H1, j + 1)
    Bk, Bj = chain(weights, k - 1, 1) * X, chain(weights, j - 1, 1) * X
    if form == "column":
        block = kron(Bk * Bj.T, Ak.T * Aj)
    else:
        block = kron(Ak.T * Aj, Bk * Bj.T)
    if j == k:
        return sp.ImmutableMatrix(block)
    R = _product(weights) * X - Y
    M = chain(weights, k - 1, j + 1)
    S = Ak.T * R * Bj.T
    if form == "column":
        extra = kron(M, S) * commutation_matrix(widths[j], widths[j - 1])
    else:
        extra = kron(S, M) * commutation_matrix(widths[j - 1], widths[j])
    return sp.ImmutableMatrix(block + extra)


def deep_linear_hessian(net, point, form="column"):
    """The full Hessian, assembled from :func:`hessian_block` (parameters layer by layer).

    In ``column`` form the parameter order is the package's theta (no biases).

    Examples
    --------
    >>> from lossgeom.point import resolve_point
    >>> net = Net(widths=(1, 1, 1))
    >>> deep_linear_hessian(net, resolve_point(net, [[[2]], [[3]]], X=[[1]], Y=[[1]]))
    Matrix([
    [ 9, 11],
    [11,  4]])
    """
    H1 = check_net(net).depth
    rows = [sp.Matrix.hstack(*[hessian_block(net, point, k, j, form) for j in range(1, H1 + 1)])
            for k in range(1, H1 + 1)]
    return sp.ImmutableMatrix(sp.Matrix.vstack(*rows))


# -- proofs against direct differentiation ---------------------------------------------------------------

def generic_linear_instance(net, m):
    """The generic symbolic point of a deep linear net: weights ``W{k}[i,j]``, data ``X[i,j]``, ``Y[i,j]``.

    The result is a :class:`~lossgeom.point.Point` whose entries are symbols (not rationals), so
    closed forms evaluated at it hold for every value.

    Parameters
    ----------
    net : Net
        A deep linear net.
    m : int
        Number of samples.

    Returns
    -------
    Point

    Examples
    --------
    >>> pt = generic_linear_instance(Net(widths=(1, 1)), 1)
    >>> pt.weights[0], pt.X, pt.Y
    (Matrix([[W1[1,1]]]), Matrix([[X[1,1]]]), Matrix([[Y[1,1]]]))
    """
    check_int(m, "m", 1)
    from .forward import symbol
    require_deep_linear(net)
    widths = net.widths
    W = tuple(sp.ImmutableMatrix(widths[k], widths[k - 1],
                                 lambda i, j, k=k: symbol("W%d[%d,%d]" % (k, i + 1, j + 1)))
              for k in range(1, len(widths)))
    X, Y = generic_matrix("X", widths[0], m), generic_matrix("Y", widths[-1], m)
    return Point(net, W, None, sp.ImmutableMatrix(X), sp.ImmutableMatrix(Y))


def _layer_vars(W, form):
    W = sp.Matrix(W)
    return list(vec(W)) if form == "column" else list(vec(W.T))


def verify_linear_derivatives(net, m, point=None):
    """Prove Lemma 1 and every Hessian block (both forms) equal to direct SymPy differentiation.

    Parameters
    ----------
    net : Net
        A deep linear net.
    m : int
        Number of samples.
    point : Point, optional
        Exact weights and data (with ``m`` samples); the generic symbolic point where omitted
        (then the identities are proved for all values).

    Returns
    -------
    Report
        ``proved`` when every difference expands to zero, with the number of entries compared;
        also checks ``column = K kawaguchi K^T`` block by block.

    Examples
    --------
    >>> verify_linear_derivatives(Net(widths=(1, 1, 1)), 1).outcome
    'proved'

    Notes
    -----
    Direct reference: ``sympy.diff`` of the expanded loss with respect to the weight symbols,
    in each vectorisation's order.
    """
    generic = generic_linear_instance(net, m)
    gW = generic.weights
    at = generic if point is None else point
    linear_arrays(net, at)
    if point is not None:  # differentiate in the weights symbolically, then substitute the exact weights
        subs = {s: v for G, V in zip(gW, point.weights) for s, v in zip(G, V)}
        L = sp.expand(deep_linear_loss(net, Point(net, gW, None, point.X, point.Y)))
    else:
        subs = {}
        L = sp.expand(deep_linear_loss(net, generic))
    H1 = len(gW)
    compared, bad = 0, []
    grads = {}
    for form in FORMS:
        for k in range(1, H1 + 1):
            vk = _layer_vars(gW[k - 1], form)
            g = [sp.diff(L, v) for v in vk]
            grads[(form, k)] = g
            closed = lemma1_gradient(net, at, k, form)
            for a, b in zip(closed, g):
                compared += 1
                if sp.expand(a - b.subs(subs)) != 0:
                    bad.append("gradient %s k=%d" % (form, k))
                    break
    for form in FORMS:
        for k in range(1, H1 + 1):
            for j in range(1, H1 + 1):
                vj = _layer_vars(gW[j - 1], form)
                direct = sp.Matrix(grads[(form, k)]).jacobian(vj)
                closed = hessian_block(net, at, k, j, form)
                compared += closed.rows * closed.cols
                if any(sp.expand(a - b.subs(subs)) != 0 for a, b in zip(closed, direct)):
                    bad.append("block %s (%d,%d)" % (form, k, j))
    widths_ = net.widths
    for k in range(1, H1 + 1):  # the two forms are related by commutation matrices only
        Kk = commutation_matrix(widths_[k], widths_[k - 1])
        if sp.expand(lemma1_gradient(net, at, k, "kawaguchi") - Kk * lemma1_gradient(net, at, k, "column")) \
                != sp.zeros(Kk.rows, 1):
            bad.append("gradient relation k=%d" % k)
        for j in range(1, H1 + 1):
            Kj = commutation_matrix(widths_[j], widths_[j - 1])
            diff = hessian_block(net, at, k, j, "kawaguchi") - Kk * hessian_block(net, at, k, j, "column") * Kj.T
            if any(sp.expand(v) != 0 for v in diff):
                bad.append("block relation (%d,%d)" % (k, j))
    ev = {"widths": str(widths_), "samples": m, "entries compared": compared,
          "weights": "generic symbols" if point is None else "exact"}
    if bad:
        return Report("linear-derivatives", "refuted", "direct SymPy differentiation vs closed form",
                      evidence=dict(ev, failed=bad), counterexample={"widths": str(widths_), "failed": bad})
    return Report("linear-derivatives", "proved", "exact expansion of (closed form - direct sympy.diff) to zero, "
                  "both vectorisations, and column = K kawaguchi K^T", evidence=ev)


# -- Sigma, assumptions, global minimum --------------------------------------------------------------

def sigma_matrix(net, X, Y):
    """``Sigma = Y X^T (X X^T)^{-1} X Y^T``, exactly.

    Raises
    ------
    DataError
        When ``X X^T`` is singular (naming its rank).

    Examples
    --------
    >>> sigma_matrix(Net(widths=(2, 2)), sp.eye(2), sp.diag(3, 2))
    Matrix([
    [9, 0],
    [0, 4]])

    References
    ----------
    Kawaguchi (2016); Baldi & Hornik (1989): ``Sigma_YX Sigma_XX^{-1} Sigma_XY``.
    """
    X, Y = linear_data(net, X, Y)
    XX = X * X.T
    if XX.rank() < XX.rows:
        raise DataError("X: X X^T is singular (rank %d < d_x = %d), so Sigma is undefined"
                        % (XX.rank(), XX.rows))
    return sp.ImmutableMatrix(Y * X.T * XX.inv() * X * Y.T)


@dataclass(frozen=True)
class KawaguchiAssumptions:
    """The assumptions of Kawaguchi's Theorem 2.3, decided in exact rational arithmetic.

    Attributes
    ----------
    xxt_invertible, xyt_full_rank, dy_le_dx : bool
        The notes' assumptions.
    distinct_eigenvalues : bool or None
        The UNCONFIRMED extra clause (Sigma has d_y distinct eigenvalues); None when Sigma is undefined.
    ranks : dict
        ``rank(XX^T)``, ``rank(XY^T)``.
    """

    xxt_invertible: bool
    xyt_full_rank: bool
    dy_le_dx: bool
    distinct_eigenvalues: object
    ranks: dict = field(default_factory=dict)

    @property
    def holds(self):
        """The notes' three assumptions all hold (the distinct-eigenvalue clause is separate)."""
        return self.xxt_invertible and self.xyt_full_rank and self.dy_le_dx

    def failures(self):
        """Human-readable list of failed assumptions (the UNCONFIRMED clause is flagged, not failed)."""
        out = []
        if not self.xxt_invertible:
            out.append("X X^T is singular (rank %d)" % self.ranks["XX^T"])
        if not self.xyt_full_rank:
            out.append("X Y^T is not of full rank (rank %d)" % self.ranks["XY^T"])
        if not self.dy_le_dx:
            out.append("d_y > d_x")
        return out

    def to_dict(self):
        return {"XX^T invertible": self.xxt_invertible, "XY^T full rank": self.xyt_full_rank,
                "d_y <= d_x": self.dy_le_dx, "Sigma distinct eigenvalues (UNCONFIRMED clause)":
                self.distinct_eigenvalues, "ranks": dict(self.ranks)}


def check_assumptions(net, X, Y):
    """Decide Kawaguchi's assumptions on data (X, Y) exactly (never raises on failing data).

    Examples
    --------
    >>> a = check_assumptions(Net(widths=(3, 1, 3)), sp.eye(3), sp.diag(3, 2, 1))
    >>> a.holds, a.distinct_eigenvalues
    (True, True)
    >>> check_assumptions(Net(widths=(2, 2)), sp.Matrix([[1, 1], [1, 1]]), sp.Matrix([[1, 0], [2, 0]])).failures()
    ['X X^T is singular (rank 1)', 'X Y^T is not of full rank (rank 1)']

    Notes
    -----
    Ranks by exact fraction-free elimination over QQ; distinct eigenvalues of Sigma via
    ``gcd(chi, chi') = 1`` for its characteristic polynomial chi (exact).
    """
    from sympy.polys.matrices import DomainMatrix
    X, Y = linear_data(net, X, Y)

    def rank(M):
        return DomainMatrix.from_Matrix(M).convert_to(sp.QQ).rank()

    rxx, rxy = rank(X * X.T), rank(X * Y.T)
    inv = rxx == X.rows
    distinct = None
    if inv:
        lam = sp.Symbol("lambda")
        chi = sp.Poly(sigma_matrix(net, X, Y).charpoly(lam).as_expr(), lam)
        distinct = sp.degree(sp.gcd(chi, chi.diff(lam)), lam) == 0
    return KawaguchiAssumptions(inv, rxy == min(X.rows, Y.rows), Y.rows <= X.rows, distinct,
                                {"XX^T": rxx, "XY^T": rxy})


@dataclass(frozen=True)
class SigmaEigen:
    """Eigen-decomposition of Sigma, exact where possible.

    Attributes
    ----------
    sigma : ImmutableMatrix
    eigenvalues : tuple
        Exact, descending (Rationals, radicals or ``CRootOf``), with multiplicity.
    eigenvectors : ImmutableMatrix or None
        Exact orthonormal U (columns in the same order), or None when some eigenvalue is irrational
        (numeric eigenvectors: :func:`lossgeom.numeric.critical.sigma_eigenvectors`).
    """

    sigma: sp.ImmutableMatrix
    eigenvalues: tuple
    eigenvectors: object

    @property
    def exact(self):
        """True when U is known exactly."""
        return self.eigenvectors is not None

    def _repr_latex_(self):
        r"""Jupyter's display: Sigma, its exact eigenvalues and U when it is exact.

        Examples
        --------
        >>> tex = sigma_eigen(Net(widths=(3, 1, 3)), sp.eye(3), sp.diag(3, 2, 1))._repr_latex_()
        >>> r"\lambda_1 \ge \dots \ge \lambda_{d_y} & \left(9, 4, 1\right)" in tex
        True
        """
        rows = [(r"\Sigma", ("latex", sp.latex(self.sigma))),
                (r"\lambda_1 \ge \dots \ge \lambda_{d_y}", self.eigenvalues)]
        rows.append((r"U\ (\text{eigenvectors})", ("latex", sp.latex(self.eigenvectors))) if self.exact else
                    (r"U\ (\text{eigenvectors})", "numeric (an eigenvalue is irrational)"))
        return summary_latex("Eigen-decomposition of Sigma", rows)


def sigma_eigen(net, X, Y):
    """Sigma's eigenvalues (exact, descending) and, when they are rational, exact orthonormal eigenvectors.

    Examples
    --------
    >>> e = sigma_eigen(Net(widths=(3, 1, 3)), sp.eye(3), sp.diag(3, 2, 1))
    >>> e.eigenvalues, e.exact
    ((9, 4, 1), True)
    >>> sigma_eigen(Net(widths=(2, 2)), sp.eye(2), sp.Matrix([[1, 1], [0, 1]])).eigenvalues
    (sqrt(5)/2 + 3/2, 3/2 - sqrt(5)/2)

    Notes
    -----
    The characteristic polynomial is factored over QQ; linear factors give rational
    eigenvalues with rational eigenvectors (orthonormalised exactly by Gram-Schmidt), other
    factors give algebraic eigenvalues (``roots`` or ``CRootOf``) with numeric eigenvectors.
    """
    S = sp.Matrix(sigma_matrix(net, X, Y))
    lam = sp.Symbol("lambda")
    chi = sp.Poly(S.charpoly(lam).as_expr(), lam)
    values, rational = [], True
    for fac, mult in sp.factor_list(chi)[1]:
        if fac.degree() == 1:
            root = sp.solve(fac.as_expr(), lam)[0]
            values += [root] * mult
        else:
            rational = False
            if fac.degree() <= 2:
                roots = sp.roots(fac, lam)
                values += [r for r, k in roots.items() for _ in range(k)] * mult
            else:
                values += [sp.CRootOf(fac, i) for i in range(fac.degree())] * mult
    values.sort(key=lambda v: -sp.N(v, 60))
    U = None
    if rational:
        cols = []
        for v in sorted(set(values), key=lambda v: -v):
            basis = (S - v * sp.eye(S.rows)).nullspace()
            cols += sp.GramSchmidt(basis, orthonormal=True)
        U = sp.ImmutableMatrix(sp.Matrix.hstack(*cols)) if cols else sp.ImmutableMatrix(sp.zeros(S.rows, 0))
    return SigmaEigen(sp.ImmutableMatrix(S), tuple(values), U)


def _smallest_hidden(widths):
    if len(widths) < 3:
        return min(widths[0], widths[-1])
    return min(widths[1:-1])


def global_minimum_value(net, X, Y):
    """``L* = 1/2 (tr YY^T - sum_{i <= min(p, d_y)} lambda_i(Sigma))``, exactly.

    Parameters
    ----------
    net : Net
        A deep linear net ``(d_x, d_1, ..., d_H, d_y)``; ``p = min(d_1..d_H)`` (for a single layer,
        p = min(d_x, d_y)).
    X, Y : exact matrices

    Examples
    --------
    >>> X, Y = sp.eye(3), sp.diag(3, 2, 1)
    >>> global_minimum_value(Net(widths=(3, 1, 3)), X, Y), global_minimum_value(Net(widths=(3, 2, 3)), X, Y)
    (5/2, 1/2)

    Notes
    -----
    Reduced-rank regression (Eckart-Young on Y X^T (XX^T)^{-1/2}).

    References
    ----------
    P. Baldi, K. Hornik, Neural Networks 2(1):53-58 (1989); Kawaguchi (2016), Theorem 2.3.
    """
    X, Y = linear_data(net, X, Y)
    e = sigma_eigen(net, X, Y)
    p = min(_smallest_hidden(net.widths), Y.rows)
    val = sp.Rational(1, 2) * ((Y * Y.T).trace() - sum(e.eigenvalues[:p], sp.Integer(0)))
    return val if val.has(sp.CRootOf) else sp.simplify(val)


def minimising_product(net, X, Y):
    """``W* = U_{p'} U_{p'}^T Y X^T (XX^T)^{-1}`` (p' = min(p, d_y)), exactly, or None when U is irrational.

    Examples
    --------
    >>> minimising_product(Net(widths=(3, 1, 3)), sp.eye(3), sp.diag(3, 2, 1))
    Matrix([
    [3, 0, 0],
    [0, 0, 0],
    [0, 0, 0]])
    """
    X, Y = linear_data(net, X, Y)
    e = sigma_eigen(net, X, Y)
    if not e.exact:
        return None
    p = min(_smallest_hidden(net.widths), Y.rows)
    U = sp.Matrix(e.eigenvectors)[:, :p]
    return sp.ImmutableMatrix((U * U.T * Y * X.T * (X * X.T).inv()).applyfunc(sp.simplify))
