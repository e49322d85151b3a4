"""Path-sum expansion of a feedforward net (Choromanska et al. 2015; Kawaguchi 2016).

A net without biases and with a piecewise-linear activation through the origin
(identity, ReLU, leaky ReLU, two-piece linear, abs) computes, for output unit j,

    y_j = q * sum_p x_{i_0(p)} Z_p prod_{k=1}^{L} W_k[i_k(p), i_{k-1}(p)],

a sum over the input-to-output paths p = (i_0, i_1, ..., i_{L-1}, i_L = j) of the input
entry at the path's start times the weights along it, gated by Z_p.  Within a fixed
activation pattern the gate of a path is the product of the slopes of the units it passes
(1/0 for ReLU: the path is active or not).  The Kawaguchi notes (eqs. 5-7) and Choromanska
et al. (Sec. 3) model the Z_p as independent Bernoulli(rho) variables; then with q = 1/rho
the expected output is the deep linear net W_L ... W_1 x.  The spin-glass form built on this
expansion lives in :mod:`lossgeom.symbolic.spin_glass`.

Paths and names (deterministic, so LaTeX and tests are stable):

- nodes are ``(layer, unit)`` with layer 0 the inputs and units 1-based, as in ``W{l}[{i},{j}]``;
- with ``bias=True`` every layer k = 0..L-1 also has a bias node ``(k, 0)`` (the constant 1)
  feeding layer k+1 through the edges ``b{k+1}[{i}]``; a bias path starts there, so the
  identity also holds for nets with biases (the expectation of eq. 7 is for nets without);
- the gate of the input path x[j] -> h1[i1] -> ... -> hL[iL] is ``Z[j,i1,...,iL]`` and that of
  the bias path b{k}[ik] -> ... -> hL[iL] is ``Z[b{k};ik,...,iL]``.

Everything is exact (SymPy Rationals and symbols).  This module does not import
:mod:`lossgeom.numeric`; the activation pattern at a given input is read from the graph
(:func:`lossgeom.numeric.graph.activation_pattern`) and passed in as a mapping
``{(l, i): piece_index}`` or a :class:`~lossgeom.point.Pattern`, the convention of
:func:`~lossgeom.symbolic.forward.forward_trace`.  Path sums print through
:class:`~lossgeom.symbolic.latex.LossgeomLatexPrinter` (``latex(path_sum, max_terms=12)``).

References
----------
Choromanska, Henaff, Mathieu, Ben Arous, LeCun, "The Loss Surfaces of Multilayer Networks",
AISTATS 2015, Sec. 3.  Kawaguchi, "Deep Learning without Poor Local Minima", NIPS 2016, Sec. 3
(the Kawaguchi notes: eq. 5 the path sum, eq. 6 the spin-glass form, eq. 7 the expectation).
"""

import itertools
from dataclasses import dataclass
from functools import cached_property, reduce

import sympy as sp

from lossgeom.activations import X
from lossgeom.checks import check_args, check_net, check_nodes
from lossgeom.errors import NetSpecError, SizeLimitError
from lossgeom.limits import LIMITS
from lossgeom.net import Net
from lossgeom.numbers import parse_number
from lossgeom.point import Pattern
from lossgeom.report import Report
from lossgeom.symbolic.forward import forward_trace, input_symbols, resolve_inputs, symbol, weight_symbols
from lossgeom.symbolic.latex import LossgeomLatexPrinter, latex

__all__ = ["PathTerm", "PathSum", "CollapsedPathSum", "paths_per_output", "iter_net_paths", "gate_symbol",
           "collapsed_latex", "unit_slopes", "require_path_activation", "expand_path_sum", "expected_output",
           "verify_path_sum_identity", "verify_bernoulli_expectation", "MAX_PATHS", "RHO"]

#: Largest number of paths :func:`expand_path_sum` expands unless told otherwise.
MAX_PATHS = LIMITS["path_sum_paths"].value

#: The success probability of the Bernoulli gates (a positive symbol).
RHO = sp.Symbol("rho", positive=True)


