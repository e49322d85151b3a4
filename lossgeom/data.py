"""The JSON net-file format: a net with exact weights and, optionally, data.

Numbers are read by the whitelist parser of :mod:`lossgeom.numbers` (re-exported here).
"""

import json
from dataclasses import dataclass

import sympy as sp

from .errors import DataError, LossgeomError, NetFileError
from .net import Net
from .numbers import MAX_EXPONENT, parse_matrix, parse_number, parse_vector  # noqa: F401 (public re-exports)
from .point import Point

__all__ = ["parse_number", "parse_matrix", "parse_vector", "NetFile", "read_net_file", "net_file_from_dict"]


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

    def point(self):
        """The file's weights, biases and data as a :class:`~lossgeom.point.Point`.

        Examples
        --------
        >>> nf = net_file_from_dict({"widths": [1, 1], "weights": [[["1/2"]]], "inputs": [[1]], "targets": [[0]]})
        >>> nf.point().theta(), nf.point().n_samples
        ((1/2,), 1)
        """
        if self.weights is None:
            raise DataError("weights: this net file has no weights")
        return Point(self.net, self.weights, self.biases, self.inputs, self.targets)

    def theta(self):
        """The exact parameter vector theta = [vec(W_1); b_1; ...] (columns stacked)."""
        return list(self.point().theta())


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
    """Read a JSON net file (the format in the README) exactly.

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
