"""`Net`: the one specification object that flows through lossgeom."""

import re
from dataclasses import dataclass, field
from numbers import Integral

import sympy as sp

from .activations import Activation, get_activation
from .errors import DataError, NetSpecError
from .limits import LIMITS, shorten
from .losses import Loss, get_loss
from .numbers import parse_number

__all__ = ["Net", "parse_widths"]


@dataclass(frozen=True)
class Net:
    """A small fully connected feedforward network, as a frozen, hashable spec.

    Conventions: h_l = W_l a_{l-1} (+ b_l), a_l = f(h_l), a_0 = x, W_l in R^{d_l x d_{l-1}};
    the output is a_L = g(h_L) with g the output activation (identity by default); the loss is
    applied to the output.  Parameters are ordered theta = [vec(W_1); b_1; vec(W_2); b_2; ...]
    with vec stacking columns, and named ``W{l}[{i},{j}]``, ``b{l}[{i}]`` (1-based).

    Parameters
    ----------
    widths : sequence of int
        Layer widths, input first, output last (at least two entries, each >= 1).
    activation : str, dict or Activation
        Hidden activation, e.g. ``"tanh"`` or ``{"name": "leaky_relu", "slope": "1/100"}``.
    output_activation : str, dict or Activation, default "identity"
    loss : {"square", "cross_entropy"}, default "square"
    bias : bool, default False
    weight_decay : Rational-like, default 0
        Adds (weight_decay/2) * sum ||W_l||_F^2 (weights only, not biases).
    reduction : {"sum", "mean"}, default "sum"
        How per-sample losses combine.

    Raises
    ------
    NetSpecError
        Listing every problem at once.

    Examples
    --------
    >>> net = Net(widths=(2, 3, 1), activation="tanh", bias=True)
    >>> net.depth, net.n_params
    (2, 13)
    >>> net.parameter_names()[:4]
    ('W1[1,1]', 'W1[2,1]', 'W1[3,1]', 'W1[1,2]')
    >>> Net(widths=(2,), activation="swish", loss="hinge")
    Traceback (most recent call last):
    ...
    lossgeom.errors.NetSpecError: invalid net (3 problems): widths: expected at least 2 layer widths (input and output), got (2,); activation: unknown activation 'swish'; expected one of abs, bent_identity, f, identity, leaky_relu, relu, sigmoid, softplus, softsign, tanh, two_piece; loss: unknown loss 'hinge'; expected one of square, cross_entropy
    """

    widths: tuple
    activation: Activation = field(default="identity")
    output_activation: Activation = field(default="identity")
    loss: Loss = field(default="square")
    bias: bool = False
    weight_decay: sp.Rational = field(default=sp.Integer(0))
    reduction: str = "sum"

    def __post_init__(self):
        problems = []

        def put(name, value):
            object.__setattr__(self, name, value)

        widths = self.widths
        if isinstance(widths, str):
            try:
                widths = parse_widths(widths)
            except NetSpecError as err:
                problems.extend(err.problems)
                widths = None
        elif widths is None:
            problems.append("widths: required, a sequence of positive integers such as (2, 3, 1)")
        elif isinstance(widths, (list, tuple, range)) or hasattr(widths, "__array__"):
            widths = _int_widths(widths, problems)
        else:
            problems.append("widths: expected a sequence of positive integers such as (2, 3, 1), got %s"
                            % shorten(widths))
            widths = None
        if isinstance(widths, tuple):
            put("widths", widths)
        for name in ("activation", "output_activation"):
            try:
                put(name, get_activation(getattr(self, name)))
            except NetSpecError as err:
                problems.extend(p.replace("activation", name, 1) if name != "activation" else p
                                for p in err.problems)
        try:
            put("loss", get_loss(self.loss))
        except NetSpecError as err:
            problems.extend(err.problems)
        if not isinstance(self.bias, bool):
            problems.append("bias: expected true or false, got %s" % shorten(self.bias))
        try:
            wd = parse_number(self.weight_decay, "weight_decay")
            if wd < 0:
                problems.append("weight_decay: expected a number >= 0, got %s" % wd)
            put("weight_decay", wd)
        except DataError as err:
            problems.append(str(err))
        if self.reduction not in ("sum", "mean"):
            problems.append("reduction: expected 'sum' or 'mean', got %s" % shorten(self.reduction))
        if (not problems and isinstance(self.loss, Loss) and self.widths[-1] < self.loss.min_outputs):
            problems.append("loss: %s needs at least %d outputs, got output width %d"
                            % (self.loss.name, self.loss.min_outputs, self.widths[-1]))
        if problems:
            raise NetSpecError(problems)
        _check_size(self.widths, self.bias)

    # -- shape ---------------------------------------------------------------------------
    @property
    def depth(self):
        """L, the number of weight layers."""
        return len(self.widths) - 1

    def layer_shape(self, l):
        """(d_l, d_{l-1}), the shape of W_l (l from 1)."""
        self.check_layer(l)
        return (self.widths[l], self.widths[l - 1])

    def check_layer(self, l, field="layer"):
        """Raise :class:`NetSpecError` naming ``field`` unless ``l`` is a layer index 1..L; return ``l``.

        Examples
        --------
        >>> Net(widths=(1, 2, 1)).check_layer(3)
        Traceback (most recent call last):
        ...
        lossgeom.errors.NetSpecError: invalid net: layer: expected an integer from 1 to 2, got 3
        """
        if not (isinstance(l, int) and not isinstance(l, bool) and 1 <= l <= self.depth):
            raise NetSpecError("%s: expected an integer from 1 to %d, got %s" % (field, self.depth, shorten(l)))
        return l

    def layer_activation(self, l):
        """The activation of layer l's units: the output activation on layer L, the hidden one below.

        Examples
        --------
        >>> net = Net(widths=(1, 2, 1), activation="relu")
        >>> net.layer_activation(1).name, net.layer_activation(2).name
        ('relu', 'identity')
        """
        self.check_layer(l)
        return self.output_activation if l == self.depth else self.activation

    @property
    def is_deep_linear(self):
        """True for a deep linear net in Kawaguchi's sense: identity activations, square loss, no biases,
        no weight decay, summed loss.

        Examples
        --------
        >>> Net(widths=(2, 1, 2)).is_deep_linear, Net(widths=(2, 1, 2), bias=True).is_deep_linear
        (True, False)
        """
        return not self.linear_problems()

    def linear_problems(self):
        """Why this net is not a deep linear net (empty when it is), one line per field.

        Examples
        --------
        >>> Net(widths=(2, 1, 2), activation="tanh").linear_problems()
        ["activation: expected 'identity' (a deep linear net), got 'tanh'"]
        """
        problems = []
        for name in ("activation", "output_activation"):
            act = getattr(self, name)
            if act.name != "identity":
                problems.append("%s: expected 'identity' (a deep linear net), got %r" % (name, act.label))
        if self.loss.name != "square":
            problems.append("loss: expected 'square', got %r" % self.loss.name)
        if self.bias:
            problems.append("bias: expected false (the theory has no biases), got true")
        if self.weight_decay != 0:
            problems.append("weight_decay: expected 0, got %s" % self.weight_decay)
        if self.reduction != "sum":
            problems.append("reduction: expected 'sum', got %r" % self.reduction)
        return problems

    def layer_size(self, l):
        """Number of parameters of layer l (weights, plus biases if any)."""
        r, c = self.layer_shape(l)
        return r * c + (r if self.bias else 0)

    def layer_slice(self, l):
        """The slice of theta holding layer l's parameters ([vec(W_l); b_l])."""
        start = sum(self.layer_size(k) for k in range(1, l))
        return slice(start, start + self.layer_size(l))

    @property
    def n_params(self):
        """Length of theta."""
        return sum(self.layer_size(l) for l in range(1, self.depth + 1))

    def layer_parameter_names(self, l):
        """Names of layer l's parameters in theta's order: vec(W_l) (columns stacked), then b_l."""
        r, c = self.layer_shape(l)
        names = ["W%d[%d,%d]" % (l, i + 1, j + 1) for j in range(c) for i in range(r)]
        if self.bias:
            names += ["b%d[%d]" % (l, i + 1) for i in range(r)]
        return tuple(names)

    def parameter_names(self):
        """All parameter names in theta's order."""
        return tuple(n for l in range(1, self.depth + 1) for n in self.layer_parameter_names(l))

    @property
    def piecewise_linear(self):
        """True when hidden and output activations are piecewise linear."""
        return self.activation.piecewise_linear and self.output_activation.piecewise_linear

    def spec(self):
        """The JSON-ready dict of this spec (as in a net file, without weights)."""
        out = {"widths": list(self.widths), "activation": self.activation.spec(), "loss": self.loss.name,
               "bias": self.bias}
        if self.output_activation.name != "identity":
            out["output_activation"] = self.output_activation.spec()
        if self.weight_decay != 0:
            out["weight_decay"] = str(self.weight_decay)
        if self.reduction != "sum":
            out["reduction"] = self.reduction
        return out

    def __str__(self):
        parts = ["-".join(map(str, self.widths)), self.activation.label, self.loss.name]
        if self.bias:
            parts.append("bias")
        if self.output_activation.name != "identity":
            parts.append("output " + self.output_activation.label)
        if self.weight_decay:
            parts.append("weight decay %s" % self.weight_decay)
        return "Net(%s)" % ", ".join(parts)


