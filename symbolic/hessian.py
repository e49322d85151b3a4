"""Backpropagation and the Botev-Ritter-Barber Hessian recursion, derived exactly in SymPy.

A derivation keeps its intermediate quantities as *named* symbols with defining equations
(``h1[2] = W1[2,1]*x[1] + ...``, ``delta1[2] = ...``, ``H1[1,2] = ...``), in the order they
are computed.  Expressions in the weights are produced only on request (:meth:`expand`),
which keeps large nets feasible and the LaTeX readable: the named form is a common-
subexpression elimination of the Hessian that comes for free with the recursion.

Single datapoint: the Hessian of a sum over samples is the sum of the per-sample Hessians.

The recursion (Botev, Ritter & Barber 2017, Sec. 2)::

    H_L = B_L (d2E/da_L^2) B_L + diag(g''(h_L) * dE/da_L)     (g the output activation)
    H_l = B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l,  B_l = diag(f'(h_l)),
    D_l = diag(f''(h_l) * W_{l+1}^T delta_{l+1}),    delta_l = dE/dh_l = f'(h_l) * W_{l+1}^T delta_{l+1}
    d2E/dvec(W~_l)^2 = (a~ a~^T) kron H_l,   a~ = [a_{l-1}; 1] with a bias (bias last).

The Gauss-Newton version drops D_l (and the g'' term).  The proof that these blocks are the
Hessian's is :func:`lossgeom.symbolic.verify.verify_recursion`.

References
----------
Botev, Ritter & Barber, "Practical Gauss-Newton Optimisation for Deep Learning", ICML 2017.
"""

import itertools
from dataclasses import dataclass
from functools import cached_property, lru_cache

import sympy as sp

from lossgeom.checks import check_int, check_mapping, check_net
from lossgeom.errors import DataError, NetSpecError, NonDifferentiableError, SizeLimitError
from lossgeom.limits import LIMITS

from .forward import (
    bias_symbols,
    forward_trace,
    input_symbols,
    one_sample_pattern,
    parameter_symbols,
    resolve_inputs,
    symbol,
    target_symbols,
    weight_symbols,
)

# Fast paths through SymPy internals, relied on and tested with SymPy 1.14: ``_mulsort`` with
# ``Mul._from_args`` builds a canonical product without Mul's flattening, and
# ``ImmutableDenseMatrix._new(..., copy=False)`` wraps a flat list without re-sympifying every
# entry (together about 3.5x faster on the ~10^5 entries of a large layer block).  Should a SymPy
# release drop or rename them, the public constructors below give equal results, only slower.
try:
    from sympy.core.mul import _mulsort
except ImportError:  # pragma: no cover - depends on the SymPy version
    _mulsort = None
_FAST_MUL = _mulsort is not None and hasattr(sp.Mul, "_from_args")
_FAST_MATRIX = hasattr(sp.ImmutableDenseMatrix, "_new")

__all__ = ["Equation", "BackwardPass", "HessianRecursion", "derive_gradient", "derive_hessian",
           "derive_gauss_newton", "direct_hessian", "direct_layer_block", "EXPAND_LIMIT"]

#: Largest number of parameters for which :meth:`BackwardPass.expand` expands a whole net without
#: ``force=True`` (expanded Hessian entries of deep tanh nets grow quickly).
EXPAND_LIMIT = LIMITS["expand_parameters"].value


@dataclass(frozen=True)
class Equation:
    """A named quantity and its defining expression, ``lhs = rhs``.

    Attributes
    ----------
    lhs : Symbol
    rhs : Expr
        In terms of weights, biases, input, target and earlier named quantities.

    Examples
    --------
    >>> from lossgeom import Net
    >>> print(derive_gradient(Net(widths=(1, 1))).equations[0])
    h1[1] = W1[1,1]*x[1]
    """

    lhs: sp.Symbol
    rhs: sp.Expr

    def __str__(self):
        return "%s = %s" % (self.lhs, self.rhs)


def _named_column(prefix, l, n):
    return sp.ImmutableMatrix(n, 1, lambda i, _: symbol("%s%d[%d]" % (prefix, l, i + 1)))


def _named_symmetric(prefix, l, n):
    return sp.ImmutableMatrix(n, n, lambda i, j: symbol("%s%d[%d,%d]" % (prefix, l, min(i, j) + 1, max(i, j) + 1)))


