"""The README and the guide stay true: their Python examples run as doctests, every ``$ lossgeom ...`` line
prints what they show, and the README's two set-up commands are the CI's."""

import doctest
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
GUIDE = os.path.join(ROOT, "docs", "guide.md")
DOCUMENTS = (README, GUIDE)

pytestmark = pytest.mark.skipif(not os.path.exists(README), reason="README.md is not beside the tests")


@pytest.mark.parametrize("path", DOCUMENTS, ids=["README", "guide"])
def test_python_examples_run(path):
    text = open(path, encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "%s has Python examples" % path
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs = {}
    for k, block in enumerate(blocks):
        test = parser.get_doctest(block, globs, "%s block %d" % (os.path.basename(path), k), path, 0)
        runner.run(test)
    assert runner.failures == 0, "%d example(s) of %s failed" % (runner.failures, path)


def test_ci_runs_the_readme_test_command():
    text = open(README, encoding="utf-8").read()
    commands = re.findall(r"```\n(pip install [^\n]+)\n```", text)
    assert len(commands) == 2
    ci = open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8").read().splitlines()
    assert commands[0] in ci and commands[1] in ci, "each README command is a line of .ci/run, verbatim"


def _normalise(line):
    """Timings vary from run to run: blank them, and the column padding that follows their width."""
    line = re.sub(r"\d+\.\d+ s\b", "<t> s", line)
    line = re.sub(r"\b(holds|fails)(\s+)(general\s+|stated\s+)?\d+\.\d+\b", r"\1 \3<t>", line)
    return " ".join(line.split())


def _tour(path):
    """(command, expected lines) for every ``$ lossgeom ...`` line of the plain fenced blocks of ``path``."""
    out, fence, current = [], None, None
    for line in open(path, encoding="utf-8").read().splitlines():
        if line.startswith("```"):
            fence = None if fence is not None else line[3:].strip()
            current = None
            continue
        if fence != "":
            continue
        if line.startswith("$ lossgeom "):
            current = (line[2:], [])
            out.append(current)
        elif current is not None:
            current[1].append(line)
    return out


def _matches(expected, actual):
    """Every expected line appears in order; a line ``...`` stands for any number of actual lines."""
    actual = [_normalise(a) for a in actual]
    i = 0
    skipping = False
    for line in expected:
        if line.strip() == "...":
            skipping = True
            continue
        want = _normalise(line)
        while i < len(actual) and actual[i] != want:
            if not skipping:
                return "expected %r, got %r" % (want, actual[i])
            i += 1
        if i == len(actual):
            return "expected %r, not printed" % want
        i += 1
        skipping = False
    if i < len(actual) and not skipping:
        return "unexpected extra output %r" % actual[i]
    return None


TOUR = _tour(README) + _tour(GUIDE)


def test_the_tour_lists_its_commands():
    assert len(_tour(README)) >= 7 and len(_tour(GUIDE)) >= 6
    assert all(cmd.startswith("lossgeom ") for cmd, _ in TOUR)


def test_every_guide_section_is_linked():
    text = open(GUIDE, encoding="utf-8").read()
    sections = re.findall(r"^## (.+)$", text, flags=re.M)
    assert len(sections) >= 10
    for title in sections:
        assert "](#" + _anchor(title) + ")" in text, "the guide's contents list misses %r" % title


def _anchor(title):
    """GitHub's anchor of a heading: lower case, punctuation but - and _ dropped, spaces to -."""
    return re.sub(r"[^a-z0-9 _-]", "", title.lower()).replace(" ", "-")


@pytest.mark.parametrize("command,expected", TOUR, ids=[c for c, _ in TOUR])
def test_readme_tour_prints_what_the_readme_shows(command, expected, tmp_path, capsys, monkeypatch):
    import shlex

    from lossgeom.cli import main
    from lossgeom.proofs import claim
    # claims a tour line loads with --module stay out of the catalog the other tests pin
    monkeypatch.setattr(claim, "_REGISTRY", dict(claim._REGISTRY))
    os.symlink(os.path.join(ROOT, "examples"), tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    code = main(shlex.split(command)[1:])
    captured = capsys.readouterr()
    lines = (captured.err + captured.out).splitlines()  # progress (stderr) comes first
    problem = _matches(expected, lines)
    assert problem is None, "%s: %s\n--- printed ---\n%s" % (command, problem, "\n".join(lines))
    refuted = any(": different (refuted)" in line for line in expected)   # lossgeom check's answer differs
    refuted = refuted or any(line.startswith("wrong: ") for line in expected)  # lossgeom exercise check's
    assert code == (2 if any(line.startswith("lossgeom: error:") for line in expected) else 1 if refuted else 0)
