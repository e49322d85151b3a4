"""Write the example notebooks of examples/notebooks/ from the cell lists below (outputs stripped).

    python examples/notebooks/build_notebooks.py

The committed ``.ipynb`` files are what ``tests/test_notebooks.py`` executes, top to bottom, and it checks
that they carry no outputs and no execution counts; this script is only the convenient way to edit them
(it needs nbformat and ruff, both in the ``test`` extra).
"""

import os
import subprocess
import sys

import nbformat

HERE = os.path.dirname(os.path.abspath(__file__))

SETUP = "%matplotlib inline\nimport matplotlib.pyplot as plt\nimport numpy as np\nimport sympy as sp"

TOUR = [
    ("md", "# lossgeom in five minutes\n\n"
           "lossgeom checks the mathematics of neural-network loss surfaces: each statement of a paper is a *claim* "
           "with a stated scope, decided by exact algebra (**proved**), on stated instances at a stated precision "
           "(**verified**), by a counterexample (**refuted**), or left **inconclusive**.  Results display as LaTeX "
           "in Jupyter (`_repr_latex_`)."),
    ("code", SETUP),
    ("md", "## A claim, decided\n\nThe number of input-to-output paths of a fully connected net (Choromanska et al. "
           "2015) is the product of the widths: proved for symbolic widths at depths 1-4."),
    ("code", "from lossgeom.proofs import get_claim\n\nreport = get_claim(\"choromanska2015.path-count\").verify()\n"
             "assert report.outcome == \"proved\"\nreport"),
    ("code", "print(report.scope)"),
    ("md", "## A net, a point, a Hessian\n\nA `Net` is the specification; `resolve_point` binds exact weights and "
           "data to it (\"0.5\" is 1/2).  The Hessian of the loss is exact when the loss is rational."),
    ("code", "from lossgeom import Net, resolve_point\nfrom lossgeom.numeric import full_hessian\n\n"
             "net = Net(widths=(1, 2, 1), activation=\"relu\")\n"
             "pt = resolve_point(net, [[[1], [-1]], [[\"0.5\", 2]]], X=[[1]], Y=[[0]])\n"
             "H = full_hessian(net, pt.weights, X=[[1]], Y=[[0]], dps=\"exact\")\n"
             "assert H == H.T\nH"),
    ("md", "## The Botev recursion, symbolically\n\nFor the generic activation `f` the recursion is an identity in "
           "f, f', f''; it displays as LaTeX."),
    ("code", "from lossgeom.symbolic import derive_hessian, verify_recursion\n\n"
             "rec = derive_hessian(Net(widths=(1, 1, 1), activation=\"f\"))\nrec"),
    ("code", "check = verify_recursion(Net(widths=(2, 2, 1), activation=\"tanh\"))\n"
             "assert check.outcome == \"proved\"\ncheck"),
    ("md", "## A loss-surface slice\n\nBotev's 3-4-2 ReLU net, loss along W_1 = alpha A + beta B (float64 grid); "
           "within each activation cell the loss is convex along every grid line."),
    ("code", "from lossgeom import models\nfrom lossgeom.numeric import loss_slice, slice_directions\n\n"
             "p = models.botev_slice_point()\n"
             "grid = np.linspace(-2, 2, 41)\n"
             "s = loss_slice(p, slice_directions(p, \"layer\", (1,)), grid, grid, origin=\"zero\")\n"
             "fig, ax = plt.subplots(figsize=(5, 4))\n"
             "cs = ax.contourf(s.alphas, s.betas, np.log10(s.values), levels=30)\n"
             "fig.colorbar(cs, label=\"log10 loss\")\n"
             "ax.set_xlabel(\"alpha\")\nax.set_ylabel(\"beta\")\nax.set_title(\"W_1 = alpha A + beta B\")\n"
             "plt.show()"),
    ("md", "Next: `hessian_recursion.ipynb`, `paths.ipynb`, `deep_linear.ipynb`, `shen.ipynb`, `milne.ipynb`, "
           "`pl_landscape.ipynb`; on the command line, `lossgeom verify` and `lossgeom report --out catalog.html`."),
]

