"""docs/netfile.md stays true: its example reads, its field table is the reader's, its number forms parse as stated,
and its error example is what the command prints."""

import json
import os
import re

import pytest
import sympy as sp

from lossgeom import activation_names, parse_number
from lossgeom.cli import main
from lossgeom.data import _KNOWN_FIELDS, net_file_from_dict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "netfile.md")
pytestmark = pytest.mark.skipif(not os.path.exists(DOC), reason="docs/ is not beside the tests")


def _doc():
    return open(DOC, encoding="utf-8").read()


def test_the_example_reads_exactly():
    (block,) = re.findall(r"```json\n(.*?)```", _doc(), flags=re.S)
    nf = net_file_from_dict(json.loads(block, parse_float=str))
    assert nf.net.widths == (2, 2, 1) and nf.net.bias
    assert nf.weights[0][1, 0] == sp.Rational(1, 4)          # the JSON 0.25, exactly
    assert nf.inputs.shape == (2, 2) and nf.inputs[:, 0].T.tolist() == [[1, sp.Rational(1, 2)]]


def test_the_field_table_is_the_readers():
    rows = re.findall(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`)? \|", _doc(), flags=re.M)
    fields = {f for row in rows for f in row if f}
    assert fields == _KNOWN_FIELDS


def test_the_activation_names_are_the_registry():
    para = _doc().split("Activation names:")[1].split("\n\n")[0]
    assert set(re.findall(r"`([a-z_]+)`", para)) - {"slope", "s_plus", "s_minus"} == set(activation_names())


def test_the_number_forms_read_as_stated():
    table = _doc().split("## Numbers")[1].split("## Limits")[0]
    rows = [r for r in re.findall(r"^\| [a-z]+ \| (.+?) \| (.+?) \|$", table, flags=re.M) if r[0] != "examples"]
    assert len(rows) == 4
    for examples, values in rows:
        texts = [t.strip('`"') for t in examples.split(", ")]
        expected = [sp.Rational(v.strip()) for v in values.split(", ")]
        assert [parse_number(t) for t in texts] == expected


def test_the_error_example_is_what_the_command_prints(tmp_path, monkeypatch, capsys):
    doc = _doc()
    command, message = re.findall(r"```\n\$ (lossgeom [^\n]+)\n(lossgeom: error: [^\n]+)\n```", doc)[0]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.json").write_text('{"widths": [1, 2, 1], "weights": [[[1], ["pi"]], [[1, 1]]]}')
    assert main(command.split()[1:]) == 2
    assert capsys.readouterr().err.strip() == message
