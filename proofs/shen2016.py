"""Claims from Shen, "Towards a Mathematical Understanding of the Difficulty in Learning with Feedforward
Neural Networks" (arXiv 1611.05827, 2016; CVPR 2018).

The source text available to the project has its formulas and stop-words stripped; the statements below
use Shen's notation (phi_l = sigma(W_l^T phi_{l-1}), biases as dummy units that output 1, identity output,
J(W) = sum_i E(F(W, x_i), y_i)) with E(yhat, y) = 1/2 ||yhat - y||^2, which is lossgeom's square loss with
reduction sum (so eps_i = F(W, x_i) - y_i).  Where the toolkit reconstructed the form, origin is
"derived".  The translation to lossgeom's h_l = W_l a_{l-1} + b_l is lossgeom.symbolic.shen.shen_layers.
"""

import random

import mpmath
import sympy as sp

from lossgeom.models import random_point, xor_data, xor_rank_drop, xor_softsign_fit
from lossgeom.net import Net
from lossgeom.numeric.evaluate import full_hessian
from lossgeom.numeric.shen import (
    exact_learner,
    khatri_rao_counterexample,
    rational_rank,
    shen_gradient_residual,
    shen_rank,
    sylvester_counterexample,
)
from lossgeom.numeric.spectrum import exact_inertia
from lossgeom.precision import tolerance, working_precision
from lossgeom.proofs.claim import register_claim
from lossgeom.proofs.evidence import Evidence, exact_check
from lossgeom.symbolic.shen import (
    shen_permutation,
    shen_system_exact,
    verify_dummy_units,
    verify_hessian_residual,
    verify_shen_gradient,
)
from lossgeom.symbolic.vec import khatri_rao

ORDER = 50

SOURCE = "Shen, arXiv 1611.05827 (2016) / CVPR 2018"
DERIVED = SOURCE + "; form derived by lossgeom (the source's formulas are not readable)"

#: the small nets of the exact proofs: generic f and tanh, 2-2-1 and 2-3-1, with dummy units
SMALL_NETS = tuple(Net(widths=w, activation=a, bias=True) for w in ((2, 2, 1), (2, 3, 1)) for a in ("f", "tanh"))
#: depth-3 nets of the 50-digit check (a few hundred parameters)
DEEP_NETS = (Net(widths=(6, 10, 10, 4), activation="tanh", bias=True),
             Net(widths=(5, 12, 8, 3), activation="sigmoid", bias=True),
             Net(widths=(4, 9, 9, 2), activation="softplus", bias=True))


def _names(nets):
    return "; ".join(str(n) for n in nets)


@register_claim(
    "shen2016.dummy-units", DERIVED + ", Sec. 2 (dummy units)", origin="derived",
    statement=r"\phi_l = \sigma\big((W^S_l)^\top [\phi_{l-1}; 1]\big),\ W^S_l = [W_l^\top; b_l^\top]"
              r"\ \Rightarrow\ F_{\mathrm{Shen}}(W^S, x) = F(W, b, x)",
    scope="the listed nets: " + _names(SMALL_NETS + (Net(widths=(2, 2, 2, 1), activation="f", bias=True),))
          + " (weights, biases and inputs as symbols)",
    title="a dummy unit outputting 1 is a bias: Shen's form equals lossgeom's h = W a + b")
def _check_dummy(dps, seed):
    nets = SMALL_NETS + (Net(widths=(2, 2, 2, 1), activation="f", bias=True),)
    ok = [verify_dummy_units(n, samples=1) for n in nets]
    return exact_check(all(ok), "symbolic", "expansion of F_Shen - F to zero with generic symbols",
                       facts={"nets": [str(n) for n in nets], "equal": ok})


@register_claim(
    "shen2016.linear-system", SOURCE + ", Sec. 3 (critical point analysis)",
    statement=r"\nabla J(W) = P(W)\,\varepsilon,\ P_l = \Psi_l \odot \Phi_{l-1} = [\Psi_{l,1}\otimes\phi_{l-1,1},"
              r"\dots,\Psi_{l,T}\otimes\phi_{l-1,T}],\ \Psi_{l,i} = \Sigma'_{l,i}W_{l+1}\cdots W_L\Sigma'_{L,i}",
    scope="the listed nets: " + _names(SMALL_NETS) + " (dummy units; weights, inputs and targets as symbols); "
          "2 samples; E = 1/2||.||^2",
    assumptions=("E(yhat, y) = 1/2 ||yhat - y||^2 (eps_i = yhat_i - y_i)", "identity output layer"),
    title="grad J = P(W) eps, against direct SymPy differentiation")
