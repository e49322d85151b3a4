"""The arithmetic backends of the numeric engine, behind one declared interface.

A :class:`Backend` is the number system the kernels of :mod:`lossgeom.numeric._engine` compute in:
NumPy float64, mpmath at ``dps`` digits (optionally with the large products in python-flint's
``arb_mat``), or exact rational arithmetic (Fractions).  Every kernel works on NumPy arrays (of
floats, or of mpf/Fraction objects) and only reaches the number system through the methods
declared here, so a new backend is one subclass and one entry of :data:`BACKENDS`.  The deep linear
nets of :mod:`lossgeom.numeric.linear` and :mod:`lossgeom.numeric.critical` compute on the same
backends, through the matrix methods (:meth:`Backend.from_matrix`, :meth:`Backend.dot`,
:meth:`Backend.kron`, :meth:`Backend.inner`, ...).

Exact weights and data reach a backend as Fractions and are rounded once, by :meth:`Backend.scalar`.
"""

import abc
import contextlib
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp
from flint import arb, arb_mat
from flint import ctx as flint_ctx
from mpmath.libmp import from_man_exp, mpf_pos, round_nearest

from lossgeom.activations import X as _X
from lossgeom.checks import check_net
from lossgeom.errors import DataError, OptionError, choose
from lossgeom.precision import GUARD_DIGITS, check_dps, tolerance, working_precision

__all__ = ["Backend", "Float64Backend", "MpBackend", "FlintBackend", "ExactBackend", "BACKENDS", "select_backend",
           "exact_capable"]


