"""`Evidence`: what a claim's check found, and the one rule that turns it into an outcome.

A check ``check(dps, seed)`` returns an :class:`Evidence`; :meth:`lossgeom.proofs.Claim.verify`
builds the :class:`~lossgeom.report.Report` from it with :func:`decide_outcome`.  Checks made of
several parts (nets, instances, sub-claims) merge them with :func:`combine`; a Report returned by the
symbolic layer becomes evidence through :func:`from_report`.
"""

from dataclasses import dataclass, field, replace

from lossgeom.checks import check_mapping, check_sequence, check_str, check_type
from lossgeom.display import summary_latex
from lossgeom.errors import ClaimDefinitionError
from lossgeom.report import Basis, Outcome, Report, member

__all__ = ["Evidence", "Basis", "decide_outcome", "combine", "from_report", "exact_check", "from_general"]

#: how strong each basis is: combining parts keeps the weakest
_STRENGTH = {Basis.GENERAL: -1, Basis.SYMBOLIC: 0, Basis.WITNESS: 1, Basis.INSTANCES: 2, Basis.NUMERIC: 3}


@dataclass(frozen=True)
class Evidence:
    """What one check found (frozen; the outcome follows from it by :func:`decide_outcome`).

    Parameters
    ----------
    basis : Basis or str
        ``general`` (a proof for every width and depth: every step decided with symbolic shapes),
        ``symbolic`` (exact, generic symbols at every stated shape), ``witness`` (exact on the very
        objects the statement is about), ``instances`` (exact on finitely many instances) or
        ``numeric`` (at a stated precision on finitely many instances).
    method : str
        How it was decided, for humans.
    instances : tuple of str
        The instances (nets, data, shapes) checked.
    facts : dict
        JSON-ready facts (sizes, values, residuals as strings).
    residuals : dict
        Numeric residuals by name (decimal strings).
    digits : int or None
        Agreeing digits (or the working precision) of a numeric check.
    certificate : dict or None
        An exact certificate (descent polynomial, indefiniteness vectors, ...), when there is one.
    counterexample : dict or None
        When the statement was refuted: the instance that breaks it.
    undecided : tuple of str
        Parts the check could not decide (any makes the outcome ``inconclusive``).
    details : tuple of str
        Further lines for humans.
    scope : str
        What the verdict covers when it differs from the claim's registered scope (a general proof's
        "every depth and all widths"); empty: the claim's scope.

    Examples
    --------
    >>> ev = Evidence("instances", "exact equality", instances=("3-2-3",), facts={"points": 4})
    >>> ev.outcome, ev.basis
    ('verified', 'instances')
    >>> Evidence("symbolic", "expansion to zero").outcome
    'proved'
    """

    basis: Basis
    method: str
    instances: tuple = ()
    facts: dict = field(default_factory=dict)
    residuals: dict = field(default_factory=dict)
    digits: int = None
    certificate: dict = None
    counterexample: dict = None
    undecided: tuple = ()
    details: tuple = ()
    scope: str = ""

    def __post_init__(self):
        object.__setattr__(self, "basis", member(Basis, "basis", self.basis))
        for name in ("instances", "undecided", "details"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, (tuple, list)):
                raise ClaimDefinitionError("%s: expected a tuple of strings, got %r" % (name, value))
            object.__setattr__(self, name, tuple(value))
        if not isinstance(self.scope, str):
            raise ClaimDefinitionError("scope: expected a string, got %r" % (self.scope,))

    @property
    def outcome(self):
        """The outcome this evidence supports (:func:`decide_outcome`)."""
        return decide_outcome(self)

    def with_(self, **changes):
        """A copy with some fields changed."""
        return replace(self, **changes)

    def report_evidence(self):
        """The facts a Report shows: ``facts`` plus the instances, residuals, digits, certificate and undecided parts."""
        out = dict(self.facts)
        extra = (("instances checked", list(self.instances)), ("residuals", self.residuals),
                 ("agreeing digits", self.digits), ("certificate", self.certificate),
                 ("undecided", list(self.undecided)))
        for key, value in extra:
            if value not in (None, [], {}) and key not in out:
                out[key] = value
        return out

    def _repr_latex_(self):
        r"""Jupyter's display: the outcome it supports, its basis, the method and what was checked.

        Examples
        --------
        >>> tex = Evidence("instances", "exact equality", instances=("3-2-3",), facts={"points": 4})._repr_latex_()
        >>> r"\text{outcome} & \text{verified}" in tex and r"\text{instances} & \text{3-2-3}" in tex
        True
        """
        inst = ", ".join(self.instances) if len(self.instances) <= 4 else "%d (%s, ...)" % (
            len(self.instances), ", ".join(self.instances[:3]))
        rows = [("outcome", str(self.outcome)), ("basis", str(self.basis)), ("method", self.method)]
        rows += [(label, value) for label, value in (
            ("instances", inst), ("agreeing digits", self.digits), ("scope", self.scope),
            ("counterexample", "yes (see .counterexample)" if self.counterexample is not None else None),
            ("undecided", "; ".join(self.undecided))) if value]
        return summary_latex("Evidence", rows)

    def report(self, claim, **fields):
        """The :class:`~lossgeom.report.Report` on ``claim`` that this evidence supports.

        Examples
        --------
        >>> Evidence("numeric", "inertia at 30 digits", digits=30).report("demo", scope="one net").outcome
        'verified'
        """
        return Report(claim, decide_outcome(self), self.method, evidence=self.report_evidence(),
                      counterexample=self.counterexample, details=self.details, **fields)


