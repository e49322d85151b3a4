"""Forward pass, backprop gradient, Botev blocks, full Hessian and Hessian-vector products of a Net.

Everything is evaluated at ``dps`` decimal digits (mpmath, default 50) or in float64 (``dps="float64"``,
NumPy).  Exact weights and data (SymPy Rationals, ``"1/3"`` strings, Fractions, the exact binary value of
a float) are read exactly and rounded once, at the working precision.

The algorithm, for samples s (columns of X) and layers l = 1..L:

* forward: h_l = W_l a_{l-1} + b_l, a_l = f(h_l), output z = g(h_L), loss E(z, y);
* backward: dE/dz, d2E/dz2; delta_L = g'(h_L) * dE/dz and the output pre-activation Hessian
  H_L = diag(g') d2E/dz2 diag(g') + diag(g'' * dE/dz); delta_l = f'(h_l) * (W_{l+1}^T delta_{l+1});
* Botev recursion: H_l = B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l with B_l = diag f'(h_l) and
  D_l = diag(f''(h_l) * W_{l+1}^T delta_{l+1}); the layer block is sum_s (a~ a~^T) kron H_l with
  a~ = [a_{l-1}; 1] when the net has biases (MATH.md section 1.6);
* the full Hessian, with every cross-layer block, from the Kronecker structure of the Jacobians:
  with A_{nk} = dh_n/dh_k (per sample), M_L = H_L and M_n = D_n for n < L,

      d2E/dW~_k dW~_j = sum_s (a~_{k-1} a~_{j-1}^T) kron sum_{n >= max(k,j)} A_{nk}^T M_n A_{nj}
                        + the bilinear terms of h_l = W_l a_{l-1} (k < l):
      d2E/dW_l[i,j] dW~_k[r,p] += sum_s delta_l[i] (f'(h_{l-1}) * A_{l-1,k})[j,r] a~_{k-1}[p],

  plus weight_decay on the weight diagonal.  Each block is one product U^T V over the samples, done by
  python-flint's ``arb_mat`` at the working precision when it is installed (mpmath otherwise), so the
  cost is O(P^2 m) multiplications instead of the O(P^2 m sum_l d_l) of a dense J^T H J;
* Hessian-vector products by forward-over-reverse differentiation: Pearlmutter's R-operator pushes a
  tangent direction through the forward pass and then through backprop, with no Jacobian at all.

A pre-activation exactly at a kink of its activation is found with exact rational arithmetic (while
the forward pass stays rational, as it does for piecewise-linear and softsign nets) or, past a
transcendental layer, numerically to the working tolerance.  It is reported in ``kinks``; a derivative
that does not exist there is refused with :class:`~lossgeom.errors.NonDifferentiableError`, never
taken one-sidedly, unless the caller fixes the smooth piece of that unit with ``pattern``.
"""

import contextlib
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp
from mpmath.libmp import from_man_exp, mpf_pos, round_nearest

from lossgeom.activations import X as _X
from lossgeom.data import NetFile
from lossgeom.errors import DataError, NonDifferentiableError
from lossgeom.net import Net
from lossgeom.numbers import exact_matrix, to_fraction
from lossgeom.point import Pattern, Point, resolve_point

from lossgeom.precision import DEFAULT_DPS, GUARD_DIGITS, check_dps, tolerance, working_precision

__all__ = ["Kink", "HessianEvaluation", "evaluate_net", "evaluate_net_file", "loss_value", "gradient",
           "full_hessian", "hvp", "find_kinks", "flint_available", "exact_capable"]


# -- results --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kink:
    """A pre-activation sitting at a kink of its activation.

    Attributes
    ----------
    layer, unit, sample : int
        1-based layer l, unit i and sample (column of X).
    value : str
        The pre-activation (exactly, e.g. ``"0"``, when ``exact``).
    exact : bool
        True when decided with exact rational arithmetic; False when the pre-activation was only
        known numerically and lies within the working tolerance of the kink.
    order : int
        The smallest derivative order that does not exist there (1 for ReLU, 2 for softsign).

    Examples
    --------
    >>> k = Kink(1, 2, 1, "0", True, 1)
    >>> k.name, str(k)
    ('h1[2]', 'h1[2] (sample 1)')
    """

    layer: int
    unit: int
    sample: int
    value: str
    exact: bool
    order: int

    @property
    def name(self):
        """The unit's name, ``h{l}[{i}]``."""
        return "h%d[%d]" % (self.layer, self.unit)

    def __str__(self):
        return "%s (sample %d)" % (self.name, self.sample)

    def to_dict(self):
        """JSON-ready dict."""
        return {"unit": self.name, "sample": self.sample, "value": self.value, "exact": self.exact,
                "order": self.order}


