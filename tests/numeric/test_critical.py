"""Critical points of deep linear nets: the Baldi-Hornik worked oracle, independent Hessians, GD never below L*."""

import autograd.numpy as anp
import mpmath
import numpy as np
import pytest
import sympy as sp
from autograd import hessian as ag_hessian

from lossgeom import Net
from lossgeom.errors import DataError, NetSpecError, SizeLimitError
from lossgeom.numeric.critical import classify_point, enumerate_critical_points, hessian_inertia, subset_weights
from lossgeom.numeric.linear import curve_polynomial, linear_gradient, linear_hessian, linear_loss
from lossgeom.numeric.optimise import gradient_descent, random_weights
from lossgeom.numeric.spectrum import exact_inertia, inertia
from lossgeom.point import resolve_point
from lossgeom.precision import tolerance
from lossgeom.symbolic.linear import deep_linear_hessian, global_minimum_value, sigma_eigen

X3, Y3 = sp.eye(3), sp.diag(3, 2, 1)


def _net(widths):
    return Net(widths=tuple(widths))


def _pt(W, X, Y):
    net = _net([sp.Matrix(W[0]).cols] + [sp.Matrix(w).rows for w in W])
    return net, resolve_point(net, W, X=X, Y=Y)


def test_worked_example_p1_values_inertia_spectrum():
    cs = enumerate_critical_points(_net((3, 1, 3)), X3, Y3, dps=50)
    got = {p.subset: p for p in cs.points}
    assert {s: p.value for s, p in got.items()} == {(): 7, (1,): sp.Rational(5, 2), (2,): 5, (3,): sp.Rational(13, 2)}
    assert [got[(i,)].inertia.negative for i in (1, 2, 3)] == [0, 1, 2]
    spec = [float(e) for e in got[(1,)].eigenvalues]
    assert np.allclose(spec, [0, 0.528, 0.877, 9.123, 9.472, 10], atol=1e-3)
    assert abs(float(got[(2,)].eigenvalues[0]) + 0.854) < 1e-3
    assert np.allclose([float(e) for e in got[(3,)].eigenvalues[:2]], [-2, -1])
    assert got[(1,)].classification == "global minimum" and cs.global_minimum_value == sp.Rational(5, 2)
    assert all(got[s].classification == "saddle" for s in [(), (2,), (3,)])
    # the exactly computed loss at the exact weights is the critical value; gradients vanish exactly
    assert all(p.value_numeric == p.value and p.gradient_norm == 0 for p in cs.points)


def test_worked_example_p2_seven_distinct_values():
    cs = enumerate_critical_points(_net((3, 2, 3)), X3, Y3, dps=50)
    assert cs.values() == [sp.Rational(1, 2), 2, sp.Rational(5, 2), sp.Rational(9, 2), 5, sp.Rational(13, 2), 7]
    assert len(cs.values()) == 1 + 3 + 3  # sum_{k<=p} C(d_y, k)
    gm = [p for p in cs.points if p.classification == "global minimum"]
    assert [p.subset for p in gm] == [(1, 2)] and gm[0].value == sp.Rational(1, 2)


