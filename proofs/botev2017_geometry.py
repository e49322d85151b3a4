"""The loss-surface consequences of Botev, Ritter & Barber (ICML 2017, the blog's "Consequences" section).

The recursion claims are in :mod:`lossgeom.proofs.botev2017`; this module decides what the blog draws
from them for piecewise-linear (PL) activations, each with the scope it really has:

- inside an activation cell every pre-activation Hessian and every layer Hessian is PSD, and tr H >= 0;
- "f' never zero => each pre-activation Hessian is positive definite" is false as printed (refuted), and
  the corrected statement (H_{l+1} PD and W_{l+1} of full column rank) holds;
- "no differentiable local maxima" fails when read literally (a flat dead region), holds for strict maxima;
- within a layer and a cell the loss is convex in W_l, but not across a kink; a PL net has strict
  non-differentiable maxima along a layer; smooth saddles across layers exist; dead units drop the rank.

Every generic computation writes a hidden unit of a PL activation in a cell as f(x) = s x + c with its own
symbolic slope s and offset c, so one identity covers every cell of every PL activation at that shape.
"""

import random
from itertools import combinations

import mpmath
import sympy as sp

from lossgeom.errors import NonDifferentiableError
from lossgeom.models import random_point
from lossgeom.net import Net
from lossgeom.numeric.evaluate import full_hessian, gradient, loss_value
from lossgeom.numeric.spectrum import exact_inertia, exact_rank, symmetric_eigenvalues
from lossgeom.precision import tolerance, working_precision
from lossgeom.proofs.claim import register_claim
from lossgeom.proofs.evidence import Evidence, exact_check

ORDER = 11

SOURCE = "Botev, Ritter & Barber, ICML 2017 (PMLR 70:557-565); blog version, Sec. Consequences"

#: the PL activations the numeric confirmation runs on (lossgeom names and exact parameters)
PL_ACTIVATIONS = ("relu", {"name": "leaky_relu", "slope": "1/10"}, "abs",
                  {"name": "two_piece", "s_plus": "2", "s_minus": "1/2"})
#: the depths of the generic (symbolic) identities; every width is 2
DEPTHS = (2, 3, 4)
WIDTH = 2


def _sym(name):
    return sp.Symbol(name, real=True)


def _upstream(depth, l, n=WIDTH):
    """h_L as a function of free h_l, every hidden unit above l affine with symbolic slope and offset.

    Returns (h_l symbols, h_L expressions).

    Examples
    --------
    >>> h, out = _upstream(2, 1, n=1)
    >>> out
    [W2_1_1*(c1_1 + h1_1*s1_1) + b2_1]
    """
    h = [_sym("h%d_%d" % (l, i + 1)) for i in range(n)]
    cur = list(h)
    for k in range(l, depth):
        a = [_sym("s%d_%d" % (k, i + 1)) * v + _sym("c%d_%d" % (k, i + 1)) for i, v in enumerate(cur)]
        cur = [sum(_sym("W%d_%d_%d" % (k + 1, i + 1, j + 1)) * a[j] for j in range(n)) + _sym("b%d_%d" % (k + 1, i + 1))
               for i in range(n)]
    return h, cur


def _is_affine(exprs, variables):
    """True when every expression has an identically zero Hessian in ``variables`` (decided by expansion)."""
    return all(sp.expand(sp.diff(e, u, v)) == 0 for e in exprs for u in variables for v in variables)


def _square(z, y):
    return sp.Add(*[(zi - yi) ** 2 for zi, yi in zip(z, y)]) / 2


def _cross_entropy(z, y):
    return sp.Add(*y) * sp.log(sp.Add(*[sp.exp(v) for v in z])) - sp.Add(*[yi * zi for zi, yi in zip(z, y)])


LOSSES = {"square": _square, "cross_entropy": _cross_entropy}


def _chain_rule_identity(loss, depth, l):
    """Decide exactly that d2E/dh_l^2 (direct SymPy differentiation) = J^T (d2E/dz2 at h_L) J, J = dh_L/dh_l."""
    h, out = _upstream(depth, l)
    y = [_sym("y%d" % (i + 1)) for i in range(WIDTH)]
    z = [_sym("z%d" % (i + 1)) for i in range(WIDTH)]
    direct = sp.hessian(LOSSES[loss](out, y), h)
    J = sp.Matrix(out).jacobian(h)
    HL = sp.hessian(LOSSES[loss](z, y), z).xreplace(dict(zip(z, out)))
    diff = direct - J.T * HL * J
    u = [sp.Symbol("u%d" % (k + 1), positive=True) for k in range(len(out))]
    exps = {}
    for e in diff.atoms(sp.exp):  # exp(m h_L[k]) -> u_k^m, so the exponentials become polynomial variables
        for k, o in enumerate(out):
            m = sp.cancel(e.args[0] / o)
            if m.is_Integer:
                exps[e] = u[k] ** m
    return all(sp.cancel(sp.expand(v.xreplace(exps))) == 0 for v in diff)