@dataclass(frozen=True, eq=False)
class HessianEvaluation:
    """Loss, gradient, Botev blocks and full Hessian of a net at one point, at one precision.

    Matrices are ``mpmath.matrix`` rounded to ``dps`` digits, NumPy arrays when ``dps == "float64"``, or
    exact SymPy matrices when ``dps == "exact"``.
    Quantities that do not exist because a pre-activation sits at a kink raise
    :class:`~lossgeom.errors.NonDifferentiableError` listing the kinks.

    Attributes
    ----------
    net : Net
    dps : int or "float64"
    backend : str
        ``"flint"`` (large products in python-flint's arb_mat), ``"mpmath"`` or ``"float64"``.
    parameters : tuple of str
        Parameter names in theta's order.
    theta : tuple
        The parameter values (rounded to the working precision).
    n_samples : int
    loss : mpf or float
        sum_s E(z_s, y_s) (divided by m for ``reduction="mean"``) + (weight_decay/2) sum ||W_l||^2.
    kinks : tuple of Kink
    preactivations : tuple
        ``preactivations[s][l-1]`` is h_l for sample s (0-based s), a column.
    """

    net: Net
    dps: object
    backend: str
    parameters: tuple
    theta: tuple
    n_samples: int
    loss: object
    kinks: tuple
    preactivations: tuple
    _gradient: object = None
    _hessian: object = None
    _layer_blocks: tuple = None
    _preactivation_hessians: tuple = None

    def __repr__(self):
        loss = mpmath.nstr(self.loss, 10) if isinstance(self.loss, mpmath.mpf) else str(self.loss)
        return ("HessianEvaluation(%s, dps=%r, backend=%r, samples=%d, loss=%s, kinks=%s)"
                % (self.net, self.dps, self.backend, self.n_samples, loss, [str(k) for k in self.kinks]))

    @property
    def kink_units(self):
        """The names of the units at a kink, in order, without repeats (e.g. ``("h1[2]",)``)."""
        return tuple(dict.fromkeys(k.name for k in self.kinks))

    def _require(self, value, what, order):
        if value is None:
            bad = [k for k in self.kinks if k.order <= order]
            if not bad:
                raise DataError("%s: not computed; call evaluate_net(..., hessian=True)" % what)
            raise NonDifferentiableError(_kink_message(self.net, what, bad), kinks=[str(k) for k in bad])
        return value

    @property
    def gradient(self):
        """dE/dtheta (a column, theta's order).

        Notes
        -----
        dE/dW_l = sum_s delta_l a_{l-1}^T (vec stacks columns), dE/db_l = sum_s delta_l, plus
        weight_decay * W_l.
        """
        return self._require(self._gradient, "the gradient", 1)

    @property
    def hessian(self):
        """The full Hessian d2E/dtheta2, every cross-layer block included (theta's order)."""
        return self._require(self._hessian, "the Hessian", 2)

    @property
    def layer_blocks(self):
        """Diagonal blocks by the Botev recursion: ``layer_blocks[l-1]`` = sum_s (a~ a~^T) kron H_l (+ wd on W)."""
        return self._require(self._layer_blocks, "the Hessian", 2)

    @property
    def preactivation_hessians(self):
        """``preactivation_hessians[s][l-1]`` = H_l = d2E_s/dh_l2 for sample s (0-based s)."""
        return self._require(self._preactivation_hessians, "the Hessian", 2)

    def preactivation_hessian(self, l, sample=1):
        """H_l = d2E/dh_l2 of one sample (``l`` and ``sample`` 1-based).

        Examples
        --------
        >>> ev = evaluate_net(Net(widths=(1, 1, 1), activation="tanh"), [[["1/2"]], [[2]]], X=[[1]], Y=[[0]], dps=20)
        >>> print(mpmath.nstr(ev.preactivation_hessian(1)[0, 0], 5))
        1.1304
        """
        self.net.check_layer(l)
        if not (isinstance(sample, int) and 1 <= sample <= self.n_samples):
            raise DataError("sample: expected an integer from 1 to %d, got %r" % (self.n_samples, sample))
        return self.preactivation_hessians[sample - 1][l - 1]

    def layer_block(self, l):
        """The block of layer l (1-based) by the Botev recursion; rows/columns follow ``net.layer_slice(l)``."""
        self.net.check_layer(l)
        return self.layer_blocks[l - 1]


def _kink_message(net, what, kinks):
    where = ", ".join(str(k) for k in kinks)
    acts = sorted({net.layer_activation(k.layer).label for k in kinks})
    exact = all(k.exact for k in kinks)
    how = "exactly at" if exact else "at (to the working tolerance)"
    return ("%s is undefined: pre-activation %s sits %s a kink of %s (a one-sided value is never taken; "
            "the Python API's pattern={(l, i): piece} chooses a smooth piece)" % (what, where, how, "/".join(acts)))


@lru_cache(maxsize=None)
def _flint():
    import flint
    return flint


def flint_available():
    """True when python-flint (arb_mat) is importable, so large mp products run in C.

    Examples
    --------
    >>> isinstance(flint_available(), bool)
    True
    """
    try:
        import flint  # noqa: F401
    except ImportError:  # pragma: no cover - flint is a test dependency
        return False
    return True


# -- exact input ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Problem:
    """A :class:`~lossgeom.point.Point` with data and a :class:`~lossgeom.point.Pattern`, in Fractions
    for the exact kernels."""

    point: Point
    pattern: Pattern

    @property
    def net(self):
        return self.point.net

    @property
    def W(self):
        return self.point.fractions()[0]

    @property
    def b(self):
        return self.point.fractions()[1]

    @property
    def X(self):
        return self.point.fractions()[2]

    @property
    def Y(self):
        return self.point.fractions()[3]

    @property
    def m(self):
        return self.point.n_samples


def _prepare(net, weights, biases, X, Y, pattern):
    if not isinstance(net, Net):
        raise DataError("net: expected a lossgeom Net, got %r" % (net,))
    if net.activation.generic or net.output_activation.generic:
        raise DataError("activation: the generic function 'f' has no numeric values; choose a registered "
                        "activation (one of the registry except 'f')")
    if isinstance(weights, Point):
        if weights.net != net:
            raise DataError("point: bound to %s, but the net is %s" % (weights.net, net))
        point = weights if X is None and Y is None else weights.with_data(X, Y)
        if not point.has_data:
            raise DataError("X: no inputs given; the loss needs inputs (d_0 x m, samples as columns) and targets")
    else:
        if weights is None:
            raise DataError("weights: expected %d matrices (W_1 .. W_L), got None" % net.depth)
        if X is None:
            raise DataError("X: no inputs given; the loss needs inputs (d_0 x m, samples as columns) and targets")
        if Y is None:
            raise DataError("Y: no targets given; expected a d_L x m matrix matching X")
        point = resolve_point(net, weights, biases, X, Y)
    return _Problem(point, Pattern.from_spec(pattern, net, n_samples=point.n_samples))


# -- exact forward pass, for kink detection -------------------------------------------------------
@lru_cache(maxsize=None)
def _rational_piece(act, k):
    """(numerator, denominator) coefficient lists of piece k, or None when it is not a rational function."""
    expr = act.pieces[k].expr
    if not expr.is_rational_function(_X):
        return None
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    coeffs = lambda p: [Fraction(int(c.p), int(c.q)) for c in sp.Poly(p, _X).all_coeffs()]  # noqa: E731
    return coeffs(num), coeffs(den)


def _horner(coeffs, x):
    out = Fraction(0)
    for c in coeffs:
        out = out * x + c
    return out


def _exact_piece(act, value):
    """Index of the open piece holding ``value`` (Fraction), or (left piece, True) at a kink."""
    for k, c in enumerate(act.kinks):
        c = Fraction(int(c.p), int(c.q))
        if value == c:
            return k, True
        if value < c:
            return k, False
    return len(act.pieces) - 1, False


def _exact_preactivations(prob):
    """Exact h_l per layer (list over samples of Fraction lists) while the forward pass stays rational."""
    net, pat = prob.net, prob.pattern
    a = [list(x) for x in prob.X]
    out = []
    for l in range(1, net.depth + 1):
        W, b = prob.W[l - 1], prob.b[l - 1]
        h = [[sum((W[i][j] * a_s[j] for j in range(len(a_s))), Fraction(0)) + b[i] for i in range(len(W))]
             for a_s in a]
        out.append(h)
        act = net.layer_activation(l)
        if l == net.depth:
            break
        rational = [_rational_piece(act, k) for k in range(len(act.pieces))]
        if any(r is None for r in rational):
            break
        new = []
        for s, h_s in enumerate(h):
            row = []
            for i, v in enumerate(h_s):
                k = pat.piece(l, i + 1, sample=s + 1)
                if k is None:
                    k = _exact_piece(act, v)[0]
                num, den = rational[k]
                row.append(_horner(num, v) / _horner(den, v))
            new.append(row)
        a = new
    return out


