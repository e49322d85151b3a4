"""One verification of the whole catalog per test session, shared by every proofs test.

Under pytest-xdist every worker is its own process: the first worker to ask runs the catalog and pickles
the reports into the session's shared temporary directory under a file lock; the others wait on the lock
and load them, so the catalog (about a minute) runs once per session, not once per worker.
"""

import fcntl
import os
import pickle

import pytest

#: the precision and seed of the shared catalog run
CATALOG_DPS, CATALOG_SEED = 30, 0


def _compute():
    from lossgeom.proofs import list_claims
    return {c.id: c.verify(dps=CATALOG_DPS, seed=CATALOG_SEED) for c in list_claims()}


@pytest.fixture(scope="session")
def catalog_reports(tmp_path_factory, worker_id):
    """``{claim id: Report}`` for every registered claim, verified once at dps=30, seed=0."""
    if worker_id == "master":  # not under xdist
        return _compute()
    shared = tmp_path_factory.getbasetemp().parent  # common to every worker of this session
    path = shared / "catalog_reports.pickle"
    with open(shared / "catalog_reports.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if path.exists():
                with open(path, "rb") as f:
                    return pickle.load(f)
            reports = _compute()
            with open(str(path) + ".part", "wb") as f:
                pickle.dump(reports, f)
            os.replace(str(path) + ".part", path)
            return reports
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
