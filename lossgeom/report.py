"""`Report`: the verdict on one checkable statement, with its evidence.

It lives in the core (not in ``proofs``) because the symbolic layer returns Reports too
(``lossgeom.symbolic.verify_recursion``) and dependencies only flow downwards.
"""

import json
from dataclasses import dataclass, field, replace

__all__ = ["Report", "OUTCOMES"]

#: proved: decided exactly; verified: checked numerically at a stated precision on stated
#: instances; refuted: a counterexample was found; inconclusive: the toolkit could not decide.
OUTCOMES = ("proved", "verified", "refuted", "inconclusive")
EXPECTS = ("holds", "fails")


@dataclass(frozen=True)
class Report:
    """The outcome of checking one statement.

    Parameters
    ----------
    claim : str
        The claim id or a short description of what was checked.
    outcome : {"proved", "verified", "refuted", "inconclusive"}
    method : str
        Which method decided it (e.g. "exact expansion to zero").
    evidence : dict
        JSON-ready facts: residuals as decimal strings, instances checked, sizes.
    statement : str
        LaTeX of the statement.
    source : str
        Paper and place.
    expect : {"holds", "fails"}
    counterexample : dict or None
        When refuted: the instance that breaks the statement.
    seconds : float
    details : tuple of str
        Further lines for humans.

    Examples
    --------
    >>> r = Report("demo", "proved", "exact expansion to zero", evidence={"blocks": 2})
    >>> r.matches, r.outcome
    (True, 'proved')
    >>> Report("demo", "inconclusive", "none").matches
    False
    """

    claim: str
    outcome: str
    method: str
    evidence: dict = field(default_factory=dict)
    statement: str = ""
    source: str = ""
    expect: str = "holds"
    counterexample: dict = None
    seconds: float = 0.0
    details: tuple = ()

    def __post_init__(self):
        if self.outcome not in OUTCOMES:
            raise ValueError("outcome: expected one of %s, got %r" % (", ".join(OUTCOMES), self.outcome))
        if self.expect not in EXPECTS:
            raise ValueError("expect: expected one of %s, got %r" % (", ".join(EXPECTS), self.expect))

    @property
    def matches(self):
        """True when the outcome is what the claim expects (inconclusive never matches)."""
        if self.expect == "holds":
            return self.outcome in ("proved", "verified")
        return self.outcome == "refuted"

    def with_(self, **changes):
        """A copy with some fields changed."""
        return replace(self, **changes)

    # -- renderings --------------------------------------------------------------------
    def to_dict(self):
        """JSON-ready dict (stable field names: id, source, outcome, expect, method, evidence, seconds)."""
        out = {"id": self.claim, "source": self.source, "outcome": self.outcome, "expect": self.expect,
               "matches": self.matches, "method": self.method, "evidence": _jsonable(self.evidence),
               "seconds": "%.3f" % self.seconds}
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
            lines.append("*Source:* %s  " % self.source)
        if self.statement:
            lines.append("*Statement:* $%s$  " % self.statement)
        lines.append("*Expected:* %s; *method:* %s; *time:* %.2f s" % (self.expect, self.method, self.seconds))
        lines.append("")
        for k, v in self.evidence.items():
            lines.append("- %s: %s" % (k, v))
        if self.counterexample is not None:
            lines.append("- counterexample: `%s`" % json.dumps(_jsonable(self.counterexample)))
        for d in self.details:
            lines.append("- %s" % d)
        return "\n".join(lines) + "\n"

    def to_latex(self):
        """A LaTeX paragraph (for reports and notebooks)."""
        from .latex_text import escape
        lines = [r"\paragraph{\texttt{%s}: %s.}" % (escape(self.claim), escape(self.outcome))]
        if self.source:
            lines.append(r"\emph{Source:} %s. " % escape(self.source))
        if self.statement:
            lines.append(r"\emph{Statement:} $%s$. " % self.statement)
        lines.append(r"\emph{Method:} %s (%.2f\,s). " % (escape(self.method), self.seconds))
        if self.evidence:
            lines.append(r"\begin{itemize}")
            for k, v in self.evidence.items():
                lines.append(r"\item %s: %s" % (escape(str(k)), escape(str(v))))
            if self.counterexample is not None:
                lines.append(r"\item counterexample: \texttt{%s}" % escape(json.dumps(_jsonable(self.counterexample))))
            lines.append(r"\end{itemize}")
        return "\n".join(lines) + "\n"

    def _repr_latex_(self):
        return "$\\text{%s: %s}$" % (self.claim.replace("_", "\\_"), self.outcome)

    def __str__(self):
        head = "%s: %s (%s; %.2f s)" % (self.claim, self.outcome, self.method, self.seconds)
        ev = "; ".join("%s = %s" % kv for kv in self.evidence.items())
        return head + ("\n  " + ev if ev else "")


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return repr(obj)
    return str(obj)
