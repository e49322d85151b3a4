"""Davis-Kahan bounds of the certified eigen-solver, checked exactly against the known eigenvectors of
rational matrices Q D Q^T (Q a product of rational Householder reflections, so its columns are exact
eigenvectors): for an isolated eigenvalue sin^2 of the angle is computed as a Fraction; for a cluster the
largest principal angle is decided by exact inertia (sin^2 <= b^2 iff b^2 G - (G - H) is PSD, with
G = X_C^T X_C and H = X_C^T Q_C Q_C^T X_C)."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from flint import arb, arb_mat, ctx, fmpq, fmpq_mat

from lossgeom.numeric import certified_eig as ce
from lossgeom.numeric.certified_eig import certified_eigh
from lossgeom.numeric.spectrum import exact_inertia


def _householder(v):
    n = len(v)
    vv = sum(Fraction(x) ** 2 for x in v)
    return fmpq_mat(n, n, [fmpq(int(i == j)) - fmpq(2 * v[i] * v[j]) / fmpq(vv.numerator, vv.denominator)
                           for i in range(n) for j in range(n)])


def _case(eigs, seed):
    """(A = Q D Q^T as SymPy, Q as a list of Fraction columns in the order of eigs)."""
    rng = np.random.default_rng(seed)
    n = len(eigs)
    Q = fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
    for _ in range(3):
        Q = Q * _householder([int(x) for x in rng.integers(-5, 6, n)])
    D = fmpq_mat(n, n, [fmpq(eigs[i].numerator, eigs[i].denominator) if i == j else 0
                        for i in range(n) for j in range(n)])
    A = Q * D * Q.transpose()
    A = sp.Matrix(n, n, lambda i, j: sp.Rational(int(A[i, j].p), int(A[i, j].q)))
    cols = [[Fraction(int(Q[i, j].p), int(Q[i, j].q)) for i in range(n)] for j in range(n)]
    return A, cols


def _frac(x):
    man, exp = x.mid().man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def _bfrac(b):
    sign, man, exp, _ = b._mpf_
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def _column(s, k):
    return [_frac(s.vectors[i, k]) for i in range(s.vectors.nrows())]


def _sin2(x, q):
    """sin^2 of the angle between x and q, exactly."""
    dot = sum(a * b for a, b in zip(x, q))
    return 1 - dot * dot / (sum(a * a for a in x) * sum(b * b for b in q))


def _subspace_holds(X, Q, b):
    """sin^2 of the largest principal angle between span(X) and span(Q) (Q orthonormal) is <= b^2, exactly."""
    k = len(X)
    G = sp.Matrix(k, k, lambda i, j: sp.Rational(sum(a * c for a, c in zip(X[i], X[j]))))
    P = [[sum(a * c for a, c in zip(X[i], q)) for q in Q] for i in range(k)]
    H = sp.Matrix(k, k, lambda i, j: sp.Rational(sum(a * c for a, c in zip(P[i], P[j]))))
    return exact_inertia(sp.Rational(b * b) * G - (G - H)).negative == 0


def _ascending(eigs):
    return sorted(range(len(eigs)), key=lambda j: eigs[j])


def test_isolated_eigenvectors_are_within_their_bounds_exactly():
    eigs = [Fraction(1, 3), Fraction(-2, 7), Fraction(5, 3), Fraction(0), Fraction(7, 5), Fraction(-1, 9)]
    A, Q = _case(eigs, 2)
    s = certified_eigh(A, dps=50)
    assert s.counts == (1,) * 6
    for k, j in enumerate(_ascending(eigs)):
        b = _bfrac(s.vector_bounds[k])
        assert 0 < b < Fraction(1, 10 ** 45)                 # a real, tight bound
        assert _sin2(_column(s, k), Q[j]) <= b * b


def test_a_shrunk_vector_bound_is_caught(monkeypatch):
    eigs = [Fraction(1, 3), Fraction(-2, 7), Fraction(5, 3), Fraction(0), Fraction(7, 5)]
    A, Q = _case(eigs, 5)
    real = ce._subspace_bounds
    monkeypatch.setattr(ce, "_subspace_bounds", lambda *a: [(b * arb(10) ** -6).upper() for b in real(*a)])
    s = certified_eigh(A, dps=50)
    assert any(_sin2(_column(s, k), Q[j]) > _bfrac(s.vector_bounds[k]) ** 2
               for k, j in enumerate(_ascending(eigs)))


@pytest.mark.parametrize("mult", [2, 5])
def test_cluster_subspace_is_within_its_bound_exactly(mult):
    eigs = [Fraction(1, 3)] * mult + [Fraction(-2, 7), Fraction(5, 3), Fraction(3, 2)]
    A, Q = _case(eigs, 10 + mult)
    s = certified_eigh(A, dps=40)
    order = _ascending(eigs)
    k0 = [eigs[j] for j in order].index(Fraction(1, 3))
    assert s.counts[k0] == mult
    b = _bfrac(s.vector_bounds[k0])
    assert 0 < b < Fraction(1, 10 ** 35) and len(set(s.vector_bounds[k0:k0 + mult])) == 1
    X = [_column(s, k) for k in range(k0, k0 + mult)]
    assert _subspace_holds(X, [Q[j] for j in order[k0:k0 + mult]], b)
    assert not _subspace_holds(X, [Q[j] for j in order[k0:k0 + mult]], b / 10 ** 8)  # shrunk: caught
    for k, j in enumerate(order):                                                  # the isolated ones too
        if s.counts[k] == 1:
            assert _sin2(_column(s, k), Q[j]) <= _bfrac(s.vector_bounds[k]) ** 2


def test_tight_cluster_vectors_and_ball_entries():
    gap = Fraction(1, 10 ** 40)
    eigs = [Fraction(1, 3), Fraction(1, 3) + gap, Fraction(-1), Fraction(2)]
    A, Q = _case(eigs, 7)
    with ctx.workprec(200):
        balls = arb_mat(4, 4, [arb(fmpq(int(A[i, j].p), int(A[i, j].q))) for i in range(4) for j in range(4)])
    s = certified_eigh(balls, dps=50)
    assert s.entry_radius > 0
    order = _ascending(eigs)
    k = 0
    while k < 4:
        c = s.counts[k]
        b = _bfrac(s.vector_bounds[k])
        X = [_column(s, i) for i in range(k, k + c)]
        assert _subspace_holds(X, [Q[j] for j in order[k:k + c]], b)
        k += c


def test_one_cluster_holding_everything_has_bound_zero_and_the_fallback_has_none(monkeypatch):
    s = certified_eigh(sp.eye(3) * sp.Rational(2, 3), dps=30)
    assert s.counts == (3, 3, 3) and all(b == 0 for b in s.vector_bounds)
    monkeypatch.setattr(ce, "_refine", lambda A, bits: (arb_mat(2, 2, [2, 0, 0, 2]), 0, None))
    f = certified_eigh(sp.Matrix([[1, 0], [0, 2]]), dps=20)
    assert f.method == "arb-eig" and f.vector_bounds == (None, None) and f.vectors is None
