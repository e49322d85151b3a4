"""Claims from Botev, Ritter & Barber, "Practical Gauss-Newton Optimisation for Deep Learning" (ICML 2017).

Each check runs on the listed example nets (no input needed) and decides its statement exactly
where it can; the verdict covers the listed nets (each claim's scope names them).
"""

import random

import mpmath
import sympy as sp

from lossgeom.models import random_point
from lossgeom.net import Net
from lossgeom.numeric.spectrum import symmetric_eigenvalues
from lossgeom.precision import tolerance, working_precision
from lossgeom.proofs.claim import register_claim
from lossgeom.proofs.evidence import Evidence, combine, from_general, from_report
from lossgeom.symbolic.decide import compare_matrices
from lossgeom.symbolic.forward import activation_cells, parameter_symbols, symbol
from lossgeom.symbolic.general_proofs import claim_scope, general_proof
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
#: The nets of the Gauss-Newton claim (symbolic) and their numeric stand-ins (f has no values: tanh).
GN_NETS = (Net(widths=(2, 2, 1), activation="f"),
           Net(widths=(1, 2, 2), activation="tanh", loss="cross_entropy", bias=True))
GN_NUMERIC_NETS = (Net(widths=(2, 2, 1), activation="tanh"), GN_NETS[1])
#: The nets of the Kronecker-block claim.
KRONECKER_NETS = (Net(widths=(2, 2, 1), activation="f", bias=True),
                  Net(widths=(2, 2, 2), activation="f", loss="cross_entropy", bias=True))


def _names(nets):
    return "; ".join(str(n) for n in nets)


def _on_nets(reports, nets, facts=None, method=None):
    """Evidence from per-net Reports of the symbolic layer, decided on the listed nets."""
    parts = [from_report(r, instance=str(n)).with_(facts={}) for r, n in zip(reports, nets)]
    merged = {"nets": [r.evidence.get("net", r.claim) for r in reports],
              "entries decided": sum(r.evidence.get("entries", 0) for r in reports)}
    merged.update(facts or {})
    failing = next((r for r in reports if r.outcome == "refuted"), None)
    out = combine(parts, method=method, facts=merged)
    if failing is not None:
        out = out.with_(facts=dict(merged, **failing.evidence))
    return out


RECURSION_CROSS = ("the listed nets: " + _names(RECURSION_NETS) + " (weights, biases and inputs as symbols; ReLU in "
    "every activation cell); one datapoint")


@register_claim(
    "botev2017.hessian-recursion", SOURCE + ", Sec. 2 (eqs. for the pre-activation Hessian)",
    r"\mathcal{H}_\lambda = B_\lambda W_{\lambda+1}^\top \mathcal{H}_{\lambda+1} W_{\lambda+1} B_\lambda + D_\lambda,"
    r"\quad \frac{\partial^2 E}{\partial \operatorname{vec}(W_\lambda)^2} = (a_{\lambda-1}a_{\lambda-1}^\top)"
    r"\otimes\mathcal{H}_\lambda",
    scope=claim_scope("hessian-recursion", RECURSION_CROSS),
    assumptions=("f twice differentiable at the pre-activations (away from kinks)", "single datapoint"),
    title="Botev recursion equals the Hessian's diagonal blocks")
def _check_recursion(dps, seed):
    """Primary: the general proof (every depth and width); cross-check: the exact instance check on the nets."""
    cross = _on_nets([verify_recursion(net) for net in RECURSION_NETS], RECURSION_NETS)
    return from_general(general_proof("hessian-recursion"), cross, RECURSION_CROSS)


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
    """Smallest eigenvalue of the Gauss-Newton layer blocks at 3 random rational points, at dps digits."""
    rng = random.Random(seed)
    rec = derive_gauss_newton(net)
    worst = None
    for _ in range(3):
        pt = random_point(net, rng, nonnegative_targets=True)
        biases = [list(b) for b in pt.biases] if net.bias else None
        for l in range(1, net.depth + 1):
            block = rec.evaluate(rec.layer_block(l), [W.tolist() for W in pt.weights], biases, list(pt.X),
                                 list(pt.Y))
            eigen = symmetric_eigenvalues(block, dps)
            worst = eigen[0] if worst is None else min(worst, eigen[0])
    return worst


GN_CROSS = ("the listed nets: " + _names(GN_NETS) + " (exact, symbolic weights); the PSD of d2E/dz2 for square "
    "loss and softmax cross-entropy at these output widths; numeric confirmation at 6 random points")


