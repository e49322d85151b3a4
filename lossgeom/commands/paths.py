"""``lossgeom paths``: count, list and draw the activation paths of a net.

``lossgeom paths NETFILE`` reads a net with exact weights (and optionally inputs);
``lossgeom paths --widths 3,4,2,1 [--activation relu] [--bias]`` works from the shape alone, with
the net flags of every command (:func:`lossgeom.cli.add_net_options`).

JSON fields (stable): ``net``, ``widths``, ``activation``, ``paths_total`` and
``paths_per_output`` (decimal strings: counts can exceed 2^53), and with inputs
``active_paths``: one entry per sample with ``sample`` (1-based), ``x``, ``output`` (exact, "p/q"),
``units`` (name, ``state`` active/inactive/kink, ``h``), ``kinks``, ``count`` and
``count_per_output`` of active paths, ``paths`` (the first ``--list`` active paths with their
exact terms), ``path_sum`` (all paths, gated by the unit slopes; null when a unit is at a kink),
``path_sum_equals_output``, ``active_path_sum`` (the active paths alone: the output for ReLU,
even with units at a kink, whose h is 0) and ``active_path_sum_equals_output``.
"""

import json
import os

from lossgeom.cli import (
    UsageError,
    add_format,
    add_net_options,
    add_out,
    build_net,
    net_options_given,
    positive_int,
    write_output,
)
from lossgeom.errors import SizeLimitError
from lossgeom.limits import LIMITS

ORDER = 40

#: Most edges of a graph built for exports or a file's weights (drawing has its own, smaller limit).
MAX_GRAPH_EDGES = LIMITS["graph_edges"].value


def add(sub):
    p = sub.add_parser("paths", help="count, list and draw the activation paths of a net",
                       description="Paths from the inputs to the outputs of a net: counts (dynamic programming), "
                                   "the active paths at the file's inputs, the path-sum expansion, drawings.")
    p.add_argument("netfile", nargs="?", metavar="NETFILE", help="JSON net file (format in the README)")
    add_net_options(p, activation="relu", widths_required=False)
    p.add_argument("--list", type=positive_int("--list", 0), default=20, metavar="N",
                   help="list at most N active paths per sample (default 20)")
    p.add_argument("--sample", type=positive_int("--sample", 1), default=1,
                   help="which input (1-based) --draw and --dot highlight (default 1)")
    p.add_argument("--draw", metavar="FILE", help="draw the net to FILE.png or FILE.svg (active paths highlighted)")
    p.add_argument("--graphml", metavar="FILE", help="write the graph as GraphML")
    p.add_argument("--dot", metavar="FILE", help="write the graph as Graphviz DOT")
    add_format(p, choices=("text", "latex", "json"))
    add_out(p)
    p.set_defaults(func=_cmd_paths)


def _load(args):
    from lossgeom.data import NetFile, read_net_file

    if args.netfile and args.widths:
        raise UsageError("paths: give either NETFILE or --widths, not both")
    if args.netfile:
        given = net_options_given(args)
        if given:
            raise UsageError("paths: %s go with --widths; a net file carries its own" % ", ".join(given))
        return read_net_file(args.netfile)
    if not args.widths:
        raise UsageError("paths: expected a NETFILE or --widths (e.g. --widths 3,4,2,1)")
    return NetFile(build_net(args))


def _check_draw(path):
    from lossgeom.errors import DataError
    if os.path.splitext(path)[1].lower() not in (".png", ".svg"):
        raise DataError("--draw: expected a file name ending in .png or .svg, got %r" % path)


def _sample_report(nf, graph, k, limit):
    from lossgeom.numeric.graph import (
        activation_pattern,
        active_subgraph,
        count_paths,
        iter_path_terms,
        path_label,
        sum_path_terms,
    )

    x = list(nf.inputs[:, k])
    pat = activation_pattern(nf.net, nf.weights, x, nf.biases)
    sub = active_subgraph(graph, pat)
    cnt = count_paths(sub)
    listed = []
    for path, term in iter_path_terms(sub, pat):
        if len(listed) >= limit:
            break
        listed.append({"path": path_label(path), "output": path[-1][1], "term": str(term)})
    # every gated path (undefined through a unit at a kink), and the active paths alone
    total = sum_path_terms(graph, pat) if not pat.kinks else None
    active_sum = sum_path_terms(sub, pat)
    return pat, sub, {
        "sample": k + 1, "x": [str(v) for v in x], "output": [str(v) for v in pat.output],
        "units": [{"name": u.name, "state": u.state, "h": str(u.pre_activation)} for u in pat.units],
        "kinks": list(pat.kinks), "count": str(cnt.total), "count_per_output": [str(c) for c in cnt.per_output],
        "paths": listed, "listed": len(listed),
        "path_sum": None if total is None else [str(v) for v in total],
        "path_sum_equals_output": None if total is None else tuple(total) == tuple(pat.output),
        "active_path_sum": [str(v) for v in active_sum],
        "active_path_sum_equals_output": tuple(active_sum) == tuple(pat.output)}


