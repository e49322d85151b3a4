"""check_formula / lossgeom check: equal forms are accepted, wrong ones refuted with the entry, hostile text refused."""

import io
import json
import os

import pytest
import sympy as sp

import lossgeom.symbolic.check as check_mod
from lossgeom import DataError, Net, SizeLimitError, check_formula, resolve_point
from lossgeom.cli import main
from lossgeom.formula import parse_formula
from lossgeom.symbolic import derive_hessian, direct_hessian, direct_layer_block, symbol

TANH_221 = Net(widths=(2, 2, 1), activation="tanh")
TANH_111 = Net(widths=(1, 1, 1), activation="tanh")


# -- equal forms -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    "kron(x @ x.T, H1)",                                                   # Kronecker
    "[[x[1]**2*H1[1,1], x[1]**2*H1[1,2], x[1]*x[2]*H1[1,1], x[1]*x[2]*H1[1,2]],"
    " [x[1]**2*H1[1,2], x[1]**2*H1[2,2], x[1]*x[2]*H1[1,2], x[1]*x[2]*H1[2,2]],"
    " [x[1]*x[2]*H1[1,1], x[1]*x[2]*H1[1,2], x[2]**2*H1[1,1], x[2]**2*H1[1,2]],"
    " [x[1]*x[2]*H1[1,2], x[1]*x[2]*H1[2,2], x[2]**2*H1[1,2], x[2]**2*H1[2,2]]]",   # entrywise
    "kron(transpose([x[1], x[2]].T) * [x[1], x[2]].T, H1.T)",              # transposes, H1 symmetric
])
def test_kronecker_and_entrywise_forms_are_proved_equal(answer):
    r = check_formula("layer-block", answer, net=TANH_221, layer=1)
    assert (r.outcome, r.verdict) == ("equal", "proved"), str(r)
    assert r.entry is None and r.points == 8


@pytest.mark.parametrize("answer", [
    # the recursion with B = 1 - tanh^2, factored
    "W2[1,1]**2*(1 - tanh(h1[1])**2)**2*H2[1,1] - 2*W2[1,1]*delta2[1]*tanh(h1[1])*(1 - tanh(h1[1])**2)",
    # expanded, terms in another order
    "-2*W2[1,1]*delta2[1]*tanh(h1[1]) + 2*W2[1,1]*delta2[1]*tanh(h1[1])**3 + W2[1,1]**2"
    " - 2*W2[1,1]**2*tanh(h1[1])**2 + W2[1,1]**2*tanh(h1[1])**4",
    # in the weights, with sech
    "W2[1,1]**2*sech(W1[1,1]*x[1])**4 - 2*W2[1,1]*(W2[1,1]*tanh(W1[1,1]*x[1]) - y[1])*tanh(W1[1,1]*x[1])"
    "*sech(W1[1,1]*x[1])**2",
])
def test_factored_expanded_and_reordered_forms_are_proved_equal(answer):
    r = check_formula("preactivation-hessian", answer, net=TANH_111, layer=1)
    assert (r.outcome, r.verdict) == ("equal", "proved"), str(r)


def test_the_direct_sympy_hessian_is_accepted():
    """Independent oracle: the block by sympy.diff of the composed loss, given as a SymPy object."""
    for net, l in ((TANH_221, 1), (TANH_221, 2), (Net(widths=(1, 2, 1), activation="sigmoid", bias=True), 1)):
        r = check_formula("layer-block", direct_layer_block(net, l), net=net, layer=l)
        assert (r.outcome, r.verdict) == ("equal", "proved"), str(r)


def test_gauss_newton_of_the_generic_activation():
    net = Net(widths=(1, 1, 1), activation="f")
    ok = check_formula("gauss-newton-block", "W2[1,1]**2*f'(h1[1])**2*x[1]**2", net=net, layer=1)
    assert ok.verdict == "proved"
    bad = check_formula("layer-block", "W2[1,1]**2*f'(h1[1])**2*x[1]**2", net=net, layer=1)
    assert bad.outcome == "different" and bad.entry == (1, 1)
    assert "exp(t/3) + sin(t)" in bad.notes[0]
    # the missing term: W2 delta2 f''(h1) x^2, nonzero at the reported point for the concrete f
    missing = sp.Rational(bad.point["W2[1,1]"])
    assert missing != 0


