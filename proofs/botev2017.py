"""Claims from Botev, Ritter & Barber, "Practical Gauss-Newton Optimisation for Deep Learning" (ICML 2017).

Each check runs on built-in example nets (no input needed) and decides its statement exactly
where it can; the Report says which method decided it.
"""

import random

import mpmath
import sympy as sp

from lossgeom.net import Net
from lossgeom.precision import tolerance, working_precision
from lossgeom.numeric.spectrum import symmetric_eigenvalues
from lossgeom.proofs.claim import register_claim
from lossgeom.report import Report
from lossgeom.symbolic.decide import compare_matrices
from lossgeom.symbolic.forward import activation_cells, forward_trace, parameter_symbols, symbol
from lossgeom.symbolic.hessian import derive_gauss_newton, derive_hessian
from lossgeom.symbolic.verify import verify_recursion

ORDER = 10

SOURCE = "Botev, Ritter & Barber, ICML 2017 (PMLR 70:557-565)"

#: The nets the recursion claim is decided on: the generic activation f at depth 2 and 3 (an
#: identity in f, f', f''), a concrete smooth net with softmax cross-entropy and biases, and a
#: piecewise-linear net over all its activation cells.
RECURSION_NETS = (
    Net(widths=(2, 2, 1), activation="f"),
    Net(widths=(1, 2, 1, 2), activation="f", loss="cross_entropy", bias=True),
    Net(widths=(2, 2, 2), activation="tanh", loss="cross_entropy", bias=True),
    Net(widths=(2, 3, 1), activation="relu", bias=True),
)


def _combine(claim, reports, extra=None):
    """One Report from per-net Reports: decided on the listed nets (named in the evidence)."""
    outcomes = [r.outcome for r in reports]
    if "refuted" in outcomes:
        bad = reports[outcomes.index("refuted")]
        return bad.with_(claim=claim)
    if "inconclusive" in outcomes:
        outcome = "inconclusive"
    elif "verified" in outcomes:
        outcome = "verified"
    else:
        outcome = "proved"
    methods = sorted({r.method for r in reports}) + ["on the listed nets"]
    evidence = {"nets": [r.evidence.get("net", r.claim) for r in reports],
                "entries decided": sum(r.evidence.get("entries", 0) for r in reports)}
    evidence.update(extra or {})
    return Report(claim, outcome, "; ".join(methods), evidence=evidence)


@register_claim(
    "botev2017.hessian-recursion", SOURCE + ", Sec. 2 (eqs. for the pre-activation Hessian)",
    r"\mathcal{H}_\lambda = B_\lambda W_{\lambda+1}^\top \mathcal{H}_{\lambda+1} W_{\lambda+1} B_\lambda + D_\lambda,"
    r"\quad \frac{\partial^2 E}{\partial \operatorname{vec}(W_\lambda)^2} = (a_{\lambda-1}a_{\lambda-1}^\top)"
    r"\otimes\mathcal{H}_\lambda",
    assumptions=("f twice differentiable at the pre-activations (away from kinks)", "single datapoint"),
    title="Botev recursion equals the Hessian's diagonal blocks")
def _check_recursion(dps, seed):
    return _combine("botev2017.hessian-recursion", [verify_recursion(net) for net in RECURSION_NETS])


def _output_hessian_psd(loss_name, n):
    """Decide exactly that d2E/dz2 is PSD for n outputs, from the loss value itself (not ``Loss.hessian``).

    Square loss: the Hessian is I.  Softmax cross-entropy with targets y >= 0 (an assumption of the
    claim): d2E/dz2 = s M with s = sum(y) >= 0, where every row of M sums to zero and every off-diagonal
    entry is <= 0, so M is diagonally dominant with a nonnegative diagonal and PSD (Gershgorin).
    """
    from lossgeom.losses import get_loss
    z = [sp.Symbol("z%d" % (k + 1), real=True) for k in range(n)]
    y = [sp.Symbol("y%d" % (k + 1), nonnegative=True) for k in range(n)]  # the assumption y >= 0
    H = sp.hessian(get_loss(loss_name).value(z, y), z)
    if loss_name == "square":
        return H == sp.eye(n), "d2E/dz2 = I"
    s = sp.Add(*y)
    M = H / s
    row_sums_zero = all(sp.cancel(sum(M.row(i))) == 0 for i in range(n))
    off_diagonal_nonpositive = all(bool((-sp.cancel(M[i, j])).is_nonnegative)
                                   for i in range(n) for j in range(n) if i != j)
    ok = row_sums_zero and off_diagonal_nonpositive and bool(s.is_nonnegative)
    return ok, ("d2E/dz2 = s M, s = sum(y) >= 0 (targets y >= 0 assumed): rows of M sum to 0 exactly and its "
                "off-diagonal entries are <= 0, so it is diagonally dominant with a nonnegative diagonal")


