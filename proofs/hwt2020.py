"""Claims from He, Wang & Tao, "Piecewise linear activations substantially shape the loss surfaces of neural
networks" (ICLR 2020), Parts 1 and 2 of the slides (docs/MATH.md 6.2), and Botev's PL Hessian claims at scale.

Part 1 (spurious minima at any depth, any PL activation): lossgeom's own extension of Yun et al.'s Step 1
(docs/MATH.md 6.1; the paper's construction is not in the sources).  Hidden layer 1 carries the least-squares
score alpha (ybar_i - min ybar) + K + 1 in unit 1 (K = the last kink, so it lies on the top piece
f(x) = s x + c), every other unit the constant K + 1; each further hidden layer passes unit 1 through
(weight 1/s, bias -c/s: the same pre-activation again); the output undoes the affine map.  The output is
Ybar.  On an explicit box about the point (and about every member of the family alpha in [1/2, 2]) every
pre-activation stays on the top piece, decided by exact interval arithmetic
(:func:`lossgeom.symbolic.cells.certify_cell_box`); there the output is one affine map R x~ of the data,
so the loss is >= l0 (normal equations), and l0 > 0 = the loss of an exhibited global minimum.
"""

from fractions import Fraction
from functools import lru_cache

import sympy as sp

from lossgeom.errors import DataError
from lossgeom.models import three_piece, yun_data
from lossgeom.net import Net
from lossgeom.numeric.evaluate import loss_value
from lossgeom.proofs.claim import register_claim
from lossgeom.proofs.evidence import Evidence, combine, exact_check
from lossgeom.symbolic.cells import (
    Interval,
    cell_forward,
    cell_weight_symbols,
    cells_on_line,
    cells_on_plane,
    certify_cell_box,
    generic_affine,
    layer_degrees,
    layer_inequalities,
    path_reparametrisation,
    pattern_at,
    piece_affine,
)

ORDER = 41

SOURCE = "He, Wang & Tao, ICLR 2020 (slides: Piecewise linear activations substantially shape the loss surfaces)"

#: the PL activations of Part 1: three two-piece ones and a three-piece one (lossgeom.models.three_piece)
PART1_ACTIVATIONS = ("relu", {"name": "leaky_relu", "slope": "1/100"},
                     {"name": "two_piece", "s_plus": "2", "s_minus": "1/3"}, three_piece())
#: hidden widths (output width 1 < every hidden width): depth 2, 3 and 4
PART1_WIDTHS = ((2,), (3,), (2, 2), (3, 2), (2, 2, 2))
#: the exact parameter interval of the family
FAMILY = (sp.Rational(1, 2), sp.Integer(2))


def augmented(X):
    """X~ = [X; 1^T]."""
    return sp.Matrix(X).col_join(sp.ones(1, sp.Matrix(X).cols))


def least_squares(X, Y):
    """(Wbar, Ybar, l0): the min-norm affine least-squares fit Y X~^+, its outputs, 1/2 ||Ybar - Y||^2 (exact).

    Examples
    --------
    >>> least_squares(*yun_data())[2]
    1/3
    """
    return _least_squares(sp.ImmutableMatrix(X), sp.ImmutableMatrix(Y))


@lru_cache(maxsize=64)
def _least_squares(X, Y):
    Xt = augmented(X)
    Wbar = Y * Xt.pinv()
    Ybar = Wbar * Xt
    return Wbar, Ybar, sp.Rational(1, 2) * sum((v ** 2 for v in Ybar - Y), sp.Integer(0))


def net_of(dx, hidden, activation):
    """The net dx - hidden... - 1 with biases, square loss summed (1/2 sum of squares)."""
    return Net(widths=(dx,) + tuple(hidden) + (1,), activation=activation, bias=True)


def _top(net):
    piece = len(net.activation.pieces) - 1
    s, c = piece_affine(net.activation, piece)
    return piece, net.activation.pieces[piece].lower, s, c


def spurious_point(net, X, Y, alpha):
    """The deep Step-1 point (weights, biases) for ``alpha`` a positive number, Symbol or Interval.

    Examples
    --------
    >>> W, b = spurious_point(net_of(2, (2, 2), "relu"), *yun_data(), 1)
    >>> [w.tolist() for w in W], [v.T.tolist() for v in b]
    ([[[1/9, 1/9], [0, 0]], [[1, 0], [0, 0]], [[1, 0]]], [[[8/9, 1]], [[0, 1]], [[-2/3]]])
    """
    _, K, s, c = _top(net)
    Wbar, Ybar, _ = least_squares(X, Y)
    dx, m = sp.Matrix(X).rows, min(Ybar)
    hid = net.widths[1:-1]
    W1 = [[alpha * Wbar[j] for j in range(dx)]] + [[0] * dx for _ in range(hid[0] - 1)]
    b1 = [[alpha * (Wbar[dx] - m) + K + 1]] + [[K + 1] for _ in range(hid[0] - 1)]
    W, b = [W1], [b1]
    for l in range(1, len(hid)):
        W.append([[1 / s] + [0] * (hid[l - 1] - 1)] + [[0] * hid[l - 1] for _ in range(hid[l] - 1)])
        b.append([[-c / s]] + [[K + 1] for _ in range(hid[l] - 1)])
    W.append([[1 / (alpha * s)] + [0] * (hid[-1] - 1)])
    b.append([[m - (K + 1 + c / s) / alpha]])
    if isinstance(alpha, Interval):
        return W, b
    return [sp.Matrix(w) for w in W], [sp.Matrix(v) for v in b]


