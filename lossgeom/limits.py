"""Every limit lossgeom puts on what it is asked, in one place.

Input from outside (a net file, a command-line flag, an argument of the Python API) is
bounded before any work starts: how many digits one number may have, how many numbers a
file may hold, how deep its JSON may nest, how wide and deep a net may be, and, per command,
how large a request may grow before it would take minutes.  A request past a limit is refused
with a :class:`~lossgeom.errors.SizeLimitError` naming the field, the value (shortened) and
the limit; nothing is computed first.  The table in ``docs/limits.md`` is generated from
:data:`LIMITS` (``python -m lossgeom.limits``), so the documentation cannot drift from the code.

Examples
--------
>>> LIMITS["number_digits"].value
10000
>>> LIMITS["json_depth"].check(6, "net.json")
6
>>> LIMITS["json_depth"].check(5000, "net.json")
Traceback (most recent call last):
...
lossgeom.errors.SizeLimitError: net.json: JSON nested 5000 levels deep; the limit is 32 levels (limit json_depth)
"""

from dataclasses import dataclass

from .errors import SizeLimitError

__all__ = ["Limit", "LIMITS", "limit", "shorten", "limits_table"]


@dataclass(frozen=True)
class Limit:
    """One bound on the size of a request.

    Attributes
    ----------
    name : str
        Its key in :data:`LIMITS`.
    value : int
        The largest size accepted (inclusive).
    unit : str
        What is counted, plural (``"digits"``).
    what : str
        What it bounds, in words.
    where : str
        The inputs or commands it applies to.
    cost : str
        What a request at the limit costs, as measured (see ``benchmarks/bench_limits.py``).

    Examples
    --------
    >>> lim = Limit("widgets", 3, "widgets", "widgets per box", "boxes", "nothing")
    >>> lim.check(3, "box")
    3
    >>> lim.check(4, "box", shown="4 widgets")
    Traceback (most recent call last):
    ...
    lossgeom.errors.SizeLimitError: box: 4 widgets; the limit is 3 widgets (limit widgets)
    """

    name: str
    value: int
    unit: str
    what: str
    where: str
    cost: str

    def check(self, size, field, shown=None):
        """Return ``size`` if it is within the limit, else raise :class:`SizeLimitError`.

        ``shown`` describes the request in the message (default: ``"<size> <unit>"``).
        """
        if size > self.value:
            shown = shown if shown is not None else _describe(self, size)
            raise SizeLimitError("%s: %s; the limit is %s %s (limit %s)"
                                 % (field, shown, _count(self.value), self.unit, self.name))
        return size


def _count(n):
    return "{:,}".format(n) if n >= 100000 else str(n)


def _describe(lim, size):
    templates = {"json_depth": "JSON nested %s levels deep", "file_bytes": "%s bytes"}
    return templates.get(lim.name, "%s " + lim.unit) % _count(size)


_TABLE = (
    # name, value, unit, what, where, cost at the limit
    ("number_digits", 10000, "digits", "digits of one number (sign, point and exponent not counted; "
     "numerator and denominator of p/q together)", "net files, --weight-decay, activation slopes, the Python API",
     "reading one such number: 1 ms"),
    ("exponent", 1000, "in absolute value", "size of the decimal exponent of one number (1e1000 has 1001 digits)",
     "net files, flags, the Python API", "as number_digits"),
    ("input_digits", 4 * 10 ** 6, "digits", "digits of all numbers of one input together (a net file, or the "
     "arrays of one Point)", "net files, Point, the Python API", "reading 400 numbers of 10,000 digits: 0.3 s"),
    ("input_numbers", 500000, "numbers", "numbers of one input together (weights, biases, inputs and targets "
     "of a net file or a Point)", "net files, Point, the Python API", "reading a file of 500,000 weights: 3 s"),
    ("file_bytes", 16 * 2 ** 20, "bytes", "size of a net file (read bounded: a larger file is refused after "
     "reading one byte past the limit)", "every command that reads a net file", "reading 16 MiB: 0.05 s (parsing is bounded by input_numbers)"),
    ("json_depth", 32, "levels", "nesting depth of a net file's JSON (the format needs 4)",
     "every command that reads a net file", "none: JSON deeper than Python's recursion limit stops the parser, "
     "and the depth is counted to 33 levels at most"),
    ("layer_width", 100000, "units", "units in one layer", "Net, --widths, net files", "building the Net: instant"),
    ("depth", 1000, "layers", "weight layers of one net", "Net, --widths, net files", "building the Net: instant"),
    ("parameters", 10 ** 7, "parameters", "weights and biases of one net", "Net, --widths, net files",
     "building the Net: instant (commands have their own, lower limits)"),
    ("samples", 100000, "samples", "samples (columns of X and Y)", "net files, Point, the Python API",
     "reading 100,000 samples of a 1-1 net: 4 s"),
    ("data_entries", 200000, "numbers", "numbers in the inputs and targets together", "net files, Point",
     "as samples: 4 s"),
)

#: Every limit, by name.
LIMITS = {row[0]: Limit(*row) for row in _TABLE}


def limit(name):
    """The :class:`Limit` called ``name`` (a ``KeyError`` lists the names).

    Examples
    --------
    >>> limit("samples").value
    100000
    """
    try:
        return LIMITS[name]
    except KeyError:
        raise KeyError("no limit %r; the limits are %s" % (name, ", ".join(LIMITS))) from None


def shorten(value, width=60):
    """``repr(value)`` cut to ``width`` characters, for error messages about huge inputs.

    Examples
    --------
    >>> shorten("1" * 100, 20)
    "'11111111111111...' (102 characters)"
    >>> shorten("ab")
    "'ab'"
    """
    text = value if isinstance(value, str) and value.startswith("<") else repr(value)
    if len(text) <= width:
        return text
    head = text[:width - 5]
    closing = text[0] if text[0] in "'\"" else ""
    return "%s...%s (%d characters)" % (head, closing, len(text))


def limits_table():
    """The limits as a Markdown table (what ``docs/limits.md`` shows).

    Examples
    --------
    >>> print(limits_table().splitlines()[0])
    | limit | value | bounds | applies to | at the limit |
    """
    lines = ["| limit | value | bounds | applies to | at the limit |", "|---|---|---|---|---|"]
    for lim in LIMITS.values():
        lines.append("| `%s` | %s %s | %s | %s | %s |" % (lim.name, "{:,}".format(lim.value), lim.unit, lim.what,
                                                         lim.where, lim.cost))
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - documentation helper
    print(limits_table())
