"""`Claim` and the catalog registry.

A claim is one checkable statement from a source.  Its ``check(dps, seed)`` function does
the work and returns a :class:`~lossgeom.report.Report` (its ``claim``, ``source``,
``statement``, ``expect`` and ``seconds`` are filled in by :meth:`Claim.verify`).
Modules ``proofs/<source>.py`` register their claims on import with :func:`register_claim`.
"""

import sys
import time
import traceback
from dataclasses import dataclass

from lossgeom.errors import UnknownClaimError
from lossgeom.report import EXPECTS, OUTCOMES, Report

__all__ = ["Claim", "Report", "register_claim", "get_claim", "list_claims", "verify_claims", "OUTCOMES"]

METHODS = ("symbolic", "numeric", "construction")


@dataclass(frozen=True)
class Claim:
    """A checkable statement from a source.

    Parameters
    ----------
    id : str
        ``<source>.<slug>``, e.g. ``botev2017.hessian-recursion``.
    source : str
        Paper and place (section, equation).
    statement : str
        The statement in LaTeX.
    check : callable
        ``check(dps, seed) -> Report``.
    assumptions : tuple of str
    method : {"symbolic", "numeric", "construction"}
    expect : {"holds", "fails"}
        ``fails`` for a published statement the toolkit refutes.
    title : str
        One line for tables.

    Examples
    --------
    >>> c = Claim("demo.one", "nowhere", "1 = 1", lambda dps, seed: Report("x", "proved", "trivial"))
    >>> c.verify().outcome, c.verify().claim
    ('proved', 'demo.one')
    """

    id: str
    source: str
    statement: str
    check: object
    assumptions: tuple = ()
    method: str = "symbolic"
    expect: str = "holds"
    title: str = ""

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError("method: expected one of %s, got %r" % (", ".join(METHODS), self.method))
        if self.expect not in EXPECTS:
            raise ValueError("expect: expected one of %s, got %r" % (", ".join(EXPECTS), self.expect))

    def verify(self, dps=50, seed=0):
        """Run the check and return its Report (deterministic for a given seed).

        An unexpected exception inside the check is reported as ``inconclusive`` with the
        error, never as passing.
        """
        start = time.perf_counter()
        try:
            report = self.check(dps=dps, seed=seed)
        except Exception as err:  # a broken check must show, not pass
            report = Report(self.id, "inconclusive", "the check raised %s" % type(err).__name__,
                            evidence={"error": str(err)},
                            details=tuple(traceback.format_exc().strip().splitlines()[-3:]))
        seconds = time.perf_counter() - start
        return report.with_(claim=self.id, source=self.source, statement=self.statement, expect=self.expect,
                            seconds=seconds)


_REGISTRY = {}


def register_claim(id, source, statement, assumptions=(), method="symbolic", expect="holds", title=""):
    """Decorator registering ``check(dps, seed)`` as a claim in the catalog.

    Examples
    --------
    >>> @register_claim("demo.two", "nowhere", "2 = 2", title="a demo")
    ... def _check(dps, seed):
    ...     return Report("demo.two", "proved", "trivial")
    >>> get_claim("demo.two").title
    'a demo'
    >>> _ = _REGISTRY.pop("demo.two")
    """
    def deco(func):
        if id in _REGISTRY:
            raise ValueError("claim id %r is registered twice" % id)
        _REGISTRY[id] = Claim(id, source, statement, func, tuple(assumptions), method, expect, title)
        return func
    return deco


def get_claim(id):
    """The claim with this id.

    Raises
    ------
    UnknownClaimError
        Listing close matches.

    Examples
    --------
    >>> get_claim("botev2017.hessian-recursion").method
    'symbolic'
    >>> get_claim("botev2017.hessian-recurson")
    Traceback (most recent call last):
    ...
    lossgeom.errors.UnknownClaimError: claim: unknown claim id 'botev2017.hessian-recurson'; did you mean botev2017.hessian-recursion, ...?
    """
    _load_catalog()
    try:
        return _REGISTRY[id]
    except KeyError:
        import difflib
        close = difflib.get_close_matches(id, list(_REGISTRY), n=3)
        hint = ("; did you mean %s?" % ", ".join(close)) if close else "; see `lossgeom verify --list`"
        raise UnknownClaimError("claim: unknown claim id %r%s" % (id, hint)) from None


def list_claims():
    """Every registered claim, in catalog order (source module ``ORDER``, then registration order).

    Examples
    --------
    >>> list_claims()[0].id
    'botev2017.hessian-recursion'
    """
    _load_catalog()

    def key(item):
        index, claim = item
        module = sys.modules.get(getattr(claim.check, "__module__", ""), None)
        return (getattr(module, "ORDER", 100), index)

    return [c for _, c in sorted(enumerate(_REGISTRY.values()), key=key)]


def verify_claims(ids=None, dps=50, seed=0, progress=None):
    """Verify the given claims (all by default); ``progress(i, n, claim, report)`` is called before
    (with ``report=None``) and after each.

    Returns
    -------
    list of Report

    Examples
    --------
    >>> [r.outcome for r in verify_claims(["choromanska2015.path-count"])]
    ['proved']
    """
    claims = [get_claim(i) for i in ids] if ids else list_claims()
    reports = []
    for i, c in enumerate(claims, 1):
        if progress is not None:
            progress(i, len(claims), c, None)
        rep = c.verify(dps=dps, seed=seed)
        reports.append(rep)
        if progress is not None:
            progress(i, len(claims), c, rep)
    return reports


def _load_catalog():
    import lossgeom.proofs  # noqa: F401  (its __init__ imports every source module)
