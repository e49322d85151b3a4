"""vec, commutation matrices, Kronecker and Khatri-Rao products, generalised inverses (exact).

The package's one vectorisation is **column stacking**, the same as theta's ordering:
``vec(A) = [A[:, 0]; A[:, 1]; ...]``.  Kawaguchi's ``vec(W^T)`` (row stacking of W) is reached
only through the commutation matrix ``K_{m,n}``, defined by ``vec(A^T) = K_{m,n} vec(A)`` for
``A`` of shape ``m x n``.

The identities the lecture notes (Zhang, "Critical point behavior of deep networks", Sec. 1.2,
properties 1-5) use to prove Kawaguchi's theorem are decided here exactly on *generic* matrices
(matrices of distinct symbols) of several small sizes by :func:`verify_vec_properties`; every
check expands (or cancels) a difference to zero and the returned Report says so.
"""

import itertools

import sympy as sp

from lossgeom.checks import check_int, check_matrix, check_sequence, check_str
from lossgeom.errors import DataError
from lossgeom.report import Report

__all__ = ["vec", "unvec", "commutation_matrix", "kron", "khatri_rao", "generic_matrix", "full_rank_factorization",
           "pinv", "generalized_inverse", "is_generalized_inverse", "is_moore_penrose", "column_space_contains",
           "select_columns_form", "verify_vec_properties", "verify_printed_property_3b", "verify_property_5b",
           "VEC_PROPERTIES"]


def _mat(A, field="A"):
    # never sp.Matrix(raw): a string entry would be sympified (evaluated); check_matrix parses numbers
    # with the whitelist parser and keeps SymPy expressions
    return sp.Matrix(check_matrix(A, field, symbolic=True))


