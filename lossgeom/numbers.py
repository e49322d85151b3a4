"""Exact reading of numbers and matrices from outside: the one whitelist parser.

Numbers are read exactly: ``"1/3"``, ``"0.1"`` (the rational 1/10, not the nearest double),
``"-2.5e-3"``, JSON integers and JSON decimals (read from their text, so ``0.1`` in a file is
also exactly 1/10).  Nothing is ever passed to ``eval`` or ``sympify``: a regular expression
admits the forms above and anything else is an error naming the field and the value.  Values
that are already numbers (Python, SymPy, NumPy and mpmath floats) are converted exactly from
their binary value.

Every number is bounded before it is built (:mod:`lossgeom.limits`): at most
``number_digits`` digits and a decimal exponent of at most ``exponent`` in absolute value,
whatever its type, so that neither a 10^6-digit string nor ``1e99999999`` can stall a command.
Integers longer than Python's int-string limit (4,300 digits) are read in pieces.

This module is a leaf of the core: it imports nothing from lossgeom but the errors and limits.
"""

import re
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from .errors import DataError
from .limits import LIMITS, shorten

__all__ = ["parse_number", "parse_vector", "parse_matrix", "exact_matrix", "to_fraction", "matrix_rows",
           "MAX_EXPONENT", "MAX_DIGITS", "number_digits"]

# ASCII digits only: "\d" would also admit "²" or Arabic-Indic digits, which int() then rejects or misreads.
_INT = r"[+-]?[0-9]+"
_DEC = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
#: Largest decimal exponent accepted ("1e-99999999999" would build a number with 10^11 digits).
MAX_EXPONENT = LIMITS["exponent"].value
#: Most digits one number may have.
MAX_DIGITS = LIMITS["number_digits"].value
_NUMBER_RE = re.compile(r"^\s*(?:(?P<p>%s)\s*/\s*(?P<q>[0-9]+)|(?P<dec>%s))\s*$" % (_INT, _DEC))
#: Longest string worth matching: the digits, an exponent, signs, a point, a slash and some blanks.
_MAX_TEXT = MAX_DIGITS + 64
#: int() refuses strings above 4,300 digits (sys.int_info.str_digits_check_threshold); read longer ones in pieces.
_INT_PIECE = 4000
_LOG10_2 = 0.30102999566398120


def number_digits(q):
    """Decimal digits of an exact rational (numerator and denominator together), from bit lengths.

    Examples
    --------
    >>> number_digits(sp.Rational(-12345, 7)), number_digits(sp.Integer(0))
    (6, 1)
    """
    if not isinstance(q, sp.Rational):
        raise DataError("q: expected a SymPy Rational, got %s" % shorten(q))
    p, d = abs(int(q.p)), int(q.q)
    return _int_digits(p) + (_int_digits(d) if d > 1 else 0)


def _int_digits(n):
    """Decimal digits of an int n >= 0, without converting it to text (which Python limits to 4,300 digits)."""
    if n < 10:
        return 1
    estimate = int(n.bit_length() * _LOG10_2) + 1     # exact or one too many
    return estimate - 1 if n < 10 ** (estimate - 1) else estimate


def _int(text):
    """int(text) for a string of ASCII digits of any length (up to the digit limit)."""
    text = text.lstrip("+")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("-")
    if len(text) <= _INT_PIECE:
        return sign * int(text)
    value = 0
    for start in range(0, len(text), _INT_PIECE):
        piece = text[start:start + _INT_PIECE]
        value = value * 10 ** len(piece) + int(piece)
    return sign * value


def _check_size(q, field, value):
    digits = number_digits(q)
    if digits > MAX_DIGITS:
        LIMITS["number_digits"].check(digits, field, shown="%s has %d digits"
                                      % (shorten(value, 40) if isinstance(value, str) else "the %s value" % type(value).__name__,
                                         digits))
    return q


