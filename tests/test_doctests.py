"""Run the doctests of every module of the installed package (public functions carry runnable examples)."""

import doctest
import importlib
import os
import pkgutil

import mpmath
import pytest

import lossgeom


def _modules():
    # the core's own folder only (in a source checkout lossgeom.__path__ also holds the repository root)
    core = os.path.dirname(os.path.abspath(lossgeom.__file__))
    names = ["lossgeom"] + ["lossgeom." + info.name for info in pkgutil.iter_modules([core])]
    for sub in ("commands", "symbolic", "numeric", "proofs"):
        pkg = importlib.import_module("lossgeom." + sub)
        names.append(pkg.__name__)
        names += [info.name for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")]
    return sorted(set(names))


MODULES = _modules()


def test_every_subpackage_is_found():
    for sub in ("lossgeom.symbolic", "lossgeom.numeric", "lossgeom.proofs", "lossgeom.commands"):
        assert sub in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    mpmath.mp.dps = 15
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, "%d doctest(s) failed in %s" % (result.failed, name)
