"""Activation cells of piecewise-linear nets (He, Wang & Tao, ICLR 2020, Part 2) and exact interval
certificates (Part 1), all in exact rational arithmetic.

A *cell* is one activation pattern per sample (:class:`lossgeom.point.Pattern` with per-sample entries):
the set of weights where every pre-activation h_{l,k}(x_s) lies in the open interval of the piece the
pattern names.  Inside a cell each hidden unit computes f(x) = s x + c with the piece's slope and
offset, so the output is a polynomial in the weights of degree at most 1 in each layer (multi-affine);
the cell's inequalities are linear in the weights of ONE layer when the others are fixed, and polynomial
(degree l in the weights of layers 1..l) jointly.

Samples are the columns of X (d_x x m), as in :mod:`lossgeom.models`.
"""

from fractions import Fraction
from functools import lru_cache

import sympy as sp

from lossgeom.activations import X as XVAR
from lossgeom.checks import (
    check_bool,
    check_callable,
    check_expr,
    check_int,
    check_layers,
    check_mapping,
    check_matrices,
    check_matrix,
    check_net,
    check_real,
    check_sequence,
    check_shape,
)
from lossgeom.errors import DataError
from lossgeom.numbers import parse_number

__all__ = ["Interval", "piece_affine", "pattern_at", "certify_cell_box", "cell_weight_symbols", "cell_forward",
           "generic_affine", "layer_degrees", "path_reparametrisation", "cells_on_line", "cells_on_plane",
           "layer_inequalities"]


def _frac(v, field="value"):
    if isinstance(v, Fraction):
        return v
    v = parse_number(v, field)
    return Fraction(int(v.p), int(v.q))


class Interval:
    """A closed interval [lo, hi] of rationals (Python Fractions) with exact interval arithmetic.

    Every operation returns an interval that contains every value the operation can take on its
    arguments' intervals (the arithmetic is exact, so the enclosure is a proof, not an estimate).

    Examples
    --------
    >>> a = Interval(1, 2)
    >>> a * Interval(-1, 3), 1 / a, a - 1
    (Interval(-2, 6), Interval(1/2, 1), Interval(0, 1))
    """

    __slots__ = ("lo", "hi")

    def __init__(self, lo, hi=None):
        lo = _frac(lo, "lo")
        hi = lo if hi is None else _frac(hi, "hi")
        if lo > hi:
            raise DataError("Interval: expected lo <= hi, got %s > %s" % (lo, hi))
        self.lo, self.hi = lo, hi

    @staticmethod
    def of(v):
        """``v`` as an interval (an Interval is returned unchanged)."""
        return v if isinstance(v, Interval) else Interval(v)

    def __add__(self, other):
        o = Interval.of(other)
        return Interval(self.lo + o.lo, self.hi + o.hi)

    __radd__ = __add__

    def __neg__(self):
        return Interval(-self.hi, -self.lo)

    def __sub__(self, other):
        return self + (-Interval.of(other))

    def __rsub__(self, other):
        return Interval.of(other) - self

    def __mul__(self, other):
        o = Interval.of(other)
        p = [self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi]
        return Interval(min(p), max(p))

    __rmul__ = __mul__

    def reciprocal(self):
        """1 / self for an interval not containing 0."""
        if self.lo <= 0 <= self.hi:
            raise DataError("Interval: reciprocal of an interval containing 0: [%s, %s]" % (self.lo, self.hi))
        return Interval(1 / self.hi, 1 / self.lo)

    def __truediv__(self, other):
        return self * Interval.of(other).reciprocal()

    def __rtruediv__(self, other):
        return Interval.of(other) * self.reciprocal()

    def widen(self, r):
        """[lo - r, hi + r]."""
        return Interval(self.lo - _frac(r), self.hi + _frac(r))

    def inside(self, lower, upper):
        """True when lower < lo and hi < upper (open piece interval; +-oo allowed)."""
        return bool(lower < sp.Rational(self.lo.numerator, self.lo.denominator)) and \
            bool(sp.Rational(self.hi.numerator, self.hi.denominator) < upper)

    def __repr__(self):
        return "Interval(%s, %s)" % (self.lo, self.hi)