# -- counting and enumerating paths of the layered graph --------------------------------------
def paths_per_output(net):
    """Number of input-to-output paths ending at each output unit (bias paths included).

    Parameters
    ----------
    net : Net

    Returns
    -------
    int
        Psi = d_0 d_1 ... d_{L-1} without biases.

    Notes
    -----
    Let c_l be the number of paths ending at a unit of layer l.  Every unit of layer l is fed by
    all d_{l-1} units of layer l-1 and, with biases, by one bias node, so c_0 = 1 and
    c_l = d_{l-1} c_{l-1} + [bias]; without biases c_L = prod_{k=0}^{L-1} d_k (Choromanska et al., Sec. 3).

    See Also
    --------
    iter_net_paths : the paths themselves, lazily.
    lossgeom.numeric.graph.count_paths : the same count on a graph (also of its active subgraph).
    lossgeom.numeric.graph.iter_paths : the paths of a graph.

    Examples
    --------
    >>> from lossgeom import Net
    >>> paths_per_output(Net(widths=(3, 4, 2, 1), activation="relu"))
    24
    >>> paths_per_output(Net(widths=(3, 4, 2, 1), activation="relu", bias=True))
    35
    """
    return reduce(lambda c, d: d * c + (1 if net.bias else 0), check_net(net).widths[:-1], 1)


def iter_net_paths(net, output):
    """Lazily enumerate the paths ending at one output unit, as tuples of nodes ``(layer, unit)``.

    Input paths come first in lexicographic order of (i_0, i_1, ..., i_{L-1}); with biases the
    bias paths follow, by starting layer.

    Parameters
    ----------
    net : Net
    output : int
        The output unit, 1-based.

    Returns
    -------
    generator of tuple of (int, int)
        Each path from its source (input ``(0, j)`` or bias node ``(k, 0)``) to ``(L, output)``.

    Raises
    ------
    NetSpecError
        If ``output`` is not an output unit.

    Notes
    -----
    An input path is a choice of one unit per layer, (i_0, ..., i_{L-1}) in
    [d_0] x ... x [d_{L-1}], so there are prod_k d_k of them (:func:`paths_per_output`).

    See Also
    --------
    paths_per_output : how many there are, without enumerating them.
    gate_symbol : the gate Z of each path.
    lossgeom.numeric.graph.iter_paths : the same order, on a graph (or its active subgraph).

    Examples
    --------
    >>> from lossgeom import Net
    >>> list(iter_net_paths(Net(widths=(2, 2, 1)), 1))[:2]
    [((0, 1), (1, 1), (2, 1)), ((0, 1), (1, 2), (2, 1))]
    >>> list(iter_net_paths(Net(widths=(1, 1), bias=True), 1))
    [((0, 1), (1, 1)), ((0, 0), (1, 1))]
    """
    _check_output(net, output)  # checked now, not at the first next(): the paths themselves are lazy
    L, widths = net.depth, net.widths
    ranges = lambda ws: itertools.product(*(range(1, d + 1) for d in ws))  # noqa: E731
    inputs = (tuple(enumerate(idx)) + ((L, output),) for idx in ranges(widths[:-1]))
    biases = (((k, 0),) + tuple((k + 1 + m, i) for m, i in enumerate(idx)) + ((L, output),)
              for k in range(L if net.bias else 0) for idx in ranges(widths[k + 1:-1]))
    return itertools.chain(inputs, biases)


def _check_output(net, output):
    check_args(net=net)
    if isinstance(output, bool) or not isinstance(output, int) or not 1 <= output <= net.widths[-1]:
        raise NetSpecError("output: expected an output unit from 1 to %d, got %r" % (net.widths[-1], output))


