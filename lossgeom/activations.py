"""The activation registry.

An :class:`Activation` is a frozen, hashable description of an elementwise transfer
function as a list of smooth *pieces* on open intervals separated by *kinks*.  From the
pieces it provides the exact SymPy expression of f, f' and f'', the kink locations, the
derivative order that fails at a kink, a piecewise-linear flag and numeric forms (mpmath
at any precision, float64 through NumPy).

Registered names: ``identity``, ``relu``, ``leaky_relu`` (exact ``slope``, default 1/100),
``two_piece`` (Yun et al.'s max{s+ x, 0} + min{s- x, 0}, exact ``s_plus``, ``s_minus``),
``abs``, ``tanh``, ``sigmoid``, ``softplus``, ``softsign``, ``bent_identity`` and the
generic undefined function ``f``.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .errors import DataError, NetSpecError, NonDifferentiableError, UnknownActivationError
from .numbers import parse_number

__all__ = ["Activation", "Piece", "get_activation", "activation_names", "parse_activation", "X",
           "generic_derivative"]

#: The variable in which every activation's pieces are written.
X = sp.Symbol("x", real=True)



def _generic_fdiff(self, argindex=1):
    if argindex != 1:
        raise sp.ArgumentIndexError(self, argindex)
    return generic_derivative(self._order + 1)(self.args[0])


@lru_cache(maxsize=None)
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
            return _numeric_piece(self, 0, order, module)(value)
        for k, piece in enumerate(self.pieces):
            if piece.contains(value):
                return _numeric_piece(self, k, order, module)(value)
        # exactly at a kink
        if order >= self.kink_order:
            raise NonDifferentiableError(
                "%s: derivative of order %d does not exist at the kink %s" % (self.label, order, value),
                kinks=[str(value)])
        for k, piece in enumerate(self.pieces):  # continuous here: either side gives the value
            if value == piece.upper:
                return _numeric_piece(self, k, order, module)(value)
        raise AssertionError("unreachable: %r is in no piece" % (value,))


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
    expr = sp.diff(act.pieces[k].expr, X, order) if order else act.pieces[k].expr
    return sp.lambdify(X, expr, modules=module)


# -- registry ------------------------------------------------------------------------------
_oo = sp.oo


def _smooth(name, expr):
    return Activation(name, (), (Piece(-_oo, _oo, expr),), 0, bool(sp.diff(expr, X, 2) == 0))


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
    "tanh": lambda: _smooth("tanh", sp.tanh(X)),
    "sigmoid": lambda: _smooth("sigmoid", 1 / (1 + sp.exp(-X))),
    "softplus": lambda: _smooth("softplus", sp.log(1 + sp.exp(X))),
    "softsign": lambda: _two_sided("softsign", (), X / (1 - X), X / (1 + X), kink_order=2),
    "bent_identity": lambda: _smooth("bent_identity", (sp.sqrt(X**2 + 1) - 1) / 2 + X),
    "f": lambda: Activation("f", (), (Piece(-_oo, _oo, GENERIC_F(X)),), 0, False),
}
_PARAMETRISED = {"leaky_relu": _make_leaky_relu, "two_piece": _make_two_piece}


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
            raise NetSpecError("activation: expected a 'name' string in %r" % (spec,))
    else:
        raise NetSpecError("activation: expected a name or a dict with 'name', got %r" % (spec,))
    if name in _FIXED:
        if params:
            raise NetSpecError("activation: %r takes no parameters, got %s" % (name, ", ".join(sorted(params))))
        return _fixed(name)
    if name in _PARAMETRISED:
        try:
            return _PARAMETRISED[name](**params)
        except TypeError:
            raise NetSpecError("activation: unknown parameter(s) %s for %r" % (", ".join(sorted(params)), name))
    raise UnknownActivationError("activation: unknown activation %r; expected one of %s"
                                 % (name, ", ".join(activation_names())))


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
                raise NetSpecError("%s: parameter %r given twice in %r" % (field, am.group("key"), str(text)))
            args[am.group("key")] = am.group("value")
    if not m:
        raise NetSpecError("%s: expected a name such as tanh or name(key=number, ...) such as "
                           "leaky_relu(slope=1/10), got %r" % (field, str(text)))
    if not args:
        return get_activation(m.group("name"))
    return get_activation(dict(args, name=m.group("name")))