def _check_linear_system(dps, seed):
    results = [verify_shen_gradient(n, samples=2) for n in SMALL_NETS]
    return exact_check(all(r[0] for r in results), "symbolic",
                       "expansion of (P eps - sympy.diff of lossgeom's loss, order translated) to zero",
                       facts={"nets": [str(n) for n in SMALL_NETS], "entries": sum(r[1] for r in results)})


@register_claim(
    "shen2016.linear-system-numeric", SOURCE + ", Sec. 3 (critical point analysis)", method="numeric",
    statement=r"\nabla J(W) = P(W)\,\varepsilon",
    scope="the listed depth-3 nets: " + _names(DEEP_NETS) + "; 2 seeded random rational points each, 5 samples; "
          "at dps digits",
    title="grad J = P(W) eps at 50 digits against lossgeom's numeric gradient (evaluate_net)")
def _check_linear_numeric(dps, seed):
    rng = random.Random(seed)
    worst, sizes = mpmath.mpf(0), {}
    with working_precision(dps):
        for net in DEEP_NETS:
            sizes[str(net)] = net.n_params
            for _ in range(2):
                pt = random_point(net, rng, samples=5, bound=1)
                worst = max(worst, shen_gradient_residual(net, pt.weights, pt.biases, pt.X, pt.Y, dps))
        tol = tolerance(dps, scale=10)
    ev = Evidence("numeric", "P eps vs lossgeom.numeric.evaluate gradient (relative, max entry) at %d digits" % dps,
                  digits=dps, facts={"parameters": sizes, "largest relative residual": mpmath.nstr(worst, 3),
                                     "tolerance": mpmath.nstr(tol, 3)})
    return ev.with_(counterexample={"residual": mpmath.nstr(worst, 5)}) if worst > tol else ev


def _xor_points(dps):
    """(name, net, weights, biases, X, Y) of the XOR points the theorem is checked at."""
    X, Y = xor_data()
    pts = [("softsign fit 2-%d-1" % h, xor_softsign_fit(h)) for h in (2, 3)]
    pts += [("rank-drop critical point 2-%d-1" % h, xor_rank_drop(h)) for h in (2, 3)]
    out = [(n, p.net, p.weights, p.biases, p.X, p.Y) for n, p in pts]
    for act in ("tanh", "sigmoid"):
        W, b, _ = exact_learner(X, Y, act, dps=dps)
        out.append(("%s exact learner 2-3-1" % act, Net(widths=(2, 3, 1), activation=act, bias=True), W, b, X, Y))
    return out


@register_claim(
    "shen2016.main-theorem", SOURCE + ", Sec. 3, theorem (\"if rank P = n_L T ... every local minimum is global\")",
    method="numeric",
    statement=r"\text{exact learning} + \text{Principle 1} + \nabla J(W) = 0 + \operatorname{rank} P(W) = n_L T"
              r"\ \Rightarrow\ \varepsilon = 0 \Rightarrow J(W) = \min J",
    scope="XOR (T = 4, n_L = 1) with dummy units at: exact softsign fits 2-2-1 and 2-3-1, the exact-learner "
          "weights for tanh and sigmoid 2-3-1, and two rank-deficient critical points (all weights 0)",
    assumptions=("square loss: grad_1 E(yhat, y) = yhat - y vanishes only at yhat = y (Principle 1)",),
    title="main theorem as a verdict per critical point: rank P = n_L T forces eps = 0")
def _check_main(dps, seed):
    facts, bad, numeric = {}, [], False
    for name, net, W, b, X, Y in _xor_points(dps):
        r = shen_rank(net, W, b, X, Y, dps=dps)
        numeric = numeric or r.basis != "exact"
        facts[name] = "rank P = %d (%s), critical = %s, eps = 0: %s; %s" % (r.rank, r.basis, r.critical,
                                                                            r.exact_fit, r.verdict)
        if not r.critical or r.verdict.startswith("CONTRADICTION") or (r.rank == r.n_lt and not r.exact_fit):
            bad.append(name)
    method = "exact rank (fmpq_mat) and exact gradient for softsign; certified rank (arb minor) and criticality " \
             "at tolerance for tanh/sigmoid"
    ev = Evidence("numeric" if numeric else "instances", method, facts=facts, digits=dps if numeric else None)
    return ev.with_(counterexample={"points": bad}) if bad else ev