def test_numeric_hessian_matches_exact_symbolic_and_autograd():
    W = [sp.Matrix([[1, sp.Rational(-1, 2)], [2, 1], [0, 3]]), sp.Matrix([[1, 0, 1], [sp.Rational(1, 3), 2, -1]])]
    X, Y = sp.Matrix([[1, 2, 0], [0, 1, 1]]), sp.Matrix([[1, 0, 2], [0, 1, 1]])
    net, pt = _pt(W, X, Y)
    exact = deep_linear_hessian(net, pt)
    assert linear_hessian(net, pt, "exact") == exact
    with mpmath.workdps(60):
        Hmp = linear_hessian(net, pt, 50)
        assert max(abs(Hmp[i, j] - mpmath.mpf(exact[i, j].p) / exact[i, j].q)
                   for i in range(12) for j in range(12)) < tolerance(50)
    Xf, Yf = np.array(X.tolist(), float), np.array(Y.tolist(), float)

    def loss(theta):
        W1 = anp.reshape(theta[:6], (2, 3)).T  # column stacking
        W2 = anp.reshape(theta[6:], (3, 2)).T
        R = W2 @ W1 @ Xf - Yf
        return 0.5 * anp.sum(R * R)

    theta = np.array([float(v) for M in W for v in M.T])
    assert np.allclose(ag_hessian(loss)(theta), np.array(exact.tolist(), float), atol=1e-10)
    assert [float(v) for v in linear_gradient(net, pt, "float64")] == pytest.approx(
        list(np.array([float(v) for v in linear_gradient(net, pt, "exact")])))


def test_hessian_inertia_agrees_with_spectrum_inertia_on_large_matrix():
    Y5 = sp.diag(5, 4, 3, 2, 1)
    cs = enumerate_critical_points(_net((5, 3, 5)), sp.eye(5), Y5, dps=30, ranks="full", classify=False)
    W = cs.points[3].weights  # subset {1, 3, 4}: 30 parameters, the Arb path
    Hm = linear_hessian(*_pt(W, sp.eye(5), Y5), "exact")
    assert Hm.rows == 30
    fast, _ = hessian_inertia(Hm, 30)  # 30 rows: the LDL^T path
    slow = inertia(Hm, 30)
    ex = exact_inertia(Hm)
    assert (fast.positive, fast.negative, fast.zero) == (slow.positive, slow.negative, slow.zero) == \
        (ex.positive, ex.negative, ex.zero)


@pytest.mark.parametrize("widths", [(5, 3, 5), (5, 2, 2, 5), (5, 1, 5)])
def test_ldl_inertia_equals_exact_inertia_at_every_critical_point(widths):
    Y5 = sp.diag(5, 4, 3, 2, 1)
    cs = enumerate_critical_points(_net(widths), sp.eye(5), Y5, dps=30, classify=False)
    for p in cs.points[::2]:
        Hm = linear_hessian(*_pt(p.weights, sp.eye(5), Y5), "exact")
        got = hessian_inertia(Hm, 50, method="ldl")[0]
        ex = exact_inertia(Hm)
        assert (got.positive, got.negative, got.zero) == (ex.positive, ex.negative, ex.zero)


def test_ldl_inertia_on_random_exact_low_rank_matrices():
    import random
    rng = random.Random(0)
    for _ in range(25):
        n, r = rng.randint(2, 9), rng.randint(0, 6)
        F = sp.Matrix(n, r, lambda i, j: rng.randint(-3, 3))
        D = sp.diag(*[rng.choice([-2, -1, 1, 3]) for _ in range(r)]) if r else sp.zeros(0, 0)
        Hm = F * D * F.T if r else sp.zeros(n, n)
        got, ex = hessian_inertia(Hm, 40, method="ldl")[0], exact_inertia(Hm)
        assert (got.positive, got.negative, got.zero) == (ex.positive, ex.negative, ex.zero)


def test_baldi_hornik_gl_freedom_gives_critical_points():
    e = sigma_eigen(_net((3, 2, 3)), X3, Y3)
    C = sp.Matrix([[2, 1], [1, 1]])
    W = subset_weights(_net((3, 2, 3)), e.eigenvectors, Y3, [0, 2], C=C)
    assert all(v == 0 for v in linear_gradient(*_pt(W, X3, Y3), "exact"))
    assert W[1] == sp.Matrix(e.eigenvectors)[:, [0, 2]] * C


