"""The statements proved for every depth and width (issue 17), built on :mod:`lossgeom.symbolic.general`.

Each statement is an induction over the layers whose base case and inductive step are identities
between entries of matrices of symbolic shape ``n_{l-1}, n_l, n_{l+1}, n_L``; the layer index ``l``
stays a symbol, so one decided step covers every layer of every net.  The chain rule enters as a
stated given: the derivatives of the map ``h_l -> h_{l+1}`` are computed from its definition by the
product rule, the quantities above layer ``l+1`` (``dE/dh_{l+1}``, ``d2E/dh_{l+1}^2``, the Jacobian
``dh_L/dh_{l+1}``) are opaque tensors, which is exactly what the induction hypothesis speaks about.

:func:`general_proof` builds one by name (:data:`PROOFS`); ``wrong=`` builds a deliberately broken
variant for the soundness tests (the D term dropped, W where W^T belongs, a missing factor in the
Kronecker block, the wrong base case), which must not be decided.
"""

import random

import sympy as sp

from lossgeom.checks import check_choice, check_int, check_str

from . import general as g

__all__ = ["general_proof", "claim_scope", "PROOFS"]

NL0, NL, NL1, NOUT = "n_{l-1}", "n_{l}", "n_{l+1}", "n_{L}"

CHAIN = ("the chain rule: for E(x) = F(y(x)), dE/dx_i = sum_p dF/dy_p dy_p/dx_i and d2E/dx_i dx_j = "
         "sum_{p,q} d2F/dy_p dy_q (dy_p/dx_i)(dy_q/dx_j) + sum_p dF/dy_p d2y_p/dx_i dx_j")
INDUCTION = ("downward induction on the layer: P(L), and P(l+1) implies P(l) for 1 <= l < L, give P(l) for every "
             "layer of a net of any depth L >= 1 (the step is decided with l and all widths symbolic)")
SCOPE = "every depth L >= 1 and all widths (n_0, ..., n_L symbolic); every layer l"


def _elementwise(fname, arg, order, zero_from=None):
    """f^{(order)}(arg) as a vector tensor whose derivative w.r.t. ``arg`` is the next derivative times a delta."""
    ticks = "'" * order if order <= 3 else "^{(%d)}" % order
    name = "%s%s(%s)" % (fname, ticks, arg.name)

    def rule(ix, idx):
        return _elementwise(fname, arg, order + 1, zero_from)(ix[0]) * g.delta(ix[0], idx[0])

    return g.Tensor(name, arg.dims, r"%s%s(%s)" % (fname, ticks, arg.tex()),
                    zero=zero_from is not None and order >= zero_from, derivatives=((arg.name, rule),))


def _vec(t):
    return g.leaf(t)


def _hessian_through(y, x, n_in, upper_grad, upper_hess, latex):
    """d2E/dx^2 by the chain rule for E = F(y(x)) with dF/dy, d2F/dy2 opaque (y: a function p -> Expr)."""
    def entry(i, j):
        p, q = g.fresh(upper_grad.dims[0]), g.fresh(upper_grad.dims[0])
        Ji, Jj = g.diff(y(p), x, (i,)), g.diff(y(q), x, (j,))
        second = g.diff(g.diff(y(p), x, (i,)), x, (j,))
        return g.summed(upper_hess(p, q) * Ji * Jj, p, q) + g.summed(upper_grad(p) * second, p)
    return g.custom(latex, (n_in, n_in), entry)


def _layer_objects(zero_from=None):
    W = g.Tensor("W_{l+1}", (NL1, NL), "W_{l+1}")
    b = g.Tensor("b_{l+1}", (NL1,), "b_{l+1}")
    h = g.Tensor("h_l", (NL,), "h_l")
    f0, f1, f2 = (_elementwise("f", h, k, zero_from) for k in range(3))
    gr = g.Tensor("g_{l+1}", (NL1,), r"\partial E/\partial h_{l+1}")
    H1 = g.Tensor("H_{l+1}", (NL1, NL1), r"\mathcal{H}_{l+1}", symmetric=True)

    def hnext(p):
        k = g.fresh(NL)
        return g.summed(W(p, k) * f0(k), k) + b(p)
    return W, b, h, f0, f1, f2, gr, H1, hnext