def decide_outcome(evidence):
    """The outcome of a piece of evidence: the catalog's one rule.

    1. a counterexample -> ``refuted`` (whatever else holds);
    2. else an undecided part -> ``inconclusive``;
    3. else a proof for every width and depth (basis ``general``), exact with generic symbols at every
       stated shape (basis ``symbolic``), or exact on the
       very objects the statement is about (basis ``witness``: an existence witness, a worked example
       with fixed data) -> ``proved``, for the shapes and objects the claim's scope names;
    4. else (exact or numeric on finitely many instances of a general statement, bases ``instances``
       and ``numeric``) -> ``verified``.

    Examples
    --------
    >>> decide_outcome(Evidence("symbolic", "x", counterexample={"at": 1}))
    'refuted'
    >>> decide_outcome(Evidence("symbolic", "x", undecided=("block 2",)))
    'inconclusive'
    >>> [decide_outcome(Evidence(b, "x")) for b in ("general", "symbolic", "witness", "instances", "numeric")]
    ['proved', 'proved', 'proved', 'verified', 'verified']
    """
    check_type(evidence, "evidence", Evidence, "an Evidence")
    if evidence.counterexample is not None:
        return Outcome.REFUTED
    if evidence.undecided:
        return Outcome.INCONCLUSIVE
    if evidence.basis in (Basis.GENERAL, Basis.SYMBOLIC, Basis.WITNESS):
        return Outcome.PROVED
    return Outcome.VERIFIED


def combine(parts, method=None, facts=None, details=(), basis=None):
    """One Evidence from several parts: the weakest basis, the first counterexample, every undecided part.

    Parameters
    ----------
    parts : iterable of Evidence
    method : str, optional
        Defaults to the parts' distinct methods joined by "; ".
    facts : dict, optional
        Added after the parts' facts (which are merged in order).
    details : tuple of str
        Added after the parts' details.
    basis : Basis, optional
        A basis weaker than the parts' (never a stronger one).

    Examples
    --------
    >>> a, b = Evidence("symbolic", "expansion"), Evidence("numeric", "inertia", digits=30)
    >>> c = combine([a, b])
    >>> c.outcome, c.basis, c.method, c.digits
    ('verified', 'numeric', 'expansion; inertia', 30)
    >>> combine([a, Evidence("instances", "x", counterexample={"n": 2})]).outcome
    'refuted'
    """
    parts = check_sequence(parts, "parts", "a list of Evidence")
    for k, part in enumerate(parts):
        check_type(part, "parts[%d]" % k, Evidence, "an Evidence")
    if facts is not None:
        facts = check_mapping(facts, "facts")
    details = tuple(check_sequence(details, "details"))
    parts = list(parts)
    if not parts:
        raise ClaimDefinitionError("parts: expected at least one Evidence, got none")
    weakest = max((p.basis for p in parts), key=_STRENGTH.__getitem__)
    if basis is not None:
        basis = member(Basis, "basis", basis)
        weakest = max(weakest, basis, key=_STRENGTH.__getitem__)
    merged, residuals, instances, undecided, lines = {}, {}, [], [], []
    for p in parts:
        merged.update(p.facts)
        residuals.update(p.residuals)
        instances += [i for i in p.instances if i not in instances]
        undecided += list(p.undecided)
        lines += [d for d in p.details if d not in lines]
    merged.update(facts or {})
    lines += [d for d in details if d not in lines]
    methods = []
    for p in parts:
        if p.method not in methods:
            methods.append(p.method)
    digits = [p.digits for p in parts if p.digits is not None]
    counter = next((p.counterexample for p in parts if p.counterexample is not None), None)
    certificate = next((p.certificate for p in parts if p.certificate is not None), None)
    return Evidence(weakest, method or "; ".join(methods), instances=tuple(instances), facts=merged,
                    residuals=residuals, digits=min(digits) if digits else None, certificate=certificate,
                    counterexample=counter, undecided=tuple(undecided), details=tuple(lines))