def output_hessian_psd_certificate(n):
    """An exact sum-of-squares certificate that softmax cross-entropy's d2E/dz2 is PSD for n outputs.

    With p = softmax(z) (p_i > 0, sum p = 1): v^T (diag p - p p^T) v = 1/2 sum_{i,j} p_i p_j (v_i - v_j)^2,
    decided as a polynomial identity after p_n = 1 - p_1 - ... - p_{n-1}; d2E/dz2 = sum(y) (diag p - p p^T)
    with sum(y) >= 0 for targets y >= 0.

    Examples
    --------
    >>> output_hessian_psd_certificate(2), output_hessian_psd_certificate(3)
    (True, True)
    """
    p = [_sym("p%d" % (i + 1)) for i in range(n - 1)]
    p.append(1 - sp.Add(*p))
    v = [_sym("v%d" % (i + 1)) for i in range(n)]
    quad = sp.Add(*[p[i] * v[i] ** 2 for i in range(n)]) - sp.Add(*[p[i] * v[i] for i in range(n)]) ** 2
    sos = sp.Add(*[p[i] * p[j] * (v[i] - v[j]) ** 2 for i in range(n) for j in range(n)]) / 2
    return sp.expand(quad - sos) == 0


def _pieces_affine():
    """{activation label: every piece affine} for the listed PL activations."""
    out = {}
    for spec in PL_ACTIVATIONS:
        act = Net(widths=(1, 1, 1), activation=spec).activation
        out[act.label] = all(sp.diff(p.expr, sp.Symbol("x", real=True), 2) == 0 for p in act.pieces)
    return out


def _numeric_layer_blocks(dps, seed):
    """(smallest layer-block eigenvalue, smallest trace) of the engine's full Hessian at random points."""
    rng = random.Random(seed)
    low, trace_low, points = None, None, 0
    for spec in PL_ACTIVATIONS:
        for depth in DEPTHS:
            for loss in LOSSES:
                net = Net(widths=(WIDTH,) * (depth + 1), activation=spec, loss=loss, bias=True)
                pt = random_point(net, rng, samples=2, nonnegative_targets=True)
                try:
                    H = full_hessian(net, pt.weights, pt.biases, pt.X, pt.Y, dps=dps)
                except NonDifferentiableError:  # a random point exactly at a kink
                    continue
                points += 1
                with working_precision(dps):
                    for l in range(1, depth + 1):
                        sl = net.layer_slice(l)
                        block = H[sl.start:sl.stop, sl.start:sl.stop]
                        e = symmetric_eigenvalues(block, dps)[0]
                        low = e if low is None else min(low, e)
                    t = mpmath.fsum(H[i, i] for i in range(H.rows))
                    trace_low = t if trace_low is None else min(trace_low, t)
    return low, trace_low, points


@register_claim(
    "botev2017.pl-hessians-psd", SOURCE + " (Structure within a layer; No differentiable local maxima)",
    r"f \text{ piecewise linear} \Rightarrow D_\lambda = 0,\ \mathcal{H}_\lambda = J_\lambda^\top \mathcal{H}_L"
    r" J_\lambda \succeq 0,\ H_\lambda = (\tilde a\tilde a^\top)\otimes\mathcal{H}_\lambda \succeq 0,\ "
    r"\operatorname{tr}\nabla^2E \ge 0",
    scope="any activation with affine pieces (relu, leaky_relu, abs, two_piece max(s+ x,0)+min(s- x,0): every "
          "cell, slopes and offsets symbolic per unit), square loss and softmax cross-entropy (targets y >= 0), "
          "depths 2, 3, 4 with every width 2, every layer, one datapoint (sums over datapoints stay PSD); numeric "
          "confirmation with the engine on the 4 listed activations x 3 depths x 2 losses, 2 samples, biases",
    assumptions=("away from kinks (inside an activation cell)", "loss convex in the output"),
    title="PL nets: every pre-activation and layer Hessian PSD, tr H >= 0 (relu, leaky, abs, two_piece; depth 2-4)")
