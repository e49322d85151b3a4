"""The symbolic -> numeric bridge: SymPy results evaluated at ``dps`` digits through ``lambdify``.

Any expression or matrix written in the symbols of :mod:`lossgeom.symbolic.forward` (weights
``W{l}[i,j]``, biases ``b{l}[i]``, input ``x[j]``, target ``y[k]``, and optionally named
intermediates given by their defining equations) is compiled once with
``sympy.lambdify(..., modules="mpmath", cse=True)`` and evaluated at exact weights and data, rounded
once at the working precision.  The result agrees with the direct numeric engine
(:mod:`lossgeom.numeric.evaluate`) to the working precision; the tests check exactly that.
"""

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import sympy as sp

from lossgeom.checks import (
    check_expr,
    check_int,
    check_layers,
    check_matrix_like,
    check_net,
    check_sequence,
    check_type,
)
from lossgeom.errors import ArgumentTypeError, DataError, NonDifferentiableError
from lossgeom.limits import shorten
from lossgeom.precision import DEFAULT_DPS, MAX_DPS, MIN_DPS, check_dps, working_precision
from lossgeom.symbolic.forward import resolve_inputs

__all__ = ["CompiledExpression", "compile_expression", "symbol_values", "evaluate_expression", "evaluate_on_net"]


@dataclass(frozen=True)
class CompiledExpression:
    """A SymPy expression or matrix compiled for mpmath (immutable; compile once, evaluate many times).

    Attributes
    ----------
    expr : Expr or ImmutableMatrix
    symbols : tuple of Symbol
        The arguments, sorted by name.
    """

    expr: object
    symbols: tuple
    function: object

    @property
    def shape(self):
        """The matrix shape, or None for a scalar expression."""
        return self.expr.shape if isinstance(self.expr, sp.MatrixBase) else None

    def __call__(self, values, dps=DEFAULT_DPS):
        """Evaluate at ``values`` ({symbol or name: number}); see :func:`evaluate_expression`."""
        dps = check_dps(dps)
        if dps == "float64":
            raise DataError("dps: the bridge evaluates with mpmath; expected an integer number of digits, "
                            "got 'float64'")
        lookup = _normalise_values(values)
        missing = [s.name for s in self.symbols if s.name not in lookup]
        if missing:
            raise DataError("values: no value for %s (the expression's free symbols are %s)"
                            % (", ".join(missing), ", ".join(s.name for s in self.symbols)))
        with working_precision(dps):
            args = [_mp(lookup[s.name], s.name) for s in self.symbols]
            try:
                out = self.function(*args)
            except NameError as err:  # a function mpmath does not know, e.g. an undefined f
                raise DataError("expr: cannot evaluate numerically (%s); substitute a registered activation "
                                "before evaluating" % err) from None
            return _round(out, dps, self.shape)


def _normalise_values(values):
    if not isinstance(values, dict):
        raise DataError("values: expected a dict {symbol or name: number}, got %r" % (values,))
    return {(k.name if isinstance(k, sp.Symbol) else str(k)): v for k, v in values.items()}


def _mp(value, name):
    if isinstance(value, mpmath.mpf):
        return +value
    from lossgeom.data import parse_number
    q = value if isinstance(value, sp.Rational) else parse_number(value, "values[%s]" % name)
    return mpmath.mpf(int(q.p)) / int(q.q)


def _round(out, dps, shape):
    def one(v):
        v = mpmath.mpmathify(v) if v is not None else mpmath.nan
        if not mpmath.isfinite(v):
            raise NonDifferentiableError("the expression is undefined at this point (no branch of a Piecewise "
                                         "applies: a pre-activation at a kink?)")
        return v
    if shape is None:
        v = one(out)
        with mpmath.workdps(dps):
            return +v
    M = out if isinstance(out, mpmath.matrix) else mpmath.matrix(out)
    vals = [[one(M[i, j]) for j in range(shape[1])] for i in range(shape[0])]
    with mpmath.workdps(dps):
        return mpmath.matrix([[+v for v in row] for row in vals])


@lru_cache(maxsize=256)
def _compile(expr):
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    undefined = sorted({str(f.func) for f in expr.atoms(sp.Function)
                        if isinstance(f, sp.core.function.AppliedUndef) or f.func.__module__ == "lossgeom.activations"})
    if undefined:
        raise DataError("expr: contains the undefined function(s) %s; substitute a registered activation "
                        "(e.g. derive for Net(activation='tanh')) before evaluating" % ", ".join(undefined))
    fn = sp.lambdify(free, expr, modules="mpmath", cse=True)
    return CompiledExpression(expr, tuple(free), fn)


def compile_expression(expr):
    """Compile a SymPy expression or matrix with ``lambdify(..., modules="mpmath", cse=True)`` (cached).

    Raises
    ------
    DataError
        When ``expr`` is not a SymPy expression or contains an undefined function such as ``f``.

    Examples
    --------
    >>> w = sp.Symbol("w")
    >>> c = compile_expression(sp.tanh(w) ** 2)
    >>> c.symbols, mpmath.nstr(c({"w": "1/2"}, dps=20), 10)
    ((w,), '0.213552267')
    """
    if isinstance(expr, sp.MatrixBase):
        expr = sp.ImmutableMatrix(expr)
    elif not isinstance(expr, sp.Basic):
        raise DataError("expr: expected a SymPy expression or matrix, got %r" % (expr,))
    return _compile(expr)


