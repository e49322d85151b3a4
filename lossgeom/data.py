"""Exact parsing of numbers, weights, inputs and targets, and the JSON net-file format.

Numbers are read exactly: ``"1/3"``, ``"0.1"`` (the rational 1/10, not the nearest double),
``"-2.5e-3"``, JSON integers and JSON decimals (read from their text, so ``0.1`` in a file is
also exactly 1/10).  Nothing is ever passed to ``eval`` or ``sympify``: a regular expression
admits the forms above and anything else is an error naming the field and the value.
"""

import json
import re
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from .errors import DataError, LossgeomError, NetFileError
from .net import Net

__all__ = ["parse_number", "parse_matrix", "parse_vector", "NetFile", "read_net_file", "net_file_from_dict"]

_INT = r"[+-]?\d+"
_DEC = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
#: Largest decimal exponent accepted ("1e-99999999999" would build a number with 10^11 digits).
MAX_EXPONENT = 1000
_NUMBER_RE = re.compile(r"^\s*(?:(?P<p>%s)\s*/\s*(?P<q>\d+)|(?P<dec>%s))\s*$" % (_INT, _DEC))


def parse_number(value, field="value"):
    """Read one number exactly as a SymPy Rational.

    Parameters
    ----------
    value : int, str, Fraction, sympy Rational, or float
        Strings may be integers, fractions ``p/q``, decimals or scientific notation.
        A Python float is converted exactly from its binary value (prefer strings).
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
        return value
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise DataError("%s: expected a finite number, got %r" % (field, value))
        return sp.Rational(*value.as_integer_ratio())
    if isinstance(value, str):
        m = _NUMBER_RE.match(value)
        if m:
            if m.group("p") is not None:
                q = int(m.group("q"))
                if q == 0:
                    raise DataError("%s: division by zero in %r" % (field, value))
                return sp.Rational(int(m.group("p")), q)
            mantissa, _, exponent = m.group("dec").lower().partition("e")
            if exponent and abs(int(exponent)) > MAX_EXPONENT:
                raise DataError("%s: expected a decimal exponent from -%d to %d, got %r"
                                % (field, MAX_EXPONENT, MAX_EXPONENT, value))
            frac = Fraction(m.group("dec"))
            return sp.Rational(frac.numerator, frac.denominator)
    raise DataError("%s: expected a number such as 3, -1/3, 0.25 or 2.5e-3, got %r" % (field, value))


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
        raise DataError("%s: expected a list of numbers, got %r" % (field, values))
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
        raise DataError("%s: expected a matrix as a list of rows, got %r" % (field, rows))
    if shape is not None:
        r, c = shape
        if len(rows) != r:
            raise DataError("%s: expected a %dx%d matrix (%d rows of %d), got %d row(s)" % (field, r, c, r, c, len(rows)))
    ncols = shape[1] if shape is not None else (len(rows[0]) if rows else 0)
    out = [parse_vector(row, "%s[%d]" % (field, i), length=ncols) for i, row in enumerate(rows)]
    return sp.ImmutableMatrix(out) if out else sp.ImmutableMatrix(0, ncols, [])


@dataclass(frozen=True)
class NetFile:
    """A net with exact weights and, optionally, data: what a JSON net file holds.

    Attributes
    ----------
    net : Net
    weights : tuple of ImmutableMatrix or None
        W_1 .. W_L, exact.
    biases : tuple of ImmutableMatrix (columns) or None
    inputs : ImmutableMatrix or None
        X, samples as columns (d_0 x m).
    targets : ImmutableMatrix or None
        Y, samples as columns (d_L x m).
    """

    net: Net
    weights: tuple = None
    biases: tuple = None
    inputs: sp.ImmutableMatrix = None
    targets: sp.ImmutableMatrix = None

    @property
    def n_samples(self):
        return 0 if self.inputs is None else self.inputs.shape[1]

    def theta(self):
        """The exact parameter vector theta = [vec(W_1); b_1; ...] (columns stacked)."""
        if self.weights is None:
            raise DataError("weights: this net file has no weights")
        out = []
        for l, W in enumerate(self.weights):
            out.extend(W.T.reshape(1, W.rows * W.cols))  # column-major vec
            if self.net.bias:
                out.extend(self.biases[l])
        return out


_KNOWN_FIELDS = {"widths", "activation", "output_activation", "loss", "bias", "weight_decay", "reduction",
                 "weights", "biases", "inputs", "targets", "description", "name"}


def net_file_from_dict(doc, source="net file"):
    """Validate a parsed JSON document (numbers as text) and build a :class:`NetFile`.

    Examples
    --------
    >>> nf = net_file_from_dict({"widths": [1, 1, 1], "activation": "tanh",
    ...                          "weights": [[["1/2"]], [[2]]], "inputs": [[1]], "targets": [[0]]})
    >>> nf.weights[0], nf.inputs
    (Matrix([[1/2]]), Matrix([[1]]))
    """
    if not isinstance(doc, dict):
        raise NetFileError("%s: expected a JSON object at the top level, got %s" % (source, type(doc).__name__))
    unknown = sorted(set(doc) - _KNOWN_FIELDS)
    if unknown:
        raise NetFileError("%s: unknown field %r; expected some of %s"
                           % (source, unknown[0], ", ".join(sorted(_KNOWN_FIELDS))))
    if "widths" not in doc:
        raise NetFileError("%s: missing field 'widths' (e.g. [2, 3, 1])" % source)
    kwargs = {k: doc[k] for k in ("activation", "output_activation", "loss", "bias", "weight_decay", "reduction")
              if k in doc}
    widths = doc["widths"]
    if isinstance(widths, list):
        widths = tuple(_as_int(w) for w in widths)
    try:
        net = Net(widths=widths, **kwargs)
    except LossgeomError as err:
        raise NetFileError("%s: %s" % (source, err)) from None
    try:
        return _read_arrays(net, doc)
    except DataError as err:
        raise NetFileError("%s: %s" % (source, err)) from None


def _as_int(w):
    if isinstance(w, str) and w.strip().lstrip("+").isdigit():
        return int(w)
    return w


def _read_arrays(net, doc):
    weights = biases = inputs = targets = None
    if "weights" in doc:
        ws = doc["weights"]
        if not isinstance(ws, list) or len(ws) != net.depth:
            raise DataError("weights: expected a list of %d matrices (one per layer), got %s"
                            % (net.depth, len(ws) if isinstance(ws, list) else repr(ws)))
        weights = tuple(parse_matrix(W, "weights[%d]" % k, shape=net.layer_shape(k + 1)) for k, W in enumerate(ws))
    if "biases" in doc:
        if not net.bias:
            raise DataError("biases: given, but the net has bias = false")
        bs = doc["biases"]
        if not isinstance(bs, list) or len(bs) != net.depth:
            raise DataError("biases: expected a list of %d vectors (one per layer), got %r" % (net.depth, bs))
        biases = tuple(sp.ImmutableMatrix(parse_vector(b, "biases[%d]" % k, length=net.widths[k + 1]))
                       for k, b in enumerate(bs))
    elif net.bias and weights is not None:
        raise DataError("biases: the net has bias = true and weights, so biases are required")
    for name, width in (("inputs", net.widths[0]), ("targets", net.widths[-1])):
        if name in doc:
            samples = doc[name]
            if not isinstance(samples, list) or not samples:
                raise DataError("%s: expected a non-empty list of samples, got %r" % (name, samples))
            cols = [parse_vector(s, "%s[%d]" % (name, i), length=width) for i, s in enumerate(samples)]
            mat = sp.ImmutableMatrix(cols).T
            if name == "inputs":
                inputs = mat
            else:
                targets = mat
    if (inputs is None) != (targets is None):
        raise DataError("%s: given without %s; give both or neither"
                        % (("inputs", "targets") if targets is None else ("targets", "inputs")))
    if inputs is not None and inputs.shape[1] != targets.shape[1]:
        raise DataError("targets: expected %d samples to match inputs, got %d" % (inputs.shape[1], targets.shape[1]))
    return NetFile(net, weights, biases, inputs, targets)


def read_net_file(path):
    """Read a JSON net file (DESIGN.md format) exactly.

    Parameters
    ----------
    path : str or path-like

    Raises
    ------
    NetFileError
        When the file is missing, is not JSON, or has a bad field; the message names the field.

    Examples
    --------
    >>> import json, os, tempfile
    >>> fd, path = tempfile.mkstemp(suffix=".json")
    >>> with os.fdopen(fd, "w") as fh:
    ...     _ = fh.write('{"widths": [1, 1], "weights": [[[0.1]]]}')
    >>> read_net_file(path).weights[0][0, 0]   # 0.1 is read exactly
    1/10
    >>> os.remove(path)
    """
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as err:
        raise NetFileError("%s: cannot read the net file (%s)" % (path, err.strerror or err)) from None
    except UnicodeDecodeError as err:
        raise NetFileError("%s: not a UTF-8 text file (byte %d); expected a JSON net file" % (path, err.start)) from None
    try:
        doc = json.loads(text, parse_float=str, parse_int=int, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise NetFileError("%s: not valid JSON (%s at line %d column %d)" % (path, err.msg, err.lineno, err.colno)) from None
    except ValueError as err:
        raise NetFileError("%s: %s" % (path, err)) from None
    return net_file_from_dict(doc, source=str(path))


def _reject_constant(name):
    raise ValueError("expected finite numbers, got %s" % name)
