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

from .errors import NetSpecError, UnknownLossError
from .limits import shorten

__all__ = ["Loss", "SquareLoss", "CrossEntropyLoss", "get_loss", "loss_names", "register_loss"]


@dataclass(frozen=True)
class Loss:
    """A loss E(z, y) of the network output z and target y: one small subclass per loss, in a registry.

    Subclasses give the exact value, gradient and Hessian in z (SymPy) and their mpmath forms at the
    caller's precision.  :func:`get_loss` returns the registered instance; :func:`register_loss` adds one.

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
    #: smallest output width the loss accepts
    min_outputs = 1

    @property
    def convex(self):
        """True when the loss is convex in the output z (its Hessian is PSD)."""
        return True

    # -- exact -------------------------------------------------------------------------
    def value(self, z, y):
        """E(z, y) as a SymPy expression (z, y sequences of expressions)."""
        raise NotImplementedError

    def gradient(self, z, y):
        """dE/dz as a column Matrix."""
        raise NotImplementedError

    def hessian(self, z, y):
        """d2E/dz2 as a symmetric Matrix."""
        raise NotImplementedError

    # -- numeric (mpmath, caller's precision) --------------------------------------------
    def mp_value(self, z, y):
        """E(z, y) in mpmath at the working precision."""
        raise NotImplementedError

    def mp_gradient(self, z, y):
        """dE/dz as a list of mpf."""
        raise NotImplementedError

    def mp_hessian(self, z, y):
        """d2E/dz2 as an mpmath matrix."""
        raise NotImplementedError


@dataclass(frozen=True)
class SquareLoss(Loss):
    """E = 1/2 ||z - y||^2, dE/dz = z - y, d2E/dz2 = I.

    Examples
    --------
    >>> SquareLoss().gradient([3], [1])
    Matrix([[2]])
    """

    name: str = "square"

    def value(self, z, y):
        return sp.Add(*[sp.Rational(1, 2) * (zi - yi) ** 2 for zi, yi in zip(z, y)])

    def gradient(self, z, y):
        return sp.Matrix([zi - yi for zi, yi in zip(z, y)])

    def hessian(self, z, y):
        return sp.eye(len(list(z)))

    def mp_value(self, z, y):
        return mpmath.fsum((zi - yi) ** 2 for zi, yi in zip(z, y)) / 2

    def mp_gradient(self, z, y):
        return [zi - yi for zi, yi in zip(z, y)]

    def mp_hessian(self, z, y):
        return mpmath.eye(len(z))


@dataclass(frozen=True)
class CrossEntropyLoss(Loss):
    """Softmax cross-entropy E = s logsumexp(z) - y.z (s = sum_k y_k); dE/dz = s p - y,
    d2E/dz2 = s (diag(p) - p p^T), p = softmax(z).

    Examples
    --------
    >>> CrossEntropyLoss().gradient([0, 0], [1, 0])
    Matrix([
    [-1/2],
    [ 1/2]])
    """

    name: str = "cross_entropy"
    min_outputs = 2

    def softmax(self, z):
        """p = softmax(z) as a column Matrix."""
        e = [sp.exp(zi) for zi in z]
        tot = sp.Add(*e)
        return sp.Matrix([ei / tot for ei in e])

    def value(self, z, y):
        z, y = list(z), list(y)
        return sp.Add(*y) * sp.log(sp.Add(*[sp.exp(zi) for zi in z])) - sp.Add(*[yi * zi for zi, yi in zip(z, y)])

    def gradient(self, z, y):
        z, y = list(z), list(y)
        p, s = self.softmax(z), sp.Add(*y)
        return sp.Matrix([s * p[k] - y[k] for k in range(len(z))])

    def hessian(self, z, y):
        z, y = list(z), list(y)
        p, s = self.softmax(z), sp.Add(*y)
        return sp.Matrix(len(z), len(z), lambda i, j: s * ((p[i] if i == j else 0) - p[i] * p[j]))

    def mp_softmax(self, z):
        """softmax(z) in mpmath, shifted by max(z) so it never overflows."""
        zmax = max(z)
        e = [mpmath.exp(zi - zmax) for zi in z]
        tot = mpmath.fsum(e)
        return [ei / tot for ei in e]

    def mp_value(self, z, y):
        zmax = max(z)
        lse = zmax + mpmath.log(mpmath.fsum(mpmath.exp(zi - zmax) for zi in z))
        return mpmath.fsum(y) * lse - mpmath.fsum(yi * zi for zi, yi in zip(z, y))

    def mp_gradient(self, z, y):
        p, s = self.mp_softmax(z), mpmath.fsum(y)
        return [s * pk - yk for pk, yk in zip(p, y)]

    def mp_hessian(self, z, y):
        n = len(z)
        p, s = self.mp_softmax(z), mpmath.fsum(y)
        return mpmath.matrix([[s * ((p[i] if i == j else 0) - p[i] * p[j]) for j in range(n)] for i in range(n)])


_LOSSES = {"square": SquareLoss(), "cross_entropy": CrossEntropyLoss()}


def loss_names():
    """The registered loss names, in registration order.

    Examples
    --------
    >>> loss_names()
    ('square', 'cross_entropy')
    """
    return tuple(_LOSSES)


def register_loss(loss):
    """Add a :class:`Loss` instance to the registry under ``loss.name``.

    Raises
    ------
    NetSpecError
        When the object is not a Loss or the name is taken.

    Examples
    --------
    >>> register_loss(SquareLoss())
    Traceback (most recent call last):
    ...
    lossgeom.errors.NetSpecError: invalid net: loss: 'square' is already registered
    """
    if not isinstance(loss, Loss) or type(loss) is Loss:
        raise NetSpecError("loss: expected an instance of a Loss subclass, got %r" % (loss,))
    if loss.name in _LOSSES:
        raise NetSpecError("loss: %r is already registered" % loss.name)
    _LOSSES[loss.name] = loss
    return loss


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
    if not isinstance(spec, str) or spec not in _LOSSES:
        raise UnknownLossError("loss: unknown loss %s; expected one of %s" % (shorten(spec), ", ".join(_LOSSES)))
    return _LOSSES[spec]
