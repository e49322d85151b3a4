"""A standing hostile-input suite for the command line: every subcommand, every value option and every net-file
argument, fed code-like text, huge and deep inputs, Unicode digits and special files.  Each case must end with exit
2 and one line on stderr (or, for the few values that are valid, a normal run), never a traceback, never run the
text, and never leave a file behind.

The subcommands and their options are read from the parser, so a new option cannot escape the table.
"""

import argparse
import contextlib
import io
import json
import os
import stat

import pytest

from lossgeom.cli import build_parser, main

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
CODE = "__import__('os').system('touch PWNED')"
HOSTILE = [CODE, "", "²", "1" * 5000, "-1", "nan", "1e99999", "0", "9" * 30, "{}", "2,3,1" * 1000, "٣"]
# Cheap, valid command lines; one option at a time is replaced by a hostile value.
BASE = {
    "verify": ["verify", "choromanska2015.path-count"],
    "derive": ["derive", "gradient", "--widths", "1,1,1"],
    "hessian": ["hessian", os.path.join(EXAMPLES, "hessian_tanh_2_3_2.json")],
    "paths": ["paths", "--widths", "2,2,1"],
    "critical": ["critical", os.path.join(EXAMPLES, "linear_3_1_3.json")],
    "report": ["report", "choromanska2015.path-count", "--out", "r.md"],
    "rank": ["rank", os.path.join(EXAMPLES, "shen_xor_2_2_1.json")],
    "check": ["check", "preactivation-hessian", "1", "--widths", "1,1,1", "--answer", "H1[1,1]", "--points", "2"],
    "landscape": ["landscape", os.path.join(EXAMPLES, "landscape_relu_3_4_2.json"), "--out", "l.png",
                  "--points", "5"],
    "milne": ["milne", "toy", "--trials", "2", "--steps", "20", "--workers", "1"],
    "exercise": ["exercise", "check", "path-count", "--seed", "1", "--answer", "0"],
    "sheet": ["sheet", "path-count", "--seeds", "1-2", "--out", "s.xml"],
    "sweep": ["sweep", "kawaguchi2016.lemma1-gradient", "--instances", "2", "--workers", "1"],
}
# Output paths are the subject of tests/core/test_outputs.py; net files are tested below.
PATHS = {"--out", "--draw", "--graphml", "--dot", "netfile"}
# (command, option, value) that are valid and must run normally (exit 0).
VALID = {
    ("verify", "--seed", "0"), ("verify", "--seed", "9" * 30), ("report", "--seed", "0"), ("report", "--seed", "9" * 30),
    ("derive", "--weight-decay", "0"), ("derive", "--weight-decay", "9" * 30), ("derive", "--weight-decay", "1" * 5000),
    ("paths", "--weight-decay", "0"), ("paths", "--weight-decay", "9" * 30), ("paths", "--weight-decay", "1" * 5000),
    ("paths", "--list", "0"), ("paths", "--list", "9" * 30),
    ("check", "--weight-decay", "0"), ("check", "--weight-decay", "9" * 30), ("check", "--weight-decay", "1" * 5000),
    ("check", "--seed", "0"), ("check", "--seed", "9" * 30),
    ("paths", "--sample", "9" * 30), ("landscape", "--seed", "0"), ("landscape", "--seed", "9" * 30),
    ("milne", "--seed", "0"), ("milne", "--seed", "9" * 30), ("sweep", "--seed", "0"), ("sweep", "--seed", "9" * 30),
    ("sheet", "--seeds", "0"), ("sheet", "--seeds", "9" * 30),   # --sample picks the highlighted input; a net without a file has none to pick
}