# -- backends -------------------------------------------------------------------------------------
class _Float64:
    """float64 through NumPy."""

    name = "float64"
    dtype = float
    one = 1.0
    zero = 0.0

    def __init__(self):
        self.dps = "float64"

    def scalar(self, q):
        return float(q)  # correctly rounded from the exact Fraction

    def array(self, rows):
        return np.array([[float(v) for v in r] for r in rows], dtype=float)

    def vector(self, values):
        return np.array([float(v) for v in values], dtype=float)

    def full(self, shape, value=None):
        return np.zeros(shape, dtype=float) if value is None else np.full(shape, float(value))

    def exp(self, a):
        return np.exp(a)

    def log(self, a):
        return np.log(a)

    def log1p(self, a):
        return np.log1p(a)

    def matmul(self, A, B, native=False):
        return A @ B

    def native_scalar(self, q):
        return float(q)

    def piece(self, act, k, order, values):
        out = _piece_function(act, k, order, "numpy")(values)
        return np.broadcast_to(np.asarray(out, dtype=float), np.shape(values))

    def kink_tolerance(self, h):
        scale = float(np.max(np.abs(h))) if np.size(h) else 1.0
        return float(tolerance("float64", scale=scale))

    def output(self, A):
        return np.array(A, dtype=float)

    def output_scalar(self, v):
        return float(v)


class _Mp:
    """mpmath numbers (object arrays); large products optionally in python-flint arb_mat."""

    dtype = object
    _FLINT_MIN = 8000  # products smaller than this (r*k*c) stay in Python

    def __init__(self, dps, use_flint):
        self.dps = dps
        self.use_flint = use_flint
        self.name = "flint" if use_flint else "mpmath"
        self.one = mpmath.mpf(1)
        self.zero = mpmath.mpf(0)
        self._exp = np.frompyfunc(mpmath.exp, 1, 1)
        self._log = np.frompyfunc(mpmath.log, 1, 1)
        self._log1p = np.frompyfunc(mpmath.log1p, 1, 1)

    def scalar(self, q):
        return mpmath.mpf(q.numerator) / q.denominator

    def array(self, rows):
        out = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                out[i, j] = self.scalar(v)
        return out

    def vector(self, values):
        out = np.empty(len(values), dtype=object)
        for i, v in enumerate(values):
            out[i] = self.scalar(v)
        return out

    def full(self, shape, value=None):
        return np.full(shape, self.zero if value is None else self.scalar(Fraction(value)), dtype=object)

    def exp(self, a):
        return self._exp(a)

    def log(self, a):
        return self._log(a)

    def log1p(self, a):
        return self._log1p(a)

    def matmul(self, A, B, native=False):
        """A @ B; with ``native`` a flint product stays in arb (entries for :meth:`output` or arb sums)."""
        if not self.use_flint:
            return np.matmul(A, B)
        if A.ndim == 2 and B.ndim == 2:
            if A.shape[0] * A.shape[1] * B.shape[1] < self._FLINT_MIN and not native:
                return np.matmul(A, B)
            return _flint_matmul(A, B, native)
        A3 = A if A.ndim == 3 else np.broadcast_to(A, (B.shape[0],) + A.shape)
        B3 = B if B.ndim == 3 else np.broadcast_to(B, (A.shape[0],) + B.shape)
        if A3.shape[1] * A3.shape[2] * B3.shape[2] < self._FLINT_MIN:
            return np.matmul(A3, B3)
        return np.stack([_flint_matmul(a, b, native) for a, b in zip(A3, B3)])

    def native_scalar(self, q):
        """A scalar that can be added to the entries of a ``native`` product."""
        return _to_arb(self.scalar(q)) if self.use_flint else self.scalar(q)

    def piece(self, act, k, order, values):
        fn = _piece_function(act, k, order, "mpmath")
        out = np.empty(np.shape(values), dtype=object)
        flat_in, flat_out = np.ravel(values), out.reshape(-1)
        for n, v in enumerate(flat_in):
            flat_out[n] = mpmath.mpf(fn(v))
        return out

    def kink_tolerance(self, h):
        scale = max((abs(v) for v in np.ravel(h)), default=self.one)
        return tolerance(self.dps, scale=scale)

    def output(self, A):
        """An mpmath matrix (a column for a vector) rounded to ``dps`` digits; entries mpf or arb."""
        with mpmath.workdps(self.dps):
            A = np.asarray(A, dtype=object)
            rounded = _ROUND(A, mpmath.mp.prec)
            return mpmath.matrix(rounded.tolist() if A.ndim == 2 else [[v] for v in rounded])

    def output_scalar(self, v):
        with mpmath.workdps(self.dps):
            return +mpmath.mpf(v)


def _to_arb(x):
    arb = _flint().arb
    if isinstance(x, arb):
        return x
    if isinstance(x, mpmath.mpf):
        sign, man, exp, _ = x._mpf_
        return arb((-int(man) if sign else int(man), int(exp)))
    return arb(x)


def _from_arb(x):
    man, exp = x.mid().man_exp()
    return mpmath.mpf((int(man), int(exp)))


_TO_ARB = np.frompyfunc(_to_arb, 1, 1)
_FROM_ARB = np.frompyfunc(_from_arb, 1, 1)


def _round(x, prec):
    """An mpf or arb (its midpoint) rounded to ``prec`` bits, as an mpf."""
    if isinstance(x, mpmath.mpf):
        return mpmath.mp.make_mpf(mpf_pos(x._mpf_, prec, round_nearest))
    if isinstance(x, int):
        return mpmath.mpf(x)
    man, exp = x.mid().man_exp()
    return mpmath.mp.make_mpf(from_man_exp(int(man), int(exp), prec, round_nearest))


_ROUND = np.frompyfunc(_round, 2, 1)


def _flint_matmul(A, B, native=False):
    """A @ B for object arrays of mpf (or arb), through arb_mat at the working precision plus guard bits.

    The caller holds :func:`_precision`, so flint's precision is already the working one.
    """
    arb_mat = _flint().arb_mat
    r, c = A.shape[0], B.shape[1]
    if A.shape[1] == 0 or r == 0 or c == 0:
        return np.full((r, c), mpmath.mpf(0), dtype=object)
    C = arb_mat(_TO_ARB(A).tolist()) * arb_mat(_TO_ARB(B).tolist())
    out = np.empty((r, c), dtype=object)
    out[:] = C.tolist()
    return out if native else _FROM_ARB(out)


def _np_sigmoid(x):
    t = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + t), t / (1 + t))


