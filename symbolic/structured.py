"""Layer blocks of the Botev recursion in structured form: Kronecker factors over shared subexpressions.

A layer block G_l = (a~ a~^T) kron H_l of a net of 10^4 parameters has 10^7 entries or more, and the
pre-activation Hessian H_l, written out in the weights, grows exponentially with depth.  The
structured form keeps neither: per layer it holds the factor a~ = [a_{l-1}; 1] (a column of named
symbols, ``x`` for layer 1) and H_l as a matrix of named symbols ``H{l}[i,j]``, each defined by one
equation over *named* intermediates, so the whole derivation has O(sum_l d_l d_{l+1}^2) terms, linear
in depth.  The recursion H_l = B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l is split at the product
U_l = H_{l+1} W_{l+1} (named ``U{l}[k,j]``)::

    U_l[k,j] = sum_m H_{l+1}[k,m] W_{l+1}[m,j]
    H_l[i,j] = f'(h_l[i]) f'(h_l[j]) sum_k W_{l+1}[k,i] U_l[k,j]  (+ f''(h_l[i]) (W_{l+1}^T delta_{l+1})[i] if i = j)

(the forward and backward passes are :class:`~lossgeom.symbolic.hessian.BackwardPass`'s named
equations).  A block is a lazy Kronecker product: :meth:`LayerBlock.factors`, :meth:`LayerBlock.entry`
and :meth:`LayerBlock.latex` never form it; :meth:`LayerBlock.expand` and :meth:`LayerBlock.evaluate`
do, for small nets and at exact points.  Expanded, the blocks are the same expressions as
:meth:`~lossgeom.symbolic.hessian.HessianRecursion.layer_block` with ``expand=True`` (tested).

References
----------
Botev, Ritter & Barber, "Practical Gauss-Newton Optimisation for Deep Learning", ICML 2017, Sec. 2.
"""

from dataclasses import dataclass
from functools import cached_property, lru_cache

import sympy as sp

from lossgeom.checks import check_int, check_net
from lossgeom.limits import LIMITS

from .forward import symbol
from .hessian import (
    BackwardPass,
    Equation,
    HessianRecursion,
    _expand_named,
    _hadamard,
    _monomial,
    _normalise_pattern,
    _substitutions,
    _sweep,
)

__all__ = ["StructuredHessian", "LayerBlock", "structured_hessian", "estimated_terms"]

try:  # the fast canonical product of hessian.py (same result as sp.Mul, tested there)
    from sympy.core.mul import _mulsort
except ImportError:  # pragma: no cover - depends on the SymPy version
    _mulsort = None


def _product(u, v):
    """u*v for two symbols (or numbers), built as SymPy's canonical product without re-flattening.

    Two distinct real symbols are ordered by name, as ``Basic.compare`` orders them (checked at
    import by :func:`_fast_add_works`); anything else goes to ``sp.Mul``.
    """
    if _FAST_ADD and type(u) is _Symbol and type(v) is _Symbol and u is not v:
        return sp.Mul._from_args((u, v) if u.name < v.name else (v, u), is_commutative=True)
    return u * v


def _factors_product(factors):
    """The product of sums and powers of sums with distinct bases, as ``sp.Mul`` builds it, unflattened."""
    bases = [f.base if f.is_Pow and f.exp.is_Integer else f for f in factors]
    if (_mulsort is None or not all(b.is_Add for b in bases) or len(set(bases)) != len(bases)
            or not _FAST_ADD):
        return sp.Mul(*factors)
    args = list(factors)
    _mulsort(args)
    return sp.Mul._from_args(args, is_commutative=True)


_Symbol = sp.Symbol


def _named(rows, cols, name):
    """A rows x cols immutable matrix of the real symbols ``name(i, j)`` (0-based), built without re-sympifying."""
    flat = [symbol(name(i, j)) for i in range(rows) for j in range(cols)]
    if hasattr(sp.ImmutableDenseMatrix, "_new"):
        return sp.ImmutableDenseMatrix._new(rows, cols, flat, copy=False)
    return sp.ImmutableMatrix(rows, cols, flat)  # pragma: no cover - depends on the SymPy version


def _is_pair(t):
    return t.is_Mul and len(t.args) == 2 and t.args[0].is_Symbol and t.args[1].is_Symbol


