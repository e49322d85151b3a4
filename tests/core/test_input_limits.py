"""Each input limit of lossgeom.limits, tested at the limit (accepted) and one past it (refused, naming the limit)."""

import json

import pytest
import sympy as sp

from lossgeom import Net, SizeLimitError, parse_number, read_net_file, resolve_point
from lossgeom.limits import LIMITS
from lossgeom.numbers import number_digits


def refused(name):
    return pytest.raises(SizeLimitError, match=r"\(limit %s\)" % name)


def test_number_digits():
    n = LIMITS["number_digits"].value
    assert parse_number("9" * n) == sp.Integer(10) ** n - 1
    assert number_digits(parse_number("1/" + "3" * (n - 1))) == n and parse_number("1/" + "3" * (n - 1)).q % 3 == 0
    with refused("number_digits"):
        parse_number("9" * (n + 1))
    with refused("number_digits"):
        parse_number("1/" + "3" * n)
    with refused("number_digits"):
        parse_number(10 ** n)          # a Python int of n + 1 digits


def test_exponent():
    e = LIMITS["exponent"].value
    assert parse_number("1e%d" % e) == sp.Integer(10) ** e and parse_number("1e-%d" % e) == sp.Rational(1, 10 ** e)
    for text in ("1e%d" % (e + 1), "1e-%d" % (e + 1), "1e99999999999999999999"):
        with refused("exponent"):
            parse_number(text)


def _write(tmp_path, doc, name="net.json"):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def test_input_digits(tmp_path):
    per, n = 9999, LIMITS["input_digits"].value // 9999        # 400 numbers of 9,999 digits: 3,999,600 digits
    assert n * per <= LIMITS["input_digits"].value < (n + 1) * per
    nf = read_net_file(_write(tmp_path, {"widths": [n, 1], "weights": [[["9" * per] * n]]}))
    assert nf.weights[0].shape == (1, n)
    with refused("input_digits"):
        read_net_file(_write(tmp_path, {"widths": [n + 1, 1], "weights": [[["9" * per] * (n + 1)]]}))


def test_input_numbers(tmp_path):
    n = LIMITS["input_numbers"].value
    path = _write(tmp_path, {"widths": [n // 1000, 1000], "weights": [[[1] * (n // 1000)] * 1000]})
    assert read_net_file(path).net.n_params == n
    with refused("input_numbers"):
        read_net_file(_write(tmp_path, {"widths": [n // 1000, 1000], "bias": True,
                                        "weights": [[[1] * (n // 1000)] * 1000], "biases": [[0] * 1000]}))
    with refused("input_numbers"):
        resolve_point(Net(widths=(n // 1000 + 1, 1000)), [[[0] * (n // 1000 + 1)] * 1000])


def test_file_bytes(tmp_path):
    doc = json.dumps({"widths": [1, 1], "weights": [[[1]]]})
    pad = LIMITS["file_bytes"].value - len(doc)
    assert read_net_file(_write(tmp_path, doc[:-1] + " " * pad + "}")).weights[0][0, 0] == 1
    with refused("file_bytes"):
        read_net_file(_write(tmp_path, doc[:-1] + " " * (pad + 1) + "}"))


def test_json_depth(tmp_path):
    d = LIMITS["json_depth"].value   # the top-level object is one level, "description" holds the rest
    ok = {"widths": [1, 1], "description": json.loads("[" * (d - 1) + "]" * (d - 1))}
    assert read_net_file(_write(tmp_path, ok)).net.widths == (1, 1)
    with refused("json_depth"):
        read_net_file(_write(tmp_path, {"widths": [1, 1], "description": json.loads("[" * d + "]" * d)}))


def test_layer_width_depth_and_parameters():
    w, L, P = LIMITS["layer_width"].value, LIMITS["depth"].value, LIMITS["parameters"].value
    assert Net(widths=(1, w)).widths == (1, w) and Net(widths="1," + str(w)).widths == (1, w)
    with refused("layer_width"):
        Net(widths=(1, w + 1))
    with refused("layer_width"):
        Net(widths="1,%d" % (w + 1))
    assert Net(widths=(1,) * (L + 1)).depth == L
    with refused("depth"):
        Net(widths=(1,) * (L + 2))
    assert Net(widths=(P // w, w)).n_params == P
    with refused("parameters"):
        Net(widths=(P // w, w), bias=True)


def test_samples_and_data_entries():
    m, e = LIMITS["samples"].value, LIMITS["data_entries"].value
    assert 2 * m == e     # a 1-1 net at the sample limit is also at the entry limit
    pt = resolve_point(Net(widths=(1, 1)), [[[1]]], X=[[0] * m], Y=[[0] * m])
    assert pt.n_samples == m
    with refused("samples"):
        resolve_point(Net(widths=(1, 1)), [[[1]]], X=[[0] * (m + 1)], Y=[[0] * (m + 1)])
    k = e // 3 + 1        # a 2-1 net: 3 numbers per sample, 3k = e + 2 entries
    with refused("data_entries"):
        resolve_point(Net(widths=(2, 1)), [[[1, 1]]], X=[[0] * k] * 2, Y=[[0] * k])
