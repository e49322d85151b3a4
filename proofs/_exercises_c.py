"""Exercise families ``bad-saddle`` (Kawaguchi 2016) and ``bernoulli-expectation`` (Choromanska et al. 2015)."""

import itertools

import sympy as sp

from lossgeom.net import Net
from lossgeom.point import resolve_point
from lossgeom.proofs.exercises import Exercise, choice_grader, family, matrix_text, number_grader

CHOROMANSKA = "Choromanska et al. (AISTATS 2015)"
KAWAGUCHI = "Kawaguchi (NIPS 2016)"

SADDLE_CHOICES = ("bad saddle", "strict saddle", "local minimum", "not critical")

# (depth, which layers are zero, whether Y X^T = 0): the cases the family draws from
_SADDLE_CASES = (
    (3, (1, 2, 3), False), (4, (1, 2, 3), False), (4, (1, 2, 3, 4), False), (3, (1, 2), False),
    (2, (1, 2), False), (2, (1,), False), (3, (2,), False), (3, (1, 2, 3), True),
)


def _nonzero(rng, lo, hi):
    return rng.choice([v for v in range(lo, hi + 1) if v != 0])


def _saddle_data(rng, orthogonal):
    """X (2x2, the samples as columns) and Y (1x2) with Y X^T != 0, or Y X^T = 0 when ``orthogonal``."""
    while True:
        if orthogonal:
            a, b, c = _nonzero(rng, -2, 2), _nonzero(rng, -2, 2), _nonzero(rng, -2, 2)
            X = sp.Matrix([[a, b], [c * a, c * b]])  # rank 1: both rows along (a, b)
            k = _nonzero(rng, -2, 2)
            Y = sp.Matrix([[-k * b, k * a]])
        else:
            X = sp.Matrix(2, 2, lambda i, j: rng.randint(-2, 2))
            Y = sp.Matrix(1, 2, lambda i, j: rng.randint(-2, 2))
        s = Y * X.T
        if (s == sp.zeros(1, 2)) == orthogonal:
            return X, Y


