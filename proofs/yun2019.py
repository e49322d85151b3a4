"""Claims from Yun, Sra & Jadbabaie, "Small nonlinearities in activation functions create bad local minima in
neural networks" (ICLR 2019), Theorem 1, on exact data (docs/MATH.md 6.1).

Net: Y^ = W_2 h(W_1 X + b_1 1^T) + b_2 1^T with h = max(s+ x, 0) + min(s- x, 0) (s+ > 0, s- >= 0,
s+ != s-), loss 1/2 ||Y^ - Y||_F^2 summed over the samples (lossgeom's square loss, reduction "sum").

The local minimum is certified, not sampled: on an explicit box of radius r about the constructed point
every hidden pre-activation keeps its (positive) sign, proved by |change of h| <= r (|x_i|_1 + 1)
against the smallest pre-activation; there the output is an affine function R X~ of the data, and the loss
is 1/2 ||R X~ - Y||^2 = l0 + 1/2 ||(R - Wbar) X~||^2 >= l0 exactly (the normal equations).  It is not
global: a point of lower loss is constructed exactly (Theorem 1's Step 2).
"""

import random
from itertools import product

import sympy as sp

from lossgeom.errors import DataError
from lossgeom.models import yun_data
from lossgeom.net import Net
from lossgeom.numeric.evaluate import loss_value
from lossgeom.proofs.claim import register_claim
from lossgeom.proofs.evidence import Evidence, combine, exact_check

ORDER = 40

SOURCE = "Yun, Sra & Jadbabaie, ICLR 2019 (arXiv 1802.03487)"

#: the two-piece activations of the instances: ReLU, leaky ReLU, Yun's "slightest nonlinearity" s+ = 1 + 1/10,
#: s- = 1, and a generic one
ACTIVATIONS = ("relu", {"name": "leaky_relu", "slope": "1/100"},
               {"name": "two_piece", "s_plus": "11/10", "s_minus": "1"},
               {"name": "two_piece", "s_plus": "2", "s_minus": "1/3"})
WIDTHS = (2, 3)


def slopes(activation):
    """(s+, s-) of a two-piece linear activation (its right and left slopes).

    Examples
    --------
    >>> slopes(Net(widths=(1, 2, 1), activation="relu").activation)
    (1, 0)
    """
    x = sp.Symbol("x", real=True)
    left, right = activation.pieces
    return sp.diff(right.expr, x), sp.diff(left.expr, x)


def augmented(X):
    """X~ = [X; 1^T].

    Examples
    --------
    >>> augmented(sp.Matrix([[1, 2]]))
    Matrix([
    [1, 2],
    [1, 1]])
    """
    return sp.Matrix(X).col_join(sp.ones(1, sp.Matrix(X).cols))


def least_squares(X, Y):
    """(Wbar, Ybar, l0): the min-norm least-squares affine fit Wbar = Y X~^+, its outputs, and
    l0 = 1/2 ||Ybar - Y||^2, all exact.

    Examples
    --------
    >>> Wbar, Ybar, l0 = least_squares(*yun_data())
    >>> Wbar, list(Ybar), l0
    (Matrix([[1/9, 1/9, 2/9]]), [1/3, 1/3, 1/3], 1/3)
    """
    Xt, Y = augmented(X), sp.Matrix(Y)
    Wbar = Y * Xt.pinv()
    Ybar = Wbar * Xt
    return Wbar, Ybar, sp.Rational(1, 2) * sum((v ** 2 for v in Ybar - Y), sp.Integer(0))


def data_conditions(X, Y):
    """Theorem 1's data conditions decided exactly: C1.1 (d_y = 1, no R with R X~ = Y) and C1.2 (distinct x_i).

    Examples
    --------
    >>> data_conditions(*yun_data())
    {'d_y = 1': True, 'no linear fit (rank [X~; Y] > rank X~)': True, 'distinct samples': True}
    >>> data_conditions(sp.Matrix([[0, 1, 2]]), sp.Matrix([[1, 3, 5]]))["no linear fit (rank [X~; Y] > rank X~)"]
    False
    """
    X, Y = sp.Matrix(X), sp.Matrix(Y)
    Xt = augmented(X)
    cols = [tuple(X[:, s]) for s in range(X.cols)]
    return {"d_y = 1": Y.rows == 1, "no linear fit (rank [X~; Y] > rank X~)": Xt.col_join(Y).rank() > Xt.rank(),
            "distinct samples": len(set(cols)) == len(cols)}