def _np_sech2(x):
    t = np.exp(-2 * np.abs(x))
    return 4 * t / (1 + t) ** 2


def _mp_sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


#: Numeric forms of the saturating activations, free of the cancellation in SymPy's derivatives
#: (1 - tanh(x)**2 loses ~0.87|x| digits) and of float64 overflow (exp(-x) for x << 0).  They are the
#: same functions as the registry's expressions (tests/numeric/test_stable_forms.py checks them at
#: 300 digits).  (name, order) -> (mpmath form, numpy form).
STABLE_FORMS = {
    ("tanh", 1): (lambda x: mpmath.sech(x) ** 2, _np_sech2),
    ("tanh", 2): (lambda x: -2 * mpmath.tanh(x) * mpmath.sech(x) ** 2, lambda x: -2 * np.tanh(x) * _np_sech2(x)),
    ("sigmoid", 0): (_mp_sigmoid, _np_sigmoid),
    ("sigmoid", 1): (lambda x: _mp_sigmoid(x) * _mp_sigmoid(-x), lambda x: _np_sigmoid(x) * _np_sigmoid(-x)),
    ("sigmoid", 2): (lambda x: _mp_sigmoid(x) * _mp_sigmoid(-x) * (_mp_sigmoid(-x) - _mp_sigmoid(x)),
                     lambda x: _np_sigmoid(x) * _np_sigmoid(-x) * (_np_sigmoid(-x) - _np_sigmoid(x))),
    ("softplus", 0): (lambda x: max(x, 0) + mpmath.log1p(mpmath.exp(-abs(x))),
                      lambda x: np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))),
    ("softplus", 1): (_mp_sigmoid, _np_sigmoid),
    ("softplus", 2): (lambda x: _mp_sigmoid(x) * _mp_sigmoid(-x), lambda x: _np_sigmoid(x) * _np_sigmoid(-x)),
}


@lru_cache(maxsize=None)
def _piece_function(act, k, order, module):
    stable = STABLE_FORMS.get((act.name, order)) if len(act.pieces) == 1 else None
    if stable is not None:
        return stable[0] if module == "mpmath" else stable[1]
    expr = act.pieces[k].expr
    if order:
        expr = sp.diff(expr, _X, order)
    return sp.lambdify(_X, expr, modules=module)


class _Exact:
    """Exact rational arithmetic (Fractions): nets whose activations are rational functions, square loss."""

    name = "exact"
    dtype = object
    one = Fraction(1)
    zero = Fraction(0)
    dps = "exact"

    def scalar(self, q):
        return Fraction(q)

    def array(self, rows):
        out = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                out[i, j] = Fraction(v)
        return out

    def vector(self, values):
        out = np.empty(len(values), dtype=object)
        for i, v in enumerate(values):
            out[i] = Fraction(v)
        return out

    def full(self, shape, value=None):
        return np.full(shape, Fraction(0 if value is None else value), dtype=object)

    def matmul(self, A, B, native=False):
        return np.matmul(A, B)

    def native_scalar(self, q):
        return Fraction(q)

    def piece(self, act, k, order, values):
        num, den = _rational_derivative(act, k, order)
        out = np.empty(np.shape(values), dtype=object)
        flat_in, flat_out = np.ravel(values), out.reshape(-1)
        for n, v in enumerate(flat_in):
            flat_out[n] = _horner(num, v) / _horner(den, v)
        return out

    def output(self, A):
        A = np.asarray(A, dtype=object)
        if A.ndim == 1:
            A = A[:, None]
        return sp.ImmutableMatrix(A.shape[0], A.shape[1], [sp.Rational(v.numerator, v.denominator)
                                                            for v in A.reshape(-1)])

    def output_scalar(self, v):
        v = Fraction(v)
        return sp.Rational(v.numerator, v.denominator)


@lru_cache(maxsize=None)
def _rational_derivative(act, k, order):
    expr = sp.diff(act.pieces[k].expr, _X, order) if order else act.pieces[k].expr
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    coeffs = lambda p: [Fraction(int(c.p), int(c.q)) for c in sp.Poly(p, _X).all_coeffs()]  # noqa: E731
    return coeffs(num), coeffs(den)


def exact_capable(net):
    """True when the loss of ``net`` is a rational function of the weights, so ``dps="exact"`` applies.

    That is: the square loss, and hidden and output activations whose pieces are rational functions
    (identity, ReLU, leaky ReLU, two-piece, abs, softsign).

    Examples
    --------
    >>> exact_capable(Net(widths=(1, 2, 1), activation="relu")), exact_capable(Net(widths=(1, 2, 1), activation="tanh"))
    (True, False)
    """
    if net.loss.name != "square":
        return False
    acts = (net.activation, net.output_activation)
    return not any(a.generic for a in acts) and all(p.expr.is_rational_function(_X) for a in acts for p in a.pieces)


def _backend(dps, backend, net=None):
    if dps == "exact":
        if backend not in (None, "exact"):
            raise DataError("backend: dps='exact' runs in rational arithmetic; expected backend None or 'exact', "
                            "got %r" % (backend,))
        if net is not None and not exact_capable(net):
            raise DataError("dps: 'exact' needs the square loss and rational activations (identity, relu, leaky_relu, "
                            "two_piece, abs, softsign); got %s" % net)
        return _Exact()
    dps = check_dps(dps)
    if dps == "float64":
        if backend not in (None, "float64"):
            raise DataError("backend: dps='float64' runs in NumPy; expected backend None or 'float64', got %r"
                            % (backend,))
        return _Float64()
    if backend is None:
        backend = "flint" if flint_available() else "mpmath"
    if backend not in ("flint", "mpmath"):
        raise DataError("backend: expected one of 'flint', 'mpmath' (or 'float64' with dps='float64'), got %r"
                        % (backend,))
    if backend == "flint" and not flint_available():  # pragma: no cover
        raise DataError("backend: 'flint' needs python-flint (pip install python-flint)")
    return _Mp(dps, backend == "flint")


# -- forward and backward ---------------------------------------------------------------------------
class _State:
    """Everything the derivatives need, at one point, in one backend (internal, mutable while built)."""


