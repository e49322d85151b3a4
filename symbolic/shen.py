"""Shen's critical-point linear system grad J = P(W) eps, exactly (Shen 2016, arXiv 1611.05827; CVPR 2018).

Shen writes a layer as phi_l = sigma(W_l^T phi_{l-1}) with W_l in R^{n_{l-1} x n_l}, and a bias as the
weight of a *dummy unit* that always outputs 1.  lossgeom writes h_l = W_l a_{l-1} + b_l.  The one
translation between the two is :func:`shen_layers`::

    W_l^S = [ W_l^T ]   ((d_{l-1} + 1) x d_l; the last row is the dummy unit's outgoing weights)
            [ b_l^T ]

so W_l^{S T} [a_{l-1}; 1] = W_l a_{l-1} + b_l (:func:`verify_dummy_units` proves it symbolically).
Shen's parameter vector stacks vec(W_1^S), ..., vec(W_L^S) (columns stacked);
:func:`shen_permutation` maps it onto lossgeom's theta.

With E(yhat, y) = 1/2 ||yhat - y||^2 (lossgeom's square loss, reduction sum) the output error is
eps_i = F(W, x_i) - y_i, and with Psi_{l,i} = Sigma'_{l,i} W_{l+1} Sigma'_{l+1,i} ... W_L Sigma'_{L,i}
(W without its dummy row, Sigma' = diag sigma', identity at the output)::

    P_l = [Psi_{l,1} kron phi_{l-1,1}, ..., Psi_{l,T} kron phi_{l-1,T}],   P = [P_1; ...; P_L],
    grad J (Shen's order) = P eps.

The routines here work on nested lists with any scalar type (SymPy expressions, mpmath numbers,
python-flint balls): the caller supplies ``act(z, order)``.  :mod:`lossgeom.numeric.shen` evaluates
the same objects at ``dps`` digits and in ball arithmetic.
"""

from dataclasses import dataclass

import sympy as sp

from lossgeom.checks import check_callable, check_int, check_matrix, check_net, check_sequence
from lossgeom.display import summary_latex
from lossgeom.errors import ArgumentTypeError
from lossgeom.limits import shorten
from lossgeom.net import Net
from lossgeom.symbolic.forward import bias_symbols, forward_trace, parameter_symbols, weight_symbols

__all__ = ["ShenSystem", "shen_layers", "shen_permutation", "shen_system", "shen_system_exact",
           "verify_dummy_units", "verify_shen_gradient", "verify_hessian_residual"]


def _grid(value, field, rows, cols):
    """A rows x cols nested list (or tuple) of scalars of any number type (SymPy, mpmath, arb)."""
    items = check_sequence(value, field, "a list of %d rows" % rows, rows)
    for i, row in enumerate(items):
        row = check_sequence(row, "%s[%d]" % (field, i), "a row of %d entries" % cols, cols)
        for j, v in enumerate(row):
            if isinstance(v, (str, bytes, list, tuple, dict, set)) or v is None:
                raise ArgumentTypeError("%s[%d][%d]: expected a number, got %s" % (field, i, j, shorten(v)))


def _check_layers_shape(net, weights, biases):
    check_net(net)
    check_sequence(weights, "weights", "a list of %d matrices" % net.depth, net.depth)
    for l in range(1, net.depth + 1):
        W = weights[l - 1]
        _grid(W.tolist() if isinstance(W, sp.MatrixBase) else W, "weights[%d]" % (l - 1), net.widths[l], net.widths[l - 1])
    if net.bias:
        check_sequence(biases, "biases", "a list of %d vectors" % net.depth, net.depth)
        for l in range(1, net.depth + 1):
            _grid([[v] for v in check_sequence(list(biases[l - 1]) if isinstance(biases[l - 1], sp.MatrixBase)
                                               else biases[l - 1], "biases[%d]" % (l - 1), "a vector of %d entries"
                                               % net.widths[l], net.widths[l])], "biases[%d]" % (l - 1),
                  net.widths[l], 1)


def shen_layers(net, weights, biases=None):
    """Shen's weight matrices W_l^S = [W_l^T; b_l^T] from lossgeom's W_l, b_l (the one translation).

    Without biases W_l^S = W_l^T.  Entries are returned as they are given (nested lists, rows first).

    Examples
    --------
    >>> shen_layers(Net(widths=(2, 1, 1), bias=True), [[[1, 2]], [[3]]], [[5], [7]])
    [[[1], [2], [5]], [[3], [7]]]
    """
    _check_layers_shape(net, weights, biases)
    out = []
    for l in range(1, net.depth + 1):
        W = [list(row) for row in weights[l - 1]]
        rows = [[W[k][j] for k in range(net.widths[l])] for j in range(net.widths[l - 1])]
        if net.bias:
            rows.append([biases[l - 1][k] for k in range(net.widths[l])])
        out.append(rows)
    return out