HESSIAN = [
    ("md", "# The Hessian recursion (Botev, Ritter & Barber, ICML 2017)\n\n"
           "H_l = B_l W_{l+1}^T H_{l+1} W_{l+1} B_l + D_l for the pre-activation Hessians, and the layer block "
           "d2E/dvec(W_l)^2 = (a_{l-1} a_{l-1}^T) kron H_l.  lossgeom derives the recursion with named "
           "intermediates, proves it against direct differentiation, and evaluates it at any precision."),
    ("code", SETUP),
    ("code", "from lossgeom import Net\nfrom lossgeom.symbolic import derive_hessian, latex, verify_recursion\n\n"
             "rec = derive_hessian(Net(widths=(1, 1, 1), activation=\"tanh\"))\nrec"),
    ("md", "The layer-1 block in the named intermediates, in lossgeom's LaTeX (`symbolic.latex`):"),
    ("code", "from IPython.display import Math\nMath(latex(rec.layer_block(1)))"),
    ("md", "## Proved, not sampled\n\n`verify_recursion` decides exactly that the recursion's blocks equal the "
           "diagonal blocks of the Hessian obtained by differentiating the composed loss; for ReLU in every "
           "activation cell."),
    ("code", "r1 = verify_recursion(Net(widths=(2, 2, 1), activation=\"f\"))\n"
             "r2 = verify_recursion(Net(widths=(2, 2, 1), activation=\"relu\", bias=True))\n"
             "assert r1.outcome == r2.outcome == \"proved\"\nprint(r1)\nprint(r2)"),
    ("md", "## Numbers: the recursion against the full Hessian\n\nThe recursion's block, evaluated exactly at "
           "rational weights, equals the corresponding diagonal block of the full Hessian from lossgeom's "
           "independent numeric engine (forward over reverse)."),
    ("code", "from lossgeom.numeric import full_hessian\n\n"
             "net = Net(widths=(1, 2, 1), activation=\"relu\")\n"
             "W, X, Y = [[[1], [\"-1/2\"]], [[2, 3]]], [[3]], [[1]]\n"
             "rec = derive_hessian(net)\n"
             "block = rec.evaluate(rec.layer_block(1), W, x=[3], y=[1])\n"
             "H = full_hessian(net, W, X=X, Y=Y, dps=\"exact\")\n"
             "assert H[:2, :2] == block\nblock"),
    ("md", "A 2-3-2 tanh net at 50 digits: the full Hessian with its cross-layer blocks."),
    ("code", "net = Net(widths=(2, 3, 2), activation=\"tanh\")\n"
             "W = [[[\"1/2\", -1], [1, \"1/3\"], [0, 2]], [[1, -1, \"1/2\"], [2, 0, -1]]]\n"
             "H = full_hessian(net, W, X=[[1], [-1]], Y=[[0], [1]], dps=50)\n"
             "M = np.array(H.tolist(), dtype=float)\n"
             "fig, ax = plt.subplots(figsize=(4.5, 4))\n"
             "im = ax.imshow(M, cmap=\"RdBu_r\", vmin=-abs(M).max(), vmax=abs(M).max())\n"
             "ax.axhline(5.5, color=\"k\")\nax.axvline(5.5, color=\"k\")\n"
             "ax.set_title(\"Hessian of a 2-3-2 tanh net (layer blocks 6 + 6)\")\n"
             "fig.colorbar(im)\nplt.show()"),
]

