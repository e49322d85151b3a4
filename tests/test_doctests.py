"""Run the doctests of every module of the installed package (public functions carry runnable examples)."""

import doctest
import importlib
import pkgutil

import mpmath
import pytest

import lossgeom


def _modules():
    # an editable install maps the subpackages from their own folders, so walk each one's __path__
    names = ["lossgeom"] + [info.name for info in pkgutil.walk_packages(lossgeom.__path__, "lossgeom.")]
    for sub in ("symbolic", "numeric", "proofs"):
        pkg = importlib.import_module("lossgeom." + sub)
        names.append(pkg.__name__)
        names += [info.name for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")]
    return sorted(set(names))


def _defines_public_functions(module):
    """True when the module's ``__all__`` names a function or class defined in it (so it owes examples)."""
    for name in getattr(module, "__all__", ()):
        obj = getattr(module, name, None)
        if callable(obj) and getattr(obj, "__module__", None) == module.__name__:
            return True
    return False


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
    if _defines_public_functions(module):
        assert result.attempted > 0, "%s defines public functions but has no runnable examples" % name
