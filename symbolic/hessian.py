"""Backpropagation and the Botev-Ritter-Barber Hessian recursion, derived exactly in SymPy.

A derivation keeps its intermediate quantities as *named* symbols with defining equations
(``h1[2] = W1[2,1]*x[1] + ...``, ``delta1[2] = ...``, ``H1[1,2] = ...``), in the order they
are computed.  Expressions in the weights are produced only on request (:meth:`expand`),
which keeps large nets feasible and the LaTeX readable: the named form is a common-
subexpression elimination of the Hessian that comes for free with the recursion.

Single datapoint: the Hessian of a sum over samples is the sum of the per-sample Hessians.

The recursion (Botev, Ritter & Barber 2017, Sec. 2; MATH.md section 1)::

    H_L = B_L (d2E/da_L^2) B_L + diag(g''(h_L) * dE/da_L)     (g the output activation)
    H_l = B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l,  B_l = diag(f'(h_l)),
    D_l = diag(f''(h_l) * W_{l+1}^T delta_{l+1}),    delta_l = dE/dh_l = f'(h_l) * W_{l+1}^T delta_{l+1}
    d2E/dvec(W~_l)^2 = (a~ a~^T) kron H_l,   a~ = [a_{l-1}; 1] with a bias (bias last).

The Gauss-Newton version drops D_l (and the g'' term).
"""

import itertools
import time
from dataclasses import dataclass
from functools import cached_property, lru_cache

import sympy as sp
from sympy.core.mul import _mulsort

from lossgeom.errors import DataError, NetSpecError, NonDifferentiableError, SizeLimitError
from lossgeom.point import Pattern
from lossgeom.report import Report

from .forward import (bias_symbols, forward_trace, input_symbols, parameter_symbols, resolve_inputs, symbol,
                      target_symbols, weight_symbols)

__all__ = ["Equation", "BackwardPass", "HessianRecursion", "derive_gradient", "derive_hessian",
           "derive_gauss_newton", "direct_hessian", "direct_layer_block", "decide_zero", "verify_recursion",
           "compare_matrices", "MatrixComparison",
           "activation_cells", "EXPAND_LIMIT"]

#: Largest number of parameters for which :meth:`BackwardPass.expand` expands a whole net without
#: ``force=True`` (expanded Hessian entries of deep tanh nets grow quickly).
EXPAND_LIMIT = 200


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

    def _latex(self, printer):
        return "%s = %s" % (printer._print(self.lhs), printer._print(self.rhs))

    def __str__(self):
        return "%s = %s" % (self.lhs, self.rhs)


def _named_column(prefix, l, n):
    return sp.ImmutableMatrix(n, 1, lambda i, _: symbol("%s%d[%d]" % (prefix, l, i + 1)))


def _named_symmetric(prefix, l, n):
    return sp.ImmutableMatrix(n, n, lambda i, j: symbol("%s%d[%d,%d]" % (prefix, l, min(i, j) + 1, max(i, j) + 1)))


