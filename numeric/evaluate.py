"""Forward pass, backprop gradient, Botev blocks, full Hessian and Hessian-vector products of a Net.

Everything is evaluated at ``dps`` decimal digits (mpmath, default 50) or in float64 (``dps="float64"``,
NumPy).  Exact weights and data (SymPy Rationals, ``"1/3"`` strings, Fractions, the exact binary value of
a float) are read exactly and rounded once, at the working precision.

The algorithm, for samples s (columns of X) and layers l = 1..L:

* forward: h_l = W_l a_{l-1} + b_l, a_l = f(h_l), output z = g(h_L), loss E(z, y);
* backward: dE/dz, d2E/dz2; delta_L = g'(h_L) * dE/dz and the output pre-activation Hessian
  H_L = diag(g') d2E/dz2 diag(g') + diag(g'' * dE/dz); delta_l = f'(h_l) * (W_{l+1}^T delta_{l+1});
* Botev recursion: H_l = B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l with B_l = diag f'(h_l) and
  D_l = diag(f''(h_l) * W_{l+1}^T delta_{l+1}); the layer block is sum_s (a~ a~^T) kron H_l with
  a~ = [a_{l-1}; 1] when the net has biases (Botev et al. 2017, section 3);
* the full Hessian, with every cross-layer block, from the Kronecker structure of the Jacobians:
  with A_{nk} = dh_n/dh_k (per sample), M_L = H_L and M_n = D_n for n < L,

      d2E/dW~_k dW~_j = sum_s (a~_{k-1} a~_{j-1}^T) kron sum_{n >= max(k,j)} A_{nk}^T M_n A_{nj}
                        + the bilinear terms of h_l = W_l a_{l-1} (k < l):
      d2E/dW_l[i,j] dW~_k[r,p] += sum_s delta_l[i] (f'(h_{l-1}) * A_{l-1,k})[j,r] a~_{k-1}[p],

  plus weight_decay on the weight diagonal.  Each block is one product U^T V over the samples, done by
  python-flint's ``arb_mat`` at the working precision (backend ``"flint"``, the default), so the
  cost is O(P^2 m) multiplications instead of the O(P^2 m sum_l d_l) of a dense J^T H J;
* Hessian-vector products by forward-over-reverse differentiation: Pearlmutter's R-operator pushes a
  tangent direction through the forward pass and then through backprop, with no Jacobian at all.

A pre-activation exactly at a kink of its activation is found with exact rational arithmetic (while
the forward pass stays rational, as it does for piecewise-linear and softsign nets) or, past a
transcendental layer, numerically to the working tolerance.  It is reported in ``kinks``; a derivative
that does not exist there is refused with :class:`~lossgeom.errors.NonDifferentiableError`, never
taken one-sidedly, unless the caller fixes the smooth piece of that unit with ``pattern``.
"""

from dataclasses import dataclass

import mpmath
import numpy as np

from lossgeom.checks import check_matrix_like, check_net, check_sequence, check_str, check_type
from lossgeom.data import NetFile
from lossgeom.display import summary_latex
from lossgeom.errors import DataError, NonDifferentiableError
from lossgeom.net import Net
from lossgeom.numbers import exact_matrix, to_fraction
from lossgeom.point import Pattern
from lossgeom.precision import DEFAULT_DPS

from . import _engine, _fast_hessian
from .backends import exact_capable, select_backend

__all__ = ["Kink", "ForcedPiece", "HessianEvaluation", "evaluate_net", "evaluate_net_file", "loss_value", "gradient",
           "full_hessian", "hvp", "find_kinks", "kink_message", "exact_capable"]


