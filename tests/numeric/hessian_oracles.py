"""Independent oracles for the numeric engine: they share no code with lossgeom.numeric.evaluate.

* ``mp_loss``: a direct mpmath forward pass with its own activation and loss formulas;
* ``fd_hessian`` / ``fd_gradient``: central finite differences of ``mp_loss`` at raised precision;
* ``autograd_hessian`` / ``autograd_loss``: the same loss in HIPS autograd (float64);
* ``random_case``: a random small net with rational weights and data (deterministic for a seed).
"""

import random
from fractions import Fraction

import mpmath

from lossgeom import Net


def _mpq(q):
    q = Fraction(q)
    return mpmath.mpf(q.numerator) / q.denominator


def _param(act, name):
    return Fraction(str(dict(act.params)[name]))


#: Hand-written mpmath forms, ``name -> f(act, x)``, of activations a test registers itself.
EXTRA_ACTIVATIONS = {}


def mp_activation(act, x):
    """f(x) written directly in mpmath (no lossgeom code)."""
    name = act.name
    if name in EXTRA_ACTIVATIONS:
        return EXTRA_ACTIVATIONS[name](act, x)
    if name == "identity":
        return x
    if name == "relu":
        return x if x > 0 else mpmath.mpf(0)
    if name == "leaky_relu":
        return x if x > 0 else _mpq(_param(act, "slope")) * x
    if name == "two_piece":
        return _mpq(_param(act, "s_plus")) * x if x > 0 else _mpq(_param(act, "s_minus")) * x
    if name == "abs":
        return abs(x)
    if name == "tanh":
        return mpmath.tanh(x)
    if name == "sigmoid":
        return 1 / (1 + mpmath.exp(-x))
    if name == "softplus":
        return mpmath.log(1 + mpmath.exp(x))
    if name == "softsign":
        return x / (1 + abs(x))
    if name == "bent_identity":
        return (mpmath.sqrt(x * x + 1) - 1) / 2 + x
    raise ValueError(name)


def unflatten(net, theta):
    """theta (flat, column-stacked) -> lists of W_l (row lists) and b_l."""
    Ws, bs, k = [], [], 0
    for l in range(1, net.depth + 1):
        d, dprev = net.layer_shape(l)
        W = [[None] * dprev for _ in range(d)]
        for j in range(dprev):
            for i in range(d):
                W[i][j] = theta[k]
                k += 1
        Ws.append(W)
        if net.bias:
            bs.append(list(theta[k:k + d]))
            k += d
        else:
            bs.append([0] * d)
    return Ws, bs


def mp_loss(net, theta, X, Y):
    """Total loss at theta (mpf list); X, Y are lists of samples (lists of mpf)."""
    Ws, bs = unflatten(net, theta)
    total = mpmath.mpf(0)
    for x, y in zip(X, Y):
        a = list(x)
        for l in range(1, net.depth + 1):
            h = [mpmath.fsum(W_ij * a_j for W_ij, a_j in zip(row, a)) + bl for row, bl in zip(Ws[l - 1], bs[l - 1])]
            act = net.output_activation if l == net.depth else net.activation
            a = [mp_activation(act, v) for v in h]
        if net.loss.name == "square":
            total += mpmath.fsum((zi - yi) ** 2 for zi, yi in zip(a, y)) / 2
        else:
            lse = mpmath.log(mpmath.fsum(mpmath.exp(zi) for zi in a))
            total += mpmath.fsum(y) * lse - mpmath.fsum(yi * zi for yi, zi in zip(y, a))
    if net.reduction == "mean":
        total /= len(X)
    if net.weight_decay:
        wd = _mpq(Fraction(str(net.weight_decay)))
        total += wd / 2 * mpmath.fsum(w * w for W in Ws for row in W for w in row)
    return total