def shen_permutation(net):
    """``perm`` with shen_vector[k] = theta[perm[k]] (Shen's vec(W_l^S) order onto lossgeom's theta).

    Examples
    --------
    >>> net = Net(widths=(2, 1), bias=True)
    >>> [net.parameter_names()[k] for k in shen_permutation(net)]
    ['W1[1,1]', 'W1[1,2]', 'b1[1]']
    >>> net2 = Net(widths=(2, 2))
    >>> [net2.parameter_names()[k] for k in shen_permutation(net2)]
    ['W1[1,1]', 'W1[1,2]', 'W1[2,1]', 'W1[2,2]']
    """
    check_net(net)
    perm, offset = [], 0
    for l in range(1, net.depth + 1):
        d_in, d_out = net.widths[l - 1], net.widths[l]
        m = d_in + (1 if net.bias else 0)
        for k in range(d_out):
            for j in range(m):
                perm.append(offset + (j * d_out + k if j < d_in else d_in * d_out + k))
        offset += m * d_out
    return perm


@dataclass(frozen=True)
class ShenSystem:
    """Shen's objects at one point: ``blocks`` P_1..P_L and ``P`` (rows of nested lists), ``eps``,
    ``outputs`` (F(W, x_i) per sample), ``phi`` (phi_{l,i} with the dummy 1 for l < L) and ``psi``
    (Psi_{l,i}, n_l x n_L), indexed [l][i] with l = 0..L and 1..L.
    """

    net: Net
    blocks: tuple
    eps: tuple
    outputs: tuple
    phi: tuple
    psi: tuple

    @property
    def P(self):
        """P = [P_1; ...; P_L] (N_net x n_L T) as a list of rows."""
        return [list(row) for block in self.blocks for row in block]

    @property
    def n_rows(self):
        """N_net, the number of rows of P (dummy units counted)."""
        return sum(len(b) for b in self.blocks)

    @property
    def n_cols(self):
        """n_L T, the number of columns of P."""
        return len(self.eps)

    def _repr_latex_(self):
        r"""Jupyter's display: the shape of P against N_net and n_L T, and the residuals eps.

        Examples
        --------
        >>> s = shen_system(Net(widths=(1, 1, 1)), [[[2]], [[3]]], [[1]], [[0]], lambda z, k: z if k == 0 else 1)
        >>> tex = s._repr_latex_()
        >>> r"N_{\mathrm{net}} \times n_L T} & 2 \times 1" in tex and r"\varepsilon & \left(6\right)" in tex
        True
        """
        eps = self.eps if len(self.eps) <= 8 else "%d values" % len(self.eps)
        return summary_latex("Shen's system", [
            ("net", str(self.net)),
            (r"P \in \mathbb{R}^{N_{\mathrm{net}} \times n_L T}", ("latex", r"%d \times %d" % (self.n_rows, self.n_cols))),
            (r"\varepsilon", eps)])

    def gradient(self):
        """P eps, the gradient of J in Shen's order (list)."""
        return [sum((a * e for a, e in zip(row, self.eps)), 0 * self.eps[0]) for row in self.P]


def _sample(net, WS, x, act):
    """phi_0..phi_L (dummy 1 appended below L) and Psi_1..Psi_L for one sample."""
    L, one = net.depth, 1
    phi, dact = [list(x) + ([one] if net.bias else [])], []
    for l in range(1, L + 1):
        z = [sum((WS[l - 1][j][k] * phi[-1][j] for j in range(len(phi[-1]))), 0 * phi[-1][0])
             for k in range(net.widths[l])]
        if l == L:
            phi.append(z)
        else:
            phi.append([act(v, 0) for v in z] + ([one] if net.bias else []))
            dact.append([act(v, 1) for v in z])
    nL = net.widths[L]
    psi = {L: [[1 if r == c else 0 for c in range(nL)] for r in range(nL)]}
    for l in range(L - 1, 0, -1):
        nxt, W = psi[l + 1], WS[l]
        psi[l] = [[dact[l - 1][j] * sum((W[j][k] * nxt[k][c] for k in range(net.widths[l + 1])), 0 * W[j][0])
                   for c in range(nL)] for j in range(net.widths[l])]
    return phi, [psi[l] for l in range(1, L + 1)]


