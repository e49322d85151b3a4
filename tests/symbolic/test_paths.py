"""Tests of lossgeom.symbolic.paths.

Oracles: SymPy matrix products of the weight matrices (the linear net), the exact forward pass
through the true Piecewise activation (``forward_trace`` without a pattern), a brute-force
expectation over every assignment of the gates, and ``sympy.stats`` for the spin-glass variance.
"""

import dataclasses
import itertools
import math
import random

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from lossgeom import DataError, Net, NetSpecError, OptionError, SizeLimitError
from lossgeom.numeric.graph import activation_pattern
from lossgeom.symbolic.forward import forward_trace, input_symbols, symbol, weight_symbols
from lossgeom.symbolic.latex import latex
from lossgeom.symbolic.paths import (
    RHO,
    collapsed_latex,
    expand_path_sum,
    expected_output,
    gate_symbol,
    iter_net_paths,
    paths_per_output,
    unit_slopes,
    verify_bernoulli_expectation,
    verify_path_sum_identity,
)
from lossgeom.symbolic.spin_glass import spin_glass_form, verify_spin_glass_reduction

LEAKY = {"name": "leaky_relu", "slope": "1/10"}
TWO_PIECE = {"name": "two_piece", "s_plus": "3/2", "s_minus": "1/4"}
rationals = st.fractions(min_value=-4, max_value=4, max_denominator=5)


def linear_net_output(net):
    out = input_symbols(net)
    for l in range(1, net.depth + 1):
        out = weight_symbols(net, l) * out
    return out


# -- structure ---------------------------------------------------------------------------------
@pytest.mark.parametrize("widths", [(1, 1), (2, 1), (3, 4, 2, 1), (2, 3, 2), (2, 1, 3, 2)])
def test_terms_and_names(widths):
    net = Net(widths=widths, activation="relu")
    ps = expand_path_sum(net)
    assert ps.n_paths == math.prod(widths[:-1]) * widths[-1] == paths_per_output(net) * widths[-1]
    assert len(set(ps.gates)) == ps.n_paths  # one gate per path
    for t in ps.terms:
        assert len(t.weights) == net.depth
        assert t.gate.name == "Z[%s]" % ",".join(str(u) for _, u in t.path)


def test_gate_names_are_deterministic():
    net = Net(widths=(2, 2, 1), activation="relu", bias=True)
    assert [str(gate_symbol(p)) for p in iter_net_paths(net, 1)] == [
        "Z[1,1,1]", "Z[1,2,1]", "Z[2,1,1]", "Z[2,2,1]", "Z[b1;1,1]", "Z[b1;2,1]", "Z[b2;1]"]
    assert gate_symbol(((0, 1), (1, 1))) is symbol("Z[1,1]")