def gate_symbol(path):
    """The indicator symbol Z of a path (deterministic name).

    Parameters
    ----------
    path : tuple of (int, int)
        Nodes ``(layer, unit)`` from the source to the output.

    Returns
    -------
    Symbol
        ``Z[i_0,i_1,...,i_L]`` for an input path, ``Z[b{k};i_k,...,i_L]`` for the bias path
        entering layer k at unit i_k.

    Notes
    -----
    [Z_i]_{j,p} of the Kawaguchi notes (eq. 5), A_{i,j} of Choromanska et al.; cached, so equal
    names give the identical symbol.

    See Also
    --------
    iter_net_paths : the paths, in the order their gates appear in :class:`PathSum`.

    Examples
    --------
    >>> gate_symbol(((0, 2), (1, 3), (2, 1)))
    Z[2,3,1]
    >>> gate_symbol(((1, 0), (2, 3), (3, 1)))
    Z[b2;3,1]
    """
    (k, first) = check_nodes(path)[0]
    units = ",".join(str(u) for _, u in path[1:])
    if first == 0:
        return symbol("Z[b%d;%s]" % (k + 1, units))
    return symbol("Z[%d,%s]" % (first, units))


# -- activation patterns --------------------------------------------------------------------
def require_path_activation(net):
    """Refuse nets whose output is not exactly a gated path sum.

    Parameters
    ----------
    net : Net

    Raises
    ------
    NetSpecError
        Naming ``activation`` or ``output_activation`` when it is not piecewise linear through
        the origin (identity, relu, leaky_relu, two_piece, abs).

    Notes
    -----
    The path sum needs f(h) = s h on each piece (no intercept), so that a unit passes its
    slope times its pre-activation on.

    See Also
    --------
    unit_slopes : the slopes themselves, within an activation pattern.

    Examples
    --------
    >>> from lossgeom import Net
    >>> require_path_activation(Net(widths=(1, 1), activation="relu"))
    >>> require_path_activation(Net(widths=(1, 1, 1), activation="tanh"))
    Traceback (most recent call last):
    ...
    lossgeom.errors.NetSpecError: invalid net: activation: the path sum is exact only for piecewise-linear activations through the origin (identity, relu, leaky_relu, two_piece, abs), got tanh
    """
    problems = []
    for field, act in (("activation", check_net(net).activation), ("output_activation", net.output_activation)):
        if act.generic or not act.piecewise_linear:
            problems.append("%s: the path sum is exact only for piecewise-linear activations through the origin "
                            "(identity, relu, leaky_relu, two_piece, abs), got %s" % (field, act.label))
        elif any(p.expr.subs(X, 0) != 0 for p in act.pieces):
            problems.append("%s: every linear piece must pass through the origin, got %s" % (field, act.label))
    if problems:
        raise NetSpecError(problems)


def unit_slopes(net, pattern=None):
    """The exact slope of every unit's activation within an activation pattern.

    Parameters
    ----------
    net : Net
        Piecewise-linear activation through the origin.
    pattern : Pattern, mapping or None
        Read by :meth:`lossgeom.point.Pattern.from_spec`: ``{(l, i): piece_index}``, a
        :class:`~lossgeom.point.Pattern`, or an object with a ``piece_map`` attribute (such as
        :class:`lossgeom.numeric.graph.ActivationPattern`).  Units whose activation has one
        piece (identity) need no entry.

    Returns
    -------
    dict
        ``{(l, i): slope}`` for l = 1..L.

    Raises
    ------
    NetSpecError
        For a non-piecewise-linear activation, or a unit missing from the pattern (the field is
        ``pattern``); a :class:`~lossgeom.point.PatternError` (a NetSpecError) for a unit the net
        does not have or a piece its activation does not have.

    Notes
    -----
    On piece k, f(h) = s_k h, so the unit passes s_k times its pre-activation to the next layer.

    See Also
    --------
    PathSum.gated : the path sum with each gate set to the product of these slopes.

    Examples
    --------
    >>> from lossgeom import Net
    >>> net = Net(widths=(1, 2, 1), activation={"name": "leaky_relu", "slope": "1/10"})
    >>> unit_slopes(net, {(1, 1): 0, (1, 2): 1})
    {(1, 1): 1/10, (1, 2): 1, (2, 1): 1}
    >>> unit_slopes(net, {(1, 1): 2, (1, 2): 1})
    Traceback (most recent call last):
    ...
    lossgeom.point.PatternError: pattern[(1, 1)]: expected a piece index from 0 to 1 (leaky_relu(slope=1/10)), got 2
    """
    require_path_activation(net)
    pattern = Pattern.from_spec(pattern, net)
    slopes, missing = {}, []
    for l in range(1, net.depth + 1):
        act = net.layer_activation(l)
        for i in range(1, net.widths[l] + 1):
            k = pattern.get((l, i))
            if k is None:
                if len(act.pieces) == 1:
                    k = 0
                else:
                    missing.append("h%d[%d]" % (l, i))
                    continue
            slopes[(l, i)] = sp.diff(act.pieces[k].expr, X)
    if missing:
        raise NetSpecError("pattern: no activation piece given for unit(s) %s of %s (a unit at a kink has none; "
                           "choose a side explicitly)" % (", ".join(missing), net.activation.label))
    return slopes