# -- wrong forms -------------------------------------------------------------------------------------------
def test_a_swapped_kronecker_product_is_refuted_with_the_entry():
    r = check_formula("layer-block", "kron(H1, x @ x.T)", net=TANH_221, layer=1)
    assert (r.outcome, r.verdict) == ("different", "refuted")
    assert r.entry == (1, 2)             # the first entry in row-major order where the two layouts differ
    assert r.expected_named == "H1[1,2]*x[1]**2"
    # the reported point and values are real: re-evaluate the correct entry there independently
    block = direct_layer_block(TANH_221, 1)
    subs = {symbol(k): sp.Rational(v) for k, v in r.point.items()}
    value = sp.N(block[0, 1].xreplace(subs), 40)
    assert abs(value - sp.Float(r.expected_value, 40)) < 1e-25
    assert abs(sp.Float(r.got_value, 40) - sp.Float(r.expected_value, 40)) > 1e-3


def test_a_dropped_term_is_refuted_exactly_for_a_rational_quantity():
    net = Net(widths=(2, 2, 2), activation="identity")
    r = check_formula("linear-gradient", "kron(X, W2) @ vec(W2 @ W1 @ X - Y)", net=net, layer=1)
    assert r.outcome == "different" and r.entry == (1, 1)
    assert "exact values" in r.method and "/" in r.expected_value or r.expected_value.lstrip("-").isdigit()
    good = check_formula("linear-gradient", "kron(X, W2.T) @ vec(W2 @ W1 @ X - Y)", net=net, layer=1)
    assert good.verdict == "proved"


def test_shapes_are_compared_first():
    r = check_formula("layer-block", "H1", net=TANH_221, layer=1)
    assert r.outcome == "different" and r.method == "shape: expected a 4x4 matrix, got a 2x2 matrix"
    r = check_formula("gradient", "[delta1[1]*x[1], delta2[1]*a1[1]].T", net=Net(widths=(1, 1, 1)), )
    assert r.method == "shape: expected a 2x1 matrix (column), got a 1x2 matrix (row)"


def test_the_whole_gradient_and_the_path_sum():
    g = check_formula("gradient", "[delta1[1]*x[1], delta2[1]*a1[1]]", net=Net(widths=(1, 1, 1)))
    assert g.verdict == "proved"
    relu = Net(widths=(2, 2, 1), activation="relu")
    ps = "sum" and ("W2[1,2]*W1[2,2]*x[2]*Z[2,2,1] + W1[1,1]*W2[1,1]*Z[1,1,1]*x[1] + W1[1,2]*W2[1,1]*Z[2,1,1]*x[2]"
                    " + W1[2,1]*W2[1,2]*Z[1,2,1]*x[1]")
    assert check_formula("path-sum", ps, net=relu).verdict == "proved"
    assert check_formula("path-sum", ps.replace("Z[2,2,1]", "Z[2,1,1]"), net=relu).outcome == "different"


def test_at_a_given_point_the_verdict_is_verified_there_only():
    net = Net(widths=(1, 1, 1), activation="relu")
    pt = resolve_point(net, [[["1/2"]], [[2]]], X=[[3, -1]], Y=[[0, 1]])
    r = check_formula("layer-block", "W2[1,1]**2*x[1]**2*heaviside(W1[1,1]*x[1])", net=net, point=pt, layer=1)
    assert (r.outcome, r.verdict) == ("equal", "verified") and "2 sample(s) exactly" in r.method
    r = check_formula("layer-block", "W2[1,1]**2*x[1]**2*heaviside(h1[1])", net=net, point=pt, layer=1)
    assert (r.outcome, r.verdict) == ("equal", "proved") and "every activation cell" in r.method
    wrong = check_formula("layer-block", "W2[1,1]**2*x[1]**2", net=net, point=pt, layer=1)
    assert wrong.outcome == "different" and wrong.point["x[1]"] == "-1"     # the second sample is at h < 0
    assert (wrong.expected_value, wrong.got_value) == ("0", "4")


def test_hessian_blocks_agree_with_the_full_direct_hessian():
    """The block check_formula's derivation expects is the diagonal block of sympy.hessian."""
    net = Net(widths=(1, 2, 1), activation="tanh")
    H = direct_hessian(net)
    block = H[net.layer_slice(2), net.layer_slice(2)]
    assert check_formula("layer-block", sp.ImmutableMatrix(block), net=net, layer=2).verdict == "proved"


