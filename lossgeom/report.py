"""`Report`: the verdict on one checkable statement, with its evidence and its scope.

It lives in the core (not in ``proofs``) because the symbolic layer returns Reports too
(``lossgeom.symbolic.verify_recursion``) and dependencies only flow downwards.  The vocabularies
of the catalog (:class:`Outcome`, :class:`Expect`, :class:`Kind`, :class:`Basis`, :class:`Origin`)
are defined here, once, as string enums (``enum.StrEnum`` where Python has it, 3.11+; the same
``str``-mixin behaviour on 3.10): each member *is* its string, so ``Outcome.PROVED == "proved"`` and
JSON output is unchanged.
"""

import enum
import json
from dataclasses import dataclass, field, replace

from .errors import ClaimDefinitionError

__all__ = ["Report", "ReportTable", "origin_note", "Outcome", "Expect", "Kind", "Basis", "Origin", "OUTCOMES", "EXPECTS", "KINDS"]


_StrEnum = getattr(enum, "StrEnum", None)
if _StrEnum is None:  # Python 3.10: the same behaviour as 3.11's enum.StrEnum
    class _StrEnum(str, enum.Enum):
        def __str__(self):
            return self.value

        def __format__(self, spec):
            return format(self.value, spec)


class _Vocabulary(_StrEnum):
    """A string enum whose repr is its value's, so doctests and messages read ``'proved'``."""

    def __repr__(self):
        return repr(self.value)


class Outcome(_Vocabulary):
    """A verdict.

    ``proved``: decided exactly for every case the claim's scope names; ``verified``: checked on
    finitely many stated instances (exactly, or numerically at a stated precision), not a proof;
    ``refuted``: a counterexample was found; ``inconclusive``: the toolkit could not decide.

    Examples
    --------
    >>> Outcome("proved") is Outcome.PROVED, "%s" % Outcome.REFUTED
    (True, 'refuted')
    """

    PROVED = "proved"
    VERIFIED = "verified"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"


class Expect(_Vocabulary):
    """What a claim's author expects: ``holds``, or ``fails`` (a statement the toolkit refutes).

    Examples
    --------
    >>> [str(e) for e in Expect]
    ['holds', 'fails']
    """

    HOLDS = "holds"
    FAILS = "fails"


class Kind(_Vocabulary):
    """How a claim is checked: ``symbolic`` (exact algebra), ``numeric`` (a stated precision) or
    ``construction`` (an explicit witness or counterexample).

    Examples
    --------
    >>> Kind.CONSTRUCTION == "construction"
    True
    """

    SYMBOLIC = "symbolic"
    NUMERIC = "numeric"
    CONSTRUCTION = "construction"


class Basis(_Vocabulary):
    """On what a piece of evidence rests (see ``lossgeom.proofs.evidence.decide_outcome``).

    ``general``: a proof for every width and depth (symbolic shapes, induction over the layers; see
    ``lossgeom.symbolic.general``); ``symbolic``: exact, with generic symbols at every stated shape; ``witness``: exact on the very
    objects the statement is about (an existence witness, a worked example with fixed data);
    ``instances``: exact on finitely many instances of a general statement; ``numeric``: at a stated
    precision on finitely many instances.

    Examples
    --------
    >>> Basis.INSTANCES.value
    'instances'
    """

    GENERAL = "general"
    SYMBOLIC = "symbolic"
    WITNESS = "witness"
    INSTANCES = "instances"
    NUMERIC = "numeric"


class Origin(_Vocabulary):
    """Where a claim's statement comes from: printed in the cited ``source``, or ``derived`` by this
    project from the cited paper (the paper does not print it).

    Examples
    --------
    >>> Origin.DERIVED == "derived"
    True
    """

    SOURCE = "source"
    DERIVED = "derived"


#: the values of each vocabulary, in order (for messages and tables)
OUTCOMES = tuple(o.value for o in Outcome)
EXPECTS = tuple(e.value for e in Expect)
KINDS = tuple(k.value for k in Kind)


def member(enum_type, name, value):
    """``enum_type(value)``, or :class:`ClaimDefinitionError` naming ``name``, the value and the choices.

    Examples
    --------
    >>> member(Outcome, "outcome", "proved") is Outcome.PROVED
    True
    >>> member(Outcome, "outcome", "true")
    Traceback (most recent call last):
    ...
    lossgeom.errors.ClaimDefinitionError: outcome: expected one of 'proved', 'verified', 'refuted', 'inconclusive', got 'true'
    """
    try:
        return enum_type(value)
    except ValueError:
        raise ClaimDefinitionError("%s: expected one of %s, got %r" % (
            name, ", ".join(repr(m.value) for m in enum_type), value)) from None


