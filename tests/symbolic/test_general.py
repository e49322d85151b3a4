"""General proofs (every width and depth): the engine's rules, each statement decided, each wrong step refused,
and the decided identities cross-checked at small sizes against direct SymPy differentiation."""

import random

import pytest
import sympy as sp

from lossgeom.errors import DataError, LossgeomError
from lossgeom.symbolic import general as g
from lossgeom.symbolic.general_proofs import PROOFS, general_proof, random_values

N, M = "n", "m"


def _tensors(proof_step):
    lhs, rhs = proof_step.sides()
    return {t for e in (lhs, rhs) for term in e.terms for t, _ in term.factors if t.name != g.DELTA}


# --- the engine's rewrite rules, each on its own -------------------------------------------------------

def test_delta_contraction_and_count():
    x = g.Tensor("x", (N,))
    i, k = g.Index("i", N), g.fresh(N)
    assert g.decide_identity(g.summed(g.delta(k, i) * x(k), k), x(i))[0]
    k2 = g.fresh(N)
    n = sp.Symbol(N, positive=True, integer=True)
    assert g.decide_identity(g.summed(x(i), k2), x(i) * n)[0]  # sum_k c = n c
    assert not g.decide_identity(g.summed(x(i), g.fresh(N)), x(i))[0]


def test_delta_across_dimensions_is_a_shape_error():
    with pytest.raises(g.ShapeError, match="joins dimensions"):
        g.delta(g.Index("i", N), g.Index("j", M))
    assert issubclass(g.ShapeError, DataError)


def test_renaming_and_symmetry():
    A = g.Tensor("A", (N, N))
    S = g.Tensor("S", (N, N), symmetric=True)
    i = g.Index("i", N)
    a, b = g.fresh(N), g.fresh(N)
    c, d = g.fresh(N), g.fresh(N)
    # sum_ab A_ia A_ab = sum_cd A_ic A_cd: alpha-equivalence
    assert g.decide_identity(g.summed(A(i, a) * A(a, b), a, b), g.summed(A(i, c) * A(c, d), c, d))[0]
    # A is not symmetric: A_ia vs A_ai differ; S is
    e = g.fresh(N)
    assert not g.decide_identity(g.summed(A(i, e), e), g.summed(A(e, i), e))[0]
    f = g.fresh(N)
    assert g.decide_identity(g.summed(S(i, f), f), g.summed(S(f, i), f))[0]


def test_zero_tensor_needs_its_rule():
    h = g.Tensor("h", (N,))
    z = g.Tensor("z", (N,), zero=True)
    zero = g.Mat("0", (N, "1"), lambda i, j: g.Expr())
    assert not g.Step("lemma", "z = 0", g.leaf(z), zero).decide()
    assert g.Step("lemma", "z = 0", g.leaf(z), zero, rules=("zero",)).decide()
    assert not g.Step("lemma", "h = 0", g.leaf(h), zero, rules=("zero",)).decide()


def test_matrix_layer_shapes():
    W = g.leaf(g.Tensor("W", (M, N)))
    step = g.Step("lemma", "bad", W @ W, W)
    assert step.decide() is False and "shape" in str(step.residual)
    assert g.Step("lemma", "transpose of a product", (W.T @ W).T, W.T @ W).decide()


# --- every statement is decided for all widths and depths ---------------------------------------------

@pytest.mark.parametrize("name", sorted(PROOFS))
def test_general_proof_decided(name):
    proof = general_proof(name)
    assert proof.outcome == "proved" and proof.undecided == ()
    assert all(s.decided for s in proof.steps)
    assert proof.claims and proof.scope.startswith("every depth")
    if any(s.role == "inductive step" for s in proof.steps):
        assert any(s.role == "base case" for s in proof.steps)


# --- soundness: each wrong step is refused, and where the shapes fit it is false at small sizes ---------

def _refused(name, wrong, role):
    proof = general_proof(name, wrong)
    assert proof.outcome == "inconclusive"
    bad = [s for s in proof.steps if not s.decided]
    assert bad and all(s.role == role for s in bad), [s.role for s in bad]
    return proof, bad[0]


def _counterexample(proof, step, sizes):
    return proof.counterexample(step, sizes, random_values(_tensors(step), seed=1))


def test_dropped_D_term_is_refused():
    proof, step = _refused("hessian-recursion", "drop-D", "inductive step")
    assert _counterexample(proof, step, {"n_{l}": 2, "n_{l+1}": 2}) is not None


def test_W_for_W_transpose_is_refused():
    proof, step = _refused("hessian-recursion", "transpose", "inductive step")
    assert _counterexample(proof, step, {"n_{l}": 2}) is not None


def test_wrong_base_case_is_refused():
    proof, step = _refused("hessian-recursion", "base", "base case")
    assert _counterexample(proof, step, {"n_{L}": 2}) is not None


