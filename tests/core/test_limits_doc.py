"""docs/limits.md shows exactly the limits the code enforces (lossgeom.limits.LIMITS)."""

import os
import re

import pytest

from lossgeom.limits import limits_table

DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs", "limits.md")


@pytest.mark.skipif(not os.path.exists(DOC), reason="docs/ is not beside the tests")
def test_the_limits_page_is_the_table_in_the_code():
    text = open(DOC, encoding="utf-8").read()
    (table,) = re.findall(r"<!-- limits table[^\n]*-->\n(.*?)\n<!-- end of limits table -->", text, flags=re.S)
    assert table == limits_table(), "regenerate docs/limits.md: python -m lossgeom.limits"


@pytest.mark.skipif(not os.path.exists(DOC), reason="docs/ is not beside the tests")
def test_the_example_refusal_is_what_the_command_prints(tmp_path, monkeypatch, capsys):
    import json

    from lossgeom.cli import main
    from lossgeom.limits import LIMITS

    (message,) = re.findall(r"```\n(lossgeom: error: big\.json[^\n]*)\n```", open(DOC, encoding="utf-8").read())
    monkeypatch.chdir(tmp_path)
    n = LIMITS["number_digits"].value + 1
    (tmp_path / "big.json").write_text(json.dumps({"widths": [1, 1], "weights": [[["1" * n]]]}))
    assert main(["hessian", "big.json"]) == 2
    assert capsys.readouterr().err.strip() == message