# -- hostile text -------------------------------------------------------------------------------------------
def _never(*args, **kw):
    raise AssertionError("the comparison ran")


@pytest.mark.parametrize("text, limit", [
    ("(" * 1000 + "x[1]" + ")" * 1000, "formula_depth"),
    ("-" * 1000 + "x[1]", "formula_depth"),
    ("-" * 10 ** 5 + "1", "formula_length"),
    ("1" * 10 ** 6, "formula_length"),
    ("9**9**9**9", "formula_exponent"),
    ("factorial(10**6)", "formula_factorial"),
    ("(10**999)**999", "number_digits"),
    ("+".join(["1"] * 10001), "formula_nodes"),
    ("kron(eye(100), eye(100))", "formula_matrix_entries"),
])
def test_hostile_text_is_refused_by_a_limit_before_any_comparison(monkeypatch, text, limit):
    from lossgeom.symbolic.hessian import HessianRecursion
    monkeypatch.setattr(check_mod, "_compare", _never)
    monkeypatch.setattr(HessianRecursion, "expand", _never)     # not even the expected block is expanded
    with pytest.raises(SizeLimitError, match=r"\(limit %s\)" % limit):
        check_formula("layer-block", text, net=TANH_111, layer=1)


@pytest.mark.parametrize("text, what", [
    ("__import__('os').system('touch PWNED')", "unexpected character"),
    ("__import__", "unknown name '__import__'"),
    ("exec(x[1])", "unknown function 'exec'"),
    ("x[1].__class__", "unexpected"),
    ("W1[2,1]", "W1[2,1] is not a declared entry (W1 is 1x1; indices are 1-based)"),
    ("W1[0,0]", "not a declared entry"),
    ("x[1] +", "unexpected end of text"),
    ("1/0", "division by zero"),
    ("lambda: 1", "unexpected character ':'"),
    ("x[1] ; x[1]", "unexpected ';'"),
])
def test_bad_text_is_one_clear_error_and_runs_nothing(tmp_path, monkeypatch, text, what):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(check_mod, "_compare", _never)
    with pytest.raises(DataError) as err:
        check_formula("layer-block", text, net=TANH_111, layer=1)
    assert what in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "PWNED").exists()


def test_parser_grammar():
    a, b = sp.symbols("a b")
    M = sp.ImmutableMatrix([[a, b]])
    assert parse_formula("2^3^2", {}) == 512                      # right-associative
    assert parse_formula("-2**2", {}) == -4                       # ** binds tighter than unary minus
    assert parse_formula("0.1 + 1/3", {}) == sp.Rational(13, 30)  # the exact number parser
    assert parse_formula("M @ M.T", {"M": M}) == sp.ImmutableMatrix([[a ** 2 + b ** 2]])
    assert parse_formula("diag(M)", {"M": M}) == sp.ImmutableMatrix(sp.diag(a, b))
    assert parse_formula("vec([[1, 2], [3, 4]])", {}) == sp.ImmutableMatrix([1, 3, 2, 4])
    assert parse_formula("(M.T @ M)[2,1]", {"M": M}) == a * b
    assert parse_formula("sigmoid(a)", {"a": a}) == 1 / (1 + sp.exp(-a))
    with pytest.raises(DataError, match="cannot add a 1x2 and a 2x1 matrix"):
        parse_formula("M + M.T", {"M": M})
    with pytest.raises(DataError, match="unknown function 'f'"):
        parse_formula("f(a)", {"a": a})


