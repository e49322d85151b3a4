"""Benchmark of Shen's rank computations and of AN/GGN against gradient descent (lossgeom issue 14).

1. rank P(W) of Shen's system for the XOR softsign nets (2-2-1, 2-3-1, at the exact fits of
   lossgeom.models.xor_softsign_fit) and for a 20-22-1 net with dummy units (485 parameters,
   40 samples, seeded random rational weights): exact with python-flint fmpq (P built in fmpq, rank by
   fmpq_mat), exact with SymPy (P built by SymPy, Matrix.rank), float64 SVD (numpy matrix_rank of P
   from the fmpq entries) and certified ball rank (arb, certified_rank) of the tanh net with the
   same weights.  Times include building P.
2. AN/GGN (min-norm step) against gradient descent, both at 50 digits (mpmath), on four-regions data
   (20 points, 2-10-1 bent identity, 41 parameters), from the same start (the float64 AN iterate with
   J < 1e-2): iterations and time to reach J <= 1e-20; gradient descent (rate 1 / largest GGN eigenvalue
   at the start) is capped at 1,000 steps (300 with --quick).
   SymPy's rank of the 485-parameter P runs in a child process stopped after 120 s.

Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_shen.py [--quick]
"""

import os
import random
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import mpmath  # noqa: E402
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

from lossgeom import Net  # noqa: E402
from lossgeom.models import random_point, xor_softsign_fit  # noqa: E402
from lossgeom.numeric.shen import certified_rank, shen_system_balls, shen_system_fmpq  # noqa: E402
from lossgeom.numeric.shen_certify import _act_any, _data, _lgh, an_mp  # noqa: E402
from lossgeom.numeric.shen_newton import an_ggn, four_regions  # noqa: E402
from lossgeom.symbolic.shen import shen_layers, shen_system, shen_system_exact  # noqa: E402


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def rank_rows(name, pt, sympy_too=True):
    from flint import fmpq_mat
    net = pt.net
    args = (pt.weights, pt.biases, pt.X, pt.Y)
    r_q, t_q = timed(lambda: fmpq_mat([list(r) for r in shen_system_fmpq(net, *args).P]).rank())
    rows = [(name, "exact fmpq (python-flint)", r_q, t_q)]
    if sympy_too:
        r_s, t_s = sympy_rank(pt, SYMPY_BUDGET if sympy_too == "capped" else None)
        rows.append((name, "exact SymPy" + (" (budget %d s)" % SYMPY_BUDGET if sympy_too == "capped" else ""),
                     r_s, t_s))
    r_f, t_f = timed(lambda: float_rank(pt))
    rows.append((name, "float64 SVD (numpy)", r_f, t_f))
    tnet = Net(widths=net.widths, activation="tanh", bias=True)
    (lo, up, basis), t_b = timed(lambda: certified_rank(shen_system_balls(tnet, *args, dps=50).P, dps=50))
    rows.append((name.replace("softsign", "tanh"), "certified arb balls, 50 digits", "%d..%s (%s)" % (
        lo, up if up is not None else "?", basis), t_b))
    return rows


SYMPY_BUDGET = 120


def _sympy_child(pt, queue):
    queue.put(sp.Matrix(shen_system_exact(pt.net, pt.weights, pt.biases, pt.X, pt.Y).P).rank())


def sympy_rank(pt, budget):
    """SymPy's exact rank (P built by SymPy), in a child process stopped after ``budget`` seconds."""
    if budget is None:
        return timed(lambda: sp.Matrix(shen_system_exact(pt.net, pt.weights, pt.biases, pt.X, pt.Y).P).rank())
    import multiprocessing as mp
    queue = mp.Queue()
    proc = mp.Process(target=_sympy_child, args=(pt, queue))
    t = time.perf_counter()
    proc.start()
    proc.join(budget)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return "not finished", time.perf_counter() - t
    return queue.get(), time.perf_counter() - t