# -- the path sum -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PathTerm:
    """One path of the expansion: ``start * gate * prod(weights)``.

    Attributes
    ----------
    output : int
        The output unit (1-based) the path ends at.
    path : tuple of (int, int)
        Its nodes ``(layer, unit)``, from the input (or bias node ``(k, 0)``) to the output.
    start : Expr
        The input entry x[i_0] (a symbol or exact number), or 1 for a bias path.
    weights : tuple of Expr
        The weights along the path, layer by layer (the bias entry first on a bias path).
    gate : Symbol
        The path's indicator Z; term = start * Z * prod_k w^(k) (a summand of eq. 5).

    Examples
    --------
    >>> from lossgeom import Net
    >>> t = expand_path_sum(Net(widths=(1, 1, 1), activation="relu")).terms[0]
    >>> t.path, t.term
    (((0, 1), (1, 1), (2, 1)), W1[1,1]*W2[1,1]*Z[1,1,1]*x[1])
    """

    output: int
    path: tuple
    start: sp.Expr
    weights: tuple
    gate: sp.Symbol

    @property
    def monomial(self):
        """start * prod(weights), without the gate."""
        return sp.Mul(self.start, *self.weights)

    @property
    def term(self):
        """start * gate * prod(weights)."""
        return self.gate * self.monomial