@lru_cache(maxsize=256)
def _piece_fractions(activation, k):
    return tuple(_frac(v) for v in _piece_affine(activation, k))


def _as_interval(v, field):
    return v if isinstance(v, Interval) else Interval(_frac(v, field))


def piece_affine(activation, k):
    """(slope, offset) of piece ``k`` of a piecewise-linear activation: f(x) = slope x + offset there.

    Examples
    --------
    >>> from lossgeom.models import three_piece
    >>> [piece_affine(three_piece(), k) for k in range(3)]
    [(1/2, 0), (1, 0), (2, -1)]
    """
    from lossgeom.activations import Activation, get_activation
    if not isinstance(activation, Activation):
        activation = get_activation(activation)
    k = check_int(k, "k", 0, len(activation.pieces) - 1)
    return _piece_affine(activation, k)


@lru_cache(maxsize=256)
def _piece_affine(activation, k):
    expr = activation.pieces[k].expr
    slope = sp.diff(expr, XVAR)
    if sp.diff(slope, XVAR) != 0:
        raise DataError("activation: piece %d of %s is not affine" % (k, activation.label))
    return slope, expr.subs(XVAR, 0)


def _layers(weights, biases):
    W = [sp.Matrix(w) for w in weights]
    b = [sp.Matrix(v) for v in biases] if biases is not None else [sp.zeros(w.rows, 1) for w in W]
    return W, b


def pattern_at(net, weights, biases, X):
    """The cell of an exact point: {(s, l, k): piece} for every sample s, hidden layer l and unit k
    (all from 1), or None when some pre-activation sits exactly at a kink.

    Examples
    --------
    >>> from lossgeom.net import Net
    >>> net = Net(widths=(1, 2, 1), activation="relu")
    >>> pattern_at(net, [[[1], [-1]], [[1, 1]]], None, [[1, -1]])
    {(1, 1, 1): 1, (1, 1, 2): 0, (2, 1, 1): 0, (2, 1, 2): 1}
    >>> pattern_at(net, [[[1], [-1]], [[1, 1]]], None, [[0, 1]]) is None
    True
    """
    net = check_net(net)
    W = check_matrices(weights, "weights", net.depth)
    b = check_matrices(biases, "biases", net.depth) if biases is not None else [sp.zeros(w.rows, 1) for w in W]
    X = check_matrix(X, "X", (net.widths[0], None))
    for l in range(net.depth):
        check_shape(W[l], "weights[%d]" % l, (net.widths[l + 1], net.widths[l]))
        check_shape(b[l], "biases[%d]" % l, (net.widths[l + 1], 1))
    out = {}
    for s in range(X.cols):
        a = X[:, s]
        for l in range(1, net.depth):
            h = W[l - 1] * a + b[l - 1]
            vals = []
            for k in range(h.rows):
                idx = net.activation.piece_index(h[k])
                if idx is None:
                    return None
                out[(s + 1, l, k + 1)] = idx
                vals.append(net.activation.apply(h[k]))
            a = sp.Matrix(vals)
    return out