def _check_pl_psd(dps, seed):
    affine = _pieces_affine()
    upstream_affine, chain = {}, {}
    for depth in DEPTHS:
        for l in range(1, depth):
            h, out = _upstream(depth, l)
            upstream_affine["L=%d, l=%d" % (depth, l)] = _is_affine(out, h)
            for loss in LOSSES:
                chain["%s, L=%d, l=%d" % (loss, depth, l)] = _chain_rule_identity(loss, depth, l)
    sos = {n: output_hessian_psd_certificate(n) for n in (2, 3)}
    with working_precision(dps):
        low, trace_low, points = _numeric_layer_blocks(dps, seed)
        tol = tolerance(dps, scale=100)
    facts = {"pieces affine": affine, "h_L affine in h_l (D_l = 0)": upstream_affine,
             "d2E/dh_l^2 = J^T H_L J (direct SymPy differentiation)": chain,
             "CE output Hessian: sum-of-squares certificate for n outputs": sos,
             "square loss output Hessian": "I",
             "engine points": points, "smallest layer-block eigenvalue": mpmath.nstr(low, 12),
             "smallest trace": mpmath.nstr(trace_low, 12), "tolerance": mpmath.nstr(tol, 3)}
    exact_ok = all(affine.values()) and all(upstream_affine.values()) and all(chain.values()) and all(sos.values())
    if not exact_ok:
        return exact_check(False, "symbolic", "an exact step failed", facts=facts)
    if low < -tol or trace_low < -tol:
        return Evidence("numeric", "engine Hessian", facts=facts,
                        counterexample={"smallest eigenvalue": mpmath.nstr(low, 20)})
    return Evidence("symbolic", "affine pieces => h_L affine in h_l in a cell (Hessian expands to 0, symbolic "
                    "slopes/offsets), chain rule decided exactly, H_L PSD (identity / sum of squares), so "
                    "H_l = J^T H_L J and (a a^T) kron H_l are PSD and tr H = sum |a~|^2 tr H_l >= 0; engine at %d "
                    "random points" % points, facts=facts, digits=dps,
                    instances=tuple("depth %d" % d for d in DEPTHS))


# -- positive definiteness -------------------------------------------------------------------------------

def hidden_hessian(net, weights, biases, x, y, layer):
    """d2E/dh_l^2 at one datapoint by direct SymPy differentiation (free h_l, each unit on the piece it takes).

    Independent of the recursion and of the numeric engine: the layers above ``layer`` are composed on
    top of free symbols h_l, each activation replaced by the piece its value lies on, and SymPy
    differentiates the loss twice.

    Examples
    --------
    >>> net = Net(widths=(1, 2, 1), activation={"name": "leaky_relu", "slope": "1/10"})
    >>> hidden_hessian(net, [[[1], [-1]], [[1, 1]]], None, [1], [0], 1)
    Matrix([
    [   1, 1/10],
    [1/10, 1/100]])
    """
    W = [sp.Matrix(w) for w in weights]
    b = [sp.Matrix(v) for v in biases] if biases is not None else [sp.zeros(r.rows, 1) for r in W]
    a = sp.Matrix(x)
    for l in range(1, layer + 1):  # the values of h_1..h_l at the point
        hval = W[l - 1] * a + b[l - 1]
        a = sp.Matrix([net.activation.apply(v) for v in hval])
    free = [_sym("hf%d" % (i + 1)) for i in range(len(hval))]
    cur, vals = sp.Matrix(free), hval
    for k in range(layer, net.depth):
        index = [net.activation.piece_index(v) for v in vals]
        if None in index:
            raise NonDifferentiableError("hidden_hessian: pre-activation h%d[%d] sits exactly at a kink of %s"
                                         % (k, index.index(None) + 1, net.activation), ["h%d[%d]" % (k, 1 + index.index(None))])
        pieces = [net.activation.pieces[i].expr for i in index]
        act = sp.Matrix([p.subs(sp.Symbol("x", real=True), u) for p, u in zip(pieces, cur)])
        actval = sp.Matrix([p.subs(sp.Symbol("x", real=True), u) for p, u in zip(pieces, vals)])
        cur, vals = W[k] * act + b[k], W[k] * actval + b[k]
    E = LOSSES[net.loss.name](list(cur), [sp.sympify(v) for v in y])
    return sp.hessian(E, free).xreplace(dict(zip(free, hval)))


LEAKY = {"name": "leaky_relu", "slope": "1/10"}
#: counterexample 1: leaky ReLU (f' never 0), square loss, 1-2-1, one datapoint
PD_COUNTER_LEAKY = (Net(widths=(1, 2, 1), activation=LEAKY), [[[1], [-1]], [[1, 1]]], None, [1], [0])
#: counterexample 2: leaky ReLU with softmax cross-entropy, 2-2-2, one datapoint
PD_COUNTER_CE = (Net(widths=(2, 2, 2), activation=LEAKY, loss="cross_entropy"),
                 [[[1, 0], [0, 1]], [[2, 1], [1, 3]]], None, [1, -1], [1, 0])


def _ce_output_kernel():
    """Decide exactly that (diag p - p p^T) 1 = 0 for softmax p of n = 2, 3 free outputs."""
    ok = {}
    for n in (2, 3):
        z = [_sym("z%d" % (i + 1)) for i in range(n)]
        H = sp.hessian(_cross_entropy(z, [1] + [0] * (n - 1)), z)
        ok[n] = all(sp.simplify(v) == 0 for v in H * sp.ones(n, 1))
    return ok


