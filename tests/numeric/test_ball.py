"""Ball-arithmetic evaluation: every ball holds an independent 1000-digit value (lossgeom's mpmath engine), a
rational net's exact SymPy Hessian, and kinks are decided by inclusion, raised precision or an exact check."""

import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from flint import arb, ctx
from hessian_oracles import random_case

from lossgeom import Net
from lossgeom.errors import NonDifferentiableError
from lossgeom.numeric import ball
from lossgeom.numeric.ball import ball_evaluate, bits_for
from lossgeom.numeric.evaluate import evaluate_net, find_kinks

ACTS = ["identity", "relu", "leaky_relu", "abs", "two_piece", "softsign", "tanh", "sigmoid", "softplus",
        "bent_identity"]
OUT_ACTS = ["identity", "tanh", "sigmoid", "softsign"]


def _contains(b, x):
    """The arb ball b holds the mpf x (converted exactly)."""
    sign, man, exp, _ = x._mpf_
    with ctx.workprec(4000):
        return b.contains(arb((-int(man) if sign else int(man), int(exp))))


def _case(k):
    rng = random.Random(k)
    act, loss, bias = ACTS[k % len(ACTS)], ("square", "cross_entropy")[(k // 10) % 2], (k // 20) % 2 == 1
    kw = {"output_activation": OUT_ACTS[(k // 40) % len(OUT_ACTS)]} if loss == "square" else {}
    if k % 7 == 3:
        kw["reduction"] = "mean"
    for extra in range(50):
        net, W, b, X, Y, _ = random_case(k + 1000 * extra, act, loss, bias=bias, m=rng.randint(1, 3), **kw)
        if not find_kinks(net, W, b, X, Y, dps=30):
            return net, W, b, X, Y
    raise AssertionError("no kink-free case")


@pytest.mark.slow
def test_200_random_nets_every_ball_holds_the_1000_digit_value():
    checked = 0
    for k in range(200):
        net, W, b, X, Y = _case(k)
        bev = ball_evaluate(net, W, b, X, Y, dps=30)
        ref = evaluate_net(net, W, b, X, Y, dps=1000, backend="mpmath")
        assert _contains(bev.loss, ref.loss), (k, net)
        n = net.n_params
        for i in range(n):
            assert _contains(bev.gradient[i, 0], ref.gradient[i]), (k, net, i)
            for j in range(n):
                assert _contains(bev.hessian[i, j], ref.hessian[i, j]), (k, net, i, j)
                assert bev.hessian[i, j].rad() < arb(10) ** -25 * (1 + abs(bev.hessian[i, j]))
        for l in range(1, net.depth + 1):
            blk, sl = bev.layer_blocks[l - 1], net.layer_slice(l)
            assert all(blk[i, j].overlaps(bev.hessian[sl.start + i, sl.start + j])
                       for i in range(blk.nrows()) for j in range(blk.ncols()))
        checked += 1
    assert checked == 200


def test_a_rational_nets_exact_sympy_hessian_lies_in_the_balls():
    net = Net(widths=(2, 2, 1), activation="softsign", bias=True)
    W = [[[Fraction(1, 3), Fraction(-2, 5)], [Fraction(3, 7), Fraction(1, 2)]], [[Fraction(2, 3), Fraction(-5, 4)]]]
    b = [[Fraction(1, 9), Fraction(-1, 6)], [Fraction(1, 5)]]
    X, Y = [[Fraction(1, 2), Fraction(-3, 2)], [Fraction(2), Fraction(1, 3)]], [[Fraction(1), Fraction(-1, 7)]]
    syms = sp.symbols("t0:%d" % net.n_params)
    it = iter(syms)
    Ws = [sp.Matrix(2, 2, lambda i, j: 0), sp.Matrix(1, 2, lambda i, j: 0)]
    bs = [sp.Matrix(2, 1, lambda i, j: 0), sp.Matrix(1, 1, lambda i, j: 0)]
    for l, (d, dprev) in enumerate([(2, 2), (1, 2)]):
        for j in range(dprev):          # theta: vec(W_l) column by column, then b_l
            for i in range(d):
                Ws[l][i, j] = next(it)
        for i in range(d):
            bs[l][i, 0] = next(it)
    theta = {}
    for l in range(2):
        for i in range(len(W[l])):
            for j in range(len(W[l][0])):
                theta[Ws[l][i, j]] = sp.Rational(W[l][i][j].numerator, W[l][i][j].denominator)
            theta[bs[l][i, 0]] = sp.Rational(b[l][i].numerator, b[l][i].denominator)
    E = 0
    for s in range(2):
        x = sp.Matrix([sp.Rational(X[r][s].numerator, X[r][s].denominator) for r in range(2)])
        h1 = Ws[0] * x + bs[0]
        a1 = sp.Matrix([v / (1 + v) if v.subs(theta) > 0 else v / (1 - v) for v in h1])   # softsign's piece
        z = (Ws[1] * a1 + bs[1])[0]
        E += (z - sp.Rational(Y[0][s].numerator, Y[0][s].denominator)) ** 2 / 2
    H = sp.hessian(E, syms).subs(theta)
    bev = ball_evaluate(net, W, b, X, Y, dps=40)
    for i in range(net.n_params):
        for j in range(net.n_params):
            q = H[i, j]
            with ctx.workprec(300):
                assert bev.hessian[i, j].contains(arb(q.p) / arb(q.q)) or bev.hessian[i, j].rad() == 0 and \
                    bev.hessian[i, j] == arb(q.p) / q.q


def _tanh_relu(b2):
    """h1 = x/2, z = relu(tanh(h1) + b2): one transcendental layer, then a kink at h2 = 0."""
    return Net(widths=(1, 1, 1), activation="tanh", output_activation="relu", bias=True), \
        [[[Fraction(1, 2)]], [[1]]], [[0], [b2]], [[1]], [[Fraction(1, 3)]]


def _tanh_half(digits):
    with mpmath.workdps(digits + 20):
        return Fraction(int(mpmath.floor(mpmath.tanh(mpmath.mpf(1) / 2) * 10 ** digits)), 10 ** digits)


def test_a_preactivation_1e_70_from_a_kink_is_decided_at_dps_50_by_raising_precision():
    q = _tanh_half(70)        # tanh(1/2) - q is in (0, 1e-70): relu's identity piece
    net, W, b, X, Y = _tanh_relu(-q)
    bev = ball_evaluate(net, W, b, X, Y, dps=50)
    assert bev.bits > bits_for(50) and not bev.kinks
    with mpmath.workdps(200):
        h2 = mpmath.tanh(mpmath.mpf(1) / 2) - mpmath.mpf(q.numerator) / q.denominator
        assert 0 < h2 < mpmath.mpf(10) ** -70
        assert bev.gradient[1, 0].contains(0) is False           # identity piece: dE/dW2 = (z - y) tanh(1/2) != 0
    bev_b = ball_evaluate(*_tanh_relu(-_tanh_half(70) - Fraction(1, 10 ** 71)), dps=50)   # now h2 < 0: zero piece
    assert all(bev_b.hessian[i, j] == 0 for i in range(2) for j in range(2))


def test_exact_kink_after_tanh_is_decided_by_sympy_and_undecided_without_it(monkeypatch):
    net = Net(widths=(1, 2, 1), activation="tanh", output_activation="relu")
    args = (net, [[[Fraction(1, 2)], [Fraction(1, 2)]], [[1, -1]]], None, [[1]], [[1]])   # h2 = tanh(1/2) - tanh(1/2)
    bev = ball_evaluate(*args, dps=30, max_dps=60)
    assert [str(k) for k in bev.kinks] == ["h2[1] (sample 1)"] and bev.kinks[0].exact
    assert bev.hessian is None and bev.gradient is None
    monkeypatch.setattr(ball, "_exact_at_kink", lambda *a: False)    # without the exact check: never guessed
    with pytest.raises(NonDifferentiableError, match="undecided: pre-activation h2\\[1\\] \\(sample 1\\)"):
        ball_evaluate(*args, dps=30, max_dps=60)


def test_a_preactivation_closer_than_the_cap_is_reported_undecided():
    net, W, b, X, Y = _tanh_relu(-_tanh_half(130))
    with pytest.raises(NonDifferentiableError, match="undecided"):
        ball_evaluate(net, W, b, X, Y, dps=30, max_dps=100)
    assert ball_evaluate(net, W, b, X, Y, dps=30, max_dps=200).bits > bits_for(100)


def test_forced_pattern_is_used_and_exact_kinks_before_transcendental_layers():
    net = Net(widths=(1, 1, 1), activation="relu")
    bev = ball_evaluate(net, [[[1]], [[1]]], X=[[0]], Y=[[1]], dps=20)
    assert [str(k) for k in bev.kinks] == ["h1[1] (sample 1)"] and bev.hessian is None
    bev = ball_evaluate(net, [[[1]], [[1]]], X=[[0]], Y=[[1]], dps=20, pattern={(1, 1): 1})
    assert not bev.kinks and bev.hessian[1, 1] == 0 and bev.hessian[0, 0] == 0