def recursion_proof(wrong=None):
    """Botev's recursion H_l = B_l W^T H_{l+1} W B_l + D_l, by downward induction (``wrong``: a broken variant)."""
    W, b, h, f0, f1, f2, gr, H1, hnext = _layer_objects()
    B = g.diag(_vec(f1), "B_l")
    Wm = g.leaf(W)
    D = g.diag(g.hadamard(_vec(f2), Wm.T @ _vec(gr)), "D_l")
    chain = _hessian_through(hnext, h, NL, gr, H1, r"\frac{\partial^2 E}{\partial h_l^2}")
    rhs = B @ Wm.T @ g.leaf(H1) @ Wm @ B + D
    if wrong == "drop-D":
        rhs = B @ Wm.T @ g.leaf(H1) @ Wm @ B
    elif wrong == "transpose":  # W where W^T belongs, at a square layer so that the shapes still fit
        Ws = g.Tensor("W_{l+1}", (NL, NL), "W_{l+1}")
        Hs = g.Tensor("H_{l+1}", (NL, NL), r"\mathcal{H}_{l+1}", symmetric=True)
        gs = g.Tensor("g_{l+1}", (NL,), r"\partial E/\partial h_{l+1}")

        def hsq(p):
            k = g.fresh(NL)
            return g.summed(Ws(p, k) * f0(k), k)
        chain = _hessian_through(hsq, h, NL, gs, Hs, r"\frac{\partial^2 E}{\partial h_l^2}")
        Wq = g.leaf(Ws)
        rhs = B @ Wq @ g.leaf(Hs) @ Wq.T @ B + g.diag(g.hadamard(_vec(f2), Wq.T @ _vec(gs)), "D_l")
    jac = g.custom(r"\frac{\partial h_{l+1}}{\partial h_l}", (NL1, NL), lambda p, i: g.diff(hnext(p), h, (i,)))
    grad = g.custom(r"\frac{\partial E}{\partial h_l}", (NL, "1"), lambda i, _: _grad_through(hnext, h, gr, i))
    steps = [
        g.Step("lemma", "Jacobian of the layer map h_{l+1} = W_{l+1} f(h_l) + b_{l+1}", jac, Wm @ B),
        g.Step("lemma", "backpropagation (first-order chain rule)", grad, B @ Wm.T @ _vec(gr)),
        _base_case(wrong == "base"),
        g.Step("inductive step", "second-order chain rule through layer l+1", chain, rhs,
               hypothesis=r"\mathcal{H}_{l+1} = \partial^2 E/\partial h_{l+1}^2"),
    ]
    block = kronecker_proof().steps[0]
    block.role, block.title = "consequence", "the weight block of layer l is (a_{l-1} a_{l-1}^T) kron H_l"
    steps.append(block)
    return g.GeneralProof(
        "Botev's Hessian recursion", r"\mathcal{H}_l = B_l W_{l+1}^\top \mathcal{H}_{l+1} W_{l+1} B_l + D_l,\ "
        r"B_l = \operatorname{diag}(f'(h_l)),\ D_l = \operatorname{diag}(f''(h_l)\odot W_{l+1}^\top "
        r"\tfrac{\partial E}{\partial h_{l+1}})", SCOPE + "; a generic twice-differentiable activation f and output "
        "activation sigma, any twice-differentiable loss; one datapoint",
        ("definitions: h_{l+1} = W_{l+1} a_l + b_{l+1}, a_l = f(h_l) entrywise, a_L = sigma(h_L), E = loss(a_L)",
         CHAIN, INDUCTION),
        steps, "by induction every H_l of the recursion is the Hessian d2E/dh_l^2, for every layer of every net.",
        ("botev2017.hessian-recursion",))


def _grad_through(y, x, upper_grad, i):
    p = g.fresh(upper_grad.dims[0])
    return g.summed(upper_grad(p) * g.diff(y(p), x, (i,)), p)


def _base_case(wrong=False):
    """H_L = d2E/dh_L^2 for E = loss(sigma(h_L)): Sigma' (d2 loss) Sigma' + diag(sigma'' . dloss/da_L)."""
    hL = g.Tensor("h_L", (NOUT,), "h_L")
    s0, s1, s2 = (_elementwise(r"\sigma", hL, k) for k in range(3))
    gl = g.Tensor("gloss", (NOUT,), r"\nabla\ell")
    Hl = g.Tensor("Hloss", (NOUT, NOUT), r"\nabla^2\ell", symmetric=True)
    chain = _hessian_through(lambda p: s0(p), hL, NOUT, gl, Hl, r"\frac{\partial^2 E}{\partial h_L^2}")
    S = g.diag(_vec(s1), "B_L")
    rhs = S @ g.leaf(Hl) @ S + g.diag(g.hadamard(_vec(s2), _vec(gl)), "D_L")
    if wrong:
        rhs = g.leaf(Hl)
    return g.Step("base case", "the output layer (chain rule through a_L = sigma(h_L))", chain, rhs)


