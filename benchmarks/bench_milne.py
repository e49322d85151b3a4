"""Benchmark of Milne's experiments (lossgeom.numeric.milne_experiments, lossgeom.executor).

1. The 1000-trial toy experiment (1000 gradient steps each) on 1 worker (in-process) and on 2 worker
   processes (spawn pool): the ratio shows the executor scales; the numbers are identical.
2. One gamma'' = 2 g^T H g for a 20-40-5 ReLU net with biases (1,045 parameters), 64 samples, softmax
   cross-entropy: by eq. (19) (one gradient pass + one R-operator pass) against the explicit Hessian of
   lossgeom's engine (float64, then 2 g^T H g), and their relative difference.

Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_milne.py [trials]
"""

import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from lossgeom import Net  # noqa: E402
from lossgeom.numeric.evaluate import full_hessian  # noqa: E402
from lossgeom.numeric.milne_experiments import toy_experiment  # noqa: E402
from lossgeom.numeric.milne_flow import MLP  # noqa: E402


def toy(trials):
    rows = {}
    print("load average before: %.1f %.1f %.1f (on a shared machine the 2-worker ratio is bounded by the free cores)"
          % os.getloadavg())
    for workers in (1, 2):
        t = time.perf_counter()
        out = toy_experiment(trials, seed=0, workers=workers, progress=False)
        rows[workers] = (time.perf_counter() - t, out)
    (t1, a), (t2, b) = rows[1], rows[2]
    same = [x["fraction"] for x in a["trials"]] == [x["fraction"] for x in b["trials"]]
    print("toy experiment, %d trials x %d steps: 1 worker %.1f s, 2 workers %.1f s, ratio %.2f; mean %.1f%% +- "
          "%.1f%%; identical results: %s" % (trials, a["setup"]["steps"], t1, t2, t1 / t2, 100 * a["mean"],
                                             100 * a["sd"], same))


def gamma_dd():
    rng = np.random.default_rng(0)
    net = MLP((20, 40, 5), bias=True, loss="cross_entropy", lam=1e-3)
    th = net.torch_init(rng)
    X = rng.normal(size=(20, 64))
    Y = np.eye(5)[:, rng.integers(0, 5, 64)]
    t = time.perf_counter()
    reps = 50
    for _ in range(reps):
        gdd, _, _ = net.gamma_dd(th, X, Y)
    t19 = (time.perf_counter() - t) / reps
    lnet = Net(widths=net.widths, activation="relu", loss="cross_entropy", bias=True, reduction="mean",
               weight_decay="1/1000")
    layers = net.unpack(th)
    t = time.perf_counter()
    H = np.array(full_hessian(lnet, [W.tolist() for W, _ in layers], [b.tolist() for _, b in layers], X.tolist(),
                              Y.tolist(), dps="float64"), dtype=float)
    g = net.loss_grad(th, X, Y)[1]
    explicit = 2 * g @ H @ g
    th_ = time.perf_counter() - t
    print("gamma'' for a %s net (%d parameters), 64 samples: eq. (19) %.2f ms, explicit Hessian (lossgeom engine, "
          "float64) %.2f s, ratio %.0f; relative difference %.1e"
          % ("-".join(map(str, net.widths)), net.size, 1e3 * t19, th_, th_ / t19, abs(gdd - explicit) / abs(explicit)))


if __name__ == "__main__":
    toy(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    gamma_dd()
