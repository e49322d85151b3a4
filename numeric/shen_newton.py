"""Training Shen's nets (Shen 2016, arXiv 1611.05827; CVPR 2018): seeded multistart on XOR, the approximate
Newton (= generalised Gauss-Newton, GGN) matrix and iteration, and a ball-arithmetic certificate of a critical point.

Nets here have one hidden layer with dummy units (lossgeom biases), identity output and square loss
J = 1/2 sum_i ||F(x_i) - y_i||^2; parameters in lossgeom's theta order [vec W_1; b_1; vec W_2; b_2]
(columns stacked).  Float work is vectorised over many starts in float64 numpy.
"""

import numpy as np

from lossgeom.checks import check_bool, check_int, check_matrix_like, check_real, check_sequence, check_str
from lossgeom.errors import DataError

__all__ = ["residual_jacobian", "ggn_float", "lm_refine", "xor_multistart", "an_ggn", "four_regions",
           "convergence_ratios", "ggn_exact"]


def _np_act(name):
    """f(z, order) in numpy for orders 0, 1, 2."""
    def tanh(z, k):
        t = np.tanh(z)
        return (t, 1 - t * t, -2 * t * (1 - t * t))[k]

    def sigmoid(z, k):
        s = 0.5 * (1 + np.tanh(z / 2))
        return (s, s * (1 - s), s * (1 - s) * (1 - 2 * s))[k]

    def softsign(z, k):
        a = 1 + np.abs(z)
        return (z / a, 1 / a ** 2, -2 * np.sign(z) / a ** 3)[k]

    def softplus(z, k):
        s = 0.5 * (1 + np.tanh(z / 2))
        return (np.logaddexp(0, z), s, s * (1 - s))[k]

    def bent(z, k):
        r = np.sqrt(z * z + 1)
        return ((r - 1) / 2 + z, z / (2 * r) + 1, 1 / (2 * r ** 3))[k]

    table = {"tanh": tanh, "sigmoid": sigmoid, "softsign": softsign, "softplus": softplus, "bent_identity": bent}
    check_str(name, "activation")
    if name not in table:
        raise DataError("activation: expected one of %s, got %r" % (", ".join(sorted(table)), name))
    return table[name]


def _floats(value, field, ndim=2):
    """A finite float64 array of 1 or 2 dimensions (rows = starts), else a lossgeom error naming ``field``."""
    check_matrix_like(value, field)
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise DataError("%s: expected a matrix of real numbers (%s)" % (field, err)) from None
    if arr.ndim not in (1, ndim) or arr.size == 0 or not np.isfinite(arr).all():
        raise DataError("%s: expected a non-empty finite %d-d array of reals, got shape %s" % (field, ndim, arr.shape))
    return arr


def _positive(value, field):
    v = float(check_real(value, field))
    if not v >= 0:
        raise DataError("%s: expected a number >= 0, got %s" % (field, value))
    return v


def _shapes(theta, d, h, k):
    S = theta.shape[0]
    o1, o2, o3 = d * h, d * h + h, d * h + h + h * k
    W1 = theta[:, :o1].reshape(S, d, h).transpose(0, 2, 1)
    W2 = theta[:, o2:o3].reshape(S, h, k).transpose(0, 2, 1)
    return W1, theta[:, o1:o2], W2, theta[:, o3:o3 + k], (o1, o2, o3)


def _inputs(theta, X, Y, hidden):
    theta = np.atleast_2d(_floats(theta, "theta"))
    X, Y = _floats(X, "X"), _floats(Y, "Y")
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise DataError("X, Y: expected 2-d arrays with samples as columns (equal counts)")
    h = check_int(hidden, "hidden", 1, 100)
    d, k = X.shape[0], Y.shape[0]
    if theta.shape[1] != d * h + h + h * k + k:
        raise DataError("theta: expected %d parameters per row, got %d" % (d * h + h + h * k + k, theta.shape[1]))
    return theta, X, Y, h


