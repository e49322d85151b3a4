"""Shen's system P(W) eps at ``dps`` digits and in ball arithmetic; ranks, the main theorem's verdict,
rank bounds and the exact-learning construction (Shen 2016, arXiv 1611.05827; CVPR 2018).

The objects are those of :mod:`lossgeom.symbolic.shen` (same code, other scalars):

- rational activations (identity, softsign, leaky ReLU, ...) at rational weights: P is rational and
  its rank is decided exactly (python-flint ``fmpq_mat``);
- transcendental ones (tanh, sigmoid, softplus, bent identity): P is evaluated in arb balls; a
  nonzero r x r minor whose determinant ball excludes 0 *certifies* rank >= r (rank = r when r is
  the smaller dimension); otherwise the rank is reported "at tolerance t" (verified, not proved).
"""

from dataclasses import dataclass

import mpmath
import sympy as sp

from lossgeom.activations import get_activation
from lossgeom.checks import check_callable, check_int, check_matrix, check_net, check_sequence, check_str
from lossgeom.display import short_repr, summary_latex
from lossgeom.errors import DataError
from lossgeom.numbers import parse_number
from lossgeom.precision import DEFAULT_DPS, check_dps, tolerance, working_precision
from lossgeom.symbolic.shen import shen_layers, shen_permutation, shen_system
from lossgeom.symbolic.vec import khatri_rao

__all__ = ["ShenRank", "ball_activation", "shen_system_balls", "shen_system_mp", "shen_gradient_residual",
           "rational_rank", "ball_rank", "certified_rank", "shen_system_fmpq", "shen_rank", "shen_verdict", "khatri_rao_counterexample",
           "sylvester_counterexample", "exact_learner"]

#: activations whose values at rational points are rational (P is then exact)
RATIONAL = ("identity", "softsign", "leaky_relu", "relu", "two_piece", "abs")


def ball_activation(name):
    """``act(z, order)`` on python-flint arb balls for a transcendental activation (orders 0 and 1).

    Examples
    --------
    >>> from flint import arb
    >>> act = ball_activation("tanh")
    >>> (act(arb(0), 1) - 1).is_zero(), act(arb("0.5"), 0).overlaps(arb("0.46211715726000974"))
    (True, True)
    """
    check_str(name, "name")
    def tanh(z, k):
        t = z.tanh()
        return t if k == 0 else 1 - t * t

    def sigmoid(z, k):
        s = 1 / (1 + (-z).exp())
        return s if k == 0 else s * (1 - s)

    def softplus(z, k):
        return (1 + z.exp()).log() if k == 0 else 1 / (1 + (-z).exp())

    def bent(z, k):
        r = (z * z + 1).sqrt()
        return (r - 1) / 2 + z if k == 0 else z / (2 * r) + 1

    table = {"tanh": tanh, "sigmoid": sigmoid, "softplus": softplus, "bent_identity": bent}
    if name not in table:
        raise DataError("activation: ball arithmetic covers %s; got %r" % (", ".join(sorted(table)), name))
    return table[name]


def _columns(M):
    M = sp.Matrix(M)
    return [list(M[:, i]) for i in range(M.cols)]


def _exact_inputs(net, weights, biases, X, Y):
    from lossgeom.point import resolve_point
    pt = resolve_point(net, weights, biases, X, Y, require_data=True)
    return pt, [W.tolist() for W in pt.weights], ([list(b) for b in pt.biases] if net.bias else None)


def shen_system_balls(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS):
    """Shen's system in arb balls at ``dps`` (+ guard) digits; exact inputs are read exactly.

    Examples
    --------
    >>> from lossgeom import Net
    >>> s = shen_system_balls(Net(widths=(1, 1, 1), activation="tanh"), [[[1]], [[2]]], X=[[1]], Y=[[0]], dps=20)
    >>> s.P[1][0].overlaps(s.P[1][0].__class__("0.76159415595576488812")), s.n_rows, s.n_cols
    (True, 2, 1)
    """
    from flint import arb, ctx, fmpq
    check_dps(dps)
    pt, W, b = _exact_inputs(net, weights, biases, X, Y)
    q = lambda v: arb(fmpq(int(v.p), int(v.q)))  # noqa: E731
    with ctx.workdps(dps + 10):
        WS = [[[q(v) for v in row] for row in layer] for layer in shen_layers(net, W, b)]
        return shen_system(net, WS, [[q(v) for v in c] for c in _columns(pt.X)],
                           [[q(v) for v in c] for c in _columns(pt.Y)], ball_activation(net.activation.name))


