"""The activation registry.

An :class:`Activation` is a frozen, hashable description of an elementwise transfer
function as a list of smooth *pieces* on open intervals separated by *kinks*.  From the
pieces it provides the exact SymPy expression of f, f' and f'', the kink locations, the
derivative order that fails at a kink, a piecewise-linear flag, exact rational forms (for
``dps="exact"``) and numeric forms (mpmath at any precision, float64 through NumPy; hand-written
stable forms where SymPy's derivatives cancel or overflow).  The numeric engine reads all of them
from the record, so :func:`register_activation` is the one place a new activation is added.

Registered names: ``identity``, ``relu``, ``leaky_relu`` (exact ``slope``, default 1/100),
``two_piece`` (Yun et al.'s max{s+ x, 0} + min{s- x, 0}, exact ``s_plus``, ``s_minus``),
``abs``, ``tanh``, ``sigmoid``, ``softplus``, ``softsign``, ``bent_identity`` and the
generic undefined function ``f``.
"""

import inspect
import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from lossgeom.checks import check_int, check_str

from .errors import DataError, NetSpecError, NonDifferentiableError, UnknownActivationError
from .limits import shorten
from .numbers import parse_number

__all__ = ["Activation", "Piece", "get_activation", "activation_names", "parse_activation", "register_activation",
           "unregister_activation", "X", "generic_derivative"]

#: The variable in which every activation's pieces are written.
X = sp.Symbol("x", real=True)



def _generic_fdiff(self, argindex=1):
    if argindex != 1:
        raise sp.ArgumentIndexError(self, argindex)
    return generic_derivative(self._order + 1)(self.args[0])


def generic_derivative(order):
    """The undefined function ``f``, ``f'``, ``f''``, ... of the generic activation.

    They are SymPy functions whose derivative is the next one, so SymPy's chain rule
    writes ``f'(h)`` rather than ``Subs(Derivative(f(_xi), _xi), _xi, h)``.

    Examples
    --------
    >>> h = sp.Symbol("h")
    >>> sp.diff(generic_derivative(0)(2 * h), h)
    2*f'(2*h)
    """
    return _generic_derivative(check_int(order, "order", 0))


@lru_cache(maxsize=None)
def _generic_derivative(order):
    name = "f" + "'" * order
    return type(name, (sp.Function,), {"nargs": 1, "_order": order, "fdiff": _generic_fdiff,
                                        "__module__": __name__})


#: The undefined function of the generic activation.
GENERIC_F = generic_derivative(0)


@dataclass(frozen=True)
class Piece:
    """One smooth piece of an activation: ``expr`` (in :data:`X`) on the open interval (lower, upper)."""

    lower: sp.Expr
    upper: sp.Expr
    expr: sp.Expr

    def contains(self, value):
        """True when ``lower < value < upper`` (value exact or numeric)."""
        return bool(self.lower < value) and bool(value < self.upper)