def test_irrational_eigenvalues_numeric_values_agree_with_exact_algebraic_values():
    X = sp.Matrix([[1, 2, 0, 1], [0, 1, 1, 3], [2, 0, 1, 1]])
    Y = sp.Matrix([[1, 0, 1, 2], [0, 2, 1, 1], [1, 1, 0, 0]])
    cs = enumerate_critical_points(_net((3, 2, 3)), X, Y, dps=40)
    assert not sigma_eigen(_net((3, 2, 3)), X, Y).exact
    for p in cs.points:
        with mpmath.workdps(50):
            assert abs(p.value_numeric - mpmath.mpf(str(sp.N(p.value, 45)))) < tolerance(40, scale=10)
        assert p.gradient_norm < tolerance(40, scale=10)
        assert p.classification in ("global minimum", "saddle")
    assert sum(p.classification == "global minimum" for p in cs.points) == 1
    f64 = enumerate_critical_points(_net((3, 2, 3)), X, Y, dps="float64")
    assert [p.classification for p in f64.points] == [p.classification for p in cs.points]
    assert [p.inertia.negative for p in f64.points] == [p.inertia.negative for p in cs.points]


def test_deep_rank_deficient_point_is_psd_saddle_with_exact_descent_curve():
    cs = enumerate_critical_points(_net((3, 2, 2, 3)), X3, Y3, dps=30)
    p = next(q for q in cs.points if q.subset == (1,))
    assert p.inertia.negative == 0 and p.inertia.zero > 0
    assert p.classification == "saddle" and p.certificate["order"] == 3
    assert sp.Rational(p.certificate["coefficient"]) < 0


def test_curve_polynomial_against_direct_expansion():
    t = sp.Symbol("t")
    W = [sp.Matrix([[1, 2]]), sp.Matrix([[1], [-1]])]
    D = [sp.Matrix([[0, 1]]), sp.Matrix([[2], [1]])]
    X, Y = sp.Matrix([[1, 0], [1, 1]]), sp.Matrix([[1, 0], [0, 1]])
    Wt = [W[k] + t * D[k] for k in range(2)]
    R = Wt[1] * Wt[0] * X - Y
    L = sp.expand(sum(v ** 2 for v in R) / 2)
    L0 = L.subs(t, 0)
    direct = sp.Poly(L - L0, t).all_coeffs()[::-1]
    assert curve_polynomial(*_pt(W, X, Y), D) == direct + [0] * (5 - len(direct))


@pytest.mark.parametrize("widths", [(3, 2, 3), (3, 1, 3), (3, 2, 2, 3), (3, 2, 1, 2, 3)])
def test_gradient_descent_never_below_global_minimum_and_reaches_it(widths):
    Xf = np.array([[1.0, 0, 0, 1], [0, 1, 0, 1], [0, 0, 1, 1]])
    Yf = np.array([[3.0, 0, 0, 1], [0, 2, 0, 0], [0, 0, 1, 2]])
    X, Y = sp.Matrix(Xf.astype(int)), sp.Matrix(Yf.astype(int))
    gmin = float(global_minimum_value(_net(widths), X, Y))
    for seed in range(30):
        r = gradient_descent(random_weights(widths, seed=seed), Xf, Yf, steps=20000)
        assert r.converged
        # never below the computed global minimum (up to float64 rounding) ...
        assert r.loss >= gmin - float(tolerance("float64", scale=gmin))
        # ... and ends at it, to the accuracy of the stopping rule (|grad| <= 1e-5 scale)
        assert r.loss - gmin <= 1e-6 * max(1.0, gmin)


def test_classify_point_exact_bad_saddle_h3_and_non_critical():
    W4 = sp.Matrix([[1, 2], [0, -1]])
    Ws = [sp.zeros(2, 2)] * 3 + [W4]
    X, Y = sp.eye(2), sp.Matrix([[1, 1], [0, 2]])
    r = classify_point(*_pt(Ws, X, Y))
    assert r.critical and r.hessian == sp.zeros(16, 16) and r.classification == "saddle"
    assert r.certificate["decreases"] and r.certificate["order"] == 3
    nc = classify_point(*_pt([sp.eye(2), W4], X, Y))
    assert not nc.critical and nc.classification == "not critical"