# -- results --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Kink:
    """A pre-activation sitting at a kink of its activation.

    Attributes
    ----------
    layer, unit, sample : int
        1-based layer l, unit i and sample (column of X).
    value : str
        The pre-activation (exactly, e.g. ``"0"``, when ``exact``).
    exact : bool
        True when decided with exact rational arithmetic; False when the pre-activation was only
        known numerically and lies within the working tolerance of the kink.
    order : int
        The smallest derivative order that does not exist there (1 for ReLU, 2 for softsign).

    Examples
    --------
    >>> k = Kink(1, 2, 1, "0", True, 1)
    >>> k.name, str(k)
    ('h1[2]', 'h1[2] (sample 1)')
    """

    layer: int
    unit: int
    sample: int
    value: str
    exact: bool
    order: int

    @property
    def name(self):
        """The unit's name, ``h{l}[{i}]``."""
        return "h%d[%d]" % (self.layer, self.unit)

    def __str__(self):
        return "%s (sample %d)" % (self.name, self.sample)

    def to_dict(self):
        """JSON-ready dict."""
        return {"unit": self.name, "sample": self.sample, "value": self.value, "exact": self.exact,
                "order": self.order}


@dataclass(frozen=True)
class ForcedPiece:
    """A unit whose piece a ``pattern`` fixed, at one sample, beside the piece its value lies in.

    Attributes
    ----------
    layer, unit, sample : int
        1-based.
    piece : int
        The forced piece.
    natural : int or None
        The piece holding the pre-activation's value (None at a kink, where either side is a limit).

    Examples
    --------
    >>> f = ForcedPiece(1, 1, 2, 0, 1)
    >>> str(f), f.departs
    ('h1[1] (sample 2) forced to piece 0, its value lies in piece 1', True)
    """

    layer: int
    unit: int
    sample: int
    piece: int
    natural: object

    @property
    def departs(self):
        """True when the forced piece is not the one the value lies in (the loss is then not the net's)."""
        return self.natural is not None and self.natural != self.piece

    def __str__(self):
        where = "at a kink" if self.natural is None else "its value lies in piece %d" % self.natural
        return "h%d[%d] (sample %d) forced to piece %d, %s" % (self.layer, self.unit, self.sample, self.piece, where)