PATHS = [
    ("md", "# Activation paths (Choromanska et al. 2015; Kawaguchi 2016)\n\n"
           "A ReLU net's output is a sum over input-to-output paths of x_i times the path's weights, gated by "
           "whether every unit on the path is active."),
    ("code", SETUP),
    ("code", "from lossgeom import Net\nfrom lossgeom.symbolic import expand_path_sum, paths_per_output\n\n"
             "net = Net(widths=(2, 2, 1), activation=\"relu\")\nps = expand_path_sum(net)\nps"),
    ("code", "assert paths_per_output(Net(widths=(3, 4, 2, 1), activation=\"relu\")) == 24\n"
             "paths_per_output(Net(widths=(3, 4, 2, 1), activation=\"relu\"))"),
    ("md", "## The identity, proved\n\nThe path sum equals the forward pass, exactly, in every activation cell."),
    ("code", "from itertools import product\nfrom lossgeom.symbolic import verify_path_sum_identity\n\n"
             "net = Net(widths=(2, 3, 1), activation=\"relu\")\n"
             "cells = [dict(zip([(1, 1), (1, 2), (1, 3)], pieces)) for pieces in product((0, 1), repeat=3)]\n"
             "outcomes = [verify_path_sum_identity(net, cell).outcome for cell in cells]\n"
             "assert outcomes == [\"proved\"] * 8\nlen(outcomes), set(outcomes)"),
    ("md", "## Active paths at a data point\n\nThe graph of the 3-4-2-1 example, active paths in red."),
    ("code", "import os, tempfile\nfrom IPython.display import Image\n"
             "from lossgeom.numeric import activation_pattern, build_graph, count_paths, draw_graph, mark_pattern\n\n"
             "net = Net(widths=(3, 4, 2, 1), activation=\"relu\")\n"
             "W = [[[1, 0, 0], [0, 1, 0], [0, 0, -1], [1, -1, 0]], [[1, -1, 1, 0], [1, 1, 1, 1]], [[1, 1]]]\n"
             "pattern = activation_pattern(net, W, [1, 2, 1])\n"
             "graph = mark_pattern(build_graph(net, W), pattern)\n"
             "print(count_paths(graph))\n"
             "png = os.path.join(tempfile.mkdtemp(), \"paths.png\")\n"
             "draw_graph(graph, png, title=\"active paths of a 3-4-2-1 ReLU net\")\n"
             "Image(png)"),
]

LINEAR = [
    ("md", "# Deep linear nets (Kawaguchi 2016; Baldi & Hornik 1989)\n\n"
           "For identity activations and square loss, the critical points built from subsets I of the eigenvectors "
           "of Sigma = Y X^T (X X^T)^{-1} X Y^T have exact values 1/2 (tr Y Y^T - sum_{i in I} lambda_i); "
           "every local minimum is global, and the other critical points are saddles."),
    ("code", SETUP),
    ("code", "from lossgeom import Net\nfrom lossgeom.symbolic.linear import (global_minimum_value, sigma_eigen,\n"
             "                                      verify_linear_derivatives)\n"
             "from lossgeom.numeric.critical import enumerate_critical_points\n\n"
             "X, Y, net = sp.eye(3), sp.diag(3, 2, 1), Net(widths=(3, 2, 2, 3))\n"
             "sigma_eigen(net, X, Y).eigenvalues, global_minimum_value(net, X, Y)"),
    ("md", "Lemma 1's gradient and every Hessian block, against `sympy.diff`, exactly:"),
    ("code", "r = verify_linear_derivatives(Net(widths=(2, 1, 2)), 1)\nassert r.outcome == \"proved\"\nr"),
    ("md", "## The critical points, classified\n\nInertia of the Hessian at 50 digits; a saddle whose Hessian is "
           "positive semidefinite gets an exact descent curve."),
    ("code", "points = enumerate_critical_points(net, X, Y, dps=50).points\n"
             "for p in points:\n"
             "    print(p.subset, p.value, (p.inertia.positive, p.inertia.negative, p.inertia.zero), p.classification)\n"
             "assert [p.classification for p in points].count(\"global minimum\") == 1"),
    ("code", "fig, ax = plt.subplots(figsize=(5, 3.5))\n"
             "vals = [float(p.value) for p in points]\nneg = [p.inertia.negative for p in points]\n"
             "colors = [\"tab:green\" if p.classification == \"global minimum\" else \"tab:red\" for p in points]\n"
             "ax.scatter(neg, vals, c=colors, s=60)\n"
             "for p, v, n in zip(points, vals, neg):\n"
             "    ax.annotate(str(set(p.subset) or \"{}\"), (n, v), textcoords=\"offset points\", xytext=(6, 4))\n"
             "ax.set_xlabel(\"negative Hessian eigenvalues\")\nax.set_ylabel(\"critical value\")\n"
             "ax.set_title(\"3-2-2-3 linear net: critical points by subset I\")\nplt.show()"),
    ("md", "Equal eigenvalue sums break a count of distinct critical values (derived by this project from Baldi "
           "& Hornik, not printed there): the catalog refutes it with the counterexample."),
    ("code", "from lossgeom.proofs import get_claim\n"
             "rep = get_claim(\"baldi_hornik1989.critical-value-count\").verify()\n"
             "assert rep.outcome == \"refuted\" and rep.matches\nrep"),
]