@register_claim(
    "botev2017.nonzero-slope-positive-definite", SOURCE + " (\"provided the gradient of the transfer function is "
    "never zero ... each layer pre-activation Hessian is Positive Definite\")",
    r"f' \ne 0 \Rightarrow \mathcal{H}_\lambda \succ 0 \text{ for every layer } \lambda",
    scope="as printed (no condition on H_{l+1} or W_{l+1}); refuted by two exact counterexamples: leaky ReLU "
          "(slope 1/10) 1-2-1 with square loss, and leaky ReLU 2-2-2 with softmax cross-entropy (whose output "
          "Hessian diag(p) - p p^T has the all-ones kernel for every output z, n = 2, 3)",
    expect="fails", method="construction",
    title="f' != 0 => pre-activation Hessians PD: false as printed (leaky ReLU + square; any softmax CE)")
def _check_pd_as_printed(dps, seed):
    net, W, b, x, y = PD_COUNTER_LEAKY
    H1 = hidden_hessian(net, W, b, x, y, 1)
    null = sp.Matrix([1, -10])
    net2, W2, b2, x2, y2 = PD_COUNTER_CE
    H1ce = hidden_hessian(net2, W2, b2, x2, y2, 1)
    # H_1 = C^T H_2 C with C = W_2 B_1 invertible, and H_2 1 = 0, so C^{-1} 1 is in the kernel of H_1
    h1 = sp.Matrix(W2[0]) * sp.Matrix(x2)
    C = sp.Matrix(W2[1]) * sp.diag(*[1 if v > 0 else sp.Rational(1, 10) for v in h1])
    v = C.inv() * sp.ones(2, 1)
    kernel = _ce_output_kernel()
    found = (H1.det() == 0 and (H1 * null) == sp.zeros(2, 1)
             and all(sp.simplify(e) == 0 for e in H1ce * v) and all(kernel.values()))
    facts = {"leaky 1-2-1 square: d2E/dh_1^2": str(H1.tolist()), "its determinant": str(H1.det()),
             "its null vector": str(list(null)), "CE 2-2-2: null vector of d2E/dh_1^2": str(list(v)),
             "CE output Hessian has the all-ones kernel (n outputs)": kernel}
    if not found:
        return Evidence("witness", "the counterexamples did not come out singular", facts=facts,
                        undecided=("singular pre-activation Hessians",))
    return Evidence("witness", "direct SymPy differentiation at exact points: singular pre-activation Hessians "
                    "with exact null vectors although f' never vanishes", facts=facts,
                    counterexample={"net": str(net), "weights": str(W), "x": str(x), "y": str(y),
                                    "d2E/dh_1^2": str(H1.tolist()), "null vector": str(list(null))})


#: the shapes (d_l, d_{l+1}) of the generic corrected statement
PD_SHAPES = ((1, 1), (1, 2), (2, 2), (2, 3))
#: instances of the corrected statement: leaky ReLU / two_piece, square loss, widths non-decreasing
PD_NETS = (Net(widths=(2, 2, 2), activation=LEAKY, bias=True),
           Net(widths=(1, 2, 3), activation={"name": "two_piece", "s_plus": "2", "s_minus": "1/2"}, bias=True),
           Net(widths=(2, 2, 3, 3), activation="abs", bias=True))


def cauchy_binet_certificate(dl, dn):
    """Decide det(B W^T L L^T W B) = det(B)^2 sum_S det((L^T W)_S)^2 exactly (generic W, lower triangular L).

    Every d_l x d_l minor S of L^T W appears squared, so for L invertible (H_{l+1} = L L^T PD) and
    nonzero slopes the determinant is > 0 exactly when W has full column rank; with H_l = C^T H_{l+1} C
    PSD (C = W B), a nonzero determinant makes H_l PD.

    Examples
    --------
    >>> cauchy_binet_certificate(1, 2)
    True
    """
    W = sp.Matrix(dn, dl, lambda i, j: _sym("W%d%d" % (i + 1, j + 1)))
    L = sp.Matrix(dn, dn, lambda i, j: _sym("L%d%d" % (i + 1, j + 1)) if j <= i else 0)
    B = sp.diag(*[_sym("s%d" % (i + 1)) for i in range(dl)])
    C = W * B
    lhs = (C.T * L * L.T * C).det()
    M = L.T * W
    rhs = B.det() ** 2 * sp.Add(*[M.extract(list(S), list(range(dl))).det() ** 2
                                  for S in combinations(range(dn), dl)])
    return sp.expand(lhs - rhs) == 0


def _pd_instances(seed):
    """{net: exact inertia of d2E/dh_l^2 for every hidden l} at a seeded point with full-rank weights."""
    rng = random.Random(seed)
    out = {}
    for net in PD_NETS:
        while True:
            pt = random_point(net, rng)
            if all(pt.weights[k].rank() == net.widths[k] for k in range(1, net.depth)) and \
                    all(v != 0 for v in _pre_activations(net, pt)):
                break
        for l in range(1, net.depth):
            H = hidden_hessian(net, [W.tolist() for W in pt.weights], [list(b) for b in pt.biases], list(pt.X),
                               list(pt.Y), l)
            out["%s, l=%d" % (net, l)] = exact_inertia(H)
    return out