class Backend(abc.ABC):
    """The operations the numeric kernels use, in one number system.

    Subclasses set the class attributes and implement the abstract methods; the elementwise
    ``exp``/``log``/``log1p``, the array builders and the matrix operations of deep-linear work
    (``identity``, ``from_matrix``, ``dot``, ``kron``, ``inner``, ``inverse``) have shared defaults.

    Attributes
    ----------
    name : str
        The registry name (a key of :data:`BACKENDS`), reported as ``HessianEvaluation.backend``.
    dps : int, "float64" or "exact"
    dtype : type
        The NumPy dtype of the kernels' arrays (``float`` or ``object``).
    one, zero
        The numbers 1 and 0 of the backend.

    Examples
    --------
    >>> B = select_backend(20)
    >>> B.name, B.dps, isinstance(B, Backend)
    ('flint', 20, True)
    >>> with B.context():
    ...     e = B.output_scalar(B.exp(B.vector([Fraction(1, 2)]))[0])
    >>> print(mpmath.nstr(e, 20))
    1.6487212707001281468
    """

    name = None
    dps = None
    dtype = object
    one = None
    zero = None

    # -- numbers and arrays ------------------------------------------------------------
    @abc.abstractmethod
    def scalar(self, q):
        """The backend's number for the Fraction ``q`` (correctly rounded where it rounds)."""

    def native_scalar(self, q):
        """A scalar that can be added to the entries of a ``native`` :meth:`matmul` product."""
        return self.scalar(q)

    def array(self, rows):
        """A 2-D array of :meth:`scalar` from rows of Fractions."""
        out = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=self.dtype)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                out[i, j] = self.scalar(v)
        return out

    def vector(self, values):
        """A 1-D array of :meth:`scalar` from Fractions."""
        out = np.empty(len(values), dtype=self.dtype)
        for i, v in enumerate(values):
            out[i] = self.scalar(v)
        return out

    def full(self, shape, value=None):
        """An array of ``shape`` filled with 0 (or the Fraction-like ``value``)."""
        return np.full(shape, self.zero if value is None else self.scalar(Fraction(value)), dtype=self.dtype)

    def identity(self, n):
        """The ``n x n`` identity matrix.

        Examples
        --------
        >>> ExactBackend().identity(2).tolist()
        [[Fraction(1, 1), Fraction(0, 1)], [Fraction(0, 1), Fraction(1, 1)]]
        """
        out = self.full((n, n))
        for i in range(n):
            out[i, i] = self.one
        return out

    @abc.abstractmethod
    def convert(self, v):
        """The backend's number for a SymPy, mpmath, NumPy or Python number ``v`` (see the subclasses)."""

    def from_matrix(self, M):
        """A 2-D array of the backend from a SymPy, mpmath or NumPy matrix (or a list of rows), entry by entry
        through :meth:`convert`.

        Examples
        --------
        >>> Float64Backend().from_matrix(sp.Matrix([[1, sp.Rational(1, 2)]])).tolist()
        [[1.0, 0.5]]
        >>> MpBackend(20).from_matrix(mpmath.matrix([[1, 2]])).shape
        (1, 2)
        """
        rows, shape = _matrix_rows(M)
        out = np.empty(shape, dtype=self.dtype)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                out[i, j] = self.convert(v)
        return out

    def dot(self, A, B):
        """The matrix product ``A @ B`` of 2-D arrays, every entry rounded once (a correctly rounded dot product
        where the backend rounds), as ``mpmath.matrix`` products are.

        Examples
        --------
        >>> B = ExactBackend()
        >>> B.dot(B.identity(2), B.from_matrix([[1], [2]])).tolist()
        [[Fraction(1, 1)], [Fraction(2, 1)]]
        """
        return np.matmul(A, B)

    def kron(self, A, B):
        """The Kronecker product of 2-D arrays: block ``(i, j)`` is ``A[i, j] B``.

        Examples
        --------
        >>> B = Float64Backend()
        >>> B.kron(np.array([[1.0, 2.0]]), np.array([[1.0], [3.0]])).tolist()
        [[1.0, 2.0], [3.0, 6.0]]
        """
        return np.kron(A, B)

    def inner(self, A, B):
        """The Frobenius inner product ``sum_ij A_ij B_ij`` (summed in row-major order from :attr:`zero`);
        ``inner(A, A)`` is the squared Frobenius norm.

        Examples
        --------
        >>> B = ExactBackend()
        >>> A = B.from_matrix([[1, 2], [3, 4]])
        >>> B.inner(A, A)
        Fraction(30, 1)
        """
        return sum((a * b for a, b in zip(np.ravel(A), np.ravel(B))), self.zero)

    def inverse(self, A):
        """The inverse of a square invertible 2-D array.

        Examples
        --------
        >>> B = ExactBackend()
        >>> B.inverse(B.from_matrix([[2, 0], [0, 4]])).tolist()
        [[Fraction(1, 2), Fraction(0, 1)], [Fraction(0, 1), Fraction(1, 4)]]
        """
        return self.from_matrix(sp.Matrix(self.output(A, rounded=False)).inv())

    # -- arithmetic ----------------------------------------------------------------------
    def matmul(self, A, B, native=False):
        """``A @ B`` (batched over a leading axis when 3-D); ``native`` lets a backend keep its own entries."""
        return np.matmul(A, B)

    def exp(self, a):
        """Elementwise e^a."""
        return self.elementwise("exp", a)

    def log(self, a):
        """Elementwise natural logarithm."""
        return self.elementwise("log", a)

    def log1p(self, a):
        """Elementwise log(1 + a), accurate for small a."""
        return self.elementwise("log1p", a)

    @abc.abstractmethod
    def elementwise(self, function, a):
        """Apply the transcendental ``function`` ("exp", "log" or "log1p") elementwise."""

    @abc.abstractmethod
    def piece(self, act, k, order, values):
        """The ``order``-th derivative of piece ``k`` of the activation ``act`` at ``values`` (an array)."""

    @abc.abstractmethod
    def kink_tolerance(self, h):
        """The distance below which a numeric pre-activation in ``h`` counts as sitting at a kink."""

    # -- results -------------------------------------------------------------------------
    @abc.abstractmethod
    def output(self, A, rounded=True):
        """The public form of an array: NumPy, an ``mpmath.matrix`` rounded to ``dps`` (kept at the working
        precision when not ``rounded``), or a SymPy matrix."""

    @abc.abstractmethod
    def output_scalar(self, v, rounded=True):
        """The public form of a scalar (an mpf is rounded to ``dps`` when ``rounded``)."""

    def context(self):
        """The working precision of the backend, as a context manager (none for float64 and exact)."""
        return contextlib.nullcontext()


