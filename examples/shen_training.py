"""Shen (2016) training experiments: XOR multistart with dummy units, AN/GGN on four-regions data, plots.

Run:  python examples/shen_training.py [outdir]   (defaults to examples/; about a minute on 2 cores)

Writes shen_an_convergence.png and shen_activations.png through lossgeom.io.write_file and prints the
numbers README.md cites.  Everything is seeded.
"""

import sys
import time
from pathlib import Path

import mpmath
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lossgeom import Net
from lossgeom.io import write_file
from lossgeom.numeric.evaluate import evaluate_net, full_hessian
from lossgeom.numeric.shen import shen_rank
from lossgeom.numeric.shen_newton import an_ggn, convergence_ratios, four_regions, xor_multistart

XOR_X, XOR_Y = [[0, 0, 1, 1], [0, 1, 0, 1]], [[0, 1, 1, 0]]
ACTS = ("sigmoid", "tanh", "softsign", "softplus", "bent_identity")


def _lossgeom_point(th, h):
    W1, b1 = th[:2 * h].reshape(2, h).T, th[2 * h:3 * h]
    return [W1.tolist(), [th[3 * h:4 * h].tolist()]], [b1.tolist(), [float(th[4 * h])]]


def xor_runs():
    for h in (2, 3):
        for act in ("tanh", "sigmoid"):
            t = time.time()
            o = xor_multistart(h, act, starts=1000, seed=10 * h + len(act))
            fit = o["loss"] < 1e-20
            crit = ~fit & (o["grad"] < 1e-10) & (np.abs(o["theta"]).max(axis=1) < 1e3)
            print("XOR 2-%d-1 %s: 1000 starts in %.1f s: global fits %d, near-critical J > 0 %d (J values %s), "
                  "other (J > 0, |grad| > 1e-10 or |theta| > 1e3: plateaus toward infinity) %d; numerical rank P < 4 "
                  "at %d fits and %d near-critical points" % (
                      h, act, time.time() - t, fit.sum(), crit.sum(), sorted({round(float(v), 6) for v in
                                                                                 o["loss"][crit]}),
                      (~fit & ~crit).sum(), (o["rank"][fit] < 4).sum(), (o["rank"][crit] < 4).sum()))
            if crit.any():
                _worst(o["theta"][crit][np.argmax(o["loss"][crit])], h, act)


def xor_classified(tracked=20):
    """1,000 starts per net classified by lossgeom.numeric.shen_certify (the claims' procedure, more tracks)."""
    from lossgeom.numeric.shen_certify import classify_xor_starts
    for h in (2, 3):
        for act in ("tanh", "sigmoid"):
            t = time.time()
            out = classify_xor_starts(h, act, starts=1000, seed=h, tracked=tracked)
            print("XOR 2-%d-1 %s classified in %.1f s: %s; non-fit J levels %s" % (
                h, act, time.time() - t, out["counts"], out["levels"]))
            if out["worst"]:
                w, rows = out["worst"], out["worst"]["rows"]
                print("  worst end point J = %.12g: Newton at 50 digits ||theta||_inf %s -> %s, max |grad J| %s -> "
                      "%s; certificate %s" % (w["loss"], mpmath.nstr(rows[0][0], 4), mpmath.nstr(rows[-1][0], 4),
                                              mpmath.nstr(rows[0][1], 3), mpmath.nstr(rows[-1][1], 3),
                                              w["certificate"].to_dict()))


def _worst(th, h, act):
    """The worst near-critical point: Hessian (lossgeom, float64), rank P (arb), J at 50 digits along the ray."""
    net = Net(widths=(2, h, 1), activation=act, bias=True)
    W, b = _lossgeom_point(th, h)
    eig = np.linalg.eigvalsh(np.array(full_hessian(net, W, b, XOR_X, XOR_Y, dps="float64").tolist(), dtype=float))
    r = shen_rank(net, W, b, XOR_X, XOR_Y, dps=50)
    pre = np.abs(np.array(W[0]) @ np.array(XOR_X) + np.array(b[0])[:, None]).max()
    print("  worst: theta = %s\n  Hessian eigenvalues (lossgeom float64) %s\n  rank P = %d (%s), max |pre-activation| "
          "%.1f" % (np.round(th, 4).tolist(), np.array2string(eig, precision=2), r.rank, r.basis, pre))
    e = evaluate_net(net, W, b, XOR_X, XOR_Y, dps=50, hessian=False)
    print("  at 50 digits: J - 1/4 = %s, max |grad| = %s; %s" % (
        mpmath.nstr(e.loss - mpmath.mpf(1) / 4, 5), mpmath.nstr(max(abs(g) for g in e.gradient), 5), r.verdict))


