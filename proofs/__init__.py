"""lossgeom.proofs: the claims catalog.

Importing this package registers every claim: each source module ``proofs/<source>.py``
(``botev2017``, ``kawaguchi2016``, ...) registers its claims on import.  Source modules are
discovered, so adding a module adds its claims; the catalog order is the modules' ``ORDER``
and then registration order inside a module.
"""

import importlib
import pkgutil

from .claim import Claim, Report, get_claim, list_claims, register_claim, verify_claims

__all__ = ["Claim", "Report", "get_claim", "list_claims", "register_claim", "verify_claims", "source_modules"]

_NOT_SOURCES = {"claim", "exercises"}


def source_modules():
    """The catalog's source modules, imported, in their declared ``ORDER``.

    Examples
    --------
    >>> source_modules()[0].__name__
    'lossgeom.proofs.botev2017'
    """
    mods = [importlib.import_module(__name__ + "." + m.name) for m in pkgutil.iter_modules(__path__)
            if m.name not in _NOT_SOURCES and not m.name.startswith("_")]
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


source_modules()