def _normalise_pattern(net, pattern):
    pattern = Pattern.from_spec(pattern, net)
    return pattern if pattern else None


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

    def _f(self, l, order):
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
                eqs += [Equation(s, e) for s, e in zip(self.a(l), self._f(l, 0))]
        return tuple(eqs)

    @cached_property
    def backward_equations(self):
        """delta_L = g'(h_L) * dE/da_L and delta_l = f'(h_l) * W_{l+1}^T delta_{l+1}, for l = L..1."""
        L = self.net.depth
        eqs = [Equation(s, e) for s, e in zip(self.delta(L), _hadamard(self._f(L, 1), self.output_gradient()))]
        for l in range(L - 1, 0, -1):
            back = self.W(l + 1).T * self.delta(l + 1)
            eqs += [Equation(s, e) for s, e in zip(self.delta(l), _hadamard(self._f(l, 1), back))]
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
        out = {}
        for eq in self.equations:
            out[eq.lhs] = eq.rhs.xreplace(out)
        return out

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
        if self.net.n_params > EXPAND_LIMIT and not force:
            raise SizeLimitError("expand: the net has %d parameters, above the limit %d for expanding named "
                                 "intermediates into the weights; pass force=True, or use the named form"
                                 % (self.net.n_params, EXPAND_LIMIT))
        return expr.xreplace(self._expansions)

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
        from .latex import latex
        return "$\\displaystyle %s$" % latex(self)


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
                raise NonDifferentiableError("pre-activation(s) %s sit exactly at a kink of their activation "
                                             "(%s), where its derivative of order %d does not exist"
                                             % (", ".join(n for n, _ in kinks), ", ".join(sorted({a for _, a in kinks})),
                                                order), kinks=[n for n, _ in kinks])
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
        B = sp.diag(*bp._f(L, 1))
        out = B * loss_h * B
        if not self.gauss_newton:
            out += sp.diag(*_hadamard(bp._f(L, 2), bp.output_gradient()))
        return sp.ImmutableMatrix(out)

    def recursion_rhs(self, l):
        """B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l, in named symbols (D_l omitted for Gauss-Newton)."""
        bp = self.backward
        if l == self.net.depth:
            return self.output_hessian()
        fp = bp._f(l, 1)
        W = bp.W(l + 1)
        M = W.T * (self.H(l + 1) * W)
        extra = None if self.gauss_newton else _hadamard(bp._f(l, 2), W.T * bp.delta(l + 1))
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
        block = sp.ImmutableDenseMatrix._new(size, size, flat, copy=False)
        return self.expand(block, force) if expand else block

    def gradient(self, l):
        """dE/dtheta restricted to layer l (see :meth:`BackwardPass.gradient`)."""
        return self.backward.gradient(l)

    @cached_property
    def _expansions(self):
        out = dict(self.backward._expansions)
        for eq in self.hessian_equations:
            out[eq.lhs] = eq.rhs.xreplace(out)
        return out

    def expand(self, expr, force=False):
        """Expand named quantities (h, a, delta, H) into weights, biases, x and y.

        Examples
        --------
        >>> from lossgeom import Net
        >>> rec = derive_hessian(Net(widths=(1, 1, 1)))
        >>> rec.expand(rec.layer_block(1))
        Matrix([[W2[1,1]**2*x[1]**2]])
        """
        if self.net.n_params > EXPAND_LIMIT and not force:
            raise SizeLimitError("expand: the net has %d parameters, above the limit %d for expanding named "
                                 "intermediates into the weights; pass force=True, or use the named form"
                                 % (self.net.n_params, EXPAND_LIMIT))
        return expr.xreplace(self._expansions)

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
        from .latex import latex
        return "$\\displaystyle %s$" % latex(self)

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

    Examples
    --------
    >>> from lossgeom import Net
    >>> bp = derive_gradient(Net(widths=(2, 1)))
    >>> bp.gradient(1).T
    Matrix([[delta1[1]*x[1], delta1[1]*x[2]]])
    >>> [str(eq) for eq in bp.backward_equations]
    ['delta1[1] = h1[1] - y[1]']

    References
    ----------
    Rumelhart, Hinton & Williams (1986); Botev, Ritter & Barber (2017), Sec. 2.
    """
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
    return _derive(net, _normalise_pattern(net, pattern), False)


def derive_gauss_newton(net, pattern=None):
    """Derive the Gauss-Newton recursion G_l = B_l W_{l+1}^T G_{l+1} W_{l+1} B_l, G_L = d2E/dh_L^2.

    Examples
    --------
    >>> from lossgeom import Net
    >>> rec = derive_gauss_newton(Net(widths=(1, 1, 1), activation="f"))
    >>> rec.definition(rec.H(1)[0, 0])
    G2[1,1]*W2[1,1]**2*f'(h1[1])**2
    """
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
    E = forward_trace(net, pattern=dict(pattern) if pattern else None).loss()
    params = parameter_symbols(net)[net.layer_slice(l)]
    first = [sp.diff(E, p) for p in params]
    n = len(params)
    out = sp.zeros(n, n)
    for i in range(n):
        for j in range(i, n):
            out[i, j] = out[j, i] = sp.diff(first[i], params[j])
    return sp.ImmutableMatrix(out)


# -- deciding identities exactly ------------------------------------------------------------------
def decide_zero(expr, samples=3, dps=50, seed=0):
    """Decide whether an expression is identically zero.

    Returns ``(verdict, method, detail)``: ``verdict`` is True (proved zero), False (a
    point where it is not zero) or None (not decided exactly; numerically zero at the
    sampled points to ``dps`` digits).

    Methods, in order: expansion to zero (``sympy.expand``, which also expands function
    arguments); rational normal form after replacing each transcendental or undefined-
    function atom by a fresh symbol (zero as a rational function of independent atoms is
    zero for every value of the atoms); evaluation at random rational points at ``dps``
    digits, which can refute but not prove.

    Examples
    --------
    >>> u, v = sp.symbols("u v")
    >>> decide_zero((u + v)**2 - u**2 - 2*u*v - v**2)[:2]
    (True, 'expansion to zero')
    >>> decide_zero(sp.exp(u) / (1 + sp.exp(u)) - 1 + 1 / (1 + sp.exp(u)))[:2]
    (True, 'rational normal form in function atoms')
    >>> decide_zero(sp.sin(u)**2 + sp.cos(u)**2 - 1)[:2]
    (None, 'numerically zero at 3 random rational points to 50 digits')
    >>> decide_zero(u - v)[:2]
    (False, 'nonzero at a rational point')
    """
    e = sp.expand(expr)
    if e == 0:
        return True, "expansion to zero", None
    repl = _atom_symbols(e)
    if repl:
        try:
            r = sp.cancel(sp.together(e.xreplace(repl)))
        except sp.PolynomialError:
            r = None
        if r == 0:
            return True, "rational normal form in function atoms", None
    else:
        r = sp.cancel(sp.together(e))
        if r == 0:
            return True, "rational normal form", None
    return _sample_zero(e, samples, dps, seed)


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
    """

    verdict: object
    methods: frozenset
    entries: int
    first: tuple = None


