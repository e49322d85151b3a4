"""`Point` and `Pattern`: where a net is evaluated, and which smooth piece each unit takes.

A :class:`Point` is a net's exact weights, biases, inputs X and targets Y, read and validated
once (numbers exactly, shapes against the :class:`~lossgeom.Net`).  Every layer (symbolic,
numeric, graph, critical points) takes one, so numbers are normalised in this one place.

A :class:`Pattern` says which smooth piece of its activation each unit uses: ``{(l, i): k}``
for every sample, with optional per-sample entries ``{(s, l, i): k}`` (s from 1) that override
it.  Piecewise activations are differentiable only inside a piece; a pattern chooses the piece
where a pre-activation sits at a kink, or names an activation cell.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp

from .checks import check_layers, check_matrix_like, check_net
from .errors import DataError, NetSpecError
from .limits import LIMITS, shorten
from .net import Net
from .numbers import exact_matrix, matrix_rows, number_digits

__all__ = ["Pattern", "PatternError", "Point", "resolve_point"]


class PatternError(NetSpecError, DataError):
    """An activation pattern names a unit the net does not have, or a piece its activation does not have.

    It is both a :class:`~lossgeom.errors.NetSpecError` and a :class:`~lossgeom.errors.DataError`
    (patterns are part of the spec for derivations and part of the data for evaluations).
    The message lists every problem; ``problems`` holds them one by one.
    """

    def __init__(self, problems):
        super().__init__(problems)
        self.args = ("; ".join(self.problems),)

    def __str__(self):
        return self.args[0]


def _is_index(v):
    return isinstance(v, int) and not isinstance(v, bool)


@dataclass(frozen=True, eq=True)
class Pattern(Mapping):
    """Which smooth piece of its activation each unit takes (frozen, hashable).

    As a mapping it is ``{(l, i): k}``: the piece of unit i of layer l for every sample (l, i
    from 1, k from 0 in the activation's piece order).  ``samples`` holds per-sample overrides
    ``((s, l, i), k)`` for data-dependent activation cells.

    Parameters
    ----------
    units : tuple of ((l, i), k), sorted
    samples : tuple of ((s, l, i), k), sorted

    Examples
    --------
    >>> from lossgeom import Net
    >>> net = Net(widths=(1, 2, 1), activation="relu")
    >>> pat = Pattern.from_spec({(1, 1): 1, (1, 2): 0}, net)
    >>> pat[(1, 1)], pat.piece(1, 2), dict(pat)
    (1, 0, {(1, 1): 1, (1, 2): 0})
    >>> cell = Pattern.from_spec({(1, 1, 1): 1, (2, 1, 1): 0}, net, n_samples=2)
    >>> cell.piece(1, 1, sample=2), cell.is_per_sample, dict(cell.for_sample(1))
    (0, True, {(1, 1): 1})
    >>> Pattern.from_spec({(1, 3): 0}, net)
    Traceback (most recent call last):
    ...
    lossgeom.point.PatternError: pattern: unit (1, 3) is not a unit of Net(1-2-1, relu, square) (layer 1 has units 1..2)
    """

    units: tuple = ()
    samples: tuple = ()

    # -- mapping over the units shared by every sample ------------------------------------
    def __getitem__(self, key):
        for k, v in self.units:
            if k == key:
                return v
        raise KeyError(key)

    def __iter__(self):
        return iter(k for k, _ in self.units)

    def __len__(self):
        return len(self.units)

    def __bool__(self):
        return bool(self.units or self.samples)

    @property
    def is_per_sample(self):
        """True when some entry holds for one sample only."""
        return bool(self.samples)

    def piece(self, l, i, sample=None):
        """The piece of unit (l, i) (for ``sample`` when given), or None when the pattern leaves it free."""
        if sample is not None:
            for (s, ll, ii), k in self.samples:
                if (s, ll, ii) == (sample, l, i):
                    return k
        return self.get((l, i))

    def for_sample(self, sample):
        """The pattern one sample sees, as a pattern shared by every sample."""
        merged = dict(self.units)
        merged.update({(l, i): k for (s, l, i), k in self.samples if s == sample})
        return Pattern(tuple(sorted(merged.items())))

    def items_for(self, sample):
        """``{(l, i): k}`` for one sample (1-based)."""
        return dict(self.for_sample(sample).units)

    # -- construction and validation -------------------------------------------------------
    @classmethod
    def from_spec(cls, spec, net=None, n_samples=None, field="pattern"):
        """Read a pattern from a dict ``{(l, i): k}`` and/or ``{(s, l, i): k}``, pairs, a Pattern, or an
        object with a ``piece_map`` (such as the numeric graph's activation pattern).

        With ``net`` the units and pieces are checked against it (and samples against
        ``n_samples``); every problem is reported at once.
        """
        if spec is None:
            pat = cls()
        elif isinstance(spec, Pattern):
            pat = spec
        else:
            if hasattr(spec, "piece_map") and not isinstance(spec, Mapping):
                spec = spec.piece_map
            try:
                items = list(spec.items()) if isinstance(spec, Mapping) else list(spec)
                items = [(key, k) for key, k in items]
            except (TypeError, ValueError):
                raise PatternError("%s: expected a mapping {(layer, unit): piece index}, got %s"
                                   % (field, shorten(spec))) from None
            units, samples, problems = {}, {}, []
            for key, k in items:
                if isinstance(key, tuple) and len(key) == 2 and all(map(_is_index, key)):
                    units[key] = k
                elif isinstance(key, tuple) and len(key) == 3 and all(map(_is_index, key)):
                    samples[key] = k
                else:
                    problems.append("%s: expected keys (layer, unit) or (sample, layer, unit) of positive "
                                    "integers, got %s" % (field, shorten(key)))
            if problems:
                raise PatternError(problems)
            pat = cls(tuple(sorted(units.items())), tuple(sorted(samples.items())))
        if net is not None:
            pat.validate(net, n_samples=n_samples, field=field)
        return pat

    def validate(self, net, n_samples=None, field="pattern"):
        """Check every entry against ``net`` (and ``n_samples``); raise one PatternError listing all problems."""
        problems = []
        entries = [(None, key, k) for key, k in self.units] + [(key[0], key[1:], k) for key, k in self.samples]
        for s, (l, i), k in entries:
            where = "unit (%r, %r)" % (l, i) if s is None else "sample %r, unit (%r, %r)" % (s, l, i)
            if s is not None and (s < 1 or (n_samples is not None and s > n_samples)):
                problems.append("%s: %s: sample %r is not one of 1..%s" % (field, where, s, n_samples or "m"))
                continue
            if not (1 <= l <= net.depth):
                problems.append("%s: %s is not a unit of %s (layers 1..%d)" % (field, where, net, net.depth))
                continue
            if not (1 <= i <= net.widths[l]):
                problems.append("%s: %s is not a unit of %s (layer %d has units 1..%d)"
                                % (field, where, net, l, net.widths[l]))
                continue
            n = len(net.layer_activation(l).pieces)
            if not (_is_index(k) and 0 <= k < n):
                key = (l, i) if s is None else (s, l, i)
                problems.append("%s[%r]: expected a piece index from 0 to %d (%s), got %s"
                                % (field, key, n - 1, net.layer_activation(l).label, shorten(k)))
        if problems:
            raise PatternError(problems)
        return self

    def __repr__(self):
        body = ", ".join("%r: %r" % kv for kv in self.units + self.samples)
        return "Pattern({%s})" % body


@dataclass(frozen=True)
class Point:
    """Exact weights, biases, inputs and targets bound to a :class:`~lossgeom.Net`.

    Build it with :func:`resolve_point` (or :meth:`from_values`); every number is an exact SymPy
    Rational and every shape has been checked.

    Attributes
    ----------
    net : Net
    weights : tuple of ImmutableMatrix
        W_1 .. W_L, W_l of shape d_l x d_{l-1}.
    biases : tuple of ImmutableMatrix or None
        b_1 .. b_L as columns (None for a net without biases).
    X : ImmutableMatrix or None
        Inputs, samples as columns (d_0 x m).
    Y : ImmutableMatrix or None
        Targets, samples as columns (d_L x m).

    Examples
    --------
    >>> from lossgeom import Net
    >>> pt = resolve_point(Net(widths=(1, 1, 1)), [[["1/2"]], [[2]]], X=[[1, "0.5"]], Y=[[0, 1]])
    >>> pt.weights[0], pt.X, pt.n_samples
    (Matrix([[1/2]]), Matrix([[1, 1/2]]), 2)
    >>> pt.theta()
    (1/2, 2)
    >>> pt.sample(2)
    (Matrix([[1/2]]), Matrix([[1]]))
    """

    net: Net
    weights: tuple
    biases: tuple = None
    X: sp.ImmutableMatrix = None
    Y: sp.ImmutableMatrix = None
    _frac: dict = field(default=None, compare=False, repr=False, hash=False)

    @classmethod
    def from_values(cls, net, weights, biases=None, X=None, Y=None, require_data=False):
        """Same as :func:`resolve_point`."""
        return resolve_point(net, weights, biases, X, Y, require_data=require_data)

    @property
    def n_samples(self):
        """m, the number of samples (0 without data)."""
        return 0 if self.X is None else self.X.shape[1]

    @property
    def has_data(self):
        return self.X is not None

    def theta(self):
        """The exact parameter vector [vec(W_1); b_1; vec(W_2); ...] (columns stacked), as a tuple."""
        out = []
        for l, W in enumerate(self.weights):
            out.extend(W.T.reshape(1, W.rows * W.cols))
            if self.net.bias:
                out.extend(self.biases[l])
        return tuple(out)

    def bias(self, l):
        """b_l as a column (zeros for a net without biases)."""
        self.net.check_layer(l)
        if self.biases is None:
            return sp.zeros(self.net.widths[l], 1).as_immutable()
        return self.biases[l - 1]

    def sample(self, s):
        """(x, y) of sample s (1-based) as columns."""
        if not (_is_index(s) and 1 <= s <= self.n_samples):
            raise DataError("sample: expected an integer from 1 to %d, got %s" % (self.n_samples, shorten(s)))
        return self.X[:, s - 1], self.Y[:, s - 1]

    def with_data(self, X, Y):
        """The same weights with other data (validated as in :func:`resolve_point`)."""
        return resolve_point(self.net, self.weights, self.biases, X, Y)

    def fractions(self):
        """The point in Python Fractions: ``(W, b, X, Y)`` with W[l] a list of rows, b[l] a list (zeros
        without bias), and X, Y lists of sample columns (tuples).  Cached; for exact arithmetic kernels."""
        if self._frac is None:
            from fractions import Fraction

            def fr(q):
                return Fraction(int(q.p), int(q.q))

            # tolist() once per matrix: SymPy's per-entry indexing costs more than the conversion itself
            W = tuple([[fr(v) for v in row] for row in W.tolist()] for W in self.weights)
            b = tuple([fr(row[0]) for row in self.bias(l).tolist()] for l in range(1, self.net.depth + 1))
            cols = (lambda M: () if M is None else tuple(tuple(fr(v) for v in col) for col in M.T.tolist()))
            object.__setattr__(self, "_frac", {"W": W, "b": b, "X": cols(self.X), "Y": cols(self.Y)})
        f = self._frac
        return f["W"], f["b"], f["X"], f["Y"]

    def spec(self):
        """The JSON-ready dict of a net file holding this point (numbers as exact strings)."""
        out = dict(self.net.spec())
        out["weights"] = [[[str(v) for v in W.row(i)] for i in range(W.rows)] for W in self.weights]
        if self.biases is not None:
            out["biases"] = [[str(v) for v in b] for b in self.biases]
        if self.X is not None:
            out["inputs"] = [[str(v) for v in self.X[:, s]] for s in range(self.n_samples)]
            out["targets"] = [[str(v) for v in self.Y[:, s]] for s in range(self.n_samples)]
        return out


def _layers(value, field, count, what):
    if value is None:
        raise DataError("%s: expected %d %s (one per layer), got None" % (field, count, what))
    if isinstance(value, (str, sp.MatrixBase)) or not hasattr(value, "__len__") or \
            (hasattr(value, "ndim") and getattr(value, "ndim", 0) != 1 and not isinstance(value, (list, tuple))):
        raise DataError("%s: expected a list of %d %s (one per layer), got %s"
                        % (field, count, what, type(value).__name__))
    if len(value) != count:
        raise DataError("%s: expected a list of %d %s (one per layer), got %d" % (field, count, what, len(value)))
    return list(value)


def _resolve_data(net, X, Y):
    """X and Y read exactly, after the sample and entry limits."""
    xr = matrix_rows(X, "X")
    m = len(xr[0]) if xr else 0
    if m == 0:
        raise DataError("X: expected at least one sample (a column), got none")
    LIMITS["samples"].check(m, "X")
    entries = (net.widths[0] + net.widths[-1]) * m
    LIMITS["data_entries"].check(entries, "X and Y", shown="%s numbers" % "{:,}".format(entries))
    LIMITS["input_numbers"].check(net.n_params + entries, "weights, biases and data",
                                  shown="%s numbers" % "{:,}".format(net.n_params + entries))
    Xm = exact_matrix(X, "X", (net.widths[0], m))
    yr = matrix_rows(Y, "Y")
    if len(yr) != net.widths[-1] or any(len(r) != m for r in yr):
        raise DataError("Y: expected a %dx%d matrix (one target column per sample of X), got %dx%d"
                        % (net.widths[-1], m, len(yr), len(yr[0]) if yr else 0))
    Ym = exact_matrix(Y, "Y", (net.widths[-1], m))
    return Xm, Ym


def resolve_point(net, weights, biases=None, X=None, Y=None, require_data=False):
    """Read and validate exact weights, biases and data for ``net``: the one place numbers are normalised.

    Parameters
    ----------
    net : Net
    weights : sequence of matrix-like
        W_1 .. W_L as lists of rows, SymPy, NumPy or mpmath matrices; numbers as in
        :func:`lossgeom.numbers.parse_number` (strings such as ``"1/3"`` are exact; floats are
        converted exactly from their binary value).
    biases : sequence of vector-like, optional
        Required when ``net.bias``; refused otherwise.
    X, Y : matrix-like, optional
        Inputs (d_0 x m) and targets (d_L x m), samples as columns; a flat list is one column.
        Give both or neither.
    require_data : bool, default False
        Make missing X and Y an error.

    Returns
    -------
    Point

    Raises
    ------
    DataError
        For a wrong shape or a malformed number, naming the field (``weights[0][1][0]``).

    Examples
    --------
    >>> from lossgeom import Net
    >>> resolve_point(Net(widths=(2, 1)), [[[1, "1/3"]]]).weights[0]
    Matrix([[1, 1/3]])
    >>> resolve_point(Net(widths=(2, 1)), [[[1]]])
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: weights[0]: expected a 1x2 matrix, got 1x1
    """
    check_net(net)
    if isinstance(weights, Point):
        return weights
    check_layers(weights)
    for name, value in (("X", X), ("Y", Y)):
        if value is not None:
            check_matrix_like(value, name)
    LIMITS["input_numbers"].check(net.n_params, "weights", shown="the net has %s parameters" % "{:,}".format(net.n_params))
    W = tuple(exact_matrix(w, "weights[%d]" % k, net.layer_shape(k + 1))
              for k, w in enumerate(_layers(weights, "weights", net.depth, "matrices")))
    if net.bias:
        if biases is None:
            raise DataError("biases: the net has bias = true, so biases (one vector per layer) are required")
        b = tuple(exact_matrix(v, "biases[%d]" % k, (net.widths[k + 1], 1))
                  for k, v in enumerate(_layers(biases, "biases", net.depth, "vectors")))
    else:
        if biases is not None:
            raise DataError("biases: given, but the net has bias = false")
        b = None
    if X is None and Y is None:
        if require_data:
            raise DataError("X: no inputs given; the loss needs inputs (d_0 x m, samples as columns) and targets")
        _check_digits((W, b or ()))
        return Point(net, W, b)
    if X is None or Y is None:
        missing = "X" if X is None else "Y"
        raise DataError("%s: given %s without %s; give inputs and targets together"
                        % (missing, "Y" if X is None else "X", missing))
    Xm, Ym = _resolve_data(net, X, Y)
    _check_digits((W, b or (), (Xm, Ym)))
    return Point(net, W, b, Xm, Ym)


def _check_digits(groups):
    """Refuse a point whose numbers have more digits together than the ``input_digits`` limit."""
    total = sum(number_digits(v) for group in groups for a in group for row in a.tolist() for v in row)
    LIMITS["input_digits"].check(total, "weights, biases and data",
                                 shown="the numbers have %s digits together" % "{:,}".format(total))
