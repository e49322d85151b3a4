"""The instance generators and checkers of ``lossgeom sweep`` (registered with
:func:`lossgeom.proofs.sweep.register_generator` on import).

- ``choromanska2015.path-sum``: a random small ReLU / leaky-ReLU net, exact rational weights, biases and
  input; the enumerated gated path sum (lossgeom.numeric.graph) must equal, exactly, the forward pass through
  the true Piecewise activation (lossgeom.symbolic.forward, which knows nothing of paths);
- ``botev2017.pl-hessians-psd``: one (net, point) pair of :func:`lossgeom.numeric.cells.pl_psd_sweep`
  (dyadic weights, so float64 is exact in the forward pass), its per-pair check: Botev's recursion vs
  exact-cell second differences, and H_l, the layer blocks and tr H >= -tol;
- ``kawaguchi2016.lemma1-gradient``: a random deep linear net with exact rational weights and data; the
  Lemma 1 gradient (W_{H+1}...W_{k+1})^T R (W_{k-1}...W_1 X)^T, R = W_{H+1}...W_1 X - Y, of
  L = 1/2 |R|_F^2 must equal, exactly, the central difference (L(w + 1) - L(w - 1)) / 2 in every single
  weight (exact, as L is a quadratic polynomial in any one weight);
- ``botev2017.no-smooth-local-maxima`` (the trace claim): a random piecewise-linear net (relu, leaky ReLU 1/4,
  abs, two-piece 2 / 1/2), exact dyadic weights, integer data, square loss E = 1/2 sum |h_L - y|^2; Botev's
  tr nabla^2 E = sum_samples sum_l |a~_{l-1}|^2 tr G_l (G_l = J_l^T J_l, J_l = dh_L/dh_l, a~ = a with a 1
  appended when there are biases) must equal, exactly, the sum over every weight and bias of the second
  difference E(p + 1) - 2 E(p) + E(p - 1) of the loss of the point's activation cell (the net with each
  unit's slope frozen; exact, as that loss is a quadratic polynomial in any one parameter), and be >= 0.
"""

from fractions import Fraction

from lossgeom.proofs.sweep import register_generator, rng_of

__all__ = []

_PATH_DIST = ("depth 2-3 hidden layers of width 1-3, input width 1-3, one output; ReLU or leaky ReLU (slope "
              "1/4), bias on or off; weights, biases and input k/5 with |k| <= 10 (exact rationals)")
_PSD_DIST = ("numeric.cells.pl_psd_sweep's pairs: activation uniform over relu, leaky_relu (1/4), abs, two_piece "
             "(2, 1/2); depth 2-4, widths 1-3, output 1-2; weights and biases k/4 in [-1, 1], x and y integers "
             "in [-2, 2], square loss; float64 (exact forward pass), tol = precision.tolerance('float64')")
_LIN_DIST = ("deep linear nets, H + 1 = 1-3 layers of width 1-3, 1-3 samples; weights, X and Y k/5 with "
             "|k| <= 10 (exact rationals); L = 1/2 |W_{H+1}...W_1 X - Y|_F^2")


def _q(rng, bound=10, den=5):
    return str(Fraction(rng.randint(-bound, bound), den))


def _gen_path_sum(seed):
    rng = rng_of(seed)
    widths = [rng.randint(1, 3)] + [rng.randint(1, 3) for _ in range(rng.randint(2, 3))] + [1]
    act = rng.choice(("relu", "leaky_relu"))
    bias = rng.random() < 0.5
    W = [[[_q(rng) for _ in range(widths[l])] for _ in range(widths[l + 1])] for l in range(len(widths) - 1)]
    b = [[_q(rng) for _ in range(widths[l + 1])] for l in range(len(widths) - 1)] if bias else None
    x = [_q(rng) for _ in range(widths[0])]
    return {"widths": widths, "activation": act, "bias": bias, "weights": W, "biases": b, "x": x}