def kronecker_proof(wrong=None):
    """Botev's layer blocks: (a a^T) kron H_l, the bias block H_l and the weight-bias block a kron H_l."""
    W = g.Tensor("W_l", (NL, NL0), "W_l")
    a = g.Tensor("a_{l-1}", (NL0,), "a_{l-1}")
    b = g.Tensor("b_l", (NL,), "b_l")
    gr = g.Tensor("g_l", (NL,), r"\partial E/\partial h_l")
    H = g.Tensor("H_l", (NL, NL), r"\mathcal{H}_l", symmetric=True)

    def h(p):
        k = g.fresh(NL0)
        return g.summed(W(p, k) * a(k), k) + b(p)

    def second(var1, var2, i, j):
        p, q = g.fresh(NL), g.fresh(NL)
        return (g.summed(H(p, q) * g.diff(h(p), var1, i) * g.diff(h(q), var2, j), p, q)
                + g.summed(gr(p) * g.diff(g.diff(h(p), var1, i), var2, j), p))
    ww = g.custom(r"\frac{\partial^2 E}{\partial \operatorname{vec}(W_l)^2}", ((NL0, NL), (NL0, NL)),
                  lambda i, j: second(W, W, (i[1], i[0]), (j[1], j[0])))
    bb = g.custom(r"\frac{\partial^2 E}{\partial b_l^2}", (NL, NL), lambda i, j: second(b, b, (i,), (j,)))
    wb = g.custom(r"\frac{\partial^2 E}{\partial \operatorname{vec}(W_l)\,\partial b_l^\top}", ((NL0, NL), ("1", NL)),
                  lambda i, j: second(W, b, (i[1], i[0]), (j[1],)))
    av, Hm = g.leaf(a), g.leaf(H)
    block = g.kron(av @ av.T, Hm) if wrong != "missing-factor" else g.kron(g.diag(av), Hm)
    steps = [g.Step("lemma", "weight block", ww, block),
             g.Step("lemma", "bias block", bb, Hm),
             g.Step("lemma", "weight-bias block", wb, g.kron(av, Hm))]
    return g.GeneralProof(
        "Botev's Kronecker layer blocks", r"\frac{\partial^2 E}{\partial \operatorname{vec}(W_l)^2} = "
        r"(a_{l-1}a_{l-1}^\top)\otimes\mathcal{H}_l,\ \frac{\partial^2 E}{\partial b_l^2} = \mathcal{H}_l,\ "
        r"\frac{\partial^2 E}{\partial \operatorname{vec}(W_l)\partial b_l^\top} = a_{l-1}\otimes\mathcal{H}_l",
        SCOPE + "; any activation and loss (H_l = d2E/dh_l^2 opaque); vec stacks columns",
        ("definitions: h_l = W_l a_{l-1} + b_l, where a_{l-1} does not depend on W_l or b_l; "
         "H_l = d2E/dh_l^2 (symmetric)", CHAIN, "the block of [W_l, b_l] (bias as the last column) with "
         "a~ = [a_{l-1}; 1] is (a~ a~^T) kron H_l: it is assembled from the three blocks below", "the definition of the Kronecker product: (A kron B)[(i1,i2),"
         "(j1,j2)] = A[i1,j1] B[i2,j2], and vec(W)[(q,p)] = W[p,q]"),
        steps, "the three blocks hold at layer l with l and all widths symbolic, hence at every layer of every net.",
        ("botev2017.kronecker-block",))


