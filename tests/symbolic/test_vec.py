"""vec/Kronecker toolkit: against numpy (independent oracle) and the exact defining identities."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from lossgeom.errors import DataError
from lossgeom.symbolic.vec import (
    commutation_matrix,
    full_rank_factorization,
    generalized_inverse,
    is_generalized_inverse,
    is_moore_penrose,
    khatri_rao,
    kron,
    pinv,
    select_columns_form,
    unvec,
    vec,
    verify_printed_property_3b,
    verify_property_5b,
    verify_vec_properties,
)

rationals = st.fractions(min_value=-5, max_value=5, max_denominator=7).map(lambda f: sp.Rational(f.numerator,
                                                                                                 f.denominator))


def matrices(rows, cols):
    return st.lists(rationals, min_size=rows * cols, max_size=rows * cols).map(lambda v: sp.Matrix(rows, cols, v))


def to_np(M):
    return np.array(M.tolist(), dtype=float)


def test_vec_is_column_stacking_like_numpy_fortran_order():
    A = sp.Matrix([[1, 2, 3], [4, 5, 6]])
    assert list(vec(A)) == list(np.array(A.tolist()).flatten(order="F"))
    assert unvec(vec(A), 2, 3) == A


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.data())
def test_commutation_matrix_maps_vec_to_vec_of_transpose(m, n, data):
    A = data.draw(matrices(m, n))
    K = commutation_matrix(m, n)
    assert K * vec(A) == vec(A.T)
    assert K.T == commutation_matrix(n, m)
    assert K * K.T == sp.eye(m * n)


@settings(max_examples=15, deadline=None)
@given(matrices(2, 3), matrices(3, 2))
def test_kron_and_khatri_rao_match_numpy(A, B):
    assert np.allclose(to_np(kron(A, B)), np.kron(to_np(A), to_np(B)))
    kr = khatri_rao(A.T, B)  # both have 2 columns
    expected = np.column_stack([np.kron(to_np(A.T)[:, j], to_np(B)[:, j]) for j in range(2)])
    assert np.allclose(to_np(kr), expected)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.data())
def test_pinv_is_exact_moore_penrose_and_matches_numpy(m, n, data):
    A = data.draw(matrices(m, n))
    P = pinv(A)
    assert is_moore_penrose(P, A)
    assert np.allclose(to_np(P), np.linalg.pinv(to_np(A)))


def test_rank_deficient_pinv_and_generalised_inverses():
    A = sp.Matrix([[1, 2, 3], [2, 4, 6]])
    F, G = full_rank_factorization(A)
    assert F * G == A and F.shape == (2, 1)
    Z = sp.Matrix([[1, 0], [0, 2], [3, 0]])
    Gm = generalized_inverse(A, Z)
    assert is_generalized_inverse(Gm, A) and not is_moore_penrose(Gm, A)
    assert pinv(sp.zeros(2, 3)) == sp.zeros(3, 2)


@pytest.mark.parametrize("number", [1, 2, 4, 5])
def test_notes_properties_proved_on_generic_matrices(number):
    rep = verify_vec_properties([number])
    assert rep.outcome == "proved" and "generic" in rep.method


@pytest.mark.slow
def test_property_3_proved_on_generic_matrices():
    assert verify_vec_properties([3]).outcome == "proved"


def test_printed_property_3b_and_5b_are_refuted_exactly():
    assert verify_printed_property_3b().outcome == "refuted"
    r5 = verify_property_5b()
    assert r5.outcome == "refuted" and r5.counterexample["A"] == "[[1], [1]]"
    # the column-selection form does exist when R(A) is spanned by columns of B
    I, G = select_columns_form(sp.Matrix([[0, 0], [3, 6]]), sp.eye(2))
    assert I == (1,) and sp.Matrix([[0, 0], [1, 0]]) * G == sp.Matrix([[0, 0], [3, 6]])


def test_bad_input_names_the_field():
    with pytest.raises(DataError, match="m: expected a positive integer, got 0"):
        commutation_matrix(0, 2)
    with pytest.raises(DataError, match="B: expected 2 columns"):
        khatri_rao(sp.eye(2), sp.ones(2, 3))
    with pytest.raises(DataError, match="v: expected 4 entries"):
        unvec([1, 2, 3], 2, 2)
    with pytest.raises(DataError, match="numbers: expected property numbers"):
        verify_vec_properties([6])
    with pytest.raises(DataError, match="Z: expected shape 3x2"):
        generalized_inverse(sp.ones(2, 3), sp.ones(2, 2))


def test_a_false_identity_is_refuted(monkeypatch):
    """The checker can say refuted: with kron's factors swapped, vec(ABC) = (C^T kron A) vec(B) must fail."""
    from lossgeom.symbolic import vec as vec_module
    monkeypatch.setattr(vec_module, "kron", lambda A, B: sp.kronecker_product(sp.Matrix(B), sp.Matrix(A)))
    rep = verify_vec_properties([1])
    assert rep.outcome == "refuted" and rep.counterexample["failed"]
