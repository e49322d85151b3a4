"""Read a formula written by a user into a SymPy expression, through a whitelist: never ``eval`` or ``sympify``.

A tokenizer and a recursive-descent parser *build* the SymPy expression themselves.  They admit:

- numbers, read by the one number parser (:func:`lossgeom.numbers.parse_number`: ``3``, ``0.1`` is
  exactly 1/10, ``2.5e-3``) with its digit and exponent limits;
- the declared names of a net, and nothing else: entries such as ``W1[1,2]`` (1-based, as in the
  LaTeX), ``b2[1]``, ``x[1]``, ``y[1]``, ``h1[2]``, ``delta1[1]``, ``H1[1,2]``, and the whole
  matrices ``W1``, ``x``, ``h1``, ``H1``, ... (which names a quantity declares is up to its caller);
- a fixed set of functions: ``exp log sqrt tanh sinh cosh sech sigmoid softplus relu heaviside abs``
  (elementwise on matrices), the generic activation ``f``, ``f'``, ``f''`` ... when declared,
  ``kron transpose diag vec eye trace factorial``;
- ``+ - * / ** ^ @``, brackets, ``.T`` (transpose), and matrix literals ``[[a, b], [c, d]]`` (a flat
  ``[a, b]`` is a column).  Between two matrices ``*`` and ``@`` are the matrix product.

Every size is bounded before it is built (rows of :data:`lossgeom.limits.LIMITS`): the length of the
text (``formula_length``), the nesting depth of brackets, calls and unary signs (``formula_depth``),
the number of nodes (``formula_nodes``), an integer exponent (``formula_exponent``) and the digits of
a number a power would build (``number_digits``), a factorial's argument (``formula_factorial``) and
the entries of a matrix built by ``kron``, ``eye`` or a literal (``formula_matrix_entries``).  Bad
text is a :class:`~lossgeom.errors.DataError` naming the field and the column.

Examples
--------
>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> parse_formula("2*x**2 - 0.5", {"x": x})
2*x**2 - 1/2
>>> parse_formula("__import__('os')", {"x": x})
Traceback (most recent call last):
...
lossgeom.errors.DataError: answer: unexpected character "'" at column 12 of "__import__('os')"
"""

import math
import re

import mpmath
import sympy as sp

from .checks import check_mapping, check_str
from .errors import DataError
from .limits import LIMITS, shorten
from .numbers import number_digits, parse_number

__all__ = ["parse_formula", "FUNCTIONS"]

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*'*)
  | (?P<op>\*\*|\.T\b|[-+*/^@()\[\],;])