def certify_cell_box(net, weights, biases, X, pattern, r):
    """Decide exactly that every point of the box |theta' - theta|_inf <= r about every theta of an
    interval family lies in the cell ``pattern``.

    ``weights`` and ``biases`` hold exact numbers or :class:`Interval` entries (a family of points, e.g.
    a parameter over an exact interval); each entry is widened by r and the hidden pre-activations are
    enclosed layer by layer by exact interval arithmetic.  Where every enclosure lies inside the open
    interval of its piece, the enclosure of the next layer's input is exact (slope x + offset of an
    interval), so the test is a proof: True means every point of the box is in the cell.  (It is
    sufficient, not necessary: a False box may still lie in the cell.)

    Parameters
    ----------
    net : Net
    weights, biases : list of matrices (numbers or Interval)
    X : matrix, samples as columns (exact)
    pattern : dict
        {(s, l, k): piece} as :func:`pattern_at` returns.
    r : rational >= 0

    Returns
    -------
    (bool, list of str)
        The decision and the enclosures that leave their piece (empty when certified).

    Examples
    --------
    >>> from lossgeom.net import Net
    >>> net = Net(widths=(1, 1, 1), activation="relu", bias=True)
    >>> pat = {(1, 1, 1): 1}
    >>> certify_cell_box(net, [[[1]], [[1]]], [[1], [0]], [[1]], pat, sp.Rational(1, 2))
    (True, [])
    >>> certify_cell_box(net, [[[1]], [[1]]], [[1], [0]], [[1]], pat, 1)[0]
    False
    """
    net = check_net(net)
    X = check_matrix(X, "X", (net.widths[0], None))
    r = _frac(r, "r")
    check_layers(weights, "weights")
    pattern = check_mapping(pattern, "pattern")
    biases = biases if biases is not None else [[0] * n for n in net.widths[1:]]
    check_layers(biases, "biases")
    _check_interval_shapes(net, weights, biases)
    if r < 0:
        raise DataError("r: expected a radius >= 0, got %s" % r)
    W = [[[_as_interval(v, "weights").widen(r) for v in row] for row in w] for w in weights]
    bias_r = r if net.bias else 0
    b = [[_as_interval(v, "biases").widen(bias_r) for v in _flat(vec)] for vec in biases]
    bad = []
    for s in range(X.cols):
        a = [Interval(X[j, s]) for j in range(X.rows)]
        for l in range(1, net.depth):
            nxt = []
            for k, row in enumerate(W[l - 1]):
                h = b[l - 1][k] + sum((wij * aj for wij, aj in zip(row, a)), Interval(0))
                piece = pattern.get((s + 1, l, k + 1))
                if not isinstance(piece, int) or not 0 <= piece < len(net.activation.pieces):
                    raise DataError("pattern: expected a piece index for (%d, %d, %d), got %r" % (s + 1, l, k + 1, piece))
                pc = net.activation.pieces[piece]
                if not h.inside(pc.lower, pc.upper):
                    bad.append("sample %d, h%d[%d] in %r leaves piece %d" % (s + 1, l, k + 1, h, piece))
                slope, offset = _piece_fractions(net.activation, piece)
                nxt.append(slope * h + offset)
            a = nxt
    return not bad, bad


def _check_interval_shapes(net, weights, biases):
    if len(weights) != net.depth or len(biases) != net.depth:
        raise DataError("weights, biases: expected %d layers, got %d and %d" % (net.depth, len(weights), len(biases)))
    for l in range(net.depth):
        rows = list(weights[l])
        if len(rows) != net.widths[l + 1] or any(len(list(r)) != net.widths[l] for r in rows):
            raise DataError("weights[%d]: expected a %dx%d matrix" % (l, net.widths[l + 1], net.widths[l]))
        if len(_flat(biases[l])) != net.widths[l + 1]:
            raise DataError("biases[%d]: expected %d entries" % (l, net.widths[l + 1]))


def _flat(vec):
    out = []
    for v in vec:
        out.extend(_flat(v) if isinstance(v, (list, tuple)) else [v])
    return out


# -- Part 2: the polynomials of a cell -------------------------------------------------------------------

def _symbolic_layers(W, b, field=("W", "b")):
    """Validated symbolic layers: matrices with chained shapes, b_l a column of W_l's rows."""
    W = check_matrices(W, field[0], symbolic=True)
    b = check_matrices(b, field[1], len(W), symbolic=True)
    if not W:
        raise DataError("%s: expected at least one layer" % field[0])
    for l in range(len(W)):
        if l and W[l].cols != W[l - 1].rows:
            raise DataError("%s[%d]: expected %d columns, got %d" % (field[0], l, W[l - 1].rows, W[l].cols))
        check_shape(b[l], "%s[%d]" % (field[1], l), (W[l].rows, 1))
    return W, b


def _sym(name):
    return sp.Symbol(name, real=True)


