"""The activation-path graph of a net: networkx, exact, countable, drawable.

The net is a layered ``networkx.DiGraph``.  Nodes are ``(layer, unit)``: layer 0 holds the
inputs, units are 1-based as in the parameter names ``W{l}[{i},{j}]``, and with biases every
layer k = 0..L-1 has a bias node ``(k, 0)`` (the constant 1) feeding layer k+1.  The edge
``(l-1, j) -> (l, i)`` carries ``name="W{l}[{i},{j}]"`` and, when weights are given, the exact
``value`` (a SymPy Rational); the bias edge ``(k, 0) -> (k+1, i)`` carries ``b{k+1}[{i}]``.

At an exact input every unit of a piecewise-linear net is ``active`` (on its last, rightmost
piece: h > 0 for ReLU), ``inactive`` (on an earlier piece) or at a ``kink`` (h exactly at a
kink; reported, never silently counted as on or off).  A path is active when every unit on
it is active; :func:`active_subgraph` keeps exactly the nodes and edges on active paths.

Paths are counted by dynamic programming (:func:`count_paths`, Python ints, so 10^30 paths
come back at once) and enumerated lazily (:func:`iter_paths`, :func:`iter_path_terms`, in
the order of :func:`lossgeom.symbolic.paths.iter_net_paths`).  Exports (GraphML, DOT, PNG/SVG
drawings) are in :mod:`lossgeom.numeric.graph_io`.

References
----------
Choromanska, Henaff, Mathieu, Ben Arous, LeCun, "The Loss Surfaces of Multilayer Networks",
AISTATS 2015, Sec. 3 (paths of a ReLU net and their gates).
"""

import math
from dataclasses import dataclass
from fractions import Fraction

import networkx as nx
import sympy as sp

from lossgeom.activations import X as _X
from lossgeom.checks import check_graph, check_layers, check_matrix_like, check_net, check_node, check_nodes, check_type
from lossgeom.display import summary_latex
from lossgeom.errors import DataError, NetSpecError, NonDifferentiableError
from lossgeom.net import Net
from lossgeom.point import Pattern
from lossgeom.symbolic.forward import resolve_inputs
from lossgeom.symbolic.paths import paths_per_output, require_path_activation

__all__ = ["STATES", "UnitState", "ActivationPattern", "PathCount", "build_graph", "activation_pattern",
           "mark_pattern", "active_subgraph", "count_paths", "iter_paths", "iter_path_terms", "sum_path_terms",
           "node_label", "path_label"]

#: The states a unit can be in at an exact input.
STATES = ("active", "inactive", "kink")


# -- the graph --------------------------------------------------------------------------------
def node_label(node):
    """Readable name of a node: ``x[j]`` for inputs, ``h{l}[{i}]`` for units, ``1@{k}`` for bias nodes.

    Parameters
    ----------
    node : tuple (layer, unit)

    Returns
    -------
    str

    Notes
    -----
    Units are named by their pre-activation h_{l,i} (the names used for kinks); the bias node
    ``(k, 0)`` is the constant 1 feeding layer k+1.

    Examples
    --------
    >>> node_label((0, 2)), node_label((1, 3)), node_label((1, 0))
    ('x[2]', 'h1[3]', '1@1')
    """
    node = check_node(node)
    l, i = node
    if i == 0:
        return "1@%d" % l
    return "x[%d]" % i if l == 0 else "h%d[%d]" % (l, i)


def path_label(path):
    """A path as text, e.g. ``x[1] -> h1[2] -> h2[1]``.

    Parameters
    ----------
    path : tuple of nodes

    Returns
    -------
    str

    Notes
    -----
    The nodes' :func:`node_label` joined by arrows, source first.

    Examples
    --------
    >>> path_label(((0, 1), (1, 2), (2, 1)))
    'x[1] -> h1[2] -> h2[1]'
    """
    path = check_nodes(path)
    return " -> ".join(node_label(n) for n in path)