def from_report(report, basis=None, instance=None):
    """Evidence from a Report of the symbolic layer (``verify_recursion``, ``verify_vec_properties``, ...).

    ``refuted`` gives a counterexample, ``inconclusive`` an undecided part; ``basis`` defaults to
    ``symbolic`` for ``proved`` and ``numeric`` for ``verified`` (never stronger than the Report says).

    Examples
    --------
    >>> from_report(Report("x", "proved", "expansion to zero", evidence={"net": "2-2-1"})).outcome
    'proved'
    >>> from_report(Report("x", "verified", "numeric"), basis="symbolic").outcome
    'verified'
    """
    check_type(report, "report", Report, "a lossgeom Report")
    default = Basis.SYMBOLIC if report.outcome == Outcome.PROVED else Basis.NUMERIC
    chosen = default if basis is None else member(Basis, "basis", basis)
    if report.outcome == Outcome.VERIFIED and chosen in (Basis.SYMBOLIC, Basis.WITNESS):
        chosen = Basis.INSTANCES
    counter = None
    if report.outcome == Outcome.REFUTED:
        counter = report.counterexample if report.counterexample is not None else {"refuted": report.claim}
    undecided = (report.method,) if report.outcome == Outcome.INCONCLUSIVE else ()
    return Evidence(chosen, report.method, instances=(instance,) if instance else (), facts=dict(report.evidence),
                    counterexample=counter, undecided=undecided, details=report.details)


def exact_check(ok, basis, method, facts=None, counterexample=None, **fields):
    """Evidence for an exact yes/no decision: ``ok`` or a counterexample (``facts`` when none is given).

    Examples
    --------
    >>> exact_check(True, "symbolic", "nested sum").outcome
    'proved'
    >>> exact_check(False, "symbolic", "nested sum", facts={"L=2": "d_0*d_1"}).counterexample
    {'L=2': 'd_0*d_1'}
    """
    if facts is not None:
        facts = check_mapping(facts, "facts")
    facts = dict(facts or {})
    counter = None if ok else (counterexample if counterexample is not None else dict(facts))
    return Evidence(basis, method, facts=facts, counterexample=counter, **fields)


def from_general(proof, cross_check, cross_scope):
    """Evidence from a general proof (a :class:`lossgeom.symbolic.general.GeneralProof`), with the claim's
    instance check ``cross_check`` (an Evidence) as its cross-check.

    Every step decided: basis ``general`` (``proved``) with the proof's scope; a counterexample or an
    undecided part of the cross-check still shows (refuted / inconclusive).  A step not decided: the
    cross-check's own evidence stands, with the general proof's undecided steps named in its facts.

    Examples
    --------
    >>> from lossgeom.symbolic.general_proofs import general_proof
    >>> ev = from_general(general_proof("path-count"), Evidence("instances", "counts"), "7 width lists")
    >>> ev.outcome, ev.basis, ev.scope.startswith("every depth")
    ('proved', 'general', True)
    >>> from_general(general_proof("path-count", wrong="base"), Evidence("instances", "counts"), "x").outcome
    'verified'
    """
    from lossgeom.symbolic.general import GENERAL_SCOPE, GeneralProof
    check_type(proof, "proof", GeneralProof, "a GeneralProof")
    check_type(cross_check, "cross_check", Evidence, "an Evidence")
    cross_scope = check_str(cross_scope, "cross_scope")
    facts = dict(cross_check.facts)  # the cross-check's facts keep their names
    facts.update({"general proof": proof.name, "general proof steps": proof.facts(),
                  "cross-check": "%s (%s): %s" % (cross_check.outcome, cross_check.method, cross_scope)})
    if proof.undecided:
        return cross_check.with_(facts=dict(cross_check.facts, **{
            "general proof (%s)" % proof.name: "NOT decided: " + "; ".join(proof.undecided)}),
            scope="%s only (the general proof was not decided)" % cross_scope)
    return Evidence(Basis.GENERAL, "general proof (%d steps decided with symbolic shapes); cross-checked: %s"
                    % (len(proof.steps), cross_check.method), instances=cross_check.instances, facts=facts,
                    residuals=cross_check.residuals, digits=cross_check.digits, certificate=cross_check.certificate,
                    counterexample=cross_check.counterexample, undecided=cross_check.undecided,
                    details=cross_check.details,
                    scope=GENERAL_SCOPE % (proof.scope, cross_scope))
