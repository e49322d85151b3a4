"""Milne (2019), "Piecewise Strong Convexity of Neural Networks" (NeurIPS 2019; arXiv 1810.12805), decided
exactly on rational weights and data (docs/MATH.md section 4).

Milne's setting: ReLU on every layer including the scalar output, no biases, W_i in R^{n_i x n_{i+1}} and
y(a, W) = sigma(W_H^T sigma(... sigma(W_0^T a))), loss l = (1/2N) sum_i (f(a_i) - y(a_i, W))^2 and
l_lambda = l + (lambda/2) ||W||^2.  lossgeom's Net stores W_l in R^{n_l x n_{l-1}} (h_l = W_l a_{l-1}), so
**Milne's W_i is lossgeom's W_{i+1} transposed** (:func:`milne_weights`, the one place the convention is
translated); every function here takes lossgeom's weights.  With ``reduction="mean"`` the square loss
1/2 ||z - y||^2 averaged over the samples is Milne's l, and ``weight_decay`` adds (weight_decay/2) ||W||^2 once,
so weight_decay = lambda (:func:`milne_net`).  H is the number of hidden layers (net depth - 1).

Everything is rational arithmetic (``fractions.Fraction``) except the reported ratios; comparisons with
square roots are made between squared quantities, and |||W|||^(2p) < q is decided as the positive
definiteness of q I - (W^T W)^p (its eigenvalues are q - lambda^p), by exact elimination.
"""

import random
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from lossgeom.checks import check_int, check_matrices, check_matrix, check_sequence
from lossgeom.errors import DataError
from lossgeom.net import Net
from lossgeom.numbers import parse_number
from lossgeom.numeric.spectrum import exact_inertia
from lossgeom.precision import DEFAULT_DPS, check_dps

__all__ = ["milne_net", "milne_weights", "switches", "switch_output", "milne_loss", "second_derivative",
           "norm_power_below", "lemma3_holds", "lemma3_ratio", "in_U", "ball_condition", "lemma4_condition",
           "lemma3_sweep", "chain_instance"]


def milne_net(widths, lam=0):
    """Milne's net: ReLU hidden and output units, no biases, mean square loss, weight_decay = lambda.

    Examples
    --------
    >>> print(milne_net((2, 3, 1), "1/10"))
    Net(2-3-1, relu, square, output relu, weight decay 1/10)
    """
    return Net(widths=tuple(check_sequence(widths, "widths")), activation="relu", output_activation="relu", bias=False, reduction="mean",
               weight_decay=lam)


def _num(v, field):
    """A rational scalar from outside (the whitelist number parser) as a Fraction."""
    if isinstance(v, Fraction):
        return v
    return _q(parse_number(v, field), field)


def _q(v, field):
    if not getattr(v, "is_Rational", False):
        raise DataError("%s: expected rational entries, got %s" % (field, v))
    return Fraction(int(v.p), int(v.q))


def _layers(weights, field="weights"):
    """lossgeom weights as lists of Fraction rows, shapes chained, scalar output."""
    Ms = check_matrices(weights, field)
    if not Ms:
        raise DataError("%s: expected at least one layer" % field)
    for k, (A, B) in enumerate(zip(Ms, Ms[1:])):
        if B.cols != A.rows:
            raise DataError("%s[%d]: expected %d columns (the rows of layer %d), got %d" % (field, k + 1, A.rows, k, B.cols))
    if Ms[-1].rows != 1:
        raise DataError("%s: Milne's net has a scalar output, got %d outputs" % (field, Ms[-1].rows))
    return [[[_q(v, "%s[%d]" % (field, k)) for v in M.row(i)] for i in range(M.rows)] for k, M in enumerate(Ms)]


