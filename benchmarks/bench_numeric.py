"""Benchmarks of the numeric engine (issue 3); prints one table of times and ratios.

    python benchmarks/bench_numeric.py            # about 3-5 minutes on one core
    python benchmarks/bench_numeric.py --quick    # mpmath eigsy timed on 100x100 and extrapolated (said so)

(a) full Hessian at dps=50 of tanh nets with biases (4 samples) of about 50, 100 and 200 parameters:
    the engine (python-flint products; and with the pure mpmath backend) vs mpmath central finite
    differences of an independent loss at 2*50+20 digits (step 1e-35, the accuracy 50 digits need).
    Finite differences are timed on a random sample of Hessian entries and extrapolated to all
    P(P+1)/2 entries; the output says how many entries were timed.  Targets: >= 20x at 200
    parameters, and 200 parameters in under 2 s.
(b) float64 full Hessian, engine vs autograd.hessian, at about 2,000 parameters.  Target: >= 5x.
(c) 50-digit eigenvalues of the 200x200 Hessian of (a): mpmath.eigsy vs the flint-refined
    decomposition vs certified enclosures (ball arithmetic).
(d) issue 11: the certified 50-digit spectrum (lossgeom.numeric.certified_eig.certified_eigh: float64 eigh,
    Ogita-Aishima refinement in arb_mat, Ostrowski-Weyl enclosures) of the ball Hessian of the 204-parameter
    net of (a) and of a 1000x1000 random symmetric rational matrix, side by side with mpmath eigsy and
    python-flint acb_mat.eig(multiple=True) at 204.  Targets: >= 50x vs eigsy and >= 5x vs acb eig at 204,
    1000x1000 under 3 minutes.  eigsy at 1000 would take hours: it is EXTRAPOLATED from 204 by n^3 (said so);
    with --quick, eigsy and acb eig are timed on the leading 102x102 block and extrapolated by n^3 (said
    so; acb eig at 204 takes minutes), and the big matrix is 400x400.
(e) issue 11: the whole ``lossgeom hessian examples/hessian_tanh_5_10_8_2.json --dps 50 --certify`` (a
    subprocess, start-up included) vs mpmath eigsy alone on the same 166x166 matrix.  Target: >= 10x.

    python benchmarks/bench_numeric.py --certify-only   # parts (d) and (e) only
(f) issue 11 items 3-4: the full Hessian of 10-30-20-1 (971 parameters, 10 samples) and 20-40-30-10 (2,380
    parameters, 16 samples) tanh nets with biases, at dps=50 (fixed-point products) against today's engine
    (the generic kernel with arb products), and in float64 against today's float64 engine, jax.jit(jax.hessian)
    warm and cold (compile included) and torch.func.hessian (the `bench` extra; skipped when not installed).
    Targets: dps=50 at 971 under 2 s; float64 warm no slower than JAX, cold >= 10x.  --quick skips the
    50-digit 2,380 case.

    python benchmarks/bench_numeric.py --hessian-only [--quick]   # part (f) only
"""

import argparse
import random
import sys
import time
from fractions import Fraction

import mpmath
import numpy as np

from lossgeom import Net
from lossgeom.numeric.evaluate import full_hessian
from lossgeom.numeric.spectrum import certified_eigenvalues, symmetric_eigen
from lossgeom.precision import agreeing_digits

DPS = 50


def make_case(widths, m, seed=0, scale=1):
    rng = random.Random(seed)

    def q():
        return Fraction(rng.randint(-9, 9), rng.choice([4, 5, 7, 8, 9])) * scale

    net = Net(widths=widths, activation="tanh", bias=True)
    W = [[[q() for _ in range(widths[l])] for _ in range(widths[l + 1])] for l in range(len(widths) - 1)]
    b = [[q() for _ in range(widths[l + 1])] for l in range(len(widths) - 1)]
    X = [[q() for _ in range(m)] for _ in range(widths[0])]
    Y = [[q() for _ in range(m)] for _ in range(widths[-1])]
    theta = []
    for l in range(len(W)):
        theta += [W[l][i][j] for j in range(widths[l]) for i in range(widths[l + 1])] + b[l]
    return net, W, b, X, Y, theta


