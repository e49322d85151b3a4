"""Exercise families on Botev et al. 2017, Choromanska et al. 2015, Kawaguchi 2016 and Baldi & Hornik 1989."""

import sympy as sp

from lossgeom.net import Net
from lossgeom.point import resolve_point
from lossgeom.proofs.exercises import (
    Exercise,
    family,
    formula_grader,
    matrix_text,
    number_grader,
)

BOTEV = "Botev, Ritter & Barber (ICML 2017)"
CHOROMANSKA = "Choromanska et al. (AISTATS 2015)"
KAWAGUCHI = "Kawaguchi (NIPS 2016)"
BALDI = "Baldi & Hornik (1989)"


def _nonzero(rng, lo, hi):
    return rng.choice([v for v in range(lo, hi + 1) if v != 0])


def _relu_instance(rng, out=1):
    """A 2-2-out ReLU net (no biases, square loss) at integer weights where no unit sits at a kink."""
    net = Net(widths=(2, 2, out), activation="relu")
    while True:
        W1 = sp.Matrix(2, 2, lambda i, j: rng.randint(-3, 3))
        W2 = sp.Matrix(out, 2, lambda i, j: _nonzero(rng, -2, 2))
        x = sp.Matrix([_nonzero(rng, -2, 2), _nonzero(rng, -2, 2)])
        y = sp.Matrix(out, 1, lambda i, j: rng.randint(-2, 2))
        h1 = W1 * x
        if all(v != 0 for v in h1) and any(v > 0 for v in h1):
            return net, W1, W2, x, y


def _evaluate(net, W1, W2, x, y):
    from lossgeom.numeric import evaluate_net
    return evaluate_net(net, [W1.tolist(), W2.tolist()], X=x.tolist(), Y=y.tolist(), dps="exact")


def _point(net, W1, W2, x, y):
    return resolve_point(net, [W1.tolist(), W2.tolist()], X=x.tolist(), Y=y.tolist())


def _relu_steps(W1, W2, x, y):
    h1 = W1 * x
    B1 = sp.diag(*[1 if v > 0 else 0 for v in h1])
    a1 = B1 * h1
    h2 = W2 * a1
    return h1, B1, a1, h2


def _net_text(W1, W2, x, y):
    return ("a 2-2-%d ReLU net without biases, output linear, square loss E = 1/2 ||h2 - y||^2, "
            "W1 = %s, W2 = %s, input x = (%s), target y = (%s)"
            % (W2.rows, matrix_text(W1), matrix_text(W2), ", ".join(map(str, x)), ", ".join(map(str, y))))


def _net_latex(W1, W2, x, y):
    return ("a $2$-$2$-$%d$ ReLU net without biases (linear output, square loss $E = \\tfrac12\\|h_2 - y\\|^2$) "
            "with $W_1 = %s$, $W_2 = %s$, $x = %s$, $y = %s$"
            % (W2.rows, sp.latex(W1), sp.latex(W2), sp.latex(x), sp.latex(y)))


@family("hessian-recursion", BOTEV)
def hessian_recursion(rng, seed):
    net, W1, W2, x, y = _relu_instance(rng)
    h1, B1, a1, h2 = _relu_steps(W1, W2, x, y)
    H1 = B1 * W2.T * W2 * B1  # H2 = 1 (square loss, linear output), D1 = 0 (relu'' = 0)
    ev = _evaluate(net, W1, W2, x, y)
    assert sp.Matrix(ev.preactivation_hessians[0][0]) == H1, "the hand recursion disagrees with evaluate_net"
    q = "For %s, compute the pre-activation Hessian H1 = d^2E/dh1^2 (2x2) with Botev's recursion." % _net_text(
        W1, W2, x, y)
    ql = ("For %s, compute the pre-activation Hessian $H_1 = \\partial^2 E/\\partial h_1^2$ with the Botev "
          "recursion." % _net_latex(W1, W2, x, y))
    sol = ("h1 = W1 x = %s; B1 = diag(relu'(h1)) = %s; a1 = %s; h2 = W2 a1 = %s. H2 = 1 (square loss, linear "
           "output). D1 = diag(relu''(h1) dE/da1) = 0. H1 = B1 W2^T H2 W2 B1 + D1 = %s."
           % (matrix_text(h1.T), matrix_text(B1), matrix_text(a1.T), matrix_text(h2), matrix_text(H1)))
    soll = ("$h_1 = W_1 x = %s$, $B_1 = \\operatorname{diag}(\\mathrm{relu}'(h_1)) = %s$, $a_1 = %s$, "
            "$h_2 = W_2 a_1 = %s$. $H_2 = 1$ (square loss, linear output), $D_1 = 0$ ($\\mathrm{relu}''=0$), so "
            "$H_1 = B_1 W_2^\\top H_2 W_2 B_1 + D_1 = %s$."
            % (sp.latex(h1), sp.latex(B1), sp.latex(a1), sp.latex(h2), sp.latex(H1)))
    grader = formula_grader("preactivation-hessian", _point(net, W1, W2, x, y), layer=1)
    return Exercise("hessian-recursion", BOTEV, seed, q, ql, matrix_text(H1), sol, soll, "matrix", grader=grader)


