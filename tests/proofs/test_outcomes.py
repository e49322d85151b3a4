"""Every claim's expected outcome, pinned: a regression from proved to verified (or any other change) fails.

The outcome rule (``lossgeom.proofs.evidence.decide_outcome``) is applied to hand-made Evidence below,
independently of any check.
"""

import pytest

from lossgeom.errors import ClaimDefinitionError
from lossgeom.proofs import get_claim, list_claims
from lossgeom.proofs.evidence import Evidence, combine, decide_outcome, exact_check, from_report
from lossgeom.report import Report
from lossgeom.symbolic.latex import latex

#: claim id -> outcome at dps=30, seed=0
PINNED = {
    "botev2017.hessian-recursion": "proved",
    "botev2017.gauss-newton": "proved",
    "botev2017.kronecker-block": "proved",
    "botev2017.piecewise-linear": "proved",
    "botev2017.no-smooth-local-maxima": "proved",
    "botev2017.pl-hessians-psd": "proved",
    "botev2017.nonzero-slope-positive-definite": "refuted",
    "botev2017.positive-definite-corrected": "proved",
    "botev2017.no-differentiable-local-maxima-literal": "refuted",
    "botev2017.within-layer-convex": "proved",
    "botev2017.layer-convex-across-kinks": "refuted",
    "botev2017.nonsmooth-strict-maximum": "proved",
    "botev2017.objective-not-piecewise-linear": "proved",
    "botev2017.cross-layer-smooth-saddle": "proved",
    "botev2017.dead-units-rank": "verified",
    "kawaguchi2016.vec-property-1": "proved",
    "kawaguchi2016.vec-property-2": "proved",
    "kawaguchi2016.vec-property-3": "proved",
    "kawaguchi2016.vec-property-4": "proved",
    "kawaguchi2016.vec-property-5": "proved",
    "kawaguchi2016.vec-property-3-printed-order": "refuted",
    "kawaguchi2016.vec-property-5-column-form": "refuted",
    "kawaguchi2016.lemma1-gradient": "proved",
    "kawaguchi2016.hessian-blocks": "proved",
    "kawaguchi2016.lemma1-critical-product": "verified",
    "kawaguchi2016.lemma2-second-order": "verified",
    "kawaguchi2016.theorem-i": "verified",
    "kawaguchi2016.theorem-ii": "verified",
    "kawaguchi2016.theorem-iii": "verified",
    "kawaguchi2016.theorem-iv": "verified",
    "kawaguchi2016.corollary-h1-negative-eigenvalue": "verified",
    "kawaguchi2016.corollary-bad-saddles-exist": "proved",
    "kawaguchi2016.bad-saddle-H2": "refuted",
    "kawaguchi2016.bad-saddle-H3": "verified",
    "kawaguchi2016.bad-saddle-H4": "verified",
    "kawaguchi2016.question-1-factorisation": "verified",
    "kawaguchi2016.question-2-minimum-attained": "verified",
    "baldi_hornik1989.critical-form": "verified",
    "baldi_hornik1989.worked-critical-values": "proved",
    "baldi_hornik1989.critical-value-count": "refuted",
    "baldi_hornik1989.classification": "verified",
    "baldi_hornik1989.worked-hessian-spectrum": "verified",
    "baldi_hornik1989.negative-eigenvalue-count": "verified",
    "choromanska2015.path-sum": "verified",
    "choromanska2015.path-count": "proved",
    "choromanska2015.bernoulli-expectation": "proved",
    "choromanska2015.spin-glass-form": "proved",
    "shen2016.dummy-units": "proved",
    "shen2016.linear-system": "proved",
    "shen2016.linear-system-numeric": "verified",
    "shen2016.main-theorem": "verified",
    "shen2016.counting-condition": "proved",
    "shen2016.khatri-rao-bound": "verified",
    "shen2016.khatri-rao-without-hypothesis": "refuted",
    "shen2016.sylvester": "verified",
    "shen2016.exact-learning": "verified",
    "shen2016.hessian-residual": "proved",
    "shen2016.xor-hessian-rank": "proved",
    "shen2016.xor-rank-drop": "proved",
    "shen2016.xor-rank-lower-bound": "refuted",
    "shen2016.ggn-exact": "proved",
    "shen2016.an-quadratic": "verified",
    "shen2016.xor-training": "inconclusive",
    "shen2016.xor-plateaus": "verified",
    "yun2019.data-conditions": "proved",
    "yun2019.worked-example": "proved",
    "yun2019.spurious-minimum": "verified",
    "yun2019.infinitely-many": "proved",
    "hwt2020.spurious-minima-deep": "verified",
    "hwt2020.spurious-family": "proved",
    "hwt2020.cell-multilinear": "proved",
    "hwt2020.cell-convex-reparametrisation": "proved",
    "hwt2020.cell-minimum-global": "proved",
    "hwt2020.constant-risk-path": "proved",
    "hwt2020.linear-one-cell": "proved",
    "hwt2020.cells-on-line-plane": "verified",
    "hwt2020.botev-pl-psd-at-scale": "verified",
    "milne2019.switch-form": "proved",
    "milne2019.subharmonic": "proved",
    "milne2019.subharmonic-numeric": "verified",
    "milne2019.linear-trace": "proved",
    "milne2019.constant-cell": "proved",
    "milne2019.lemma3": "verified",
    "milne2019.lemma4-constant": "proved",
    "milne2019.theorem3": "verified",
    "milne2019.membership": "verified",
    "milne2019.origin-h1": "proved",
    "milne2019.eq19": "verified",
    "milne2019.flow": "verified",
    "milne2019.toy-fraction": "verified",
}