@register_claim(
    "shen2016.counting-condition", SOURCE + ", Sec. 3, proposition (\"N_net needs to be greater or equal\")",
    method="construction",
    statement=r"\operatorname{rank} P(W) = n_L T\ \Rightarrow\ N_{net} = \textstyle\sum_l n_{l-1} n_l \ge n_L T;"
              r"\ \text{XOR: } N_{net} = 9\ (2\text{-}2\text{-}1),\ 13\ (2\text{-}3\text{-}1),\ n_L T = 4",
    scope="the XOR nets 2-2-1 and 2-3-1 with dummy units, and a 2-1-1 net with dummy units on 8 samples "
          "(N_net = 5 < 8); P's shape computed at seeded random weights",
    title="counting condition N_net >= n_L T; XOR counts 9 and 13 vs 4")
def _check_counting(dps, seed):
    rng = random.Random(seed)
    facts, ok = {}, True
    for widths, T, want in (((2, 2, 1), 4, 9), ((2, 3, 1), 4, 13), ((2, 1, 1), 8, 5)):
        net = Net(widths=widths, activation="softsign", bias=True)
        pt = random_point(net, rng, samples=T)
        s = shen_system_exact(net, pt.weights, pt.biases, pt.X, pt.Y)
        rank = rational_rank(s.P)
        ok = ok and s.n_rows == want == net.n_params and s.n_cols == T and rank <= min(s.n_rows, s.n_cols)
        facts[str(net)] = "N_net = %d, n_L T = %d, rank P = %d" % (s.n_rows, s.n_cols, rank)
    return exact_check(ok, "witness", "P's shape (N_net x n_L T) and exact rank at the listed nets", facts=facts)


def _random_factor(rng, rows, cols, rank):
    """An exact rows x cols integer matrix of the given rank (product of random factors), no zero column."""
    rank = min(rank, rows, cols)
    while True:
        A = sp.Matrix(rows, rank, lambda i, j: rng.randint(-3, 3)) * sp.Matrix(rank, cols, lambda i, j: rng.randint(-3, 3))
        if rational_rank(A.tolist()) == rank and all(any(A[:, j]) for j in range(cols)):
            return A


def _kr_bound(ra, rb, A, B):
    """The checked lower bound on rank(A kr B) (see khatri_rao_counterexample)."""
    nz = lambda M: all(any(M[:, j]) for j in range(M.cols))  # noqa: E731
    bound = max(ra if nz(B) else 0, rb if nz(A) else 0)
    if (nz(B) and ra == A.cols) or (nz(A) and rb == B.cols):
        bound = A.cols
    return bound


def _kr_identity():
    """(I kron w^T)(A kr B) = A diag(B^T w), decided with generic symbols at 2 shapes."""
    ok = True
    for p, q, T in ((2, 3, 3), (3, 2, 4)):
        A = sp.Matrix(p, T, lambda i, j: sp.Symbol("a%d_%d" % (i, j)))
        B = sp.Matrix(q, T, lambda i, j: sp.Symbol("b%d_%d" % (i, j)))
        w = sp.Matrix(q, 1, lambda i, j: sp.Symbol("w%d" % i))
        lhs = sp.kronecker_product(sp.eye(p), w.T) * khatri_rao(A, B)
        ok = ok and (lhs - A * sp.diag(*list(B.T * w))).expand().is_zero_matrix
    return ok


@register_claim(
    "shen2016.khatri-rao-bound", DERIVED + ", Sec. 3, proposition (rank of a Khatri-Rao product)", origin="derived",
    method="construction",
    statement=r"\operatorname{rank}(A\odot B) \ge \operatorname{rank}A \text{ if no column of } B \text{ is } 0"
              r"\ (\text{and symmetrically}),\ = T \text{ if moreover a factor has full column rank};\ "
              r"\operatorname{rank} P_l \ge \operatorname{rank}\Psi_l \text{ with a dummy unit}",
    scope="the identity (I kron w^T)(A kr B) = A diag(B^T w) with generic symbols at 2 shapes; the bound exactly on "
          "40 seeded random factors (ranks 1..4) and 4 adversarial pairs; the block form at 6 random softsign points",
    title="Khatri-Rao rank bound (the form with nonzero columns) and its block form for P_l")
