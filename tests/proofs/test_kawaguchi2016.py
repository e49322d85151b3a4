"""Kawaguchi (2016) claims: outcomes, the bad saddle per H, assumption failures reported (not raised)."""

import pytest
import sympy as sp

from lossgeom.models import random_linear_data
from lossgeom.net import Net
from lossgeom.numeric.linear import linear_gradient, linear_hessian
from lossgeom.point import Point, resolve_point
from lossgeom.proofs import get_claim, list_claims
from lossgeom.proofs.kawaguchi2016 import verify_bad_saddle, verify_theorem_instance
from lossgeom.symbolic.linear import deep_linear_loss, generic_linear_instance

FAST = ["vec-property-1", "vec-property-2", "vec-property-3-printed-order", "vec-property-5-column-form",
        "lemma1-critical-product", "lemma2-second-order", "theorem-i", "theorem-ii", "theorem-iii", "theorem-iv",
        "corollary-h1-negative-eigenvalue", "corollary-bad-saddles-exist", "bad-saddle-H2", "bad-saddle-H3",
        "bad-saddle-H4", "question-1-factorisation", "question-2-minimum-attained"]


ORDER = ["vec-property-1", "vec-property-2", "vec-property-3", "vec-property-4", "vec-property-5",
         "vec-property-3-printed-order", "vec-property-5-column-form", "lemma1-gradient", "hessian-blocks",
         "lemma1-critical-product", "lemma2-second-order", "theorem-i", "theorem-ii", "theorem-iii", "theorem-iv",
         "corollary-h1-negative-eigenvalue", "corollary-bad-saddles-exist", "bad-saddle-H2", "bad-saddle-H3",
         "bad-saddle-H4", "question-1-factorisation", "question-2-minimum-attained"]


def test_module_registers_its_claims_in_order():
    ids = [c.id for c in list_claims() if c.id.startswith("kawaguchi2016.")]
    assert ids == ["kawaguchi2016." + s for s in ORDER]


@pytest.mark.parametrize("slug", FAST)
def test_claim_outcome_matches_expectation(catalog_reports, slug):
    rep = catalog_reports["kawaguchi2016." + slug]
    assert rep.matches, (rep.outcome, rep.evidence)


@pytest.mark.slow
@pytest.mark.parametrize("slug", ["hessian-blocks", "vec-property-5"])
def test_slow_symbolic_claims_proved(slug):
    # the other symbolic claims run the same functions as tests/symbolic/test_vec.py and test_linear.py
    assert get_claim("kawaguchi2016." + slug).verify().outcome == "proved"


def test_bad_saddle_h2_refuted_with_an_exactly_negative_direction():
    rep = verify_bad_saddle(2, seed=1)
    assert rep.outcome == "refuted"
    ce = rep.counterexample
    assert sp.Rational(ce["v^T H v"]) < 0
    assert rep.evidence["gradient zero (exact)"] and not rep.evidence["Hessian zero (exact)"]
    assert rep.evidence["exact inertia"]["negative"] > 0
    assert "H >= 3" in rep.details[0]


@pytest.mark.parametrize("H", [3])
def test_bad_saddle_h3_hessian_vanishes_by_direct_differentiation(H):
    """Independent oracle: sympy.diff of the loss at W_1 = ... = W_H = 0."""
    rep = verify_bad_saddle(H, seed=2)
    assert rep.outcome == "verified" and rep.evidence["descent order"] == H  # exact, on one stated instance
    X, Y = random_linear_data(13, 3, 2, 4)
    widths = (3,) + (2,) * H + (2,)
    net = Net(widths=widths)
    gW = generic_linear_instance(net, 4).weights
    W_last = sp.Matrix([[1, -2], [3, 1]])
    L = deep_linear_loss(net, Point(net, gW, None, sp.ImmutableMatrix(X), sp.ImmutableMatrix(Y)))
    subs = {s: 0 for G in gW[:-1] for s in G}
    subs.update(dict(zip(list(gW[-1]), list(W_last))))
    params = [s for G in gW for s in G.T]
    first = [sp.diff(L, v) for v in params[:12]]
    assert all(sp.expand(g).subs(subs) == 0 for g in first)
    some = [sp.diff(first[a], params[b]).subs(subs) for a in range(0, 12, 3) for b in range(len(params))]
    assert all(v == 0 for v in some)