def global_point(net):
    """Zero-loss weights on :func:`~lossgeom.models.yun_data` for any PL activation with a kink where the
    slopes differ (lossgeom's construction: a pair of units around that kink, then unit 1 on the top piece).

    Examples
    --------
    >>> W, b = global_point(net_of(2, (2,), "relu"))
    >>> [w.tolist() for w in W], [v.T.tolist() for v in b]
    ([[[1/2, -1/2], [-1/2, 1/2]], [[-2, -2]]], [[[0, 0]], [[1]]])
    """
    act = net.activation
    k = next(i for i in range(len(act.kinks)) if piece_affine(act, i)[0] != piece_affine(act, i + 1)[0])
    kappa, kinks = act.kinks[k], act.kinks
    gaps = [abs(kinks[i + 1] - kinks[i]) for i in range(len(kinks) - 1)]
    eps = min([sp.Rational(1, 2)] + [g / 2 for g in gaps])
    delta = eps * (piece_affine(act, k + 1)[0] - piece_affine(act, k)[0])
    f0 = act.apply(kappa)
    _, K, s, c = _top(net)
    hid = net.widths[1:-1]
    W1 = sp.Matrix([[eps, -eps], [-eps, eps]]).col_join(sp.zeros(hid[0] - 2, 2))
    b1 = sp.Matrix([kappa, kappa] + [K + 1] * (hid[0] - 2))
    if len(hid) == 1:
        return [W1, sp.Matrix([[-1 / delta] * 2 + [0] * (hid[0] - 2)])], [b1, sp.Matrix([1 + 2 * f0 / delta])]
    beta = K + 1 - min(2 * f0, 2 * f0 + delta)
    W = [W1, sp.Matrix([[1, 1] + [0] * (hid[0] - 2)]).col_join(sp.zeros(hid[1] - 1, hid[0]))]
    b = [b1, sp.Matrix([beta] + [K + 1] * (hid[1] - 1))]
    for l in range(2, len(hid)):
        W.append(sp.Matrix([[1 / s] + [0] * (hid[l - 1] - 1)]).col_join(sp.zeros(hid[l] - 1, hid[l - 1])))
        b.append(sp.Matrix([-c / s] + [K + 1] * (hid[l] - 1)))
    W.append(sp.Matrix([[-1 / (s * delta)] + [0] * (hid[-1] - 1)]))
    b.append(sp.Matrix([1 + (c / s + beta + 2 * f0) / delta]))
    return W, b


def exact_loss(net, W, b, X, Y):
    """The loss by lossgeom's engine at dps="exact" (samples as columns)."""
    X, Y = sp.Matrix(X), sp.Matrix(Y)
    return loss_value(net, [w.tolist() for w in W], [list(v) for v in b],
                      [list(X.row(i)) for i in range(X.rows)], [list(Y.row(0))], dps="exact")


def affine_lower_bound(X, Y):
    """Decide exactly: 1/2 ||R X~ - Y||^2 = l0 + 1/2 ||(R - Wbar) X~||^2 for a symbolic row R (so >= l0)."""
    Xt, Y = augmented(X), sp.Matrix(Y)
    Wbar, Ybar, l0 = least_squares(X, Y)
    R = sp.Matrix([[sp.Symbol("R%d" % (j + 1), real=True) for j in range(Xt.rows)]])
    lhs = sp.Rational(1, 2) * sum(v ** 2 for v in R * Xt - Y)
    rhs = l0 + sp.Rational(1, 2) * sum(v ** 2 for v in (R - Wbar) * Xt)
    return (Ybar - Y) * Xt.T == sp.zeros(1, Xt.rows) and sp.expand(lhs - rhs) == 0


def top_pattern(net, m):
    """The cell where every hidden unit of every sample is on the activation's top piece."""
    piece = len(net.activation.pieces) - 1
    return {(s + 1, l, k + 1): piece for s in range(m) for l in range(1, net.depth)
            for k in range(net.widths[l])}


