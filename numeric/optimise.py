"""Optimisers for experiments on deep linear nets: random starting weights and gradient descent (float64).

The deep linear loss ``L(W) = 1/2 ||W_{H+1}...W_1 X - Y||_F^2`` (Kawaguchi 2016) has no spurious local
minima; gradient descent from random weights is the experiment that shows it numerically.
"""

from dataclasses import dataclass

import numpy as np

from lossgeom.checks import check_int, check_layers, check_matrix, check_matrix_like, check_real, check_sequence
from lossgeom.display import summary_latex
from lossgeom.errors import DataError
from lossgeom.precision import tolerance

__all__ = ["random_weights", "gradient_descent", "DescentRun", "MAX_HALVINGS"]

#: Backtracking halvings per gradient-descent step before the step is taken anyway.
MAX_HALVINGS = 60


@dataclass(frozen=True)
class DescentRun:
    """The end of a gradient-descent run.

    Attributes
    ----------
    weights : tuple of ndarray
        The final W_1 .. W_{H+1}.
    loss : float
    steps : int
    gradient_norm : float
    converged : bool
        The gradient norm fell below the stopping tolerance.
    """

    weights: tuple
    loss: float
    steps: int
    gradient_norm: float
    converged: bool

    def _repr_latex_(self):
        r"""Jupyter's display: the final loss, the steps taken, the gradient norm and whether it converged.

        Examples
        --------
        >>> import numpy as np
        >>> run = gradient_descent([np.array([[0.5]]), np.array([[0.5]])], [[1.0]], [[1.0]], steps=500)
        >>> r"\text{converged} & \text{yes}" in run._repr_latex_()
        True
        """
        return summary_latex("Gradient descent", [(r"\text{loss } L", self.loss), ("steps", self.steps),
                                                  (r"\lVert \nabla L \rVert", self.gradient_norm),
                                                  ("converged", self.converged)])


def random_weights(widths, seed=0, scale=1.0):
    """Random float64 weights (normal, standard deviation ``scale / sqrt(d_{k-1})``), deterministic per seed.

    Examples
    --------
    >>> [w.shape for w in random_weights((3, 2, 1), seed=1)]
    [(2, 3), (1, 2)]
    """
    widths = [check_int(d, "widths[%d]" % k, 1) for k, d in enumerate(check_sequence(widths, "widths"))]
    seed = check_int(seed, "seed", 0)
    scale = check_real(scale, "scale")
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((widths[k], widths[k - 1])) * scale / np.sqrt(widths[k - 1])
            for k in range(1, len(widths))]


def _check_chain(Ws, Xf, Yf):
    rows = Xf.shape[0] if Xf.ndim == 2 else -1
    for k, W in enumerate(Ws):
        if W.ndim != 2 or W.shape[1] != rows:
            raise DataError("weights[%d]: expected a matrix with %d columns, got shape %s" % (k, rows, W.shape))
        rows = W.shape[0]
    if Yf.ndim != 2 or Yf.shape != (rows, Xf.shape[1]):
        raise DataError("Y: expected a %dx%d matrix, got shape %s" % (rows, Xf.shape[1], Yf.shape))


def gradient_descent(weights, X, Y, steps=20000, lr=None, gtol=None):
    """Gradient descent with Armijo backtracking on the deep linear loss, in float64.

    Parameters
    ----------
    weights : list of ndarray
        Starting point.
    X, Y : matrices
    steps : int
        Maximum number of steps.
    lr : float, optional
        Initial step size (default 1); halved until the Armijo condition holds.
    gtol : float, optional
        Stop when the gradient norm falls below it (default ``sqrt(tolerance("float64", scale))``
        with scale ``max(1, ||Y||_F^2)``: the loss is then accurate to about ``tolerance``).

    Returns
    -------
    DescentRun

    Examples
    --------
    >>> r = gradient_descent(random_weights((1, 1, 1), seed=0), np.eye(1), np.eye(1) * 2)
    >>> round(r.loss, 8), r.converged
    (0.0, True)
    """
    check_layers(weights)
    check_matrix_like(X, "X")
    check_matrix_like(Y, "Y")
    steps = check_int(steps, "steps", 0)
    if lr is not None:
        lr = float(check_real(lr, "lr"))
    if gtol is not None:
        gtol = float(check_real(gtol, "gtol"))
    Xf, Yf = _floats(X, "X"), _floats(Y, "Y")
    Ws = [_floats(W, "weights[%d]" % k) for k, W in enumerate(weights)]
    _check_chain(Ws, Xf, Yf)
    scale = max(1.0, float(np.linalg.norm(Yf)) ** 2)
    # the loss error near a minimum is of order |grad|^2 / curvature, so sqrt of the float64 tolerance
    gtol = float(tolerance("float64", scale=scale)) ** 0.5 if gtol is None else gtol
    eta = 1.0 if lr is None else lr

    def loss_grad(Ws):
        # prefix products B_k = W_{k-1}...W_1 X and suffix products A_k = W_{H+1}...W_{k+1}
        B = [Xf]
        for W in Ws[:-1]:
            B.append(W @ B[-1])
        A = [np.eye(Yf.shape[0])]
        for W in reversed(Ws[1:]):
            A.insert(0, A[0] @ W)
        R = Ws[-1] @ B[-1] - Yf
        grads = [Ak.T @ R @ Bk.T for Ak, Bk in zip(A, B)]
        return 0.5 * float(np.sum(R * R)), grads

    L, G = loss_grad(Ws)
    n = 0
    gn = np.sqrt(sum(float(np.sum(g * g)) for g in G))
    for n in range(1, steps + 1):
        if gn <= gtol:
            break
        step = eta
        for _halving in range(MAX_HALVINGS):
            trial = [W - step * g for W, g in zip(Ws, G)]
            Lt, Gt = loss_grad(trial)
            if Lt <= L - 0.5 * step * gn ** 2:
                break
            step /= 2
        Ws, L, G = trial, Lt, Gt
        gn = np.sqrt(sum(float(np.sum(g * g)) for g in G))
        eta = min(1.0, step * 2)
    return DescentRun(tuple(Ws), float(L), n, float(gn), bool(gn <= gtol))


def _floats(M, field):
    M = check_matrix(M, field)  # numbers read by the whitelist parser ("1/2" works, code-like text is refused)
    return np.array(M.tolist(), dtype=float).reshape(M.shape)