def shen_system_mp(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS):
    """Shen's system in mpmath at ``dps`` digits (call inside :func:`working_precision` to keep them).

    Examples
    --------
    >>> from lossgeom import Net
    >>> s = shen_system_mp(Net(widths=(1, 1, 1), activation="tanh"), [[[1]], [[2]]], X=[[1]], Y=[[0]], dps=20)
    >>> print(mpmath.nstr(s.P[1][0], 10))
    0.761594156
    """
    check_dps(dps)
    pt, W, b = _exact_inputs(net, weights, biases, X, Y)
    act = net.activation
    mp = lambda v: mpmath.mpf(int(v.p)) / int(v.q)  # noqa: E731
    with working_precision(dps):
        WS = [[[mp(v) for v in row] for row in layer] for layer in shen_layers(net, W, b)]
        return shen_system(net, WS, [[mp(v) for v in c] for c in _columns(pt.X)],
                           [[mp(v) for v in c] for c in _columns(pt.Y)],
                           lambda z, k: act.evaluate(z, k, module="mpmath"))


def shen_system_fmpq(net, weights, biases=None, X=None, Y=None):
    """Shen's system with python-flint ``fmpq`` scalars (a rational activation at rational weights): exact, fast.

    Same code as :func:`lossgeom.symbolic.shen.shen_system_exact`, other scalars: every entry of P and
    eps is an fmpq (no SymPy arithmetic); activations are read from the registry's rational pieces.

    Examples
    --------
    >>> from lossgeom import Net
    >>> s = shen_system_fmpq(Net(widths=(1, 1, 1), activation="softsign"), [[[1]], [[2]]], X=[[1]], Y=[[0]])
    >>> s.eps, s.P
    ((1,), [[1/2], [1/2]])
    """
    from flint import fmpq

    from lossgeom.symbolic.shen import _exact_activation, _require
    check_net(net)
    _require(net)
    if net.activation.name not in RATIONAL:
        raise DataError("net: fmpq entries need a rational activation (%s), got %s"
                        % (", ".join(RATIONAL), net.activation.name))
    pt, W, b = _exact_inputs(net, weights, biases, X, Y)
    q = lambda v: fmpq(int(v.p), int(v.q))  # noqa: E731
    act = _fmpq_activation(net.activation, _exact_activation(net.activation))
    WS = [[[q(v) for v in row] for row in layer] for layer in shen_layers(net, W, b)]
    return shen_system(net, WS, [[q(v) for v in c] for c in _columns(pt.X)],
                       [[q(v) for v in c] for c in _columns(pt.Y)], act)


def _fmpq_activation(act, slow):
    """``f(z, k)`` on fmpq: a piece's k-th derivative as a ratio of rational polynomials (Horner, exact);
    kinks and non-polynomial forms go through ``slow`` (the SymPy path, same values)."""
    from flint import fmpq

    from lossgeom.activations import X as ARG
    forms = {}

    def compiled(piece, k):
        if (piece, k) not in forms:
            num, den = sp.fraction(sp.together(sp.diff(act.pieces[piece].expr, ARG, k)))
            try:
                coeffs = [[sp.Rational(c) for c in sp.Poly(e, ARG).all_coeffs()] for e in (num, den)]
                forms[piece, k] = [[fmpq(int(c.p), int(c.q)) for c in cs] for cs in coeffs]
            except (sp.PolynomialError, TypeError, ValueError):
                forms[piece, k] = None
        return forms[piece, k]

    def horner(cs, z):
        r = fmpq(0)
        for c in cs:
            r = r * z + c
        return r

    def apply(z, k):
        zs = sp.Rational(int(z.p), int(z.q))
        piece = None if act.generic else act.piece_index(zs)
        f = compiled(piece, k) if piece is not None else None
        if f is None:
            v = sp.Rational(slow(zs, k))
            return fmpq(int(v.p), int(v.q))
        return horner(f[0], z) / horner(f[1], z)
    return apply


