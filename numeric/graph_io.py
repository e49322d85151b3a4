"""Exports of the activation-path graph: GraphML, Graphviz DOT, PNG/SVG drawings.

The graph is the one :func:`lossgeom.numeric.graph.build_graph` builds (and
:func:`~lossgeom.numeric.graph.mark_pattern` marks).  GraphML goes through networkx with string
node ids (``x[1]``, ``h1[2]``, ``1@0``) and exact values as strings (``1/3``); DOT is written
here (no pydot); drawings use matplotlib's Agg canvas (no pyplot, no global state).  Every
file goes through :func:`lossgeom.io.write_file` (staged with the command's other outputs).
"""

import os

import networkx as nx
import sympy as sp

from lossgeom.checks import check_graph, check_path, check_str
from lossgeom.errors import DataError
from lossgeom.io import write_file
from lossgeom.limits import LIMITS
from lossgeom.numeric.graph import node_label

__all__ = ["to_dot", "write_dot", "write_graphml", "draw_graph", "MAX_DRAW_EDGES"]

#: Largest graph :func:`draw_graph` draws.
MAX_DRAW_EDGES = LIMITS["draw_edges"].value


def _plain(graph):
    """A copy with string node ids and string/number attributes (what GraphML and DOT accept)."""
    g = nx.DiGraph()
    for k, v in graph.graph.items():
        g.graph[k] = ",".join(map(str, v)) if isinstance(v, tuple) else (v if isinstance(v, (bool, int)) else str(v))
    for n, data in graph.nodes(data=True):
        g.add_node(node_label(n), **{k: (v if isinstance(v, (bool, int)) else str(v)) for k, v in data.items()})
    for u, v, data in graph.edges(data=True):
        g.add_edge(node_label(u), node_label(v),
                   **{k: (v_ if isinstance(v_, (bool, int)) and not isinstance(v_, sp.Basic) else str(v_))
                      for k, v_ in data.items()})
    return g


def write_graphml(graph, path):
    """Write the graph as GraphML (node ids ``x[1]``, ``h1[2]``; exact values as strings like ``1/3``).

    Parameters
    ----------
    graph : networkx.DiGraph
    path : str
        Written atomically (staged with the command's other outputs inside :class:`lossgeom.io.Outputs`).

    Returns
    -------
    None

    Notes
    -----
    networkx's GraphML writer on a copy with string node ids and string attributes, so exact
    rationals survive the round trip.

    References
    ----------
    The GraphML format, http://graphml.graphdrawing.org.

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> from lossgeom import Net
    >>> from lossgeom.numeric.graph import build_graph
    >>> d = tempfile.mkdtemp(); f = os.path.join(d, "g.graphml")
    >>> write_graphml(build_graph(Net(widths=(1, 1)), [[[2]]]), f)
    >>> sorted(nx.read_graphml(f).edges(data="value"))
    [('x[1]', 'h1[1]', '2')]
    >>> shutil.rmtree(d)
    """
    check_graph(graph)
    check_path(path)
    write_file(path, lambda tmp: nx.write_graphml(_plain(graph), tmp), field="graphml")


def to_dot(graph):
    """The graph in Graphviz DOT, left to right, one rank per layer (active edges bold red).

    Parameters
    ----------
    graph : networkx.DiGraph
        From :func:`build_graph` or :func:`mark_pattern`.

    Returns
    -------
    str

    Notes
    -----
    Written here (no pydot); edge labels are ``name=value``, node fill colours show the state.

    References
    ----------
    Graphviz DOT language, https://graphviz.org/doc/info/lang.html.

    Examples
    --------
    >>> from lossgeom import Net
    >>> from lossgeom.numeric.graph import build_graph
    >>> print(to_dot(build_graph(Net(widths=(1, 1)), [[["1/2"]]])))
    digraph net {
      rankdir=LR;
      node [shape=circle, fontsize=10];
      { rank=same; "x[1]" [label="x[1]"]; }
      { rank=same; "h1[1]" [label="h1[1]"]; }
      "x[1]" -> "h1[1]" [label="W1[1,1]=1/2"];
    }
    """
    check_graph(graph)
    def q(s):
        return '"%s"' % str(s).replace("\\", "\\\\").replace('"', '\\"')

    colours = {"active": "palegreen", "inactive": "lightgrey", "kink": "orange"}
    lines = ["digraph net {", "  rankdir=LR;", "  node [shape=circle, fontsize=10];"]
    for l in range(len(graph.graph["widths"])):
        nodes = sorted(n for n in graph.nodes if n[0] == l)
        if not nodes:
            continue
        items = []
        for n in nodes:
            attrs = ["label=%s" % q(graph.nodes[n].get("label", node_label(n)))]
            st = graph.nodes[n].get("state")
            if st in colours:
                attrs += ["style=filled", "fillcolor=%s" % colours[st]]
            items.append("%s [%s];" % (q(node_label(n)), ", ".join(attrs)))
        lines.append("  { rank=same; %s }" % " ".join(items))
    for u, v, data in sorted(graph.edges(data=True)):
        label = data.get("name", "")
        if data.get("value") is not None:
            label += "=%s" % data["value"]
        attrs = ["label=%s" % q(label)]
        if data.get("active") is True:
            attrs += ["color=red", "penwidth=2"]
        elif data.get("active") is False:
            attrs += ["color=grey"]
        lines.append("  %s -> %s [%s];" % (q(node_label(u)), q(node_label(v)), ", ".join(attrs)))
    lines.append("}")
    return "\n".join(lines)