@dataclass(frozen=True, eq=False)
class HessianEvaluation:
    """Loss, gradient, Botev blocks and full Hessian of a net at one point, at one precision.

    Matrices are ``mpmath.matrix`` rounded to ``dps`` digits, NumPy arrays when ``dps == "float64"``, or
    exact SymPy matrices when ``dps == "exact"``.
    Quantities that do not exist because a pre-activation sits at a kink raise
    :class:`~lossgeom.errors.NonDifferentiableError` listing the kinks.

    Attributes
    ----------
    net : Net
    dps : int or "float64"
    backend : str
        ``"flint"`` (large products in python-flint's arb_mat), ``"mpmath"``, ``"float64"`` or ``"exact"``.
    parameters : tuple of str
        Parameter names in theta's order.
    theta : tuple
        The parameter values (rounded to the working precision).
    n_samples : int
    loss : mpf or float
        sum_s E(z_s, y_s) (divided by m for ``reduction="mean"``) + (weight_decay/2) sum ||W_l||^2.
    kinks : tuple of Kink
    preactivations : tuple
        ``preactivations[s][l-1]`` is h_l for sample s (0-based s), a column.
    forced : tuple of ForcedPiece
        Every (unit, sample) whose piece the ``pattern`` fixed.  When one :attr:`ForcedPiece.departs`, the
        loss and its derivatives are those of the forced pieces, not of the net (:attr:`loss_basis`).

    Notes
    -----
    The number types by ``dps`` (docs/numeric.md): an integer dps gives mpf scalars and
    ``mpmath.matrix`` results; ``"float64"`` gives Python floats and NumPy arrays; ``"exact"`` gives SymPy
    Rationals and ``ImmutableMatrix``.  (:func:`lossgeom.numeric.ball.ball_evaluate` gives arb and arb_mat.)
    """

    net: Net
    dps: object
    backend: str
    parameters: tuple
    theta: tuple
    n_samples: int
    loss: object
    kinks: tuple
    preactivations: tuple
    _gradient: object = None
    _hessian: object = None
    _layer_blocks: tuple = None
    _preactivation_hessians: tuple = None
    forced: tuple = ()

    @property
    def loss_basis(self):
        """``"net"``, or ``"forced pattern (not the net's loss): ..."`` naming the departing units."""
        bad = [str(f) for f in self.forced if f.departs]
        return "net" if not bad else "forced pattern (not the net's loss): " + "; ".join(bad)

    def __repr__(self):
        loss = mpmath.nstr(self.loss, 10) if isinstance(self.loss, mpmath.mpf) else str(self.loss)
        if self.loss_basis != "net":
            loss += " at the forced pattern"
        return ("HessianEvaluation(%s, dps=%r, backend=%r, samples=%d, loss=%s, kinks=%s)"
                % (self.net, self.dps, self.backend, self.n_samples, loss, [str(k) for k in self.kinks]))

    def _repr_latex_(self):
        r"""Jupyter's display: the net, the precision, the loss and the units at a kink.

        Examples
        --------
        >>> ev = evaluate_net(Net(widths=(1, 1, 1), activation="relu"), [[[1]], [[-2]]], X=[[1]], Y=[[0]],
        ...                   dps="exact")
        >>> r"\text{loss } E & 2" in ev._repr_latex_() and r"\text{units at a kink} & \text{none}" in ev._repr_latex_()
        True
        """
        return summary_latex("Hessian evaluation", [
            ("net", str(self.net)), ("precision", self.dps if self.dps != "exact" else "exact (rationals)"),
            ("backend", self.backend), ("parameters", len(self.parameters)), ("samples", self.n_samples),
            (r"\text{loss } E", self.loss), ("loss of", self.loss_basis),
            (r"\text{units at a kink}", ", ".join(self.kink_units) or "none")])

    @property
    def kink_units(self):
        """The names of the units at a kink, in order, without repeats (e.g. ``("h1[2]",)``)."""
        return tuple(dict.fromkeys(k.name for k in self.kinks))

    def _require(self, value, what, order):
        if value is None:
            bad = [k for k in self.kinks if k.order <= order]
            if not bad:
                raise DataError("%s: not computed; call evaluate_net(..., hessian=True)" % what)
            raise NonDifferentiableError(kink_message(self.net, what, bad), kinks=[str(k) for k in bad])
        return value

    @property
    def gradient(self):
        """dE/dtheta (a column, theta's order).

        Notes
        -----
        dE/dW_l = sum_s delta_l a_{l-1}^T (vec stacks columns), dE/db_l = sum_s delta_l, plus
        weight_decay * W_l.
        """
        return self._require(self._gradient, "the gradient", 1)

    @property
    def hessian(self):
        """The full Hessian d2E/dtheta2, every cross-layer block included (theta's order)."""
        return self._require(self._hessian, "the Hessian", 2)

    @property
    def layer_blocks(self):
        """Diagonal blocks by the Botev recursion: ``layer_blocks[l-1]`` = sum_s (a~ a~^T) kron H_l (+ wd on W)."""
        return self._require(self._layer_blocks, "the Hessian", 2)

    @property
    def preactivation_hessians(self):
        """``preactivation_hessians[s][l-1]`` = H_l = d2E_s/dh_l2 for sample s (0-based s)."""
        return self._require(self._preactivation_hessians, "the Hessian", 2)

    def preactivation_hessian(self, l, sample=1):
        """H_l = d2E/dh_l2 of one sample (``l`` and ``sample`` 1-based).

        Examples
        --------
        >>> ev = evaluate_net(Net(widths=(1, 1, 1), activation="tanh"), [[["1/2"]], [[2]]], X=[[1]], Y=[[0]], dps=20)
        >>> print(mpmath.nstr(ev.preactivation_hessian(1)[0, 0], 5))
        1.1304
        """
        self.net.check_layer(l)
        if not (isinstance(sample, int) and 1 <= sample <= self.n_samples):
            raise DataError("sample: expected an integer from 1 to %d, got %r" % (self.n_samples, sample))
        return self.preactivation_hessians[sample - 1][l - 1]

    def layer_block(self, l):
        """The block of layer l (1-based) by the Botev recursion; rows/columns follow ``net.layer_slice(l)``."""
        self.net.check_layer(l)
        return self.layer_blocks[l - 1]