@family("kronecker-block", BOTEV)
def kronecker_block(rng, seed):
    net, W1, W2, x, y = _relu_instance(rng)
    h1, B1, a1, h2 = _relu_steps(W1, W2, x, y)
    H1 = B1 * W2.T * W2 * B1
    block = sp.kronecker_product(x * x.T, H1)
    ev = _evaluate(net, W1, W2, x, y)
    assert sp.Matrix(ev.layer_blocks[0]) == block, "the Kronecker block disagrees with evaluate_net"
    q = ("For %s, the pre-activation Hessian is H1 = %s. Give the Hessian block of the layer-1 weights, "
         "d^2E/dvec(W1)^2 = (a0 a0^T) kron H1 with a0 = x (4x4, vec stacks the columns)."
         % (_net_text(W1, W2, x, y), matrix_text(H1)))
    ql = ("For %s, the pre-activation Hessian is $H_1 = %s$. Give the layer-1 weight block "
          "$\\partial^2 E/\\partial\\operatorname{vec}(W_1)^2 = (a_0 a_0^\\top)\\otimes H_1$ with $a_0 = x$."
          % (_net_latex(W1, W2, x, y), sp.latex(H1)))
    sol = "a0 a0^T = x x^T = %s; the block is %s kron %s = %s." % (
        matrix_text(x * x.T), matrix_text(x * x.T), matrix_text(H1), matrix_text(block))
    soll = "$a_0 a_0^\\top = %s$, so the block is $%s \\otimes %s = %s$." % (
        sp.latex(x * x.T), sp.latex(x * x.T), sp.latex(H1), sp.latex(block))
    grader = formula_grader("layer-block", _point(net, W1, W2, x, y), layer=1)
    return Exercise("kronecker-block", BOTEV, seed, q, ql, matrix_text(block), sol, soll, "matrix", grader=grader)


@family("gauss-newton-block", BOTEV)
def gauss_newton_block(rng, seed):
    net, W1, W2, x, y = _relu_instance(rng, out=2)
    h1, B1, a1, h2 = _relu_steps(W1, W2, x, y)
    G2 = sp.eye(2)  # the Gauss-Newton recursion starts at the loss's Hessian in the output
    block = sp.kronecker_product(a1 * a1.T, G2)
    q = ("For %s, give the Gauss-Newton block of the layer-2 weights, (a1 a1^T) kron G2 with G2 = d^2E/dh2^2 "
         "(4x4, vec stacks the columns)." % _net_text(W1, W2, x, y))
    ql = ("For %s, give the Gauss--Newton block of the layer-2 weights $(a_1 a_1^\\top)\\otimes G_2$ with "
          "$G_2 = \\partial^2 E/\\partial h_2^2$." % _net_latex(W1, W2, x, y))
    sol = ("h1 = W1 x = %s, a1 = relu(h1) = %s, a1 a1^T = %s, G2 = I (square loss); the block is %s."
           % (matrix_text(h1.T), matrix_text(a1.T), matrix_text(a1 * a1.T), matrix_text(block)))
    soll = ("$h_1 = %s$, $a_1 = %s$, $a_1 a_1^\\top = %s$, $G_2 = I$ (square loss), so the block is $%s$."
            % (sp.latex(h1), sp.latex(a1), sp.latex(a1 * a1.T), sp.latex(block)))
    grader = formula_grader("gauss-newton-block", _point(net, W1, W2, x, y), layer=2)
    return Exercise("gauss-newton-block", BOTEV, seed, q, ql, matrix_text(block), sol, soll, "matrix",
                    grader=grader)


