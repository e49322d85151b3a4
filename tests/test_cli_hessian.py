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
    num = _json(capsys, _example("hessian_relu_cross_entropy.json"), "--dps", "25")
    assert [b["psd"] for b in num["layer_blocks"]] == [True, True]
    assert num["inertia"]["negative"] > 0            # while the full Hessian is indefinite
    rep = _json(capsys, _example("hessian_relu_cross_entropy.json"), "--dps", "25", "--certify")
    cert = rep["certified_inertia"]
    assert cert["positive"] <= num["inertia"]["positive"] and cert["negative"] == num["inertia"]["negative"]
    assert cert["tolerance"].startswith("certified")
    # certified: never "not PSD"; a block with an eigenvalue exactly 0 has an enclosure holding 0: undecided
    for b in rep["layer_blocks"]:
        lo, hi = (mpmath.mpf(v) for v in b["min_eigenvalue"].strip("[]").split(","))
        assert b["psd"] is (True if lo >= 0 else None) and hi >= 0 and b["basis"].startswith("ball Hessian")


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


# -- --certify: a ball Hessian and certified enclosures of the true Hessian's eigenvalues --------------
def _enclosures_hold(rep, values):
    from fractions import Fraction
    encs = rep["eigenvalue_enclosures"]
    return len(encs) == len(values) and all(Fraction(lo) <= v <= Fraction(hi) for (lo, hi), v in zip(encs, values))


def test_certify_on_the_166_parameter_tanh_net_encloses_the_1000_digit_spectrum(capsys):
    path = _example("hessian_tanh_5_10_8_2.json")
    rep = _json(capsys, path, "--dps", "50", "--certify")
    n = len(rep["parameters"])
    assert n == 166 and rep["samples"] == 6
    with mpmath.workdps(60):
        encs = [(mpmath.mpf(lo), mpmath.mpf(hi)) for lo, hi in rep["eigenvalue_enclosures"]]
        top = max(max(abs(lo), abs(hi)) for lo, hi in encs)
        assert all(lo <= hi and hi - lo <= top * mpmath.mpf(10) ** -40 for lo, hi in encs)
        assert [lo for lo, _ in encs] == sorted(lo for lo, _ in encs)
    cert = rep["certified_inertia"]
    assert rep["inertia"] == cert and cert["positive"] + cert["negative"] + cert["zero"] == n
    assert sum(1 for lo, hi in encs if lo > 0) == cert["positive"] and sum(1 for lo, hi in encs if hi < 0) == \
        cert["negative"]
    assert rep["rank"] == cert["positive"] + cert["negative"]
    assert ("undecided" in rep["rank_basis"]) == (cert["zero"] > 0)
    # independent: the Hessian at 120 digits by the mp engine; its trace (the sum of the eigenvalues) lies
    # between the sums of the lower and the upper ends
    ev = evaluate_net_file(read_net_file(path), dps=120)
    with mpmath.workdps(120):
        encs = [(mpmath.mpf(lo), mpmath.mpf(hi)) for lo, hi in rep["eigenvalue_enclosures"]]
        tr = mpmath.fsum(ev.hessian[i, i] for i in range(n))
        assert mpmath.fsum(lo for lo, _ in encs) <= tr <= mpmath.fsum(hi for _, hi in encs)
        assert mpmath.fsum(hi - lo for lo, hi in encs) < mpmath.mpf(10) ** -45


def test_certify_holds_the_exact_eigenvalues_of_a_rational_hessian(capsys):
    import sympy as sp
    path = _example("hessian_leaky_relu_square.json")
    rep = _json(capsys, path, "--dps", "30", "--certify")
    H = sp.Matrix([[sp.Rational(v) for v in row] for row in rep["hessian_exact"]])
    with mpmath.workdps(80):
        E = sorted(mpmath.eigsy(mpmath.matrix(H.tolist()), eigvals_only=True))
        encs = [(mpmath.mpf(lo), mpmath.mpf(hi)) for lo, hi in rep["eigenvalue_enclosures"]]
        assert all(lo - mpmath.mpf(10) ** -70 <= e <= hi + mpmath.mpf(10) ** -70 for (lo, hi), e in zip(encs, E))
    assert rep["exact"] and rep["inertia"]["tolerance"] == "exact"
    shrunk = dict(rep, eigenvalue_enclosures=[[lo, lo] for lo, _ in rep["eigenvalue_enclosures"]])
    with mpmath.workdps(80):
        assert not all(mpmath.mpf(lo) <= e <= mpmath.mpf(hi) for (lo, hi), e in
                       zip(shrunk["eigenvalue_enclosures"], E))


def test_certify_text_output_and_the_certify_size_limit(capsys):
    assert main(["hessian", _example("hessian_tanh_2_3_2.json"), "--dps", "20", "--certify"]) == 0
    out = capsys.readouterr().out
    assert "certified " in out and "refined enclosures" in out
    from lossgeom.commands.hessian import check_size
    from lossgeom.errors import SizeLimitError
    check_size(166, 6, 50, certify=True)
    with pytest.raises(SizeLimitError, match="hessian_parameters"):
        check_size(166, 6, 50)
    with pytest.raises(SizeLimitError, match="hessian_certify_parameters"):
        check_size(401, 1, 50, certify=True)


def test_certify_decides_a_preactivation_1e_70_from_a_kink_where_the_tolerance_cannot(capsys, tmp_path):
    from fractions import Fraction
    with mpmath.workdps(100):
        q = Fraction(int(mpmath.floor(mpmath.tanh(mpmath.mpf(1) / 2) * 10 ** 70)), 10 ** 70)
    path = tmp_path / "near_kink.json"
    path.write_text(json.dumps({"widths": [1, 1, 1], "activation": "tanh", "output_activation": "relu", "bias": True,
                                "weights": [[["1/2"]], [[1]]], "biases": [[0], [str(-q)]], "inputs": [[1]],
                                "targets": [["1/3"]]}))
    assert main(["hessian", str(path), "--dps", "50"]) == 2          # the tolerance calls it a kink
    assert "kink" in capsys.readouterr().err
    rep = _json(capsys, str(path), "--dps", "50", "--certify")          # the balls decide: h2 > 0, identity piece
    assert rep["kinks"] == [] and rep["certified_inertia"]["positive"] + rep["certified_inertia"]["negative"] >= 1
    with mpmath.workdps(60):
        assert mpmath.mpf(rep["gradient"][1]) != 0                  # dE/dW2 = (z - y) tanh(1/2) on the identity piece


def test_certify_reports_eigenvector_bounds_that_round_the_solvers_up(capsys):
    from fractions import Fraction

    from lossgeom.numeric.ball import ball_evaluate_net_file
    from lossgeom.numeric.certified_eig import certified_eigh
    path = _example("hessian_leaky_relu_square.json")
    rep = _json(capsys, path, "--dps", "30", "--certify")
    bounds = rep["eigenvector_error_bounds"]
    spec = certified_eigh(ball_evaluate_net_file(read_net_file(path), dps=30).hessian, 30)
    assert len(bounds) == len(rep["parameters"]) == len(spec.vector_bounds)
    for text, b in zip(bounds, spec.vector_bounds):
        sign, man, exp, _ = b._mpf_
        assert Fraction(int(man)) * Fraction(2) ** int(exp) <= Fraction(text) <= 1   # rounded up, never down
    isolated = [Fraction(t) for t, c in zip(bounds, rep["enclosure_counts"]) if c == 1]
    assert isolated and max(isolated) < Fraction(1, 10 ** 20)
