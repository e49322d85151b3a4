"""The proof that the Botev recursion's layer blocks are the diagonal blocks of the Hessian.

:func:`verify_recursion` compares, entry by entry and exactly (:mod:`lossgeom.symbolic.decide`),
the layer blocks of :func:`~lossgeom.symbolic.hessian.derive_hessian` (or of the Gauss-Newton
recursion) with SymPy's direct differentiation of the composed loss, in every activation cell of a
piecewise net; or, for the ``specialise`` method, proves the identity for the generic activation
``f`` and specialises it to the net's activation.

References
----------
Botev, Ritter & Barber, "Practical Gauss-Newton Optimisation for Deep Learning", ICML 2017, Sec. 2.
"""

import time

import sympy as sp

from lossgeom.activations import X
from lossgeom.checks import check_bool, check_int, check_net
from lossgeom.errors import NetSpecError, choose
from lossgeom.net import Net
from lossgeom.report import Report

from .decide import compare_matrices, decide_zero
from .forward import activation_cells, forward_trace, parameter_symbols
from .hessian import derive_gauss_newton, derive_hessian, direct_layer_block

__all__ = ["verify_recursion"]

_METHODS = ("direct", "specialise")


def verify_recursion(net, gauss_newton=False, cell_limit=64, method="direct"):
    """Decide exactly whether the recursion's layer blocks equal the direct Hessian's diagonal blocks.

    For smooth activations (and the generic ``f``, where the result is an identity in f, f', f''
    at the pre-activations) every entry of recursion minus direct is decided by
    :func:`~lossgeom.symbolic.decide.decide_zero`.  For piecewise activations the comparison is
    made in every activation cell (each unit fixed to one smooth piece), which covers the whole
    parameter space except the kinks, where the Hessian does not exist.  With
    ``gauss_newton=True`` the blocks are compared with J^T (d2E/dh_L^2) J, J = dh_L/dtheta_l,
    by direct differentiation (the Gauss-Newton matrix).

    Parameters
    ----------
    net : Net
    gauss_newton : bool
    cell_limit : int
        Largest number of activation cells to check exhaustively.
    method : {"direct", "specialise"}
        ``direct`` compares the concrete net's blocks with SymPy's differentiation of the composed
        loss.  ``specialise`` proves the identity for the generic activation ``f`` (same widths,
        loss, bias) and checks exactly that every named equation of the concrete net is the
        generic one with f', f'' replaced by ``sympy.diff`` of each unit's smooth piece; an
        identity in independent f, f', f'' holds for every twice-differentiable f, so this decides
        the concrete case exactly too, much faster for algebraic activations in deep nets.

    Returns
    -------
    Report
        ``proved`` when every entry is decided zero; ``refuted`` with the entry and a point when one
        is not; ``verified`` when some entry was only checked numerically.

    Raises
    ------
    OptionError
        For an unknown ``method``.
    NetSpecError
        For ``specialise`` on a net with a non-identity output activation.

    See Also
    --------
    lossgeom.symbolic.derive_hessian : the recursion being verified.
    lossgeom.symbolic.derive_gauss_newton : its Gauss-Newton form (``gauss_newton=True``).
    lossgeom.symbolic.direct_layer_block : the direct reference.

    Examples
    --------
    >>> from lossgeom import Net
    >>> rep = verify_recursion(Net(widths=(1, 2, 1), activation="f"))
    >>> rep.outcome, rep.method
    ('proved', 'expansion to zero')
    >>> verify_recursion(Net(widths=(1, 2, 1), activation="relu")).evidence["cells"]
    4
    """
    check_net(net)
    check_bool(gauss_newton, "gauss_newton")
    check_int(cell_limit, "cell_limit", 1)
    if choose("method", method, _METHODS) == "specialise":
        return _verify_by_specialisation(net, gauss_newton, cell_limit)
    start = time.perf_counter()
    cells = list(activation_cells(net, cell_limit))
    methods, entries, numeric_only = set(), 0, 0
    for cell in cells:
        for l, cmp in _compare_cell(net, gauss_newton, cell or None):
            methods |= cmp.methods
            entries += cmp.entries
            if cmp.verdict is False:
                return _refutation(net, l, cmp, cell, len(cells), start)
            numeric_only += cmp.verdict is None
    method = "; ".join(sorted(methods))
    if len(cells) > 1:
        method += " in each of %d activation cells" % len(cells)
    kind = "Gauss-Newton blocks" if gauss_newton else "layer blocks"
    reference = "J^T H_L J" if gauss_newton else "direct sympy differentiation"
    evidence = {"net": str(net), "compared": "%s vs %s" % (kind, reference), "layers": net.depth,
                "entries": entries, "cells": len(cells)}
    if numeric_only:
        evidence["numeric_only_entries"] = numeric_only
    return Report("recursion of %s" % net, "verified" if numeric_only else "proved", method, evidence=evidence,
                  seconds=time.perf_counter() - start)


