"""Exercise families on Shen 2016, Milne 2019 and He, Wang & Tao 2020."""

from fractions import Fraction

import sympy as sp

from lossgeom.net import Net
from lossgeom.proofs.exercises import Exercise, choice_grader, family, matrix_text, number_grader

SHEN = "Shen (arXiv 1611.05827)"
MILNE = "Milne (NeurIPS 2019)"
HWT = "He, Wang & Tao (ICLR 2020)"


@family("shen-counting", SHEN)
def shen_counting(rng, seed):
    from lossgeom.symbolic.shen import shen_system_exact
    n0, n1, nL = rng.randint(1, 4), rng.randint(1, 5), rng.randint(1, 2)
    T = rng.randint(2, 8)
    n_net = (n0 + 1) * n1 + (n1 + 1) * nL
    net = Net(widths=(n0, n1, nL), activation="softsign", bias=True)
    system = shen_system_exact(net, [[[1] * n0] * n1, [[1] * n1] * nL], [[1] * n1, [1] * nL],
                               X=[[1] * T] * n0, Y=[[0] * T] * nL)
    assert system.n_rows == n_net and system.n_cols == nL * T
    holds = "holds" if n_net >= nL * T else "fails"
    q = ("A %d-%d-%d net with a dummy (bias) unit on the input and the hidden layer is trained on T = %d samples. "
         "How many rows N_net has Shen's critical-point matrix P(W) (the number of weights, dummies counted)?"
         % (n0, n1, nL, T))
    ql = ("A $%d$-$%d$-$%d$ net with a dummy (bias) unit on the input and the hidden layer is trained on $T = %d$ "
          "samples. How many rows $N_{\\mathrm{net}}$ has Shen's matrix $P(W)$?" % (n0, n1, nL, T))
    sol = ("N_net = (n0 + 1) n1 + (n1 + 1) nL = %d*%d + %d*%d = %d; P(W) has nL T = %d columns, so the counting "
           "condition N_net >= nL T %s." % (n0 + 1, n1, n1 + 1, nL, n_net, nL * T, holds))
    soll = ("$N_{\\mathrm{net}} = (n_0+1)n_1 + (n_1+1)n_L = %d\\cdot%d + %d\\cdot%d = %d$; $P(W)$ has "
            "$n_L T = %d$ columns, so the counting condition %s." % (n0 + 1, n1, n1 + 1, nL, n_net, nL * T, holds))
    return Exercise("shen-counting", SHEN, seed, q, ql, str(n_net), sol, soll, "numerical",
                    grader=number_grader(n_net, "N_net"))


@family("khatri-rao-rank", SHEN)
def khatri_rao_rank(rng, seed):
    T = rng.randint(2, 4)
    A = sp.Matrix(2, T, lambda i, j: rng.randint(-1, 2))
    B = sp.Matrix(2, T, lambda i, j: rng.randint(-1, 2))
    if rng.random() < 0.5:
        A[1, :] = A[0, :]
    K = sp.Matrix.hstack(*[sp.kronecker_product(A[:, j], B[:, j]) for j in range(T)])
    r = K.rank()
    q = ("Give the rank of the column-wise Khatri-Rao product A (.) B = [a_1 kron b_1, ..., a_T kron b_T] of "
         "A = %s and B = %s." % (matrix_text(A), matrix_text(B)))
    ql = "Give the rank of the Khatri--Rao product $A \\odot B$ of $A = %s$ and $B = %s$." % (sp.latex(A), sp.latex(B))
    sol = "A (.) B = %s (4x%d) has rank %d (rank A = %d, rank B = %d)." % (matrix_text(K), T, r, A.rank(), B.rank())
    soll = "$A \\odot B = %s$ has rank $%d$ ($\\operatorname{rank} A = %d$, $\\operatorname{rank} B = %d$)." % (
        sp.latex(K), r, A.rank(), B.rank())
    return Exercise("khatri-rao-rank", SHEN, seed, q, ql, str(r), sol, soll, "numerical",
                    grader=number_grader(r, "the rank"))


def _milne_instance(rng):
    W0 = [[Fraction(rng.randint(-2, 2), 2) for _ in range(2)] for _ in range(2)]
    W1 = [[Fraction(rng.randint(-2, 2), 2) for _ in range(2)]]
    a = [[rng.randint(-1, 1) or 1], [rng.randint(0, 1)]]
    return [W0, W1], a


def _m(M):
    return sp.Matrix([[sp.Rational(v.numerator, v.denominator) for v in row] for row in M])


