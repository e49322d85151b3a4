"""Shared fixtures: mpmath's globals are reset before every test (as in mpmath's own conftest), and no
string reaches SymPy's parser during the whole suite.

``sympy.sympify`` imports ``parse_expr`` from ``sympy.parsing.sympy_parser`` inside the function, on every
string it is given, so replacing that module attribute catches every string sympify (and ``sp.Matrix``
of string entries, ``sp.S("...")``, ``Symbol`` arithmetic with a str, ...).  User text must go through
the whitelist number parser (:mod:`lossgeom.numbers`) instead.
"""

import mpmath
import pytest
import sympy.parsing.sympy_parser as sympy_parser

# SymPy modules that sympify constant strings of their own when first imported: imported here, before
# the guard is installed.  sympy.simplify imports sympy.physics.units lazily, whose module body runs
# Prefix('yotta', ...) -> sympify('yotta') for every unit and prefix name.
import sympy.physics.units  # noqa: E402, F401  (isort: keep after the parser import)

#: Exact strings that SymPy itself parses internally during the suite; each entry says which SymPy
#: code path parses it (a constant of SymPy's source, never lossgeom or user text).
PARSE_ALLOWED = frozenset({
    "3/2",  # sympy/integrals/meijerint.py _create_lookup_table: pi**S('3/2')/2 (sympy.stats integrals)
})

_real_parse_expr = sympy_parser.parse_expr


class StringReachedSymPyParser(AssertionError):
    """A string reached sympy's parse_expr (user text must never be evaluated by SymPy)."""


def _guarded_parse_expr(s, *args, **kwargs):
    if s in PARSE_ALLOWED:
        return _real_parse_expr(s, *args, **kwargs)
    raise StringReachedSymPyParser("sympy parse_expr called with %r" % (s[:200] if isinstance(s, str) else s,))


@pytest.fixture(autouse=True, scope="session")
def _no_string_reaches_sympy_parser():
    sympy_parser.parse_expr = _guarded_parse_expr
    yield
    sympy_parser.parse_expr = _real_parse_expr


@pytest.fixture(autouse=True)
def _reset_mpmath():
    mpmath.mp.dps = 15
    yield
    mpmath.mp.dps = 15