def kink_message(net, what, kinks):
    """The one-line message of a :class:`~lossgeom.errors.NonDifferentiableError` at kinks.

    Parameters
    ----------
    net : Net
    what : str
        The quantity that does not exist, e.g. ``"the Hessian"``.
    kinks : sequence of Kink

    Examples
    --------
    >>> print(kink_message(Net(widths=(1, 1, 1), activation="relu"), "the gradient", [Kink(1, 1, 2, "0", True, 1)]))
    the gradient is undefined: pre-activation h1[1] (sample 2) sits exactly at a kink of relu (a one-sided value is never taken; the Python API's pattern={(l, i): piece} chooses a smooth piece)
    """
    check_net(net)
    check_str(what, "what")
    for k, kink in enumerate(check_sequence(kinks, "kinks")):
        check_type(kink, "kinks[%d]" % k, Kink, "a Kink")
    where = ", ".join(str(k) for k in kinks)
    acts = sorted({net.layer_activation(k.layer).label for k in kinks})
    exact = all(k.exact for k in kinks)
    how = "exactly at" if exact else "at (to the working tolerance)"
    return ("%s is undefined: pre-activation %s sits %s a kink of %s (a one-sided value is never taken; "
            "the Python API's pattern={(l, i): piece} chooses a smooth piece)" % (what, where, how, "/".join(acts)))



# -- public API -----------------------------------------------------------------------------------
def _run(net, weights, biases, X, Y, dps, pattern, backend):
    prob = _engine.prepare(net, weights, biases, X, Y, pattern)
    return prob, select_backend(dps, backend, net)


def _kinks(st):
    return tuple(Kink(*k) for k in st.kinks)


def evaluate_net(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS, pattern=None, backend=None,
                 hessian=True):
    """Loss, gradient, Botev blocks and the full Hessian of a net at exact weights and data.

    Parameters
    ----------
    net : Net
    weights : sequence of matrices
        W_1 .. W_L (SymPy, nested lists of numbers or strings such as ``"1/3"``, NumPy, mpmath); read exactly.
    biases : sequence of vectors, optional
        b_1 .. b_L, required when ``net.bias``.
    X, Y : matrices
        Inputs (d_0 x m) and targets (d_L x m), samples as columns; a flat list is one sample.
    dps : int, "float64" or "exact", default 50
        Decimal digits of the result (the work runs with guard digits); ``"float64"`` for NumPy; ``"exact"``
        for rational arithmetic when the loss is a rational function of the weights (square loss and
        rational activations, see :func:`exact_capable`): results are then SymPy Rationals.
    pattern : dict, optional
        ``{(l, i): piece}``: use that smooth piece of unit i of layer l (1-based), as
        :func:`lossgeom.symbolic.forward.forward_trace` does; such units are never reported as kinks.
    backend : {None, "flint", "mpmath", "float64", "exact"}
        A key of :data:`lossgeom.numeric.backends.BACKENDS`; None picks ``"float64"`` for ``dps="float64"``,
        ``"exact"`` for ``dps="exact"``, else ``"flint"``.
    hessian : bool, default True
        Also compute the full Hessian and the Botev blocks.

    Returns
    -------
    HessianEvaluation
        Immutable; ``.gradient``, ``.hessian``, ``.layer_blocks`` and ``.preactivation_hessians`` raise
        :class:`~lossgeom.errors.NonDifferentiableError` when a pre-activation sits at a kink.

    Raises
    ------
    DataError
        For a missing or malformed weight, bias, input or target (the message names it).

    Examples
    --------
    The micro-example: one tanh unit, x = 1, w1 = 1/2, w2 = 2, y = 0.

    >>> net = Net(widths=(1, 1, 1), activation="tanh")
    >>> ev = evaluate_net(net, [[["1/2"]], [[2]]], X=[[1]], Y=[[0]], dps=30)
    >>> ev
    HessianEvaluation(Net(1-1-1, tanh, square), dps=30, backend='flint', samples=1, loss=0.4271045341, kinks=[])
    >>> ev.parameters
    ('W1[1,1]', 'W2[1,1]')
    >>> print(mpmath.nstr(ev.hessian, 8))
    [1.1304186    1.453724]
    [ 1.453724  0.21355227]
    >>> print(mpmath.nstr(ev.loss, 10), mpmath.nstr(ev.gradient[0], 10), ev.kinks)
    0.4271045341 1.453723963 ()

    Notes
    -----
    Layer blocks by the Botev recursion H_l = B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l; the full Hessian by
    d2E/dW~_k dW~_j = sum_s (a~_{k-1} a~_{j-1}^T) kron sum_{n >= max(k,j)} A_{nk}^T M_n A_{nj} plus the
    bilinear terms delta_l[i] d a_{l-1}[j]/dtheta of h_l = W_l a_{l-1} (A_{nk} = dh_n/dh_k, M_L = H_L,
    M_n = D_n), and weight_decay * I on the weights.  Two computations that share no recursion: the tests
    check that the diagonal blocks of the second equal the first.

    References
    ----------
    Botev, Ritter, Barber, "Practical Gauss-Newton Optimisation for Deep Learning", ICML 2017.
    Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation 6 (1994).
    """
    return _evaluate(net, weights, biases, X, Y, dps, pattern, backend, hessian, hessian)