def build_graph(net, weights=None, biases=None):
    """The net as a layered ``networkx.DiGraph``.

    Parameters
    ----------
    net : Net
    weights : sequence of matrices, optional
        Exact W_1 .. W_L (read exactly: ``"1/3"``, ``"0.1"``); stored as edge ``value``.
    biases : sequence of vectors, optional
        Exact b_1 .. b_L (nets with ``bias=True``).

    Returns
    -------
    networkx.DiGraph
        Graph attributes ``widths``, ``activation``, ``bias``; node attributes ``layer``,
        ``unit``, ``kind`` (input, hidden, output, bias), ``label``; edge attributes ``name``,
        ``layer`` and, with weights, ``value``.

    Raises
    ------
    DataError
        For weights of the wrong shape or not exact numbers (the field is named).

    Notes
    -----
    d_0 + ... + d_L nodes (+ L bias nodes) and sum_l d_l d_{l-1} (+ d_l) edges.

    Examples
    --------
    >>> g = build_graph(Net(widths=(2, 1)), weights=[[["1/2", -3]]])
    >>> sorted(g.nodes)
    [(0, 1), (0, 2), (1, 1)]
    >>> g.edges[(0, 2), (1, 1)]
    {'name': 'W1[1,2]', 'layer': 1, 'value': -3}
    """
    check_net(net)
    if weights is not None:
        check_layers(weights)
    if not isinstance(net, Net):
        raise NetSpecError("net: expected a lossgeom Net, got %r" % (net,))
    L, widths = net.depth, net.widths
    W = b = None
    if weights is not None or biases is not None:
        if weights is None:
            raise DataError("weights: biases were given without weights")
        W, b, _, _ = resolve_inputs(net, weights, biases if net.bias else None, None, None)
        if net.bias and biases is None:
            raise DataError("biases: the net has bias = True, so biases are required with weights")
    g = nx.DiGraph(widths=tuple(widths), activation=net.activation.label, bias=net.bias)
    for l, d in enumerate(widths):
        kind = "input" if l == 0 else ("output" if l == L else "hidden")
        for i in range(1, d + 1):
            g.add_node((l, i), layer=l, unit=i, kind=kind, label=node_label((l, i)))
        if net.bias and l < L:
            g.add_node((l, 0), layer=l, unit=0, kind="bias", label=node_label((l, 0)))
    for l in range(1, L + 1):
        for i in range(1, widths[l] + 1):
            for j in range(1, widths[l - 1] + 1):
                attrs = {"name": "W%d[%d,%d]" % (l, i, j), "layer": l}
                if W is not None:
                    attrs["value"] = W[l - 1][i - 1, j - 1]
                g.add_edge((l - 1, j), (l, i), **attrs)
            if net.bias:
                attrs = {"name": "b%d[%d]" % (l, i), "layer": l}
                if b is not None:
                    attrs["value"] = b[l - 1][i - 1]
                g.add_edge((l - 1, 0), (l, i), **attrs)
    return g


def _sources(graph):
    """Sources in enumeration order: inputs by unit, then bias nodes by layer."""
    ins = sorted(n for n, k in graph.nodes(data="kind") if k == "input")
    bias = sorted(n for n, k in graph.nodes(data="kind") if k == "bias")
    return ins + bias


def _outputs(graph):
    widths = graph.graph["widths"]
    return [(len(widths) - 1, j) for j in range(1, widths[-1] + 1)]


# -- activation pattern at an input ----------------------------------------------------------
@dataclass(frozen=True)
class UnitState:
    """The state of one unit at an exact input.

    Attributes
    ----------
    layer, unit : int
    pre_activation : Rational
        h_{l,i}, exact.
    state : {"active", "inactive", "kink"}
    piece : int or None
        Index of the activation piece (None at a kink).
    slope : Rational or None
        f' on that piece (None at a kink, where it does not exist).

    Examples
    --------
    >>> net = Net(widths=(1, 1, 1), activation="relu")
    >>> activation_pattern(net, [[[2]], [[1]]], [-1]).units[0]
    UnitState(layer=1, unit=1, pre_activation=-2, state='inactive', piece=0, slope=0)
    """

    layer: int
    unit: int
    pre_activation: sp.Rational
    state: str
    piece: int = None
    slope: sp.Rational = None

    @property
    def name(self):
        """``h{l}[{i}]``."""
        return node_label((self.layer, self.unit))