def spurious_point(X, Y, s_plus, d1, alpha=1):
    """Theorem 1's Step 1 point (W1, b1, W2, b2) for width d1 >= 2 and any alpha > 0 (docs/MATH.md 6.1).

    eta = min(-1, 2 min_i ybar_i); W1 = alpha [Wbar_x; 0], b1 = alpha [Wbar_b - eta; -eta 1],
    W2 = [1/(alpha s+), 0], b2 = eta: every hidden pre-activation is > 0 and the output is Ybar.

    Examples
    --------
    >>> W1, b1, W2, b2 = spurious_point(*yun_data(), 1, 2)
    >>> W1.tolist(), list(b1), W2.tolist(), b2
    ([[1/9, 1/9], [0, 0]], [11/9, 1], [[1, 0]], -1)
    """
    _check_width(d1)
    X = sp.Matrix(X)
    Wbar, Ybar, _ = least_squares(X, Y)
    dx = X.rows
    eta = sp.Min(-1, 2 * min(Ybar))
    W1 = alpha * Wbar[:, :dx].col_join(sp.zeros(d1 - 1, dx))
    b1 = alpha * sp.Matrix([Wbar[dx] - eta] + [-eta] * (d1 - 1))
    W2 = sp.Matrix([[sp.Integer(1) / (alpha * s_plus)] + [0] * (d1 - 1)])
    return W1, b1, W2, eta


def pre_activations(X, W1, b1):
    """The hidden pre-activations W1 X + b1 1^T (d1 x m)."""
    X = sp.Matrix(X)
    return W1 * X + b1 * sp.ones(1, X.cols)


def _ratios(X, W1, b1):
    """{(k, i): h_{k,i} / (|x_i|_1 + 1)}: how far each pre-activation is from its sign change, per unit of r."""
    X = sp.Matrix(X)
    H = pre_activations(X, W1, b1)
    return {(k, i): H[k, i] / (sum(abs(v) for v in X[:, i]) + 1) for k, i in product(range(H.rows), range(H.cols))}


def certify_box(X, W1, b1, r):
    """Decide exactly whether every hidden pre-activation stays > 0 on the box |dtheta|_inf <= r.

    A perturbation with entries in [-r, r] changes h_{k,i} = W1[k] x_i + b1[k] by at most
    r (|x_i|_1 + 1); the box is certified when every h_{k,i} > r (|x_i|_1 + 1).  The bound is attained
    (:func:`sign_flip_witness`), so the test is exact: no larger box keeps every sign.

    Returns
    -------
    (bool, smallest h_{k,i}, largest r (|x_i|_1 + 1))

    Examples
    --------
    >>> X, Y = yun_data()
    >>> W1, b1, _, _ = spurious_point(X, Y, 1, 2)
    >>> certify_box(X, W1, b1, sp.Rational(1, 3))[0], certify_box(X, W1, b1, sp.Rational(1, 2))[0]
    (True, False)
    """
    X = sp.Matrix(X)
    H = pre_activations(X, W1, b1)
    spread = [sum(abs(v) for v in X[:, i]) + 1 for i in range(X.cols)]
    ok = all(bool(sp.simplify(H[k, i] - r * spread[i]).is_positive) for k, i in product(range(H.rows), range(H.cols)))
    return ok, min(H), r * max(spread)


def certified_radius(X, W1, b1):
    """Half the exact limit of :func:`certify_box`: min_{k,i} h_{k,i} / (2 (|x_i|_1 + 1)).

    Examples
    --------
    >>> X, Y = yun_data()
    >>> certified_radius(X, *spurious_point(X, Y, 1, 2)[:2])
    1/4
    """
    return min(_ratios(X, W1, b1).values()) / 2


def sign_flip_witness(X, W1, b1, r):
    """A point of the box of radius r where some hidden pre-activation is <= 0, or None.

    Moves the row of the pre-activation h_{k,i} closest to its sign change (per unit of r) by
    -r sign(x_i) and its bias by -r, which lowers h_{k,i} by exactly r (|x_i|_1 + 1).

    Examples
    --------
    >>> X, Y = yun_data()
    >>> W1, b1, _, _ = spurious_point(X, Y, 1, 2)
    >>> sign_flip_witness(X, W1, b1, sp.Rational(1, 2))[2]
    0
    >>> sign_flip_witness(X, W1, b1, sp.Rational(1, 4)) is None
    True
    """
    X = sp.Matrix(X)
    ratios = _ratios(X, W1, b1)
    k, i = min(ratios, key=ratios.get)
    W, b = sp.Matrix(W1), sp.Matrix(b1)
    for j in range(X.rows):
        W[k, j] -= r * sp.sign(X[j, i])
    b[k] -= r
    value = (W[k, :] * X[:, i])[0] + b[k]
    return (W, b, value) if value <= 0 else None