def _forward(prob, B):
    """The engine's forward pass; a forced piece with a pole at a sample is a DataError naming both."""
    try:
        return _engine.forward(prob, B)
    except ZeroDivisionError:
        raise DataError(_pole_message(prob)) from None


def _pole_message(prob):
    """Which forced piece divides by zero at which sample (exactly, while the forward pass is rational)."""
    net = prob.net
    try:
        exact = _engine._exact_preactivations(prob)
    except ZeroDivisionError:
        exact = _engine._exact_preactivations(_engine.Problem(prob.point, Pattern.from_spec(None, net)))
    for l, h in enumerate(exact, start=1):
        act = net.layer_activation(l)
        for s, h_s in enumerate(h, start=1):
            for i, v in enumerate(h_s, start=1):
                k = prob.pattern.piece(l, i, sample=s)
                forms = [act.rational_form(k, order) for order in range(3)] if k is not None else []
                if any(f is not None and _engine._horner(f[1], v) == 0 for f in forms):
                    return ("pattern: the forced piece %d of %s at unit h%d[%d] has a pole at sample %d "
                            "(h%d[%d] = %s there); force that piece only where it is defined"
                            % (k, act.label, l, i, s, l, i, v))
    return "pattern: a forced piece divides by zero at some sample (units forced: %s)" % prob.pattern


def _forced(prob, st):
    """ForcedPiece records of every (unit, sample) the pattern fixed."""
    net, out = prob.net, []
    if not prob.pattern:
        return ()
    exact = None
    for l in range(1, net.depth + 1):
        act = net.layer_activation(l)
        for s in range(prob.m):
            for i in range(net.widths[l]):
                k = prob.pattern.piece(l, i + 1, sample=s + 1)
                if k is None:
                    continue
                if exact is None:
                    exact = _engine._exact_preactivations(prob)
                if l <= len(exact):
                    natural, hit = _engine._exact_piece(act, exact[l - 1][s][i])
                else:
                    v = st.h[l - 1][s, i]
                    tol = st.B.kink_tolerance(st.h[l - 1])
                    pts = [st.B.scalar(_engine.Fraction(int(c.p), int(c.q))) for c in act.kinks]
                    hit = any(abs(v - c) <= tol for c in pts)
                    natural = sum(1 for c in pts if v > c)
                out.append(ForcedPiece(l, i + 1, s + 1, k, None if hit else natural))
    return tuple(out)


def _evaluate(net, weights, biases, X, Y, dps, pattern, backend, want_hessian, want_blocks):
    prob, B = _run(net, weights, biases, X, Y, dps, pattern, backend)
    with B.context():
        st = _forward(prob, B)
        grad = hess = blocks = pre = None
        if st.order_ok > 1:
            _engine.backward(st)
            grad = B.output(_engine.gradient(st))
        if (want_hessian or want_blocks) and st.order_ok > 2:
            Hs = _engine.preactivation_hessians(st) if want_blocks else [_engine._output_hessian(st)]
            if want_hessian:
                hess = _hessian_output(st, Hs[-1], B)
            if want_blocks:
                blocks = tuple(B.output(b) for b in _engine.layer_blocks(st, Hs))
                pre = tuple(tuple(B.output(Hs[l][s]) for l in range(net.depth)) for s in range(prob.m))
        pre_h = tuple(tuple(B.output(st.h[l][s]) for l in range(net.depth)) for s in range(prob.m))
        theta = tuple(B.output_scalar(v) for v in _engine.theta(prob, B))
        return HessianEvaluation(net=net, dps=B.dps, backend=B.name, parameters=net.parameter_names(),
                                 theta=theta, n_samples=prob.m, loss=B.output_scalar(st.loss), kinks=_kinks(st),
                                 preactivations=pre_h, _gradient=grad, _hessian=hess, _layer_blocks=blocks,
                                 _preactivation_hessians=pre, forced=_forced(prob, st))