@dataclass(frozen=True)
class ActivationPattern:
    """Which units are on at an exact input, with the exact forward pass.

    Attributes
    ----------
    net : Net
    x : tuple of Rational
        The input.
    units : tuple of UnitState
        Every unit of layers 1..L, layer by layer.
    output : tuple of Rational
        The net's output at x (exact).

    Notes
    -----
    ``piece_map`` is the argument ``pattern`` of :func:`lossgeom.symbolic.forward.forward_trace`
    and of :meth:`lossgeom.symbolic.paths.PathSum.gated`.

    Examples
    --------
    >>> net = Net(widths=(1, 2, 1), activation="relu")
    >>> pat = activation_pattern(net, [[[1], [-1]], [[1, 1]]], [3])
    >>> pat.piece_map, pat.output
    ({(1, 1): 1, (1, 2): 0, (2, 1): 0}, (3,))
    """

    net: object
    x: tuple
    units: tuple
    output: tuple

    def unit(self, layer, unit):
        """The :class:`UnitState` of unit ``(layer, unit)``."""
        for u in self.units:
            if (u.layer, u.unit) == (layer, unit):
                return u
        raise NetSpecError("unit: expected a unit (layer 1..%d, unit from 1), got (%r, %r)"
                           % (self.net.depth, layer, unit))

    @property
    def piece_map(self):
        """``{(l, i): piece}`` for every unit not at a kink (the convention of ``forward_trace``)."""
        return {(u.layer, u.unit): u.piece for u in self.units if u.piece is not None}

    @property
    def pattern(self):
        """The units' pieces as a frozen :class:`~lossgeom.point.Pattern` (units at a kink left free)."""
        return Pattern.from_spec(self.piece_map, self.net)

    @property
    def kinks(self):
        """Names of the units whose pre-activation sits exactly at a kink."""
        return tuple(u.name for u in self.units if u.state == "kink")

    @property
    def states(self):
        """``{(l, i): state}``."""
        return {(u.layer, u.unit): u.state for u in self.units}


def activation_pattern(net, weights, x, biases=None):
    """The state of every unit at an exact input.

    Parameters
    ----------
    net : Net
        Piecewise-linear activations through the origin.
    weights : sequence of matrices
        Exact W_1 .. W_L.
    x : sequence of numbers
        One input, length d_0 (read exactly).
    biases : sequence of vectors, optional

    Returns
    -------
    ActivationPattern

    Raises
    ------
    DataError
        For an input of the wrong length or weights of the wrong shape.
    NetSpecError
        For a non-piecewise-linear activation.

    Notes
    -----
    h_l = W_l a_{l-1} (+ b_l), a_l = f(h_l) exactly; a unit is active on the last piece of f,
    inactive on an earlier one and at a kink when h_l equals a kink of f.

    Examples
    --------
    >>> net = Net(widths=(1, 3, 1), activation="relu")
    >>> pat = activation_pattern(net, [[[1], [-1], [0]], [[1, 1, 1]]], ["1/2"])
    >>> [u.state for u in pat.units], pat.kinks, pat.output
    (['active', 'inactive', 'kink', 'active'], ('h1[3]',), (1/2,))
    """
    check_net(net)
    check_layers(weights)
    check_matrix_like(x, "x")
    require_path_activation(net)
    if weights is None:
        raise DataError("weights: the activation pattern needs exact weights")
    if not isinstance(x, sp.MatrixBase):
        if not isinstance(x, (list, tuple)):
            raise DataError("x: expected a list of %d numbers, got %r" % (net.widths[0], x))
        if len(x) != net.widths[0]:
            raise DataError("x: expected %d numbers (the input width), got %d" % (net.widths[0], len(x)))
    W, b, xs, _ = resolve_inputs(net, weights, biases if net.bias else None, x, None)
    if net.bias and biases is None:
        raise DataError("biases: the net has bias = True, so biases are required")
    a = list(xs)
    units = []
    for l in range(1, net.depth + 1):
        act = net.layer_activation(l)
        h = W[l - 1] * sp.Matrix(a)
        if b is not None:
            h = h + b[l - 1]
        last = len(act.pieces) - 1
        a = []
        for i, hv in enumerate(h, 1):
            k = act.piece_index(hv)
            if k is None:
                units.append(UnitState(l, i, hv, "kink"))
                a.append(next(p.expr for p in act.pieces if p.upper == hv).subs(_X, hv))
            else:
                slope = sp.diff(act.pieces[k].expr, _X)
                units.append(UnitState(l, i, hv, "active" if k == last else "inactive", k, slope))
                a.append(slope * hv)
    return ActivationPattern(net, tuple(xs), tuple(units), tuple(a))