def _normalise_pattern(net, pattern):
    pattern = one_sample_pattern(net, pattern)
    return pattern if pattern else None


def _substitutions(equations, known=()):
    """Each named lhs -> its rhs in weights, biases, x and y (earlier names substituted), extending ``known``."""
    out = dict(known)
    for eq in equations:
        out[eq.lhs] = eq.rhs.xreplace(out)
    return out


def _expand_named(derivation, expr, force):
    """``expr`` with the derivation's named intermediates expanded (its ``_expansions``, built only
    after the size check, since building them is the expensive part); refused above
    :data:`EXPAND_LIMIT` parameters without ``force``."""
    net = derivation.net
    if net.n_params > EXPAND_LIMIT and not force:
        raise SizeLimitError("expand: the net has %d parameters, above the limit %d for expanding named "
                             "intermediates into the weights; pass force=True, or use the named form (limit expand_parameters)"
                             % (net.n_params, EXPAND_LIMIT))
    return expr.xreplace(derivation._expansions)


def _display_latex(obj):
    """The Jupyter ``_repr_latex_`` string: the printer's LaTeX in display style (as SymPy's own objects do)."""
    from .latex import latex
    return "$\\displaystyle %s$" % latex(obj)


@dataclass(frozen=True)
class BackwardPass:
    """Forward and backward pass of one datapoint as named equations.

    Create with :func:`derive_gradient`.

    Attributes
    ----------
    net : Net
    pattern : Pattern or None
        The activation cell ``{(l, i): piece}``; units not listed use the whole
        activation (a ``Piecewise`` for piecewise-linear ones).

    Examples
    --------
    >>> from lossgeom import Net
    >>> bp = derive_gradient(Net(widths=(1, 1, 1), activation="relu"), pattern={(1, 1): 1})
    >>> bp.backward_equations[-1].rhs
    W2[1,1]*delta2[1]
    """

    net: object
    pattern: tuple = None

    # -- named quantities --------------------------------------------------------------
    def W(self, l):
        """W_l as a matrix of weight symbols."""
        return weight_symbols(self.net, l)

    def b(self, l):
        """b_l as a column of bias symbols (zero column without biases)."""
        if self.net.bias:
            return bias_symbols(self.net, l)
        return sp.ImmutableMatrix.zeros(self.net.widths[l], 1)

    def h(self, l):
        """h_l as a column of named symbols ``h{l}[i]``."""
        self.net.check_layer(l)
        return _named_column("h", l, self.net.widths[l])

    def a(self, l):
        """a_l as a column of named symbols (``a_0`` is the input ``x``; ``a_L`` is ``h_L`` for an identity output)."""
        if l == 0:
            return input_symbols(self.net)
        if l == self.net.depth and self.net.output_activation.name == "identity":
            return self.h(l)
        self.net.check_layer(l)
        return _named_column("a", l, self.net.widths[l])

    def delta(self, l):
        """dE/dh_l as a column of named symbols ``delta{l}[i]``."""
        self.net.check_layer(l)
        return _named_column("delta", l, self.net.widths[l])

    @property
    def y(self):
        """The target as a column of symbols ``y[k]``."""
        return target_symbols(self.net)

    def activation_derivative(self, l, i, h, order):
        """The order-th derivative of unit (l, i)'s activation at ``h`` (the cell's piece if fixed)."""
        act = self.net.layer_activation(l)
        k = (self.pattern or {}).get((l, i))
        return act.apply(h, order) if k is None else act.piece_apply(k, h, order)

    def activation_values(self, l, order):
        """f^(order)(h_l) as a column in the named pre-activations (each unit's piece if the cell fixes it).

        Examples
        --------
        >>> from lossgeom import Net
        >>> derive_gradient(Net(widths=(1, 2, 1), activation="f")).activation_values(1, 1).T
        Matrix([[f'(h1[1]), f'(h1[2])]])
        """
        h = self.h(l)
        return sp.ImmutableMatrix(h.rows, 1, lambda i, _: self.activation_derivative(l, i + 1, h[i], order))

    def output_gradient(self):
        """dE/da_L in terms of the named output and target."""
        return sp.ImmutableMatrix(self.net.loss.gradient(list(self.a(self.net.depth)), list(self.y)))

    # -- equations ---------------------------------------------------------------------
    @cached_property
    def forward_equations(self):
        """h_l = W_l a_{l-1} (+ b_l) and a_l = f(h_l), entrywise, in computation order."""
        eqs = []
        L = self.net.depth
        for l in range(1, L + 1):
            rhs = self.W(l) * self.a(l - 1) + self.b(l)
            eqs += [Equation(s, e) for s, e in zip(self.h(l), rhs)]
            if l < L or self.net.output_activation.name != "identity":
                eqs += [Equation(s, e) for s, e in zip(self.a(l), self.activation_values(l, 0))]
        return tuple(eqs)

    @cached_property
    def backward_equations(self):
        """delta_L = g'(h_L) * dE/da_L and delta_l = f'(h_l) * W_{l+1}^T delta_{l+1}, for l = L..1."""
        L = self.net.depth
        top = _hadamard(self.activation_values(L, 1), self.output_gradient())
        eqs = [Equation(s, e) for s, e in zip(self.delta(L), top)]
        for l in range(L - 1, 0, -1):
            back = self.W(l + 1).T * self.delta(l + 1)
            eqs += [Equation(s, e) for s, e in zip(self.delta(l), _hadamard(self.activation_values(l, 1), back))]
        return tuple(eqs)

    @property
    def equations(self):
        """Every defining equation in computation order."""
        return self.forward_equations + self.backward_equations

    # -- gradient ----------------------------------------------------------------------
    def gradient(self, l):
        """dE/dtheta restricted to layer l, in theta's order: [vec(delta_l a_{l-1}^T); delta_l].

        Weight decay adds ``weight_decay * vec(W_l)``.

        Examples
        --------
        >>> from lossgeom import Net
        >>> derive_gradient(Net(widths=(1, 1, 1), activation="tanh")).gradient(1)
        Matrix([[delta1[1]*x[1]]])
        """
        a, d = self.a(l - 1), self.delta(l)
        parts = [a[j] * d[i] for j in range(a.rows) for i in range(d.rows)]
        if self.net.weight_decay:
            W = self.W(l)
            parts = [p + self.net.weight_decay * W[i, j]
                     for p, (j, i) in zip(parts, itertools.product(range(a.rows), range(d.rows)))]
        if self.net.bias:
            parts += list(d)
        return sp.ImmutableMatrix(parts)

    # -- expansion ---------------------------------------------------------------------
    @cached_property
    def _expansions(self):
        return _substitutions(self.equations)

    def expand(self, expr, force=False):
        """Substitute every named intermediate by its expression in weights, biases, x and y.

        Parameters
        ----------
        expr : Expr or Matrix
        force : bool
            Expand even when the net has more than :data:`EXPAND_LIMIT` parameters.

        Raises
        ------
        SizeLimitError
            For a large net without ``force``.

        Examples
        --------
        >>> from lossgeom import Net
        >>> bp = derive_gradient(Net(widths=(1, 1, 1), activation="tanh"))
        >>> bp.expand(bp.gradient(2))
        Matrix([[(W2[1,1]*tanh(W1[1,1]*x[1]) - y[1])*tanh(W1[1,1]*x[1])]])
        """
        return _expand_named(self, expr, force)

    def evaluate(self, expr, weights, biases=None, x=None, y=None, order=1):
        """Exact value of ``expr`` at given weights (and input, target): a forward/backward sweep.

        Numbers are read exactly (strings such as ``"1/3"``).  A pre-activation exactly at a
        kink where the ``order``-th derivative does not exist raises, listing every such unit.

        Raises
        ------
        NonDifferentiableError

        Examples
        --------
        >>> from lossgeom import Net
        >>> bp = derive_gradient(Net(widths=(1, 1, 1), activation="relu"))
        >>> bp.evaluate(bp.gradient(1), [[["1/2"]], [[2]]], x=[1], y=[0])
        Matrix([[2]])
        >>> bp.evaluate(bp.gradient(1), [[[0]], [[2]]], x=[1], y=[0])
        Traceback (most recent call last):
        ...
        lossgeom.errors.NonDifferentiableError: pre-activation(s) h1[1] sit exactly at a kink of their activation (relu), where its derivative of order 1 does not exist
        """
        return _sweep(self.net, self.pattern, self.equations, expr, weights, biases, x, y, order)

    def _repr_latex_(self):
        return _display_latex(self)