def certified_radius(net, W, b, X, pattern, tries=24):
    """The largest r = 2^-j (j = 0..tries) with :func:`~lossgeom.symbolic.cells.certify_cell_box` True, or None."""
    for j in range(tries):
        r = sp.Rational(1, 2 ** j)
        if certify_cell_box(net, W, b, X, pattern, r)[0]:
            return r
    return None


def minimum_certificate(net, X, Y):
    """Evidence that the deep Step-1 point at alpha = 1 is a local minimum of loss l0 (exact)."""
    W, b = spurious_point(net, X, Y, 1)
    _, _, l0 = least_squares(X, Y)
    pat = top_pattern(net, sp.Matrix(X).cols)
    r = certified_radius(net, [w.tolist() for w in W], [list(v) for v in b], X, pat)
    loss = exact_loss(net, W, b, X, Y)
    facts = {"l0": str(l0), "loss": str(loss), "certified radius": str(r), "cell": "every unit on the top piece",
             "pattern at the point (exact)": pattern_at(net, W, b, X) == pat}
    ok = r is not None and loss == l0 and affine_lower_bound(X, Y) and facts["pattern at the point (exact)"]
    return exact_check(ok, "witness", "certified box (exact interval arithmetic) + least-squares bound",
                       facts=facts, instances=(str(net),))


def random_data(seed, dx=2, m=5):
    """A seeded integer data set (samples as columns) with distinct samples and no affine fit."""
    import random
    rng = random.Random(seed)
    while True:
        X = sp.Matrix(dx, m, lambda i, j: rng.randint(-3, 3))
        Y = sp.Matrix(1, m, lambda i, j: rng.randint(-3, 3))
        Xt = augmented(X)
        if len({tuple(X[:, j]) for j in range(m)}) == m and Xt.col_join(Y).rank() > Xt.rank():
            return X, Y


@register_claim(
    "hwt2020.spurious-minima-deep", SOURCE + ", Part 1 (\"arbitrary depth and arbitrary piecewise linear "
    "activations ... spurious local minima\")",
    r"\exists\ \hat\theta:\ \ell(\theta) \ge \ell_0(\bar W) = \ell(\hat\theta) > 0 = \min\ell\ \text{ on a box about }"
    r"\hat\theta",
    scope="lossgeom's deep extension of Yun's Step 1 (not the paper's construction, which the sources do not "
          "give), with biases, square loss 1/2 sum, output width 1 narrower than the hidden widths; hidden widths "
          "(2), (3), (2,2), (3,2), (2,2,2) (depth 2, 3, 4); activations relu, leaky_relu(1/100), two_piece(2, 1/3) "
          "and the three-piece lossgeom.models.three_piece; on lossgeom.models.yun_data a global minimum of loss 0 "
          "is exhibited (so the minimum is spurious), on a seeded random integer 2 x 5 set (no affine fit) the "
          "certified minimum only",
    method="construction",
    title="He-Wang-Tao Part 1: certified spurious minima at depth 2-4, two- and three-piece PL activations")
def _check_deep(dps, seed):
    parts, zeros = [], {}
    data = {"yun_data": yun_data(), "random": random_data(seed)}
    for act in PART1_ACTIVATIONS:
        for hidden in PART1_WIDTHS:
            for name, (X, Y) in data.items():
                net = net_of(2, hidden, act)
                parts.append(minimum_certificate(net, X, Y).with_(instances=("%s on %s" % (net, name),)))
            net = net_of(2, hidden, act)
            zeros[str(net)] = str(exact_loss(net, *global_point(net), *yun_data()))
    out = combine(parts, basis="instances", facts={"loss of the global point on yun_data": zeros})
    if set(zeros.values()) != {"0"}:
        return out.with_(undecided=out.undecided + ("a global point of loss 0",))
    return out.with_(method="certified box (exact intervals) + least-squares bound; exact loss 0 < 1/3 elsewhere")


def _family_check(net, X, Y, alpha):
    """The family alpha in FAMILY: symbolic output = Ybar, one certified box about every member, injective."""
    _, Ybar, _ = least_squares(X, Y)
    W, b = spurious_point(net, X, Y, alpha)
    a = sp.Matrix(X)
    piece = len(net.activation.pieces) - 1
    s, c = piece_affine(net.activation, piece)
    for l in range(net.depth - 1):
        a = (W[l] * a + b[l] * sp.ones(1, a.cols)).applyfunc(lambda v: s * v + c)
    out = (W[-1] * a + b[-1] * sp.ones(1, a.cols)).applyfunc(sp.simplify)
    box = Interval(*FAMILY)
    Wi, bi = spurious_point(net, X, Y, box)
    r = certified_radius(net, Wi, bi, X, top_pattern(net, a.cols))
    injective = sp.solve(sp.Eq(W[-1][0], W[-1][0].subs(alpha, 2 * alpha)), alpha) == []
    return {"output = Ybar": out == Ybar, "radius for every alpha in [1/2, 2]": str(r), "injective": injective,
            "global point loss (engine)": str(exact_loss(net, *global_point(net), X, Y))}


