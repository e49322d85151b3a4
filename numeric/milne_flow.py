"""Milne (2019) section 4 in float64: trajectories of l_lambda, gamma'' by eq. (19), Lemma 8, eq. (20).

A small fully connected ReLU net in NumPy float64 (the experiments are statistics, not proofs; every
exact statement about Milne's sets is in :mod:`lossgeom.numeric.milne`):

* :class:`MLP`: widths, biases or not, a ReLU or identity output, the square loss
  l = (1/2N) sum_i ||z_i - y_i||^2 or softmax cross-entropy l = -(1/N) sum_i log softmax(z_i)[label_i], and
  l_lambda = l + (lambda/2) ||W||^2 (weights only, as lossgeom's Net).  Parameters are one flat vector in
  lossgeom's theta order (per layer vec(W_l), columns stacked, then b_l), so every number can be
  compared with lossgeom's engine (:func:`lossgeom.numeric.evaluate.full_hessian`).
* :meth:`MLP.gamma_dd`: gamma'' = 2 g^T H g (eq. 16) by eq. (19), g^T grad(||g||^2), computed by one
  gradient pass and one forward-over-reverse pass (Pearlmutter's R-operator, the cost of a second
  backpropagation); no Hessian is formed.  ReLU's second derivative is 0 away from kinks.
* :func:`flow_trajectory` (classical RK4 on W' = -grad l_lambda) and :func:`descent_trajectory`, each recording
  gamma = l_lambda, ||g||^2 and gamma'' along the way; :func:`lemma8_check` (Gronwall, eq. 18);
  :func:`loss_fraction` (eq. 20) and :func:`entry_fraction` (Milne's toy measurement);
  :func:`in_U_float` (Definition 2 with theta -> 0, eq. 14).
"""

from dataclasses import dataclass

import numpy as np

from lossgeom.checks import check_bool, check_choice, check_int, check_mapping, check_real, check_sequence, check_type
from lossgeom.errors import DataError

__all__ = ["MLP", "flow_trajectory", "descent_trajectory", "lemma8_check", "loss_fraction", "entry_fraction",
           "in_U_float", "convex_from"]


def _array(value, field, ndim):
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise DataError("%s: expected a numeric array, got %r" % (field, type(value).__name__)) from None
    if out.ndim != ndim or not np.all(np.isfinite(out)):
        raise DataError("%s: expected a finite %d-d array, got shape %s" % (field, ndim, out.shape))
    return out