def write_dot(graph, path):
    """Write :func:`to_dot` to a file, atomically.

    Parameters
    ----------
    graph : networkx.DiGraph
    path : str

    Returns
    -------
    None

    Notes
    -----
    The text of :func:`to_dot` plus a newline.

    References
    ----------
    Graphviz DOT language, https://graphviz.org/doc/info/lang.html.

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> from lossgeom import Net
    >>> from lossgeom.numeric.graph import build_graph
    >>> d = tempfile.mkdtemp(); f = os.path.join(d, "g.dot")
    >>> write_dot(build_graph(Net(widths=(1, 1))), f)
    >>> open(f).read().splitlines()[-2]
    '  "x[1]" -> "h1[1]" [label="W1[1,1]"];'
    >>> shutil.rmtree(d)
    """
    check_graph(graph)
    check_path(path)
    text = to_dot(graph) + "\n"

    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
    write_file(path, write, field="dot")


def _layout(graph):
    """Node positions: layer l at x = l, unit i of a layer of d nodes at y = (d + 1)/2 - i, bias node last."""
    widths, extra = graph.graph["widths"], (1 if graph.graph.get("bias") else 0)
    pos = {}
    for l, i in graph.nodes:
        d = widths[l] + extra
        pos[(l, i)] = (l, (d + 1) / 2 - (i if i > 0 else d))
    return pos


def _draw_edges(ax, graph, pos, big, marked):
    for u, v, d in graph.edges(data=True):
        wid = 0.5 + 3.5 * abs(float(d["value"])) / big if d.get("value") is not None else 1.0
        colour, alpha, z = ("tab:red", 0.9, 2) if d.get("active") else (("0.6", 0.35, 1) if marked
                                                                          else ("tab:blue", 0.6, 1))
        (x0, y0), (x1, y1) = pos[u], pos[v]
        ax.plot([x0, x1], [y0, y1], color=colour, linewidth=wid, alpha=alpha, zorder=z,
                linestyle="--" if d.get("value") is not None and d["value"] < 0 else "-")


def _draw_nodes(ax, graph, pos):
    fill = {"active": "palegreen", "inactive": "lightgrey", "kink": "orange", "source": "lightblue"}
    for n, d in graph.nodes(data=True):
        colour = fill.get(d.get("state"), "lightblue" if d.get("kind") in ("input", "bias") else "white")
        ax.scatter([pos[n][0]], [pos[n][1]], s=600, c=colour, edgecolors="black", zorder=3)
        ax.annotate(d.get("label", node_label(n)), pos[n], ha="center", va="center", fontsize=7, zorder=4)


def _legend(ax, marked, weighted):
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color="tab:red" if marked else "tab:blue", linewidth=2,
                      label="on an active path" if marked else "weight"),
               Line2D([], [], color="0.4", linestyle="--", label="negative weight")]
    if marked:
        handles.insert(1, Line2D([], [], color="0.6", alpha=0.5, linewidth=2, label="not on an active path"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(handles), fontsize=8,
              frameon=False, title="line width grows with |weight|" if weighted else None, title_fontsize=8)


def draw_graph(graph, path, title=None):
    """Draw the graph to PNG or SVG with matplotlib (Agg canvas; no pyplot, no global state).

    Layers run left to right; edge widths grow with |weight|; when the graph carries a pattern
    (:func:`mark_pattern`) the edges on active paths are red and the others pale, and units are
    coloured by state (active green, inactive grey, kink orange).

    Parameters
    ----------
    graph : networkx.DiGraph
    path : str
        Ends in ``.png`` or ``.svg``; written atomically.
    title : str, optional

    Raises
    ------
    DataError
        For another suffix or a missing folder.
    SizeLimitError
        For more than :data:`MAX_DRAW_EDGES` edges.

    Returns
    -------
    None

    Notes
    -----
    Node (l, i) sits at (l, (d_l + 1)/2 - i); line width 0.5 + 3.5 |w| / max |w|; negative
    weights dashed.

    References
    ----------
    matplotlib ``Figure`` with the Agg canvas (``backend_agg.FigureCanvasAgg``).

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> from lossgeom import Net
    >>> from lossgeom.numeric.graph import build_graph
    >>> d = tempfile.mkdtemp(); f = os.path.join(d, "net.png")
    >>> draw_graph(build_graph(Net(widths=(2, 1)), [[[1, -2]]]), f)
    >>> open(f, "rb").read(8) == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    >>> shutil.rmtree(d)
    """
    check_graph(graph)
    check_path(path)
    if title is not None:
        check_str(title, "title", nonempty=False)
    fmt = os.path.splitext(str(path))[1].lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise DataError("draw: expected a file name ending in .png or .svg, got %r" % (str(path),))
    LIMITS["draw_edges"].check(graph.number_of_edges(), "draw", shown="the graph has %d edges"
                               % graph.number_of_edges())
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    widths = graph.graph["widths"]
    tallest = max(widths) + (1 if graph.graph.get("bias") else 0)
    pos = _layout(graph)
    fig = Figure(figsize=(2 + 1.6 * len(widths), 1.5 + 0.6 * tallest))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    vals = [abs(float(v)) for _, _, v in graph.edges(data="value") if v is not None]
    marked = any("active" in d for _, _, d in graph.edges(data=True))
    _draw_edges(ax, graph, pos, max(vals) if vals and max(vals) > 0 else 1.0, marked)
    _draw_nodes(ax, graph, pos)
    ax.set_xticks(range(len(widths)))
    ax.set_xticklabels(["input"] + ["layer %d" % l for l in range(1, len(widths))])
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(-0.5, len(widths) - 0.5)
    _legend(ax, marked, bool(vals))
    ax.set_title(title or "activation paths of a %s net" % "-".join(map(str, widths)), fontsize=10)
    fig.tight_layout()
    write_file(path, lambda tmp: fig.savefig(tmp, format=fmt), field="draw")
