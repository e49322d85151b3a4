"""LaTeX for lossgeom objects: a SymPy ``LatexPrinter`` subclass.

Symbols of the naming scheme print as ``W1[2,1] -> W^{(1)}_{2,1}``, ``h1[2] -> h^{(1)}_{2}``,
``delta1[2] -> \\delta^{(1)}_{2}``, ``H1[1,2] -> \\mathcal{H}^{(1)}_{1,2}``; the generic
activation's derivatives print as ``f'``, ``f''``.  Derivation objects print through
``_print_<Class>`` methods, never hand-built strings elsewhere.
"""

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

__all__ = ["LossgeomLatexPrinter", "latex"]

_NAMED = re.compile(r"^(?P<base>W|b|h|a|delta|H|G|Z|x|y)(?P<layer>\d*)\[(?P<idx>[\d,]+)\]$")
_BASES = {"W": "W", "b": "b", "h": "h", "a": "a", "delta": r"\delta", "H": r"\mathcal{H}", "G": r"\mathcal{G}",
          "Z": "Z", "x": "x", "y": "y"}


class LossgeomLatexPrinter(LatexPrinter):
    """LaTeX printer for lossgeom symbols and derivation objects.

    Settings: every ``sympy.latex`` setting, in the one settings dict SymPy's printer validates
    (an unknown setting is refused).  An :class:`~lossgeom.symbolic.hessian.Equation` prints as
    ``lhs = rhs``; a derivation as an ``aligned`` block of its equations.

    Examples
    --------
    >>> from lossgeom.symbolic.forward import symbol
    >>> latex(symbol("W2[1,3]") * symbol("delta2[1]"))
    'W^{(2)}_{1,3} \\\\delta^{(2)}_{1}'
    >>> latex(symbol("H1[1,2]"))
    '\\\\mathcal{H}^{(1)}_{1,2}'
    """

    printmethod = "_latex"

    def _print_Symbol(self, expr, style="plain"):
        m = _NAMED.match(expr.name)
        if not m:
            return super()._print_Symbol(expr, style)
        base = _BASES[m.group("base")]
        layer = "^{(%s)}" % m.group("layer") if m.group("layer") else ""
        return "%s%s_{%s}" % (base, layer, m.group("idx"))

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

    def _aligned(self, equations):
        rows = [r"%s &= %s" % (self._print(eq.lhs), self._print(eq.rhs)) for eq in equations]
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


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
