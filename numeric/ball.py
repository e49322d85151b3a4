"""Ball-arithmetic evaluation: loss, gradient, Botev blocks and the full Hessian as certified balls.

:func:`ball_evaluate` runs the kernels of :mod:`lossgeom.numeric._engine` (forward pass, backprop, the
Botev recursion, the full Hessian) in python-flint's ``arb`` through :class:`BallBackend`: every number is
a ball proved to contain the true value.  The weights and data are exact rationals (balls of radius 0
where dyadic, else a rounding radius); tanh, sigmoid, softplus, exp and log1p (cross-entropy) are flint's
certified functions, so every entry of the result contains the exact real number.

Kinks.  While the forward pass is rational the pieces are decided exactly (as in the mp engine).  After
a transcendental layer a pre-activation whose ball excludes the kink is on a decided side; one whose ball
contains the kink is retried with the whole evaluation at doubled precision, up to ``max_dps`` digits
(default 1000); what is still undecided is then tested exactly (SymPy: the pre-activation as a closed
form, simplified to 0 means exactly at the kink) and otherwise reported as undecided, never guessed.
"""

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from flint import arb, arb_mat, ctx, fmpq

from lossgeom.activations import X as _X
from lossgeom.checks import check_int
from lossgeom.errors import DataError, NonDifferentiableError
from lossgeom.precision import DEFAULT_DPS, check_dps

from . import _engine
from .backends import Backend

__all__ = ["BallBackend", "BallEvaluation", "ball_evaluate", "ball_evaluate_net_file", "bits_for"]

#: Guard bits carried beyond the requested digits.
GUARD_BITS = 40
#: Default cap of the kink retries, in decimal digits.
MAX_KINK_DPS = 1000


def bits_for(dps):
    """Working bits for ``dps`` decimal digits plus :data:`GUARD_BITS`.

    Examples
    --------
    >>> bits_for(50)
    207
    """
    dps = check_int(dps, "dps", 1)
    return int(dps * 3.3219280948873623) + 1 + GUARD_BITS


def _arb_of(q):
    q = Fraction(q)
    return arb(fmpq(q.numerator, q.denominator))


class BallBackend(Backend):
    """python-flint ``arb`` balls at ``bits`` of working precision (object arrays of arb).

    Examples
    --------
    >>> from lossgeom import get_activation
    >>> B = BallBackend(100)
    >>> with B.context():
    ...     d = B.piece(get_activation("tanh"), 0, 1, np.array([B.scalar(Fraction(1, 2))], dtype=object))[0]
    ...     print(d.str(20, radius=False), d.rad() < arb(2) ** -95)
    0.78644773296592741015 True
    """

    name = "ball"

    def __init__(self, bits):
        self.bits = check_int(bits, "bits", 16)
        self.dps = max(1, int((bits - GUARD_BITS) / 3.33))
        self.one = arb(1)
        self.zero = arb(0)

    def scalar(self, q):
        return _arb_of(q)

    def elementwise(self, function, a):
        out = np.empty(np.shape(a), dtype=object)
        flat_in, flat_out = np.ravel(a), out.reshape(-1)
        for n, v in enumerate(flat_in):
            flat_out[n] = getattr(v, function)()
        return out

    def piece(self, act, k, order, values):
        fn = _ball_form(act, k, order)
        out = np.empty(np.shape(values), dtype=object)
        flat_in, flat_out = np.ravel(values), out.reshape(-1)
        for n, v in enumerate(flat_in):
            flat_out[n] = fn(v)
        return out

    def kink_tolerance(self, h):
        raise DataError("backend: the ball backend decides kinks by ball inclusion and has no tolerance")

    def convert(self, v):
        """An arb holding the exact number ``v`` (int, Fraction, SymPy Rational, float).

        Examples
        --------
        >>> BallBackend(64).convert(sp.Rational(1, 4))
        0.250000000000000
        """
        if isinstance(v, sp.Rational):
            return arb(fmpq(int(v.p), int(v.q)))
        if isinstance(v, (int, Fraction, np.integer)):
            return _arb_of(v)
        if isinstance(v, (float, arb)):
            return arb(v)
        raise DataError("value: expected an exact number for the ball backend, got %r" % (v,))

    def matmul(self, A, B, native=False):
        if A.ndim == 2 and B.ndim == 2:
            if A.shape[1] == 0 or A.size * B.shape[1] < 4000:
                return np.matmul(A, B) if A.shape[1] else np.full((A.shape[0], B.shape[1]), arb(0), dtype=object)
            return _arb_matmul(A, B)
        A3 = A if A.ndim == 3 else np.broadcast_to(A, (B.shape[0],) + A.shape)
        B3 = B if B.ndim == 3 else np.broadcast_to(B, (A.shape[0],) + B.shape)
        return np.stack([self.matmul(a, b) for a, b in zip(A3, B3)])

    def output(self, A, rounded=True):
        """An ``arb_mat`` (a column for a vector)."""
        A = np.asarray(A, dtype=object)
        rows = A.tolist() if A.ndim == 2 else [[v] for v in A]
        return arb_mat(rows) if rows and rows[0] else arb_mat(len(rows), 0)

    def output_scalar(self, v, rounded=True):
        return arb(v)

    def context(self):
        """flint's working precision set to :attr:`bits`."""
        return ctx.workprec(self.bits)