def _saddle_answer(depth, zero, orthogonal, s, weights):
    """The decision with its reason as text and LaTeX, derived by hand for the drawn case (checked by _oracle)."""
    k, L, sl = len(zero), sp.latex, sp.latex(s)
    if orthogonal:
        return "local minimum", (
            "Y X^T = 0, so with P = W%d...W1 the cross term <P X, Y> = tr(P X Y^T) vanishes and L(W) = 1/2 ||P X||^2 "
            "+ 1/2 ||Y||^2 >= L(point) for every W: a (global) minimum, although the Hessian is 0" % depth,
            "$YX^\\top = 0$, so with $P = W_{%d}\\cdots W_1$ the cross term $\\langle PX, Y\\rangle = "
            "\\operatorname{tr}(PXY^\\top)$ vanishes and $L(W) = \\tfrac12\\|PX\\|^2 + \\tfrac12\\|Y\\|^2 \\ge "
            "L(\\text{point})$ for every $W$: a (global) minimum, although the Hessian is $0$." % depth)
    if zero == (2,):  # depth 3, W_2 = 0 only: dL/dW_2 = W_3^T R (W_1 X)^T with R = -Y
        g = -weights[2].T * s * weights[0].T
        return "not critical", (
            "with W2 = 0 the output is 0, R = -Y, and dL/dW2 = W3^T R X^T W1^T = -W3^T Y X^T W1^T = %s != 0"
            % matrix_text(g),
            "with $W_2 = 0$ the output is $0$, $R = -Y$, and $\\partial L/\\partial W_2 = W_3^\\top R X^\\top "
            "W_1^\\top = -W_3^\\top YX^\\top W_1^\\top = %s \\ne 0$." % L(g))
    if k == 1:  # depth 2, W_1 = 0, W_2 != 0
        g = -weights[1].T * s
        return "not critical", (
            "with W1 = 0 the output is 0, R = -Y, and dL/dW1 = W2^T R X^T = -W2^T Y X^T = %s != 0" % matrix_text(g),
            "with $W_1 = 0$ the output is $0$, $R = -Y$, and $\\partial L/\\partial W_1 = W_2^\\top RX^\\top = "
            "-W_2^\\top YX^\\top = %s \\ne 0$." % L(g))
    c = sp.Mul(*[W[0, 0] for W in weights[k:]])
    if k == 2 and c != 0:  # W_1 = W_2 = 0, the rest non-zero: the (W_1, W_2) block is -c (Y X^T)^T
        rest, restl = ("W%d^T " % depth, "W_%d^\\top " % depth) if depth == 3 else ("", "")
        ev = sp.sqrt(c ** 2 * (s * s.T)[0, 0])
        return "strict saddle", (
            "every partial derivative of P = W%d...W1 contains W1 or W2, so the gradient vanishes; the Hessian's "
            "only non-zero block is the (W1, W2) cross block -%sY X^T = %s (transposed), with Y X^T = %s, so the "
            "Hessian has the eigenvalues +-%s and 0: a negative eigenvalue, an ordinary (strict) saddle"
            % (depth, rest, matrix_text(-c * s), matrix_text(s), sp.sstr(ev)),
            "every partial derivative of $P = W_{%d}\\cdots W_1$ contains $W_1$ or $W_2$, so the gradient vanishes; "
            "the Hessian's only non-zero block is the $(W_1, W_2)$ cross block $-%sYX^\\top = %s$ (with "
            "$YX^\\top = %s$), so its eigenvalues are $\\pm %s$ and $0$: a negative eigenvalue, an ordinary "
            "(strict) saddle." % (depth, restl, L(-c * s), sl, L(ev)))
    rest, restl = ("W%d...W%d " % (depth, k + 1), "W_{%d}\\cdots W_{%d}" % (depth, k + 1)) if k < depth else ("", "")
    return "bad saddle", (
        "the first %d layers are 0, so every partial derivative of order < %d of P = W%d...W1 vanishes at the "
        "point: gradient and Hessian are 0 (no negative eigenvalue). Along W + t D (D1, ..., D%d on the zero "
        "layers) the loss changes by -t^%d <%sD%d...D1 X, Y> + O(t^%d), and Y X^T = %s != 0 gives a D making it "
        "negative: not a local minimum. A saddle whose Hessian is PSD: a bad saddle (Kawaguchi: they exist "
        "for H >= 2 hidden layers)" % (k, k, depth, k, k, rest, k, 2 * k, matrix_text(s)),
        "the first %d layers are $0$, so every partial derivative of order $< %d$ of $P = W_{%d}\\cdots W_1$ "
        "vanishes: gradient and Hessian are $0$ (no negative eigenvalue). Along $W + tD$ ($D_1, \\dots, D_{%d}$ on "
        "the zero layers) $L(W + tD) - L(W) = -t^{%d}\\langle %s D_{%d}\\cdots D_1 X, Y\\rangle + O(t^{%d})$, and "
        "$YX^\\top = %s \\ne 0$ gives a $D$ making it negative: not a local minimum. A saddle with a PSD Hessian: "
        "a bad saddle (they exist once $H \\ge 2$)." % (k, k, depth, k, k, restl, k, 2 * k, sl))


def _descent(depth, zero, weights, s):
    """The hand-built descent direction: D_1 = Y X^T on layer 1, D_l = +-1 on the other zero layers, 0 elsewhere."""
    c = sp.Mul(*[W[0, 0] for W in weights[len(zero):]])
    D = [sp.zeros(*W.shape) for W in weights]
    D[0] = sp.Matrix(s)
    for l in range(1, len(zero)):
        D[l] = sp.Matrix([[1]])
    if c < 0:
        D[len(zero) - 1] = -D[len(zero) - 1]
    return D


