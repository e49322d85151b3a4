"""lossgeom.numeric: evaluation at a chosen precision (mpmath, default 50 digits), in float64 or exactly.

Backends behind one interface (``backends``); the evaluation engine: loss, gradient, Botev blocks,
full Hessian and Hessian-vector products (``evaluate``); the Hessian's summary (``summary``); the
numeric hand-off of symbolic results (``bridge``); eigenvalues, inertia, rank and certified
enclosures (``spectrum``), inertia by LDL^T (``ldl``); the activation-path graph (``graph``) and its export (``graph_io``);
deep linear nets: loss and derivatives (``linear``), critical points (``critical``) and optimisers
(``optimise``); ball-arithmetic evaluation (``ball``) and the certified symmetric eigen-solver
(``certified_eig``).  Every public name of those modules is re-exported here explicitly.
"""

from .backends import (
    BACKENDS,
    Backend,
    ExactBackend,
    FlintBackend,
    Float64Backend,
    MpBackend,
    exact_capable,
    select_backend,
)
from .ball import BallBackend, BallEvaluation, ball_evaluate, ball_evaluate_net_file, bits_for
from .bridge import (
    CompiledExpression,
    compile_expression,
    evaluate_expression,
    evaluate_on_net,
    symbol_values,
)
from .cells import SWEEP_ACTIVATIONS, pl_psd_sweep
from .certified_eig import CertifiedSpectrum, certified_eigh, decimal_outward
from .critical import (
    CLASSIFICATIONS,
    MAX_HESSIAN_SIZE,
    MAX_SUBSETS,
    CriticalPoint,
    CriticalSet,
    PointClassification,
    classify_point,
    critical_report,
    enumerate_critical_points,
    hessian_inertia,
    sigma_eigenvectors,
    subset_weights,
)
from .evaluate import (
    ForcedPiece,
    HessianEvaluation,
    Kink,
    evaluate_net,
    evaluate_net_file,
    find_kinks,
    full_hessian,
    gradient,
    hvp,
    kink_message,
    loss_value,
)
from .graph import (
    STATES,
    ActivationPattern,
    PathCount,
    UnitState,
    activation_pattern,
    active_subgraph,
    build_graph,
    count_paths,
    iter_path_terms,
    iter_paths,
    mark_pattern,
    node_label,
    path_label,
    sum_path_terms,
)
from .graph_io import (
    MAX_DRAW_EDGES,
    draw_graph,
    to_dot,
    write_dot,
    write_graphml,
)
from .landscape import LossSlice, draw_slice, loss_slice, slice_directions, slice_json, slice_work
from .ldl import ldl_inertia
from .linear import (
    DescentCertificate,
    DescentCurve,
    curve_polynomial,
    descent_certificate,
    find_descent_curve,
    linear_gradient,
    linear_hessian,
    linear_loss,
)
from .milne import (
    ball_condition,
    chain_instance,
    in_U,
    lemma3_holds,
    lemma3_ratio,
    lemma3_sweep,
    lemma4_condition,
    milne_loss,
    milne_net,
    milne_weights,
    norm_power_below,
    second_derivative,
    switch_output,
    switches,
)
from .milne_experiments import (
    DIGITS,
    TOY,
    digits_data,
    digits_experiment,
    digits_trial,
    draw_digits,
    draw_toy,
    summarise,
    toy_data,
    toy_experiment,
    toy_trial,
)
from .milne_flow import (
    MLP,
    convex_from,
    descent_trajectory,
    entry_fraction,
    flow_trajectory,
    in_U_float,
    lemma8_check,
    loss_fraction,
)
from .optimise import (
    MAX_HALVINGS,
    DescentRun,
    gradient_descent,
    random_weights,
)
from .shen import (
    ShenRank,
    ball_activation,
    ball_rank,
    certified_rank,
    exact_learner,
    khatri_rao_counterexample,
    rational_rank,
    shen_gradient_residual,
    shen_rank,
    shen_system_balls,
    shen_system_fmpq,
    shen_system_mp,
    shen_verdict,
    sylvester_counterexample,
)
from .shen_certify import (
    CriticalCertificate,
    an_mp,
    classify_xor_starts,
    convergence_order,
    krawczyk_critical,
    newton_critical,
    plateau_track,
    xor_loss_grad_hess,
)
from .shen_newton import (
    an_ggn,
    convergence_ratios,
    four_regions,
    ggn_exact,
    ggn_float,
    lm_refine,
    residual_jacobian,
    xor_multistart,
)
from .spectrum import (
    Enclosure,
    Inertia,
    PsdVerdict,
    certified_eigenvalues,
    certified_inertia,
    eigen_residual,
    exact_inertia,
    exact_rank,
    inertia,
    is_psd,
    numeric_rank,
    psd_verdict,
    symmetric_eigen,
    symmetric_eigenvalues,
    symmetry_defect,
    to_mp_matrix,
    trace,
)
from .summary import (
    BlockVerdict,
    HessianSummary,
    summarize_net_file,
)