@dataclass(frozen=True)
class Report:
    """The outcome of checking one statement.

    Parameters
    ----------
    claim : str
        The claim id or a short description of what was checked.
    outcome : Outcome or str
        ``proved``, ``verified``, ``refuted`` or ``inconclusive``.
    method : str
        Which method decided it (e.g. "exact expansion to zero").
    evidence : dict
        JSON-ready facts: residuals as decimal strings, instances checked, sizes.
    statement : str
        LaTeX of the statement.
    source : str
        Paper and place.
    expect : Expect or str
        ``holds`` or ``fails``.
    counterexample : dict or None
        When refuted: the instance that breaks the statement.
    seconds : float
    details : tuple of str
        Further lines for humans.
    scope : str
        What the verdict covers: which nets, widths, depths, data and critical points.
    origin : Origin or str
        ``source`` (the statement is printed in the source) or ``derived`` (by this project).

    Raises
    ------
    ClaimDefinitionError
        For an unknown outcome, expectation or origin.

    Examples
    --------
    >>> r = Report("demo", "proved", "exact expansion to zero", evidence={"blocks": 2}, scope="2-2-1 nets")
    >>> r.matches, r.outcome, r.to_dict()["scope"]
    (True, 'proved', '2-2-1 nets')
    >>> Report("demo", "inconclusive", "none").matches
    False
    """

    claim: str
    outcome: Outcome
    method: str
    evidence: dict = field(default_factory=dict)
    statement: str = ""
    source: str = ""
    expect: Expect = Expect.HOLDS
    counterexample: dict = None
    seconds: float = 0.0
    details: tuple = ()
    scope: str = ""
    origin: Origin = Origin.SOURCE

    def __post_init__(self):
        object.__setattr__(self, "outcome", member(Outcome, "outcome", self.outcome))
        object.__setattr__(self, "expect", member(Expect, "expect", self.expect))
        object.__setattr__(self, "origin", member(Origin, "origin", self.origin))

    @property
    def matches(self):
        """True when the outcome is what the claim expects (inconclusive never matches)."""
        if self.expect == Expect.HOLDS:
            return self.outcome in (Outcome.PROVED, Outcome.VERIFIED)
        return self.outcome == Outcome.REFUTED

    @property
    def contradicts(self):
        """True when the outcome contradicts the expectation (``inconclusive`` contradicts nothing).

        Examples
        --------
        >>> Report("d", "inconclusive", "m").contradicts, Report("d", "refuted", "m").contradicts
        (False, True)
        """
        if self.outcome == Outcome.INCONCLUSIVE:
            return False
        return not self.matches

    def with_(self, **changes):
        """A copy with some fields changed."""
        return replace(self, **changes)

    # -- renderings --------------------------------------------------------------------
    def to_dict(self):
        """JSON-ready dict (stable field names: id, source, outcome, expect, method, scope, evidence, seconds)."""
        out = {"id": self.claim, "source": self.source, "outcome": self.outcome.value, "expect": self.expect.value,
               "matches": self.matches, "method": self.method, "scope": self.scope, "origin": self.origin.value,
               "evidence": _jsonable(self.evidence), "seconds": "%.3f" % self.seconds}
        if self.counterexample is not None:
            out["counterexample"] = _jsonable(self.counterexample)
        if self.statement:
            out["statement"] = self.statement
        if self.details:
            out["details"] = list(self.details)
        return out

    def to_json(self):
        return json.dumps(self.to_dict(), indent=2)

    def to_markdown(self):
        """A Markdown section."""
        lines = ["### `%s`: **%s**" % (self.claim, self.outcome), ""]
        if self.source:
            lines.append("*Source:* %s%s  " % (self.source, origin_note(self.origin)))
        if self.statement:
            lines.append("*Statement:* $%s$  " % self.statement)
        if self.scope:
            lines.append("*Scope:* %s  " % self.scope)
        lines.append("*Expected:* %s; *method:* %s; *time:* %.2f s" % (self.expect, self.method, self.seconds))
        lines.append("")
        for k, v in self.evidence.items():
            lines.append("- %s: %s" % (k, v))
        if self.counterexample is not None:
            lines.append("- counterexample: `%s`" % json.dumps(_jsonable(self.counterexample)))
        for d in self.details:
            lines.append("- %s" % d)
        return "\n".join(lines) + "\n"

    def to_html(self, assumptions=()):
        r"""An HTML section; the statement is MathML (:func:`lossgeom.mathml.latex_to_mathml`), so it renders
        with no script and no network.  ``assumptions`` are listed when given.

        Raises
        ------
        DataError
            The statement does not convert to MathML whole (it would show as raw TeX).

        Examples
        --------
        >>> sec = Report("demo", "proved", "exact", statement=r"\frac{a}{b} \ge 0").to_html(["b > 0"])
        >>> "<mfrac>" in sec, "\\frac" in sec, "<li>b &gt; 0</li>" in sec
        (True, False, True)
        """
        import html

        from .mathml import latex_to_mathml
        esc = html.escape
        evidence = "".join("<li>%s: %s</li>" % (esc(str(k)), esc(str(v))) for k, v in self.to_dict()["evidence"].items())
        if self.counterexample is not None:
            evidence += "<li>counterexample: <code>%s</code></li>" % esc(json.dumps(_jsonable(self.counterexample)))
        listed = "".join("<li>%s</li>" % esc(a) for a in assumptions)
        formula = '<div class="statement">%s</div>' % latex_to_mathml(self.statement, display=True) \
            if self.statement else ""
        return ('<section><h3><code>%s</code>: %s%s</h3><p><em>%s%s</em></p>%s%s'
                '<p>Method: %s (%.2f s)</p>%s<ul>%s</ul></section>' % (
                    esc(self.claim), esc(self.outcome),
                    "" if self.matches else " (does not match: expected %s)" % esc(self.expect),
                    esc(self.source), esc(origin_note(self.origin)), formula,
                    "<p>Scope: %s</p>" % esc(self.scope) if self.scope else "", esc(self.method), self.seconds,
                    "<p>Assumptions:</p><ul>%s</ul>" % listed if listed else "", evidence))

    def _repr_latex_(self):
        r"""Jupyter's LaTeX display: the statement in display style and the verdict beside it.

        Examples
        --------
        >>> Report("demo", "proved", "exact", statement=r"x^2 \ge 0")._repr_latex_()
        '$\\displaystyle x^2 \\ge 0 \\qquad \\text{[demo: proved]}$'
        >>> Report("demo", "proved", "exact")._repr_latex_()
        '$\\text{[demo: proved]}$'
        """
        verdict = r"\text{[%s: %s]}" % (self.claim.replace("\\", "/").replace("{", "(").replace("}", ")"), self.outcome)
        if not self.statement:
            return "$%s$" % verdict
        return r"$\displaystyle %s \qquad %s$" % (self.statement, verdict)

    def __str__(self):
        head = "%s: %s (%s; %.2f s)" % (self.claim, self.outcome, self.method, self.seconds)
        scope = "\n  scope: " + self.scope if self.scope else ""
        ev = "; ".join("%s = %s" % kv for kv in self.evidence.items())
        return head + scope + ("\n  " + ev if ev else "")