def shen_gradient_residual(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS):
    """max |P eps - grad J| / max(1, max |grad J|) against lossgeom's engine (evaluate_net), order translated.

    Examples
    --------
    >>> from lossgeom import Net
    >>> r = shen_gradient_residual(Net(widths=(2, 2, 1), activation="tanh", bias=True),
    ...                            [[[1, 2], [3, 4]], [[1, -1]]], [[1, 0], [2]], X=[[1], [2]], Y=[[3]], dps=30)
    >>> r < 1e-25
    True
    """
    from lossgeom.numeric.evaluate import evaluate_net
    check_dps(dps)
    with working_precision(dps):
        ref = evaluate_net(net, weights, biases, X, Y, dps=dps, hessian=False).gradient
        mine = shen_system_mp(net, weights, biases, X, Y, dps).gradient()
        perm = shen_permutation(net)
        scale = max([mpmath.mpf(1)] + [abs(v) for v in ref])
        return max(abs(mine[k] - ref[perm[k]]) for k in range(len(perm))) / scale


def _fmpq_mat(rows):
    """python-flint fmpq_mat of exact rational rows (DataError for any other entry)."""
    from flint import fmpq, fmpq_mat
    rows = [[sp.sympify(v) for v in r] for r in rows]
    bad = [v for r in rows for v in r if not v.is_Rational]
    if bad:
        raise DataError("matrix: exact rank needs rational entries, got %s" % bad[0])
    return fmpq_mat([[fmpq(int(v.p), int(v.q)) for v in r] for r in rows])


def rational_rank(rows):
    """Exact rank of a rational matrix given as rows (python-flint fmpq_mat).

    Examples
    --------
    >>> rational_rank([[1, 2], [2, 4], [sp.Rational(1, 3), 1]])
    2
    """
    M = check_matrix(rows, "rows")
    if not M.rows or not M.cols:
        return 0
    return _fmpq_mat(M.tolist()).rank()


def _pivots(mid, tol):
    """Rows and columns of a nonzero minor found by full-pivoting elimination on the midpoints."""
    A = [list(r) for r in mid]
    rows, cols = [], []
    n, m = len(A), len(A[0])
    while True:
        best, at = 0, None
        for i in range(n):
            if i in rows:
                continue
            for j in range(m):
                if j not in cols and abs(A[i][j]) > best:
                    best, at = abs(A[i][j]), (i, j)
        if at is None or best <= tol:
            return rows, cols
        i, j = at
        rows.append(i)
        cols.append(j)
        for r in range(n):
            if r not in rows and A[r][j] != 0:
                f = A[r][j] / A[i][j]
                A[r] = [a - f * p for a, p in zip(A[r], A[i])]


def _ball_rows(balls):
    """A non-empty matrix of arb balls, rows of equal length; exact numbers become exact balls."""
    from flint import arb, fmpq
    rows = [check_sequence(r, "balls[%d]" % i, "a row (a list)")
            for i, r in enumerate(check_sequence(balls, "balls", "a list of rows"))]
    if not rows or not rows[0] or len({len(r) for r in rows}) != 1:
        raise DataError("balls: expected a non-empty matrix with rows of equal length")
    out = []
    for i, r in enumerate(rows):
        out.append([])
        for j, b in enumerate(r):
            if not isinstance(b, arb):
                q = parse_number(b, "balls[%d][%d]" % (i, j))
                b = arb(fmpq(int(q.p), int(q.q)))
            out[-1].append(b)
    return out


def ball_rank(balls, dps=DEFAULT_DPS):
    """(rank, basis, tolerance) of a matrix of arb balls: certified when a minor's determinant excludes 0.

    basis is ``"certified"`` when the rank equals the smaller dimension and a full-size minor is
    certified nonzero; ``"certified >= r"`` is never returned as a rank: a smaller rank is
    ``"tolerance"`` (its lower bound is certified, its upper bound only holds at ``tolerance``).

    Examples
    --------
    >>> from flint import arb
    >>> ball_rank([[arb(1), arb(2)], [arb(3), arb(4)], [arb(5), arb(6)]], dps=20)
    (2, 'certified', None)
    >>> ball_rank([[arb(1), arb(2)], [arb(2), arb(4)]], dps=20)[:2]
    (1, 'tolerance')
    """
    from flint import arb_mat, ctx
    check_dps(dps)
    balls = _ball_rows(balls)
    with working_precision(dps):
        mid = [[mpmath.mpf(b.mid().str(dps + 5, radius=False)) for b in r] for r in balls]
        scale = max([mpmath.mpf(1)] + [abs(v) for r in mid for v in r])
        tol = tolerance(dps, scale=scale * max(len(mid), len(mid[0])))
        rows, cols = _pivots(mid, tol)
    r, full = len(rows), min(len(balls), len(balls[0]))
    if r == 0:
        return 0, "tolerance", mpmath.nstr(tol, 3)
    with ctx.workdps(dps + 10):
        det = arb_mat([[balls[i][j] for j in cols] for i in rows]).det()
    if r == full and not det.contains(0):
        return r, "certified", None
    return r, "tolerance", mpmath.nstr(tol, 3)