# -- the command line ------------------------------------------------------------------------------------------
def _run(argv, capsys, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_exit_codes_and_formats(tmp_path, capsys, monkeypatch):
    base = ["check", "layer-block", "1", "--widths", "2,2,1", "--activation", "tanh"]
    rc, out, _ = _run(base + ["--answer", "kron(x @ x.T, H1)"], capsys)
    assert rc == 0 and "equal (proved)" in out
    rc, out, _ = _run(base + ["--answer", "kron(H1, x @ x.T)", "--format", "json"], capsys)
    doc = json.loads(out)
    assert rc == 1 and doc["entry"] == [1, 2] and doc["verdict"] == "refuted" and doc["point"]["x[1]"]
    rc, out, err = _run(base + ["--answer", "__import__('os').system('touch PWNED')"], capsys)
    assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1
    rc, out, _ = _run(base + ["--answer", "-"], capsys, stdin="kron(x @ x.T, H1)\n", monkeypatch=monkeypatch)
    assert rc == 0
    f = tmp_path / "answer.txt"
    f.write_text("kron(x @ x.T, H1)")
    assert _run(base + ["--answer-file", str(f)], capsys)[0] == 0
    f.write_text("x" * (10 ** 6))
    rc, _, err = _run(base + ["--answer-file", str(f)], capsys)
    assert rc == 2 and "limit formula_length" in err
    rc, _, err = _run(base + ["--answer-file", os.devnull], capsys)
    assert rc == 2 and "not a regular file" in err
    rc, out, _ = _run(base + ["--answer", "kron(H1, x @ x.T)", "--format", "latex"], capsys)
    assert rc == 1 and out.startswith("% layer-block 1 of Net(2-2-1, tanh, square): different (refuted)")


def test_cli_critical_value(capsys):
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "examples", "linear_3_1_3.json")
    if not os.path.exists(path):
        pytest.skip("examples/ is not beside the tests")
    assert _run(["check", "critical-value", "--net-file", path, "--answer", "5/2"], capsys)[0] == 0
    rc, out, _ = _run(["check", "critical-value", "--net-file", path, "--answer", "7"], capsys)
    assert rc == 1 and "correct entry: 5/2" in out


def test_cli_net_file_compares_at_its_point(capsys):
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "examples", "hessian_tanh_2_3_2.json")
    if not os.path.exists(path):
        pytest.skip("examples/ is not beside the tests")
    rc, out, _ = _run(["check", "layer-block", "1", "--net-file", path,
                       "--answer", "kron([x[1], x[2], 1] @ [x[1], x[2], 1].T, H1)"], capsys)
    assert rc == 0 and "equal (verified)" in out and "3 sample(s)" in out


def test_recursion_named_form_is_the_derivation():
    rec = derive_hessian(TANH_111)
    r = check_formula("preactivation-hessian", "0", net=TANH_111, layer=1)
    assert r.expected_named == str(rec.recursion_rhs(1)[0, 0])


def test_critical_value_of_a_deep_linear_net():
    """Baldi & Hornik's worked example (X = I_3, Y = diag(3, 2, 1)): global minimum 5/2 for one hidden unit."""
    net = Net(widths=(3, 1, 3))
    pt = resolve_point(net, [[[0, 0, 0]], [[0], [0], [0]]], X=sp.eye(3).tolist(), Y=sp.diag(3, 2, 1).tolist())
    assert check_formula("critical-value", "(trace(Y @ Y.T) - 9)/2", point=pt).verdict == "proved"
    wrong = check_formula("critical-value", "(trace(Y @ Y.T) - 9)", point=pt)
    assert (wrong.outcome, wrong.expected, wrong.got) == ("different", "5/2", "5")
    # an algebraic value: Y = [[1, 1], [1, 2]], X = I, one hidden unit; Sigma's top eigenvalue (7 + 3 sqrt 5)/2
    net = Net(widths=(2, 1, 2))
    pt = resolve_point(net, [[[0, 0]], [[0], [0]]], X=[[1, 0], [0, 1]], Y=[[1, 1], [1, 2]])
    r = check_formula("critical-value", "(7 - (7 + 3*sqrt(5))/2)/2", point=pt)
    assert r.verdict == "proved"
    assert check_formula("critical-value", "(7 - (7 + 3*sqrt(5))/2)/3", point=pt).outcome == "different"
    with pytest.raises(DataError, match="critical-value needs a point with data"):
        check_formula("critical-value", "1", net=net)


def test_piecewise_activations_are_verified_not_proved_when_the_cells_cannot_decide():
    """ReLU: heaviside of a raw expression (not a unit's own h) stays piecewise on a cell, so the exact comparison
    is not attempted: equal at the random points (exact values there), verdict verified, not proved."""
    net = Net(widths=(1, 1, 1), activation="relu")
    r = check_formula("layer-block", "W2[1,1]**2*x[1]**2*heaviside(W1[1,1]*x[1])", net=net, layer=1)
    assert (r.outcome, r.verdict) == ("equal", "verified") and "8 random rational points exactly" in r.method
    assert "piecewise" in r.method and any("exact on 0 of the 2 patterns" in n for n in r.notes)
    wrong = check_formula("layer-block", "W2[1,1]**2*x[1]**2", net=net, layer=1)
    assert wrong.outcome == "different" and wrong.expected_value == "0"