@dataclass(frozen=True)
class PathSum:
    """The outputs of a net written as sums over paths, with a gate symbol per path.

    Build it with :func:`expand_path_sum`.  Read-only; every derived expression is exact.

    Attributes
    ----------
    net : Net
    weights, biases : tuple of ImmutableMatrix
        What the expansion was built from (symbols where no values were given).
    x : ImmutableMatrix
        The input column (symbols or exact numbers).
    terms : tuple of PathTerm
        All paths of all outputs, output by output.
    q : Expr
        The normalisation in front of the sum (Choromanska's q; 1 by default).

    Notes
    -----
    outputs[j] = q sum_{p ends at j} start_p Z_p prod_k w_p^(k); :meth:`gated` sets Z_p to the
    product of the unit slopes on p (a fixed activation pattern), :meth:`expectation` to rho.
    It prints through :class:`~lossgeom.symbolic.latex.LossgeomLatexPrinter`: term by term up
    to the printer's ``max_terms`` paths (default 12), above it as :attr:`collapsed`.

    Examples
    --------
    >>> from lossgeom import Net
    >>> ps = expand_path_sum(Net(widths=(2, 1), activation="relu"), x=[3, "1/2"])
    >>> ps.outputs
    Matrix([[3*W1[1,1]*Z[1,1] + W1[1,2]*Z[2,1]/2]])
    >>> ps.gated({(1, 1): 0}), ps.expectation()
    (Matrix([[3*W1[1,1] + W1[1,2]/2]]), Matrix([[3*W1[1,1]*rho + W1[1,2]*rho/2]]))
    >>> print(latex(ps, max_terms=1))
    \\hat{y}_{1} = \\sum_{i_{0}=1}^{2} {x}_{i_{0}} {Z}_{i_{0},1} {W^{(1)}}_{1,i_{0}}
    """

    net: Net
    weights: tuple
    biases: tuple
    x: sp.ImmutableMatrix
    terms: tuple
    q: sp.Expr = sp.Integer(1)

    @property
    def n_paths(self):
        """Total number of paths (all outputs)."""
        return len(self.terms)

    @property
    def gates(self):
        """The gate symbols Z, in the order of :attr:`terms`."""
        return tuple(t.gate for t in self.terms)

    def output_terms(self, j):
        """The terms of output unit j (1-based)."""
        _check_output(self.net, j)
        return tuple(t for t in self.terms if t.output == j)

    @cached_property
    def outputs(self):
        """The column of path sums: y_j = q sum_p start_p Z_p prod_k w_p^(k)."""
        cols = [self.q * sp.Add(*[t.term for t in self.output_terms(j)]) for j in range(1, self.net.widths[-1] + 1)]
        return sp.ImmutableMatrix(cols)

    def substitute_gates(self, values):
        """The outputs with each gate Z_p replaced by ``values[Z_p]`` (a dict) or by ``values(term)``.

        Parameters
        ----------
        values : dict or callable
            ``{Z_p: value}`` for every gate, or a function of the :class:`PathTerm`.

        Returns
        -------
        ImmutableMatrix
            q sum_p values(p) start_p prod_k w_p^(k), one entry per output.
        """
        get = values if callable(values) else (lambda t: values[t.gate])
        cols = [self.q * sp.Add(*[get(t) * t.monomial for t in self.output_terms(j)])
                for j in range(1, self.net.widths[-1] + 1)]
        return sp.ImmutableMatrix(cols)

    def gated(self, pattern=None):
        """The outputs within a fixed activation pattern: Z_p = the product of the slopes on path p.

        Parameters
        ----------
        pattern : mapping or ActivationPattern, optional
            See :func:`unit_slopes`; may be omitted for linear (identity) nets.

        Returns
        -------
        ImmutableMatrix

        Raises
        ------
        NetSpecError
            For a unit without a piece (a unit at a kink has none: its gate is undefined).

        Notes
        -----
        Z_p = prod_{(l, i) on p, l >= 1} s_{l,i}; for ReLU s is 1 (active) or 0 (inactive).
        """
        slopes = unit_slopes(self.net, pattern)
        return self.substitute_gates(lambda t: sp.Mul(*[slopes[n] for n in t.path if n[0] >= 1 and n[1] >= 1]))

    def expectation(self, rho=RHO):
        """E_Z[outputs] for independent Bernoulli(rho) gates: each Z_p replaced by rho.

        Parameters
        ----------
        rho : Expr, default the positive symbol rho

        Returns
        -------
        ImmutableMatrix

        Notes
        -----
        Each output is linear in each Z_p and each gate occurs in one term, so by linearity
        E[q sum_p c_p Z_p] = q rho sum_p c_p (the Kawaguchi notes, eq. 7).
        """
        return self.substitute_gates(lambda t: rho)

    @property
    def collapsed(self):
        """The same sum in sum notation (:class:`CollapsedPathSum`), which the printer uses above ``max_terms``."""
        return CollapsedPathSum(self.net, self.q)

    def _repr_latex_(self):
        return r"$\displaystyle %s$" % latex(self)

    def _latex(self, printer):
        # SymPy's printer hook: sp.latex(path_sum) prints through LossgeomLatexPrinter, with its settings
        return LossgeomLatexPrinter._adopt(printer)._print_PathSum(self)

    def __str__(self):
        return "PathSum(%s: %d paths)" % (self.net, self.n_paths)