def test_missing_kronecker_factor_is_refused():
    proof, step = _refused("kronecker-block", "missing-factor", "lemma")
    assert _counterexample(proof, step, {"n_{l-1}": 2, "n_{l}": 2}) is not None


def test_gauss_newton_transpose_is_refused():
    proof, step = _refused("gauss-newton", "transpose", "inductive step")
    assert _counterexample(proof, step, {"n_{l}": 2, "n_{L}": 2}) is not None


def test_piecewise_linear_without_f2_zero_is_refused():
    proof = general_proof("piecewise-linear", "no-zero")
    assert {s.role for s in proof.steps if not s.decided} == {"lemma", "inductive step"}


def test_deep_linear_untransposed_kronecker_is_refused():
    proof, step = _refused("deep-linear", "transpose", "lemma")
    assert "shape" in str(step.residual)


def test_path_count_wrong_base_is_refused():
    proof, step = _refused("path-count", "base", "base case")
    assert step.residual == {"residual": "d[0] - d[1]"}


@pytest.mark.parametrize("wrong, role", [("transpose", "inductive step"), ("q", "lemma")])
def test_bernoulli_wrong_steps_are_refused(wrong, role):
    _refused("bernoulli-expectation", wrong, role)


def test_unknown_variant_is_an_error():
    with pytest.raises(LossgeomError, match="wrong"):
        general_proof("hessian-recursion", wrong="drop-B")
    with pytest.raises(LossgeomError, match="name"):
        general_proof("hessian-recursions")


# --- cross-checks at small sizes against direct SymPy differentiation (independent of the engine) ------

def _rat(rng):
    return sp.Rational(rng.randint(-9, 9), rng.randint(1, 4))


def test_recursion_step_matches_direct_differentiation():
    """n_l = 2, n_{l+1} = 3, f(x) = x^3 + x/2, F a generic cubic in h_{l+1}: sympy.hessian of F(W f(h) + b) at a
    rational h equals the recursion's right side B W^T H W B + D evaluated there."""
    rng = random.Random(3)
    nl, n1 = 2, 3
    x = sp.Symbol("x")
    f = x ** 3 + x / 2
    hs = sp.symbols("h1:%d" % (nl + 1))
    ys = sp.symbols("y1:%d" % (n1 + 1))
    W = sp.Matrix(n1, nl, lambda i, j: _rat(rng))
    b = sp.Matrix(n1, 1, lambda i, j: _rat(rng))
    F = sum(_rat(rng) * ys[i] * ys[j] * (1 + ys[(i + j) % n1]) for i in range(n1) for j in range(n1))
    hval = {h: _rat(rng) for h in hs}
    hnext = W * sp.Matrix([f.subs(x, h) for h in hs]) + b
    E = F.subs(dict(zip(ys, hnext)), simultaneous=True)
    direct = sp.hessian(E, hs).subs(hval)
    at = {y: v for y, v in zip(ys, hnext.subs(hval))}
    grad = [sp.diff(F, y).subs(at) for y in ys]
    hess = sp.hessian(F, ys).subs(at)
    deriv = [f, sp.diff(f, x), sp.diff(f, x, 2)]
    values = {"W_{l+1}": lambda i, j: W[i, j], "b_{l+1}": lambda i: b[i], "g_{l+1}": lambda i: grad[i],
              "H_{l+1}": lambda i, j: hess[i, j]}
    for k, name in enumerate(("f(h_l)", "f'(h_l)", "f''(h_l)")):
        values[name] = (lambda d: lambda i: d.subs(x, hval[hs[i]]))(deriv[k])
    step = next(s for s in general_proof("hessian-recursion").steps if s.role == "inductive step")
    lhs, rhs = step.sides()
    free = sorted(lhs.free(), key=lambda i: i.name)
    sizes = {"n_{l}": nl, "n_{l+1}": n1}
    for a in range(nl):
        for c in range(nl):
            at_ = dict(zip(free, (a, c)))
            assert g.instantiate(rhs, sizes, values, at_) == direct[a, c]
            assert g.instantiate(lhs, sizes, values, at_) == direct[a, c]