def gauss_newton_proof(wrong=None):
    """G_l = B W^T G_{l+1} W B equals C_l^T H_L C_l (C_l = dh_L/dh_l), and the block is J^T H_L J (a congruence)."""
    W, b, h, f0, f1, f2, gr, H1, hnext = _layer_objects()
    C1 = g.Tensor("C_{l+1}", (NOUT, NL1), r"C_{l+1}")
    HL = g.Tensor("H_L", (NOUT, NOUT), r"\mathcal{H}_L", symmetric=True)
    B, Wm, Cm, HLm = g.diag(_vec(f1), "B_l"), g.leaf(W), g.leaf(C1), g.leaf(HL)
    Cl = g.custom(r"\frac{\partial h_L}{\partial h_l}", (NOUT, NL),
                  lambda m, i: _grad_through(hnext, h, _row(C1, m), i))
    left = B @ Wm.T @ (Cm.T @ HLm @ Cm) @ Wm @ B
    right = (Cm @ Wm @ B).T @ HLm @ (Cm @ Wm @ B)
    if wrong == "transpose":  # W where W^T belongs, at a square layer so that the shapes still fit
        Ws = g.Tensor("W_{l+1}", (NL, NL), "W_{l+1}")
        Cs = g.Tensor("C_{l+1}", (NOUT, NL), "C_{l+1}")
        left = B @ g.leaf(Ws) @ (g.leaf(Cs).T @ HLm @ g.leaf(Cs)) @ g.leaf(Ws).T @ B
        right = (g.leaf(Cs) @ g.leaf(Ws) @ B).T @ HLm @ (g.leaf(Cs) @ g.leaf(Ws) @ B)
    IL = g.identity(NOUT)
    Wl = g.Tensor("W_l", (NL, NL0), "W_l")
    a = g.Tensor("a_{l-1}", (NL0,), "a_{l-1}")
    Cl_t = g.Tensor("C_l", (NOUT, NL), "C_l")

    def hl(p):
        k = g.fresh(NL0)
        return g.summed(Wl(p, k) * a(k), k)
    J = g.custom(r"J_l", (NOUT, (NL0, NL)), lambda m, j: _jac_entry(hl, Wl, Cl_t, m, j))
    Clm, av = g.leaf(Cl_t), g.leaf(a)
    V = g.Tensor("v", (NL0, NL), "v")
    vm = g.Mat("v", ((NL0, NL), "1"), lambda i, _: V(i[0], i[1]))
    steps = [
        g.Step("lemma", "Jacobian chain rule C_l = C_{l+1} W_{l+1} B_l", Cl, Cm @ Wm @ B),
        g.Step("base case", "G_L = H_L = C_L^T H_L C_L with C_L = I", HLm, IL.T @ HLm @ IL),
        g.Step("inductive step", "G_l = B_l W_{l+1}^T G_{l+1} W_{l+1} B_l = C_l^T H_L C_l", left, right,
               hypothesis=r"\mathcal{G}_{l+1} = C_{l+1}^\top \mathcal{H}_L C_{l+1}"),
        g.Step("consequence", "the layer block is the congruence J_l^T H_L J_l", g.kron(av @ av.T, Clm.T @ HLm @ Clm),
               J.T @ HLm @ J),
        g.Step("consequence", "v^T (J^T H_L J) v = (J v)^T H_L (J v), so H_L PSD implies the block PSD",
               vm.T @ (J.T @ HLm @ J) @ vm, (J @ vm).T @ HLm @ (J @ vm)),
    ]
    return g.GeneralProof(
        "Gauss-Newton recursion and its PSD", r"\mathcal{G}_l = B_l W_{l+1}^\top\mathcal{G}_{l+1}W_{l+1}B_l = "
        r"C_l^\top\mathcal{H}_L C_l,\ (a_{l-1}a_{l-1}^\top)\otimes\mathcal{G}_l = J_l^\top\mathcal{H}_L J_l\succeq 0",
        SCOPE + "; generic twice-differentiable activation; G_L = H_L = d2E/dh_L^2; the block is PSD whenever H_L "
        "is PSD (that H_L is PSD for square loss and softmax cross-entropy is decided by the cross-check, at its "
        "output widths only)",
        ("definitions: h_{l+1} = W_{l+1} f(h_l) + b_{l+1}; C_l = dh_L/dh_l; J_l = dh_L/dvec(W_l) = C_l dh_l/dvec(W_l)",
         CHAIN, INDUCTION, "a congruence J^T A J of a PSD matrix A is PSD: v^T J^T A J v = (J v)^T A (J v) >= 0"),
        steps, "G_l = C_l^T H_L C_l at every layer, and the Gauss-Newton layer block is J_l^T H_L J_l, PSD when H_L is.",
        ("botev2017.gauss-newton",))


