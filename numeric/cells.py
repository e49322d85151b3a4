"""Botev's PSD and trace claims for piecewise-linear nets at scale: a seeded float64 sweep over random
(net, point) pairs, with an independent second-difference oracle and the engine on a subsample.

Weights are multiples of 1/4 in [-1, 1], inputs and targets small integers and the slopes dyadic, so every
forward pass is exact in float64: a pre-activation at a kink is detected exactly (h == kink), reported and
counted, never skipped silently.
"""

import random

import numpy as np

from lossgeom.checks import check_int
from lossgeom.net import Net
from lossgeom.precision import tolerance

__all__ = ["SWEEP_ACTIVATIONS", "pl_psd_sweep"]

#: name -> (lossgeom activation spec, left slope, right slope); kink at 0, all slopes dyadic
SWEEP_ACTIVATIONS = {
    "relu": ("relu", 0.0, 1.0),
    "leaky_relu": ({"name": "leaky_relu", "slope": "1/4"}, 0.25, 1.0),
    "abs": ("abs", -1.0, 1.0),
    "two_piece": ({"name": "two_piece", "s_plus": "2", "s_minus": "1/2"}, 0.5, 2.0),
}


def _draw(rng):
    depth = rng.choice((2, 3, 4))
    widths = [rng.randint(1, 3) for _ in range(depth)] + [rng.randint(1, 2)]
    q = lambda: rng.randint(-4, 4) / 4  # noqa: E731
    W = [np.array([[q() for _ in range(widths[l - 1])] for _ in range(widths[l])]) for l in range(1, len(widths))]
    b = [np.array([q() for _ in range(widths[l])]) for l in range(1, len(widths))]
    x = np.array([float(rng.randint(-2, 2)) for _ in range(widths[0])])
    y = np.array([float(rng.randint(-2, 2)) for _ in range(widths[-1])])
    return widths, W, b, x, y


def _forward(W, b, x, left, right, start=None, h_start=None):
    """(pre-activations, activations) from layer ``start`` (h_start given) or from the input."""
    hs, acts = [], [x]
    first = 0 if start is None else start
    a = x
    for l in range(first, len(W)):
        h = h_start if (start is not None and l == start) else W[l] @ a + b[l]
        hs.append(h)
        a = h if l == len(W) - 1 else np.where(h > 0, right * h, left * h)
        acts.append(a)
    return hs, acts


def _recursion(W, hs, left, right):
    """Botev's pre-activation Hessians H_l = B_l W_{l+1}^T H_{l+1} W_{l+1} B_l (D_l = 0), square loss H_L = I."""
    H = np.eye(W[-1].shape[0])
    out = [H]
    for l in range(len(W) - 2, -1, -1):
        B = np.diag(np.where(hs[l] > 0, right, left))
        H = B @ W[l + 1].T @ H @ W[l + 1] @ B
        out.append(H)
    return out[::-1]


def _second_differences(W, b, hs, y, l, left, right):
    """d2E/dh_l^2 by exact second differences of E(h_l + d) (E is quadratic in h_l inside the cell)."""
    h0, n = hs[l], len(hs[l])
    scale = min([np.min(np.abs(h)) for h in hs[:-1]] + [1.0])
    step = scale / 8
    pattern = [h > 0 for h in hs[:-1]]

    def E(d):
        hh, acts = _forward(W, b, None, left, right, start=l, h_start=h0 + d)
        if any((h > 0).tolist() != p.tolist() for h, p in zip(hh[:-1], pattern[l:])):
            return None
        return 0.5 * float(np.sum((acts[-1] - y) ** 2))

    e = np.eye(n) * step
    base = E(np.zeros(n))
    H = np.empty((n, n))
    for j in range(n):
        for k in range(j, n):
            vals = [E(e[j] + e[k]), E(e[j]), E(e[k])]
            if None in vals:
                return None
            H[j, k] = H[k, j] = (vals[0] - vals[1] - vals[2] + base) / step ** 2
    return H


def _one(rng, left, right, tol):
    return _check_pair(_draw(rng), left, right, tol)[:2]


