"""Precision: the one value that says how a computation is carried out, and the one tolerance helper.

Every layer takes ``dps``: ``"exact"`` (rational arithmetic), ``"float64"`` (IEEE doubles) or a
number of decimal digits (mpmath, default 50).  :class:`Precision` is that value resolved and
validated once; numeric work runs inside its :meth:`Precision.context` (``mpmath.workdps``), so
mpmath's global precision is never changed outside such a block.  Every tolerance in lossgeom
comes from :func:`tolerance`, derived from the working precision, so there are no scattered
literals such as ``1e-12``.  It lives in the core so that ``lossgeom.symbolic`` reaches it too.
"""

import sys
from contextlib import contextmanager
from dataclasses import dataclass

import mpmath

from lossgeom.checks import check_real

from .errors import DataError
from .limits import LIMITS

__all__ = ["DEFAULT_DPS", "GUARD_DIGITS", "FLOAT64_DPS", "MIN_DPS", "MAX_DPS", "Precision", "working_precision",
           "tolerance", "agreeing_digits", "check_dps", "int_digits_for"]

#: Default working precision in decimal digits.
DEFAULT_DPS = 50
#: Extra digits an algorithm works with internally, so its result is good to ``dps`` digits.
GUARD_DIGITS = 10
#: Decimal digits of an IEEE double (used when ``dps="float64"``).
FLOAT64_DPS = 15
#: The range of decimal digits accepted for mpmath work: from the digits of a double to the ``dps`` limit
#: of :data:`lossgeom.limits.LIMITS` (a lower bound is a floor, not a size limit, so it stays here).
MIN_DPS, MAX_DPS = FLOAT64_DPS, LIMITS["dps"].value


def check_dps(dps, field="dps", exact=False):
    """Validate a precision argument: an int from 15 to 10000, ``"float64"``, or (with
    ``exact=True``) ``"exact"``.  A :class:`Precision` passes through as its ``dps``.

    Examples
    --------
    >>> check_dps(50)
    50
    >>> check_dps(5)
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: dps: expected an integer from 15 to 10000 or 'float64', got 5
    """
    if isinstance(dps, Precision):
        dps = dps.dps
    if dps == "float64" or (exact and dps == "exact"):
        return dps
    if isinstance(dps, bool) or not isinstance(dps, int) or not MIN_DPS <= dps <= MAX_DPS:
        raise DataError("%s: expected an integer from %d to %d%s, got %r"
                        % (field, MIN_DPS, MAX_DPS, ", 'float64' or 'exact'" if exact else " or 'float64'", dps))
    return dps


@dataclass(frozen=True)
class Precision:
    """How a computation is carried out: ``"exact"``, ``"float64"``, or ``digits`` decimal digits in mpmath.

    Build it with :meth:`resolve` from whatever a caller passed as ``dps``; it is validated once.

    Attributes
    ----------
    kind : {"exact", "float64", "mp"}
    digits : int or None
        Decimal digits (15 for float64, None for exact).

    Examples
    --------
    >>> p = Precision.resolve(30)
    >>> p.kind, p.digits, p.dps, str(p)
    ('mp', 30, 30, '30 digits')
    >>> print(p.tolerance())
    1.0e-27
    >>> Precision.resolve("exact").tolerance()
    0
    >>> with Precision.resolve(20).context(guard=0):
    ...     mpmath.mp.dps
    20
    >>> Precision.resolve("exact", allow=("mp",))
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: dps: expected an integer from 15 to 10000, got 'exact'
    """

    kind: str
    digits: int = None

    @classmethod
    def resolve(cls, dps=DEFAULT_DPS, field="dps", allow=("exact", "float64", "mp")):
        """The Precision for ``dps`` (a Precision, ``"exact"``, ``"float64"`` or digits); ``allow``
        names the kinds the caller supports, and any other is an error naming ``field``."""
        if isinstance(dps, Precision):
            dps = dps.dps
        if dps == "exact" and "exact" in allow:
            return cls("exact", None)
        if dps == "float64" and "float64" in allow:
            return cls("float64", FLOAT64_DPS)
        if "mp" in allow and not isinstance(dps, bool) and isinstance(dps, int) and MIN_DPS <= dps <= MAX_DPS:
            return cls("mp", dps)
        named = [repr(k) for k in ("float64", "exact") if k in allow]
        what = (["an integer from %d to %d" % (MIN_DPS, MAX_DPS)] if "mp" in allow else []) + named
        expected = what[0] if len(what) == 1 else ", ".join(what[:-1]) + " or " + what[-1]
        raise DataError("%s: expected %s, got %r" % (field, expected, dps))

    @property
    def dps(self):
        """The value callers pass around: ``"exact"``, ``"float64"`` or the digits."""
        return self.kind if self.kind in ("exact", "float64") else self.digits

    @property
    def exact(self):
        return self.kind == "exact"

    @property
    def working_digits(self):
        """Digits for an mpmath context: the digits, 15 for float64, and 50 for exact work that
        still needs a numeric side computation."""
        return DEFAULT_DPS if self.digits is None else self.digits

    @contextmanager
    def context(self, guard=GUARD_DIGITS):
        """``mpmath.workdps(working_digits + guard)``, restoring the precision on exit.

        Inside it Python's int/str conversion limit is raised to what numbers of this precision
        need (:func:`int_digits_for`), and restored on exit."""
        with int_digits_for(self.working_digits + guard), mpmath.workdps(self.working_digits + guard):
            yield

    def tolerance(self, scale=1, loss=None):
        """The tolerance of :func:`tolerance` at this precision (0 for exact arithmetic)."""
        if self.exact:
            return 0
        return tolerance(self.dps, scale=scale, loss=loss)

    def __str__(self):
        return {"exact": "exact", "float64": "float64"}.get(self.kind, "%d digits" % (self.digits or 0))


