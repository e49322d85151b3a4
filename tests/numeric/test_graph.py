"""Tests of lossgeom.numeric.graph against independent oracles.

Oracles: the product formula d_0 d_1 ... d_{L-1} written out here, networkx's own
``all_simple_paths`` enumeration, and an exact forward pass written from scratch with
``fractions.Fraction`` (it knows nothing of paths, patterns or SymPy).
"""

import math
import os
from fractions import Fraction

import networkx as nx
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from lossgeom import DataError, Net, NetSpecError, NonDifferentiableError, OutputError
from lossgeom.numeric.graph import (
    activation_pattern,
    active_subgraph,
    build_graph,
    count_paths,
    iter_path_terms,
    iter_paths,
    mark_pattern,
    path_label,
    sum_path_terms,
)
from lossgeom.numeric.graph_io import draw_graph, to_dot, write_dot, write_graphml
from lossgeom.symbolic.paths import iter_net_paths

ACTIVATIONS = {
    "relu": ("relu", lambda h: max(h, 0)),
    "leaky": ({"name": "leaky_relu", "slope": "1/10"}, lambda h: h if h > 0 else h / 10),
    "two_piece": ({"name": "two_piece", "s_plus": "2", "s_minus": "1/3"}, lambda h: 2 * h if h > 0 else h / 3),
    "abs": ("abs", abs),
    "identity": ("identity", lambda h: h),
}

rationals = st.fractions(min_value=-5, max_value=5, max_denominator=7)


def oracle_forward(widths, W, x, f, b=None):
    """Exact forward pass with Fractions; identity output."""
    a = [Fraction(v) for v in x]
    for l in range(1, len(widths)):
        h = [sum(Fraction(W[l - 1][i][j]) * a[j] for j in range(widths[l - 1])) for i in range(widths[l])]
        if b is not None:
            h = [hv + Fraction(b[l - 1][i]) for i, hv in enumerate(h)]
        a = h if l == len(widths) - 1 else [f(hv) for hv in h]
    return a


@st.composite
def net_instances(draw, max_layers=4, max_width=3, bias=False):
    widths = draw(st.lists(st.integers(1, max_width), min_size=2, max_size=max_layers + 1))
    W = [[[draw(rationals) for _ in range(widths[l - 1])] for _ in range(widths[l])] for l in range(1, len(widths))]
    b = [[draw(rationals) for _ in range(widths[l])] for l in range(1, len(widths))] if bias else None
    x = [draw(rationals) for _ in range(widths[0])]
    return tuple(widths), W, b, x


def _str(M):
    return [[str(v) for v in row] for row in M]


# -- counting -----------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=2, max_size=7))
def test_count_equals_product_formula(widths):
    net = Net(widths=tuple(widths))
    psi = math.prod(widths[:-1])
    assert count_paths(net).per_output == (psi,) * widths[-1]
    dp = count_paths(build_graph(net))
    assert dp.per_output == (psi,) * widths[-1]
    assert dp.total == psi * widths[-1]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=2, max_size=4), st.booleans())
def test_count_and_enumeration_match_networkx(widths, bias):
    net = Net(widths=tuple(widths), bias=bias)
    g = build_graph(net)
    sources = [n for n in g if g.in_degree(n) == 0]
    outs = [(len(widths) - 1, j) for j in range(1, widths[-1] + 1)]
    oracle = {o: sorted(p for s in sources for p in nx.all_simple_paths(g, s, o)) for o in outs}
    assert count_paths(g).per_output == tuple(len(oracle[o]) for o in outs)
    for j, o in enumerate(outs, 1):
        mine = list(iter_paths(g, output=j))
        assert sorted(list(p) for p in mine) == oracle[o]
        assert mine == list(iter_net_paths(net, j))  # same order as the symbolic enumeration


def test_math_md_number_and_huge_count():
    assert count_paths(Net(widths=(3, 4, 2, 1), activation="relu")).total == 24  # docs/MATH.md 7.7
    big = Net(widths=(10,) * 30 + (1,))
    assert count_paths(build_graph(big)).total == 10 ** 30
    assert count_paths(Net(widths=(7,) * 40 + (3,))).per_output == (7 ** 40,) * 3


def test_iter_paths_is_lazy():
    g = build_graph(Net(widths=(10,) * 20 + (1,)))  # 10^20 paths: only a generator can start
    it = iter_paths(g)
    first = next(it)
    assert path_label(first).startswith("x[1] -> h1[1] -> h2[1]")
    assert len(first) == 21


def test_count_paths_rejects_other_objects():
    with pytest.raises(NetSpecError, match="net: expected a Net or a graph"):
        count_paths([3, 4, 1])
    with pytest.raises(NetSpecError, match="output: expected an output unit from 1 to 1, got 2"):
        next(iter_paths(build_graph(Net(widths=(2, 1))), output=2))


