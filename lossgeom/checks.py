"""Argument checks at the door of public functions: each names the argument and raises a lossgeom error.

A wrong *type* is an :class:`~lossgeom.errors.ArgumentTypeError` (a ``DataError`` and a ``TypeError``);
a wrong *value* is a :class:`~lossgeom.errors.DataError` (or ``OptionError`` for a choice).  Matrices
from outside are read by :func:`check_matrix`, which parses strings with the whitelist number parser
(:func:`lossgeom.numbers.parse_number`) and never hands user text to ``sympify``.

Examples
--------
>>> check_int(3, "k", 1)
3
>>> check_int("3", "k")
Traceback (most recent call last):
...
lossgeom.errors.ArgumentTypeError: k: expected an integer, got '3' (str)
>>> check_matrix([["1/2", 1]], "A")
Matrix([[1/2, 1]])
>>> check_matrix([["__import__('os')"]], "A")
Traceback (most recent call last):
...
lossgeom.errors.DataError: A[0][0]: expected a number such as 3, -1/3, 0.25 or 2.5e-3, got "__import__('os')"
"""

import numbers as _abc
import os as _os
from collections.abc import Mapping as _Mapping

import mpmath
import numpy as np
import sympy as sp

from .errors import ArgumentTypeError, DataError, choose
from .limits import shorten
from .numbers import matrix_rows, parse_number

__all__ = ["check_type", "check_int", "check_bool", "check_str", "check_choice", "check_callable", "check_net",
           "check_point", "check_matrix", "check_matrices", "check_expr", "check_sequence", "check_real",
           "check_mapping", "check_path", "check_graph", "check_node", "check_nodes", "check_matrix_like",
           "check_layers", "check_args", "check_shape"]


def _got(value):
    try:
        text = shorten(value)
    except (RecursionError, ValueError, TypeError):  # pragma: no cover - a pathological repr
        text = "<unprintable>"
    return "%s (%s)" % (text, type(value).__name__)


def check_type(value, field, types, expected):
    """``value`` if it is an instance of ``types``, else :class:`ArgumentTypeError` naming ``field``.

    Examples
    --------
    >>> check_type(None, "net", (int,), "a lossgeom Net")
    Traceback (most recent call last):
    ...
    lossgeom.errors.ArgumentTypeError: net: expected a lossgeom Net, got None (NoneType)
    """
    if not isinstance(value, types):
        raise ArgumentTypeError("%s: expected %s, got %s" % (field, expected, _got(value)))
    return value