def compare_matrices(A, B, symmetric=True):
    """Decide exactly whether two matrices are equal, entry by entry with :func:`decide_zero`.

    Stops at the first entry shown nonzero.

    Examples
    --------
    >>> u = sp.Symbol("u")
    >>> compare_matrices(sp.Matrix([[(u + 1)**2]]), sp.Matrix([[u**2 + 2*u + 1]])).verdict
    True
    >>> compare_matrices(sp.Matrix([[u, 1], [1, u]]), sp.Matrix([[u, 1], [1, 2*u]])).first[:2]
    (1, 1)
    """
    methods, entries, first = set(), 0, None
    for r in range(A.rows):
        for c in range(r if symmetric else 0, A.cols):
            entries += 1
            verdict, method, detail = decide_zero(A[r, c] - B[r, c])
            methods.add(method)
            if verdict is False:
                return MatrixComparison(False, frozenset(methods), entries, (r, c, detail))
            if verdict is None and first is None:
                first = (r, c, detail)
    return MatrixComparison(True if first is None else None, frozenset(methods), entries, first)


def _sample_zero(e, samples, dps, seed):
    import random

    from lossgeom.activations import generic_derivative
    rng = random.Random(seed)
    free = sorted(e.free_symbols, key=sp.default_sort_key)
    undefined = {a.func for a in e.atoms(sp.Function) if hasattr(a.func, "_order")}
    funcs = {}
    for func in undefined:  # constant values for f, f', ...: a nonzero result is still a sound refutation
                            # (some smooth f takes these values and derivatives at the sampled arguments)
        funcs[func] = sp.Lambda(sp.Dummy(), sp.Rational(rng.randint(-9, 9), rng.randint(1, 9)))
    for _ in range(samples):
        point = {s: sp.Rational(rng.randint(-20, 20), rng.randint(1, 10)) for s in free}
        v = e.xreplace(point)
        if funcs:
            v = v.replace(lambda a: a.func in funcs, lambda a: funcs[a.func](*a.args))
        value = sp.N(v, dps)
        if value.is_finite is not True:  # a pole or an undefined point: no evidence either way
            continue
        if value != 0 and abs(value) > sp.Float(10, dps) ** (-(dps - 10)):
            return False, "nonzero at a rational point", {"point": {str(k): str(p) for k, p in point.items()},
                                                            "value": str(sp.N(value, 15))}
    del generic_derivative
    return None, "numerically zero at %d random rational points to %d digits" % (samples, dps), None