@family("milne-region", MILNE)
def milne_region(rng, seed):
    from lossgeom.numeric.milne import in_U, milne_loss, switch_output
    W, a = _milne_instance(rng)
    f = [switch_output(W, a) + rng.choice([Fraction(0), Fraction(1, 50), Fraction(-1, 20), Fraction(1, 4)])]
    lam, theta = Fraction(rng.randint(2, 8), 10), Fraction(1, 10)
    inside = in_U(W, a, f, lam, theta)
    loss = milne_loss(W, a, f)
    r2 = sum(v[0] ** 2 for v in a)
    word = "yes" if inside else "no"
    bound = (lam - theta) ** 2 / (8 * r2)
    assert inside == (loss < bound), "the H = 1 form of U disagrees with in_U"
    q = ("Milne's one-hidden-layer ReLU net (H = 1) y = relu(W1 relu(W0 a)) has W0 = %s, W1 = %s, one sample "
         "a = %s with target f = %s, loss l = 1/2 (f - y)^2 and r = ||a||. Is W in U(lambda, theta) for lambda = %s, "
         "theta = %s? (yes/no)" % (matrix_text(_m(W[0])), matrix_text(_m(W[1])), matrix_text(_m(a).T), f[0], lam,
                                   theta))
    ql = ("Milne's net with $H = 1$, $y = \\mathrm{relu}(W_1\\,\\mathrm{relu}(W_0 a))$, $W_0 = %s$, $W_1 = %s$, one "
          "sample $a = %s$ with target $f = %s$, $\\ell = \\tfrac12(f-y)^2$, $r = \\|a\\|$. Is $W \\in U(\\lambda,"
          "\\theta)$ for $\\lambda = %s$, $\\theta = %s$?" % (sp.latex(_m(W[0])), sp.latex(_m(W[1])),
                                                            sp.latex(_m(a)), f[0], lam, theta))
    why = ("for H = 1, U(lambda, theta) = { l(W) < (lambda - theta)^2 / (8 r^2) }; here l(W) = %s and the bound is "
           "%s, so W is %sin U" % (loss, bound, "" if inside else "not "))
    sol = "The answer is %s: %s." % (word, why)
    soll = ("For $H = 1$, $U(\\lambda,\\theta) = \\{\\ell(W) < (\\lambda-\\theta)^2/(8r^2)\\}$; $\\ell(W) = %s$, the "
            "bound is $%s$: the answer is %s." % (sp.latex(sp.Rational(loss.numerator, loss.denominator)),
                                                  sp.latex(sp.Rational(bound.numerator, bound.denominator)), word))
    return Exercise("milne-region", MILNE, seed, q, ql, word, sol, soll, "multichoice", choices=("yes", "no"),
                    grader=choice_grader(word, ("yes", "no"), why))


@family("switch-form", MILNE)
def switch_form(rng, seed):
    from lossgeom.numeric.milne import switch_output, switches
    W, a = _milne_instance(rng)
    y = switch_output(W, a)
    S = switches(W, a)
    yv = sp.Rational(y.numerator, y.denominator)
    q = ("Milne's ReLU net y = S2 W1 S1 W0 a (S_i the 0/1 switches of the pre-activations) has W0 = %s, W1 = %s. "
         "Give y at a = %s." % (matrix_text(_m(W[0])), matrix_text(_m(W[1])), matrix_text(_m(a).T)))
    ql = ("Milne's ReLU net $y = S_2W_1S_1W_0a$ has $W_0 = %s$, $W_1 = %s$. Give $y$ at $a = %s$."
          % (sp.latex(_m(W[0])), sp.latex(_m(W[1])), sp.latex(_m(a))))
    sol = "The switches are S1 = diag%s, S2 = %s; y = S2 W1 S1 W0 a = %s." % (tuple(S[0]), tuple(S[1]), yv)
    soll = "$S_1 = \\operatorname{diag}%s$, $S_2 = %s$, so $y = S_2W_1S_1W_0a = %s$." % (
        tuple(S[0]), tuple(S[1]), sp.latex(yv))
    return Exercise("switch-form", MILNE, seed, q, ql, sp.sstr(yv), sol, soll, "numerical",
                    grader=number_grader(yv, "y(a, W)"))


def _check_cells(w, b, v, kinks, n):
    """lossgeom's own cell finder (pattern_at) on one point per interval finds n distinct cells."""
    from lossgeom.symbolic.cells import pattern_at
    net = Net(widths=(1, len(w), 1), activation="relu", bias=True)
    probes = [kinks[0] - 1] + [(p + q) / 2 for p, q in zip(kinks, kinks[1:])] + [kinks[-1] + 1]
    cells = pattern_at(net, [[[wi] for wi in w], [v]], [[[bi] for bi in b], [[0]]], [probes])
    found = {tuple(cells[(s, 1, k)] for k in range(1, len(w) + 1)) for s in range(1, len(probes) + 1)}
    assert len(found) == n, "pattern_at finds %d cells, the kinks give %d" % (len(found), n)