@register_claim(
    "hwt2020.spurious-family", SOURCE + ", Part 1 (\"some parameters ... are from continuous intervals ... "
    "infinitely many spurious local minima\")",
    r"\forall \alpha \in [\tfrac12, 2]:\ \hat\theta(\alpha) \text{ is a local minimum with } \ell = \ell_0,\ "
    r"\hat\theta(\alpha) \ne \hat\theta(\alpha')",
    scope="the construction of hwt2020.spurious-minima-deep with alpha symbolic (output = Ybar identically) and "
          "one box of radius r certified about every member at once (exact interval arithmetic over alpha in "
          "[1/2, 2]); loss >= l0 = 1/3 on every box (normal equations) and a global point of loss 0 per net; "
          "yun_data, hidden widths (2), (2,2), (3,2), (2,2,2), the four Part 1 activations",
    title="He-Wang-Tao Part 1: a continuous interval of certified spurious minima (alpha in [1/2, 2])")
def _check_family(dps, seed):
    alpha = sp.Symbol("alpha", positive=True)
    rows = {}
    X, Y = yun_data()
    for act in PART1_ACTIVATIONS:
        for hidden in ((2,), (2, 2), (3, 2), (2, 2, 2)):
            net = net_of(2, hidden, act)
            rows[str(net)] = _family_check(net, X, Y, alpha)
    _, _, l0 = least_squares(X, Y)
    ok = all(v["output = Ybar"] and v["injective"] and v["radius for every alpha in [1/2, 2]"] != "None"
             and v["global point loss (engine)"] == "0" for v in rows.values()) and affine_lower_bound(X, Y) and l0 > 0
    return exact_check(ok, "symbolic", "alpha symbolic: output = Ybar by simplification; exact interval "
                       "arithmetic over alpha in [1/2, 2] widened by r certifies every member's box", facts=rows)


def fraction(v):
    """An exact SymPy rational as a Fraction."""
    v = sp.Rational(v)
    return Fraction(int(v.p), int(v.q))


# -- Part 2: cells ---------------------------------------------------------------------------------------

#: the generic shapes of Part 2: d_x = 2, every hidden width 2, one output, 2 samples, biases
CELL_SHAPES = ((2, 2, 1), (2, 2, 2, 1))


def _generic_cell(widths, m=2):
    W, b = cell_weight_symbols(widths)
    X = sp.Matrix(widths[0], m, lambda i, j: sp.Symbol("x%d_%d" % (j + 1, i + 1), real=True))
    pre, outs = cell_forward(W, b, X, generic_affine)
    return W, b, pre, [o[0] for o in outs]


@register_claim(
    "hwt2020.cell-multilinear", SOURCE + ", Part 2 (\"partitioned into smooth and multilinear open cells\")",
    r"\text{in a cell: } \hat y_s = W_L D_{L-1,s} W_{L-1} \cdots D_{1,s} W_1 x_s \text{ is multi-affine in } "
    r"(W_1, b_1), \ldots, (W_L, b_L);\ h_{l,k}(x_s) - \kappa \text{ linear in } (W_j, b_j) \text{ given the others}",
    scope="every cell of every piecewise-linear activation (each hidden unit and sample has its own symbolic slope "
          "and offset), shapes 2-2-1 and 2-2-2-1 with biases, 2 samples with symbolic data; the cell's inequalities "
          "kappa_lower < h_{l,k}(x_s) < kappa_upper are linear in ONE layer's weights given the others, and "
          "polynomial of degree exactly l in all weights jointly; explicit one-layer inequalities "
          "(lossgeom.symbolic.cells.layer_inequalities) checked at seeded points of relu and three_piece 2-3-2-1 "
          "nets on yun_data",
    title="He-Wang-Tao Part 2: in a cell the output is multilinear in (W_1, ..., W_L); the cell is polynomial")
def _check_multilinear(dps, seed):
    rows = {}
    for widths in CELL_SHAPES:
        W, b, pre, outs = _generic_cell(widths)
        L = len(widths) - 1
        out_deg = [layer_degrees(o, W, b) for o in outs]
        pre_deg = {key: layer_degrees(h, W, b) for key, h in pre.items()}
        rows["-".join(map(str, widths))] = {
            "output: degree per layer, total": [str(d) for d in out_deg],
            "outputs multi-affine, total degree L": all(max(p) == 1 and t == L for p, t in out_deg),
            "pre-activations of layer l: degree <= 1 per layer, total l": all(
                max(p) <= 1 and t == key[1] for key, (p, t) in pre_deg.items())}
    ok = all(r["outputs multi-affine, total degree L"] and r["pre-activations of layer l: degree <= 1 per layer, "
                                                            "total l"] for r in rows.values())
    rows["explicit one-layer inequalities (instances)"] = inst = _inequality_instances(seed)
    ok = ok and all(all(v.values()) for v in inst.values())
    return exact_check(ok, "symbolic", "SymPy polynomial degrees in each layer's entries and in all of them",
                       facts=rows)