def _sweep(net, pattern, equations, expr, weights, biases, x, y, order):
    """Evaluate named equations in order at exact values, refusing at kinks (all of them listed)."""
    W, b, xs, ys = resolve_inputs(net, weights, biases, x, y)
    values = {}
    for l in range(1, net.depth + 1):
        values.update(zip(weight_symbols(net, l), W[l - 1]))
        if b is not None:
            values.update(zip(bias_symbols(net, l), b[l - 1]))
    values.update(zip(input_symbols(net), xs))
    values.update(zip(target_symbols(net), ys))
    fixed = dict(pattern or ())
    kinks, checked = [], False
    for eq in equations:
        if not checked and eq.lhs.name.startswith("delta"):
            checked = True
            if kinks:
                names, labels = [n for n, _ in kinks], sorted({a for _, a in kinks})
                raise NonDifferentiableError("pre-activation(s) %s sit exactly at a kink of their activation (%s), "
                                             "where its derivative of order %d does not exist"
                                             % (", ".join(names), ", ".join(labels), order), kinks=names)
        value = eq.rhs.xreplace(values)
        name = eq.lhs.name
        if name.startswith("h") and value.is_number:
            l, i = (int(t) for t in name[1:-1].split("["))
            act = net.layer_activation(l)
            if (l, i) in fixed:
                piece = act.pieces[fixed[(l, i)]]
                if not (bool(piece.lower <= value) and bool(value <= piece.upper)):
                    raise DataError("pattern: %s = %s is not in piece %d (%s < h < %s) of %s fixed by the cell"
                                    % (name, value, fixed[(l, i)], piece.lower, piece.upper, act.label))
            elif act.at_kink(value, order=order):
                kinks.append((name, act.label))
        values[eq.lhs] = value
    return expr.xreplace(values)