def _arb_matmul(A, B):
    C = arb_mat(A.tolist()) * arb_mat(B.tolist())
    out = np.empty((A.shape[0], B.shape[1]), dtype=object)
    out[:] = C.tolist()
    return out


# -- certified piece forms -------------------------------------------------------------------------
def _sig(x):
    return 1 / (1 + (-x).exp())


_STABLE = {
    ("tanh", 1): lambda x: x.sech() ** 2,
    ("tanh", 2): lambda x: -2 * x.tanh() * x.sech() ** 2,
    ("sigmoid", 0): _sig,
    ("sigmoid", 1): lambda x: _sig(x) * _sig(-x),
    ("sigmoid", 2): lambda x: _sig(x) * _sig(-x) * (_sig(-x) - _sig(x)),
    ("softplus", 0): lambda x: x.exp().log1p(),
    ("softplus", 1): _sig,
    ("softplus", 2): lambda x: _sig(x) * _sig(-x),
}
_FORMS = {}


def _ball_form(act, k, order):
    """The ``order``-th derivative of piece ``k`` as a function arb -> arb (certified by flint)."""
    key = (act, k, order)
    if key not in _FORMS:
        stable = _STABLE.get((act.name, order)) if len(act.pieces) == 1 else None
        if stable is not None:
            _FORMS[key] = stable
        else:
            expr = sp.diff(act.pieces[k].expr, _X, order) if order else act.pieces[k].expr
            _FORMS[key] = lambda x, e=expr: _eval_arb(e, x)
    return _FORMS[key]


_FUNCS = {sp.exp: "exp", sp.log: "log", sp.tanh: "tanh", sp.Abs: "__abs__", sp.sqrt: "sqrt"}


def _eval_arb(expr, x):
    """A SymPy expression in the activation variable, evaluated in ball arithmetic (exact constants)."""
    if expr == _X:
        return x
    if expr.is_Rational:
        return arb(fmpq(int(expr.p), int(expr.q)))
    if expr.is_Add:
        return sum((_eval_arb(a, x) for a in expr.args), arb(0))
    if expr.is_Mul:
        out = arb(1)
        for a in expr.args:
            out = out * _eval_arb(a, x)
        return out
    if expr.is_Pow:
        base, e = _eval_arb(expr.args[0], x), expr.args[1]
        if e.is_Integer:
            return base ** int(e) if int(e) >= 0 else 1 / base ** (-int(e))
        if e == sp.Rational(1, 2):
            return base.sqrt()
        if e == sp.Rational(-1, 2):
            return 1 / base.sqrt()
        return (_eval_arb(e, x) * base.log()).exp()
    for f, name in _FUNCS.items():
        if expr.func == f:
            return getattr(_eval_arb(expr.args[0], x), name)()
    raise DataError("activation: no certified ball form for %s" % expr)


# -- the forward pass with ball-decided kinks ------------------------------------------------------
def _forward(prob, B):
    """:func:`lossgeom.numeric._engine.forward` with kinks decided by ball inclusion.

    Returns (State, undecided) with ``undecided`` the (layer, unit, sample) whose ball holds a kink.
    """
    net, L = prob.net, prob.net.depth
    st = _engine.State(prob, B, [B.array(W) for W in prob.W], [B.vector(b) for b in prob.b], [B.array(prob.X)])
    kinks, undecided = [], []
    has_kinks = any(net.layer_activation(l).kinks for l in range(1, L + 1))
    exact = _engine._exact_preactivations(prob) if has_kinks else []
    for l in range(1, L + 1):
        h = B.matmul(st.a[-1], st.W[l - 1].T) + st.b[l - 1][None, :]
        act = net.layer_activation(l)
        pieces = _classify(act, l, h, exact[l - 1] if l <= len(exact) else None, prob, kinks, undecided)
        F = [B.full(h.shape) for _ in range(3)]
        for k in range(len(act.pieces)):
            mask = pieces == k
            if mask.any():
                for order in range(3):
                    F[order][mask] = B.piece(act, k, order, h[mask])
        st.h.append(h)
        st.a.append(F[0])
        st.F1.append(F[1])
        st.F2.append(F[2])
        st.pieces = getattr(st, "pieces", []) + [pieces]
    st.kinks = tuple(sorted(kinks, key=lambda k: (k[2], k[0], k[1])))
    st.order_ok = min((k[5] for k in st.kinks), default=3)
    if not undecided:
        st.loss, st.gE, st.HE = _engine._loss(st)
    return st, undecided


