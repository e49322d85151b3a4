"""Exceptions raised by lossgeom.

Every error is a :class:`LossgeomError` and also the matching builtin type, so
``except ValueError`` keeps working for callers who do not know lossgeom.
Messages name the field, the bad value and what was expected.
"""

__all__ = [
    "LossgeomError",
    "NetSpecError",
    "UnknownActivationError",
    "UnknownLossError",
    "DataError",
    "ArgumentTypeError",
    "NetFileError",
    "NonDifferentiableError",
    "SizeLimitError",
    "UnknownClaimError",
    "OptionError",
    "ClaimDefinitionError",
    "OutputError",
    "choose",
]


class LossgeomError(Exception):
    """Base class of every error lossgeom raises on purpose.

    Examples
    --------
    >>> from lossgeom import get_activation
    >>> try:
    ...     get_activation("swish")
    ... except LossgeomError as err:
    ...     print(type(err).__name__, isinstance(err, ValueError))
    UnknownActivationError True
    """


class NetSpecError(LossgeomError, ValueError):
    """A :class:`~lossgeom.Net` specification is invalid.

    Parameters
    ----------
    problems : list of str
        Every problem found; all are reported at once.

    Examples
    --------
    >>> err = NetSpecError(["widths: expected at least 2 entries, got (3,)"])
    >>> err.problems
    ['widths: expected at least 2 entries, got (3,)']
    """

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        if len(self.problems) == 1:
            msg = "invalid net: " + self.problems[0]
        else:
            msg = "invalid net (%d problems): %s" % (len(self.problems), "; ".join(self.problems))
        super().__init__(msg)


class UnknownActivationError(NetSpecError):
    """An activation name is not in the registry; the message lists the valid names."""


class UnknownLossError(NetSpecError):
    """A loss name is not in the registry; the message lists the valid names."""


class DataError(LossgeomError, ValueError):
    """A number, weight matrix, input or target is malformed."""


class ArgumentTypeError(DataError, TypeError):
    """An argument of a public function has the wrong type (a string where a matrix belongs, None
    for a net, a generator for a list of weights); the message names the argument.

    It is a :class:`DataError` (so ``except ValueError`` and the CLI's handling of bad input keep
    catching what used to be a ``DataError`` about a type) and also a :class:`TypeError` (what Python
    code expects for a wrong type).

    Examples
    --------
    >>> err = ArgumentTypeError("net: expected a lossgeom Net, got None")
    >>> isinstance(err, TypeError), isinstance(err, ValueError), isinstance(err, LossgeomError)
    (True, True, True)
    """


class NetFileError(DataError):
    """A JSON net file cannot be read; the message names the file and the field."""


class NonDifferentiableError(LossgeomError, ArithmeticError):
    """A pre-activation sits exactly at a kink of its activation.

    Parameters
    ----------
    message : str
        What was asked for and where.
    kinks : list of str
        The units at kinks, e.g. ``["h1[2]"]``.
    """

    def __init__(self, message, kinks=()):
        self.kinks = list(kinks)
        super().__init__(message)


class SizeLimitError(LossgeomError, ValueError):
    """A symbolic request is too large to finish in reasonable time; the message gives size and limit."""


class UnknownClaimError(LossgeomError, LookupError):
    """A claim id is not in the catalog."""


class OptionError(LossgeomError, ValueError):
    """An option (``method=``, ``backend=``, ...) has a value that is not one of its choices; the message lists them."""


class ClaimDefinitionError(LossgeomError, ValueError):
    """A catalog claim is defined inconsistently (an unknown kind or expectation, a duplicate id)."""


class OutputError(LossgeomError, OSError):
    """An output file cannot be written: a bad path (checked before any work) or an OS error while writing.

    An :class:`OSError` (not a :class:`ValueError`): the file system refused, so ``except OSError``
    around file writing keeps working, and ``errno`` is kept (``errno.ENOSPC`` for a full disk).  The
    message names the flag, the path and the reason.

    Examples
    --------
    >>> from lossgeom.io import check_output_path
    >>> try:
    ...     check_output_path("/no/such/folder/r.json", "--out")
    ... except OSError as err:
    ...     print(type(err).__name__, "|", err)
    OutputError | --out: cannot write '/no/such/folder/r.json': the folder '/no/such/folder' does not exist
    """


def choose(name, value, options):
    """Return ``value`` if it is one of ``options``, else raise :class:`OptionError` listing them.

    Examples
    --------
    >>> choose("method", "direct", ("direct", "specialise"))
    'direct'
    >>> choose("method", "magic", ("direct", "specialise"))
    Traceback (most recent call last):
    ...
    lossgeom.errors.OptionError: method: expected one of 'direct', 'specialise', got 'magic'
    """
    if value not in options:
        raise OptionError("%s: expected one of %s, got %r" % (name, ", ".join(repr(o) for o in options), value))
    return value