def origin_note(origin):
    """The note a rendering adds after the source of a claim whose statement lossgeom derived.

    Examples
    --------
    >>> origin_note("source"), origin_note("derived").startswith(" (statement derived by lossgeom")
    ('', True)
    """
    return " (statement derived by lossgeom from this paper; the paper does not print it)" \
        if origin == Origin.DERIVED else ""


def _jsonable(obj):
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return repr(obj)
    return str(obj)


@dataclass(frozen=True)
class ReportTable:
    """Several reports as one table (the catalog summary), for the printers.

    Its LaTeX comes from ``lossgeom.symbolic.latex.latex(table)``, like every LaTeX lossgeom prints.

    Parameters
    ----------
    reports : tuple of Report
    environment : {"tabular", "longtable"}
        ``longtable`` for a table that may break across pages (the ``lossgeom report`` document).
    title : str or None
        With a title the table prints as a whole LaTeX document (preamble, title, ``summary``).
    summary : str
        A line printed above the table in a document.

    Examples
    --------
    >>> t = ReportTable((Report("demo", "proved", "trivial"),))
    >>> len(t.reports), t.environment
    (1, 'tabular')
    """

    reports: tuple
    environment: str = "tabular"
    title: str = None
    summary: str = ""

    def __post_init__(self):
        object.__setattr__(self, "reports", tuple(self.reports))
        if self.environment not in ("tabular", "longtable"):
            raise ClaimDefinitionError("environment: expected 'tabular' or 'longtable', got %r" % (self.environment,))