def certified_rank(balls, dps=DEFAULT_DPS):
    """(lower, upper, basis) for the rank of every matrix inside a matrix of arb balls.

    ``lower`` is certified: an r x r minor (rows and columns chosen by pivoting on the midpoints) has a
    determinant ball excluding 0.  ``upper`` is given only when it is proved: all balls exact (the rank
    of that exact dyadic matrix, fmpq) or ``lower`` equals the smaller dimension; otherwise it is None
    (undecided: a ball matrix containing a rank-deficient matrix also contains full-rank ones).

    Examples
    --------
    >>> from flint import arb
    >>> certified_rank([[arb(1), arb(2)], [arb(2), arb(4)]], dps=20)
    (1, 1, 'exact')
    >>> certified_rank([[arb(1), arb(2)], [arb(2), arb(4, 1e-30)]], dps=20)
    (1, None, 'certified lower bound')
    """
    from flint import arb_mat, ctx, fmpq, fmpq_mat
    check_dps(dps)
    balls = _ball_rows(balls)
    full = min(len(balls), len(balls[0]))
    if all(b.is_exact() for r in balls for b in r):
        def exact(b):
            man, e = b.mid().man_exp()
            return fmpq(int(man) * 2 ** int(e)) if e >= 0 else fmpq(int(man), 2 ** -int(e))
        r = fmpq_mat([[exact(b) for b in row] for row in balls]).rank()
        return r, r, "exact"
    with working_precision(dps):
        mid = [[mpmath.mpf(b.mid().str(dps + 5, radius=False)) for b in r] for r in balls]
        scale = max([mpmath.mpf(1)] + [abs(v) for r in mid for v in r])
        rows, cols = _pivots(mid, tolerance(dps, scale=scale * max(len(mid), len(mid[0]))))
    lower = 0
    with ctx.workdps(dps + 10):
        for k in range(len(rows), 0, -1):
            if not arb_mat([[balls[i][j] for j in cols[:k]] for i in rows[:k]]).det().contains(0):
                lower = k
                break
    if lower == full:
        return lower, lower, "certified"
    return lower, None, "certified lower bound"


def _exact_text(q, dps):
    """A rational as "p/q", or as a decimal when its digits are too many to print (no int-to-text conversion)."""
    q = sp.Rational(q)
    if max(abs(q.p).bit_length(), q.q.bit_length()) < 3000:
        return str(q)
    with working_precision(dps):
        return mpmath.nstr(mpmath.mpf(q.p) / q.q, 10) + " (exact rational, shown to 10 digits)"


