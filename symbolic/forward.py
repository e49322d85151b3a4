"""Symbols, the symbolic forward trace, and the activation cells it can be restricted to.

One deterministic naming scheme, so LaTeX and tests are stable: weights ``W{l}[{i},{j}]``,
biases ``b{l}[{i}]``, input ``x[{j}]``, target ``y[{k}]``, and the named intermediates of a
derivation ``h{l}[{i}]`` (pre-activations), ``a{l}[{i}]`` (activations), ``delta{l}[{i}]``
(dE/dh_l), ``H{l}[{i},{j}]`` (pre-activation Hessian), ``G{l}[{i},{j}]`` (its Gauss-Newton
version).  All are real SymPy symbols; indices are 1-based.

A piecewise activation is smooth inside each of its pieces: an *activation cell* fixes every unit
to one piece (a ``pattern`` ``{(l, i): k}``), and :func:`activation_cells` enumerates them.
"""

import itertools
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from lossgeom.checks import check_int, check_layers, check_net, check_str
from lossgeom.data import parse_matrix, parse_vector
from lossgeom.errors import DataError, SizeLimitError
from lossgeom.limits import LIMITS
from lossgeom.point import Pattern, Point

__all__ = ["symbol", "weight_symbols", "bias_symbols", "input_symbols", "target_symbols", "parameter_symbols",
           "ForwardTrace", "forward_trace", "resolve_inputs", "one_sample_pattern", "activation_cells"]


def symbol(name):
    """The real symbol with this name (cached, so equal names give identical objects).

    Examples
    --------
    >>> symbol("W1[2,1]") is symbol("W1[2,1]")
    True
    """
    if type(name) is not str:  # checked before the cache hashes it
        check_str(name, "name")
    return _symbol(name)


@lru_cache(maxsize=None)
def _symbol(name):
    return sp.Symbol(name, real=True)


def weight_symbols(net, l):
    """W_l as a matrix of symbols ``W{l}[i,j]``.

    Examples
    --------
    >>> from lossgeom import Net
    >>> weight_symbols(Net(widths=(2, 1)), 1)
    Matrix([[W1[1,1], W1[1,2]]])
    """
    check_net(net)
    check_int(l, "l", 1, net.depth)
    r, c = net.layer_shape(l)
    return sp.ImmutableMatrix(r, c, lambda i, j: symbol("W%d[%d,%d]" % (l, i + 1, j + 1)))


def bias_symbols(net, l):
    """b_l as a column of symbols ``b{l}[i]``.

    Examples
    --------
    >>> from lossgeom import Net
    >>> bias_symbols(Net(widths=(1, 2), bias=True), 1).T
    Matrix([[b1[1], b1[2]]])
    """
    check_net(net)
    check_int(l, "l", 1, net.depth)
    return sp.ImmutableMatrix(net.widths[l], 1, lambda i, _: symbol("b%d[%d]" % (l, i + 1)))


def input_symbols(net):
    """x as a column of symbols ``x[j]``.

    Examples
    --------
    >>> from lossgeom import Net
    >>> input_symbols(Net(widths=(2, 1))).T
    Matrix([[x[1], x[2]]])
    """
    check_net(net)
    return sp.ImmutableMatrix(net.widths[0], 1, lambda i, _: symbol("x[%d]" % (i + 1)))


def target_symbols(net):
    """y as a column of symbols ``y[k]``.

    Examples
    --------
    >>> from lossgeom import Net
    >>> target_symbols(Net(widths=(2, 1))).T
    Matrix([[y[1]]])
    """
    check_net(net)
    return sp.ImmutableMatrix(net.widths[-1], 1, lambda i, _: symbol("y[%d]" % (i + 1)))


def parameter_symbols(net):
    """All parameter symbols in theta's order ([vec(W_1); b_1; vec(W_2); ...], columns stacked).

    Examples
    --------
    >>> from lossgeom import Net
    >>> parameter_symbols(Net(widths=(2, 2, 1), bias=True))[:6]
    (W1[1,1], W1[2,1], W1[1,2], W1[2,2], b1[1], b1[2])
    """
    check_net(net)
    return tuple(symbol(n) for n in net.parameter_names())


