"""Short text and LaTeX summaries of result objects (their ``__repr__`` and Jupyter's ``_repr_latex_``).

A result object (a critical set, a Shen rank, a loss slice, a check result, ...) holds matrices and grids
that make the dataclass default ``repr`` pages long; these helpers build a one-line ``repr`` with the key
fields and a LaTeX table (an ``array`` in display math) that Jupyter, MathJax and
:func:`lossgeom.mathml.latex_to_mathml` all render.

Examples
--------
>>> print(summary_latex("Demo", [(r"\\operatorname{rank} P", 3), ("basis", "exact")]))
$\\displaystyle \\begin{array}{ll}\\textbf{Demo} & \\\\ \\operatorname{rank} P & 3 \\\\ \\text{basis} & \\text{exact}\\end{array}$
"""

import numbers

import mpmath
import sympy as sp

__all__ = []

_TEXT_ESCAPES = (("\\", "/"), ("{", "("), ("}", ")"), ("$", "S"), ("#", "no."), ("%", " pct"), ("&", "and"),
                 ("_", "-"), ("^", "**"), ("~", "-"))


def latex_text(s):
    r"""``s`` inside ``\text{...}``, with the characters TeX reserves replaced (never interpreted).

    Examples
    --------
    >>> latex_text("eps != 0 & rank_P {x}")
    '\\text{eps != 0 and rank-P (x)}'
    """
    s = str(s)
    for a, b in _TEXT_ESCAPES:
        s = s.replace(a, b)
    return r"\text{%s}" % s


def latex_value(v, digits=15):
    r"""A field's value as LaTeX: SymPy objects through ``sp.latex``, numbers as numbers, text as ``\text``.

    Examples
    --------
    >>> latex_value(sp.Rational(1, 2)), latex_value(True), latex_value(None), latex_value(3)
    ('\\frac{1}{2}', '\\text{yes}', '\\text{--}', '3')
    """
    if v is None:
        return r"\text{--}"
    if isinstance(v, bool):
        return r"\text{yes}" if v else r"\text{no}"
    if isinstance(v, sp.Basic):
        return sp.latex(v)
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, (float, mpmath.mpf)):
        text = mpmath.nstr(mpmath.mpf(v), digits)
        if "e" in text:
            mant, exp = text.split("e")
            return r"%s \cdot 10^{%d}" % (mant, int(exp))
        return text
    if isinstance(v, (tuple, list)):
        return r"\left(%s\right)" % ", ".join(latex_value(x, digits) for x in v)
    return latex_text(v)


def summary_latex(title, rows):
    r"""A titled two-column table in display math: ``rows`` are ``(label, value)``.

    Labels are the calling code's own constants: one that already is LaTeX (it contains a backslash, ``_`` or
    ``^``) is used as it is, any other is put in ``\text``.  Values (which may carry user text) go through
    :func:`latex_value`, so text is escaped, unless the code gives them as ``("latex", tex)``.
    """
    lines = [r"\textbf{%s} &" % latex_text(title)[6:-1]]
    for label, value in rows:
        lab = label if any(c in label for c in "\\_^") else latex_text(label)
        val = value[1] if isinstance(value, tuple) and len(value) == 2 and value[0] == "latex" else latex_value(value)
        lines.append("%s & %s" % (lab, val))
    return r"$\displaystyle \begin{array}{ll}%s\end{array}$" % r" \\ ".join(lines)


def short_repr(obj, fields, width=60):
    """``ClassName(k=v, ...)`` over ``fields`` (name -> value), each value's repr cut to ``width`` characters.

    Examples
    --------
    >>> class A:
    ...     pass
    >>> short_repr(A(), {"n": 3, "text": "x" * 100}, width=10)
    "A(n=3, text='xxxxx...)"
    """
    parts = []
    for k, v in fields.items():
        r = repr(v)
        parts.append("%s=%s" % (k, r if len(r) <= width else r[:width - 4] + "..."))
    return "%s(%s)" % (type(obj).__name__, ", ".join(parts))