def test_bad_input():
    with pytest.raises(DataError, match="X X\\^T is singular \\(rank 1 < d_x = 2\\)"):
        enumerate_critical_points(_net((2, 1, 2)), sp.Matrix([[1, 1], [1, 1]]), sp.Matrix([[1, 0], [0, 1]]))
    with pytest.raises(NetSpecError, match="widths: expected at least one hidden layer"):
        enumerate_critical_points(_net((3, 3)), X3, Y3)
    with pytest.raises(DataError, match="ranks: expected 'all' or 'full'"):
        enumerate_critical_points(_net((3, 1, 3)), X3, Y3, ranks="some")
    with pytest.raises(SizeLimitError, match="limit for classification is 400"):
        enumerate_critical_points(_net((3, 20, 20, 3)), X3, Y3)
    with pytest.raises(DataError, match="subset: expected at most p = 1"):
        subset_weights(_net((3, 1, 3)), sp.eye(3), Y3, [0, 1])


def test_a_net_that_is_not_deep_linear_is_refused_with_every_reason():
    net = Net(widths=(3, 1, 3), activation="tanh", bias=True)
    with pytest.raises(NetSpecError, match="activation: expected 'identity'.*bias: expected false"):
        enumerate_critical_points(net, X3, Y3)
    lin_net, pt = _pt([sp.ones(1, 3), sp.ones(3, 1)], X3, Y3)
    with pytest.raises(NetSpecError, match="activation: expected 'identity'"):
        linear_loss(net, pt)
    with pytest.raises(DataError, match="point: expected a point of Net\\(3-2-3, identity, square\\), got one of "
                                        "Net\\(3-1-3"):
        linear_loss(_net((3, 2, 3)), pt)
    with pytest.raises(DataError, match="Y: expected a 3x3 matrix, got 3x2"):
        enumerate_critical_points(lin_net, X3, Y3[:, :2])


@pytest.mark.parametrize("widths", [(2, 3, 2), (2, 2, 1, 2), (1, 2, 2, 1, 1)])
def test_closed_forms_agree_with_the_backprop_engine_at_identity_activation(widths):
    # the engine (Botev backprop, numeric/evaluate.py) shares no code with the Kronecker closed forms
    import random

    from lossgeom.numeric.evaluate import full_hessian, gradient, loss_value
    rng = random.Random(sum(widths))
    q = lambda: sp.Rational(rng.randint(-5, 5), rng.randint(1, 4))  # noqa: E731
    net = _net(widths)
    W = [sp.Matrix(widths[k], widths[k - 1], lambda i, j: q()) for k in range(1, len(widths))]
    X, Y = sp.Matrix(widths[0], 3, lambda i, j: q()), sp.Matrix(widths[-1], 3, lambda i, j: q())
    pt = resolve_point(net, W, X=X, Y=Y)
    assert linear_loss(net, pt, "exact") != 0
    with mpmath.workdps(50):
        H_engine = mpmath.matrix(full_hessian(net, W, X=X, Y=Y, dps=40))
        g_engine = list(gradient(net, W, X=X, Y=Y, dps=40))
        L_engine = mpmath.mpf(loss_value(net, W, X=X, Y=Y, dps=40))
        H = linear_hessian(net, pt, "exact")
        tol = tolerance(40, scale=100)
        assert abs(L_engine - _mp(linear_loss(net, pt, "exact"))) < tol
        assert max(abs(a - _mp(b)) for a, b in zip(g_engine, linear_gradient(net, pt, "exact"))) < tol
        assert max(abs(H_engine[i, j] - _mp(H[i, j])) for i in range(H.rows) for j in range(H.cols)) < tol
        assert H.rows == net.n_params and H != H.T * 0


def _mp(q):
    return mpmath.mpf(q.p) / q.q