class Float64Backend(Backend):
    """float64 through NumPy.

    Examples
    --------
    >>> from lossgeom import get_activation
    >>> B = Float64Backend()
    >>> B.scalar(Fraction(1, 3)), B.piece(get_activation("tanh"), 0, 1, np.array([0.0, 400.0])).tolist()
    (0.3333333333333333, [1.0, 0.0])
    """

    name = "float64"
    dps = "float64"
    dtype = float
    one = 1.0
    zero = 0.0

    def scalar(self, q):
        return float(q)  # correctly rounded from the exact Fraction

    def elementwise(self, function, a):
        return getattr(np, function)(a)

    def piece(self, act, k, order, values):
        out = act.numeric_form(k, order, "numpy")(values)
        return np.broadcast_to(np.asarray(out, dtype=float), np.shape(values))

    def kink_tolerance(self, h):
        scale = float(np.max(np.abs(h))) if np.size(h) else 1.0
        return float(tolerance("float64", scale=scale))

    def convert(self, v):
        """A float: SymPy numbers evaluated to 17 digits first, everything else through ``float``.

        Examples
        --------
        >>> Float64Backend().convert(sp.sqrt(2)), Float64Backend().convert(mpmath.mpf(1) / 4)
        (1.4142135623730951, 0.25)
        """
        if isinstance(v, Fraction):
            v = sp.Rational(v.numerator, v.denominator)
        return float(v.evalf(17)) if isinstance(v, sp.Basic) else float(v)

    def from_matrix(self, M):
        if isinstance(M, np.ndarray):
            return M.astype(float)
        return super().from_matrix(M)

    def inner(self, A, B):
        return float(np.sum(A * B))

    def inverse(self, A):
        return np.linalg.inv(A)

    def output(self, A, rounded=True):
        return np.array(A, dtype=float)

    def output_scalar(self, v, rounded=True):
        return float(v)


_MP_FUNCTIONS = {name: np.frompyfunc(getattr(mpmath, name), 1, 1) for name in ("exp", "log", "log1p")}


class MpBackend(Backend):
    """mpmath numbers at ``dps`` digits (object arrays), with guard digits while working.

    Parameters
    ----------
    dps : int
        Digits of the results.

    Examples
    --------
    >>> B = MpBackend(30)
    >>> with B.context():
    ...     third = B.output_scalar(B.scalar(Fraction(1, 3)))
    >>> print(mpmath.nstr(third, 30))
    0.333333333333333333333333333333
    """

    name = "mpmath"
    use_flint = False

    def __init__(self, dps):
        self.dps = dps
        self.one = mpmath.mpf(1)
        self.zero = mpmath.mpf(0)

    def scalar(self, q):
        return mpmath.mpf(q.numerator) / q.denominator

    def elementwise(self, function, a):
        return _MP_FUNCTIONS[function](a)

    def piece(self, act, k, order, values):
        fn = act.numeric_form(k, order, "mpmath")
        out = np.empty(np.shape(values), dtype=object)
        flat_in, flat_out = np.ravel(values), out.reshape(-1)
        for n, v in enumerate(flat_in):
            flat_out[n] = mpmath.mpf(fn(v))
        return out

    def kink_tolerance(self, h):
        scale = max((abs(v) for v in np.ravel(h)), default=self.one)
        return tolerance(self.dps, scale=scale)

    def convert(self, v):
        """An mpf at the working precision: SymPy rationals divided once, other SymPy numbers through their
        decimal text (``mpf(Float)`` may round through a double), mpf entries kept as they are.

        Examples
        --------
        >>> B = MpBackend(20)
        >>> with B.context():
        ...     print(mpmath.nstr(B.convert(sp.sqrt(2)), 20), mpmath.nstr(B.convert(sp.Rational(1, 3)), 20))
        1.4142135623730950488 0.33333333333333333333
        """
        if isinstance(v, sp.Rational):
            return mpmath.mpf(int(v.p)) / int(v.q)
        if isinstance(v, sp.Basic):
            return mpmath.mpf(str(sp.N(v, mpmath.mp.dps + 5)))
        if isinstance(v, Fraction):
            return self.scalar(v)
        return mpmath.mp.convert(v)

    def dot(self, A, B):
        """``A @ B`` with every entry an ``mpmath.fdot`` (exact products, one rounding), as ``mpmath.matrix``
        multiplies.

        Examples
        --------
        >>> B = MpBackend(20)
        >>> with B.context():
        ...     A = B.from_matrix(sp.Matrix([[sp.Rational(1, 3), sp.Rational(2, 3)]]))
        ...     C = B.dot(A, A.T)
        ...     C[0, 0] == (mpmath.matrix(A.tolist()) * mpmath.matrix(A.T.tolist()))[0, 0]
        True
        >>> print(mpmath.nstr(B.output(C)[0, 0], 20))
        0.55555555555555555556
        """
        out = np.empty((A.shape[0], B.shape[1]), dtype=object)
        for i in range(A.shape[0]):
            for j in range(B.shape[1]):
                out[i, j] = mpmath.mp.fdot(A[i, :], B[:, j])
        return out

    def inverse(self, A):
        return self.from_matrix(mpmath.matrix(A.tolist()) ** -1)

    def output(self, A, rounded=True):
        """An mpmath matrix (a column for a vector) rounded to ``dps`` digits (or not, when not ``rounded``);
        entries mpf or arb."""
        A = np.asarray(A, dtype=object)
        if not rounded:
            return mpmath.matrix(A.tolist() if A.ndim == 2 else [[v] for v in A])
        with mpmath.workdps(self.dps):
            rounded = _ROUND(A, mpmath.mp.prec)
            return mpmath.matrix(rounded.tolist() if A.ndim == 2 else [[v] for v in rounded])

    def output_scalar(self, v, rounded=True):
        if not rounded:
            return mpmath.mp.convert(v)
        with mpmath.workdps(self.dps):
            return +mpmath.mpf(v)

    def context(self):
        """``dps`` + guard digits for mpmath."""
        return working_precision(self.dps, GUARD_DIGITS)