def test_bad_saddle_h2_cross_block_by_direct_differentiation():
    X, Y = random_linear_data(13, 3, 2, 4)
    W3 = sp.Matrix([[1, -2], [3, 1]])
    W = [sp.zeros(2, 3), sp.zeros(2, 2), W3]
    net = Net(widths=(3, 2, 2, 2))
    H = linear_hessian(net, resolve_point(net, W, X=X, Y=Y), "exact")
    gW = generic_linear_instance(net, 4).weights
    L = deep_linear_loss(net, Point(net, gW, None, sp.ImmutableMatrix(X), sp.ImmutableMatrix(Y)))
    p1, p2 = list(gW[0].T), list(gW[1].T)
    subs = {s: 0 for G in gW[:2] for s in G}
    subs.update(dict(zip(list(gW[2]), list(W3))))
    direct = sp.Matrix(6, 4, lambda a, b: sp.diff(L, p1[a], p2[b]).subs(subs))
    assert H[:6, 6:10] == direct and direct != sp.zeros(6, 4)
    assert all(v == 0 for v in linear_gradient(net, resolve_point(net, W, X=X, Y=Y), "exact"))


def test_assumption_failures_are_reported_not_raised():
    bad = [(sp.Matrix([[1, 1], [1, 1]]), sp.Matrix([[1, 0], [0, 1]]), (2, 1, 2), "X X^T is singular"),
           (sp.eye(2), sp.Matrix([[1, 1], [1, 1]]), (2, 1, 2), "X Y^T is not of full rank"),
           (sp.Matrix([[1, 0, 1]]), sp.Matrix([[1, 0, 0], [0, 1, 0]]), (1, 1, 2), "d_y > d_x")]
    for X, Y, widths, msg in bad:
        out = verify_theorem_instance(X, Y, widths)
        for part in ("i", "ii", "iii", "iv"):
            assert out.part(part).outcome == "inconclusive"
            assert any(msg in f for f in out.part(part).facts["assumption failures"])


def test_repeated_eigenvalues_flagged_as_unconfirmed_clause():
    out = verify_theorem_instance(sp.eye(2), sp.eye(2) * 2, (2, 1, 2), dps=30, gd_starts=2)
    assert out.assumptions.holds and out.assumptions.distinct_eigenvalues is False
    assert any("UNCONFIRMED" in d for d in out.ii.details)


def test_theorem_instances_reach_both_cases_of_the_notes_proof():
    """The notes' Theorem 1 splits into d_y <= p and d_y > p, and does not assume distinct eigenvalues."""
    from lossgeom.proofs.kawaguchi2016 import THEOREM_INSTANCES
    from lossgeom.symbolic.linear import check_assumptions
    cases = set()
    for _, data, widths in THEOREM_INSTANCES:
        X, Y = data()
        a = check_assumptions(Net(widths=widths), X, Y)
        assert a.holds
        cases.add((Y.rows <= min(widths[1:-1]), a.distinct_eigenvalues))
    assert {(True, True), (False, True), (False, False)} <= cases


def test_theorem_claim_refuted_when_an_instance_has_a_bad_local_minimum(monkeypatch):
    from lossgeom.proofs import kawaguchi2016 as mod
    real = mod.enumerate_critical_points

    def fake(*args, **kwargs):
        cs = real(*args, **kwargs)
        import dataclasses
        p = cs.points[-1]
        bad = dataclasses.replace(p, classification="local minimum")
        return dataclasses.replace(cs, points=tuple(cs.points[:-1]) + (bad,))
    monkeypatch.setattr(mod, "enumerate_critical_points", fake)
    rep = get_claim("kawaguchi2016.theorem-ii").verify(dps=30)
    assert rep.outcome == "refuted" and rep.counterexample["local minima above L*"]