def test_piecewise_activations_are_proved_on_every_cell():
    """On each activation cell the ReLU net is polynomial: the pattern-fixed derivation and the answer expand to the
    same polynomial on all 2^k cells, so the answer is proved everywhere off the kinks."""
    net = Net(widths=(1, 1, 1), activation="relu")
    r = check_formula("layer-block", "W2[1,1]**2*x[1]**2*heaviside(h1[1])", net=net, layer=1)
    assert (r.outcome, r.verdict) == ("equal", "proved") and "every activation cell (2 patterns" in r.method
    relu = Net(widths=(2, 2, 1), activation="relu")
    for form in ("[[W2[1,1]**2*heaviside(h1[1]), W2[1,1]*W2[1,2]*heaviside(h1[1])*heaviside(h1[2])],"
                 " [W2[1,1]*W2[1,2]*heaviside(h1[1])*heaviside(h1[2]), W2[1,2]**2*heaviside(h1[2])]]",
                 "kron(eye(1), [[W2[1,1]**2*heaviside(h1[1]), W2[1,1]*W2[1,2]*heaviside(h1[1])*heaviside(h1[2])**2], "
                 "[W2[1,1]*W2[1,2]*heaviside(h1[1])*heaviside(h1[2]), W2[1,2]**2*heaviside(h1[2])]])"):
        r = check_formula("preactivation-hessian", form, net=relu, layer=1)
        assert r.verdict == "proved" and "4 patterns of 2 piecewise units" in r.method, (form, r)
    wrong = "[[W2[1,1]**2*heaviside(h1[1]), 0], [0, W2[1,2]**2*heaviside(h1[2])]]"  # cross terms dropped
    assert check_formula("preactivation-hessian", wrong, net=relu, layer=1).outcome == "different"
    # right on 3 of the 4 cells (one heaviside missing in the cross terms): refuted whatever the random points
    # show (seed 0's 8 points all miss the wrong cell), at a point found inside the cell where it differs
    part = ("[[W2[1,1]**2*heaviside(h1[1]), W2[1,1]*W2[1,2]*heaviside(h1[1])], "
            "[W2[1,1]*W2[1,2]*heaviside(h1[1]), W2[1,2]**2*heaviside(h1[2])]]")
    for seed in range(4):
        r = check_formula("preactivation-hessian", part, net=relu, layer=1, seed=seed)
        assert (r.outcome, r.verdict, r.entry, r.expected_value) == ("different", "refuted", (1, 2), "0"), r
        v = {k: sp.Rational(x) for k, x in r.point.items()}
        h1 = v["W1[1,1]"] * v["x[1]"] + v["W1[1,2]"] * v["x[2]"]
        h2 = v["W1[2,1]"] * v["x[1]"] + v["W1[2,2]"] * v["x[2]"]
        assert h1 > 0 > h2 and sp.Rational(r.got_value) == v["W2[1,1]"] * v["W2[1,2]"] != 0  # by hand
    assert "activation cell {h1[1]: piece 1, h1[2]: piece 0}" in check_formula(
        "preactivation-hessian", part, net=relu, layer=1, seed=0).method


def test_a_deeper_relu_net_is_proved_on_all_16_cells():
    net = Net(widths=(2, 2, 2, 1), activation="relu")
    B = "diag(heaviside(h2[1]), heaviside(h2[2]))"
    r = check_formula("preactivation-hessian", "%s*transpose([[W3[1,1], W3[1,2]]])*[[W3[1,1], W3[1,2]]]*%s" % (B, B),
                      net=net, layer=2)
    assert r.verdict == "proved" and "16 patterns of 4 piecewise units" in r.method


