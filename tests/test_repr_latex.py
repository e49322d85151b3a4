"""``_repr_latex_`` and a short ``__repr__`` of the result objects: the LaTeX converts to MathML (so Jupyter's
MathJax renders it too) and shows the key quantity; the repr is one line with the key fields."""

import numpy as np
import pytest
import sympy as sp

from lossgeom import Net, resolve_point
from lossgeom.display import latex_text, latex_value, summary_latex
from lossgeom.errors import DataError
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


# -- the rest of the result objects: each display shows its key quantity and converts to MathML ----------

def test_inertia_and_path_count():
    from lossgeom.numeric import count_paths
    from lossgeom.numeric.spectrum import Inertia
    tex = _math(Inertia(2, 1, 0, "1e-45"))
    assert r"(n_+, n_-, n_0) & \left(2, 1, 0\right)" in tex and r"\text{1e-45}" in tex
    tex = _math(count_paths(Net(widths=(3, 4, 2, 2))))
    assert r"\text{total} & 48" in tex and r"\left(24, 24\right)" in tex


def test_certified_spectrum_shows_the_enclosures():
    from lossgeom.numeric import certified_eigh
    s = certified_eigh(sp.Matrix([[2, 1], [1, 2]]), dps=30)  # eigenvalues 1 and 3
    tex = _math(s)
    assert r"\lambda_{\min} & [1.0, 1.0]" in tex and r"\lambda_{\max} & [3.0, 3.0]" in tex
    assert r"\operatorname{rank} & 2" in tex and r"\left(2, 0, 0\right)" in tex
    tex = _math(certified_eigh(sp.Matrix([[1, 1], [1, 1]]), dps=20))  # eigenvalue 0: the rank is undecided
    assert r"\operatorname{rank} & \text{undecided}" in tex and r"\left(1, 0, 1\right)" in tex


def test_hessian_evaluation_and_summary():
    from lossgeom.numeric.evaluate import evaluate_net
    from lossgeom.numeric.summary import HessianSummary
    args = (Net(widths=(1, 1, 1), activation="relu"), [[[1]], [[-2]]])
    ev, ex = evaluate_net(*args, X=[[1]], Y=[[0]], dps=20), evaluate_net(*args, X=[[1]], Y=[[0]], dps="exact")
    tex = _math(ex)
    assert r"\text{loss } E & 2" in tex and r"\text{parameters} & 2" in tex and r"\text{units at a kink} & \text{none}" in tex
    kinked = evaluate_net(args[0], [[[0]], [[1]]], X=[[1]], Y=[[0]], dps=20)
    assert r"\text{units at a kink} & \text{h1[1]}" in _math(kinked)
    tex = _math(HessianSummary.from_evaluation(ev, exact=ex))
    # H = J^T J + (z - y) d2z = [[4, -2], [-2, 1]] - 2 [[0, 1], [1, 0]]: trace 5, det -12, decided exactly
    assert r"\operatorname{tr} H & 5" in tex and r"\left(1, 1, 0\right)" in tex and r"\text{exactly}" in tex
    assert r"\text{layer 2 block PSD} & \text{yes (exact)}" in tex


def test_descent_run_and_critical_certificate():
    import numpy as np

    from lossgeom.numeric.optimise import gradient_descent
    from lossgeom.numeric.shen_certify import krawczyk_critical, newton_critical
    run = gradient_descent([np.array([[0.5]]), np.array([[0.5]])], [[1.0]], [[1.0]], steps=2000)
    tex = _math(run)
    assert r"\text{converged} & \text{yes}" in tex and r"\text{steps} & %d" % run.steps in tex
    X, Y = [[0, 1, 2, 0, 1, 2, 0, 1], [0, 0, 0, 1, 1, 1, 2, 2]], [[0, 1, 0, 1, 1, 0, 1, 0]]
    th, _ = newton_critical([-0.786, 1.133, -0.069, 0.244, 0.477], 1, X=X, Y=Y, dps=30)
    tex = _math(krawczyk_critical(th, 1, X=X, Y=Y, dps=30))
    assert r"\text{one critical point in the box} & \text{yes}" in tex and r"\left(4, 1\right)" in tex
    assert r"\text{kind} & \text{saddle}" in tex and r"10^{-15}" in tex


def test_sigma_eigen_and_factorization():
    from lossgeom.symbolic.factorization import factor_into_widths
    from lossgeom.symbolic.linear import sigma_eigen
    tex = _math(sigma_eigen(Net(widths=(3, 1, 3)), sp.eye(3), sp.diag(3, 2, 1)))
    assert r"\left(9, 4, 1\right)" in tex and r"U\ (\text{eigenvectors}) & \left[\begin{matrix}" in tex
    tex = _math(sigma_eigen(Net(widths=(2, 2)), sp.eye(2), sp.Matrix([[1, 1], [0, 1]])))
    assert r"\sqrt{5}" in tex and r"\text{numeric (an eigenvalue is irrational)}" in tex
    f = factor_into_widths(Net(widths=(2, 1, 3, 2)), sp.Matrix([[1, 2], [2, 4]]))
    tex = _math(f)
    assert r"\text{possible} & \text{yes}" in tex and "W_{3} & " + sp.latex(f.weights[2]) in tex
    tex = _math(factor_into_widths(Net(widths=(2, 1, 2)), sp.eye(2)))
    assert r"\text{possible} & \text{no}" in tex and "W_{1}" not in tex


def test_shen_system():
    from lossgeom.symbolic.shen import shen_system_exact
    s = shen_system_exact(Net(widths=(1, 1, 1), activation="softsign"), [[[1]], [[2]]], X=[[1]], Y=[[0]])
    tex = _math(s)
    assert r"%d \times %d" % (s.n_rows, s.n_cols) in tex and sp.latex(s.eps[0]) in tex


def test_exercise_and_grade():
    from lossgeom.proofs.exercises import exercise, grade, inline_math, topics
    ex = exercise("path-count", 3)
    tex = _math(ex)
    assert r"\text{seed} & 3" in tex and ex.answer not in tex  # a handout: no answer
    for topic in topics():  # every family's question typesets
        _math(exercise(topic, 2))
    assert r"\text{wrong}" in _math(grade("path-count", 3, "7"))
    assert r"\text{correct}" in _math(grade("path-count", 3, ex.answer))
    with pytest.raises(DataError, match="paragraph"):
        inline_math("unbalanced $x")


def test_evidence():
    from lossgeom.proofs.evidence import Evidence
    tex = _math(Evidence("numeric", "inertia at 30 digits", digits=30, instances=tuple("abcdef")))
    assert r"\text{outcome} & \text{verified}" in tex and r"\text{agreeing digits} & 30" in tex
    assert r"\text{6 (a, b, c, ...)}" in tex
    tex = _math(Evidence("symbolic", "x", counterexample={"at": 1}))
    assert r"\text{outcome} & \text{refuted}" in tex and r"\text{counterexample}" in tex
