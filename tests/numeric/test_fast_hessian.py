"""The fast full Hessian (numeric/_fast_hessian.py) against the engine's reference kernel and independent oracles.

The reference is :func:`lossgeom.numeric._engine.full_hessian` (run by the ``"mpmath"`` backend, whose public
path still uses it); the independent oracles are mpmath finite differences at raised precision of a loss
written without lossgeom (tests/numeric/hessian_oracles.py), the exact SymPy Hessian of a rational net, and
autograd in float64.
"""

import random
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hessian_oracles import ACTIVATIONS, autograd_hessian, fd_hessian, random_case, samples

from lossgeom import Net, NonDifferentiableError
from lossgeom.numeric import _engine
from lossgeom.numeric._fast_hessian import GUARD_BITS, _to_int, block_error_bound, scaled_ints
from lossgeom.numeric.backends import Float64Backend, select_backend
from lossgeom.numeric.evaluate import evaluate_net, find_kinks, full_hessian
from lossgeom.precision import agreeing_digits
from lossgeom.symbolic.forward import forward_trace, parameter_symbols


def _case(seed, act, loss, bias, **kw):
    for extra in range(50):
        case = random_case(seed + 1000 * extra, act, loss, bias=bias, **kw)
        net, W, b, X, Y, _ = case
        if not find_kinks(net, W, b, X, Y, dps=20):
            return case
    raise AssertionError("no kink-free case")


def _min_digits(A, B):
    n = A.rows
    with mpmath.workdps(70):
        return min(agreeing_digits(A[i, j], B[i, j]) for i in range(n) for j in range(n))


def _symmetric(H):
    return all(H[i, j] == H[j, i] for i in range(H.rows) for j in range(i))


GRID = [(k, act, loss, bias, wd) for k, act in enumerate(ACTIVATIONS) for loss in ("square", "cross_entropy")
        for bias, wd in ((False, 0), (True, "3/7"))]


@pytest.mark.parametrize("seed,act,loss,bias,wd", GRID, ids=lambda v: v["name"] if isinstance(v, dict) else str(v))
def test_fast_50_digits_equals_the_reference_engine(seed, act, loss, bias, wd):
    net, W, b, X, Y, _ = _case(seed, act, loss, bias, depth=3, m=3, weight_decay=wd)
    fast = full_hessian(net, W, b, X, Y, dps=50)                    # flint: the fixed-point path
    ref = full_hessian(net, W, b, X, Y, dps=50, backend="mpmath")   # the engine's reference kernel
    assert (fast.rows, fast.cols) == (net.n_params, net.n_params)
    assert _min_digits(fast, ref) >= 48
    assert _symmetric(fast)
    f64 = full_hessian(net, W, b, X, Y, dps="float64")
    assert np.allclose(f64, np.array(ref.tolist(), dtype=float), rtol=1e-12, atol=1e-12)
    assert np.array_equal(f64, f64.T)


@pytest.mark.parametrize("act,loss", [("tanh", "square"), ("softplus", "cross_entropy"), ("sigmoid", "square")])
def test_fast_50_digits_matches_finite_differences_to_45_digits(act, loss):
    net, W, b, X, Y, theta = _case(5, act, loss, True, depth=3, m=3, weight_decay="1/10")
    H = full_hessian(net, W, b, X, Y, dps=50)
    P = net.n_params
    rng = random.Random(3)
    entries = sorted({tuple(sorted(rng.sample(range(P), 2))) for _ in range(6)} | {(i, i) for i in range(0, P, 5)})
    ref = fd_hessian(net, theta, samples(X), samples(Y), dps=50, entries=entries)
    with mpmath.workdps(70):
        assert min(agreeing_digits(H[i, j], ref[i][j]) for i, j in entries) >= 45


def _sympy_hessian(net, values, x, y):
    tr = forward_trace(net, x=x, y=y)
    syms = parameter_symbols(net)
    return sp.hessian(tr.loss(), syms).subs(dict(zip(syms, values)))