class FlintBackend(MpBackend):
    """:class:`MpBackend` whose large matrix products run in python-flint's ``arb_mat`` (in C).

    Examples
    --------
    >>> B = FlintBackend(20)
    >>> with B.context():  # numbers are rounded once, at the working precision: build them inside
    ...     A = B.array([[Fraction(1, 3)] * 30] * 30)
    ...     C = B.output(B.matmul(A, A))
    >>> print(mpmath.nstr(C[0, 0], 20))
    3.3333333333333333333
    """

    name = "flint"
    use_flint = True
    _FLINT_MIN = 8000  # products smaller than this (r*k*c) stay in Python

    def matmul(self, A, B, native=False):
        """A @ B; with ``native`` the product stays in arb (entries for :meth:`output` or arb sums)."""
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
        return _to_arb(self.scalar(q))

    @contextlib.contextmanager
    def context(self):
        """``dps`` + guard digits for mpmath, and 32 more bits for flint's products."""
        with working_precision(self.dps, GUARD_DIGITS):
            with flint_ctx.workprec(mpmath.mp.prec + 32):
                yield


class ExactBackend(Backend):
    """Exact rational arithmetic (Fractions): nets whose activations are rational functions, square loss.

    Examples
    --------
    >>> from lossgeom import get_activation
    >>> B = ExactBackend()
    >>> B.output(B.piece(get_activation("softsign"), 1, 1, np.array([Fraction(1, 2)], dtype=object)))
    Matrix([[4/9]])
    >>> B.log1p(np.array([Fraction(1)], dtype=object))
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: dps: 'exact' runs in rational arithmetic, which cannot take log1p (a transcendental activation or loss); expected an integer number of digits or 'float64'
    """

    name = "exact"
    dps = "exact"
    one = Fraction(1)
    zero = Fraction(0)

    def scalar(self, q):
        return Fraction(q)

    def elementwise(self, function, a):
        raise DataError("dps: 'exact' runs in rational arithmetic, which cannot take %s (a transcendental "
                        "activation or loss); expected an integer number of digits or 'float64'" % function)

    def piece(self, act, k, order, values):
        form = act.rational_form(k, order)
        if form is None:
            raise DataError("dps: 'exact' needs rational activations; piece %d of %s is transcendental "
                            "(expected an integer number of digits or 'float64')" % (k, act.label))
        num, den = form
        out = np.empty(np.shape(values), dtype=object)
        flat_in, flat_out = np.ravel(values), out.reshape(-1)
        for n, v in enumerate(flat_in):
            flat_out[n] = _horner(num, v) / _horner(den, v)
        return out

    def kink_tolerance(self, h):
        raise DataError("dps: 'exact' decides kinks exactly and has no tolerance; a numeric kink test was "
                        "asked for past a transcendental layer (expected rational activations)")

    def convert(self, v):
        """A Fraction for a rational number; other exact SymPy numbers (square roots, roots of polynomials)
        stay SymPy numbers, so deep-linear work with algebraic eigenvectors stays exact.

        Examples
        --------
        >>> ExactBackend().convert(sp.Rational(-2, 6)), ExactBackend().convert(sp.sqrt(2))
        (Fraction(-1, 3), sqrt(2))
        """
        if isinstance(v, sp.Rational):
            return Fraction(int(v.p), int(v.q))
        if isinstance(v, (int, Fraction, np.integer)):
            return Fraction(v)
        return v if isinstance(v, sp.Basic) else sp.sympify(v, strict=True)  # strict: a str is refused, never parsed

    def output(self, A, rounded=True):
        A = np.asarray(A, dtype=object)
        if A.ndim == 1:
            A = A[:, None]
        return sp.ImmutableMatrix(A.shape[0], A.shape[1], [_to_sympy(v) for v in A.reshape(-1)])

    def output_scalar(self, v, rounded=True):
        return _to_sympy(v)


