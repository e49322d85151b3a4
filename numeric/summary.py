"""The verdicts about a Hessian at one point: spectrum, inertia, rank, trace, and PSD per layer block.

:class:`HessianSummary` is what ``lossgeom hessian`` prints, as a frozen result a Python user gets
without the command line.  When the loss is a rational function of the weights (square loss and
rational activations, :func:`~lossgeom.numeric.backends.exact_capable`) and an exact evaluation is
given, the inertia, the rank and the PSD verdicts are decided in rational arithmetic, and the
eigenvalues that vanish exactly are shown as 0; otherwise they are decided numerically with the
tolerance of the working precision, which the result states.

With ``certify`` the Hessian is evaluated in ball arithmetic (:mod:`lossgeom.numeric.ball`: every entry a
ball proved to contain the true value) and its spectrum enclosed by
:func:`~lossgeom.numeric.certified_eig.certified_eigh`: the enclosures contain the eigenvalues of the
true Hessian, and the eigenvalues shown, the inertia, the rank (where every enclosure excludes 0) and the
layer-block PSD verdicts come from enclosures, never from a tolerance (exact ones still win where the
Hessian is rational).
"""

from dataclasses import dataclass

import mpmath

from lossgeom.display import summary_latex
from lossgeom.errors import DataError, NonDifferentiableError