def _data(layers, A, f):
    """Columns of A (n_0 x N) and the targets f (N numbers) as Fractions."""
    A = check_matrix(A, "A")
    if A.rows != len(layers[0][0]) or A.cols == 0:
        raise DataError("A: expected %d rows (the input width) and >= 1 column, got %dx%d"
                        % (len(layers[0][0]), A.rows, A.cols))
    F = check_matrix(f, "f")
    if len(F) != A.cols:
        raise DataError("f: expected %d targets (one per column of A), got %d" % (A.cols, len(F)))
    cols = [[_q(A[i, j], "A") for i in range(A.rows)] for j in range(A.cols)]
    return cols, [_q(v, "f") for v in F]


def _mv(M, v):
    return [sum((m * x for m, x in zip(row, v)), Fraction(0)) for row in M]


def milne_weights(weights):
    """Milne's W_0 .. W_H (W_i in R^{n_i x n_{i+1}}) from lossgeom's W_1 .. W_{H+1}: W_i = W_{i+1}^T.

    Examples
    --------
    >>> [M.tolist() for M in milne_weights([[[1, 2]], [[3]]])]
    [[[1], [2]], [[3]]]
    """
    return [M.T for M in check_matrices(weights, "weights")]


def switches(weights, a):
    """S_1 .. S_{H+1}: the 0/1 diagonals 1[pre-activation > 0] of Milne's switch form at input a.

    Examples
    --------
    >>> switches([[[1], [-1]], [[1, 1]]], [2])
    [(1, 0), (1,)]
    """
    layers = _layers(weights)
    (cols,), _ = _data(layers, check_matrix(a, "a"), [0])
    out, z = [], cols
    for W in layers:
        h = _mv(W, z)
        s = tuple(int(v > 0) for v in h)
        out.append(s)
        z = [v * k for v, k in zip(h, s)]
    return out


def _check_switches(layers, S):
    if S is None:
        return None
    S = [tuple(check_sequence(s, "S[%d]" % k)) for k, s in enumerate(check_sequence(S, "S"))]
    if len(S) != len(layers) or any(len(s) != len(W) or any(k not in (0, 1) for k in s) for s, W in zip(S, layers)):
        raise DataError("S: expected one 0/1 tuple per layer, of the layer widths %s" % [len(W) for W in layers])
    return S


def switch_output(weights, a, S=None):
    """y = S_{H+1} W_H^T S_H ... S_1 W_0^T a (Milne's matrices), switches read from the pre-activations unless given.

    Examples
    --------
    >>> switch_output([[[1], [-1]], [[1, 1]]], [2])
    Fraction(2, 1)
    >>> switch_output([[[1], [-1]], [[1, 1]]], [2], S=[(1, 1), (1,)])
    Fraction(0, 1)
    """
    layers = _layers(weights)
    S = _check_switches(layers, S) or switches(weights, a)
    (z,), _ = _data(layers, check_matrix(a, "a"), [0])
    for Wm, s in zip(milne_weights(weights), S):
        Wt = [[_q(v, "weights") for v in Wm.T.row(i)] for i in range(Wm.cols)]  # W_i^T
        z = [v * k for v, k in zip(_mv(Wt, z), s)]
    return z[0]


def milne_loss(weights, A, f):
    """l(W) = (1/2N) sum_i (f_i - y(a_i, W))^2, exact, through the switch form.

    Examples
    --------
    >>> milne_loss([[[1], [-1]], [[1, 1]]], [[2, 1]], [1, 1])
    Fraction(1, 4)
    """
    layers = _layers(weights)
    cols, F = _data(layers, A, f)
    return _loss(layers, cols, F)


def _forward(layers, a):
    z = a
    for W in layers:
        z = [max(v, Fraction(0)) for v in _mv(W, z)]
    return z[0]


def _loss(layers, cols, F):
    return sum(((fi - _forward(layers, a)) ** 2 for a, fi in zip(cols, F)), Fraction(0)) / (2 * len(cols))