def cell_weight_symbols(widths, bias=True):
    """Symbolic layers: ([W_1, ..., W_L], [b_1, ..., b_L]) with entries W{l}_{i}_{j}, b{l}_{i} (zeros without bias).

    Examples
    --------
    >>> W, b = cell_weight_symbols((1, 2, 1))
    >>> W[1], b[1]
    (Matrix([[W2_1_1, W2_1_2]]), Matrix([[b2_1]]))
    """
    widths = tuple(check_int(w, "widths[%d]" % k, 1, 64) for k, w in enumerate(check_sequence(widths, "widths")))
    bias = check_bool(bias, "bias")
    if len(widths) < 2:
        raise DataError("widths: expected at least 2 layer widths, got %d" % len(widths))
    W = [sp.Matrix(widths[l], widths[l - 1], lambda i, j, l=l: _sym("W%d_%d_%d" % (l, i + 1, j + 1)))
         for l in range(1, len(widths))]
    b = [sp.Matrix(widths[l], 1, lambda i, j, l=l: _sym("b%d_%d" % (l, i + 1)) if bias else 0)
         for l in range(1, len(widths))]
    return W, b


def cell_forward(W, b, X, affine):
    """Pre-activations and outputs inside a cell, as expressions in whatever W, b, X hold.

    ``affine(s, l, k)`` gives (slope, offset) of the piece unit k of hidden layer l takes on sample s
    (all from 1), so every hidden unit computes slope * h + offset.

    Returns
    -------
    (dict {(s, l, k): h}, list of output columns)

    Examples
    --------
    >>> W, b = cell_weight_symbols((1, 1, 1), bias=False)
    >>> pre, out = cell_forward(W, b, sp.Matrix([[2]]), lambda s, l, k: (3, 1))
    >>> pre[(1, 1, 1)], out[0][0]
    (2*W1_1_1, W2_1_1*(6*W1_1_1 + 1))
    """
    W, b = _symbolic_layers(W, b)
    X = check_matrix(X, "X", (W[0].cols, None), symbolic=True)
    check_callable(affine, "affine")
    pre, outs = {}, []
    for s in range(X.cols):
        a = X[:, s]
        for l in range(1, len(W)):
            h = W[l - 1] * a + b[l - 1]
            vals = []
            for k in range(h.rows):
                pre[(s + 1, l, k + 1)] = h[k]
                slope, offset = affine(s + 1, l, k + 1)
                vals.append(slope * h[k] + offset)
            a = sp.Matrix(vals)
        outs.append(W[-1] * a + b[-1])
    return pre, outs


def generic_affine(s, l, k):
    """Symbolic slope and offset per (sample, layer, unit): one identity covers every cell of every PL activation.

    Examples
    --------
    >>> generic_affine(1, 2, 3)
    (s1_2_3, c1_2_3)
    """
    s, l, k = (check_int(v, f, 1) for v, f in ((s, "s"), (l, "l"), (k, "k")))
    return _sym("s%d_%d_%d" % (s, l, k)), _sym("c%d_%d_%d" % (s, l, k))


def layer_degrees(expr, W, b):
    """[degree of ``expr`` in the entries of (W_l, b_l) for each layer l], and the total degree in all of them.

    Examples
    --------
    >>> W, b = cell_weight_symbols((1, 1, 1), bias=False)
    >>> layer_degrees(W[1][0] * (3 * W[0][0] + 1), W, b)
    ([1, 1], 2)
    """
    expr = check_expr(expr, "expr")
    W, b = _symbolic_layers(W, b)
    blocks = [list(W[l].free_symbols | b[l].free_symbols) for l in range(len(W))]
    expr = sp.expand(expr)
    per = [sp.Poly(expr, *blk).total_degree() if blk else 0 for blk in blocks]
    every = [v for blk in blocks for v in blk]
    return per, sp.Poly(expr, *every).total_degree()


