"""The README stays true: its Python examples run as doctests, and its two set-up commands are the CI's."""

import doctest
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")

pytestmark = pytest.mark.skipif(not os.path.exists(README), reason="README.md is not beside the tests")


def test_readme_python_examples_run():
    text = open(README, encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has Python examples"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs = {}
    for k, block in enumerate(blocks):
        test = parser.get_doctest(block, globs, "README block %d" % k, README, 0)
        runner.run(test)
    assert runner.failures == 0, "%d README example(s) failed" % runner.failures


def test_ci_runs_the_readme_test_command():
    text = open(README, encoding="utf-8").read()
    commands = re.findall(r"```\n(pip install [^\n]+)\n```", text)
    assert len(commands) == 2
    ci = open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8").read().splitlines()
    assert commands[0] in ci and commands[1] in ci, "each README command is a line of .ci/run, verbatim"
