"""Precision contexts and the one tolerance helper.

Numeric work takes ``dps`` (decimal digits, default 50) and runs inside ``mpmath.workdps``;
mpmath's global precision is never changed outside such a block.  Every tolerance in
lossgeom comes from :func:`tolerance`, derived from the working precision, so there are no
scattered literals such as ``1e-12``.
"""

from contextlib import contextmanager

import mpmath

__all__ = ["DEFAULT_DPS", "GUARD_DIGITS", "FLOAT64_DPS", "working_precision", "tolerance", "agreeing_digits",
           "check_dps"]

#: Default working precision in decimal digits.
DEFAULT_DPS = 50
#: Extra digits an algorithm works with internally, so its result is good to ``dps`` digits.
GUARD_DIGITS = 10
#: Decimal digits of an IEEE double (used when ``dps="float64"``).
FLOAT64_DPS = 15


def check_dps(dps, field="dps"):
    """Validate a precision argument: an int from 15 to 10000, or ``"float64"``.

    Examples
    --------
    >>> check_dps(50)
    50
    >>> check_dps(5)
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: dps: expected an integer from 15 to 10000 or 'float64', got 5
    """
    from lossgeom.errors import DataError

    if dps == "float64":
        return dps
    if isinstance(dps, bool) or not isinstance(dps, int) or not 15 <= dps <= 10000:
        raise DataError("%s: expected an integer from 15 to 10000 or 'float64', got %r" % (field, dps))
    return dps


@contextmanager
def working_precision(dps=DEFAULT_DPS, guard=GUARD_DIGITS):
    """Run a block at ``dps + guard`` digits, restoring mpmath's precision on exit.

    Examples
    --------
    >>> before = mpmath.mp.dps
    >>> with working_precision(30, guard=5):
    ...     mpmath.mp.dps
    35
    >>> mpmath.mp.dps == before
    True
    """
    with mpmath.workdps(check_dps(dps) + guard):
        yield


def tolerance(dps=DEFAULT_DPS, scale=1, loss=None):
    """The tolerance for results computed to ``dps`` digits.

    ``10**(-(dps - loss)) * max(1, |scale|)``: ``loss`` digits are allowed for cancellation and
    accumulated rounding (default ``max(3, dps // 10)``, or 5 for float64 so the relative
    tolerance there is 1e-10).  Use ``scale`` to make it relative to a magnitude.

    Parameters
    ----------
    dps : int or "float64"
    scale : number, default 1
    loss : int, optional

    Returns
    -------
    mpf

    Examples
    --------
    >>> print(tolerance(50))
    1.0e-45
    >>> print(tolerance("float64"))
    1.0e-10
    >>> print(tolerance(30, scale=100, loss=2))
    1.0e-26
    """
    if dps == "float64":
        digits, default_loss = FLOAT64_DPS, 5
    else:
        digits, default_loss = check_dps(dps), max(3, check_dps(dps) // 10)
    loss = default_loss if loss is None else loss
    with mpmath.workdps(20):
        return mpmath.mpf(10) ** (-(digits - loss)) * max(mpmath.mpf(1), abs(mpmath.mpf(scale)))


def agreeing_digits(a, b):
    """Decimal digits to which two numbers (or matrices, entrywise) agree, relative to their size.

    Returns ``inf`` when they are equal.

    Examples
    --------
    >>> with mpmath.workdps(30):
    ...     agreeing_digits(mpmath.mpf(1), mpmath.mpf(1) + mpmath.mpf(10) ** -20)
    20
    """
    if isinstance(a, mpmath.matrix) or isinstance(b, mpmath.matrix):
        pairs = zip(mpmath.matrix(a), mpmath.matrix(b))
        worst = min((agreeing_digits(x, y) for x, y in pairs), default=mpmath.inf)
        return worst
    diff = abs(mpmath.mpmathify(a) - mpmath.mpmathify(b))
    if diff == 0:
        return mpmath.inf
    size = max(abs(mpmath.mpmathify(a)), abs(mpmath.mpmathify(b)), mpmath.mpf(1))
    return int(mpmath.floor(-mpmath.log10(diff / size)))