def _monomial(x, y, h):
    """x*y*h for symbols (or the constant 1) x, y, h, built directly in SymPy's canonical order.

    Equal, with the same hash and args, to ``x * y * h``; about 3.5x faster, which matters for
    the ~10^5 entries of a layer block of a 1,000-parameter net.
    """
    parts = [f for f in (x, y) if f != 1]
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = [sp.Pow(parts[0], 2)]
    if not parts:
        return h
    args = parts + [h]
    if not _FAST_MUL:
        return sp.Mul(*args)
    _mulsort(args)
    return sp.Mul._from_args(args, is_commutative=True)


def _hadamard(u, v):
    return sp.ImmutableMatrix(u.rows, 1, lambda i, _: u[i] * v[i])


@dataclass(frozen=True)
class HessianRecursion:
    """The Botev recursion for the pre-activation Hessians and the layer blocks of one net.

    Create with :func:`derive_hessian` or :func:`derive_gauss_newton`.  Read-only; every
    quantity is a property or method whose formula is in its docstring.

    Attributes
    ----------
    backward : BackwardPass
    gauss_newton : bool
        True for the Gauss-Newton recursion (the D_l terms dropped).

    Examples
    --------
    >>> from lossgeom import Net
    >>> rec = derive_hessian(Net(widths=(1, 1, 1), activation="tanh"))
    >>> rec.H(1)
    Matrix([[H1[1,1]]])
    >>> rec.definition(rec.H(1)[0, 0])
    H2[1,1]*W2[1,1]**2*(1 - tanh(h1[1])**2)**2 + 2*W2[1,1]*delta2[1]*(tanh(h1[1])**2 - 1)*tanh(h1[1])
    >>> rec.layer_block(1)
    Matrix([[H1[1,1]*x[1]**2]])
    """

    backward: BackwardPass
    gauss_newton: bool = False

    @property
    def net(self):
        return self.backward.net

    @property
    def prefix(self):
        """``H`` for the Hessian recursion, ``G`` for Gauss-Newton."""
        return "G" if self.gauss_newton else "H"

    def H(self, l):
        """The pre-activation Hessian d2E/dh_l^2 as a symmetric matrix of named symbols ``H{l}[i,j]``."""
        self.net.check_layer(l)
        return _named_symmetric(self.prefix, l, self.net.widths[l])

    def output_hessian(self):
        """d2E/dh_L^2 in terms of the named output: B_L (d2E/da_L^2) B_L + diag(g''(h_L) * dE/da_L).

        For the square loss with identity output this is I; for softmax cross-entropy
        s (diag(p) - p p^T), p = softmax(h_L), s = sum(y) (Botev et al. 2017).
        """
        bp, L = self.backward, self.net.depth
        loss_h = sp.ImmutableMatrix(self.net.loss.hessian(list(bp.a(L)), list(bp.y)))
        if self.net.output_activation.name == "identity":
            return loss_h
        B = sp.diag(*bp.activation_values(L, 1))
        out = B * loss_h * B
        if not self.gauss_newton:
            out += sp.diag(*_hadamard(bp.activation_values(L, 2), bp.output_gradient()))
        return sp.ImmutableMatrix(out)

    def recursion_rhs(self, l):
        """B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l, in named symbols (D_l omitted for Gauss-Newton)."""
        bp = self.backward
        if l == self.net.depth:
            return self.output_hessian()
        fp = bp.activation_values(l, 1)
        W = bp.W(l + 1)
        M = W.T * (self.H(l + 1) * W)
        extra = None if self.gauss_newton else _hadamard(bp.activation_values(l, 2), W.T * bp.delta(l + 1))
        n = M.rows

        def entry(i, j):  # B M B + D without multiplying by dense diagonal matrices
            if j < i:
                return sp.S.Zero  # filled by symmetry below
            value = fp[i] * M[i, j] * fp[j]
            return value + extra[i] if extra is not None and i == j else value

        upper = sp.Matrix(n, n, entry)
        for i in range(n):
            for j in range(i):
                upper[i, j] = upper[j, i]
        return sp.ImmutableMatrix(upper)

    @cached_property
    def hessian_equations(self):
        """H_L, H_{L-1}, ..., H_1 entrywise (upper triangle; the matrices are symmetric)."""
        eqs = []
        for l in range(self.net.depth, 0, -1):
            rhs, named = self.recursion_rhs(l), self.H(l)
            eqs += [Equation(named[i, j], rhs[i, j]) for i in range(rhs.rows) for j in range(i, rhs.cols)]
        return tuple(eqs)

    @property
    def equations(self):
        """Every defining equation in computation order (forward, backward, Hessian).

        The Gauss-Newton recursion needs the backward pass only for a non-identity output.
        """
        return self.backward.equations + self.hessian_equations

    @cached_property
    def _definitions(self):
        return {eq.lhs: eq.rhs for eq in self.equations}

    def definition(self, named):
        """The defining expression of a named symbol (``h1[2]``, ``delta1[1]``, ``H2[1,2]``, ...)."""
        try:
            return self._definitions[named]
        except KeyError:
            raise NetSpecError("named: %s is not a named quantity of this derivation" % (named,)) from None

    def layer_block(self, l, expand=False, force=False):
        """d2E/dtheta_l^2 = (a~ a~^T) kron H_l, with a~ = [a_{l-1}; 1] when the net has biases.

        Columns of W_l are stacked (theta's order), so the outer Kronecker index is the
        input unit and the inner one the output unit; the bias comes last, giving the
        bias-bias block H_l and the weight-bias block a_{l-1} kron H_l.  Weight decay
        adds ``weight_decay * I`` on the weight part.

        Parameters
        ----------
        l : int
            Layer, 1..L.
        expand : bool
            Expand the named quantities into weights, biases, x and y.

        Examples
        --------
        >>> from lossgeom import Net
        >>> derive_hessian(Net(widths=(1, 2, 1), activation="tanh", bias=True)).layer_block(1)
        Matrix([
        [H1[1,1]*x[1]**2, H1[1,2]*x[1]**2, H1[1,1]*x[1], H1[1,2]*x[1]],
        [H1[1,2]*x[1]**2, H1[2,2]*x[1]**2, H1[1,2]*x[1], H1[2,2]*x[1]],
        [   H1[1,1]*x[1],    H1[1,2]*x[1],      H1[1,1],      H1[1,2]],
        [   H1[1,2]*x[1],    H1[2,2]*x[1],      H1[1,2],      H1[2,2]]])
        """
        a = list(self.backward.a(l - 1)) + ([sp.Integer(1)] if self.net.bias else [])
        Hl = self.H(l)
        n = Hl.rows
        size = len(a) * n
        n_weights = self.net.layer_shape(l)[0] * self.net.layer_shape(l)[1]
        wd = self.net.weight_decay
        products = {}  # a_b a_d H_ac depends on the unordered pairs {b, d} and {i, j} only
        flat = []
        for r in range(size):
            b, i = divmod(r, n)
            for c in range(size):
                d, j = divmod(c, n)
                key = (min(b, d), max(b, d), min(i, j), max(i, j))
                value = products.get(key)
                if value is None:
                    value = products[key] = _monomial(a[b], a[d], Hl[i, j])
                if wd and r == c and r < n_weights:
                    value = value + wd
                flat.append(value)
        if _FAST_MATRIX:
            block = sp.ImmutableDenseMatrix._new(size, size, flat, copy=False)
        else:
            block = sp.ImmutableMatrix(size, size, flat)
        return self.expand(block, force) if expand else block

    def gradient(self, l):
        """dE/dtheta restricted to layer l (see :meth:`BackwardPass.gradient`)."""
        return self.backward.gradient(l)

    @cached_property
    def _expansions(self):
        return _substitutions(self.hessian_equations, self.backward._expansions)

    def expand(self, expr, force=False):
        """Expand named quantities (h, a, delta, H) into weights, biases, x and y.

        Examples
        --------
        >>> from lossgeom import Net
        >>> rec = derive_hessian(Net(widths=(1, 1, 1)))
        >>> rec.expand(rec.layer_block(1))
        Matrix([[W2[1,1]**2*x[1]**2]])
        """
        return _expand_named(self, expr, force)

    def evaluate(self, expr, weights, biases=None, x=None, y=None):
        """Exact value of ``expr`` at given weights, input and target (see :meth:`BackwardPass.evaluate`).

        Examples
        --------
        >>> from lossgeom import Net
        >>> rec = derive_hessian(Net(widths=(1, 1, 1), activation="relu"))
        >>> rec.evaluate(rec.layer_block(1), [[["1/2"]], [[2]]], x=[3], y=[0])
        Matrix([[36]])
        """
        # Gauss-Newton needs f' only (and g', g'' never): a kink of order 2 does not stop it
        order = 1 if self.gauss_newton else 2
        return _sweep(self.net, self.backward.pattern, self.equations, expr, weights, biases, x, y, order)

    def _repr_latex_(self):
        return _display_latex(self)

    def __str__(self):
        kind = "Gauss-Newton recursion" if self.gauss_newton else "Hessian recursion"
        return "%s of %s" % (kind, self.net)