def _cmd_paths(args):
    from lossgeom.numeric.graph import build_graph, count_paths, mark_pattern
    from lossgeom.numeric.graph_io import MAX_DRAW_EDGES, draw_graph, write_dot, write_graphml

    if args.draw:
        _check_draw(args.draw)
    nf = _load(args)
    net = nf.net
    counts = count_paths(net)
    doc = {"net": str(net), "widths": list(net.widths), "activation": net.activation.spec(), "bias": net.bias,
           "paths_total": str(counts.total), "paths_per_output": [str(c) for c in counts.per_output]}
    if nf.inputs is not None:
        LIMITS["paths_enumerated"].check(counts.total * nf.n_samples, "paths", shown="%s samples x %s paths of %s "
                                         "to enumerate" % (nf.n_samples, counts.total, net))
    graph = None
    if nf.weights is not None or args.draw or args.graphml or args.dot:
        edges = sum(net.widths[l] * net.widths[l - 1] + (net.widths[l] if net.bias else 0)
                    for l in range(1, net.depth + 1))
        if edges > MAX_GRAPH_EDGES or (args.draw and edges > MAX_DRAW_EDGES):
            limit = MAX_DRAW_EDGES if args.draw else MAX_GRAPH_EDGES
            raise SizeLimitError("paths: the graph of %s has %d edges, above the limit %d for %s; counts need no "
                                 "graph (drop --draw/--graphml/--dot) (limit %s)" % (
                                     net, edges, limit, "drawing" if args.draw else "building the graph",
                                     "draw_edges" if args.draw else "graph_edges"))
        graph = build_graph(net, nf.weights, nf.biases)
    highlight = None
    if nf.inputs is not None:
        if args.sample > nf.n_samples:
            raise UsageError("--sample: expected 1 to %d (the file's samples), got %d" % (nf.n_samples, args.sample))
        doc["active_paths"] = []
        for k in range(nf.n_samples):
            pat, _, rep = _sample_report(nf, graph, k, args.list)
            doc["active_paths"].append(rep)
            if k + 1 == args.sample:
                highlight = mark_pattern(graph, pat)
    shown = highlight if highlight is not None else graph
    if args.draw:
        draw_graph(shown, args.draw)
    if args.graphml:
        write_graphml(shown, args.graphml)
    if args.dot:
        write_dot(shown, args.dot)
    write_output(_render(doc, nf, args), args.out)
    return 0


def _render(doc, nf, args):
    if args.format == "json":
        return json.dumps(doc, indent=2)
    if args.format == "latex":
        return _latex(nf)
    lines = ["%s" % doc["net"],
             "paths per output: %s" % ", ".join(doc["paths_per_output"]),
             "paths in total:   %s" % doc["paths_total"]]
    for rep in doc.get("active_paths", []):
        lines.append("")
        lines.append("sample %d: x = (%s), output = (%s)" % (rep["sample"], ", ".join(rep["x"]),
                                                              ", ".join(rep["output"])))
        states = {}
        for u in rep["units"]:
            states.setdefault(u["state"], []).append(u["name"])
        for st in ("active", "inactive", "kink"):
            if st in states:
                lines.append("  %-9s %s" % (st + ":", " ".join(states[st])))
        lines.append("  active paths: %s (per output: %s)" % (rep["count"], ", ".join(rep["count_per_output"])))
        for item in rep["paths"]:
            lines.append("    %s   term %s" % (item["path"], item["term"]))
        if int(rep["count"]) > rep["listed"]:
            lines.append("    ... %d more (use --list N)" % (int(rep["count"]) - rep["listed"]))
        if rep["path_sum"] is not None:
            lines.append("  sum over all paths (gated by the unit slopes) = (%s): %s"
                         % (", ".join(rep["path_sum"]), "equals the forward pass" if rep["path_sum_equals_output"]
                            else "DIFFERS from the forward pass"))
        else:
            lines.append("  units at a kink (%s): path gates through them are undefined; not summed"
                         % ", ".join(rep["kinks"]))
        if rep["active_path_sum_equals_output"]:
            lines.append("  sum over the active paths alone = (%s): equals the forward pass"
                         % ", ".join(rep["active_path_sum"]))
    if args.draw:
        lines.append("")
        lines.append("drawing written to %s" % args.draw)
    return "\n".join(lines)


def _latex(nf):
    from lossgeom.symbolic.latex import latex
    from lossgeom.symbolic.paths import MAX_PATHS, collapsed_latex, expand_path_sum, paths_per_output

    net = nf.net
    if paths_per_output(net) * net.widths[-1] <= MAX_PATHS:
        return latex(expand_path_sum(net))
    return collapsed_latex(net)