def an_runs():
    X, Y = four_regions(20, seed=0)
    print("four regions: 20 points uniform in [-1, 1]^2 (seed 0), radii 0.3, 0.6, 0.9, target = region index; "
          "2-10-1 nets, 20 N(0, 0.25) starts (seed 1) per activation, 40 AN/GGN steps")
    curves, finals = {}, {}
    for act in ACTS:
        th0 = np.random.default_rng(1).normal(0.0, 0.5, size=(20, 41))
        ths, L = an_ggn(th0, X, Y, 10, act, iters=40)
        finals[act] = L[-1]
        ratios, errs = [], []
        for s in np.flatnonzero(L[-1] < 1e-24):
            e, q = convergence_ratios(ths[:, s])
            ratios += q
            errs.append(e)
        curves[act] = errs
        print("  %s: exact fits %d of 20, final J median %.3g, max ratio e_k+1/e_k^2 %s over %d ratios" % (
            act, len(errs), np.median(L[-1]), "%.3g" % max(ratios) if ratios else "-", len(ratios)))
    return X, Y, curves, finals


def gd_vs_an():
    X, Y = four_regions(20, seed=0, one_hot=True)
    th0 = np.random.default_rng(2).normal(0.0, 0.5, size=(1, 2 * 10 + 10 + 10 * 4 + 4))
    t = time.time()
    _, Lg = an_ggn(th0, X, Y, 10, "bent_identity", iters=3000, method="gd", lr=0.01)
    tg = time.time() - t
    _, L0 = an_ggn(th0, X, Y, 10, "bent_identity", iters=60)
    t = time.time()
    _, La = an_ggn(th0, X, Y, 10, "bent_identity", iters=60, mu=1e-3)
    ta = time.time() - t
    print("one-hot targets (4 outputs, N_net = 74 < n_L T = 80: no exact learning), bent identity 2-10-4: GD (rate "
          "0.01) 3000 steps %.2f s -> J = %.4g; AN/GGN mu = 1e-3, 60 steps %.2f s -> J = %.4g; undamped AN/GGN "
          "(mu = 0) 60 steps -> J = %.4g" % (tg, Lg[-1, 0], ta, La[-1, 0], L0[-1, 0]))
    return Lg[:, 0], La[:, 0]


def _save(fig, path):
    FigureCanvasAgg(fig)
    write_file(path, lambda tmp: fig.savefig(tmp, dpi=80, format="png"))


def plots(outdir, curves, finals, Lg, La):
    fig = Figure(figsize=(9, 3.6))
    ax = fig.add_subplot(1, 2, 1)
    for act, style in (("bent_identity", "-"), ("softplus", "--")):
        for k, e in enumerate(curves[act][:5]):
            ax.semilogy(np.maximum(e[:-1], 1e-17), style, color="C0" if act == "bent_identity" else "C1",
                        label=act if k == 0 else None)
    ax.set(xlabel="AN/GGN iteration k", ylabel="||W_k - W*||", title="AN/GGN, four regions (exact fits)")
    ax.legend()
    ax = fig.add_subplot(1, 2, 2)
    ax.loglog(np.arange(1, len(Lg) + 1), Lg, label="gradient descent")
    ax.loglog(np.arange(1, len(La) + 1), La, label="AN/GGN, mu = 1e-3")
    ax.set(xlabel="iteration", ylabel="J", title="one-hot targets, bent identity")
    ax.legend()
    fig.tight_layout()
    _save(fig, str(Path(outdir) / "shen_an_convergence.png"))
    fig = Figure(figsize=(6, 3.6))
    ax = fig.add_subplot(1, 1, 1)
    for i, act in enumerate(ACTS):
        ax.semilogy(np.full(20, i) + np.linspace(-0.2, 0.2, 20), np.maximum(finals[act], 1e-30), "o", ms=4)
    ax.set_xticks(range(len(ACTS)), ACTS)
    ax.set(ylabel="J after 40 AN/GGN steps (floor 1e-30)", title="20 random starts per activation")
    fig.tight_layout()
    _save(fig, str(Path(outdir) / "shen_activations.png"))


def main(argv):
    outdir = argv[1] if len(argv) > 1 else str(Path(__file__).parent)
    xor_runs()
    xor_classified()
    _, _, curves, finals = an_runs()
    Lg, La = gd_vs_an()
    plots(outdir, curves, finals, Lg, La)


if __name__ == "__main__":
    main(sys.argv)