@dataclass(frozen=True)
class Activation:
    """An elementwise activation function given by smooth pieces.

    Parameters
    ----------
    name : str
        Registry name.
    params : tuple of (str, Rational)
        Exact parameters, e.g. ``(("slope", 1/100),)``.
    pieces : tuple of Piece
        Smooth pieces in increasing order; consecutive pieces meet at a kink.
    kink_order : int
        The smallest derivative order that does not exist at a kink (1 for ReLU,
        2 for softsign whose f' is continuous), 0 when there are no kinks.
    piecewise_linear : bool
        True when every piece is affine (so f'' = 0 away from kinks).
    numeric_forms : tuple of ((piece, order, module), callable)
        Hand-written numeric forms of the ``order``-th derivative of a piece for ``module``
        ``"mpmath"`` or ``"numpy"``, used instead of the lambdified SymPy derivative where that
        cancels or overflows (``1 - tanh(x)**2`` loses about 0.87|x| digits).  They must be the
        same functions as the pieces' expressions; they take no part in equality or hashing.

    Examples
    --------
    >>> relu = get_activation("relu")
    >>> relu.kinks, relu.piecewise_linear
    ((0,), True)
    >>> relu.derivative(1)
    Piecewise((0, x < 0), (1, x > 0))
    >>> get_activation("tanh").derivative(1)
    1 - tanh(x)**2
    """

    name: str
    params: tuple
    pieces: tuple
    kink_order: int
    piecewise_linear: bool
    numeric_forms: tuple = field(default=(), compare=False, repr=False)

    # -- description -----------------------------------------------------------------
    @property
    def generic(self):
        """True for the undefined function ``f`` (symbolic identities in f, f', f'')."""
        return self.name == "f"

    @property
    def kinks(self):
        """The points where consecutive pieces meet, ascending."""
        return tuple(p.upper for p in self.pieces[:-1])

    @property
    def label(self):
        """The name with its parameters, e.g. ``leaky_relu(slope=1/100)``."""
        if not self.params:
            return self.name
        return "%s(%s)" % (self.name, ", ".join("%s=%s" % kv for kv in self.params))

    def spec(self):
        """The JSON form: the name, or a dict with the name and exact parameters as strings."""
        if not self.params:
            return self.name
        out = {"name": self.name}
        out.update({k: str(v) for k, v in self.params})
        return out

    def __str__(self):
        return self.label

    # -- symbolic ----------------------------------------------------------------------
    def derivative(self, order=0):
        """The exact expression of the ``order``-th derivative in :data:`X`.

        For several pieces this is a ``Piecewise`` on the open intervals; at a kink where
        the derivative does not exist it evaluates to ``nan`` rather than a one-sided value.
        """
        return _derivative_expr(self, order)

    @property
    def expr(self):
        """f(x) as one SymPy expression."""
        return self.derivative(0)

    def apply(self, h, order=0):
        """The ``order``-th derivative evaluated at the expression ``h``.

        Examples
        --------
        >>> h = sp.Symbol("h")
        >>> get_activation("tanh").apply(h, 1)
        1 - tanh(h)**2
        >>> get_activation("f").apply(h, 2)
        f''(h)
        """
        if self.generic:
            return _generic(order)(h)
        return self.derivative(order).subs(X, h)

    def piece_apply(self, piece_index, h, order=0):
        """The ``order``-th derivative of one smooth piece at ``h`` (no Piecewise)."""
        if self.generic:
            return _generic(order)(h)
        expr = self.pieces[piece_index].expr
        return sp.diff(expr, X, order).subs(X, h) if order else expr.subs(X, h)

    def piece_index(self, value):
        """Index of the piece whose open interval holds the exact number ``value``, or None at a kink."""
        for k, piece in enumerate(self.pieces):
            if piece.contains(value):
                return k
        return None

    def at_kink(self, value, order=1):
        """True when the ``order``-th derivative does not exist at ``value``.

        Examples
        --------
        >>> get_activation("relu").at_kink(0), get_activation("relu").at_kink(sp.Rational(1, 3))
        (True, False)
        >>> get_activation("softsign").at_kink(0, order=1), get_activation("softsign").at_kink(0, order=2)
        (False, True)
        """
        if self.kink_order == 0 or order < self.kink_order:
            return False
        return any(value == k for k in self.kinks)

    # -- numeric -----------------------------------------------------------------------
    def evaluate(self, value, order=0, module="mpmath"):
        """Numeric value of the ``order``-th derivative at ``value``.

        Parameters
        ----------
        value : mpf, float or Rational
        order : {0, 1, 2}
        module : {"mpmath", "numpy"}
            ``mpmath`` evaluates at the caller's working precision.

        Raises
        ------
        NonDifferentiableError
            When ``value`` sits exactly at a kink and the derivative does not exist there.

        Examples
        --------
        >>> import mpmath
        >>> with mpmath.workdps(30):
        ...     print(get_activation("tanh").evaluate(mpmath.mpf(1) / 2, order=1))
        0.786447732965927410149698934344
        >>> get_activation("relu").evaluate(0.0, order=1)
        Traceback (most recent call last):
        ...
        lossgeom.errors.NonDifferentiableError: relu: derivative of order 1 does not exist at the kink 0.0
        """
        if self.generic:
            raise NetSpecError("activation: the generic function 'f' has no numeric values; "
                               "choose a registered activation")
        if len(self.pieces) == 1:
            return self.numeric_form(0, order, module)(value)
        for k, piece in enumerate(self.pieces):
            if piece.contains(value):
                return self.numeric_form(k, order, module)(value)
        # exactly at a kink
        if order >= self.kink_order:
            raise NonDifferentiableError(
                "%s: derivative of order %d does not exist at the kink %s" % (self.label, order, value),
                kinks=[str(value)])
        for k, piece in enumerate(self.pieces):  # continuous here: either side gives the value
            if value == piece.upper:
                return self.numeric_form(k, order, module)(value)
        raise DataError("value: %r lies in no piece of %s (pieces cover the real line)" % (value, self.label))

    def numeric_form(self, piece, order=0, module="mpmath"):
        """The ``order``-th derivative of one smooth piece as a numeric function for ``module``.

        The hand-written form of :attr:`numeric_forms` when there is one, else the piece's SymPy
        derivative through ``lambdify``.  Both the numeric engine and :meth:`evaluate` call this.

        Parameters
        ----------
        piece : int
            Index into :attr:`pieces`.
        order : {0, 1, 2}
        module : {"mpmath", "numpy"}
            ``"mpmath"`` takes and returns mpf at the caller's working precision; ``"numpy"``
            takes float64 arrays.

        Examples
        --------
        >>> import numpy as np
        >>> float(get_activation("tanh").numeric_form(0, 1, "numpy")(np.array([30.0]))[0]) > 0
        True
        >>> get_activation("relu").numeric_form(1, 1)(3)
        1
        """
        if self.generic:
            raise NetSpecError("activation: the generic function 'f' has no numeric values; "
                               "choose a registered activation")
        if module not in ("mpmath", "numpy"):
            raise DataError("module: expected 'mpmath' or 'numpy', got %r" % (module,))
        return _numeric_piece(self, piece, order, module)

    def rational_form(self, piece, order=0):
        """Exact coefficients of the ``order``-th derivative of a piece, when it is a rational function.

        Returns
        -------
        (list of Fraction, list of Fraction) or None
            Numerator and denominator coefficients, highest power first (for Horner's rule), or
            None when the piece is not a rational function of x (tanh, sigmoid, ...).

        Examples
        --------
        >>> get_activation("softsign").rational_form(1, 1)
        ([Fraction(1, 1)], [Fraction(1, 1), Fraction(2, 1), Fraction(1, 1)])
        >>> get_activation("tanh").rational_form(0) is None
        True
        """
        return _rational_form(self, piece, order)