def test_the_table_names_every_claim_once():
    assert sorted(PINNED) == sorted(c.id for c in list_claims())


@pytest.mark.parametrize("cid", sorted(PINNED))
def test_pinned_outcome(catalog_reports, cid):
    rep = catalog_reports[cid]
    assert rep.outcome == PINNED[cid], (rep.outcome, rep.method, rep.evidence)
    assert (rep.matches or PINNED[cid] == "inconclusive") and rep.claim == cid  # inconclusive never matches


@pytest.mark.parametrize("cid", sorted(PINNED))
def test_every_report_carries_its_claims_scope(catalog_reports, cid):
    rep, claim = catalog_reports[cid], get_claim(cid)
    assert rep.scope == claim.scope and len(rep.scope) > 20
    assert rep.to_dict()["scope"] == claim.scope
    assert claim.scope in str(rep) and claim.scope in rep.to_markdown() and "Scope:" in latex(rep)


def test_derived_statements_say_so(catalog_reports):
    derived = {c.id for c in list_claims() if c.origin == "derived"}
    assert {"baldi_hornik1989.critical-value-count", "baldi_hornik1989.worked-critical-values",
            "kawaguchi2016.hessian-blocks"} <= derived
    assert "baldi_hornik1989.classification" not in derived
    for cid in derived:
        assert "derived by lossgeom" in catalog_reports[cid].to_markdown()


def test_scopes_are_honest():
    assert "NOT eq. (6)" in get_claim("choromanska2015.spin-glass-form").scope
    assert "one direction" in get_claim("kawaguchi2016.vec-property-5").title
    assert "canonical critical points" in get_claim("kawaguchi2016.theorem-ii").scope
    assert "d_y <= p" in get_claim("kawaguchi2016.theorem-iii").scope
    assert "Lbar" in get_claim("kawaguchi2016.question-2-minimum-attained").scope
    assert "paper" in get_claim("botev2017.gauss-newton").source


# -- the outcome rule on hand-made evidence ------------------------------------------------------------

#: The claims whose primary evidence is a general proof (every depth and width; lossgeom.symbolic.general_proofs).
GENERAL = ("botev2017.hessian-recursion", "botev2017.kronecker-block", "botev2017.gauss-newton",
           "botev2017.piecewise-linear", "kawaguchi2016.lemma1-gradient", "kawaguchi2016.hessian-blocks",
           "choromanska2015.path-count", "choromanska2015.bernoulli-expectation")