def _inequality_instances(seed):
    """On seeded points of relu and three_piece 2-3-2-1 nets: the cell as linear inequalities in layer 1 and in
    layer 2 holds strictly at the point, and moving that layer past one bound (along its normal) leaves the cell."""
    import random
    rng, X, out = random.Random(seed + 7), yun_data()[0], {}
    for act in ("relu", three_piece()):
        net = Net(widths=(2, 3, 2, 1), activation=act, bias=True)
        W, b = random_layers(net.widths, rng)
        pattern = pattern_at(net, W, b, X)
        while pattern is None:
            W, b = random_layers(net.widths, rng)
            pattern = pattern_at(net, W, b, X)
        for layer in (1, 2):
            Wl, bl = sp.Matrix(W[layer - 1]), sp.Matrix(b[layer - 1])
            w0 = sp.Matrix([Wl[i, j] for j in range(Wl.cols) for i in range(Wl.rows)] + list(bl))
            rows = layer_inequalities(net, W, b, X, layer)
            value = lambda r, w: (r["coefficients"] * w)[0] + r["constant"]  # noqa: E731
            strict = all(r["lower"] < value(r, w0) < r["upper"] for r in rows)
            r = next(r for r in rows if r["coefficients"] != sp.zeros(1, len(w0)))
            bound, sign = (r["upper"], 1) if r["upper"].is_finite else (r["lower"], -1)
            a = r["coefficients"].T
            w1 = w0 + a * ((bound + sign * sp.Rational(1, 100) - value(r, w0)) / (a.T * a)[0])
            W1, b1 = list(W), list(b)
            W1[layer - 1] = [[w1[j * Wl.rows + i] for j in range(Wl.cols)] for i in range(Wl.rows)]
            b1[layer - 1] = list(w1[Wl.rows * Wl.cols:])
            out["%s, layer %d" % (net, layer)] = {"rows": len(rows), "strict at the point": strict,
                                                  "past one bound: another cell": pattern_at(net, W1, b1, X) != pattern}
    return out


def reparametrised_risk(outputs, W, b, Y):
    """(A, What, g): outputs = A What exactly and the risk 1/2 sum (outputs - y)^2 = g(What), g(z) = 1/2 |Az - y|^2."""
    A, what = path_reparametrisation(outputs, W, b)
    z = sp.Matrix([sp.Symbol("z%d" % (i + 1), real=True) for i in range(len(what))])
    g = sp.Rational(1, 2) * sum(((A * z)[s] - Y[s]) ** 2 for s in range(len(outputs)))
    return A, what, z, g


@register_claim(
    "hwt2020.cell-convex-reparametrisation", SOURCE + ", Part 2, proof idea 1 (\"within every cell, the empirical "
    "risk is convex with respect to a variable W^ mapped from the weights W\")",
    r"\hat R(W) = g(\hat W(W)),\ g(z) = \tfrac12\|Az - y\|^2,\ \nabla^2 g = A^\top A \succeq 0",
    scope="every cell of every PL activation (symbolic slopes and offsets per unit and sample), shapes 2-2-1 and "
          "2-2-2-1 with biases, 2 samples, symbolic data and targets; What = the monomials of the multi-affine "
          "outputs (path products, bias paths included), square loss 1/2 sum",
    title="He-Wang-Tao Part 2: in a cell the risk is a convex quadratic of the path-product reparametrisation")
def _check_convex(dps, seed):
    rows = {}
    for widths in CELL_SHAPES:
        W, b, _, outs = _generic_cell(widths)
        Y = [sp.Symbol("y%d" % (s + 1), real=True) for s in range(len(outs))]
        A, what, z, g = reparametrised_risk(outs, W, b, Y)
        rebuilt = all(sp.expand((A[s, :] * sp.Matrix(what))[0] - outs[s]) == 0 for s in range(len(outs)))
        risk = sp.Rational(1, 2) * sum((outs[s] - Y[s]) ** 2 for s in range(len(outs)))
        same = sp.expand(risk - g.xreplace(dict(zip(z, what)))) == 0
        gram = (sp.hessian(g, list(z)) - A.T * A).applyfunc(sp.expand) == sp.zeros(len(z), len(z))
        rows["-".join(map(str, widths))] = {"monomials": len(what), "outputs = A What": rebuilt,
                                            "risk = g(What)": same, "Hessian of g = A^T A (Gram, PSD)": gram}
    ok = all(all(v for k, v in r.items() if k != "monomials") for r in rows.values())
    return exact_check(ok, "symbolic", "coefficient extraction, exact expansion, Hessian of g = A^T A", facts=rows)