def affine_lower_bound(X, Y):
    """Decide exactly: (Ybar - Y) X~^T = 0 and 1/2 ||R X~ - Y||^2 = l0 + 1/2 ||(R - Wbar) X~||^2 for a symbolic R.

    Examples
    --------
    >>> affine_lower_bound(*yun_data())
    True
    """
    Xt, Y = augmented(X), sp.Matrix(Y)
    Wbar, Ybar, l0 = least_squares(X, Y)
    R = sp.Matrix([[sp.Symbol("R%d" % (j + 1), real=True) for j in range(Xt.rows)]])
    lhs = sp.Rational(1, 2) * sum(v ** 2 for v in R * Xt - Y)
    rhs = l0 + sp.Rational(1, 2) * sum(v ** 2 for v in (R - Wbar) * Xt)
    return (Ybar - Y) * Xt.T == sp.zeros(1, Xt.rows) and sp.expand(lhs - rhs) == 0


def _check_width(d1):
    if isinstance(d1, bool) or not isinstance(d1, int) or d1 < 2:
        raise DataError("d1: expected a hidden width >= 2 (Theorem 1, condition C1.4), got %r" % (d1,))


def net_of(X, activation, d1):
    """The one-hidden-layer net of Theorem 1 for data X and width d1 (biases, square loss, summed).

    Raises
    ------
    DataError
        For a width d1 < 2.

    Examples
    --------
    >>> print(net_of(sp.Matrix([[1, 2]]), "relu", 2))
    Net(1-2-1, relu, square, bias)
    """
    _check_width(d1)
    return Net(widths=(sp.Matrix(X).rows, d1, 1), activation=activation, bias=True)


def loss_at(net, point, X, Y):
    """The exact loss of ``net`` at (W1, b1, W2, b2) (lossgeom's engine, dps="exact")."""
    W1, b1, W2, b2 = point
    X, Y = sp.Matrix(X), sp.Matrix(Y)
    return loss_value(net, [W1.tolist(), W2.tolist()], [list(b1), [b2]],
                      [list(X.row(i)) for i in range(X.rows)], [list(Y.row(0))], dps="exact")


def _split(scores, residual):
    """The first split j (scores sorted) with scores[j] < scores[j+1] and a nonzero partial residual sum.

    Returns (beta, gap, partial sum) or None (Theorem 1's set J is then empty).
    """
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    total = sp.Integer(0)
    for a, b in zip(order, order[1:]):
        total += residual[a]
        if scores[a] < scores[b] and total != 0:
            return (scores[a] + scores[b]) / 2, scores[b] - scores[a], total
    return None


def theorem1_case(X, Y):
    """1 when Theorem 1's set J (splits of the data sorted by ybar with a nonzero partial residual) is
    non-empty, else 2.

    Examples
    --------
    >>> theorem1_case(*yun_data()), theorem1_case(sp.Matrix([[0, 1, 2]]), sp.Matrix([[0, 1, 0]]))
    (2, 2)
    >>> theorem1_case(sp.Matrix([[0, 1, 2, 3]]), sp.Matrix([[0, 1, 0, 2]]))
    1
    """
    _, Ybar, _ = least_squares(X, Y)
    return 1 if _split(list(Ybar), list(Ybar - sp.Matrix(Y))) is not None else 2


def _separating_direction(X):
    """A small integer vector v with v^T x_i pairwise distinct (exists for distinct samples)."""
    X = sp.Matrix(X)
    for bound in range(1, 6):
        for v in product(range(-bound, bound + 1), repeat=X.rows):
            proj = [sum(v[j] * X[j, i] for j in range(X.rows)) for i in range(X.cols)]
            if len(set(proj)) == len(proj):
                return sp.Matrix([v]), proj
    return None, None