def _check_kr(dps, seed):
    rng = random.Random(seed)
    pairs = [(sp.eye(3), sp.Matrix([[1, 1, 1]])), (sp.Matrix([[1, 1, 0], [0, 0, 1]]), sp.Matrix([[1, 2, 3]])),
             (sp.Matrix([[1, 1, 1]]), sp.Matrix([[1, 1, 1]])), (sp.Matrix([[1, 0], [0, 1]]), sp.Matrix([[0, 1], [1, 0]]))]
    for _ in range(40):
        T = rng.randint(2, 5)
        pairs.append((_random_factor(rng, rng.randint(1, 4), T, rng.randint(1, min(3, T))),
                      _random_factor(rng, rng.randint(1, 4), T, rng.randint(1, min(3, T)))))
    bad = [c for c in (khatri_rao_counterexample(A, B, _kr_bound) for A, B in pairs) if c is not None]
    block_ok = True
    for _ in range(6):
        net = Net(widths=(2, 3, 2), activation="softsign", bias=True)
        pt = random_point(net, rng, samples=3)
        s = shen_system_exact(net, pt.weights, pt.biases, pt.X, pt.Y)
        m = net.widths[0] + 1
        dummy_rows = [s.blocks[0][k * m + m - 1] for k in range(net.widths[1])]  # Psi_1 itself
        psi = [[s.psi[0][i][k][c] for i in range(3) for c in range(2)] for k in range(net.widths[1])]
        block_ok = block_ok and [list(r) for r in dummy_rows] == psi and rational_rank(s.blocks[0]) >= rational_rank(psi)
    identity = _kr_identity()
    facts = {"identity (I kron w^T)(A kr B) = A diag(B^T w)": identity, "pairs": len(pairs),
             "dummy rows of P_1 equal Psi_1": block_ok}
    if not identity:
        return Evidence("instances", "symbolic identity", facts=facts, undecided=("the contraction identity",))
    return exact_check(not bad and block_ok, "instances", "identity with generic symbols; exact ranks (fmpq_mat) on "
                       "the listed factors", facts=facts, counterexample={"pairs": bad[:3]} if bad else None)


@register_claim(
    "shen2016.khatri-rao-without-hypothesis", DERIVED + ", the bound read without its nonzero-column hypothesis",
    origin="derived", method="construction", expect="fails",
    statement=r"\operatorname{rank}(A\odot B) \ge \max(\operatorname{rank}A, \operatorname{rank}B)\ \text{for all } A, B",
    scope="the single pair A = I_2, B = [1, 0] (B has a zero column)",
    title="the Khatri-Rao bound fails without nonzero columns (a deliberately false bound is caught)")
def _check_kr_false(dps, seed):
    c = khatri_rao_counterexample(sp.eye(2), sp.Matrix([[1, 0]]), lambda ra, rb, A, B: max(ra, rb))
    return exact_check(c is None, "witness", "exact ranks (fmpq_mat)", facts={"A": "I_2", "B": "[1, 0]"},
                       counterexample=c)


@register_claim(
    "shen2016.sylvester", SOURCE + ", Sec. 3 (\"Sylvester's rank inequality\")", method="construction",
    statement=r"\operatorname{rank}(AB) \ge \operatorname{rank}A + \operatorname{rank}B - n,\ A\in\mathbb R^{m\times n}",
    scope="60 seeded random exact factors (ranks 1..4, n <= 5) and 3 adversarial pairs reaching equality; the same "
          "instances must catch the false bound with + 1",
    title="Sylvester's rank inequality, exact, with a false bound caught")
def _check_sylvester(dps, seed):
    rng = random.Random(seed)
    pairs = [(sp.Matrix([[1, 0]]), sp.Matrix([[0], [1]])), (sp.diag(1, 1, 0), sp.diag(0, 0, 1)),
             (sp.Matrix([[1, 1], [1, 1]]), sp.Matrix([[1, -1], [-1, 1]]))]
    for _ in range(60):
        n = rng.randint(2, 5)
        pairs.append((_random_factor(rng, rng.randint(1, 5), n, rng.randint(1, min(4, n))),
                      _random_factor(rng, n, rng.randint(1, 5), rng.randint(1, min(4, n)))))
    bad = [c for c in (sylvester_counterexample(A, B) for A, B in pairs) if c is not None]
    caught = sum(1 for A, B in pairs if sylvester_counterexample(A, B, slack=1) is not None)
    facts = {"pairs": len(pairs), "pairs where the false bound (+1) is caught": caught}
    if not caught:
        return Evidence("instances", "exact ranks", facts=facts, undecided=("the instances cannot tell the bound "
                                                                             "from a false one",))
    return exact_check(not bad, "instances", "exact ranks (fmpq_mat)", facts=facts,
                       counterexample={"pairs": bad[:3]} if bad else None)


