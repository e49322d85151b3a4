"""The choromanska2015 claims: registered, honest, deterministic, and sensitive to errors."""

import pytest

from lossgeom.proofs import choromanska2015 as mod
from lossgeom.proofs import get_claim, list_claims

IDS = ["choromanska2015.path-sum", "choromanska2015.path-count", "choromanska2015.bernoulli-expectation",
       "choromanska2015.spin-glass-form"]


def test_registered_in_order():
    ids = [c.id for c in list_claims() if c.id.startswith("choromanska2015.")]
    assert ids == IDS
    assert mod.ORDER == 30


@pytest.mark.parametrize("cid", IDS)
def test_claim_is_proved(cid):
    claim = get_claim(cid)
    rep = claim.verify(dps=50, seed=0)
    assert rep.scope == claim.scope
    # the path-sum identity is exact but checked in one activation pattern per listed net: verified
    assert rep.outcome == ("verified" if cid == "choromanska2015.path-sum" else "proved"), rep
    assert rep.matches and rep.claim == cid and rep.statement
    assert claim.method == "symbolic" and claim.expect == "holds" and claim.assumptions


@pytest.mark.parametrize("cid", ["choromanska2015.path-sum", "choromanska2015.bernoulli-expectation"])
def test_deterministic_for_a_seed_and_other_seeds_pass(cid):
    claim = get_claim(cid)
    a, b = claim.verify(seed=1), claim.verify(seed=1)
    assert a.evidence == b.evidence and a.matches
    assert claim.verify(seed=5).matches


def test_path_count_evidence_has_math_md_number():
    rep = get_claim("choromanska2015.path-count").verify()
    assert rep.evidence["3-4-2-1"] == "24 per output"
    assert rep.evidence["nested sum, 3 weight layers"] == "d_0*d_1*d_2"


def test_path_sum_evidence_lists_every_net():
    rep = get_claim("choromanska2015.path-sum").verify()
    assert len(rep.evidence) == len(mod._PATH_SUM_NETS)
    assert all(v.startswith("equal;") for v in rep.evidence.values())


def test_spin_glass_claim_states_what_is_not_checked():
    rep = get_claim("choromanska2015.spin-glass-form").verify()
    assert "C_1, C_2" in rep.evidence["not checked"]
    assert rep.evidence["H=2, Lambda=3"].startswith("proved; Var on the sphere = 3")


def test_path_sum_claim_refutes_a_broken_identity(monkeypatch):
    """If the enumeration were wrong the claim must say refuted, not proved."""
    def broken(graph, pattern, output=None):
        return tuple(v + 1 for v in pattern.output)
    monkeypatch.setattr(mod, "sum_path_terms", broken)
    rep = get_claim("choromanska2015.path-sum").verify()
    assert rep.outcome == "refuted" and rep.counterexample is not None
