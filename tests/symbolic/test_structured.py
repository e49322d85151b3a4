"""Structured layer blocks (symbolic/structured.py) against the named recursion of symbolic/hessian.py, SymPy's
direct differentiation of the composed loss, and lossgeom's exact numeric engine (evaluate_net, dps="exact",
whose full Hessian shares no recursion with either)."""

import random

import mpmath
import pytest
import sympy as sp

from lossgeom import Net, resolve_point
from lossgeom.errors import DataError, LossgeomError, SizeLimitError
from lossgeom.numeric import evaluate_net
from lossgeom.symbolic import compare_matrices, derive_gradient, derive_hessian, direct_layer_block
from lossgeom.symbolic import structured as st
from lossgeom.symbolic.structured import structured_hessian


def _pattern(net, seed=0):
    rng = random.Random(seed)
    return {(l, i): rng.randint(0, 1) for l in range(1, net.depth) for i in range(1, net.widths[l] + 1)}


CASES = [(w, act, bias) for w in [(2, 2, 1), (3, 4, 4, 2)] for act in ("tanh", "relu-pattern", "sigmoid")
         for bias in (False, True)]


def _net_and_pattern(widths, act, bias):
    net = Net(widths=widths, activation="relu" if act == "relu-pattern" else act, bias=bias)
    return net, (_pattern(net) if act == "relu-pattern" else None)


def _equal(A, B):
    """Exactly equal matrices: structurally, or their difference expands to zero entry by entry."""
    assert A.shape == B.shape
    return A == B or all(sp.expand(a - b) == 0 for a, b in zip(A, B))


@pytest.mark.parametrize("widths, act, bias", CASES, ids=["%s-%s-%s" % ("x".join(map(str, w)), a, b)
                                                          for w, a, b in CASES])
def test_expanded_blocks_equal_the_named_recursion(widths, act, bias):
    net, pattern = _net_and_pattern(widths, act, bias)
    sh, rec = structured_hessian(net, pattern), derive_hessian(net, pattern)
    for l in range(1, net.depth + 1):
        G = sh.block(l)
        assert G.named() == rec.layer_block(l)
        assert _equal(G.expand(force=True), rec.layer_block(l, expand=True, force=True)), (net, l)


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "relu-pattern"])
def test_expanded_blocks_equal_direct_differentiation(act):
    net, pattern = _net_and_pattern((2, 2, 1), act, True)
    sh = structured_hessian(net, pattern)
    for l in (1, 2):
        cmp = compare_matrices(sh.block(l).expand(), direct_layer_block(net, l, pattern))
        assert cmp.verdict is True, cmp


@pytest.mark.parametrize("widths, bias", [((3, 4, 4, 2), False), ((3, 4, 4, 2), True), ((2, 5, 3, 3, 2), True)])
def test_forward_and_backward_equations_are_the_backward_pass(widths, bias):
    net = Net(widths=widths, activation="tanh", bias=bias)
    sh, bp = structured_hessian(net), derive_gradient(net)
    assert sh.forward_equations == bp.forward_equations
    assert sh.backward_equations == bp.backward_equations
    for ours, theirs in zip(sh.equations, bp.equations):
        assert ours.rhs.args == theirs.rhs.args and hash(ours.rhs) == hash(theirs.rhs)


def _rational_point(net, seed):
    rng = random.Random(seed)
    q = lambda: sp.Rational(rng.randint(-9, 9), rng.randint(1, 7))
    W = [[[q() for _ in range(net.widths[l - 1])] for _ in range(net.widths[l])] for l in range(1, net.depth + 1)]
    b = [[q() for _ in range(net.widths[l])] for l in range(1, net.depth + 1)] if net.bias else None
    return W, b, [q() for _ in range(net.widths[0])], [q() for _ in range(net.widths[-1])]


@pytest.mark.parametrize("widths, act, bias, wd", [
    ((3, 4, 4, 2), "relu", False, 0), ((3, 4, 4, 2), "relu", True, 0), ((2, 3, 2), "leaky_relu", True, 0),
    ((3, 4, 4, 2), "identity", True, 0), ((2, 3, 3, 1), "relu", True, "1/10")])
def test_structured_blocks_at_a_rational_point_equal_exact_numeric(widths, act, bias, wd):
    net = Net(widths=widths, activation=act, bias=bias, weight_decay=wd)
    for seed in range(6):
        W, b, x, y = _rational_point(net, seed)
        ev = evaluate_net(net, W, b, [[v] for v in x], [[v] for v in y], dps="exact")
        if ev.kinks:
            continue
        sh = structured_hessian(net)
        start = 0
        for l in range(1, net.depth + 1):
            G = sh.block(l).evaluate(W, b, x=x, y=y)
            n = G.shape[0]
            assert G == ev.layer_blocks[l - 1]
            assert G == ev.hessian[start:start + n, start:start + n]  # the full Hessian's diagonal block
            start += n
        break
    else:
        pytest.fail("no kink-free point")