def _distinct_samples(rng, d, T):
    while True:
        X = sp.Matrix(d, T, lambda i, j: sp.Rational(rng.randint(-20, 20), 10))
        if len({tuple(X[:, j]) for j in range(T)}) == T:
            return X, sp.Matrix(1, T, lambda i, j: sp.Rational(rng.randint(-10, 10), 5))


@register_claim(
    "shen2016.exact-learning", SOURCE + ", Sec. 4, proposition (two-layer nets with dummy units)", method="numeric",
    statement=r"T \text{ distinct samples, } n_1 = T-1 \text{ hidden units + dummy: } [\Phi_1; 1^\top] "
              r"\text{ invertible},\ F(W^*, x_i) = y_i,\ \operatorname{rank} P(W^*) = T",
    scope="XOR (T = 4) and 2 seeded random data sets (T = 5 in R^3, T = 6 in R^2), n_L = 1; softsign exactly, "
          "tanh and sigmoid with the invertibility certified (arb) and the fit at dps digits",
    title="exact learning: T - 1 hidden units with a dummy unit fit T distinct samples, with rank P = T")
def _check_exact_learning(dps, seed):
    rng = random.Random(seed)
    data = [("XOR",) + xor_data()] + [("random T=%d" % T, *_distinct_samples(rng, d, T)) for d, T in ((3, 5), (2, 6))]
    facts, bad = {}, []
    for name, X, Y in data:
        for act in ("softsign", "tanh", "sigmoid"):
            W, b, basis = exact_learner(X, Y, act, dps=dps)
            net = Net(widths=(X.rows, X.cols - 1, 1), activation=act, bias=True)
            r = shen_rank(net, W, b, X, Y, dps=dps)
            facts["%s, %s" % (name, act)] = "invertible (%s); fit: %s; rank P = %d (%s)" % (
                basis, r.exact_fit, r.rank, r.basis)
            if not r.exact_fit or r.rank != X.cols or r.basis == "tolerance":
                bad.append("%s, %s" % (name, act))
    ev = Evidence("numeric", "construction; exact (softsign) or certified invertibility and a fit at %d digits" % dps,
                  digits=dps, facts=facts)
    return ev.with_(counterexample={"failed": bad}) if bad else ev


@register_claim(
    "shen2016.hessian-residual", SOURCE + ", Sec. 3, proposition (rank of the Hessian at a global minimum)",
    statement=r"\varepsilon = 0:\ H_J(W^*) = \textstyle\sum_i J_i^\top \nabla_1^2 E\, J_i = \sum_i J_i^\top J_i,"
              r"\ \operatorname{rank} H_J(W^*) \le n_L T \text{ (degenerate when } N_{net} > n_L T)",
    scope="the listed nets: " + _names(SMALL_NETS[:3]) + " (weights, biases, inputs as symbols; targets set to "
          "the outputs); 2 samples; E = 1/2||.||^2",
    title="at an exact fit the residual term of the Hessian vanishes, so rank H <= n_L T (degenerate if N_net > n_L T)")
def _check_hessian_residual(dps, seed):
    results = [verify_hessian_residual(n, samples=2) for n in SMALL_NETS[:3]]
    return exact_check(all(r[0] for r in results), "symbolic",
                       "expansion of (sympy Hessian of J with y_i := F(W, x_i)) - sum_i J_i^T J_i to zero",
                       facts={"nets": [str(n) for n in SMALL_NETS[:3]], "entries": sum(r[1] for r in results)})


@register_claim(
    "shen2016.xor-hessian-rank", SOURCE + ", Sec. 3 (\"the Hessian is likely degenerate\")", method="construction",
    statement=r"\text{XOR exact fits: } \operatorname{rank} H_J(W^*) = 4 = n_L T;\ \#\{\lambda = 0\} = 5\ "
              r"(N_{net} = 9),\ 9\ (N_{net} = 13)",
    scope="the two exact rational softsign XOR fits of lossgeom.models.xor_softsign_fit (2-2-1 and 2-3-1, dummy "
          "units)",
    title="exact XOR fits: rank H = 4, with 5 and 9 zero eigenvalues (degenerate)")