def residual_jacobian(theta, X, Y, hidden, activation="tanh"):
    """Residuals r (S x Tk, sample-major) and output Jacobians dF/dtheta (S x Tk x p) of a d-h-k net.

    Examples
    --------
    >>> r, J = residual_jacobian(np.zeros(9), [[0, 1], [1, 0]], [[1, 0]], 2)
    >>> r.tolist(), J.shape, float(J[0, 0, -1])
    ([[-1.0, 0.0]], (1, 2, 9), 1.0)
    """
    theta, X, Y, h = _inputs(theta, X, Y, hidden)
    f = _np_act(activation)
    (S, p), (d, T), k = theta.shape, X.shape, Y.shape[0]
    W1, b1, W2, b2, (o1, o2, o3) = _shapes(theta, d, h, k)
    z = W1 @ X + b1[:, :, None]
    a, da = f(z, 0), f(z, 1)
    r = (W2 @ a + b2[:, :, None] - Y).transpose(0, 2, 1).reshape(S, T * k)
    J = np.zeros((S, T, k, p))
    g1 = W2[:, None, :, :] * da.transpose(0, 2, 1)[:, :, None, :]
    J[..., :o1] = (X.T[None, :, None, :, None] * g1[:, :, :, None, :]).reshape(S, T, k, o1)
    J[..., o1:o2] = g1
    for c in range(k):
        J[:, :, c, o2 + np.arange(h) * k + c] = a.transpose(0, 2, 1)
        J[:, :, c, o3 + c] = 1
    return r, J.reshape(S, T * k, p)


def ggn_float(theta, X, Y, hidden, activation="tanh"):
    """(loss, gradient, GGN = sum_i J_i^T J_i) per start, float64 (square loss: d2E = I).

    Examples
    --------
    >>> L, g, G = ggn_float(np.zeros(9), [[0, 1], [1, 0]], [[1, 0]], 2)
    >>> float(L[0]), float(g[0, -1]), float(G[0, -1, -1])
    (0.5, -1.0, 2.0)
    """
    r, J = residual_jacobian(theta, X, Y, hidden, activation)
    return 0.5 * np.sum(r * r, axis=1), np.einsum("sn,snp->sp", r, J), np.einsum("snp,snq->spq", J, J)


def lm_refine(theta, X, Y, hidden, activation="tanh", iters=200, mu=1e-3):
    """Levenberg-Marquardt (GGN + mu I, mu adapted per start, monotone) from each row of theta.

    Examples
    --------
    >>> th = lm_refine(np.random.default_rng(1).normal(size=(1, 9)), [[0, 0, 1, 1], [0, 1, 0, 1]], [[0, 1, 1, 0]], 2, iters=100)
    >>> float(ggn_float(th, [[0, 0, 1, 1], [0, 1, 0, 1]], [[0, 1, 1, 0]], 2)[0][0]) < 1e-20
    True
    """
    theta, X, Y, h = _inputs(theta, X, Y, hidden)
    check_int(iters, "iters", 0, 10 ** 5)
    S, p = theta.shape
    lam = np.full(S, _positive(mu, "mu"))
    L, g, G = ggn_float(theta, X, Y, h, activation)
    eye = np.eye(p)
    for _ in range(iters):
        A = G + (lam * (1 + np.trace(G, axis1=1, axis2=2) / p))[:, None, None] * eye
        new = theta + np.linalg.solve(A, -g[:, :, None])[:, :, 0]
        L2, g2, G2 = ggn_float(new, X, Y, h, activation)
        ok = np.isfinite(L2) & (L2 < L)
        theta, L = np.where(ok[:, None], new, theta), np.where(ok, L2, L)
        g, G = np.where(ok[:, None], g2, g), np.where(ok[:, None, None], G2, G)
        lam = np.clip(np.where(ok, lam / 3, lam * 4), 1e-15, 1e12)
    return theta