def mark_pattern(graph, pattern):
    """A copy of the graph with each unit's ``state`` and each edge's ``active`` flag.

    Parameters
    ----------
    graph : networkx.DiGraph
        From :func:`build_graph`.
    pattern : ActivationPattern

    Returns
    -------
    networkx.DiGraph
        A copy; node ``state`` is active/inactive/kink (``source`` for inputs and bias nodes).

    Notes
    -----
    An edge is active when it lies on an active path (all units on the path active): its ends
    are reachable from a source and reach an output through active units only.

    Examples
    --------
    >>> net = Net(widths=(1, 2, 1), activation="relu")
    >>> W = [[[1], [-1]], [[1, 1]]]
    >>> g = mark_pattern(build_graph(net, W), activation_pattern(net, W, [1]))
    >>> g.nodes[(1, 2)]["state"], g.edges[(0, 1), (1, 1)]["active"], g.edges[(1, 2), (2, 1)]["active"]
    ('inactive', True, False)
    """
    check_graph(graph)
    check_type(pattern, "pattern", ActivationPattern, "an ActivationPattern (activation_pattern(net, weights, x))")
    g = graph.copy()
    states = pattern.states
    for n in g.nodes:
        g.nodes[n]["state"] = states.get(n, "source")
    keep = _active_nodes(g)
    for u, v in g.edges:
        g.edges[u, v]["active"] = u in keep and v in keep
    return g


def _active_nodes(g):
    ok = {n for n, s in g.nodes(data="state") if s in ("active", "source")}
    sub = g.subgraph(ok)
    fwd = set()
    for s in _sources(g):
        if s in ok:
            fwd |= nx.descendants(sub, s) | {s}
    bwd = set()
    for o in _outputs(g):
        if o in ok:
            bwd |= nx.ancestors(sub, o) | {o}
    return fwd & bwd


def active_subgraph(graph, pattern):
    """The subgraph of active paths: the nodes and edges lying on a path whose units are all active.

    Parameters
    ----------
    graph : networkx.DiGraph
        From :func:`build_graph`.
    pattern : ActivationPattern

    Returns
    -------
    networkx.DiGraph
        A new graph (attributes copied, ``state`` on every node).

    Notes
    -----
    For ReLU the active paths alone carry the output: y_j = sum over active p ending at j of
    x_{i_0(p)} prod_k w_p^(k) (units at a kink contribute 0 either way, as their h is 0).

    Examples
    --------
    >>> net = Net(widths=(2, 2, 1), activation="relu")
    >>> W = [[[1, 0], [0, -1]], [[1, 1]]]
    >>> sub = active_subgraph(build_graph(net, W), activation_pattern(net, W, [1, 1]))
    >>> sorted(sub.edges)
    [((0, 1), (1, 1)), ((0, 2), (1, 1)), ((1, 1), (2, 1))]
    >>> count_paths(sub).total
    2
    """
    check_graph(graph)
    check_type(pattern, "pattern", ActivationPattern, "an ActivationPattern (activation_pattern(net, weights, x))")
    g = mark_pattern(graph, pattern)
    keep = _active_nodes(g)
    sub = g.subgraph(keep).copy()
    return sub


# -- counting and enumeration -----------------------------------------------------------------
@dataclass(frozen=True)
class PathCount:
    """Numbers of input-to-output paths.

    Attributes
    ----------
    per_output : tuple of int
        Paths ending at output unit 1, 2, ... (0 for an output no path reaches).
    total : int
        Their sum (Psi times the output width for a full net without biases).

    Examples
    --------
    >>> count_paths(Net(widths=(2, 3, 2)))
    PathCount(per_output=(6, 6), total=12)
    """

    per_output: tuple
    total: int

    def _repr_latex_(self):
        r"""Jupyter's display: the total and the paths per output unit.

        Examples
        --------
        >>> r"\text{total} & 12" in count_paths(Net(widths=(2, 3, 2)))._repr_latex_()
        True
        """
        return summary_latex("Input-output paths", [("total", self.total), ("per output unit", self.per_output)])