def _forward(prob, B):
    net, m, L = prob.net, prob.m, prob.net.depth
    st = _State()
    st.prob, st.B = prob, B
    st.W = [B.array(W) for W in prob.W]
    st.b = [B.vector(b) for b in prob.b]
    st.a = [B.array(prob.X)]  # (m, d_0): samples as rows internally
    st.h, st.F1, st.F2 = [], [], []
    kinks = []
    exact = _exact_preactivations(prob) if any(net.layer_activation(l).kinks for l in range(1, L + 1)) else []
    pat = prob.pattern
    for l in range(1, L + 1):
        h = B.matmul(st.a[-1], st.W[l - 1].T) + st.b[l - 1][None, :]
        act = net.layer_activation(l)
        pieces, at = _classify(act, l, h, exact[l - 1] if l <= len(exact) else None, pat, B, kinks)
        F = [B.full(h.shape) for _ in range(3)]
        for k in range(len(act.pieces)):
            mask = pieces == k
            if not mask.any():
                continue
            for order in range(3):
                F[order][mask] = B.piece(act, k, order, h[mask])
        st.h.append(h)
        st.a.append(F[0])
        st.F1.append(F[1])
        st.F2.append(F[2])
    st.kinks = tuple(sorted(kinks, key=lambda k: (k.sample, k.layer, k.unit)))
    st.order_ok = min((k.order for k in st.kinks), default=3)  # derivatives of order < this exist
    _loss(st)
    return st


def _classify(act, l, h, exact_h, pat, B, kinks):
    """Piece index of every unit (samples x units) and a kink mask; appends Kink records."""
    m, d = h.shape
    pieces = np.zeros((m, d), dtype=int)
    at = np.zeros((m, d), dtype=bool)
    if not act.kinks:
        return pieces, at
    points = [Fraction(int(c.p), int(c.q)) for c in act.kinks]
    tol = None
    for s in range(m):
        for i in range(d):
            k = pat.piece(l, i + 1, sample=s + 1)
            if k is not None:
                pieces[s, i] = k
                continue
            if exact_h is not None:
                k, hit = _exact_piece(act, exact_h[s][i])
                value, is_exact = str(exact_h[s][i]), True
            else:
                if tol is None:
                    tol = B.kink_tolerance(h)
                v = h[s, i]
                k = sum(1 for c in points if v > B.scalar(c))
                hit = any(abs(v - B.scalar(c)) <= tol for c in points)
                if hit:
                    k = min(range(len(points)), key=lambda n: abs(v - B.scalar(points[n])))
                value, is_exact = (mpmath.nstr(v, 5) if B.dps != "float64" else "%.5g" % v), False
            pieces[s, i] = k
            if hit:
                at[s, i] = True
                kinks.append(Kink(l, i + 1, s + 1, value, is_exact, act.kink_order))
    return pieces, at


def _loss(st):
    """Loss value, dE/dz and d2E/dz2 per sample (scaled by 1/m for the mean)."""
    prob, B = st.prob, st.B
    net, m = prob.net, prob.m
    z, Y = st.a[-1], B.array(prob.Y)
    scale = B.scalar(Fraction(1, m)) if net.reduction == "mean" else B.one
    dL = z.shape[1]
    HE = B.full((m, dL, dL))
    if net.loss.name == "square":
        r = z - Y
        Es = (r * r).sum(axis=1) / 2
        gE = r
        for i in range(dL):
            HE[:, i, i] = B.one
    else:
        # Cancellation-free forms for saturated softmax (p_i near 1), using sum_j p_j = 1:
        #   lse = zmax + log1p(sum of the other exp(z_j - zmax)),
        #   dE/dz_i = s p_i - y_i = sum_{k != i} (y_k p_i - y_i p_k),
        #   d2E/dz_i^2 = s p_i (1 - p_i) = s p_i sum_{j != i} p_j.
        sy = Y.sum(axis=1)
        zmax = z.max(axis=1)
        e = B.exp(z - zmax[:, None])
        top = np.argmax(z == zmax[:, None], axis=1) if B.dtype != object else np.array(
            [list(row).index(mx) for row, mx in zip(z, zmax)])
        rest = np.array([sum((e[s, j] for j in range(dL) if j != top[s]), B.zero) for s in range(e.shape[0])],
                        dtype=B.dtype)
        tot = rest + B.one
        p = e / tot[:, None]
        # the O(1) parts cancel first, so a tiny log1p term is not rounded away
        Es = (sy * zmax - (Y * z).sum(axis=1)) + sy * B.log1p(rest)
        gE = B.full((m, dL))
        for i in range(dL):
            gE[:, i] = sum((Y[:, k] * p[:, i] - Y[:, i] * p[:, k] for k in range(dL) if k != i), B.zero * p[:, i])
        HE = sy[:, None, None] * (-(p[:, :, None] * p[:, None, :]))
        for i in range(dL):
            others = sum((p[:, j] for j in range(dL) if j != i), B.zero * p[:, i])
            HE[:, i, i] = sy * p[:, i] * others
    loss = Es.sum() * scale
    if net.weight_decay:
        wd = B.scalar(Fraction(int(net.weight_decay.p), int(net.weight_decay.q)))
        loss = loss + wd / 2 * sum((W * W).sum() for W in st.W)
    st.loss = loss
    st.gE, st.HE = gE * scale, HE * scale


def _backward(st):
    """delta_l, the adjoints dE/da_l, and D_l = f''(h_l) * dE/da_l (needs derivatives of order 1)."""
    L, B = st.prob.net.depth, st.B
    G1, G2 = st.F1[-1], st.F2[-1]
    st.delta = [None] * L
    st.ga = [None] * L   # ga[l-1] = dE/da_l = W_{l+1}^T delta_{l+1}  (samples as rows)
    st.c = [None] * L    # c[l-1] = f''(h_l) * dE/da_l, the diagonal of D_l; for l = L: g'' * dE/dz
    st.delta[L - 1] = G1 * st.gE
    st.c[L - 1] = G2 * st.gE
    st.ga[L - 1] = st.gE
    for l in range(L - 1, 0, -1):
        ga = B.matmul(st.delta[l], st.W[l])
        st.ga[l - 1] = ga
        st.delta[l - 1] = st.F1[l - 1] * ga
        st.c[l - 1] = st.F2[l - 1] * ga


def _gradient(st):
    net, B = st.prob.net, st.B
    parts = []
    for l in range(1, net.depth + 1):
        dW = B.matmul(st.delta[l - 1].T, st.a[l - 1])
        if net.weight_decay:
            dW = dW + B.scalar(Fraction(int(net.weight_decay.p), int(net.weight_decay.q))) * st.W[l - 1]
        parts.append(dW.flatten(order="F"))  # vec stacks columns
        if net.bias:
            parts.append(st.delta[l - 1].sum(axis=0))
    return np.concatenate(parts)


def _output_hessian(st):
    """H_L = diag(g') d2E/dz2 diag(g') + diag(g'' * dE/dz), per sample (m, d_L, d_L)."""
    G1 = st.F1[-1]
    H = G1[:, :, None] * st.HE * G1[:, None, :]
    for i in range(H.shape[1]):
        H[:, i, i] = H[:, i, i] + st.c[-1][:, i]
    return H


