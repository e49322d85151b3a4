"""Every statement of the catalog compiles in the ``lossgeom report --out FILE.tex`` document (pdflatex).

The claims are not run here (rendering only); ``tests/test_latex_compiles.py`` compiles a verified report.
CI installs pdflatex and sets ``LOSSGEOM_REQUIRE_PDFLATEX=1``, so there a missing pdflatex fails.
"""

import os
import re
import shutil
import subprocess

import pytest

from lossgeom.commands.report import render_document
from lossgeom.proofs import list_claims
from lossgeom.report import Report

if shutil.which("pdflatex") is None and os.environ.get("LOSSGEOM_REQUIRE_PDFLATEX") == "1":
    raise RuntimeError("LOSSGEOM_REQUIRE_PDFLATEX=1 but pdflatex is not installed (apt-get install texlive-latex-base)")
pytestmark = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")


def test_every_catalog_statement_compiles(tmp_path):
    claims = list_claims()
    reports = [Report(c.id, "inconclusive", "not run (rendering test)", statement=c.statement, source=c.source,
                      scope=c.scope, expect=c.expect) for c in claims]
    (tmp_path / "all.tex").write_text(render_document(reports, {c.id: c for c in claims}, "latex", 50, 0))
    for _ in range(2):  # longtable settles its column widths on the second run
        result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "all.tex"], cwd=tmp_path,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout[-2000:]
    log = (tmp_path / "all.log").read_text(errors="replace")
    assert "Undefined control sequence" not in log and "Missing $ inserted" not in log
    pages = re.search(r"Output written on all\.pdf \((\d+) pages?", log)
    assert pages and int(pages.group(1)) >= 5  # 76 claims with source, statement and scope: several pages
    assert (tmp_path / "all.pdf").read_bytes().startswith(b"%PDF")