def path_reparametrisation(outputs, W, b):
    """The reparametrisation of a cell: outputs = A What, with What the monomials in the weights (path products).

    Returns
    -------
    (A, What) : (Matrix m x p, list of p monomials)
        Row s of A holds the coefficients (slopes, offsets, data) of output s; outputs[s] == A[s, :] What exactly.

    Examples
    --------
    >>> W, b = cell_weight_symbols((1, 1, 1), bias=False)
    >>> _, out = cell_forward(W, b, sp.Matrix([[2, 1]]), lambda s, l, k: (1, 0))
    >>> path_reparametrisation([o[0] for o in out], W, b)
    (Matrix([
    [2],
    [1]]), [W1_1_1*W2_1_1])
    """
    outputs = [check_expr(o, "outputs[%d]" % i) for i, o in enumerate(check_sequence(outputs, "outputs"))]
    W, b = _symbolic_layers(W, b)
    every = sorted({v for l in range(len(W)) for v in W[l].free_symbols | b[l].free_symbols}, key=str)
    polys = [sp.Poly(sp.expand(o), *every) for o in outputs]
    monos = sorted({mono for p in polys for mono in p.monoms()}, reverse=True)
    what = [sp.Mul(*[v ** e for v, e in zip(every, mono)]) for mono in monos]
    A = sp.Matrix([[p.coeff_monomial(mono) for mono in monos] for p in polys])
    return A, what


# -- cells met along a line and a plane --------------------------------------------------------------------

_T = sp.Symbol("t", real=True)


def _line_layers(weights, biases, dweights, dbiases, t):
    W = [sp.Matrix(w) + t * sp.Matrix(d) for w, d in zip(weights, dweights)]
    b = [sp.Matrix(v) + t * sp.Matrix(d) for v, d in zip(biases, dbiases)]
    return W, b


def _boundary_polys(net, pattern, pre):
    """[(key, side, expression)]: h - lower and h - upper of each unit's piece (finite ends only)."""
    out = []
    for key in sorted(pre):
        piece = net.activation.pieces[pattern[key]]
        for side, bound in ((-1, piece.lower), (1, piece.upper)):
            if bound.is_finite:
                out.append((key, side, sp.expand(pre[key] - bound)))
    return out


def _pattern_affine(net, pattern):
    return lambda s, l, k: piece_affine(net.activation, pattern[(s, l, k)])


def cells_on_line(net, weights, biases, X, dweights, dbiases, T, eps=sp.Rational(1, 2 ** 30)):
    """The activation cells met by the segment theta0 + t d, t in [-T, T], counted exactly.

    Inside a cell every pre-activation is a polynomial in t; the line leaves the cell at the smallest
    root (after the current point) of h - (piece bound) over all units, isolated exactly with rational
    intervals (``sympy.intervals``).  Each crossing must be simple and by one unit alone (a generic line);
    otherwise a :class:`~lossgeom.errors.DataError` is raised.  The unit then takes the adjacent piece.

    Returns
    -------
    dict
        ``segments`` (number of maximal intervals of constant pattern), ``cells`` (distinct patterns),
        ``crossings`` (isolating intervals of the crossing parameters), ``patterns`` and ``samples``
        (a rational t inside each segment, for an independent check).

    Examples
    --------
    >>> from lossgeom.net import Net
    >>> net = Net(widths=(1, 1, 1), activation="relu", bias=True)
    >>> out = cells_on_line(net, [[[1]], [[1]]], [[0], [0]], [[1, 2]], [[[0]], [[0]]], [[1], [0]], 3)
    >>> out["segments"], out["cells"], out["crossings"], out["samples"]
    (3, 3, [(-2, -2), (-1, -1)], [-3, -3/2, 1])
    """
    net = check_net(net)
    X = check_matrix(X, "X", (net.widths[0], None))
    T, eps = _positive(T, "T"), _positive(eps, "eps")
    weights, biases = _numeric_layers(net, weights, biases, ("weights", "biases"))
    dweights, dbiases = _numeric_layers(net, dweights, dbiases, ("dweights", "dbiases"))
    W, b = _line_layers(weights, biases, dweights, dbiases, _T)
    at = lambda t: ([w.subs(_T, t) for w in W], [v.subs(_T, t) for v in b])  # noqa: E731
    pattern = pattern_at(net, *at(-T), X)
    if pattern is None:
        raise DataError("line: the start t = -T sits at a kink; expected a generic line")
    patterns, crossings, samples, lo, prev, crossed = [pattern], [], [-T], -T, None, None
    while True:
        pre, _ = cell_forward(W, b, X, _pattern_affine(net, pattern))
        polys = _boundary_polys(net, pattern, pre)
        exprs = [p[2] for p in polys] + ([prev] if prev is not None else [])
        found = [iv for iv in sp.intervals([sp.Poly(e, _T) for e in exprs], inf=lo, sup=T, eps=eps)]
        if prev is not None:
            start = next(i for i, (_, idx) in enumerate(found) if len(exprs) - 1 in idx)
            same = {i for i, (key, side, _) in enumerate(polys) if (key, side) == crossed}
            if not set(found[start][1]) - {len(exprs) - 1} <= same:
                raise DataError("line: two units cross at the same t; expected a generic line")
            here, found = found[start][0], found[start + 1:]
        else:
            here = (-T, -T)
        nxt = found[0] if found else None
        upper = nxt[0][0] if nxt else T
        if not here[1] < upper:
            raise DataError("line: crossings closer than eps; expected a generic line")
        if prev is not None:
            samples.append((here[1] + upper) / 2)
        if nxt is None:
            break
        (a, bnd), idx = nxt
        if len(idx) != 1 or list(idx.values()) != [1]:
            raise DataError("line: a multiple or simultaneous crossing at t in [%s, %s]; expected a generic line"
                            % (a, bnd))
        key, side, expr = polys[next(iter(idx))]
        pattern = dict(pattern)
        pattern[key] += side
        crossed = (key, -side)
        patterns.append(pattern)
        crossings.append((a, bnd))
        lo, prev = a, expr
    distinct = {tuple(sorted(p.items())) for p in patterns}
    return {"segments": len(patterns), "cells": len(distinct), "crossings": crossings, "patterns": patterns,
            "samples": samples}