def _taylor(layers, D, a):
    """(y, y'(0), y''(0)/2) of t -> y(a, W + tX) with the switches held at W."""
    p, q, s = a, [Fraction(0)] * len(a), [Fraction(0)] * len(a)
    for W, X in zip(layers, D):
        h = _mv(W, p)
        k = [int(v > 0) for v in h]
        p, q, s = ([v * c for v, c in zip(h, k)], [(u + v) * c for u, v, c in zip(_mv(W, q), _mv(X, p), k)],
                   [(u + v) * c for u, v, c in zip(_mv(W, s), _mv(X, q), k)])
    return p[0], q[0], s[0]


def second_derivative(weights, direction, A, f):
    """d^2/dt^2 phi(W + tX) at t = 0, exact, phi = l with the switches held fixed at W (Lemma 3).

    phi'' = (1/N) sum_i [ (y_i')^2 + (y_i - f_i) y_i'' ], t -> y_i a polynomial inside the cell.

    Examples
    --------
    >>> second_derivative([[[1]], [[1]]], [[[1]], [[1]]], [[1]], [4])
    Fraction(-2, 1)
    """
    layers, D = _layers(weights), _layers(direction, "direction")
    _same_shapes(layers, D)
    cols, F = _data(layers, A, f)
    return _d2(layers, D, cols, F)


def _d2(layers, D, cols, F):
    total = Fraction(0)
    for a, fi in zip(cols, F):
        y, d1, half = _taylor(layers, D, a)
        total += d1 * d1 + (y - fi) * 2 * half
    return total / len(cols)


def _same_shapes(layers, D):
    if [(len(W), len(W[0])) for W in layers] != [(len(X), len(X[0])) for X in D]:
        raise DataError("direction: expected the shapes of the weights %s"
                        % [(len(W), len(W[0])) for W in layers])


def _positive_definite(M):
    """Exact: Gaussian elimination without pivoting has only positive pivots."""
    M = [row[:] for row in M]
    n = len(M)
    for k in range(n):
        if M[k][k] <= 0:
            return False
        for i in range(k + 1, n):
            r = M[i][k] / M[k][k]
            M[i] = [u - r * v for u, v in zip(M[i], M[k])]
    return True


def _gram(W):
    """W W^T or W^T W, whichever is smaller (same nonzero eigenvalues)."""
    rows = W if len(W) <= len(W[0]) else [list(c) for c in zip(*W)]
    return [[sum((x * y for x, y in zip(u, v)), Fraction(0)) for v in rows] for u in rows]


def _matpow(M, p):
    n = len(M)
    out = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    for _ in range(p):
        out = [[sum((out[i][k] * M[k][j] for k in range(n)), Fraction(0)) for j in range(n)] for i in range(n)]
    return out


def norm_power_below(weights, power, q):
    """Decide exactly whether |||W|||^(2 power) < q, |||W||| = max_i ||W_i||_2 (Definition 1).

    power = 0 reads |||W|||^0 = 1 (also at W = 0).  For power >= 1: every layer's q I - (W_i W_i^T)^power
    must be positive definite (its eigenvalues are q - sigma^(2 power)).

    Examples
    --------
    >>> norm_power_below([[[3, 4]]], 1, 25), norm_power_below([[[3, 4]]], 1, Fraction(251, 10))
    (False, True)
    >>> norm_power_below([[[3, 4]]], 0, 1)
    False
    """
    layers, p = _layers(weights), check_int(power, "power", 0, 64)
    return _below(layers, p, _num(q, "q"))


def _below(layers, p, q):
    if p == 0:
        return 1 < q
    for W in layers:
        G = _matpow(_gram(W), p)
        if not _positive_definite([[q * int(i == j) - v for j, v in enumerate(row)] for i, row in enumerate(G)]):
            return False
    return True


def _r2(cols, r2):
    top = max(sum((v * v for v in a), Fraction(0)) for a in cols)
    if r2 is None:
        return top
    r2 = _num(r2, "r2")
    if r2 < top:
        raise DataError("r2: expected r^2 >= max ||a_i||^2 = %s, got %s" % (top, r2))
    return r2