@pytest.mark.parametrize("act", ["softsign", "identity", "tanh"])
def test_fast_50_digits_matches_the_sympy_hessian(act):
    """A 2-2-2 net with biases at one sample: the exact SymPy Hessian (evaluated at 80 digits for tanh)."""
    net = Net(widths=(2, 2, 2), activation=act, bias=True)
    syms = parameter_symbols(net)
    values = [sp.Rational((-1) ** k * (k + 2), 7 + k) for k in range(len(syms))]
    x, y = [sp.Rational(1, 2), sp.Rational(-1, 3)], [sp.Rational(2, 5), sp.Rational(-1, 4)]
    exact = _sympy_hessian(net, values, x, y)
    theta = {str(s): v for s, v in zip(syms, values)}
    W = [[[theta["W%d[%d,%d]" % (l, i, j)] for j in range(1, 3)] for i in range(1, 3)] for l in (1, 2)]
    b = [[theta["b%d[%d]" % (l, i)] for i in range(1, 3)] for l in (1, 2)]
    H = full_hessian(net, W, b, [[v] for v in x], [[v] for v in y], dps=50)
    with mpmath.workdps(80):
        ref = mpmath.matrix([[mpmath.mpf(str(sp.N(v, 80))) for v in exact.row(i)] for i in range(exact.rows)])
    assert _min_digits(H, ref) >= 48


def test_names_of_the_sympy_parameters_are_theta_order():
    net = Net(widths=(2, 2, 2), activation="tanh", bias=True)
    assert [str(s) for s in parameter_symbols(net)] == list(net.parameter_names())


def test_a_preactivation_at_exactly_zero_is_still_detected_and_a_forced_pattern_labelled():
    net = Net(widths=(2, 2, 1), activation="relu", bias=True)
    W, b = [[[1, -1], [2, 1]], [[1, -2]]], [[0, "1/2"], [0]]
    X, Y = [[1, 3], [1, 1]], [[1, 2]]
    with pytest.raises(NonDifferentiableError, match="h1\\[1\\] \\(sample 1\\)"):
        full_hessian(net, W, b, X, Y, dps=50)
    with pytest.raises(NonDifferentiableError, match="h1\\[1\\] \\(sample 1\\)"):
        full_hessian(net, W, b, X, Y, dps="float64")
    ev = evaluate_net(net, W, b, X, Y, dps=50, pattern={(1, 1): 1})
    assert ev.kinks == () and ev.loss_basis == "net"
    assert any(f.natural is None for f in ev.forced)   # the forced unit at its kink is labelled so
    exact = evaluate_net(net, W, b, X, Y, dps="exact", pattern={(1, 1): 1}).hessian
    with mpmath.workdps(70):
        ref = mpmath.matrix([[mpmath.mpf(v.p) / v.q for v in exact.row(i)] for i in range(exact.rows)])
    assert _min_digits(ev.hessian, ref) >= 50
    f64 = evaluate_net(net, W, b, X, Y, dps="float64", pattern={(1, 1): 1}).hessian
    assert np.allclose(f64, np.array(exact.tolist(), dtype=float), rtol=0, atol=1e-14)


def test_deeper_net_with_an_output_activation_and_mean_reduction():
    net, W, b, X, Y, theta = _case(11, "tanh", "cross_entropy", True, depth=3, m=4, reduction="mean",
                                   output_activation="identity", weight_decay="1/3")
    fast = full_hessian(net, W, b, X, Y, dps=60)
    ref = full_hessian(net, W, b, X, Y, dps=60, backend="mpmath")
    with mpmath.workdps(80):
        assert min(agreeing_digits(fast[i, j], ref[i, j]) for i in range(fast.rows) for j in range(fast.rows)) >= 58