def _check_system_args(net, WS, X, Y, act):
    check_net(net)
    check_sequence(WS, "WS", "a list of %d matrices" % net.depth, net.depth)
    for l in range(1, net.depth + 1):
        _grid(WS[l - 1], "WS[%d]" % (l - 1), net.widths[l - 1] + (1 if net.bias else 0), net.widths[l])
    xs = check_sequence(X, "X", "a list of samples")
    _grid(xs, "X", len(xs), net.widths[0])
    _grid(Y, "Y", len(xs), net.widths[-1])
    check_callable(act, "act")


def shen_system(net, WS, X, Y, act):
    """Shen's P(W), eps and the factors Psi, Phi at Shen-form weights ``WS`` (see :func:`shen_layers`).

    Parameters
    ----------
    net : Net
        Identity output activation and square loss (E = 1/2 ||yhat - y||^2, so eps_i = yhat_i - y_i).
    WS : list of nested lists
        W_1^S .. W_L^S.
    X, Y : list of columns
        Samples x_i and targets y_i (each a list).
    act : callable
        ``act(z, order)``: the hidden activation (order 0) and its derivative (order 1) in the caller's
        scalar type.

    Returns
    -------
    ShenSystem

    Examples
    --------
    >>> net = Net(widths=(1, 1, 1), activation="identity")
    >>> s = shen_system(net, [[[2]], [[3]]], [[1]], [[0]], lambda z, k: z if k == 0 else 1)
    >>> s.P, s.eps, s.gradient()
    ([[3], [2]], (6,), [18, 12])
    """
    _check_system_args(net, WS, X, Y, act)
    phis, psis, outs, eps = [], [], [], []
    for x, y in zip(X, Y):
        phi, psi = _sample(net, WS, x, act)
        phis.append(phi)
        psis.append(psi)
        outs.append(tuple(phi[-1]))
        eps += [o - t for o, t in zip(phi[-1], y)]
    blocks = []
    for l in range(1, net.depth + 1):
        m, n_l, nL = len(phis[0][l - 1]), net.widths[l], net.widths[-1]
        rows = [[psis[i][l - 1][k][c] * phis[i][l - 1][j] for i in range(len(X)) for c in range(nL)]
                for k in range(n_l) for j in range(m)]
        blocks.append(tuple(tuple(r) for r in rows))
    return ShenSystem(net, tuple(blocks), tuple(eps), tuple(outs),
                      tuple(tuple(tuple(p) for p in [phis[i][l] for i in range(len(X))]) for l in range(net.depth + 1)),
                      tuple(tuple(psis[i][l] for i in range(len(X))) for l in range(net.depth)))


def _require(net):
    from lossgeom.errors import NetSpecError
    if net.output_activation.name != "identity" or net.loss.name != "square" or net.weight_decay:
        raise NetSpecError("net: Shen's system needs an identity output, the square loss and no weight decay; "
                           "got %s" % (net,))


def shen_system_exact(net, weights, biases=None, X=None, Y=None):
    """:func:`shen_system` in SymPy at lossgeom-convention weights (exact values or symbols).

    ``X`` and ``Y`` hold samples as columns (lossgeom's convention).

    Examples
    --------
    >>> s = shen_system_exact(Net(widths=(1, 1, 1), activation="softsign"), [[[1]], [[2]]], X=[[1]], Y=[[0]])
    >>> s.eps, s.P
    ((1,), [[1/2], [1/2]])
    """
    check_net(net)
    _require(net)
    # strings are read by the whitelist number parser; SymPy expressions (symbols) pass through
    X = check_matrix(X, "X", (net.widths[0], None), symbolic=True)
    Y = check_matrix(Y, "Y", (net.widths[-1], X.cols), symbolic=True)
    Ws = [check_matrix(W, "weights[%d]" % k, net.layer_shape(k + 1), symbolic=True)
          for k, W in enumerate(check_sequence(weights, "weights", "a list of %d matrices" % net.depth, net.depth))]
    bs = [check_matrix(b, "biases[%d]" % k, (net.widths[k + 1], 1), symbolic=True)
          for k, b in enumerate(check_sequence(biases, "biases", "a list of %d vectors" % net.depth, net.depth))] \
        if net.bias else None
    WS = shen_layers(net, [W.tolist() for W in Ws], [list(b) for b in bs] if net.bias else None)
    cols = [list(X[:, i]) for i in range(X.cols)]
    ys = [list(Y[:, i]) for i in range(Y.cols)]
    return shen_system(net, WS, cols, ys, _exact_activation(net.activation))


