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
  weight (exact, as L is a quadratic polynomial in any one weight).
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


register_generator("choromanska2015.path-sum", _check_path_sum, _PATH_DIST)(_gen_path_sum)
register_generator("botev2017.pl-hessians-psd", _check_psd, _PSD_DIST)(_gen_psd)
register_generator("kawaguchi2016.lemma1-gradient", _check_linear, _LIN_DIST)(_gen_linear)