def cell_least_squares(net, X, Y, pattern_affine):
    """The least risk over the cell's reparametrisation: min_z 1/2 |A z - y|^2 = 1/2 |(I - A A^+) y|^2 (exact)."""
    W, b = cell_weight_symbols(net.widths, net.bias)
    _, outs = cell_forward(W, b, X, pattern_affine)
    A, _ = path_reparametrisation([o[0] for o in outs], W, b)
    y = sp.Matrix(Y).T
    resid = y - A * (A.pinv() * y)
    return sp.Rational(1, 2) * (resid.T * resid)[0]


#: Part 2 instances: (hidden widths, activation) of a Part 1 minimum on yun_data
CELL_MINIMA = (((2,), "relu"), ((2, 2), "relu"), ((2, 2), three_piece()),
               ((3, 2), {"name": "leaky_relu", "slope": "1/100"}))


@register_claim(
    "hwt2020.cell-minimum-global", SOURCE + ", Part 2 (\"every local minimum is globally minimal within a cell\")",
    r"\hat\theta \text{ local min in cell } C \Rightarrow \hat R(\hat\theta) = \min_z \tfrac12\|A_C z - y\|^2 "
    r"\le \inf_C \hat R",
    scope="the certified local minima of hwt2020.spurious-minima-deep on yun_data (2-2-1 and 2-2-2-1 relu, 2-2-2-1 "
          "three_piece, 2-3-2-1 leaky_relu(1/100)), each in its cell (every unit on the top piece): the exact "
          "least-squares value of the cell's reparametrisation equals the minimum's risk",
    method="construction",
    title="He-Wang-Tao Part 2: a local minimum found in a cell is the cell's global minimum (exact least squares)")
def _check_cell_global(dps, seed):
    rows, parts = {}, []
    X, Y = yun_data()
    for hidden, act in CELL_MINIMA:
        net = net_of(2, hidden, act)
        parts.append(minimum_certificate(net, X, Y))
        top = len(net.activation.pieces) - 1
        best = cell_least_squares(net, X, Y, lambda s, l, k, net=net, top=top: piece_affine(net.activation, top))
        rows[str(net)] = {"cell least squares": str(best), "risk at the minimum": parts[-1].facts["loss"]}
    ok = all(r["cell least squares"] == r["risk at the minimum"] for r in rows.values())
    out = combine(parts, basis="witness", facts={"cells": rows})
    return out if ok else out.with_(counterexample=rows)


def rescaled(W, b, layer, c):
    """W_l -> c W_l, b_l -> c b_l, W_{l+1} -> W_{l+1} / c (layer l from 1)."""
    W, b = list(W), list(b)
    W[layer - 1], b[layer - 1], W[layer] = c * W[layer - 1], c * b[layer - 1], W[layer] / c
    return W, b


def _path_check(net, X, Y, tau):
    W0, b0 = spurious_point(net, X, Y, 1)
    top = len(net.activation.pieces) - 1
    aff = lambda s, l, k: piece_affine(net.activation, top)  # noqa: E731
    c = 1 + tau
    W, b = rescaled(W0, b0, 1, c)
    pre, outs = cell_forward(W, b, X, aff)
    pre0, _ = cell_forward(W0, b0, X, aff)
    risk = sp.simplify(sp.Rational(1, 2) * sum((o[0] - y) ** 2 for o, y in zip(outs, Y)))
    scaled = all(sp.simplify(pre[k] - (c if k[1] == 1 else 1) * pre0[k]) == 0 for k in pre)
    ends = [rescaled(W0, b0, 1, sp.Integer(v)) for v in (1, 2)]
    certified = [certified_radius(net, [w.tolist() for w in e[0]], [list(v) for v in e[1]], X,
                                  top_pattern(net, sp.Matrix(X).cols)) is not None for e in ends]
    losses = [exact_loss(net, *e, X, Y) for e in ends]
    return {"risk along the path": str(risk), "h_1 scaled by 1 + tau > 0, h_l (l > 1) fixed": scaled,
            "both ends certified minima": all(certified), "losses at the ends (engine)": [str(v) for v in losses],
            "ends distinct": ends[0][0][0] != ends[1][0][0]}


