"""The JSON net-file format: a net with exact weights and, optionally, data.

Numbers are read by the whitelist parser of :mod:`lossgeom.numbers` (re-exported here).
"""

import json
import os
import re
import stat
from dataclasses import dataclass

import sympy as sp

from .errors import DataError, LossgeomError, NetFileError, SizeLimitError
from .limits import LIMITS, shorten
from .net import Net
from .numbers import MAX_EXPONENT, number_digits, parse_matrix, parse_number, parse_vector  # noqa: F401
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
        raise NetFileError("%s: unknown field %s; expected some of %s"
                           % (source, shorten(unknown[0]), ", ".join(sorted(_KNOWN_FIELDS))))
    if "widths" not in doc:
        raise NetFileError("%s: missing field 'widths' (e.g. [2, 3, 1])" % source)
    kwargs = {k: doc[k] for k in ("activation", "output_activation", "loss", "bias", "weight_decay", "reduction")
              if k in doc}
    widths = doc["widths"]
    if isinstance(widths, list):
        widths = tuple(_as_int(w) for w in widths)
    try:
        net = Net(widths=widths, **kwargs)
    except SizeLimitError as err:
        raise SizeLimitError("%s: %s" % (source, err)) from None
    except LossgeomError as err:
        raise NetFileError("%s: %s" % (source, err)) from None
    try:
        _check_numbers(net, doc, _check_data_size(doc))
        nf = _read_arrays(net, doc)
    except SizeLimitError as err:
        raise SizeLimitError("%s: %s" % (source, err)) from None
    except DataError as err:
        raise NetFileError("%s: %s" % (source, err)) from None
    _check_digits(nf, source)
    return nf


def _as_int(w):
    if isinstance(w, str) and _WIDTH_TEXT.fullmatch(w.strip()):
        return int(w.strip().lstrip("+"))
    return w


# ASCII digits only: "²".isdigit() is True; more than 9 digits is past the width limit (and stays text).
_WIDTH_TEXT = re.compile(r"\+?[0-9]{1,9}")


def _check_data_size(doc):
    """Refuse data past the sample and entry limits before reading a number of it."""
    for name in ("inputs", "targets"):
        samples = doc.get(name)
        if isinstance(samples, list):
            LIMITS["samples"].check(len(samples), name)
    entries = sum(len(s) for name in ("inputs", "targets") if isinstance(doc.get(name), list)
                  for s in doc[name] if isinstance(s, list))
    LIMITS["data_entries"].check(entries, "inputs and targets")
    return entries


def _check_numbers(net, doc, entries):
    """Refuse a file with more numbers than ``input_numbers`` before reading one (SymPy numbers are slow to build)."""
    params = net.n_params if "weights" in doc else 0
    LIMITS["input_numbers"].check(params + entries, "weights, biases, inputs and targets",
                                  shown="%s numbers" % "{:,}".format(params + entries))