def descent_point(X, Y, activation, d1, tries=60):
    """A point of loss < l0 (Theorem 1, Step 2), or None: so the Step 1 minimum is not global.

    Case 1 (J non-empty): the paper's split of the data sorted by ybar, with outputs pushed by
    +-(s+ - s-) gamma / (s+ + s-) on the two sides.  Case 2 (J empty): the same split on the scores
    ybar_i + delta v^T x_i, v separating the samples (lossgeom's construction; the first-order term
    delta sum_i r_i v^T x_i vanishes by the normal equations).  delta and gamma are halved until the
    exact loss is below l0.

    Returns
    -------
    (point, loss, case) or None

    Examples
    --------
    >>> X, Y = yun_data()
    >>> point, loss, case = descent_point(X, Y, "relu", 2)
    >>> loss < sp.Rational(1, 3), case
    (True, 2)
    """
    X, Y = sp.Matrix(X), sp.Matrix(Y)
    net = net_of(X, activation, d1)
    sp_, sm = slopes(net.activation)
    Wbar, Ybar, l0 = least_squares(X, Y)
    resid, dx = list(Ybar - Y), X.rows
    case, v, proj, delta = theorem1_case(X, Y), sp.zeros(1, dx), [0] * X.cols, sp.Integer(0)
    if case == 2:
        v, proj = _separating_direction(X)
        values = sorted(set(Ybar))
        gap = min([b - a for a, b in zip(values, values[1:])] or [1])
        delta = gap / (2 * (max(proj) - min(proj) + 1))
    for _ in range(tries):
        scores = [Ybar[i] + delta * proj[i] for i in range(X.cols)]
        split = _split(scores, resid)
        if split is None:
            return None
        beta, width, total = split
        gamma = width / 4 * sp.sign((sp_ - sm) * total)
        row = Wbar[:, :dx] + delta * v
        W1 = row.col_join(-row).col_join(sp.zeros(d1 - 2, dx))
        b1 = sp.Matrix([Wbar[dx] - beta + gamma, -Wbar[dx] + beta + gamma] + [0] * (d1 - 2))
        W2 = sp.Matrix([[1 / (sp_ + sm), -1 / (sp_ + sm)] + [0] * (d1 - 2)])
        point = (W1, b1, W2, beta)
        loss = loss_at(net, point, X, Y)
        if loss < l0:
            return point, loss, case
        delta /= 2
        if case == 1:
            return None
    return None


#: a second Case-2 data set (J empty: the fit is the constant 0), d_x = 1
CASE2_DATA = (sp.Matrix([[0, 1, 2, 3]]), sp.Matrix([[1, -1, -1, 1]]))
#: the explicit global minimum on the Theorem 2 data (docs/MATH.md 6.1), for slopes (s+, s-)


def global_point(s_plus, s_minus, d1=2):
    """Zero-loss weights on :func:`~lossgeom.models.yun_data` (the third sample sits at the kinks).

    Examples
    --------
    >>> W1, b1, W2, b2 = global_point(1, 0)
    >>> W1.tolist(), W2.tolist(), b2
    ([[1, -1], [-1, 1]], [[-1, -1]], 1)
    """
    W1 = sp.Matrix([[1, -1], [-1, 1]]).col_join(sp.zeros(d1 - 2, 2))
    W2 = sp.Matrix([[-sp.Integer(1) / (sp.sympify(s_plus) - s_minus)] * 2 + [0] * (d1 - 2)])
    return W1, sp.zeros(d1, 1), W2, sp.Integer(1)


def random_case1_data(seed, dx=2, m=4, count=2):
    """``count`` seeded integer data sets meeting Theorem 1's conditions with J non-empty (Case 1).

    Examples
    --------
    >>> [theorem1_case(X, Y) for X, Y in random_case1_data(0)]
    [1, 1]
    """
    rng, out = random.Random(seed), []
    while len(out) < count:
        X = sp.Matrix(dx, m, lambda i, j: rng.randint(-3, 3))
        Y = sp.Matrix(1, m, lambda i, j: rng.randint(-3, 3))
        if all(data_conditions(X, Y).values()) and theorem1_case(X, Y) == 1:
            out.append((X, Y))
    return out