def vec(A):
    """Column-stacking vectorisation, as a column matrix.

    Parameters
    ----------
    A : SymPy matrix (m x n)

    Returns
    -------
    ImmutableMatrix (mn x 1)
        ``vec(A)[i + j*m] = A[i, j]``.

    Examples
    --------
    >>> vec(sp.Matrix([[1, 2], [3, 4]])).T
    Matrix([[1, 3, 2, 4]])

    Notes
    -----
    The same ordering as the package's theta = [vec(W_1); ...]; Kawaguchi's vec(W^T) is
    ``commutation_matrix(m, n) * vec(W)``.

    References
    ----------
    Magnus & Neudecker, *Matrix Differential Calculus*, ch. 2.
    """
    A = _mat(A)
    m, n = A.shape
    return sp.ImmutableMatrix(m * n, 1, lambda k, _: A[k % m, k // m])


def unvec(v, rows, cols):
    """Inverse of :func:`vec`: the ``rows x cols`` matrix whose columns are stacked in ``v``.

    Raises
    ------
    DataError
        If ``len(v) != rows * cols``.

    Examples
    --------
    >>> unvec([1, 3, 2, 4], 2, 2)
    Matrix([
    [1, 2],
    [3, 4]])
    """
    rows = check_int(rows, "rows", 0)
    cols = check_int(cols, "cols", 0)
    v = list(check_matrix(v, "v", symbolic=True))
    if len(v) != rows * cols:
        raise DataError("v: expected %d entries for a %dx%d matrix, got %d" % (rows * cols, rows, cols, len(v)))
    return sp.ImmutableMatrix(rows, cols, lambda i, j: v[i + j * rows])


def commutation_matrix(m, n):
    """The commutation matrix ``K_{m,n}``: ``vec(A^T) = K_{m,n} vec(A)`` for ``A`` of shape ``m x n``.

    Parameters
    ----------
    m, n : int
        The shape of ``A``.

    Returns
    -------
    ImmutableMatrix (mn x mn)
        A permutation matrix; ``K_{m,n}^T = K_{m,n}^{-1} = K_{n,m}``.

    Examples
    --------
    >>> A = sp.Matrix([[1, 2, 3], [4, 5, 6]])
    >>> commutation_matrix(2, 3) * vec(A) == vec(A.T)
    True

    Notes
    -----
    Entry ``K[j + i*n, i + j*m] = 1``: position ``i + j m`` of vec(A) holds A[i, j], which sits at
    position ``j + i n`` of vec(A^T).

    References
    ----------
    Magnus & Neudecker (1979), "The commutation matrix: some properties and applications",
    Ann. Statist. 7(2).
    """
    m = check_int(m, "m", 0)
    n = check_int(n, "n", 0)
    for name, v in (("m", m), ("n", n)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise DataError("%s: expected a positive integer, got %r" % (name, v))
    entries = {(j + i * n, i + j * m): 1 for i in range(m) for j in range(n)}
    return sp.ImmutableMatrix(sp.SparseMatrix(m * n, m * n, entries))


def kron(A, B):
    """Kronecker product ``A (x) B`` (block (i, j) is ``A[i, j] * B``).

    Examples
    --------
    >>> kron(sp.Matrix([[1, 2]]), sp.Matrix([[1], [10]]))
    Matrix([
    [ 1,  2],
    [10, 20]])

    Notes
    -----
    ``(A (x) B)[i p + k, j q + l] = A[i, j] B[k, l]`` for ``B`` of shape ``p x q``.
    """
    A, B = _mat(A, "A"), _mat(B, "B")
    p, q = B.shape
    return sp.ImmutableMatrix(A.rows * p, A.cols * q, lambda r, c: A[r // p, c // q] * B[r % p, c % q])


def khatri_rao(A, B):
    """Khatri-Rao product: column-wise Kronecker product, ``[a_1 (x) b_1, ..., a_k (x) b_k]``.

    Raises
    ------
    DataError
        If ``A`` and ``B`` have different numbers of columns.

    Examples
    --------
    >>> khatri_rao(sp.Matrix([[1, 2]]), sp.Matrix([[1, 1], [3, 4]]))
    Matrix([
    [1, 2],
    [3, 8]])

    Notes
    -----
    ``vec(B diag(d) A^T) = (A kr B) d`` (used by Shen's rank propositions).
    """
    A, B = _mat(A, "A"), _mat(B, "B")
    if A.cols != B.cols:
        raise DataError("B: expected %d columns to match A, got %d" % (A.cols, B.cols))
    return sp.ImmutableMatrix(A.rows * B.rows, A.cols, lambda r, c: A[r // B.rows, c] * B[r % B.rows, c])


def generic_matrix(name, rows, cols):
    """A matrix of distinct real symbols ``name[i,j]`` (1-based), for generic identities.

    Examples
    --------
    >>> generic_matrix("A", 1, 2)
    Matrix([[A[1,1], A[1,2]]])
    """
    check_str(name, "name")
    rows = check_int(rows, "rows", 0)
    cols = check_int(cols, "cols", 0)
    from .forward import symbol
    return sp.ImmutableMatrix(rows, cols, lambda i, j: symbol("%s[%d,%d]" % (name, i + 1, j + 1)))


def full_rank_factorization(A):
    """``A = F G`` with ``F`` (m x r) of full column rank and ``G`` (r x n) of full row rank, exactly.

    ``F`` holds the pivot columns of ``A`` and ``G`` the non-zero rows of its reduced row echelon
    form (exact Gauss-Jordan over the rationals).

    Examples
    --------
    >>> F, G = full_rank_factorization(sp.Matrix([[1, 2], [2, 4]]))
    >>> F, G
    (Matrix([
    [1],
    [2]]), Matrix([[1, 2]]))
    """
    A = _mat(A)
    R, pivots = A.rref()
    r = len(pivots)
    F = A.extract(list(range(A.rows)), list(pivots)) if r else sp.zeros(A.rows, 0)
    G = R.extract(list(range(r)), list(range(A.cols))) if r else sp.zeros(0, A.cols)
    return sp.ImmutableMatrix(F), sp.ImmutableMatrix(G)


def pinv(A):
    """The Moore-Penrose inverse ``A^+``, exactly.

    Parameters
    ----------
    A : SymPy matrix with exact entries

    Returns
    -------
    ImmutableMatrix (n x m)

    Examples
    --------
    >>> pinv(sp.Matrix([[1, 2], [2, 4]]))
    Matrix([
    [1/25, 2/25],
    [2/25, 4/25]])

    Notes
    -----
    With a full-rank factorisation ``A = F G``: ``A^+ = G^T (G G^T)^{-1} (F^T F)^{-1} F^T``
    (MacDuffee); the zero matrix has ``A^+ = 0^T``.  The four Penrose equations are checked by
    :func:`is_moore_penrose`.

    References
    ----------
    Ben-Israel & Greville, *Generalized Inverses*, 2nd ed., ch. 1.
    """
    A = _mat(A)
    F, G = full_rank_factorization(A)
    if F.cols == 0:
        return sp.ImmutableMatrix(sp.zeros(A.cols, A.rows))
    F, G = sp.Matrix(F), sp.Matrix(G)
    return sp.ImmutableMatrix((G.T * (G * G.T).inv() * (F.T * F).inv() * F.T).applyfunc(sp.cancel))


def generalized_inverse(A, Z=None):
    """A {1}-inverse ``A^-`` (``A A^- A = A``): ``A^+ + Z - A^+ A Z A A^+``.

    Every {1}-inverse has this form for some ``Z`` (n x m); ``Z = 0`` gives the Moore-Penrose inverse.

    Examples
    --------
    >>> A = sp.Matrix([[1, 0], [0, 0]])
    >>> G = generalized_inverse(A, sp.Matrix([[0, 0], [0, 7]]))
    >>> G, A * G * A == A
    (Matrix([
    [1, 0],
    [0, 7]]), True)

    Notes
    -----
    ``A (A^+ + Z - A^+ A Z A A^+) A = A + AZA - AZA = A`` since ``A A^+ A = A``.
    """
    A = _mat(A)
    P = sp.Matrix(pinv(A))
    if Z is None:
        return sp.ImmutableMatrix(P)
    Z = _mat(Z, "Z")
    if Z.shape != (A.cols, A.rows):
        raise DataError("Z: expected shape %dx%d, got %dx%d" % (A.cols, A.rows, Z.rows, Z.cols))
    return sp.ImmutableMatrix(P + Z - P * A * Z * A * P)


def _is_zero_matrix(M):
    return all(sp.cancel(sp.expand(v)) == 0 for v in M)


def is_generalized_inverse(G, A):
    """True when ``A G A = A`` exactly.

    Examples
    --------
    >>> is_generalized_inverse(sp.Matrix([[1, 5]]).T, sp.Matrix([[1, 0]]))
    True
    """
    A, G = _mat(A), _mat(G, "G")
    return _is_zero_matrix(A * G * A - A)


def is_moore_penrose(G, A):
    """True when ``G`` satisfies the four Penrose equations for ``A`` exactly.

    Examples
    --------
    >>> A = sp.Matrix([[1, 2], [2, 4]])
    >>> is_moore_penrose(pinv(A), A), is_moore_penrose(sp.Matrix([[1, 0], [0, 0]]), A)
    (True, False)

    Notes
    -----
    ``AGA = A``, ``GAG = G``, ``(AG)^T = AG``, ``(GA)^T = GA``.
    """
    A, G = _mat(A), _mat(G, "G")
    AG, GA = A * G, G * A
    return (_is_zero_matrix(AG * A - A) and _is_zero_matrix(GA * G - G) and _is_zero_matrix(AG.T - AG)
            and _is_zero_matrix(GA.T - GA))


def column_space_contains(B, A):
    """True when R(A) is contained in R(B), decided exactly by ``B B^+ A = A``.

    Examples
    --------
    >>> column_space_contains(sp.eye(2), sp.Matrix([[1], [1]])), column_space_contains(sp.Matrix([[1], [0]]),
    ...                                                                                 sp.Matrix([[1], [1]]))
    (True, False)
    """
    A, B = _mat(A), _mat(B, "B")
    return _is_zero_matrix(B * pinv(B) * A - A)


def select_columns_form(A, B):
    """Search ``A = [B_I, 0] G`` (I a set of rank(A) columns of B, G invertible), exactly.

    Returns
    -------
    (I, G) or None
        0-based column indices and the invertible G, or None when no such form exists.

    Examples
    --------
    >>> select_columns_form(sp.Matrix([[2], [0]]), sp.eye(2))
    ((0,), Matrix([[2]]))
    >>> select_columns_form(sp.Matrix([[1], [1]]), sp.eye(2)) is None   # R(A) lies in R(B) nonetheless
    True

    Notes
    -----
    ``A = [B_I, 0] G`` with G invertible means R(A) = span of the columns B_I; so the form exists
    iff some rank(A) columns of B span exactly R(A).  Property 5 of the notes claims this follows
    from R(A) in R(B); the example above shows it does not.
    """
    A, B = _mat(A), _mat(B, "B")
    r = A.rank()
    n = A.cols
    if r > n:  # pragma: no cover - impossible
        return None
    for I in itertools.combinations(range(B.cols), r):
        BI = B.extract(list(range(B.rows)), list(I)) if r else sp.zeros(B.rows, 0)
        if BI.rank() != r:
            continue
        padded = BI.row_join(sp.zeros(B.rows, n - r))
        # Solve padded * G = A for G with first r rows forced by A, last n-r rows free: pick them
        # so that G is invertible.
        coeff = pinv(BI) * A if r else sp.zeros(0, n)
        if not _is_zero_matrix(BI * coeff - A if r else A):
            continue
        G = sp.Matrix(coeff)
        # complete G's rows to an invertible matrix with unit rows outside the row space
        for e in range(n):
            if G.rows == n:
                break
            cand = G.col_join(sp.eye(n)[e, :])
            if cand.rank() == cand.rows:
                G = cand
        if G.rows == n and _is_zero_matrix(padded * G - A):
            return tuple(I), sp.ImmutableMatrix(G)
    return None


# -- the notes' properties 1-5 on generic matrices -----------------------------------------------------

def _generic_rank(name, m, n, r):
    """A generic m x n matrix of rank r and its Moore-Penrose inverse (rational functions).

    Full column rank: A generic, A^+ = (A^T A)^{-1} A^T; full row rank: A^+ = A^T (A A^T)^{-1};
    otherwise A = F G with generic factors and A^+ = G^T (G G^T)^{-1} (F^T F)^{-1} F^T.
    """
    if r == n:
        A = sp.Matrix(generic_matrix(name, m, n))
        return A, _cprod((A.T * A).inv(), A.T)
    if r == m:
        A = sp.Matrix(generic_matrix(name, m, n))
        return A, _cprod(A.T, (A * A.T).inv())
    F, G = sp.Matrix(generic_matrix(name + "F", m, r)), sp.Matrix(generic_matrix(name + "G", r, n))
    return F * G, _cprod(G.T, (G * G.T).inv(), (F.T * F).inv(), F.T)


def _cprod(*mats):
    """The product, cancelling every entry after each multiplication (exact; keeps sizes small)."""
    out = sp.Matrix(mats[0]).applyfunc(sp.cancel)
    for M in mats[1:]:
        out = (out * sp.Matrix(M)).applyfunc(sp.cancel)
    return out


def _check_p1(sizes):
    (m, n), (n2, p) = sizes
    A, B, C = generic_matrix("A", m, n), generic_matrix("B", n, n2), generic_matrix("C", n2, p)
    return _is_zero_matrix(vec(A * B * C) - kron(C.T, A) * vec(B))


def _check_p2(sizes):
    (m, n), (p, q) = sizes
    A, B = generic_matrix("A", m, n), generic_matrix("B", p, q)
    C, D = generic_matrix("C", n, 2), generic_matrix("D", q, 1)
    ok = _is_zero_matrix(kron(A, B) * kron(C, D) - kron(A * C, B * D))
    ok &= _is_zero_matrix(kron(A, B).T - kron(A.T, B.T))
    # A (x) B = 0 => A = 0 or B = 0: the entries of A (x) B are exactly the products a*b, and
    # the reals have no zero divisors.
    ok &= sorted(map(str, (a * b for a in A for b in B))) == sorted(map(str, kron(A, B)))
    return ok


def _check_p3(sizes):
    (m, n, r), (p, q, s) = sizes
    A, Ap = _generic_rank("A", m, n, r)
    B, Bp = _generic_rank("B", p, q, s)
    AB, ABp = kron(A, B), kron(Ap, Bp)
    # (A (x) B)^+ = A^+ (x) B^+ (the four Penrose equations)
    ok = _is_zero_matrix(_cprod(AB, ABp, AB) - AB) and _is_zero_matrix(_cprod(ABp, AB, ABp) - ABp)
    ok &= _is_zero_matrix(_cprod(AB, ABp).T - _cprod(AB, ABp)) and _is_zero_matrix(
        _cprod(ABp, AB).T - _cprod(ABp, AB))
    # (A (x) B)^- = A^- (x) B^- for {1}-inverses: by the mixed product rule on generic matrices
    # (GA, GB standing for any A^-, B^-), (A(x)B)(GA(x)GB)(A(x)B) = (A GA A)(x)(B GB B) = A (x) B.
    GA, GB = generic_matrix("GA", n, m), generic_matrix("GB", q, p)
    ok &= _is_zero_matrix(AB * kron(GA, GB) * AB - kron(A * GA * A, B * GB * B))
    # A (A^T A)^- A^T A = A for every {1}-inverse (A^T A)^+ + Z - (A^T A)^+ S Z S (A^T A)^+, Z generic;
    # and the transposed companion A^T A (A^T A)^- A^T = A^T.
    S = A.T * A
    Sp = _cprod(Ap, Ap.T)  # (A^T A)^+ = A^+ A^{+T}
    Z = sp.Matrix(generic_matrix("Z", n, n))
    ASpS, SSpS = _cprod(A, Sp, S), _cprod(S, Sp, S)
    ok &= _is_zero_matrix(ASpS + A * Z * S - ASpS * Z * SSpS - A)
    SSpAT = _cprod(S, Sp, A.T)
    ok &= _is_zero_matrix(SSpAT + S * Z * A.T - SSpS * Z * SSpAT - A.T)
    # the printed order (A^T A)^- A^T A A^T = A^T, for the Moore-Penrose inverse
    ok &= _is_zero_matrix(_cprod(Sp, S, A.T) - A.T)
    return ok


def _check_p4(sizes):
    (m, n, r), _ = sizes
    A, Ap = _generic_rank("A", m, n, r)
    Z = sp.Matrix(generic_matrix("Z", n, m))
    AApA = _cprod(A, Ap, A)
    x0, w = sp.Matrix(generic_matrix("x", n, 1)), sp.Matrix(generic_matrix("w", n, 1))
    b = A * x0  # a consistent right-hand side
    Amb = _cprod(Ap, b) + Z * b - _cprod(Ap, A) * Z * _cprod(A, Ap, b)  # A^- b
    AmA = _cprod(Ap, A) + Z * A - _cprod(Ap, A) * Z * AApA  # A^- A
    ok = _is_zero_matrix(A * Amb + A * w - _cprod(A, AmA) * w - b)  # every such x solves Ax = b
    ok &= _is_zero_matrix(Amb + x0 - AmA * x0 - x0)  # every solution x0 has the form (w = x0)
    ok &= _is_zero_matrix(A * Amb - b)  # solvable => A A^- b = b
    return ok


def _check_p5(sizes):
    (m, n, r), (k,) = sizes
    B, Bp = _generic_rank("B", m, n, r)
    Z = sp.Matrix(generic_matrix("Z", n, m))
    A = B * sp.Matrix(generic_matrix("T", n, k))  # generic A with R(A) in R(B)
    BBpA, BBpB = _cprod(B, Bp, A), _cprod(B, Bp, B)
    return _is_zero_matrix(BBpA + B * Z * A - BBpB * Z * BBpA - A)  # B B^- A = A, every {1}-inverse


#: property number -> (statement, checker, size configurations)
VEC_PROPERTIES = {
    1: (r"\mathrm{vec}(ABC) = (C^T \otimes A)\,\mathrm{vec}(B)", _check_p1,
        [((1, 1), (1, 1)), ((2, 3), (3, 2)), ((3, 2), (2, 2))]),
    2: (r"(A\otimes B)(C\otimes D) = AC\otimes BD,\ (A\otimes B)^T = A^T\otimes B^T,\ "
        r"A\otimes B = 0 \Rightarrow A = 0 \lor B = 0", _check_p2,
        [((1, 2), (2, 1)), ((2, 2), (2, 2)), ((2, 3), (1, 2))]),
    3: (r"(A\otimes B)^- = A^-\otimes B^-,\ A(A^TA)^-A^TA = A,\ (A^TA)^+A^TAA^T = A^T", _check_p3,
        [((2, 2, 1), (2, 1, 1)), ((3, 2, 1), (1, 2, 1)), ((3, 2, 2), (1, 2, 1))]),
    4: (r"Ax = b \iff x = A^-b + (I - A^-A)w;\ \text{solvable} \iff AA^-b = b", _check_p4,
        [((2, 2, 1), None), ((3, 2, 1), None), ((3, 2, 2), None)]),
    5: (r"\mathcal{R}(A)\subseteq\mathcal{R}(B) \Rightarrow BB^-A = A", _check_p5,
        [((2, 2, 1), (1,)), ((3, 2, 2), (2,)), ((3, 2, 1), (1,))]),
}


def verify_printed_property_3b():
    """The notes' ``(A^T A)^- A^T A A^T = A^T`` for *any* {1}-inverse: refuted by an exact example.

    Returns
    -------
    Report
        ``refuted`` with ``A = [[1, 0]]`` and the {1}-inverse ``[[1, 0], [7, 0]]`` of ``A^T A``;
        the correct statement ``A^T A (A^T A)^- A^T = A^T`` is proved by :func:`verify_vec_properties`.

    Examples
    --------
    >>> verify_printed_property_3b().outcome
    'refuted'
    """
    A = sp.Matrix([[1, 0]])
    S = A.T * A
    G = sp.Matrix([[1, 0], [7, 0]])
    is_g = is_generalized_inverse(G, S)
    lhs = G * S * A.T
    bad = is_g and lhs != A.T
    return Report("vec-property-3b", "refuted" if bad else "inconclusive", "exact counterexample",
                  evidence={"A": str(A.tolist()), "(A^T A)^-": str(G.tolist()), "is {1}-inverse": is_g,
                            "(A^T A)^- A^T A A^T": str(lhs.tolist()), "A^T": str(A.T.tolist())},
                  counterexample={"A": str(A.tolist()), "generalized_inverse": str(G.tolist())},
                  details=("Correct forms: A^T A (A^T A)^- A^T = A^T for every {1}-inverse; the printed order "
                           "holds for the Moore-Penrose inverse.",))


def verify_property_5b():
    """The notes' ``R(A) in R(B) <=> A = [B_I, 0] G`` (I of size rank(A), G invertible): refuted exactly.

    Returns
    -------
    Report
        ``refuted`` with ``B = I_2``, ``A = [[1], [1]]``: R(A) lies in R(B) = R^2, but no single
        column of B spans R(A).

    Examples
    --------
    >>> verify_property_5b().outcome
    'refuted'

    Notes
    -----
    What is true: R(A) in R(B) iff A = B (B^- A); the column-selection form holds when R(A) is
    spanned by rank(A) columns of B, e.g. B = U the eigenvectors of a symmetric matrix with
    distinct eigenvalues and R(A) an invariant subspace, which is how Kawaguchi uses it.
    """
    B, A = sp.eye(2), sp.Matrix([[1], [1]])
    inside = column_space_contains(B, A)
    form = select_columns_form(A, B)
    bad = inside and form is None
    return Report("vec-property-5b", "refuted" if bad else "inconclusive", "exact counterexample (exhaustive "
                  "search over column subsets)", evidence={"A": str(A.tolist()), "B": str(B.tolist()),
                                                           "R(A) in R(B)": inside, "form found": form is not None},
                  counterexample={"A": str(A.tolist()), "B": str(B.tolist())},
                  details=("Correct statement: R(A) in R(B) <=> B B^- A = A <=> A = B T for some T; the form "
                           "[B_I, 0] G needs R(A) to be spanned by columns of B.",))


def verify_vec_properties(numbers=(1, 2, 3, 4, 5)):
    """Decide the notes' vec/Kronecker properties exactly on generic matrices of several sizes.

    Generic matrices are matrices of distinct symbols; a generic rank-r matrix is ``F G`` with
    generic factors, so generalised inverses are rational functions and each identity is decided
    by cancelling the difference to zero (valid wherever ``det(F^T F) det(G G^T) != 0``).

    Parameters
    ----------
    numbers : iterable of int
        Which properties (1-5).

    Returns
    -------
    Report
        ``proved`` when every identity cancels to zero on every size, ``refuted`` otherwise, with
        the failing property and size.

    Examples
    --------
    >>> verify_vec_properties([1]).outcome
    'proved'

    Notes
    -----
    Property 5's second equivalence (``A = [B_I, 0] G``) is not an identity: it is false in
    general (:func:`verify_property_5b`).  Property 3's second identity as printed,
    ``(A^TA)^- A^TA A^T = A^T``, holds for the Moore-Penrose inverse (checked here) but not for
    every {1}-inverse (:func:`verify_printed_property_3b`); its transposed companion
    ``A^TA (A^TA)^- A^T = A^T`` holds for every {1}-inverse (checked here).

    References
    ----------
    J. Zhang, lecture notes "Critical point behavior of deep networks" (2016), Sec. 1.2.
    """
    numbers = [check_int(v, "numbers[%d]" % k) for k, v in enumerate(check_sequence(numbers, "numbers"))]
    checked, failed = [], []
    for num in numbers:
        if num not in VEC_PROPERTIES:
            raise DataError("numbers: expected property numbers from 1 to 5, got %r" % (num,))
        _, checker, configs = VEC_PROPERTIES[num]
        for sizes in configs:
            ok = checker(sizes)
            (checked if ok else failed).append("property %d, sizes %s" % (num, sizes))
    if failed:
        return Report("vec-properties", "refuted", "exact expansion of the difference on generic matrices",
                      evidence={"checked": len(checked) + len(failed), "failed": failed},
                      counterexample={"failed": failed})
    return Report("vec-properties", "proved",
                  "exact expansion/cancellation of each difference to zero on generic matrices (distinct symbols; "
                  "generic rank-r matrices as F G)", evidence={"identities checked": len(checked),
                                                              "cases": checked})