# -- the finite-difference baseline: an independent mpmath loss ------------------------------------
def mp_loss(widths, theta, X, Y):
    k, total = 0, mpmath.mpf(0)
    layers = []
    for l in range(len(widths) - 1):
        d, dp = widths[l + 1], widths[l]
        W = [[theta[k + j * d + i] for j in range(dp)] for i in range(d)]
        k += d * dp
        layers.append((W, theta[k:k + d]))
        k += d
    for x, y in zip(X, Y):
        a = x
        for n, (W, b) in enumerate(layers):
            h = [mpmath.fdot(row, a) + bi for row, bi in zip(W, b)]
            a = h if n == len(layers) - 1 else [mpmath.tanh(v) for v in h]
        total += mpmath.fsum((ai - yi) ** 2 for ai, yi in zip(a, y)) / 2
    return total


def fd_entries(widths, theta, X, Y, entries):
    with mpmath.workdps(2 * DPS + 20):
        th = [mpmath.mpf(t.numerator) / t.denominator for t in theta]
        Xs = [[mpmath.mpf(v.numerator) / v.denominator for v in col] for col in zip(*X)]
        Ys = [[mpmath.mpf(v.numerator) / v.denominator for v in col] for col in zip(*Y)]
        h = mpmath.mpf(10) ** -(DPS // 2 + 10)

        def f(shifts):
            t = list(th)
            for i, s in shifts:
                t[i] += s * h
            return mp_loss(widths, t, Xs, Ys)

        out = {}
        f0 = f([])
        for i, j in entries:
            if i == j:
                out[i, j] = (f([(i, 2)]) - 2 * f0 + f([(i, -2)])) / (4 * h * h)
            else:
                out[i, j] = (f([(i, 1), (j, 1)]) - f([(i, 1), (j, -1)]) - f([(i, -1), (j, 1)])
                             + f([(i, -1), (j, -1)])) / (4 * h * h)
        return out


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t, out


def part_a(rows):
    print("(a) full Hessian at dps=50: engine vs mpmath central finite differences", flush=True)
    results = []
    for widths, sample in (((3, 5, 4, 2), 150), ((4, 7, 6, 2), 120), ((4, 10, 10, 4), 100)):
        net, W, b, X, Y, theta = make_case(widths, 4)
        P = net.n_params
        full_hessian(net, W, b, X, Y, dps=DPS)  # warm the caches (lambdified activations)
        t_flint, H = timed(full_hessian, net, W, b, X, Y, dps=DPS, backend="flint")
        t_mp, _ = timed(full_hessian, net, W, b, X, Y, dps=DPS, backend="mpmath")
        rng = random.Random(1)
        entries = [(i, i) for i in rng.sample(range(P), min(P, sample // 3))]
        entries += [tuple(sorted(rng.sample(range(P), 2))) for _ in range(sample - len(entries))]
        t_fd, ref = timed(fd_entries, widths, theta, X, Y, entries)
        total = P * (P + 1) // 2
        # a diagonal entry costs 2 loss evaluations (+1 shared), an off-diagonal one 4
        n_diag = sum(1 for i, j in entries if i == j)
        per_eval = t_fd / (2 * n_diag + 4 * (len(entries) - n_diag) + 1)
        t_fd_all = per_eval * (2 * P + 4 * (total - P) + 1)
        with mpmath.workdps(60):
            digits = min(agreeing_digits(H[i, j], ref[i, j]) for i, j in entries)
        results.append((net, P, t_flint, t_mp, t_fd, len(entries), t_fd_all, digits))
        print("    %-32s P=%3d  engine %.2f s (mpmath backend %.2f s); FD timed on %d of %d entries: %.1f s"
              % (net, P, t_flint, t_mp, len(entries), total, t_fd), flush=True)
    for net, P, t_flint, t_mp, t_fd, n, t_all, digits in results:
        rows.append(("(a) Hessian dps=50, P=%d" % P, "engine (flint) %.2f s" % t_flint,
                     "mpmath FD %.1f s (extrapolated from %d entries)" % (t_all, n), t_all / t_flint,
                     "FD agrees to %s digits; mpmath backend %.2f s (%.0fx vs FD)" % (digits, t_mp, t_all / t_mp)))
    return results[-1]


def part_b(rows):
    import autograd
    import autograd.numpy as anp
    print("(b) float64 full Hessian: engine vs autograd.hessian", flush=True)
    widths, m = (20, 40, 30, 10), 16
    net, W, b, X, Y, theta = make_case(widths, m, scale=Fraction(1, 3))
    Xa, Ya = np.array(X, dtype=float), np.array(Y, dtype=float)

    def loss(t):
        k, a = 0, Xa
        for l in range(len(widths) - 1):
            d, dp = widths[l + 1], widths[l]
            Wl = anp.reshape(t[k:k + d * dp], (dp, d)).T
            k += d * dp
            h = anp.dot(Wl, a) + anp.reshape(t[k:k + d], (d, 1))
            k += d
            a = h if l == len(widths) - 2 else anp.tanh(h)
        return 0.5 * anp.sum((a - Ya) ** 2)

    th = np.array([float(t) for t in theta])
    full_hessian(net, W, b, X, Y, dps="float64")
    t_eng, H = timed(full_hessian, net, W, b, X, Y, dps="float64")
    t_ag, Hag = timed(autograd.hessian(loss), th)
    rel = np.max(np.abs(H - Hag)) / np.max(np.abs(Hag))
    print("    %s P=%d: engine %.2f s, autograd %.2f s, max rel diff %.1e" % (net, net.n_params, t_eng, t_ag, rel),
          flush=True)
    rows.append(("(b) float64 Hessian, P=%d" % net.n_params, "engine %.2f s" % t_eng, "autograd.hessian %.2f s" % t_ag,
                 t_ag / t_eng, "max relative difference %.1e" % rel))


def part_c(rows, H, quick):
    print("(c) 50-digit eigenvalues of the %dx%d Hessian" % (H.rows, H.rows), flush=True)
    t_ref, (E, Q) = timed(symmetric_eigen, H, DPS, method="refine")
    t_cert, enc = timed(certified_eigenvalues, H, DPS, method="residual")
    with mpmath.workdps(60):
        inside = all(e.lower - mpmath.mpf(10) ** -45 <= v <= e.upper + mpmath.mpf(10) ** -45 for e, v in zip(enc, E))
        radius = max(e.radius for e in enc)
    if quick:
        n = H.rows // 2
        sub = mpmath.matrix([[H[i, j] for j in range(n)] for i in range(n)])
        t_sub, _ = timed(symmetric_eigen, sub, DPS, method="mpmath")
        t_eigsy = t_sub * (H.rows / n) ** 3
        label = "mpmath eigsy %.1f s (EXTRAPOLATED: %dx%d took %.1f s, times (%d/%d)^3)" % (
            t_eigsy, n, n, t_sub, H.rows, n)
        agree = "not compared (--quick)"
    else:
        t_eigsy, (E2, _) = timed(symmetric_eigen, H, DPS, method="mpmath")
        label = "mpmath eigsy %.1f s" % t_eigsy
        with mpmath.workdps(60):
            agree = "eigenvalues agree to %s digits" % min(agreeing_digits(a, b) for a, b in zip(E, E2))
    print("    refine %.2f s, certified %.2f s, %s" % (t_ref, t_cert, label), flush=True)
    rows.append(("(c) eigenvalues %dx%d, dps=50" % (H.rows, H.rows), "flint refine %.2f s" % t_ref, label,
                 t_eigsy / t_ref, agree))
    rows.append(("(c) certified enclosures", "flint balls %.2f s" % t_cert, label, t_eigsy / t_cert,
                 "max radius %s; refined values inside: %s" % (mpmath.nstr(radius, 3), inside)))


def _random_symmetric(n, seed=0):
    from flint import fmpq, fmpq_mat
    rng = np.random.default_rng(seed)
    M = rng.integers(-9, 10, (n, n))
    M = M + M.T
    return fmpq_mat(n, n, [fmpq(int(v), 7) for v in M.ravel()])


def part_d(rows, quick):
    import os

    from flint import acb_mat, arb_mat, ctx

    from lossgeom.numeric.ball import ball_evaluate
    from lossgeom.numeric.certified_eig import certified_eigh
    print("(d) certified 50-digit spectra: certified_eigh vs mpmath eigsy and acb_mat.eig(multiple=True); "
          "load average %.1f" % os.getloadavg()[0], flush=True)
    net, W, b, X, Y, _ = make_case((4, 10, 10, 4), 4)
    bev = ball_evaluate(net, W, b, X, Y, dps=DPS)
    t_cert, spec = timed(certified_eigh, bev.hessian, DPS)
    n = bev.hessian.nrows()
    H = full_hessian(net, W, b, X, Y, dps=DPS)
    if quick:
        k = n // 2
        block = arb_mat([[bev.hessian[i, j] for j in range(k)] for i in range(k)])
        with ctx.workprec(int(DPS * 3.33) + 40):
            t_sub_acb, _ = timed(lambda: acb_mat(block).eig(multiple=True, nonstop=True))
        t_acb, how_acb = t_sub_acb * (n / k) ** 3, "EXTRAPOLATED from %dx%d by n^3" % (k, k)
        sub = mpmath.matrix([[H[i, j] for j in range(k)] for i in range(k)])
        t_sub, _ = timed(symmetric_eigen, sub, DPS, method="mpmath")
        t_eigsy, how = t_sub * (n / k) ** 3, "EXTRAPOLATED from %dx%d (%.1f s) by n^3" % (k, k, t_sub)
    else:
        with ctx.workprec(int(DPS * 3.33) + 40):
            t_acb, _ = timed(lambda: acb_mat(bev.hessian).eig(multiple=True, nonstop=True))
        how_acb = "timed"
        t_eigsy, _ = timed(symmetric_eigen, H, DPS, method="mpmath")
        how = "timed"
    print("    %dx%d: certified_eigh %.2f s (%d steps, max relative width %s, max eigenvector sin-theta bound %s), "
          "acb eig %.1f s (%s), eigsy %.1f s (%s)"
          % (n, n, t_cert, spec.steps, mpmath.nstr(spec.max_relative_width(), 3),
             mpmath.nstr(max(spec.vector_bounds), 3), t_acb, how_acb, t_eigsy, how), flush=True)
    rows.append(("(d) certified spectrum %dx%d" % (n, n), "certified_eigh %.2f s" % t_cert,
                 "mpmath eigsy %.1f s (%s)" % (t_eigsy, how), t_eigsy / t_cert, "target >= 50x"))
    rows.append(("(d) certified spectrum %dx%d" % (n, n), "certified_eigh %.2f s" % t_cert,
                 "acb_mat.eig(multiple=True) %.1f s (%s)" % (t_acb, how_acb), t_acb / t_cert, "target >= 5x"))
    big = 400 if quick else 1000
    with ctx.workprec(400):
        A = arb_mat(_random_symmetric(big))
    t_big, spec_big = timed(certified_eigh, A, DPS)
    t_eigsy_big = t_eigsy * (big / n) ** 3
    print("    %dx%d: certified_eigh %.1f s (%d steps, max relative width %s); eigsy EXTRAPOLATED %.0f s; "
          "load average %.1f" % (big, big, t_big, spec_big.steps, mpmath.nstr(spec_big.max_relative_width(), 3),
                                 t_eigsy_big, os.getloadavg()[0]), flush=True)
    rows.append(("(d) certified spectrum %dx%d" % (big, big), "certified_eigh %.1f s" % t_big,
                 "mpmath eigsy %.0f s (EXTRAPOLATED from %d by n^3)" % (t_eigsy_big, n), t_eigsy_big / t_big,
                 "target: under 180 s (%s)" % (t_big < 180)))


def part_e(rows, quick=False):
    import os
    import subprocess

    from lossgeom.data import read_net_file
    from lossgeom.numeric.evaluate import evaluate_net_file
    print("(e) the whole `lossgeom hessian --dps 50 --certify` on the 166-parameter tanh net vs eigsy alone; "
          "load average %.1f" % os.getloadavg()[0], flush=True)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "examples",
                        "hessian_tanh_5_10_8_2.json")
    cmd = [sys.executable, "-m", "lossgeom", "hessian", path, "--dps", "50", "--certify", "--format", "json"]
    t_cmd, _ = timed(subprocess.run, cmd, check=True, stdout=subprocess.DEVNULL)
    H = evaluate_net_file(read_net_file(path), dps=DPS).hessian
    n = H.rows
    if quick:
        k = n // 2
        t_sub, _ = timed(symmetric_eigen, mpmath.matrix([[H[i, j] for j in range(k)] for i in range(k)]), DPS,
                         method="mpmath")
        t_eigsy, how = t_sub * (n / k) ** 3, "EXTRAPOLATED from %dx%d by n^3" % (k, k)
    else:
        t_eigsy, _ = timed(symmetric_eigen, H, DPS, method="mpmath")
        how = "timed"
    print("    command %.1f s, eigsy alone %.1f s (%s)" % (t_cmd, t_eigsy, how), flush=True)
    rows.append(("(e) hessian --certify P=166", "whole command %.1f s" % t_cmd,
                 "mpmath eigsy alone %.1f s (%s)" % (t_eigsy, how), t_eigsy / t_cmd,
                 "target >= 10x (start-up included)"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="extrapolate mpmath eigsy from a 100x100 block")
    parser.add_argument("--certify-only", action="store_true", help="only parts (d) and (e) (issue 11)")
    parser.add_argument("--hessian-only", action="store_true", help="only part (f), the fast full Hessian (issue 11)")
    args = parser.parse_args(argv)
    rows = []
    t0 = time.perf_counter()
    if args.hessian_only:
        part_f(rows, args.quick)
        _table(rows)
        print("total benchmark time %.0f s" % (time.perf_counter() - t0))
        return 0
    if args.certify_only:
        part_d(rows, args.quick)
        part_e(rows, args.quick)
        _table(rows)
        print("total benchmark time %.0f s" % (time.perf_counter() - t0))
        return 0
    last = part_a(rows)
    part_b(rows)
    net, W, b, X, Y, _ = make_case((4, 10, 10, 4), 4)
    part_c(rows, full_hessian(net, W, b, X, Y, dps=DPS), args.quick)
    part_d(rows, args.quick)
    part_e(rows, args.quick)
    part_f(rows, args.quick)
    _table(rows)
    P, t200 = last[1], last[2]
    print()
    print("targets: P=%d Hessian at dps=50 in %.2f s (< 2 s: %s), %.0fx vs FD (>= 20x: %s); "
          "float64 >= 5x vs autograd: %s" % (P, t200, t200 < 2, last[6] / t200, last[6] / t200 >= 20,
                                            rows[3][3] >= 5))
    print("total benchmark time %.0f s" % (time.perf_counter() - t0))
    return 0


def _table(rows):
    print()
    print("%-30s %-24s %-58s %8s  %s" % ("benchmark", "lossgeom", "baseline", "ratio", "notes"))
    for name, ours, base, ratio, note in rows:
        print("%-30s %-24s %-58s %7.1fx  %s" % (name, ours, base, ratio, note))


# -- issue 11 items 3 and 4: the fast full Hessian -------------------------------------------------------
HESSIAN_NETS = (((10, 30, 20, 1), 10), ((20, 40, 30, 10), 16))   # 971 and 2,380 parameters, tanh, biases


def _today_hessian(net, W, b, X, Y, dps):
    """The full Hessian as the engine computed it before the fast path: every H_l by the Botev recursion,
    the generic kernel _engine.full_hessian (arb products per block for flint), then the public rounding."""
    from lossgeom.numeric import _engine
    from lossgeom.numeric.backends import select_backend
    prob = _engine.prepare(net, W, b, X, Y, None)
    B = select_backend(dps)
    with B.context():
        st = _engine.forward(prob, B)
        _engine.backward(st)
        return B.output(_engine.full_hessian(st, _engine.preactivation_hessians(st)[-1]))


def _jax_and_torch(widths, Xa, Ya, th):
    """(cold, warm, H) for jax.jit(jax.hessian) and (time, H) for torch.func.hessian, or None if absent."""
    out = {}
    try:
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)

        def jloss(t):
            k, a = 0, jnp.asarray(Xa)
            for l in range(len(widths) - 1):
                d, dp = widths[l + 1], widths[l]
                Wl = jnp.reshape(t[k:k + d * dp], (dp, d)).T
                k += d * dp
                h = Wl @ a + jnp.reshape(t[k:k + d], (d, 1))
                k += d
                a = h if l == len(widths) - 2 else jnp.tanh(h)
            return 0.5 * jnp.sum((a - jnp.asarray(Ya)) ** 2)

        f = jax.jit(jax.hessian(jloss))
        tj = jnp.asarray(th)
        cold, H = timed(lambda: f(tj).block_until_ready())
        warm = min(timed(lambda: f(tj).block_until_ready())[0] for _ in range(3))
        out["jax"] = (cold, warm, np.asarray(H))
    except ImportError:
        pass
    try:
        import torch
        from torch.func import hessian as thessian
        torch.set_default_dtype(torch.float64)
        Xt, Yt = torch.tensor(Xa), torch.tensor(Ya)

        def tloss(t):
            k, a = 0, Xt
            for l in range(len(widths) - 1):
                d, dp = widths[l + 1], widths[l]
                Wl = t[k:k + d * dp].reshape(dp, d).T
                k += d * dp
                h = Wl @ a + t[k:k + d].reshape(d, 1)
                k += d
                a = h if l == len(widths) - 2 else torch.tanh(h)
            return 0.5 * torch.sum((a - Yt) ** 2)

        tt = torch.tensor(th)
        thessian(tloss)(tt)
        t_torch = min(timed(lambda: thessian(tloss)(tt))[0] for _ in range(2))
        out["torch"] = (t_torch, thessian(tloss)(tt).numpy())
    except ImportError:
        pass
    return out


def _cpu(fn, *args, **kwargs):
    """((wall seconds, result), CPU seconds of this process): on a shared machine the CPU time is steadier."""
    c = time.process_time()
    out = timed(fn, *args, **kwargs)
    return out, time.process_time() - c


def part_f(rows, quick):
    """Issue 11 items 3-4: the fast full Hessian at dps=50 and in float64 against today's engine, JAX, torch."""
    print("(f) the fast full Hessian: 50 digits (fixed point) and float64 (BLAS-3) vs today's engine, JAX, torch",
          flush=True)
    for widths, m in HESSIAN_NETS:
        net, W, b, X, Y, theta = make_case(widths, m, scale=Fraction(1, 3))
        P = net.n_params
        if quick and P > 1000:
            print("    P=%d dps=50: not timed (--quick)" % P, flush=True)
            t_old = None
        else:
            full_hessian(net, W, b, X, Y, dps=DPS)
            (t_fast, H), cpu = _cpu(full_hessian, net, W, b, X, Y, dps=DPS)
            (t_old, R), cpu_old = _cpu(_today_hessian, net, W, b, X, Y, DPS)
            with mpmath.workdps(70):
                worst = min(agreeing_digits(H[i, j], R[i, j]) for i in range(0, P, 7) for j in range(P))
            how = "agree to %s digits (every 7th row); CPU %.2f s vs %.2f s" % (worst, cpu, cpu_old)
            print("    P=%d dps=50: fast %.2f s, today's engine %.2f s; %s" % (P, t_fast, t_old, how), flush=True)
            rows.append(("(f) Hessian dps=50, P=%d" % P, "fast %.2f s" % t_fast, "today's engine %.2f s" % t_old,
                         t_old / t_fast, how + ("; target < 2 s: %s" % (t_fast < 2) if P < 1000 else "")))
            del H, R
        full_hessian(net, W, b, X, Y, dps="float64")
        t64 = min(timed(full_hessian, net, W, b, X, Y, dps="float64")[0] for _ in range(3))
        H64 = full_hessian(net, W, b, X, Y, dps="float64")
        from lossgeom import resolve_point
        pt = resolve_point(net, W, b, X, Y)   # the exact input parsed once (what a loop over one point does)
        t64p = min(timed(full_hessian, net, pt, dps="float64")[0] for _ in range(5))
        t64_old = min(timed(_today_hessian, net, W, b, X, Y, "float64")[0] for _ in range(3))
        Xa, Ya = np.array(X, dtype=float), np.array(Y, dtype=float)
        th = np.array([float(t) for t in theta])
        base = _jax_and_torch(widths, Xa, Ya, th)
        rows.append(("(f) float64 Hessian, P=%d" % P, "fast %.3f s" % t64, "today's float64 engine %.3f s" % t64_old,
                     t64_old / t64, "public call, exact rational input parsed"))
        if "jax" in base:
            cold, warm, Hj = base["jax"]
            rel = np.max(np.abs(H64 - Hj)) / np.max(np.abs(Hj))
            rows.append(("(f) float64 Hessian, P=%d" % P, "fast %.3f s" % t64, "jax.jit(hessian) warm %.3f s" % warm,
                         warm / t64, "target >= 1x; max rel diff %.1e" % rel))
            rows.append(("(f) float64 Hessian, P=%d" % P, "fast, Point %.3f s" % t64p,
                         "jax.jit(hessian) warm %.3f s" % warm, warm / t64p, "input parsed once (resolve_point)"))
            rows.append(("(f) float64 Hessian, P=%d" % P, "fast %.3f s" % t64, "jax.jit(hessian) cold %.2f s" % cold,
                         cold / t64, "target >= 10x (compile included)"))
        if "torch" in base:
            t_t, Ht = base["torch"]
            rel = np.max(np.abs(H64 - Ht)) / np.max(np.abs(Ht))
            rows.append(("(f) float64 Hessian, P=%d" % P, "fast %.3f s" % t64, "torch.func.hessian %.3f s" % t_t,
                         t_t / t64, "max rel diff %.1e" % rel))
        print("    P=%d float64: fast %.3f s (from a Point %.3f s), today's %.3f s, %s" % (P, t64, t64p, t64_old, ", ".join(
            "%s %s" % (k, ", ".join("%.3f" % x for x in v[:-1])) for k, v in base.items())), flush=True)


if __name__ == "__main__":
    sys.exit(main())