def _int_widths(widths, problems):
    """``widths`` as a tuple of ints, or None after adding the problem to ``problems``."""
    if getattr(widths, "ndim", 1) != 1:
        problems.append("widths: expected a 1-d sequence of positive integers, got a %d-d array" % widths.ndim)
        return None
    items = list(widths.tolist() if hasattr(widths, "tolist") else widths)
    LIMITS["depth"].check(max(len(items) - 1, 0), "widths", shown="%d layers" % (len(items) - 1))
    out = []
    for w in items:
        if isinstance(w, bool) or not isinstance(w, Integral) or w < 1:
            problems.append("widths: expected positive integers, got %s in %s" % (shorten(w, 30), shorten(items)))
            return None
        out.append(int(w))
    if len(out) < 2:
        problems.append("widths: expected at least 2 layer widths (input and output), got %r" % (tuple(out),))
        return None
    return tuple(out)


def _check_size(widths, bias):
    """Refuse nets past the width, depth and parameter limits (:mod:`lossgeom.limits`)."""
    LIMITS["depth"].check(len(widths) - 1, "widths", shown="%d layers" % (len(widths) - 1))
    widest = max(widths)
    LIMITS["layer_width"].check(widest, "widths", shown="a layer of %s units" % "{:,}".format(widest))
    params = sum(a * b + (a if bias else 0) for b, a in zip(widths, widths[1:]))
    LIMITS["parameters"].check(params, "widths", shown="%s has %s parameters"
                               % (shorten("-".join(map(str, widths)), 40), "{:,}".format(params)))


