"""``lossgeom paths``: outputs, files and one-line errors (through lossgeom.cli.main)."""

import json
import os

import pytest

from lossgeom.cli import main

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "paths_relu_3_4_2_1.json")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_widths_counts_json(capsys):
    code, out, err = run(capsys, "paths", "--widths", "3,4,2,1", "--format", "json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["paths_total"] == "24" and doc["paths_per_output"] == ["24"]
    assert "active_paths" not in doc


def test_huge_count_is_exact(capsys):
    code, out, _ = run(capsys, "paths", "--widths", ",".join(["10"] * 30 + ["2"]), "--format", "json")
    doc = json.loads(out)
    assert int(doc["paths_total"]) == 2 * 10 ** 30


def test_net_file_active_paths(capsys):
    code, out, err = run(capsys, "paths", EXAMPLE, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["paths_total"] == "24"
    s1, s2 = doc["active_paths"]
    # sample 1: h1 = (1, 5/2, 2, 0) -> h1[4] sits at the kink and is reported as such
    assert s1["kinks"] == ["h1[4]"] and s1["path_sum"] is None
    assert [u["state"] for u in s1["units"]][:4] == ["active", "active", "active", "kink"]
    assert s1["output"] == ["-6"] and s1["count"] == "9"
    assert sum(__import__("fractions").Fraction(p["term"]) for p in s1["paths"]) == -6  # ReLU: active paths carry it
    # sample 2: no kink; only h1[1] -> h2[1] is on, so 3 active paths, and all 24 gated paths sum to the output
    assert s2["kinks"] == [] and s2["count"] == "3" and s2["output"] == ["5/2"]
    assert s2["path_sum"] == ["5/2"] and s2["path_sum_equals_output"] is True
    assert [p["term"] for p in s2["paths"]] == ["3/4", "3/2", "1/4"]


def test_text_output_and_list_limit(capsys):
    code, out, _ = run(capsys, "paths", EXAMPLE, "--list", "2")
    assert code == 0
    assert "paths per output: 24" in out
    assert "kink:     h1[4]" in out
    assert "x[1] -> h1[1] -> h2[1] -> h3[1]   term 3/4" in out
    assert "... 7 more (use --list N)" in out
    assert "equals the forward pass" in out


def test_latex_output(capsys):
    code, out, _ = run(capsys, "paths", "--widths", "2,1", "--format", "latex")
    assert out.strip() == r"\hat{y}_{1} = x_{1} Z_{1,1} W^{(1)}_{1,1} + x_{2} Z_{2,1} W^{(1)}_{1,2}"
    code, out, _ = run(capsys, "paths", "--widths", "3,4,2,1", "--format", "latex")
    assert out.startswith(r"\hat{y}_{1} = \sum_{\substack{")


def test_draw_png_svg_graphml_dot(capsys, tmp_path):
    png = tmp_path / "net.png"
    code, out, err = run(capsys, "paths", EXAMPLE, "--sample", "2", "--draw", str(png),
                         "--graphml", str(tmp_path / "g.graphml"), "--dot", str(tmp_path / "g.dot"))
    assert code == 0, err
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    dot = (tmp_path / "g.dot").read_text()
    assert dot.count("color=red") == 3 + 1 + 1  # the 3 active paths share h1[1] -> h2[1] -> h3[1]
    assert "h1[4]" in (tmp_path / "g.graphml").read_text()
    code, _, err = run(capsys, "paths", "--widths", "2,2,1", "--bias", "--draw", str(tmp_path / "n.svg"))
    assert code == 0 and b"<svg" in (tmp_path / "n.svg").read_bytes()[:1000]
    assert sorted(os.listdir(tmp_path)) == ["g.dot", "g.graphml", "n.svg", "net.png"]


@pytest.mark.parametrize("argv, message", [
    (["paths", "--widths", "3,4,2,1", "--draw", "net.jpg"], "--draw: expected a file name ending in .png or .svg"),
    (["paths", "--widths", "3,x,1"], "widths: expected comma-separated positive integers"),
    (["paths", "--widths", "3,0,1"], "widths"),
    (["paths", "--widths", "3,4,1", "--activation", "swish"], "unknown activation 'swish'"),
    (["paths"], "expected a NETFILE or --widths"),
    (["paths", EXAMPLE, "--widths", "3,1"], "either NETFILE or --widths"),
    (["paths", EXAMPLE, "--sample", "3"], "--sample: expected 1 to 2"),
    (["paths", "no-such-file.json"], "cannot read the net file"),
    (["paths", "--widths", "1,1,1", "--activation", "tanh", "--format", "latex"], "path sum is exact only"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert out == ""


def test_wrong_input_length_in_file(capsys, tmp_path):
    doc = json.load(open(EXAMPLE))
    doc["inputs"] = [[1, 2]]
    doc["targets"] = [[1]]
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(doc))
    code, out, err = run(capsys, "paths", str(f))
    assert code == 2 and "inputs[0]: expected 3 numbers, got 2" in err and err.count("\n") == 1


def test_bad_draw_suffix_writes_nothing(capsys, tmp_path):
    target = tmp_path / "net.gif"
    code, _, err = run(capsys, "paths", EXAMPLE, "--draw", str(target))
    assert code == 2 and os.listdir(tmp_path) == []


def test_draw_into_missing_folder(capsys, tmp_path):
    code, _, err = run(capsys, "paths", "--widths", "2,1", "--draw", str(tmp_path / "no" / "x.png"))
    assert code == 2 and "does not exist" in err


def test_active_path_sums(capsys):
    doc = json.loads(run(capsys, "paths", EXAMPLE, "--format", "json")[1])
    s1, s2 = doc["active_paths"]
    assert s1["active_path_sum"] == ["-6"] and s1["active_path_sum_equals_output"] is True
    assert s2["active_path_sum"] == ["5/2"]


def test_leaky_relu_file_with_bias(capsys, tmp_path):
    doc = {"widths": [2, 2, 1], "activation": {"name": "leaky_relu", "slope": "1/10"}, "bias": True,
           "weights": [[[1, -1], [-2, 1]], [[1, 3]]], "biases": [["1/2", 0], [1]],
           "inputs": [[1, 1]], "targets": [[0]]}
    f = tmp_path / "leaky.json"
    f.write_text(json.dumps(doc))
    code, out, err = run(capsys, "paths", str(f), "--format", "json")
    assert code == 0, err
    rep = json.loads(out)
    # h1 = (1/2, -1): outputs 1 + 1/2 + 3 * (-1/10) = 6/5; paths: 2*2 input + 2 bias-1 + 1 bias-2 = 7
    assert rep["paths_total"] == "7"
    (s,) = rep["active_paths"]
    assert s["output"] == ["6/5"] and s["path_sum"] == ["6/5"] and s["path_sum_equals_output"] is True
    # the active paths alone miss the leaky unit's share
    assert s["active_path_sum_equals_output"] is False and s["count"] == "4"  # x1, x2, b1[1] via h1[1]; b2


@pytest.mark.parametrize("argv, message", [
    (["paths", "--widths", "1000,1000,1", "--draw", "x.png"], "above the limit 5000 for drawing"),
    (["paths", "--widths", "1000,1000,1", "--dot", "x.dot"], "above the limit 200000"),
])
def test_huge_graphs_are_refused_up_front(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_paths_accepts_the_activation_text_derive_accepts(capsys):
    # one net builder (lossgeom.cli.build_net) for every command
    code, out, err = run(capsys, "paths", "--widths", "2,2,1", "--activation", "leaky_relu(slope=1/10)",
                         "--format", "json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["activation"] == {"name": "leaky_relu", "slope": "1/10"} and doc["paths_total"] == "4"
    code, out, err = run(capsys, "derive", "path-sum", "--widths", "2,2,1", "--activation", "leaky_relu(slope=1/10)",
                         "--format", "json")
    assert code == 0 and json.loads(out)["net"]["activation"] == doc["activation"]
    code, out, _ = run(capsys, "paths", "--widths", "2,2,1", "--activation", "leaky_relu(slope=1/10)",
                       "--format", "latex")
    assert out.startswith(r"\hat{y}_{1} = x_{1} Z_{1,1,1} W^{(1)}_{1,1} W^{(2)}_{1,1} + ")


@pytest.mark.parametrize("argv, message", [
    (["paths", EXAMPLE, "--loss", "square", "--bias"], "paths: --loss, --bias go with --widths"),
    (["paths", "--widths", "2,x", "--activation", "swish"], "invalid net (2 problems): widths"),
    (["paths", "--widths", "2,1", "--output-activation", "swish"], "output_activation: unknown activation 'swish'"),
])
def test_net_flags_are_checked_like_derive(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and err.count("\n") == 1 and out == ""