def _check_path_sum(inst, dps):
    import sympy as sp

    from lossgeom.net import Net
    from lossgeom.numeric.graph import activation_pattern, build_graph, sum_path_terms
    from lossgeom.symbolic.forward import forward_trace

    spec = {"name": "leaky_relu", "slope": "1/4"} if inst["activation"] == "leaky_relu" else "relu"
    net = Net(widths=tuple(inst["widths"]), activation=spec, bias=inst["bias"])
    W = [[[sp.Rational(v) for v in row] for row in M] for M in inst["weights"]]
    b = None if inst["biases"] is None else [[sp.Rational(v) for v in row] for row in inst["biases"]]
    x = [sp.Rational(v) for v in inst["x"]]
    pat = activation_pattern(net, W, x, b)
    if pat.kinks:
        return {"outcome": "undecided", "evidence": {"reason": "units at a kink: %s" % ", ".join(pat.kinks),
                                                     "residual": None}}
    forward = tuple(forward_trace(net, W, b, x).a[-1])
    paths = sum_path_terms(build_graph(net, W, b), pat)
    if not all(isinstance(v, sp.Rational) for v in forward + tuple(paths)):
        return {"outcome": "undecided", "evidence": {"reason": "a value is not an exact rational", "residual": None}}
    diff = max(abs(f - p) for f, p in zip(forward, paths))
    return {"outcome": "holds" if diff == 0 else "counterexample",
            "evidence": {"forward": [str(v) for v in forward], "path_sum": [str(v) for v in paths],
                         "residual": float(diff), "exact": True}}


def _gen_psd(seed):
    from lossgeom.numeric.cells import SWEEP_ACTIVATIONS, _draw

    rng = rng_of(seed)
    name = rng.choice(sorted(SWEEP_ACTIVATIONS))
    widths, W, b, x, y = _draw(rng)
    return {"activation": name, "widths": widths, "weights": [w.tolist() for w in W],
            "biases": [v.tolist() for v in b], "x": x.tolist(), "y": y.tolist()}


def _check_psd(inst, dps):
    import numpy as np

    from lossgeom.numeric.cells import SWEEP_ACTIVATIONS, _check_pair
    from lossgeom.precision import tolerance

    _, left, right = SWEEP_ACTIVATIONS[inst["activation"]]
    tol = float(tolerance("float64"))
    drawn = (inst["widths"], [np.array(w, dtype=float).reshape(len(w), -1) for w in inst["weights"]],
             [np.array(v, dtype=float) for v in inst["biases"]], np.array(inst["x"], dtype=float),
             np.array(inst["y"], dtype=float))
    outcome, sample, worst = _check_pair(drawn, left, right, tol)
    if outcome == "at_kink":
        return {"outcome": "undecided", "evidence": {"reason": "a pre-activation exactly at the kink",
                                                     "residual": None, "dps": "float64"}}
    if outcome == "oracle_mismatch":
        return {"outcome": "undecided", "evidence": {"reason": "recursion and second differences disagree",
                                                     "residual": None, "dps": "float64"}}
    return {"outcome": "holds" if outcome == "psd" else "counterexample",
            "evidence": {"min_eigenvalue": worst, "trace": sample[-1], "tol": tol,
                         "residual": max(0.0, -worst, -sample[-1]), "dps": "float64"}}


def _gen_linear(seed):
    rng = rng_of(seed)
    widths = [rng.randint(1, 3) for _ in range(rng.randint(2, 4))]
    m = rng.randint(1, 3)
    W = [[[_q(rng) for _ in range(widths[l])] for _ in range(widths[l + 1])] for l in range(len(widths) - 1)]
    X = [[_q(rng) for _ in range(m)] for _ in range(widths[0])]
    Y = [[_q(rng) for _ in range(m)] for _ in range(widths[-1])]
    return {"widths": widths, "weights": W, "X": X, "Y": Y}


def _mul(A, B):
    return [[sum((a * B[k][j] for k, a in enumerate(row)), Fraction(0)) for j in range(len(B[0]))] for row in A]


def _tr(A):
    return [list(c) for c in zip(*A)]


def _eye(n):
    return [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]


def _chain(Ws, n):
    P = _eye(n)
    for M in Ws:
        P = _mul(M, P)
    return P


def _loss(Ws, X, Y):
    R = _mul(_chain(Ws, len(X)), X)
    return sum(((r - y) ** 2 for rr, yy in zip(R, Y) for r, y in zip(rr, yy)), Fraction(0)) / 2