@register_claim(
    "botev2017.gauss-newton", SOURCE + ", Sec. 3 (the Gauss-Newton recursion as printed in the paper; the blog post does not print it)",
    r"\mathcal{G}_\lambda = B_\lambda W_{\lambda+1}^\top \mathcal{G}_{\lambda+1} W_{\lambda+1} B_\lambda,"
    r"\ \mathcal{G}_L = \mathcal{H}_L;\quad (a a^\top)\otimes\mathcal{G}_\lambda = J_\lambda^\top \mathcal{H}_L"
    r" J_\lambda \succeq 0 \text{ for convex losses}",
    scope=claim_scope("gauss-newton", GN_CROSS),
    assumptions=("loss convex in the output: square, or softmax cross-entropy with targets y >= 0",),
    title="Gauss-Newton blocks are J^T H_L J, hence PSD for convex losses")
def _check_gauss_newton(dps, seed):
    """Primary: the general proof; cross-check: the exact and numeric checks on the listed nets."""
    return from_general(general_proof("gauss-newton"), _gauss_newton_instances(dps, seed),
                        GN_CROSS)


def _gauss_newton_instances(dps, seed):
    reports = [verify_recursion(net, gauss_newton=True) for net in GN_NETS]
    psd_ok, psd = _losses_psd(GN_NETS)
    if not psd_ok:
        return Evidence("symbolic", "could not decide that d2E/dz2 is PSD", facts=psd,
                        undecided=("PSD of the output Hessian d2E/dz2",))
    with working_precision(dps):
        smallest = min(_numeric_gn_min_eigenvalue(net, dps, seed) for net in GN_NUMERIC_NETS)
        tol = tolerance(dps, scale=100)
    methods = sorted({r.method for r in reports})
    out = _on_nets(reports, GN_NETS, dict(psd, **{
        "smallest GN-block eigenvalue at 6 random points": mpmath.nstr(smallest, 10),
        "tolerance": mpmath.nstr(tol, 3)}), method="; ".join(methods + [
            "congruence J^T H_L J with H_L PSD; on the listed nets"]))
    if smallest < -tol:
        return out.with_(counterexample={"smallest eigenvalue": mpmath.nstr(smallest, 20)})
    return out.with_(digits=dps)


KRONECKER_CROSS = ("the listed nets: " + _names(KRONECKER_NETS) + "; every layer (weights, biases, pre-activations "
    "and the generic f as symbols)")


@register_claim(
    "botev2017.kronecker-block", SOURCE + ", Sec. 2 (layer Hessian as a Kronecker product)",
    r"\frac{\partial^2 E}{\partial \operatorname{vec}(\tilde W_\lambda)^2} = (\tilde a_{\lambda-1}"
    r"\tilde a_{\lambda-1}^\top)\otimes \frac{\partial^2 E}{\partial h_\lambda^2},\ \tilde a = [a; 1]",
    scope=claim_scope("kronecker-block", KRONECKER_CROSS),
    assumptions=("vec stacks columns; the bias is the last column of [W, b]",),
    title="layer block = (a a^T) kron d2E/dh^2, bias block and weight-bias block included")
def _check_kronecker(dps, seed):
    """Primary: the general proof; cross-check: the exact layer blocks of the listed nets."""
    return from_general(general_proof("kronecker-block"), _kronecker_instances(),
                        KRONECKER_CROSS)


def _kronecker_instances():
    """Independent of the recursion: d2E/dh_l^2 is computed directly with h_l as free symbols."""
    entries, methods = 0, set()
    for net in KRONECKER_NETS:
        for l in range(1, net.depth + 1):
            cmp = _kronecker_layer(net, l)
            methods |= cmp.methods
            entries += cmp.entries
            if cmp.verdict is not True:  # False: refuted; None: only numerically zero
                return Evidence("numeric", "; ".join(sorted(cmp.methods)), facts={"net": str(net), "layer": l},
                                counterexample=cmp.first[2] if cmp.verdict is False else None)
    return Evidence("symbolic", "; ".join(sorted(methods)) + " (a_{l-1} and h_l as free symbols, generic f; "
                    "on the listed nets)", instances=tuple(str(n) for n in KRONECKER_NETS),
                    facts={"nets": [str(n) for n in KRONECKER_NETS], "entries decided": entries})


def _kronecker_layer(net, l):
    """Compare the direct layer block of ``net`` with (a a^T) kron d2E/dh_l^2 (MatrixComparison)."""
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
    return compare_matrices(direct, kron)


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


PL_CROSS = ("the listed nets: " + _names(PL_NETS) + "; every activation cell, symbolic weights")


@register_claim(
    "botev2017.piecewise-linear", SOURCE + ", Sec. 3 (piecewise-linear transfer functions)",
    r"f'' = 0 \Rightarrow D_\lambda = 0 \Rightarrow \mathcal{H}_\lambda = \mathcal{G}_\lambda",
    scope=claim_scope("piecewise-linear", PL_CROSS),
    assumptions=("f piecewise linear; away from kinks",),
    title="for piecewise-linear nets the Hessian blocks equal the Gauss-Newton blocks")