@dataclass(frozen=True)
class ShenRank:
    """Ranks of P(W) and its blocks at one point, the counts and the main theorem's verdict.

    ``basis`` is ``exact`` (rational P), ``certified`` (arb minor) or ``tolerance``; ``critical`` is
    decided exactly for rational P, else at ``tolerance``.  ``rank_lower`` / ``rank_upper`` are the proved
    bounds of :func:`certified_rank` (``rank_upper`` None: undecided); ``critical_basis`` is ``exact``
    or ``tolerance`` (with a note when a gradient ball at the exact point excludes 0: the point itself
    is then certified not critical, however small the gradient).
    """

    block_ranks: tuple
    block_bases: tuple
    rank: int
    basis: str
    tolerance: str
    n_net: int
    n_lt: int
    critical: bool
    exact_fit: bool
    gradient_norm: str
    verdict: str
    rank_lower: int = None
    rank_upper: int = None
    critical_basis: str = "exact"

    def to_dict(self):
        """JSON-ready fields."""
        return dict(self.__dict__, block_ranks=list(self.block_ranks), block_bases=list(self.block_bases))

    def __repr__(self):
        return short_repr(self, {"rank": self.rank, "basis": self.basis, "n_net": self.n_net, "n_lt": self.n_lt,
                                 "critical": self.critical, "exact_fit": self.exact_fit, "verdict": self.verdict})

    def _repr_latex_(self):
        r"""Jupyter's display: rank P(W) against n_L T, the block ranks, N_net and the theorem's verdict.

        Examples
        --------
        >>> from lossgeom import Net
        >>> r = shen_rank(Net(widths=(2, 2, 1), activation="softsign", bias=True), [[[0, 0], [0, 0]], [[0, 0]]],
        ...               [[1, -1], ["1/2"]], X=[[0, 0, 1, 1], [0, 1, 0, 1]], Y=[[0, 1, 1, 0]])
        >>> r"\operatorname{rank} P(W) & 1 < n_L T = 4" in r._repr_latex_()
        True
        """
        rel = "=" if self.rank == self.n_lt else ("<" if self.rank < self.n_lt else ">")
        bounds = ("" if self.rank_lower is None or (self.rank_lower == self.rank_upper == self.rank) else
                  r"\ (\text{proved } %s \le \operatorname{rank} \le %s)" % (self.rank_lower, self.rank_upper
                                                                          if self.rank_upper is not None else "?"))
        return summary_latex("Shen's matrix P(W) at one point", [
            (r"\operatorname{rank} P(W)", ("latex", r"%d %s n_L T = %d%s" % (self.rank, rel, self.n_lt, bounds))),
            ("basis", self.basis),
            (r"\operatorname{rank} P_l,\ l = 1, 2, \dots", tuple(self.block_ranks)),
            (r"N_{\mathrm{net}}", self.n_net), ("critical", self.critical), (r"\varepsilon = 0", self.exact_fit),
            (r"\|\nabla E\|_\infty", self.gradient_norm), ("verdict", self.verdict)])


def shen_verdict(critical, exact_fit, rank, n_lt, certain=True):
    """Shen's main theorem at one point, as a verdict string.

    Exact learning + Principle 1 (square loss: grad_1 E = 0 iff yhat = y) + rank P = n_L T at a
    critical point give P eps = 0 => eps = 0 => a global minimum (J = 0).

    Examples
    --------
    >>> shen_verdict(True, True, 4, 4)
    'global minimum: critical and rank P = n_L T, so eps = 0 (the theorem applies)'
    >>> shen_verdict(True, False, 1, 4)
    'critical with eps != 0 and rank P < n_L T: the theorem does not apply; not a global minimum (J > 0)'
    """
    if not critical:
        return "not a critical point: the theorem says nothing"
    if rank == n_lt:
        if not exact_fit:
            return ("CONTRADICTION: rank P = n_L T at a critical point with eps != 0" if certain else
                    "undecided: rank P = n_L T only at tolerance, and eps != 0")
        return "global minimum: critical and rank P = n_L T, so eps = 0 (the theorem applies)" + (
            "" if certain else "; the rank holds at tolerance only (not certified)")
    if exact_fit:
        return "global minimum (eps = 0) although rank P < n_L T: the theorem's condition is sufficient, not necessary"
    return "critical with eps != 0 and rank P < n_L T: the theorem does not apply; not a global minimum (J > 0)"