def _positive(v, field):
    v = parse_number(check_real(v, field), field)
    if not v > 0:
        raise DataError("%s: expected a positive number, got %s" % (field, v))
    return v


def _numeric_layers(net, weights, biases, field):
    """Exact layers of ``net``'s shapes (zero biases when None)."""
    W = check_matrices(weights, field[0], net.depth)
    b = check_matrices(biases, field[1], net.depth) if biases is not None else \
        [sp.zeros(net.widths[l + 1], 1) for l in range(net.depth)]
    for l in range(net.depth):
        check_shape(W[l], "%s[%d]" % (field[0], l), (net.widths[l + 1], net.widths[l]))
        check_shape(b[l], "%s[%d]" % (field[1], l), (net.widths[l + 1], 1))
    return W, b


def cells_on_plane(net, weights, biases, X, directions, eps=sp.Rational(1, 2 ** 30)):
    """The number of activation cells met by the plane theta0 + u d1 + v d2 (all of R^2), for depth 2.

    With one hidden layer every pre-activation is affine in (u, v), so the cells in the plane are the
    faces of the arrangement of the distinct lines h_{s,k}(u, v) = kink; their number is exactly
    1 + n + sum over intersection points p of (lines through p - 1) (Euler's formula for line
    arrangements; parallel lines do not meet), all in exact rationals.

    Parameters
    ----------
    directions : ((dweights1, dbiases1), (dweights2, dbiases2))

    Examples
    --------
    >>> from lossgeom.net import Net
    >>> net = Net(widths=(1, 2, 1), activation="relu", bias=True)
    >>> d = (([[[1], [0]], [[0, 0]]], [[0, 0], [0]]), ([[[0], [0]], [[0, 0]]], [[0, 1], [0]]))
    >>> cells_on_plane(net, [[[1], [1]], [[1, 1]]], [[0, 0], [0]], [[1]], d)
    {'lines': 2, 'points': 1, 'cells': 4}
    """
    net = check_net(net)
    if net.depth != 2:
        raise DataError("net: cells_on_plane counts exactly for depth 2 (affine pre-activations), got depth %d"
                        % net.depth)
    X = check_matrix(X, "X", (net.widths[0], None))
    u, v = _sym("u"), _sym("v")
    weights, biases = _numeric_layers(net, weights, biases, ("weights", "biases"))
    dirs = check_sequence(directions, "directions", length=2)
    (dw1, db1), (dw2, db2) = [_numeric_layers(net, *check_sequence(d, "directions[%d]" % i, length=2),
                                              ("directions[%d] weights" % i, "directions[%d] biases" % i))
                              for i, d in enumerate(dirs)]
    W = weights[0] + u * dw1[0] + v * dw2[0]
    b = biases[0] + u * db1[0] + v * db2[0]
    lines = set()
    for s in range(X.cols):
        h = W * X[:, s] + b
        for k in range(h.rows):
            for kink in net.activation.kinks:
                p, q, r0 = [sp.expand(h[k] - kink).coeff(z) for z in (u, v)] + [sp.expand(h[k] - kink).subs({u: 0, v: 0})]
                if p == 0 and q == 0:
                    continue
                g = p if p != 0 else q
                lines.add((p / g, q / g, r0 / g))
    lines = sorted(lines, key=str)
    points = {}
    for i, (p1, q1, r1) in enumerate(lines):
        for p2, q2, r2 in lines[i + 1:]:
            det = p1 * q2 - p2 * q1
            if det != 0:
                pt = ((-r1 * q2 + r2 * q1) / det, (-p1 * r2 + p2 * r1) / det)
                points.setdefault(pt, set()).update({(p1, q1, r1), (p2, q2, r2)})
    cells = 1 + len(lines) + sum(len(through) - 1 for through in points.values())
    return {"lines": len(lines), "points": len(points), "cells": cells}