def _fast_sum(terms):
    """sp.Add(*terms) for distinct terms, each a symbol or a product of two distinct symbols, all real.

    SymPy's Add sorts its terms with ``Basic.compare``, which for these reduces to the class
    (Symbol or Mul) and then the symbols' names in order; sorting by that key directly and
    wrapping with ``Add._from_args`` gives the identical object many times faster (the Add sort
    dominates building the equations of a 10^4-parameter net).  Anything else goes to ``sp.Add``;
    so does everything when the check at import (:func:`_fast_add_works`) fails.
    """
    fast = _sorted_sum(terms) if _FAST_ADD and len(terms) > 2 else None
    return sp.Add(*terms) if fast is None else fast


def _sorted_sum(terms):
    syms, pairs = [], []
    for t in terms:
        if t.is_Symbol:
            syms.append(t)
        elif _is_pair(t):
            pairs.append(t)
        else:
            return None
    syms.sort(key=lambda t: t.name)
    pairs.sort(key=lambda t: (t.args[0].name, t.args[1].name))
    return sp.Add._from_args(syms + pairs if _SYMBOLS_FIRST else pairs + syms, is_commutative=True)


def _fast_add_works():
    """Whether :func:`_sorted_sum`, :func:`_product` and :func:`_factors_product` reproduce ``sp.Add`` and
    ``sp.Mul`` on this SymPy (checked once, at import; on failure the public constructors are used)."""
    if _mulsort is None or not hasattr(sp.Add, "_from_args"):  # pragma: no cover - depends on the SymPy version
        return False
    a, b, c, d, e = (sp.Symbol(n, real=True) for n in ("W2[1,10]", "W2[1,2]", "U1[3,1]", "x[1]", "b1[1]"))
    pairs = [(a, c), (b, d), (a, d), (b, c), (c, d), (d, c), (e, a)]
    products = [sp.Mul._from_args((u, v) if u.name < v.name else (v, u), is_commutative=True) for u, v in pairs]
    if any(p != u * v or p.args != (u * v).args for p, (u, v) in zip(products, pairs)):
        return False
    terms = products[:5] + [e, c]
    fast, slow = _sorted_sum(terms), sp.Add(*terms)
    if not (fast == slow and fast.args == slow.args and hash(fast) == hash(slow)):
        return False
    s1, s2 = 1 - sp.tanh(a) ** 2, slow
    factors = [s1 ** 2, s2, 1 - sp.tanh(b) ** 2]
    args = list(factors)
    _mulsort(args)
    return sp.Mul._from_args(args, is_commutative=True).args == sp.Mul(*factors).args


_SYMBOLS_FIRST = sp.Symbol("a").compare(sp.Symbol("b") * sp.Symbol("c")) < 0
_FAST_ADD = False  # read by _product while the check runs
_FAST_ADD = _fast_add_works()


def _dot(row, col):
    """sum_k row[k] col[k] over symbols and numbers, zeros dropped, as a canonical SymPy Add."""
    terms = []
    for u, v in zip(row, col):
        if type(u) is _Symbol and type(v) is _Symbol:
            terms.append(_product(u, v))
        elif not (u.is_zero or v.is_zero):
            terms.append(v if u == 1 else u if v == 1 else u * v)
    return _fast_sum(terms)


def _count_terms(e):
    """Summands of the largest sum in a product (the U and H equations are c * (sum) (+ d))."""
    if e.is_Add:
        return sum(_count_terms(t) for t in e.args)
    if e.is_Mul:
        return max(_count_terms(t) for t in e.args)
    return 1