def _hessian_output(st, H_L, B):
    """The public full Hessian: the fast paths of :mod:`~lossgeom.numeric._fast_hessian` for float64 and flint,
    the engine's reference kernel for the other backends."""
    if B.name == "float64":
        return _fast_hessian.float64_hessian(st, H_L)
    if B.name == "flint":
        return _fast_hessian.fixed_point_hessian(st, H_L, B.dps)
    return B.output(_engine.full_hessian(st, H_L))


def evaluate_net_file(net_file, dps=DEFAULT_DPS, pattern=None, backend=None, hessian=True):
    """:func:`evaluate_net` at the weights, biases and samples of a :class:`~lossgeom.data.NetFile`.

    Raises
    ------
    DataError
        When the file has no ``weights`` or no ``inputs``/``targets`` (the message names the field).

    Examples
    --------
    >>> from lossgeom import net_file_from_dict
    >>> nf = net_file_from_dict({"widths": [1, 1, 1], "activation": "tanh", "weights": [[["1/2"]], [[2]]],
    ...                          "inputs": [[1]], "targets": [[0]]})
    >>> print(mpmath.nstr(evaluate_net_file(nf, dps=20).hessian[1, 1], 5))
    0.21355
    """
    if not isinstance(net_file, NetFile):
        raise DataError("net_file: expected a NetFile (lossgeom.read_net_file), got %r" % (net_file,))
    if net_file.weights is None:
        raise DataError("weights: the net file has no 'weights'; the Hessian needs a point theta")
    if net_file.inputs is None:
        raise DataError("inputs: the net file has no 'inputs' (and 'targets'); the loss, and so the Hessian, "
                        "needs at least one sample")
    return evaluate_net(net_file.net, net_file.weights, net_file.biases, net_file.inputs, net_file.targets,
                        dps=dps, pattern=pattern, backend=backend, hessian=hessian)


def find_kinks(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS, pattern=None):
    """The pre-activations that sit at a kink of their activation (exactly, where decidable).

    Examples
    --------
    >>> net = Net(widths=(1, 2, 1), activation="relu")
    >>> [str(k) for k in find_kinks(net, [[[1], [-1]], [[1, 1]]], X=[[0]], Y=[[1]])]
    ['h1[1] (sample 1)', 'h1[2] (sample 1)']
    """
    return evaluate_net(net, weights, biases, X, Y, dps=dps, pattern=pattern, hessian=False).kinks


def loss_value(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS, pattern=None):
    """The loss E(theta) (defined at kinks too: every registered activation is continuous).

    Examples
    --------
    >>> print(mpmath.nstr(loss_value(Net(widths=(1, 1)), [[[2]]], X=[[1]], Y=[[0]], dps=20), 5))
    2.0

    A ``pattern`` that forces a piece its value does not lie in would change the loss silently; it is refused
    (:func:`evaluate_net` gives that loss, labelled by ``loss_basis``):

    >>> loss_value(Net(widths=(1, 1, 1), activation="relu"), [[[-1]], [[1]]], X=[[1]], Y=[[2]], pattern={(1, 1): 1})
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: pattern: h1[1] (sample 1) forced to piece 1, its value lies in piece 0; the loss there is not the net's (evaluate_net(..., pattern=...) gives it, labelled by loss_basis)
    """
    prob, B = _run(net, weights, biases, X, Y, dps, pattern, None)
    with B.context():
        st = _forward(prob, B)
        bad = [str(f) for f in _forced(prob, st) if f.departs]
        if bad:
            raise DataError("pattern: %s; the loss there is not the net's (evaluate_net(..., pattern=...) gives it, "
                            "labelled by loss_basis)" % "; ".join(bad))
        return B.output_scalar(st.loss)


