"""Benchmark of lossgeom.numeric.landscape.loss_slice.

1. A 201 x 201 float64 slice of a 100-100-1 ReLU net (10,100 parameters) with 500 samples, random
   directions, on one core (target: under 5 s): the kink-crossing grid (numeric/_landscape_pl.py) against
   the plain batched forward pass and a plain per-point loop over evaluate_net (float64, hessian=False)
   on the first few grid points, extrapolated; and the batched pass of the same net with tanh.
2. A 21 x 21 slice at 50 digits of the 3-4-2 ReLU net of examples/landscape_relu_3_4_2.json; against
   a plain per-point loop over evaluate_net at 50 digits.

Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_landscape.py
"""

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from lossgeom import Net, resolve_point  # noqa: E402
from lossgeom.models import botev_slice_point  # noqa: E402
from lossgeom.numeric import _landscape_pl  # noqa: E402
from lossgeom.numeric.evaluate import evaluate_net  # noqa: E402
from lossgeom.numeric.landscape import loss_slice, slice_directions  # noqa: E402


def per_point(point, dirs, al, be, dps, limit):
    t = time.perf_counter()
    n = 0
    for b in be:
        for a in al:
            W = [np.array(w.tolist(), dtype=float) + a * A + b * B for w, A, B in zip(point.weights, *dirs)]
            evaluate_net(point.net, W, X=point.X, Y=point.Y, dps=dps, hessian=False)
            n += 1
            if n >= limit:
                return (time.perf_counter() - t) / n
    return (time.perf_counter() - t) / n


def main():
    rng = np.random.default_rng(0)
    net = Net(widths=(100, 100, 1), activation="relu")
    W = [rng.integers(-3, 4, (100, 100)).tolist(), rng.integers(-3, 4, (1, 100)).tolist()]
    p = resolve_point(net, W, X=rng.integers(-3, 4, (100, 500)).tolist(), Y=rng.integers(-3, 4, (1, 500)).tolist())
    dirs = slice_directions(p, seed=1)
    g = np.linspace(-1, 1, 201)
    t = time.perf_counter()
    s = loss_slice(p, dirs, g, g)
    vec = time.perf_counter() - t
    applies = _landscape_pl.applies
    _landscape_pl.applies = lambda net: False          # the plain batched forward pass, for the ratio
    t = time.perf_counter()
    plain = loss_slice(p, dirs, g, g)
    batched = time.perf_counter() - t
    _landscape_pl.applies = applies
    assert np.allclose(plain.loss, s.loss, rtol=1e-12, atol=1e-9) and plain.n_cuts == s.n_cuts
    one = per_point(p, dirs, g, g, "float64", 20)
    print("201x201 float64, %s, %d parameters, 500 samples (%d cell boundaries):" % (net, net.n_params, s.n_cuts))
    print("  kink crossings  %7.2f s   (target < 5 s)" % vec)
    print("  batched pass    %7.2f s   ratio %.1fx" % (batched, batched / vec))
    print("  per-point loop  %7.0f s   ratio %.0fx  (evaluate_net, %.4f s/point on 20 points, extrapolated)"
          % (one * g.size ** 2, one * g.size ** 2 / vec, one))
    tnet = Net(widths=(100, 100, 1), activation="tanh")
    tp = resolve_point(tnet, W, X=p.X, Y=p.Y)
    g2 = np.linspace(-1, 1, 51)
    t = time.perf_counter()
    loss_slice(tp, slice_directions(tp, seed=1), g2, g2)
    tt = time.perf_counter() - t
    print("  (tanh, no kinks: the batched pass, 51x51 in %.2f s -> %.0f s for 201x201)" % (tt, tt * (201 / 51) ** 2))
    q = botev_slice_point()
    dirs = slice_directions(q, seed=0)
    g = np.linspace(-1, 1, 21)
    t = time.perf_counter()
    loss_slice(q, dirs, g, g, dps=50, progress=lambda *a: None)
    mp = time.perf_counter() - t
    one = per_point(q, dirs, g, g, 50, 441)
    print("21x21 at 50 digits, %s: %.2f s; per-point loop over evaluate_net (hessian=False): %.2f s, ratio %.2fx"
          % (q.net, mp, one * 441, one * 441 / mp))


if __name__ == "__main__":
    main()