def test_exact_eigenvectors_with_square_roots_are_classified_not_refused():
    # Sigma = [[2, 2, 0], [2, 2, 0], [0, 0, 9]] has rational eigenvalues but eigenvectors (1, +-1, 0)/sqrt(2):
    # the Hessian holds sqrt(2), so its inertia is numeric; float64 (numpy eigvalsh) is the independent check
    Y = sp.Matrix([[1, 1, 0], [1, 1, 0], [0, 0, 3]])
    cs = enumerate_critical_points(_net((3, 2, 2, 3)), X3, Y, dps=30)
    f64 = enumerate_critical_points(_net((3, 2, 2, 3)), X3, Y, dps="float64")
    assert [p.classification for p in cs.points] == [p.classification for p in f64.points]
    assert [(p.inertia.positive, p.inertia.negative) for p in cs.points] == \
        [(p.inertia.positive, p.inertia.negative) for p in f64.points]
    assert [p.subset for p in cs.points if p.classification == "global minimum"] == [(1, 2)]
    assert any(not v.is_Rational for p in cs.points for W in p.weights for v in W)


@pytest.mark.parametrize("dps", ["float64", 30])
def test_deep_linear_forms_on_every_backend_agree_with_exact_arithmetic(dps):
    # loss, gradient, Hessian, curve coefficients and the GL(k) critical point at float64 and 30 digits,
    # against the exact ones: each public type (ndarray / mpmath.matrix) and each entry to the tolerance
    W = [sp.Matrix([[sp.Rational(1, 3), -1], [2, sp.Rational(1, 7)]]), sp.Matrix([[1, sp.Rational(-3, 5)]])]
    X, Y = sp.Matrix([[1, sp.Rational(1, 3), 0], [2, -1, 1]]), sp.Matrix([[sp.Rational(1, 2), 1, -2]])
    D = [sp.Matrix([[1, 0], [sp.Rational(1, 3), -1]]), sp.Matrix([[2, 1]])]
    net, pt = _pt(W, X, Y)
    tol = tolerance(dps, scale=100)
    with mpmath.workdps(40):
        assert abs(mpmath.mpf(linear_loss(net, pt, dps)) - _mp(linear_loss(net, pt, "exact"))) < tol
        pairs = [(linear_gradient(net, pt, dps), linear_gradient(net, pt, "exact")),
                 (curve_polynomial(net, pt, D, dps), curve_polynomial(net, pt, D))]
        H, Hx = linear_hessian(net, pt, dps), linear_hessian(net, pt, "exact")
        assert isinstance(H, np.ndarray if dps == "float64" else mpmath.matrix)
        pairs.append(([H[i, j] for i in range(6) for j in range(6)], list(Hx)))
        e = sigma_eigen(_net((3, 2, 3)), X3, Y3)
        C = sp.Matrix([[2, 1], [1, 1]])
        Wc = subset_weights(_net((3, 2, 3)), e.eigenvectors, Y3, [0, 2], C=C, dps=dps)
        Wx = subset_weights(_net((3, 2, 3)), e.eigenvectors, Y3, [0, 2], C=C)
        pairs += [([w[i, j] for i in range(x.rows) for j in range(x.cols)], list(x)) for w, x in zip(Wc, Wx)]
        for got, want in pairs:
            assert len(got) == len(want) and max(abs(mpmath.mpf(g) - _mp(sp.Rational(w)))
                                                 for g, w in zip(got, want)) < tol
    assert max(abs(v) for v in Hx) > 1 and any(v != 0 for v in linear_gradient(net, pt, "exact"))


def test_an_unknown_inertia_method_lists_the_choices():
    import sympy as sp

    from lossgeom.errors import OptionError
    from lossgeom.numeric.critical import hessian_inertia
    with pytest.raises(OptionError, match="method: expected one of 'auto', 'eigen', 'ldl', got 'qr'"):
        hessian_inertia(sp.eye(2), method="qr")
