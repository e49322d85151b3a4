"""Named example nets, data sets and points: where the catalog, the tests and the docs start from.

One factory per example, each with a diagram and a doctest (as ``sympy.physics.mechanics.models``
does), plus :func:`random_point` and :func:`random_linear_data` for seeded exact instances.  Only the
core is used here (no symbolic, numeric or proofs imports), so every layer can start from these.

Deep linear data follow Kawaguchi (NIPS 2016): samples are the columns of X (d_x x m) and Y (d_y x m),
Sigma = Y X^T (X X^T)^{-1} X Y^T.
"""

import random

import sympy as sp

from lossgeom.checks import check_int, check_matrix, check_net

from .net import Net
from .point import resolve_point

__all__ = ["botev_micro", "relu_3_4_2_1", "linear_oracle", "cayley_rotated", "cayley_orthogonal",
           "equal_subset_sums", "repeated_eigenvalue", "wide_output_oracle", "xor_data", "random_linear_data", "random_point",
           "admissible_linear_data", "yun_data"]


def botev_micro():
    """The Botev micro-example: a 1-1-1 tanh net with square loss at W1 = 1/2, W2 = 2, x = 1, y = 0.

    ::

        x = 1 --W1 = 1/2--> h1 --tanh--> a1 --W2 = 2--> h2 = output,  E = 1/2 (h2 - y)^2, y = 0

    Examples
    --------
    >>> pt = botev_micro()
    >>> print(pt.net)
    Net(1-1-1, tanh, square)
    >>> pt.theta(), pt.X, pt.Y
    ((1/2, 2), Matrix([[1]]), Matrix([[0]]))
    """
    return resolve_point(Net(widths=(1, 1, 1), activation="tanh"), [[["1/2"]], [[2]]], X=[[1]], Y=[[0]])


def relu_3_4_2_1():
    """The ReLU net of the path-count example: 3 * 4 * 2 = 24 input-to-output paths.

    ::

        x (3) --W1--> h1 (4) --relu--> W2 --> h2 (2) --relu--> W3 --> output (1)

    Examples
    --------
    >>> net = relu_3_4_2_1()
    >>> str(net), net.widths[0] * net.widths[1] * net.widths[2]
    ('Net(3-4-2-1, relu, square)', 24)
    """
    return Net(widths=(3, 4, 2, 1), activation="relu")


def linear_oracle():
    """The Baldi-Hornik / Kawaguchi worked data: X = I_3, Y = diag(3, 2, 1), so Sigma = diag(9, 4, 1).

    ::

        X = [1 0 0]    Y = [3 0 0]    Sigma = Y X^T (X X^T)^{-1} X Y^T = [9 0 0]
            [0 1 0]        [0 2 0]                                       [0 4 0]
            [0 0 1]        [0 0 1]                                       [0 0 1]

    Returns
    -------
    (X, Y) : tuple of Matrix

    Examples
    --------
    >>> X, Y = linear_oracle()
    >>> Y * X.T * (X * X.T).inv() * X * Y.T == sp.diag(9, 4, 1), (Y * Y.T).trace()
    (True, 14)
    """
    return sp.eye(3), sp.diag(3, 2, 1)


def cayley_orthogonal(S=None):
    """The rational orthogonal matrix Q = (I - S)(I + S)^{-1} of a skew-symmetric S (Cayley transform).

    The default S is ``[[0, 1, 2], [-1, 0, 1], [-2, -1, 0]]``.

    Examples
    --------
    >>> Q = cayley_orthogonal()
    >>> Q.T * Q == sp.eye(3), Q.det(), Q[0, 0]
    (True, 1, -3/7)
    """
    if S is not None:
        S = check_matrix(S, "S")
    S = sp.Matrix([[0, 1, 2], [-1, 0, 1], [-2, -1, 0]]) if S is None else sp.Matrix(S)
    n = S.rows
    return (sp.eye(n) - S) * (sp.eye(n) + S).inv()


