"""The Botev recursion against independent references: SymPy's direct differentiation, mpmath finite
differences of a forward pass written here, and the worked micro-example of docs/MATH.md section 1."""

import random

import mpmath
import pytest
import sympy as sp

from lossgeom import Net, activation_names, loss_names
from lossgeom.errors import NonDifferentiableError, OptionError, SizeLimitError
from lossgeom.symbolic import (
    decide_zero,
    derive_gauss_newton,
    derive_gradient,
    derive_hessian,
    direct_hessian,
    direct_layer_block,
    forward_trace,
    latex,
    parameter_symbols,
    verify_recursion,
)
from lossgeom.symbolic import hessian as hs
from lossgeom.symbolic import verify as vf

# Rational and algebraic activations (softsign, bent identity) make the direct decision slow
# (nested radicals and rational functions): they are decided directly on depth 2 and by
# specialisation of the generic-f identity on depth 3.
HEAVY = {"softsign", "bent_identity"}


def _grid():
    for act in activation_names():
        for loss in loss_names():
            for bias in (False, True):
                out = 2 if loss == "cross_entropy" else 1
                shapes = [(1, 1, out), (1, 1, 1, out)] if act in HEAVY else [(1, 2, out), (1, 1, 1, out)]
                if loss == "square" and act not in HEAVY and not bias:
                    shapes.append((2, 3, 1))
                for widths in shapes:
                    method = "specialise" if act in HEAVY and len(widths) == 4 else "direct"
                    yield pytest.param(act, loss, bias, widths, method, id="%s-%s-%s-%s-%s" % (
                        act, loss, "bias" if bias else "nobias", "x".join(map(str, widths)), method))


@pytest.mark.slow
@pytest.mark.parametrize("act, loss, bias, widths, method", list(_grid()))
def test_recursion_equals_direct_blocks_on_the_whole_registry(act, loss, bias, widths, method):
    net = Net(widths=widths, activation=act, loss=loss, bias=bias)
    report = verify_recursion(net, method=method)
    assert report.outcome == "proved", report
    assert report.evidence["entries"] == sum(net.layer_size(l) * (net.layer_size(l) + 1) // 2
                                             for l in range(1, net.depth + 1)) * report.evidence["cells"]


@pytest.mark.parametrize("widths", [(2, 2, 1), (1, 2, 2, 1), (2, 2, 2, 2)])
def test_generic_f_identity_at_depth_2_and_3(widths):
    report = verify_recursion(Net(widths=widths, activation="f", bias=True))
    assert report.outcome == "proved"
    assert report.method == "expansion to zero"


@pytest.mark.parametrize("widths, act, loss", [((3, 3, 3, 1), "f", "square"), ((1, 3, 3, 1), "tanh", "square"),
                                               ((1, 3, 1, 2), "tanh", "cross_entropy")])
def test_width_three_depth_three(widths, act, loss):
    assert verify_recursion(Net(widths=widths, activation=act, loss=loss)).outcome == "proved"


def test_weight_decay_and_output_activation():
    net = Net(widths=(2, 2, 1), activation="tanh", output_activation="sigmoid", bias=True, weight_decay="1/10")
    assert verify_recursion(net).outcome == "proved"
    assert verify_recursion(net, gauss_newton=True).outcome == "proved"


def test_a_wrong_recursion_is_refuted(monkeypatch):
    # Dropping D_l (the Gauss-Newton recursion) is not the Hessian of a tanh net: the check must say so.
    monkeypatch.setattr(vf, "derive_hessian", hs.derive_gauss_newton)
    report = verify_recursion(Net(widths=(1, 2, 1), activation="tanh"))
    assert report.outcome == "refuted"
    assert report.counterexample["value"] != "0"


def test_gauss_newton_differs_from_hessian_for_tanh_but_not_relu():
    tanh = Net(widths=(1, 1, 1), activation="tanh")
    diff = derive_hessian(tanh).layer_block(1, expand=True) - derive_gauss_newton(tanh).layer_block(1, expand=True)
    assert decide_zero(diff[0, 0]).verdict is False
    relu = Net(widths=(1, 1, 1), activation="relu")
    for cell in ({(1, 1): 0}, {(1, 1): 1}):
        diff = (derive_hessian(relu, cell).layer_block(1, expand=True)
                - derive_gauss_newton(relu, cell).layer_block(1, expand=True))
        assert decide_zero(diff[0, 0]).verdict is True


