"""Symbolic Hessian: ``sympy.hessian`` of the composed loss vs the Botev recursion's layer blocks.

Prints, in one run, for tanh nets (square loss, no biases):

* ``sympy.hessian``: the full Hessian of the composed loss expression (no simplify), the baseline;
* ``direct diag``: SymPy differentiation restricted to the diagonal layer blocks (what the recursion
  produces), for a like-for-like comparison;
* ``recursion``: :func:`derive_hessian` from scratch (cache cleared) plus every layer block in the
  named form, the library's default representation;
* ``rec. expanded``: the same blocks with every named quantity expanded into the weights
  (the same expression objects SymPy's differentiation returns).

and the ratios.  Then the layer blocks of a tanh net with about 1,000 parameters (target < 10 s).

Run: ``python benchmarks/bench_symbolic_hessian.py`` (a few minutes; add ``--quick`` to skip 4-5-5-3).
"""

import sys
import time

import sympy as sp

from lossgeom import Net
from lossgeom.symbolic import hessian as hs
from lossgeom.symbolic.forward import forward_trace, parameter_symbols

NETS = [(2, 3, 1), (3, 4, 2), (3, 4, 4, 2), (4, 5, 5, 3)]


def timed(func):
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def recursion_blocks(net, expand=False):
    hs._derive.cache_clear()
    rec = hs.derive_hessian(net)
    return [rec.layer_block(l, expand=expand, force=True) for l in range(1, net.depth + 1)]


def main(argv):
    nets = NETS[:-1] if "--quick" in argv else NETS
    print("Symbolic Hessian of tanh nets, square loss, one sample (times in seconds)")
    print("%-10s %6s %13s %12s %11s %14s %14s %16s" % ("widths", "params", "sympy.hessian", "direct diag",
                                                      "recursion", "rec. expanded", "ratio (named)",
                                                      "ratio (expanded)"))
    for widths in nets:
        net = Net(widths=widths, activation="tanh")
        E = forward_trace(net).loss()
        t_full, _ = timed(lambda: sp.hessian(E, parameter_symbols(net)))
        t_diag, _ = timed(lambda: [hs.direct_layer_block(net, l) for l in range(1, net.depth + 1)])
        t_rec, _ = timed(lambda: recursion_blocks(net))
        t_exp, _ = timed(lambda: recursion_blocks(net, expand=True))
        print("%-10s %6d %13.3f %12.3f %11.4f %14.4f %13.0fx %15.1fx" % (
            "-".join(map(str, widths)), net.n_params, t_full, t_diag, t_rec, t_exp, t_full / t_rec,
            t_full / t_exp), flush=True)
    print("ratio (named) = sympy.hessian / recursion; ratio (expanded) = sympy.hessian / rec. expanded.")
    print("Target: >= 100x at 3-4-4-2.")
    print()
    big = Net(widths=(10, 30, 20, 1), activation="tanh", bias=True)
    t_big, blocks = timed(lambda: recursion_blocks(big))
    print("Layer blocks of %s: %d parameters, blocks %s, %.3f s (target < 10 s)"
          % (big, big.n_params, "+".join("%dx%d" % b.shape for b in blocks), t_big))


if __name__ == "__main__":
    main(sys.argv[1:])