""", re.VERBOSE)

#: Scalar functions (applied entrywise to a matrix).
_SCALAR = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh,
    "sech": sp.sech, "abs": sp.Abs, "heaviside": sp.Heaviside, "Heaviside": sp.Heaviside,
    "sigmoid": lambda z: 1 / (1 + sp.exp(-z)), "softplus": lambda z: sp.log(1 + sp.exp(z)),
    "relu": lambda z: sp.Piecewise((0, z <= 0), (z, True)),
}
_MATRIX = ("kron", "transpose", "diag", "vec", "eye", "trace", "factorial")
#: Every function name the parser admits (besides the generic activation f, f', ... where declared).
FUNCTIONS = tuple(sorted(_SCALAR)) + _MATRIX


def parse_formula(text, names, field="answer", generic=False):
    """Parse ``text`` into a SymPy expression or immutable matrix, admitting only ``names`` and :data:`FUNCTIONS`.

    Parameters
    ----------
    text : str
        The formula.
    names : dict
        Name -> SymPy Symbol, expression or Matrix.  A matrix (or column) ``M`` under name ``N`` also
        declares its entries ``N[i,j]`` (``N[i]`` for a column), 1-based; a key that contains a
        bracket (``"Z[2,3,1]"``) declares that entry alone.
    field : str
        Name used in error messages.
    generic : bool
        Admit the generic activation ``f``, ``f'``, ``f''``, ... (:func:`lossgeom.activations.generic_derivative`).

    Returns
    -------
    sympy.Expr or sympy.ImmutableMatrix

    Raises
    ------
    DataError
        For anything outside the grammar, naming the field and the column.
    SizeLimitError
        When a limit of the module docstring fires (the message names it).

    Examples
    --------
    >>> import sympy as sp
    >>> W = sp.ImmutableMatrix(2, 2, sp.symbols("a b c d"))
    >>> parse_formula("W[1,2] + W.T[1,2]", {"W": W})
    b + c
    >>> parse_formula("kron([1, 2], W)", {"W": W}).shape
    (4, 2)
    >>> parse_formula("9**9**9**9", {})
    Traceback (most recent call last):
    ...
    lossgeom.errors.SizeLimitError: answer: an exponent of 387420489; the limit is 1000 in absolute value (limit formula_exponent)
    >>> parse_formula("(10**999)**999", {})
    Traceback (most recent call last):
    ...
    lossgeom.errors.SizeLimitError: answer: a number of 1000 digits**999 would have about 999001 digits; the limit is 50000 digits (limit number_digits)
    """
    check_str(text, "text", nonempty=False)
    check_str(field, "field")
    names = check_mapping(names, "names")
    LIMITS["formula_length"].check(len(text), field, shown="%s characters" % "{:,}".format(len(text)))
    return _Parser(text, names, field, bool(generic)).parse()


class _Parser:
    def __init__(self, text, names, field, generic):
        self.text, self.field, self.generic = text, field, generic
        self.tokens = _tokens(text, field)
        self.i, self.depth, self.nodes = 0, 0, 0
        self.names, self.entries = {}, {}
        for key, value in names.items():
            check_str(key, "names key")
            if isinstance(value, sp.MatrixBase):
                value = sp.ImmutableMatrix(value)
            elif not isinstance(value, sp.Basic):
                raise DataError("names[%r]: expected a SymPy expression or matrix, got %s" % (key, shorten(value)))
            if "[" in key:
                self.entries[key.replace(" ", "")] = value
                continue
            self.names[key] = value
            if isinstance(value, sp.MatrixBase):
                for r in range(value.rows):
                    for c in range(value.cols):
                        self.entries["%s[%d,%d]" % (key, r + 1, c + 1)] = value[r, c]
                        if value.cols == 1:
                            self.entries["%s[%d]" % (key, r + 1)] = value[r, c]

    # -- helpers -----------------------------------------------------------------------------------------
    def error(self, message, pos=None):
        if pos is None:
            pos = self.tokens[self.i][2] if self.i < len(self.tokens) else len(self.text)
        return DataError("%s: %s at column %d of %s" % (self.field, message, pos + 1, shorten(self.text)))

    def peek(self, value=None):
        if self.i >= len(self.tokens):
            return None
        kind, text, _ = self.tokens[self.i]
        if value is None:
            return (kind, text)
        return text == value and kind == "op"

    def take(self, value=None):
        if self.i >= len(self.tokens):
            raise self.error("unexpected end of text" + (", expected %r" % value if value else ""))
        tok = self.tokens[self.i]
        if value is not None and not (tok[0] == "op" and tok[1] == value):
            raise self.error("expected %r, got %r" % (value, tok[1]))
        self.i += 1
        return tok

    def enter(self):
        self.depth += 1
        LIMITS["formula_depth"].check(self.depth, self.field, shown="brackets, calls and signs nested %d deep"
                                      % self.depth)

    def node(self, value):
        self.nodes += 1
        LIMITS["formula_nodes"].check(self.nodes, self.field, shown="more than %d nodes" % (self.nodes - 1))
        if isinstance(value, sp.MatrixBase):
            LIMITS["formula_matrix_entries"].check(value.rows * value.cols, self.field,
                                                   shown="a %dx%d matrix" % value.shape)
        else:
            coeff = value.as_coeff_Mul()[0] if isinstance(value, sp.Expr) else None
            if isinstance(coeff, sp.Rational):
                digits = number_digits(coeff)
                if digits > LIMITS["number_digits"].value:
                    LIMITS["number_digits"].check(digits, self.field, shown="a number of %d digits" % digits)
        return value

    # -- grammar -------------------------------------------------------------------------------------------
    def parse(self):
        if not self.tokens:
            raise self.error("expected a formula, got empty text", 0)
        value = self.expr()
        if self.i < len(self.tokens):
            raise self.error("unexpected %r" % self.tokens[self.i][1])
        if _has_infinity(value):
            raise self.error("the formula is infinite or undefined (a division by zero?)", 0)
        return value

    def expr(self):
        value = self.term()
        while self.peek("+") or self.peek("-"):
            op = self.take()[1]
            rhs = self.term()
            value = self.node(_add(self, value, rhs if op == "+" else _neg(rhs), op))
        return value

    def term(self):
        value = self.unary()
        while self.peek("*") or self.peek("/") or self.peek("@"):
            op = self.take()[1]
            value = self.node(_mul(self, value, self.unary(), op))
        return value

    def unary(self):
        signs = levels = 0
        while self.peek("-") or self.peek("+"):
            signs += self.take()[1] == "-"
            levels += 1
            self.enter()      # a sign is one level: a 10^5-deep unary minus stops at the depth limit
        value = self.power()
        self.depth -= levels
        return self.node(_neg(value)) if signs % 2 else value

    def power(self):
        base = self.postfix()
        if self.peek("**") or self.peek("^"):
            pos = self.take()[2]
            self.enter()
            exponent = self.unary()          # right-associative: a**b**c = a**(b**c)
            self.depth -= 1
            return self.node(_pow(self, base, exponent, pos))
        return base

    def postfix(self):
        value = self.atom()
        while self.peek(".T") or (self.peek("[") and _is_matrix(value)):
            if self.peek(".T"):
                self.take()
                value = self.node(_transpose(self, value))
            else:
                value = self.node(self.index(value))
        return value

    def index(self, value):
        """``M[i,j]`` (``M[i]`` for a row or column) of a matrix value, 1-based."""
        pos = self.take("[")[2]
        idx = [self.take()]
        while self.peek(","):
            self.take()
            idx.append(self.take())
        self.take("]")
        if any(t[0] != "num" or not t[1].isdigit() or len(t[1]) > 6 for t in idx) or len(idx) > 2:
            raise self.error("expected one or two 1-based integer indices", pos)
        ij = [int(t[1]) for t in idx]
        if len(ij) == 1 and 1 in value.shape:
            ij = [ij[0], 1] if value.cols == 1 else [1, ij[0]]
        if len(ij) == 1 or not (1 <= ij[0] <= value.rows and 1 <= ij[1] <= value.cols):
            raise self.error("index %s out of range of a %dx%d matrix (indices are 1-based)"
                             % (",".join(t[1] for t in idx), value.rows, value.cols), pos)
        return value[ij[0] - 1, ij[1] - 1]

    def atom(self):
        tok = self.peek()
        if tok is None:
            raise self.error("unexpected end of text")
        kind, text = tok
        pos = self.tokens[self.i][2]
        if kind == "num":
            self.take()
            return self.node(parse_number(text, "%s (column %d)" % (self.field, pos + 1)))
        if kind == "name":
            self.take()
            return self.name(text, pos)
        if text == "(":
            self.take()
            self.enter()
            value = self.expr()
            self.take(")")
            self.depth -= 1
            return value
        if text == "[":
            return self.literal()
        raise self.error("unexpected %r" % text)

    def name(self, text, pos):
        if self.peek("("):
            return self.call(text, pos)
        if self.peek("["):
            return self.entry(text, pos)
        if text in self.names:
            return self.node(self.names[text])
        raise self.error("unknown name %r (known: %s)" % (text, _known(self)), pos)

    def entry(self, text, pos):
        self.take("[")
        parts = []
        while not self.peek("]"):
            tok = self.take()
            if tok[0] not in ("num", "name") and tok[1] not in (",", ";"):
                raise self.error("expected an index, got %r" % tok[1], tok[2])
            parts.append(tok[1])
            LIMITS["formula_depth"].check(len(parts), self.field, shown="an index of %d parts" % len(parts))
        self.take("]")
        key = "%s[%s]" % (text, "".join(parts))
        if key in self.entries:
            return self.node(self.entries[key])
        hint = ""
        if text in self.names and isinstance(self.names[text], sp.MatrixBase):
            hint = " (%s is %dx%d; indices are 1-based)" % ((text,) + self.names[text].shape)
        raise self.error("%s is not a declared entry%s" % (key, hint), pos)

    def args(self):
        self.take("(")
        self.enter()
        out = [] if self.peek(")") else [self.expr()]
        while self.peek(","):
            self.take()
            out.append(self.expr())
        self.take(")")
        self.depth -= 1
        return out

    def call(self, text, pos):
        if text.rstrip("'") == "f" and self.generic:
            from .activations import generic_derivative
            fn = generic_derivative(len(text) - 1)
            return self.node(_elementwise(self, fn, self.args(), text, pos))
        if text in _SCALAR:
            return self.node(_elementwise(self, _SCALAR[text], self.args(), text, pos))
        if text in _MATRIX:
            return self.node(_matrix_call(self, text, self.args(), pos))
        raise self.error("unknown function %r (known: %s)" % (text, ", ".join(FUNCTIONS + (("f",) if self.generic
                                                                                         else ()))), pos)

    def literal(self):
        pos = self.take("[")[2]
        self.enter()
        rows = [] if self.peek("]") else [self.expr()]
        while self.peek(","):
            self.take()
            rows.append(self.expr())
        self.take("]")
        self.depth -= 1
        if not rows:
            raise self.error("empty matrix", pos)
        LIMITS["formula_matrix_entries"].check(len(rows), self.field, shown="a literal of %d rows" % len(rows))
        if all(isinstance(r, sp.MatrixBase) for r in rows):
            if any(r.rows != 1 and r.cols != 1 for r in rows) or len({len(r) for r in rows}) != 1:
                raise self.error("matrix rows of unequal length or not rows", pos)
            return self.node(sp.ImmutableMatrix([list(r) for r in rows]))
        if any(isinstance(r, sp.MatrixBase) for r in rows):
            raise self.error("a matrix literal mixes rows and numbers", pos)
        return self.node(sp.ImmutableMatrix(len(rows), 1, rows))


def _tokens(text, field):
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise DataError("%s: unexpected character %r at column %d of %s"
                            % (field, text[pos], pos + 1, shorten(text)))
        if m.lastgroup != "space":
            out.append((m.lastgroup, m.group(), pos))
        pos = m.end()
    return out


def _known(p):
    names = sorted(p.names)
    return ", ".join(names[:12]) + (", ..." if len(names) > 12 else "") if names else "no names"


def _has_infinity(value):
    items = value if isinstance(value, sp.MatrixBase) else [value]
    return any(isinstance(v, sp.Basic) and v.has(sp.zoo, sp.oo, -sp.oo, sp.nan) for v in items)


def _is_matrix(v):
    return isinstance(v, sp.MatrixBase)


def _neg(v):
    return -v


def _add(p, a, b, op):
    if _is_matrix(a) != _is_matrix(b):
        raise p.error("cannot %s a matrix and a scalar" % ("add" if op == "+" else "subtract"))
    if _is_matrix(a) and a.shape != b.shape:
        raise p.error("cannot %s a %dx%d and a %dx%d matrix" % (("add" if op == "+" else "subtract",) + a.shape + b.shape))
    return sp.ImmutableMatrix(a + b) if _is_matrix(a) else a + b


def _mul(p, a, b, op):
    if op == "/":
        if _is_matrix(b):
            raise p.error("cannot divide by a matrix")
        if b == 0:
            raise p.error("division by zero")
        return sp.ImmutableMatrix(a / b) if _is_matrix(a) else a / b
    if _is_matrix(a) and _is_matrix(b):
        if a.cols != b.rows:
            raise p.error("cannot multiply a %dx%d by a %dx%d matrix" % (a.shape + b.shape))
        LIMITS["formula_matrix_entries"].check(a.rows * b.cols * max(a.cols, 1), p.field,
                                               shown="a product costing %d multiplications" % (a.rows * b.cols * a.cols))
        return sp.ImmutableMatrix(a * b)
    if op == "@":
        raise p.error("@ needs two matrices")
    return sp.ImmutableMatrix(a * b) if (_is_matrix(a) or _is_matrix(b)) else a * b


def _show(q):
    """A number for a message, without printing thousands of digits."""
    if isinstance(q, sp.Rational) and number_digits(q) > 30:
        return "a number of %d digits" % number_digits(q)
    text = str(q)
    return text if len(text) <= 30 else text[:27] + "..."


def _pow(p, base, exponent, pos):
    if _is_matrix(base) or _is_matrix(exponent):
        raise p.error("** of a matrix (use @ for products)", pos)
    lim = LIMITS["formula_exponent"]
    if exponent.is_Rational:
        if max(abs(exponent.p), exponent.q) > lim.value:
            lim.check(max(abs(exponent.p), exponent.q), p.field, shown="an exponent of %s" % _show(exponent))
        if base.is_Rational and base != 0:
            size = max(number_digits(sp.Integer(base.p)), number_digits(sp.Integer(base.q)))
            digits = int(abs(exponent) * size) + 1
            if digits > LIMITS["number_digits"].value:
                LIMITS["number_digits"].check(digits, p.field, shown="%s**%s would have about %d digits"
                                              % (_show(base), _show(exponent), digits))
        if base == 0 and exponent < 0:
            raise p.error("division by zero (0 to a negative power)", pos)
    elif exponent.is_Number:
        raise p.error("unsupported exponent %s" % exponent, pos)
    else:
        _bounded(p, exponent, "a power")
        if base.is_number and exponent.is_number and base != 0:
            _bounded(p, exponent * sp.log(abs(base)), "a power")
    return base ** exponent


def _transpose(p, v):
    return sp.ImmutableMatrix(v.T) if _is_matrix(v) else v


#: functions whose value at a huge number SymPy cannot even sort: a constant argument is bounded when built
_GROWING = {"exp", "sinh", "cosh", "tanh", "sech", "sigmoid", "softplus"}


def _bounded(p, value, what):
    """Refuse a constant (no symbols) of magnitude above the check_function_argument limit where it would
    feed exp, tanh, ... or a power: ``exp(exp(100))`` is refused here, so SymPy never evaluates a tower."""
    if isinstance(value, sp.Expr) and value.is_number:
        lim = LIMITS["check_function_argument"]
        size = abs(value) if value.is_Rational else abs(sp.N(value, 15))
        if size.is_Number and size > lim.value:
            lim.check(lim.value + 1, p.field, shown="%s of a constant of magnitude %s" % (what, mpmath.nstr(mpmath.mpf(sp.Float(size, 15)._mpf_), 3)))


def _elementwise(p, fn, args, name, pos):
    if len(args) != 1:
        raise p.error("%s takes one argument, got %d" % (name, len(args)), pos)
    (a,) = args
    for v in (a if _is_matrix(a) else [a]):
        if name in _GROWING:
            _bounded(p, v, name)
    if _is_matrix(a):
        return sp.ImmutableMatrix(a.rows, a.cols, [fn(v) for v in a])
    return fn(a)


def _matrix_call(p, name, args, pos):
    want = {"kron": 2, "transpose": 1, "vec": 1, "eye": 1, "trace": 1, "factorial": 1}
    if name in want and len(args) != want[name]:
        raise p.error("%s takes %d argument(s), got %d" % (name, want[name], len(args)), pos)
    if name == "diag":
        if len(args) == 1 and _is_matrix(args[0]) and 1 in args[0].shape:
            args = list(args[0])
        if not args or any(_is_matrix(a) for a in args):
            raise p.error("diag takes a column, a row, or scalars", pos)
        return sp.ImmutableMatrix(sp.diag(*args))
    if name in ("eye", "factorial"):
        n = args[0]
        if _is_matrix(n) or not n.is_Integer or n < 0:
            raise p.error("%s takes a non-negative integer, got %s" % (name, _show(n)), pos)
        if name == "factorial":
            LIMITS["formula_factorial"].check(int(n), p.field, shown="factorial(%s)" % _show(n))
            return sp.Integer(math.factorial(int(n)))
        LIMITS["formula_matrix_entries"].check(int(n) ** 2, p.field, shown="eye(%s)" % _show(n))
        return sp.ImmutableMatrix(sp.eye(int(n)))
    if name == "kron":
        a, b = (v if _is_matrix(v) else sp.ImmutableMatrix([[v]]) for v in args)
        LIMITS["formula_matrix_entries"].check(a.rows * a.cols * b.rows * b.cols, p.field,
                                               shown="kron of a %dx%d and a %dx%d matrix" % (a.shape + b.shape))
        return sp.ImmutableMatrix(sp.kronecker_product(a, b))
    (a,) = args
    if name == "transpose":
        return _transpose(p, a)
    if not _is_matrix(a):
        return a
    if name == "vec":
        return sp.ImmutableMatrix(a.rows * a.cols, 1, [a[i, j] for j in range(a.cols) for i in range(a.rows)])
    if a.rows != a.cols:
        raise p.error("trace of a %dx%d matrix" % a.shape, pos)
    return a.trace()