def _H(layers):
    return len(layers) - 1


def lemma3_holds(weights, direction, A, f, c2, r2=None):
    """Decide exactly: phi''(0) >= - c H(H+1) |||W|||^(H-1) ||X||^2 r phi(W)^(1/2), given c^2 (c >= 0).

    Squared: when phi'' < 0 it holds iff |||W|||^(2(H-1)) >= phi''^2 / (c^2 H^2 (H+1)^2 ||X||^4 r^2 phi).
    ``r2`` is r^2 (default max ||a_i||^2).

    Examples
    --------
    >>> W, X = [[[1]], [[1]]], [[[1]], [[1]]]
    >>> lemma3_holds(W, X, [[1]], [4], 2), lemma3_holds(W, X, [[1]], [4], Fraction(1, 100))
    (True, False)
    """
    layers, D = _layers(weights), _layers(direction, "direction")
    _same_shapes(layers, D)
    cols, F = _data(layers, A, f)
    c2 = _num(c2, "c2")
    if c2 < 0:
        raise DataError("c2: expected c^2 >= 0, got %s" % c2)
    return _lemma3(layers, D, cols, F, c2, _r2(cols, r2))


def _lemma3(layers, D, cols, F, c2, r2, d2=None, loss=None):
    d2 = _d2(layers, D, cols, F) if d2 is None else d2
    if d2 >= 0:
        return True
    H = _H(layers)
    x2 = sum((v * v for X in D for row in X for v in row), Fraction(0))
    loss = _loss(layers, cols, F) if loss is None else loss
    scale = c2 * H * H * (H + 1) ** 2 * x2 * x2 * r2 * loss
    if scale == 0:
        return False
    return not _below(layers, H - 1, d2 * d2 / scale)


def lemma3_ratio(weights, direction, A, f, dps=DEFAULT_DPS):
    """-phi''(0) / (H(H+1) |||W|||^(H-1) ||X||^2 r phi^(1/2)) at ``dps`` digits: the smallest c the draw needs.

    0 when phi'' >= 0 (the bound holds for any c >= 0).

    Examples
    --------
    >>> print(mpmath.nstr(lemma3_ratio([[[1]], [[1]]], [[[1]], [[1]]], [[1]], [4]), 10))
    0.2357022604
    """
    dps = check_dps(dps)
    layers = _layers(weights)
    cols, _ = _data(layers, A, f)
    d2 = second_derivative(weights, direction, A, f)
    if d2 >= 0:
        return mpmath.mpf(0)
    H = _H(layers)
    with mpmath.workdps(dps + 10):
        mp = lambda v: mpmath.mpf(v.numerator) / v.denominator  # noqa: E731
        norm = max(mpmath.sqrt(max(mpmath.eigsy(mpmath.matrix([[mp(v) for v in r] for r in _gram(W)]))[0]))
                   for W in layers)
        x2 = sum(v * v for X in _layers(direction, "direction") for row in X for v in row)
        den = H * (H + 1) * norm ** (H - 1) * mp(x2) * mpmath.sqrt(mp(_r2(cols, None))) * \
            mpmath.sqrt(mp(milne_loss(weights, A, f)))
        return -mp(d2) / den


def _gap(lam, theta):
    lam, theta = _num(lam, "lam"), _num(theta, "theta")
    if not lam > theta > 0:
        raise DataError("lam, theta: expected lambda > theta > 0, got %s, %s" % (lam, theta))
    return lam - theta