@lru_cache(maxsize=None)
def _derivative_expr(act, order):
    if act.generic:
        return _generic(order)(X)
    exprs = [sp.diff(p.expr, X, order) if order else p.expr for p in act.pieces]
    if len(exprs) == 1:
        return exprs[0]
    continuous = order < act.kink_order
    args = []
    for k, (piece, e) in enumerate(zip(act.pieces, exprs)):
        last = k == len(exprs) - 1
        if last:
            cond = X > piece.lower if not continuous else True
        else:
            cond = (X <= piece.upper) if continuous else (X < piece.upper)
            if k > 0 and not continuous:
                cond = sp.And(X > piece.lower, cond)
        args.append((e, cond))
    return sp.Piecewise(*args)


def _generic(order):
    if not (isinstance(order, int) and order >= 0):
        raise NetSpecError("order: expected a derivative order 0, 1, 2, ...; got %r" % (order,))
    return generic_derivative(order)


@lru_cache(maxsize=None)
def _numeric_piece(act, k, order, module):
    stable = dict(act.numeric_forms).get((k, order, module))
    if stable is not None:
        return stable
    expr = sp.diff(act.pieces[k].expr, X, order) if order else act.pieces[k].expr
    return sp.lambdify(X, expr, modules=module)


@lru_cache(maxsize=None)
def _rational_form(act, k, order):
    expr = sp.diff(act.pieces[k].expr, X, order) if order else act.pieces[k].expr
    if act.generic or not expr.is_rational_function(X):
        return None
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    coeffs = lambda p: [Fraction(int(c.p), int(c.q)) for c in sp.Poly(p, X).all_coeffs()]  # noqa: E731
    return coeffs(num), coeffs(den)


# -- stable numeric forms of the saturating activations ---------------------------------------
# Free of the cancellation in SymPy's derivatives and of float64 overflow (exp(-x) for x << 0);
# tests/numeric/test_stable_forms.py checks them against the expressions at 1000 digits.
def _np_sigmoid(x):
    t = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + t), t / (1 + t))


def _np_sech2(x):
    t = np.exp(-2 * np.abs(x))
    return 4 * t / (1 + t) ** 2