def _check_pair(drawn, left, right, tol):
    """(outcome, sample, worst): one drawn (widths, W, b, x, y) checked; ``worst`` the smallest eigenvalue
    met (None at a kink); used by :func:`pl_psd_sweep` and by ``lossgeom sweep`` (lossgeom.proofs.sweep)."""
    widths, W, b, x, y = drawn
    hs, acts = _forward(W, b, x, left, right)
    if any(np.any(h == 0) for h in hs[:-1]):
        return "at_kink", None, None
    Hs = _recursion(W, hs, left, right)
    trace, worst, agree = 0.0, np.inf, True
    for l, H in enumerate(Hs[:-1]):
        oracle = _second_differences(W, b, hs, y, l, left, right)
        agree = agree and oracle is not None and np.allclose(oracle, H, rtol=0, atol=tol * max(1.0, np.max(np.abs(H))))
    for l, H in enumerate(Hs):
        at = np.append(acts[l], 1.0)
        block = np.kron(np.outer(at, at), H)
        worst = min(worst, float(np.min(np.linalg.eigvalsh(H))), float(np.min(np.linalg.eigvalsh(block))))
        trace += float(at @ at) * float(np.trace(H))
    psd = worst >= -tol and trace >= -tol
    outcome = ("psd" if psd else "violation") if agree else "oracle_mismatch"
    return outcome, (widths, W, b, x, y, trace), worst


def _engine_check(spec, sample, tol):
    from lossgeom.numeric.evaluate import full_hessian
    widths, W, b, x, y, trace = sample
    net = Net(widths=tuple(widths), activation=spec, bias=True)
    H = full_hessian(net, [w.tolist() for w in W], [v.tolist() for v in b], [[v] for v in x], [[v] for v in y],
                     dps="float64")
    H = np.array(H, dtype=float)
    return abs(float(np.trace(H)) - trace) <= tol * max(1.0, abs(trace))


def pl_psd_sweep(n=1000, seed=0, engine_every=50):
    """Check Botev's PL claims on ``n`` seeded random (net, point) pairs per activation (float64).

    For each pair (depth 2-4, widths 1-3, output width 1-2, biases, one datapoint, square loss
    1/2 |y^ - y|^2): every pre-activation Hessian H_l by Botev's recursion (D_l = 0) must agree with
    exact-cell second differences of the loss in h_l (an oracle that only runs forward passes), H_l and
    the layer block (a~ a~^T) kron H_l must be PSD (smallest eigenvalue >= -tol) and
    tr H = sum_l |a~_{l-1}|^2 tr H_l >= -tol; every ``engine_every``-th pair the trace is compared with
    the trace of lossgeom's engine Hessian.  tol = lossgeom.precision.tolerance("float64").

    Returns
    -------
    dict
        activation -> {"pairs", "psd", "at_kink", "violation", "oracle_mismatch", "engine_checked",
        "engine_mismatch"}.

    Examples
    --------
    >>> out = pl_psd_sweep(n=20, seed=1, engine_every=10)
    >>> sorted(out), out["relu"]["pairs"], out["relu"]["violation"], out["relu"]["oracle_mismatch"]
    (['abs', 'leaky_relu', 'relu', 'two_piece'], 20, 0, 0)
    >>> all(v["psd"] + v["at_kink"] == 20 for v in out.values())
    True
    """
    n = check_int(n, "n", 1, 100000)
    seed = check_int(seed, "seed", 0)
    engine_every = check_int(engine_every, "engine_every", 1)
    tol = float(tolerance("float64"))
    out = {}
    for name, (spec, left, right) in SWEEP_ACTIVATIONS.items():
        rng = random.Random("%d-%s" % (seed, name))
        counts = dict.fromkeys(("psd", "at_kink", "violation", "oracle_mismatch", "engine_checked",
                                "engine_mismatch"), 0)
        counts["pairs"] = n
        for i in range(n):
            outcome, sample = _one(rng, left, right, tol)
            counts[outcome] += 1
            if sample is not None and i % engine_every == 0:
                counts["engine_checked"] += 1
                counts["engine_mismatch"] += 0 if _engine_check(spec, sample, tol) else 1
        out[name] = counts
    return out
