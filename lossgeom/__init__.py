"""lossgeom: verify the mathematics of neural-network loss surfaces.

The public surface, re-exported explicitly.  Subpackages: ``lossgeom.symbolic`` (exact SymPy
derivations), ``lossgeom.numeric`` (evaluation at a chosen precision), ``lossgeom.proofs``
(the claims catalog).
"""

__version__ = "0.1.0"


def _source_checkout_subpackages():
    """In a source checkout the subpackages ``symbolic/``, ``numeric/``, ``proofs/`` sit beside this
    folder (pyproject.toml maps them into ``lossgeom`` at install).  When Python imports ``lossgeom``
    from the checkout (``python -m pytest`` or ``python -m lossgeom`` run at its root), let the
    package also look in the checkout's root, so they resolve exactly as in an installed copy."""
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    installed = os.path.isdir(os.path.join(here, "numeric"))
    if not installed and all(os.path.isfile(os.path.join(root, sub, "__init__.py"))
                             for sub in ("symbolic", "numeric", "proofs")):
        __path__.append(root)  # noqa: F821 (the package's own __path__)


_source_checkout_subpackages()

from .activations import (Activation, activation_names, get_activation, parse_activation, register_activation,
                          unregister_activation)
from .data import NetFile, net_file_from_dict, parse_matrix, parse_number, parse_vector, read_net_file
from .errors import (ClaimDefinitionError, DataError, LossgeomError, NetFileError, NetSpecError,
                     NonDifferentiableError, OptionError, SizeLimitError, UnknownActivationError, UnknownClaimError,
                     UnknownLossError)
from .losses import Loss, get_loss, loss_names
from .net import Net, parse_widths
from .numbers import exact_matrix, to_fraction
from .point import Pattern, PatternError, Point, resolve_point
from .precision import Precision
from .report import Report

__all__ = [
    "Activation", "activation_names", "get_activation", "parse_activation", "register_activation",
    "unregister_activation",
    "NetFile", "net_file_from_dict", "parse_matrix", "parse_number", "parse_vector", "read_net_file",
    "ClaimDefinitionError", "DataError", "LossgeomError", "OptionError", "NetFileError", "NetSpecError", "NonDifferentiableError", "SizeLimitError",
    "UnknownActivationError", "UnknownClaimError", "UnknownLossError",
    "Loss", "get_loss", "loss_names",
    "Net", "parse_widths",
    "exact_matrix", "to_fraction",
    "Pattern", "PatternError", "Point", "resolve_point",
    "Precision",
    "Report",
    "__version__",
]