@family("path-count", CHOROMANSKA)
def path_count(rng, seed):
    from lossgeom.symbolic.paths import paths_per_output
    widths = tuple(rng.randint(1, 6) for _ in range(rng.randint(3, 5))) + (rng.randint(1, 3),)
    n = paths_per_output(Net(widths=widths, activation="relu"))
    hidden = widths[:-1]
    q = ("A fully connected ReLU net has widths %s (input first). How many input-output paths end at one "
         "fixed output unit?" % "-".join(map(str, widths)))
    ql = ("A fully connected ReLU net has widths $%s$ (input first). How many input--output paths end at one "
          "fixed output unit?" % "\\text{-}".join(map(str, widths)))
    sol = "A path picks one unit in every layer before the output: %s = %d." % (" * ".join(map(str, hidden)), n)
    soll = "A path picks one unit in every layer before the output: $%s = %d$." % (
        " \\cdot ".join(map(str, hidden)), n)
    return Exercise("path-count", CHOROMANSKA, seed, q, ql, str(n), sol, soll, "numerical",
                    grader=number_grader(n, "the number of paths"))


@family("active-paths", CHOROMANSKA)
def active_paths(rng, seed):
    net, W1, W2, x, y = _relu_instance(rng)
    h1, B1, a1, h2 = _relu_steps(W1, W2, x, y)
    active = sum(1 for v in h1 if v > 0)
    n = 2 * active
    from lossgeom.numeric import activation_pattern, build_graph
    from lossgeom.numeric.graph import active_subgraph, count_paths
    W = [W1.tolist(), W2.tolist()]
    assert count_paths(active_subgraph(build_graph(net, W), activation_pattern(net, W, list(x)))).total == n
    q = ("For %s, how many of the 4 input-output paths are active (every ReLU on the path has a positive "
         "pre-activation)?" % _net_text(W1, W2, x, y))
    ql = ("For %s, how many of the $4$ input--output paths are active (every ReLU on the path has a positive "
          "pre-activation)?" % _net_latex(W1, W2, x, y))
    sol = ("h1 = W1 x = %s: %d hidden unit(s) active; each active hidden unit carries one path from each of the 2 "
           "inputs: 2 * %d = %d." % (matrix_text(h1.T), active, active, n))
    soll = ("$h_1 = W_1 x = %s$: %d hidden unit(s) active, each on one path from each of the 2 inputs: "
            "$2 \\cdot %d = %d$." % (sp.latex(h1), active, active, n))
    return Exercise("active-paths", CHOROMANSKA, seed, q, ql, str(n), sol, soll, "numerical",
                    grader=number_grader(n, "the number of active paths"))


