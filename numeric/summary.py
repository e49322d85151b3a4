"""The verdicts about a Hessian at one point: spectrum, inertia, rank, trace, and PSD per layer block.

:class:`HessianSummary` is what ``lossgeom hessian`` prints, as a frozen result a Python user gets
without the command line.  When the loss is a rational function of the weights (square loss and
rational activations, :func:`~lossgeom.numeric.backends.exact_capable`) and an exact evaluation is
given, the inertia, the rank and the PSD verdicts are decided in rational arithmetic, and the
eigenvalues that vanish exactly are shown as 0; otherwise they are decided numerically with the
tolerance of the working precision, which the result states.
"""

from dataclasses import dataclass

import mpmath

from lossgeom.errors import DataError
from lossgeom.precision import tolerance

from .backends import exact_capable
from .evaluate import HessianEvaluation, evaluate_net_file
from .spectrum import (
    Inertia,
    PsdVerdict,
    certified_inertia,
    exact_inertia,
    exact_rank,
    inertia,
    numeric_rank,
    psd_verdict,
    symmetric_eigenvalues,
    trace,
)

__all__ = ["BlockVerdict", "HessianSummary", "summarize_net_file"]


@dataclass(frozen=True)
class BlockVerdict:
    """Whether one layer's diagonal block sum_s (a~ a~^T) kron H_l (the Botev block) is PSD.

    Attributes
    ----------
    layer : int
        1-based.
    parameters : tuple of str
        The block's parameter names, in theta's order.
    verdict : PsdVerdict

    Examples
    --------
    >>> from lossgeom import net_file_from_dict
    >>> nf = net_file_from_dict({"widths": [1, 1, 1], "activation": "relu", "weights": [[[1]], [[-2]]],
    ...                          "inputs": [[1]], "targets": [[0]]})
    >>> b = summarize_net_file(nf, dps=15).blocks[1]
    >>> b.layer, b.parameters, b.verdict.psd
    (2, ('W2[1,1]',), True)
    """

    layer: int
    parameters: tuple
    verdict: PsdVerdict


@dataclass(frozen=True)
class HessianSummary:
    """Spectrum, inertia, rank, trace and per-block PSD verdicts of the Hessian of one evaluation.

    Build it with :meth:`from_evaluation`.

    Attributes
    ----------
    evaluation : HessianEvaluation
        The numeric evaluation (``dps`` digits).
    exact : HessianEvaluation or None
        The exact evaluation the verdicts were decided on, when given.
    eigenvalues : tuple of mpf
        Ascending; with ``exact``, the eigenvalues that vanish exactly are 0.
    inertia : Inertia
        Exact (tolerance ``"exact"``) with ``exact``, else numeric with the stated tolerance.
    rank : int
    rank_basis : str
        ``"exact"``, or the singular-value tolerance that separated zero.
    trace : Rational or mpf
    blocks : tuple of BlockVerdict
        One per layer.
    certified : Inertia or None
        The inertia certified by ball arithmetic, when asked for.

    Examples
    --------
    >>> from lossgeom import Net
    >>> from lossgeom.numeric.evaluate import evaluate_net
    >>> args = (Net(widths=(1, 1, 1), activation="relu"), [[[1]], [[-2]]])
    >>> ev, ex = evaluate_net(*args, X=[[1]], Y=[[0]], dps=20), evaluate_net(*args, X=[[1]], Y=[[0]], dps="exact")
    >>> s = HessianSummary.from_evaluation(ev, exact=ex)
    >>> s.inertia.positive, s.inertia.negative, s.inertia.tolerance, s.trace
    (1, 1, 'exact', 5)
    >>> [b.verdict.psd for b in s.blocks]
    [True, True]
    """

    evaluation: HessianEvaluation
    exact: object
    eigenvalues: tuple
    inertia: Inertia
    rank: int
    rank_basis: str
    trace: object
    blocks: tuple
    certified: object = None

    @property
    def is_exact(self):
        """True when the verdicts were decided in rational arithmetic."""
        return self.exact is not None

    @classmethod
    def from_evaluation(cls, ev, exact=None, certify=False):
        """Summarise the Hessian of ``ev`` (decided exactly on ``exact`` when it is given).

        Parameters
        ----------
        ev : HessianEvaluation
            At an integer ``dps``, with its Hessian computed.
        exact : HessianEvaluation, optional
            The same point at ``dps="exact"``.
        certify : bool, default False
            Also certify the inertia with ball arithmetic; the computed entries are good to about
            10^-dps relative, and Weyl's inequality widens the enclosures by that much.

        Raises
        ------
        NonDifferentiableError
            When a pre-activation sits at a kink (the Hessian does not exist).
        DataError
            For an evaluation that is not at an integer ``dps``, or an ``exact`` one that is not exact.
        """
        if not isinstance(getattr(ev, "dps", None), int):
            raise DataError("ev: expected a HessianEvaluation at an integer dps, got %r" % (ev,))
        if exact is not None and getattr(exact, "dps", None) != "exact":
            raise DataError("exact: expected a HessianEvaluation at dps='exact', got %r" % (exact,))
        H, dps = ev.hessian, ev.dps
        eig = symmetric_eigenvalues(H, dps)
        if exact is not None:
            I, rank, rank_basis = exact_inertia(exact.hessian), exact_rank(exact.hessian), "exact"
            for k in sorted(range(len(eig)), key=lambda k: abs(eig[k]))[:I.zero]:
                eig[k] = mpmath.mpf(0)  # exactly I.zero eigenvalues vanish: the ones nearest 0 numerically
        else:
            I = inertia(H, dps)
            rank, rank_basis = numeric_rank(H, dps), "singular values above the tolerance %s" % I.tolerance
        decided_on = exact if exact is not None else ev
        blocks = tuple(BlockVerdict(l, ev.net.layer_parameter_names(l), psd_verdict(decided_on.layer_block(l), dps))
                       for l in range(1, ev.net.depth + 1))
        certified = None
        if certify:
            scale = max((abs(v) for v in H), default=mpmath.mpf(1))
            certified = certified_inertia(H, dps, entry_radius=tolerance(dps, scale=scale))
        return cls(evaluation=ev, exact=exact, eigenvalues=tuple(eig), inertia=I, rank=rank, rank_basis=rank_basis,
                   trace=trace(exact.hessian) if exact is not None else trace(H, dps), blocks=blocks,
                   certified=certified)


def summarize_net_file(net_file, dps=50, certify=False):
    """:meth:`HessianSummary.from_evaluation` at a net file's weights, decided exactly where it can be.

    The exact evaluation is added when :func:`~lossgeom.numeric.backends.exact_capable` holds.

    Examples
    --------
    >>> from lossgeom import net_file_from_dict
    >>> nf = net_file_from_dict({"widths": [1, 1, 1], "activation": "tanh", "weights": [[["1/2"]], [[2]]],
    ...                          "inputs": [[1]], "targets": [[0]]})
    >>> s = summarize_net_file(nf, dps=15)
    >>> s.is_exact, s.inertia.positive, mpmath.nstr(s.trace, 10)
    (False, 1, '1.343970844')
    """
    ev = evaluate_net_file(net_file, dps=dps)
    exact = evaluate_net_file(net_file, dps="exact") if exact_capable(net_file.net) else None
    return HessianSummary.from_evaluation(ev, exact=exact, certify=certify)
