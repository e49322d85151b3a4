"""``_repr_latex_`` and a short ``__repr__`` of the result objects: the LaTeX converts to MathML (so Jupyter's
MathJax renders it too) and shows the key quantity; the repr is one line with the key fields."""

import numpy as np
import pytest
import sympy as sp

from lossgeom import Net, resolve_point
from lossgeom.display import latex_text, latex_value, summary_latex
from lossgeom.mathml import latex_to_mathml


def _math(obj):
    tex = obj._repr_latex_()
    assert tex.startswith("$") and tex.endswith("$") and "\n" not in tex
    latex_to_mathml(tex[1:-1], display=True)  # raises a DataError on TeX the converter does not know
    return tex


def _critical_set():
    from lossgeom.numeric.critical import enumerate_critical_points
    return enumerate_critical_points(Net(widths=(2, 1, 2)), sp.eye(2), sp.diag(3, 1), dps=20)


def test_critical_set_and_points():
    cs = _critical_set()
    tex = _math(cs)
    assert r"L^{*} = \min L & \frac{1}{2}" in tex  # 1/2 (9 + 1 - 9)
    assert r"\left(9, 1\right)" in tex and r"\text{critical points} & 3" in tex
    r = repr(cs)
    assert r.startswith("CriticalSet(widths=(2, 1, 2), points=3") and "global_minimum_value=1/2" in r
    assert "\n" not in r and len(r) < 200
    for p in cs.points:
        tex = _math(p)
        assert sp.latex(p.value) in tex and p.classification in tex
        assert repr(p).startswith("CriticalPoint(subset=%r" % (p.subset,))


def test_point_classification():
    from lossgeom.numeric.critical import classify_point
    net = Net(widths=(1, 1, 1, 1))
    r = classify_point(net, resolve_point(net, [[[0]], [[0]], [[0]]], X=[[1]], Y=[[1]]))
    tex = _math(r)
    assert r"\text{Hessian inertia } (+, -, 0) & \left(0, 0, 3\right)" in tex and r"\text{saddle}" in tex
    assert repr(r).startswith("PointClassification(critical=True") and "Matrix" not in repr(r)


def test_shen_rank():
    from lossgeom.numeric.shen import shen_rank
    r = shen_rank(Net(widths=(2, 2, 1), activation="softsign", bias=True), [[[0, 0], [0, 0]], [[0, 0]]],
                  [[1, -1], ["1/2"]], X=[[0, 0, 1, 1], [0, 1, 0, 1]], Y=[[0, 1, 1, 0]])
    tex = _math(r)
    assert r"\operatorname{rank} P(W) & 1 < n_L T = 4" in tex and r"N_{\mathrm{net}} & 9" in tex
    assert repr(r).startswith("ShenRank(rank=1, basis='exact', n_net=9, n_lt=4, critical=True")


def test_shen_rank_tanh_basis_is_shown():
    from lossgeom.numeric.shen import shen_rank
    r = shen_rank(Net(widths=(1, 1, 1), activation="tanh", bias=True), [[["1/2"]], [[1]]], [[0], [0]],
                  X=[[1, 2]], Y=[[0, 1]], dps=30)
    tex = _math(r)
    assert r"\operatorname{rank} P(W) & %d" % r.rank in tex and latex_text(r.basis) in tex


def test_loss_slice_1d_and_2d():
    from lossgeom.numeric.landscape import loss_slice
    p = resolve_point(Net(widths=(1, 1)), [[[1]]], X=[[1]], Y=[[0]])
    s = loss_slice(p, ([np.array([[1.0]])], [np.array([[0.0]])]), [-2, -1, 0, 1])
    tex = _math(s)
    assert r"\min E & 0.0" in tex and r"\max E & 2.0" in tex and r"(4\ \text{points})" in tex
    assert repr(s).startswith("LossSlice(shape=(4,)") and "array" not in repr(s)
    p = resolve_point(Net(widths=(1, 2, 1), activation="relu"), [[[1], [-1]], [[1, 1]]], X=[[1]], Y=[[0]])
    from lossgeom.numeric.landscape import slice_directions
    s2 = loss_slice(p, slice_directions(p, "random", seed=1), np.linspace(-1, 1, 5), np.linspace(-1, 1, 3))
    tex = _math(s2)
    assert r"5 \times 3" in tex or r"3 \times 5" in tex
    assert r"\beta \in [-1.0, 1.0]" in tex and r"\text{cell boundaries crossed} & %d" % s2.n_cuts in tex


def test_check_result():
    from lossgeom.symbolic.check import check_formula
    wrong = check_formula("gradient", "[delta1[1]*x[1] + 1]", net=Net(widths=(1, 1)))
    tex = _math(wrong)
    assert r"\text{refuted}" in tex and wrong.expected_latex in tex and r"\text{entry} & [1, 1]" in tex
    right = check_formula("gradient", "[delta1[1]*x[1]]", net=Net(widths=(1, 1)))
    assert r"\text{proved}" in _math(right) and "correct entry" not in right._repr_latex_()
    assert repr(wrong) == ("CheckResult(quantity='gradient', net='Net(1-1, identity, square)', outcome='different', "
                           "verdict='refuted', entry=(1, 1))")


@pytest.mark.parametrize("text", ["a_b^c", "{x}", "50% & $5", "\\input{/etc/passwd}", "#1 ~"])
def test_text_never_reaches_tex_as_commands(text):
    tex = latex_text(text)
    inner = tex[len(r"\text{"):-1]
    assert not any(c in inner for c in "\\{}_^$%&#~")
    # titles and values may carry user text (labels are the code's own LaTeX)
    latex_to_mathml(summary_latex(text, [("label", text)])[1:-1], display=True)


def test_latex_values():
    assert latex_value(1.5e-30) == r"1.5 \cdot 10^{-30}" and latex_value(sp.sqrt(2)) == r"\sqrt{2}"
    assert latex_value((1, sp.Rational(1, 3))) == r"\left(1, \frac{1}{3}\right)"