def _mp_sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def _forms(**by_order):
    """numeric_forms of a one-piece activation from ``d{order}=(mpmath form, numpy form)``."""
    return tuple(((0, int(key[1:]), module), fn) for key, pair in sorted(by_order.items())
                 for module, fn in zip(("mpmath", "numpy"), pair))


_TANH_FORMS = _forms(
    d1=(lambda x: mpmath.sech(x) ** 2, _np_sech2),
    d2=(lambda x: -2 * mpmath.tanh(x) * mpmath.sech(x) ** 2, lambda x: -2 * np.tanh(x) * _np_sech2(x)))
_SIGMOID_FORMS = _forms(
    d0=(_mp_sigmoid, _np_sigmoid),
    d1=(lambda x: _mp_sigmoid(x) * _mp_sigmoid(-x), lambda x: _np_sigmoid(x) * _np_sigmoid(-x)),
    d2=(lambda x: _mp_sigmoid(x) * _mp_sigmoid(-x) * (_mp_sigmoid(-x) - _mp_sigmoid(x)),
        lambda x: _np_sigmoid(x) * _np_sigmoid(-x) * (_np_sigmoid(-x) - _np_sigmoid(x))))
_SOFTPLUS_FORMS = _forms(
    d0=(lambda x: max(x, 0) + mpmath.log1p(mpmath.exp(-abs(x))),
        lambda x: np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))),
    d1=(_mp_sigmoid, _np_sigmoid),
    d2=(lambda x: _mp_sigmoid(x) * _mp_sigmoid(-x), lambda x: _np_sigmoid(x) * _np_sigmoid(-x)))


# -- registry ------------------------------------------------------------------------------
_oo = sp.oo


def _smooth(name, expr, forms=()):
    return Activation(name, (), (Piece(-_oo, _oo, expr),), 0, bool(sp.diff(expr, X, 2) == 0), forms)


def _two_sided(name, params, left, right, kink_order=1):
    pl = sp.diff(left, X, 2) == 0 and sp.diff(right, X, 2) == 0
    return Activation(name, params, (Piece(-_oo, sp.Integer(0), left), Piece(sp.Integer(0), _oo, right)),
                      kink_order, bool(pl))


def _make_leaky_relu(slope=sp.Rational(1, 100)):
    slope = _param("leaky_relu", "slope", slope)
    if slope == 1:
        raise NetSpecError("activation.slope: expected a rational slope other than 1 (slope 1 is the identity), got 1")
    return _two_sided("leaky_relu", (("slope", slope),), slope * X, X)


def _make_two_piece(s_plus=1, s_minus=0):
    sp_, sm = _param("two_piece", "s_plus", s_plus), _param("two_piece", "s_minus", s_minus)
    problems = []
    if not sp_ > 0:
        problems.append("activation.s_plus: expected s_plus > 0, got %s" % sp_)
    if not sm >= 0:
        problems.append("activation.s_minus: expected s_minus >= 0, got %s" % sm)
    if sp_ == sm:
        problems.append("activation: expected s_plus != s_minus (equal slopes make a linear map), got %s and %s"
                        % (sp_, sm))
    if problems:
        raise NetSpecError(problems)
    return _two_sided("two_piece", (("s_plus", sp_), ("s_minus", sm)), sm * X, sp_ * X)


def _param(act, field, value):
    try:
        return parse_number(value, "activation.%s" % field)
    except DataError as err:
        raise NetSpecError(str(err)) from None


_FIXED = {
    "identity": lambda: _smooth("identity", X),
    "relu": lambda: _two_sided("relu", (), sp.Integer(0), X),
    "abs": lambda: _two_sided("abs", (), -X, X),
    "tanh": lambda: _smooth("tanh", sp.tanh(X), _TANH_FORMS),
    "sigmoid": lambda: _smooth("sigmoid", 1 / (1 + sp.exp(-X)), _SIGMOID_FORMS),
    "softplus": lambda: _smooth("softplus", sp.log(1 + sp.exp(X)), _SOFTPLUS_FORMS),
    "softsign": lambda: _two_sided("softsign", (), X / (1 - X), X / (1 + X), kink_order=2),
    "bent_identity": lambda: _smooth("bent_identity", (sp.sqrt(X**2 + 1) - 1) / 2 + X),
    "f": lambda: Activation("f", (), (Piece(-_oo, _oo, GENERIC_F(X)),), 0, False),
}
_PARAMETRISED = {"leaky_relu": _make_leaky_relu, "two_piece": _make_two_piece}
_BUILT_IN = frozenset(_FIXED) | frozenset(_PARAMETRISED)