def _row(C, m):
    """The vector p -> C[m, p] as a 1-index tensor stand-in (for the first-order chain rule)."""
    class _Row:
        dims = (C.dims[1],)

        def __call__(self, p):
            return C(m, p)
    return _Row()


def _jac_entry(hl, Wl, Cl, m, j):
    u = g.fresh(NL)
    return g.summed(Cl(m, u) * g.diff(hl(u), Wl, (j[1], j[0])), u)


def piecewise_linear_proof(wrong=None):
    """f'' = 0 off the kinks: D_l = 0, H_l = G_l by induction, and tr(d2E/dvec(W_l)^2) = |a|^2 tr(C^T H_L C)."""
    W, b, h, f0, f1, f2, gr, H1, hnext = _layer_objects(zero_from=None if wrong == "no-zero" else 2)
    hL = g.Tensor("h_L", (NOUT,), "h_L")
    s1, s2 = (_elementwise(r"\sigma", hL, k, zero_from=2) for k in (1, 2))
    Hl = g.Tensor("Hloss", (NOUT, NOUT), r"\nabla^2\ell", symmetric=True)
    gl = g.Tensor("gloss", (NOUT,), r"\nabla\ell")
    G1 = g.Tensor("G_{l+1}", (NL1, NL1), r"\mathcal{G}_{l+1}", symmetric=True)
    B, Wm, S = g.diag(_vec(f1), "B_l"), g.leaf(W), g.diag(_vec(s1), "B_L")
    D = g.diag(g.hadamard(_vec(f2), Wm.T @ _vec(gr)), "D_l")
    zero = g.Mat("0", (NL, NL), lambda i, j: g.Expr())
    HLm = S @ g.leaf(Hl) @ S + g.diag(g.hadamard(_vec(s2), _vec(gl)), "D_L")
    a = g.Tensor("a_{l-1}", (NL0,), "a_{l-1}")
    C = g.Tensor("C_l", (NOUT, NL), "C_l")
    HL = g.Tensor("H_L", (NOUT, NOUT), r"\mathcal{H}_L", symmetric=True)
    av, Cm = g.leaf(a), g.leaf(C)
    Gl = Cm.T @ g.leaf(HL) @ Cm
    zr = ("zero",) + g.Step.__dataclass_fields__["rules"].default
    steps = [
        g.Step("lemma", "D_l = diag(f''(h_l) . W_{l+1}^T dE/dh_{l+1}) = 0", D, zero, rules=zr),
        g.Step("base case", "H_L = G_L = B_L (d2 loss) B_L", HLm, S @ g.leaf(Hl) @ S, rules=zr),
        g.Step("inductive step", "H_l = B_l W^T H_{l+1} W B_l + D_l = G_l", B @ Wm.T @ g.leaf(G1) @ Wm @ B + D,
               B @ Wm.T @ g.leaf(G1) @ Wm @ B, rules=zr, hypothesis=r"\mathcal{H}_{l+1} = \mathcal{G}_{l+1}"),
        g.Step("consequence", "trace of the layer block: tr((a a^T) kron G_l) = (a^T a) tr(G_l)",
               (r"\operatorname{tr}\big((a_{l-1}a_{l-1}^\top)\otimes\mathcal{G}_l\big)",
                g.trace(g.kron(av @ av.T, Gl))),
               (r"(a_{l-1}^\top a_{l-1})\,\operatorname{tr}(C_l^\top\mathcal{H}_L C_l)",
                (av.T @ av).entry(g.ONE, g.ONE) * g.trace(Gl))),
    ]
    return g.GeneralProof(
        "piecewise-linear nets: H_l = G_l and tr(H) >= 0", r"f''=0 \Rightarrow D_l = 0,\ \mathcal{H}_l = "
        r"\mathcal{G}_l,\ \operatorname{tr}\nabla^2 E = \sum_l \|a_{l-1}\|^2\operatorname{tr}(C_l^\top\mathcal{H}_L"
        r" C_l) \ge 0", SCOPE + "; f and sigma piecewise linear, away from their kinks; tr >= 0 when H_L is PSD "
        "(convex loss); bias blocks add tr(G_l) >= 0 likewise",
        ("definitions as in Botev's recursion; G_l as in the Gauss-Newton recursion, G_L = B_L (d2 loss) B_L",
         "f'' = 0 and sigma'' = 0 away from the kinks of a piecewise-linear activation", INDUCTION,
         "the trace of a congruence C^T A C of a PSD A is >= 0, and a^T a >= 0"),
        steps, "inside every activation cell H_l = G_l at every layer, and the Hessian trace is a sum of "
        "nonnegative terms.", ("botev2017.piecewise-linear",))


