"""Shared fixtures: mpmath's globals are reset before every test (as in mpmath's own conftest)."""

import mpmath
import pytest


@pytest.fixture(autouse=True)
def _reset_mpmath():
    mpmath.mp.dps = 15
    yield
    mpmath.mp.dps = 15