def _classify(act, l, h, exact_h, prob, kinks, undecided):
    """Piece index per (sample, unit): forced, exact, or by a ball that excludes every kink."""
    m, d = h.shape
    pieces = np.zeros((m, d), dtype=int)
    if not act.kinks:
        return pieces
    points = [arb(fmpq(int(c.p), int(c.q))) for c in act.kinks]
    for s in range(m):
        for i in range(d):
            k = prob.pattern.piece(l, i + 1, sample=s + 1)
            if k is None and exact_h is not None:
                k, hit = _engine._exact_piece(act, exact_h[s][i])
                if hit:
                    kinks.append((l, i + 1, s + 1, str(exact_h[s][i]), True, act.kink_order))
            elif k is None:
                v = h[s, i]
                if any(v.contains(c) for c in points):
                    undecided.append((l, i + 1, s + 1))
                    k = 0
                else:
                    k = sum(1 for c in points if v > c)
            pieces[s, i] = k
    return pieces


def _exact_at_kink(prob, pieces, l, i, s):
    """True when SymPy proves pre-activation h_l[i] of sample s equals a kink (the pieces before it fixed)."""
    net = prob.net
    a = [sp.Rational(v.numerator, v.denominator) for v in prob.X[s - 1]]
    for n in range(1, l + 1):
        W, b = prob.W[n - 1], prob.b[n - 1]
        h = [sp.Add(*[sp.Rational(W[r][j].numerator, W[r][j].denominator) * a[j] for j in range(len(a))])
             + sp.Rational(b[r].numerator, b[r].denominator) for r in range(len(W))]
        if n == l:
            act = net.layer_activation(l)
            return any(sp.simplify(h[i - 1] - c) == 0 for c in act.kinks)
        act = net.layer_activation(n)
        a = [act.pieces[int(pieces[n - 1][s - 1, r])].expr.subs(_X, h[r]) for r in range(len(h))]
    return False


@dataclass(frozen=True)
class BallEvaluation:
    """The loss, gradient, Botev blocks and full Hessian of a net, every entry a certified ``arb`` ball.

    Attributes
    ----------
    net : Net
    bits : int
        The working precision that decided every kink (raised from the requested one when needed).
    loss : arb
    gradient : arb_mat
        A column, theta's order (None at a kink).
    hessian : arb_mat
        The full Hessian (None at a kink, or when not asked for).
    layer_blocks : tuple of arb_mat
        The Botev blocks, one per layer.
    kinks : tuple of Kink
        Pre-activations exactly at a kink (decided exactly).
    parameters : tuple of str
    pieces : dict
        ``{(s, l, i): piece}`` (sample, layer, unit) for every unit of a layer with kinks, as decided here (certified or exact):
        a ``pattern`` that lets another engine follow these decisions.
    """

    net: object
    bits: int
    loss: object
    gradient: object
    hessian: object
    layer_blocks: tuple
    kinks: tuple
    parameters: tuple
    pieces: dict = None

    def __repr__(self):
        return "BallEvaluation(%s, bits=%d, loss=%s, kinks=%s)" % (self.net, self.bits, self.loss,
                                                                  [str(k) for k in self.kinks])