@family("count-cells", HWT)
def count_cells(rng, seed):
    k = rng.randint(2, 4)
    w = [rng.choice([-2, -1, 1, 2]) for _ in range(k)]
    b = [rng.randint(-3, 3) for _ in range(k)]
    v = [rng.choice([-1, 1, 2]) for _ in range(k)]
    kinks = sorted({sp.Rational(-bi, wi) for wi, bi in zip(w, b)})
    n = len(kinks) + 1
    _check_cells(w, b, v, kinks, n)
    q = ("A ReLU net with one input and one hidden layer computes g(x) = sum_i v_i relu(w_i x + b_i) with w = %s, "
         "b = %s, v = %s. Into how many activation cells (intervals with one activation pattern) do the kinks "
         "split the real line?" % (w, b, v))
    ql = ("A ReLU net computes $g(x) = \\sum_i v_i\\,\\mathrm{relu}(w_i x + b_i)$ with $w = %s$, $b = %s$, $v = %s$. "
          "Into how many activation cells do the kinks split $\\mathbb{R}$?" % (w, b, v))
    sol = "Unit i switches at x = -b_i/w_i: %s, %d distinct point(s), so %d cells." % (
        ", ".join(map(sp.sstr, kinks)), len(kinks), n)
    soll = "Unit $i$ switches at $x = -b_i/w_i$: $%s$, %d distinct point(s), so $%d$ cells." % (
        ", ".join(map(sp.latex, kinks)), len(kinks), n)
    return Exercise("count-cells", HWT, seed, q, ql, str(n), sol, soll, "numerical",
                    grader=number_grader(n, "the number of cells"))


YUN = "Yun, Sra & Jadbabaie (ICLR 2019)"


def _affine_fit_loss(X, Y):
    """1/2 ||Y - best affine fit||^2 over the samples (columns of X), exactly (least squares on [x; 1])."""
    A = sp.Matrix.vstack(X, sp.ones(1, X.cols))
    basis = sp.Matrix.hstack(*A.T.columnspace())  # the column space of A^T: the affine functions' values
    fit = basis * (basis.T * basis).inv() * basis.T * Y.T
    r = Y.T - fit
    return sp.Rational(1, 2) * (r.T * r)[0, 0], fit


@family("yun-spurious-minimum", YUN)
def yun_spurious_minimum(rng, seed):
    from lossgeom.models import yun_data
    X, _ = yun_data()
    Y = sp.Matrix([[rng.randint(-2, 2), rng.randint(-2, 2), rng.randint(-2, 3)]])
    if Y[2] * 2 == Y[0] + Y[1]:
        Y[2] += 1  # keep the data off every affine function
    loss, fit = _affine_fit_loss(X, Y)
    base, _ = _affine_fit_loss(*yun_data())
    assert base == sp.Rational(1, 3), "Yun's own data: the affine fit's loss is 1/3"
    q = ("Yun et al.'s data: inputs (1, 0), (0, 1), (1/2, 1/2) (all with x1 + x2 = 1) and targets %s. No affine "
         "function fits them; Yun et al. (Theorem 1) build a spurious local minimum of a one-hidden-layer "
         "leaky-ReLU net (all units active) that computes the best affine fit. Give its loss 1/2 sum_i (fit_i - y_i)^2." % (tuple(Y),))
    ql = ("Yun et al.'s data: inputs $(1,0)$, $(0,1)$, $(\\tfrac12,\\tfrac12)$ and targets $%s$. Give the loss "
          "$\\tfrac12\\sum_i(\\hat y_i - y_i)^2$ of the best affine fit (Yun et al.'s spurious local "
          "minimum of a one-hidden-layer leaky-ReLU net has this loss)." % sp.latex(tuple(Y)))
    sol = ("The inputs lie on the line x1 + x2 = 1, so an affine fit is affine in x1 alone: least squares on "
           "(x1, 1) gives the values %s and the loss %s." % (tuple(fit), loss))
    soll = ("The inputs lie on $x_1 + x_2 = 1$, so the fit is affine in $x_1$: least squares gives $%s$ and the "
            "loss $%s$." % (sp.latex(tuple(fit)), sp.latex(loss)))
    return Exercise("yun-spurious-minimum", YUN, seed, q, ql, sp.sstr(loss), sol, soll, "numerical",
                    grader=number_grader(loss, "the loss of the affine fit"))
