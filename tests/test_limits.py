"""Every limit of lossgeom.limits.LIMITS: a request at the limit is accepted, one past it is refused
(SizeLimitError naming the limit; exit 2 with one line on stderr from the command line)."""

import json

import pytest
import sympy as sp

from lossgeom import Net, SizeLimitError
from lossgeom.cli import main
from lossgeom.limits import LIMITS, critical_work_units, hessian_work_units
from lossgeom.precision import MAX_DPS, MIN_DPS, Precision, check_dps, int_digits_for

#: Limits whose refusal through the real entry point is tested below (the others are tested in
#: tests/core/test_input_limits.py and through Limit.check here).
COMMAND_LIMITS = ("dps", "verify_dps", "hessian_parameters", "hessian_work", "critical_hessian_parameters", "critical_subsets",
                  "critical_work", "critical_data_entries", "derive_parameters", "derive_block_entries",
                  "derive_equation_terms", "expand_parameters", "path_sum_paths", "spin_glass_terms",
                  "activation_cells", "graph_edges", "draw_edges", "paths_enumerated", "derive_samples")


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_every_limit_accepts_its_value_and_refuses_one_more(name):
    lim = LIMITS[name]
    assert lim.check(lim.value, "field") == lim.value
    with pytest.raises(SizeLimitError, match=r"^field: .*\(limit %s\)$" % name):
        lim.check(lim.value + 1, "field")


def test_every_row_is_documented():
    for lim in LIMITS.values():
        assert lim.value > 0 and lim.unit and lim.what and lim.where and lim.cost, lim.name
    assert set(COMMAND_LIMITS) <= set(LIMITS)


def test_module_aliases_are_the_table():
    from lossgeom.commands import derive, hessian, paths
    from lossgeom.numeric import critical, graph_io
    from lossgeom.symbolic import hessian as shessian
    from lossgeom.symbolic import paths as spaths
    assert hessian.MAX_PARAMS == LIMITS["hessian_parameters"].value
    assert derive.MAX_BLOCK_ENTRIES == LIMITS["derive_block_entries"].value
    assert derive.MAX_EQUATION_TERMS == LIMITS["derive_equation_terms"].value
    assert paths.MAX_GRAPH_EDGES == LIMITS["graph_edges"].value
    assert critical.MAX_SUBSETS == LIMITS["critical_subsets"].value
    assert critical.MAX_HESSIAN_SIZE == LIMITS["critical_hessian_parameters"].value
    assert graph_io.MAX_DRAW_EDGES == LIMITS["draw_edges"].value
    assert shessian.EXPAND_LIMIT == LIMITS["expand_parameters"].value
    assert spaths.MAX_PATHS == LIMITS["path_sum_paths"].value
    assert MAX_DPS == LIMITS["dps"].value and MIN_DPS == 15


def _one_line_error(capsys, argv, name):
    try:
        rc = main(argv)
    except SystemExit as exc:   # refused while parsing the flags (argparse: "lossgeom derive: error: ...")
        rc = exc.code
    assert rc == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lossgeom") and ": error: " in err, err
    assert "limit %s" % name in err, err
    return err


# -- dps ------------------------------------------------------------------------------------------
def test_dps_at_and_past_the_limit():
    assert check_dps(MAX_DPS) == MAX_DPS
    assert Precision.resolve(MAX_DPS).digits == MAX_DPS
    with pytest.raises(ValueError, match="from 15 to %d" % MAX_DPS):
        check_dps(MAX_DPS + 1)


def test_dps_past_the_limit_on_the_command_line(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["verify", "kawaguchi2016.theorem-ii", "--dps", str(MAX_DPS + 1)])
    assert exc.value.code == 2
    assert str(MAX_DPS) in capsys.readouterr().err


def test_int_string_limit_is_raised_for_the_precision_and_restored():
    import sys
    before = sys.get_int_max_str_digits()
    with Precision.resolve(MAX_DPS).context():
        assert len(str(10 ** (MAX_DPS + 5))) == MAX_DPS + 6
    assert sys.get_int_max_str_digits() == before
    with int_digits_for("exact"):
        assert sys.get_int_max_str_digits() == before