def fd_hessian(net, theta, X, Y, dps=50, entries=None):
    """Central finite-difference Hessian of ``mp_loss`` at 2*dps+20 digits with step 10**-(dps//2+10).

    Truncation error ~ step**2 and rounding ~ 10**-(2 dps + 20) / step**2, both far below 10**-dps.
    ``entries`` restricts to a list of (i, j) pairs (others are left None).
    """
    with mpmath.workdps(2 * dps + 20):
        th = [_mpq(t) for t in theta]
        Xm = [[_mpq(v) for v in x] for x in X]
        Ym = [[_mpq(v) for v in y] for y in Y]
        step = mpmath.mpf(10) ** -(dps // 2 + 10)
        P = len(th)

        def f(shifts):
            t = list(th)
            for i, s in shifts:
                t[i] += s * step
            return mp_loss(net, t, Xm, Ym)

        H = [[None] * P for _ in range(P)]
        pairs = entries if entries is not None else [(i, j) for i in range(P) for j in range(i, P)]
        f0 = None
        for i, j in pairs:
            if i == j:
                if f0 is None:
                    f0 = f([])
                v = (f([(i, 2)]) - 2 * f0 + f([(i, -2)])) / (4 * step ** 2)
            else:
                v = (f([(i, 1), (j, 1)]) - f([(i, 1), (j, -1)]) - f([(i, -1), (j, 1)]) + f([(i, -1), (j, -1)])) \
                    / (4 * step ** 2)
            H[i][j] = H[j][i] = v
        return H


def fd_gradient(net, theta, X, Y, dps=50):
    """Central finite-difference gradient of ``mp_loss`` at raised precision."""
    with mpmath.workdps(2 * dps + 20):
        th = [_mpq(t) for t in theta]
        Xm = [[_mpq(v) for v in x] for x in X]
        Ym = [[_mpq(v) for v in y] for y in Y]
        step = mpmath.mpf(10) ** -(dps // 2 + 10)
        out = []
        for i in range(len(th)):
            tp, tm = list(th), list(th)
            tp[i] += step
            tm[i] -= step
            out.append((mp_loss(net, tp, Xm, Ym) - mp_loss(net, tm, Xm, Ym)) / (2 * step))
        return out


# -- autograd (float64) ------------------------------------------------------------------------
def autograd_loss(net, X, Y):
    """The loss as a function of a flat float theta, in autograd.numpy (X, Y: d x m float arrays)."""
    import autograd.numpy as anp

    def act_fn(act, x):
        name, p = act.name, {k: float(v) for k, v in act.params}
        if name == "identity":
            return x
        if name == "relu":
            return anp.where(x > 0, x, 0.0)
        if name == "leaky_relu":
            return anp.where(x > 0, x, p["slope"] * x)
        if name == "two_piece":
            return anp.where(x > 0, p["s_plus"] * x, p["s_minus"] * x)
        if name == "abs":
            return anp.abs(x)
        if name == "tanh":
            return anp.tanh(x)
        if name == "sigmoid":
            return 1.0 / (1.0 + anp.exp(-x))
        if name == "softplus":
            return anp.log(1.0 + anp.exp(x))
        if name == "softsign":
            return x / (1.0 + anp.abs(x))
        if name == "bent_identity":
            return (anp.sqrt(x * x + 1.0) - 1.0) / 2.0 + x
        raise ValueError(name)

    def loss(theta):
        k, a, reg = 0, X, 0.0
        for l in range(1, net.depth + 1):
            d, dprev = net.layer_shape(l)
            W = anp.reshape(theta[k:k + d * dprev], (dprev, d)).T
            k += d * dprev
            h = anp.dot(W, a)
            reg = reg + anp.sum(W * W)
            if net.bias:
                h = h + anp.reshape(theta[k:k + d], (d, 1))
                k += d
            a = act_fn(net.output_activation if l == net.depth else net.activation, h)
        if net.loss.name == "square":
            E = 0.5 * anp.sum((a - Y) ** 2)
        else:
            zmax = anp.max(a, axis=0)
            lse = zmax + anp.log(anp.sum(anp.exp(a - zmax), axis=0))
            E = anp.sum(anp.sum(Y, axis=0) * lse) - anp.sum(Y * a)
        if net.reduction == "mean":
            E = E / X.shape[1]
        return E + float(net.weight_decay) / 2 * reg

    return loss


def autograd_hessian(net, theta, X, Y):
    import autograd
    import autograd.numpy as anp
    f = autograd_loss(net, anp.array(X, dtype=float), anp.array(Y, dtype=float))
    return autograd.hessian(f)(anp.array([float(t) for t in theta]))


# -- random cases --------------------------------------------------------------------------------
ACTIVATIONS = ["identity", "relu", {"name": "leaky_relu", "slope": "1/10"},
               {"name": "two_piece", "s_plus": "3/2", "s_minus": "1/4"}, "abs", "tanh", "sigmoid", "softplus",
               "softsign", "bent_identity"]


def _rand_q(rng, den=(2, 3, 4, 5, 7), lo=-3, hi=3):
    q = rng.choice(den)
    p = 0
    while p == 0:
        p = rng.randint(lo * q, hi * q)
    return Fraction(p, q) / 2


def random_case(seed, activation, loss="square", bias=False, depth=None, m=2, **net_kwargs):
    """A random net (depth 1-3, widths 1-4) with rational weights, biases, inputs and targets.

    Returns (net, weights, biases, X, Y, theta): weights/biases as row lists of Fractions, X and Y as
    d x m row lists, theta the flat exact parameter vector.
    """
    rng = random.Random(seed)
    depth = depth or rng.randint(1, 3)
    widths = [rng.randint(1, 4) for _ in range(depth + 1)]
    if loss == "cross_entropy":
        widths[-1] = max(2, widths[-1])
    net = Net(widths=tuple(widths), activation=activation, loss=loss, bias=bias, **net_kwargs)
    W = [[[_rand_q(rng) for _ in range(widths[l])] for _ in range(widths[l + 1])] for l in range(depth)]
    b = [[_rand_q(rng) for _ in range(widths[l + 1])] for l in range(depth)] if bias else None
    X = [[_rand_q(rng) for _ in range(m)] for _ in range(widths[0])]
    if loss == "square":
        Y = [[_rand_q(rng) for _ in range(m)] for _ in range(widths[-1])]
    else:
        Y = [[abs(_rand_q(rng)) for _ in range(m)] for _ in range(widths[-1])]
    theta = []
    for l in range(depth):
        theta += [W[l][i][j] for j in range(widths[l]) for i in range(widths[l + 1])]
        if bias:
            theta += b[l]
    return net, W, b, X, Y, theta


def samples(M):
    """d x m row lists -> list of m samples."""
    return [list(col) for col in zip(*M)]
