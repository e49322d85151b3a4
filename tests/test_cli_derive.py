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


def test_derive_path_sum_matches_forward_pass_for_linear_nets(capsys):
    assert main(["derive", "path-sum", "--widths", "2,2,1", "--activation", "relu", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["paths"] == 4 and "Z[1,1,1]" in doc["outputs"][0]


def test_linear_gradient_equals_backprop_gradient(capsys):
    # Kawaguchi's Kronecker-form gradient and the Botev backprop gradient are derived independently.
    import sympy as sp

    from lossgeom import Net
    from lossgeom.symbolic import derive_gradient
    from lossgeom.symbolic.linear import generic_linear_instance, lemma1_gradient
    assert main(["derive", "linear-gradient", "--widths", "2,2,1", "--activation", "identity",
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    point = generic_linear_instance(Net(widths=(2, 2, 1)), 1)
    X, Y = point.X, point.Y
    bp = derive_gradient(Net(widths=(2, 2, 1)))
    rename = {sp.Symbol("x[%d]" % i, real=True): X[i - 1, 0] for i in (1, 2)}
    rename[sp.Symbol("y[1]", real=True)] = Y[0, 0]
    for layer in doc["layers"]:
        k = layer["layer"]
        kawaguchi = lemma1_gradient(Net(widths=(2, 2, 1)), point, k)
        assert layer["gradient"] == [str(v) for v in kawaguchi]
        backprop = bp.expand(bp.gradient(k)).xreplace(rename)
        assert sp.expand(kawaguchi - backprop) == sp.zeros(*kawaguchi.shape)


def test_linear_gradient_needs_a_linear_net(capsys):
    assert main(["derive", "linear-gradient", "--widths", "2,1", "--activation", "tanh"]) == 2
    assert "needs a deep linear net" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["derive", "hessian", "--widths", "10,30,30,1"], "above the limit 60000"),
    (["derive", "hessian", "--widths", "10,20,1", "--expand", "--layer", "2"], "--expand: the net has 220"),
])
def test_large_requests_are_refused_up_front(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_derive_reports_every_bad_net_flag_at_once(capsys):
    assert main(["derive", "hessian", "--widths", "2,x", "--activation", "swish", "--output-activation", "nope"]) == 2
    err = capsys.readouterr().err
    assert "invalid net (3 problems)" in err and "widths: expected comma-separated positive integers" in err
    assert "activation: unknown activation 'swish'" in err and "output_activation: unknown activation 'nope'" in err


def test_derive_proof_prints_the_general_proof(capsys):
    assert main(["derive", "hessian", "--proof"]) == 0
    out = capsys.readouterr().out
    assert "General proof: Botev's Hessian recursion" in out and "[inductive step]" in out and "[base case]" in out
    assert out.count("Outcome: proved") == 3 and "NOT decided" not in out


def test_derive_proof_json(capsys):
    assert main(["derive", "linear-gradient", "--proof", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (proof,) = doc["proofs"]
    assert proof["outcome"] == "proved" and "kawaguchi2016.lemma1-gradient" in proof["claims"]
    assert proof["scope"].startswith("every depth")


def test_derive_proof_refuses_net_flags_and_widths_are_needed_without_it(capsys):
    assert main(["derive", "hessian", "--proof", "--widths", "2,1", "--bias"]) == 2
    assert "--proof: the general proof is for every net; drop --bias, --widths" in capsys.readouterr().err
    assert main(["derive", "hessian"]) == 2
    assert "--widths: required (except with --proof)" in capsys.readouterr().err


def test_derive_hessian_structured_names_U_and_matches_the_named_blocks(capsys):
    from lossgeom import Net
    from lossgeom.symbolic import derive_hessian

    assert main(["derive", "hessian", "--widths", "2,3,2", "--structured", "--blocks", "--expand", "--format",
                 "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["title"].startswith("Structured Hessian recursion")
    lhs = [e["lhs"] for e in doc["equations"]]
    assert "U1[2,3]" in lhs and lhs.index("U1[2,3]") < lhs.index("H1[1,3]")
    rec = derive_hessian(Net(widths=(2, 3, 2)))
    for layer in doc["layers"]:  # the expanded blocks (after cse) have the named recursion's entries
        l = layer["layer"]
        assert len(layer["entries"]) == rec.layer_block(l).rows
    assert main(["derive", "hessian", "--widths", "1,2,1", "--structured", "--format", "latex"]) == 0
    assert r"\mathcal{U}^{(1)}_{1,2}" in capsys.readouterr().out
