"""Exact ``check`` of a piecewise net's quantity on its activation cells (ReLU, leaky ReLU, abs, ...).

On an activation cell (every piecewise unit kept on one smooth piece of its activation) a net with
piecewise-polynomial activations is a polynomial map, so the Hessian blocks, gradients and Gauss-Newton
blocks are polynomials in the weights and the input.  :func:`decide_on_cells` derives the quantity with
the pattern fixed (:func:`~lossgeom.symbolic.hessian.derive_hessian` with ``pattern=``), reads the answer
with the same names, resolves ``heaviside``, ``relu``, ``abs`` of a unit's own pre-activation ``h{l}[i]`` by
the sign the cell gives it, and compares exactly (expansion to zero).  An equal polynomial on a cell is a
proof there: on the open set of (weights, input) whose units take those pieces.  Kinks (a unit exactly at
a kink, a set of measure zero where the activation is not differentiable) are outside every cell.

Examples
--------
>>> from lossgeom import Net
>>> from lossgeom.symbolic.check import check_formula
>>> r = check_formula("layer-block", "W2[1,1]**2*x[1]**2*heaviside(h1[1])", net=Net(widths=(1, 1, 1),
...                   activation="relu"), layer=1)
>>> r.verdict, r.method.split(":")[0]
('proved', 'equal on every activation cell (2 patterns of 1 piecewise unit)')
"""

import itertools

import sympy as sp

from lossgeom.activations import X
from lossgeom.limits import LIMITS

__all__ = []


def piecewise_units(net):
    """The units ``(l, i)`` whose activation has more than one piece, with those pieces.

    Examples
    --------
    >>> from lossgeom import Net
    >>> [u for u, _ in piecewise_units(Net(widths=(2, 2, 1), activation="relu"))]
    [(1, 1), (1, 2)]
    """
    out = []
    for l in range(1, net.depth + 1):
        act = net.activation if l < net.depth else net.output_activation
        if len(act.pieces) > 1:
            out += [((l, i), act.pieces) for i in range(1, net.widths[l] + 1)]
    return out


def point_patterns(net, point):
    """Per sample of ``point``: its pattern ``{(l, i): piece}``, or None when some unit sits at a kink.

    Computed by an exact forward pass (numbers, not the derivation under test).

    Examples
    --------
    >>> from lossgeom import Net, resolve_point
    >>> net = Net(widths=(1, 2, 1), activation="relu")
    >>> point_patterns(net, resolve_point(net, [[[1], [-1]], [[1, 1]]], X=[[2, 0]], Y=[[0, 0]]))
    [{(1, 1): 1, (1, 2): 0}, None]
    """
    units = dict(piecewise_units(net))
    out = []
    for s in range(point.n_samples):
        a, pattern = sp.Matrix(point.X[:, s]), {}
        for l in range(1, net.depth + 1):
            h = sp.Matrix(point.weights[l - 1]) * a
            if net.bias and point.biases is not None:
                h += sp.Matrix(point.biases[l - 1])
            act = net.activation if l < net.depth else net.output_activation
            vals = []
            for i, v in enumerate(h, 1):
                k = next((k for k, pc in enumerate(act.pieces) if pc.contains(v)), None)
                if k is None:  # at a kink
                    pattern = None
                    break
                if (l, i) in units:
                    pattern[(l, i)] = k
                vals.append(act.pieces[k].expr.subs(X, v))
            if pattern is None:
                break
            a = sp.Matrix(vals)
        out.append(pattern)
    return out


def _sign_resolved(value, names, pattern, units):
    """``heaviside``, ``relu``, ``abs`` of a unit's own pre-activation symbol, replaced by the cell's piece.

    Only for a piece ``(0, oo)`` or ``(-oo, 0)``: the symbol is replaced by a positive (negative) dummy, SymPy's
    assumptions simplify the functions of it, and the dummy is put back; anything else stays piecewise (and is
    then not decided on the cell).
    """
    swaps = {}
    for (l, i), k in pattern.items():
        h = names.get("h%d" % l)
        if h is None:
            continue
        piece = dict(units)[(l, i)][k]
        sym = h[i - 1]
        if piece.lower == 0 and piece.upper == sp.oo:
            swaps[sym] = sp.Dummy("p", positive=True)
        elif piece.lower == -sp.oo and piece.upper == 0:
            swaps[sym] = sp.Dummy("n", negative=True)
    if not swaps:
        return value
    back = {d: s for s, d in swaps.items()}
    return value.xreplace(swaps).applyfunc(lambda e: sp.piecewise_fold(e)).xreplace(back)