def check_int(value, field, low=None, high=None):
    """An integer (not a bool; NumPy integers are accepted) with ``low <= value <= high`` when given.

    Examples
    --------
    >>> check_int(0, "k", 1)
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: k: expected an integer >= 1, got 0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError("%s: expected an integer, got %s" % (field, _got(value)))
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            want = ">= %d" % low
        elif low is None:
            want = "<= %d" % high
        else:
            want = "from %d to %d" % (low, high)
        raise DataError("%s: expected an integer %s, got %d" % (field, want, value))
    return value


def check_real(value, field):
    """A real number: int, float, Fraction, SymPy or mpmath number, or a number written as a string
    (read exactly by :func:`lossgeom.numbers.parse_number`, so ``"1e-10"`` works); not a bool.

    Examples
    --------
    >>> check_real(0.5, "scale"), check_real("1/4", "tol")
    (0.5, 1/4)
    """
    if isinstance(value, str):
        return parse_number(value, field)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (_abc.Real, sp.Number, mpmath.mpf)):
        raise ArgumentTypeError("%s: expected a real number, got %s" % (field, _got(value)))
    return value


def check_mapping(value, field):
    """A dict (or other mapping), returned as a dict.

    Examples
    --------
    >>> check_mapping([1], "facts")
    Traceback (most recent call last):
    ...
    lossgeom.errors.ArgumentTypeError: facts: expected a dict, got [1] (list)
    """
    if not isinstance(value, _Mapping):
        raise ArgumentTypeError("%s: expected a dict, got %s" % (field, _got(value)))
    return dict(value)


def check_path(value, field="path"):
    """A file path: a string or ``os.PathLike``.

    Examples
    --------
    >>> check_path(None)
    Traceback (most recent call last):
    ...
    lossgeom.errors.ArgumentTypeError: path: expected a file path (str or os.PathLike), got None (NoneType)
    """
    if isinstance(value, str) and value:
        return value
    if not isinstance(value, _os.PathLike):
        raise ArgumentTypeError("%s: expected a file path (str or os.PathLike), got %s" % (field, _got(value)))
    return value


def check_graph(value, field="graph"):
    """A NetworkX graph (as :func:`lossgeom.numeric.build_graph` returns).

    Examples
    --------
    >>> check_graph({})
    Traceback (most recent call last):
    ...
    lossgeom.errors.ArgumentTypeError: graph: expected a graph from lossgeom.numeric.build_graph, got {} (dict)
    """
    import networkx as nx
    return check_type(value, field, nx.Graph, "a graph from lossgeom.numeric.build_graph")


def check_node(value, field="node"):
    """A graph node ``(layer, unit)``: two integers, layer >= 0, unit >= 0 (0 is the bias unit).

    Examples
    --------
    >>> check_node([1, 2])
    (1, 2)
    """
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ArgumentTypeError("%s: expected a (layer, unit) pair of integers, got %s" % (field, _got(value)))
    return (check_int(value[0], field + "[0]", 0), check_int(value[1], field + "[1]", 0))


def check_nodes(value, field="path"):
    """A path: a list or tuple of ``(layer, unit)`` nodes, returned as a tuple of pairs.

    Examples
    --------
    >>> check_nodes([(0, 1), (1, 1)])
    ((0, 1), (1, 1))
    """
    items = check_sequence(value, field, "a list of (layer, unit) nodes")
    return tuple(check_node(v, "%s[%d]" % (field, k)) for k, v in enumerate(items))


def check_matrix_like(value, field):
    """Check only that ``value`` can be a matrix (list of rows, SymPy, NumPy 1-d/2-d or mpmath matrix);
    return it unchanged for a reader that parses the numbers itself.

    Examples
    --------
    >>> check_matrix_like(np.array(3), "X")
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: X: expected a 1-d or 2-d array, got a 0-d array
    """
    if isinstance(value, np.ndarray) and value.ndim not in (1, 2):
        raise DataError("%s: expected a 1-d or 2-d array, got a %d-d array" % (field, value.ndim))
    if not isinstance(value, (list, tuple, np.ndarray, mpmath.matrix, sp.MatrixBase)):
        raise ArgumentTypeError("%s: expected a matrix (list of rows, SymPy, NumPy or mpmath matrix), got %s"
                                % (field, _got(value)))
    return value


def check_layers(value, field="weights"):
    """One entry per layer: a list or tuple (or a NumPy object array), not a generator, string or dict;
    each entry checked by :func:`check_matrix_like`.  Returns the value unchanged.

    Examples
    --------
    >>> check_layers(5)
    Traceback (most recent call last):
    ...
    lossgeom.errors.ArgumentTypeError: weights: expected a list with one matrix per layer, got 5 (int)
    """
    from .point import Point
    if isinstance(value, Point):
        return value
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        items = list(value)
    else:
        items = check_sequence(value, field, "a list with one matrix per layer")
    for k, v in enumerate(items):
        check_matrix_like(v, "%s[%d]" % (field, k))
    return value


def check_bool(value, field):
    """A bool (or NumPy bool), returned as a Python bool.

    Examples
    --------
    >>> check_bool(np.True_, "symmetric")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError("%s: expected True or False, got %s" % (field, _got(value)))
    return bool(value)


def check_str(value, field, nonempty=True):
    """A string (non-empty unless ``nonempty=False``).

    Examples
    --------
    >>> check_str("", "name")
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: name: expected a non-empty string, got ''
    """
    if not isinstance(value, str):
        raise ArgumentTypeError("%s: expected a string, got %s" % (field, _got(value)))
    if nonempty and not value:
        raise DataError("%s: expected a non-empty string, got ''" % field)
    return value