def local_minimum_certificate(X, Y, activation, d1, alpha=1):
    """Evidence that Theorem 1's Step 1 point is a local minimum with loss l0, decided exactly.

    Certified: at r = :func:`certified_radius` every hidden pre-activation keeps its sign on the box
    (:func:`certify_box`), so the net is affine in the data there, and :func:`affine_lower_bound` gives
    loss >= l0 on the box; the loss at the point (engine, exact) is l0.  Also checks that the box of
    twice that radius is not certified and holds a sign flip (:func:`sign_flip_witness`).

    Examples
    --------
    >>> local_minimum_certificate(*yun_data(), "relu", 2).facts["loss at the point"]
    '1/3'
    """
    net = net_of(X, activation, d1)
    s_plus, _ = slopes(net.activation)
    point = spurious_point(X, Y, s_plus, d1, alpha)
    _, _, l0 = least_squares(X, Y)
    r = certified_radius(X, point[0], point[1])
    ok_box, margin, change = certify_box(X, point[0], point[1], r)
    too_big, _, _ = certify_box(X, point[0], point[1], 2 * r)
    flip = sign_flip_witness(X, point[0], point[1], 2 * r)
    loss = loss_at(net, point, X, Y)
    facts = {"l0": str(l0), "loss at the point": str(loss), "radius r": str(r), "margin min h": str(margin),
             "max |change of h| on the box": str(change), "box of radius 2r certified": too_big,
             "sign flip in the box of radius 2r": flip is not None and str(flip[2])}
    ok = ok_box and loss == l0 and affine_lower_bound(X, Y) and not too_big and flip is not None
    return exact_check(ok, "witness", "certified box (exact bounds) + least-squares lower bound", facts=facts)


@register_claim(
    "yun2019.data-conditions", SOURCE + ", Theorem 1, conditions (C1.1)-(C1.2); Theorem 2's data",
    r"d_y = 1,\ \nexists R: R\tilde X = Y,\ x_i \ne x_j\ (i \ne j) \text{ for } X = \begin{pmatrix}1&0&\frac12\\"
    r"0&1&\frac12\end{pmatrix},\ Y = (0, 0, 1)",
    scope="the data of docs/MATH.md 6.1 (lossgeom.models.yun_data) and the second Case-2 data set, decided exactly "
          "(ranks over the rationals); negative controls: linearly fittable and duplicated data are rejected",
    method="construction",
    title="Theorem 1's data conditions hold on Yun's data (exact ranks), and fail on fittable / duplicated data")
def _check_conditions(dps, seed):
    data = {"yun_data": yun_data(), "case-2 set": CASE2_DATA}
    decided = {k: data_conditions(*v) for k, v in data.items()}
    fittable = data_conditions(sp.Matrix([[0, 1, 2]]), sp.Matrix([[1, 3, 5]]))
    duplicated = data_conditions(sp.Matrix([[0, 1, 1]]), sp.Matrix([[0, 1, 2]]))
    ok = all(all(d.values()) for d in decided.values()) and not all(fittable.values()) and \
        not duplicated["distinct samples"]
    return exact_check(ok, "witness", "exact rank of [X~; Y] vs X~ and distinct columns", facts={
        "conditions": decided, "negative control y = 2x + 1": fittable, "negative control repeated x": duplicated})


@register_claim(
    "yun2019.worked-example", SOURCE + ", Theorem 2's data with the Theorem 1 construction (docs/MATH.md 6.1)",
    r"\ell(\hat W) = \tfrac13 \text{ at a certified local minimum},\quad \min \ell = 0,\quad \ell = \tfrac12"
    r"\|\hat Y - Y\|_F^2",
    scope="lossgeom.models.yun_data, one hidden layer of width 2 and 3 with biases, activations relu, leaky_relu "
          "(1/100), two_piece (11/10, 1) and (2, 1/3), alpha = 1; loss 1/2 sum of squares over the samples (the "
          "mean over the 3 samples gives 1/9, the sum without 1/2 gives 2/3)",
    method="construction",
    title="Yun's data: a certified spurious local minimum of loss exactly 1/3, a global minimum of loss exactly 0")
def _check_worked(dps, seed):
    X, Y = yun_data()
    parts, zeros = [], {}
    for act in ACTIVATIONS:
        for d1 in WIDTHS:
            net = net_of(X, act, d1)
            parts.append(local_minimum_certificate(X, Y, act, d1).with_(instances=("%s" % net,)))
            zeros[str(net)] = str(loss_at(net, global_point(*slopes(net.activation), d1), X, Y))
    mean_net = Net(widths=(2, 2, 1), activation="relu", bias=True, reduction="mean")
    mean = loss_at(mean_net, spurious_point(X, Y, 1, 2), X, Y)
    loss = parts[0].facts["loss at the point"]
    out = combine(parts, facts={"loss at the spurious minimum": loss, "loss at the global minimum": zeros,
                                "loss with reduction='mean'": str(mean)})
    ok = out.counterexample is None and loss == "1/3" and set(zeros.values()) == {"0"} and \
        mean == sp.Rational(1, 9)
    return out if ok else out.with_(undecided=out.undecided + ("1/3 vs 0",))