def resolve_inputs(net, weights=None, biases=None, x=None, y=None):
    """Exact weights, biases, input and target as immutable matrices; symbols where not given.

    Numbers are read exactly (``"1/3"``, ``"0.1"``); a matrix of the wrong shape is an error.

    Returns
    -------
    (weights, biases, x, y) : tuple
        ``weights`` and ``biases`` are tuples over layers (``biases`` is None without bias).

    Raises
    ------
    DataError
        For a matrix of the wrong shape or a malformed number, naming the field.

    Examples
    --------
    >>> from lossgeom import Net
    >>> W, b, x, y = resolve_inputs(Net(widths=(1, 1)), weights=[[["1/3"]]])
    >>> W[0], b, x.T
    (Matrix([[1/3]]), None, Matrix([[x[1]]]))
    >>> resolve_inputs(Net(widths=(1, 1)), weights=[[[1, 2]]])
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: weights[0][0]: expected 1 numbers, got 2
    >>> from lossgeom.point import resolve_point
    >>> pt = resolve_point(Net(widths=(1, 1)), [[["1/2"]]], X=[[3]], Y=[[1]])
    >>> resolve_inputs(pt.net, pt)[2:]   # a Point gives weights, biases and its one datapoint
    (Matrix([[3]]), Matrix([[1]]))
    """
    check_net(net)
    if weights is not None:
        check_layers(weights)
    if isinstance(weights, Point):
        weights, biases, x, y = _from_point(net, weights, biases, x, y)
    if weights is None:
        W = tuple(weight_symbols(net, l) for l in range(1, net.depth + 1))
    else:
        if len(weights) != net.depth:
            raise DataError("weights: expected %d matrices, got %d" % (net.depth, len(weights)))
        W = tuple(_as_matrix(w, "weights[%d]" % k, net.layer_shape(k + 1)) for k, w in enumerate(weights))
    if not net.bias:
        if biases is not None:
            raise DataError("biases: given, but the net has bias = False")
        b = None
    elif biases is None:
        b = tuple(bias_symbols(net, l) for l in range(1, net.depth + 1))
    else:
        if len(biases) != net.depth:
            raise DataError("biases: expected %d vectors, got %d" % (net.depth, len(biases)))
        b = tuple(_as_matrix(v, "biases[%d]" % k, (net.widths[k + 1], 1)) for k, v in enumerate(biases))
    xs = input_symbols(net) if x is None else _as_matrix(x, "x", (net.widths[0], 1))
    ys = target_symbols(net) if y is None else _as_matrix(y, "y", (net.widths[-1], 1))
    return W, b, xs, ys


def _from_point(net, point, biases, x, y):
    """Weights, biases and (x, y) of a Point: derivations are per datapoint, so its data must be one sample."""
    if point.net != net:
        raise DataError("point: bound to %s, but the net is %s" % (point.net, net))
    if biases is not None:
        raise DataError("biases: given with a Point, which carries its own biases")
    if x is None and y is None and point.has_data:
        if point.n_samples != 1:
            raise DataError("point: a symbolic trace takes one datapoint, the point has %d samples; pass x and y"
                            % point.n_samples)
        x, y = point.sample(1)
    return point.weights, point.biases, x, y


def _as_matrix(value, field, shape):
    if isinstance(value, sp.MatrixBase):
        if value.shape != shape:
            raise DataError("%s: expected shape %dx%d, got %dx%d" % ((field,) + shape + value.shape))
        return sp.ImmutableMatrix(value)
    if shape[1] == 1 and isinstance(value, (list, tuple)) and not any(isinstance(v, (list, tuple)) for v in value):
        return sp.ImmutableMatrix(parse_vector(list(value), field, length=shape[0]))
    return parse_matrix(value, field, shape=shape)


def one_sample_pattern(net, pattern):
    """The :class:`~lossgeom.point.Pattern` a one-sample derivation uses: shared entries, and sample 1's.

    Symbolic derivations are of one datapoint, so a per-sample entry for any other sample is an
    error rather than silently ignored.

    Raises
    ------
    PatternError
        For a unit, piece or sample that ``net`` (or the one sample) does not have.

    Examples
    --------
    >>> from lossgeom import Net
    >>> net = Net(widths=(1, 2, 1), activation="relu")
    >>> dict(one_sample_pattern(net, {(1, 1): 1, (1, 1, 2): 0}))
    {(1, 1): 1, (1, 2): 0}
    >>> one_sample_pattern(net, {(2, 1, 1): 0})
    Traceback (most recent call last):
    ...
    lossgeom.point.PatternError: pattern: sample 2, unit (1, 1): sample 2 is not one of 1..1
    """
    check_net(net)
    return Pattern.from_spec(pattern, net, n_samples=1).for_sample(1)