@dataclass(frozen=True)
class CollapsedPathSum:
    """The path sum of a net in sum notation over the path indices (nothing expanded, so any size).

    Built with SymPy ``Sum`` and ``IndexedBase`` objects, printed by
    :class:`~lossgeom.symbolic.latex.LossgeomLatexPrinter`.

    Attributes
    ----------
    net : Net
    q : Expr
        Normalisation printed in front of the sum (1 by default).

    Notes
    -----
    y_j = q sum_{i_0=1}^{d_0} ... sum_{i_{L-1}=1}^{d_{L-1}} x_{i_0} Z_{i_0..i_{L-1} j}
    prod_{k=1}^{L} W^{(k)}_{i_k i_{k-1}} (i_L = j), plus one sum per bias layer.

    See Also
    --------
    collapsed_latex : its LaTeX.
    PathSum : the expanded sum, term by term.

    Examples
    --------
    >>> from lossgeom import Net
    >>> cs = CollapsedPathSum(Net(widths=(2, 1), activation="relu", bias=True))
    >>> len(cs.parts)  # the input paths, and the bias paths of layer 1
    2
    >>> print(latex(cs))
    \\hat{y}_{1} = \\sum_{i_{0}=1}^{2} {x}_{i_{0}} {Z}_{i_{0},1} {W^{(1)}}_{1,i_{0}} + {b^{(1)}}_{1} {Z^{(b1)}}_{1}
    """

    net: Net
    q: sp.Expr = sp.Integer(1)

    @property
    def parts(self):
        """One unevaluated ``Sum`` for the input paths, then one per bias layer (input, gate, weights order)."""
        net = self.net
        L, widths = net.depth, net.widths
        j = sp.Integer(1) if widths[-1] == 1 else sp.Symbol("j", integer=True, positive=True)
        idx = [sp.Symbol("i_%d" % k, integer=True, positive=True) for k in range(L)] + [j]
        Z, x = sp.IndexedBase("Z"), sp.IndexedBase("x")
        W = [sp.IndexedBase("W^{(%d)}" % l) for l in range(1, L + 1)]

        def weights(first):
            return [W[l - 1][idx[l], idx[l - 1]] for l in range(first, L + 1)]

        parts = [sp.Sum(sp.Mul(x[idx[0]], Z[tuple(idx)], *weights(1), evaluate=False),
                        *[(idx[k], 1, widths[k]) for k in range(L)])]
        if net.bias:
            for k in range(1, L + 1):
                b, Zb = sp.IndexedBase("b^{(%d)}" % k), sp.IndexedBase("Z^{(b%d)}" % k)
                body = sp.Mul(b[idx[k]], Zb[tuple(idx[k:])], *weights(k + 1), evaluate=False)
                lim = [(idx[m], 1, widths[m]) for m in range(k, L)]
                parts.append(sp.Sum(body, *lim) if lim else body)
        return tuple(parts)

    def _latex(self, printer):
        return LossgeomLatexPrinter._adopt(printer)._print_CollapsedPathSum(self)


def collapsed_latex(net, q=sp.Integer(1), **settings):
    """The path sum of output j in sum notation over path indices (any size; nothing expanded).

    Parameters
    ----------
    net : Net
    q : Expr, default 1
        Normalisation printed in front of the sum.
    **settings
        Any setting of :class:`~lossgeom.symbolic.latex.LossgeomLatexPrinter`.

    Returns
    -------
    str
        ``latex(CollapsedPathSum(net, q))``.

    See Also
    --------
    CollapsedPathSum : the SymPy sums it prints, and the formula.
    expand_path_sum : the expanded sum (printed in full up to ``max_terms`` paths).

    Examples
    --------
    >>> from lossgeom import Net
    >>> print(collapsed_latex(Net(widths=(3, 4, 1), activation="relu")))
    \\hat{y}_{1} = \\sum_{\\substack{1 \\leq i_{0} \\leq 3\\\\1 \\leq i_{1} \\leq 4}} {x}_{i_{0}} {Z}_{i_{0},i_{1},1} {W^{(1)}}_{i_{1},i_{0}} {W^{(2)}}_{1,i_{1}}
    """
    return latex(CollapsedPathSum(check_net(net), q), **settings)