SHEN = [
    ("md", "# Shen (2016): the critical-point linear system\n\n"
           "Shen writes grad J = P(W) eps with eps the stacked output errors; if rank P = n_L T at a critical point "
           "then eps = 0, a global minimum.  lossgeom proves the identity exactly and computes ranks exactly (or "
           "certified by a determinant ball)."),
    ("code", SETUP),
    ("code", "from lossgeom import Net, models\nfrom lossgeom.symbolic import verify_shen_gradient\n"
             "from lossgeom.numeric import shen_rank\n\n"
             "ok, entries = verify_shen_gradient(Net(widths=(2, 2, 1), activation=\"f\", bias=True))\n"
             "assert ok\nok, entries"),
    ("code", "fit, drop = models.xor_softsign_fit(2), models.xor_rank_drop(2)\n"
             "r_fit = shen_rank(fit.net, fit.weights, fit.biases, fit.X, fit.Y)\n"
             "r_drop = shen_rank(drop.net, drop.weights, drop.biases, drop.X, drop.Y)\n"
             "assert (r_fit.rank, r_drop.rank) == (4, 1)\n"
             "print(r_fit.verdict)\nprint(r_drop.verdict)"),
    ("md", "The rank of P with its blocks, at the XOR fit and at the rank-drop critical point (not a minimum):"),
    ("code", "fig, ax = plt.subplots(figsize=(5, 3))\n"
             "labels = [\"P_1\", \"P_2\", \"P\"]\n"
             "x = np.arange(3)\n"
             "ax.bar(x - 0.2, list(r_fit.block_ranks) + [r_fit.rank], 0.4, label=\"XOR fit\")\n"
             "ax.bar(x + 0.2, list(r_drop.block_ranks) + [r_drop.rank], 0.4, label=\"rank drop\")\n"
             "ax.axhline(r_fit.n_lt, color=\"k\", ls=\"--\", label=\"n_L T\")\n"
             "ax.set_xticks(x, labels)\nax.set_ylabel(\"rank\")\nax.legend()\nplt.show()"),
    ("md", "Shen's claims in the catalog, e.g. the main theorem on its stated instances:"),
    ("code", "from lossgeom.proofs import get_claim\nrep = get_claim(\"shen2016.main-theorem\").verify()\nrep"),
]

MILNE = [
    ("md", "# Milne (2019): piecewise strong convexity\n\n"
           "ReLU nets without biases (ReLU on the output too).  Inside an activation cell the net is a product of "
           "switched linear maps; Lemma 3 bounds the negative curvature phi''(0) of the loss along a direction X "
           "by c H (H+1) |||W|||^(H-1) ||X||^2 r phi^(1/2).  lossgeom decides it exactly on rational instances."),
    ("code", SETUP),
    ("code", "from fractions import Fraction\nfrom lossgeom.numeric.milne import (chain_instance, lemma3_holds, "
             "lemma3_ratio,\n                                    lemma3_sweep, switch_output, switches)\n\n"
             "W = [[[1], [-1]], [[1, 1]]]\nswitches(W, [2]), switch_output(W, [2])"),
    ("md", "Lemma 3 with c = sqrt 2 on 200 seeded random draws (exact decisions): no violation; with c = 0 every "
           "draw of negative curvature violates it, so the check has teeth."),
    ("code", "out = lemma3_sweep((2, 2, 1), 200, c2s=(2, 0))\n"
             "assert out[\"violations\"][2] == 0 and out[\"violations\"][0] == out[\"negative\"] > 0\n"
             "out[\"violations\"], out[\"negative\"], round(out[\"max ratio\"], 4)"),
    ("md", "The near-extremal chain instance: its ratio (the smallest c it needs) tends to sqrt 2 / (H + 1)."),
    ("code", "eps = [Fraction(1, 2 ** k) for k in range(1, 12)]\n"
             "fig, ax = plt.subplots(figsize=(5, 3.5))\n"
             "for H in (1, 2, 3):\n"
             "    ratios = [float(lemma3_ratio(*chain_instance(H, e), dps=30)) for e in eps]\n"
             "    ax.semilogx([float(e) for e in eps], ratios, \"o-\", label=\"H = %d\" % H)\n"
             "    ax.axhline(np.sqrt(2) / (H + 1), color=\"gray\", ls=\":\")\n"
             "ax.set_xlabel(\"eps\")\nax.set_ylabel(\"Lemma 3 ratio\")\nax.legend()\nplt.show()"),
    ("code", "from lossgeom.proofs import get_claim\nrep = get_claim(\"milne2019.origin-h1\").verify()\nrep"),
]

