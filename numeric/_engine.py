"""The kernels of the numeric engine: forward pass, backprop, Botev blocks, full Hessian and HVPs.

They run on one :class:`State` (a point of a net, in one :class:`~lossgeom.numeric.backends.Backend`),
built by :func:`forward` and completed by :func:`backward`; samples are the rows of every array.
The formulas are written out in :mod:`lossgeom.numeric.evaluate`, whose public functions call these.
Kinks are recorded as plain tuples ``(layer, unit, sample, value, exact, order)``; the public
layer turns them into :class:`~lossgeom.numeric.evaluate.Kink` records.
"""

from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import numpy as np

from lossgeom.errors import DataError
from lossgeom.net import Net
from lossgeom.point import Pattern, Point, resolve_point

from .backends import Backend, _horner


# -- exact input ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """A :class:`~lossgeom.point.Point` with data and a :class:`~lossgeom.point.Pattern`, read as
    Fractions by the kernels (``W``, ``b``, ``X``, ``Y``: lists of rows, samples as rows of ``X``)."""

    point: Point
    pattern: Pattern

    @property
    def net(self):
        return self.point.net

    @property
    def W(self):
        return self.point.fractions()[0]

    @property
    def b(self):
        return self.point.fractions()[1]

    @property
    def X(self):
        return self.point.fractions()[2]

    @property
    def Y(self):
        return self.point.fractions()[3]

    @property
    def m(self):
        return self.point.n_samples


def prepare(net, weights, biases, X, Y, pattern):
    """The :class:`Problem` for a net at weights (or a Point) and data, every input checked once."""
    if not isinstance(net, Net):
        raise DataError("net: expected a lossgeom Net, got %r" % (net,))
    if net.activation.generic or net.output_activation.generic:
        raise DataError("activation: the generic function 'f' has no numeric values; choose a registered "
                        "activation (one of the registry except 'f')")
    if isinstance(weights, Point):
        if weights.net != net:
            raise DataError("point: bound to %s, but the net is %s" % (weights.net, net))
        point = weights if X is None and Y is None else weights.with_data(X, Y)
        if not point.has_data:
            raise DataError("X: no inputs given; the loss needs inputs (d_0 x m, samples as columns) and targets")
    else:
        if weights is None:
            raise DataError("weights: expected %d matrices (W_1 .. W_L), got None" % net.depth)
        if X is None:
            raise DataError("X: no inputs given; the loss needs inputs (d_0 x m, samples as columns) and targets")
        if Y is None:
            raise DataError("Y: no targets given; expected a d_L x m matrix matching X")
        point = resolve_point(net, weights, biases, X, Y)
    return Problem(point, Pattern.from_spec(pattern, net, n_samples=point.n_samples))


# -- exact forward pass, for kink detection -------------------------------------------------------
def _exact_piece(act, value):
    """Index of the open piece holding ``value`` (Fraction), or (left piece, True) at a kink."""
    for k, c in enumerate(act.kinks):
        c = Fraction(int(c.p), int(c.q))
        if value == c:
            return k, True
        if value < c:
            return k, False
    return len(act.pieces) - 1, False


def _exact_preactivations(prob):
    """Exact h_l per layer (list over samples of Fraction lists) while the forward pass stays rational."""
    net, pat = prob.net, prob.pattern
    a = [list(x) for x in prob.X]
    out = []
    for l in range(1, net.depth + 1):
        W, b = prob.W[l - 1], prob.b[l - 1]
        h = [[sum((W[i][j] * a_s[j] for j in range(len(a_s))), Fraction(0)) + b[i] for i in range(len(W))]
             for a_s in a]
        out.append(h)
        act = net.layer_activation(l)
        if l == net.depth:
            break
        rational = [act.rational_form(k) for k in range(len(act.pieces))]
        if any(r is None for r in rational):
            break
        new = []
        for s, h_s in enumerate(h):
            row = []
            for i, v in enumerate(h_s):
                k = pat.piece(l, i + 1, sample=s + 1)
                if k is None:
                    k = _exact_piece(act, v)[0]
                num, den = rational[k]
                row.append(_horner(num, v) / _horner(den, v))
            new.append(row)
        a = new
    return out


# -- forward and backward ---------------------------------------------------------------------------
@dataclass(eq=False)
class State:
    """Everything the derivatives need, at one point, in one backend.

    :func:`forward` fills the forward fields and the loss terms; :func:`backward` the adjoints.
    Arrays have the samples as rows: ``a[l]`` is (m, d_l) with ``a[0]`` the inputs, ``h[l-1]``,
    ``F1[l-1]``, ``F2[l-1]`` are h_l, f'(h_l), f''(h_l) (the output activation's for l = L).
    """

    prob: Problem
    B: Backend
    W: list
    b: list
    a: list
    h: list = field(default_factory=list)
    F1: list = field(default_factory=list)
    F2: list = field(default_factory=list)
    #: kinks as (layer, unit, sample, value, exact, order), sorted by sample, layer, unit
    kinks: tuple = ()
    #: derivatives of order < order_ok exist at this point
    order_ok: int = 3
    loss: object = None
    #: dE/dz and d2E/dz2 per sample, (m, d_L) and (m, d_L, d_L), scaled by 1/m for the mean
    gE: object = None
    HE: object = None
    #: delta_l, dE/da_l = W_{l+1}^T delta_{l+1}, and c_l = f''(h_l) * dE/da_l (the diagonal of D_l)
    delta: list = None
    ga: list = None
    c: list = None


def forward(prob, B):
    """The forward pass, piece decisions, kinks and loss terms, as a :class:`State`."""
    net, L = prob.net, prob.net.depth
    st = State(prob, B, [B.array(W) for W in prob.W], [B.vector(b) for b in prob.b], [B.array(prob.X)])
    kinks = []
    exact = _exact_preactivations(prob) if any(net.layer_activation(l).kinks for l in range(1, L + 1)) else []
    pat = prob.pattern
    for l in range(1, L + 1):
        h = B.matmul(st.a[-1], st.W[l - 1].T) + st.b[l - 1][None, :]
        act = net.layer_activation(l)
        pieces, at = _classify(act, l, h, exact[l - 1] if l <= len(exact) else None, pat, B, kinks)
        F = [B.full(h.shape) for _ in range(3)]
        for k in range(len(act.pieces)):
            mask = pieces == k
            if not mask.any():
                continue
            for order in range(3):
                F[order][mask] = B.piece(act, k, order, h[mask])
        st.h.append(h)
        st.a.append(F[0])
        st.F1.append(F[1])
        st.F2.append(F[2])
    st.kinks = tuple(sorted(kinks, key=lambda k: (k[2], k[0], k[1])))
    st.order_ok = min((k[5] for k in st.kinks), default=3)
    st.loss, st.gE, st.HE = _loss(st)
    return st


def _classify(act, l, h, exact_h, pat, B, kinks):
    """Piece index of every unit (samples x units) and a kink mask; appends kink tuples."""
    m, d = h.shape
    pieces = np.zeros((m, d), dtype=int)
    at = np.zeros((m, d), dtype=bool)
    if not act.kinks:
        return pieces, at
    points = [Fraction(int(c.p), int(c.q)) for c in act.kinks]
    tol = None
    for s in range(m):
        for i in range(d):
            k = pat.piece(l, i + 1, sample=s + 1)
            if k is not None:
                pieces[s, i] = k
                continue
            if exact_h is not None:
                k, hit = _exact_piece(act, exact_h[s][i])
                value, is_exact = str(exact_h[s][i]), True
            else:
                if tol is None:
                    tol = B.kink_tolerance(h)
                v = h[s, i]
                k = sum(1 for c in points if v > B.scalar(c))
                hit = any(abs(v - B.scalar(c)) <= tol for c in points)
                if hit:
                    k = min(range(len(points)), key=lambda n: abs(v - B.scalar(points[n])))
                value, is_exact = (mpmath.nstr(v, 5) if B.dps != "float64" else "%.5g" % v), False
            pieces[s, i] = k
            if hit:
                at[s, i] = True
                kinks.append((l, i + 1, s + 1, value, is_exact, act.kink_order))
    return pieces, at


def _loss(st):
    """(loss, dE/dz, d2E/dz2) per sample, the last two scaled by 1/m for the mean."""
    prob, B = st.prob, st.B
    net, m = prob.net, prob.m
    z, Y = st.a[-1], B.array(prob.Y)
    scale = B.scalar(Fraction(1, m)) if net.reduction == "mean" else B.one
    dL = z.shape[1]
    HE = B.full((m, dL, dL))
    if net.loss.name == "square":
        r = z - Y
        Es = (r * r).sum(axis=1) / 2
        gE = r
        for i in range(dL):
            HE[:, i, i] = B.one
    else:
        # Cancellation-free forms for saturated softmax (p_i near 1), using sum_j p_j = 1:
        #   lse = zmax + log1p(sum of the other exp(z_j - zmax)),
        #   dE/dz_i = s p_i - y_i = sum_{k != i} (y_k p_i - y_i p_k),
        #   d2E/dz_i^2 = s p_i (1 - p_i) = s p_i sum_{j != i} p_j.
        sy = Y.sum(axis=1)
        zmax = z.max(axis=1)
        e = B.exp(z - zmax[:, None])
        top = np.argmax(z == zmax[:, None], axis=1) if B.dtype != object else np.array(
            [list(row).index(mx) for row, mx in zip(z, zmax)])
        rest = np.array([sum((e[s, j] for j in range(dL) if j != top[s]), B.zero) for s in range(e.shape[0])],
                        dtype=B.dtype)
        tot = rest + B.one
        p = e / tot[:, None]
        # the O(1) parts cancel first, so a tiny log1p term is not rounded away
        Es = (sy * zmax - (Y * z).sum(axis=1)) + sy * B.log1p(rest)
        gE = B.full((m, dL))
        for i in range(dL):
            gE[:, i] = sum((Y[:, k] * p[:, i] - Y[:, i] * p[:, k] for k in range(dL) if k != i), B.zero * p[:, i])
        HE = sy[:, None, None] * (-(p[:, :, None] * p[:, None, :]))
        for i in range(dL):
            others = sum((p[:, j] for j in range(dL) if j != i), B.zero * p[:, i])
            HE[:, i, i] = sy * p[:, i] * others
    loss = Es.sum() * scale
    if net.weight_decay:
        wd = _decay(net, B)
        loss = loss + wd / 2 * sum((W * W).sum() for W in st.W)
    return loss, gE * scale, HE * scale


def backward(st):
    """Fill delta_l, the adjoints dE/da_l and D_l = f''(h_l) * dE/da_l into ``st`` (needs order 1)."""
    L, B = st.prob.net.depth, st.B
    G1, G2 = st.F1[-1], st.F2[-1]
    st.delta = [None] * L
    st.ga = [None] * L
    st.c = [None] * L    # for l = L: g'' * dE/dz
    st.delta[L - 1] = G1 * st.gE
    st.c[L - 1] = G2 * st.gE
    st.ga[L - 1] = st.gE
    for l in range(L - 1, 0, -1):
        ga = B.matmul(st.delta[l], st.W[l])
        st.ga[l - 1] = ga
        st.delta[l - 1] = st.F1[l - 1] * ga
        st.c[l - 1] = st.F2[l - 1] * ga


def gradient(st):
    net, B = st.prob.net, st.B
    parts = []
    for l in range(1, net.depth + 1):
        dW = B.matmul(st.delta[l - 1].T, st.a[l - 1])
        if net.weight_decay:
            dW = dW + _decay(net, B) * st.W[l - 1]
        parts.append(dW.flatten(order="F"))  # vec stacks columns
        if net.bias:
            parts.append(st.delta[l - 1].sum(axis=0))
    return np.concatenate(parts)


def _output_hessian(st):
    """H_L = diag(g') d2E/dz2 diag(g') + diag(g'' * dE/dz), per sample (m, d_L, d_L)."""
    G1 = st.F1[-1]
    H = G1[:, :, None] * st.HE * G1[:, None, :]
    for i in range(H.shape[1]):
        H[:, i, i] = H[:, i, i] + st.c[-1][:, i]
    return H


def preactivation_hessians(st):
    """Botev recursion H_l = B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l (per sample, l = L..1)."""
    L, B = st.prob.net.depth, st.B
    Hs = [None] * L
    Hs[L - 1] = _output_hessian(st)
    for l in range(L - 1, 0, -1):
        W = st.W[l]
        M = B.matmul(B.matmul(W.T, Hs[l]), W)
        F1 = st.F1[l - 1]
        H = F1[:, :, None] * M * F1[:, None, :]
        for i in range(H.shape[1]):
            H[:, i, i] = H[:, i, i] + st.c[l - 1][:, i]
        Hs[l - 1] = H
    return Hs


def layer_blocks(st, Hs):
    """sum_s (a~ a~^T) kron H_l, column stacking (outer index: input unit, then the bias; inner: output).

    Computed as one product U^T V with U[s, (j, j')] = a~_s[j] a~_s[j'] and V[s, (i, i')] = H_l,s[i, i'].
    """
    net, B, m = st.prob.net, st.B, st.prob.m
    blocks = []
    for l in range(1, net.depth + 1):
        a = st.a[l - 1]
        if net.bias:
            a = np.concatenate([a, B.full((m, 1), 1)], axis=1)
        k, d = a.shape[1], Hs[l - 1].shape[1]
        U = (a[:, :, None] * a[:, None, :]).reshape(m, k * k)
        V = Hs[l - 1].reshape(m, d * d)
        blk = B.matmul(U.T, V, native=True).reshape(k, k, d, d).transpose(0, 2, 1, 3).reshape(k * d, k * d)
        if net.weight_decay:
            wd = _decay(net, B, native=True)
            for n in range(d * net.widths[l - 1]):
                blk[n, n] = blk[n, n] + wd
        blocks.append(blk)
    return blocks


def _augmented(st, k):
    """a~_{k-1} per sample (m, k): a_{k-1}, with a trailing 1 when the net has biases."""
    a = st.a[k - 1]
    if st.prob.net.bias:
        a = np.concatenate([a, st.B.full((a.shape[0], 1), 1)], axis=1)
    return a


def _sum_kron(B, left, right):
    """sum_s kron(left_s, right_s) for batches (m, p, q) and (m, r, t), as one product U^T V."""
    m, p, q = left.shape
    _, r, t = right.shape
    T = B.matmul(left.reshape(m, p * q).T, right.reshape(m, r * t), native=True)
    return T.reshape(p, q, r, t).transpose(0, 2, 1, 3).reshape(p * r, q * t)


def jacobians(st):
    """A[n, k] = dh_n/dh_k per sample, (m, d_n, d_k), for 1 <= k <= n <= L (A[k, k] the identity)."""
    net, B, m = st.prob.net, st.B, st.prob.m
    L = net.depth
    A = {}
    for k in range(1, L + 1):
        eye = B.full((m, net.widths[k], net.widths[k]))
        for i in range(net.widths[k]):
            eye[:, i, i] = B.one
        A[k, k] = eye
        for n in range(k + 1, L + 1):
            A[n, k] = B.matmul(st.W[n - 1], st.F1[n - 2][:, :, None] * A[n - 1, k])
    return A


def full_hessian(st, H_L):
    """Every block of the Hessian, by the Kronecker structure of dh_n/dW_k (see Notes of :func:`~lossgeom.numeric.evaluate.evaluate_net`).

    With A_{nk} = dh_n/dh_k (per sample), M_L = H_L and M_n = D_n (n < L):

        H[W~_k, W~_j] = sum_s (a~_{k-1} a~_{j-1}^T) kron G_{kj},   G_{kj} = sum_{n >= max(k, j)} A_{nk}^T M_n A_{nj},

    plus, for k < l, the bilinear terms of h_l = W_l a_{l-1}:
    d2E / dW_l[i, j] dW~_k[r, p] += sum_s delta_l[i] (f'(h_{l-1}) * A_{l-1,k})[j, r] a~_{k-1}[p].
    """
    net, B, m = st.prob.net, st.B, st.prob.m
    P, L = net.n_params, net.depth
    A = jacobians(st)
    MA = {}
    for n in range(1, L + 1):
        for j in range(1, n + 1):
            MA[n, j] = B.matmul(H_L, A[n, j]) if n == L else st.c[n - 1][:, :, None] * A[n, j]
    zero_D = {n: n < L and all(v == 0 for v in np.ravel(st.c[n - 1])) for n in range(1, L + 1)}  # == 0: exactly
    H = np.empty((P, P), dtype=B.dtype)
    abar = {k: _augmented(st, k) for k in range(1, L + 1)}
    for k in range(1, L + 1):
        for j in range(k, L + 1):
            G = None
            for n in range(j, L + 1):
                if zero_D[n]:  # piecewise-linear layers have D_n = 0
                    continue
                term = B.matmul(np.swapaxes(A[n, k], 1, 2), MA[n, j])
                G = term if G is None else G + term
            if G is None:
                G = B.full((m, net.widths[k], net.widths[j]))
            outer = abar[k][:, :, None] * abar[j][:, None, :]
            H[net.layer_slice(k), net.layer_slice(j)] = _sum_kron(B, outer, G)
    for l in range(2, L + 1):
        d, dprev = net.layer_shape(l)
        rows = slice(net.layer_slice(l).start, net.layer_slice(l).start + d * dprev)
        for k in range(1, l):
            left = st.F1[l - 2][:, :, None] * A[l - 1, k]                   # (m, d_{l-1}, d_k)
            right = st.delta[l - 1][:, :, None] * abar[k][:, None, :]       # (m, d_l, k~)
            T = B.matmul(left.reshape(m, -1).T, right.reshape(m, -1), native=True)
            T = T.reshape(dprev, net.widths[k], d, abar[k].shape[1])        # [j, r, i, p]
            C = T.transpose(0, 2, 3, 1).reshape(dprev * d, -1)              # rows j*d_l + i, cols p*d_k + r
            H[net.layer_slice(k), rows] += C.T
    for k in range(1, L + 1):  # the upper block triangle holds every term once; mirror it
        sk = net.layer_slice(k)
        lower = np.tril_indices(sk.stop - sk.start, -1)
        H[sk, sk][lower] = H[sk, sk].T[lower]
        for j in range(k + 1, L + 1):
            H[net.layer_slice(j), sk] = H[sk, net.layer_slice(j)].T
    if net.weight_decay:
        wd = _decay(net, B, native=True)
        for l in range(1, L + 1):
            start = net.layer_slice(l).start
            for n in range(start, start + net.widths[l] * net.widths[l - 1]):
                H[n, n] = H[n, n] + wd
    return H


def hvp(st, v):
    """Forward-over-reverse: the R-operator of backprop in the direction v (theta's order)."""
    net, B = st.prob.net, st.B
    L = net.depth
    VW, Vb = [], []
    for l in range(1, L + 1):
        sl, (d, dprev) = net.layer_slice(l), net.layer_shape(l)
        seg = v[sl.start:sl.stop]
        VW.append(np.asarray(seg[:d * dprev]).reshape(dprev, d).T)  # un-vec (columns stacked)
        Vb.append(np.asarray(seg[d * dprev:]) if net.bias else B.full(d))
    adot = [B.full(st.a[0].shape)]
    hdot = []
    for l in range(1, L + 1):
        hd = B.matmul(adot[-1], st.W[l - 1].T) + B.matmul(st.a[l - 1], VW[l - 1].T) + Vb[l - 1][None, :]
        hdot.append(hd)
        adot.append(st.F1[l - 1] * hd)
    zdot = adot[-1]
    dgE = B.matmul(st.HE, zdot[:, :, None])[:, :, 0]
    ddelta = st.F2[-1] * hdot[-1] * st.gE + st.F1[-1] * dgE
    parts = [None] * L
    for l in range(L, 0, -1):
        delta = st.delta[l - 1]
        HvW = B.matmul(ddelta.T, st.a[l - 1]) + B.matmul(delta.T, adot[l - 1])
        if net.weight_decay:
            HvW = HvW + _decay(net, B) * VW[l - 1]
        seg = [HvW.flatten(order="F")]
        if net.bias:
            seg.append(ddelta.sum(axis=0))
        parts[l - 1] = np.concatenate(seg)
        if l > 1:
            dga = B.matmul(ddelta, st.W[l - 1]) + B.matmul(delta, VW[l - 1])
            ddelta = st.F2[l - 2] * hdot[l - 2] * st.ga[l - 2] + st.F1[l - 2] * dga
    return np.concatenate(parts)


def theta(prob, B):
    """The parameter values in theta's order, as the backend's numbers."""
    out = []
    for l in range(prob.net.depth):
        W = prob.W[l]
        out.extend(W[i][j] for j in range(len(W[0])) for i in range(len(W)))
        if prob.net.bias:
            out.extend(prob.b[l])
    return [B.scalar(v) for v in out]


def _decay(net, B, native=False):
    """The net's weight decay as a backend number (``native`` for adding to a native product)."""
    q = Fraction(int(net.weight_decay.p), int(net.weight_decay.q))
    return B.native_scalar(q) if native else B.scalar(q)