def expand_path_sum(net, weights=None, biases=None, x=None, q=1, max_paths=MAX_PATHS):
    """Write every output of ``net`` as an explicit sum over its input-to-output paths.

    Parameters
    ----------
    net : Net
        Piecewise-linear activation through the origin (identity, relu, leaky_relu,
        two_piece, abs); biases allowed (as paths from bias nodes).
    weights, biases, x : optional
        Exact values (numbers are read exactly); symbols ``W{l}[i,j]``, ``b{l}[i]``, ``x[j]``
        where omitted.
    q : Rational or Expr, default 1
        Normalisation in front of the sum.
    max_paths : int
        Refuse larger expansions up front.

    Returns
    -------
    PathSum

    Raises
    ------
    NetSpecError
        For an activation the path sum does not represent exactly.
    SizeLimitError
        When the net has more than ``max_paths`` paths (the message gives both numbers).
    DataError
        For weights or an input of the wrong shape.

    Notes
    -----
    y_j = q sum_{p: i_L(p) = j} x_{i_0(p)} Z_p prod_{k=1}^{L} W_k[i_k(p), i_{k-1}(p)]
    (the Kawaguchi notes, eq. 5; Choromanska et al., Sec. 3).

    See Also
    --------
    collapsed_latex : the same sum in sum notation, for nets of any size.
    verify_path_sum_identity : decides that the gated sum is the forward pass.
    lossgeom.numeric.graph.sum_path_terms : the exact sum at numbers, path by path on a graph.

    Examples
    --------
    >>> from lossgeom import Net
    >>> ps = expand_path_sum(Net(widths=(2, 2, 1), activation="relu"))
    >>> ps.n_paths
    4
    >>> ps.outputs[0]
    W1[1,1]*W2[1,1]*Z[1,1,1]*x[1] + W1[1,2]*W2[1,1]*Z[2,1,1]*x[2] + W1[2,1]*W2[1,2]*Z[1,2,1]*x[1] + W1[2,2]*W2[1,2]*Z[2,2,1]*x[2]
    """
    check_args(net=net, weights=weights, x=x, max_paths=max_paths)
    require_path_activation(net)
    return _expand(net, weights, biases, x, q, max_paths)


def _expand(net, weights, biases, x, q, max_paths):
    n = paths_per_output(net) * net.widths[-1]
    if n > max_paths:
        raise SizeLimitError("path sum: the net %s has %d paths; the expansion is limited to max_paths=%d "
                             "(use collapsed_latex for the sum notation, or count_paths to count; limit path_sum_paths)"
                             % (net, n, max_paths))
    W, b, xs, _ = resolve_inputs(net, weights, biases, x, None)
    if not (isinstance(q, sp.Expr) and not q.is_number):
        q = parse_number(q, "q")
    terms = []
    for j in range(1, net.widths[-1] + 1):
        for path in iter_net_paths(net, j):
            (k0, u0) = path[0]
            if u0 == 0:
                start, ws = sp.Integer(1), [b[k0][path[1][1] - 1]]
            else:
                start, ws = xs[u0 - 1], []
            for (la, ua), (lb, ub) in zip(path[:-1], path[1:]):
                if ua != 0:
                    ws.append(W[lb - 1][ub - 1, ua - 1])
            terms.append(PathTerm(j, path, start, tuple(ws), gate_symbol(path)))
    return PathSum(net, W, b, xs, tuple(terms), q)


# -- identities -----------------------------------------------------------------------------------
def verify_path_sum_identity(net, pattern=None, weights=None, biases=None, x=None):
    """Decide exactly that the gated path sum equals the forward pass.

    With no weights and no input given, the identity is checked as a polynomial identity in
    the symbols ``W``, ``b``, ``x`` (so for every net with this pattern); with values, at them.

    Parameters
    ----------
    net : Net
    pattern : mapping or ActivationPattern, optional
        The activation pattern (needed unless every activation is the identity).
    weights, biases, x : optional exact values

    Returns
    -------
    Report
        ``proved`` when every output's difference expands to 0, ``refuted`` with the residual
        otherwise.

    Notes
    -----
    Within the pattern the forward pass applies the linear piece f(h) = s h at every unit, so
    y = S_L W_L ... S_1 W_1 x with S_l = diag(s_l); expanding the matrix products gives the
    path sum with Z_p = prod of the slopes on p.

    See Also
    --------
    verify_bernoulli_expectation : the identity for the expected path sum.

    Examples
    --------
    >>> from lossgeom import Net
    >>> verify_path_sum_identity(Net(widths=(2, 3, 2), activation="identity")).outcome
    'proved'
    >>> net = Net(widths=(2, 2, 1), activation="relu")
    >>> verify_path_sum_identity(net, {(1, 1): 1, (1, 2): 0}).outcome
    'proved'
    """
    ps = expand_path_sum(net, weights, biases, x)
    lhs = ps.gated(pattern)
    given = Pattern.from_spec(pattern, net)
    full = {(l, i): given.get((l, i), 0) for l in range(1, net.depth + 1) for i in range(1, net.widths[l] + 1)}
    rhs = forward_trace(net, ps.weights, ps.biases, ps.x, pattern=full).a[-1]
    residual = [sp.expand(a - b) for a, b in zip(lhs, rhs)]
    symbolic = any(not e.is_number for e in rhs)
    evidence = {"net": str(net), "paths": ps.n_paths, "outputs": net.widths[-1],
                "kind": "polynomial identity in the weights and input" if symbolic else "exact values"}
    if all(r == 0 for r in residual):
        return Report("path sum = forward pass", "proved", "exact expansion of the difference to zero",
                      evidence=evidence)
    bad = next(k for k, r in enumerate(residual) if r != 0)
    return Report("path sum = forward pass", "refuted", "exact expansion of the difference", evidence=evidence,
                  counterexample={"output": bad + 1, "residual": str(residual[bad])})