@register_claim(
    "hwt2020.constant-risk-path", SOURCE + ", Part 2 (\"local minima ... are connected within a cell by a "
    "continuous path, on which all points have the same empirical risk\")",
    r"\theta(\tau):\ W_1 \to (1+\tau)W_1,\ b_1 \to (1+\tau) b_1,\ W_2 \to W_2/(1+\tau),\ \tau\in[0,1]:\ "
    r"\hat R(\theta(\tau)) = \hat R(\theta(0)),\ \theta(\tau) \in C",
    scope="positively homogeneous PL activations (relu, leaky_relu(1/100), two_piece(2, 1/3)): the Part 1 minima "
          "on yun_data with hidden widths (2,) and (2, 2); tau symbolic on [0, 1]; both ends certified local "
          "minima in the same cell; negative control: the three-piece activation (offsets, not homogeneous) "
          "changes the risk along the same path",
    title="He-Wang-Tao Part 2: a constant-risk path (positive rescaling) joins two minima of one cell")
def _check_path(dps, seed):
    tau = sp.Symbol("tau", nonnegative=True)
    X, Y = yun_data()
    rows = {}
    for act in PART1_ACTIVATIONS[:3]:
        for hidden in ((2,), (2, 2)):
            net = net_of(2, hidden, act)
            rows[str(net)] = _path_check(net, X, Y, tau)
    control = _path_check(net_of(2, (2,), three_piece()), X, Y, tau)["risk along the path"]
    ok = all(r["risk along the path"] == "1/3" and r["h_1 scaled by 1 + tau > 0, h_l (l > 1) fixed"]
             and r["both ends certified minima"] and r["losses at the ends (engine)"] == ["1/3", "1/3"]
             and r["ends distinct"] for r in rows.values()) and control != "1/3"
    return exact_check(ok, "symbolic", "tau symbolic: risk simplified to a constant; pre-activations scaled by "
                       "1 + tau > 0; certified boxes at both ends", facts={"paths": rows,
                                                                            "three_piece control": control})


@register_claim(
    "hwt2020.linear-one-cell", SOURCE + ", Part 2 (\"linear neural networks are covered ... as a simplified case\")",
    r"f = \mathrm{id}: \text{one cell } \mathbb{R}^{\dim\theta},\ \hat y = W_L \cdots W_1 x,\ \hat R = "
    r"g(\hat W) \text{ convex}",
    scope="identity activation (one piece, no kinks), shapes 2-2-1 and 2-2-2-1 without biases, 2 samples with "
          "symbolic data and targets: exactly one pattern, the cell's output equals the matrix product, the risk "
          "is a convex quadratic (Hessian A^T A) of the path products",
    title="He-Wang-Tao Part 2: a linear net is the one-cell case")
def _check_linear(dps, seed):
    rows = {}
    act = Net(widths=(1, 1), activation="identity").activation
    for widths in CELL_SHAPES:
        W, b = cell_weight_symbols(widths, bias=False)
        X = sp.Matrix(widths[0], 2, lambda i, j: sp.Symbol("x%d_%d" % (j + 1, i + 1), real=True))
        _, outs = cell_forward(W, b, X, lambda s, l, k: piece_affine(act, 0))
        prod = W[-1]
        for w in reversed(W[:-1]):
            prod = prod * w
        direct = all(sp.expand(outs[s][0] - (prod * X[:, s])[0]) == 0 for s in range(2))
        Y = [sp.Symbol("y%d" % (s + 1), real=True) for s in range(2)]
        A, what, z, g = reparametrised_risk([o[0] for o in outs], W, b, Y)
        gram = (sp.hessian(g, list(z)) - A.T * A).applyfunc(sp.expand) == sp.zeros(len(z), len(z))
        rows["-".join(map(str, widths))] = {"patterns": len(act.pieces) ** (sum(widths[1:-1]) * 2),
                                            "output = W_L ... W_1 x": direct, "convex in What": gram}
    ok = all(r["patterns"] == 1 and r["output = W_L ... W_1 x"] and r["convex in What"] for r in rows.values())
    return exact_check(ok, "symbolic", "one piece => one pattern; exact expansion against the matrix product",
                       facts=rows)


def random_layers(widths, rng, denominator=37):
    """Seeded rational weights and biases (numerators in [-99, 99]) as nested lists."""
    q = lambda: sp.Rational(rng.randint(-99, 99), denominator)  # noqa: E731
    return ([[[q() for _ in range(widths[l - 1])] for _ in range(widths[l])] for l in range(1, len(widths))],
            [[q() for _ in range(widths[l])] for l in range(1, len(widths))])


#: the nets of the line / plane counts (data: lossgeom.models.yun_data)
LINE_NETS = ((2, 3, 1), (2, 3, 2, 1), (2, 2, 2, 2, 1))


def line_instances(seed, count=1):
    """Seeded (net, theta0, direction) triples for the line counts: relu and three_piece, depths 2-4."""
    import random
    rng, out = random.Random(seed), []
    for act in ("relu", three_piece()):
        for widths in LINE_NETS if act == "relu" else LINE_NETS[:2]:
            for _ in range(count):
                net = Net(widths=widths, activation=act, bias=True)
                out.append((net, random_layers(widths, rng), random_layers(widths, rng)))
    return out