def check_choice(value, field, options):
    """One of ``options`` (strings, None, ...); anything else is an ``OptionError`` listing them.

    Examples
    --------
    >>> check_choice({}, "form", ("column", "row"))
    Traceback (most recent call last):
    ...
    lossgeom.errors.OptionError: form: expected one of 'column', 'row', got {}
    """
    ok = isinstance(value, (str, int, type(None))) and not isinstance(value, bool) and value in options
    if not ok and isinstance(value, bool):
        ok = any(value is o for o in options)
    return value if ok else choose(field, shorten(value) if isinstance(value, str) else _Shown(value), options)


class _Shown:
    """A value shown shortened in an option error (its repr is the shortened repr)."""

    def __init__(self, value):
        self.text = _got(value).rsplit(" (", 1)[0]

    def __repr__(self):
        return self.text


def check_callable(value, field):
    """A callable.

    Examples
    --------
    >>> check_callable(5, "factory")
    Traceback (most recent call last):
    ...
    lossgeom.errors.ArgumentTypeError: factory: expected a callable, got 5 (int)
    """
    if not callable(value):
        raise ArgumentTypeError("%s: expected a callable, got %s" % (field, _got(value)))
    return value


def check_net(value, field="net"):
    """A :class:`~lossgeom.Net`.

    Examples
    --------
    >>> check_net("2,1")
    Traceback (most recent call last):
    ...
    lossgeom.errors.ArgumentTypeError: net: expected a lossgeom Net (Net(widths=(2, 1))), got '2,1' (str)
    """
    from .net import Net
    return check_type(value, field, Net, "a lossgeom Net (Net(widths=(2, 1)))")


def check_point(value, field="point", net=None):
    """A :class:`~lossgeom.Point` (of ``net`` when given).

    Examples
    --------
    >>> check_point(None)
    Traceback (most recent call last):
    ...
    lossgeom.errors.ArgumentTypeError: point: expected a lossgeom Point (resolve_point(net, weights, ...)), got None (NoneType)
    """
    from .point import Point
    check_type(value, field, Point, "a lossgeom Point (resolve_point(net, weights, ...))")
    if net is not None and value.net != net:
        raise DataError("%s: expected a point of %s, got one of %s" % (field, net, value.net))
    return value


def check_sequence(value, field, what="a list or tuple", length=None):
    """A list or tuple (not a generator, string or dict), returned as a list; ``length`` is checked.

    Examples
    --------
    >>> check_sequence((v for v in [1]), "weights")
    Traceback (most recent call last):
    ...
    lossgeom.errors.ArgumentTypeError: weights: expected a list or tuple, got <generator object <genexpr> ...
    """
    if not isinstance(value, (list, tuple)):
        raise ArgumentTypeError("%s: expected %s, got %s" % (field, what, _got(value)))
    if length is not None and len(value) != length:
        raise DataError("%s: expected %s of length %d, got length %d" % (field, what, length, len(value)))
    return list(value)


def check_expr(value, field="expr"):
    """A SymPy object (an expression or matrix); a Python int or float is converted exactly, a string refused.

    Examples
    --------
    >>> check_expr(2)
    2
    >>> check_expr("x + 1")
    Traceback (most recent call last):
    ...
    lossgeom.errors.ArgumentTypeError: expr: expected a SymPy expression, got 'x + 1' (str)
    """
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return parse_number(value, field)
    raise ArgumentTypeError("%s: expected a SymPy expression, got %s" % (field, _got(value)))


def _entry(v, field, symbolic):
    if symbolic and isinstance(v, sp.Expr):
        return v
    return parse_number(v, field)


