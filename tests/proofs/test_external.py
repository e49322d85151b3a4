"""Users' own claims: ``lossgeom verify --module`` and the ``lossgeom.claims`` entry points (examples/own_claims)."""

import importlib.metadata
import json
import os
import sys

import pytest

from lossgeom import ClaimDefinitionError, Net, check_formula
from lossgeom.cli import main
from lossgeom.proofs import claim as claim_mod
from lossgeom.proofs import external, get_claim, list_claims, load_claim_module, load_entry_point_claims

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "own_claims")
CLAIMS_PY = os.path.join(EXAMPLE, "own_claims", "claims.py")
pytestmark = pytest.mark.skipif(not os.path.exists(CLAIMS_PY), reason="examples/ is not beside the tests")


@pytest.fixture(autouse=True)
def clean_registry():
    """Whatever a test loads is gone afterwards (other tests pin the built-in catalog)."""
    before = dict(claim_mod._REGISTRY)
    modules = set(sys.modules)
    yield
    for key in [k for k in claim_mod._REGISTRY if k not in before]:
        claim_mod._REGISTRY.pop(key)
    external._LOADED.clear()
    for name in [m for m in sys.modules if m not in modules and (m.startswith(("lossgeom_user_claims", "own_claims"))
                                                                 or m.startswith("broken"))]:
        sys.modules.pop(name)


def _run(argv, capsys):
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_verify_module_path_runs_the_example_like_built_in_claims(capsys):
    n = len(list_claims())
    rc, out, _ = _run(["verify", "--module", CLAIMS_PY, "own", "--format", "json", "--quiet"], capsys)
    doc = json.loads(out)
    assert rc == 0 and doc["matched"] == doc["total"] == 2
    outcomes = {c["id"]: (c["outcome"], c["expect"]) for c in doc["claims"]}
    assert outcomes == {"own.linear-regression-block": ("proved", "holds"),
                        "own.gauss-newton-equals-hessian": ("refuted", "fails")}
    refuted = doc["claims"][1]
    assert refuted["counterexample"]["entry"] and refuted["counterexample"]["point"]
    # listed after the built-in catalog (ORDER 200), which is unchanged
    ids = [c.id for c in list_claims()]
    assert len(ids) == n + 2 and ids[-2:] == ["own.linear-regression-block", "own.gauss-newton-equals-hessian"]


def test_the_refuted_example_is_the_gauss_newton_block():
    """The example's claimed form is exactly lossgeom's Gauss-Newton block: the refutation is the D_1 term."""
    net = Net(widths=(1, 2, 1), activation="tanh")
    b1 = "diag(1 - tanh(h1[1])**2, 1 - tanh(h1[2])**2)"
    form = "kron(x @ x.T, %s @ W2.T @ W2 @ %s)" % (b1, b1)
    assert check_formula("gauss-newton-block", form, net=net, layer=1).verdict == "proved"
    assert check_formula("layer-block", form, net=net, layer=1).verdict == "refuted"


def test_dotted_module_name(monkeypatch, capsys):
    monkeypatch.syspath_prepend(EXAMPLE)
    rc, out, _ = _run(["verify", "--module", "own_claims.claims", "--list"], capsys)
    assert rc == 0 and "own.linear-regression-block" in out and "botev2017.hessian-recursion" in out
    assert load_claim_module("own_claims.claims") == ("own.linear-regression-block",
                                                      "own.gauss-newton-equals-hessian")  # loaded once


def test_entry_points_are_loaded(monkeypatch, capsys):
    monkeypatch.syspath_prepend(EXAMPLE)
    ep = importlib.metadata.EntryPoint("own", "own_claims.claims", external.ENTRY_POINT_GROUP)

    def fake(**kw):
        return [ep] if kw.get("group") == external.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)
    rc, out, _ = _run(["verify", "own.linear-regression-block", "--quiet"], capsys)
    assert rc == 0 and "own.linear-regression-block  proved" in out
    # --no-plugins leaves them out
    claim_mod._REGISTRY.pop("own.linear-regression-block")
    claim_mod._REGISTRY.pop("own.gauss-newton-equals-hessian")
    rc, _, err = _run(["verify", "--no-plugins", "own.linear-regression-block"], capsys)
    assert rc == 2 and "unknown claim id 'own.linear-regression-block'" in err


def _module(tmp_path, name, body):
    path = tmp_path / (name + ".py")
    path.write_text(body)
    return str(path)


HEAD = "from lossgeom.proofs import Evidence, register_claim\n"
CLAIM = ("@register_claim(%r, 'nowhere', '1 = 1', scope='the integer 1')\n"
         "def _c%d(dps, seed):\n    return Evidence('witness', 'trivial')\n")


@pytest.mark.parametrize("name, body, message", [
    ("broken_syntax", HEAD + "def (:\n", "cannot import it (SyntaxError"),
    ("broken_raise", HEAD + CLAIM % ("a", 1) + "raise RuntimeError('boom')\n", "cannot import it (RuntimeError: boom)"),
    ("broken_exit", HEAD + "raise SystemExit(3)\n", "cannot import it (SystemExit: 3)"),
    ("broken_dup", HEAD + CLAIM % ("a", 1) + CLAIM % ("a", 2), "claim id 'a' is registered twice"),
    ("broken_builtin", HEAD + CLAIM % ("botev2017.hessian-recursion", 1), "registered twice"),
    ("botev2017", HEAD + CLAIM % ("x", 1), "its source name 'botev2017' is a built-in source's"),
    ("broken_empty", HEAD, "it registers no claims"),
])
def test_a_broken_module_is_one_error_naming_it_and_the_catalog_survives(tmp_path, capsys, name, body, message):
    n, before = len(list_claims()), set(claim_mod._REGISTRY)
    path = _module(tmp_path, name, body)
    with pytest.raises(ClaimDefinitionError) as err:
        load_claim_module(path)
    assert str(err.value).startswith("module '%s'" % path) and message in str(err.value)
    rc, _, stderr = _run(["verify", "--module", path, "choromanska2015.path-count"], capsys)
    assert rc == 2 and message in stderr and len(stderr.strip().splitlines()) == 1
    assert len(list_claims()) == n and get_claim("botev2017.hessian-recursion").source.startswith("Botev")
    assert set(claim_mod._REGISTRY) == before


def test_bad_module_names_are_refused_without_importing(tmp_path):
    for bad in ("__import__('os').system('touch PWNED')", "a..b", "os; rm", ""):
        with pytest.raises((ClaimDefinitionError, ValueError)):
            load_claim_module(bad)
    with pytest.raises(ClaimDefinitionError, match="no such file"):
        load_claim_module(str(tmp_path / "missing.py"))
    assert load_entry_point_claims() == ()


def test_prefix_is_kept_when_the_ids_already_have_it(tmp_path):
    path = _module(tmp_path, "smith2024", HEAD + CLAIM % ("smith2024.one", 1) + CLAIM % ("two", 2))
    assert load_claim_module(path) == ("smith2024.one", "smith2024.two")
    assert get_claim("smith2024.two").verify().outcome == "proved"
