"""lossgeom.proofs: the claims catalog.

Importing this package registers every claim: each source module ``proofs/<source>.py``
(``botev2017``, ``kawaguchi2016``, ...) registers its claims on import.  A claim's check returns an
:class:`~lossgeom.proofs.evidence.Evidence`; :func:`~lossgeom.proofs.evidence.decide_outcome` is the
one rule that turns it into an outcome.  Source modules never import each other: shared example nets
and data come from :mod:`lossgeom.models`.  Source modules are
discovered, so adding a module adds its claims; the catalog order is the modules' ``ORDER``
and then registration order inside a module.  Claims from outside lossgeom (a module path given to
``lossgeom verify --module``, or an installed package's ``lossgeom.claims`` entry point) are loaded the
same way by :mod:`lossgeom.proofs.external`.
"""

import importlib
import pkgutil

from .claim import Claim, Report, get_claim, list_claims, register_claim, verify_claims
from .evidence import Evidence, combine, decide_outcome
from .external import load_claim_module, load_entry_point_claims

__all__ = ["Claim", "Report", "Evidence", "combine", "decide_outcome", "get_claim", "list_claims", "register_claim",
           "verify_claims", "source_modules", "load_claim_module", "load_entry_point_claims"]

_NOT_SOURCES = {"claim", "evidence", "exercises", "external", "sweep"}


def source_modules():
    """The catalog's source modules, imported, in their declared ``ORDER``.

    Examples
    --------
    >>> [m.__name__.rsplit(".", 1)[1] for m in source_modules()]
    ['botev2017', 'botev2017_geometry', 'kawaguchi2016', 'baldi_hornik1989', 'choromanska2015', 'yun2019', 'hwt2020',
     'shen2016', 'shen2016_training', 'milne2019']
    """
    mods = [importlib.import_module(__name__ + "." + m.name) for m in pkgutil.iter_modules(__path__)
            if m.name not in _NOT_SOURCES and not m.name.startswith("_")]
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


source_modules()