def _compare_cell(net, gauss_newton, pattern):
    """Yield ``(l, MatrixComparison)`` of the recursion's block l against the reference, layer by layer."""
    rec = (derive_gauss_newton if gauss_newton else derive_hessian)(net, pattern)
    for l in range(1, net.depth + 1):
        ours = rec.layer_block(l, expand=True, force=True)
        ref = _gauss_newton_block(net, l, pattern) if gauss_newton else direct_layer_block(net, l, pattern)
        yield l, compare_matrices(ours, ref)


def _refutation(net, l, cmp, cell, n_cells, start):
    r, c, detail = cmp.first
    names = net.layer_parameter_names(l)
    return Report("recursion of %s" % net, "refuted", "; ".join(sorted(cmp.methods)),
                  evidence={"layer": l, "entry": "(%s, %s)" % (names[r], names[c]), "cells": n_cells},
                  counterexample=dict(detail, cell=_cell_text(cell)), seconds=time.perf_counter() - start)


def _verify_by_specialisation(net, gauss_newton, cell_limit):
    """Generic-f identity, then every named equation of the concrete net = the generic one with f^(k)(h)
    replaced by the k-th derivative of the unit's smooth piece, computed here by ``sympy.diff``."""
    start = time.perf_counter()
    if net.output_activation.name != "identity":
        raise NetSpecError("method: 'specialise' needs an identity output activation (the generic f stands for "
                           "the hidden activation only), got %s; use method='direct'" % net.output_activation.label)
    generic = Net(widths=net.widths, activation="f", loss=net.loss, bias=net.bias, weight_decay=net.weight_decay,
                  reduction=net.reduction)
    report = verify_recursion(generic, gauss_newton, cell_limit, method="direct")
    if report.outcome != "proved":
        return report.with_(claim="recursion of %s" % net)
    derive = derive_gauss_newton if gauss_newton else derive_hessian
    cells, checked = list(activation_cells(net, cell_limit)), 0
    for cell in cells:
        for ours, target in _specialised_pairs(net, derive(net, cell or None), derive(generic), cell):
            checked += 1
            decision = decide_zero(ours.rhs - target)
            if decision.verdict is not True:
                return Report("recursion of %s" % net, "refuted" if decision.verdict is False else "inconclusive",
                              "the concrete equation for %s differs from the specialised generic one" % ours.lhs,
                              evidence={"net": str(net), "cell": str(_cell_text(cell))},
                              counterexample=decision.detail, seconds=time.perf_counter() - start)
    evidence = dict(report.evidence, net=str(net), generic_net=str(generic), equations_specialised=checked,
                    cells_specialised=len(cells))
    method = ("specialisation of the generic-f identity (%s): every named equation of %s equals the generic one "
              "with f, f', f'' replaced by sympy.diff of the unit's smooth piece%s"
              % (report.method, net.activation.label, " in each of %d cells" % len(cells) if len(cells) > 1 else ""))
    return Report("recursion of %s" % net, report.outcome, method, evidence=evidence,
                  seconds=time.perf_counter() - start)


def _specialised_pairs(net, concrete, general, cell):
    """Yield (concrete equation, generic rhs with f^(k)(h_li) replaced by the k-th derivative of the piece)."""
    act = net.activation

    def specialise(atom):
        l, i = (int(t) for t in atom.args[0].name[1:-1].split("["))
        piece = act.pieces[cell.get((l, i), 0)] if cell else act.pieces[0]
        return sp.diff(piece.expr, X, atom.func._order).subs(X, atom.args[0])

    for ours, theirs in zip(concrete.equations, general.equations):
        if ours.lhs != theirs.lhs:  # an internal invariant (both derivations list the same names), not user input
            raise AssertionError("equations out of step: %s vs %s" % (ours.lhs, theirs.lhs))
        yield ours, theirs.rhs.replace(lambda a: hasattr(a.func, "_order") and a.args[0].is_Symbol, specialise)


def _cell_text(cell):
    return {"h%d[%d]" % k: v for k, v in cell.items()} if cell else {}


def _gauss_newton_block(net, l, pattern):
    """J^T (d2E/dh_L^2) J with J = d(output pre-activation)/dtheta_l, by direct differentiation."""
    tr = forward_trace(net, pattern=dict(pattern) if pattern else None)
    params = parameter_symbols(net)[net.layer_slice(l)]
    out = tr.a[-1] if net.output_activation.name != "identity" else tr.h[-1]
    J = out.jacobian(params)
    z = [sp.Dummy("z%d" % k) for k in range(out.rows)]  # d2E/dz2 by differentiating the loss value itself
    Hout = sp.hessian(net.loss.value(z, list(tr.y)), z).xreplace(dict(zip(z, out)))
    block = J.T * Hout * J
    if net.weight_decay:
        n_w = net.layer_shape(l)[0] * net.layer_shape(l)[1]
        block += sp.diag(*([net.weight_decay] * n_w + [0] * (len(params) - n_w)))
    return sp.ImmutableMatrix(block)