def test_an_answer_right_on_one_cell_only_is_proved_on_the_points_cell_only():
    net = Net(widths=(1, 1, 1), activation="relu")
    active = resolve_point(net, [[["1/2"]], [[2]]], X=[[3]], Y=[[0]])        # h1 = 3/2 > 0
    r = check_formula("layer-block", "W2[1,1]**2*x[1]**2", net=net, point=active, layer=1)
    assert r.verdict == "proved" and "activation cell of the given point's 1 sample" in r.method
    both = resolve_point(net, [[["1/2"]], [[2]]], X=[[3, -1]], Y=[[0, 1]])   # the second sample is inactive
    assert check_formula("layer-block", "W2[1,1]**2*x[1]**2", net=net, point=both, layer=1).outcome == "different"
    kink = resolve_point(net, [[["1/2"]], [[2]]], X=[[0]], Y=[[0]])          # h1 = 0: no cell
    r = check_formula("layer-block", "W2[1,1]**2*x[1]**2", net=net, point=kink, layer=1)
    assert r.verdict != "proved"
    # a number is right at the point, not as a polynomial on the cell: verified there, not proved
    r = check_formula("layer-block", "[[36]]", net=net, point=active, layer=1)
    assert (r.outcome, r.verdict) == ("equal", "verified")


def test_cells_agree_with_direct_differentiation_on_each_cell():
    """Independent oracle: on each cell, replace relu by its piece and differentiate the loss with sympy directly."""
    from lossgeom.symbolic.check_cells import piecewise_units
    net = Net(widths=(2, 2, 1), activation="relu")
    assert [u for u, _ in piecewise_units(net)] == [(1, 1), (1, 2)]
    W1 = sp.Matrix(2, 2, lambda i, j: sp.Symbol("W1[%d,%d]" % (i + 1, j + 1), real=True))
    W2 = sp.Matrix(1, 2, lambda i, j: sp.Symbol("W2[1,%d]" % (j + 1), real=True))
    x = sp.Matrix([sp.Symbol("x[1]", real=True), sp.Symbol("x[2]", real=True)])
    y = sp.Symbol("y[1]", real=True)
    for s1 in (0, 1):
        for s2 in (0, 1):
            a1 = sp.diag(s1, s2) * W1 * x
            E = ((W2 * a1)[0] - y) ** 2 / 2
            w = list(W1.T)  # vec stacks the columns: W1[1,1], W1[2,1], W1[1,2], W1[2,2]
            block = sp.hessian(E, w)
            pt = resolve_point(net, [[[1 if s1 else -1, 0], [0, 1 if s2 else -1]], [[1, 1]]], X=[[1], [1]], Y=[[0]])
            r = check_formula("layer-block", sp.ImmutableMatrix(block), net=net, point=pt, layer=1)
            assert r.verdict == "proved", (s1, s2, r)


def test_a_sympy_answer_with_plain_symbols_is_read_by_name():
    u = sp.Symbol("W2[1,1]") ** 2 * sp.Symbol("x[1]") ** 2       # not real=True: lossgeom's symbols are
    assert check_formula("layer-block", u, net=Net(widths=(1, 1, 1)), layer=1).verdict == "proved"
    with pytest.raises(DataError, match="not symbols of layer-block 1"):
        check_formula("layer-block", sp.Symbol("q"), net=Net(widths=(1, 1, 1)), layer=1)


@pytest.mark.parametrize("text", ["exp(exp(exp(100)))", "tanh(exp(exp(10)))", "2**exp(exp(100))", "exp(10**1000)",
                                  "abs(exp(exp(exp(100))) - 1)", "relu(exp(exp(exp(100))) - 1)",
                                  "sigmoid(exp(exp(exp(100))))", "heaviside(exp(exp(exp(100))))"])
def test_exponential_towers_are_refused_when_built(monkeypatch, text):
    """A constant argument of exp, tanh, ... is bounded as the formula is built (SymPy itself would evaluate
    abs(exp(exp(exp(100))) - 1) to decide its sign, and never finish)."""
    monkeypatch.setattr(check_mod, "_compare", _never)
    with pytest.raises(SizeLimitError, match=r"of a constant of magnitude .*\(limit check_function_argument\)"):
        check_formula("layer-block", text, net=TANH_111, layer=1)


def test_huge_arguments_at_a_point_are_refused_before_full_precision_evaluation():
    """exp(10^7 x[1]^3 ...) is fine to build; at a random point its argument passes the limit: refused there."""
    with pytest.raises(SizeLimitError, match=r"exp of a number of magnitude .* at a random point"):
        check_formula("layer-block", "exp(10**7*x[1]**2*W2[1,1]**2)", net=TANH_111, layer=1)


def test_a_non_real_answer_differs():
    r = check_formula("layer-block", "sqrt(-1)", net=TANH_111, layer=1)
    assert r.outcome == "different" and r.got_value.endswith("*I")