def _needed_int_digits(digits):
    # A number printed or parsed at ``digits`` significant digits has a mantissa of about that many
    # digits; SymPy's N(v, dps + 15) and mpmath's guard bits add a few dozen, and a decimal exponent
    # written out (fixed notation) adds up to LIMITS["exponent"] digits: twice the sum is ample.
    return 2 * (int(digits) + GUARD_DIGITS + 64 + LIMITS["exponent"].value)


@contextmanager
def int_digits_for(dps):
    """Raise Python's int/str conversion limit (``sys.set_int_max_str_digits``, 4,300 digits by
    default) to what numbers of ``dps`` digits need, restoring it on exit.

    The interpreter's limit guards against quadratic-time conversions of untrusted huge integers;
    lossgeom bounds its inputs itself (``number_digits``, ``input_digits``, ``dps`` in
    :data:`lossgeom.limits.LIMITS`), so converting a number of ``dps`` digits is a bounded
    cost (about 2 ms at 25,000 digits).  Never lowers the limit; ``dps`` may be ``"exact"``,
    ``"float64"``, a :class:`Precision` or None (then nothing changes).

    Examples
    --------
    >>> with int_digits_for(10000):
    ...     len(str(10 ** 9000))
    9001
    """
    digits = dps.working_digits if isinstance(dps, Precision) else dps
    before = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    needed = _needed_int_digits(digits) if isinstance(digits, int) and not isinstance(digits, bool) else 0
    if not before or needed <= before:
        yield
        return
    sys.set_int_max_str_digits(needed)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(before)


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
    with Precision.resolve(dps, allow=("float64", "mp")).context(guard):
        yield


def tolerance(dps=DEFAULT_DPS, scale=1, loss=None):
    """The tolerance for results computed to ``dps`` digits.

    ``10**(-(dps - loss)) * max(1, |scale|)``: ``loss`` digits are allowed for cancellation and
    accumulated rounding (default ``max(3, dps // 10)``, or 5 for float64 so the relative
    tolerance there is 1e-10).  Use ``scale`` to make it relative to a magnitude.

    Parameters
    ----------
    dps : int, "float64" or Precision
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
    scale = check_real(scale, "scale")
    if loss is not None:
        loss = check_real(loss, "loss")
    dps = check_dps(dps)
    if dps == "float64":
        digits, default_loss = FLOAT64_DPS, 5
    else:
        digits, default_loss = dps, max(3, dps // 10)
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
    check_real(a, "a")
    check_real(b, "b")
    if isinstance(a, mpmath.matrix) or isinstance(b, mpmath.matrix):
        pairs = zip(mpmath.matrix(a), mpmath.matrix(b))
        worst = min((agreeing_digits(x, y) for x, y in pairs), default=mpmath.inf)
        return worst
    diff = abs(mpmath.mpmathify(a) - mpmath.mpmathify(b))
    if diff == 0:
        return mpmath.inf
    size = max(abs(mpmath.mpmathify(a)), abs(mpmath.mpmathify(b)), mpmath.mpf(1))
    return int(mpmath.floor(-mpmath.log10(diff / size)))