def xor_multistart(hidden, activation="tanh", starts=1000, seed=0, gd_iters=2000, lr=0.05, lm_iters=300,
                   scale=1.0):
    """Seeded starts on XOR: gradient descent, then Levenberg-Marquardt; final theta, loss, grad and rank P.

    Returns a dict of arrays: ``theta`` (S x p), ``loss``, ``grad`` (max |entry|), ``rank`` (numerical rank of
    P = [J_1^T ... J_T^T], relative threshold 1e-8), ``init`` (the starts, N(0, scale^2) entries).

    Examples
    --------
    >>> out = xor_multistart(2, starts=20, seed=1, gd_iters=50, lm_iters=50)
    >>> out["theta"].shape, int((out["loss"] < 1e-20).sum()) > 0
    ((20, 9), True)
    """
    h = check_int(hidden, "hidden", 1, 100)
    S = check_int(starts, "starts", 1, 10 ** 5)
    lr, scale = _positive(lr, "lr"), _positive(scale, "scale")
    check_str(activation, "activation")
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    Y = np.array([[0, 1, 1, 0]], dtype=float)
    rng = np.random.default_rng(check_int(seed, "seed", 0, 2 ** 63))
    init = rng.normal(0.0, scale, size=(S, 4 * h + 1))
    theta = init.copy()
    for _ in range(check_int(gd_iters, "gd_iters", 0, 10 ** 7)):
        theta = theta - lr * ggn_float(theta, X, Y, h, activation)[1]
    theta = lm_refine(theta, X, Y, h, activation, iters=lm_iters)
    L, g, _ = ggn_float(theta, X, Y, h, activation)
    _, J = residual_jacobian(theta, X, Y, h, activation)
    sv = np.linalg.svd(J, compute_uv=False)
    rank = (sv > 1e-8 * np.maximum(sv[:, :1], 1e-300)).sum(axis=1)
    return {"theta": theta, "loss": L, "grad": np.abs(g).max(axis=1), "rank": rank, "init": init}


def four_regions(samples=40, seed=0, radii=(0.3, 0.6, 0.9), one_hot=False):
    """Seeded four-regions data: points uniform in [-1, 1]^2, label = the region the circles of ``radii`` cut out.

    The label is the number of radii below |x| (0 inside the smallest circle, 3 outside the largest);
    targets are that index (1 x T) or, with ``one_hot``, the standard basis vector e_label (4 x T).

    Examples
    --------
    >>> X, Y = four_regions(8, seed=0)
    >>> X.shape, Y.shape, set(Y[0]) <= {0.0, 1.0, 2.0, 3.0}
    ((2, 8), (1, 8), True)
    """
    T = check_int(samples, "samples", 1, 10 ** 5)
    radii = [float(check_real(r, "radii[%d]" % i)) for i, r in enumerate(check_sequence(radii, "radii"))]
    check_bool(one_hot, "one_hot")
    rng = np.random.default_rng(check_int(seed, "seed", 0, 2 ** 63))
    X = rng.uniform(-1.0, 1.0, size=(2, T))
    label = (np.linalg.norm(X, axis=0)[None, :] > np.asarray(radii, dtype=float)[:, None]).sum(axis=0)
    if one_hot:
        return X, np.eye(len(radii) + 1)[:, label]
    return X, label[None, :].astype(float)


