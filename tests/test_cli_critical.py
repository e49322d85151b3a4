"""`lossgeom critical`: the worked oracle end to end, JSON contract, and one-line errors (exit 2)."""

import json
import os

import pytest

from lossgeom.cli import main

EXAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "examples")


def write(tmp_path, doc, name="net.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


ORACLE = {"widths": [3, 1, 3], "activation": "identity", "inputs": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
          "targets": [[3, 0, 0], [0, 2, 0], [0, 0, 1]]}


def test_example_3_1_3_json_matches_math_oracle(capsys):
    assert main(["critical", os.path.join(EXAMPLES, "linear_3_1_3.json"), "--format", "json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["global_minimum_value"] == "5/2"
    pts = {tuple(c["subset"]): c for c in rep["critical_points"]}
    assert {k: v["value"] for k, v in pts.items()} == {(): "7", (1,): "5/2", (2,): "5", (3,): "13/2"}
    assert [pts[(i,)]["inertia"]["negative"] for i in (1, 2, 3)] == [0, 1, 2]
    assert pts[(1,)]["classification"] == "global minimum"
    assert all(pts[s]["classification"] == "saddle" for s in [(), (2,), (3,)])
    for c in rep["critical_points"]:
        assert set(c["inertia"]) == {"positive", "negative", "zero", "tolerance"}
    eig = [float(e) for e in pts[(1,)]["eigenvalues"]]
    assert eig[1:] == pytest.approx([0.528, 0.877, 9.123, 9.472, 10], abs=1e-3) and abs(eig[0]) < 1e-40
    assert rep["assumptions"]["failures"] == []


def test_text_output_and_transposed_inputs(capsys, tmp_path):
    # inputs are samples (rows): a non-symmetric X checks that X is their transpose
    doc = dict(ORACLE, widths=[2, 1, 2], inputs=[[1, 0], [1, 1], [0, 1]], targets=[[1, 0], [2, 1], [0, 3]])
    assert main(["critical", write(tmp_path, doc), "--dps", "20"]) == 0
    out = capsys.readouterr().out
    assert "global minimum value" in out and "saddle" in out and "global minimum" in out


def test_deeper_example_has_bad_saddle_at_its_weights(capsys):
    assert main(["critical", os.path.join(EXAMPLES, "linear_3_2_2_2_3.json"), "--format", "json", "--dps", "30"]) == 0
    rep = json.loads(capsys.readouterr().out)
    w = rep["at_weights"]
    assert w["critical"] and w["classification"] == "saddle" and w["inertia"]["negative"] == 0
    assert w["certificate"]["order"] == 3
    assert sum(c["classification"] == "global minimum" for c in rep["critical_points"]) == 1


def test_full_ranks_option(capsys, tmp_path):
    assert main(["critical", write(tmp_path, dict(ORACLE, widths=[3, 2, 3])), "--ranks", "full", "--format",
                 "json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert sorted(c["value"] for c in rep["critical_points"]) == ["1/2", "2", "9/2"]


def test_assumption_failure_other_than_singular_is_reported(capsys, tmp_path):
    doc = dict(ORACLE, targets=[[1, 1, 0], [1, 1, 0], [1, 1, 0]])  # XY^T of rank 1
    assert main(["critical", write(tmp_path, doc)]) == 0
    out = capsys.readouterr().out
    assert "WARNING: X Y^T is not of full rank (rank 1)" in out


@pytest.mark.parametrize("change, message", [
    ({"activation": "tanh"}, "activation: expected 'identity'"),
    ({"loss": "cross_entropy"}, "loss: expected 'square'"),
    ({"bias": True}, "bias: expected false"),
    ({"widths": [3, 3], "inputs": ORACLE["inputs"]}, "widths: expected at least one hidden layer"),
    ({"inputs": [[1, 1, 0], [1, 1, 0], [0, 0, 0]]}, "X X^T is singular (rank 1 < d_x = 3)"),
])
def test_bad_input_is_one_line_exit_2(capsys, tmp_path, change, message):
    assert main(["critical", write(tmp_path, dict(ORACLE, **change))]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_data_and_missing_file(capsys, tmp_path):
    doc = {k: v for k, v in ORACLE.items() if k not in ("inputs", "targets")}
    assert main(["critical", write(tmp_path, doc)]) == 2
    assert "inputs: the critical command needs inputs and targets" in capsys.readouterr().err
    assert main(["critical", str(tmp_path / "nope.json")]) == 2
    assert "cannot read the net file" in capsys.readouterr().err


def test_a_net_that_is_not_deep_linear_gets_every_reason_on_one_line(capsys, tmp_path):
    assert main(["critical", write(tmp_path, dict(ORACLE, activation="tanh", bias=True, widths=[3, 3],
                                                  inputs=ORACLE["inputs"]))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "lossgeom critical needs a deep linear net" in err
    for reason in ("activation: expected 'identity'", "bias: expected false", "widths: expected at least one hidden"):
        assert reason in err