def cayley_rotated():
    """Deep linear data whose Sigma has exact but non-axis eigenvectors: Y = Q diag(3, 2, 1) X_o.

    X_o has orthogonal rows (X_o X_o^T = diag(2, 1, 2)) and Q is :func:`cayley_orthogonal`, so
    Sigma = Q diag(3, 2, 1) X_o X_o^T diag(3, 2, 1) Q^T = Q diag(18, 4, 2) Q^T.

    ::

        X_o = [1 0 0  1]        Y = Q [3 0 0] X_o        Q = (I - S)(I + S)^{-1}, S skew
              [0 1 0  0]              [0 2 0]
              [1 0 0 -1]              [0 0 1]

    Examples
    --------
    >>> X, Y = cayley_rotated()
    >>> Q = cayley_orthogonal()
    >>> Y * X.T * (X * X.T).inv() * X * Y.T == Q * sp.diag(18, 4, 2) * Q.T
    True
    """
    Xo = sp.Matrix([[1, 0, 0, 1], [0, 1, 0, 0], [1, 0, 0, -1]])
    return Xo, cayley_orthogonal() * sp.diag(3, 2, 1) * Xo


def equal_subset_sums():
    """X = I_3, Y = diag(5, 4, 3): Sigma = diag(25, 16, 9) has distinct eigenvalues but 25 = 16 + 9.

    ::

        Sigma = [25  0  0]     the subsets {1} and {2, 3} give the same critical value
                [ 0 16  0]     1/2 (50 - 25) = 1/2 (50 - 16 - 9) = 25/2
                [ 0  0  9]

    Examples
    --------
    >>> X, Y = equal_subset_sums()
    >>> (Y * Y.T).diagonal()
    Matrix([[25, 16, 9]])
    """
    return sp.eye(3), sp.diag(5, 4, 3)


def repeated_eigenvalue():
    """X = I_3, Y = diag(2, 2, 1): Sigma = diag(4, 4, 1) has a repeated eigenvalue (the notes' Theorem 1
    needs no distinct eigenvalues; the NIPS clause does).

    ::

        Sigma = [4 0 0]
                [0 4 0]      eigenvalue 4 twice
                [0 0 1]

    Examples
    --------
    >>> X, Y = repeated_eigenvalue()
    >>> (Y * X.T * X * Y.T).diagonal()
    Matrix([[4, 4, 1]])
    """
    return sp.eye(3), sp.diag(2, 2, 1)


def wide_output_oracle():
    """Data for the case d_y <= p of Kawaguchi's Theorem 1: X = I_2, Y = diag(2, 1), to be used with
    hidden widths p >= d_y = 2 (e.g. 2-2-2 or 2-3-2).

    ::

        X = [1 0]   Y = [2 0]   Sigma = [4 0]
            [0 1]       [0 1]           [0 1]

    Examples
    --------
    >>> X, Y = wide_output_oracle()
    >>> Y.rows, (Y * Y.T).diagonal()
    (2, Matrix([[4, 1]]))
    """
    return sp.eye(2), sp.diag(2, 1)


def xor_data():
    """The XOR data set: the four corners of the unit square, target 1 where exactly one input is 1.

    ::

        x = (0, 0) -> 0      x = (0, 1) -> 1
        x = (1, 0) -> 1      x = (1, 1) -> 0        samples are the columns of X and Y

    Returns
    -------
    (X, Y) : tuple of Matrix
        X is 2 x 4, Y is 1 x 4.

    Examples
    --------
    >>> X, Y = xor_data()
    >>> [int(X[0, s]) ^ int(X[1, s]) for s in range(4)] == list(Y)
    True
    """
    return sp.Matrix([[0, 0, 1, 1], [0, 1, 0, 1]]), sp.Matrix([[0, 1, 1, 0]])


def admissible_linear_data(X, Y, distinct=True):
    """True when (X, Y) meets Kawaguchi's assumptions exactly: X X^T invertible, X Y^T of full rank,
    d_y <= d_x, and (when ``distinct``) distinct eigenvalues of Sigma.

    Examples
    --------
    >>> admissible_linear_data(*linear_oracle()), admissible_linear_data(*repeated_eigenvalue())
    (True, False)
    >>> admissible_linear_data(*repeated_eigenvalue(), distinct=False)
    True
    """
    X = check_matrix(X, "X")
    Y = check_matrix(Y, "Y")
    X, Y = sp.Matrix(X), sp.Matrix(Y)
    G = X * X.T
    if Y.rows > X.rows or G.rank() < X.rows or (X * Y.T).rank() < min(X.rows, Y.rows):
        return False
    if not distinct:
        return True
    lam = sp.Symbol("lambda")
    chi = sp.Poly((Y * X.T * G.inv() * X * Y.T).charpoly(lam).as_expr(), lam)
    return sp.degree(sp.gcd(chi, chi.diff(lam)), lam) == 0