def shen_rank(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS):
    """Ranks of P and of each block P_l, N_net, n_L T and the verdict at exact lossgeom-convention weights.

    Examples
    --------
    >>> from lossgeom import Net
    >>> r = shen_rank(Net(widths=(2, 2, 1), activation="softsign", bias=True),
    ...               [[[0, 0], [0, 0]], [[0, 0]]], [[1, -1], ["1/2"]], X=[[0, 0, 1, 1], [0, 1, 0, 1]], Y=[[0, 1, 1, 0]])
    >>> r.block_ranks, r.rank, r.basis, r.n_net, r.n_lt, r.critical, r.exact_fit
    ((0, 1), 1, 'exact', 9, 4, True, False)
    """
    check_dps(dps)
    pt, W, b = _exact_inputs(net, weights, biases, X, Y)
    n_lt = net.widths[-1] * pt.X.cols
    if net.activation.name in RATIONAL:
        from flint import fmpq_mat
        s = shen_system_fmpq(net, W, b, pt.X, pt.Y)
        blocks = tuple(fmpq_mat([list(r) for r in B]).rank() if B else 0 for B in s.blocks)
        bases = ("exact",) * len(blocks)
        Pm = fmpq_mat([list(r) for r in s.P])
        rank, basis, tol = Pm.rank(), "exact", "exact"
        g = [sp.Rational(int(v.p), int(v.q)) for v in (Pm * fmpq_mat([[e] for e in s.eps])).entries()]
        critical, fit = all(v == 0 for v in g), all(e == 0 for e in s.eps)
        norm = _exact_text(max([abs(v) for v in g] + [sp.Integer(0)]), dps)
        lower = upper = rank
        cbasis = "exact"
    else:
        s = shen_system_balls(net, W, b, pt.X, pt.Y, dps)
        found = [ball_rank(B, dps) for B in s.blocks]
        blocks, bases = tuple(f[0] for f in found), tuple(f[1] for f in found)
        rank, basis, tol = ball_rank(s.P, dps)
        lower, upper, _ = certified_rank(s.P, dps)
        with working_precision(dps):
            sm = shen_system_mp(net, W, b, pt.X, pt.Y, dps)
            g = sm.gradient()
            t = tolerance(dps, scale=max([mpmath.mpf(1)] + [abs(v) for v in sm.eps]) * len(g))
            critical, fit = all(abs(v) <= t for v in g), all(abs(e) <= t for e in sm.eps)
            norm = mpmath.nstr(max(abs(v) for v in g), 10)
        cbasis = ("tolerance; the exact point is certified not critical (a gradient ball excludes 0)"
                  if any(not v.contains(0) for v in s.gradient()) else "tolerance")
        tol = tol or mpmath.nstr(t, 3)
    verdict = shen_verdict(critical, fit, rank, n_lt, certain=basis in ("exact", "certified"))
    return ShenRank(blocks, bases, rank, basis, tol, s.n_rows, n_lt, critical, fit, norm, verdict, lower, upper,
                    cbasis)


def khatri_rao_counterexample(A, B, bound):
    """None when rank(A kr B) >= bound(A, B) for exact A, B (column-wise Khatri-Rao), else the ranks.

    ``bound(rank_a, rank_b, A, B)`` returns the claimed lower bound.  The form checked by the toolkit:
    rank(A kr B) >= rank A when B has no zero column, >= rank B when A has no zero column (hence >= max
    when neither has one), = T when one of them also has full column rank.

    Examples
    --------
    >>> wrong = lambda ra, rb, A, B: ra + rb
    >>> khatri_rao_counterexample(sp.eye(2), sp.eye(2), wrong)
    {'rank A': 2, 'rank B': 2, 'rank A kr B': 2, 'claimed >=': 4}
    """
    A, B = check_matrix(A, "A"), check_matrix(B, "B", (None, A.cols if isinstance(A, sp.MatrixBase) else None))
    check_callable(bound, "bound")
    if A.cols != B.cols:
        raise DataError("B: expected %d columns (as many as A), got %d" % (A.cols, B.cols))
    ra, rb, rc = rational_rank(A.tolist()), rational_rank(B.tolist()), rational_rank(khatri_rao(A, B).tolist())
    claim = bound(ra, rb, A, B)
    return None if rc >= claim else {"rank A": ra, "rank B": rb, "rank A kr B": rc, "claimed >=": claim}


def sylvester_counterexample(A, B, slack=0):
    """None when rank(AB) >= rank A + rank B - n + slack (n = A's columns), else the ranks.

    ``slack = 0`` is Sylvester's inequality; ``slack = 1`` is a deliberately false bound.

    Examples
    --------
    >>> sylvester_counterexample(sp.Matrix([[1, 0]]), sp.Matrix([[0], [1]])) is None
    True
    >>> sylvester_counterexample(sp.Matrix([[1, 0]]), sp.Matrix([[0], [1]]), slack=1)
    {'rank A': 1, 'rank B': 1, 'n': 2, 'rank AB': 0, 'claimed >=': 1}
    """
    A, B = check_matrix(A, "A"), check_matrix(B, "B")
    check_int(slack, "slack")
    if A.cols != B.rows:
        raise DataError("B: expected %d rows (A's columns), got %d" % (A.cols, B.rows))
    ra, rb, rab = rational_rank(A.tolist()), rational_rank(B.tolist()), rational_rank((A * B).tolist())
    claim = ra + rb - A.cols + slack
    return None if rab >= claim else {"rank A": ra, "rank B": rb, "n": A.cols, "rank AB": rab, "claimed >=": claim}