def _exact_activation(act):
    """``act(z, order)``: one smooth piece's rational form at a rational z (fast), else the Piecewise form."""
    from lossgeom.activations import X as ARG
    forms = {}

    def apply(z, k):
        if not z.is_Rational or act.generic:
            return act.apply(z, k)
        piece = act.piece_index(z)
        if piece is None:    # at a kink: a value only where that derivative exists (never one-sided)
            if k and act.at_kink(z, k):
                from lossgeom.errors import NonDifferentiableError
                raise NonDifferentiableError("P(W): a pre-activation sits exactly at a kink (%s) of %s, where f' "
                                             "does not exist" % (z, act.label))
            return act.apply(z, k)
        if (piece, k) not in forms:
            forms[piece, k] = sp.diff(act.pieces[piece].expr, ARG, k)
        return forms[piece, k].xreplace({ARG: z})
    return apply


def _symbolic_point(net, samples):
    weights = [weight_symbols(net, l) for l in range(1, net.depth + 1)]
    biases = [bias_symbols(net, l) for l in range(1, net.depth + 1)] if net.bias else None
    X = sp.Matrix(net.widths[0], samples, lambda r, c: sp.Symbol("x%d_%d" % (c + 1, r + 1), real=True))
    Y = sp.Matrix(net.widths[-1], samples, lambda r, c: sp.Symbol("y%d_%d" % (c + 1, r + 1), real=True))
    return weights, biases, X, Y


def _direct_losses(net, weights, biases, X, Y):
    """Per-sample losses and outputs by lossgeom's own forward pass (independent of this module)."""
    traces = [forward_trace(net, weights, biases, X[:, i], Y[:, i]) for i in range(X.cols)]
    return [t.loss() for t in traces], [t.a[-1] for t in traces]


def verify_dummy_units(net, samples=1):
    """Prove exactly that Shen's dummy-unit form equals lossgeom's biases: F_Shen(W^S(theta), x) = F(theta, x).

    Weights, biases and inputs are generic symbols; the outputs of both forward passes are expanded
    and compared.

    Returns
    -------
    bool

    Examples
    --------
    >>> verify_dummy_units(Net(widths=(2, 2, 1), activation="f", bias=True))
    True
    """
    check_net(net)
    check_int(samples, "samples", 1, 4)
    weights, biases, X, Y = _symbolic_point(net, samples)
    _, outs = _direct_losses(net, weights, biases, X, Y)
    s = shen_system_exact(net, weights, biases, X, Y)
    return all(sp.expand(a - b) == 0 for o, so in zip(outs, s.outputs) for a, b in zip(o, so))


def verify_shen_gradient(net, samples=2):
    """Prove exactly that grad J = P(W) eps: P eps against sympy.diff of lossgeom's loss, order translated.

    Returns
    -------
    (bool, int)
        Whether every entry expands to zero, and the number of entries compared.

    Examples
    --------
    >>> verify_shen_gradient(Net(widths=(1, 1, 1), activation="tanh", bias=True), samples=2)
    (True, 4)
    """
    check_net(net)
    check_int(samples, "samples", 1, 4)
    weights, biases, X, Y = _symbolic_point(net, samples)
    losses, _ = _direct_losses(net, weights, biases, X, Y)
    J = sp.Add(*losses)
    theta = parameter_symbols(net)
    direct = [sp.diff(J, theta[k]) for k in shen_permutation(net)]
    shen = shen_system_exact(net, weights, biases, X, Y).gradient()
    ok = all(sp.expand(a - b) == 0 for a, b in zip(direct, shen))
    return ok and len(direct) == len(shen), len(direct)


def verify_hessian_residual(net, samples=2):
    """Prove exactly that at an exact fit the Hessian of J is sum_i J_i^T J_i (the residual term vanishes).

    The targets y_i are replaced by the outputs F(W, x_i) (so eps = 0) in the Hessian of J computed by
    sympy.diff with generic weights, biases and inputs; the difference to sum_i J_i^T J_i
    (J_i = dF(W, x_i)/dtheta) is expanded to zero.  Hence rank H_J(W*) <= n_L T.

    Returns
    -------
    (bool, int)
        Whether every entry vanishes, and the number of entries compared.

    Examples
    --------
    >>> verify_hessian_residual(Net(widths=(1, 1, 1), activation="tanh"), samples=1)
    (True, 4)
    """
    check_net(net)
    check_int(samples, "samples", 1, 4)
    weights, biases, X, Y = _symbolic_point(net, samples)
    losses, outs = _direct_losses(net, weights, biases, X, Y)
    theta = sp.Matrix(parameter_symbols(net))
    H = sp.hessian(sp.Add(*losses), theta)
    fit = {Y[r, i]: outs[i][r] for i in range(X.cols) for r in range(Y.rows)}
    H = H.subs(fit)
    G = sp.zeros(len(theta), len(theta))
    for o in outs:
        Ji = sp.Matrix(o).jacobian(theta)
        G += Ji.T * Ji
    ok = all(sp.expand(v) == 0 for v in (H - G))
    return ok, len(theta) ** 2