@dataclass(frozen=True)
class LayerBlock:
    """One layer block G_l = (a~ a~^T) kron H_l of a :class:`StructuredHessian`, never formed until asked.

    Rows and columns are in theta_l's order ``[vec(W_l); b_l]`` (columns of W_l stacked): row
    ``r = b * d_l + i`` is input unit ``b`` (``b = d_{l-1}`` the bias) and output unit ``i``.
    Weight decay adds ``weight_decay`` on the diagonal of the weight part.

    Attributes
    ----------
    structure : StructuredHessian
    l : int
        Layer, 1..L.

    Examples
    --------
    >>> from lossgeom import Net
    >>> G = structured_hessian(Net(widths=(2, 2, 1), activation="tanh")).block(1)
    >>> G.shape
    (4, 4)
    >>> a, H = G.factors()
    >>> a.T, H
    (Matrix([[x[1], x[2]]]), Matrix([
    [H1[1,1], H1[1,2]],
    [H1[1,2], H1[2,2]]]))
    >>> G.entry(3, 0)
    H1[1,2]*x[1]*x[2]
    """

    structure: object
    l: int

    @property
    def shape(self):
        """(n, n) with n = (d_{l-1} + bias) d_l."""
        n = len(self._a) * self.structure.net.widths[self.l]
        return (n, n)

    @cached_property
    def _a(self):
        s = self.structure
        return list(s.backward.a(self.l - 1)) + ([sp.Integer(1)] if s.net.bias else [])

    def factors(self):
        """The Kronecker factors ``(a~, H_l)``: G_l = (a~ a~^T) kron H_l (plus weight decay on the weights).

        Returns
        -------
        (ImmutableMatrix, ImmutableMatrix)
            The column a~ = [a_{l-1}; 1] (the 1 with biases) and H_l in named symbols ``H{l}[i,j]``
            (:meth:`StructuredHessian.definition` gives each one's equation).

        Examples
        --------
        >>> from lossgeom import Net
        >>> a, H = structured_hessian(Net(widths=(1, 2, 1), bias=True)).block(2).factors()
        >>> a.T, H
        (Matrix([[a1[1], a1[2], 1]]), Matrix([[H2[1,1]]]))
        """
        return sp.ImmutableMatrix(self._a), self.structure.H(self.l)

    def entry(self, r, c):
        """The entry (r, c) (0-based) of G_l: a~[b] a~[d] H_l[i, j] with r = b d_l + i, c = d d_l + j.

        Raises
        ------
        DataError
            For an index outside the block.

        Examples
        --------
        >>> from lossgeom import Net
        >>> structured_hessian(Net(widths=(1, 1, 1), weight_decay="1/10")).block(1).entry(0, 0)
        H1[1,1]*x[1]**2 + 1/10
        """
        n = self.shape[0]
        check_int(r, "r", 0, n - 1)
        check_int(c, "c", 0, n - 1)
        return self._entry(r, c)

    def _entry(self, r, c):
        net, H, a = self.structure.net, self.structure._H[self.l - 1], self._a
        d = net.widths[self.l]
        (b, i), (e, j) = divmod(r, d), divmod(c, d)
        value = _monomial(a[b], a[e], H[i, j])
        rows, cols = net.layer_shape(self.l)
        if net.weight_decay and r == c and r < rows * cols:
            value = value + net.weight_decay
        return value

    def named(self):
        """The block as an explicit matrix in the named symbols (as ``HessianRecursion.layer_block``).

        Examples
        --------
        >>> from lossgeom import Net
        >>> structured_hessian(Net(widths=(1, 1, 1))).block(1).named()
        Matrix([[H1[1,1]*x[1]**2]])
        """
        return self.structure._recursion.layer_block(self.l)  # the same named symbols and factor a~

    def expand(self, force=False):
        """The block as an explicit matrix in weights, biases, x and y (every named quantity substituted).

        Parameters
        ----------
        force : bool
            Expand even above :data:`~lossgeom.symbolic.hessian.EXPAND_LIMIT` parameters.

        Raises
        ------
        SizeLimitError
            For a net above the limit without ``force``.

        Examples
        --------
        >>> from lossgeom import Net
        >>> structured_hessian(Net(widths=(1, 1, 1))).block(1).expand()
        Matrix([[W2[1,1]**2*x[1]**2]])
        """
        self.structure.expand(sp.S.Zero, force)  # the size check, before the block is formed
        return self.structure.expand(self.named(), force)

    def latex(self):
        """The factored form ``G_l = (a~ a~^T) \\otimes H_l`` with both factors written out (O(d^2) text, not O(d^4)).

        Examples
        --------
        >>> from lossgeom import Net
        >>> print(structured_hessian(Net(widths=(1, 1, 1))).block(1).latex())
        G^{(1)} = \\left(\\tilde{a}^{(0)} \\tilde{a}^{(0)T}\\right) \\otimes \\mathcal{H}^{(1)}, \\quad \\tilde{a}^{(0)} = \\left[\\begin{matrix}x_{1}\\end{matrix}\\right], \\quad \\mathcal{H}^{(1)} = \\left[\\begin{matrix}\\mathcal{H}^{(1)}_{1,1}\\end{matrix}\\right]
        """
        from .latex import latex
        a, H = self.factors()
        l = self.l
        text = "G^{(%d)} = \\left(\\tilde{a}^{(%d)} \\tilde{a}^{(%d)T}\\right) \\otimes \\mathcal{H}^{(%d)}" % (l, l - 1, l - 1, l)
        if self.structure.net.weight_decay:
            text += " + %s I" % latex(self.structure.net.weight_decay)
        return "%s, \\quad \\tilde{a}^{(%d)} = %s, \\quad \\mathcal{H}^{(%d)} = %s" % (text, l - 1, latex(a), l, latex(H))

    def evaluate(self, weights, biases=None, x=None, y=None):
        """The exact block at given weights (or a :class:`~lossgeom.point.Point`), input and target.

        The factors are evaluated by one sweep of the equations, then multiplied out (a kink of a
        piecewise activation raises, as in :meth:`HessianRecursion.evaluate`).

        Examples
        --------
        >>> from lossgeom import Net
        >>> G = structured_hessian(Net(widths=(1, 1, 1), activation="relu")).block(1)
        >>> G.evaluate([[["1/2"]], [[2]]], x=[3], y=[0])
        Matrix([[36]])
        """
        a, H = self.structure.evaluate(self.factors(), weights, biases, x, y)
        return self._assemble(list(a), H)

    def subs(self, point):
        """:meth:`evaluate` at a :class:`~lossgeom.point.Point` of one sample.

        Examples
        --------
        >>> from lossgeom import Net
        >>> from lossgeom.point import resolve_point
        >>> net = Net(widths=(1, 1, 1), activation="relu")
        >>> structured_hessian(net).block(2).subs(resolve_point(net, [[["1/2"]], [[2]]], X=[[3]], Y=[[0]]))
        Matrix([[9/4]])
        """
        return self.evaluate(point)

    def _assemble(self, a, H):
        net, d = self.structure.net, self.structure.net.widths[self.l]
        n = len(a) * d
        rows, cols = net.layer_shape(self.l)
        wd = net.weight_decay

        def value(r, c):
            (b, i), (e, j) = divmod(r, d), divmod(c, d)
            v = a[b] * a[e] * H[i, j]
            return v + wd if wd and r == c and r < rows * cols else v
        return sp.ImmutableMatrix(n, n, value)