from .backends import exact_capable
from .ball import BallEvaluation, ball_evaluate_net_file
from .certified_eig import certified_eigh
from .evaluate import HessianEvaluation, evaluate_net_file, kink_message
from .spectrum import (
    Inertia,
    PsdVerdict,
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
    spectrum : CertifiedSpectrum or None
        With ``certify``: the enclosures of the eigenvalues of the true Hessian (ascending, clusters with
        their counts).

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
    spectrum: object = None

    @property
    def is_exact(self):
        """True when the verdicts were decided in rational arithmetic."""
        return self.exact is not None

    def _repr_latex_(self):
        r"""Jupyter's display: the extreme eigenvalues, inertia, rank, trace and the per-layer PSD verdicts.

        Examples
        --------
        >>> from lossgeom import Net
        >>> from lossgeom.numeric.evaluate import evaluate_net
        >>> args = (Net(widths=(1, 1, 1), activation="relu"), [[[1]], [[-2]]])
        >>> ev, ex = evaluate_net(*args, X=[[1]], Y=[[0]], dps=20), evaluate_net(*args, X=[[1]], Y=[[0]], dps="exact")
        >>> tex = HessianSummary.from_evaluation(ev, exact=ex)._repr_latex_()
        >>> r"\operatorname{tr} H & 5" in tex and r"\text{layer 1 block PSD} & \text{yes (exact)}" in tex
        True
        """
        rows = [("net", str(self.evaluation.net)), ("decided", "exactly" if self.is_exact else
                                                     "certified" if self.spectrum is not None else
                                                     "at %s digits" % self.evaluation.dps)]
        if self.eigenvalues:
            rows += [(r"\lambda_{\min}", self.eigenvalues[0]), (r"\lambda_{\max}", self.eigenvalues[-1])]
        rows += [("(n_+, n_-, n_0)", (self.inertia.positive, self.inertia.negative, self.inertia.zero)),
                 (r"\operatorname{rank} H", self.rank), (r"\operatorname{tr} H", self.trace)]
        for b in self.blocks:
            psd = {True: "yes", False: "no", None: "undecided"}[b.verdict.psd]
            rows.append((r"\text{layer %d block PSD}" % b.layer, "%s (%s)" % (psd, b.verdict.method)))
        return summary_latex("Hessian summary", rows)

    @classmethod
    def from_evaluation(cls, ev, exact=None, certify=False, ball=None):
        """Summarise the Hessian of ``ev`` (decided exactly on ``exact`` when it is given).

        Parameters
        ----------
        ev : HessianEvaluation
            At an integer ``dps``, with its Hessian computed.
        exact : HessianEvaluation, optional
            The same point at ``dps="exact"``.
        certify : bool, default False
            Enclose the spectrum of the true Hessian (needs ``ball``); eigenvalues, inertia, rank and the
            block verdicts then come from the enclosures.
        ball : BallEvaluation, optional
            The same point in ball arithmetic (:func:`~lossgeom.numeric.ball.ball_evaluate`).

        Raises
        ------
        NonDifferentiableError
            When a pre-activation sits at a kink (the Hessian does not exist).
        DataError
            For an evaluation that is not at an integer ``dps``, an ``exact`` one that is not exact, or
            ``certify`` without a ``ball``.
        """
        if not isinstance(getattr(ev, "dps", None), int):
            raise DataError("ev: expected a HessianEvaluation at an integer dps, got %r" % (ev,))
        if exact is not None and getattr(exact, "dps", None) != "exact":
            raise DataError("exact: expected a HessianEvaluation at dps='exact', got %r" % (exact,))
        if certify:
            if not isinstance(ball, BallEvaluation):
                raise DataError("ball: certify needs the BallEvaluation of the same point, got %r" % (ball,))
            return cls._certified(ev, exact, ball)
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
        return cls(evaluation=ev, exact=exact, eigenvalues=tuple(eig), inertia=I, rank=rank, rank_basis=rank_basis,
                   trace=trace(exact.hessian) if exact is not None else trace(H, dps), blocks=blocks)

    @classmethod
    def _certified(cls, ev, exact, ball):
        """Verdicts from the enclosures of the ball Hessian (exact ones where the Hessian is rational)."""
        dps = ev.dps
        if ball.hessian is None:
            raise DataError("ball: the ball evaluation has no Hessian (a kink, or hessian=False)")
        spec = certified_eigh(ball.hessian, dps)
        with mpmath.workdps(dps):
            eig = [+e.mid for e in spec.enclosures]
        cert = spec.inertia()
        if exact is not None:
            I, rank, rank_basis = exact_inertia(exact.hessian), exact_rank(exact.hessian), "exact"
            for k in sorted(range(len(eig)), key=lambda k: abs(eig[k]))[:I.zero]:
                eig[k] = mpmath.mpf(0)
        else:
            I, rank = cert, spec.rank()
            rank_basis = "certified (every enclosure excludes 0)"
            if rank is None:
                rank = cert.positive + cert.negative
                rank_basis = ("certified lower bound: %d enclosure(s) contain 0, so the rank is undecided between "
                              "%d and %d" % (cert.zero, rank, len(eig)))
        blocks = []
        for l in range(1, ev.net.depth + 1):
            v = psd_verdict(exact.layer_block(l), dps) if exact is not None else _block_verdict(
                ball.layer_blocks[l - 1], dps)
            blocks.append(BlockVerdict(l, ev.net.layer_parameter_names(l), v))
        return cls(evaluation=ev, exact=exact, eigenvalues=tuple(eig), inertia=I, rank=rank, rank_basis=rank_basis,
                   trace=trace(exact.hessian) if exact is not None else trace(ev.hessian, dps), blocks=tuple(blocks),
                   certified=cert, spectrum=spec)


def _block_verdict(block, dps):
    """PSD verdict of a ball block from its certified enclosures (None when one holds 0 and none is < 0)."""
    enc = certified_eigh(block, min(dps, 20)).enclosures   # a sign needs few digits: 20 first, dps if undecided
    if dps > 20 and any(e.lower <= 0 <= e.upper for e in enc):
        enc = certified_eigh(block, dps).enclosures
    if not enc:
        return PsdVerdict(True, "certified", "empty block", "n/a")
    psd = True if all(e.lower >= 0 for e in enc) else (False if any(e.upper < 0 for e in enc) else None)
    with mpmath.workdps(15):
        low = "[%s, %s]" % (mpmath.nstr(enc[0].lower, 15), mpmath.nstr(enc[0].upper, 15))
    return PsdVerdict(psd, "certified", "ball Hessian, certified enclosures (max radius %s)"
                      % mpmath.nstr(max(e.radius for e in enc), 3), low)


def summarize_net_file(net_file, dps=50, certify=False):
    """:meth:`HessianSummary.from_evaluation` at a net file's weights, decided exactly where it can be.

    The exact evaluation is added when :func:`~lossgeom.numeric.backends.exact_capable` holds; with
    ``certify``, the ball evaluation (:func:`~lossgeom.numeric.ball.ball_evaluate_net_file`) too.

    Examples
    --------
    >>> from lossgeom import net_file_from_dict
    >>> nf = net_file_from_dict({"widths": [1, 1, 1], "activation": "tanh", "weights": [[["1/2"]], [[2]]],
    ...                          "inputs": [[1]], "targets": [[0]]})
    >>> s = summarize_net_file(nf, dps=15)
    >>> s.is_exact, s.inertia.positive, mpmath.nstr(s.trace, 10)
    (False, 1, '1.343970844')
    >>> c = summarize_net_file(nf, dps=30, certify=True)
    >>> c.spectrum.counts, c.inertia.negative, c.rank, c.spectrum.max_relative_width() < mpmath.mpf(10) ** -30
    ((1, 1), 1, 2, True)
    """
    ball = ball_evaluate_net_file(net_file, dps=dps) if certify else None
    if ball is not None and ball.kinks:
        raise NonDifferentiableError(kink_message(net_file.net, "the Hessian", ball.kinks),
                                     kinks=[str(k) for k in ball.kinks])
    # with certify, the mp evaluation follows the pieces the balls decided (never its own tolerance)
    ev = evaluate_net_file(net_file, dps=dps, pattern=ball.pieces if ball is not None and ball.pieces else None)
    exact = evaluate_net_file(net_file, dps="exact") if exact_capable(net_file.net) else None
    return HessianSummary.from_evaluation(ev, exact=exact, certify=certify, ball=ball)
