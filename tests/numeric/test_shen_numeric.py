"""Shen's system at dps digits and in balls: against lossgeom's engine, exact ranks, certification, bounds."""

import random

import mpmath
import pytest
import sympy as sp
from flint import arb, fmpq

from lossgeom import Net, get_activation, models
from lossgeom.numeric import shen as N
from lossgeom.numeric.evaluate import loss_value
from lossgeom.symbolic import shen as S

XOR = models.xor_data()


@pytest.mark.parametrize("widths, act", [((6, 10, 10, 4), "tanh"), ((5, 12, 8, 3), "sigmoid"),
                                         ((4, 9, 9, 2), "bent_identity"), ((3, 5, 4, 2), "softsign")])
def test_gradient_matches_lossgeoms_engine_at_50_digits(widths, act):
    net = Net(widths=widths, activation=act, bias=True)
    pt = models.random_point(net, 3, samples=4, bound=1)
    assert N.shen_gradient_residual(net, pt.weights, pt.biases, pt.X, pt.Y, dps=50) < 1e-44


def test_a_wrong_order_gives_a_large_residual(monkeypatch):
    net = Net(widths=(3, 4, 4, 2), activation="tanh", bias=True)
    pt = models.random_point(net, 1, samples=3)
    good = S.shen_permutation(net)
    monkeypatch.setattr(N, "shen_permutation", lambda n: good[1:] + good[:1])
    assert N.shen_gradient_residual(net, pt.weights, pt.biases, pt.X, pt.Y, dps=30) > 1e-3


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "softplus", "bent_identity"])
def test_ball_activations_contain_the_registrys_values(name):
    from flint import ctx
    f, act = N.ball_activation(name), get_activation(name)
    with mpmath.workdps(40), ctx.workdps(40):
        for z in ("-3.25", "-0.5", "0", "0.75", "4"):
            for k in (0, 1):
                ball = f(arb(z), k)
                ref = act.evaluate(mpmath.mpf(z), k)
                assert abs(mpmath.mpf(ball.mid().str(40, radius=False)) - ref) < 1e-33, (name, z, k)
                assert ball.rad() < 1e-30


def test_rational_rank_agrees_with_sympy():
    rng = random.Random(0)
    for _ in range(20):
        r, c = rng.randint(1, 6), rng.randint(1, 6)
        A = sp.Matrix(r, c, lambda i, j: sp.Rational(rng.randint(-2, 2), rng.randint(1, 3)))
        assert N.rational_rank(A.tolist()) == A.rank()


def test_ball_rank_certifies_only_what_the_balls_decide():
    assert N.ball_rank([[arb(1), arb(2)], [arb(3), arb(4)]], dps=30) == (2, "certified", None)
    tiny = arb(1) + arb(10) ** -100                    # det = 1e-100: not separable at 50 digits
    rank, basis, tol = N.ball_rank([[arb(1), arb(1)], [arb(1), tiny]], dps=50)
    assert (rank, basis) == (1, "tolerance") and tol is not None
    wide = arb(1, 1)                                   # a ball [0, 2] that contains a singular completion
    assert N.ball_rank([[arb(1), arb(1)], [arb(1), wide]], dps=30)[1] == "tolerance"


def test_exact_fits_and_the_verdicts():
    for h in (2, 3):
        pt = models.xor_softsign_fit(h)
        assert loss_value(pt.net, pt.weights, pt.biases, pt.X, pt.Y, dps="exact") == 0   # independent engine
        r = N.shen_rank(pt.net, pt.weights, pt.biases, pt.X, pt.Y)
        assert (r.rank, r.basis, r.critical, r.exact_fit) == (4, "exact", True, True)
        assert r.verdict.startswith("global minimum")
        d = models.xor_rank_drop(h)
        r = N.shen_rank(d.net, d.weights, d.biases, d.X, d.Y)
        assert (r.rank, r.critical, r.exact_fit, r.n_net) == (1, True, False, {2: 9, 3: 13}[h])
        assert "does not apply" in r.verdict


def test_verdict_strings():
    assert N.shen_verdict(False, False, 4, 4).startswith("not a critical point")
    assert N.shen_verdict(True, False, 4, 4).startswith("CONTRADICTION")
    assert "sufficient, not necessary" in N.shen_verdict(True, True, 3, 4)
    assert N.shen_verdict(True, True, 4, 4, certain=False).endswith("at tolerance only (not certified)")
    assert N.shen_verdict(True, False, 4, 4, certain=False).startswith("undecided")


@pytest.mark.parametrize("act", ["softsign", "tanh", "sigmoid"])
def test_exact_learner_fits_T_distinct_samples(act):
    rng = random.Random(5)
    X = sp.Matrix(3, 5, lambda i, j: sp.Rational(rng.randint(-9, 9), 4))
    Y = sp.Matrix(1, 5, lambda i, j: rng.randint(-3, 3))
    W, b, basis = N.exact_learner(X, Y, act, dps=40)
    net = Net(widths=(3, 4, 1), activation=act, bias=True)
    if act == "softsign":
        assert basis == "exact" and loss_value(net, W, b, X, Y, dps="exact") == 0
    else:
        assert basis == "certified" and loss_value(net, W, b, X, Y, dps=40) < 1e-60
    r = N.shen_rank(net, W, b, X, Y, dps=40)
    assert r.rank == 5 and r.basis in ("exact", "certified")