@family("linear-gradient", KAWAGUCHI)
def linear_gradient(rng, seed):
    from lossgeom.symbolic.linear import lemma1_gradient
    net = Net(widths=(2, 2, 1), activation="identity")
    W1 = sp.Matrix(2, 2, lambda i, j: rng.randint(-2, 2))
    W2 = sp.Matrix(1, 2, lambda i, j: _nonzero(rng, -2, 2))
    X = sp.Matrix(2, 2, lambda i, j: rng.randint(-2, 2))
    Y = sp.Matrix(1, 2, lambda i, j: rng.randint(-2, 2))
    point = resolve_point(net, [W1.tolist(), W2.tolist()], X=X.tolist(), Y=Y.tolist())
    g = sp.Matrix(lemma1_gradient(net, point, 1))
    R = W2 * W1 * X - Y
    G = W2.T * R * X.T
    assert G.reshape(2, 2).T.reshape(4, 1) == g or sp.Matrix(G.T).reshape(4, 1) == g
    q = ("A deep linear net Y_hat = W2 W1 X with W1 = %s, W2 = %s, samples as the columns of X = %s and targets "
         "Y = %s has loss L = 1/2 ||W2 W1 X - Y||_F^2. Give the gradient dL/dW1 (a 2x2 matrix, or its column "
         "vec with the columns stacked)." % (matrix_text(W1), matrix_text(W2), matrix_text(X), matrix_text(Y)))
    ql = ("A deep linear net $\\hat Y = W_2 W_1 X$ with $W_1 = %s$, $W_2 = %s$, $X = %s$ (samples as columns), "
          "$Y = %s$ has loss $L = \\tfrac12\\|W_2W_1X - Y\\|_F^2$. Give $\\partial L/\\partial W_1$."
          % (sp.latex(W1), sp.latex(W2), sp.latex(X), sp.latex(Y)))
    sol = ("Residual R = W2 W1 X - Y = %s. dL/dW1 = W2^T R X^T = %s (Kawaguchi's Lemma 1: its column vec is %s)."
           % (matrix_text(R), matrix_text(G), matrix_text(g)))
    soll = ("$R = W_2W_1X - Y = %s$, so $\\partial L/\\partial W_1 = W_2^\\top R X^\\top = %s$ (Kawaguchi's "
            "Lemma 1)." % (sp.latex(R), sp.latex(G)))

    def reshape(M):  # the 2x2 gradient matrix -> Lemma 1's column (vec stacks the columns)
        if isinstance(M, sp.MatrixBase) and M.shape == (2, 2):
            return sp.ImmutableMatrix(M.T.reshape(4, 1))
        return M
    grader = formula_grader("linear-gradient", point, layer=1, reshape=reshape)
    return Exercise("linear-gradient", KAWAGUCHI, seed, q, ql, matrix_text(G), sol, soll, "matrix", grader=grader)


@family("shallow-critical-points", BALDI)
def shallow_critical_points(rng, seed):
    from lossgeom.symbolic.linear import global_minimum_value
    net = Net(widths=(2, 1, 2), activation="identity")
    a, b = rng.sample(range(1, 6), 2)
    X = sp.eye(2) * rng.choice([1, 2])
    Y = sp.diag(a, b)
    value = sp.Rational(min(a, b) ** 2, 2)
    assert global_minimum_value(net, X, Y) == value
    point = resolve_point(net, [[[0, 0]], [[0], [0]]], X=X.tolist(), Y=Y.tolist())
    q = ("A linear autoencoder-like net Y_hat = W2 W1 X with widths 2-1-2, inputs the columns of X = %s and targets "
         "Y = %s, loss L = 1/2 ||W2 W1 X - Y||_F^2. What is the global minimum value of L (Baldi & Hornik: "
         "every local minimum is global)?" % (matrix_text(X), matrix_text(Y)))
    ql = ("A linear net $\\hat Y = W_2W_1X$ with widths $2$-$1$-$2$, $X = %s$, $Y = %s$ and "
          "$L = \\tfrac12\\|W_2W_1X - Y\\|_F^2$. What is the global minimum value of $L$?" % (
              sp.latex(X), sp.latex(Y)))
    sig = Y * X.T * (X * X.T).inv() * X * Y.T
    sol = ("Sigma = Y X^T (X X^T)^-1 X Y^T = %s with eigenvalues %d, %d. With p = 1 hidden unit the minimum keeps "
           "the largest: 1/2 (tr Y Y^T - lambda_1) = 1/2 (%d - %d) = %s."
           % (matrix_text(sig), a * a, b * b, a * a + b * b, max(a, b) ** 2, value))
    soll = ("$\\Sigma = YX^\\top(XX^\\top)^{-1}XY^\\top = %s$; with $p = 1$ the minimum is "
            "$\\tfrac12(\\operatorname{tr} YY^\\top - \\lambda_1) = \\tfrac12(%d - %d) = %s$."
            % (sp.latex(sig), a * a + b * b, max(a, b) ** 2, sp.latex(value)))
    grader = formula_grader("critical-value", point)
    return Exercise("shallow-critical-points", BALDI, seed, q, ql, sp.sstr(value), sol, soll, "numerical",
                    grader=grader)
