"""Check a user's own derivation of a quantity of a net against lossgeom's (``lossgeom check``, :func:`check_formula`).

The user names a quantity (a layer block of the Hessian, a pre-activation Hessian H_l, ...) and gives
an expression, as text (read by the whitelist parser :func:`lossgeom.formula.parse_formula`, never
``eval``) or as a SymPy object.  Both sides are expanded into the net's own symbols (weights
``W1[1,2]``, biases, input ``x[1]``, target ``y[1]``; the named intermediates ``h1[1]``, ``a1[1]``,
``delta1[1]``, ``H1[1,2]``, ``G1[1,2]`` of the derivation are substituted by their definitions) and
compared:

1. shapes first (``expected a 4x4 matrix, got 2x2``);
2. every entry at random rational points (exactly where the values are rational, else at ``dps``
   digits, a difference confirmed at twice the digits): a differing entry is reported with the
   point, both values and the correct expression;
3. when all points agree, the difference of every entry is decided exactly where a bounded budget
   allows (``sympy.expand``, ``cancel``, and ``simplify`` on small differences): outcome ``equal``
   with verdict ``proved`` ("equal identically"); otherwise ``equal`` with verdict ``verified``
   ("equal at N random points to D digits"), never more.

For the generic activation ``f`` the exact step treats ``f, f', f''`` as independent functions (a
zero difference is an identity for every f) and the numeric step uses the concrete function
``f(t) = exp(t/3) + sin(t)``, so a difference found there is a real counterexample.
"""

import random
from dataclasses import dataclass, field

import mpmath
import sympy as sp

from lossgeom.checks import check_choice, check_int, check_net, check_point, check_type
from lossgeom.display import short_repr, summary_latex
from lossgeom.errors import DataError, SizeLimitError
from lossgeom.limits import LIMITS
from lossgeom.precision import check_dps, tolerance

__all__ = ["check_formula", "CheckResult"]

#: The quantities :func:`check_formula` knows, and whether each takes a layer (None: optional).
QUANTITIES = {"gradient": None, "layer-block": True, "preactivation-hessian": True, "gauss-newton-block": True,
              "path-sum": False, "linear-gradient": True, "critical-value": False}