@lru_cache(maxsize=64)
def _derive(net, pattern, gauss_newton):
    return HessianRecursion(BackwardPass(net, pattern), gauss_newton)


def derive_gradient(net, pattern=None):
    """Derive the forward and backward pass of ``net`` as named equations.

    Parameters
    ----------
    net : Net
    pattern : dict, optional
        ``{(l, i): piece}``: fix unit i of layer l to one smooth piece of its activation.

    Returns
    -------
    BackwardPass

    See Also
    --------
    derive_hessian : the Hessian recursion built on this backward pass.
    derive_gauss_newton : its Gauss-Newton form.
    lossgeom.symbolic.verify_recursion : the exact proof that the recursion's blocks are the Hessian's.

    Notes
    -----
    delta_L = g'(h_L) * dE/da_L, delta_l = f'(h_l) * W_{l+1}^T delta_{l+1}, and the gradient of
    layer l is [vec(delta_l a_{l-1}^T); delta_l] in theta's order.

    References
    ----------
    Rumelhart, Hinton & Williams (1986); Botev, Ritter & Barber (2017), Sec. 2.

    Examples
    --------
    >>> from lossgeom import Net
    >>> bp = derive_gradient(Net(widths=(2, 1)))
    >>> bp.gradient(1).T
    Matrix([[delta1[1]*x[1], delta1[1]*x[2]]])
    >>> [str(eq) for eq in bp.backward_equations]
    ['delta1[1] = h1[1] - y[1]']
    """
    check_net(net)
    return _derive(net, _normalise_pattern(net, pattern), False).backward