def in_U(weights, A, f, lam, theta, r2=None):
    """Decide exactly whether W is in U(lambda, theta) (Definition 2, eq. 6):
    l(W)^(1/2) |||W|||^(H-1) < (lambda - theta) / (sqrt 2 H(H+1) r).

    Squared: l = 0, or |||W|||^(2(H-1)) < (lambda - theta)^2 / (2 H^2 (H+1)^2 r^2 l).

    Examples
    --------
    >>> in_U([[[0]], [[0]]], [[1]], [Fraction(1, 10)], Fraction(2, 5), Fraction(1, 10))
    True
    >>> in_U([[[0]], [[0]]], [[1]], [1], Fraction(2, 5), Fraction(1, 10))
    False
    """
    layers = _layers(weights)
    cols, _ = _data(layers, A, f)
    gap, r2, H = _gap(lam, theta), _r2(cols, r2), _H(layers)
    loss = milne_loss(weights, A, f)
    if loss == 0:
        return True
    return norm_power_below(weights, H - 1, gap * gap / (2 * H * H * (H + 1) ** 2 * r2 * loss))


def ball_condition(weights, A, f, lam, theta, R, r2=None):
    """Eq. (7)'s hypothesis, exact: |||W||| <= R and l(W)^(1/2) < (lambda - theta) / (sqrt 2 H(H+1) r R^(H-1)).

    Examples
    --------
    >>> ball_condition([[[1]], [[1]]], [[1]], [3], 1, Fraction(1, 2), 2)
    False
    """
    layers = _layers(weights)
    cols, _ = _data(layers, A, f)
    gap, r2, H, R = _gap(lam, theta), _r2(cols, r2), _H(layers), _num(R, "R")
    if R < 0:
        raise DataError("R: expected a radius >= 0, got %s" % R)
    inside = _not_above(layers, R * R)
    loss = milne_loss(weights, A, f)
    return inside and 2 * H * H * (H + 1) ** 2 * r2 * R ** (2 * (H - 1)) * loss < gap * gap


def _not_above(layers, R2):
    """Every singular value^2 <= R2: R2 I - G positive semidefinite (exact inertia, no negative eigenvalue)."""
    for W in layers:
        G = _gram(W)
        M = sp.Matrix(len(G), len(G), lambda i, j: sp.Rational(R2.numerator, R2.denominator) * int(i == j)
                      - sp.Rational(G[i][j].numerator, G[i][j].denominator))
        if exact_inertia(M).negative:
            return False
    return True


def lemma4_condition(A, f, H, lam, r2=None):
    """Decide exactly eq. (10): (1/2N) sum f_i^2 < (lambda^(1+1/H) / 2) (H(H+1) r)^(-2/H).

    Raised to the power H: (2 l(0))^H H^2 (H+1)^2 r^2 < lambda^(H+1).

    Examples
    --------
    >>> lemma4_condition([[1]], [Fraction(1, 10)], 1, Fraction(2, 5)), lemma4_condition([[1]], [1], 1, Fraction(2, 5))
    (True, False)
    """
    H = check_int(H, "H", 1, 64)
    A = check_matrix(A, "A")
    cols, F = _data([[[0] * A.rows]], A, f)
    lam = _num(lam, "lam")
    if lam <= 0:
        raise DataError("lam: expected lambda > 0, got %s" % lam)
    l0 = sum((v * v for v in F), Fraction(0)) / (2 * len(F))
    return (2 * l0) ** H * H * H * (H + 1) ** 2 * _r2(cols, r2) < lam ** (H + 1)


def _ratio_float(layers, D, cols, F, d2, loss):
    """lemma3_ratio in float64 for phi'' = d2 < 0 (for reporting only; every decision here is exact)."""
    H = _H(layers)
    norm = max(float(np.linalg.norm(np.array(W, dtype=float), 2)) for W in layers)
    x2 = float(sum(v * v for X in D for row in X for v in row))
    r = float(_r2(cols, None)) ** 0.5
    return -float(d2) / (H * (H + 1) * norm ** (H - 1) * x2 * r * float(loss) ** 0.5)


def _draw(rng, widths, den):
    return [[[Fraction(rng.randint(-2 * den, 2 * den), den) for _ in range(widths[l - 1])] for _ in range(widths[l])]
            for l in range(1, len(widths))]


