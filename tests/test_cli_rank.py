"""`lossgeom rank`: Shen's P(W) at a net file's weights, the JSON contract and one-line errors (exit 2)."""

import json
import os

import pytest

from lossgeom.cli import main

EXAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "examples")
XOR_IN, XOR_OUT = [[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]]


def write(tmp_path, doc):
    path = tmp_path / "net.json"
    path.write_text(json.dumps(doc))
    return str(path)


def run_json(capsys, path):
    assert main(["rank", path, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_exact_xor_fit(capsys):
    rep = run_json(capsys, os.path.join(EXAMPLES, "shen_xor_2_2_1.json"))
    assert [(b["rows"], b["cols"], b["rank"], b["rank_basis"]) for b in rep["blocks"]] == [(6, 4, 4, "exact"),
                                                                                         (3, 4, 3, "exact")]
    assert (rep["rank"], rep["rank_basis"], rep["n_net"], rep["n_l_t"]) == (4, "exact", 9, 4)
    assert rep["critical"] and rep["exact_fit"] and rep["counting_condition"]
    assert rep["verdict"].startswith("global minimum")


def test_rank_drop_critical_point(capsys):
    rep = run_json(capsys, os.path.join(EXAMPLES, "shen_xor_rank_drop.json"))
    assert (rep["rank"], rep["critical"], rep["exact_fit"]) == (1, True, False)
    assert "does not apply" in rep["verdict"]


def test_tanh_is_certified_and_leaky_relu_exact(tmp_path, capsys):
    doc = {"widths": [2, 2, 1], "activation": "tanh", "bias": True, "weights": [[[1, 2], [-1, "1/2"]], [[1, -2]]],
           "biases": [["1/3", "1/5"], [0]], "inputs": XOR_IN, "targets": XOR_OUT}
    rep = run_json(capsys, write(tmp_path, doc))
    assert rep["rank_basis"] == "certified" and rep["rank"] == 4 and not rep["critical"]
    doc["activation"] = {"name": "leaky_relu", "slope": "1/10"}
    rep = run_json(capsys, write(tmp_path, doc))
    assert rep["rank_basis"] == "exact" and rep["gradient_norm"] != "0"


def test_a_few_samples_violate_nothing_but_many_break_the_count(tmp_path, capsys):
    inputs = [[i, i * i % 7] for i in range(8)]
    doc = {"widths": [2, 1, 1], "activation": "softsign", "bias": True, "weights": [[[1, 2]], [[3]]],
           "biases": [["1/3"], [0]], "inputs": inputs, "targets": [[i % 2] for i in range(8)]}
    rep = run_json(capsys, write(tmp_path, doc))
    assert (rep["n_net"], rep["n_l_t"], rep["counting_condition"]) == (5, 8, False) and rep["rank"] <= 5


@pytest.mark.parametrize("doc, message", [
    ({"widths": [1, 1, 2], "loss": "cross_entropy", "weights": [[[1]], [[1], [2]]], "inputs": [[1]],
      "targets": [[0, 1]]}, "square loss"),
    ({"widths": [1, 1, 1], "activation": "relu", "weights": [[[1]], [[1]]], "inputs": [[0]], "targets": [[0]]},
     "kink of relu"),
    ({"widths": [1, 1, 1], "activation": "tanh", "weights": [[[1]], [[1]]]}, "needs all three"),
    ({"widths": [1, 1, 1], "activation": "f", "weights": [[[1]], [[1]]], "inputs": [[0]], "targets": [[0]]},
     "activation"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, doc, message):
    assert main(["rank", write(tmp_path, doc)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_size_limits_are_one_line(tmp_path, capsys):
    from lossgeom.commands.rank import MAX_EXACT_ENTRIES
    width = 60
    doc = {"widths": [1, width, width, 1], "activation": "softsign", "bias": True,
           "weights": [[[1]] * width, [[0] * width] * width, [[0] * width]],
           "biases": [[0] * width, [0] * width, [0]], "inputs": [[k] for k in range(3)], "targets": [[0]] * 3}
    assert (2 * width + width * (width + 1) + width + 1) * 3 > MAX_EXACT_ENTRIES
    assert main(["rank", write(tmp_path, doc)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "the limit is %d" % MAX_EXACT_ENTRIES in err[0]