@dataclass(frozen=True)
class MLP:
    """A float64 ReLU net with a flat parameter vector in lossgeom's theta order.

    Parameters
    ----------
    widths : tuple of int
        (n_0, ..., n_L).
    bias : bool
        Biases on every layer.
    output : {"identity", "relu"}
        The last layer's activation (Milne's toy experiment: identity).
    loss : {"square", "cross_entropy"}
        (1/2N) sum ||z - y||^2, or softmax cross-entropy averaged over the samples (targets one-hot).
    lam : float
        Weight decay lambda: l_lambda = l + (lambda/2) ||W||^2 (weights only).

    Examples
    --------
    >>> net = MLP((1, 2, 1), lam=0.4)
    >>> net.size, [s for s, _ in net.slices()]
    (4, [(2, 1), (1, 2)])
    """

    widths: tuple
    bias: bool = False
    output: str = "identity"
    loss: str = "square"
    lam: float = 0.0

    def __post_init__(self):
        w = tuple(check_int(v, "widths", 1, 4096) for v in check_sequence(self.widths, "widths"))
        if len(w) < 2:
            raise DataError("widths: expected at least an input and an output width, got %s" % (w,))
        object.__setattr__(self, "widths", w)
        check_bool(self.bias, "bias")
        check_choice(self.output, "output", ("identity", "relu"))
        check_choice(self.loss, "loss", ("square", "cross_entropy"))
        lam = float(check_real(self.lam, "lam"))
        if not (lam >= 0 and np.isfinite(lam)):
            raise DataError("lam: expected a finite number >= 0, got %s" % lam)
        object.__setattr__(self, "lam", lam)
        if self.size > 10 ** 7:
            raise DataError("widths: %d parameters is more than this float64 net allows (10^7)" % self.size)

    def slices(self):
        """Per layer ((rows, cols), start) of vec(W_l) in theta, then b_l right after it when ``bias``."""
        out, k = [], 0
        for a, b in zip(self.widths, self.widths[1:]):
            out.append(((b, a), k))
            k += a * b + (b if self.bias else 0)
        return out

    @property
    def size(self):
        """The number of parameters."""
        return sum(a * b + (b if self.bias else 0) for a, b in zip(self.widths, self.widths[1:]))

    def unpack(self, theta):
        """[(W_l, b_l or None)] views of the flat vector (W_l = vec^-1, columns stacked)."""
        layers = []
        for (r, c), k in self.slices():
            W = theta[k:k + r * c].reshape((c, r)).T
            layers.append((W, theta[k + r * c:k + r * c + r] if self.bias else None))
        return layers

    def pack(self, layers):
        """The flat vector of [(W_l, b_l)] (b_l ignored without biases)."""
        parts = []
        for W, b in layers:
            parts.append(np.asarray(W, dtype=float).T.ravel())
            if self.bias:
                parts.append(np.asarray(b, dtype=float).ravel())
        return np.concatenate(parts)

    def torch_init(self, rng):
        """PyTorch's default nn.Linear initialisation: every entry uniform on (-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        check_type(rng, "rng", np.random.Generator, "a numpy Generator (np.random.default_rng(seed))")
        layers = []
        for a, b in zip(self.widths, self.widths[1:]):
            s = 1.0 / np.sqrt(a)
            layers.append((rng.uniform(-s, s, size=(b, a)), rng.uniform(-s, s, size=b)))
        return self.pack(layers)

    def _check(self, theta, X, Y):
        theta = _array(theta, "theta", 1)
        if theta.size != self.size:
            raise DataError("theta: expected %d parameters, got %d" % (self.size, theta.size))
        X, Y = _array(X, "X", 2), _array(Y, "Y", 2)
        if X.shape[0] != self.widths[0] or Y.shape != (self.widths[-1], X.shape[1]) or X.shape[1] == 0:
            raise DataError("X, Y: expected %d x N inputs and %d x N targets, N >= 1, got %s and %s"
                            % (self.widths[0], self.widths[-1], X.shape, Y.shape))
        return theta, X, Y

    def _forward(self, layers, X):
        acts, masks = [X], []
        for k, (W, b) in enumerate(layers):
            h = W @ acts[-1] + (b[:, None] if b is not None else 0.0)
            relu = k < len(layers) - 1 or self.output == "relu"
            m = (h > 0).astype(float) if relu else np.ones_like(h)
            masks.append(m)
            acts.append(h * m)
        return acts, masks

    def _out_grad(self, z, Y):
        N = Y.shape[1]
        if self.loss == "square":
            r = z - Y
            return 0.5 * float(np.sum(r * r)) / N, r / N, None
        s = z - z.max(axis=0)
        p = np.exp(s)
        p /= p.sum(axis=0)
        loss = -float(np.sum(Y * (s - np.log(np.exp(s).sum(axis=0))))) / N
        return loss, (p * Y.sum(axis=0) - Y) / N, p

    def _backward(self, layers, acts, masks, dz):
        grads, d = [None] * len(layers), dz * masks[-1]
        for k in range(len(layers) - 1, -1, -1):
            W = layers[k][0]
            grads[k] = (d @ acts[k].T + self.lam * W, d.sum(axis=1))
            if k:
                d = (W.T @ d) * masks[k - 1]
        return grads, d

    def loss_grad(self, theta, X, Y):
        """(l_lambda, gradient) at theta on the samples (columns of X, Y).

        Examples
        --------
        >>> net = MLP((1, 1, 1), lam=0.0)
        >>> net.loss_grad([1.0, 2.0], [[1.0]], [[0.0]])
        (2.0, array([4., 2.]))
        """
        theta, X, Y = self._check(theta, X, Y)
        return self._loss_grad(theta, X, Y)[:2]

    def _loss_grad(self, theta, X, Y):
        layers = self.unpack(theta)
        acts, masks = self._forward(layers, X)
        loss, dz, p = self._out_grad(acts[-1], Y)
        grads, _ = self._backward(layers, acts, masks, dz)
        loss += 0.5 * self.lam * sum(float(np.sum(W * W)) for W, _ in layers)
        return loss, self.pack(grads), (layers, acts, masks, dz, p)

    def hvp(self, theta, v, X, Y):
        """H(l_lambda) v by the R-operator (forward-over-reverse), no Hessian formed.

        Examples
        --------
        >>> MLP((1, 1, 1)).hvp([1.0, 2.0], [1.0, 0.0], [[1.0]], [[0.0]])
        array([4., 4.])
        """
        theta, X, Y = self._check(theta, X, Y)
        v = _array(v, "v", 1)
        if v.size != self.size:
            raise DataError("v: expected %d entries, got %d" % (self.size, v.size))
        return self._hvp(theta, v, X, Y, self._loss_grad(theta, X, Y)[2])

    def _hvp(self, theta, v, X, Y, state):
        layers, acts, masks, dz, p = state
        V = self.unpack(v)
        r_acts = [np.zeros_like(X)]
        for k, ((W, _), (VW, Vb)) in enumerate(zip(layers, V)):
            rh = VW @ acts[k] + W @ r_acts[k] + (Vb[:, None] if Vb is not None else 0.0)
            r_acts.append(rh * masks[k])
        rz, N = r_acts[-1], Y.shape[1]
        if self.loss == "square":
            rdz = rz / N
        else:
            rdz = p * (rz - np.sum(p * rz, axis=0)) * Y.sum(axis=0) / N
        out, d, rd = [None] * len(layers), dz * masks[-1], rdz * masks[-1]
        for k in range(len(layers) - 1, -1, -1):
            W, VW = layers[k][0], V[k][0]
            out[k] = (rd @ acts[k].T + d @ r_acts[k].T + self.lam * VW, rd.sum(axis=1))
            if k:
                d, rd = (W.T @ d) * masks[k - 1], (VW.T @ d + W.T @ rd) * masks[k - 1]
        return self.pack(out)

    def gamma_dd(self, theta, X, Y):
        """(gamma'', ||g||^2, l_lambda): gamma'' = g^T grad(||g||^2) = 2 g^T H g (eqs. 16, 19), by two passes.

        Examples
        --------
        >>> MLP((1, 1, 1)).gamma_dd([1.0, 2.0], [[1.0]], [[0.0]])
        (264.0, 20.0, 2.0)
        """
        theta, X, Y = self._check(theta, X, Y)
        loss, g, state = self._loss_grad(theta, X, Y)
        return 2.0 * float(g @ self._hvp(theta, g, X, Y, state)), float(g @ g), loss


def _masks_key(net, theta, X):
    _, masks = net._forward(net.unpack(theta), X)
    return hash(b"".join(np.packbits(m > 0).tobytes() for m in masks))


def flow_trajectory(net, theta0, X, Y, t_end, steps):
    """Integrate W' = -grad l_lambda(W) from theta0 by classical RK4 (``steps`` equal steps up to ``t_end``).

    Returns a dict of arrays: ``t``, ``theta`` (steps+1 x size), ``gamma`` (l_lambda), ``g2`` (||g||^2),
    ``gdd`` (gamma'' by eq. 19) and ``pattern_change`` (True where the switch pattern differs from the
    previous point's).

    Examples
    --------
    >>> tr = flow_trajectory(MLP((1, 1, 1), lam=0.1), [0.5, 0.5], [[1.0]], [[1.0]], 1.0, 20)
    >>> bool(tr["gamma"][-1] < tr["gamma"][0]), tr["theta"].shape
    (True, (21, 2))
    """
    net = check_type(net, "net", MLP, "an MLP")
    theta, X, Y = net._check(theta0, X, Y)
    steps = check_int(steps, "steps", 1, 10 ** 6)
    t_end = float(check_real(t_end, "t_end"))
    if not 0 < t_end < 1e9:
        raise DataError("t_end: expected a time from 0 to 10^9, got %s" % t_end)
    dt = t_end / steps

    def f(th):
        return -net._loss_grad(th, X, Y)[1]

    thetas = [theta]
    for _ in range(steps):
        k1 = f(theta)
        k2 = f(theta + 0.5 * dt * k1)
        k3 = f(theta + 0.5 * dt * k2)
        k4 = f(theta + dt * k3)
        theta = theta + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        thetas.append(theta)
    return _record(net, np.linspace(0.0, t_end, steps + 1), np.array(thetas), X, Y)


def _record(net, t, thetas, X, Y):
    rows = np.array([net.gamma_dd(th, X, Y) for th in thetas])
    keys = [_masks_key(net, th, X) for th in thetas]
    change = np.array([False] + [a != b for a, b in zip(keys, keys[1:])])
    return {"t": t, "theta": thetas, "gdd": rows[:, 0], "g2": rows[:, 1], "gamma": rows[:, 2],
            "pattern_change": change}


def descent_trajectory(net, theta0, X, Y, eta, steps, record=True):
    """theta_{k+1} = theta_k - eta grad l_lambda(theta_k), ``steps`` times (full batch).

    Returns a dict: ``theta`` (last), ``gamma`` (l_lambda at every iterate), ``loss`` (l without the decay),
    and, when ``record``, ``thetas`` (every iterate) and ``gdd``, ``g2`` as in :func:`flow_trajectory`.

    Examples
    --------
    >>> out = descent_trajectory(MLP((1, 1, 1), lam=0.1), [0.5, 0.5], [[1.0]], [[1.0]], 0.1, 50, record=False)
    >>> bool(out["gamma"][-1] < out["gamma"][0]), len(out["gamma"])
    (True, 51)
    """
    net = check_type(net, "net", MLP, "an MLP")
    theta, X, Y = net._check(theta0, X, Y)
    steps, record = check_int(steps, "steps", 0, 10 ** 7), check_bool(record, "record")
    eta = float(check_real(eta, "eta"))
    if not 0 < eta < 1e6:
        raise DataError("eta: expected a step size from 0 to 10^6, got %s" % eta)
    gammas, losses, thetas = [], [], [theta]
    decay = 0.5 * net.lam
    for _ in range(steps + 1):
        gamma, g, _ = net._loss_grad(theta, X, Y)
        gammas.append(gamma)
        losses.append(gamma - decay * sum(float(np.sum(W * W)) for W, _ in net.unpack(theta)))
        if len(gammas) <= steps:
            theta = theta - eta * g
            if record:
                thetas.append(theta)
    out = {"theta": theta, "gamma": np.array(gammas), "loss": np.array(losses)}
    if record:
        rec = _record(net, np.arange(steps + 1, dtype=float), np.array(thetas), X, Y)
        out.update(thetas=rec["theta"], gdd=rec["gdd"], g2=rec["g2"])
    return out


def lemma8_check(flow):
    """Lemma 8 (eq. 18) on a recorded flow, up to the first switch-pattern change (where gamma is C^2).

    With C = min gamma''/||g||^2 over the recorded points of [0, t*]: the largest
    log(||g(t)||^2 / ||g(0)||^2) + C t (Gronwall: <= 0 up to the integration error), and the residual of the
    identity log ||g(t)||^2 - log ||g(0)||^2 = -int_0^t gamma''/||g||^2 (trapezoid rule).

    Examples
    --------
    >>> fl = flow_trajectory(MLP((1, 1, 1), lam=1.0), [0.5, 0.5], [[1.0]], [[1.0]], 2.0, 200)
    >>> out = lemma8_check(fl)
    >>> out["excess"] <= 0, out["identity"] < 1e-4, round(out["C"], 6)
    (True, True, 0.75)
    """
    flow = check_mapping(flow, "flow")
    missing = [k for k in ("t", "g2", "gdd", "pattern_change") if k not in flow]
    if missing:
        raise DataError("flow: expected a recorded flow (flow_trajectory), missing %s" % missing)
    t, g2, gdd, change = (_array(flow[k], "flow[%r]" % k, 1) for k in ("t", "g2", "gdd", "pattern_change"))
    if not len(t) == len(g2) == len(gdd) == len(change):
        raise DataError("flow: expected arrays of one length")
    change = change > 0
    end = int(np.argmax(change)) if change.any() else len(t)
    t, g2, gdd = t[:end], g2[:end], gdd[:end]
    ok = g2 > 0
    if not ok.all():
        end = int(np.argmin(ok))
        t, g2, gdd = t[:end], g2[:end], gdd[:end]
    if len(t) < 2:
        raise DataError("flow: fewer than two points before the first switch change or a zero gradient")
    ratio = gdd / g2
    C = float(ratio.min())
    logg = np.log(g2 / g2[0])
    integral = np.concatenate([[0.0], np.cumsum(0.5 * (ratio[1:] + ratio[:-1]) * np.diff(t))])
    return {"C": C, "t_star": float(t[-1]), "points": len(t), "excess": float(np.max(logg + C * (t - t[0]))),
            "identity": float(np.max(np.abs(logg + integral)))}


def loss_fraction(gamma, t0):
    """Eq. (20): (gamma(t0) - gamma(t1)) / (gamma(0) - gamma(t1)), t1 the last index; 0 when t0 is None.

    Examples
    --------
    >>> loss_fraction([3.0, 2.0, 1.0], 1), loss_fraction([3.0, 2.0, 1.0], None)
    (0.5, 0.0)
    """
    gamma = _array(gamma, "gamma", 1)
    if t0 is None:
        return 0.0
    t0 = check_int(t0, "t0", 0, len(gamma) - 1)
    total = gamma[0] - gamma[-1]
    if not total > 0:
        return float("nan")
    return float((gamma[t0] - gamma[-1]) / total)


def entry_fraction(gamma, inside):
    """Milne's toy measurement: eq. (20) with t0 the first iterate in U(lambda) (``inside`` per iterate).

    Examples
    --------
    >>> entry_fraction([4.0, 3.0, 2.0, 0.0], [False, False, True, True])
    0.5
    """
    gamma = _array(gamma, "gamma", 1)
    if not isinstance(inside, np.ndarray):
        inside = check_sequence(inside, "inside")
    inside = np.asarray(inside)
    if inside.shape != gamma.shape or inside.dtype != bool:
        raise DataError("inside: expected %d booleans (one per iterate), got shape %s of %s"
                        % (gamma.size, inside.shape, inside.dtype))
    idx = np.flatnonzero(inside)
    return loss_fraction(gamma, int(idx[0]) if idx.size else None)


def convex_from(gdd):
    """t0 of eq. (20): the first index after which gamma'' > 0 at every recorded point (None if the last is not).

    Examples
    --------
    >>> convex_from([-1.0, 2.0, -0.5, 1.0, 3.0]), convex_from([1.0, -1.0])
    (3, None)
    """
    gdd = _array(gdd, "gdd", 1)
    bad = np.flatnonzero(~(gdd > 0))
    if not bad.size:
        return 0
    return None if bad[-1] == len(gdd) - 1 else int(bad[-1] + 1)


def in_U_float(net, theta, X, Y, r):
    """Definition 2 with theta -> 0 (eq. 14) in float64: l^(1/2) |||W|||^(H-1) < lambda / (sqrt 2 H(H+1) r).

    H = the hidden layers (``len(widths) - 2``); |||W||| the largest spectral norm; ``l`` without the decay.

    Examples
    --------
    >>> net = MLP((1, 2, 1), lam=0.4)
    >>> in_U_float(net, [0.0, 0.0, 0.0, 0.0], [[1.0]], [[0.1]], 1.0), in_U_float(net, [0.0] * 4, [[1.0]], [[1.0]], 1.0)
    (True, False)
    """
    net = check_type(net, "net", MLP, "an MLP")
    theta, X, Y = net._check(theta, X, Y)
    r = float(check_real(r, "r"))
    if not r > 0:
        raise DataError("r: expected an input-norm bound r > 0, got %s" % r)
    H = len(net.widths) - 2
    if H < 1:
        raise DataError("net: expected at least one hidden layer")
    layers = net.unpack(theta)
    loss = net._loss_grad(theta, X, Y)[0] - 0.5 * net.lam * sum(float(np.sum(W * W)) for W, _ in layers)
    norm = max(float(np.linalg.norm(W, 2)) for W, _ in layers)
    return bool(np.sqrt(max(loss, 0.0)) * norm ** (H - 1) < net.lam / (np.sqrt(2) * H * (H + 1) * r))