# -- activation cells -----------------------------------------------------------------------------
def activation_cells(net, limit=256):
    """Every activation pattern of the hidden (and output) units of a piecewise net.

    Yields ``{(l, i): piece}`` dicts covering the units whose activation has several pieces.
    A smooth net has one cell, ``{}``.

    Raises
    ------
    SizeLimitError
        When there would be more than ``limit`` cells.

    Examples
    --------
    >>> from lossgeom import Net
    >>> len(list(activation_cells(Net(widths=(2, 3, 1), activation="relu"))))
    8
    """
    units = [(l, i, len(net.layer_activation(l).pieces)) for l in range(1, net.depth + 1)
             for i in range(1, net.widths[l] + 1) if len(net.layer_activation(l).pieces) > 1]
    total = 1
    for _, _, k in units:
        total *= k
    if total > limit:
        raise SizeLimitError("cells: %s has %d activation cells, above the limit %d" % (net, total, limit))
    for choice in itertools.product(*[range(k) for _, _, k in units]):
        yield {(l, i): c for (l, i, _), c in zip(units, choice)}


# -- the proof -------------------------------------------------------------------------------------
def verify_recursion(net, gauss_newton=False, cell_limit=64, method="direct"):
    """Decide exactly whether the recursion's layer blocks equal the direct Hessian's diagonal blocks.

    For smooth activations (and the generic ``f``, where the result is an identity in
    f, f', f'' at the pre-activations) every entry of recursion minus direct is decided by
    :func:`decide_zero`.  For piecewise activations the comparison is made in every
    activation cell (each unit fixed to one smooth piece), which covers the whole parameter
    space except the kinks, where the Hessian does not exist.

    With ``gauss_newton=True`` the recursion's blocks are compared with J^T (d2E/dh_L^2) J,
    J = dh_L/dtheta_l, computed by direct differentiation (the Gauss-Newton matrix).

    Parameters
    ----------
    net : Net
    gauss_newton : bool
    cell_limit : int
        Largest number of activation cells to check exhaustively.
    method : {"direct", "specialise"}
        ``direct`` compares the concrete net's blocks with SymPy's differentiation of the
        composed loss.  ``specialise`` proves the identity for the generic activation ``f``
        (same widths, loss, bias) and checks exactly that the activation's registered f', f''
        are the derivatives of each of its smooth pieces; an identity in independent f, f', f''
        holds for every twice-differentiable f, so this decides the concrete case exactly too.
        It is much faster for algebraic activations (softsign, bent identity) in deep nets.

    Returns
    -------
    Report
        ``proved`` when every entry is decided zero; ``refuted`` with the entry and a point
        when one is not; ``verified`` when some entry was only checked numerically.

    Examples
    --------
    >>> from lossgeom import Net
    >>> rep = verify_recursion(Net(widths=(1, 2, 1), activation="f"))
    >>> rep.outcome, rep.method
    ('proved', 'expansion to zero')
    >>> verify_recursion(Net(widths=(1, 2, 1), activation="relu")).evidence["cells"]
    4
    """
    if method == "specialise":
        return _verify_by_specialisation(net, gauss_newton, cell_limit)
    if method != "direct":
        raise NetSpecError("method: expected 'direct' or 'specialise', got %r" % (method,))
    start = time.perf_counter()
    cells = list(activation_cells(net, cell_limit))
    methods, entries, numeric_only = set(), 0, []
    for cell in cells:
        pattern = cell or None
        rec = (derive_gauss_newton if gauss_newton else derive_hessian)(net, pattern)
        for l in range(1, net.depth + 1):
            ours = rec.layer_block(l, expand=True, force=True)
            ref = _gauss_newton_block(net, l, pattern) if gauss_newton else direct_layer_block(net, l, pattern)
            cmp = compare_matrices(ours, ref)
            methods |= cmp.methods
            entries += cmp.entries
            if cmp.verdict is False:
                r, c, detail = cmp.first
                names = net.layer_parameter_names(l)
                return Report(
                    "recursion of %s" % net, "refuted", "; ".join(sorted(cmp.methods)),
                    evidence={"layer": l, "entry": "(%s, %s)" % (names[r], names[c]), "cells": len(cells)},
                    counterexample=dict(detail, cell=_cell_text(cell)),
                    seconds=time.perf_counter() - start)
            if cmp.verdict is None:
                numeric_only.append((l, cmp.first[0], cmp.first[1]))
    outcome = "verified" if numeric_only else "proved"
    kind = "Gauss-Newton blocks" if gauss_newton else "layer blocks"
    method = "; ".join(sorted(methods))
    if len(cells) > 1:
        method += " in each of %d activation cells" % len(cells)
    evidence = {"net": str(net), "compared": "%s vs %s" % (kind, "J^T H_L J" if gauss_newton else
                                                           "direct sympy differentiation"),
                "layers": net.depth, "entries": entries, "cells": len(cells)}
    if numeric_only:
        evidence["numeric_only_entries"] = len(numeric_only)
    return Report("recursion of %s" % net, outcome, method, evidence=evidence,
                  seconds=time.perf_counter() - start)