def lemma3_sweep(widths, draws, seed=0, c2s=(2,), samples=3):
    """Lemma 3 on ``draws`` seeded random rational (W, X, data): per c^2 in ``c2s`` the exact decisions.

    Entries are multiples of 1/4 in [-2, 2] (weights, direction), inputs and targets multiples of 1/4 in
    [-1, 1]; r^2 = max ||a_i||^2.  Returns ``{"violations": {c2: count}, "negative": draws with phi'' < 0,
    "max ratio": float64 max of :func:`lemma3_ratio`, "argmax": (weights, direction, A, f) of that draw}``.

    Examples
    --------
    >>> out = lemma3_sweep((2, 2, 1), 50, c2s=(2, 0))
    >>> out["violations"][2], out["violations"][0] == out["negative"] > 0
    (0, True)
    """
    widths = tuple(check_int(w, "widths", 1, 16) for w in check_sequence(widths, "widths"))
    if len(widths) < 2 or widths[-1] != 1:
        raise DataError("widths: expected (n_0, ..., n_H, 1), got %s" % (widths,))
    draws, seed = check_int(draws, "draws", 1, 10 ** 6), check_int(seed, "seed", 0)
    samples, c2s = check_int(samples, "samples", 1, 1000), [_num(c, "c2s") for c in check_sequence(c2s, "c2s")]
    if any(c < 0 for c in c2s):
        raise DataError("c2s: expected values c^2 >= 0, got %s" % c2s)
    rng = random.Random(seed)
    out = {"violations": {c: 0 for c in c2s}, "negative": 0, "max ratio": 0.0, "argmax": None}
    for _ in range(draws):
        W, D = _draw(rng, widths, 4), _draw(rng, widths, 4)
        cols = [[Fraction(rng.randint(-4, 4), 4) for _ in range(widths[0])] for _ in range(samples)]
        if not any(any(a) for a in cols):
            continue
        F = [Fraction(rng.randint(-4, 4), 4) for _ in range(samples)]
        r2, d2 = _r2(cols, None), _d2(W, D, cols, F)
        if d2 >= 0:
            continue
        out["negative"] += 1
        loss = _loss(W, cols, F)
        for c in c2s:
            out["violations"][c] += not _lemma3(W, D, cols, F, c, r2, d2, loss)
        ratio = _ratio_float(W, D, cols, F, d2, loss)
        if ratio > out["max ratio"]:
            out["max ratio"], out["argmax"] = ratio, (W, D, [list(r) for r in zip(*cols)], F)
    return out


def chain_instance(H, eps):
    """The near-extremal Lemma 3 instance: one sample a = e_1, f = 1, W_l = eps e_1 e_1^T, X_l = e_1 e_1^T,
    widths (2, ..., 2, 1).  As eps -> 0 its ratio (:func:`lemma3_ratio`) tends to sqrt 2 / (H + 1).

    Returns lossgeom weights, direction, A, f (lists of Fractions).

    Examples
    --------
    >>> W, X, A, f = chain_instance(1, Fraction(1, 1000))
    >>> print(mpmath.nstr(lemma3_ratio(W, X, A, f), 6))
    0.707105
    """
    H, eps = check_int(H, "H", 1, 16), _num(eps, "eps")
    if eps <= 0:
        raise DataError("eps: expected eps > 0, got %s" % eps)
    widths = [2] * (H + 1) + [1]

    def e11(rows, cols, v):
        return [[v if (i, j) == (0, 0) else Fraction(0) for j in range(cols)] for i in range(rows)]

    W = [e11(widths[l], widths[l - 1], eps) for l in range(1, H + 2)]
    X = [e11(widths[l], widths[l - 1], Fraction(1)) for l in range(1, H + 2)]
    return W, X, [[Fraction(1)], [Fraction(0)]], [Fraction(1)]