# (command, option, value) that are valid input with a negative answer: exit 1, a report on stdout, no error.
# (``lossgeom check --answer 0`` reads the number 0 and reports that it differs from H_1.)
NEGATIVE = {("check", "--answer", v) for v in ("1" * 5000, "-1", "0", "9" * 30)}
# ``lossgeom exercise check path-count --answer N`` reads a number and grades it wrong (exit 1): the count is 180
NEGATIVE |= {("exercise", "--answer", v) for v in ("1" * 5000, "-1", "0", "9" * 30)}
NEGATIVE |= {("exercise", "--seed", v) for v in ("0", "9" * 30)}


def _value_options():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(BASE), "a new subcommand needs a BASE command line here"
    for cmd, p in sub.choices.items():
        actions = list(p._actions)
        for action in p._actions:  # a command with its own subcommands (milne toy|digits): BASE's one too
            if isinstance(action, argparse._SubParsersAction):
                actions += action.choices[BASE[cmd][1]]._actions
        for action in actions:
            if isinstance(action, (argparse._HelpAction, argparse._StoreTrueAction)):
                continue
            opt = action.option_strings[0] if action.option_strings else action.dest
            if opt not in PATHS:
                yield cmd, opt


def run(argv):
    """(exit code, stderr lines) of one in-process run; any exception other than SystemExit fails the test."""
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            rc = main(argv)
        except SystemExit as exc:
            rc = exc.code
    return rc, [line for line in err.getvalue().splitlines() if not line.startswith("[")]


CASES = [(cmd, opt, v) for cmd, opt in _value_options() for v in HOSTILE]


@pytest.mark.parametrize("cmd, opt, value", CASES, ids=["%s %s %r" % (c, o, v[:12]) for c, o, v in CASES])
def test_every_option_refuses_hostile_text(tmp_path, monkeypatch, cmd, opt, value):
    monkeypatch.chdir(tmp_path)
    argv = list(BASE[cmd])
    if opt.startswith("--"):
        argv += [opt, value]
    else:  # the positional (claim ids, derive's kind)
        argv = [cmd, value] + argv[2:]
    rc, lines = run(argv)
    assert not (tmp_path / "PWNED").exists()
    if (cmd, opt, value) in VALID:
        assert rc == 0, lines
    elif (cmd, opt, value) in NEGATIVE:
        assert rc == 1 and lines == [], lines
    else:
        assert rc == 2 and len(lines) == 1 and "error:" in lines[0], lines
        assert "Traceback" not in lines[0] and len(lines[0]) < 600
        assert lines[0].count("%s: " % opt) <= 1, "the flag is named once: %s" % lines[0]
    written = {"report": ["r.md"], "landscape": ["l.png"], "sheet": ["s.xml"]}.get(cmd, []) if rc == 0 else []
    assert sorted(os.listdir(tmp_path)) == written, "nothing is written but a successful run's --out"


def test_the_table_covers_every_option():
    options = {(c, o) for c, o in _value_options()}
    assert ("derive", "--samples") in options and ("hessian", "--dps") in options and len(options) >= 20


# -- net files -------------------------------------------------------------------------------------------------
def _doc(**fields):
    doc = {"widths": [1, 1, 1], "activation": "tanh", "weights": [[["1/2"]], [[2]]], "inputs": [[1]], "targets": [[0]]}
    doc.update(fields)
    return doc