def test_micro_example_of_math_md():
    # One hidden tanh unit, x=1, w1=1/2, w2=2, y=0: H_1 = 1.1304, d2E/dw1^2 = 1.1304, d2E/dw2^2 = 0.21355.
    net = Net(widths=(1, 1, 1), activation="tanh")
    rec = derive_hessian(net)
    weights, x, y = [[["1/2"]], [[2]]], [1], [0]
    H1 = rec.evaluate(rec.H(1), weights, x=x, y=y)[0, 0]
    assert abs(sp.N(H1, 30) - sp.Rational(11304, 10000)) < sp.Rational(1, 10000)
    assert abs(sp.N(rec.evaluate(rec.layer_block(1), weights, x=x, y=y)[0, 0], 30) - sp.Float("1.1304")) < 1e-4
    assert abs(sp.N(rec.evaluate(rec.layer_block(2), weights, x=x, y=y)[0, 0], 30) - sp.Float("0.21355")) < 1e-5
    # and the exact value agrees with the direct Hessian to 40 digits
    point = {s: v for s, v in zip(parameter_symbols(net), [sp.Rational(1, 2), 2])}
    point.update({sp.Symbol("x[1]", real=True): 1, sp.Symbol("y[1]", real=True): 0})
    direct = direct_hessian(net).xreplace(point)
    assert abs(sp.N(direct[0, 0] - H1, 50)) < sp.Float(10) ** -45


def _mp_loss(net, theta, x, y):
    """The loss written out independently: mpmath forward pass (tanh hidden, identity output)."""
    k, a = 0, [mpmath.mpf(v) for v in x]
    for l in range(1, net.depth + 1):
        rows, cols = net.layer_shape(l)
        W = [[None] * cols for _ in range(rows)]
        for j in range(cols):
            for i in range(rows):
                W[i][j] = theta[k]
                k += 1
        b = theta[k:k + rows] if net.bias else [0] * rows
        k += rows if net.bias else 0
        h = [mpmath.fsum(W[i][j] * a[j] for j in range(cols)) + b[i] for i in range(rows)]
        a = [mpmath.tanh(v) for v in h] if l < net.depth else h
    if net.loss.name == "square":
        return mpmath.fsum((ai - yi) ** 2 for ai, yi in zip(a, y)) / 2
    return mpmath.log(mpmath.fsum(mpmath.exp(v) for v in a)) * mpmath.fsum(y) - mpmath.fsum(
        yi * ai for yi, ai in zip(y, a))


def _sampled_entries(n, seed):
    """Upper-triangle entries of an n x n block: the diagonal, the first row (a weight against every other
    parameter, biases included) and a seeded sample of the rest; evaluating exact entries is the slow part."""
    rest = [(r, c) for r in range(1, n) for c in range(r + 1, n)]
    return sorted({(r, r) for r in range(n)} | {(0, c) for c in range(n)}
                  | set(random.Random(seed).sample(rest, min(6, len(rest)))))


@pytest.mark.parametrize("loss", ["square", "cross_entropy"])
def test_layer_blocks_against_mpmath_finite_differences(loss):
    net = Net(widths=(2, 3, 2), activation="tanh", loss=loss, bias=True)
    rec = derive_hessian(net)
    W = [[["1/2", "-1/3"], ["1/5", "2/7"], ["-3/4", "1/6"]], [["1/3", "-1/2", "2/5"], ["3/7", "1/4", "-1/8"]]]
    b = [["1/10", "-1/5", "1/7"], ["-1/9", "1/3"]]
    x, y = ["3/5", "-2/3"], ["1/4", "3/4"]
    theta = []
    for Wl, bl in zip(W, b):
        rows = [[sp.Rational(v) for v in r] for r in Wl]
        theta += [rows[i][j] for j in range(len(rows[0])) for i in range(len(rows))] + [sp.Rational(v) for v in bl]
    with mpmath.workdps(110):
        t0 = [mpmath.mpf(v.p) / v.q for v in theta]
        xs, ys = [mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in x], \
            [mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in y]
        step = mpmath.mpf(10) ** -22
        for l in range(1, net.depth + 1):
            block = rec.evaluate(rec.layer_block(l), W, b, x, y)
            assert block == block.T
            sl = net.layer_slice(l)
            for r, c in _sampled_entries(block.rows, seed=l):
                i, j = sl.start + r, sl.start + c

                def E(di, dj):
                    t = list(t0)
                    t[i] += di * step
                    t[j] += dj * step
                    return _mp_loss(net, t, xs, ys)
                fd = (E(1, 1) - E(1, -1) - E(-1, 1) + E(-1, -1)) / (4 * step ** 2)
                exact = mpmath.mpf(sp.N(block[r, c], 60))
                assert abs(fd - exact) < mpmath.mpf(10) ** -40, (l, r, c)