LANDSCAPE = [
    ("md", "# Bad local minima and piecewise-linear landscapes (Yun, Sra & Jadbabaie 2019; Botev et al. 2017)\n\n"
           "Yun et al.'s Theorem 1: for data no linear model fits, a one-hidden-layer net with a two-piece linear "
           "activation has a local minimum that is not global.  lossgeom constructs it exactly, certifies a box "
           "around it, and constructs a point of lower loss."),
    ("code", SETUP),
    ("code", "from lossgeom import models, resolve_point\n"
             "from lossgeom.proofs.yun2019 import (descent_point, local_minimum_certificate, loss_at, net_of,\n"
             "                                     spurious_point)\n\n"
             "X, Y = models.yun_data()\nnet = net_of(X, \"relu\", 2)\n"
             "cert = local_minimum_certificate(X, Y, \"relu\", 2)\ncert.facts"),
    ("code", "low, low_loss, case = descent_point(X, Y, \"relu\", 2)\n"
             "spurious = spurious_point(X, Y, 1, 2)\n"
             "l0 = loss_at(net, spurious, X, Y)\nassert low_loss < l0\nl0, low_loss"),
    ("md", "The loss along the straight segment from the certified local minimum (t = 0) to the lower point "
           "(t = 1), exactly at each t: it rises before it falls."),
    ("code", "ts = [sp.Rational(k, 40) for k in range(41)]\n"
             "def mix(t):\n"
             "    return tuple((1 - t) * a + t * b for a, b in zip(spurious, low))\n"
             "losses = [loss_at(net, mix(t), X, Y) for t in ts]\n"
             "assert max(losses) > l0 and losses[-1] < l0\n"
             "fig, ax = plt.subplots(figsize=(5, 3.5))\n"
             "ax.plot([float(t) for t in ts], [float(v) for v in losses], \".-\")\n"
             "ax.axhline(float(l0), color=\"gray\", ls=\":\", label=\"l0 = 1/3\")\n"
             "ax.set_xlabel(\"t\")\nax.set_ylabel(\"loss\")\nax.legend()\nplt.show()"),
    ("md", "## Botev's slices\n\nFor ReLU nets the loss is piecewise quadratic in one layer: convex along every "
           "line inside an activation cell, ridges between cells; across two layers, a smooth saddle."),
    ("code", "from lossgeom.numeric import loss_slice, slice_directions\n\n"
             "p = models.botev_slice_point()\ngrid = np.linspace(-2, 2, 41)\n"
             "fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))\n"
             "for ax, (kind, layers, title) in zip(axes, [(\"layer\", (1,), \"W_1 = alpha A + beta B\"),\n"
             "                                         (\"layers\", (1, 2), \"W_1 = alpha A, W_2 = beta B\")]):\n"
             "    s = loss_slice(p, slice_directions(p, kind, layers), grid, grid, origin=\"zero\")\n"
             "    ax.contourf(s.alphas, s.betas, np.log10(s.values), levels=30)\n"
             "    ax.set_title(title)\nax.set_xlabel(\"alpha\")\nax.set_ylabel(\"beta\")\n"
             "plt.show()"),
    ("code", "from lossgeom.proofs import get_claim\nrep = get_claim(\"yun2019.worked-example\").verify()\nrep"),
]

NOTEBOOKS = {"tour": TOUR, "hessian_recursion": HESSIAN, "paths": PATHS, "deep_linear": LINEAR, "shen": SHEN,
             "milne": MILNE, "pl_landscape": LANDSCAPE}


def build(name, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
                for kind, src in cells]
    for i, cell in enumerate(nb.cells):
        cell["id"] = "%s-%02d" % (name.replace("_", "-"), i)  # stable ids: rebuilding changes nothing
    nbformat.validate(nb)
    return nb


def main():
    paths = []
    for name, cells in NOTEBOOKS.items():
        paths.append(os.path.join(HERE, name + ".ipynb"))
        nbformat.write(build(name, cells), paths[-1])
    # the committed notebooks are ruff clean (CI lints them): sort each cell's imports, drop unused ones
    subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "--quiet", *paths], check=True)


if __name__ == "__main__":
    main()
