"""The certified symmetric eigen-solver: enclosures hold the exact eigenvalues of rational matrices built with
known spectra (repeated eigenvalues, tight clusters), and a shrunk enclosure is caught."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from flint import arb, arb_mat, ctx, fmpq, fmpq_mat

from lossgeom.errors import DataError
from lossgeom.numeric import certified_eig as ce
from lossgeom.numeric.certified_eig import certified_eigh, decimal_outward


def _householder(v):
    """The rational orthogonal matrix I - 2 v v^T / v^T v (fmpq_mat)."""
    n = len(v)
    vv = sum(Fraction(x) ** 2 for x in v)
    return fmpq_mat(n, n, [fmpq(int(i == j)) - fmpq(2 * v[i] * v[j]) / fmpq(vv.numerator, vv.denominator)
                           for i in range(n) for j in range(n)])


def _with_spectrum(eigs, seed):
    """An exact rational symmetric matrix Q D Q^T with the given rational eigenvalues (Q rational orthogonal)."""
    rng = np.random.default_rng(seed)
    n = len(eigs)
    Q = fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
    for _ in range(3):
        Q = Q * _householder([int(x) for x in rng.integers(-5, 6, n)] or [1])
    D = fmpq_mat(n, n, [fmpq(eigs[i].numerator, eigs[i].denominator) if i == j else 0
                        for i in range(n) for j in range(n)])
    return Q * D * Q.transpose()


def _as_sympy(M):
    return sp.Matrix(M.nrows(), M.ncols(), lambda i, j: sp.Rational(int(M[i, j].p), int(M[i, j].q)))


def _holds(spec, eigs):
    """Every exact eigenvalue (ascending, with multiplicity) lies in its enclosure, exactly compared."""
    for e, lam in zip(spec.enclosures, sorted(eigs)):
        lo = _frac(e.lower)
        if not (lo <= lam <= _frac(e.upper)):
            return False
    return len(spec.enclosures) == len(eigs)


def _frac(x):
    sign, man, exp, _ = x._mpf_  # exact (mpmath.mpf(x) would round to the working precision)
    v = Fraction(int(man)) * Fraction(2) ** int(exp)
    return -v if sign else v


@pytest.mark.parametrize("mult", [2, 5, 17, 50])
def test_repeated_eigenvalues_are_enclosed_with_their_count(mult):
    eigs = [Fraction(1, 3)] * mult + [Fraction(-2, 7), Fraction(5, 3), Fraction(0)]
    A = _with_spectrum(eigs, mult)
    s = certified_eigh(_as_sympy(A), dps=40)
    assert s.method == "refined" and _holds(s, eigs)
    k = sorted(eigs).index(Fraction(1, 3))
    assert s.counts[k:k + mult] == (mult,) * mult           # one cluster, never split
    assert s.max_relative_width() < mpmath.mpf(10) ** -38
    I = s.inertia()
    assert (I.positive, I.negative, I.zero) == (mult + 1, 1, 1)  # the exact 0 stays undecided, never guessed
    assert s.rank() is None


def test_tight_cluster_of_gap_1e_40_is_enclosed():
    gap = Fraction(1, 10 ** 40)
    eigs = [Fraction(1, 3), Fraction(1, 3) + gap, Fraction(1, 3) + 2 * gap, Fraction(-1), Fraction(2)]
    s = certified_eigh(_as_sympy(_with_spectrum(eigs, 7)), dps=50)
    assert _holds(s, eigs)
    assert s.inertia().positive == 4 and s.inertia().negative == 1


def test_a_shrunk_enclosure_is_caught(monkeypatch):
    eigs = [Fraction(1, 3)] * 3 + [Fraction(-2, 7), Fraction(5, 3)]
    A = _as_sympy(_with_spectrum(eigs, 3))
    assert _holds(certified_eigh(A, dps=40), eigs)
    real = ce._enclose

    def shrunk(*args):
        encs, *rest = real(*args)
        mids = [((lo + hi) / 2).mid() for lo, hi in encs]   # the enclosure without its error bounds
        return [[(m, m) for m in mids]] + rest

    monkeypatch.setattr(ce, "_enclose", shrunk)
    assert not _holds(certified_eigh(A, dps=40), eigs)


def test_ball_entries_widen_the_enclosures_and_still_hold():
    eigs = [Fraction(1, 7), Fraction(1, 7), Fraction(-3, 11), Fraction(4)]
    A = _with_spectrum(eigs, 11)
    with ctx.workprec(120):
        balls = arb_mat(4, 4, [arb(A[i, j]) for i in range(4) for j in range(4)])   # rational entries rounded
    s = certified_eigh(balls, dps=30)
    assert s.entry_radius > 0 and _holds(s, eigs)


def test_random_rational_matrix_agrees_with_mpmath_eigsy():
    rng = np.random.default_rng(5)
    M = rng.integers(-9, 10, (12, 12))
    A = sp.Matrix((M + M.T).tolist()) / 7
    s = certified_eigh(A, dps=50)
    with mpmath.workdps(80):
        E = sorted(mpmath.eigsy(mpmath.matrix(A.tolist()), eigvals_only=True))
        assert all(e.lower <= lam <= e.upper for e, lam in zip(s.enclosures, E))


def test_bad_input_is_refused():
    with pytest.raises(DataError, match="symmetric"):
        certified_eigh(sp.Matrix([[1, 2], [3, 4]]))
    with pytest.raises(DataError, match="square"):
        certified_eigh([[1, 2, 3], [2, 1, 0]])
    with pytest.raises(DataError, match="direction"):
        decimal_outward(1, 3, 0)


def test_decimal_outward_contains_the_value():
    for x in (mpmath.mpf(2) / 3, -mpmath.mpf(2) / 3, mpmath.mpf("1e-70") / 3):
        lo, hi = decimal_outward(x, 10, -1), decimal_outward(x, 10, 1)
        assert Fraction(lo) <= _frac(x) <= Fraction(hi) and Fraction(lo) < Fraction(hi)


def test_falls_back_to_acb_eig_when_refinement_cannot_make_x_orthogonal(monkeypatch):
    eigs = [Fraction(1, 3), Fraction(1, 3), Fraction(-2, 7), Fraction(5, 3)]
    A = _as_sympy(_with_spectrum(eigs, 4))
    monkeypatch.setattr(ce, "_refine", lambda A, bits: (arb_mat(4, 4, [2 * int(i == j) for i in range(4)
                                                                        for j in range(4)]), 0, None))
    s = certified_eigh(A, dps=30)
    assert s.method == "arb-eig" and _holds(s, eigs)


@pytest.mark.parametrize("e", [20, 45])
def test_a_wide_cluster_of_distinct_eigenvalues_is_split_by_the_block_sub_solve(monkeypatch, e):
    gap = Fraction(1, 10 ** e)
    eigs = [Fraction(1, 3), Fraction(1, 3) + gap, Fraction(1, 3) + 2 * gap, Fraction(-1), Fraction(2)]
    A = _as_sympy(_with_spectrum(eigs, 7))
    s = certified_eigh(A, dps=50)
    assert s.method == "refined" and _holds(s, eigs)
    assert s.counts == (1,) * 5 and s.max_relative_width() < mpmath.mpf(10) ** -50   # resolved, not merged
    monkeypatch.setattr(ce, "MAX_SPLIT", 1)                                          # no sub-solve
    t = certified_eigh(A, dps=50)
    assert _holds(t, eigs) and t.counts[1:4] == (3, 3, 3)                              # one cluster of 3
    assert t.enclosures[1].upper - t.enclosures[1].lower > mpmath.mpf(10) ** -e      # as wide as the gaps
