"""The public surface is pinned: each package's ``__all__`` is exactly the list below, every name in it
resolves, and nothing public is defined in a subpackage module without being re-exported.

Changing the public API means changing this file on purpose.
"""

import importlib
import pkgutil

import pytest

PUBLIC = {
    "lossgeom": {
        "Activation", "ArgumentTypeError", "ClaimDefinitionError", "DataError", "Loss", "LossgeomError", "Net", "NetFile",
        "NetFileError", "NetSpecError", "NonDifferentiableError", "OptionError", "OutputError", "Pattern", "PatternError",
        "Point", "Precision", "Report", "SizeLimitError", "UnknownActivationError", "UnknownClaimError",
        "UnknownLossError", "__version__", "activation_names", "exact_matrix", "get_activation", "get_loss",
        "loss_names", "net_file_from_dict", "parse_activation", "parse_matrix", "parse_number",
        "parse_vector", "parse_widths", "read_net_file", "register_activation", "register_loss",
        "resolve_point", "to_fraction", "unregister_activation",
        "CheckResult", "check_formula",
    },
    "lossgeom.symbolic": {
        "CheckResult", "check_formula",
        "BackwardPass", "CollapsedPathSum", "EXPAND_LIMIT", "general_proof", "claim_scope", "PROOFS", "Equation", "FORMS", "Factorization",
        "ForwardTrace", "HessianRecursion", "KawaguchiAssumptions", "LossgeomLatexPrinter", "MAX_PATHS",
        "MatrixComparison", "PathSum", "PathTerm", "RHO", "SPIN_GLASS_ASSUMPTIONS", "SigmaEigen",
        "SpinGlassForm", "VEC_PROPERTIES", "ZeroDecision", "activation_cells", "bias_symbols", "chain",
        "check_assumptions", "collapsed_latex", "column_space_contains", "commutation_matrix",
        "compare_matrices", "decide_zero", "deep_linear_hessian", "deep_linear_loss", "derive_gauss_newton",
        "derive_gradient", "derive_hessian", "direct_hessian", "direct_layer_block", "expand_path_sum",
        "expected_output", "factor_into_widths", "forward_trace", "full_rank_factorization", "gate_symbol",
        "generalized_inverse", "generic_linear_instance", "generic_matrix", "global_minimum_value",
        "hessian_block", "input_symbols", "is_generalized_inverse", "is_moore_penrose", "iter_net_paths",
        "khatri_rao", "kron", "latex", "lemma1_gradient", "linear_arrays", "linear_data", "linear_widths",
        "minimising_product", "one_sample_pattern", "parameter_symbols", "paths_per_output", "pinv",
        "require_deep_linear", "require_path_activation", "residual", "resolve_inputs",
        "select_columns_form", "sigma_eigen", "sigma_matrix", "spin_glass_form", "symbol", "target_symbols",
        "ShenSystem", "shen_layers", "shen_permutation", "shen_system", "shen_system_exact", "verify_dummy_units",
        "verify_shen_gradient", "verify_hessian_residual", "unit_slopes", "unvec", "verify_bernoulli_expectation", "verify_linear_derivatives",
        "verify_path_sum_identity", "verify_printed_property_3b", "verify_property_5b", "verify_recursion",
        "verify_spin_glass_reduction", "verify_vec_properties", "weight_symbols",
        "Interval", "piece_affine", "pattern_at", "certify_cell_box", "cell_weight_symbols", "cell_forward",
        "generic_affine", "layer_degrees", "path_reparametrisation", "cells_on_line", "cells_on_plane",
        "layer_inequalities",
        "StructuredHessian", "LayerBlock", "structured_hessian", "estimated_terms",
    },
    "lossgeom.numeric": {
        "ActivationPattern", "BACKENDS", "Backend", "BlockVerdict", "CLASSIFICATIONS", "CompiledExpression",
        "CriticalPoint", "CriticalSet", "DescentCertificate", "DescentCurve", "DescentRun", "Enclosure",
        "ExactBackend", "FlintBackend", "Float64Backend", "HessianEvaluation", "HessianSummary", "Inertia",
        "Kink", "MAX_DRAW_EDGES", "MAX_HALVINGS", "MAX_HESSIAN_SIZE", "MAX_SUBSETS", "MpBackend",
        "PathCount", "PointClassification", "PsdVerdict", "STATES", "UnitState", "activation_pattern",
        "active_subgraph", "build_graph", "certified_eigenvalues", "certified_inertia", "classify_point",
        "compile_expression", "count_paths", "critical_report", "curve_polynomial", "descent_certificate",
        "draw_graph", "eigen_residual", "enumerate_critical_points", "evaluate_expression", "evaluate_net",
        "evaluate_net_file", "evaluate_on_net", "exact_capable", "exact_inertia", "exact_rank",
        "find_descent_curve", "find_kinks", "full_hessian", "gradient", "gradient_descent",
        "hessian_inertia", "hvp", "inertia", "is_psd", "iter_path_terms", "iter_paths", "kink_message",
        "ldl_inertia", "linear_gradient", "linear_hessian", "linear_loss", "loss_value", "mark_pattern",
        "node_label", "numeric_rank", "path_label", "psd_verdict", "random_weights", "select_backend",
        "sigma_eigenvectors", "subset_weights", "sum_path_terms", "summarize_net_file", "symbol_values",
        "symmetric_eigen", "symmetric_eigenvalues", "symmetry_defect", "to_dot", "to_mp_matrix", "trace",
        "write_dot", "write_graphml", "ShenRank", "ball_activation", "shen_system_balls", "shen_system_mp",
        "shen_gradient_residual", "rational_rank", "ball_rank", "shen_rank", "shen_verdict",
        "khatri_rao_counterexample", "sylvester_counterexample", "exact_learner",
        "milne_net", "milne_weights", "switches", "switch_output", "milne_loss", "second_derivative", "norm_power_below", "lemma3_holds", "lemma3_ratio", "in_U", "ball_condition", "lemma4_condition", "lemma3_sweep", "chain_instance",
        "residual_jacobian", "ggn_float", "lm_refine", "xor_multistart", "an_ggn", "four_regions", "convergence_ratios", "ggn_exact",
        "LossSlice", "slice_directions", "loss_slice", "slice_work", "draw_slice", "slice_json",
        "SWEEP_ACTIVATIONS", "pl_psd_sweep",
        "MLP", "flow_trajectory", "descent_trajectory", "lemma8_check", "loss_fraction", "entry_fraction", "in_U_float", "convex_from",
        "toy_data", "toy_trial", "toy_experiment", "digits_data", "digits_trial", "digits_experiment", "summarise", "draw_toy", "draw_digits", "TOY", "DIGITS",
        "BallBackend", "BallEvaluation", "ball_evaluate", "ball_evaluate_net_file", "bits_for", "CertifiedSpectrum",
        "certified_eigh", "decimal_outward", "ForcedPiece",
        "certified_rank", "shen_system_fmpq", "CriticalCertificate", "xor_loss_grad_hess", "newton_critical",
        "krawczyk_critical", "plateau_track", "classify_xor_starts", "an_mp", "convergence_order",
    },
    "lossgeom.proofs": {
        "Claim", "Evidence", "Report", "combine", "decide_outcome", "get_claim", "list_claims",
        "register_claim", "source_modules", "verify_claims", "load_claim_module", "load_entry_point_claims",
    },
}


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_all_is_pinned(package):
    module = importlib.import_module(package)
    assert sorted(module.__all__) == sorted(PUBLIC[package])
    assert len(module.__all__) == len(set(module.__all__)), "a name is listed twice"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing


@pytest.mark.parametrize("package", ["lossgeom.symbolic", "lossgeom.numeric"])
def test_every_submodule_name_is_re_exported(package):
    pkg = importlib.import_module(package)
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(package + "." + info.name)
        for name in getattr(module, "__all__", ()):
            if package == "lossgeom.symbolic" and name == "vec":
                continue  # the vec module keeps its name (see lossgeom.symbolic's docstring)
            assert getattr(pkg, name, None) is getattr(module, name), "%s.%s is not re-exported" % (info.name, name)