def _oracle(depth, zero, weights, X, Y):
    """lossgeom's exact verdict: gradient, exact Hessian inertia, and the loss along the hand-built curve.

    Not the hand reasoning: :func:`lossgeom.numeric.linear_gradient` / ``linear_hessian`` in exact arithmetic,
    :func:`lossgeom.numeric.spectrum.exact_inertia`, :func:`lossgeom.numeric.linear.curve_polynomial`, and for a
    minimum a direct SymPy expansion of ``L(W) - L(point)`` with symbolic weights.
    """
    from lossgeom.numeric.linear import curve_polynomial, descent_certificate, linear_gradient, linear_hessian
    from lossgeom.numeric.spectrum import exact_inertia
    net = Net(widths=(2,) + (1,) * depth)
    point = resolve_point(net, [W.tolist() for W in weights], X=X.tolist(), Y=Y.tolist())
    if any(v != 0 for v in sp.Matrix(linear_gradient(net, point, dps="exact"))):
        return "not critical"
    if exact_inertia(sp.Matrix(linear_hessian(net, point, dps="exact"))).negative:
        return "strict saddle"
    s = Y * X.T
    if s != sp.zeros(1, 2):
        cert = descent_certificate(curve_polynomial(net, point, [D.tolist() for D in
                                                                 _descent(depth, zero, weights, s)]))
        return "bad saddle" if cert is not None and cert.decreases else "?"
    V = [sp.Matrix(*W.shape, lambda i, j, l=l: sp.Symbol("v%d_%d_%d" % (l, i, j))) for l, W in enumerate(weights)]
    P = V[0]
    for M in V[1:]:
        P = M * P
    def sq(M):
        return sum(e ** 2 for e in M) / 2
    gap = sp.expand(sq(P * X - Y) - sq(P * X) - sq(Y))  # L(W) - L(point) - 1/2 ||P X||^2, for every W
    return "local minimum" if gap == 0 else "?"


@family("bad-saddle", KAWAGUCHI)
def bad_saddle(rng, seed):
    depth, zero, orthogonal = rng.choice(_SADDLE_CASES)
    X, Y = _saddle_data(rng, orthogonal)
    s = Y * X.T
    shapes = [(1, 2)] + [(1, 1)] * (depth - 1)
    weights = [sp.zeros(*sh) if l + 1 in zero else sp.Matrix(*sh, lambda i, j: _nonzero(rng, -2, 2))
               for l, sh in enumerate(shapes)]
    if zero == (2,) and (weights[2].T * s * weights[0].T)[0, 0] == 0:
        weights[0] = sp.Matrix([[s[0, 0], s[0, 1]]])  # W_1 X Y^T != 0: the W_2 gradient is non-zero
    word, (why, whyl) = _saddle_answer(depth, zero, orthogonal, s, weights)
    assert _oracle(depth, zero, weights, X, Y) == word, "the hand decision disagrees with classify_point"
    ws = ", ".join("W%d = %s" % (l + 1, matrix_text(W)) for l, W in enumerate(weights))
    wl = ", ".join("W_%d = %s" % (l + 1, sp.latex(W)) for l, W in enumerate(weights))
    q = ("A deep linear net Y_hat = W%d ... W1 X with widths 2-%s, samples as the columns of X = %s, targets Y = %s "
         "and loss L = 1/2 ||W%d...W1 X - Y||_F^2 is at the point %s. Decide what the point is and justify: one of "
         "%s (a bad saddle is a critical point that is not a local minimum but whose Hessian has no negative "
         "eigenvalue)." % (depth, "-".join(["1"] * depth), matrix_text(X), matrix_text(Y), depth, ws,
                           ", ".join(SADDLE_CHOICES)))
    ql = ("A deep linear net $\\hat Y = W_{%d}\\cdots W_1 X$ with widths $2$-%s, $X = %s$ (samples as columns), "
          "$Y = %s$ and $L = \\tfrac12\\|W_{%d}\\cdots W_1X - Y\\|_F^2$ is at the point $%s$. Is it a bad saddle "
          "(critical, not a local minimum, Hessian without a negative eigenvalue), a strict saddle, a local "
          "minimum, or not critical? Justify." % (depth, "-".join(["$1$"] * depth), sp.latex(X), sp.latex(Y),
                                                 depth, wl))
    sol = "The answer is %s: %s." % (word, why)
    soll = "The answer is \\emph{%s}: %s" % (word, whyl)
    return Exercise("bad-saddle", KAWAGUCHI, seed, q, ql, word, sol, soll, "multichoice", choices=SADDLE_CHOICES,
                    grader=choice_grader(word, SADDLE_CHOICES, why))


_RHOS = (sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(2, 3), sp.Rational(1, 4), sp.Rational(3, 4))