def check_matrix(value, field, shape=None, symbolic=False):
    """A matrix from outside as an ``ImmutableMatrix``: SymPy, NumPy (1-d or 2-d) or mpmath matrices,
    or a list of rows (a flat list is one column).  Strings are parsed by the whitelist number parser;
    with ``symbolic=True``, SymPy expressions are kept as they are.  ``shape`` (rows, cols) is checked
    when given; either entry may be None for "any".

    Examples
    --------
    >>> check_matrix(np.array([1, 2]), "v", (2, 1))
    Matrix([
    [1],
    [2]])
    >>> check_matrix([[1], [2, 3]], "A")
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: A: expected rows of equal length, got lengths 1, 2
    """
    if isinstance(value, sp.MatrixBase):
        M = sp.ImmutableMatrix(value)
    else:
        if isinstance(value, np.ndarray) and value.ndim not in (1, 2):
            raise DataError("%s: expected a 1-d or 2-d array, got a %d-d array" % (field, value.ndim))
        if not isinstance(value, (list, tuple, np.ndarray, mpmath.matrix)):
            raise ArgumentTypeError("%s: expected a matrix (list of rows, SymPy, NumPy or mpmath matrix), got %s"
                                    % (field, _got(value)))
        rows = matrix_rows(value, field)
        if len({len(r) for r in rows}) > 1:
            raise DataError("%s: expected rows of equal length, got lengths %s"
                            % (field, ", ".join(str(len(r)) for r in rows[:8]) + (", ..." if len(rows) > 8 else "")))
        cols = len(rows[0]) if rows else 0
        M = sp.ImmutableMatrix(len(rows), cols, [_entry(v, "%s[%d][%d]" % (field, i, j), symbolic)
                                                 for i, row in enumerate(rows) for j, v in enumerate(row)])
    if not symbolic and not all(isinstance(v, sp.Rational) or (isinstance(v, sp.Expr) and v.is_number)
                                for v in M):
        raise DataError("%s: expected a matrix of numbers, got %s" % (field, shorten(M)))
    if shape is not None:
        r, c = shape
        if (r is not None and M.rows != r) or (c is not None and M.cols != c):
            raise DataError("%s: expected a %sx%s matrix, got %dx%d"
                            % (field, "m" if r is None else r, "n" if c is None else c, M.rows, M.cols))
    return M


def check_matrices(value, field, count=None, symbolic=False):
    """A list or tuple of matrices (each read by :func:`check_matrix`), of ``count`` entries when given.

    Examples
    --------
    >>> check_matrices([[[1, 2]], [[3]]], "weights")
    [Matrix([[1, 2]]), Matrix([[3]])]
    """
    items = check_sequence(value, field, "a list or tuple of matrices", count)
    return [check_matrix(m, "%s[%d]" % (field, k), symbolic=symbolic) for k, m in enumerate(items)]


def _optional(check):
    return lambda value, field: None if value is None else check(value, field)


#: What :func:`check_args` checks, by parameter name (the names used across lossgeom's API).
_BY_NAME = {
    "net": check_net,
    "point": check_point,
    "weights": _optional(check_layers),
    "biases": _optional(check_layers),
    "x": _optional(check_matrix_like), "y": _optional(check_matrix_like),
    "X": _optional(check_matrix_like), "Y": _optional(check_matrix_like),
    "rho": check_expr, "q": _optional(check_expr), "C": _optional(check_matrix_like),
    "tol": _optional(check_real),
    "path": check_nodes,
    "max_paths": lambda v, f: check_int(v, f, 1),
    "seed": lambda v, f: check_int(v, f, 0),
}


def check_args(**named):
    """Check arguments by their conventional names (``net``, ``point``, ``weights``, ``X``, ``rho``,
    ``max_paths``, ...), one line at a function's door; None passes where the argument is optional.

    Examples
    --------
    >>> check_args(weights=None, max_paths=0)
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: max_paths: expected an integer >= 1, got 0
    """
    for name, value in named.items():
        _BY_NAME[name](value, name)


def check_shape(value, field, shape):
    """A matrix (anything with ``rows`` and ``cols``: SymPy or mpmath) of the given shape.

    Examples
    --------
    >>> check_shape(sp.eye(2), "Q", (3, 3))
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: Q: expected a 3x3 matrix, got 2x2
    """
    if not isinstance(value, (sp.MatrixBase, mpmath.matrix)):
        raise ArgumentTypeError("%s: expected a SymPy or mpmath matrix, got %s" % (field, _got(value)))
    if (value.rows, value.cols) != tuple(shape):
        raise DataError("%s: expected a %dx%d matrix, got %dx%d" % ((field,) + tuple(shape) + (value.rows, value.cols)))
    return value