#: The concrete activation of the numeric step for the generic ``f``.
CONCRETE_F = "f(t) = exp(t/3) + sin(t)"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of :func:`check_formula`.

    Attributes
    ----------
    quantity : str
        ``"layer-block 1"``, ...
    net : str
    outcome : str
        ``equal``, ``different`` or ``undecided``.
    verdict : str
        ``proved`` (equal identically, decided exactly), ``verified`` (equal at finitely many stated
        points), ``refuted`` (different, with the point) or ``inconclusive``.
    method : str
        How it was decided, in words.
    entry : tuple of int or None
        The first differing entry (1-based row, column).
    point : dict or None
        Symbol name -> exact value (text) where it differs.
    expected, expected_latex, expected_named : str or None
        The correct entry (expanded into the weights, as LaTeX, and in the derivation's named symbols).
    got : str or None
        The given entry, expanded.
    expected_value, got_value : str or None
        Both values at the point.
    points, digits : int
        Points compared and the digits they agree to (0 where not applicable; ``digits`` is ``None``
        when every value compared was exact).
    """

    quantity: str
    net: str
    outcome: str
    verdict: str
    method: str
    entry: tuple = None
    point: dict = None
    expected: str = None
    expected_latex: str = None
    expected_named: str = None
    got: str = None
    expected_value: str = None
    got_value: str = None
    points: int = 0
    digits: int = None
    notes: tuple = field(default=())

    def to_dict(self):
        """The result as a JSON-ready dict.

        Examples
        --------
        >>> from lossgeom import Net
        >>> check_formula("gradient", "[delta1[1]*x[1]]", net=Net(widths=(1, 1))).to_dict()["outcome"]
        'equal'
        """
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["entry"] = list(self.entry) if self.entry else None
        out["notes"] = list(self.notes)
        return out

    def __str__(self):
        head = "%s of %s: %s (%s)" % (self.quantity, self.net, self.outcome, self.verdict)
        lines = [head, "  method: " + self.method]
        if self.entry:
            lines.append("  first differing entry: [%d,%d]" % self.entry)
        if self.point:
            lines.append("  at: " + ", ".join("%s = %s" % kv for kv in self.point.items()))
            lines.append("  expected value: %s" % self.expected_value)
            lines.append("  your value:     %s" % self.got_value)
        if self.expected is not None:
            if self.expected_named is not None and self.expected_named != self.expected:
                lines.append("  correct entry (named): %s" % self.expected_named)
            lines.append("  correct entry: %s" % self.expected)
            lines.append("  your entry:    %s" % self.got)
        lines += ["  note: " + n for n in self.notes]
        return "\n".join(lines)

    def __repr__(self):
        return short_repr(self, {"quantity": self.quantity, "net": self.net, "outcome": self.outcome,
                                 "verdict": self.verdict, "entry": self.entry})

    def _repr_latex_(self):
        r"""Jupyter's display: the verdict, the method and, on a difference, the entry with the correct value.

        Examples
        --------
        >>> from lossgeom import Net
        >>> r = check_formula("gradient", "[delta1[1]*x[1] + 1]", net=Net(widths=(1, 1)))
        >>> r"\text{correct entry}" in r._repr_latex_() and r"\text{different}" in r._repr_latex_()
        True
        """
        rows = [("quantity", self.quantity), ("net", self.net), ("outcome", self.outcome),
                ("verdict", self.verdict), ("method", self.method)]
        if self.entry:
            rows.append(("entry", ("latex", "[%d, %d]" % self.entry)))
        if self.point:
            rows.append(("at", ", ".join("%s = %s" % kv for kv in self.point.items())))
            rows += [("expected value", self.expected_value), ("your value", self.got_value)]
        if self.expected_latex:
            rows.append(("correct entry", ("latex", self.expected_latex)))
        return summary_latex("lossgeom check", rows)

    def to_latex(self):
        """The result as a LaTeX comment line and, on a difference, the correct entry.

        Examples
        --------
        >>> from lossgeom import Net
        >>> print(check_formula("gradient", "[delta1[1]*x[1]]", net=Net(widths=(1, 1))).to_latex())
        % gradient of Net(1-1, identity, square): equal (proved)
        """
        lines = ["%% %s of %s: %s (%s)" % (self.quantity, self.net, self.outcome, self.verdict)]
        if self.expected_latex:
            lines.append("%% correct entry [%d,%d]:" % self.entry if self.entry else "% correct:")
            lines.append(self.expected_latex)
        return "\n".join(lines)


def check_formula(quantity, answer, net=None, point=None, layer=None, samples=1, dps=50, seed=0, points=8):
    """Decide whether ``answer`` equals lossgeom's own derivation of ``quantity``.

    Parameters
    ----------
    quantity : str
        One of :data:`QUANTITIES`: ``gradient`` (all of theta, or of one layer), ``layer-block``,
        ``preactivation-hessian``, ``gauss-newton-block``, ``path-sum`` (the output of a ReLU-like net
        as a sum over paths with gates ``Z[...]``), ``linear-gradient`` (Kawaguchi's Lemma 1, in
        ``W1``, ``X``, ``Y``), ``critical-value`` (the global minimum value
        ``1/2 (tr YY^T - sum_{i<=p} lambda_i(Sigma))`` of a deep linear net at the data of ``point``,
        Baldi & Hornik 1989; names ``X``, ``Y``, ``Sigma`` are the data's exact matrices).
    answer : str, SymPy expression or Matrix
        Text is read by :func:`lossgeom.formula.parse_formula` (entries 1-based: ``W1[1,2]``).
    net : Net, optional
        Required unless ``point`` is given.
    point : Point, optional
        Compare at this point's weights and samples only (instead of random points).
    layer : int, optional
        The layer (1-based) for the quantities that take one.
    samples : int
        Samples m of ``linear-gradient`` (without a point).
    dps : int
        Digits of the numeric comparison.
    seed : int
        Seed of the random rational points.
    points : int
        Number of random points (1 to the ``check_points`` limit).

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> from lossgeom import Net
    >>> net = Net(widths=(1, 1, 1), activation="tanh")
    >>> print(check_formula("layer-block", "H1[1,1]*x[1]**2", net=net, layer=1))
    layer-block 1 of Net(1-1-1, tanh, square): equal (proved)
      method: the difference of every entry expands to zero (exact; also equal at 8 random rational points)
    >>> r = check_formula("preactivation-hessian", "W2[1,1]**2*(1 - tanh(h1[1])**2)", net=net, layer=1)
    >>> r.outcome, r.entry
    ('different', (1, 1))
    """
    from lossgeom.point import Point

    quantity = check_choice(quantity, "quantity", tuple(QUANTITIES))
    if point is not None:
        check_point(point)
        net = point.net if net is None else check_net(net)
        check_point(point, net=net)
    elif net is None:
        raise DataError("net: expected a lossgeom Net (or a point), got None")
    check_net(net)
    need = QUANTITIES[quantity]
    if layer is not None:
        layer = check_int(layer, "layer", 1, net.depth)
    elif need:
        raise DataError("layer: %s needs a layer from 1 to %d" % (quantity, net.depth))
    if layer is not None and need is False:
        raise DataError("layer: %s takes no layer, got %d" % (quantity, layer))
    samples = check_int(samples, "samples", 1, LIMITS["derive_samples"].value)
    dps, seed = check_dps(dps), check_int(seed, "seed", 0)
    if dps == "float64":
        dps = 15
    points = check_int(points, "points", 1, LIMITS["check_points"].value)
    LIMITS["check_parameters"].check(net.n_params, "net", shown="%s has %d parameters" % (net, net.n_params))
    if not isinstance(answer, (str, sp.Basic, sp.MatrixBase)):
        check_type(answer, "answer", (str, sp.Basic), "a formula (text) or a SymPy expression or matrix")
    if point is not None:
        check_type(point, "point", Point, "a lossgeom Point")
        samples = point.n_samples if quantity == "linear-gradient" else samples
    if quantity == "critical-value":
        if point is None or point.X is None or point.Y is None:
            raise DataError("point: critical-value needs a point with data X and Y (a net file with inputs and targets)")
        spec = _value_spec(net, point)
        return _compare(spec, _read_answer(answer, spec), None, dps, random.Random(seed), 1)
    spec = _quantity_spec(quantity, net, layer, samples)
    got = _read_answer(answer, spec)
    return _on_cells(_compare(spec, got, point, dps, random.Random(seed), points), spec, layer, answer, point, dps)


def _on_cells(result, spec, layer, answer, point, dps):
    """A verified result of a piecewise net, decided exactly on its activation cells where it can be."""
    if spec.kind == "backprop" and result.outcome == "equal" and result.verdict == "verified":
        from .check_cells import decide_on_cells
        quantity = spec.label.split()[0]
        return decide_on_cells(result, quantity, spec.net, layer, answer, point, dps)
    return result


# -- the quantities ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Spec:
    label: str
    net: object
    named: object          # the expected matrix in the derivation's named symbols
    expected: object       # ... expanded into the primitive symbols
    names: dict            # the vocabulary of the parser
    generic: bool
    expand: object         # named -> primitive
    kind: str              # "backprop", "paths" or "linear"

    def full(self):
        """The expected matrix expanded into the primitive symbols (built on first use, after the answer is read)."""
        if self.expected is None:
            object.__setattr__(self, "expected", self.expand(self.named))
        return self.expected

    def symbols(self):
        out = set()
        for v in self.names.values():
            out |= set(v.free_symbols) if isinstance(v, sp.Basic) else set().union(*(e.free_symbols for e in v))
        return out


def _quantity_spec(quantity, net, layer, samples, pattern=None):
    """The quantity's derivation (with ``pattern``: on one activation cell, every piecewise unit's piece fixed)."""
    from .hessian import derive_gauss_newton, derive_gradient, derive_hessian

    label = quantity if layer is None else "%s %d" % (quantity, layer)
    generic = net.activation.name == "f" or net.output_activation.name == "f"
    if quantity == "path-sum":
        return _path_spec(label, net)
    if quantity == "linear-gradient":
        return _linear_spec(label, net, layer, samples)
    if quantity == "gradient":
        d = derive_gradient(net, pattern)
        layers = [layer] if layer else range(1, net.depth + 1)
        named = sp.ImmutableMatrix(sp.Matrix.vstack(*[d.gradient(l) for l in layers]))
    else:
        d = (derive_gauss_newton if quantity == "gauss-newton-block" else derive_hessian)(net, pattern)
        named = d.recursion_rhs(layer) if quantity == "preactivation-hessian" else d.layer_block(layer)
    names = _backprop_names(net, d)

    def expand(m):
        return sp.ImmutableMatrix(d.expand(m, force=True))

    return _Spec(label, net, named, None, names, generic, expand, "backprop")


def _backprop_names(net, d):
    bp = getattr(d, "backward", d)
    names = {"x": bp.a(0), "a0": bp.a(0), "y": bp.y}
    for l in range(1, net.depth + 1):
        names["W%d" % l] = bp.W(l)
        if net.bias:
            names["b%d" % l] = bp.b(l)
        names["h%d" % l], names["a%d" % l], names["delta%d" % l] = bp.h(l), bp.a(l), bp.delta(l)
        if d is not bp:
            names["%s%d" % (d.prefix, l)] = d.H(l)
    return names


def _path_spec(label, net):
    from .forward import bias_symbols, input_symbols, weight_symbols
    from .paths import expand_path_sum

    ps = expand_path_sum(net)
    names = {"x": input_symbols(net)}
    for l in range(1, net.depth + 1):
        names["W%d" % l] = weight_symbols(net, l)
        if net.bias:
            names["b%d" % l] = bias_symbols(net, l)
    names.update({str(g): g for g in ps.gates})
    out = sp.ImmutableMatrix(ps.outputs)
    return _Spec(label, net, out, out, names, False, sp.ImmutableMatrix, "paths")


def _linear_spec(label, net, layer, samples):
    from .linear import generic_linear_instance, lemma1_gradient

    pt = generic_linear_instance(net, samples)
    names = {"X": pt.X, "Y": pt.Y}
    names.update({"W%d" % (k + 1): w for k, w in enumerate(pt.weights)})
    g = lemma1_gradient(net, pt, layer)
    return _Spec(label, net, g, g, names, False, sp.ImmutableMatrix, "linear")


def _value_spec(net, point):
    from .linear import global_minimum_value, require_deep_linear, sigma_matrix

    require_deep_linear(net, what="critical-value")
    value = sp.ImmutableMatrix([[global_minimum_value(net, point.X, point.Y)]])
    names = {"X": sp.ImmutableMatrix(point.X), "Y": sp.ImmutableMatrix(point.Y),
             "Sigma": sp.ImmutableMatrix(sigma_matrix(net, point.X, point.Y))}
    return _Spec("critical-value", net, value, value, names, False, sp.ImmutableMatrix, "value")


def _read_answer(answer, spec):
    from lossgeom.formula import parse_formula
    if isinstance(answer, str):
        value = parse_formula(answer, spec.names, "answer", generic=spec.generic)
    else:
        value = sp.ImmutableMatrix(answer) if isinstance(answer, sp.MatrixBase) else answer
        known = {str(s): s for s in spec.symbols()}
        items = value if isinstance(value, sp.MatrixBase) else [value]
        used = {s for v in items for s in v.free_symbols}
        unknown = sorted({str(s) for s in used} - set(known))
        if unknown:
            raise DataError("answer: %s: not symbols of %s (it knows %s)"
                            % (", ".join(unknown[:5]), spec.label, ", ".join(sorted(spec.names)[:12])))
        # a Symbol("x[1]") made elsewhere (without real=True) is lossgeom's x[1]
        value = value.xreplace({s: known[str(s)] for s in used if known[str(s)] is not s})
    if not isinstance(value, sp.MatrixBase):
        value = sp.ImmutableMatrix([[value]])
    return value


# -- the comparison ---------------------------------------------------------------------------------------
def _result(spec, outcome, verdict, method, **kw):
    return CheckResult(spec.label, str(spec.net), outcome, verdict, method, **kw)


def _shape(m):
    kind = " (column)" if m.cols == 1 and m.rows > 1 else (" (row)" if m.rows == 1 and m.cols > 1 else "")
    return "%dx%d matrix%s" % (m.rows, m.cols, kind)


def _compare(spec, got, point, dps, rng, n_points):
    if got.shape != spec.named.shape:
        return _result(spec, "different", "refuted", "shape: expected a %s, got a %s" % (_shape(spec.named),
                                                                                         _shape(got)))
    expected = spec.full()
    got = spec.expand(got)
    subs_list = _points(spec, point, rng, n_points)
    outcome = _numeric(spec, expected, got, subs_list, dps)
    if outcome is not None and outcome.outcome == "different":
        return outcome
    compared, exact_values = (outcome.points, outcome.digits is None) if outcome else (0, False)
    if point is not None:
        if outcome is None:
            return _result(spec, "undecided", "inconclusive", "no sample of the given point could be evaluated "
                                                               "(a kink, or an undefined value)")
        how = "exactly" if exact_values else "to %d digits" % outcome.digits
        return _result(spec, "equal", "verified", "equal at the given point's %d sample(s) %s" % (compared, how),
                       points=compared, digits=outcome.digits)
    proved, note = _exact(expected, got)
    if proved:
        tail = " (exact; also equal at %d random rational points)" % compared if compared else " (exact)"
        tail = " (exact)" if spec.kind == "value" else tail
        return _result(spec, "equal", "proved", "the difference of every entry %s to zero%s" % (proved, tail),
                       points=compared)
    if outcome is None:
        return _result(spec, "undecided", "inconclusive", "not decided exactly (%s) and no random point could be "
                                                           "evaluated" % note)
    how = "exactly" if exact_values else "to %d digits" % outcome.digits
    return _result(spec, "equal", "verified", "equal at %d random rational points %s; not decided exactly (%s)"
                   % (compared, how, note), points=compared, digits=outcome.digits)


def _points(spec, point, rng, n):
    """Substitutions (symbol -> exact value), one per random point or per sample of the given point."""
    free = sorted(set().union(*(e.free_symbols for e in spec.expected)) |
                  {s for v in spec.names.values() for s in (v.free_symbols if isinstance(v, sp.Basic) else
                                                            set().union(*(e.free_symbols for e in v)))
                   if _primitive(s)}, key=str)
    free = [s for s in free if _primitive(s)]
    if point is None:
        return [{s: _random_rational(rng) for s in free} for _ in range(n)]
    return [_point_subs(spec, point, s, free, rng) for s in range(1 if spec.kind == "linear" else point.n_samples)]


def _primitive(s):
    name = str(s)
    return name[0] in "WbxyXYZ" and not name.startswith(("delta",))


def _random_rational(rng):
    q = rng.randint(1, 9)
    p = rng.choice([k for k in range(-3 * q, 3 * q + 1) if k])
    return sp.Rational(p, q)


def _point_subs(spec, point, sample, free, rng):
    from .forward import symbol
    net, subs = spec.net, {}
    for l in range(1, net.depth + 1):
        W = point.weights[l - 1]
        subs.update({symbol("W%d[%d,%d]" % (l, i + 1, j + 1)): W[i, j] for i in range(W.rows) for j in range(W.cols)})
        if net.bias and point.biases is not None:
            subs.update({symbol("b%d[%d]" % (l, i + 1)): v for i, v in enumerate(point.biases[l - 1])})
    if spec.kind == "linear":
        for name, M in (("X", point.X), ("Y", point.Y)):
            subs.update({symbol("%s[%d,%d]" % (name, i + 1, j + 1)): M[i, j] for i in range(M.rows) for j in range(M.cols)})
    elif point.X is not None:
        subs.update({symbol("x[%d]" % (j + 1)): point.X[j, sample] for j in range(point.X.rows)})
        if point.Y is not None:
            subs.update({symbol("y[%d]" % (k + 1)): point.Y[k, sample] for k in range(point.Y.rows)})
    for s in free:
        subs.setdefault(s, _random_rational(rng))
    return subs


def _concrete_f(expr):
    def concrete(e):
        order = type(e)._order
        t = e.args[0]
        return sp.Rational(1, 3) ** order * sp.exp(t / 3) + sp.sin(t + order * sp.pi / 2)

    return expr.replace(lambda e: isinstance(e, sp.Function) and hasattr(type(e), "_order"), concrete)


#: functions whose numeric evaluation needs their argument reduced to full precision (exp(10^(10^43)) never ends)
_GROWING = (sp.exp, sp.sinh, sp.cosh, sp.tanh, sp.sech, sp.sin, sp.cos)


def _check_arguments(v):
    """Refuse (limit check_function_argument) an exp, sin, tanh, ... or a power with a symbolic exponent whose
    argument is huge at this point, innermost first, before anything evaluates it at full precision."""
    lim = LIMITS["check_function_argument"]
    for node in sp.postorder_traversal(v):
        if isinstance(node, _GROWING):
            arg = node.args[0]
        elif node.is_Pow and not node.exp.is_Rational:
            arg = node.exp * sp.log(abs(node.base)) if node.base.is_number and node.base != 0 else node.exp
        else:
            continue
        if not arg.is_number or arg.is_Rational and abs(arg) <= lim.value:
            continue
        size = abs(sp.N(arg, 15))
        if size.is_Number and size > lim.value:
            lim.check(lim.value + 1, "answer", shown="%s of a number of magnitude %s at a random point"
                      % (type(node).__name__, sp.sstr(sp.Float(size, 3))))


class _Fallback(Exception):
    """The fast evaluator does not handle this node (a Piecewise, a kink): evaluate exactly, then evalf."""


_MP_FUNCTIONS = {sp.exp: "exp", sp.log: "log", sp.tanh: "tanh", sp.sinh: "sinh", sp.cosh: "cosh",
                 sp.sech: "sech", sp.sin: "sin", sp.cos: "cos", sp.Abs: "fabs"}


def _mp(expr, env, memo):
    """The value of ``expr`` in mpmath at the current precision (subtrees memoised: the entries of one
    quantity share most of them); symbols from ``env``; a tree walk, no code generation."""
    value = memo.get(expr)
    if value is not None:
        return value
    if expr.is_Symbol:
        value = env[expr]
    elif expr.is_Rational:
        value = mpmath.mpf(int(expr.p)) / int(expr.q)
    elif expr is sp.pi:
        value = +mpmath.pi
    elif expr is sp.E:
        value = mpmath.e + 0
    elif expr is sp.I:
        value = mpmath.mpc(0, 1)
    elif expr.is_Add:
        value = mpmath.fsum(_mp(a, env, memo) for a in expr.args)
    elif expr.is_Mul:
        value = mpmath.fprod(_mp(a, env, memo) for a in expr.args)
    elif expr.is_Pow:
        base = _mp(expr.base, env, memo)
        if expr.exp.is_Integer:
            value = base ** int(expr.exp)
        else:
            exponent = _mp(expr.exp, env, memo)
            _bound(exponent * (mpmath.log(abs(base)) if base else 0), "a power")
            value = mpmath.power(base, exponent)
    elif type(expr) in _MP_FUNCTIONS and len(expr.args) == 1:
        arg = _mp(expr.args[0], env, memo)
        if type(expr) not in (sp.log, sp.Abs):
            _bound(arg, type(expr).__name__)
        value = getattr(mpmath, _MP_FUNCTIONS[type(expr)])(arg)
    else:
        raise _Fallback()
    memo[expr] = value
    return value


def _bound(arg, what):
    lim = LIMITS["check_function_argument"]
    size = abs(arg)
    if size > lim.value:
        lim.check(lim.value + 1, "answer", shown="%s of a number of magnitude %s at a random point"
                  % (what, mpmath.nstr(size, 3)))


def _exactly(expr):
    """True when substituting rationals gives an exact rational (no functions, integer powers only)."""
    return (not expr.atoms(sp.Function, sp.Piecewise) and all(p.exp.is_Integer for p in expr.atoms(sp.Pow))
            and all(a.is_Symbol or a.is_Rational for a in expr.atoms()))


def _value(expr, subs, dps, memo=None):
    """The value of ``expr`` at ``subs``: an exact Rational where it is one, else an mpmath number at ``dps``
    digits (complex for a non-real value); None when undefined there (a kink, a pole)."""
    expr = _concrete_f(expr)
    if _exactly(expr):
        v = expr.xreplace(subs)
        return v if v.is_Rational else None
    memo = {} if memo is None else memo
    try:
        with mpmath.workdps(dps + 10):
            v = _mp(expr, {s: mpmath.mpf(int(q.p)) / int(q.q) for s, q in subs.items()}, memo)
        return v if mpmath.isfinite(v) else None
    except _Fallback:
        pass
    except SizeLimitError:
        raise
    except (ZeroDivisionError, ValueError, KeyError):
        return None
    v = expr.xreplace(subs)
    _check_arguments(v)
    if v.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or v.has(sp.Piecewise) and not v.is_number:
        return None
    if v.is_Rational:
        return v
    f = v.evalf(dps + 5)
    if not f.is_number or f.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    with mpmath.workdps(dps + 10):
        return mpmath.mpmathify(complex(f)) if not f.is_real else mpmath.mpf(sp.Float(f, dps + 5)._mpf_)


def _abs(v):
    return abs(sp.Float(v, 20)) if isinstance(v, sp.Basic) else abs(v)


def _numeric(spec, expected, got, subs_list, dps):
    """Compare entry by entry at each point; the first difference found (row-major) is returned at once.
    A point where some entry is undefined (a kink, a pole) says nothing and is not counted."""
    compared, exact = 0, True
    for subs in subs_list:
        memo, defined = {}, True
        for k in range(expected.rows * expected.cols):
            if expected[k] == got[k]:
                continue        # the same expression: nothing to evaluate
            e, g = _value(expected[k], subs, dps, memo), _value(got[k], subs, dps, memo)
            if e is None or g is None:
                defined = False
                break
            if isinstance(e, sp.Rational) and isinstance(g, sp.Rational):
                if e != g:
                    return _differs(spec, expected, got, k, subs, e, g)
                continue
            exact = False
            if _apart(expected[k], got[k], subs, e, g, dps):
                return _differs(spec, expected, got, k, subs, e, g, dps)
        compared += defined
    if not compared:
        return None
    digits = None if exact else dps - max(3, dps // 10)
    return _result(spec, "equal", "verified", "", points=compared, digits=digits)


def _apart(expected, got, subs, e, g, dps):
    """True when the values differ beyond the tolerance at dps digits, and again at 2 dps."""
    scale = max(_abs(e), _abs(g), 1)
    if _abs(_mpf(e, dps) - _mpf(g, dps)) <= tolerance(dps, scale=scale):
        return False
    e2, g2 = _value(expected, subs, 2 * dps), _value(got, subs, 2 * dps)
    return e2 is not None and g2 is not None and _abs(_mpf(e2, 2 * dps) - _mpf(g2, 2 * dps)) > \
        tolerance(2 * dps, scale=scale)


def _mpf(v, dps):
    """An exact Rational or an mpmath value as an mpmath number (at dps + 10 digits)."""
    with mpmath.workdps(dps + 10):
        return mpmath.mpf(int(v.p)) / int(v.q) if isinstance(v, sp.Rational) else v


def _differs(spec, expected, got, k, subs, e, g, dps=None):
    from .latex import latex
    i, j = divmod(k, expected.cols)
    shown = (lambda v: str(v)) if dps is None else (lambda v: _shown(v, min(dps, 30)))
    used = (expected[k].free_symbols | got[k].free_symbols)
    point = {str(s): str(v) for s, v in sorted(subs.items(), key=lambda kv: str(kv[0])) if s in used}
    notes = ("values with the generic activation replaced by %s" % CONCRETE_F,) if spec.generic else ()
    how = "exact values" if dps is None else "%d digits, confirmed at %d" % (dps, 2 * dps)
    where = " at a random rational point" if point else ""
    return _result(spec, "different", "refuted", "entry [%d,%d] differs%s (%s)" % (i + 1, j + 1, where, how), entry=(i + 1, j + 1), point=point, expected=str(expected[k]),
                   expected_latex=latex(expected[k]), expected_named=str(spec.named[k]), got=str(got[k]),
                   expected_value=shown(e), got_value=shown(g), notes=notes)


def _shown(v, digits):
    if isinstance(v, sp.Rational):
        return str(v)
    if isinstance(v, mpmath.mpc):
        return "%s + %s*I" % (mpmath.nstr(v.real, digits), mpmath.nstr(v.imag, digits))
    return mpmath.nstr(v, digits)


def _term_bound(expr, memo):
    """An upper bound on the number of terms of ``sp.expand(expr)`` (cheap; memoised on subtrees)."""
    if expr in memo:
        return memo[expr]
    if expr.is_Add:
        n = sum(_term_bound(a, memo) for a in expr.args)
    elif expr.is_Mul:
        n = 1
        for a in expr.args:
            n *= _term_bound(a, memo)
    elif expr.is_Pow and expr.exp.is_Integer and expr.exp > 0:
        n = _term_bound(expr.base, memo) ** int(expr.exp)
    else:
        n = 1 + sum(_term_bound(a, memo) for a in expr.args) - len(expr.args) if expr.args else 1
    memo[expr] = n = min(n, 10 ** 12)
    return n


def _exact(expected, got):
    """('expands'|'simplifies', '') when every entry's difference is zero exactly, else (None, why)."""
    limit, how = LIMITS["check_expand_terms"], "expands"
    memo = {}
    for k in range(expected.rows * expected.cols):
        d = got[k] - expected[k]
        if d == 0:
            continue
        bound = _term_bound(d, memo)
        if bound > limit.value:
            return None, "the expanded difference of entry %d could have %d terms; limit check_expand_terms is %d" % (
                k + 1, bound, limit.value)
        _check_arguments(d)     # sympy's own sorting evaluates numbers: exp(exp(exp(100))) would never end
        d = sp.expand(d)
        if d == 0:
            continue
        if d.has(sp.Piecewise, sp.Heaviside):
            return None, "a piecewise activation: exact comparison of piecewise entries is not attempted"
        d = sp.cancel(sp.together(d))
        small = sp.count_ops(d) <= LIMITS["check_simplify_ops"].value
        if d != 0 and small and not d.free_symbols and d.is_algebraic:
            # an algebraic number is zero exactly when its minimal polynomial is t
            t = sp.Dummy("t")
            d = sp.Integer(0) if sp.minimal_polynomial(d, t) == t else d
            how = "has minimal polynomial t, so it is zero," if d == 0 else how
        if d != 0 and small:
            d = sp.simplify(d.rewrite(sp.exp))
        if d != 0:
            return None, "entry %d: expand, cancel and simplify leave a nonzero difference" % (k + 1)
        how = "simplifies" if how == "expands" else how
    return how, ""