def parse_widths(text):
    """Parse ``"2,3,1"`` into ``(2, 3, 1)``.

    Examples
    --------
    >>> parse_widths("2, 3,1")
    (2, 3, 1)
    >>> parse_widths("2,x")
    Traceback (most recent call last):
    ...
    lossgeom.errors.NetSpecError: invalid net: widths: expected comma-separated positive integers like 2,3,1, got '2,x'
    """
    if not isinstance(text, str):
        raise NetSpecError("widths: expected text such as '2,3,1', got %s" % shorten(text))
    parts = [p.strip() for p in text.split(",")]
    LIMITS["depth"].check(len(parts) - 1, "widths", shown="%d layers" % (len(parts) - 1))
    # ASCII digits only ("²".isdigit() is True); a longer run of digits is past the width limit anyway.
    if not all(_WIDTH_RE.fullmatch(p) and p.lstrip("0") for p in parts):
        raise NetSpecError("widths: expected comma-separated positive integers like 2,3,1, got %s" % shorten(text))
    for p in parts:
        digits = p.lstrip("0")
        if len(digits) > 9:
            LIMITS["layer_width"].check(10 ** 9, "widths", shown="a layer of %s... units" % digits[:12])
        LIMITS["layer_width"].check(int(digits), "widths", shown="a layer of %s units" % "{:,}".format(int(digits)))
    widths = tuple(int(p) for p in parts)
    return widths


_WIDTH_RE = re.compile("[0-9]+")