def _pre_activations(net, pt):
    a, vals = pt.X, []
    for l in range(net.depth):
        h = pt.weights[l] * a + (pt.biases[l] if net.bias else 0)
        vals += list(h)
        a = h.applyfunc(net.activation.apply)
    return vals


@register_claim(
    "botev2017.positive-definite-corrected", SOURCE + "; corrected statement as in docs/MATH.md 1.3",
    r"\mathcal{H}_{\lambda+1}\succ 0,\ \operatorname{rank} W_{\lambda+1} = d_\lambda,\ f' \ne 0,\ f''=0"
    r" \Rightarrow \mathcal{H}_\lambda = B_\lambda W_{\lambda+1}^\top\mathcal{H}_{\lambda+1}W_{\lambda+1}B_\lambda"
    r" \succ 0",
    scope="PL activations with nonzero slopes (leaky_relu, abs, two_piece with s- > 0), away from kinks; the "
          "determinant identity symbolic at (d_l, d_{l+1}) = " + ", ".join("(%d, %d)" % s for s in PD_SHAPES) +
          "; exact inertia on the listed nets (square loss, widths non-decreasing, one seeded point each)",
    origin="derived",
    title="corrected: H_{l+1} PD and W_{l+1} of full column rank => H_l PD (nonzero slopes)")
def _check_pd_corrected(dps, seed):
    cert = {"%d x %d" % s: cauchy_binet_certificate(*s) for s in PD_SHAPES}
    inst = _pd_instances(seed)
    pd = {k: v.negative == 0 and v.zero == 0 for k, v in inst.items()}
    facts = {"det(C^T L L^T C) = det(B)^2 sum of squared minors": cert,
             "exact inertia (+, -, 0) of d2E/dh_l^2": {k: str((v.positive, v.negative, v.zero)) for k, v in inst.items()}}
    if not all(pd.values()):
        bad = next(k for k, v in pd.items() if not v)
        return Evidence("instances", "exact inertia", facts=facts, counterexample={"instance": bad})
    return exact_check(all(cert.values()), "symbolic", "Cauchy-Binet identity decided by expansion (generic W, "
                       "L, slopes) + congruence; exact inertia (Descartes) of directly differentiated d2E/dh_l^2 "
                       "on the listed nets", facts=facts, instances=tuple(str(n) for n in PD_NETS))


# -- maxima, convexity within a layer, saddles across layers, rank -------------------------------------

#: 1-1-1 ReLU, square loss, x = 1, y = 0, at (w1, w2) = (1, 1): inside the active cell E = 1/2 (w1 w2)^2
NOT_PL = (Net(widths=(1, 1, 1), activation="relu"), (1, 1), [[1]], [[0]])


@register_claim(
    "botev2017.objective-not-piecewise-linear", SOURCE + " (\"this does not necessarily mean that the objective "
    "will be piecewise linear\")",
    r"f \text{ piecewise linear} \not\Rightarrow E \text{ piecewise linear}: \ \nabla^2 E(1, 1) = "
    r"\begin{pmatrix}1&2\\2&1\end{pmatrix} \neq 0",
    scope="the 1-1-1 ReLU net, square loss, x = 1, y = 0, at (w1, w2) = (1, 1) (pre-activation 1, inside the active "
          "cell w1 > 0, where E = 1/2 (w1 w2)^2): the Hessian is not 0 anywhere on that open cell, so E is affine on "
          "no open subset of it, while a piecewise-linear function is affine near almost every point",
    method="construction",
    title="a PL activation does not make the objective PL (an exact non-zero Hessian inside a cell)")
def _check_objective_not_pl(dps, seed):
    net, (w1, w2), X, Y = NOT_PL
    H = full_hessian(net, [[[w1]], [[w2]]], X=X, Y=Y, dps="exact")
    a, b = _sym("w1"), _sym("w2")
    cell = sp.Rational(1, 2) * (b * a * X[0][0] - Y[0][0]) ** 2          # relu(w1 x) = w1 x on the cell w1 x > 0
    direct = sp.hessian(cell, (a, b))
    at = direct.subs({a: w1, b: w2})
    # zero Hessian on an open subset of the cell w1 > 0 would need all entries to vanish there: the (1, 1)
    # entry w2^2 x^2 vanishes only on w2 = 0, a line
    ok = sp.Matrix(H) == at and at != sp.zeros(2, 2) and sp.factor(direct[0, 0]) == b ** 2 and \
        loss_value(net, [[[w1]], [[w2]]], X=X, Y=Y, dps="exact") == cell.subs({a: w1, b: w2})
    facts = {"engine Hessian (exact)": str(sp.Matrix(H).tolist()), "direct sympy.hessian of the cell's E": str(direct),
             "at (1, 1)": str(at.tolist())}
    return exact_check(ok, "witness", "exact: the engine's Hessian equals sympy.hessian of E = 1/2 (w1 w2 x - y)^2 "
                       "on the active cell and is not zero", facts=facts)