def count_paths(obj):
    """Count input-to-output paths by dynamic programming (exact Python ints).

    Parameters
    ----------
    obj : Net or networkx.DiGraph
        A net (counted from its widths) or a graph from :func:`build_graph` or
        :func:`active_subgraph` (counted on its edges).

    Returns
    -------
    PathCount

    Raises
    ------
    NetSpecError
        For anything else.

    Notes
    -----
    c(source) = 1, c(v) = sum_{u -> v} c(u), in layer order; O(edges) additions.  For a full
    net without biases every output gets Psi = d_0 d_1 ... d_{L-1} (Choromanska et al., Sec. 3).

    See Also
    --------
    iter_paths : the paths themselves, lazily.
    lossgeom.symbolic.paths.paths_per_output : the closed form from the widths.

    Examples
    --------
    >>> count_paths(Net(widths=(3, 4, 2, 1), activation="relu"))
    PathCount(per_output=(24,), total=24)
    >>> count_paths(build_graph(Net(widths=(3, 4, 2, 2)))).per_output
    (24, 24)
    >>> count_paths(Net(widths=(10,) * 31 + (1,))).total == 10 ** 31
    True
    """
    if isinstance(obj, Net):
        n = paths_per_output(obj)
        return PathCount((n,) * obj.widths[-1], n * obj.widths[-1])
    if not isinstance(obj, nx.DiGraph) or "widths" not in obj.graph:
        raise NetSpecError("net: expected a Net or a graph from build_graph, got %r" % (type(obj).__name__,))
    count = {}
    for n in sorted(obj.nodes):  # (layer, unit): layer order is a topological order
        preds = list(obj.predecessors(n))
        count[n] = sum(count[p] for p in preds) if preds else (1 if obj.nodes[n].get("kind") in
                                                                ("input", "bias") else 0)
    per = tuple(count.get(o, 0) for o in _outputs(obj))
    return PathCount(per, sum(per))


def _walk(graph, output, start, edge):
    """Depth-first, lexicographic walk of the paths ending at ``output``, with prefix values."""
    if output not in graph:
        return
    reach = nx.ancestors(graph, output) | {output}
    succ = {n: [m for m in sorted(graph.successors(n)) if m in reach] for n in reach}
    for s in _sources(graph):
        if s not in reach:
            continue
        stack = [((s,), start(s))]
        while stack:
            path, val = stack.pop()
            node = path[-1]
            if node == output:
                yield path, val
                continue
            for m in reversed(succ[node]):
                stack.append((path + (m,), edge(node, m, val)))


def _check_output_node(graph, output):
    outs = _outputs(graph)
    if output is None:
        return outs
    if isinstance(output, bool) or not isinstance(output, int) or not 1 <= output <= len(outs):
        raise NetSpecError("output: expected an output unit from 1 to %d, got %r" % (len(outs), output))
    return [outs[output - 1]]


def iter_paths(graph, output=None):
    """Lazily enumerate paths as tuples of nodes, output by output, lexicographically.

    Parameters
    ----------
    graph : networkx.DiGraph
        From :func:`build_graph` or :func:`active_subgraph`.
    output : int, optional
        Only the paths ending at this output unit (1-based).

    Returns
    -------
    generator of tuple of (int, int)

    Notes
    -----
    A generator: nothing is stored, so it can be stopped early on any net (use
    :func:`count_paths` to know how many there are first).

    See Also
    --------
    count_paths : how many there are.
    iter_path_terms : the paths with their exact terms.
    lossgeom.symbolic.paths.iter_net_paths : the same order, from the widths alone.

    Examples
    --------
    >>> g = build_graph(Net(widths=(2, 2, 1)))
    >>> [path_label(p) for p in iter_paths(g)][:2]
    ['x[1] -> h1[1] -> h2[1]', 'x[1] -> h1[2] -> h2[1]']
    """
    check_graph(graph)
    outputs = list(_check_output_node(graph, output))  # checked now; the paths are lazy
    return (path for o in outputs for path, _ in _walk(graph, o, lambda s: None, lambda u, v, val: None))


