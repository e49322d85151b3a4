"""The notes' first open question: which matrices are products ``W_{H+1} ... W_1`` of given widths.

Answer (exact, for deep linear nets ``(d_x, d_1, ..., d_H, d_y)``): exactly those with
``rank W <= p = min_k d_k`` over the hidden widths; :func:`factor_into_widths` returns the factors or
the reason.
"""

from dataclasses import dataclass

import sympy as sp

from lossgeom.checks import check_matrix_like
from lossgeom.display import summary_latex
from lossgeom.net import Net  # noqa: F401  (doctests)
from lossgeom.numbers import exact_matrix

from .linear import _product, _smallest_hidden, require_deep_linear
from .vec import full_rank_factorization

__all__ = ["Factorization", "factor_into_widths"]


@dataclass(frozen=True)
class Factorization:
    """Answer to "is W a product W_{H+1}...W_1 with these widths?".

    Attributes
    ----------
    possible : bool
    weights : tuple of ImmutableMatrix or None
        Exact factors when possible.
    rank : int
    p : int
        The smallest hidden width.
    reason : str
    """

    possible: bool
    weights: object
    rank: int
    p: int
    reason: str

    def _repr_latex_(self):
        r"""Jupyter's display: whether W factors, rank(W) against p, and the factors or the reason.

        Examples
        --------
        >>> tex = factor_into_widths(Net(widths=(2, 1, 2)), sp.eye(2))._repr_latex_()
        >>> r"\operatorname{rank} W & 2" in tex and r"\text{possible} & \text{no}" in tex
        True
        """
        rows = [("possible", self.possible), (r"\operatorname{rank} W", self.rank),
                (r"p = \min_k d_k", self.p), ("reason", self.reason)]
        for k, w in enumerate(self.weights or (), 1):
            rows.append(("W_{%d}" % k, ("latex", sp.latex(w))))
        return summary_latex("Factorisation into the widths", rows)


def factor_into_widths(net, W):
    """Factor W (d_y x d_x) exactly as W_{H+1} ... W_1 with the net's widths, or say why not.

    Parameters
    ----------
    net : Net
        A deep linear net ``(d_x, d_1, ..., d_H, d_y)``.
    W : exact matrix

    Returns
    -------
    Factorization
        Possible iff rank(W) <= p = min hidden width: with a full-rank factorisation W = F G
        (r = rank), ``W_1 = [G; 0]``, ``W_k = [[I_r, 0], [0, 0]]`` in between, ``W_{H+1} = [F, 0]``.
        Otherwise rank(W_{H+1}...W_1) <= p < rank(W) rules it out.

    Examples
    --------
    >>> f = factor_into_widths(Net(widths=(2, 1, 3, 2)), sp.Matrix([[1, 2], [2, 4]]))
    >>> f.possible, [w.shape for w in f.weights]
    (True, [(1, 2), (3, 1), (2, 3)])
    >>> factor_into_widths(Net(widths=(2, 1, 2)), sp.eye(2)).reason
    'rank(W) = 2 > p = 1, and rank(W_{H+1}...W_1) <= p'

    Notes
    -----
    Answers the notes' question 1: {W_{H+1}...W_1} = {W in R^{d_y x d_x}: rank W <= p}.
    """
    check_matrix_like(W, "W")
    require_deep_linear(net)
    widths = net.widths
    W = sp.Matrix(exact_matrix(W, "W", (widths[-1], widths[0])))
    p = _smallest_hidden(widths)
    r = W.rank()
    if r > p:
        return Factorization(False, None, r, p, "rank(W) = %d > p = %d, and rank(W_{H+1}...W_1) <= p" % (r, p))
    F, G = full_rank_factorization(W)
    if len(widths) == 2:
        return Factorization(True, (sp.ImmutableMatrix(W),), r, p, "a single layer: W_1 = W")
    mats = []
    for k in range(1, len(widths)):
        rows, cols = widths[k], widths[k - 1]
        M = sp.zeros(rows, cols)
        if k == 1:
            M[:r, :] = G
        elif k == len(widths) - 1:
            M[:, :r] = F
        else:
            M[:r, :r] = sp.eye(r)
        mats.append(sp.ImmutableMatrix(M))
    assert _product(mats) == W
    return Factorization(True, tuple(mats), r, p, "rank(W) = %d <= p = %d: W = F G, padded with zeros" % (r, p))