@register_claim(
    "hwt2020.cells-on-line-plane", SOURCE + ", Part 2 (the partition of the loss surface into cells)",
    r"\#\{\text{cells met by } \theta_0 + t d,\ t \in [-2, 2]\},\ \#\{\text{cells met by } \theta_0 + u d_1 + "
    r"v d_2\}",
    scope="yun_data; seeded random rational lines in weight space for relu nets 2-3-1, 2-3-2-1, 2-2-2-2-1 and "
          "three_piece nets 2-3-1, 2-3-2-1 (one line each), t in [-2, 2]: crossings = roots of polynomials in t, "
          "isolated exactly; every segment's pattern checked by an exact forward pass at a rational point inside "
          "it; seeded random planes (all of R^2) for depth-2 nets 2-3-1 only (affine pre-activations: the faces "
          "of an exact line arrangement); depth >= 3 planes are not counted",
    method="construction",
    title="He-Wang-Tao Part 2: cells met along random lines (exact roots) and planes (exact arrangements)")
def _check_counts(dps, seed):
    import random
    X, _ = yun_data()
    lines, parts_ok, redrawn = {}, True, 0
    for k, (net, theta, direction) in enumerate(line_instances(seed)):
        rng = random.Random(seed * 1000 + k)
        while True:
            try:
                found = cells_on_line(net, *theta, X, *direction, 2, eps=sp.Rational(1, 2 ** 20))
                break
            except DataError:  # a non-generic line (simultaneous crossing, start at a kink): draw another
                redrawn += 1
                theta, direction = random_layers(net.widths, rng), random_layers(net.widths, rng)
        checked = []
        for t, pat in zip(found["samples"], found["patterns"]):
            Wt = [sp.Matrix(w) + t * sp.Matrix(d) for w, d in zip(theta[0], direction[0])]
            bt = [sp.Matrix(v) + t * sp.Matrix(d) for v, d in zip(theta[1], direction[1])]
            checked.append(pattern_at(net, Wt, bt, X) == pat)
        parts_ok = parts_ok and all(checked)
        lines["%d: %s" % (k, net)] = {"segments": found["segments"], "cells": found["cells"],
                                      "segments checked by exact forward passes": all(checked)}
    rng, planes = random.Random(seed + 1), {}
    for act in ("relu", three_piece()):
        net = Net(widths=(2, 3, 1), activation=act, bias=True)
        theta = random_layers(net.widths, rng)
        dirs = (random_layers(net.widths, rng), random_layers(net.widths, rng))
        planes[str(net)] = cells_on_plane(net, *theta, X, dirs)
    facts = {"lines": lines, "planes": planes, "non-generic lines redrawn": redrawn}
    ok = parts_ok and all(v["cells"] >= 1 for v in planes.values())
    return exact_check(ok, "instances", "exact root isolation (sympy.intervals) along the line; exact line "
                       "arrangement in the plane (Euler's formula)", facts=facts)


@register_claim(
    "hwt2020.botev-pl-psd-at-scale", "Botev, Ritter & Barber, ICML 2017 (blog, Consequences), checked at scale "
    "for lossgeom issue 12",
    r"f \text{ PL}:\ \mathcal{H}_\lambda \succeq 0,\ (\tilde a\tilde a^\top)\otimes\mathcal{H}_\lambda \succeq 0,\ "
    r"\operatorname{tr}\nabla^2 E \ge 0 \text{ on random (net, point) pairs}",
    scope="float64, 150 seeded random pairs per activation in the catalog (the slow test runs 1,400 per activation, "
          ">= 1,000 off the kinks): relu, leaky_relu(1/4), abs, two_piece(2, 1/2); depth 2-4, widths 1-3, output "
          "width 1-2, biases, one datapoint, square loss; weights in (1/4)Z so float64 is exact and kinks are "
          "detected exactly (counted as at_kink, not checked); tol = tolerance('float64')",
    method="numeric",
    title="Botev's PL PSD and trace claims on random pairs (recursion vs second differences; engine subsample)")
def _check_sweep(dps, seed):
    from lossgeom.numeric.cells import pl_psd_sweep
    counts = pl_psd_sweep(n=150, seed=seed, engine_every=15)
    bad = {k: v for k, v in counts.items() if v["violation"] or v["oracle_mismatch"] or v["engine_mismatch"]}
    if bad:
        return Evidence("numeric", "float64 sweep", facts={"counts": counts}, counterexample=bad)
    return Evidence("numeric", "float64 sweep: Botev recursion vs exact-cell second differences of the loss; "
                    "engine trace every 15th pair", facts={"counts": counts},
                    instances=tuple(sorted(counts)))