def ball_evaluate(net, weights, biases=None, X=None, Y=None, dps=DEFAULT_DPS, pattern=None, hessian=True,
                  max_dps=MAX_KINK_DPS):
    """Certified balls of the loss, gradient, Botev blocks and full Hessian (see the module notes).

    Parameters
    ----------
    net, weights, biases, X, Y, pattern
        As for :func:`lossgeom.numeric.evaluate.evaluate_net` (read exactly).
    dps : int
        Digits to aim at: the balls are about 10^-dps wide relative to the entries.
    hessian : bool, default True
    max_dps : int, default 1000
        Cap of the precision raised to decide a pre-activation whose ball holds a kink.

    Returns
    -------
    BallEvaluation

    Raises
    ------
    NonDifferentiableError
        When a pre-activation stays undecided at ``max_dps`` digits and no exact check decides it (the
        message says "undecided"); a pre-activation decided exactly at a kink is reported in ``kinks`` and
        the gradient / Hessian are then None.

    Examples
    --------
    >>> from lossgeom import Net
    >>> ev = ball_evaluate(Net(widths=(1, 1, 1), activation="tanh"), [[["1/2"]], [[2]]], X=[[1]], Y=[[0]], dps=30)
    >>> ev.bits, ev.hessian[0, 0].rad() < arb(10) ** -30
    (140, True)
    >>> print(ev.hessian[0, 0].str(10, radius=False))
    1.130418577
    """
    dps = check_dps(dps)
    if not isinstance(dps, int):
        raise DataError("dps: expected an integer number of digits for ball arithmetic, got %r" % (dps,))
    max_dps = check_int(max_dps, "max_dps", dps)
    prob = _engine.prepare(net, weights, biases, X, Y, pattern)
    bits, cap = bits_for(dps), bits_for(max_dps)
    while True:
        B = BallBackend(bits)
        with B.context():
            st, undecided = _forward(prob, B)
        if not undecided or bits >= cap:
            break
        bits = min(2 * bits, cap)
    if undecided:
        _decide_exactly(prob, st, undecided)
    with B.context():
        return _finish(prob, B, st, hessian)


def _decide_exactly(prob, st, undecided):
    """Settle balls that still hold a kink: exactly at it (SymPy) or raise "undecided"."""
    still = []
    for l, i, s in undecided:
        act = prob.net.layer_activation(l)
        if _exact_at_kink(prob, st.pieces, l, i, s):
            st.kinks = st.kinks + ((l, i, s, "0 (decided exactly)", True, act.kink_order),)
        else:
            still.append("h%d[%d] (sample %d)" % (l, i, s))
    if still:
        raise NonDifferentiableError(
            "undecided: pre-activation %s stays within the ball of a kink at %d bits and no exact check "
            "decides it; the piece is never guessed (raise max_dps, or fix it with pattern={(l, i): piece})"
            % (", ".join(still), st.B.bits), kinks=still)
    st.kinks = tuple(sorted(st.kinks, key=lambda k: (k[2], k[0], k[1])))
    st.order_ok = min((k[5] for k in st.kinks), default=3)
    with st.B.context():
        st.loss, st.gE, st.HE = _engine._loss(st)


def _finish(prob, B, st, want_hessian):
    from .evaluate import Kink
    grad = hess = None
    blocks = ()
    if st.order_ok > 1:
        _engine.backward(st)
        grad = B.output(_engine.gradient(st))
    if want_hessian and st.order_ok > 2:
        Hs = _engine.preactivation_hessians(st)
        hess = B.output(_engine.full_hessian(st, Hs[-1]))
        blocks = tuple(B.output(b) for b in _engine.layer_blocks(st, Hs))
    at = {(k[0], k[1], k[2]) for k in st.kinks}
    pieces = {(s + 1, l, i + 1): int(P[s, i]) for l, P in enumerate(st.pieces, start=1)
              if prob.net.layer_activation(l).kinks for s in range(P.shape[0]) for i in range(P.shape[1])
              if (l, i + 1, s + 1) not in at}  # Pattern's keys are (sample, layer, unit)
    return BallEvaluation(net=prob.net, bits=B.bits, loss=arb(st.loss), gradient=grad, hessian=hess,
                          layer_blocks=blocks, kinks=tuple(Kink(*k) for k in st.kinks),
                          parameters=prob.net.parameter_names(), pieces=pieces)


def ball_evaluate_net_file(net_file, dps=DEFAULT_DPS, hessian=True, pattern=None):
    """:func:`ball_evaluate` at a net file's weights, biases and samples.

    Examples
    --------
    >>> from lossgeom import net_file_from_dict
    >>> nf = net_file_from_dict({"widths": [1, 1, 1], "activation": "tanh", "weights": [[["1/2"]], [[2]]],
    ...                          "inputs": [[1]], "targets": [[0]]})
    >>> print(ball_evaluate_net_file(nf, dps=20).hessian[1, 1].str(5, radius=False))
    0.21355
    """
    from lossgeom.data import NetFile
    if not isinstance(net_file, NetFile):
        raise DataError("net_file: expected a NetFile (lossgeom.read_net_file), got %r" % (net_file,))
    if net_file.weights is None or net_file.inputs is None:
        raise DataError("weights: the net file needs 'weights', 'inputs' and 'targets' for the Hessian")
    return ball_evaluate(net_file.net, net_file.weights, net_file.biases, net_file.inputs, net_file.targets,
                         dps=dps, hessian=hessian, pattern=pattern)