def _losses_psd(nets):
    """PSD decisions for every (loss, output width) among ``nets``; (all ok, evidence dict)."""
    out = {}
    for net in nets:
        key = "%s, %d output(s)" % (net.loss.name, net.widths[-1])
        if key not in out:
            out[key] = _output_hessian_psd(net.loss.name, net.widths[-1])
    return all(ok for ok, _ in out.values()), {"PSD of d2E/dz2 (%s)" % k: v[1] for k, v in out.items()}


def _numeric_gn_min_eigenvalue(net, dps, seed):
    """Smallest eigenvalue of the Gauss-Newton layer blocks at random rational points, at dps digits."""
    rng = random.Random(seed)
    rec = derive_gauss_newton(net)
    worst = None
    for _ in range(3):
        weights = [[[sp.Rational(rng.randint(-30, 30), 10) for _ in range(c)] for _ in range(r)]
                   for r, c in (net.layer_shape(l) for l in range(1, net.depth + 1))]
        biases = ([[sp.Rational(rng.randint(-10, 10), 10) for _ in range(net.widths[l])]
                   for l in range(1, net.depth + 1)] if net.bias else None)
        x = [sp.Rational(rng.randint(-20, 20), 10) for _ in range(net.widths[0])]
        y = [sp.Rational(rng.randint(0, 10), 10) for _ in range(net.widths[-1])]
        for l in range(1, net.depth + 1):
            block = rec.evaluate(rec.layer_block(l), weights, biases, x, y)
            eigen = symmetric_eigenvalues(block, dps)
            worst = eigen[0] if worst is None else min(worst, eigen[0])
    return worst


@register_claim(
    "botev2017.gauss-newton", SOURCE + ", Sec. 2-3 (Gauss-Newton recursion)",
    r"\mathcal{G}_\lambda = B_\lambda W_{\lambda+1}^\top \mathcal{G}_{\lambda+1} W_{\lambda+1} B_\lambda,"
    r"\ \mathcal{G}_L = \mathcal{H}_L;\quad (a a^\top)\otimes\mathcal{G}_\lambda = J_\lambda^\top \mathcal{H}_L"
    r" J_\lambda \succeq 0 \text{ for convex losses}",
    assumptions=("loss convex in the output: square, or softmax cross-entropy with targets y >= 0",),
    title="Gauss-Newton blocks are J^T H_L J, hence PSD for convex losses")
def _check_gauss_newton(dps, seed):
    nets = (Net(widths=(2, 2, 1), activation="f"), Net(widths=(1, 2, 2), activation="tanh", loss="cross_entropy",
                                                       bias=True))
    reports = [verify_recursion(net, gauss_newton=True) for net in nets]
    psd_ok, psd = _losses_psd(nets)
    if not psd_ok:
        return Report("botev2017.gauss-newton", "inconclusive", "could not decide that d2E/dz2 is PSD",
                      evidence=psd)
    numeric_nets = (Net(widths=(2, 2, 1), activation="tanh"), nets[1])  # f has no numeric values: use tanh
    with working_precision(dps):
        smallest = min(_numeric_gn_min_eigenvalue(net, dps, seed) for net in numeric_nets)
        tol = tolerance(dps, scale=100)
    out = _combine("botev2017.gauss-newton", reports, dict(psd, **{
        "smallest GN-block eigenvalue at 6 random points": mpmath.nstr(smallest, 10),
        "tolerance": mpmath.nstr(tol, 3)}))
    if smallest < -tol:
        return out.with_(outcome="refuted", counterexample={"smallest eigenvalue": mpmath.nstr(smallest, 20)})
    return out.with_(method=out.method.replace("; on the listed nets", "") + "; congruence J^T H_L J with H_L PSD; on the listed nets")