def symbol_values(net, weights, biases=None, x=None, y=None):
    """Exact values {symbol: Rational} of the weight, bias, input and target symbols of one sample.

    Examples
    --------
    >>> from lossgeom import Net
    >>> vals = symbol_values(Net(widths=(1, 1)), [[["1/3"]]], x=[2], y=[1])
    >>> sorted((s.name, v) for s, v in vals.items())
    [('W1[1,1]', 1/3), ('x[1]', 2), ('y[1]', 1)]
    """
    for name, value in (("x", x), ("y", y)):
        if value is not None:
            check_matrix_like(value, name)
    check_net(net)
    check_layers(weights)
    from lossgeom.symbolic.forward import bias_symbols, input_symbols, target_symbols, weight_symbols

    if weights is None:
        raise DataError("weights: expected %d matrices (W_1 .. W_L), got None" % net.depth)
    W, b, xs, ys = resolve_inputs(net, weights, biases, x, y)
    out = {}
    for l in range(1, net.depth + 1):
        out.update(zip(weight_symbols(net, l), W[l - 1]))
        if net.bias:
            out.update(zip(bias_symbols(net, l), b[l - 1]))
    if x is not None:
        out.update(zip(input_symbols(net), xs))
    if y is not None:
        out.update(zip(target_symbols(net), ys))
    return out


def _definitions(definitions):
    """(lhs Symbol, rhs SymPy expression) pairs from Equations or pairs; a string rhs is refused, never sympified."""
    out = []
    for k, eq in enumerate(check_sequence(definitions, "definitions", "a list of (symbol, expression) pairs")):
        pair = (eq.lhs, eq.rhs) if hasattr(eq, "lhs") and hasattr(eq, "rhs") else eq
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ArgumentTypeError("definitions[%d]: expected an Equation or a (symbol, expression) pair, got %s"
                                    % (k, shorten(eq)))
        lhs = check_type(pair[0], "definitions[%d][0]" % k, sp.Symbol, "a SymPy Symbol")
        out.append((lhs, check_expr(pair[1], "definitions[%d][1]" % k)))
    return out


def evaluate_expression(expr, values, dps=DEFAULT_DPS, definitions=()):
    """Evaluate a SymPy expression or matrix at exact values, at ``dps`` digits.

    Parameters
    ----------
    expr : Expr or Matrix
    values : dict
        {symbol or symbol name: number}; numbers are read exactly ("1/3", Rationals) and rounded once.
    dps : int
    definitions : sequence of (lhs, rhs) or Equation, optional
        Named intermediates in computation order (e.g. ``derive_hessian(net).equations``): each rhs is
        evaluated with the values so far, so the named form never needs expanding.

    Returns
    -------
    mpf or mpmath.matrix

    Raises
    ------
    DataError
        A symbol without a value, or an undefined function.
    NonDifferentiableError
        When a Piecewise has no branch at this point (a pre-activation at a kink).

    Examples
    --------
    >>> w, h = sp.symbols("w h")
    >>> print(evaluate_expression(sp.Matrix([[h**2, w]]), {"w": "1/4"}, dps=20, definitions=[(h, 2 * w)]))
    [0.25  0.25]
    """
    expr = check_expr(expr)
    dps = check_int(dps, "dps", MIN_DPS, MAX_DPS)
    definitions = _definitions(definitions)
    values = dict(_normalise_values(values))
    for lhs, rhs in definitions:
        needed = {s.name for s in getattr(rhs, "free_symbols", ())}
        if needed <= set(values):
            values[lhs.name] = compile_expression(rhs)(values, dps + 10)
    return compile_expression(expr)(values, dps)


def evaluate_on_net(expr, net, weights, biases=None, x=None, y=None, dps=DEFAULT_DPS, definitions=(), order=2):
    """Evaluate a symbolic result of ``net`` at exact weights, biases, one input and its target.

    Parameters
    ----------
    expr : Expr or Matrix
        In the symbols of :mod:`lossgeom.symbolic.forward` (and of ``definitions``).
    net : Net
    weights, biases, x, y : exact values (as for :func:`lossgeom.symbolic.forward.forward_trace`)
    dps : int
    definitions : sequence, optional
        Named intermediates (see :func:`evaluate_expression`).
    order : int, default 2
        The derivative order ``expr`` involves (0 for a loss, 1 for a gradient, 2 for a Hessian).
        SymPy differentiates a Piecewise branch by branch, so a derived formula would silently give a
        one-sided value at a kink; with ``x`` given, the point is checked exactly first and refused
        when a pre-activation sits at a kink where that derivative does not exist.

    Raises
    ------
    NonDifferentiableError
        At a kink (see ``order``), naming the units.

    Examples
    --------
    >>> from lossgeom import Net
    >>> from lossgeom.symbolic.forward import forward_trace, parameter_symbols
    >>> net = Net(widths=(1, 1, 1), activation="tanh")
    >>> H = sp.hessian(forward_trace(net).loss(), parameter_symbols(net))
    >>> print(mpmath.nstr(evaluate_on_net(H, net, [[["1/2"]], [[2]]], x=[1], y=[0], dps=30), 8))
    [1.1304186    1.453724]
    [ 1.453724  0.21355227]
    """
    check_net(net)
    check_layers(weights)
    for name, value in (("x", x), ("y", y)):
        if value is not None:
            check_matrix_like(value, name)
    if order and x is not None:
        from .evaluate import find_kinks, kink_message
        column = lambda v: v if isinstance(v, sp.MatrixBase) else [[e] for e in v]  # noqa: E731
        ys = y if y is not None else [0] * net.widths[-1]  # kinks do not depend on the target
        bad = [k for k in find_kinks(net, weights, biases, X=column(x), Y=column(ys), dps=20) if k.order <= order]
        if bad:
            raise NonDifferentiableError(kink_message(net, "this order-%d quantity" % order, bad),
                                         kinks=[str(k) for k in bad])
    return evaluate_expression(expr, symbol_values(net, weights, biases, x, y), dps, definitions)
