"""lossgeom.mathml: LaTeX to MathML for the offline HTML report; a formula that does not convert whole is an error."""

import re
import xml.etree.ElementTree as ET

import pytest

from lossgeom import DataError
from lossgeom.mathml import latex_to_mathml
from lossgeom.proofs import list_claims

NS = "{http://www.w3.org/1998/Math/MathML}"
RAW_TEX = re.compile(r"\\[A-Za-z]+|\$")


def _tree(tex, display=False):
    text = latex_to_mathml(tex, display=display)
    return ET.fromstring(text.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', ""))


def test_structure_of_a_fraction_and_scripts():
    root = _tree(r"\frac{\partial^2 E}{\partial h_\lambda^2}", display=True)
    assert root.tag == "math" and root.get("display") == "block"
    frac = root.find(".//mfrac")
    assert frac is not None and len(frac) == 2
    numerator, denominator = ("".join(part.itertext()) for part in frac)
    assert numerator == "\u2202" + "2E" and denominator == "\u2202h\u03bb2"
    assert root.find(".//msubsup") is not None  # h_\lambda^2


@pytest.mark.parametrize("tex, text", [
    (r"\mathbb{R}^n", "\u211dn"), (r"A \succeq 0", "A\u2ab00"), (r"\binom{n}{k}", "(nk)"),
    (r"\operatorname{tr} A", "trA"), (r"\sqrt{2}", "2"),
])
def test_symbols_become_characters(tex, text):
    assert "".join(_tree(tex).itertext()) == text


def test_text_is_escaped_never_markup():
    out = latex_to_mathml(r"x \text{ <script>alert(1)</script> & }")
    assert "<script" not in out and "&lt;script&gt;" in out and "&amp;" in out
    mtext = _tree(r"x \text{ <b> & }").find(".//mtext")
    assert mtext.text == "\u00a0<b>\u00a0&\u00a0"


@pytest.mark.parametrize("tex, message", [
    (r"\nosuchcommand x", r"does not know '\\nosuchcommand'"),
    (r"\frac{a", "incomplete (a <mfrac> with 1 of its 2 parts)"),
    ("x^", "cannot convert 'x^'"),
    (r"\$x\$", "does not know '$'"),
    ("", "non-empty string"),
])
def test_bad_tex_is_an_error_naming_the_field(tex, message):
    with pytest.raises(DataError, match="^tex: ") as info:
        latex_to_mathml(tex)
    assert message in str(info.value)


def test_bad_arguments():
    with pytest.raises(DataError, match="^tex: expected a string"):
        latex_to_mathml(None)
    with pytest.raises(DataError, match="^display: "):
        latex_to_mathml("x", display="yes")


def test_every_catalog_statement_converts_whole():
    """Every statement the HTML report prints becomes MathML with no TeX left in its text."""
    claims = list_claims()
    assert len(claims) >= 76
    for claim in claims:
        root = _tree(claim.statement, display=True)
        text = "".join(root.itertext())
        assert text.strip(), claim.id
        assert not RAW_TEX.search(text), (claim.id, text)
        assert any(el.tag in ("mi", "mn", "mo", "mtext") for el in root.iter()), claim.id
