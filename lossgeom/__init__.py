"""lossgeom: verify the mathematics of neural-network loss surfaces.

The public surface, re-exported explicitly.  Subpackages: ``lossgeom.symbolic`` (exact SymPy
derivations), ``lossgeom.numeric`` (evaluation at a chosen precision), ``lossgeom.proofs``
(the claims catalog).
"""

__version__ = "0.1.0"

from .activations import Activation, activation_names, get_activation, parse_activation
from .data import NetFile, net_file_from_dict, parse_matrix, parse_number, parse_vector, read_net_file
from .errors import (DataError, LossgeomError, NetFileError, NetSpecError, NonDifferentiableError,
                     SizeLimitError, UnknownActivationError, UnknownClaimError, UnknownLossError)
from .losses import Loss, get_loss, loss_names
from .net import Net, parse_widths
from .report import Report

__all__ = [
    "Activation", "activation_names", "get_activation", "parse_activation",
    "NetFile", "net_file_from_dict", "parse_matrix", "parse_number", "parse_vector", "read_net_file",
    "DataError", "LossgeomError", "NetFileError", "NetSpecError", "NonDifferentiableError", "SizeLimitError",
    "UnknownActivationError", "UnknownClaimError", "UnknownLossError",
    "Loss", "get_loss", "loss_names",
    "Net", "parse_widths",
    "Report",
    "__version__",
]
