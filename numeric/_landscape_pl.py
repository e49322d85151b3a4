"""The float64 slice grid of a one-hidden-layer net with a piecewise-linear hidden activation, by kink crossings.

For a net (d_0, d_1, d_L) whose hidden activation is piecewise linear (every piece affine: ReLU, leaky ReLU,
abs, any two-piece or many-piece linear spline), a slice W_l = C_l + alpha A_l + beta B_l gives, for fixed
alpha, hidden pre-activations that are affine in beta,

    h_ji(beta) = a_ji + beta q_ji,   a = (C_1 + alpha A_1) X + b_1,   q = B_1 X,

so each hidden unit of each sample stays in one affine piece f = c_p h + d_p between the grid points where it
crosses a kink, at beta = (k - a_ji) / q_ji.  Between crossings the output pre-activation

    z_oi(beta) = sum_j (u_oj + beta v_oj) (c_p (a_ji + beta q_ji) + d_p),   u = C_2 + alpha A_2,  v = B_2,

is a quadratic in beta.  The whole column of beta values is therefore three dense products (the quadratic's
coefficients with every unit in its starting piece) plus, for each kink crossing, one update scattered into the
grid cell where it happens and a cumulative sum along beta.  The cost per alpha is O(d_1 m log n_beta + d_L d_1 m)
instead of O(n_beta d_1 m) for the plain batched forward pass: the 201 x 201 slice of a 100-100-1 net with 500
samples is about 40x faster (``benchmarks/bench_landscape.py``).

The piece of a unit at a grid point is decided as the plain pass decides it (``h > k`` for every kink ``k``), with
the comparison made on beta against the crossing point (k - a) / q instead of on a + beta q: the two can differ
only for a pre-activation within rounding of a kink, which either pass may put on either side.  The activation
pattern codes are the same integer projections as the plain pass (sums of integers below 2^21: exact).
"""

import numpy as np

__all__ = []


def applies(net):
    """True when the kink-crossing grid computes this net's slice: one hidden layer, piecewise-linear hidden units."""
    if net.depth != 2:
        return False
    act = net.layer_activation(1)
    return act.piecewise_linear and not act.generic


def _pieces(act):
    """Slopes c_p and offsets d_p of the affine pieces, and the kinks, as float64 arrays."""
    t = np.array([0.0, 1.0])
    vals = [np.broadcast_to(act.numeric_form(p, 0, "numpy")(t), (2,)).astype(float) for p in range(len(act.pieces))]
    d = np.array([v[0] for v in vals])
    c = np.array([v[1] - v[0] for v in vals])
    return c, d, np.array([float(k) for k in act.kinks])


def pl_grid(point, centre, A, B, al, be, proj, output_pieces, loss):
    """Loss (n_beta * n_alpha,) and pattern codes (n_beta * n_alpha, 2) on the grid, beta-major.

    The grid order is that of ``np.meshgrid(al, be)`` raveled, as in the plain pass.  ``proj`` are the two
    layers' integer projections of the plain pass; ``output_pieces(z)`` is its activation of the output layer
    (the activation and the piece indices, or None without kinks) and ``loss(act)`` its per-point loss.
    """
    net = point.net
    X = np.array(point.X.tolist(), dtype=float)
    c, d, kinks = _pieces(net.layer_activation(1))
    H0 = centre[0] @ X
    b2 = 0.0
    if net.bias:
        H0 = H0 + np.array(point.biases[0].tolist(), dtype=float)
        b2 = np.array(point.biases[1].tolist(), dtype=float)
    P, Q = A[0] @ X, B[0] @ X
    n_a, n_b = al.size, be.size
    losses, codes = np.empty((n_b, n_a)), np.zeros((n_b, n_a, 2))
    for ia in range(n_a):
        z, codes[:, ia] = _column(H0 + al[ia] * P, Q, centre[1] + al[ia] * A[1], B[1], be, c, d, kinks, proj[0])
        act, idx = output_pieces(z + b2)
        if idx is not None:
            codes[:, ia] += idx.reshape(n_b, -1).astype(float) @ proj[1]
        losses[:, ia] = loss(act)
    return losses.ravel(), codes.reshape(n_b * n_a, 2)


def _crossings(a, q, be, c, d, kinks):
    """Every kink crossing inside the grid: unit (j, i), grid bucket s, and the change of F0, F1 and the piece."""
    js, is_, ss, dF0, dF1, steps, dn = [], [], [], [], [], [], []
    nz = ((c != 0) | (d != 0)).astype(float)
    up, down = q > 0, q < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(kinks.size):
            t = (kinks[k] - a) / q
            for sel, side, step, dc, dd, dz in (
                    (up, "right", 1, c[k + 1] - c[k], d[k + 1] - d[k], nz[k + 1] - nz[k]),
                    (down, "left", -1, c[k] - c[k + 1], d[k] - d[k + 1], nz[k] - nz[k + 1])):
                j, i = np.nonzero(sel)
                s = np.searchsorted(be, t[j, i], side=side)
                keep = s < be.size
                j, i, s = j[keep], i[keep], s[keep]
                js.append(j), is_.append(i), ss.append(s)
                dF0.append(dc * a[j, i] + dd), dF1.append(dc * q[j, i]), steps.append(np.full(j.size, float(step)))
                dn.append(np.full(j.size, dz))
    if not js:                                     # a linear activation: no kinks, no crossings
        return tuple(np.zeros(0, dtype=t) for t in (int, int, int, float, float, float, float))
    return tuple(np.concatenate(x) for x in (js, is_, ss, dF0, dF1, steps, dn))


def _column(a, q, u, v, be, c, d, kinks, proj):
    """Output pre-activations (n_b, d_L, m) and pattern codes (n_b, 2) along beta for one alpha."""
    n_b, m = be.size, a.shape[1]
    start = np.where(q > 0, 0, np.where(q < 0, kinks.size, np.sum(a[..., None] > kinks, axis=-1)))
    F0, F1 = c[start] * a + d[start], c[start] * q
    coef = np.stack([u @ F0, u @ F1 + v @ F0, v @ F1])              # (3, d_L, m) with every unit in its start piece
    j, i, s, dF0, dF1, step, dn = _crossings(a, q, be, c, d, kinks)
    flat = s * m + i
    # units of a sample in a nonzero piece (an exact count): none means the sample's output is exactly 0 (plus
    # the bias), as in the plain pass, and not the rounding left over by the cumulative sums
    nz = ((c != 0) | (d != 0))[start].sum(axis=0).astype(float)
    alive = nz[None] + np.cumsum(np.bincount(flat, weights=dn, minlength=n_b * m).reshape(n_b, m), axis=0) > 0
    delta = np.zeros((3, n_b * m, u.shape[0]))
    for o in range(u.shape[0]):
        for k, w in enumerate((u[o, j] * dF0, u[o, j] * dF1 + v[o, j] * dF0, v[o, j] * dF1)):
            if w.size:
                delta[k, :, o] = np.bincount(flat, weights=w, minlength=n_b * m)
    coef = coef[:, None] + np.cumsum(delta.reshape(3, n_b, m, -1), axis=1).transpose(0, 1, 3, 2)
    unit = j * m + i
    cw = np.stack([np.bincount(s, weights=step * proj[unit, t], minlength=n_b) for t in range(2)], axis=1)
    codes = (start.ravel().astype(float) @ proj)[None] + np.cumsum(cw, axis=0)
    bb = be[:, None, None]
    return np.where(alive[:, None, :], coef[0] + bb * coef[1] + bb * bb * coef[2], 0.0), codes