#: 1-1-1 ReLU, square loss, x = y = 1: for w1 < 0 the hidden unit is dead and E = 1/2 on an open set
FLAT = (Net(widths=(1, 1, 1), activation="relu"), (-1, 0), [[1]], [[1]])


def _loss_111(net, w1, w2, X, Y):
    return loss_value(net, [[[w1]], [[w2]]], X=X, Y=Y, dps="exact")


@register_claim(
    "botev2017.no-differentiable-local-maxima-literal", SOURCE + " (\"feedforward networks (with piecewise linear "
    "transfer functions) have no differentiable local maxima\"), read literally (non-strict maxima included)",
    r"\nexists\,\theta_0:\ E \text{ differentiable near } \theta_0,\ E(\theta)\le E(\theta_0)\ \forall\theta"
    r" \text{ near } \theta_0",
    scope="the 1-1-1 ReLU net, square loss, x = y = 1, at (w1, w2) = (-1, 0): the box |dw1|, |dw2| < 1 lies in the "
          "dead cell w1 < 0 where E = 1/2 identically; the strict reading is botev2017.no-smooth-local-maxima",
    expect="fails", method="construction",
    title="'no differentiable local maxima' read literally: false on a dead region (strict is the right reading)")
def _check_flat_maximum(dps, seed):
    """In the cell w1 < 0 (h1 = w1 x < 0) the ReLU piece is 0, so E = 1/2 (0 - 1)^2 for every w2; the box of
    radius 1 about (-1, 0) stays in the cell (w1 + dw1 < 0), so (-1, 0) is a (non-strict) local maximum where
    E is smooth.  A strict local maximum is what tr H >= 0 excludes (maximum principle), so the catalog's
    claim botev2017.no-smooth-local-maxima states the strict reading."""
    net, (w1, w2), X, Y = FLAT
    w, v = _sym("w1"), _sym("w2")
    piece = net.activation.pieces[net.activation.piece_index(sp.Integer(-1))].expr
    E_cell = sp.expand(_square([v * piece.subs(sp.Symbol("x", real=True), w * X[0][0])], [Y[0][0]]))
    box_in_cell = w1 + 1 <= 0  # sup of w1 + dw1 over |dw1| < 1
    g = gradient(net, [[[w1]], [[w2]]], X=X, Y=Y, dps="exact")
    H = full_hessian(net, [[[w1]], [[w2]]], X=X, Y=Y, dps="exact")
    samples = [_loss_111(net, w1 + sp.Rational(a, 3), w2 + sp.Rational(b, 3), X, Y) for a in (-2, 0, 2) for b in (-2, 2)]
    found = E_cell == sp.Rational(1, 2) and box_in_cell and all(e == 0 for e in g) and H == sp.zeros(2, 2) and \
        all(s == sp.Rational(1, 2) for s in samples)
    facts = {"E on the cell w1 < 0": str(E_cell), "engine gradient": str(list(g)), "engine Hessian": str(H.tolist()),
             "engine loss at 6 box points": [str(s) for s in samples]}
    if not found:
        return Evidence("witness", "the flat region did not come out", facts=facts, undecided=("flat region",))
    return Evidence("witness", "exact: E = 1/2 identically on the dead cell (SymPy) and the box lies in it; engine "
                    "gradient 0, Hessian 0", facts=facts,
                    counterexample={"net": str(net), "theta": "(w1, w2) = (-1, 0)", "x": "1", "y": "1",
                                    "local maximum": "non-strict: E = 1/2 on the box |dw| < 1"})


@register_claim(
    "botev2017.within-layer-convex", SOURCE + " (Structure within a layer: \"no smooth local maxima or smooth "
    "saddle points\" when only W_l varies)",
    r"\text{inside a cell, } h_L \text{ is affine in } \operatorname{vec}(W_\lambda) \Rightarrow E|_{W_\lambda}"
    r" \text{ convex on the (polyhedral) cell}",
    scope="any activation with affine pieces (slopes, offsets symbolic per unit: every cell), depths 2, 3, 4 with "
          "every width 2, every layer l, with biases; the loss convex in the output (square, softmax CE with "
          "y >= 0); the other layers fixed",
    title="within a layer and a cell, E is convex in W_l: no smooth saddle or maximum inside a layer")