@register_claim(
    "yun2019.spurious-minimum", SOURCE + ", Theorem 1 (both cases of Step 2)",
    r"(C1.1)\text{-}(C1.4) \Rightarrow \exists\ \text{local minimum with } \ell = \ell_0(\bar W) > \min\ell",
    scope="Yun's data and the second Case-2 set (J empty: Case 2) and 2 seeded random integer sets 2 x 4 (J "
          "non-empty: Case 1); activations relu, leaky_relu (1/100), two_piece (11/10, 1) and (2, 1/3); hidden width "
          "2 and 3; the minimum certified on an explicit box, a lower point constructed exactly (Case 2 by lossgeom's "
          "perturbed-score split, the paper's Case-2 construction not being in docs/MATH.md)",
    title="Theorem 1: certified spurious local minimum at the least-squares loss (both cases, 4 data sets)")
def _check_theorem1(dps, seed):
    data = [yun_data(), CASE2_DATA] + random_case1_data(seed)
    parts, lower, cases = [], {}, []
    for X, Y in data:
        if not all(data_conditions(X, Y).values()):
            return Evidence("instances", "data conditions", undecided=("conditions of %s" % (X.tolist(),),))
        cases.append(theorem1_case(X, Y))
        for act in ACTIVATIONS:
            for d1 in WIDTHS:
                name = "X=%s, Y=%s, %s" % (X.tolist(), Y.tolist(), net_of(X, act, d1))
                parts.append(local_minimum_certificate(X, Y, act, d1).with_(instances=(name,)))
                found = descent_point(X, Y, act, d1)
                lower[name] = str(found[1]) if found else None
    facts = {"cases": cases, "lower loss found": lower}
    out = combine(parts, basis="instances", facts=facts)
    if any(v is None for v in lower.values()) or sorted(set(cases)) != [1, 2]:
        return out.with_(undecided=out.undecided + ("a point below l0",))
    return out.with_(method="certified box + least-squares bound (exact); exact loss of the Step 2 point < l0")


@register_claim(
    "yun2019.infinitely-many", SOURCE + ", Theorem 1 (\"infinitely many\", by positive homogeneity)",
    r"\forall \alpha > 0:\ \hat\theta(\alpha) \text{ is a local minimum with } \ell = \ell_0,\ \hat\theta(\alpha)"
    r" \ne \hat\theta(\alpha') \ (\alpha \ne \alpha')",
    scope="symbolic alpha > 0 on Yun's data and one seeded Case-1 set, activations relu, leaky_relu (1/100), "
          "two_piece (11/10, 1) and (2, 1/3), hidden width 2 and 3: pre-activations alpha x (positive), output "
          "Ybar for every alpha, a certified box of radius alpha r_1",
    title="Theorem 1: infinitely many spurious minima (the family alpha > 0, symbolic)")
def _check_family(dps, seed):
    alpha = sp.Symbol("alpha", positive=True)
    rows = {}
    for X, Y in [yun_data()] + random_case1_data(seed, count=1):
        _, Ybar, _ = least_squares(X, Y)
        for act in ACTIVATIONS:
            for d1 in WIDTHS:
                s_plus, _ = slopes(net_of(X, act, d1).activation)
                W1, b1, W2, b2 = spurious_point(X, Y, s_plus, d1, alpha)
                H = pre_activations(X, W1, b1)
                positive = all(bool(v.is_positive) for v in H)
                out = (W2 * s_plus * H + b2 * sp.ones(1, X.cols)).applyfunc(sp.simplify)
                r = certified_radius(X, W1, b1)
                boxed = certify_box(X, W1, b1, r)[0] and bool((r / alpha).is_positive)
                injective = sp.solve(sp.Eq(W2[0], W2[0].subs(alpha, 2 * alpha)), alpha) == []
                rows["%s, %s, d1=%d" % (X.tolist(), act, d1)] = positive and out == Ybar and boxed and injective
    return exact_check(all(rows.values()), "symbolic", "alpha a positive symbol: signs by SymPy's assumptions, output "
                       "= Ybar by simplification, radius alpha r_1; W2 = 1/(alpha s+) injective", facts={"ok": rows})
