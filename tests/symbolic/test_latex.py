"""LaTeX of lossgeom objects: exact raw-string goldens (as in sympy/printing/tests/test_latex.py), and the
check that every object prints through LossgeomLatexPrinter's ``_print_<Class>`` methods."""

import pytest
import sympy as sp

from lossgeom import Net
from lossgeom.symbolic import (
    Equation,
    LossgeomLatexPrinter,
    derive_gauss_newton,
    derive_gradient,
    derive_hessian,
    latex,
    symbol,
)


@pytest.mark.parametrize("name, tex", [
    ("W1[2,1]", r"W^{(1)}_{2,1}"),
    ("b2[3]", r"b^{(2)}_{3}"),
    ("h1[2]", r"h^{(1)}_{2}"),
    ("a3[1]", r"a^{(3)}_{1}"),
    ("delta1[2]", r"\delta^{(1)}_{2}"),
    ("H1[1,2]", r"\mathcal{H}^{(1)}_{1,2}"),
    ("G2[1,1]", r"\mathcal{G}^{(2)}_{1,1}"),
    ("x[1]", r"x_{1}"),
    ("y[2]", r"y_{2}"),
    ("W12[10,3]", r"W^{(12)}_{10,3}"),
])
def test_symbols_of_the_naming_scheme(name, tex):
    assert latex(symbol(name)) == tex


def test_other_symbols_print_as_sympy_prints_them():
    assert latex(sp.Symbol("u")) == "u"
    assert latex(sp.Symbol("q[1]")) == sp.latex(sp.Symbol("q[1]")) == "q[1]"  # not a base of the scheme
    assert latex(sp.Symbol("theta_1")) == r"\theta_{1}"


def _generic_derivative(order):
    return derive_gradient(Net(widths=(1, 1, 1), activation="f")).activation_values(1, order)[0]


@pytest.mark.parametrize("order, tex", [
    (0, r"f\left(h^{(1)}_{1}\right)"),
    (1, r"f'\left(h^{(1)}_{1}\right)"),
    (2, r"f''\left(h^{(1)}_{1}\right)"),
    (3, r"f'''\left(h^{(1)}_{1}\right)"),
    (4, r"f^{(4)}\left(h^{(1)}_{1}\right)"),
])
def test_generic_activation_and_its_derivatives(order, tex):
    assert latex(_generic_derivative(order)) == tex


def test_powers_of_derivatives_and_ordinary_functions():
    fp = _generic_derivative(1)
    assert latex(fp ** 2) == r"f'\left(h^{(1)}_{1}\right)^{2}"
    assert latex(sp.tanh(symbol("h1[1]"))) == r"\tanh{\left(h^{(1)}_{1} \right)}"


def test_equation_golden():
    eq = derive_gradient(Net(widths=(1, 1, 1), activation="f", bias=True)).equations[0]
    assert latex(eq) == r"h^{(1)}_{1} = W^{(1)}_{1,1} x_{1} + b^{(1)}_{1}"
    rec = derive_hessian(Net(widths=(1, 1, 1), activation="f"))
    eq = [e for e in rec.equations if e.lhs.name == "H1[1,1]"][0]
    assert latex(eq) == (r"\mathcal{H}^{(1)}_{1,1} = \mathcal{H}^{(2)}_{1,1} \left(W^{(2)}_{1,1}\right)^{2} "
                         r"f'\left(h^{(1)}_{1}\right)^{2} + W^{(2)}_{1,1} \delta^{(2)}_{1} f''\left(h^{(1)}_{1}\right)")


def test_gauss_newton_equation_golden():
    rec = derive_gauss_newton(Net(widths=(1, 1, 1), activation="f"))
    eq = [e for e in rec.equations if e.lhs.name == "G1[1,1]"][0]
    assert latex(eq) == (r"\mathcal{G}^{(1)}_{1,1} = \mathcal{G}^{(2)}_{1,1} \left(W^{(2)}_{1,1}\right)^{2} "
                         r"f'\left(h^{(1)}_{1}\right)^{2}")


def test_equation_prints_through_the_printer_and_honours_its_settings():
    # Equation has no _latex hook of its own, so _print_Equation (and any override of it) is what runs
    assert not hasattr(Equation, "_latex")

    class Marked(LossgeomLatexPrinter):
        def _print_Equation(self, eq):
            return "EQ(" + super()._print_Equation(eq) + ")"

    eq = Equation(symbol("h1[1]"), symbol("W1[1,1]") * symbol("x[1]"))
    assert Marked().doprint(eq) == r"EQ(h^{(1)}_{1} = W^{(1)}_{1,1} x_{1})"
    assert latex(eq, mul_symbol="dot") == r"h^{(1)}_{1} = W^{(1)}_{1,1} \cdot x_{1}"


def test_unknown_settings_are_refused():
    with pytest.raises(TypeError, match="named"):  # the old, never-read ``named`` setting is gone
        latex(symbol("x[1]"), named=True)


def test_layer_block_golden():
    rec = derive_hessian(Net(widths=(1, 2, 1), activation="tanh", bias=True))
    rows = [r"\mathcal{H}^{(1)}_{1,1} x_{1}^{2} & \mathcal{H}^{(1)}_{1,2} x_{1}^{2} & \mathcal{H}^{(1)}_{1,1} x_{1} & "
            r"\mathcal{H}^{(1)}_{1,2} x_{1}",
            r"\mathcal{H}^{(1)}_{1,2} x_{1}^{2} & \mathcal{H}^{(1)}_{2,2} x_{1}^{2} & \mathcal{H}^{(1)}_{1,2} x_{1} & "
            r"\mathcal{H}^{(1)}_{2,2} x_{1}",
            r"\mathcal{H}^{(1)}_{1,1} x_{1} & \mathcal{H}^{(1)}_{1,2} x_{1} & \mathcal{H}^{(1)}_{1,1} & "
            r"\mathcal{H}^{(1)}_{1,2}",
            r"\mathcal{H}^{(1)}_{1,2} x_{1} & \mathcal{H}^{(1)}_{2,2} x_{1} & \mathcal{H}^{(1)}_{1,2} & "
            r"\mathcal{H}^{(1)}_{2,2}"]
    assert latex(rec.layer_block(1)) == r"\left[\begin{matrix}" + r"\\".join(rows) + r"\end{matrix}\right]"


def test_derivations_print_as_aligned_equations():
    bp = derive_gradient(Net(widths=(1, 1)))
    golden = ("\\begin{aligned}\nh^{(1)}_{1} &= W^{(1)}_{1,1} x_{1} \\\\\n"
              "\\delta^{(1)}_{1} &= h^{(1)}_{1} - y_{1}\n\\end{aligned}")
    assert latex(bp) == golden
    assert bp._repr_latex_() == "$\\displaystyle " + golden + "$"
    rec = derive_hessian(Net(widths=(1, 1)))
    assert latex(rec) == golden.replace("\n\\end", " \\\\\n\\mathcal{H}^{(1)}_{1,1} &= 1\n\\end")
    assert rec._repr_latex_() == "$\\displaystyle " + latex(rec) + "$"
