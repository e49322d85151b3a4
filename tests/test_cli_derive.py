"""``lossgeom derive`` and the CLI contract (exit 2, one line on stderr, no traceback)."""

import json

import pytest

from lossgeom.cli import main


def test_derive_hessian_text(capsys):
    assert main(["derive", "hessian", "--widths", "1,2,1", "--activation", "tanh", "--bias"]) == 0
    out = capsys.readouterr().out
    assert "h1[1] = W1[1,1]*x[1] + b1[1]" in out
    assert "H2[1,1] = 1" in out
    assert "d2E/dtheta_1^2 = ([a_0; 1] [a_0; 1]^T) kron H_1" in out


def test_derive_json_is_complete_and_stable(capsys):
    assert main(["derive", "gauss-newton", "--widths", "2,2,2", "--activation", "leaky_relu(slope=1/10)",
                 "--loss", "cross_entropy", "--blocks", "--layer", "2", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["kind"] == "gauss-newton"
    assert doc["net"]["activation"] == {"name": "leaky_relu", "slope": "1/10"}
    assert [l["layer"] for l in doc["layers"]] == [2]
    assert len(doc["layers"][0]["entries"]) == 4
    assert doc["parameters"][:2] == ["W1[1,1]", "W1[2,1]"]
    assert not any("f''" in e["rhs"] for e in doc["equations"])


def test_derive_expand_uses_cse(capsys):
    assert main(["derive", "hessian", "--widths", "2,2,1", "--expand", "--layer", "2"]) == 0
    out = capsys.readouterr().out
    assert "c0 = tanh(W1[1,1]*x[1] + W1[1,2]*x[2])" in out


def test_derive_latex(capsys):
    assert main(["derive", "gradient", "--widths", "2,1", "--format", "latex"]) == 0
    assert r"\delta^{(1)}_{1} &= h^{(1)}_{1} - y_{1}" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["derive", "hessian", "--widths", "2,x"], "widths: expected comma-separated positive integers"),
    (["derive", "hessian", "--widths", "2,1", "--activation", "swish"], "unknown activation 'swish'"),
    (["derive", "hessian", "--widths", "2,1", "--loss", "hinge"], "unknown loss 'hinge'"),
    (["derive", "hessian", "--widths", "2,1", "--weight-decay", "lots"], "weight_decay"),
    (["derive", "hessian", "--widths", "2,1", "--layer", "3"], "--layer: expected a layer from 1 to 1"),
    (["derive", "hessian", "--widths", "20,30,1", "--blocks"], "above the limit"),
    (["derive", "jacobian", "--widths", "2,1"], "invalid choice"),
    (["verify", "no.such-claim"], "unknown claim id"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        code = main(argv)
        raise SystemExit(code)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_out_file_is_written_atomically(tmp_path, capsys):
    out = tmp_path / "d.json"
    assert main(["derive", "gradient", "--widths", "1,1", "--format", "json", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["kind"] == "gradient"
    assert main(["derive", "gradient", "--widths", "1,1", "--out", str(tmp_path / "no" / "x.txt")]) == 2
    assert list(tmp_path.iterdir()) == [out]