def an_ggn(theta, X, Y, hidden, activation="bent_identity", iters=30, mu=0.0, method="an", lr=0.01):
    """Approximate Newton / GGN iteration (solve (GGN + mu I) xi = -grad, min-norm when singular) or gradient descent.

    AN steps are halved (at most 40 times) while the loss would rise, so far from a minimum the method
    is globalised; near one the full step is taken.  Returns (thetas: (iters + 1) x S x p, losses).

    Examples
    --------
    >>> X, Y = four_regions(6, seed=1)
    >>> th, L = an_ggn(np.random.default_rng(0).normal(size=(1, 4 * 6 + 1)), X, Y, 6, iters=25)
    >>> bool(L[-1, 0] < 1e-20)
    True
    """
    theta, X, Y, h = _inputs(theta, X, Y, hidden)
    check_int(iters, "iters", 0, 10 ** 5)
    mu, lr = _positive(mu, "mu"), _positive(lr, "lr")
    check_str(method, "method")
    if method not in ("an", "gd"):
        raise DataError("method: expected 'an' or 'gd', got %r" % (method,))
    thetas, losses = [theta], []
    for _ in range(iters):
        L, g, G = ggn_float(theta, X, Y, h, activation)
        losses.append(L)
        if method == "gd":
            theta = theta - lr * g
        else:
            A = G + mu * np.eye(theta.shape[1])
            xi = -np.einsum("spq,sq->sp", np.linalg.pinv(A, rcond=1e-13, hermitian=True), g)
            t = np.ones(theta.shape[0])
            for _ in range(40):
                L2 = ggn_float(theta + t[:, None] * xi, X, Y, h, activation)[0]
                bad = ~(np.isfinite(L2) & (L2 <= L))
                if not bad.any():
                    break
                t = np.where(bad, t / 2, t)
            theta = theta + t[:, None] * xi
        thetas.append(theta)
    losses.append(ggn_float(theta, X, Y, h, activation)[0])
    return np.array(thetas), np.array(losses)


def convergence_ratios(thetas, lo=1e-6, hi=1e-2):
    """e_k = ||theta_k - theta_final|| and the ratios e_{k+1} / e_k^2 for one run (rows of ``thetas``).

    Only ratios with lo <= e_k <= hi are returned: below ``lo``, e_k^2 reaches float64 noise at the
    accumulation point (about 1e-13 here), above ``hi`` the iterate is not yet in the local regime.

    Examples
    --------
    >>> e, q = convergence_ratios(np.array([[1e-2], [1e-5], [1e-11], [0.0]]), lo=1e-6)
    >>> [round(v, 3) for v in q]
    [0.1, 0.1]
    """
    th = _floats(thetas, "thetas")
    th = th[:, None] if th.ndim == 1 else th
    lo, hi = _positive(lo, "lo"), _positive(hi, "hi")
    e = np.linalg.norm(th - th[-1], axis=1)
    return e, [float(e[k + 1] / e[k] ** 2) for k in range(len(e) - 1) if lo <= e[k] <= hi and e[k] > 0]


def ggn_exact(net, weights, biases=None, X=None, Y=None):
    """The full GGN matrix sum_i J_i^T (d2E) J_i (all cross-layer blocks), exactly, in lossgeom's theta order.

    For Shen's square loss (reduction sum, identity output) d2E = I and J_i^T are the per-sample columns of
    Shen's P, so GGN = P P^T read back from Shen's order; exact SymPy for rational activations.

    Examples
    --------
    >>> from lossgeom.models import xor_softsign_fit
    >>> pt = xor_softsign_fit(2)
    >>> G = ggn_exact(pt.net, pt.weights, pt.biases, pt.X, pt.Y)
    >>> G.shape, G == G.T
    ((9, 9), True)
    """
    import sympy as sp

    from lossgeom.checks import check_net
    from lossgeom.symbolic.shen import shen_permutation, shen_system_exact
    check_net(net)
    if net.loss.name != "square" or net.reduction != "sum":
        raise DataError("net: the GGN here needs square loss with reduction sum, got %s/%s"
                        % (net.loss.name, net.reduction))
    s = shen_system_exact(net, weights, biases, X, Y)
    P = sp.Matrix(s.P)
    perm = shen_permutation(net)
    G = P * P.T
    out = sp.zeros(G.rows, G.cols)
    for a, pa in enumerate(perm):
        for b, pb in enumerate(perm):
            out[pa, pb] = G[a, b]
    return out