def _preactivation_hessians(st):
    """Botev recursion H_l = B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l (per sample, l = L..1)."""
    L, B = st.prob.net.depth, st.B
    Hs = [None] * L
    Hs[L - 1] = _output_hessian(st)
    for l in range(L - 1, 0, -1):
        W = st.W[l]
        M = B.matmul(B.matmul(W.T, Hs[l]), W)
        F1 = st.F1[l - 1]
        H = F1[:, :, None] * M * F1[:, None, :]
        for i in range(H.shape[1]):
            H[:, i, i] = H[:, i, i] + st.c[l - 1][:, i]
        Hs[l - 1] = H
    return Hs


def _layer_blocks(st, Hs):
    """sum_s (a~ a~^T) kron H_l, column stacking (outer index: input unit, then the bias; inner: output).

    Computed as one product U^T V with U[s, (j, j')] = a~_s[j] a~_s[j'] and V[s, (i, i')] = H_l,s[i, i'].
    """
    net, B, m = st.prob.net, st.B, st.prob.m
    blocks = []
    for l in range(1, net.depth + 1):
        a = st.a[l - 1]
        if net.bias:
            a = np.concatenate([a, B.full((m, 1), 1)], axis=1)
        k, d = a.shape[1], Hs[l - 1].shape[1]
        U = (a[:, :, None] * a[:, None, :]).reshape(m, k * k)
        V = Hs[l - 1].reshape(m, d * d)
        blk = B.matmul(U.T, V, native=True).reshape(k, k, d, d).transpose(0, 2, 1, 3).reshape(k * d, k * d)
        if net.weight_decay:
            wd = B.native_scalar(Fraction(int(net.weight_decay.p), int(net.weight_decay.q)))
            for n in range(d * net.widths[l - 1]):
                blk[n, n] = blk[n, n] + wd
        blocks.append(blk)
    return blocks


def _augmented(st, k):
    """a~_{k-1} per sample (m, k): a_{k-1}, with a trailing 1 when the net has biases."""
    a = st.a[k - 1]
    if st.prob.net.bias:
        a = np.concatenate([a, st.B.full((a.shape[0], 1), 1)], axis=1)
    return a


def _sum_kron(B, left, right):
    """sum_s kron(left_s, right_s) for batches (m, p, q) and (m, r, t), as one product U^T V."""
    m, p, q = left.shape
    _, r, t = right.shape
    T = B.matmul(left.reshape(m, p * q).T, right.reshape(m, r * t), native=True)
    return T.reshape(p, q, r, t).transpose(0, 2, 1, 3).reshape(p * r, q * t)


def _full_hessian(st, H_L):
    """Every block of the Hessian, by the Kronecker structure of dh_n/dW_k (see Notes of evaluate_net).

    With A_{nk} = dh_n/dh_k (per sample), M_L = H_L and M_n = D_n (n < L):

        H[W~_k, W~_j] = sum_s (a~_{k-1} a~_{j-1}^T) kron G_{kj},   G_{kj} = sum_{n >= max(k, j)} A_{nk}^T M_n A_{nj},

    plus, for k < l, the bilinear terms of h_l = W_l a_{l-1}:
    d2E / dW_l[i, j] dW~_k[r, p] += sum_s delta_l[i] (f'(h_{l-1}) * A_{l-1,k})[j, r] a~_{k-1}[p].
    """
    net, B, m = st.prob.net, st.B, st.prob.m
    P, L = net.n_params, net.depth
    A = {}
    for k in range(1, L + 1):
        eye = B.full((m, net.widths[k], net.widths[k]))
        for i in range(net.widths[k]):
            eye[:, i, i] = B.one
        A[k, k] = eye
        for n in range(k + 1, L + 1):
            A[n, k] = B.matmul(st.W[n - 1], st.F1[n - 2][:, :, None] * A[n - 1, k])
    MA = {}
    for n in range(1, L + 1):
        for j in range(1, n + 1):
            MA[n, j] = B.matmul(H_L, A[n, j]) if n == L else st.c[n - 1][:, :, None] * A[n, j]
    zero_D = {n: n < L and not any(v != 0 for v in np.ravel(st.c[n - 1])) for n in range(1, L + 1)}
    H = np.empty((P, P), dtype=B.dtype)
    abar = {k: _augmented(st, k) for k in range(1, L + 1)}
    for k in range(1, L + 1):
        for j in range(k, L + 1):
            G = None
            for n in range(j, L + 1):
                if zero_D[n]:  # piecewise-linear layers have D_n = 0
                    continue
                term = B.matmul(np.swapaxes(A[n, k], 1, 2), MA[n, j])
                G = term if G is None else G + term
            if G is None:
                G = B.full((m, net.widths[k], net.widths[j]))
            outer = abar[k][:, :, None] * abar[j][:, None, :]
            H[net.layer_slice(k), net.layer_slice(j)] = _sum_kron(B, outer, G)
    for l in range(2, L + 1):
        d, dprev = net.layer_shape(l)
        rows = slice(net.layer_slice(l).start, net.layer_slice(l).start + d * dprev)
        for k in range(1, l):
            left = st.F1[l - 2][:, :, None] * A[l - 1, k]                   # (m, d_{l-1}, d_k)
            right = st.delta[l - 1][:, :, None] * abar[k][:, None, :]       # (m, d_l, k~)
            T = B.matmul(left.reshape(m, -1).T, right.reshape(m, -1), native=True)
            T = T.reshape(dprev, net.widths[k], d, abar[k].shape[1])        # [j, r, i, p]
            C = T.transpose(0, 2, 3, 1).reshape(dprev * d, -1)              # rows j*d_l + i, cols p*d_k + r
            H[net.layer_slice(k), rows] += C.T
    for k in range(1, L + 1):  # the upper block triangle holds every term once; mirror it
        sk = net.layer_slice(k)
        lower = np.tril_indices(sk.stop - sk.start, -1)
        H[sk, sk][lower] = H[sk, sk].T[lower]
        for j in range(k + 1, L + 1):
            H[net.layer_slice(j), sk] = H[sk, net.layer_slice(j)].T
    if net.weight_decay:
        wd = B.native_scalar(Fraction(int(net.weight_decay.p), int(net.weight_decay.q)))
        for l in range(1, L + 1):
            start = net.layer_slice(l).start
            for n in range(start, start + net.widths[l] * net.widths[l - 1]):
                H[n, n] = H[n, n] + wd
    return H


