"""lossgeom: verify the mathematics of neural-network loss surfaces.

The public surface, re-exported explicitly.  Subpackages: ``lossgeom.symbolic`` (exact SymPy
derivations), ``lossgeom.numeric`` (evaluation at a chosen precision), ``lossgeom.proofs``
(the claims catalog).  In a source checkout they are the folders ``symbolic/``, ``numeric/`` and
``proofs/`` beside this one, mapped into the package by ``pyproject.toml``; develop with an editable
install (``pip install -e ".[test]"``).
"""

__version__ = "0.1.0"


from .activations import (
                          Activation,
                          activation_names,
                          get_activation,
                          parse_activation,
                          register_activation,
                          unregister_activation,
)
from .data import NetFile, net_file_from_dict, parse_matrix, parse_number, parse_vector, read_net_file
from .errors import (
                          ArgumentTypeError,
                          ClaimDefinitionError,
                          DataError,
                          LossgeomError,
                          NetFileError,
                          NetSpecError,
                          NonDifferentiableError,
                          OptionError,
                          OutputError,
                          SizeLimitError,
                          UnknownActivationError,
                          UnknownClaimError,
                          UnknownLossError,
)
from .losses import Loss, get_loss, loss_names, register_loss
from .net import Net, parse_widths
from .numbers import exact_matrix, to_fraction
from .point import Pattern, PatternError, Point, resolve_point
from .precision import Precision
from .report import Report

#: Names re-exported lazily from lossgeom.symbolic.check (the core layer cannot import the symbolic
#: one at import time; :func:`__getattr__` imports it on first use, when every layer is importable).
_LAZY = {"check_formula": "lossgeom.symbolic.check", "CheckResult": "lossgeom.symbolic.check"}


def __getattr__(name):
    """``lossgeom.check_formula`` and ``lossgeom.CheckResult``: see :func:`lossgeom.symbolic.check_formula`."""
    if name in _LAZY:
        from .symbolic import check  # the one lazy upward import (tests/test_packaging.py)
        return getattr(check, name)
    raise AttributeError("module 'lossgeom' has no attribute %r" % name)


__all__ = [
    "Activation", "activation_names", "get_activation", "parse_activation", "register_activation",
    "unregister_activation",
    "NetFile", "net_file_from_dict", "parse_matrix", "parse_number", "parse_vector", "read_net_file",
    "ArgumentTypeError", "ClaimDefinitionError", "DataError", "LossgeomError", "OptionError", "OutputError", "NetFileError", "NetSpecError", "NonDifferentiableError", "SizeLimitError",
    "UnknownActivationError", "UnknownClaimError", "UnknownLossError",
    "Loss", "get_loss", "loss_names", "register_loss",
    "Net", "parse_widths",
    "exact_matrix", "to_fraction",
    "Pattern", "PatternError", "Point", "resolve_point",
    "Precision",
    "Report",
    "CheckResult", "check_formula",
    "__version__",
]