def test_kronecker_layout_with_bias():
    net = Net(widths=(2, 2, 1), activation="tanh", bias=True)
    rec = derive_hessian(net)
    block, H, a = rec.layer_block(1), rec.H(1), rec.backward.a(0)
    assert block[4:, 4:] == H                                    # bias-bias block is H_1
    assert block[:4, 4:] == sp.kronecker_product(a, H)           # weight-bias block is a kron H_1
    assert block[:4, :4] == sp.kronecker_product(a * a.T, H)     # columns of W stacked: outer index = input unit
    assert net.layer_parameter_names(1) == ("W1[1,1]", "W1[2,1]", "W1[1,2]", "W1[2,2]", "b1[1]", "b1[2]")


def test_gradient_equals_direct_differentiation():
    net = Net(widths=(2, 2, 2), activation="sigmoid", loss="cross_entropy", bias=True, weight_decay="1/3")
    bp = derive_gradient(net)
    E = forward_trace(net).loss()
    params = parameter_symbols(net)
    ours = [g for l in range(1, net.depth + 1) for g in bp.expand(bp.gradient(l))]
    for p, g in zip(params, ours):
        assert decide_zero(sp.diff(E, p) - g).verdict is True, p


def test_named_form_is_small_and_expansion_is_refused_for_large_nets():
    net = Net(widths=(10, 30, 30, 1), activation="tanh", bias=True)
    assert net.n_params > 1000
    rec = derive_hessian(net)
    block = rec.layer_block(1)
    assert block.shape == (330, 330)
    assert block[0, 0] == sp.Symbol("x[1]", real=True) ** 2 * sp.Symbol("H1[1,1]", real=True)
    with pytest.raises(SizeLimitError, match="1291 parameters"):
        rec.layer_block(1, expand=True)
    assert "_expansions" not in vars(rec) and "_expansions" not in vars(rec.backward)  # refused before building


def test_evaluate_reports_every_kink():
    net = Net(widths=(2, 2, 1), activation="relu")
    rec = derive_hessian(net)
    with pytest.raises(NonDifferentiableError) as err:
        rec.evaluate(rec.layer_block(1), [[[1, -1], [2, -2]], [[1, 1]]], x=[1, 1], y=[0])
    assert err.value.kinks == ["h1[1]", "h1[2]"]
    # in a fixed cell the kink is no obstacle: the cell's smooth piece is used
    cell = derive_hessian(net, {(1, 1): 1, (1, 2): 1})
    assert cell.evaluate(cell.layer_block(2), [[[1, -1], [2, -2]], [[1, 1]]], x=[1, 1], y=[0]) == sp.zeros(2, 2)


def test_softsign_hessian_exists_only_away_from_zero():
    net = Net(widths=(1, 1, 1), activation="softsign")
    bp = derive_gradient(net)
    assert bp.evaluate(bp.gradient(1), [[[0]], [[1]]], x=[1], y=[0]) == sp.Matrix([[0]])  # f' is continuous
    rec = derive_hessian(net)
    with pytest.raises(NonDifferentiableError, match="order 2"):
        rec.evaluate(rec.layer_block(1), [[[0]], [[1]]], x=[1], y=[0])


def test_direct_layer_block_matches_full_direct_hessian():
    net = Net(widths=(1, 2, 1), activation="tanh", bias=True)
    full = direct_hessian(net)
    for l in (1, 2):
        sl = net.layer_slice(l)
        assert sp.expand(full[sl, sl] - direct_layer_block(net, l)) == sp.zeros(net.layer_size(l))


def test_latex_golden():
    rec = derive_hessian(Net(widths=(1, 1, 1), activation="f"))
    eq = [e for e in rec.equations if e.lhs.name == "H1[1,1]"][0]
    assert latex(eq) == (r"\mathcal{H}^{(1)}_{1,1} = \mathcal{H}^{(2)}_{1,1} \left(W^{(2)}_{1,1}\right)^{2} "
                         r"f'\left(h^{(1)}_{1}\right)^{2} + W^{(2)}_{1,1} \delta^{(2)}_{1} f''\left(h^{(1)}_{1}\right)")
    assert rec._repr_latex_().startswith(r"$\displaystyle \begin{aligned}")


def test_derivations_are_cached_and_immutable():
    net = Net(widths=(2, 2, 1), activation="tanh")
    assert derive_hessian(net) is derive_hessian(Net(widths=(2, 2, 1), activation="tanh"))
    with pytest.raises(AttributeError):
        derive_hessian(net).gauss_newton = True