def deep_linear_proof(wrong=None):
    """Kawaguchi's Lemma 1 gradient and every Hessian block of L = |W_{H+1}...W_1 X - Y|^2 / 2, for all depths."""
    dy, dk, dk0, dj, dj0, m = "d_y", "d_k", "d_{k-1}", "d_j", "d_{j-1}", "m"
    A = g.Tensor("A_k", (dy, dk), "A_k")          # W_{H+1} ... W_{k+1}
    W = g.Tensor("W_k", (dk, dk0), "W_k")
    M = g.Tensor("M", (dk0, dj), "M")             # W_{k-1} ... W_{j+1}
    Wj = g.Tensor("W_j", (dj, dj0), "W_j")
    Bj = g.Tensor("B_j", (dj0, m), "B_j")         # W_{j-1} ... W_1 X
    Y = g.Tensor("Y", (dy, m), "Y")
    Am, Wm, Mm, Wjm, Bjm = (g.leaf(t) for t in (A, W, M, Wj, Bj))
    Bk = Mm @ Wjm @ Bjm                            # W_{k-1} ... W_1 X
    R = Am @ Wm @ Bk - g.leaf(Y)

    def loss():
        i, t = g.fresh(dy), g.fresh(m)
        return g.summed(R.entry(i, t) * R.entry(i, t), i, t) * sp.Rational(1, 2)
    L = loss()
    vecr = g.Mat(r"\operatorname{vec}(r)", ((dy, m), "1"), lambda i, _: R.entry(i[0], i[1]))
    grad = g.custom(r"(D_{\operatorname{vec}(W_k^\top)}\bar L)^\top", ((dk, dk0), "1"),
                    lambda i, _: g.diff(L, W, i))
    BkT = g.Mat(r"(W_{k-1}\cdots W_1X)^\top", (m, dk0), lambda i, j: Bk.entry(j, i))
    lemma1 = g.kron(Am, BkT).T @ vecr
    if wrong == "transpose":
        lemma1 = g.kron(Am, BkT) @ vecr  # the Kronecker factor untransposed: the shapes do not fit
    kk = g.custom(r"D_{\operatorname{vec}(W_k^\top)}(D_{\operatorname{vec}(W_k^\top)}\bar L)^\top", ((dk, dk0), (dk, dk0)),
                  lambda i, j: g.diff(g.diff(L, W, i), W, j))
    kj = g.custom(r"D_{\operatorname{vec}(W_j^\top)}(D_{\operatorname{vec}(W_k^\top)}\bar L)^\top", ((dk, dk0), (dj, dj0)),
                  lambda i, j: g.diff(g.diff(L, W, i), Wj, j))
    Aj = Am @ Wm @ Mm
    BjT = g.Mat(r"B_j^\top", (m, dj0), lambda i, j: Bjm.entry(j, i))
    BkT2 = g.Mat(r"B_k", (dk0, m), lambda i, j: Bk.entry(i, j))
    cross = g.kron(Am.T @ Aj, BkT2 @ BjT) + g.commute_cols(g.kron(Am.T @ R @ BjT, Mm), "K_j")
    steps = [
        g.Step("lemma", "Lemma 1: the gradient in Kronecker form", grad, lemma1),
        g.Step("lemma", "diagonal Hessian block", kk, g.kron(Am.T @ Am, BkT2 @ BkT2.T)),
        g.Step("lemma", "cross Hessian block (j < k)", kj, cross),
    ]
    return g.GeneralProof(
        "deep linear nets: Lemma 1 and every Hessian block", r"(D_{\operatorname{vec}(W_k^\top)}\bar L)^\top = "
        r"\big(A_k\otimes B_k^\top\big)^\top\operatorname{vec}(r),\ D^2_{kk}\bar L = (A_k^\top A_k)\otimes"
        r"(B_kB_k^\top),\ D^2_{kj}\bar L = (A_k^\top A_j)\otimes(B_kB_j^\top) + [(A_k^\top R B_j^\top)\otimes"
        r" M]K_j", "every depth H >= 0 and all widths d_0, ..., d_{H+1} and sample counts m (symbolic); every layer "
        "k and every pair j < k; the products of the other layers as opaque matrices A_k = W_{H+1}...W_{k+1}, "
        "M = W_{k-1}...W_{j+1}, B_j = W_{j-1}...W_1 X (empty products are identities)",
        ("definitions: L = |R|_F^2 / 2, R = W_{H+1} ... W_1 X - Y = A_k W_k M W_j B_j - Y, r = R^T; "
         "A_k, M, B_j do not depend on W_k or W_j; vec(W^T)[(p,q)] = W[p,q]",
         "the product rule; dW[a,b]/dW[p,q] = delta_ap delta_bq",
         "the definitions of the Kronecker product and of the commutation matrix: (X K)[i,(r,s)] = X[i,(s,r)]"),
        steps, "the three identities hold with every width symbolic and the other layers' products opaque, so "
        "for every layer of every deep linear net.", ("kawaguchi2016.lemma1-gradient", "kawaguchi2016.hessian-blocks"))