def layer_inequalities(net, weights, biases, X, layer):
    """The cell of an exact point as linear inequalities in the weights of ONE layer, the others fixed.

    With the pattern of the point fixed, every pre-activation h_{l,k}(x_s) of a layer l >= ``layer``
    is an affine function a . vec([W_layer, b_layer]) + c of that layer's entries (columns of
    [W_layer, b_layer] stacked); the cell is {lower < a . w + c < upper} over those units (units
    below ``layer`` do not depend on it).  Decided exactly: each row is checked to be of degree <= 1.

    Returns
    -------
    list of dict
        ``unit`` (s, l, k), ``piece``, ``coefficients`` (a row Matrix), ``constant`` c, ``lower``, ``upper``.

    Raises
    ------
    DataError
        When the point sits at a kink (it is in no open cell).

    Examples
    --------
    >>> from lossgeom.net import Net
    >>> net = Net(widths=(1, 1, 1), activation="relu", bias=True)
    >>> rows = layer_inequalities(net, [[[2]], [[3]]], [[1], [0]], [[1]], 1)
    >>> [(r["unit"], r["coefficients"], r["constant"], r["lower"], r["upper"]) for r in rows]
    [((1, 1, 1), Matrix([[1, 1]]), 0, 0, oo)]
    """
    net = check_net(net)
    layer = check_int(layer, "layer", 1, net.depth - 1)
    W, b = _numeric_layers(net, weights, biases, ("weights", "biases"))
    X = check_matrix(X, "X", (net.widths[0], None))
    pattern = pattern_at(net, W, b, X)
    if pattern is None:
        raise DataError("point: a pre-activation sits at a kink; expected a point inside a cell")
    Ws, bs = cell_weight_symbols(net.widths, net.bias)
    W, b = list(W), list(b)
    W[layer - 1], b[layer - 1] = Ws[layer - 1], bs[layer - 1]
    entries = [W[layer - 1][i, j] for j in range(W[layer - 1].cols) for i in range(W[layer - 1].rows)]
    entries += [v for v in b[layer - 1] if v != 0]
    pre, _ = cell_forward(W, b, X, _pattern_affine(net, pattern))
    rows = []
    for key in sorted(pre):
        if key[1] < layer:
            continue
        poly = sp.Poly(sp.expand(pre[key]), *entries)
        if poly.total_degree() > 1:
            raise DataError("layer_inequalities: h%s is not affine in layer %d" % (key, layer))
        piece = net.activation.pieces[pattern[key]]
        coeffs = sp.Matrix([[poly.coeff_monomial(v) for v in entries]])
        rows.append({"unit": key, "piece": pattern[key], "coefficients": coeffs,
                     "constant": poly.coeff_monomial(1), "lower": piece.lower, "upper": piece.upper})
    return rows