def parse_number(value, field="value"):
    """Read one number exactly as a SymPy Rational.

    Parameters
    ----------
    value : int, str, Fraction, sympy Rational, or a float (Python, NumPy, SymPy or mpmath)
        Strings may be integers, fractions ``p/q``, decimals or scientific notation.
        A float is converted exactly from its binary value (prefer strings).
    field : str
        Name used in the error message.

    Raises
    ------
    DataError
        Naming the field, the bad value and the accepted forms.

    Examples
    --------
    >>> parse_number("0.1"), parse_number("1/3"), parse_number("-2.5e-3"), parse_number(7)
    (1/10, 1/3, -1/400, 7)
    >>> parse_number("pi", "weights[0][1][0]")
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: weights[0][1][0]: expected a number such as 3, -1/3, 0.25 or 2.5e-3, got 'pi'
    """
    if isinstance(value, bool):
        raise DataError("%s: expected a number, got the boolean %r" % (field, value))
    if isinstance(value, sp.Rational):
        return _check_size(value, field, value)
    if isinstance(value, int):
        return _check_size(sp.Integer(value), field, value)
    if isinstance(value, Fraction):
        return _check_size(sp.Rational(value.numerator, value.denominator), field, value)
    if isinstance(value, np.integer):
        return sp.Integer(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise DataError("%s: expected a finite number, got %r" % (field, value))
        return sp.Rational(*value.as_integer_ratio())
    if isinstance(value, sp.Float):
        value = mpmath.mpf(value._mpf_)
    if isinstance(value, mpmath.mpf):
        if not mpmath.isfinite(value):
            raise DataError("%s: expected a finite number, got %s" % (field, value))
        sign, man, exp, bc = value._mpf_
        # its exact value is man * 2^exp: bounded by the digits that fraction has (before building it)
        digits = int((bc + abs(exp)) * _LOG10_2) + 1 if man else 1
        if digits > MAX_DIGITS:
            LIMITS["number_digits"].check(digits, field, shown="an mpmath number of magnitude about 10^%d is exactly "
                                          "a fraction of about %d digits" % (int((exp + bc) * _LOG10_2), digits))
        man = -int(man) if sign else int(man)
        q = sp.Integer(man * 2 ** exp) if exp >= 0 else sp.Rational(man, 2 ** -exp)
        return _check_size(q, field, value)
    if isinstance(value, str):
        if len(value) > _MAX_TEXT:
            LIMITS["number_digits"].check(len(value), field, shown="a number written with %d characters (%s)"
                                          % (len(value), shorten(value)))
        m = _NUMBER_RE.match(value)
        if m:
            return _parse_text(m, value, field)
    raise DataError("%s: expected a number such as 3, -1/3, 0.25 or 2.5e-3, got %s" % (field, shorten(value)))


def _parse_text(m, value, field):
    if m.group("p") is not None:
        q = _int(m.group("q"))
        if q == 0:
            raise DataError("%s: division by zero in %s" % (field, shorten(value)))
        return _check_size(sp.Rational(_int(m.group("p")), q), field, value)
    mantissa, _, exponent = m.group("dec").lower().partition("e")
    if exponent:
        exponent_digits = exponent.lstrip("+-").lstrip("0")
        if len(exponent_digits) > 6 or int(exponent) > MAX_EXPONENT or int(exponent) < -MAX_EXPONENT:
            LIMITS["exponent"].check(MAX_EXPONENT + 1, field, shown="%s has a decimal exponent of %s"
                                     % (shorten(value), shorten(exponent, 20)))
    whole, _, frac = mantissa.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("+-")
    numerator = _int(sign + ((whole + frac).lstrip("0") or "0"))
    shift = (int(exponent) if exponent else 0) - len(frac)
    q = sp.Integer(numerator * 10 ** shift) if shift >= 0 else sp.Rational(numerator, 10 ** -shift)
    return _check_size(q, field, value)


def parse_vector(values, field, length=None):
    """Read a list of numbers exactly; ``length`` is checked when given.

    Examples
    --------
    >>> parse_vector(["1/2", 3], "inputs[0]", length=2)
    [1/2, 3]
    >>> parse_vector([1], "inputs[0]", length=2)
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: inputs[0]: expected 2 numbers, got 1
    """
    if not isinstance(values, (list, tuple)):
        raise DataError("%s: expected a list of numbers, got %s" % (field, shorten(values)))
    if length is not None and len(values) != length:
        raise DataError("%s: expected %d numbers, got %d" % (field, length, len(values)))
    return [parse_number(v, "%s[%d]" % (field, i)) for i, v in enumerate(values)]


def parse_matrix(rows, field, shape=None):
    """Read a matrix given as a list of rows into an immutable SymPy Matrix.

    Examples
    --------
    >>> parse_matrix([[1, "1/2"], ["0.5", 0]], "weights[0]", shape=(2, 2))
    Matrix([
    [  1, 1/2],
    [1/2,   0]])
    >>> parse_matrix([[1, 2]], "weights[1]", shape=(2, 2))
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: weights[1]: expected a 2x2 matrix (2 rows of 2), got 1 row(s)
    """
    if not isinstance(rows, (list, tuple)) or not all(isinstance(r, (list, tuple)) for r in rows):
        raise DataError("%s: expected a matrix as a list of rows, got %s" % (field, shorten(rows)))
    if shape is not None:
        r, c = shape
        if len(rows) != r:
            raise DataError("%s: expected a %dx%d matrix (%d rows of %d), got %d row(s)" % (field, r, c, r, c, len(rows)))
    ncols = shape[1] if shape is not None else (len(rows[0]) if rows else 0)
    out = [parse_vector(row, "%s[%d]" % (field, i), length=ncols) for i, row in enumerate(rows)]
    return sp.ImmutableMatrix(out) if out else sp.ImmutableMatrix(0, ncols, [])


def to_fraction(value, field="value"):
    """One number exactly as a :class:`fractions.Fraction` (see :func:`parse_number`).

    Examples
    --------
    >>> to_fraction("0.25"), to_fraction(mpmath.mpf(0.5))
    (Fraction(1, 4), Fraction(1, 2))
    """
    q = parse_number(value, field)
    return Fraction(int(q.p), int(q.q))


def matrix_rows(value, field):
    """A matrix-like value as a list of rows: SymPy, NumPy or mpmath matrices, nested lists, or a flat
    list read as one column.

    Raises
    ------
    DataError
        Naming the field, for anything else.

    Examples
    --------
    >>> matrix_rows([1, 2], "x")
    [[1], [2]]
    >>> matrix_rows(sp.Matrix([[1, 2]]), "W")
    [[1, 2]]
    >>> matrix_rows("ab", "W")
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: W: expected a matrix (list of rows, SymPy, NumPy or mpmath matrix), got 'ab'
    """
    if isinstance(value, sp.MatrixBase):
        return value.tolist()
    if isinstance(value, mpmath.matrix):
        return [[value[i, j] for j in range(value.cols)] for i in range(value.rows)]
    if isinstance(value, np.ndarray):
        if value.ndim not in (1, 2):
            raise DataError("%s: expected a matrix (2-d) or a column (1-d) array, got a %d-d array"
                            % (field, value.ndim))
        return value.tolist() if value.ndim == 2 else [[v] for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        if all(isinstance(r, (list, tuple)) for r in value):
            return [list(r) for r in value]
        if not any(isinstance(r, (list, tuple)) for r in value):
            return [[v] for v in value]
    raise DataError("%s: expected a matrix (list of rows, SymPy, NumPy or mpmath matrix), got %s"
                    % (field, shorten(value)))


def exact_matrix(value, field, shape):
    """Any matrix-like value (see :func:`matrix_rows`) of the given shape, read exactly into an ImmutableMatrix.

    Examples
    --------
    >>> exact_matrix([["1/2", 0.25]], "W", (1, 2))
    Matrix([[1/2, 1/4]])
    >>> exact_matrix([1, 2, 3], "v", (2, 1))
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: v: expected a 2x1 matrix, got 3x1
    """
    if isinstance(value, str) or value is None:
        raise DataError("%s: expected a %dx%d matrix, got %s" % ((field,) + tuple(shape) + (shorten(value),)))
    rows = matrix_rows(value, field)
    r, c = shape
    if len(rows) != r or any(len(row) != c for row in rows):
        got = "%dx%s" % (len(rows), len(rows[0]) if rows else 0)
        raise DataError("%s: expected a %dx%d matrix, got %s" % (field, r, c, got))
    if not r:
        return sp.ImmutableMatrix(0, c, [])
    return sp.ImmutableMatrix([[parse_number(v, "%s[%d][%d]" % (field, i, j)) for j, v in enumerate(row)]
                               for i, row in enumerate(rows)])