def decide_on_cells(result, quantity, net, layer, answer, point=None, dps=50, seed=0):
    """Upgrade a ``verified`` result of a piecewise net to ``proved`` where the cells decide it exactly.

    Every pattern of the piecewise units (at most the ``check_cells`` limit) is derived and compared exactly.
    All equal: ``proved`` on every cell (everywhere off the kinks).  Else, with a ``point`` whose samples' cells
    are all among the equal ones: ``proved`` on those cells.  On a cell where the difference is a nonzero
    polynomial (and no ``point`` was given: a point asks about its samples only), random rational points are drawn
    until one lies in the cell (its own pieces' inequalities) and
    the difference is nonzero there; the original, piecewise, comparison at that point then gives ``refuted``
    (an empty cell gives no point).  Otherwise the result is returned as it was, with a note of how many cells
    were decided.

    Returns
    -------
    CheckResult
    """
    from dataclasses import replace

    from .check import _exact, _quantity_spec, _read_answer

    base = result.method.split("; not decided exactly")[0]
    units = piecewise_units(net)
    n = 1
    for _, pieces in units:
        n *= len(pieces)
    if not units or n > LIMITS["check_cells"].value:
        note = "" if not units else ("cells not tried: %d patterns exceed the check_cells limit %d"
                                     % (n, LIMITS["check_cells"].value))
        return replace(result, notes=result.notes + ((note,) if note else ()))
    equal, differ = set(), []
    for choice in itertools.product(*[range(len(p)) for _, p in units]):
        pattern = {u: k for (u, _), k in zip(units, choice)}
        spec = _quantity_spec(quantity, net, layer, 1, pattern)
        got = spec.expand(_sign_resolved(_read_answer(answer, spec), spec.names, pattern, units))
        how, why = _exact(spec.full(), got)
        if how:
            equal.add(tuple(sorted(pattern.items())))
        elif "leave a nonzero difference" in why:  # a genuine nonzero polynomial (not too big, not piecewise)
            differ.append((pattern, spec, got))
    for pattern, spec, got in (differ if point is None else ()):  # with a point, only its samples are asked about
        found = _witness(result, pattern, spec, got, units, quantity, net, layer, answer, dps)
        if found is not None:
            return found
    what = "%d pattern%s of %d piecewise unit%s" % (n, "s" * (n != 1), len(units), "s" * (len(units) != 1))
    if len(equal) == n:
        return replace(result, verdict="proved", method=(
            "equal on every activation cell (%s): with each pattern fixed, lossgeom's derivation and the answer "
            "expand to the same polynomial in the weights and the input (exact); kinks, where the activation is "
            "not differentiable, are outside every cell; %s" % (what, base)))
    if point is not None:
        cells = point_patterns(net, point)
        if all(c is not None and tuple(sorted(c.items())) in equal for c in cells):
            return replace(result, verdict="proved", method=(
                "equal on the activation cell%s of the given point's %d sample(s): with the pattern fixed, "
                "lossgeom's derivation and the answer expand to the same polynomial in the weights and the input "
                "(exact), on the open set of weights and inputs with that pattern; %s"
                % ("s" * (len(cells) != 1), len(cells), base)))
    return replace(result, notes=result.notes + (
        "exact on %d of the %s; on the others the answer's polynomial differs or stays piecewise" % (len(equal), what),))


def _witness(result, pattern, spec, got, units, quantity, net, layer, answer, dps, tries=200):
    """A refutation at a random rational point inside the cell ``pattern`` where the polynomials differ, or None.

    Membership in the cell is read from the pattern-fixed pre-activations (every unit inside its piece, layer by
    layer, so the pattern is consistent); the final verdict is the ordinary piecewise comparison at that point.
    """
    import random

    from .check import _numeric, _primitive, _quantity_spec, _random_rational, _read_answer

    expected = spec.full()
    diff = [g - e for g, e in zip(got, expected)]
    pieces = dict(units)
    hs = {u: spec.expand(sp.ImmutableMatrix([[spec.names["h%d" % u[0]][u[1] - 1]]]))[0] for u in pattern}
    free = sorted({s for e in list(expected) + list(got) + list(hs.values()) for s in e.free_symbols
                   if _primitive(s)}, key=str)
    rng = random.Random("%s:%s" % (result.quantity, sorted(pattern.items())))
    full = _quantity_spec(quantity, net, layer, 1)
    for _ in range(tries):
        subs = {s: _random_rational(rng) for s in free}
        if not all(pieces[u][k].contains(hs[u].xreplace(subs)) for u, k in pattern.items()):
            continue
        if all(sp.expand(d.xreplace(subs)) == 0 for d in diff):
            continue
        out = _numeric(full, full.full(), full.expand(_read_answer(answer, full)), [subs], dps)
        if out is not None and out.outcome == "different":
            return replace_method(out, "; the point lies in the activation cell %s, where the answer's polynomial "
                                       "differs from lossgeom's" % _pattern_text(pattern))
    return None


def replace_method(result, tail):
    """``result`` with ``tail`` appended to its method."""
    from dataclasses import replace
    return replace(result, method=result.method + tail)


def _pattern_text(pattern):
    return "{%s}" % ", ".join("h%d[%d]: piece %d" % (l, i, k) for (l, i), k in sorted(pattern.items()))