@register_claim(
    "botev2017.kronecker-block", SOURCE + ", Sec. 2 (layer Hessian as a Kronecker product)",
    r"\frac{\partial^2 E}{\partial \operatorname{vec}(\tilde W_\lambda)^2} = (\tilde a_{\lambda-1}"
    r"\tilde a_{\lambda-1}^\top)\otimes \frac{\partial^2 E}{\partial h_\lambda^2},\ \tilde a = [a; 1]",
    assumptions=("vec stacks columns; the bias is the last column of [W, b]",),
    title="layer block = (a a^T) kron d2E/dh^2, bias block and weight-bias block included")
def _check_kronecker(dps, seed):
    """Independent of the recursion: d2E/dh_l^2 is computed directly with h_l as free symbols."""
    nets = (Net(widths=(2, 2, 1), activation="f", bias=True),
            Net(widths=(2, 2, 2), activation="f", loss="cross_entropy", bias=True))
    entries, methods = 0, set()
    for net in nets:
        for l in range(1, net.depth + 1):
            upper, h = _upper_loss(net, l)
            pre = sp.hessian(upper, h)
            a = [symbol("a%d[%d]" % (l - 1, j + 1)) for j in range(net.widths[l - 1])] + [sp.Integer(1)]
            theta = parameter_symbols(net)[net.layer_slice(l)]
            W = sp.Matrix(net.layer_shape(l)[0], net.layer_shape(l)[1],
                          lambda i, j: symbol("W%d[%d,%d]" % (l, i + 1, j + 1)))
            b = sp.Matrix([symbol("b%d[%d]" % (l, i + 1)) for i in range(net.widths[l])])
            hl = W * sp.Matrix(a[:-1]) + b
            direct = sp.hessian(upper.xreplace(dict(zip(h, hl))), theta)
            kron = sp.kronecker_product(sp.Matrix(a) * sp.Matrix(a).T, pre.xreplace(dict(zip(h, hl))))
            cmp = compare_matrices(direct, kron)
            methods |= cmp.methods
            entries += cmp.entries
            if cmp.verdict is not True:
                return Report("botev2017.kronecker-block", "refuted" if cmp.verdict is False else "verified",
                              "; ".join(sorted(cmp.methods)), evidence={"net": str(net), "layer": l},
                              counterexample=cmp.first[2] if cmp.verdict is False else None)
    return Report("botev2017.kronecker-block", "proved", "; ".join(sorted(methods)) +
                  " (a_{l-1} and h_l as free symbols, generic f; on the listed nets)",
                  evidence={"nets": [str(n) for n in nets], "entries decided": entries})


def _upper_loss(net, l):
    """E as a function of free symbols h_l (the layers above l composed on top)."""
    h = [symbol("hfree%d[%d]" % (l, i + 1)) for i in range(net.widths[l])]
    act = net.layer_activation(l)
    a = sp.Matrix([act.apply(v, 0) for v in h]) if l < net.depth or net.output_activation.name != "identity" \
        else sp.Matrix(h)
    for k in range(l + 1, net.depth + 1):
        W = sp.Matrix(net.layer_shape(k)[0], net.layer_shape(k)[1],
                      lambda i, j: symbol("W%d[%d,%d]" % (k, i + 1, j + 1)))
        z = W * a + (sp.Matrix([symbol("b%d[%d]" % (k, i + 1)) for i in range(net.widths[k])]) if net.bias else 0)
        act = net.layer_activation(k)
        a = sp.Matrix([act.apply(v, 0) for v in z])
    y = [symbol("y[%d]" % (i + 1)) for i in range(net.widths[-1])]
    return net.loss.value(list(a), y), h


PL_NETS = (Net(widths=(2, 3, 1), activation="relu", bias=True),
           Net(widths=(1, 2, 1, 2), activation={"name": "leaky_relu", "slope": "1/10"}, loss="cross_entropy"))


@register_claim(
    "botev2017.piecewise-linear", SOURCE + ", Sec. 3 (piecewise-linear transfer functions)",
    r"f'' = 0 \Rightarrow D_\lambda = 0 \Rightarrow \mathcal{H}_\lambda = \mathcal{G}_\lambda",
    assumptions=("f piecewise linear; away from kinks",),
    title="for piecewise-linear nets the Hessian blocks equal the Gauss-Newton blocks")