def _hvp(st, v):
    """Forward-over-reverse: the R-operator of backprop in the direction v (theta's order)."""
    net, B, m = st.prob.net, st.B, st.prob.m
    L = net.depth
    VW, Vb = [], []
    for l in range(1, L + 1):
        sl, (d, dprev) = net.layer_slice(l), net.layer_shape(l)
        seg = v[sl.start:sl.stop]
        VW.append(np.asarray(seg[:d * dprev]).reshape(dprev, d).T)  # un-vec (columns stacked)
        Vb.append(np.asarray(seg[d * dprev:]) if net.bias else B.full(d))
    adot = [B.full(st.a[0].shape)]
    hdot = []
    for l in range(1, L + 1):
        hd = B.matmul(adot[-1], st.W[l - 1].T) + B.matmul(st.a[l - 1], VW[l - 1].T) + Vb[l - 1][None, :]
        hdot.append(hd)
        adot.append(st.F1[l - 1] * hd)
    zdot = adot[-1]
    dgE = B.matmul(st.HE, zdot[:, :, None])[:, :, 0]
    ddelta = st.F2[-1] * hdot[-1] * st.gE + st.F1[-1] * dgE
    parts = [None] * L
    for l in range(L, 0, -1):
        delta = st.delta[l - 1]
        HvW = B.matmul(ddelta.T, st.a[l - 1]) + B.matmul(delta.T, adot[l - 1])
        if net.weight_decay:
            HvW = HvW + B.scalar(Fraction(int(net.weight_decay.p), int(net.weight_decay.q))) * VW[l - 1]
        seg = [HvW.flatten(order="F")]
        if net.bias:
            seg.append(ddelta.sum(axis=0))
        parts[l - 1] = np.concatenate(seg)
        if l > 1:
            dga = B.matmul(ddelta, st.W[l - 1]) + B.matmul(delta, VW[l - 1])
            ddelta = st.F2[l - 2] * hdot[l - 2] * st.ga[l - 2] + st.F1[l - 2] * dga
    return np.concatenate(parts)


# -- public API -----------------------------------------------------------------------------------
def _run(net, weights, biases, X, Y, dps, pattern, backend):
    prob = _prepare(net, weights, biases, X, Y, pattern)
    B = _backend(dps, backend, net)
    return prob, B


def evaluate_net(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS, pattern=None, backend=None,
                 hessian=True):
    """Loss, gradient, Botev blocks and the full Hessian of a net at exact weights and data.

    Parameters
    ----------
    net : Net
    weights : sequence of matrices
        W_1 .. W_L (SymPy, nested lists of numbers or strings such as ``"1/3"``, NumPy, mpmath); read exactly.
    biases : sequence of vectors, optional
        b_1 .. b_L, required when ``net.bias``.
    X, Y : matrices
        Inputs (d_0 x m) and targets (d_L x m), samples as columns; a flat list is one sample.
    dps : int, "float64" or "exact", default 50
        Decimal digits of the result (the work runs with guard digits); ``"float64"`` for NumPy; ``"exact"``
        for rational arithmetic when the loss is a rational function of the weights (square loss and
        rational activations, see :func:`exact_capable`): results are then SymPy Rationals.
    pattern : dict, optional
        ``{(l, i): piece}``: use that smooth piece of unit i of layer l (1-based), as
        :func:`lossgeom.symbolic.forward.forward_trace` does; such units are never reported as kinks.
    backend : {None, "flint", "mpmath", "float64"}
        None picks ``"float64"`` for ``dps="float64"``, else ``"flint"`` when python-flint is installed.
    hessian : bool, default True
        Also compute the full Hessian and the Botev blocks.

    Returns
    -------
    HessianEvaluation
        Immutable; ``.gradient``, ``.hessian``, ``.layer_blocks`` and ``.preactivation_hessians`` raise
        :class:`~lossgeom.errors.NonDifferentiableError` when a pre-activation sits at a kink.

    Raises
    ------
    DataError
        For a missing or malformed weight, bias, input or target (the message names it).

    Examples
    --------
    MATH.md's micro-example: one tanh unit, x = 1, w1 = 1/2, w2 = 2, y = 0.

    >>> net = Net(widths=(1, 1, 1), activation="tanh")
    >>> ev = evaluate_net(net, [[["1/2"]], [[2]]], X=[[1]], Y=[[0]], dps=30)
    >>> ev
    HessianEvaluation(Net(1-1-1, tanh, square), dps=30, backend='flint', samples=1, loss=0.4271045341, kinks=[])
    >>> ev.parameters
    ('W1[1,1]', 'W2[1,1]')
    >>> print(mpmath.nstr(ev.hessian, 8))
    [1.1304186    1.453724]
    [ 1.453724  0.21355227]
    >>> print(mpmath.nstr(ev.loss, 10), mpmath.nstr(ev.gradient[0], 10), ev.kinks)
    0.4271045341 1.453723963 ()

    Notes
    -----
    Layer blocks by the Botev recursion H_l = B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l; the full Hessian by
    d2E/dW~_k dW~_j = sum_s (a~_{k-1} a~_{j-1}^T) kron sum_{n >= max(k,j)} A_{nk}^T M_n A_{nj} plus the
    bilinear terms delta_l[i] d a_{l-1}[j]/dtheta of h_l = W_l a_{l-1} (A_{nk} = dh_n/dh_k, M_L = H_L,
    M_n = D_n), and weight_decay * I on the weights.  Two computations that share no recursion: the tests
    check that the diagonal blocks of the second equal the first.

    References
    ----------
    Botev, Ritter, Barber, "Practical Gauss-Newton Optimisation for Deep Learning", ICML 2017.
    Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation 6 (1994).
    """
    return _evaluate(net, weights, biases, X, Y, dps, pattern, backend, hessian, hessian)


def _evaluate(net, weights, biases, X, Y, dps, pattern, backend, want_hessian, want_blocks):
    prob, B = _run(net, weights, biases, X, Y, dps, pattern, backend)
    with _precision(B):
        st = _forward(prob, B)
        grad = hess = blocks = pre = None
        if st.order_ok > 1:
            _backward(st)
            grad = B.output(_gradient(st))
        if (want_hessian or want_blocks) and st.order_ok > 2:
            Hs = _preactivation_hessians(st)
            if want_hessian:
                hess = B.output(_full_hessian(st, Hs[-1]))
            if want_blocks:
                blocks = tuple(B.output(b) for b in _layer_blocks(st, Hs))
                pre = tuple(tuple(B.output(Hs[l][s]) for l in range(net.depth)) for s in range(prob.m))
        pre_h = tuple(tuple(B.output(st.h[l][s]) for l in range(net.depth)) for s in range(prob.m))
        theta = tuple(B.output_scalar(v) for v in _theta(prob, B))
        return HessianEvaluation(net, B.dps, B.name, net.parameter_names(), theta, prob.m,
                                 B.output_scalar(st.loss), st.kinks, pre_h, grad, hess, blocks, pre)


