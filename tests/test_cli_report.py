"""``lossgeom report``: the catalog as a document."""

import re

import pytest

from lossgeom.cli import main

CLAIMS = ["choromanska2015.path-count", "botev2017.piecewise-linear"]


@pytest.mark.parametrize("suffix, first, marker", [
    (".tex", r"\documentclass{article}", r"\texttt{botev2017.piecewise-linear}"),
    (".md", "# The lossgeom claims catalog", "`choromanska2015.path-count`"),
    (".html", "<!DOCTYPE html>", "<code>botev2017.piecewise-linear</code>: proved"),
])
def test_report_formats(tmp_path, capsys, suffix, first, marker):
    out = tmp_path / ("catalog" + suffix)
    assert main(["report", *CLAIMS, "--out", str(out), "--quiet"]) == 0
    text = out.read_text()
    assert text.startswith(first)
    assert marker in text
    assert "2 of 2 claims match" in text
    import html

    from lossgeom.latex_text import escape
    from lossgeom.proofs import get_claim
    scope = get_claim("choromanska2015.path-count").scope.split(";")[0]
    shown = {".tex": escape, ".html": html.escape}.get(suffix, str)(scope)
    assert "Scope" in text and shown in text
    assert "General proof: Choromanska" in text  # the proofs follow the table, in every format


def test_report_bad_suffix_and_folder(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "ending in .tex, .md or .html" in capsys.readouterr().err
    assert main(["report", "--out", str(tmp_path / "missing" / "x.md")]) == 2
    assert list(tmp_path.iterdir()) == []


def test_report_html_is_offline_mathml(tmp_path):
    """The HTML document loads nothing: no script, stylesheet or font URL; every statement is a <math> element."""
    out = tmp_path / "catalog.html"
    claims = ["yun2019.data-conditions", "choromanska2015.path-sum"]  # \frac, \sum
    assert main(["report", *claims, "--out", str(out), "--quiet"]) == 0
    text = out.read_text()
    assert "<script" not in text and "<link" not in text and "@import" not in text
    urls = set(re.findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>]*", text))
    assert urls == {"http://www.w3.org/1998/Math/MathML"}  # the namespace name, never fetched
    assert text.count("<math ") == len(claims) and text.count("</math>") == len(claims)
    assert "\\(" not in text and "\\frac" not in text and "\\sum" not in text
    assert "<mfrac>" in text and "&#x2211;" not in text and "\u2211" in text  # \sum became the character


def test_report_html_refuses_a_statement_that_is_not_mathml_before_running(tmp_path, capsys, monkeypatch):
    """A statement that would show as raw TeX stops the command at the door (exit 2), before any check runs."""
    import dataclasses

    import lossgeom.proofs as proofs
    real = proofs.get_claim
    broken = dataclasses.replace(real(CLAIMS[0]), statement=r"\nosuchmacro{x} = 0")
    monkeypatch.setattr(proofs, "get_claim", lambda cid: broken if cid == CLAIMS[0] else real(cid))
    monkeypatch.setattr(proofs, "verify_claims", lambda *a, **k: pytest.fail("claims ran before the check"))
    out = tmp_path / "catalog.html"
    assert main(["report", *CLAIMS, "--out", str(out), "--quiet"]) == 2
    assert r"tex: the converter does not know '\\nosuchmacro'" in capsys.readouterr().err
    assert not out.exists()
    from lossgeom import DataError
    with pytest.raises(DataError, match="^tex: .* is incomplete"):
        proofs.Report("x", "proved", "m", statement=r"\frac{a").to_html()
