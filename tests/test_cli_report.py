"""``lossgeom report``: the catalog as a document."""

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
    assert ("General proof: Choromanska" in text) == (suffix != ".html")  # the proofs follow the table


def test_report_bad_suffix_and_folder(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "ending in .tex, .md or .html" in capsys.readouterr().err
    assert main(["report", "--out", str(tmp_path / "missing" / "x.md")]) == 2
    assert list(tmp_path.iterdir()) == []
