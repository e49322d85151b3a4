"""The numeric engine against independent oracles: mpmath finite differences, autograd, SymPy."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hessian_oracles import (
    ACTIVATIONS,
    EXTRA_ACTIVATIONS,
    autograd_hessian,
    fd_gradient,
    fd_hessian,
    random_case,
    samples,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from lossgeom import (
    Activation,
    DataError,
    Net,
    NetSpecError,
    NonDifferentiableError,
    OptionError,
    UnknownActivationError,
    activation_names,
    get_activation,
    net_file_from_dict,
    parse_activation,
    register_activation,
    unregister_activation,
)
from lossgeom.activations import Piece
from lossgeom.activations import X as X_ACT
from lossgeom.numeric.backends import BACKENDS, Backend, select_backend
from lossgeom.numeric.evaluate import (
    evaluate_net,
    evaluate_net_file,
    find_kinks,
    full_hessian,
    gradient,
    hvp,
    loss_value,
)
from lossgeom.precision import agreeing_digits
from lossgeom.symbolic import derive_hessian, verify_recursion
from lossgeom.symbolic.forward import forward_trace, parameter_symbols


def _case(seed, act, loss, bias, **kw):
    """A random case whose pre-activations are off the kinks (re-drawn otherwise)."""
    for extra in range(50):
        case = random_case(seed + 1000 * extra, act, loss, bias=bias, **kw)
        net, W, b, X, Y, _ = case
        if not find_kinks(net, W, b, X, Y, dps=20):
            return case
    raise AssertionError("no kink-free case")


def _digits(A, B, n):
    with mpmath.workdps(60):
        return min(agreeing_digits(A[i, j], B[i][j]) for i in range(n) for j in range(n))


# -- mpmath finite differences at raised precision: >= 40 digits at dps=50 ------------------------
GRID = [(k, act, ("square", "cross_entropy")[k % 2], k % 3 != 1) for k, act in enumerate(ACTIVATIONS)]
GRID += [(20 + k, act, ("cross_entropy", "square")[k % 2], k % 3 == 1) for k, act in enumerate(ACTIVATIONS)
         if k % 2 == 0]


@pytest.mark.parametrize("seed,act,loss,bias", GRID, ids=lambda v: str(v) if not isinstance(v, dict) else v["name"])
def test_full_hessian_matches_mpmath_finite_differences(seed, act, loss, bias):
    net, W, b, X, Y, theta = _case(seed, act, loss, bias)
    ev = evaluate_net(net, W, b, X, Y, dps=50)
    H = fd_hessian(net, theta, samples(X), samples(Y), dps=50)
    assert _digits(ev.hessian, H, net.n_params) >= 40
    g = fd_gradient(net, theta, samples(X), samples(Y), dps=50)
    with mpmath.workdps(60):
        assert min(agreeing_digits(ev.gradient[i], g[i]) for i in range(net.n_params)) >= 40


@pytest.mark.parametrize("reduction,wd,out_act", [("mean", "1/10", "identity"), ("sum", "3/7", "sigmoid"),
                                                  ("mean", 0, "tanh")])
def test_reduction_weight_decay_and_output_activation_match_finite_differences(reduction, wd, out_act):
    net, W, b, X, Y, theta = _case(7, "tanh", "square", True, depth=2, m=3, reduction=reduction,
                                   weight_decay=wd, output_activation=out_act)
    ev = evaluate_net(net, W, b, X, Y, dps=50)
    H = fd_hessian(net, theta, samples(X), samples(Y), dps=50)
    assert _digits(ev.hessian, H, net.n_params) >= 40


# -- autograd in float64: 1e-10 relative ------------------------------------------------------------
@pytest.mark.parametrize("act", ACTIVATIONS, ids=lambda a: a if isinstance(a, str) else a["name"])
@pytest.mark.parametrize("loss", ["square", "cross_entropy"])
def test_float64_hessian_matches_autograd(act, loss):
    for k, bias in enumerate((False, True)):
        net, W, b, X, Y, theta = _case(100 + k, act, loss, bias, m=3)
        H = evaluate_net(net, W, b, X, Y, dps="float64").hessian
        ref = autograd_hessian(net, theta, X, Y)
        assert H.shape == ref.shape
        assert np.max(np.abs(H - ref)) <= 1e-10 * max(1.0, np.max(np.abs(ref)))


def test_float64_and_mp_agree_and_flint_equals_mpmath_backend():
    net, W, b, X, Y, _ = _case(3, "softplus", "cross_entropy", True, depth=3, m=2)
    fl = evaluate_net(net, W, b, X, Y, dps=40, backend="flint")
    mp = evaluate_net(net, W, b, X, Y, dps=40, backend="mpmath")
    f64 = evaluate_net(net, W, b, X, Y, dps="float64")
    assert (fl.backend, mp.backend, f64.backend) == ("flint", "mpmath", "float64")
    n = net.n_params
    with mpmath.workdps(50):
        assert min(agreeing_digits(fl.hessian[i, j], mp.hessian[i, j]) for i in range(n) for j in range(n)) >= 38
    assert np.allclose(np.array(mp.hessian.tolist(), dtype=float), f64.hessian, rtol=1e-12, atol=1e-12)


# -- SymPy direct differentiation ----------------------------------------------------------------
@pytest.mark.parametrize("act,loss,bias", [("tanh", "square", True), ("sigmoid", "cross_entropy", False),
                                          ({"name": "leaky_relu", "slope": "1/10"}, "square", True)])
def test_full_hessian_matches_sympy_hessian(act, loss, bias):
    widths = (2, 2, 2) if loss == "cross_entropy" else (2, 2, 1)
    net = Net(widths=widths, activation=act, loss=loss, bias=bias)
    x = [Fraction(1, 2), Fraction(-1, 3)]
    y = [Fraction(1), Fraction(0)] if loss == "cross_entropy" else [Fraction(2, 5)]
    tr = forward_trace(net, x=[sp.Rational(v.numerator, v.denominator) for v in x],
                       y=[sp.Rational(v.numerator, v.denominator) for v in y])
    syms = parameter_symbols(net)
    values = [sp.Rational((-1) ** k * (k + 1), 5 + k) for k in range(len(syms))]
    Hs = sp.hessian(tr.loss(), syms).subs(dict(zip(syms, values)))
    _, W, b = _unpack(net, values)
    ev = evaluate_net(net, W, b, [[v] for v in x], [[v] for v in y], dps=50)
    with mpmath.workdps(60):
        ref = [[sp.N(Hs[i, j], 60) for j in range(len(syms))] for i in range(len(syms))]
        assert min(agreeing_digits(ev.hessian[i, j], mpmath.mpf(str(ref[i][j])))
                   for i in range(len(syms)) for j in range(len(syms))) >= 45


def _unpack(net, theta):
    Ws, bs, k = [], [], 0
    for l in range(1, net.depth + 1):
        d, dprev = net.layer_shape(l)
        Ws.append([[theta[k + j * d + i] for j in range(dprev)] for i in range(d)])
        k += d * dprev
        if net.bias:
            bs.append(list(theta[k:k + d]))
            k += d
    return net, Ws, (bs if net.bias else None)


# -- internal consistency: Botev blocks, HVP ------------------------------------------------------
@pytest.mark.parametrize("act,loss", [("tanh", "square"), ("softsign", "cross_entropy"), ("relu", "square")])
def test_botev_blocks_equal_diagonal_blocks_and_hvp_equals_hessian_times_v(act, loss):
    net, W, b, X, Y, theta = _case(11, act, loss, True, depth=3, m=2, weight_decay="1/5")
    for dps in (50, "float64"):
        ev = evaluate_net(net, W, b, X, Y, dps=dps)
        H = np.array(ev.hessian.tolist(), dtype=object) if dps != "float64" else ev.hessian
        tol = mpmath.mpf(10) ** -45 if dps != "float64" else 1e-12
        for l in range(1, net.depth + 1):
            sl = net.layer_slice(l)
            blk = ev.layer_block(l)
            blk = np.array(blk.tolist(), dtype=object) if dps != "float64" else blk
            assert np.max(np.abs(H[sl, sl] - blk)) <= tol
        v = [Fraction(k - 3, k + 2) for k in range(net.n_params)]
        Hv = hvp(net, W, b, X, Y, v=v, dps=dps)
        Hv = np.array(Hv.tolist(), dtype=object).ravel() if dps != "float64" else Hv
        with mpmath.workdps(60):
            ref = H.dot(np.array([float(q) if dps == "float64" else mpmath.mpf(q.numerator) / q.denominator
                                  for q in v], dtype=H.dtype))
            assert np.max(np.abs(Hv - ref)) <= tol * 10


def test_preactivation_hessians_of_one_sample_give_the_kronecker_block():
    net, W, b, X, Y, _ = _case(5, "tanh", "square", True, depth=2, m=1)
    ev = evaluate_net(net, W, b, X, Y, dps=30)
    H2 = ev.preactivation_hessian(2, sample=1)
    blk = ev.layer_block(2)
    d = net.widths[2]
    with mpmath.workdps(30):
        a1 = [mpmath.tanh(v) for v in ev.preactivations[0][0]] + [1]
        for p in range(blk.rows):
            for q in range(blk.cols):
                (j, i), (jj, ii) = divmod(p, d), divmod(q, d)
                assert abs(blk[p, q] - a1[j] * a1[jj] * H2[i, ii]) < mpmath.mpf(10) ** -25


# -- numbers printed in docs/MATH.md ------------------------------------------------------------------
def test_math_md_worked_micro_example():
    net = Net(widths=(1, 1, 1), activation="tanh")
    ev = evaluate_net(net, [[["0.5"]], [[2]]], X=[[1]], Y=[[0]], dps=50)
    assert mpmath.nstr(ev.preactivation_hessian(1)[0, 0], 5) == "1.1304"
    assert mpmath.nstr(ev.hessian[0, 0], 5) == "1.1304"       # d2E/dw1^2 = x^2 H_1
    assert mpmath.nstr(ev.hessian[1, 1], 5) == "0.21355"      # d2E/dw2^2 = a1^2
    assert ev.preactivation_hessian(2)[0, 0] == 1             # H_2 = 1 for the square loss


def test_softmax_cross_entropy_output_hessian_at_zero_logits():
    net = Net(widths=(2, 2), loss="cross_entropy")
    ev = evaluate_net(net, [[[0, 0], [0, 0]]], X=[[1], [2]], Y=[[1], [0]], dps=50)
    H = ev.preactivation_hessian(1)
    assert [[H[i, j] for j in range(2)] for i in range(2)] == [[0.25, -0.25], [-0.25, 0.25]]
    assert evaluate_net(net, [[[0, 0], [0, 0]]], X=[[1], [2]], Y=[[1], [0]], dps="float64") \
        .preactivation_hessian(1).tolist() == [[0.25, -0.25], [-0.25, 0.25]]


# -- kinks ---------------------------------------------------------------------------------------
def test_relu_kink_is_reported_and_derivatives_refused():
    net = Net(widths=(2, 2, 1), activation="relu")
    W = [[[1, -1], [1, 2]], [[1, 1]]]
    X, Y = [[1, 1], [1, 2]], [[0, 1]]                        # h1[1] = 0 for sample 1 only
    ev = evaluate_net(net, W, X=X, Y=Y, dps=30)
    assert [str(k) for k in ev.kinks] == ["h1[1] (sample 1)"]
    assert ev.kink_units == ("h1[1]",) and ev.kinks[0].exact and ev.kinks[0].value == "0"
    assert ev.loss == mpmath.mpf(25) / 2 == loss_value(net, W, X=X, Y=Y, dps=20)   # the loss is defined
    for what in ("gradient", "hessian", "layer_blocks"):
        with pytest.raises(NonDifferentiableError, match=r"h1\[1\] \(sample 1\)") as err:
            getattr(ev, what)
        assert err.value.kinks == ["h1[1] (sample 1)"]
    with pytest.raises(NonDifferentiableError):
        full_hessian(net, W, X=X, Y=Y, dps="float64")
    with pytest.raises(NonDifferentiableError):
        hvp(net, W, X=X, Y=Y, v=[1] * 6)
    with pytest.raises(NonDifferentiableError):
        gradient(net, W, X=X, Y=Y)
    # choosing a piece explicitly is the caller's one-sided choice: then the Hessian is that piece's
    right = evaluate_net(net, W, X=X, Y=Y, dps=30, pattern={(1, 1): 1})
    left = evaluate_net(net, W, X=X, Y=Y, dps=30, pattern={(1, 1): 0})
    assert right.kinks == () and left.kinks == ()
    assert right.hessian != left.hessian


def test_softsign_kink_keeps_the_gradient_but_not_the_hessian():
    net = Net(widths=(1, 1, 1), activation="softsign")
    ev = evaluate_net(net, [[[0]], [[1]]], X=[[1]], Y=[[1]], dps=30)
    assert ev.kinks[0].order == 2
    assert ev.gradient[0] == -1      # f'(0) = 1 from both sides
    with pytest.raises(NonDifferentiableError, match="softsign"):
        ev.hessian


def test_kink_after_a_transcendental_layer_is_found_numerically():
    net = Net(widths=(1, 1, 1), activation="tanh", output_activation="relu")
    ev = evaluate_net(net, [[[1]], [[0]]], X=[[1]], Y=[[1]], dps=30)
    assert ev.kink_units == ("h2[1]",) and not ev.kinks[0].exact
    assert "to the working tolerance" in str(pytest.raises(NonDifferentiableError, lambda: ev.hessian).value)


def test_kinks_are_exact_not_rounded():
    # h = 10^-40 is not a kink: decided exactly, even though it underflows nothing at dps=30
    net = Net(widths=(1, 1, 1), activation="relu")
    ev = evaluate_net(net, [[["1e-40"]], [[1]]], X=[[1]], Y=[[0]], dps=30)
    assert ev.kinks == ()


# -- exact input, shapes and errors ----------------------------------------------------------------
def test_weights_are_read_exactly_not_through_floats():
    net = Net(widths=(1, 1))
    ev = evaluate_net(net, [[["1/3"]]], X=[[3]], Y=[[0]], dps=50)
    with mpmath.workdps(50):
        assert ev.loss == mpmath.mpf(1) / 2           # (1/3 * 3)^2 / 2, exactly
    ev = evaluate_net(net, [[["0.1"]]], X=[[10]], Y=[[1]], dps=50)
    assert ev.loss == 0                               # 0.1 is 1/10, not the nearest double


def test_evaluate_net_file_and_missing_inputs():
    doc = {"widths": [1, 1, 1], "activation": "tanh", "weights": [[["1/2"]], [[2]]]}
    with pytest.raises(DataError, match="inputs"):
        evaluate_net_file(net_file_from_dict(doc))
    doc.update(inputs=[[1]], targets=[[0]])
    assert mpmath.nstr(evaluate_net_file(net_file_from_dict(doc), dps=30).hessian[1, 1], 5) == "0.21355"


@pytest.mark.parametrize("kwargs,match", [
    (dict(weights=[[[1]]]), "weights: expected a list of 2"),
    (dict(weights=[[[1, 2]], [[1]]]), r"weights\[0\]: expected a 1x1"),
    (dict(weights=[[["pi"]], [[1]]]), r"weights\[0\]\[0\]\[0\]"),
    (dict(X=None), "X: no inputs"),
    (dict(Y=None), "Y: no targets"),
    (dict(Y=[[1, 2]]), "Y: expected a 1x1"),
    (dict(biases=[[1], [1]]), "biases: given"),
    (dict(dps=5), "dps: expected"),
    (dict(pattern={(3, 1): 0}), "pattern"),
    (dict(pattern={(1, 1): 5}), r"pattern\[\(1, 1\)\]: expected a piece index from 0 to 1"),
])
def test_bad_input_names_the_field(kwargs, match):
    args = dict(net=Net(widths=(1, 1, 1), activation="relu"), weights=[[[1]], [[1]]], X=[[1]], Y=[[0]], dps=20)
    args.update(kwargs)
    with pytest.raises(DataError, match=match):
        evaluate_net(**args)


@pytest.mark.parametrize("dps,backend,match", [
    (20, "gpu", "backend: expected one of 'float64', 'mpmath', 'flint', 'exact', got 'gpu'"),
    (20, "float64", "backend: expected one of 'flint', 'mpmath' with dps=20, got 'float64'"),
    ("float64", "flint", "backend: expected one of 'float64' with dps='float64', got 'flint'"),
    ("exact", "mpmath", "backend: expected one of 'exact' with dps='exact', got 'mpmath'"),
])
def test_bad_backend_is_an_option_error_listing_the_choices(dps, backend, match):
    with pytest.raises(OptionError, match=match):
        evaluate_net(Net(widths=(1, 1, 1), activation="relu"), [[[1]], [[1]]], X=[[1]], Y=[[0]], dps=dps,
                     backend=backend)


def test_generic_activation_is_refused():
    with pytest.raises(DataError, match="generic"):
        evaluate_net(Net(widths=(1, 1, 1), activation="f"), [[[1]], [[1]]], X=[[1]], Y=[[0]])


@pytest.mark.parametrize("backend", ["flint", "mpmath"])
def test_mpmath_precision_is_restored(backend):
    with mpmath.workdps(23):
        ev = evaluate_net(Net(widths=(1, 1, 1), activation="tanh"), [[[1]], [[1]]], X=[[1]], Y=[[0]], dps=80,
                          backend=backend)
        assert mpmath.mp.dps == 23
        assert ev.dps == 80
    assert mpmath.mp.dps == 15


# -- hypothesis: rational weights -------------------------------------------------------------------
_NET = Net(widths=(2, 2, 1), activation="softplus", bias=True)
_SYMS = parameter_symbols(_NET)
_TRACE = forward_trace(_NET, x=[sp.Rational(1, 2), sp.Rational(-3, 2)], y=[sp.Rational(1, 3)])
_HESS = sp.lambdify(_SYMS, sp.hessian(_TRACE.loss(), _SYMS), modules="mpmath", cse=True)

rationals = st.fractions(min_value=-2, max_value=2, max_denominator=9)


@settings(max_examples=15, deadline=None)
@given(st.lists(rationals, min_size=_NET.n_params, max_size=_NET.n_params))
def test_property_rational_weights_match_lambdified_sympy_hessian(theta):
    _, W, b = _unpack(_NET, theta)
    ev = evaluate_net(_NET, W, b, X=[["1/2"], ["-3/2"]], Y=[["1/3"]], dps=40)
    with mpmath.workdps(50):
        ref = _HESS(*[mpmath.mpf(q.numerator) / q.denominator for q in theta])
        n = _NET.n_params
        assert min(agreeing_digits(ev.hessian[i, j], ref[i, j]) for i in range(n) for j in range(n)) >= 38


@settings(max_examples=15, deadline=None)
@given(st.lists(rationals, min_size=5, max_size=5), st.sampled_from(["relu", "abs", "tanh"]))
def test_property_hessian_symmetric_and_hvp_consistent(theta, act):
    net = Net(widths=(1, 2, 1), activation=act)
    _, W, _ = _unpack(net, theta[:4])
    X, Y = [[theta[4], 1]], [[1, 0]]
    ev = evaluate_net(net, W, X=X, Y=Y, dps="float64")
    if ev.kinks:
        with pytest.raises(NonDifferentiableError):
            ev.hessian
        return
    H = ev.hessian
    assert np.array_equal(H, H.T)
    v = [Fraction(1), Fraction(-2), Fraction(1, 3), Fraction(0)]
    assert np.allclose(hvp(net, W, X=X, Y=Y, v=v, dps="float64"), H @ np.array([float(q) for q in v]),
                       rtol=1e-12, atol=1e-12)


# -- exact rational arithmetic -------------------------------------------------------------------
@pytest.mark.parametrize("act", ["relu", {"name": "two_piece", "s_plus": "3/2", "s_minus": "1/4"}, "softsign",
                                 "abs"])
def test_exact_hessian_equals_sympy_hessian_of_the_active_piece(act):
    net = Net(widths=(2, 2, 1), activation=act, bias=True, weight_decay="1/7")
    W = [[["1/2", -1], [2, "1/3"]], [["-3/2", 1]]]
    b = [["1/5", "-1/4"], [1]]
    X, Y = [[1, "-1/2"], ["1/3", 2]], [["1/2", -1]]
    ev = evaluate_net(net, W, b, X, Y, dps="exact")
    assert ev.dps == "exact" and all(v.is_Rational for v in ev.hessian)
    # SymPy on the smooth pieces that the exact forward pass selects, summed over the samples
    syms = parameter_symbols(net)
    total = 0
    for s in range(2):
        x = [sp.Rational(X[i][s]) for i in range(2)]
        y = [sp.Rational(Y[0][s])]
        h1 = forward_trace(net, W, b, x, y).h[0]
        pattern = {(1, i + 1): net.activation.piece_index(v) for i, v in enumerate(h1)}
        total += forward_trace(net, x=x, y=y, pattern=pattern).loss()
    total -= net.weight_decay / 2 * sum(w ** 2 for w in syms if w.name.startswith("W"))  # counted twice
    theta = [sp.Rational(v) for v in ["1/2", 2, -1, "1/3", "1/5", "-1/4", "-3/2", 1, 1]]
    assert sp.hessian(total, syms).subs(dict(zip(syms, theta))) == ev.hessian
    v = [Fraction(k - 4, k + 1) for k in range(net.n_params)]
    assert hvp(net, W, b, X, Y, v=v, dps="exact") == ev.hessian * sp.Matrix([sp.Rational(q.numerator, q.denominator)
                                                                             for q in v])
    mp = evaluate_net(net, W, b, X, Y, dps=40).hessian
    with mpmath.workdps(50):
        assert all(abs(mp[i, j] - mpmath.mpf(ev.hessian[i, j].p) / ev.hessian[i, j].q) < mpmath.mpf(10) ** -38
                   for i in range(net.n_params) for j in range(net.n_params))


def test_exact_needs_a_rational_loss():
    with pytest.raises(DataError, match="exact"):
        evaluate_net(Net(widths=(1, 1, 1), activation="tanh"), [[[1]], [[1]]], X=[[1]], Y=[[0]], dps="exact")
    with pytest.raises(DataError, match="exact"):
        evaluate_net(Net(widths=(1, 2), loss="cross_entropy"), [[[1], [1]]], X=[[1]], Y=[[1], [0]], dps="exact")


def test_hessian_not_requested_is_not_reported_as_a_kink():
    ev = evaluate_net(Net(widths=(1, 1, 1), activation="tanh"), [[[1]], [[1]]], X=[[1]], Y=[[0]], hessian=False)
    assert ev.gradient.rows == 2
    with pytest.raises(DataError, match="not computed"):
        ev.hessian


# -- the backend registry ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_every_registered_backend_gives_the_exact_hessian_of_a_rational_net(name):
    """Each backend against the exact Hessian (SymPy's direct differentiation) of a leaky-ReLU net."""
    net = Net(widths=(2, 2, 1), activation={"name": "leaky_relu", "slope": "1/3"}, bias=True, weight_decay="1/7")
    W, b = [[["1/2", -1], [2, "1/5"]], [[1, "-3/2"]]], [["1/4", -1], [2]]
    x, y = [1, "-1/3"], ["1/2"]
    syms = parameter_symbols(net)
    trace = forward_trace(net, x=[sp.Rational(v) for v in x], y=[sp.Rational(v) for v in y])
    values = dict(zip(syms, [sp.Rational(v) for v in ("1/2", 2, -1, "1/5", "1/4", -1, 1, "-3/2", 2)]))
    truth = sp.hessian(trace.loss(), syms).subs(values)  # the traced loss includes the weight decay
    dps = {"float64": "float64", "exact": "exact"}.get(name, 30)
    ev = evaluate_net(net, W, b, [[v] for v in x], [[v] for v in y], dps=dps, backend=name)
    assert ev.backend == name
    assert issubclass(BACKENDS[name], Backend) and not BACKENDS[name].__abstractmethods__
    for i in range(net.n_params):
        for j in range(net.n_params):
            got = ev.hessian[i, j]
            if name == "exact":
                assert got == truth[i, j]
            else:
                assert abs(float(got) - float(truth[i, j])) <= 1e-13 * (1 + abs(float(truth[i, j])))


def test_exact_backend_refuses_transcendental_functions():
    B = select_backend("exact")
    with pytest.raises(DataError, match="exact.*cannot take exp"):
        B.exp(np.array([Fraction(1)], dtype=object))
    with pytest.raises(DataError, match="piece 0 of tanh is transcendental"):
        B.piece(Net(widths=(1, 1), activation="tanh").activation, 0, 1, np.array([Fraction(1)], dtype=object))
    with pytest.raises(DataError, match="dps: 'exact' needs the square loss"):
        select_backend("exact", net=Net(widths=(1, 1, 1), activation="tanh"))


# -- a user-registered activation flows through every layer -----------------------------------------
def _cubic():
    return Activation("cubic", (), (Piece(-sp.oo, sp.oo, X_ACT ** 3 / 3 + X_ACT),), 0, False)


def _elu(alpha=sp.Rational(1, 2)):
    alpha = sp.Rational(alpha)
    pieces = (Piece(-sp.oo, sp.Integer(0), alpha * (sp.exp(X_ACT) - 1)), Piece(sp.Integer(0), sp.oo, X_ACT))
    return Activation("elu", (("alpha", alpha),), pieces, 1 if alpha != 1 else 2, False)


def _mp_elu(act, x):
    alpha = dict(act.params)["alpha"]
    return x if x > 0 else mpmath.mpf(alpha.p) / alpha.q * (mpmath.exp(x) - 1)


@pytest.fixture
def registered():
    register_activation("cubic", _cubic)
    register_activation("elu", _elu)
    EXTRA_ACTIVATIONS.update(cubic=lambda act, x: x ** 3 / 3 + x, elu=_mp_elu)
    yield
    for name in ("cubic", "elu"):
        unregister_activation(name)
        EXTRA_ACTIVATIONS.pop(name)


def test_registered_activation_symbolic_derivatives(registered):
    cubic = get_activation("cubic")
    assert sp.expand(cubic.derivative(1) - (X_ACT ** 2 + 1)) == 0 and sp.expand(cubic.derivative(2) - 2 * X_ACT) == 0
    elu = parse_activation("elu(alpha=1/3)")
    assert elu.label == "elu(alpha=1/3)" and elu.kinks == (0,)
    assert sp.simplify(elu.piece_apply(0, X_ACT, 1) - sp.Rational(1, 3) * sp.exp(X_ACT)) == 0
    for spec in ("cubic", {"name": "elu", "alpha": "1/3"}):
        net = Net(widths=(1, 2, 1), activation=spec)
        assert verify_recursion(net).outcome == "proved"
        rec = derive_hessian(net)
        W, x, y = [[["1/2"], ["-1/3"]], [[2, "1/5"]]], [sp.Rational(3, 2)], [sp.Rational(1, 4)]
        syms = parameter_symbols(net)
        direct = sp.hessian(forward_trace(net, x=x, y=y).loss(), syms[:2]).subs(
            dict(zip(syms, [sp.Rational(1, 2), sp.Rational(-1, 3), 2, sp.Rational(1, 5)])))
        assert sp.simplify(rec.evaluate(rec.layer_block(1), W, x=x, y=y) - direct) == sp.zeros(2, 2)


@pytest.mark.parametrize("act", ["cubic", {"name": "elu", "alpha": "1/2"}], ids=["cubic", "elu"])
@pytest.mark.parametrize("loss", ["square", "cross_entropy"])
def test_registered_activation_numeric_engine_matches_finite_differences(registered, act, loss):
    net, W, b, X, Y, theta = _case(5, act, loss, True, depth=2, m=2)
    ev = evaluate_net(net, W, b, X, Y, dps=50)
    H = fd_hessian(net, theta, samples(X), samples(Y), dps=50)
    assert _digits(ev.hessian, H, net.n_params) >= 40
    g = fd_gradient(net, theta, samples(X), samples(Y), dps=50)
    with mpmath.workdps(60):
        assert min(agreeing_digits(ev.gradient[i], g[i]) for i in range(net.n_params)) >= 40
    if act == "cubic" and loss == "square":  # a polynomial net: the exact backend applies, and agrees
        exact = evaluate_net(net, W, b, X, Y, dps="exact").hessian
        with mpmath.workdps(60):
            rows = [[mpmath.mpf(exact[i, j].p) / exact[i, j].q for j in range(net.n_params)]
                    for i in range(net.n_params)]
        assert _digits(ev.hessian, rows, net.n_params) >= 45


def test_registered_elu_kink_is_detected_exactly(registered):
    net = Net(widths=(1, 1, 1), activation={"name": "elu", "alpha": "1/2"})
    assert [str(k) for k in find_kinks(net, [[[1]], [[1]]], X=[[0]], Y=[[0]])] == ["h1[1] (sample 1)"]


@pytest.mark.parametrize("name,factory,match", [
    ("tanh", _cubic, "name 'tanh' is already registered"),
    ("1bad", _cubic, "name: expected an identifier"),
    ("cubic", 42, "expected a callable returning an Activation, got 42"),
    ("cubic", lambda alpha: None, "expected every parameter to have a default, got alpha without one"),
    ("cube", _cubic, "expected an Activation named 'cube'"),
    ("cubic", lambda: 1 / 0, "failed with its defaults: ZeroDivisionError"),
    ("cubic", lambda: Activation("cubic", (), (Piece(-sp.oo, sp.oo, sp.Symbol("y")),), 0, False),
     "expressions are in lossgeom.activations.X only"),
])
def test_bad_registrations_are_clear_errors(name, factory, match):
    with pytest.raises(NetSpecError, match=match):
        register_activation(name, factory)
    assert name not in activation_names() or name == "tanh"


def test_unregister_refuses_built_in_and_unknown_names():
    with pytest.raises(NetSpecError, match="'relu' is built in"):
        unregister_activation("relu")
    with pytest.raises(UnknownActivationError, match="unknown activation 'cubic'"):
        unregister_activation("cubic")