@dataclass(frozen=True)
class StructuredHessian:
    """The Botev recursion of one net as equations over named shared subexpressions, and its layer blocks.

    Create with :func:`structured_hessian`.

    Attributes
    ----------
    backward : BackwardPass
        The forward and backward pass (named ``h``, ``a``, ``delta``).

    Examples
    --------
    >>> from lossgeom import Net
    >>> sh = structured_hessian(Net(widths=(1, 2, 1), activation="tanh"))
    >>> [str(eq) for eq in sh.hessian_equations][:2]
    ['H2[1,1] = 1', 'U1[1,1] = H2[1,1]*W2[1,1]']
    >>> sh.definition(sh.H(1)[0, 1])
    U1[1,2]*W2[1,1]*(1 - tanh(h1[1])**2)*(1 - tanh(h1[2])**2)
    """

    backward: BackwardPass

    @property
    def net(self):
        return self.backward.net

    @cached_property
    def _recursion(self):
        return HessianRecursion(self.backward)

    def H(self, l):
        """H_l = d2E/dh_l^2 as a symmetric matrix of named symbols ``H{l}[i,j]`` (as :meth:`HessianRecursion.H`)."""
        check_int(l, "l", 1, self.net.depth)
        return self._H[l - 1]

    @cached_property
    def _H(self):
        return tuple(_named(n, n, lambda i, j, l=l: "H%d[%d,%d]" % (l, min(i, j) + 1, max(i, j) + 1))
                     for l, n in enumerate(self.net.widths[1:], start=1))

    def U(self, l):
        """U_l = H_{l+1} W_{l+1} (l < L) as a matrix of named symbols ``U{l}[k,j]``."""
        check_int(l, "l", 1, self.net.depth - 1)
        return _named(self.net.widths[l + 1], self.net.widths[l], lambda k, j: "U%d[%d,%d]" % (l, k + 1, j + 1))

    def _layer_equations(self, l):
        """The equations of U_l (when l < L) and of H_l's upper triangle."""
        if l == self.net.depth:
            rhs, named = self._recursion.output_hessian(), self.H(l)
            return [Equation(named[i, j], rhs[i, j]) for i in range(rhs.rows) for j in range(i, rhs.cols)]
        bp = self.backward
        W, U, named = bp.W(l + 1), self.U(l), self.H(l)
        Hrows, Wc = self.H(l + 1).tolist(), W.T.tolist()
        eqs = [Equation(U[k, j], _dot(Hrows[k], Wc[j])) for k in range(W.rows) for j in range(W.cols)]
        fp = bp.activation_values(l, 1)
        Uc = U.T.tolist()
        extra = [f * e for f, e in zip(bp.activation_values(l, 2), self._back_sums[l])]
        for i in range(W.cols):
            for j in range(i, W.cols):
                m = _dot(Wc[i], Uc[j])
                value = _factors_product([fp[i], fp[j], m] if i != j else [fp[i] ** 2, m])
                eqs.append(Equation(named[i, j], value + extra[i] if i == j else value))
        return eqs

    @cached_property
    def _back_sums(self):
        """(W_{l+1}^T delta_{l+1})[i] for l = 1..L-1, as canonical sums (shared by delta_l and D_l)."""
        bp = self.backward
        out = {}
        for l in range(1, self.net.depth):
            Wc, d = bp.W(l + 1).T.tolist(), list(bp.delta(l + 1))
            out[l] = [_dot(Wc[i], d) for i in range(len(Wc))]
        return out

    @cached_property
    def forward_equations(self):
        """h_l = W_l a_{l-1} (+ b_l) and a_l = f(h_l), as :attr:`BackwardPass.forward_equations` (equal)."""
        bp, L, eqs = self.backward, self.net.depth, []
        for l in range(1, L + 1):
            W, a, b = bp.W(l).tolist(), list(bp.a(l - 1)), list(bp.b(l))
            rhs = [_fast_sum([_product(w, v) for w, v in zip(row, a)] + ([b[i]] if self.net.bias else []))
                   for i, row in enumerate(W)]
            eqs += [Equation(s, e) for s, e in zip(bp.h(l), rhs)]
            if l < L or self.net.output_activation.name != "identity":
                eqs += [Equation(s, e) for s, e in zip(bp.a(l), bp.activation_values(l, 0))]
        return tuple(eqs)

    @cached_property
    def backward_equations(self):
        """delta_L = g'(h_L) * dE/da_L, delta_l = f'(h_l) * W_{l+1}^T delta_{l+1}, as :class:`BackwardPass`'s."""
        bp, L = self.backward, self.net.depth
        top = _hadamard(bp.activation_values(L, 1), bp.output_gradient())
        eqs = [Equation(s, e) for s, e in zip(bp.delta(L), top)]
        for l in range(L - 1, 0, -1):
            fp = bp.activation_values(l, 1)
            eqs += [Equation(s, f * e) for s, f, e in zip(bp.delta(l), fp, self._back_sums[l])]
        return tuple(eqs)

    @cached_property
    def hessian_equations(self):
        """The equations of H_L, then U_{L-1}, H_{L-1}, ..., U_1, H_1 (upper triangles of the H's)."""
        eqs = []
        for l in range(self.net.depth, 0, -1):
            eqs += self._layer_equations(l)
        return tuple(eqs)

    @property
    def equations(self):
        """Every defining equation in computation order (forward, backward, Hessian)."""
        return self.forward_equations + self.backward_equations + self.hessian_equations

    @cached_property
    def n_terms(self):
        """Total number of terms (summands) in the right-hand sides of :attr:`hessian_equations`."""
        return sum(_count_terms(eq.rhs) for eq in self.hessian_equations)

    @cached_property
    def _definitions(self):
        return {eq.lhs: eq.rhs for eq in self.equations}

    def definition(self, named):
        """The defining expression of a named symbol (``h1[2]``, ``delta1[1]``, ``U1[1,2]``, ``H1[1,2]``)."""
        return HessianRecursion.definition(self, named)

    def block(self, l):
        """The layer block G_l = (a~ a~^T) kron H_l, lazily (:class:`LayerBlock`)."""
        check_int(l, "l", 1, self.net.depth)
        return LayerBlock(self, l)

    def layer_block(self, l):
        """The block G_l in named symbols (:meth:`LayerBlock.named`), as :meth:`HessianRecursion.layer_block`."""
        return self.block(l).named()

    def blocks(self):
        """Every layer block, l = 1..L."""
        return tuple(LayerBlock(self, l) for l in range(1, self.net.depth + 1))

    @cached_property
    def _expansions(self):
        return _substitutions(self.equations)

    def expand(self, expr, force=False):
        """Substitute every named quantity (h, a, delta, U, H) by its expression in weights, biases, x and y."""
        return _expand_named(self, expr, force)

    def evaluate(self, exprs, weights, biases=None, x=None, y=None):
        """Exact values of a tuple of expressions (or matrices) by one sweep of the equations.

        Examples
        --------
        >>> from lossgeom import Net
        >>> sh = structured_hessian(Net(widths=(1, 1, 1), activation="relu"))
        >>> sh.evaluate((sh.H(1),), [[["1/2"]], [[2]]], x=[3], y=[0])
        (Matrix([[4]]),)
        """
        packed = sp.Tuple(*exprs)
        return tuple(_sweep(self.net, self.backward.pattern, self.equations, packed, weights, biases, x, y, 2))

    def __str__(self):
        return "structured Hessian recursion of %s" % (self.net,)