def random_linear_data(seed, dx, dy, m, low=-3, high=3, distinct=True):
    """Random integer deep-linear data (X, Y) meeting Kawaguchi's assumptions, deterministic per seed.

    ::

        X: dx x m integers in [low, high]     Y: dy x m integers in [low, high]
        resampled until admissible_linear_data(X, Y, distinct) holds

    Examples
    --------
    >>> X, Y = random_linear_data(0, 3, 2, 5)
    >>> X.shape, Y.shape, admissible_linear_data(X, Y)
    ((3, 5), (2, 5), True)
    """
    seed = check_int(seed, "seed")
    dx = check_int(dx, "dx", 1)
    dy = check_int(dy, "dy", 1)
    m = check_int(m, "m", 1)
    low = check_int(low, "low")
    high = check_int(high, "high", low)
    rng = random.Random(seed)
    for _ in range(100):
        X = sp.Matrix(dx, m, lambda i, j: rng.randint(low, high))
        Y = sp.Matrix(dy, m, lambda i, j: rng.randint(low, high))
        if admissible_linear_data(X, Y, distinct):
            return X, Y
    from .errors import DataError
    raise DataError("random_linear_data: no admissible %dx%d / %dx%d data in 100 draws from seed %r"
                    % (dx, m, dy, m, seed))  # pragma: no cover


def random_point(net, seed, samples=1, bound=3, denominator=10, nonnegative_targets=False):
    """A seeded random :class:`~lossgeom.point.Point` of ``net`` with small exact rationals.

    Weights, biases and inputs are k/denominator with |k| <= bound * denominator; targets likewise,
    or in [0, bound] with ``nonnegative_targets`` (softmax cross-entropy needs y >= 0 to be convex).

    ::

        W_l[i, j], b_l[i], x[i], y[i]  ~  uniform on {-bound, ..., -1/denominator, 0, ..., bound}

    Parameters
    ----------
    net : Net
    seed : int or random.Random
        A Random instance is drawn from (and advanced), so several points can share one stream.
    samples : int
    bound, denominator : int
    nonnegative_targets : bool

    Examples
    --------
    >>> pt = random_point(Net(widths=(2, 2, 1), activation="tanh", bias=True), seed=0)
    >>> [W.shape for W in pt.weights], pt.X.shape, all(v.q in (1, 2, 5, 10) for v in pt.theta())
    ([(2, 2), (1, 2)], (2, 1), True)
    >>> random_point(Net(widths=(2, 2, 1)), 1) == random_point(Net(widths=(2, 2, 1)), 1)
    True
    """
    check_net(net)
    if not isinstance(seed, random.Random):
        seed = check_int(seed, "seed")
    samples = check_int(samples, "samples", 1)
    bound = check_int(bound, "bound", 0)
    denominator = check_int(denominator, "denominator", 1)
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    top = bound * denominator

    def q(low=-top):
        return sp.Rational(rng.randint(low, top), denominator)

    weights = [[[q() for _ in range(c)] for _ in range(r)] for r, c in (net.layer_shape(l)
                                                                          for l in range(1, net.depth + 1))]
    biases = [[q() for _ in range(net.widths[l])] for l in range(1, net.depth + 1)] if net.bias else None
    X = [[q() for _ in range(samples)] for _ in range(net.widths[0])]
    Y = [[q(0 if nonnegative_targets else -top) for _ in range(samples)] for _ in range(net.widths[-1])]
    return resolve_point(net, weights, biases, X, Y)


# -- Shen (2016): XOR nets with dummy units (biases) ----------------------------------------------

__all__ += ["xor_softsign_fit", "xor_rank_drop"]

_XOR_FITS = {
    # hidden pre-activations avoid 0 (softsign's f'' jumps there), so the Hessian exists
    2: ([[1, 1], [1, 1]], ["-1/2", "-3/2"], [["5/2", "-5/2"]], ["-2/3"]),
    3: ([[2, 1], [1, 2], [1, 1]], ["-1/2", "-1/2", "-3/2"], [["735/736", "735/736", "-825/368"]], ["-125/184"]),
}


