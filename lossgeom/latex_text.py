"""Escaping of plain text for LaTeX documents (claim ids, methods, evidence)."""

__all__ = ["escape"]

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def escape(text):
    """Escape the characters LaTeX treats specially.

    Examples
    --------
    >>> print(escape("botev2017.hessian_recursion: 100% & done"))
    botev2017.hessian\\_recursion: 100\\% \\& done
    """
    return "".join(_SPECIAL.get(ch, ch) for ch in str(text))
