"""The shen2016 claims: registered in order, honest about origin and scope, and sensitive to errors."""

import pytest

from lossgeom.proofs import get_claim, list_claims
from lossgeom.proofs import shen2016 as mod

IDS = ["shen2016.dummy-units", "shen2016.linear-system", "shen2016.linear-system-numeric", "shen2016.main-theorem",
       "shen2016.counting-condition", "shen2016.khatri-rao-bound", "shen2016.khatri-rao-without-hypothesis",
       "shen2016.sylvester", "shen2016.exact-learning", "shen2016.hessian-residual", "shen2016.xor-hessian-rank",
       "shen2016.xor-rank-drop", "shen2016.xor-rank-lower-bound"]
DERIVED = {"shen2016.dummy-units", "shen2016.khatri-rao-bound", "shen2016.khatri-rao-without-hypothesis",
           "shen2016.xor-rank-lower-bound"}


def test_registered_in_order_with_sources():
    # proofs/shen2016_training.py (ORDER 51) registers its claims right after these
    assert [c.id for c in list_claims() if c.id.startswith("shen2016.")] == IDS + [
        "shen2016.ggn-exact", "shen2016.an-quadratic", "shen2016.xor-training", "shen2016.xor-plateaus"]
    assert mod.ORDER == 50
    for cid in IDS:
        claim = get_claim(cid)
        assert "1611.05827" in claim.source and "CVPR 2018" in claim.source
        assert (claim.origin == "derived") == (cid in DERIVED)
        assert len(claim.scope) > 30


def test_the_false_readings_are_expected_to_fail():
    assert {c.id for c in list_claims() if c.id.startswith("shen2016.") and c.expect == "fails"} == {
        "shen2016.khatri-rao-without-hypothesis", "shen2016.xor-rank-lower-bound"}


def test_xor_hessian_evidence_has_the_numbers():
    ev = get_claim("shen2016.xor-hessian-rank").verify().evidence
    assert "rank 4; inertia +4 -0 0:5" in ev["Net(2-2-1, softsign, square, bias)"]
    assert "rank 4; inertia +4 -0 0:9" in ev["Net(2-3-1, softsign, square, bias)"]


def test_a_broken_gradient_refutes_the_linear_system(monkeypatch):
    monkeypatch.setattr(mod, "verify_shen_gradient", lambda net, samples=2: (False, 9))
    assert get_claim("shen2016.linear-system").verify().outcome == "refuted"


def test_a_broken_hessian_identity_refutes(monkeypatch):
    monkeypatch.setattr(mod, "verify_hessian_residual", lambda net, samples=2: (False, 81))
    assert get_claim("shen2016.hessian-residual").verify().outcome == "refuted"


def test_a_wrong_rank_bound_is_refuted(monkeypatch):
    monkeypatch.setattr(mod, "_kr_bound", lambda ra, rb, A, B: ra + rb)
    assert get_claim("shen2016.khatri-rao-bound").verify().outcome == "refuted"


def test_insensitive_sylvester_instances_are_inconclusive(monkeypatch):
    real = mod.sylvester_counterexample
    monkeypatch.setattr(mod, "sylvester_counterexample", lambda A, B, slack=0: None if slack else real(A, B))
    assert get_claim("shen2016.sylvester").verify().outcome == "inconclusive"


def test_a_wrong_gradient_engine_is_caught_numerically(monkeypatch):
    import mpmath
    monkeypatch.setattr(mod, "shen_gradient_residual", lambda *a, **k: mpmath.mpf("1e-10"))
    assert get_claim("shen2016.linear-system-numeric").verify(dps=30).outcome == "refuted"


@pytest.mark.parametrize("cid", ["shen2016.main-theorem", "shen2016.exact-learning", "shen2016.khatri-rao-bound"])
def test_other_seeds_and_precisions_pass(cid):
    claim = get_claim(cid)
    assert claim.verify(dps=30, seed=3).matches
    assert claim.verify(seed=1).evidence == claim.verify(seed=1).evidence
