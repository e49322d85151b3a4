"""The loss registry: value, output gradient and output Hessian, exact and numeric.

``square``: E = 1/2 ||z - y||^2, dE/dz = z - y, d2E/dz2 = I.

``cross_entropy`` (softmax): E = -sum_k y_k log softmax(z)_k = s * logsumexp(z) - y.z with
s = sum_k y_k, so dE/dz = s p - y and d2E/dz2 = s (diag(p) - p p^T), p = softmax(z).
For a one-hot or probability target s = 1 and the Hessian is diag(p) - p p^T, independent of
the label (Botev et al. 2017).
"""

from dataclasses import dataclass

import mpmath
import sympy as sp

from .errors import UnknownLossError

__all__ = ["Loss", "get_loss", "loss_names"]


@dataclass(frozen=True)
class Loss:
    """A loss E(z, y) of the network output z and target y.

    Examples
    --------
    >>> z, y = sp.symbols("z1:3"), sp.symbols("y1:3")
    >>> sq = get_loss("square")
    >>> sq.value(z, y)
    (-y1 + z1)**2/2 + (-y2 + z2)**2/2
    >>> sq.hessian(z, y)
    Matrix([
    [1, 0],
    [0, 1]])
    >>> ce = get_loss("cross_entropy")
    >>> ce.hessian([0, 0], [1, 0])
    Matrix([
    [ 1/4, -1/4],
    [-1/4,  1/4]])
    """

    name: str

    @property
    def convex(self):
        """Both registered losses are convex in the output z (their Hessians are PSD)."""
        return True

    # -- exact -------------------------------------------------------------------------
    def value(self, z, y):
        """E(z, y) as a SymPy expression (z, y sequences of expressions)."""
        z, y = list(z), list(y)
        if self.name == "square":
            return sp.Add(*[sp.Rational(1, 2) * (zi - yi) ** 2 for zi, yi in zip(z, y)])
        s = sp.Add(*y)
        return s * sp.log(sp.Add(*[sp.exp(zi) for zi in z])) - sp.Add(*[yi * zi for zi, yi in zip(z, y)])

    def softmax(self, z):
        """p = softmax(z) as a column Matrix."""
        e = [sp.exp(zi) for zi in z]
        tot = sp.Add(*e)
        return sp.Matrix([ei / tot for ei in e])

    def gradient(self, z, y):
        """dE/dz as a column Matrix."""
        z, y = list(z), list(y)
        if self.name == "square":
            return sp.Matrix([zi - yi for zi, yi in zip(z, y)])
        p = self.softmax(z)
        s = sp.Add(*y)
        return sp.Matrix([s * p[k] - y[k] for k in range(len(z))])

    def hessian(self, z, y):
        """d2E/dz2 as a symmetric Matrix."""
        z, y = list(z), list(y)
        n = len(z)
        if self.name == "square":
            return sp.eye(n)
        p = self.softmax(z)
        s = sp.Add(*y)
        return sp.Matrix(n, n, lambda i, j: s * ((p[i] if i == j else 0) - p[i] * p[j]))

    # -- numeric (mpmath, caller's precision) --------------------------------------------
    def mp_value(self, z, y):
        """E(z, y) in mpmath at the working precision (log-sum-exp shifted for stability)."""
        if self.name == "square":
            return mpmath.fsum((zi - yi) ** 2 for zi, yi in zip(z, y)) / 2
        zmax = max(z)
        lse = zmax + mpmath.log(mpmath.fsum(mpmath.exp(zi - zmax) for zi in z))
        return mpmath.fsum(y) * lse - mpmath.fsum(yi * zi for zi, yi in zip(z, y))

    def mp_softmax(self, z):
        zmax = max(z)
        e = [mpmath.exp(zi - zmax) for zi in z]
        tot = mpmath.fsum(e)
        return [ei / tot for ei in e]

    def mp_gradient(self, z, y):
        """dE/dz as a list of mpf."""
        if self.name == "square":
            return [zi - yi for zi, yi in zip(z, y)]
        p, s = self.mp_softmax(z), mpmath.fsum(y)
        return [s * pk - yk for pk, yk in zip(p, y)]

    def mp_hessian(self, z, y):
        """d2E/dz2 as an mpmath matrix."""
        n = len(z)
        if self.name == "square":
            return mpmath.eye(n)
        p, s = self.mp_softmax(z), mpmath.fsum(y)
        return mpmath.matrix([[s * ((p[i] if i == j else 0) - p[i] * p[j]) for j in range(n)] for i in range(n)])


_LOSSES = ("square", "cross_entropy")


def loss_names():
    """The registered loss names.

    Examples
    --------
    >>> loss_names()
    ('square', 'cross_entropy')
    """
    return _LOSSES


def get_loss(spec):
    """Look up a loss by name (or pass a :class:`Loss` through).

    Examples
    --------
    >>> get_loss("hinge")
    Traceback (most recent call last):
    ...
    lossgeom.errors.UnknownLossError: invalid net: loss: unknown loss 'hinge'; expected one of square, cross_entropy
    """
    if isinstance(spec, Loss):
        return spec
    if spec not in _LOSSES:
        raise UnknownLossError("loss: unknown loss %r; expected one of %s" % (spec, ", ".join(_LOSSES)))
    return Loss(spec)