def xor_softsign_fit(hidden=2):
    """An exact rational fit of XOR by a 2-``hidden``-1 softsign net with biases (Shen's dummy units).

    softsign(z) = z / (1 + |z|) is rational at rational points, so F(W*, x_i) = y_i holds exactly::

        2-2-1: h1 = x1 + x2 - 1/2, h2 = x1 + x2 - 3/2, F = 5/2 s(h1) - 5/2 s(h2) - 2/3
        2-3-1: h = (2x1 + x2 - 1/2, x1 + 2x2 - 1/2, x1 + x2 - 3/2),
               F = 735/736 (s(h1) + s(h2)) - 825/368 s(h3) - 125/184

    Examples
    --------
    >>> pt = xor_softsign_fit(3)
    >>> print(pt.net), pt.net.n_params
    Net(2-3-1, softsign, square, bias)
    (None, 13)
    """
    W1, b1, W2, b2 = _XOR_FITS[check_int(hidden, "hidden", 2, 3)]
    X, Y = xor_data()
    return resolve_point(Net(widths=(2, hidden, 1), activation="softsign", bias=True), [W1, W2], [b1, b2], X, Y)


def xor_rank_drop(hidden=2):
    """A critical point of a 2-``hidden``-1 softsign XOR net where rank P = 1 < 4 and J > 0.

    All weights 0, hidden biases 1, -1 (, 2), output bias 1/2 = mean(y): the hidden outputs are constant,
    so Phi_1 eps = 0 and 1^T eps = 0, and Psi_1 = 0 because the hidden->output weights are 0.

    Examples
    --------
    >>> xor_rank_drop(2).theta()
    (0, 0, 0, 0, 1, -1, 0, 0, 1/2)
    """
    X, Y = xor_data()
    b1 = [1, -1, 2][:check_int(hidden, "hidden", 2, 3)]
    return resolve_point(Net(widths=(2, hidden, 1), activation="softsign", bias=True),
                         [[[0, 0]] * hidden, [[0] * hidden]], [b1, ["1/2"]], X, Y)


def yun_data():
    """The data of Yun, Sra & Jadbabaie (ICLR 2019), Theorem 2: no linear fit, and the fit is constant.

    ::

        x = (1, 0) -> 0      x = (0, 1) -> 0      x = (1/2, 1/2) -> 1      samples are the columns

    Every sample has x_1 + x_2 = 1, so the least-squares affine fit is the constant 1/3 with
    loss 1/2 (1/9 + 1/9 + 4/9) = 1/3 (square loss 1/2 ||.||^2 summed over the samples).

    Returns
    -------
    (X, Y) : tuple of Matrix
        X is 2 x 3, Y is 1 x 3.

    Examples
    --------
    >>> X, Y = yun_data()
    >>> X.shape, list(Y), [X[0, s] + X[1, s] for s in range(3)]
    ((2, 3), [0, 0, 1], [1, 1, 1])
    """
    return sp.Matrix([[1, 0, sp.Rational(1, 2)], [0, 1, sp.Rational(1, 2)]]), sp.Matrix([[0, 0, 1]])


def botev_slice_point():
    """The two-layer ReLU net with square loss of Botev's loss-surface pictures (Botev, Ritter, Barber,
    ICML 2017, and the accompanying blog post): a seeded 3-4-2 ReLU net, 8 samples, exact rationals.

    Examples
    --------
    >>> p = botev_slice_point()
    >>> p.net.widths, p.n_samples, str(p.net.activation)
    ((3, 4, 2), 8, 'relu')
    """
    return random_point(Net(widths=(3, 4, 2), activation="relu"), seed=2017, samples=8)
__all__ += ["botev_slice_point"]


def three_piece():
    """A continuous piecewise-linear activation with three pieces (two kinks), for He, Wang & Tao (ICLR 2020).

    ::

        f(x) = x / 2        x < 0
        f(x) = x            0 < x < 1
        f(x) = 2 x - 1      x > 1

    Built directly as an :class:`~lossgeom.activations.Activation` record (pieces on open intervals),
    so a :class:`~lossgeom.net.Net` takes it like a registered one; it is not added to the registry
    (net files and the command line do not know it).

    Examples
    --------
    >>> act = three_piece()
    >>> act.kinks, act.piecewise_linear, [act.apply(v) for v in (-2, sp.Rational(1, 2), 3)]
    ((0, 1), True, [-1, 1/2, 5])
    >>> print(Net(widths=(2, 2, 1), activation=act, bias=True))
    Net(2-2-1, three_piece, square, bias)
    """
    from .activations import Activation, Piece, X

    oo = sp.oo
    pieces = (Piece(-oo, sp.Integer(0), X / 2), Piece(sp.Integer(0), sp.Integer(1), X),
              Piece(sp.Integer(1), oo, 2 * X - 1))
    return Activation("three_piece", (), pieces, 1, True)


__all__ += ["three_piece"]