def _brute_expectation(ps, rho):
    """E[y] by summing over every 0/1 assignment of the gates with its probability (independent of linearity)."""
    total = sp.zeros(ps.net.widths[-1], 1)
    for bits in itertools.product((0, 1), repeat=ps.n_paths):
        prob = sp.Mul(*[rho if b else 1 - rho for b in bits])
        total += prob * ps.substitute_gates(dict(zip(ps.gates, bits)))
    return total


@family("bernoulli-expectation", CHOROMANSKA)
def bernoulli_expectation(rng, seed):
    from lossgeom.symbolic.paths import expand_path_sum
    widths = rng.choice(((2, 2, 1), (2, 2, 2, 1), (3, 2, 1)))
    net = Net(widths=widths, activation="relu")
    while True:
        Ws = [sp.Matrix(widths[l + 1], widths[l], lambda i, j: rng.randint(-2, 2)) for l in range(len(widths) - 1)]
        x = sp.Matrix([_nonzero(rng, -2, 2) for _ in range(widths[0])])
        prod = x
        for W in Ws:
            prod = W * prod
        if prod[0] != 0:
            break
    rho = rng.choice(_RHOS)
    normalised = rng.random() < 0.3
    q = 1 / rho if normalised else sp.Integer(1)
    ps = expand_path_sum(net, weights=[W.tolist() for W in Ws], x=list(x), q=q)
    value = ps.expectation(rho)[0]
    assert value == q * rho * prod[0], "the path engine disagrees with q rho W_L...W_1 x"
    assert _brute_expectation(ps, rho)[0] == value, "the path engine disagrees with the sum over all gate values"
    terms = ["%s" % sp.sstr(t.monomial) for t in ps.terms]
    qtext = "1/rho" if normalised else "1"
    q_ = ("A ReLU net without biases with widths %s has %s and input x = (%s). Following Choromanska et al., write "
          "its output as the path sum y = q sum_p x_{i(p)} Z_p prod_k w_p^(k) and model the gates Z_p as independent "
          "Bernoulli variables with P(Z_p = 1) = rho = %s; take q = %s. Give E[y] (an exact number)."
          % ("-".join(map(str, widths)), ", ".join("W%d = %s" % (l + 1, matrix_text(W)) for l, W in enumerate(Ws)),
             ", ".join(map(str, x)), rho, qtext))
    ql = ("A ReLU net without biases with widths $%s$ has $%s$ and input $x = %s$. Model its path sum "
          "$y = q\\sum_p x_{i(p)} Z_p \\prod_k w^{(k)}_p$ with independent gates $Z_p \\sim "
          "\\mathrm{Bernoulli}(\\rho)$, $\\rho = %s$, and $q = %s$ (Choromanska et al.). Give $\\mathbb{E}[y]$."
          % ("\\text{-}".join(map(str, widths)), ",\\ ".join("W_%d = %s" % (l + 1, sp.latex(W)) for l, W in
                                                            enumerate(Ws)), sp.latex(x), sp.latex(rho),
             "1/\\rho" if normalised else "1"))
    S = prod[0]
    sol = ("The %d paths carry x_{i(p)} prod_k w_p^(k) = %s, summing to W%d...W1 x = %s. Each gate has E[Z_p] = rho, "
           "so by linearity E[y] = q rho sum_p x_{i(p)} prod_k w_p^(k) = %s * %s * %s = %s."
           % (ps.n_paths, ", ".join(terms), len(Ws), S, sp.sstr(q), rho, "(%s)" % S if S < 0 else S, sp.sstr(value)))
    soll = ("The $%d$ path products $x_{i(p)}\\prod_k w^{(k)}_p$ are $%s$ and sum to $W_%d\\cdots W_1x = %s$. Since "
            "$\\mathbb{E}[Z_p] = \\rho$, linearity gives $\\mathbb{E}[y] = q\\rho\\,W_%d\\cdots W_1x = %s\\cdot%s\\cdot"
            "%s = %s$." % (ps.n_paths, ", ".join(sp.latex(t.monomial) for t in ps.terms), len(Ws), sp.latex(S),
                           len(Ws), sp.latex(q), sp.latex(rho), "(%s)" % S if S < 0 else S, sp.latex(value)))
    return Exercise("bernoulli-expectation", CHOROMANSKA, seed, q_, ql, sp.sstr(value), sol, soll, "numerical",
                    grader=number_grader(value, "E[y]"))