def derive_hessian(net, pattern=None):
    """Derive the Botev et al. recursion for the pre-activation Hessians and layer blocks.

    Cached per (net, pattern): derivations are immutable.

    Parameters
    ----------
    net : Net
    pattern : dict, optional
        ``{(l, i): piece}``: an activation cell (for piecewise activations).

    Returns
    -------
    HessianRecursion

    See Also
    --------
    derive_gauss_newton : the same recursion without the D_l terms.
    derive_gradient : the forward and backward pass it builds on.
    lossgeom.symbolic.verify_recursion : the exact proof that its layer blocks are the Hessian's.

    Notes
    -----
    H_l = B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l with B_l = diag(f'(h_l)),
    D_l = diag(f''(h_l) * dE/da_l); the weight block is (a_{l-1} a_{l-1}^T) kron H_l.

    References
    ----------
    Botev, Ritter & Barber, "Practical Gauss-Newton Optimisation for Deep Learning", ICML 2017.

    Examples
    --------
    >>> from lossgeom import Net
    >>> rec = derive_hessian(Net(widths=(1, 1, 1), activation="f"))
    >>> rec.definition(rec.H(1)[0, 0])
    H2[1,1]*W2[1,1]**2*f'(h1[1])**2 + W2[1,1]*delta2[1]*f''(h1[1])
    """
    check_net(net)
    return _derive(net, _normalise_pattern(net, pattern), False)


