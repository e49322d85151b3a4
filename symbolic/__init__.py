"""lossgeom.symbolic: exact SymPy derivations (no numerics).

The forward trace and its activation cells (``forward``); backpropagation, the Botev et al.
Hessian recursion, its Gauss-Newton form and the direct reference Hessian (``hessian``); the exact
zero-decision procedure (``decide``) and the proof that recursion and reference agree
(``verify``); path sums and the spin-glass form (``paths``); deep linear nets (``linear``) and
which matrices factor into given widths (``factorization``);
vec/Kronecker identities (``vec``); proofs for every width and depth (``general_proofs``, on the
index calculus of ``general``); the LaTeX printer (``latex``); the layer blocks in structured form (``structured``:
:func:`structured_hessian`, Kronecker factors over shared subexpressions, for nets of 10^4 parameters); and the check of a user's own
derivation against these (``check``: :func:`check_formula`, also ``lossgeom.check_formula``).  Every public name of those
modules is re-exported here explicitly.

``lossgeom.symbolic.latex`` is the printing function (as ``sympy.latex``); the printer module is
``lossgeom.symbolic.latex`` in ``sys.modules``.  The ``vec`` function is not re-exported, so
``lossgeom.symbolic.vec`` stays the module (use ``lossgeom.symbolic.vec.vec``).
"""

from .cells import (
    Interval,
    cell_forward,
    cell_weight_symbols,
    cells_on_line,
    cells_on_plane,
    certify_cell_box,
    generic_affine,
    layer_degrees,
    layer_inequalities,
    path_reparametrisation,
    pattern_at,
    piece_affine,
)
from .check import CheckResult, check_formula
from .decide import (
    MatrixComparison,
    ZeroDecision,
    compare_matrices,
    decide_zero,
)
from .factorization import (
    Factorization,
    factor_into_widths,
)
from .forward import (
    ForwardTrace,
    activation_cells,
    bias_symbols,
    forward_trace,
    input_symbols,
    one_sample_pattern,
    parameter_symbols,
    resolve_inputs,
    symbol,
    target_symbols,
    weight_symbols,
)
from .general_proofs import PROOFS, claim_scope, general_proof
from .hessian import (
    EXPAND_LIMIT,
    BackwardPass,
    Equation,
    HessianRecursion,
    derive_gauss_newton,
    derive_gradient,
    derive_hessian,
    direct_hessian,
    direct_layer_block,
)
from .latex import (
    LossgeomLatexPrinter,
    latex,
)
from .linear import (
    FORMS,
    KawaguchiAssumptions,
    SigmaEigen,
    chain,
    check_assumptions,
    deep_linear_hessian,
    deep_linear_loss,
    generic_linear_instance,
    global_minimum_value,
    hessian_block,
    lemma1_gradient,
    linear_arrays,
    linear_data,
    linear_widths,
    minimising_product,
    require_deep_linear,
    residual,
    sigma_eigen,
    sigma_matrix,
    verify_linear_derivatives,
)
from .paths import (
    MAX_PATHS,
    RHO,
    CollapsedPathSum,
    PathSum,
    PathTerm,
    collapsed_latex,
    expand_path_sum,
    expected_output,
    gate_symbol,
    iter_net_paths,
    paths_per_output,
    require_path_activation,
    unit_slopes,
    verify_bernoulli_expectation,
    verify_path_sum_identity,
)
from .shen import (
    ShenSystem,
    shen_layers,
    shen_permutation,
    shen_system,
    shen_system_exact,
    verify_dummy_units,
    verify_hessian_residual,
    verify_shen_gradient,
)
from .spin_glass import (
    SPIN_GLASS_ASSUMPTIONS,
    SpinGlassForm,
    spin_glass_form,
    verify_spin_glass_reduction,
)
from .structured import (
    LayerBlock,
    StructuredHessian,
    estimated_terms,
    structured_hessian,
)
from .vec import (
    VEC_PROPERTIES,
    column_space_contains,
    commutation_matrix,
    full_rank_factorization,
    generalized_inverse,
    generic_matrix,
    is_generalized_inverse,
    is_moore_penrose,
    khatri_rao,
    kron,
    pinv,
    select_columns_form,
    unvec,
    verify_printed_property_3b,
    verify_property_5b,
    verify_vec_properties,
)
from .verify import (
    verify_recursion,
)

__all__ = [
    # check (lossgeom check: a user's own derivation)
    "check_formula", "CheckResult",
    # forward
    "symbol", "weight_symbols", "bias_symbols", "input_symbols", "target_symbols", "parameter_symbols",
    "ForwardTrace", "forward_trace", "resolve_inputs", "one_sample_pattern", "activation_cells",
    # hessian
    "Equation", "BackwardPass", "HessianRecursion", "derive_gradient", "derive_hessian", "derive_gauss_newton",
    "direct_hessian", "direct_layer_block", "EXPAND_LIMIT",
    # decide
    "ZeroDecision", "decide_zero", "MatrixComparison", "compare_matrices",
    # verify
    "verify_recursion",
    # general_proofs
    "general_proof", "claim_scope", "PROOFS",
    # paths
    "PathTerm", "PathSum", "CollapsedPathSum", "paths_per_output", "iter_net_paths", "gate_symbol",
    "collapsed_latex", "unit_slopes", "require_path_activation", "expand_path_sum", "expected_output",
    "verify_path_sum_identity", "verify_bernoulli_expectation", "MAX_PATHS", "RHO",
    # spin_glass
    "SpinGlassForm", "spin_glass_form", "verify_spin_glass_reduction", "SPIN_GLASS_ASSUMPTIONS",
    # linear
    "require_deep_linear", "linear_arrays", "linear_data", "chain", "linear_widths", "deep_linear_loss", "residual",
    "lemma1_gradient", "hessian_block", "deep_linear_hessian", "generic_linear_instance",
    "verify_linear_derivatives", "sigma_matrix", "KawaguchiAssumptions", "check_assumptions", "SigmaEigen",
    "sigma_eigen", "global_minimum_value", "minimising_product", "Factorization", "factor_into_widths", "FORMS",
    # vec
    "unvec", "commutation_matrix", "kron", "khatri_rao", "generic_matrix", "full_rank_factorization", "pinv",
    "generalized_inverse", "is_generalized_inverse", "is_moore_penrose", "column_space_contains",
    "select_columns_form", "verify_vec_properties", "verify_printed_property_3b", "verify_property_5b",
    "VEC_PROPERTIES",
    # latex
    "LossgeomLatexPrinter", "latex",
    # shen
    "ShenSystem", "shen_layers", "shen_permutation", "shen_system", "shen_system_exact", "verify_dummy_units", "verify_shen_gradient", "verify_hessian_residual",
    # cells
    "Interval", "piece_affine", "pattern_at", "certify_cell_box", "cell_weight_symbols", "cell_forward",
    "generic_affine", "layer_degrees", "path_reparametrisation", "cells_on_line", "cells_on_plane",
    "layer_inequalities",
    # structured (layer blocks as Kronecker factors over shared subexpressions, 10^4 parameters)
    "StructuredHessian", "LayerBlock", "structured_hessian", "estimated_terms",
]