def _theta(prob, B):
    out = []
    for l in range(prob.net.depth):
        W = prob.W[l]
        out.extend(W[i][j] for j in range(len(W[0])) for i in range(len(W)))
        if prob.net.bias:
            out.extend(prob.b[l])
    return [B.scalar(v) for v in out]


@contextlib.contextmanager
def _precision(B):
    """The working precision of a backend: dps + guard digits for mpmath (and flint, with 32 more bits)."""
    if B.dps in ("float64", "exact"):
        yield
        return
    with working_precision(B.dps, GUARD_DIGITS):
        if not B.use_flint:
            yield
            return
        from flint import ctx
        with ctx.workprec(mpmath.mp.prec + 32):
            yield


def evaluate_net_file(net_file, dps=DEFAULT_DPS, pattern=None, backend=None, hessian=True):
    """:func:`evaluate_net` at the weights, biases and samples of a :class:`~lossgeom.data.NetFile`.

    Raises
    ------
    DataError
        When the file has no ``weights`` or no ``inputs``/``targets`` (the message names the field).

    Examples
    --------
    >>> from lossgeom import net_file_from_dict
    >>> nf = net_file_from_dict({"widths": [1, 1, 1], "activation": "tanh", "weights": [[["1/2"]], [[2]]],
    ...                          "inputs": [[1]], "targets": [[0]]})
    >>> print(mpmath.nstr(evaluate_net_file(nf, dps=20).hessian[1, 1], 5))
    0.21355
    """
    if not isinstance(net_file, NetFile):
        raise DataError("net_file: expected a NetFile (lossgeom.read_net_file), got %r" % (net_file,))
    if net_file.weights is None:
        raise DataError("weights: the net file has no 'weights'; the Hessian needs a point theta")
    if net_file.inputs is None:
        raise DataError("inputs: the net file has no 'inputs' (and 'targets'); the loss, and so the Hessian, "
                        "needs at least one sample")
    return evaluate_net(net_file.net, net_file.weights, net_file.biases, net_file.inputs, net_file.targets,
                        dps=dps, pattern=pattern, backend=backend, hessian=hessian)


def find_kinks(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS, pattern=None):
    """The pre-activations that sit at a kink of their activation (exactly, where decidable).

    Examples
    --------
    >>> net = Net(widths=(1, 2, 1), activation="relu")
    >>> [str(k) for k in find_kinks(net, [[[1], [-1]], [[1, 1]]], X=[[0]], Y=[[1]])]
    ['h1[1] (sample 1)', 'h1[2] (sample 1)']
    """
    return evaluate_net(net, weights, biases, X, Y, dps=dps, pattern=pattern, hessian=False).kinks


def loss_value(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS, pattern=None):
    """The loss E(theta) (defined at kinks too: every registered activation is continuous).

    Examples
    --------
    >>> print(mpmath.nstr(loss_value(Net(widths=(1, 1)), [[[2]]], X=[[1]], Y=[[0]], dps=20), 5))
    2.0
    """
    prob, B = _run(net, weights, biases, X, Y, dps, pattern, None)
    with _precision(B):
        return B.output_scalar(_forward(prob, B).loss)


def gradient(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS, pattern=None, backend=None):
    """dE/dtheta by backpropagation, in theta's order.

    Raises
    ------
    NonDifferentiableError
        When a pre-activation sits at a kink where f' does not exist.

    Examples
    --------
    >>> g = gradient(Net(widths=(1, 1)), [[[2]]], X=[[1]], Y=[[0]], dps="float64")
    >>> g.tolist()
    [2.0]
    """
    return evaluate_net(net, weights, biases, X, Y, dps=dps, pattern=pattern, backend=backend,
                        hessian=False).gradient


def full_hessian(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS, pattern=None, backend=None):
    """The full Hessian d2E/dtheta2 (all cross-layer blocks), theta's order.

    Raises
    ------
    NonDifferentiableError
        When a pre-activation sits at a kink (listing the units), unless ``pattern`` fixes their pieces.

    Examples
    --------
    >>> net = Net(widths=(1, 1, 1), activation="relu")
    >>> full_hessian(net, [[[1]], [[1]]], X=[[1]], Y=[[0]], dps="float64").tolist()
    [[1.0, 2.0], [2.0, 1.0]]
    >>> full_hessian(net, [[[0]], [[1]]], X=[[1]], Y=[[0]])
    Traceback (most recent call last):
    ...
    lossgeom.errors.NonDifferentiableError: the Hessian is undefined: pre-activation h1[1] (sample 1) sits exactly at a kink of relu (a one-sided value is never taken; the Python API's pattern={(l, i): piece} chooses a smooth piece)
    """
    return _evaluate(net, weights, biases, X, Y, dps, pattern, backend, True, False).hessian


def hvp(net, weights, biases=None, X=None, Y=None, v=None, dps=DEFAULT_DPS, pattern=None):
    """The Hessian-vector product H v by forward-over-reverse differentiation (no Hessian is formed).

    Parameters
    ----------
    v : sequence of numbers
        A direction in theta's order (read exactly, like the weights).

    Returns
    -------
    mpmath.matrix (column) or numpy.ndarray

    Raises
    ------
    NonDifferentiableError
        At a kink (see :func:`full_hessian`).

    Examples
    --------
    >>> net = Net(widths=(1, 1, 1), activation="tanh")
    >>> print(mpmath.nstr(hvp(net, [[["1/2"]], [[2]]], X=[[1]], Y=[[0]], v=[1, 0], dps=20), 6))
    [1.13042]
    [1.45372]

    Notes
    -----
    Pearlmutter's R-operator: R{h_l} = R{W_l} a_{l-1} + W_l R{a_{l-1}} + R{b_l}, R{a_l} = f'(h_l) R{h_l};
    R{delta_L} = g'' R{h_L} dE/dz + g' (d2E/dz2 R{z}); R{delta_l} = f''(h_l) R{h_l} (W^T delta) +
    f'(h_l) (R{W}^T delta + W^T R{delta}); H v = [R{delta_l} a_{l-1}^T + delta_l R{a_{l-1}}^T; R{delta_l}].
    """
    prob, B = _run(net, weights, biases, X, Y, dps, pattern, None)
    if v is None:
        raise DataError("v: expected a direction with %d entries (theta's order), got None" % net.n_params)
    vals = [to_fraction(q) for q in exact_matrix(v, "v", (net.n_params, 1))]
    with _precision(B):
        st = _forward(prob, B)
        if st.order_ok <= 2:
            bad = [k for k in st.kinks if k.order <= 2]
            raise NonDifferentiableError(_kink_message(net, "the Hessian-vector product", bad),
                                         kinks=[str(k) for k in bad])
        _backward(st)
        vec = np.array([B.scalar(q) for q in vals], dtype=B.dtype)
        return B.output(_hvp(st, vec))