def activation_names():
    """The registered activation names, sorted.

    Examples
    --------
    >>> activation_names()[:4]
    ('abs', 'bent_identity', 'f', 'identity')
    """
    return tuple(sorted(set(_FIXED) | set(_PARAMETRISED)))


@lru_cache(maxsize=None)
def _fixed(name):
    return _FIXED[name]()


def get_activation(spec):
    """Look up an activation by name, by a JSON-style dict, or pass an :class:`Activation` through.

    Parameters
    ----------
    spec : str, dict or Activation
        ``"tanh"``, ``{"name": "leaky_relu", "slope": "1/10"}``, ...

    Raises
    ------
    UnknownActivationError
        For an unknown name; the message lists the valid names.
    NetSpecError
        For a bad parameter.

    Examples
    --------
    >>> get_activation({"name": "leaky_relu", "slope": "1/10"}).label
    'leaky_relu(slope=1/10)'
    >>> get_activation("swish")
    Traceback (most recent call last):
    ...
    lossgeom.errors.UnknownActivationError: invalid net: activation: unknown activation 'swish'; expected one of abs, bent_identity, f, identity, leaky_relu, relu, sigmoid, softplus, softsign, tanh, two_piece
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        name, params = spec, {}
    elif isinstance(spec, dict):
        params = dict(spec)
        name = params.pop("name", None)
        if not isinstance(name, str):
            raise NetSpecError("activation: expected a 'name' string in %s" % shorten(spec))
    else:
        raise NetSpecError("activation: expected a name or a dict with 'name', got %s" % shorten(spec))
    if name in _FIXED:
        if params:
            raise NetSpecError("activation: %r takes no parameters, got %s" % (name, ", ".join(sorted(params))))
        return _fixed(name)
    if name in _PARAMETRISED:
        try:
            return _PARAMETRISED[name](**params)
        except TypeError:
            raise NetSpecError("activation: unknown parameter(s) %s for %r"
                               % (", ".join(sorted(map(str, params)))[:80], name))
    raise UnknownActivationError("activation: unknown activation %s; expected one of %s"
                                 % (shorten(name), ", ".join(activation_names())))


def register_activation(name, factory):
    """Add an activation to the registry, so nets, net files and the command line accept ``name``.

    Every layer reads an activation through its :class:`Activation` record (pieces, kinks, exact
    and numeric forms), so registering it is the only step: the symbolic derivations, the
    numeric engine and the exact kink decisions follow.

    Parameters
    ----------
    name : str
        A new name (letters, digits and underscores, not a registered name).
    factory : callable
        Returns the :class:`Activation` named ``name``.  Without parameters it is called once and
        its result cached (like ``tanh``); with keyword parameters, each with a default (like
        ``leaky_relu(slope=1/100)``), it is called with the exact parameters a spec gives.

    Raises
    ------
    NetSpecError
        For a taken or malformed name, or a factory that is not callable, has a parameter without
        a default, fails, or does not return an Activation named ``name`` with pieces in :data:`X`.

    See Also
    --------
    unregister_activation, get_activation

    Examples
    --------
    >>> cubic = lambda: Activation("cubic", (), (Piece(-sp.oo, sp.oo, X**3 / 3 + X),), 0, False)
    >>> register_activation("cubic", cubic)
    >>> get_activation("cubic").derivative(1)
    x**2 + 1
    >>> register_activation("cubic", cubic)
    Traceback (most recent call last):
    ...
    lossgeom.errors.NetSpecError: invalid net: register_activation: name 'cubic' is already registered; expected a new name
    >>> unregister_activation("cubic")
    """
    if not (isinstance(name, str) and re.fullmatch(_NAME_RE, name)):
        raise NetSpecError("register_activation: name: expected an identifier such as 'elu', got %r" % (name,))
    if name in _FIXED or name in _PARAMETRISED:
        raise NetSpecError("register_activation: name %r is already registered; expected a new name" % name)
    if not callable(factory):
        raise NetSpecError("register_activation: factory for %r: expected a callable returning an Activation, "
                           "got %r" % (name, factory))
    params = list(inspect.signature(factory).parameters.values())
    required = [p.name for p in params if p.default is inspect.Parameter.empty
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if required:
        raise NetSpecError("register_activation: factory for %r: expected every parameter to have a default, "
                           "got %s without one" % (name, ", ".join(required)))
    _check_factory_result(name, factory)
    if params:
        _PARAMETRISED[name] = factory
    else:
        _FIXED[name] = factory
    _fixed.cache_clear()
    _numeric_piece.cache_clear()  # equal pieces may come with other numeric_forms now


def _check_factory_result(name, factory):
    try:
        act = factory()
    except Exception as err:  # the factory is user code: report any failure as a registration error
        raise NetSpecError("register_activation: factory for %r failed with its defaults: %s: %s"
                           % (name, type(err).__name__, err)) from err
    if not isinstance(act, Activation) or act.name != name:
        raise NetSpecError("register_activation: factory for %r: expected an Activation named %r, got %r"
                           % (name, name, act))
    if not act.pieces or not all(isinstance(p, Piece) and p.expr.free_symbols <= {X} for p in act.pieces):
        raise NetSpecError("register_activation: factory for %r: expected pieces (Piece) whose expressions are "
                           "in lossgeom.activations.X only, got %r" % (name, act.pieces))


def unregister_activation(name):
    """Remove an activation added by :func:`register_activation` (the built-in ones stay).

    Raises
    ------
    UnknownActivationError
        When ``name`` is not registered.
    NetSpecError
        For a built-in name.

    Examples
    --------
    >>> unregister_activation("tanh")
    Traceback (most recent call last):
    ...
    lossgeom.errors.NetSpecError: invalid net: unregister_activation: 'tanh' is built in; only names added by register_activation can be removed
    """
    check_str(name, "name")
    if name in _BUILT_IN:
        raise NetSpecError("unregister_activation: %r is built in; only names added by register_activation "
                           "can be removed" % (name,))
    if name not in _FIXED and name not in _PARAMETRISED:
        raise UnknownActivationError("unregister_activation: unknown activation %r; registered: %s"
                                     % (name, ", ".join(activation_names())))
    _FIXED.pop(name, None)
    _PARAMETRISED.pop(name, None)
    _fixed.cache_clear()
    _numeric_piece.cache_clear()  # equal pieces may come with other numeric_forms now


_NAME_RE = r"[A-Za-z_][A-Za-z0-9_]*"
_ACT_TEXT_RE = re.compile(r"^\s*(?P<name>%s)\s*(?:\((?P<args>[^()]*)\))?\s*$" % _NAME_RE)
_ARG_RE = re.compile(r"^\s*(?P<key>%s)\s*=\s*(?P<value>[^=,]+?)\s*$" % _NAME_RE)


def parse_activation(text, field="activation"):
    """Read an activation from text such as ``tanh`` or ``leaky_relu(slope=1/10)``.

    The text is matched against a whitelist (a name, then optional ``key=number`` pairs);
    numbers are read exactly by :func:`lossgeom.numbers.parse_number`.  Nothing is evaluated.

    Parameters
    ----------
    text : str
    field : str
        Name used in error messages.

    Returns
    -------
    Activation

    Raises
    ------
    NetSpecError
        For text of any other form, an unknown name or a bad parameter.

    Examples
    --------
    >>> parse_activation("leaky_relu(slope=1/10)").label
    'leaky_relu(slope=1/10)'
    >>> parse_activation("two_piece(s_plus=2, s_minus=0.5)").label
    'two_piece(s_plus=2, s_minus=1/2)'
    >>> parse_activation("__import__('os')")
    Traceback (most recent call last):
    ...
    lossgeom.errors.NetSpecError: invalid net: activation: expected a name such as tanh or name(key=number, ...) such as leaky_relu(slope=1/10), got "__import__('os')"
    """
    m = _ACT_TEXT_RE.match(str(text))
    args = {}
    if m and m.group("args") is not None and m.group("args").strip():
        for part in m.group("args").split(","):
            am = _ARG_RE.match(part)
            if not am:
                m = None
                break
            if am.group("key") in args:
                raise NetSpecError("%s: parameter %r given twice in %s" % (field, am.group("key"), shorten(str(text))))
            args[am.group("key")] = am.group("value")
    if not m:
        raise NetSpecError("%s: expected a name such as tanh or name(key=number, ...) such as "
                           "leaky_relu(slope=1/10), got %s" % (field, shorten(str(text))))
    if not args:
        return get_activation(m.group("name"))
    return get_activation(dict(args, name=m.group("name")))
