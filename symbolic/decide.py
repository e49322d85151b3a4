"""Deciding exactly whether an expression, or a difference of two matrices, is identically zero.

The procedure behind every symbolic identity in lossgeom (the Hessian recursion against direct
differentiation, the Kronecker layout of the layer blocks, Gauss-Newton against the Hessian on
piecewise-linear cells).  It proves with exact algebra and refutes at exact rational points;
sampling at a stated precision can refute but never prove, and says so in the result.
"""

import random
from dataclasses import dataclass

import sympy as sp

from lossgeom.checks import check_bool, check_expr, check_int, check_matrix
from lossgeom.precision import GUARD_DIGITS, Precision

__all__ = ["ZeroDecision", "decide_zero", "MatrixComparison", "compare_matrices"]


@dataclass(frozen=True)
class ZeroDecision:
    """Whether an expression is identically zero, and how that was decided.

    Attributes
    ----------
    verdict : True, False or None
        True when proved zero, False when a point where it is not zero was found, None when it
        was not decided exactly (numerically zero at the sampled points).
    method : str
        How it was decided: ``"expansion to zero"``, ``"rational normal form"``, ``"rational
        normal form in function atoms"``, ``"nonzero at a rational point"`` or ``"numerically
        zero at ..."``.
    detail : dict or None
        For a refutation, the rational ``point`` (symbol name -> value) and the ``value`` there.

    Examples
    --------
    >>> d = decide_zero(sp.Symbol("u") - 1)
    >>> d.verdict, d.method, d.detail
    (False, 'nonzero at a rational point', {'point': {'u': '4/7'}, 'value': '-0.428571428571429'})
    """

    verdict: object
    method: str
    detail: dict = None


def decide_zero(expr, samples=3, dps=50, seed=0):
    """Decide whether an expression is identically zero.

    Parameters
    ----------
    expr : Expr
    samples : int
        Random rational points tried when no exact method proves it zero.
    dps : int
        Decimal digits of the numeric evaluation at the sampled points (15 to 10000).
    seed : int
        Seed of the sampled points (results are deterministic for a seed).

    Returns
    -------
    ZeroDecision

    Raises
    ------
    DataError
        For a ``dps`` that is not an integer from 15 to 10000.

    See Also
    --------
    compare_matrices : this decision entry by entry for two matrices.

    Notes
    -----
    Methods, in order: expansion to zero (``sympy.expand``, which also expands function
    arguments); rational normal form after replacing each transcendental or undefined-function
    atom by a fresh symbol (zero as a rational function of independent atoms is zero for every
    value of the atoms); evaluation at random rational points at ``dps`` digits, which can refute
    (a value above the tolerance of ``dps - 10`` digits) but not prove.

    Examples
    --------
    >>> u, v = sp.symbols("u v")
    >>> decide_zero((u + v)**2 - u**2 - 2*u*v - v**2).method
    'expansion to zero'
    >>> decide_zero(sp.exp(u) / (1 + sp.exp(u)) - 1 + 1 / (1 + sp.exp(u))).method
    'rational normal form in function atoms'
    >>> d = decide_zero(sp.sin(u)**2 + sp.cos(u)**2 - 1)
    >>> d.verdict, d.method
    (None, 'numerically zero at 3 random rational points to 50 digits')
    >>> decide_zero(u - v).verdict
    False
    """
    expr = check_expr(expr)
    samples = check_int(samples, "samples", 1)
    seed = check_int(seed, "seed", 0)
    precision = Precision.resolve(dps, allow=("mp",))
    e = sp.expand(expr)
    if e == 0:
        return ZeroDecision(True, "expansion to zero")
    repl = _atom_symbols(e)
    if repl:
        try:
            r = sp.cancel(sp.together(e.xreplace(repl)))
        except sp.PolynomialError:
            r = None
        if r == 0:
            return ZeroDecision(True, "rational normal form in function atoms")
    elif sp.cancel(sp.together(e)) == 0:
        return ZeroDecision(True, "rational normal form")
    return _sample_zero(e, samples, precision, seed)


