"""Training claims from Shen, "Towards a Mathematical Understanding of the Difficulty in Learning with
Feedforward Neural Networks" (arXiv 1611.05827, 2016; CVPR 2018): seeded XOR training with dummy units,
the approximate Newton (= generalised Gauss-Newton) matrix and its iteration.

The heavy runs (1,000 seeded starts per net, the four-regions experiments and plots) are in
examples/shen_training.py; the checks below are reduced seeded versions of them.
"""

import random

import numpy as np
import sympy as sp

from lossgeom.models import random_point, xor_softsign_fit
from lossgeom.net import Net
from lossgeom.numeric.evaluate import full_hessian
from lossgeom.numeric.shen import shen_rank
from lossgeom.numeric.shen_newton import an_ggn, convergence_ratios, four_regions, ggn_exact, xor_multistart
from lossgeom.numeric.spectrum import exact_inertia
from lossgeom.proofs.claim import register_claim
from lossgeom.proofs.evidence import Evidence, exact_check

ORDER = 51

SOURCE = "Shen, arXiv 1611.05827 (2016) / CVPR 2018"
DERIVED = SOURCE + "; form derived by lossgeom (the source's formulas are not readable)"


def _sympy_ggn(pt):
    """sum_i J_i^T J_i by direct SymPy differentiation of F written out here (2-h-1 softsign, theta order)."""
    h = pt.net.widths[1]
    t = sp.symbols("t0:%d" % (4 * h + 1), real=True)
    ss = lambda z: z / (1 + sp.Abs(z))  # noqa: E731
    values = dict(zip(t, pt.theta()))
    G = sp.zeros(len(t), len(t))
    for i in range(pt.X.cols):
        x = pt.X[:, i]
        F = sum(t[2 * h + h + j] * ss(t[j] * x[0] + t[h + j] * x[1] + t[2 * h + j]) for j in range(h)) + t[-1]
        Ji = sp.Matrix([[sp.diff(F, v).subs(values) for v in t]])
        G += Ji.T * Ji
    return G


@register_claim(
    "shen2016.ggn-exact", DERIVED + ", Sec. 5 (approximate Hessian), remark (\"positive semi-definite\")",
    origin="derived", method="construction",
    statement=r"\tilde H(W) = \textstyle\sum_i J_i^\top \nabla_1^2 E\, J_i \succeq 0 \ \forall W,"
              r"\quad \tilde H(W^*) = H_J(W^*) \text{ at an exact fit}",
    scope="square loss (d2E = I), softsign 2-2-1 and 2-3-1 with dummy units: 2 seeded random rational points on "
          "4 samples each (GGN = SymPy oracle, PSD, cross-layer blocks nonzero, GGN != H since eps != 0) and the "
          "exact XOR fits of lossgeom.models.xor_softsign_fit (GGN = H)",
    title="the full GGN (all cross-layer blocks) is PSD and equals the Hessian at an exact fit")
def _check_ggn(dps, seed):
    rng, facts, ok = random.Random(seed), {}, True
    for h in (2, 3):
        net = Net(widths=(2, h, 1), activation="softsign", bias=True)
        for k in range(2):
            pt = random_point(net, rng, samples=4)
            G = ggn_exact(net, pt.weights, pt.biases, pt.X, pt.Y)
            same = (G - _sympy_ggn(pt)).is_zero_matrix
            inert = exact_inertia(G)
            cross = any(G[a, b] != 0 for a in range(3 * h) for b in range(3 * h, G.cols))
            try:
                differs = not (G - full_hessian(net, pt.weights, pt.biases, pt.X, pt.Y, dps="exact")).is_zero_matrix
            except Exception:  # a hidden pre-activation at softsign's kink: no Hessian to compare
                differs = None
            ok = ok and same and inert.negative == 0 and cross and differs is not False
            facts["%s random point %d" % (net, k)] = ("GGN = SymPy oracle: %s; inertia +%d -%d 0:%d; cross-layer "
                                                      "block nonzero: %s; GGN != H: %s" % (
                                                          same, inert.positive, inert.negative, inert.zero,
                                                          cross, differs))
        fit = xor_softsign_fit(h)
        G = ggn_exact(fit.net, fit.weights, fit.biases, fit.X, fit.Y)
        eq = (G - full_hessian(fit.net, fit.weights, fit.biases, fit.X, fit.Y, dps="exact")).is_zero_matrix
        ok = ok and eq and (G - _sympy_ggn(fit)).is_zero_matrix
        facts["%s exact XOR fit" % fit.net] = "GGN = H exactly: %s" % eq
    return exact_check(ok, "witness", "exact GGN from Shen's P vs direct SymPy differentiation; exact inertia "
                       "(Descartes' rule); exact Hessian from lossgeom's engine", facts=facts)


