"""The Botev et al. claims and the catalog contract (outcomes, exit codes, determinism)."""

import json

import pytest

from lossgeom.cli import main
from lossgeom.proofs import claim as claim_module
from lossgeom.proofs import get_claim, list_claims
from lossgeom.proofs.evidence import Evidence

BOTEV = ["botev2017.hessian-recursion", "botev2017.gauss-newton", "botev2017.kronecker-block",
         "botev2017.piecewise-linear", "botev2017.no-smooth-local-maxima"]


@pytest.mark.parametrize("cid", BOTEV)
def test_botev_claims_are_proved(catalog_reports, cid):
    report = catalog_reports[cid]
    assert report.outcome == "proved", report
    assert report.matches and report.method and report.source.startswith("Botev")


def test_catalog_order_starts_with_botev():
    ids = [c.id for c in list_claims()]
    assert ids[:len(BOTEV)] == BOTEV
    assert len(ids) == len(set(ids))


def test_gauss_newton_claim_refutes_a_non_psd_output_hessian(monkeypatch):
    from lossgeom.proofs import botev2017
    monkeypatch.setattr(botev2017, "_numeric_gn_min_eigenvalue", lambda net, dps, seed: -1)
    report = get_claim("botev2017.gauss-newton").verify(dps=20)
    assert report.outcome == "refuted" and report.counterexample


@pytest.fixture
def temporary_claims():
    added = []

    evidence = {"proved": Evidence("symbolic", "test"), "verified": Evidence("numeric", "test"),
                "refuted": Evidence("instances", "test", counterexample={"x": 1}),
                "inconclusive": Evidence("symbolic", "test", undecided=("all",))}

    def add(cid, outcome, expect="holds", raises=False):
        def check(dps, seed):
            if raises:
                raise RuntimeError("boom")
            return evidence[outcome]
        claim_module.register_claim(cid, "test", "x", scope="a test", expect=expect)(check)
        added.append(cid)
    yield add
    for cid in added:
        claim_module._REGISTRY.pop(cid)


def test_verify_exit_codes(temporary_claims, capsys):
    """Exit 1 only for an outcome that contradicts its expectation; inconclusive is reported, exit 0."""
    temporary_claims("test.ok", "proved")
    temporary_claims("test.refuted-as-expected", "refuted", expect="fails")
    temporary_claims("test.wrong", "refuted")
    temporary_claims("test.holds-but-expected-to-fail", "verified", expect="fails")
    temporary_claims("test.undecided", "inconclusive")
    temporary_claims("test.broken", "proved", raises=True)
    assert main(["verify", "test.ok", "test.refuted-as-expected", "--quiet"]) == 0
    assert main(["verify", "test.ok", "test.wrong", "--quiet"]) == 1
    assert main(["verify", "test.holds-but-expected-to-fail", "--quiet"]) == 1
    capsys.readouterr()
    assert main(["verify", "test.undecided", "test.ok", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "test.undecided  inconclusive" in text and "1 of 2 claims match" in text and "1 inconclusive" in text
    assert "MISMATCH" not in text
    assert main(["verify", "test.broken", "--format", "json", "--quiet"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["claims"][0]["outcome"] == "inconclusive" and doc["claims"][0]["scope"] == "a test"
    assert "boom" in doc["claims"][0]["evidence"]["error"]
    assert main(["verify", "no.such-claim", "--quiet"]) == 2


def test_verify_json_fields(capsys):
    assert main(["verify", "botev2017.kronecker-block", "--format", "json", "--quiet", "--dps", "20"]) == 0
    doc = json.loads(capsys.readouterr().out)
    entry = doc["claims"][0]
    assert entry["scope"] == get_claim("botev2017.kronecker-block").scope
    for key in ("id", "source", "outcome", "expect", "evidence", "seconds", "scope"):
        assert key in entry
    assert doc["dps"] == 20


def test_verify_progress_goes_to_stderr(capsys):
    assert main(["verify", "botev2017.piecewise-linear"]) == 0
    captured = capsys.readouterr()
    assert "[1/1] botev2017.piecewise-linear ... proved" in captured.err
    assert "1 of 1 claims match" in captured.out


def test_results_are_deterministic(catalog_reports):
    a = get_claim("botev2017.gauss-newton").verify(dps=30, seed=0)  # the catalog fixture's dps and seed
    b = catalog_reports["botev2017.gauss-newton"]
    assert a.evidence == b.evidence and a.outcome == b.outcome


def test_no_local_maxima_depends_on_the_psd_decision(monkeypatch):
    from lossgeom.proofs import botev2017
    monkeypatch.setattr(botev2017, "_output_hessian_psd", lambda name, n: (False, "patched"))
    assert get_claim("botev2017.no-smooth-local-maxima").verify(dps=20).outcome == "inconclusive"
    assert get_claim("botev2017.gauss-newton").verify(dps=20).outcome == "inconclusive"


@pytest.mark.parametrize("n", [1, 2, 3])
def test_output_hessians_are_decided_psd_for_each_width(n):
    from lossgeom.proofs.botev2017 import _output_hessian_psd
    assert _output_hessian_psd("square", n)[0] and _output_hessian_psd("cross_entropy", n)[0]