def derive_gauss_newton(net, pattern=None):
    """Derive the Gauss-Newton recursion G_l = B_l W_{l+1}^T G_{l+1} W_{l+1} B_l, G_L = d2E/dh_L^2.

    Cached per (net, pattern), like :func:`derive_hessian`; its named symbols are ``G{l}[i,j]``.

    Parameters
    ----------
    net : Net
    pattern : dict, optional
        ``{(l, i): piece}``: an activation cell (for piecewise activations).

    Returns
    -------
    HessianRecursion
        With ``gauss_newton=True``.

    See Also
    --------
    derive_hessian : the full recursion, with the D_l terms.
    derive_gradient : the forward and backward pass it builds on.
    lossgeom.symbolic.verify_recursion : with ``gauss_newton=True``, the proof that its blocks are J^T H_L J.

    Notes
    -----
    The layer blocks are (a_{l-1} a_{l-1}^T) kron G_l, the diagonal blocks of the Gauss-Newton
    matrix J^T (d2E/dh_L^2) J with J = dh_L/dtheta.

    References
    ----------
    Botev, Ritter & Barber, "Practical Gauss-Newton Optimisation for Deep Learning", ICML 2017.

    Examples
    --------
    >>> from lossgeom import Net
    >>> rec = derive_gauss_newton(Net(widths=(1, 1, 1), activation="f"))
    >>> rec.definition(rec.H(1)[0, 0])
    G2[1,1]*W2[1,1]**2*f'(h1[1])**2
    """
    check_net(net)
    return _derive(net, _normalise_pattern(net, pattern), True)


# -- the direct reference ------------------------------------------------------------------------
def direct_hessian(net, pattern=None):
    """The full Hessian by differentiating the composed loss with ``sympy.hessian`` (the slow reference).

    No simplification is applied.  Parameters in theta's order.

    Examples
    --------
    >>> from lossgeom import Net
    >>> H = direct_hessian(Net(widths=(1, 1, 1)))
    >>> H[0, 0], sp.expand(H[0, 1])
    (W2[1,1]**2*x[1]**2, 2*W1[1,1]*W2[1,1]*x[1]**2 - x[1]*y[1])
    """
    check_net(net)
    if pattern is not None:
        check_mapping(pattern, "pattern")
    E = forward_trace(net, pattern=dict(pattern) if pattern else None).loss()
    return sp.hessian(E, parameter_symbols(net))


def direct_layer_block(net, l, pattern=None):
    """d2E/dtheta_l^2 by direct differentiation of the composed loss (theta_l = [vec(W_l); b_l]).

    Examples
    --------
    >>> from lossgeom import Net
    >>> direct_layer_block(Net(widths=(1, 1, 1), activation="tanh"), 2)
    Matrix([[tanh(W1[1,1]*x[1])**2]])
    """
    check_net(net)
    check_int(l, "l", 1, net.depth)
    if pattern is not None:
        check_mapping(pattern, "pattern")
    E = forward_trace(net, pattern=dict(pattern) if pattern else None).loss()
    params = parameter_symbols(net)[net.layer_slice(l)]
    first = [sp.diff(E, p) for p in params]
    n = len(params)
    out = sp.zeros(n, n)
    for i in range(n):
        for j in range(i, n):
            out[i, j] = out[j, i] = sp.diff(first[i], params[j])
    return sp.ImmutableMatrix(out)