@register_claim(
    "shen2016.an-quadratic", SOURCE + ", Sec. 6 (AN/GGN converges locally quadratically under exact learning)",
    method="numeric",
    statement=r"\tilde H(W_k)\,\xi_k = -\nabla J(W_k),\ W_{k+1} = W_k + \xi_k:\ "
              r"\|e_{k+1}\| \le C \|e_k\|^2 \text{ near an exact fit}",
    scope="four-regions data (20 seeded points in [-1, 1]^2, radii 0.3, 0.6, 0.9, target = region index 0..3), "
          "2-10-1 nets with dummy units, bent identity and softplus, 4 seeded N(0, 0.25) starts each, 40 AN steps "
          "(min-norm solve, step halving only when the loss would rise); float64; ratios e_{k+1}/e_k^2 taken where "
          "1e-6 <= e_k <= 1e-2 (e_k = distance to the last iterate)",
    title="AN/GGN converges quadratically to an exact fit (observed ratios e_{k+1}/e_k^2 bounded)")
def _check_an(dps, seed):
    X, Y = four_regions(20, seed=seed)
    facts, ok, found = {}, True, 0
    for act in ("bent_identity", "softplus"):
        th0 = np.random.default_rng(seed).normal(0.0, 0.5, size=(4, 41))
        ths, L = an_ggn(th0, X, Y, 10, act, iters=40)
        ratios = []
        for s in range(th0.shape[0]):
            if L[-1, s] < 1e-24:
                ratios += convergence_ratios(ths[:, s])[1]
        fits = int((L[-1] < 1e-24).sum())
        found += fits
        ok = ok and (not ratios or max(ratios) < 1e3)
        facts[act] = "exact fits (J < 1e-24): %d of 4; ratios e_k+1/e_k^2: %s" % (
            fits, ", ".join("%.3g" % r for r in ratios) or "none")
    ev = Evidence("numeric", "vectorised float64 AN/GGN iteration", digits=15, facts=facts)
    if not ok:
        return ev.with_(counterexample={"ratios": facts})
    return ev if found else ev.with_(undecided=("no run reached an exact fit",))


@register_claim(
    "shen2016.xor-training", SOURCE + ", Sec. 4 (\"the claim ... 2 hidden units plus dummy units ... is false\")",
    method="numeric",
    statement=r"\text{XOR, 2-2-1 with dummy units: a local minimum with } J > 0 \text{ exists (found by training)}",
    scope="XOR, 2-2-1 and 2-3-1 tanh nets with dummy units, identity output, square loss; 200 seeded N(0, 1) starts "
          "per net, 500 gradient steps (rate 0.05) then 200 Levenberg-Marquardt steps; float64; rank P of up to 3 "
          "near-critical points per net in arb balls. "
          "examples/shen_training.py runs 1,000 starts per net for tanh and sigmoid",
    title="XOR training with dummy units: does training find non-global local minima? (inconclusive)")
def _check_xor_training(dps, seed):
    facts, near, certified = {}, 0, 0
    for h in (2, 3):
        o = xor_multistart(h, "tanh", starts=200, seed=seed + h, gd_iters=500, lm_iters=200)
        fit = o["loss"] < 1e-20
        crit = ~fit & (o["grad"] < 1e-10) & (np.abs(o["theta"]).max(axis=1) < 1e3)
        near += int(crit.sum())
        facts["2-%d-1 tanh" % h] = ("global fits %d, near-critical with J > 0 %d (J = %s), other %d" % (
            fit.sum(), crit.sum(), sorted({round(float(v), 6) for v in o["loss"][crit]}), (~fit & ~crit).sum()))
        net = Net(widths=(2, h, 1), activation="tanh", bias=True)
        for th in o["theta"][crit][:3]:
            W = [th[:2 * h].reshape(2, h).T.tolist(), [th[3 * h:4 * h].tolist()]]
            r = shen_rank(net, W, [th[2 * h:3 * h].tolist(), [float(th[4 * h])]], _xor_x(), _xor_y(), dps=dps)
            certified += r.basis == "certified" and r.rank == 4 and not r.exact_fit
    facts["near-critical points with rank P = 4 certified (arb minor) and eps != 0"] = certified
    facts["reading"] = ("rank P = n_L T with eps != 0 gives grad J = P eps != 0: such a point is not a critical "
                        "point but a saturated plateau (a hidden unit with |pre-activation| ~ 16, tanh' ~ 1e-13)")
    return Evidence("numeric", "seeded vectorised float64 multistart (gradient descent + Levenberg-Marquardt); "
                    "rank P of the near-critical points in arb balls at %d digits" % dps, digits=dps, facts=facts,
                    undecided=("no non-global critical point was found (%d near-critical points, %d of them shown "
                               "non-critical)" % (near, certified),))


def _xor_x():
    return [[0, 0, 1, 1], [0, 1, 0, 1]]


def _xor_y():
    return [[0, 1, 1, 0]]