def test_exact_learner_needs_distinct_samples():
    from lossgeom.errors import DataError
    with pytest.raises(DataError, match="distinct"):
        N.exact_learner(sp.Matrix([[1, 1]]), sp.Matrix([[0, 1]]))


def test_khatri_rao_bound_and_a_false_bound_caught():
    from lossgeom.proofs.shen2016 import _kr_bound
    A, B = sp.Matrix([[1, 2, 0], [0, 1, 1]]), sp.Matrix([[1, 1, 1]])
    assert N.khatri_rao_counterexample(A, B, _kr_bound) is None
    # the bound without the nonzero-column hypothesis is false: A = I_2, B = [1, 0]
    assert N.khatri_rao_counterexample(sp.eye(2), sp.Matrix([[1, 0]]), lambda ra, rb, A, B: max(ra, rb)) == {
        "rank A": 2, "rank B": 1, "rank A kr B": 1, "claimed >=": 2}
    # with the zero column the checked form only claims what holds
    assert _kr_bound(2, 1, sp.eye(2), sp.Matrix([[1, 0]])) == 1


def test_sylvester_and_a_false_bound_caught():
    A, B = sp.diag(1, 1, 0), sp.diag(0, 0, 1)
    assert N.sylvester_counterexample(A, B) is None
    assert N.sylvester_counterexample(A, B, slack=1) == {"rank A": 2, "rank B": 1, "n": 3, "rank AB": 0,
                                                         "claimed >=": 1}


def test_a_kink_is_never_differentiated_one_sidedly():
    from lossgeom.errors import NonDifferentiableError
    net = Net(widths=(1, 1, 1), activation="leaky_relu", bias=True)
    with pytest.raises(NonDifferentiableError, match="kink"):
        N.shen_rank(net, [[[1]], [[1]]], [[0], [0]], [[0]], [[1]])
    # softsign's f' is continuous at 0: P exists there (only f'' jumps)
    assert N.shen_rank(Net(widths=(1, 1, 1), activation="softsign", bias=True), [[[1]], [[1]]], [[0], [0]],
                       [[0]], [[1]]).rank == 1


def test_leaky_relu_entries_stay_rational():
    net = Net(widths=(1, 1, 1), activation={"name": "leaky_relu", "slope": "1/10"}, bias=True)
    s = S.shen_system_exact(net, [[[1]], [[3]]], [[-2], [0]], [[0]], [[1]])
    assert s.P == [[sp.Rational(3, 10) * 0], [sp.Rational(3, 10)], [sp.Rational(-1, 5)], [1]]


@pytest.mark.parametrize("act", ["softsign", "leaky_relu", "identity"])
def test_fmpq_system_equals_the_sympy_system_entry_by_entry(act):
    rng = random.Random(7)
    net = Net(widths=(3, 4, 3, 2), activation=act, bias=True)
    for _ in range(2):
        pt = models.random_point(net, rng, samples=5)
        a = S.shen_system_exact(net, pt.weights, pt.biases, pt.X, pt.Y)
        b = N.shen_system_fmpq(net, pt.weights, pt.biases, pt.X, pt.Y)
        to_sp = lambda v: sp.Rational(int(fmpq(v).p), int(fmpq(v).q))  # noqa: E731
        assert [[to_sp(v) for v in r] for r in b.P] == [list(r) for r in a.P]
        assert [to_sp(v) for v in b.eps] == list(a.eps)
        assert N.shen_rank(net, pt.weights, pt.biases, pt.X, pt.Y).rank == sp.Matrix(a.P).rank()


def test_fmpq_system_refuses_a_transcendental_activation():
    with pytest.raises(Exception) as err:
        N.shen_system_fmpq(Net(widths=(1, 1, 1), activation="tanh"), [[[1]], [[1]]], X=[[1]], Y=[[0]])
    assert "rational activation" in str(err.value)


def test_certified_rank_bounds_are_proved_only():
    assert N.certified_rank([[arb(1), arb(2)], [arb(3), arb(4)], [arb(5), arb(6, 1e-20)]], dps=30) == (2, 2, "certified")
    # exact balls: the exact rank (1), upper bound included
    assert N.certified_rank([[arb(1), arb(2)], [arb(2), arb(4)]], dps=30) == (1, 1, "exact")
    # a ball that contains singular and nonsingular completions: lower bound 1 certified, upper undecided
    assert N.certified_rank([[arb(1), arb(1)], [arb(1), arb(1, 1)]], dps=30) == (1, None, "certified lower bound")
    # tanh entries (transcendental) at a rank-deficient point of XOR 2-2-1: output weights 0 -> rank P <= 3
    net = Net(widths=(2, 2, 1), activation="tanh", bias=True)
    r = N.shen_rank(net, [[[1, 2], [-1, 1]], [[0, 0]]], [[0, 1], ["1/2"]], XOR[0], XOR[1], dps=30)
    assert r.rank_lower == 3 and r.rank_upper is None and r.rank == 3
    full = N.shen_rank(net, [[[1, 2], [-1, 1]], [[1, -1]]], [[0, 1], ["1/2"]], XOR[0], XOR[1], dps=30)
    assert (full.rank_lower, full.rank_upper, full.basis) == (4, 4, "certified")
    assert full.critical_basis.startswith("tolerance; the exact point is certified not critical")