# -- guards: each of these would pass silently if the guarded bug came back -----------------------------
def test_specialise_catches_a_wrong_registered_derivative(monkeypatch):
    from lossgeom import activations
    real = activations._derivative_expr

    def wrong(act, order):
        value = real(act, order)
        return 2 * value if act.name == "tanh" and order == 2 else value
    hs._derive.cache_clear()
    monkeypatch.setattr(activations, "_derivative_expr", wrong)
    try:
        report = verify_recursion(Net(widths=(1, 1, 1), activation="tanh"), method="specialise")
    finally:
        hs._derive.cache_clear()
    assert report.outcome == "refuted"


def test_specialise_refuses_a_non_identity_output_activation():
    from lossgeom.errors import NetSpecError
    with pytest.raises(NetSpecError, match="identity output activation"):
        verify_recursion(Net(widths=(1, 1, 1), activation="tanh", output_activation="f"), method="specialise")


def test_gauss_newton_reference_does_not_share_the_output_hessian(monkeypatch):
    from lossgeom.losses import SquareLoss as Loss  # the loss of the net below
    real = Loss.hessian
    hs._derive.cache_clear()
    monkeypatch.setattr(Loss, "hessian", lambda self, z, y: -real(self, z, y))
    try:
        report = verify_recursion(Net(widths=(1, 1, 1), activation="tanh"), gauss_newton=True)
    finally:
        hs._derive.cache_clear()
    assert report.outcome == "refuted"


def test_decide_zero_does_not_prove_branch_identities_and_survives_poles():
    u, v = sp.symbols("u v")
    assert decide_zero(sp.sqrt(u) * sp.sqrt(v) - sp.sqrt(u * v)).verdict is not True
    decision = decide_zero((sp.sin(u) ** 2 + sp.cos(u) ** 2 - 1) / u, seed=7)
    assert decision.verdict is None and "numerically zero" in decision.method


def test_evaluating_a_cell_outside_it_is_refused():
    from lossgeom.errors import DataError
    rec = derive_hessian(Net(widths=(1, 1, 1), activation="relu"), {(1, 1): 1})
    with pytest.raises(DataError, match="h1\\[1\\] = -5 is not in piece 1"):
        rec.evaluate(rec.layer_block(1), [[[-5]], [[2]]], x=[1], y=[0])


def test_kink_message_names_the_units_activation():
    net = Net(widths=(1, 1, 1), activation="tanh", output_activation="relu")
    rec = derive_hessian(net)
    with pytest.raises(NonDifferentiableError, match=r"\(relu\)") as err:
        rec.evaluate(rec.layer_block(2), [[[1]], [[0]]], x=[1], y=[0])
    assert err.value.kinks == ["h2[1]"]


def test_gauss_newton_evaluates_where_only_the_second_derivative_is_missing():
    net = Net(widths=(1, 1, 1), activation="softsign")
    gn = derive_gauss_newton(net)
    assert gn.evaluate(gn.layer_block(1), [[[0]], [[3]]], x=[2], y=[0]) == sp.Matrix([[36]])


def test_verify_recursion_lists_its_methods_for_an_unknown_one():
    with pytest.raises(OptionError, match="method: expected one of 'direct', 'specialise', got 'magic'") as err:
        verify_recursion(Net(widths=(1, 1, 1), activation="tanh"), method="magic")
    assert isinstance(err.value, ValueError)


def test_zero_decision_is_a_frozen_record():
    u = sp.Symbol("u")
    decision = decide_zero(u ** 2 - u * u)
    assert (decision.verdict, decision.method, decision.detail) == (True, "expansion to zero", None)
    with pytest.raises(AttributeError):
        decision.verdict = False
    refuted = decide_zero(u + 1, seed=3)
    assert refuted.verdict is False and sp.Rational(refuted.detail["point"]["u"]) + 1 != 0


def test_the_sympy_fast_paths_and_their_fallbacks_build_equal_blocks(monkeypatch):
    net = Net(widths=(2, 2, 1), activation="tanh", bias=True, weight_decay="1/7")
    hs._derive.cache_clear()
    fast = [derive_hessian(net).layer_block(l) for l in (1, 2)]
    monkeypatch.setattr(hs, "_FAST_MUL", False)
    monkeypatch.setattr(hs, "_FAST_MATRIX", False)
    hs._derive.cache_clear()
    try:
        slow = [derive_hessian(net).layer_block(l) for l in (1, 2)]
    finally:
        hs._derive.cache_clear()
    for a, b in zip(fast, slow):
        assert a == b and type(a) is type(b)
        assert all(p.args == q.args and hash(p) == hash(q) for p, q in zip(a, b))