def _check_linear(inst, dps):
    Ws = [[[Fraction(v) for v in row] for row in M] for M in inst["weights"]]
    X = [[Fraction(v) for v in row] for row in inst["X"]]
    Y = [[Fraction(v) for v in row] for row in inst["Y"]]
    R = [[a - y for a, y in zip(ra, ry)] for ra, ry in zip(_mul(_chain(Ws, len(X)), X), Y)]
    worst = Fraction(0)
    for k, M in enumerate(Ws):
        above = _chain(Ws[k + 1:], len(M))            # W_{H+1} ... W_{k+1}
        below = _mul(_chain(Ws[:k], len(X)), X)       # W_{k-1} ... W_1 X
        G = _mul(_mul(_tr(above), R), _tr(below))     # Lemma 1, matrix form
        for i, row in enumerate(M):
            for j, w in enumerate(row):
                row[j] = w + 1
                up = _loss(Ws, X, Y)
                row[j] = w - 1
                down = _loss(Ws, X, Y)
                row[j] = w
                worst = max(worst, abs((up - down) / 2 - G[i][j]))
    return {"outcome": "holds" if worst == 0 else "counterexample",
            "evidence": {"residual": float(worst), "exact": True, "layers": len(Ws)}}


_TRACE_DIST = ("piecewise-linear nets: activation uniform over relu, leaky_relu (1/4), abs, two_piece (2, 1/2); "
               "input width 1-3, 1-3 hidden layers of width 1-3, output width 1-2, bias on or off; weights k/4 "
               "with 1 <= |k| <= 4, biases odd k/8 with |k| <= 7, 1-3 samples, x integers with 1 <= |x| <= 4, "
               "y integers in [-2, 2] (exact rationals); "
               "square loss 1/2 sum |h_L - y|^2; inside the point's activation cell")
#: name -> (left slope, right slope) at the kink 0, exact (lossgeom.numeric.cells.SWEEP_ACTIVATIONS's slopes)
_SLOPES = {"relu": (Fraction(0), Fraction(1)), "leaky_relu": (Fraction(1, 4), Fraction(1)),
           "abs": (Fraction(-1), Fraction(1)), "two_piece": (Fraction(1, 2), Fraction(2))}


def _gen_trace(seed):
    rng = rng_of(seed)
    name = rng.choice(sorted(_SLOPES))
    widths = [rng.randint(1, 3)] + [rng.randint(1, 3) for _ in range(rng.randint(1, 3))] + [rng.randint(1, 2)]
    bias, m = rng.random() < 0.5, rng.randint(1, 3)
    nz = lambda den: str(Fraction(rng.choice((-1, 1)) * rng.randint(1, 4), den))  # noqa: E731
    W = [[[nz(4) for _ in range(widths[l])] for _ in range(widths[l + 1])] for l in range(len(widths) - 1)]
    b = [[str(Fraction(rng.choice((-7, -5, -3, -1, 1, 3, 5, 7)), 8)) for _ in range(widths[l + 1])]
         for l in range(len(widths) - 1)] if bias else None
    X = [[nz(1) for _ in range(m)] for _ in range(widths[0])]
    Y = [[str(rng.randint(-2, 2)) for _ in range(m)] for _ in range(widths[-1])]
    return {"activation": name, "widths": widths, "bias": bias, "weights": W, "biases": b, "X": X, "Y": Y}


def _cell_pass(Ws, bs, x, slopes, pair=None):
    """(activations a_0..a_{L-1}, h_L, slopes) of one sample: each unit's slope from ``slopes``, or (when it is
    None) read off the sign of its pre-activation with ``pair`` = (left, right) slopes, None at the kink 0."""
    acts, a, used = [x], x, []
    for l, M in enumerate(Ws):
        h = [sum((w * v for w, v in zip(row, a)), Fraction(0)) + (bs[l][i] if bs else 0) for i, row in enumerate(M)]
        if l == len(Ws) - 1:
            return acts, h, used
        s = slopes[l] if slopes is not None else [None if v == 0 else pair[v > 0] for v in h]
        used.append(s)
        a = h if None in s else [si * v for si, v in zip(s, h)]
        acts.append(a)