@pytest.mark.parametrize("cid", GENERAL)
def test_general_proofs_are_the_primary_evidence(catalog_reports, cid):
    rep = catalog_reports[cid]
    assert rep.outcome == "proved" and rep.method.startswith("general proof")
    assert rep.scope.startswith("every depth") and "(general proof); cross-checked on " in rep.scope
    assert rep.evidence["cross-check"].startswith("proved") or rep.evidence["cross-check"].startswith("verified")
    assert all(v.startswith("decided") for k, v in rep.evidence["general proof steps"].items() if k.startswith("step"))


def test_general_proof_not_decided_falls_back_to_the_instances():
    from lossgeom.proofs.evidence import from_general
    from lossgeom.symbolic.general_proofs import general_proof
    cross = Evidence("instances", "exact counts")
    ev = from_general(general_proof("path-count", wrong="base"), cross, "7 width lists")
    assert ev.outcome == "verified" and ev.scope == "7 width lists only (the general proof was not decided)"
    assert "NOT decided: base case" in ev.facts["general proof (Choromanska's path count)"]
    refuted = from_general(general_proof("path-count"), cross.with_(counterexample={"w": 1}), "x")
    assert refuted.outcome == "refuted"  # a failing cross-check is never hidden by the proof


@pytest.mark.parametrize("basis, want", [("general", "proved"), ("symbolic", "proved"), ("witness", "proved"),
                                         ("instances", "verified"), ("numeric", "verified")])
def test_rule_by_basis(basis, want):
    assert decide_outcome(Evidence(basis, "m")) == want


@pytest.mark.parametrize("basis", ["symbolic", "witness", "instances", "numeric"])
def test_counterexample_beats_everything_and_undecided_beats_a_verdict(basis):
    assert decide_outcome(Evidence(basis, "m", counterexample={"x": 1}, undecided=("part",))) == "refuted"
    assert decide_outcome(Evidence(basis, "m", undecided=("part",))) == "inconclusive"


def test_combine_keeps_the_weakest_basis_and_every_undecided_part():
    exact, num = Evidence("symbolic", "a", instances=("n1",)), Evidence("numeric", "b", instances=("n2",), digits=30)
    assert combine([exact, exact]).outcome == "proved"
    both = combine([exact, num])
    assert both.outcome == "verified" and both.instances == ("n1", "n2") and both.digits == 30
    assert combine([exact, Evidence("symbolic", "c", undecided=("block 2",))]).undecided == ("block 2",)
    assert combine([exact], basis="instances").outcome == "verified"  # a weaker basis may be imposed
    assert combine([num], basis="symbolic").outcome == "verified"  # a stronger one never


def test_from_report_never_strengthens():
    assert from_report(Report("x", "verified", "m"), basis="symbolic").outcome == "verified"
    assert from_report(Report("x", "refuted", "m", counterexample={"a": 1})).counterexample == {"a": 1}
    assert from_report(Report("x", "inconclusive", "m")).outcome == "inconclusive"
    assert exact_check(False, "symbolic", "m", facts={"k": 1}).outcome == "refuted"


def test_bad_definitions_raise_claim_definition_error():
    from lossgeom.proofs.claim import Claim, register_claim
    with pytest.raises(ClaimDefinitionError, match="basis: expected one of"):
        Evidence("exactish", "m")
    with pytest.raises(ClaimDefinitionError, match="outcome: expected one of .* got 'true'"):
        Report("x", "true", "m")
    with pytest.raises(ClaimDefinitionError, match="scope: expected a non-empty"):
        Claim("t.x", "s", "x", lambda dps, seed: None, scope=" ")
    with pytest.raises(ClaimDefinitionError, match="method: expected one of"):
        Claim("t.x", "s", "x", lambda dps, seed: None, scope="all", method="guess")
    with pytest.raises(ClaimDefinitionError, match="registered twice"):
        register_claim("botev2017.gauss-newton", "s", "x", scope="all")(lambda dps, seed: None)


def test_a_check_returning_a_report_is_inconclusive_not_passing():
    from lossgeom.proofs.claim import Claim
    rep = Claim("t.y", "s", "x", lambda dps, seed: Report("t.y", "proved", "m"), scope="all").verify()
    assert rep.outcome == "inconclusive" and "Evidence" in rep.evidence["error"]