def path_count_proof(wrong=None):
    """Choromanska's path count d_0 d_1 ... d_H per output, by induction on the layers."""
    d = sp.IndexedBase("d")
    t, i = sp.Symbol("t", integer=True), sp.Symbol("i", integer=True, positive=True)
    k = sp.Symbol("k", integer=True, positive=True)

    def count(upto):  # the claimed number of paths from the inputs to one unit of layer upto + 1
        return sp.Product(d[t], (t, 0, upto))
    base_rhs = count(0) if wrong != "base" else d[1]
    steps = [
        g.Step("base case", "a unit of layer 1 has one path per input", (r"N_1 = \sum_{i=1}^{d_0} 1",
               sp.Sum(1, (i, 1, d[0])).doit()), (r"\prod_{t=0}^{0} d_t", base_rhs.doit()), rules=("sum",)),
        g.Step("inductive step", "a path to a unit of layer k+1 is a path to one of the d_k units of layer k and "
               "its edge", (r"N_{k+1} = \sum_{i=1}^{d_k} N_k", sp.Sum(count(k - 1), (i, 1, d[k])).doit()),
               (r"\prod_{t=0}^{k} d_t", count(k)), rules=("sum", "peel"), rewrite=g.peel,
               hypothesis=r"N_k = \prod_{t=0}^{k-1} d_t"),
    ]
    return g.GeneralProof(
        "Choromanska's path count", r"\Psi = N_{H+1} = d_0 d_1\cdots d_H \text{ paths per output}",
        "every depth H + 1 >= 1 (weight layers) and all widths d_0, ..., d_{H+1} (symbolic, with k symbolic)",
        ("definition: a path is one unit per layer, consecutive units joined by an edge; the net is fully connected "
         "without biases", "induction on the layer k = 1, ..., H + 1"),
        steps, "every output unit has d_0 d_1 ... d_H paths, for every depth and widths.",
        ("choromanska2015.path-count",))