def test_evaluate_at_a_point_and_subs_agree_and_refuse_kinks():
    net = Net(widths=(2, 3, 1), activation="relu", bias=True)
    W, b, x, y = _rational_point(net, 1)
    pt = resolve_point(net, W, b, X=[[v] for v in x], Y=[[v] for v in y])
    G = structured_hessian(net).block(1)
    assert G.subs(pt) == G.evaluate(W, b, x=x, y=y)
    with pytest.raises(LossgeomError, match="kink"):
        G.evaluate([[[0, 0]] * 3, [[1, 1, 1]]], [[0, 0, 0], [0]], x=[1, 1], y=[0])


def test_tanh_value_equals_the_named_recursion_and_mpmath():
    net = Net(widths=(2, 2, 1), activation="tanh", bias=True)
    W, b, x, y = _rational_point(net, 3)
    rec, sh = derive_hessian(net), structured_hessian(net)
    ev = evaluate_net(net, W, b, [[v] for v in x], [[v] for v in y], dps=40)
    for l in (1, 2):
        ours = sh.block(l).evaluate(W, b, x=x, y=y)
        assert _equal(ours, rec.evaluate(rec.layer_block(l), W, b, x=x, y=y))
        for r in range(ours.rows):
            for c in range(ours.cols):
                with mpmath.workdps(45):
                    value = mpmath.mpf(str(sp.N(ours[r, c], 45)))
                    assert abs(value - ev.layer_blocks[l - 1][r, c]) <= mpmath.mpf(10) ** -35 * (1 + abs(value))


def test_factors_entry_and_latex():
    net = Net(widths=(2, 3, 2), activation="tanh", bias=True, weight_decay="1/5")
    G = structured_hessian(net).block(1)
    a, H = G.factors()
    assert G.shape == (9, 9) and a.shape == (3, 1) and H.shape == (3, 3) and a[2] == 1
    named = G.named()
    for r in range(9):
        for c in range(9):
            expect = a[r // 3] * a[c // 3] * H[r % 3, c % 3] + (sp.Rational(1, 5) if r == c and r < 6 else 0)
            assert G.entry(r, c) == named[r, c] == expect
    text = G.latex()
    assert text.startswith("G^{(1)} = \\left(\\tilde{a}^{(0)} \\tilde{a}^{(0)T}\\right) \\otimes \\mathcal{H}^{(1)} + "
                           "\\frac{1}{5} I")
    assert "\\mathcal{H}^{(1)}_{2,3}" in text and "x_{2}" in text
    with pytest.raises(DataError, match="r"):
        G.entry(9, 0)


def test_large_net_stays_structured():
    net = Net(widths=(100, 100, 2), activation="tanh")
    assert net.n_params == 10200
    sh = structured_hessian(net)
    G = sh.block(1)
    assert G.shape == (10000, 10000)
    a, H = G.factors()
    assert a.shape == (100, 1) and H.shape == (100, 100)
    assert G.entry(101, 5) == sp.Symbol("x[2]", real=True) * sp.Symbol("x[1]", real=True) * H[1, 5]
    # U_1 = H_2 W_2 with H_2 = I (square loss, identity output): H1[i,j] is a 2-term sum of W2 * U1
    rhs = sh.definition(H[0, 1])
    assert sp.Symbol("U1[2,2]", real=True) in rhs.free_symbols and len(rhs.args) == 3
    assert sh.n_terms < 20000  # linear in the block's side, not 10^8
    with pytest.raises(SizeLimitError, match="expand"):
        G.expand()


def test_fast_constructors_reproduce_sympy():
    assert st._FAST_ADD  # the import-time check passed on this SymPy
    rng = random.Random(0)
    names = ["W%d[%d,%d]" % (rng.randint(1, 3), rng.randint(1, 12), rng.randint(1, 12)) for _ in range(60)]
    syms = sorted({sp.Symbol(n, real=True) for n in names}, key=str)
    for _ in range(50):
        rng.shuffle(syms)
        pairs = [st._product(syms[k], syms[k + 1]) for k in range(0, 20, 2)]
        terms = pairs + syms[20:20 + rng.randint(0, 4)]
        rng.shuffle(terms)
        fast, slow = st._fast_sum(terms), sp.Add(*terms)
        assert fast == slow and fast.args == slow.args and hash(fast) == hash(slow)
        assert all(p == u * v and p.args == (u * v).args for p, u, v in zip(pairs, syms[0:20:2], syms[1:20:2]))
    s = [1 - sp.tanh(v) ** 2 for v in syms[:3]]
    for factors in ([s[0], s[1], sp.Add(*syms[3:6])], [s[2] ** 2, sp.Add(*syms[6:9])]):
        assert st._factors_product(factors).args == sp.Mul(*factors).args


def test_bad_arguments_are_lossgeom_errors():
    net = Net(widths=(1, 2, 1))
    with pytest.raises(LossgeomError):
        structured_hessian("net")
    with pytest.raises(DataError, match="l"):
        structured_hessian(net).block(3)
    with pytest.raises(LossgeomError):
        structured_hessian(Net(widths=(1, 2, 1), activation="relu"), pattern={(5, 1): 0})