def gradient(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS, pattern=None, backend=None):
    """dE/dtheta by backpropagation, in theta's order.

    Raises
    ------
    NonDifferentiableError
        When a pre-activation sits at a kink where f' does not exist.

    Examples
    --------
    >>> g = gradient(Net(widths=(1, 1)), [[[2]]], X=[[1]], Y=[[0]], dps="float64")
    >>> g.tolist()
    [2.0]
    """
    return evaluate_net(net, weights, biases, X, Y, dps=dps, pattern=pattern, backend=backend,
                        hessian=False).gradient


def full_hessian(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS, pattern=None, backend=None):
    """The full Hessian d2E/dtheta2 (all cross-layer blocks), theta's order.

    Raises
    ------
    NonDifferentiableError
        When a pre-activation sits at a kink (listing the units), unless ``pattern`` fixes their pieces.

    Examples
    --------
    >>> net = Net(widths=(1, 1, 1), activation="relu")
    >>> full_hessian(net, [[[1]], [[1]]], X=[[1]], Y=[[0]], dps="float64").tolist()
    [[1.0, 2.0], [2.0, 1.0]]
    >>> full_hessian(net, [[[0]], [[1]]], X=[[1]], Y=[[0]])
    Traceback (most recent call last):
    ...
    lossgeom.errors.NonDifferentiableError: the Hessian is undefined: pre-activation h1[1] (sample 1) sits exactly at a kink of relu (a one-sided value is never taken; the Python API's pattern={(l, i): piece} chooses a smooth piece)
    """
    return _evaluate(net, weights, biases, X, Y, dps, pattern, backend, True, False).hessian


def hvp(net, weights, biases=None, X=None, Y=None, v=None, dps=DEFAULT_DPS, pattern=None):
    """The Hessian-vector product H v by forward-over-reverse differentiation (no Hessian is formed).

    Parameters
    ----------
    v : sequence of numbers
        A direction in theta's order (read exactly, like the weights).

    Returns
    -------
    mpmath.matrix (column) or numpy.ndarray

    Raises
    ------
    NonDifferentiableError
        At a kink (see :func:`full_hessian`).

    Examples
    --------
    >>> net = Net(widths=(1, 1, 1), activation="tanh")
    >>> print(mpmath.nstr(hvp(net, [[["1/2"]], [[2]]], X=[[1]], Y=[[0]], v=[1, 0], dps=20), 6))
    [1.13042]
    [1.45372]

    Notes
    -----
    Pearlmutter's R-operator: R{h_l} = R{W_l} a_{l-1} + W_l R{a_{l-1}} + R{b_l}, R{a_l} = f'(h_l) R{h_l};
    R{delta_L} = g'' R{h_L} dE/dz + g' (d2E/dz2 R{z}); R{delta_l} = f''(h_l) R{h_l} (W^T delta) +
    f'(h_l) (R{W}^T delta + W^T R{delta}); H v = [R{delta_l} a_{l-1}^T + delta_l R{a_{l-1}}^T; R{delta_l}].
    """
    if v is not None:
        check_matrix_like(v, "v")
    prob, B = _run(net, weights, biases, X, Y, dps, pattern, None)
    if v is None:
        raise DataError("v: expected a direction with %d entries (theta's order), got None" % net.n_params)
    vals = [to_fraction(q) for q in exact_matrix(v, "v", (net.n_params, 1))]
    with B.context():
        st = _engine.forward(prob, B)
        if st.order_ok <= 2:
            bad = [k for k in _kinks(st) if k.order <= 2]
            raise NonDifferentiableError(kink_message(net, "the Hessian-vector product", bad),
                                         kinks=[str(k) for k in bad])
        _engine.backward(st)
        vec = np.array([B.scalar(q) for q in vals], dtype=B.dtype)
        return B.output(_engine.hvp(st, vec))