@lru_cache(maxsize=16)
def _structured(net, pattern):
    return StructuredHessian(BackwardPass(net, pattern))


def structured_hessian(net, pattern=None):
    """The Botev layer blocks of ``net`` in structured form: Kronecker factors over shared subexpressions.

    Builds the equations of every U_l and H_l (cost about sum_l d_l d_{l+1}^2 terms, linear in
    depth); the blocks themselves stay lazy.  Cached per (net, pattern).

    Parameters
    ----------
    net : Net
    pattern : dict or Pattern, optional
        ``{(l, i): piece}``: an activation cell (for piecewise activations).

    Returns
    -------
    StructuredHessian

    Raises
    ------
    SizeLimitError
        Above ``structured_terms`` estimated terms (:func:`estimated_terms`, ``lossgeom.limits``).

    See Also
    --------
    lossgeom.symbolic.derive_hessian : the same recursion with H_l = B W^T H W B + D written out per entry.

    Examples
    --------
    >>> from lossgeom import Net
    >>> sh = structured_hessian(Net(widths=(3, 4, 4, 2), activation="tanh"))
    >>> [G.shape for G in sh.blocks()]
    [(12, 12), (16, 16), (8, 8)]
    >>> sh.block(3).factors()[1]
    Matrix([
    [H3[1,1], H3[1,2]],
    [H3[1,2], H3[2,2]]])
    >>> sh.definition(sh.H(3)[0, 0]), sh.definition(sh.H(3)[0, 1])
    (1, 0)
    """
    check_net(net)
    terms = estimated_terms(net)
    LIMITS["structured_terms"].check(terms, "net", shown="%s has about %d terms in its structured Hessian equations"
                                     % (net, terms))
    return _structured(net, _normalise_pattern(net, pattern))


def estimated_terms(net):
    """The terms of the structured U_l and H_l equations (what :func:`structured_hessian` costs).

    sum over l < L of d_{l+1}^2 d_l (the d_{l+1} x d_l entries of U_l, each a sum of d_{l+1} terms) plus
    d_{l+1} d_l (d_l + 1) / 2 (the upper triangle of H_l, each entry a sum of d_{l+1} terms).  Linear in
    depth, cubic in width.

    Examples
    --------
    >>> from lossgeom import Net
    >>> estimated_terms(Net(widths=(50, 100, 50, 2)))
    505250
    """
    check_net(net)
    w = net.widths
    return sum(w[l + 1] ** 2 * w[l] + w[l + 1] * w[l] * (w[l] + 1) // 2 for l in range(1, net.depth))