def test_float64_fast_path_matches_autograd_and_the_reference_kernel():
    net, W, b, X, Y, theta = _case(4, "softplus", "square", True, depth=3, m=5, weight_decay="1/5")
    H = full_hessian(net, W, b, X, Y, dps="float64")
    ref = autograd_hessian(net, theta, X, Y)
    assert np.max(np.abs(H - ref)) <= 1e-10 * max(1.0, np.max(np.abs(ref)))
    prob = _engine.prepare(net, W, b, X, Y, None)
    st = _engine.forward(prob, Float64Backend())
    _engine.backward(st)
    old = _engine.full_hessian(st, _engine._output_hessian(st))
    assert np.max(np.abs(H - old)) <= 1e-13 * max(1.0, np.max(np.abs(old)))


# -- the fixed-point rounding ------------------------------------------------------------------------------
def test_scaled_ints_round_to_nearest_and_give_the_largest_entry_the_stated_bits():
    with mpmath.workdps(40):
        X = np.array([mpmath.mpf(1) / 3, -mpmath.mpf(7) / 5, mpmath.mpf(0), mpmath.mpf(2) ** -90], dtype=object)
        N, f = scaled_ints(X, 100)
        assert max(abs(n) for n in N).bit_length() == 100
        for v, n in zip(X, N):
            assert abs(mpmath.ldexp(v, f) - n) <= mpmath.mpf(1) / 2
    assert _to_int((0, 3, -1, 2), 0) == 2 and _to_int((1, 5, -1, 3), 0) == -3   # 1.5 -> 2, -2.5 -> -3
    assert scaled_ints(np.array([mpmath.mpf(0)], dtype=object), 10)[1] == 0


def _mag(values):
    """u with every |x| < 2^u (x Fractions)."""
    top = max(abs(x) for x in values)
    return top.numerator.bit_length() - top.denominator.bit_length() + 1


def _scaled(values, bits):
    """round(x 2^f) with f = bits - u, |x| < 2^u (the rounding of scaled_ints, in Fractions)."""
    f = bits - _mag(values)
    return [round(x * Fraction(2) ** f) for x in values], f


@pytest.mark.parametrize("two_terms", [False, True])
def test_block_error_bound_holds_for_the_fixed_point_algorithm(two_terms):
    """One block entry sum_s sum_t (a_s x_ts) y_ts computed as the fixed-point path does (factors rounded, a x
    formed exactly and rounded to ``bits`` bits, exact products, the terms aligned and summed exactly), in
    Fractions: its error is within block_error_bound."""
    rng = random.Random(int(two_terms))
    bits = 30

    def draw(m):
        return [Fraction(rng.randint(-10 ** 6, 10 ** 6), rng.randint(1, 10 ** 6)) for _ in range(m)]

    def round_bits(ints, f):
        shift = max(abs(v) for v in ints).bit_length() - bits
        if shift <= 0:
            return ints, f
        return [(v + (1 << (shift - 1))) >> shift for v in ints], f - shift

    for _ in range(40):
        m = rng.randint(1, 12)
        a, pairs = draw(m), [(draw(m), draw(m)) for _ in range(2 if two_terms else 1)]
        exact = sum(a[s] * x[s] * y[s] for x, y in pairs for s in range(m))
        ia, fa = _scaled(a, bits)
        approx = Fraction(0)
        for x, y in pairs:
            (ix, fx), (iy, fy) = _scaled(x, bits), _scaled(y, bits)
            ax, fax = round_bits([p * q for p, q in zip(ia, ix)], fa + fx)
            approx += Fraction(sum(p * q for p, q in zip(ax, iy)), 2 ** (fax + fy))
        terms = [(_mag(x), _mag(y)) for x, y in pairs]
        bound = m * Fraction(2) ** (_mag(a) - bits + 2) * sum(Fraction(2) ** (u + v) for u, v in terms)
        assert block_error_bound(m, _mag(a), terms, bits) == mpmath.mpf(bound.numerator) / bound.denominator
        assert abs(exact - approx) <= bound


def test_the_bound_is_far_below_10_to_the_minus_50_at_dps_50():
    B = select_backend(50)
    with B.context():
        bits = mpmath.mp.prec + GUARD_BITS
    # relative to the scale 2^(u+v) of a block, for a million samples
    assert block_error_bound(10 ** 6, 0, [(0, 0), (0, 0)], bits) < mpmath.mpf(10) ** -70