def expected_output(net, rho=RHO, q=None):
    """E_Z[q * path sum] for independent Bernoulli(rho) gates, with symbolic weights and input.

    Parameters
    ----------
    net : Net
        Without biases (eq. 7 is stated for nets without biases).
    rho : Expr
        Success probability (a positive symbol by default).
    q : Expr, optional
        Normalisation; default 1/rho (Kawaguchi's choice).

    Returns
    -------
    ImmutableMatrix

    Raises
    ------
    NetSpecError
        For a net with biases (field ``bias``).

    Notes
    -----
    E_Z[y_j] = q rho sum_p x_p prod_k w_p^(k) = (W_L ... W_1 x)_j when q = 1/rho (the Kawaguchi
    notes, eq. 7).  The activation does not enter: the gates replace it.

    See Also
    --------
    verify_bernoulli_expectation : decides that this equals W_L ... W_1 x.

    Examples
    --------
    >>> from lossgeom import Net
    >>> expected_output(Net(widths=(1, 1, 1), activation="relu"))
    Matrix([[W1[1,1]*W2[1,1]*x[1]]])
    """
    check_args(net=net, rho=rho, q=q)
    if net.bias:
        raise NetSpecError("bias: the Bernoulli expectation (Kawaguchi notes, eq. 7) is stated for nets without "
                           "biases, got bias = True")
    q = 1 / rho if q is None else q
    ps = _expand(net, None, None, None, q, MAX_PATHS)
    return sp.ImmutableMatrix([sp.expand(e) for e in ps.expectation(rho)])


def verify_bernoulli_expectation(net, rho=RHO):
    """Decide exactly that q E_Z[path sum] = W_L ... W_1 x with q = 1/rho and rho a symbol.

    Parameters
    ----------
    net : Net
        Without biases; weights and input stay symbolic.
    rho : Expr, default the positive symbol rho

    Returns
    -------
    Report
        ``proved`` when the difference expands to zero.

    Notes
    -----
    Independent of the first computation, the right side is the product of the symbolic
    weight matrices (SymPy matrix multiplication), not a path sum.

    See Also
    --------
    expected_output : the left side.
    verify_path_sum_identity : the path sum within one activation pattern.

    Examples
    --------
    >>> from lossgeom import Net
    >>> verify_bernoulli_expectation(Net(widths=(2, 2, 2, 1), activation="relu")).outcome
    'proved'
    """
    lhs = expected_output(net, rho)
    prod = input_symbols(net)
    for l in range(1, net.depth + 1):
        prod = weight_symbols(net, l) * prod
    residual = [sp.expand(a - b) for a, b in zip(lhs, prod)]
    evidence = {"net": "-".join(map(str, net.widths)), "hidden_layers": net.depth - 1,
                "paths": paths_per_output(net) * net.widths[-1], "rho": "symbol"}
    if all(r == 0 for r in residual):
        return Report("E_Z[q path sum] = W_L...W_1 x", "proved", "exact expansion of the difference to zero "
                      "(rho symbolic, q = 1/rho)", evidence=evidence)
    return Report("E_Z[q path sum] = W_L...W_1 x", "refuted", "exact expansion of the difference",
                  evidence=evidence, counterexample={"residual": str(residual)})