def _verify_by_specialisation(net, gauss_newton, cell_limit):
    """Generic-f identity, then every named equation of the concrete net = the generic one with f^(k)(h)
    replaced by the k-th derivative of the unit's smooth piece, computed here by ``sympy.diff``."""
    from lossgeom.activations import X
    from lossgeom.net import Net

    start = time.perf_counter()
    if net.output_activation.name != "identity":
        raise NetSpecError("method: 'specialise' needs an identity output activation (the generic f stands for "
                           "the hidden activation only), got %s; use method='direct'" % net.output_activation.label)
    generic = Net(widths=net.widths, activation="f", loss=net.loss, bias=net.bias, weight_decay=net.weight_decay,
                  reduction=net.reduction)
    report = verify_recursion(generic, gauss_newton, cell_limit, method="direct")
    if report.outcome != "proved":
        return report.with_(claim="recursion of %s" % net)
    derive = derive_gauss_newton if gauss_newton else derive_hessian
    act, checked = net.activation, 0
    cells = list(activation_cells(net, cell_limit))
    for cell in cells:
        concrete, general = derive(net, cell or None), derive(generic)

        def specialise(atom):
            l, i = (int(t) for t in atom.args[0].name[1:-1].split("["))
            piece = act.pieces[cell.get((l, i), 0)] if cell else act.pieces[0]
            return sp.diff(piece.expr, X, atom.func._order).subs(X, atom.args[0])

        for ours, theirs in zip(concrete.equations, general.equations):
            if ours.lhs != theirs.lhs:
                raise AssertionError("equations out of step: %s vs %s" % (ours.lhs, theirs.lhs))
            target = theirs.rhs.replace(lambda a: hasattr(a.func, "_order") and a.args[0].is_Symbol, specialise)
            checked += 1
            verdict, _, detail = decide_zero(ours.rhs - target)
            if verdict is not True:
                return Report("recursion of %s" % net, "refuted" if verdict is False else "inconclusive",
                              "the concrete equation for %s differs from the specialised generic one" % ours.lhs,
                              evidence={"net": str(net), "cell": str(_cell_text(cell))}, counterexample=detail,
                              seconds=time.perf_counter() - start)
    evidence = dict(report.evidence, net=str(net), generic_net=str(generic), equations_specialised=checked,
                    cells_specialised=len(cells))
    method = ("specialisation of the generic-f identity (%s): every named equation of %s equals the generic one "
              "with f, f', f'' replaced by sympy.diff of the unit's smooth piece%s"
              % (report.method, act.label, " in each of %d cells" % len(cells) if len(cells) > 1 else ""))
    return Report("recursion of %s" % net, report.outcome, method, evidence=evidence,
                  seconds=time.perf_counter() - start)


def _cell_text(cell):
    return {"h%d[%d]" % k: v for k, v in cell.items()} if cell else {}


def _gauss_newton_block(net, l, pattern):
    """J^T (d2E/dh_L^2) J with J = d(output pre-activation)/dtheta_l, by direct differentiation."""
    tr = forward_trace(net, pattern=dict(pattern) if pattern else None)
    params = parameter_symbols(net)[net.layer_slice(l)]
    out = tr.a[-1] if net.output_activation.name != "identity" else tr.h[-1]
    J = out.jacobian(params)
    z = [sp.Dummy("z%d" % k) for k in range(out.rows)]  # d2E/dz2 by differentiating the loss value itself
    Hout = sp.hessian(net.loss.value(z, list(tr.y)), z).xreplace(dict(zip(z, out)))
    block = J.T * Hout * J
    if net.weight_decay:
        n_w = net.layer_shape(l)[0] * net.layer_shape(l)[1]
        block += sp.diag(*([net.weight_decay] * n_w + [0] * (len(params) - n_w)))
    return sp.ImmutableMatrix(block)
