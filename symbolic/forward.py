"""Symbols and the symbolic forward trace.

One deterministic naming scheme, so LaTeX and tests are stable: weights ``W{l}[{i},{j}]``,
biases ``b{l}[{i}]``, input ``x[{j}]``, target ``y[{k}]``, and the named intermediates of a
derivation ``h{l}[{i}]`` (pre-activations), ``a{l}[{i}]`` (activations), ``delta{l}[{i}]``
(dE/dh_l), ``H{l}[{i},{j}]`` (pre-activation Hessian), ``G{l}[{i},{j}]`` (its Gauss-Newton
version).  All are real SymPy symbols; indices are 1-based.
"""

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from lossgeom.data import parse_matrix, parse_vector
from lossgeom.errors import DataError, NonDifferentiableError
from lossgeom.point import Pattern

__all__ = ["symbol", "weight_symbols", "bias_symbols", "input_symbols", "target_symbols", "parameter_symbols",
           "ForwardTrace", "forward_trace", "resolve_inputs"]


@lru_cache(maxsize=None)
def symbol(name):
    """The real symbol with this name (cached, so equal names give identical objects).

    Examples
    --------
    >>> symbol("W1[2,1]") is symbol("W1[2,1]")
    True
    """
    return sp.Symbol(name, real=True)


def weight_symbols(net, l):
    """W_l as a matrix of symbols ``W{l}[i,j]``.

    Examples
    --------
    >>> from lossgeom import Net
    >>> weight_symbols(Net(widths=(2, 1)), 1)
    Matrix([[W1[1,1], W1[1,2]]])
    """
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
    return sp.ImmutableMatrix(net.widths[l], 1, lambda i, _: symbol("b%d[%d]" % (l, i + 1)))


def input_symbols(net):
    """x as a column of symbols ``x[j]``.

    Examples
    --------
    >>> from lossgeom import Net
    >>> input_symbols(Net(widths=(2, 1))).T
    Matrix([[x[1], x[2]]])
    """
    return sp.ImmutableMatrix(net.widths[0], 1, lambda i, _: symbol("x[%d]" % (i + 1)))


def target_symbols(net):
    """y as a column of symbols ``y[k]``.

    Examples
    --------
    >>> from lossgeom import Net
    >>> target_symbols(Net(widths=(2, 1))).T
    Matrix([[y[1]]])
    """
    return sp.ImmutableMatrix(net.widths[-1], 1, lambda i, _: symbol("y[%d]" % (i + 1)))


def parameter_symbols(net):
    """All parameter symbols in theta's order ([vec(W_1); b_1; vec(W_2); ...], columns stacked).

    Examples
    --------
    >>> from lossgeom import Net
    >>> parameter_symbols(Net(widths=(2, 2, 1), bias=True))[:6]
    (W1[1,1], W1[2,1], W1[1,2], W1[2,2], b1[1], b1[2])
    """
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
    """
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


def _as_matrix(value, field, shape):
    if isinstance(value, sp.MatrixBase):
        if value.shape != shape:
            raise DataError("%s: expected shape %dx%d, got %dx%d" % ((field,) + shape + value.shape))
        return sp.ImmutableMatrix(value)
    if shape[1] == 1 and isinstance(value, (list, tuple)) and not any(isinstance(v, (list, tuple)) for v in value):
        return sp.ImmutableMatrix(parse_vector(list(value), field, length=shape[0]))
    return parse_matrix(value, field, shape=shape)


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
    weights, biases, x, y : optional exact values (symbols where omitted)
    pattern : dict, optional
        ``{(l, i): piece_index}`` (1-based l and i): use that smooth piece of the activation for
        unit i of layer l (an activation cell); units not listed use the whole activation.

    Examples
    --------
    >>> from lossgeom import Net
    >>> tr = forward_trace(Net(widths=(1, 1, 1), activation="tanh"))
    >>> tr.a[-1][0]
    W2[1,1]*tanh(W1[1,1]*x[1])
    """
    W, b, xs, ys = resolve_inputs(net, weights, biases, x, y)
    pattern = Pattern.from_spec(pattern, net)
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


def kinks_at(net, trace):
    """Units whose exact pre-activation sits at a kink where the Hessian is undefined.

    Returns a list of names like ``"h1[2]"`` (empty when the trace is symbolic or smooth).
    """
    out = []
    for l, h in enumerate(trace.h, 1):
        act = net.layer_activation(l)
        if act.kink_order == 0:
            continue
        for i, v in enumerate(h):
            if v.is_number and act.at_kink(v, order=2):
                out.append("h%d[%d]" % (l, i + 1))
    return out


def check_differentiable(net, trace, what="the Hessian"):
    """Raise :class:`NonDifferentiableError` if an exact pre-activation sits at a kink."""
    bad = kinks_at(net, trace)
    if bad:
        raise NonDifferentiableError("%s is undefined: pre-activation(s) %s sit exactly at a kink of %s"
                                     % (what, ", ".join(bad), net.activation.label), kinks=bad)