def _atom_symbols(e):
    """Fresh symbols for the non-rational atoms of ``e``: functions, and roots u**(p/q) -> T**p, T = u**(1/q).

    One T per (u, q), so sqrt(u) and 1/sqrt(u) become T and 1/T rather than unrelated symbols.
    Atoms are replaced outermost first by ``xreplace``, so nested atoms stay consistent.
    """
    repl, roots = {}, {}
    for a in sorted(e.atoms(sp.Function, sp.Pow), key=sp.default_sort_key):
        if isinstance(a, sp.Function):
            repl[a] = sp.Dummy("t")
        elif a.exp.is_Rational and not a.exp.is_Integer:
            key = (a.base, a.exp.q)
            if key not in roots:
                roots[key] = sp.Dummy("r")
            repl[a] = roots[key] ** a.exp.p
        elif not a.exp.is_Integer:
            repl[a] = sp.Dummy("t")
    return repl


def _sample_zero(e, samples, precision, seed):
    """Evaluate ``e`` at random rational points: False at the first clearly nonzero value, else None."""
    rng = random.Random(seed)
    dps = precision.digits
    tol = sp.Float(precision.tolerance(loss=GUARD_DIGITS), dps)
    free = sorted(e.free_symbols, key=sp.default_sort_key)
    undefined = sorted({a.func for a in e.atoms(sp.Function) if hasattr(a.func, "_order")}, key=str)
    # Constant values for f, f', ...: a nonzero result is still a sound refutation, because some
    # smooth f takes these values and derivatives at the sampled arguments.
    funcs = {func: sp.Lambda(sp.Dummy(), sp.Rational(rng.randint(-9, 9), rng.randint(1, 9))) for func in undefined}
    for _ in range(samples):
        point = {s: sp.Rational(rng.randint(-20, 20), rng.randint(1, 10)) for s in free}
        v = e.xreplace(point)
        if funcs:
            v = v.replace(lambda a: a.func in funcs, lambda a: funcs[a.func](*a.args))
        value = sp.N(v, dps)
        if value.is_finite is not True:  # a pole or an undefined point: no evidence either way
            continue
        if value != 0 and abs(value) > tol:
            return ZeroDecision(False, "nonzero at a rational point",
                                {"point": {str(k): str(p) for k, p in point.items()}, "value": str(sp.N(value, 15))})
    return ZeroDecision(None, "numerically zero at %d random rational points to %d digits" % (samples, dps))


@dataclass(frozen=True)
class MatrixComparison:
    """The outcome of deciding ``A - B = 0`` entry by entry (upper triangle when symmetric).

    Attributes
    ----------
    verdict : True, False or None
        True when every entry was decided zero, False at the first entry shown nonzero, None when
        some entry was only numerically zero.
    methods : frozenset of str
    entries : int
        Entries decided.
    first : tuple or None
        ``(row, column, detail)`` of the first nonzero entry (False) or numeric-only entry (None).

    Examples
    --------
    >>> u = sp.Symbol("u")
    >>> cmp = compare_matrices(sp.Matrix([[u, 0], [0, u]]), sp.Matrix([[u, 0], [0, u]]))
    >>> cmp.verdict, sorted(cmp.methods), cmp.entries, cmp.first
    (True, ['expansion to zero'], 3, None)
    """

    verdict: object
    methods: frozenset
    entries: int
    first: tuple = None


def compare_matrices(A, B, symmetric=True):
    """Decide exactly whether two matrices are equal, entry by entry with :func:`decide_zero`.

    Stops at the first entry shown nonzero.

    Parameters
    ----------
    A, B : Matrix
        Of the same shape.
    symmetric : bool
        Compare the upper triangle only (both matrices are symmetric).

    Returns
    -------
    MatrixComparison

    See Also
    --------
    decide_zero : the decision for one entry.

    Examples
    --------
    >>> u = sp.Symbol("u")
    >>> compare_matrices(sp.Matrix([[(u + 1)**2]]), sp.Matrix([[u**2 + 2*u + 1]])).verdict
    True
    >>> compare_matrices(sp.Matrix([[u, 1], [1, u]]), sp.Matrix([[u, 1], [1, 2*u]])).first[:2]
    (1, 1)
    """
    A = check_matrix(A, "A", symbolic=True)
    B = check_matrix(B, "B", symbolic=True)
    symmetric = check_bool(symmetric, "symmetric")
    methods, entries, first = set(), 0, None
    for r in range(A.rows):
        for c in range(r if symmetric else 0, A.cols):
            entries += 1
            decision = decide_zero(A[r, c] - B[r, c])
            methods.add(decision.method)
            if decision.verdict is False:
                return MatrixComparison(False, frozenset(methods), entries, (r, c, decision.detail))
            if decision.verdict is None and first is None:
                first = (r, c, decision.detail)
    return MatrixComparison(True if first is None else None, frozenset(methods), entries, first)