# -- graph structure ---------------------------------------------------------------------------
def test_graph_nodes_edges_and_names():
    net = Net(widths=(2, 3, 1), bias=True)
    W = [[[1, "1/2"], [0, -1], ["0.1", 2]], [[3, -2, 1]]]
    g = build_graph(net, W, [[1, 2, 3], ["-1/3"]])
    assert g.number_of_nodes() == 2 + 3 + 1 + 2
    assert g.number_of_edges() == 6 + 3 + 3 + 1
    e = g.edges[(0, 2), (1, 1)]
    assert e["name"] == "W1[1,2]" and e["value"] == sp.Rational(1, 2)
    assert g.edges[(1, 0), (2, 1)]["name"] == "b2[1]"
    assert g.edges[(1, 0), (2, 1)]["value"] == sp.Rational(-1, 3)
    assert g.edges[(0, 1), (1, 3)]["value"] == sp.Rational(1, 10)  # "0.1" read exactly
    assert g.nodes[(0, 0)]["kind"] == "bias" and g.nodes[(2, 1)]["kind"] == "output"
    # every edge name matches a parameter of the net
    assert {d["name"] for *_, d in g.edges(data=True)} == set(net.parameter_names())


def test_bad_input_errors():
    with pytest.raises(NetSpecError, match="widths"):
        build_graph(Net(widths=(3, 0, 1)))
    with pytest.raises(NetSpecError, match="activation: unknown activation .swish."):
        Net(widths=(2, 1), activation="swish")
    net = Net(widths=(3, 2, 1), activation="relu")
    W = [[[1, 1, 1], [1, 1, 1]], [[1, 1]]]
    with pytest.raises(DataError, match=r"x: expected 3 numbers \(the input width\), got 2"):
        activation_pattern(net, W, [1, 2])
    with pytest.raises(DataError, match="weights"):
        build_graph(net, [[[1, 1], [1, 1]], [[1, 1]]])
    with pytest.raises(DataError, match="x\\[1\\]"):
        activation_pattern(net, W, [1, "pi", 2])
    with pytest.raises(NetSpecError, match="activation: the path sum is exact only"):
        activation_pattern(Net(widths=(1, 1, 1), activation="tanh"), [[[1]], [[1]]], [1])


# -- activation pattern and kinks -----------------------------------------------------------------
def test_states_and_kink_reported():
    net = Net(widths=(2, 3, 1), activation="relu")
    W = [[[1, -1], [1, 1], [-1, -1]], [[1, 2, 3]]]
    pat = activation_pattern(net, W, [1, 1])  # h1 = (0, 2, -2)
    assert [u.state for u in pat.units] == ["kink", "active", "inactive", "active"]
    assert pat.kinks == ("h1[1]",)
    assert pat.unit(1, 1).slope is None and pat.unit(1, 1).piece is None
    assert (1, 1) not in pat.piece_map
    g = build_graph(net, W)
    with pytest.raises(NonDifferentiableError, match="h1\\[1\\] sits exactly at a kink"):
        list(iter_path_terms(g, pat))
    sub = active_subgraph(g, pat)
    assert (1, 1) not in sub and (1, 3) not in sub
    assert sum_path_terms(sub, pat) == tuple(pat.output) == (4,)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@settings(max_examples=15, deadline=None)
@given(inst=net_instances())
def test_enumerated_path_sum_equals_forward(name, inst):
    spec, f = ACTIVATIONS[name]
    widths, W, _, x = inst
    net = Net(widths=widths, activation=spec)
    pat = activation_pattern(net, W, x)
    expected = oracle_forward(widths, W, x, f)
    assert [Fraction(int(v.p), int(v.q)) for v in pat.output] == expected
    if pat.kinks:
        return
    total = sum_path_terms(build_graph(net, W), pat)
    assert [Fraction(int(v.p), int(v.q)) for v in total] == expected
    terms = [t for _, t in iter_path_terms(build_graph(net, W), pat)]
    assert len(terms) == count_paths(net).total


@settings(max_examples=20, deadline=None)
@given(inst=net_instances(bias=True))
def test_bias_paths_sum_to_forward(inst):
    widths, W, b, x = inst
    net = Net(widths=widths, activation={"name": "leaky_relu", "slope": "1/10"}, bias=True)
    pat = activation_pattern(net, W, x, b)
    expected = oracle_forward(widths, W, x, ACTIVATIONS["leaky"][1], b)
    if not pat.kinks:
        got = sum_path_terms(build_graph(net, W, b), pat)
        assert [Fraction(int(v.p), int(v.q)) for v in got] == expected


@settings(max_examples=30, deadline=None)
@given(inst=net_instances())
def test_active_subgraph_is_the_set_of_active_paths(inst):
    widths, W, _, x = inst
    net = Net(widths=widths, activation="relu")
    pat = activation_pattern(net, W, x)
    g = build_graph(net, W)
    states = pat.states
    brute = [p for p in iter_paths(g) if all(states[n] == "active" for n in p[1:])]
    sub = active_subgraph(g, pat)
    assert list(iter_paths(sub)) == brute
    assert count_paths(sub).total == len(brute)
    # for ReLU the active paths alone carry the output, even with units at a kink
    assert [Fraction(int(v.p), int(v.q)) for v in sum_path_terms(sub, pat)] == oracle_forward(
        widths, W, x, ACTIVATIONS["relu"][1])
    marked = mark_pattern(g, pat)
    assert {(u, v) for u, v, a in marked.edges(data="active") if a} == set(sub.edges)