BAD_FILES = {
    "code in a weight": (json.dumps(_doc(weights=[[[CODE]], [[2]]])), "weights[0][0][0]"),
    "code as the activation": (json.dumps(_doc(activation=CODE)), "unknown activation"),
    "code as a width": (json.dumps(_doc(widths=[1, CODE, 1])), "widths"),
    "Unicode digits as widths": (json.dumps(_doc(widths=["1", "²", "1"])), "widths"),
    "a 60000-digit JSON integer": ('{"widths": [1, 1], "weights": [[[%s]]]}' % ("7" * 60000), "limit number_digits"),
    "a 70000-digit weight": (json.dumps(_doc(weights=[[["1" * 70000]], [[2]]])), "limit number_digits"),
    "a huge exponent": (json.dumps(_doc(weights=[[["1e999999999"]], [[2]]])), "limit exponent"),
    "JSON nested 100000 deep": ("[" * 100000 + "]" * 100000, "limit json_depth"),
    "JSON nested 40 deep": ("[" * 40 + "]" * 40, "limit json_depth"),
    "a width of 10^9": (json.dumps(_doc(widths=[1, 10 ** 9, 1])), "limit layer_width"),
    "NaN": ('{"widths": [1, 1], "weights": [[[NaN]]]}', "finite"),
    "not JSON": ("{widths: [1, 1]}", "not valid JSON"),
    "binary": (b"\xff\xfe\x00garbage", "not a UTF-8 text file"),
    "empty": ("", "not valid JSON"),
    "a list at the top": ("[1, 2]", "JSON object"),
    "an unknown field": (json.dumps(_doc(weigths=1)), "unknown field"),
    "too many samples": (json.dumps({"widths": [1, 1], "inputs": [[0]] * 100001, "targets": [[0]] * 100001}),
                         "limit samples"),
}


def _special(kind, tmp_path):
    path = tmp_path / ("special-" + kind.replace(" ", "-").replace("/", "_"))
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink to /dev/zero":
        os.symlink("/dev/zero", path)
    elif kind == "symlink to nothing":
        os.symlink(tmp_path / "nowhere", path)
    elif kind == "sparse 3 GiB file":
        with open(path, "wb") as fh:
            fh.truncate(3 * 2 ** 30)
    elif kind == "missing":
        pass
    return str(path)


SPECIAL = {"directory": "a directory", "fifo": "a named pipe", "symlink to /dev/zero": "a character device",
           "symlink to nothing": "cannot read", "sparse 3 GiB file": "limit file_bytes", "missing": "cannot read",
           "/dev/zero": "a character device", "/dev/stdin": None}
NETFILE_COMMANDS = [["hessian"], ["critical"], ["paths"]]


@pytest.mark.parametrize("name", sorted(BAD_FILES))
@pytest.mark.parametrize("cmd", NETFILE_COMMANDS, ids=lambda c: c[0])
def test_bad_net_files_are_one_line(tmp_path, monkeypatch, cmd, name):
    monkeypatch.chdir(tmp_path)
    text, message = BAD_FILES[name]
    path = tmp_path / "net.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    before = sorted(os.listdir(tmp_path))
    rc, lines = run(cmd + [str(path)])
    assert rc == 2 and len(lines) == 1, lines
    assert lines[0].startswith("lossgeom: error: %s: " % path) and message in lines[0], lines
    assert not (tmp_path / "PWNED").exists() and sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize("kind", sorted(SPECIAL))
@pytest.mark.parametrize("cmd", NETFILE_COMMANDS, ids=lambda c: c[0])
def test_special_files_are_refused_without_reading(tmp_path, monkeypatch, cmd, kind):
    monkeypatch.chdir(tmp_path)
    path = kind if kind.startswith("/dev/") else _special(kind, tmp_path)
    if kind == "/dev/stdin":
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
    rc, lines = run(cmd + [path])
    assert rc == 2 and len(lines) == 1 and lines[0].startswith("lossgeom: error: "), lines
    if SPECIAL[kind]:
        assert SPECIAL[kind] in lines[0]
    if kind == "fifo":
        assert stat.S_ISFIFO(os.stat(path).st_mode)   # still there, and nothing blocked on it


@pytest.mark.parametrize("argv", [["derive", "gradient", "--widths", "1,1", "--structured"],
                                  ["derive", "gauss-newton", "--widths", "1,1", "--structured"],
                                  ["derive", "hessian", "--proof", "--structured"],
                                  ["derive", "hessian", "--widths", "50,100,50,2", "--structured"]])
def test_derive_structured_is_validated(argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, lines = run(argv)
    assert rc == 2 and len(lines) == 1 and "error:" in lines[0] and ("--structured" in lines[0] or "limit" in lines[0])
    assert os.listdir(tmp_path) == []