def _check_piecewise_linear(dps, seed):
    entries, cells = 0, 0
    for net in PL_NETS:
        for cell in activation_cells(net):
            cells += 1
            H, G = derive_hessian(net, cell), derive_gauss_newton(net, cell)
            for l in range(1, net.depth + 1):
                cmp = compare_matrices(H.layer_block(l, expand=True), G.layer_block(l, expand=True))
                entries += cmp.entries
                if cmp.verdict is not True:
                    return Report("botev2017.piecewise-linear", "refuted" if cmp.verdict is False else "verified",
                                  "; ".join(sorted(cmp.methods)),
                                  evidence={"net": str(net), "layer": l, "cell": str(cell)},
                                  counterexample=cmp.first[2] if cmp.verdict is False else None)
    return Report("botev2017.piecewise-linear", "proved", "expansion to zero in every activation cell, on the listed nets",
                  evidence={"nets": [str(n) for n in PL_NETS], "cells": cells, "entries decided": entries})


@register_claim(
    "botev2017.no-smooth-local-maxima", SOURCE + ", Sec. 3 (consequence); maximum principle as in Milne 2019, Lemma 2",
    r"f \text{ piecewise linear, } E \text{ convex in } h_L \Rightarrow \operatorname{tr}\nabla^2 E"
    r" = \sum_\lambda \|\tilde a_{\lambda-1}\|^2 \operatorname{tr}\mathcal{G}_\lambda \ge 0",
    assumptions=("f piecewise linear", "loss convex in the output (cross-entropy: targets y >= 0)",
                 "inside an activation cell (E smooth there)"),
    title="ReLU-type nets: the Hessian trace is >= 0, so no strict local maximum where the loss is smooth")
def _check_no_local_maxima(dps, seed):
    """Inside a cell H_l = G_l (claim botev2017.piecewise-linear) and G_l = J^T H_L J is PSD, so every diagonal
    block is PSD and the trace is >= 0: E is subharmonic there, and by the maximum principle a local maximum
    in an open region where E is smooth forces E to be constant near it (never strict).  Decided exactly:
    H_l - G_l = 0 in each cell, and tr((a a^T) kron G_l) = |a|^2 tr(G_l) with G_l a congruence of a PSD
    matrix; confirmed numerically by the trace at random points of each net."""
    pl = _check_piecewise_linear(dps, seed)
    gn = [verify_recursion(net, gauss_newton=True) for net in PL_NETS]
    psd_ok, psd = _losses_psd(PL_NETS)
    if pl.outcome != "proved" or any(r.outcome != "proved" for r in gn) or not psd_ok:
        return Report("botev2017.no-smooth-local-maxima", "inconclusive",
                      "a step was not decided exactly", evidence=dict(psd, **{"piecewise-linear": pl.outcome}))
    from lossgeom.errors import NonDifferentiableError
    from lossgeom.numeric.evaluate import full_hessian

    rng = random.Random(seed)
    smallest = None
    for net in PL_NETS:
        for _ in range(3):
            weights = [[[sp.Rational(rng.randint(-30, 30), 10) for _ in range(c)] for _ in range(r)]
                       for r, c in (net.layer_shape(l) for l in range(1, net.depth + 1))]
            biases = ([[sp.Rational(rng.randint(-10, 10), 10) for _ in range(net.widths[l])]
                       for l in range(1, net.depth + 1)] if net.bias else None)
            X = [[sp.Rational(rng.randint(-20, 20), 10)] for _ in range(net.widths[0])]
            Y = [[sp.Rational(rng.randint(0, 10), 10)] for _ in range(net.widths[-1])]
            try:
                H = full_hessian(net, weights, biases, X, Y, dps=dps)
            except NonDifferentiableError:  # a random point exactly at a kink: skip it
                continue
            with working_precision(dps):
                value = mpmath.fsum(H[i, i] for i in range(H.rows))
            smallest = value if smallest is None else min(smallest, value)
    tol = tolerance(dps, scale=100)
    if smallest is not None and smallest < -tol:
        return Report("botev2017.no-smooth-local-maxima", "refuted", "negative Hessian trace at a random point",
                      counterexample={"trace": mpmath.nstr(smallest, 20)})
    return Report("botev2017.no-smooth-local-maxima", "proved",
                  "D_l = 0 in every cell (expansion to zero) and G_l = J^T H_L J with H_L PSD (decided exactly); "
                  "maximum principle; on the listed nets",
                  evidence=dict(psd, nets=[str(n) for n in PL_NETS], cells=pl.evidence["cells"], **{
                            "smallest trace of the numeric full Hessian (lossgeom.numeric) at 6 random points":
                                mpmath.nstr(smallest, 12)}))
