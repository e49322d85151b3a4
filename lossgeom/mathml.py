"""MathML from LaTeX, in Python, so that an HTML document renders its formulas with no network.

``lossgeom report --out FILE.html`` writes each claim's statement (a LaTeX string) as presentation MathML,
which every current browser renders natively (MathML Core): no script, no web font, no CDN.  The
conversion is done by latex2mathml (a small pure-Python package) and then checked here, because a
converter that does not know a command passes it through as text: a formula that does not convert
whole raises :class:`~lossgeom.errors.DataError` instead of leaving raw TeX in the document.

The text of the formula is never evaluated: it is parsed as TeX, and every piece of text in the result
is escaped as XML (``\\text{<b>}`` prints ``<b>``, it does not make markup).
"""

import html
import re
import xml.etree.ElementTree as ET

from .checks import check_bool, check_str
from .errors import DataError

__all__ = ["latex_to_mathml"]

#: how many children each MathML layout element must have (a ``\frac{a}`` converts to a one-child ``mfrac``)
ARITY = {"mfrac": 2, "msub": 2, "msup": 2, "msubsup": 3, "munder": 2, "mover": 2, "munderover": 3, "mroot": 2}

#: what would show as raw TeX: a command name or a dollar sign left in the text of the result
_RAW_TEX = re.compile(r"\\[A-Za-z]+|\$")


def latex_to_mathml(tex, display=False):
    """The presentation MathML of the LaTeX formula ``tex`` (math mode, no surrounding ``$``).

    Parameters
    ----------
    tex : str
        A formula, e.g. ``r"\\frac{\\partial E}{\\partial W}"``.
    display : bool
        ``True`` for a block formula (``display="block"``), ``False`` for one inside a line of text.

    Returns
    -------
    str
        One ``<math>`` element, XML-escaped, with the MathML namespace.

    Raises
    ------
    DataError
        ``tex`` is not a non-empty string, does not parse, or contains a command the converter does not
        know (it would show as raw TeX); the message names the field ``tex`` and the command.

    Examples
    --------
    >>> latex_to_mathml(r"\\frac{a}{b}")
    '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac></mrow></math>'
    >>> "&lt;b&gt;" in latex_to_mathml(r"x \\text{ <b> }", display=True)
    True
    >>> latex_to_mathml(r"\\nosuchcommand x")
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: tex: the converter does not know '\\\\nosuchcommand' (in '\\\\nosuchcommand x')
    """
    check_str(tex, "tex")
    check_bool(display, "display")
    from latex2mathml.converter import convert_to_element
    try:
        root = convert_to_element(tex, display="block" if display else "inline")
    except Exception as exc:  # the converter raises its own exception types (and IndexError, ...) on bad TeX
        raise DataError("tex: cannot convert %r to MathML (%s: %s)" % (_short(tex), type(exc).__name__, exc)) from None
    for el in root.iter():
        el.text = _unescape(el.text)
        el.tail = _unescape(el.tail)
        for piece in (el.text, el.tail):
            bad = _RAW_TEX.search(piece or "")
            if bad:
                bad = bad.group(0)
                raise DataError("tex: the converter does not know %r (in %r)" % (bad, _short(tex)))
        want = ARITY.get(el.tag)
        if want is not None and len(el) != want:
            raise DataError("tex: %r is incomplete (a <%s> with %d of its %d parts)" % (
                _short(tex), el.tag, len(el), want))
    return ET.tostring(root, encoding="unicode")


def _unescape(text):
    """latex2mathml stores characters as ``&#x...;`` text; make them characters so that ElementTree escapes
    exactly once (its own ``convert`` unescapes the whole string, which lets ``\\text{<b>}`` through as markup)."""
    if not text:
        return text
    return html.unescape(text) if "&" in text else text


def _short(tex):
    return tex if len(tex) <= 120 else tex[:117] + "..."