@dataclass(frozen=True)
class ForwardTrace:
    """The forward pass with every quantity expanded into weights, biases and input.

    Attributes
    ----------
    net : Net
    h : tuple of ImmutableMatrix
        h_1 .. h_L (columns), h_l = W_l a_{l-1} (+ b_l).
    a : tuple of ImmutableMatrix
        a_0 = x, a_1 .. a_L, a_l = f(h_l) (output activation on the last layer).
    weights, biases, x, y
        What the trace was built from.
    """

    net: object
    weights: tuple
    biases: tuple
    x: sp.ImmutableMatrix
    y: sp.ImmutableMatrix
    h: tuple
    a: tuple

    def loss(self):
        """E(a_L, y), plus (weight_decay/2) sum ||W||^2, as one expression."""
        E = self.net.loss.value(list(self.a[-1]), list(self.y))
        if self.net.weight_decay:
            E += self.net.weight_decay / 2 * sp.Add(*[w**2 for W in self.weights for w in W])
        return E


def forward_trace(net, weights=None, biases=None, x=None, y=None, pattern=None):
    """The forward pass, expanded (no named intermediates).

    Parameters
    ----------
    net : Net
    weights, biases, x, y : optional exact values (symbols where omitted); ``weights`` may be a
        :class:`~lossgeom.point.Point` with at most one sample, which supplies all four
    pattern : dict or Pattern, optional
        ``{(l, i): piece_index}`` (1-based l and i): use that smooth piece of the activation for
        unit i of layer l (an activation cell); units not listed use the whole activation.  The
        trace is one sample, so per-sample entries may name sample 1 only.

    Raises
    ------
    PatternError
        For a unit, piece or sample the net (or the one sample) does not have.

    Examples
    --------
    >>> from lossgeom import Net
    >>> tr = forward_trace(Net(widths=(1, 1, 1), activation="tanh"))
    >>> tr.a[-1][0]
    W2[1,1]*tanh(W1[1,1]*x[1])
    >>> forward_trace(Net(widths=(1, 1, 1), activation="relu"), pattern={(1, 1): 1}).a[-1][0]
    W1[1,1]*W2[1,1]*x[1]
    """
    check_net(net)
    if weights is not None:
        check_layers(weights)
    W, b, xs, ys = resolve_inputs(net, weights, biases, x, y)
    pattern = one_sample_pattern(net, pattern)
    a = [xs]
    hs = []
    for l in range(1, net.depth + 1):
        h = W[l - 1] * a[-1]
        if b is not None:
            h = h + b[l - 1]
        h = sp.ImmutableMatrix(h)
        act = net.layer_activation(l)
        vals = []
        for i in range(h.rows):
            k = pattern.get((l, i + 1))
            vals.append(act.apply(h[i], 0) if k is None else act.piece_apply(k, h[i], 0))
        hs.append(h)
        a.append(sp.ImmutableMatrix(vals))
    return ForwardTrace(net, W, b, xs, ys, tuple(hs), tuple(a))


def activation_cells(net, limit=LIMITS["activation_cells"].value):
    """Every activation pattern of the hidden (and output) units of a piecewise net.

    Yields ``{(l, i): piece}`` dicts covering the units whose activation has several pieces, in
    lexicographic order of the pieces (unit (1, 1) varies slowest).  A smooth net has one cell,
    ``{}``.  Inside a cell every unit is one smooth piece, so the loss is smooth there and the
    cells together cover the parameter space except the kinks.

    Parameters
    ----------
    net : Net
    limit : int
        Largest number of cells to enumerate.

    Yields
    ------
    dict
        ``{(l, i): piece}`` (l, i from 1; pieces from 0), usable as the ``pattern`` of
        :func:`forward_trace` and of the derivations.

    Raises
    ------
    SizeLimitError
        When there would be more than ``limit`` cells.

    Examples
    --------
    >>> from lossgeom import Net
    >>> list(activation_cells(Net(widths=(1, 2, 1), activation="relu")))
    [{(1, 1): 0, (1, 2): 0}, {(1, 1): 0, (1, 2): 1}, {(1, 1): 1, (1, 2): 0}, {(1, 1): 1, (1, 2): 1}]
    >>> len(list(activation_cells(Net(widths=(2, 3, 1), activation="relu"))))
    8
    >>> list(activation_cells(Net(widths=(2, 3, 1), activation="tanh")))
    [{}]
    """
    check_net(net)
    check_int(limit, "limit", 1)
    units = [(l, i, len(net.layer_activation(l).pieces)) for l in range(1, net.depth + 1)
             for i in range(1, net.widths[l] + 1) if len(net.layer_activation(l).pieces) > 1]
    total = 1
    for _, _, k in units:
        total *= k
    if total > limit:
        raise SizeLimitError("cells: %s has %d activation cells, above the limit %d" % (net, total, limit))
    return ({(l, i): c for (l, i, _), c in zip(units, choice)}  # checked now; the cells are lazy
            for choice in itertools.product(*[range(k) for _, _, k in units]))