def _check_digits(nf, source):
    arrays = list(nf.weights or ()) + list(nf.biases or ()) + [a for a in (nf.inputs, nf.targets) if a is not None]
    total = sum(number_digits(v) for a in arrays for v in a)
    LIMITS["input_digits"].check(total, source, shown="the numbers have %s digits together" % "{:,}".format(total))


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
            raise DataError("biases: expected a list of %d vectors (one per layer), got %s" % (net.depth, shorten(bs)))
        biases = tuple(sp.ImmutableMatrix(parse_vector(b, "biases[%d]" % k, length=net.widths[k + 1]))
                       for k, b in enumerate(bs))
    elif net.bias and weights is not None:
        raise DataError("biases: the net has bias = true and weights, so biases are required")
    for name, width in (("inputs", net.widths[0]), ("targets", net.widths[-1])):
        if name in doc:
            samples = doc[name]
            if not isinstance(samples, list) or not samples:
                raise DataError("%s: expected a non-empty list of samples, got %s" % (name, shorten(samples)))
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
    """Read a JSON net file (the format in ``docs/netfile.md``) exactly.

    The file must be a regular file (not a directory, named pipe or device, nor a symlink to
    one) of at most ``file_bytes`` bytes, with JSON nested at most ``json_depth`` levels
    (:mod:`lossgeom.limits`); reading is bounded, so ``/dev/zero`` or a 3 GiB file is refused at once.

    Parameters
    ----------
    path : str or path-like

    Raises
    ------
    NetFileError
        When the file is missing, is not a regular file, is not JSON, or has a bad field; the
        message names the file and the field.
    SizeLimitError
        When the file or what it asks for is past a limit.

    Examples
    --------
    >>> import json, os, tempfile
    >>> fd, path = tempfile.mkstemp(suffix=".json")
    >>> with os.fdopen(fd, "w") as fh:
    ...     _ = fh.write('{"widths": [1, 1], "weights": [[[0.1]]]}')
    >>> read_net_file(path).weights[0][0, 0]   # 0.1 is read exactly
    1/10
    >>> os.remove(path)
    >>> read_net_file("/dev/zero")
    Traceback (most recent call last):
    ...
    lossgeom.errors.NetFileError: /dev/zero: not a regular file (a character device); expected a JSON net file
    """
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise NetFileError("path: expected the name of a net file (str or path-like), got %s" % shorten(path))
    path = os.fspath(path)
    if not path:
        raise NetFileError("path: expected the name of a net file, got ''")
    data = _read_bounded(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise NetFileError("%s: not a UTF-8 text file (byte %d); expected a JSON net file" % (path, err.start)) from None
    try:
        doc = json.loads(text, parse_float=str, parse_int=_json_int, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise NetFileError("%s: not valid JSON (%s at line %d column %d)" % (path, err.msg, err.lineno, err.colno)) from None
    except RecursionError:
        LIMITS["json_depth"].check(LIMITS["json_depth"].value + 1, path, shown="JSON nested too deep to parse")
    except ValueError as err:
        raise NetFileError("%s: %s" % (path, err)) from None
    depth = _json_depth(doc, LIMITS["json_depth"].value + 1)
    LIMITS["json_depth"].check(depth, path, shown="JSON nested %s levels deep"
                               % ("more than %d" % (depth - 1) if depth > LIMITS["json_depth"].value else depth))
    return net_file_from_dict(doc, source=path)


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _read_bounded(path):
    """The bytes of a regular file of at most ``file_bytes`` bytes; never blocks on a pipe or reads a device."""
    limit = LIMITS["file_bytes"]
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise NetFileError("%s: cannot read the net file (%s)" % (path, err.strerror or err)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
            raise NetFileError("%s: not a regular file (%s); expected a JSON net file" % (path, kind))
        limit.check(info.st_size, path, shown="the file has %s bytes" % "{:,}".format(info.st_size))
        chunks, size = [], 0
        while size <= limit.value:
            chunk = os.read(fd, min(1 << 20, limit.value + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        limit.check(size, path, shown="the file has more than %s bytes" % "{:,}".format(limit.value))
        return b"".join(chunks)
    except OSError as err:
        raise NetFileError("%s: cannot read the net file (%s)" % (path, err.strerror or err)) from None
    finally:
        os.close(fd)


def _json_int(text):
    """JSON integers as ints while short; longer ones stay text, for the number parser and its limits."""
    return int(text) if len(text) <= 30 else text


def _json_depth(doc, cap):
    """Nesting depth of a parsed JSON document, counted up to ``cap``."""
    if cap <= 0 or not isinstance(doc, (list, dict)):
        return 0
    items = doc.values() if isinstance(doc, dict) else doc
    return 1 + max((_json_depth(v, cap - 1) for v in items if isinstance(v, (list, dict))), default=0)


def _reject_constant(name):
    raise ValueError("expected finite numbers, got %s" % name)