def _scaled_values(graph, pattern):
    """Integer edge and source values with one common denominator D for every path.

    The effective edge value into unit v is w * slope(v); layer l's values are scaled by D_l, the
    lcm of their denominators, inputs by D_0 and the bias node of layer k starts at
    D_0 ... D_k, so every path's product is (its exact term) * D with D = D_0 D_1 ... D_L.
    """
    widths = graph.graph["widths"]
    L = len(widths) - 1
    slopes = {(u.layer, u.unit): u for u in pattern.units}
    eff = {}
    for u, v, val in graph.edges(data="value"):
        if val is None:
            raise DataError("weights: the graph has no weight values; build it with build_graph(net, weights)")
        st = slopes[v]
        if st.state == "kink":
            raise NonDifferentiableError("path terms: unit %s sits exactly at a kink (h = %s), so the gates of its "
                                         "paths are undefined" % (st.name, st.pre_activation), kinks=[st.name])
        eff[(u, v)] = Fraction(int(val.p), int(val.q)) * Fraction(int(st.slope.p), int(st.slope.q))
    den = [1] * (L + 1)
    den[0] = math.lcm(*[int(xv.q) for xv in pattern.x]) if pattern.x else 1
    for (u, v), f in eff.items():
        den[v[0]] = math.lcm(den[v[0]], f.denominator)
    ints = {e: f.numerator * (den[e[1][0]] // f.denominator) for e, f in eff.items()}
    prefix = [1] * (L + 1)
    acc = 1
    for l in range(L + 1):
        acc *= den[l]
        prefix[l] = acc
    starts = {}
    for n in _sources(graph):
        l, i = n
        starts[n] = prefix[l] if i == 0 else int(pattern.x[i - 1].p) * (den[0] // int(pattern.x[i - 1].q))
    return ints, starts, prefix[L]


def iter_path_terms(graph, pattern, output=None):
    """Lazily enumerate ``(path, term)`` with the exact term x_{i_0} * gate * prod of weights.

    Parameters
    ----------
    graph : networkx.DiGraph
        With weight values (:func:`build_graph` with weights, or its active subgraph).
    pattern : ActivationPattern
        The input and the unit slopes (the gate of a path is the product of its slopes).
    output : int, optional

    Returns
    -------
    generator of (tuple, int or Fraction)
        Each path and its exact term (an int when it is an integer).

    Raises
    ------
    NonDifferentiableError
        When the graph holds a unit at a kink (its paths' gates are undefined); the active
        subgraph never does.
    DataError
        When the graph carries no weight values.

    Notes
    -----
    Exact integer arithmetic: values are scaled to integers layer by layer (one common
    denominator D for all paths) and each term is divided by D on the way out.

    See Also
    --------
    iter_paths : the paths without their terms.
    sum_path_terms : their sums, one per output.

    Examples
    --------
    >>> net = Net(widths=(2, 1), activation="relu")
    >>> W = [[["1/2", 3]]]
    >>> g = build_graph(net, W)
    >>> list(iter_path_terms(g, activation_pattern(net, W, [1, "1/3"])))
    [(((0, 1), (1, 1)), Fraction(1, 2)), (((0, 2), (1, 1)), 1)]
    """
    check_graph(graph)
    check_type(pattern, "pattern", ActivationPattern, "an ActivationPattern (activation_pattern(net, weights, x))")
    ints, starts, D = _scaled_values(graph, pattern)
    outputs = list(_check_output_node(graph, output))  # checked now; the terms are lazy
    return ((path, val // D if val % D == 0 else Fraction(val, D)) for o in outputs
            for path, val in _walk(graph, o, starts.__getitem__, lambda u, v, val: val * ints[(u, v)]))


def sum_path_terms(graph, pattern, output=None):
    """Enumerate every path and add up the terms exactly; one sum per output.

    Parameters
    ----------
    graph : networkx.DiGraph
        With weight values.
    pattern : ActivationPattern
    output : int, optional
        Only this output unit.

    Returns
    -------
    tuple of Rational
        With the full graph and no unit at a kink this is the forward pass (the path-sum
        identity); with the active subgraph of a ReLU net, too.

    Raises
    ------
    NonDifferentiableError
        When the graph holds a unit at a kink.

    Notes
    -----
    sum_p x_{i_0(p)} prod_{(l,i) on p} s_{l,i} prod_k w_p^(k), every path visited once; the
    integer partial sums are divided by the common denominator once at the end.

    See Also
    --------
    iter_path_terms : the terms one by one.
    lossgeom.symbolic.paths.verify_path_sum_identity : the same identity, symbolically.

    Examples
    --------
    >>> net = Net(widths=(1, 2, 1), activation={"name": "leaky_relu", "slope": "1/10"})
    >>> W = [[[1], [-1]], [[2, 3]]]
    >>> pat = activation_pattern(net, W, [1])
    >>> sum_path_terms(build_graph(net, W), pat), pat.output
    ((17/10,), (17/10,))
    """
    check_graph(graph)
    check_type(pattern, "pattern", ActivationPattern, "an ActivationPattern (activation_pattern(net, weights, x))")
    ints, starts, D = _scaled_values(graph, pattern)
    out = []
    for o in _check_output_node(graph, output):
        total = 0
        for _, val in _walk(graph, o, starts.__getitem__, lambda u, v, val: val * ints[(u, v)]):
            total += val
        out.append(sp.Rational(total, D))
    return tuple(out)