def bernoulli_proof(wrong=None):
    """q E_Z[path sum] = W_{H+1} ... W_1 x, by linearity of expectation and induction on the layers."""
    n0, nk, nk1 = "d_0", "d_k", "d_{k+1}"
    W1 = g.Tensor("W_1", ("d_1", n0), "W_1")
    x = g.Tensor("x", (n0,), "x")
    Wk = g.Tensor("W_{k+1}", (nk1, nk), "W_{k+1}")
    P = g.Tensor("P_k", (nk, n0), r"W_k\cdots W_1")
    s1 = g.custom("s_1", ("d_1", "1"), lambda j, _: _sum_over(n0, lambda i0: W1(j, i0) * x(i0)))
    sk = g.custom("s_{k+1}", (nk1, "1"), lambda j, _: _sum_over(nk, lambda i: Wk(j, i) * (g.leaf(P) @ g.leaf(x))
                                                                    .entry(i, g.ONE)))
    rhs_step = g.leaf(Wk) @ g.leaf(P) @ g.leaf(x) if wrong != "transpose" else \
        g.leaf(Wk) @ g.leaf(g.Tensor("P_k", (n0, nk), r"W_k\cdots W_1")).T @ g.leaf(x)
    c, p = sp.IndexedBase("c"), sp.Symbol("p", integer=True, positive=True)
    rho, Psi = sp.Symbol("rho", positive=True), sp.Symbol("Psi", integer=True, positive=True)
    q = 1 / rho if wrong != "q" else rho
    steps = [
        g.Step("lemma", "linearity of expectation with E[Z_p] = rho and q = 1/rho",
               (r"q\,\mathbb{E}_Z\big[\sum_{p=1}^{\Psi} c_p Z_p\big] = q\sum_{p=1}^{\Psi} c_p\rho",
                q * sp.Sum(c[p] * rho, (p, 1, Psi))), (r"\sum_{p=1}^{\Psi} c_p", sp.Sum(c[p], (p, 1, Psi))),
               rules=("sum",)),
        g.Step("base case", "paths of one edge: s_1 = W_1 x", s1, g.leaf(W1) @ g.leaf(x)),
        g.Step("inductive step", "s_{k+1}[j] = sum_i W_{k+1}[j,i] s_k[i] (a path to j ends with an edge i -> j)",
               sk, rhs_step, hypothesis=r"s_k = W_k\cdots W_1 x"),
    ]
    return g.GeneralProof(
        "Choromanska's Bernoulli expectation", r"q\,\mathbb{E}_Z\big[\textstyle\sum_p x_p Z_p \prod_k w^{(k)}_p"
        r"\big] = W_{H+1}\cdots W_1 x", "every depth H >= 0 and all widths (symbolic); any number Psi of paths",
        ("A1p/A5u: every gate Z_p is Bernoulli(rho), independent of x and the weights; q = 1/rho; no biases",
         "definition: s_k[j] = sum over paths from the inputs to unit j of layer k of x_{i_0} times the path's "
         "weights; the path sum is s_{H+1} (c_p = x_p prod_k w_p)", "linearity of expectation",
         "induction on the layer k = 1, ..., H + 1"),
        steps, "q E_Z[Y] = s_{H+1} = W_{H+1} ... W_1 x for every depth and widths.",
        ("choromanska2015.bernoulli-expectation",))


def _sum_over(dim, body):
    i = g.fresh(dim)
    return g.summed(body(i), i)


#: The general proofs by name: builder(wrong=None) -> GeneralProof, and the broken variants each refuses.
PROOFS = {
    "hessian-recursion": (recursion_proof, ("drop-D", "transpose", "base")),
    "kronecker-block": (kronecker_proof, ("missing-factor",)),
    "gauss-newton": (gauss_newton_proof, ("transpose",)),
    "piecewise-linear": (piecewise_linear_proof, ("no-zero",)),
    "deep-linear": (deep_linear_proof, ("transpose",)),
    "path-count": (path_count_proof, ("base",)),
    "bernoulli-expectation": (bernoulli_proof, ("transpose", "q")),
}


def general_proof(name, wrong=None):
    """The general proof ``name`` of :data:`PROOFS`, decided (``wrong``: one of its broken variants).

    Examples
    --------
    >>> p = general_proof("hessian-recursion")
    >>> p.outcome, len(p.steps)
    ('proved', 5)
    >>> general_proof("hessian-recursion", wrong="drop-D").undecided
    ('inductive step: second-order chain rule through layer l+1',)
    """
    name = check_choice(name, "name", sorted(PROOFS))
    builder, variants = PROOFS[name]
    if wrong is not None:
        wrong = check_choice(wrong, "wrong", variants)
    return builder(wrong).decide()


def claim_scope(name, cross_scope):
    """The scope of a claim whose primary evidence is the general proof ``name``, cross-checked on ``cross_scope``.

    Examples
    --------
    >>> claim_scope("path-count", "7 width lists")[:42]
    'every depth H + 1 >= 1 (weight layers) and'
    >>> claim_scope("path-count", "7 width lists").endswith("(general proof); cross-checked on 7 width lists")
    True
    """
    name = check_choice(name, "name", sorted(PROOFS))
    return g.GENERAL_SCOPE % (PROOFS[name][0]().scope, check_str(cross_scope, "cross_scope"))


def random_values(proof_step_tensors, seed=0):
    """Seeded random rational values for tensors (symmetric ones symmetric): name -> callable(*zero_based)."""
    seed = check_int(seed, "seed")
    rng = random.Random(seed)
    cache = {}

    def make(t):
        def value(*pos):
            key = (t.name,) + (tuple(sorted(pos)) if t.symmetric else pos)
            if key not in cache:
                cache[key] = sp.Rational(rng.randint(-9, 9), rng.randint(1, 5))
            return cache[key]
        return value
    return {t.name: make(t) for t in proof_step_tensors}