def _to_sympy(v):
    if isinstance(v, (int, Fraction)):
        v = Fraction(v)
        return sp.Rational(v.numerator, v.denominator)
    return sp.sympify(v, strict=True)  # numbers only: strict never parses a string


def _matrix_rows(M):
    """The rows of a SymPy, mpmath or NumPy matrix (or a list of rows), and its shape."""
    if isinstance(M, mpmath.matrix):
        return M.tolist(), (M.rows, M.cols)
    if isinstance(M, (sp.MatrixBase, np.ndarray)):
        if len(M.shape) != 2:
            raise DataError("matrix: expected a 2-D matrix, got shape %s" % (M.shape,))
        return M.tolist(), tuple(M.shape)
    return _matrix_rows(sp.Matrix(M))


def _horner(coeffs, x):
    out = Fraction(0)
    for c in coeffs:
        out = out * x + c
    return out


# -- python-flint glue -----------------------------------------------------------------------------
def _to_arb(x):
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
    """A @ B for object arrays of mpf (or arb), through arb_mat at flint's working precision.

    The caller holds :meth:`FlintBackend.context`, so flint's precision is already the working one.
    """
    r, c = A.shape[0], B.shape[1]
    if A.shape[1] == 0 or r == 0 or c == 0:
        return np.full((r, c), mpmath.mpf(0), dtype=object)
    C = arb_mat(_TO_ARB(A).tolist()) * arb_mat(_TO_ARB(B).tolist())
    out = np.empty((r, c), dtype=object)
    out[:] = C.tolist()
    return out if native else _FROM_ARB(out)


# -- the registry ---------------------------------------------------------------------------------
#: Backend name -> class; ``select_backend`` builds one for a precision.
BACKENDS = {"float64": Float64Backend, "mpmath": MpBackend, "flint": FlintBackend, "exact": ExactBackend}

#: The backends each kind of precision admits; the first is the default.
_FOR_KIND = {"float64": ("float64",), "exact": ("exact",), "mp": ("flint", "mpmath")}


def exact_capable(net):
    """True when the loss of ``net`` is a rational function of the weights, so ``dps="exact"`` applies.

    That is: the square loss, and hidden and output activations whose pieces are rational functions
    (identity, ReLU, leaky ReLU, two-piece, abs, softsign).

    Examples
    --------
    >>> from lossgeom import Net
    >>> exact_capable(Net(widths=(1, 2, 1), activation="relu")), exact_capable(Net(widths=(1, 2, 1), activation="tanh"))
    (True, False)
    """
    check_net(net)
    if net.loss.name != "square":
        return False
    acts = (net.activation, net.output_activation)
    return not any(a.generic for a in acts) and all(p.expr.is_rational_function(_X) for a in acts for p in a.pieces)


def select_backend(dps, backend=None, net=None):
    """The backend for a precision, from :data:`BACKENDS`.

    Parameters
    ----------
    dps : int, "float64" or "exact"
    backend : str, optional
        A key of :data:`BACKENDS`; None picks ``"float64"``, ``"exact"`` or ``"flint"`` from ``dps``.
    net : Net, optional
        With ``dps="exact"``, checked to be :func:`exact_capable`.

    Raises
    ------
    OptionError
        For an unknown backend name, or one that does not run at ``dps`` (the message lists the choices).
    DataError
        For a bad ``dps``, or ``dps="exact"`` on a net whose loss is not rational.

    Examples
    --------
    >>> select_backend("float64").name, select_backend(30, "mpmath").name
    ('float64', 'mpmath')
    >>> select_backend(30, "float64")
    Traceback (most recent call last):
    ...
    lossgeom.errors.OptionError: backend: expected one of 'flint', 'mpmath' with dps=30, got 'float64'
    """
    dps = dps if dps == "exact" else check_dps(dps)
    kind = dps if dps in ("float64", "exact") else "mp"
    if backend is None:
        backend = _FOR_KIND[kind][0]
    choose("backend", backend, tuple(BACKENDS))
    if backend not in _FOR_KIND[kind]:
        raise OptionError("backend: expected one of %s with dps=%r, got %r"
                          % (", ".join(repr(b) for b in _FOR_KIND[kind]), dps, backend))
    if kind == "exact" and net is not None and not exact_capable(net):
        raise DataError("dps: 'exact' needs the square loss and rational activations (identity, relu, leaky_relu, "
                        "two_piece, abs, softsign); got %s" % net)
    cls = BACKENDS[backend]
    return cls(dps) if kind == "mp" else cls()