def _check_within_layer(dps, seed):
    """With the others fixed, h_l = W_l a_{l-1} + b_l is linear in W_l and (claim botev2017.pl-hessians-psd)
    h_L is affine in h_l inside a cell; so every pre-activation above is affine in W_l, the cell is an
    intersection of half-spaces in W_l (convex) and E = loss(affine(W_l)) is convex on it."""
    out = {}
    for depth in DEPTHS:
        for l in range(1, depth + 1):
            h, top = _upstream(depth, l)
            W = [_sym("V%d_%d" % (i + 1, j + 1)) for i in range(WIDTH) for j in range(WIDTH)]
            a = [_sym("a%d" % (j + 1)) for j in range(WIDTH)]
            hl = [sum(W[i * WIDTH + j] * a[j] for j in range(WIDTH)) + _sym("d%d" % (i + 1)) for i in range(WIDTH)]
            out["L=%d, l=%d" % (depth, l)] = _is_affine([e.xreplace(dict(zip(h, hl))) for e in top], W)
    return exact_check(all(out.values()), "symbolic", "d2 h_L / d vec(W_l)^2 expands to 0 in every cell (symbolic "
                       "slopes/offsets); a convex loss of an affine map is convex", facts={"h_L affine in W_l": out},
                       instances=tuple("depth %d" % d for d in DEPTHS))


#: the ridge: 1-1-1 ReLU, w2 = x = y = 1, E(w1) = 1/2 (relu(w1) - 1)^2
RIDGE = (Net(widths=(1, 1, 1), activation="relu"), [[1]], [[1]], (-1, sp.Rational(1, 2)))


@register_claim(
    "botev2017.layer-convex-across-kinks", SOURCE + " (\"this does not imply that the objective is convex "
    "everywhere with respect to W_l ... ridges\")",
    r"E|_{W_\lambda} \text{ convex on all of } \mathbb{R}^{d_\lambda\times d_{\lambda-1}}",
    scope="the 1-1-1 ReLU net, square loss, w2 = x = y = 1, W_1 = w1 on the segment [-1, 1/2] across the kink w1 = 0",
    expect="fails", method="construction",
    title="E is not convex in W_l across a kink (exact ridge example, as the blog says)")
def _check_across_kinks(dps, seed):
    net, X, Y, (p, q) = RIDGE
    Ep, Eq, Em = (_loss_111(net, w, 1, X, Y) for w in (p, q, (p + q) / 2))
    chord = (Ep + Eq) / 2
    facts = {"E(-1)": str(Ep), "E(1/2)": str(Eq), "E(-1/4)": str(Em), "chord midpoint": str(chord)}
    if not Em > chord:
        return Evidence("witness", "exact loss values", facts=facts, undecided=("a midpoint above the chord",))
    return Evidence("witness", "exact loss values (engine, dps='exact'): the midpoint lies above the chord",
                    facts=facts, counterexample=dict(facts, net=str(net), w2="1", x="1", y="1"))


#: abs net 1-1-1, w2 = x = y = 1: E(w1) = 1/2 (|w1| - 1)^2 has a strict maximum at the kink w1 = 0
ABS_MAX = (Net(widths=(1, 1, 1), activation="abs"), [[1]], [[1]])


@register_claim(
    "botev2017.nonsmooth-strict-maximum", SOURCE + " (the picture of the local maxima that can happen)",
    r"E(w_1) = \tfrac12(|w_1|-1)^2 < E(0) \text{ for } 0 < |w_1| < 2",
    scope="the 1-1-1 abs net, square loss, w2 = x = y = 1, as a function of W_1 (the other layer fixed): a strict "
          "local maximum at the kink w1 = 0; in the full parameter space it is not strict (E(0, w2) = 1/2 for "
          "every w2; and E is convex along W_L for any net, by botev2017.within-layer-convex at l = L, so no strict local "
          "maximum exists there)",
    method="construction",
    title="a PL net can have a strict non-differentiable maximum along a layer (abs, at the kink)")
def _check_nonsmooth_max(dps, seed):
    net, X, Y = ABS_MAX
    w = sp.Symbol("w", positive=True)
    E0 = _loss_111(net, 0, 1, X, Y)
    gap = sp.factor(E0 - _square([w], [1]))  # E(0) - E(+-w) for w > 0, w = |w1|
    strict = sp.solve_univariate_inequality(gap > 0, w, relational=False)
    one_sided = [sp.limit((_square([sp.Abs(t)], [1]) - E0) / t, t, 0, d) for t, d in ((_sym("t"), "+"),
                                                                                    (_sym("t"), "-"))]
    engine = [_loss_111(net, v, 1, X, Y) for v in (sp.Rational(-1, 3), sp.Rational(1, 7), sp.Rational(19, 10))]
    ok = strict.contains(sp.Rational(1, 100)) and sp.Interval.open(0, 2).is_subset(strict) and \
        one_sided[0] != one_sided[1] and all(e < E0 for e in engine)
    facts = {"E(0)": str(E0), "E(0) - E(w1), w = |w1|": str(gap), "where > 0 (w > 0)": str(strict),
             "one-sided derivatives at 0": [str(v) for v in one_sided],
             "engine E at w1 = -1/3, 1/7, 19/10": [str(e) for e in engine]}
    return exact_check(ok, "witness", "exact: E(0) - E(w1) = |w1|(2 - |w1|)/2 > 0 on 0 < |w1| < 2, one-sided "
                       "derivatives -1 and +1 differ; engine values", facts=facts)