__all__ = [
    # backends
    "Backend", "Float64Backend", "MpBackend", "FlintBackend", "ExactBackend", "BACKENDS", "select_backend",
    "exact_capable",
    # evaluate
    "Kink", "HessianEvaluation", "evaluate_net", "evaluate_net_file", "loss_value", "gradient", "full_hessian",
    "hvp", "find_kinks", "kink_message",
    # summary
    "BlockVerdict", "HessianSummary", "summarize_net_file",
    # bridge
    "CompiledExpression", "compile_expression", "symbol_values", "evaluate_expression", "evaluate_on_net",
    # spectrum
    "Inertia", "to_mp_matrix", "symmetric_eigen", "symmetric_eigenvalues", "inertia", "ldl_inertia", "is_psd",
    "numeric_rank", "exact_rank", "symmetry_defect", "trace", "Enclosure", "certified_eigenvalues",
    "certified_inertia", "exact_inertia", "PsdVerdict", "psd_verdict", "eigen_residual",
    # graph
    "STATES", "UnitState", "ActivationPattern", "PathCount", "build_graph", "activation_pattern", "mark_pattern",
    "active_subgraph", "count_paths", "iter_paths", "iter_path_terms", "sum_path_terms", "node_label", "path_label",
    # graph_io
    "to_dot", "write_dot", "write_graphml", "draw_graph", "MAX_DRAW_EDGES",
    # critical
    "CLASSIFICATIONS", "CriticalPoint", "CriticalSet", "enumerate_critical_points", "subset_weights",
    "sigma_eigenvectors", "hessian_inertia", "classify_point", "PointClassification", "critical_report",
    "MAX_HESSIAN_SIZE", "MAX_SUBSETS",
    # linear
    "linear_loss", "linear_gradient", "linear_hessian", "curve_polynomial", "descent_certificate",
    "find_descent_curve", "DescentCertificate", "DescentCurve",
    # optimise
    "random_weights", "gradient_descent", "DescentRun", "MAX_HALVINGS",
    # shen
    "ShenRank", "ball_activation", "shen_system_balls", "shen_system_mp", "shen_gradient_residual", "rational_rank", "ball_rank", "shen_rank", "shen_verdict", "khatri_rao_counterexample", "sylvester_counterexample", "exact_learner", "certified_rank", "shen_system_fmpq",
    # milne
    "milne_net", "milne_weights", "switches", "switch_output", "milne_loss", "second_derivative", "norm_power_below", "lemma3_holds", "lemma3_ratio", "in_U", "ball_condition", "lemma4_condition", "lemma3_sweep", "chain_instance",
    # shen_newton
    "residual_jacobian", "ggn_float", "lm_refine", "xor_multistart", "an_ggn", "four_regions", "convergence_ratios", "ggn_exact",
    # shen_certify
    "CriticalCertificate", "xor_loss_grad_hess", "newton_critical", "krawczyk_critical", "plateau_track",
    "classify_xor_starts", "an_mp", "convergence_order",
    # landscape
    "LossSlice", "slice_directions", "loss_slice", "slice_work", "draw_slice", "slice_json",
    # cells
    "SWEEP_ACTIVATIONS", "pl_psd_sweep",
    # milne_flow, milne_experiments (Milne 2019, section 4; float64)
    "MLP", "flow_trajectory", "descent_trajectory", "lemma8_check", "loss_fraction", "entry_fraction", "in_U_float", "convex_from",
    "toy_data", "toy_trial", "toy_experiment", "digits_data", "digits_trial", "digits_experiment", "summarise", "draw_toy", "draw_digits", "TOY", "DIGITS",
    # ball, certified_eig, evaluate (forced patterns)
    "BallBackend", "BallEvaluation", "ball_evaluate", "ball_evaluate_net_file", "bits_for", "CertifiedSpectrum",
    "certified_eigh", "decimal_outward", "ForcedPiece",
]
