"""LaTeX for lossgeom objects: a SymPy ``LatexPrinter`` subclass.

Symbols of the naming scheme print as ``W1[2,1] -> W^{(1)}_{2,1}``, ``h1[2] -> h^{(1)}_{2}``,
``delta1[2] -> \\delta^{(1)}_{2}``, ``H1[1,2] -> \\mathcal{H}^{(1)}_{1,2}``, the path gates
``Z[1,2,1] -> Z_{1,2,1}`` and ``Z[b2;3,1] -> Z_{b^{(2)};3,1}``, the spins ``w[1] -> w_{1}``; the generic
activation's derivatives print as ``f'``, ``f''``.  Derivation objects print through
``_print_<Class>`` methods, never hand-built strings elsewhere.
"""

import json
import re
from contextlib import contextmanager

import sympy as sp
from sympy.printing.latex import LatexPrinter

from lossgeom.checks import check_mapping
from lossgeom.errors import ArgumentTypeError, OptionError, choose
from lossgeom.latex_text import escape
from lossgeom.report import origin_note

__all__ = ["LossgeomLatexPrinter", "latex"]

_NAMED = re.compile(r"^(?P<base>W|b|h|a|delta|H|G|U|Z|x|y|w|X)(?P<layer>\d*)\[(?P<idx>(?:b\d+;)?[\d,]+)\]$")
_BASES = {"W": "W", "b": "b", "h": "h", "a": "a", "delta": r"\delta", "H": r"\mathcal{H}", "G": r"\mathcal{G}",
          "U": r"\mathcal{U}", "Z": "Z", "x": "x", "y": "y", "w": "w", "X": "X"}
#: The bias-path gate Z[b{k};...] names the layer its path starts from.
_BIAS_GATE = re.compile(r"^b(\d+);")


