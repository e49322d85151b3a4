"""One verification of the whole catalog per test session, shared by every proofs test."""

import pytest

#: the precision and seed of the shared catalog run
CATALOG_DPS, CATALOG_SEED = 30, 0


@pytest.fixture(scope="session")
def catalog_reports():
    """``{claim id: Report}`` for every registered claim, verified once at dps=30, seed=0."""
    from lossgeom.proofs import list_claims
    return {c.id: c.verify(dps=CATALOG_DPS, seed=CATALOG_SEED) for c in list_claims()}