def test_verify_theorem_ii_at_the_verify_dps_limit(capsys):
    # about 4 s at 5000 digits
    dps = LIMITS["verify_dps"].value
    assert main(["verify", "kawaguchi2016.theorem-ii", "--dps", str(dps), "--quiet", "--format", "json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["matched"] == 1 and rep["claims"][0]["outcome"] == "verified" and rep["dps"] == dps
    _one_line_error(capsys, ["verify", "kawaguchi2016.theorem-ii", "--dps", str(dps + 1)], "verify_dps")
    _one_line_error(capsys, ["report", "kawaguchi2016.theorem-ii", "--dps", str(dps + 1), "--out", "x.md"],
                    "verify_dps")


def test_theorem_ii_at_max_dps_through_the_api():
    # about 7 s at 10000 digits (the Python API accepts MAX_DPS; the command line stops at verify_dps)
    from lossgeom.proofs import get_claim
    rep = get_claim("kawaguchi2016.theorem-ii").verify(dps=MAX_DPS)
    assert rep.outcome == "verified" and rep.matches


@pytest.mark.slow
def test_critical_at_max_dps(capsys):
    # about 60 s at 10000 digits (crashed on Python's 4,300-digit int/str limit before)
    assert main(["critical", "examples/linear_3_2_2_2_3.json", "--dps", str(MAX_DPS), "--format", "json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["dps"] == MAX_DPS
    assert len(rep["global_minimum_value"]) > 4300
    assert sum(c["classification"] == "global minimum" for c in rep["critical_points"]) >= 1


# -- hessian --------------------------------------------------------------------------------------
def _net_file(tmp_path, widths, samples=1):
    doc = {"widths": list(widths), "activation": "tanh",
           "weights": [[["1/%d" % (i + j + 2) for j in range(widths[l - 1])] for i in range(widths[l])]
                       for l in range(1, len(widths))],
           "inputs": [[1] * widths[0]] * samples, "targets": [[0] * widths[-1]] * samples}
    path = tmp_path / "net.json"
    path.write_text(json.dumps(doc))
    return str(path)


def test_hessian_parameters_at_and_past_the_limit(tmp_path, capsys):
    from lossgeom.commands.hessian import check_size
    n = LIMITS["hessian_parameters"].value
    # at the limit the command takes about 30 s: the size check alone is tested there
    check_size(n, 1, 50)
    with pytest.raises(SizeLimitError, match="limit hessian_parameters"):
        check_size(n + 1, 1, 50)
    # 1-71-1 tanh net: 142 parameters, refused before work
    _one_line_error(capsys, ["hessian", _net_file(tmp_path, (1, 71, 1))], "hessian_parameters")


def test_hessian_work_at_and_past_the_limit(tmp_path, capsys):
    from lossgeom.commands.hessian import check_size
    limit = LIMITS["hessian_work"].value
    n = max(k for k in range(1, 100) if hessian_work_units(k, 1, MAX_DPS) <= limit)
    check_size(n, 1, MAX_DPS)
    with pytest.raises(SizeLimitError, match="limit hessian_work"):
        check_size(n + 1, 1, MAX_DPS)
    m = max(k for k in range(90000, 110000, 100) if hessian_work_units(2, k, 50) <= limit)
    assert m >= 100000  # the samples limit of net files is accepted for the smallest net
    assert hessian_work_units(2, 100000, 50) <= limit
    # 4-4-4 (32 parameters) at 10000 digits: about 80 s, refused
    _one_line_error(capsys, ["hessian", _net_file(tmp_path, (4, 4, 4)), "--dps", str(MAX_DPS)], "hessian_work")


def test_hessian_at_a_cheap_size_works(tmp_path, capsys):
    assert main(["hessian", _net_file(tmp_path, (1, 2, 1)), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["samples"] == 1


# -- critical -------------------------------------------------------------------------------------
def test_critical_hessian_parameters_and_subsets_past_the_limit():
    from lossgeom.numeric.critical import enumerate_critical_points
    with pytest.raises(SizeLimitError, match="limit critical_hessian_parameters"):
        enumerate_critical_points(Net(widths=(10, 21, 10)), sp.eye(10), sp.eye(10), dps=50)
    with pytest.raises(SizeLimitError, match="limit critical_subsets"):
        enumerate_critical_points(Net(widths=(14, 7, 14)), sp.eye(14), sp.eye(14), dps=50, classify=False)
    # C(14, 0..6) = 6476 subsets > 5000; C(13, 0..6) = 4096 accepted (checked by counting alone)
    import math
    assert sum(math.comb(13, k) for k in range(7)) <= LIMITS["critical_subsets"].value


def test_critical_work_at_and_past_the_limit():
    from lossgeom.numeric.critical import enumerate_critical_points
    # 3-2-2-2-3 at 10000 digits (the example file): at the limit's scale, accepted (slow test above runs it)
    assert critical_work_units(7, 20, MAX_DPS) <= LIMITS["critical_work"].value
    # 3-3-3-3-3: 36 parameters, 8 subsets at 10000 digits: refused before work
    with pytest.raises(SizeLimitError, match="limit critical_work"):
        enumerate_critical_points(Net(widths=(3, 3, 3, 3, 3)), sp.eye(3), sp.diag(3, 2, 1), dps=MAX_DPS)


def test_critical_data_entries(tmp_path, capsys):
    from lossgeom.commands.critical import check_data
    check_data(50000, 2)
    with pytest.raises(SizeLimitError, match="limit critical_data_entries"):
        check_data(50001, 2)
    doc = {"widths": [1, 1, 1], "activation": "identity", "inputs": [[1 + k % 3] for k in range(50001)],
           "targets": [[k % 5] for k in range(50001)]}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc))
    _one_line_error(capsys, ["critical", str(path)], "critical_data_entries")


# -- derive ---------------------------------------------------------------------------------------
def test_derive_parameters(capsys):
    # at the limit (100-100-100, 20,000 parameters) derive gradient takes about 11 s: the check alone
    assert Net(widths=(100, 100, 100)).n_params == LIMITS["derive_parameters"].value
    LIMITS["derive_parameters"].check(Net(widths=(100, 100, 100)).n_params, "derive")
    _one_line_error(capsys, ["derive", "gradient", "--widths", "100,100,101"], "derive_parameters")
    _one_line_error(capsys, ["derive", "gradient", "--widths", "10000,100,1"], "derive_parameters")


def test_derive_block_terms_and_expand(capsys):
    _one_line_error(capsys, ["derive", "hessian", "--widths", "20,30,1", "--blocks"], "derive_block_entries")
    _one_line_error(capsys, ["derive", "hessian", "--widths", "10,30,30,1"], "derive_equation_terms")
    _one_line_error(capsys, ["derive", "gradient", "--widths", "10,20,1", "--expand"], "expand_parameters")
    assert main(["derive", "gradient", "--widths", "2,2,1"]) == 0


# -- paths ----------------------------------------------------------------------------------------
def test_path_sum_and_spin_glass():
    from lossgeom.symbolic.paths import expand_path_sum
    from lossgeom.symbolic.spin_glass import spin_glass_form
    with pytest.raises(SizeLimitError, match="limit path_sum_paths"):
        expand_path_sum(Net(widths=(21, 1000, 1), activation="relu"))
    with pytest.raises(SizeLimitError, match="limit spin_glass_terms"):
        spin_glass_form(14, size=2)  # 2^15 terms
    assert 2 ** 14 <= LIMITS["spin_glass_terms"].value


def test_activation_cells():
    from lossgeom.symbolic.forward import activation_cells
    assert len(list(activation_cells(Net(widths=(1, 8, 1), activation="relu")))) == 256
    with pytest.raises(SizeLimitError):
        list(activation_cells(Net(widths=(1, 9, 1), activation="relu")))


def test_graph_and_draw_edges(capsys):
    _one_line_error(capsys, ["paths", "--widths", "1000,1000,1", "--draw", "x.png"], "draw_edges")
    _one_line_error(capsys, ["paths", "--widths", "1000,1000,1", "--dot", "x.dot"], "graph_edges")


def test_paths_enumerated(tmp_path, capsys):
    widths = (2,) + (10,) * 6 + (1,)  # 2 * 10^6 paths
    assert Net(widths=widths).n_params and 2 * 10 ** 6 * 2 == LIMITS["paths_enumerated"].value
    # at the limit (2 samples, 4 million paths) the command takes about 20-40 s: the check alone there
    LIMITS["paths_enumerated"].check(2 * 10 ** 6 * 2, "paths")
    doc = {"widths": list(widths), "activation": "relu",
           "weights": [[[1] * widths[l - 1]] * widths[l] for l in range(1, len(widths))],
           "inputs": [[1, 2]] * 3, "targets": [[0]] * 3}
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(doc))
    _one_line_error(capsys, ["paths", str(path)], "paths_enumerated")
    doc.update(widths=[2, 2, 1], weights=[[[1, 2], [3, 4]], [[1, -1]]])
    path.write_text(json.dumps(doc))
    assert main(["paths", str(path)]) == 0


def test_derive_samples(capsys):
    _one_line_error(capsys, ["derive", "linear-gradient", "--widths", "2,2,1", "--activation", "identity",
                             "--samples", "21"], "derive_samples")
    assert main(["derive", "linear-gradient", "--widths", "2,1", "--activation", "identity", "--samples", "20"]) == 0