class LossgeomLatexPrinter(LatexPrinter):
    """LaTeX printer for lossgeom symbols and derivation objects.

    Settings (validated by SymPy's printer): every ``sympy.latex`` setting, plus
    ``max_terms`` (default 12): the most paths a path sum prints term by term (sum notation
    above it); ``path_order`` (default ``"none"``, path order): the term order of path sums and
    of their sum notation, any of SymPy's ``order`` values.

    Examples
    --------
    >>> from lossgeom.symbolic.forward import symbol
    >>> latex(symbol("W2[1,3]") * symbol("delta2[1]"))
    'W^{(2)}_{1,3} \\\\delta^{(2)}_{1}'
    >>> latex(symbol("H1[1,2]"))
    '\\\\mathcal{H}^{(1)}_{1,2}'
    """

    printmethod = "_latex"
    _default_settings = dict(LatexPrinter._default_settings, max_terms=12, path_order="none")

    def __init__(self, settings=None):
        if settings is not None:
            settings = check_mapping(settings, "settings")
        try:
            super().__init__(settings)
        except TypeError as err:  # SymPy: "Unknown setting 'a'." (a TypeError, as for an unknown keyword)
            raise ArgumentTypeError("settings: %s (known: %s)" % (err, ", ".join(sorted(self._default_settings)))) \
                from None

    def _print_Symbol(self, expr, style="plain"):
        m = _NAMED.match(expr.name)
        if not m:
            return super()._print_Symbol(expr, style)
        base = _BASES[m.group("base")]
        layer = "^{(%s)}" % m.group("layer") if m.group("layer") else ""
        return "%s%s_{%s}" % (base, layer, _BIAS_GATE.sub(r"b^{(\1)};", m.group("idx")))

    def _print_Function(self, expr, exp=None):
        order = getattr(expr.func, "_order", None)
        if order is None:
            return super()._print_Function(expr, exp)
        name = "f" + "'" * order if order <= 3 else "f^{(%d)}" % order
        arg = self._print(expr.args[0])
        out = r"%s\left(%s\right)" % (name, arg)
        return "%s^{%s}" % (out, exp) if exp is not None else out

    def _print_Equation(self, eq):
        """``lhs = rhs`` (an :class:`~lossgeom.symbolic.hessian.Equation` has no ``_latex`` hook of its own)."""
        return "%s = %s" % (self._print(eq.lhs), self._print(eq.rhs))

    def _print_BackwardPass(self, bp):
        return self._aligned(bp.equations)

    def _print_HessianRecursion(self, rec):
        return self._aligned(rec.equations)

    def _print_StructuredHessian(self, sh):
        return self._aligned(sh.equations)

    def _aligned(self, equations):
        rows = [r"%s &= %s" % (self._print(eq.lhs), self._print(eq.rhs)) for eq in equations]
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"

    # -- claim reports (lossgeom.report) ---------------------------------------------------------
    def _print_Report(self, rep):
        """A LaTeX paragraph: outcome, source, statement, scope, method and the evidence as a list."""
        lines = [r"\paragraph{\texttt{%s}: %s.}" % (escape(rep.claim), escape(rep.outcome))]
        if rep.source:
            lines.append(r"\emph{Source:} %s%s. " % (escape(rep.source), escape(origin_note(rep.origin))))
        if rep.statement:
            lines.append(r"\emph{Statement:} $%s$. " % rep.statement)
        if rep.scope:
            lines.append(r"\emph{Scope:} %s. " % escape(rep.scope))
        lines.append(r"\emph{Method:} %s (%.2f\,s). " % (escape(rep.method), rep.seconds))
        facts = rep.to_dict()
        if rep.evidence or rep.counterexample is not None:
            lines.append(r"\begin{itemize}")
            lines += [r"\item %s: %s" % (escape(str(k)), escape(str(v))) for k, v in rep.evidence.items()]
            if rep.counterexample is not None:
                lines.append(r"\item counterexample: \texttt{%s}" % escape(json.dumps(facts["counterexample"])))
            lines.append(r"\end{itemize}")
        return "\n".join(lines) + "\n"

    def _print_ReportTable(self, table):
        """The summary table (claim, outcome, expect, method, seconds), then each report's paragraph."""
        env = table.environment
        rows = [r"\texttt{%s} & %s & %s & %s & %.2f \\" % (escape(r.claim), escape(r.outcome), escape(r.expect),
                                                            escape(r.method), r.seconds) for r in table.reports]
        head = [r"\begin{%s}{lllp{6cm}r}" % env, r"claim & outcome & expect & method & s \\ \hline"]
        body = "\n".join(head + rows + [r"\end{%s}" % env, ""] + [self._print(r) for r in table.reports])
        if table.title is None:
            return body
        return "\n".join([r"\documentclass{article}", r"\usepackage{amsmath,amssymb,longtable}",
                          r"\usepackage[margin=2cm]{geometry}", r"\title{%s}" % escape(table.title),
                          r"\begin{document}", r"\maketitle", escape(table.summary), "", body, r"\end{document}", ""])

    # -- path sums and the spin-glass form (lossgeom.symbolic.paths, lossgeom.symbolic.spin_glass) --
    @classmethod
    def _adopt(cls, printer):
        """This printer, or one with a plain SymPy printer's settings (for the objects' ``_latex`` hooks)."""
        if isinstance(printer, cls):
            return printer
        return cls({k: v for k, v in printer._settings.items() if k in cls._default_settings})

    @contextmanager
    def _path_order(self):
        order = choose("path_order", self._settings["path_order"], ("none", "lex", "grlex", "grevlex", "rev-lex",
                                                                     "rev-grlex", "rev-grevlex", "old"))
        saved, self._settings["order"] = self._settings["order"], order
        try:
            yield
        finally:
            self._settings["order"] = saved

    def _scaled(self, q, text):
        return text if q == 1 else r"%s \left(%s\right)" % (self._print(q), text)

    def _print_PathSum(self, ps):
        limit = self._settings["max_terms"]
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise OptionError("max_terms: expected an integer >= 0, got %r" % (limit,))
        if ps.n_paths > limit:
            return self._print(ps.collapsed)
        rows = []
        with self._path_order():
            for j in range(1, ps.net.widths[-1] + 1):
                # unevaluated, so each term reads input, gate, weights in path order
                body = sp.Add(*[sp.Mul(*([] if t.start == 1 else [t.start]), t.gate, *t.weights, evaluate=False)
                                for t in ps.output_terms(j)], evaluate=False)
                rows.append((r"\hat{y}_{%d}" % j, self._scaled(ps.q, self._print(body))))
        if len(rows) == 1:
            return "%s = %s" % rows[0]
        return r"\begin{aligned}" + r" \\ ".join("%s &= %s" % row for row in rows) + r"\end{aligned}"

    def _print_CollapsedPathSum(self, cs):
        with self._path_order():
            text = self._scaled(cs.q, " + ".join(self._print(part) for part in cs.parts))
        outputs = cs.net.widths[-1]
        if outputs == 1:
            return r"\hat{y}_{1} = %s" % text
        return r"\hat{y}_{j} = %s, \quad j = 1, \dots, %d" % (text, outputs)

    def _print_SpinGlassForm(self, sg):
        spins = sg.H + 1
        return (r"\mathcal{L}(w) = C_1 + C_2\,\Lambda^{-%s} \sum_{i_1,\dots,i_{%d}=1}^{\Lambda} X_{i_1\cdots i_{%d}}"
                r" \prod_{k=1}^{%d} w_{i_k}, \quad \frac{1}{\Lambda}\sum_{i=1}^{\Lambda} w_i^2 = 1, \quad \Lambda = %d"
                % (self._print(sp.Rational(sg.H, 2)), spins, spins, spins, sg.size))


def latex(obj, **settings):
    """LaTeX of a SymPy expression, matrix or lossgeom derivation object.

    Parameters
    ----------
    obj : Expr, Matrix, Equation, BackwardPass or HessianRecursion
    **settings
        Any ``sympy.latex`` setting.

    Examples
    --------
    >>> from lossgeom import Net
    >>> from lossgeom.symbolic import derive_hessian
    >>> print(latex(derive_hessian(Net(widths=(1, 1), activation="f"))))
    \\begin{aligned}
    h^{(1)}_{1} &= W^{(1)}_{1,1} x_{1} \\\\
    \\delta^{(1)}_{1} &= h^{(1)}_{1} - y_{1} \\\\
    \\mathcal{H}^{(1)}_{1,1} &= 1
    \\end{aligned}
    """
    return LossgeomLatexPrinter(settings).doprint(obj)