def _direction(X):
    """A rational direction a = (1, k, k^2, ...) with distinct projections a^T x_i."""
    for k in range(1, 200):
        a = [sp.Integer(k) ** e for e in range(X.rows)]
        s = [sum(ai * X[r, i] for r, ai in enumerate(a)) for i in range(X.cols)]
        if len(set(s)) == len(s):
            return a, s
    raise DataError("inputs: the samples must be distinct (no direction separates them)")


def exact_learner(X, Y, activation="softsign", gain=4, dps=DEFAULT_DPS):
    """Weights of a net with T - 1 hidden units and dummy units (biases) fitting T distinct samples.

    Construction: a direction a with distinct projections s_i = a^T x_i; hidden unit j is
    sigma(g (a^T x - t_j)) with t_j midway between the j-th and (j+1)-th smallest s_i; then
    M = [Phi_1; 1^T]^T (T x T) is invertible (checked: exactly for rational activations, by a
    determinant ball excluding 0 otherwise; the gain is doubled until it is) and the output weights
    solve M [w; c] = y^T, exactly or at ``dps`` digits.

    Returns
    -------
    (weights, biases, basis)
        lossgeom-convention weights [W_1, W_2] and biases [b_1, b_2] (Rationals, or mpf at ``dps``
        for the output layer of a transcendental activation); basis ``"exact"`` or ``"certified"``.

    Examples
    --------
    >>> from lossgeom import Net
    >>> W, b, basis = exact_learner(sp.Matrix([[0, 0, 1, 1], [0, 1, 0, 1]]), sp.Matrix([[0, 1, 1, 0]]))
    >>> basis, len(W[0]), shen_rank(Net(widths=(2, 3, 1), activation="softsign", bias=True), W, b,
    ...                             [[0, 0, 1, 1], [0, 1, 0, 1]], [[0, 1, 1, 0]]).verdict[:14]
    ('exact', 3, 'global minimum')
    """
    X, Y = check_matrix(X, "X"), check_matrix(Y, "Y", (None, X.cols if isinstance(X, sp.MatrixBase) else None))
    if Y.cols != X.cols or X.cols < 2:
        raise DataError("Y: expected %d samples (columns, as in X, at least 2), got %d" % (X.cols, Y.cols))
    check_str(activation, "activation")
    check_dps(dps)
    gain = parse_number(gain, "gain")
    if gain <= 0:
        raise DataError("gain: expected a number > 0, got %s" % gain)
    T = X.cols
    a, s = _direction(X)
    srt = sorted(s)
    t = [(srt[j] + srt[j + 1]) / 2 for j in range(T - 1)]
    act = get_activation(activation)
    for _ in range(20):
        W1 = [[gain * ai for ai in a] for _ in range(T - 1)]
        b1 = [-gain * tj for tj in t]
        if act.name in RATIONAL:
            M = sp.Matrix(T, T, lambda i, j: act.apply(gain * (s[i] - t[j]), 0) if j < T - 1 else 1)
            if M.det() != 0:
                V = M.solve(Y.T)
                return ([W1, [list(V[:T - 1, c]) for c in range(Y.rows)]], [b1, list(V[T - 1, :])], "exact")
        else:
            out = _ball_learner(act, gain, s, t, Y, dps)
            if out is not None:
                return [W1, out[0]], [b1, out[1]], "certified"
        gain *= 2
    raise DataError("exact_learner: no invertible hidden layer found")  # pragma: no cover


def _ball_learner(act, gain, s, t, Y, dps):
    from flint import arb, arb_mat, ctx, fmpq
    T = len(s)
    q = lambda v: arb(fmpq(int(v.p), int(v.q)))  # noqa: E731
    f = ball_activation(act.name)
    with ctx.workdps(dps + 10):
        M = arb_mat([[f(q(gain * (s[i] - t[j])), 0) if j < T - 1 else arb(1) for j in range(T)] for i in range(T)])
        if M.det().contains(0):
            return None
    with working_precision(dps):
        Mm = mpmath.matrix(T, T)
        for i in range(T):
            for j in range(T):
                Mm[i, j] = act.evaluate(mpmath.mpf(gain * (s[i] - t[j])), 0) if j < T - 1 else 1
        sol = [mpmath.lu_solve(Mm, mpmath.matrix([mpmath.mpf(int(v.p)) / int(v.q) for v in Y.row(c)]))
               for c in range(Y.rows)]
    return [[v[j] for j in range(T - 1)] for v in sol], [v[T - 1] for v in sol]