def test_term_values_are_exact():
    net = Net(widths=(2, 2, 1), activation={"name": "leaky_relu", "slope": "1/3"})
    W = [[["1/2", 1], [1, -1]], [["2/7", 3]]]
    pat = activation_pattern(net, W, ["1/5", 1])  # h1 = (11/10, -4/5): unit 2 inactive
    terms = dict(iter_path_terms(build_graph(net, W), pat))
    assert terms[((0, 1), (1, 1), (2, 1))] == Fraction(1, 5) * Fraction(1, 2) * Fraction(2, 7)
    assert terms[((0, 2), (1, 2), (2, 1))] == Fraction(1) * -1 * Fraction(1, 3) * 3


# -- export and drawing ----------------------------------------------------------------------------
def _example():
    net = Net(widths=(2, 3, 1), activation="relu")
    W = [[[1, -1], ["1/2", 1], [-1, -1]], [[1, 2, "-3/2"]]]
    return net, W, activation_pattern(net, W, [1, "1/3"])


def test_graphml_roundtrip(tmp_path):
    net, W, pat = _example()
    f = tmp_path / "g.graphml"
    write_graphml(mark_pattern(build_graph(net, W), pat), str(f))
    back = nx.read_graphml(str(f))
    assert back.number_of_edges() == 9
    assert back.edges["x[1]", "h1[2]"]["value"] == "1/2"
    assert back.edges["h1[3]", "h2[1]"]["name"] == "W2[1,3]"
    assert back.nodes["h1[3]"]["state"] == "inactive"
    assert os.listdir(tmp_path) == ["g.graphml"]


def test_dot_lists_every_edge(tmp_path):
    net, W, pat = _example()
    g = mark_pattern(build_graph(net, W), pat)
    text = to_dot(g)
    assert text.startswith("digraph net {") and text.endswith("}")
    edges = [line for line in text.splitlines() if "->" in line]
    assert len(edges) == g.number_of_edges()
    assert '"x[1]" -> "h1[2]" [label="W1[2,1]=1/2", color=red, penwidth=2];' in text
    assert sum("color=red" in line for line in edges) == sum(1 for *_, a in g.edges(data="active") if a)
    write_dot(g, str(tmp_path / "g.dot"))
    assert (tmp_path / "g.dot").read_text() == text + "\n"


def test_draw_png_and_svg(tmp_path):
    net, W, pat = _example()
    g = mark_pattern(build_graph(net, W), pat)
    png, svg = tmp_path / "net.png", tmp_path / "net.svg"
    draw_graph(g, str(png))
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    draw_graph(build_graph(Net(widths=(2, 2, 1), bias=True)), str(svg))
    assert b"<svg" in svg.read_bytes()[:1000]
    assert sorted(os.listdir(tmp_path)) == ["net.png", "net.svg"]  # no temporary files left


def test_draw_bad_suffix_and_folder(tmp_path):
    g = build_graph(Net(widths=(1, 1)))
    with pytest.raises(DataError, match=r"draw: expected a file name ending in \.png or \.svg, got '.*net\.jpg'"):
        draw_graph(g, str(tmp_path / "net.jpg"))
    with pytest.raises(OutputError, match="does not exist"):
        draw_graph(g, str(tmp_path / "missing" / "net.png"))
    assert os.listdir(tmp_path) == []


def test_failed_export_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "g.graphml"
    target.write_text("old")

    def half_write(graph, path):
        with open(path, "w") as fh:
            fh.write("<graphml")  # half written, then the disk fills up
        raise OSError("disk full")
    monkeypatch.setattr(nx, "write_graphml", half_write)
    with pytest.raises(OSError, match="disk full"):
        write_graphml(build_graph(Net(widths=(1, 1))), str(target))
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["g.graphml"]
    with pytest.raises(OutputError, match=r"^dot: cannot write '.*g\.dot': the folder '.*missing' does not exist$"):
        write_dot(build_graph(Net(widths=(1, 1))), str(tmp_path / "missing" / "g.dot"))


@pytest.mark.parametrize("name", ["relu", "leaky", "two_piece"])
def test_path_sum_on_seeded_3_4_2_1_nets(name):
    import random
    rng = random.Random(7)
    spec, f = ACTIVATIONS[name]
    net = Net(widths=(3, 4, 2, 1), activation=spec)
    checked = 0
    for _ in range(10):
        W = [[[Fraction(rng.randint(-9, 9), rng.randint(1, 6)) for _ in range(net.widths[l - 1])]
              for _ in range(net.widths[l])] for l in range(1, 4)]
        x = [Fraction(rng.randint(-9, 9), rng.randint(1, 6)) for _ in range(3)]
        pat = activation_pattern(net, W, x)
        if pat.kinks:
            continue
        got = sum_path_terms(build_graph(net, W), pat)
        assert [Fraction(int(v.p), int(v.q)) for v in got] == oracle_forward(net.widths, W, x, f)
        checked += 1
    assert checked >= 8
