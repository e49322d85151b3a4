"""lossgeom.symbolic: exact SymPy derivations (no numerics).

The forward trace, backpropagation and the Botev et al. Hessian recursion, its
Gauss-Newton form, the direct reference Hessian, and the proof that they agree.
"""

from .forward import ForwardTrace, forward_trace, parameter_symbols
from .hessian import (BackwardPass, Equation, HessianRecursion, decide_zero, derive_gauss_newton, derive_gradient,
                      derive_hessian, direct_hessian, direct_layer_block, verify_recursion)
from .latex import LossgeomLatexPrinter, latex

__all__ = ["ForwardTrace", "forward_trace", "parameter_symbols",
           "BackwardPass", "Equation", "HessianRecursion", "decide_zero", "derive_gauss_newton", "derive_gradient",
           "derive_hessian", "direct_hessian", "direct_layer_block", "verify_recursion",
           "LossgeomLatexPrinter", "latex"]