def float_rank(pt):
    """P built in float64 by the same generic code (shen_system), rank by numpy's SVD."""
    net = pt.net
    W = [[[float(v) for v in row] for row in w.tolist()] for w in pt.weights]
    b = [[float(v) for v in bb] for bb in pt.biases]
    WS = shen_layers(net, W, b)
    cols = lambda M: [[float(M[r, c]) for r in range(M.rows)] for c in range(M.cols)]  # noqa: E731
    act = lambda z, k: z / (1 + abs(z)) if k == 0 else 1 / (1 + abs(z)) ** 2  # noqa: E731
    return int(np.linalg.matrix_rank(np.array(shen_system(net, WS, cols(pt.X), cols(pt.Y), act).P, dtype=float)))


def gd_mp(theta, X, Y, h, lr, target, cap):
    f = _act_any("bent_identity", "mp")
    Xd, Yd = _data(X, Y)
    with mpmath.workdps(60):
        th = [mpmath.mpf(v) for v in theta]
        for k in range(cap + 1):
            L, g, _ = _lgh(th, h, f, Xd, Yd, hessian=False)
            if L <= target or k == cap:
                return k, L
            th = [a - lr * b for a, b in zip(th, g)]


def main():
    quick = "--quick" in sys.argv
    rows = []
    for h in (2, 3):
        rows += rank_rows("XOR 2-%d-1 softsign (exact fit)" % h, xor_softsign_fit(h))
    big = random_point(Net(widths=(20, 22, 1), activation="softsign", bias=True), random.Random(0), samples=40)
    rows += rank_rows("20-22-1 softsign, 485 params, T = 40", big, sympy_too=False if quick else "capped")
    print("| net | method | rank P | time (s) | time / fmpq |")
    print("|---|---|---|---|---|")
    base = {}
    for name, how, r, t in rows:
        key = name.replace("tanh", "softsign")
        base.setdefault(key, t)
        print("| %s | %s | %s | %.4f | %s%.1f |" % (name, how, r, t, ">= " if r == "not finished" else "",
                                                   t / base[key]), flush=True)

    X, Y = four_regions(20, seed=0)
    th0 = np.random.default_rng(0).normal(0.0, 0.5, size=(1, 41))
    ths, L = an_ggn(th0, X, Y, 10, "bent_identity", iters=40)
    start = ths[int(np.argmax(L[:, 0] < 1e-2)), 0]
    (th, e), t_an = timed(lambda: an_mp(start, X, Y, 10, "bent_identity", dps=50, iters=20))
    k_an = next(k for k, v in enumerate(e) if v * v / 2 <= 1e-20)
    cap = 300 if quick else 1000
    from lossgeom.numeric.shen_newton import ggn_float
    lr = 1.0 / float(np.linalg.eigvalsh(ggn_float(start, X, Y, 10, "bent_identity")[2][0]).max())
    (k_gd, L_gd), t_gd = timed(lambda: gd_mp(start, X, Y, 10, mpmath.mpf(lr), mpmath.mpf("1e-20"), cap))
    print()
    print("| method (50 digits, four-regions 2-10-1 bent identity) | iterations to J <= 1e-20 | time (s) | J at end |")
    print("|---|---|---|---|")
    print("| AN/GGN (min-norm step) | %d | %.2f (all %d steps) | %s |" % (k_an, t_an, len(e) - 1,
                                                                       mpmath.nstr(e[-1] ** 2 / 2, 3)))
    print("| gradient descent, rate 1/lambda_max(GGN at start) = %.3g | %s | %.2f | %s |" % (
        lr, k_gd if L_gd <= 1e-20 else "not reached in %d" % cap, t_gd, mpmath.nstr(L_gd, 3)))
    print("time per iteration: AN %.4f s, GD %.4f s; ratio GD/AN per iteration %.2f" % (
        t_an / max(len(e) - 1, 1), t_gd / max(k_gd, 1), (t_gd / max(k_gd, 1)) / (t_an / max(len(e) - 1, 1))))


if __name__ == "__main__":
    main()
