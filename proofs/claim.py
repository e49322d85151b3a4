"""`Claim` and the catalog registry.

A claim is one checkable statement from a source, with the scope its verdict covers.  Its
``check(dps, seed)`` function does the work and returns an :class:`~lossgeom.proofs.evidence.Evidence`;
:meth:`Claim.verify` decides the outcome from it (:func:`~lossgeom.proofs.evidence.decide_outcome`) and
builds the :class:`~lossgeom.report.Report`.  Modules ``proofs/<source>.py`` register their claims on
import with :func:`register_claim`.
"""

import sys
import time
import traceback
from dataclasses import dataclass

from lossgeom.checks import check_callable, check_sequence, check_str
from lossgeom.errors import ClaimDefinitionError, UnknownClaimError
from lossgeom.limits import shorten
from lossgeom.report import Expect, Kind, Origin, Outcome, Report, member

from .evidence import Evidence

__all__ = ["Claim", "Report", "register_claim", "get_claim", "list_claims", "verify_claims"]


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
        ``check(dps, seed) -> Evidence``.
    scope : str
        What a verdict covers: which nets, widths, depths, data and critical points (required).
    assumptions : tuple of str
    method : Kind or str
        ``symbolic``, ``numeric`` or ``construction``.
    expect : Expect or str
        ``holds``, or ``fails`` for a statement the toolkit refutes.
    title : str
        One line for tables.
    origin : Origin or str
        ``source`` when the cited text prints the statement, ``derived`` when it is this project's
        own statement resting on the cited paper.

    Raises
    ------
    ClaimDefinitionError
        For an empty scope or an unknown method, expectation or origin.

    Examples
    --------
    >>> c = Claim("demo.one", "nowhere", "1 = 1", lambda dps, seed: Evidence("symbolic", "trivial"), "integers")
    >>> c.verify().outcome, c.verify().claim, c.verify().scope
    ('proved', 'demo.one', 'integers')
    >>> Claim("demo.two", "nowhere", "1 = 1", None, scope="")
    Traceback (most recent call last):
    ...
    lossgeom.errors.ClaimDefinitionError: scope: expected a non-empty description of what claim 'demo.two' covers, got ''
    """

    id: str
    source: str
    statement: str
    check: object
    scope: str
    assumptions: tuple = ()
    method: Kind = Kind.SYMBOLIC
    expect: Expect = Expect.HOLDS
    title: str = ""
    origin: Origin = Origin.SOURCE

    def __post_init__(self):
        object.__setattr__(self, "method", member(Kind, "method", self.method))
        object.__setattr__(self, "expect", member(Expect, "expect", self.expect))
        object.__setattr__(self, "origin", member(Origin, "origin", self.origin))
        if not isinstance(self.scope, str) or not self.scope.strip():
            raise ClaimDefinitionError("scope: expected a non-empty description of what claim %r covers, got %r"
                                       % (self.id, self.scope))

    def verify(self, dps=50, seed=0):
        """Run the check and return its Report (deterministic for a given seed).

        The check's :class:`~lossgeom.proofs.evidence.Evidence` decides the outcome.  An unexpected
        exception inside the check (or a check that returns something else) is reported as
        ``inconclusive`` with the error, never as passing.
        """
        start = time.perf_counter()
        try:
            evidence = self.check(dps=dps, seed=seed)
            if not isinstance(evidence, Evidence):
                raise ClaimDefinitionError("check: expected the check of %r to return an Evidence, got %s"
                                           % (self.id, type(evidence).__name__))
            report = evidence.report(self.id)
            scope = evidence.scope or self.scope
        except Exception as err:  # a broken check must show, not pass
            scope = self.scope
            report = Report(self.id, Outcome.INCONCLUSIVE, "the check raised %s" % type(err).__name__,
                            evidence={"error": str(err)},
                            details=tuple(traceback.format_exc().strip().splitlines()[-3:]))
        seconds = time.perf_counter() - start
        return report.with_(source=self.source, statement=self.statement, expect=self.expect, seconds=seconds,
                            scope=scope, origin=self.origin)


_REGISTRY = {}


def register_claim(id, source, statement, *, scope, assumptions=(), method="symbolic", expect="holds", title="",
                   origin="source"):
    """Decorator registering ``check(dps, seed) -> Evidence`` as a claim in the catalog (see :class:`Claim`).

    Raises
    ------
    ClaimDefinitionError
        For an id registered twice, or a field :class:`Claim` rejects.

    Examples
    --------
    >>> @register_claim("demo.two", "nowhere", "2 = 2", scope="the integer 2", title="a demo")
    ... def _check(dps, seed):
    ...     return Evidence("witness", "trivial")
    >>> get_claim("demo.two").title, get_claim("demo.two").verify().outcome
    ('a demo', 'proved')
    >>> _ = _REGISTRY.pop("demo.two")
    """
    def deco(func):
        if id in _REGISTRY:
            raise ClaimDefinitionError("id: claim id %r is registered twice" % id)
        _REGISTRY[id] = Claim(id, source, statement, func, scope, tuple(assumptions), method, expect, title, origin)
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
    check_str(id, "id")
    _load_catalog()
    try:
        return _REGISTRY[id]
    except KeyError:
        import difflib
        close = difflib.get_close_matches(id, list(_REGISTRY), n=3) if len(id) < 200 else []
        hint = ("; did you mean %s?" % ", ".join(close)) if close else "; see `lossgeom verify --list`"
        raise UnknownClaimError("claim: unknown claim id %s%s" % (shorten(id), hint)) from None


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
    if ids is not None:
        ids = [check_str(i, "ids[%d]" % k) for k, i in enumerate(check_sequence(ids, "ids"))]
    if progress is not None:
        check_callable(progress, "progress")
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
