"""``lossgeom hessian``: text and JSON output on the shipped examples, kinks, and bad input."""

import json
import os

import mpmath
import pytest

from lossgeom.cli import main
from lossgeom.data import read_net_file
from lossgeom.numeric.evaluate import evaluate_net_file
from lossgeom.precision import agreeing_digits

EXAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "examples")


def _example(name):
    return os.path.join(EXAMPLES, name)


def _json(capsys, *args):
    assert main(["hessian", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_fields_and_values_on_the_tanh_example(capsys):
    path = _example("hessian_tanh_2_3_2.json")
    rep = _json(capsys, path, "--dps", "30")
    for field in ("parameters", "loss", "gradient", "hessian", "eigenvalues", "inertia", "trace", "dps", "kinks",
                  "layer_blocks"):
        assert field in rep
    nf = read_net_file(path)
    assert rep["parameters"] == list(nf.net.parameter_names())
    assert rep["dps"] == 30 and rep["kinks"] == [] and rep["samples"] == 3
    n = nf.net.n_params
    assert len(rep["hessian"]) == n and all(len(r) == n for r in rep["hessian"])
    inert = rep["inertia"]
    assert inert["positive"] + inert["negative"] + inert["zero"] == n and "e-" in inert["tolerance"]
    ev = evaluate_net_file(nf, dps=30)
    with mpmath.workdps(30):
        assert agreeing_digits(mpmath.mpf(rep["loss"]), ev.loss) >= 29
        assert min(agreeing_digits(mpmath.mpf(rep["hessian"][i][j]), ev.hessian[i, j])
                   for i in range(n) for j in range(n)) >= 29
        eig = [mpmath.mpf(e) for e in rep["eigenvalues"]]
        assert eig == sorted(eig)
        assert abs(mpmath.fsum(eig) - mpmath.mpf(rep["trace"])) < mpmath.mpf(10) ** -25
    assert len(rep["loss"].replace("-", "").replace(".", "").lstrip("0")) >= 28   # the requested digits


def test_text_summary_is_readable(capsys):
    assert main(["hessian", _example("hessian_tanh_2_3_2.json"), "--dps", "20"]) == 0
    out = capsys.readouterr().out
    assert "17 parameter(s), 3 sample(s) (loss summed), 20 digits" in out
    assert "inertia   " in out and "counts as zero" in out
    assert "eigenvalues (ascending)" in out and "layer 2 (W2[1,1] .. b2[2])" in out
    assert "W1[1,1]" in out and "kinks     none" in out


def test_relu_cross_entropy_example_layer_blocks_are_psd(capsys):
    # Botev et al.: piecewise-linear f and a convex loss give PSD pre-activation Hessians, so PSD layer blocks
    rep = _json(capsys, _example("hessian_relu_cross_entropy.json"), "--dps", "25", "--certify")
    assert [b["psd"] for b in rep["layer_blocks"]] == [True, True]
    assert rep["inertia"]["negative"] > 0            # while the full Hessian is indefinite
    cert = rep["certified_inertia"]
    assert cert["positive"] <= rep["inertia"]["positive"] and cert["negative"] <= rep["inertia"]["negative"]
    assert cert["tolerance"].startswith("certified")


def test_kink_is_a_one_line_error_naming_the_unit(capsys):
    assert main(["hessian", _example("hessian_relu_kink.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "h1[1] (sample 1)" in err and "kink" in err


def test_missing_inputs_names_the_field(capsys, tmp_path):
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"widths": [1, 1], "weights": [[[1]]]}))
    assert main(["hessian", str(path)]) == 2
    err = capsys.readouterr().err
    assert "inputs" in err and err.count("\n") == 1


def test_bad_file_and_bad_dps(capsys, tmp_path):
    assert main(["hessian", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["hessian", _example("hessian_tanh_2_3_2.json"), "--dps", "3"])
    assert exc.value.code == 2
    assert "--dps" in capsys.readouterr().err


def test_out_file(tmp_path, capsys):
    out = tmp_path / "h.json"
    assert main(["hessian", _example("hessian_tanh_2_3_2.json"), "--dps", "15", "--format", "json",
                 "--out", str(out)]) == 0
    assert json.loads(out.read_text())["dps"] == 15


def test_rational_hessian_is_decided_exactly(capsys):
    from fractions import Fraction

    import sympy as sp
    rep = _json(capsys, _example("hessian_leaky_relu_square.json"), "--dps", "30")
    assert rep["exact"] is True and rep["inertia"]["tolerance"] == "exact" and rep["rank_basis"] == "exact"
    Hx = sp.Matrix([[sp.Rational(v) for v in row] for row in rep["hessian_exact"]])
    assert Hx == Hx.T and Hx.rank() == rep["rank"]
    assert sp.Rational(rep["trace"]) == Hx.trace()
    # the decimal Hessian is the exact one rounded to 30 digits
    with mpmath.workdps(40):
        assert all(abs(mpmath.mpf(rep["hessian"][i][j]) - mpmath.mpf(Fraction(str(Hx[i, j])).numerator)
                       / Fraction(str(Hx[i, j])).denominator) < mpmath.mpf(10) ** -28
                   for i in range(Hx.rows) for j in range(Hx.cols))
    zero = [e for e in rep["eigenvalues"] if mpmath.mpf(e) == 0]
    assert len(zero) == rep["inertia"]["zero"] == Hx.rows - rep["rank"]
    assert [b["basis"].startswith("exact") for b in rep["layer_blocks"]] == [True, True]


# -- the library result the command formats -------------------------------------------------------------
def test_hessian_summary_decides_exactly_against_sympy_eigenvalues():
    from fractions import Fraction

    import sympy as sp

    from lossgeom.numeric.summary import HessianSummary, summarize_net_file

    nf = read_net_file(_example("hessian_leaky_relu_square.json"))
    s = summarize_net_file(nf, dps=30)
    assert s.is_exact and s.inertia.tolerance == "exact"
    H = sp.Matrix(s.exact.hessian)
    # an independent oracle: SymPy's exact eigenvalues (roots of the characteristic polynomial)
    roots = sp.Poly(H.charpoly().as_expr(), sp.Symbol("lambda")).all_roots()
    signs = [sp.sign(sp.N(r, 50)) if r != 0 else 0 for r in roots]
    assert (s.inertia.positive, s.inertia.negative, s.inertia.zero) == (signs.count(1), signs.count(-1),
                                                                        signs.count(0))
    assert s.rank == H.rank() and s.trace == H.trace()
    assert sum(1 for e in s.eigenvalues if e == 0) == s.inertia.zero  # exactly-zero eigenvalues snapped to 0
    assert list(s.eigenvalues) == sorted(s.eigenvalues)
    for b in s.blocks:
        block = sp.Matrix(s.exact.layer_block(b.layer))
        assert b.verdict.psd == all(sp.N(r, 50) >= -Fraction(1, 10 ** 40) for r in
                                    sp.Poly(block.charpoly().as_expr(), sp.Symbol("lambda")).all_roots())
    numeric = HessianSummary.from_evaluation(s.evaluation)  # without the exact pass: numeric verdicts
    assert not numeric.is_exact and "e-" in numeric.inertia.tolerance
    assert numeric.inertia.positive == s.inertia.positive and numeric.inertia.negative == s.inertia.negative