def test_path_sum_is_immutable():
    ps = expand_path_sum(Net(widths=(2, 1), activation="relu"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        ps.q = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        ps.terms[0].gate = symbol("Z")
    assert isinstance(ps.terms, tuple)


# -- linear nets: proof by expansion --------------------------------------------------------------
@pytest.mark.parametrize("widths", [(1, 1, 1), (2, 3, 2), (3, 2, 2, 1), (2, 2, 2, 2, 2)])
def test_linear_net_identity_expands_to_zero(widths):
    net = Net(widths=widths, activation="identity")
    ps = expand_path_sum(net)
    ones = ps.substitute_gates({z: 1 for z in ps.gates})
    oracle = linear_net_output(net)
    assert all(sp.expand(a - b) == 0 for a, b in zip(ones, oracle))
    assert verify_path_sum_identity(net).outcome == "proved"


def test_identity_check_can_fail():
    """The oracle is sensitive: dropping one path leaves a nonzero residual."""
    net = Net(widths=(2, 2, 1), activation="identity")
    ps = expand_path_sum(net)
    gates = {z: 1 for z in ps.gates}
    gates[ps.gates[0]] = 0
    assert sp.expand(ps.substitute_gates(gates)[0] - linear_net_output(net)[0]) != 0


# -- piecewise-linear nets within a pattern ---------------------------------------------------
@pytest.mark.parametrize("act", ["relu", LEAKY, TWO_PIECE, "abs"])
def test_symbolic_identity_for_every_pattern(act):
    net = Net(widths=(2, 2, 2, 1), activation=act)
    units = [(l, i) for l in (1, 2) for i in (1, 2)]
    for pieces in itertools.product((0, 1), repeat=len(units)):
        rep = verify_path_sum_identity(net, dict(zip(units, pieces)))
        assert rep.outcome == "proved", rep


@pytest.mark.parametrize("act", ["relu", LEAKY, TWO_PIECE])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_path_sum_equals_true_forward_pass(act, data):
    widths = tuple(data.draw(st.lists(st.integers(1, 3), min_size=2, max_size=4)))
    net = Net(widths=widths, activation=act)
    W = [[[data.draw(rationals) for _ in range(widths[l - 1])] for _ in range(widths[l])]
         for l in range(1, len(widths))]
    x = [data.draw(rationals) for _ in range(widths[0])]
    pat = activation_pattern(net, W, x)
    if pat.kinks:
        with pytest.raises(NetSpecError, match="pattern: no activation piece given"):
            expand_path_sum(net, W, x=x).gated(pat)
        return
    gated = expand_path_sum(net, W, x=x).gated(pat)
    truth = forward_trace(net, W, x=x).a[-1]  # the Piecewise activation itself
    assert list(gated) == list(truth)
    assert verify_path_sum_identity(net, pat, W, None, x).outcome == "proved"


@pytest.mark.parametrize("act", ["relu", LEAKY])
def test_seeded_random_rational_nets(act):
    rng = random.Random(3)
    net = Net(widths=(3, 4, 2, 2), activation=act)
    done = 0
    for _ in range(8):
        W = [[[sp.Rational(rng.randint(-9, 9), rng.randint(1, 7)) for _ in range(net.widths[l - 1])]
              for _ in range(net.widths[l])] for l in range(1, 4)]
        x = [sp.Rational(rng.randint(-9, 9), rng.randint(1, 7)) for _ in range(3)]
        pat = activation_pattern(net, W, x)
        if pat.kinks:
            continue
        assert list(expand_path_sum(net, W, x=x).gated(pat)) == list(forward_trace(net, W, x=x).a[-1])
        done += 1
    assert done >= 6


def test_wrong_pattern_gives_wrong_value():
    net = Net(widths=(1, 2, 1), activation="relu")
    W, x = [[[1], [-1]], [[2, 3]]], [1]
    pat = activation_pattern(net, W, x)
    wrong = {(1, 1): 1, (1, 2): 1}
    ps = expand_path_sum(net, W, x=x)
    assert ps.gated(pat)[0] == 2 == forward_trace(net, W, x=x).a[-1][0]
    assert ps.gated(wrong)[0] == -1


def test_biases_as_paths():
    net = Net(widths=(2, 2, 1), activation=LEAKY, bias=True)
    for pieces in itertools.product((0, 1), repeat=2):
        assert verify_path_sum_identity(net, {(1, 1): pieces[0], (1, 2): pieces[1]}).outcome == "proved"
    W, b, x = [[[1, 2], [-3, 1]], [[1, 1]]], [[1, 0], [5]], [1, 1]
    pat = activation_pattern(net, W, x, b)
    assert list(expand_path_sum(net, W, b, x).gated(pat)) == list(forward_trace(net, W, b, x).a[-1])


def test_errors():
    with pytest.raises(NetSpecError, match="activation: the path sum is exact only"):
        expand_path_sum(Net(widths=(1, 1, 1), activation="tanh"))
    with pytest.raises(NetSpecError, match="activation: the path sum is exact only"):
        expand_path_sum(Net(widths=(1, 1, 1), activation="f"))
    with pytest.raises(NetSpecError, match=r"pattern: no activation piece given for unit\(s\) h1\[2\]"):
        unit_slopes(Net(widths=(1, 2, 1), activation="relu"), {(1, 1): 1})
    with pytest.raises(NetSpecError, match=r"pattern\[\(1, 1\)\]: expected a piece index from 0 to 1 \(relu\), got 5"):
        unit_slopes(Net(widths=(1, 1, 1), activation="relu"), {(1, 1): 5})
    with pytest.raises(SizeLimitError, match="has 100000 paths; the expansion is limited to max_paths=20000"):
        expand_path_sum(Net(widths=(10, 10, 10, 10, 10, 1), activation="relu"))
    with pytest.raises(DataError, match="x: expected 2 numbers, got 3"):
        expand_path_sum(Net(widths=(2, 1), activation="relu"), x=[1, 2, 3])
    with pytest.raises(NetSpecError, match="bias: the Bernoulli expectation"):
        expected_output(Net(widths=(2, 1), bias=True))
    with pytest.raises(NetSpecError, match="output: expected an output unit from 1 to 1, got 2"):
        list(iter_net_paths(Net(widths=(2, 1)), 2))


# -- Bernoulli expectation (eq. 7) ---------------------------------------------------------------
@pytest.mark.parametrize("widths", [(2, 3, 2), (3, 2, 2, 1), (2, 2, 3, 2, 2), (1, 1, 1), (3, 1, 3)])
def test_bernoulli_expectation_depth_1_to_3(widths):
    net = Net(widths=widths, activation="relu")
    assert verify_bernoulli_expectation(net).outcome == "proved"
    assert all(sp.expand(a - b) == 0 for a, b in zip(expected_output(net), linear_net_output(net)))
    # without the normalisation q the expectation is rho times the linear net (docs/MATH.md 7.7)
    plain = expected_output(net, q=sp.Integer(1))
    assert all(sp.expand(a - RHO * b) == 0 for a, b in zip(plain, linear_net_output(net)))


@pytest.mark.parametrize("widths", [(2, 2, 1), (1, 2, 2, 1), (1, 1, 1, 1, 1)])
def test_bernoulli_expectation_by_brute_force(widths):
    """E over all 2^Psi gate assignments with probabilities rho^k (1-rho)^(Psi-k): depth 1-3."""
    net = Net(widths=widths, activation="relu")
    ps = expand_path_sum(net)
    total = 0
    for bits in itertools.product((0, 1), repeat=ps.n_paths):
        z = dict(zip(ps.gates, bits))
        prob = sp.Mul(*[RHO if v else 1 - RHO for v in bits])
        total += prob * ps.outputs[0].subs(z)
    assert sp.expand(total / RHO - linear_net_output(net)[0]) == 0


# -- spin-glass form (eq. 6) ---------------------------------------------------------------------
def test_spin_glass_form_structure():
    sg = spin_glass_form(2, 3)
    assert len(sg.hamiltonian.args) == 27
    assert sp.Poly(sg.hamiltonian, *sg.weights).is_homogeneous
    assert sp.Poly(sg.hamiltonian, *sg.weights).total_degree() == 3
    assert sg.normalisation == sp.Rational(1, 3)  # Lambda^(-H/2) with H = 2
    assert sg.constraint == sp.Eq(sum(w**2 for w in sg.weights) / 3, 1)
    assert any("A6u" in a for a in sg.assumptions) and any("not checked" in a for a in sg.assumptions)
    assert "C_2" in latex(sg) and r"\Lambda^{-1}" in latex(sg)


@pytest.mark.parametrize("H,size", [(1, 2), (1, 3), (2, 2), (3, 2)])
def test_spin_glass_reduction(H, size):
    rep = verify_spin_glass_reduction(H, size)
    assert rep.outcome == "proved"
    assert rep.evidence["paths"] == size ** (H + 1)
    assert rep.evidence["variance_on_sphere"] == str(size)


def test_spin_glass_variance_with_sympy_stats():
    from sympy.stats import Normal, variance
    sg = spin_glass_form(1, 2)
    Xs = sorted(sg.hamiltonian.free_symbols - set(sg.weights), key=str)
    rvs = {Xi: Normal("N_%d" % k, 0, 1) for k, Xi in enumerate(Xs)}
    w1, w2 = sg.weights
    point = {w1: sp.Rational(6, 5), w2: sp.Rational(4, 5)}  # on the sphere: (36 + 16)/25 / 2 != 1 -> rescale
    scale = sp.sqrt(2 / (point[w1] ** 2 + point[w2] ** 2))
    point = {w: v * scale for w, v in point.items()}
    assert sp.simplify(sg.constraint.lhs.subs(point)) == 1
    H_at = (sg.normalisation * sg.hamiltonian).subs(point).subs(rvs)
    assert sp.simplify(variance(H_at)) == 2  # = Lambda


# -- LaTeX -------------------------------------------------------------------------------------------
def test_latex_full_golden():
    ps = expand_path_sum(Net(widths=(2, 1, 1), activation="relu"))
    assert latex(ps) == (r"\hat{y}_{1} = x_{1} Z_{1,1,1} W^{(1)}_{1,1} W^{(2)}_{1,1} "
                          r"+ x_{2} Z_{2,1,1} W^{(1)}_{1,2} W^{(2)}_{1,1}")
    assert ps._repr_latex_() == r"$\displaystyle " + latex(ps) + "$"


def test_latex_multi_output_and_q():
    ps = expand_path_sum(Net(widths=(1, 2), activation="relu"), q=RHO ** -1)
    assert latex(ps) == (r"\begin{aligned}\hat{y}_{1} &= \frac{1}{\rho} \left(x_{1} Z_{1,1} W^{(1)}_{1,1}\right) \\ "
                          r"\hat{y}_{2} &= \frac{1}{\rho} \left(x_{1} Z_{1,2} W^{(1)}_{2,1}\right)\end{aligned}")


def test_latex_collapsed_golden():
    net = Net(widths=(3, 4, 2), activation="relu")
    ps = expand_path_sum(net)
    assert latex(ps, max_terms=10) == collapsed_latex(net) == (
        r"\hat{y}_{j} = \sum_{\substack{1 \leq i_{0} \leq 3\\1 \leq i_{1} \leq 4}} {x}_{i_{0}} {Z}_{i_{0},i_{1},j} "
        r"{W^{(1)}}_{i_{1},i_{0}} {W^{(2)}}_{j,i_{1}}, \quad j = 1, \dots, 2")
    # collapsed LaTeX needs no expansion: fine for a net with 10^30 paths
    assert r"1 \leq i_{29} \leq 10" in collapsed_latex(Net(widths=(10,) * 30 + (1,), activation="relu"))


def test_sympy_latex_hook():
    ps = expand_path_sum(Net(widths=(2, 1), activation="relu"))
    assert sp.latex(ps) == latex(ps)
    sg = spin_glass_form(1, 2)
    assert sp.latex(sg) == latex(sg) and sg._repr_latex_() == "$" + latex(sg) + "$"


def test_latex_bias_gate_names_golden():
    ps = expand_path_sum(Net(widths=(1, 1), activation="relu", bias=True))
    assert latex(ps) == r"\hat{y}_{1} = x_{1} Z_{1,1} W^{(1)}_{1,1} + Z_{b^{(1)};1} b^{(1)}_{1}"
    assert latex(symbol("Z[b2;3,1]")) == r"Z_{b^{(2)};3,1}" and latex(symbol("w[3]")) == "w_{3}"
    assert sp.latex(ps, mode="inline") == "$" + latex(ps) + "$"  # sp.latex's settings reach the printer


def test_latex_path_printer_settings():
    ps = expand_path_sum(Net(widths=(1, 1), activation="relu"))
    # path order (input, gate, weight) by default; SymPy's orders on request
    assert latex(ps) == r"\hat{y}_{1} = x_{1} Z_{1,1} W^{(1)}_{1,1}"
    assert latex(ps, path_order="lex") == r"\hat{y}_{1} = W^{(1)}_{1,1} Z_{1,1} x_{1}"
    assert latex(ps, max_terms=0) == collapsed_latex(ps.net)
    with pytest.raises(OptionError, match="max_terms: expected an integer >= 0, got -1"):
        latex(ps, max_terms=-1)
    with pytest.raises(OptionError, match="path_order: expected one of 'none'.*got 'sideways'"):
        latex(ps, path_order="sideways")