def test_kronecker_block_matches_direct_differentiation():
    """n_{l-1} = 2, n_l = 2: sympy.hessian of F(W a + b) in vec(W) (column stacking) = (a a^T) kron d2F/dh^2."""
    rng = random.Random(5)
    n0, n1 = 2, 2
    Ws = sp.Matrix(n1, n0, lambda i, j: sp.Symbol("w%d%d" % (i, j)))
    a = sp.Matrix(n0, 1, lambda i, j: _rat(rng))
    b = sp.Matrix(n1, 1, lambda i, j: _rat(rng))
    ys = sp.symbols("y1:%d" % (n1 + 1))
    F = sum(_rat(rng) * ys[i] * ys[j] * ys[(i + 1) % n1] for i in range(n1) for j in range(n1))
    vecW = [Ws[p, q] for q in range(n0) for p in range(n1)]
    wval = {w: _rat(rng) for w in vecW}
    h = Ws * a + b
    direct = sp.hessian(F.subs(dict(zip(ys, h)), simultaneous=True), vecW).subs(wval)
    at = dict(zip(ys, h.subs(wval)))
    hess = sp.hessian(F, ys).subs(at)
    want = sp.kronecker_product(a * a.T, hess)
    assert direct == want
    step = general_proof("kronecker-block").steps[0]
    lhs, rhs = step.sides()
    values = {"W_l": lambda i, j: Ws[i, j].subs(wval), "a_{l-1}": lambda i: a[i], "b_l": lambda i: b[i],
              "H_l": lambda i, j: hess[i, j], "g_l": lambda i: 0}
    sizes = {"n_{l-1}": n0, "n_{l}": n1}
    free = {i.name: i for i in lhs.free()}
    for r in range(n0 * n1):
        for c in range(n0 * n1):
            env = {free["i1"]: r // n1, free["i2"]: r % n1, free["j1"]: c // n1, free["j2"]: c % n1}
            assert g.instantiate(rhs, sizes, values, env) == direct[r, c]


def test_deep_linear_gradient_and_blocks_match_direct_differentiation():
    """d_y = 2, d_k = 2, d_{k-1} = 3, d_j = 2, d_{j-1} = 2, m = 2: the engine's rhs (Kawaguchi's Kronecker forms)
    instantiated = sympy.diff of L = |A W_k M W_j B - Y|^2 / 2 with concrete rational A, M, B, Y."""
    rng = random.Random(7)
    sizes = {"d_y": 2, "d_k": 2, "d_{k-1}": 3, "d_j": 2, "d_{j-1}": 2, "m": 2}
    A, M, B, Y = (sp.Matrix(sizes[r], sizes[c], lambda i, j: _rat(rng)) for r, c in
                  (("d_y", "d_k"), ("d_{k-1}", "d_j"), ("d_{j-1}", "m"), ("d_y", "m")))
    Wk = sp.Matrix(2, 3, lambda i, j: sp.Symbol("u%d%d" % (i, j)))
    Wj = sp.Matrix(2, 2, lambda i, j: sp.Symbol("v%d%d" % (i, j)))
    R = A * Wk * M * Wj * B - Y
    L = sum(e ** 2 for e in R) / 2
    point = {s: _rat(rng) for s in list(Wk) + list(Wj)}
    Wk_at, Wj_at = Wk.subs(point), Wj.subs(point)
    values = {"A_k": lambda i, j: A[i, j], "M": lambda i, j: M[i, j], "B_j": lambda i, j: B[i, j],
              "Y": lambda i, j: Y[i, j], "W_k": lambda i, j: Wk_at[i, j], "W_j": lambda i, j: Wj_at[i, j]}
    grad_step, kk_step, kj_step = general_proof("deep-linear").steps
    _, rhs = grad_step.sides()
    rhs = g.canonical_expr(rhs)
    names = {i.name: i for i in rhs.free()}
    for p in range(2):
        for q in range(3):
            env = {names["i1"]: p, names["i2"]: q}
            assert g.instantiate(rhs, sizes, values, env) == sp.diff(L, Wk[p, q]).subs(point)
    _, rhs = kj_step.sides()
    rhs = g.canonical_expr(rhs)
    names = {i.name: i for i in rhs.free()}
    for p, q, r, s in [(0, 0, 0, 0), (1, 2, 0, 1), (0, 1, 1, 0), (1, 1, 1, 1)]:
        env = {names["i1"]: p, names["i2"]: q, names["j1"]: r, names["j2"]: s}
        assert g.instantiate(rhs, sizes, values, env) == sp.diff(L, Wk[p, q], Wj[r, s]).subs(point)


def test_path_count_instances():
    """The proved formula at small widths equals the existing dynamic-programming count (numeric/graph.py)."""
    from lossgeom.net import Net
    from lossgeom.numeric.graph import build_graph, count_paths
    d, t = sp.IndexedBase("d"), sp.Symbol("t", integer=True)
    for widths in [(3, 4, 2, 1), (2, 1, 3, 2, 2)]:
        formula = sp.Product(d[t], (t, 0, len(widths) - 2)).doit().subs({d[k]: w for k, w in enumerate(widths)})
        assert count_paths(build_graph(Net(widths=widths))).per_output == (formula,) * widths[-1]


def test_proof_renders_text_and_latex():
    proof = general_proof("gauss-newton")
    text, tex = proof.text(), proof.latex()
    assert "Outcome: proved" in text and "induction hypothesis" in text
    assert tex.count(r"\[") == len(proof.steps) and r"\begin{enumerate}" in tex
    bad = general_proof("hessian-recursion", "drop-D").latex()
    assert r"\textbf{not decided}" in bad and "Outcome:} inconclusive" in bad