def _check_piecewise_linear(dps, seed):
    """Primary: the general proof; cross-check: H_l = G_l in every activation cell of the listed nets."""
    return from_general(general_proof("piecewise-linear"), _piecewise_linear_instances(),
                        PL_CROSS)


def _piecewise_linear_instances():
    entries, cells = 0, 0
    for net in PL_NETS:
        for cell in activation_cells(net):
            cells += 1
            H, G = derive_hessian(net, cell), derive_gauss_newton(net, cell)
            for l in range(1, net.depth + 1):
                cmp = compare_matrices(H.layer_block(l, expand=True), G.layer_block(l, expand=True))
                entries += cmp.entries
                if cmp.verdict is not True:  # False: refuted; None: only numerically zero
                    return Evidence("numeric", "; ".join(sorted(cmp.methods)),
                                    facts={"net": str(net), "layer": l, "cell": str(cell)},
                                    counterexample=cmp.first[2] if cmp.verdict is False else None)
    return Evidence("symbolic", "expansion to zero in every activation cell, on the listed nets",
                    instances=tuple(str(n) for n in PL_NETS),
                    facts={"nets": [str(n) for n in PL_NETS], "cells": cells, "entries decided": entries})


@register_claim(
    "botev2017.no-smooth-local-maxima", SOURCE + ", Sec. 3 (consequence); maximum principle as in Milne 2019, Lemma 2",
    r"f \text{ piecewise linear, } E \text{ convex in } h_L \Rightarrow \operatorname{tr}\nabla^2 E"
    r" = \sum_\lambda \|\tilde a_{\lambda-1}\|^2 \operatorname{tr}\mathcal{G}_\lambda \ge 0",
    scope="the listed nets: " + _names(PL_NETS) + "; inside each activation cell (where E is smooth); strict "
          "local maxima only (the trace argument cannot exclude a locally constant loss)",
    assumptions=("f piecewise linear", "loss convex in the output (cross-entropy: targets y >= 0)",
                 "inside an activation cell (E smooth there)"),
    title="ReLU-type nets: the Hessian trace is >= 0, so no strict local maximum where the loss is smooth")
def _check_no_local_maxima(dps, seed):
    """Inside a cell H_l = G_l (claim botev2017.piecewise-linear) and G_l = J^T H_L J is PSD, so every diagonal
    block is PSD and the trace is >= 0: E is subharmonic there, and by the maximum principle a local maximum
    in an open region where E is smooth forces E to be constant near it (never strict).  Decided exactly:
    H_l - G_l = 0 in each cell, and tr((a a^T) kron G_l) = |a|^2 tr(G_l) with G_l a congruence of a PSD
    matrix; confirmed numerically by the trace at random points of each net."""
    pl = _piecewise_linear_instances()
    gn = [verify_recursion(net, gauss_newton=True) for net in PL_NETS]
    psd_ok, psd = _losses_psd(PL_NETS)
    if pl.outcome != "proved" or any(r.outcome != "proved" for r in gn) or not psd_ok:
        return Evidence("symbolic", "a step was not decided exactly", facts=dict(psd, **{"piecewise-linear":
                                                                                        pl.outcome}),
                        undecided=("H_l = G_l in every cell, or G_l = J^T H_L J with H_L PSD",))
    smallest = _smallest_trace(dps, seed)
    if smallest is not None and smallest < -tolerance(dps, scale=100):
        return Evidence("numeric", "negative Hessian trace at a random point",
                        counterexample={"trace": mpmath.nstr(smallest, 20)})
    return Evidence("symbolic", "D_l = 0 in every cell (expansion to zero) and G_l = J^T H_L J with H_L PSD "
                    "(decided exactly); maximum principle; on the listed nets",
                    instances=tuple(str(n) for n in PL_NETS), digits=dps,
                    facts=dict(psd, nets=[str(n) for n in PL_NETS], cells=pl.facts["cells"], **{
                        "smallest trace of the numeric full Hessian (lossgeom.numeric) at 6 random points":
                            mpmath.nstr(smallest, 12)}))


def _smallest_trace(dps, seed):
    """The smallest trace of the numeric full Hessian at 3 random points of each PL net (None if all at kinks)."""
    from lossgeom.errors import NonDifferentiableError
    from lossgeom.numeric.evaluate import full_hessian

    rng = random.Random(seed)
    smallest = None
    for net in PL_NETS:
        for _ in range(3):
            pt = random_point(net, rng, nonnegative_targets=True)
            try:
                H = full_hessian(net, pt.weights, pt.biases, pt.X, pt.Y, dps=dps)
            except NonDifferentiableError:  # a random point exactly at a kink: skip it
                continue
            with working_precision(dps):
                value = mpmath.fsum(H[i, i] for i in range(H.rows))
            smallest = value if smallest is None else min(smallest, value)
    return smallest
