"""Baldi & Hornik (1989) claims on docs/MATH.md's worked oracle, with independent checks."""

import numpy as np
import pytest

from lossgeom.models import linear_oracle
from lossgeom.net import Net
from lossgeom.numeric.critical import enumerate_critical_points
from lossgeom.proofs import list_claims
from lossgeom.proofs.baldi_hornik1989 import ORACLE_VALUES

SLUGS = ["critical-form", "worked-critical-values", "critical-value-count", "classification",
         "worked-hessian-spectrum", "negative-eigenvalue-count"]


def test_claims_registered_after_kawaguchi():
    ids = [c.id for c in list_claims()]
    mine = [i for i in ids if i.startswith("baldi_hornik1989.")]
    assert set("baldi_hornik1989." + s for s in SLUGS) == set(mine)
    assert max(ids.index(i) for i in ids if i.startswith("kawaguchi2016.")) < min(ids.index(i) for i in mine)


@pytest.mark.parametrize("slug", SLUGS)
def test_claim_matches(catalog_reports, slug):
    rep = catalog_reports["baldi_hornik1989." + slug]
    assert rep.matches, (rep.outcome, rep.evidence)


def test_oracle_values_by_brute_force_numpy():
    """Independent oracle: the loss at numpy-built factors A = u_i, B = u_i^T M (no toolkit code)."""
    X, Y = np.eye(3), np.diag([3.0, 2.0, 1.0])
    U = np.eye(3)
    for I, val in ORACLE_VALUES[1].items():
        if not I:
            assert 0.5 * np.sum(Y * Y) == val
            continue
        u = U[:, [I[0] - 1]]
        A, B = u, u.T @ Y
        assert 0.5 * np.sum((A @ B @ X - Y) ** 2) == pytest.approx(float(val))


def test_hessian_spectrum_against_autograd():
    import autograd.numpy as anp
    from autograd import hessian
    X, Y = np.eye(3), np.diag([3.0, 2.0, 1.0])

    def loss(theta):
        B, A = anp.reshape(theta[:3], (1, 3)), anp.reshape(theta[3:], (3, 1))
        return 0.5 * anp.sum((A @ B @ X - Y) ** 2)

    theta = np.array([3.0, 0, 0, 1, 0, 0])  # I = {1}: B = u_1^T M = (3, 0, 0), A = u_1
    ev = np.linalg.eigvalsh(hessian(loss)(theta))
    cs = enumerate_critical_points(Net(widths=(3, 1, 3)), *linear_oracle(), dps=30)
    ours = [float(e) for e in cs.points[1].eigenvalues]
    assert np.allclose(sorted(ev), ours, atol=1e-12)