#: 1-1-1 ReLU with biases at w1 = 0, b1 = 1, w2 = 0, b2 = 0, x = (0, 1), y = (1, -1)
SADDLE = (Net(widths=(1, 1, 1), activation="relu", bias=True), [[[0]], [[0]]], [[1], [0]], [[0, 1]], [[1, -1]])


@register_claim(
    "botev2017.cross-layer-smooth-saddle", SOURCE + " (Summary: \"the objective ... can (and empirically does) "
    "have smooth saddle points as one varies parameters across different layers\")",
    r"\nabla E(\theta_0) = 0,\ \nabla^2E(\theta_0) \text{ indefinite},\ E \text{ smooth at } \theta_0,"
    r"\ H_\lambda(\theta_0) \succeq 0\ \forall\lambda",
    scope="the 1-1-1 ReLU net with biases, square loss, two samples x = (0, 1), y = (1, -1), at w1 = 0, b1 = 1, "
          "w2 = 0, b2 = 0 (both pre-activations equal 1: inside a cell)",
    method="construction",
    title="a smooth saddle of a ReLU net across layers (zero gradient, indefinite Hessian, PSD layer blocks)")
def _check_saddle(dps, seed):
    net, W, b, X, Y = SADDLE
    g = gradient(net, W, b, X, Y, dps="exact")
    H = full_hessian(net, W, b, X, Y, dps="exact")
    inertia = exact_inertia(H)
    blocks = [exact_inertia(H[net.layer_slice(l), net.layer_slice(l)]) for l in (1, 2)]
    ok = all(v == 0 for v in g) and inertia.positive > 0 and inertia.negative > 0 and \
        all(bl.negative == 0 for bl in blocks)
    facts = {"gradient": str(list(g)), "Hessian": str(H.tolist()),
             "exact inertia (+, -, 0)": str((inertia.positive, inertia.negative, inertia.zero)),
             "layer blocks' inertia": [str((bl.positive, bl.negative, bl.zero)) for bl in blocks]}
    return exact_check(ok, "witness", "engine exact gradient and Hessian (dps='exact'), exact inertia by "
                       "Descartes' rule", facts=facts)


#: 2-3-3 ReLU with biases, square loss, one sample; W_2 invertible; dead units chosen by b_1
RANK_NET = Net(widths=(2, 3, 3), activation="relu", bias=True)
RANK_W = [[[1, 0], [0, 1], [1, 1]], [[2, 1, 0], [0, 1, 1], [1, 0, 1]]]


def _rank_instances():
    """{number of dead units in layer 1: (rank of d2E/dh_1^2 = bias block, rank of H_1)} by the engine, exact."""
    out = {}
    for dead in range(4):
        b1 = [-3 if i < dead else 1 for i in range(3)]
        H = full_hessian(RANK_NET, RANK_W, [b1, [0, 0, 0]], [[1], [1]], [[1], [2], [3]], dps="exact")
        sl = RANK_NET.layer_slice(1)
        block = H[sl, sl]
        out[dead] = (exact_rank(block[6:9, 6:9]), exact_rank(block))
    return out


@register_claim(
    "botev2017.dead-units-rank", SOURCE + " (\"transfer functions that contain zero gradient points ... the "
    "Hessian can have lower rank\")",
    r"\operatorname{rank}\mathcal{H}_\lambda \le \#\{i: f'(h_{\lambda,i}) \ne 0\}",
    scope="the bound: symbolic for a 3-unit layer with one zero slope (generic W_{l+1}, H_{l+1}); exact ranks on "
          "the 2-3-3 ReLU net with biases (W_2 invertible, one sample) with 0, 1, 2, 3 dead units, where the rank "
          "of d2E/dh_1^2 (the bias block) and of H_1 is exactly 3 - dead",
    method="construction",
    title="dead units lower the rank of the pre-activation and layer Hessians (exact ranks 3, 2, 1, 0)")
def _check_dead_rank(dps, seed):
    W = sp.Matrix(3, 3, lambda i, j: _sym("W%d%d" % (i + 1, j + 1)))
    A = sp.Matrix(3, 3, lambda i, j: _sym("A%d%d" % (min(i, j) + 1, max(i, j) + 1)))
    B = sp.diag(_sym("s1"), _sym("s2"), 0)
    Hl = B * W.T * A * W * B
    zero_row = all(sp.expand(v) == 0 for v in list(Hl.row(2)) + list(Hl.col(2)))
    ranks = _rank_instances()
    ok = zero_row and all(r == (3 - d, 3 - d) for d, r in ranks.items())
    return exact_check(ok, "instances", "symbolic: a zero slope zeroes a row and column of B W^T H W B; engine "
                       "exact ranks (fraction-free elimination)", instances=(str(RANK_NET),),
                       facts={"dead-unit row/column identically 0": zero_row,
                              "dead units -> (rank d2E/dh_1^2, rank H_1)": {str(k): str(v) for k, v in ranks.items()}})