def _check_xor_hessian(dps, seed):
    facts, ok = {}, True
    for h, zeros in ((2, 5), (3, 9)):
        pt = xor_softsign_fit(h)
        H = full_hessian(pt.net, pt.weights, pt.biases, pt.X, pt.Y, dps="exact")
        s = shen_system_exact(pt.net, pt.weights, pt.biases, pt.X, pt.Y)
        perm = shen_permutation(pt.net)
        P = sp.Matrix(s.P)
        ggn = (H.extract(perm, perm) - P * P.T).is_zero_matrix
        rank, inert = rational_rank(H.tolist()), exact_inertia(H)
        ok = ok and all(e == 0 for e in s.eps) and ggn and rank == 4 and inert.zero == zeros
        facts[str(pt.net)] = "eps = 0: %s; H = P P^T exactly: %s; rank %d; inertia +%d -%d 0:%d" % (
            all(e == 0 for e in s.eps), ggn, rank, inert.positive, inert.negative, inert.zero)
    return exact_check(ok, "witness", "exact Hessian from lossgeom's engine (rational), exact rank (fmpq_mat) and "
                       "exact inertia (Descartes' rule)", facts=facts)


@register_claim(
    "shen2016.xor-rank-drop", SOURCE + ", Sec. 4 (the XOR problem)", method="construction",
    statement=r"W_2 = 0:\ P_1 = 0,\ \operatorname{rank}P = \operatorname{rank}[\Phi_1; 1^\top] \le n_1 + 1;"
              r"\ \text{a critical point with } \operatorname{rank}P = 1 < 4,\ J > 0",
    scope="XOR with dummy units: 2-2-1 at 3 seeded random hidden weights with hidden->output weights 0; 2-3-1 with "
          "two equal hidden units and output weights 0; the all-zero-weight critical points of "
          "lossgeom.models.xor_rank_drop (softsign)",
    title="XOR: weights where rank P drops below 4, and a critical point that is not a global minimum")
def _check_rank_drop(dps, seed):
    rng, X, Y = random.Random(seed), *xor_data()
    facts, ok = {}, True
    net2 = Net(widths=(2, 2, 1), activation="softsign", bias=True)
    for k in range(3):
        pt = random_point(net2, rng)
        W = [pt.weights[0].tolist(), [[0, 0]]]
        r = shen_rank(net2, W, [list(pt.biases[0]), list(pt.biases[1])], X, Y)
        ok = ok and r.block_ranks[0] == 0 and r.rank == r.block_ranks[1] <= 3
        facts["2-2-1, random hidden weights %d" % k] = "block ranks %s, rank P = %d" % (r.block_ranks, r.rank)
    net3 = Net(widths=(2, 3, 1), activation="softsign", bias=True)
    r = shen_rank(net3, [[[1, 2], [1, 2], [3, -1]], [[0, 0, 0]]], [["-1/2", "-1/2", "1/3"], ["1/2"]], X, Y)
    ok = ok and r.rank == 3
    facts["2-3-1, two equal hidden units"] = "block ranks %s, rank P = %d" % (r.block_ranks, r.rank)
    for h in (2, 3):
        pt = xor_rank_drop(h)
        r = shen_rank(pt.net, pt.weights, pt.biases, pt.X, pt.Y)
        s = shen_system_exact(pt.net, pt.weights, pt.biases, pt.X, pt.Y)
        J = sum(e * e for e in s.eps) / 2
        ok = ok and r.critical and r.rank == 1 and J > 0
        facts[str(pt.net) + " at xor_rank_drop"] = "critical %s, rank P = %d, J = %s; %s" % (r.critical, r.rank, J,
                                                                                            r.verdict)
    return exact_check(ok, "witness", "exact ranks (fmpq_mat) and exact gradient", facts=facts)


@register_claim(
    "shen2016.xor-rank-lower-bound", DERIVED + ", Sec. 4: \"rank P_XOR lower bounded by three\" read for every W",
    origin="derived", method="construction", expect="fails",
    statement=r"\operatorname{rank} P_{XOR}(W) \ge 3 \text{ for every } W \text{ (2-3-1 with dummy units)}",
    scope="the all-zero-weight point of lossgeom.models.xor_rank_drop(3); the source's bound presumes full-rank "
          "Phi's (its heuristics), which this point violates",
    title="the XOR bound rank P >= 3 does not hold for every W (without Shen's full-rank heuristics)")
def _check_rank_bound(dps, seed):
    pt = xor_rank_drop(3)
    r = shen_rank(pt.net, pt.weights, pt.biases, pt.X, pt.Y)
    facts = {"rank P": r.rank, "block ranks": list(r.block_ranks), "theta": [str(v) for v in pt.theta()]}
    return exact_check(r.rank >= 3, "witness", "exact rank (fmpq_mat)", facts=facts)