def _cell_tail(Ws, bs, l, h, slopes, y):
    """1/2 |h_L - y|^2 of the cell's net continued from the pre-activation ``h`` of layer l (0-based)."""
    for k in range(l + 1, len(Ws)):
        a = [si * v for si, v in zip(slopes[k - 1], h)]
        h = [sum((w * v for w, v in zip(row, a)), Fraction(0)) + (bs[k][i] if bs else 0) for i, row in enumerate(Ws[k])]
    return sum(((v - t) ** 2 for v, t in zip(h, y)), Fraction(0)) / 2


def _second_differences(Ws, bs, cols, ys, pattern):
    """sum over every weight and bias p of E(p + 1) - 2 E(p) + E(p - 1), E the cell's loss: moving p by +-1
    moves one pre-activation h_l[i] by +-a_{l-1}[j] (a weight) or +-1 (a bias); the rest is a forward pass."""
    total = Fraction(0)
    for x, y, s in zip(cols, ys, pattern):
        acts, hL, _ = _cell_pass(Ws, bs, x, s)
        hs = [[sum((w * v for w, v in zip(row, acts[l])), Fraction(0)) + (bs[l][i] if bs else 0)
               for i, row in enumerate(M)] for l, M in enumerate(Ws)]
        e0 = _cell_tail(Ws, bs, len(Ws) - 1, hL, s, y)
        for l, M in enumerate(Ws):
            for i in range(len(M)):
                for step in list(acts[l]) + ([Fraction(1)] if bs else []):
                    for sign in (1, -1):
                        h = list(hs[l])
                        h[i] += sign * step
                        total += _cell_tail(Ws, bs, l, h, s, y)
                    total -= 2 * e0
    return total


def _trace_formula(Ws, bs, cols, pattern):
    """sum over samples and layers of |a~_{l-1}|^2 |J_l|_F^2, J_l = W_L D_{L-1} ... W_{l+1} D_l (J_L = I)."""
    total = Fraction(0)
    for x, s in zip(cols, pattern):
        acts = _cell_pass(Ws, bs, x, s)[0]
        J = _eye(len(Ws[-1]))
        for l in range(len(Ws) - 1, -1, -1):
            a2 = sum((v * v for v in acts[l]), Fraction(0)) + (1 if bs else 0)
            total += a2 * sum((v * v for row in J for v in row), Fraction(0))
            if l:
                J = [[sum((r[k] * Ws[l][k][j] for k in range(len(r))), Fraction(0)) * s[l - 1][j]
                      for j in range(len(Ws[l][0]))] for r in J]
    return total


def _check_trace(inst, dps):
    Ws = [[[Fraction(v) for v in row] for row in M] for M in inst["weights"]]
    bs = None if inst["biases"] is None else [[Fraction(v) for v in row] for row in inst["biases"]]
    cols = [list(c) for c in zip(*([Fraction(v) for v in row] for row in inst["X"]))]
    ys = [list(c) for c in zip(*([Fraction(v) for v in row] for row in inst["Y"]))]
    pattern = [_cell_pass(Ws, bs, x, None, _SLOPES[inst["activation"]])[2] for x in cols]
    if any(None in s for p in pattern for s in p):
        return {"outcome": "undecided", "evidence": {"reason": "a pre-activation exactly at the kink 0",
                                                     "residual": None}}
    second = _second_differences(Ws, bs, cols, ys, pattern)
    formula = _trace_formula(Ws, bs, cols, pattern)
    ok = second == formula and second >= 0
    return {"outcome": "holds" if ok else "counterexample",
            "evidence": {"trace": str(second), "formula": str(formula), "residual": float(abs(second - formula)),
                         "exact": True, "samples": len(cols)}}


register_generator("choromanska2015.path-sum", _check_path_sum, _PATH_DIST)(_gen_path_sum)
register_generator("botev2017.pl-hessians-psd", _check_psd, _PSD_DIST)(_gen_psd)
register_generator("kawaguchi2016.lemma1-gradient", _check_linear, _LIN_DIST)(_gen_linear)
register_generator("botev2017.no-smooth-local-maxima", _check_trace, _TRACE_DIST)(_gen_trace)
