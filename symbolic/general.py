"""Index calculus for proofs at every width and depth (the engine behind :mod:`lossgeom.symbolic.general_proofs`).

A statement about nets of every width is an identity between entries of matrices of *symbolic* shape.
This module writes such entries in index notation: an :class:`Expr` is a finite sum of terms
``c * sum_{dummies} T1[..] T2[..] ...`` where ``c`` is an exact SymPy scalar, each ``T`` an opaque
:class:`Tensor` (a matrix or vector of symbolic dimension ``n_l``, ``n_{l+1}``, ...) and the indices
range over ``1..n``.  Nothing is ever instantiated: the dimensions stay symbols.

*Decided* means: the difference of the two sides reduces to the empty sum under these rewrite rules
only (each a textbook fact, listed in :data:`RULES`):

- linearity of finite sums and of multiplication (terms are expanded and collected);
- Kronecker-delta contraction ``sum_k delta_{ki} X_k = X_i`` (both indices of the same dimension;
  a delta between dimensions that differ is a shape error, never contracted);
- ``sum_k c = n c`` for a summand free of ``k`` (``k`` ranging over ``1..n``);
- renaming of summation indices (alpha-equivalence) and commutativity of scalar factors;
- symmetry ``H_{pq} = H_{qp}`` for tensors declared symmetric (second derivatives);
- a tensor declared zero (``f'' = 0`` off the kinks of a piecewise-linear ``f``) kills its term.

The canonical form of a term is the lexicographically least rendering over all renamings of its
dummy indices (within each dimension), with symmetric tensors' indices sorted; an identity is decided
when every canonical term's coefficient expands to 0.  This is sound (every rule is an equality) and a
wrong identity does not reduce (tests/symbolic/test_general.py): a dropped term, a transpose in the
wrong place or a missing factor leaves a nonzero canonical term, which :func:`instantiate` then turns
into an explicit counterexample at small sizes.

Matrices of symbolic shape are built with :class:`Mat` (leaf tensors, transpose, product, diagonal,
Kronecker product, sums); ``Mat.entry(i, j)`` gives the index form and ``Mat.latex`` the matrix form, so
the identity displayed is the identity decided.
"""

import itertools
from dataclasses import dataclass, field

import sympy as sp

from lossgeom.errors import DataError

__all__ = []

#: The rewrite rules an identity may be reduced by (name -> statement), printed in every proof.
RULES = {
    "linearity": "linearity of finite sums and products (expansion and collection of terms)",
    "delta": "Kronecker-delta contraction: sum_{k=1}^{n} delta_{ki} X_k = X_i for 1 <= i <= n",
    "count": "sum_{k=1}^{n} c = n c for a summand c free of k",
    "rename": "renaming of summation indices; commutativity of scalar factors",
    "symmetry": "symmetry of second derivatives: H_{pq} = H_{qp}",
    "zero": "f'' = 0 away from the kinks of a piecewise-linear f",
    "sum": "SymPy's evaluation of sum_{i=1}^{n} with a symbolic bound n (linearity, sum of a constant)",
    "peel": "the definition of a product: prod_{t=0}^{k} d_t = (prod_{t=0}^{k-1} d_t) d_k",
}

#: The scope of a claim proved by a general proof: (the proof's scope, the cross-check's scope).
GENERAL_SCOPE = "%s (general proof); cross-checked on %s"

#: The most renamings tried when canonicalising one term (beyond it the term is reported undecided).
MAX_RENAMINGS = 50000


class ShapeError(DataError):
    """An index expression whose indices do not match the dimensions of the tensors they index."""


@dataclass(frozen=True)
class Index:
    """An index ranging over ``1..dim`` (``dim`` a dimension name such as ``n_{l}``)."""

    name: str
    dim: str


ONE = Index("1", "1")  # the column index of a vector


@dataclass(frozen=True)
class Tensor:
    """An opaque array of symbolic shape ``dims`` (its entries are generic unless declared otherwise).

    ``symmetric``: a 2-index tensor equal to its transpose; ``zero``: identically 0 (a stated fact);
    ``derivatives``: name of a variable tensor -> ``rule(own_indices, var_indices) -> Expr``.
    """

    name: str
    dims: tuple
    latex: str = ""
    symmetric: bool = False
    zero: bool = False
    derivatives: tuple = field(default=(), compare=False, hash=False)

    def __call__(self, *idx):
        if len(idx) != len(self.dims):
            raise ShapeError("index: %s takes %d indices, got %d" % (self.name, len(self.dims), len(idx)))
        for k, (i, d) in enumerate(zip(idx, self.dims)):
            if i.dim != d:
                raise ShapeError("index: %s slot %d ranges over %s, got index %s over %s"
                                 % (self.name, k + 1, d, i.name, i.dim))
        return Expr((Term(sp.Integer(1), ((self, tuple(idx)),), ()),))

    def derivative_rule(self, var):
        return dict(self.derivatives).get(var.name)

    def tex(self):
        return self.latex or self.name


DELTA = "delta"


def delta(i, j):
    """The Kronecker delta of two indices of one dimension (a shape error otherwise)."""
    if i.dim != j.dim:
        raise ShapeError("index: delta(%s, %s) joins dimensions %s and %s" % (i.name, j.name, i.dim, j.dim))
    t = Tensor(DELTA, (i.dim, i.dim), r"\delta", symmetric=True)
    return Expr((Term(sp.Integer(1), ((t, (i, j)),), ()),))


_COUNTER = itertools.count(1)


def fresh(dim, stem="k"):
    """A new summation index over ``dim`` (names never repeat)."""
    return Index("%s%d" % (stem, next(_COUNTER)), dim)


@dataclass(frozen=True)
class Term:
    """``coeff * sum_{sums} prod factors`` (factors: tuples ``(Tensor, indices)``)."""

    coeff: object
    factors: tuple
    sums: tuple

    def indices(self):
        return {i for _, ix in self.factors for i in ix}

    def rename(self, mapping):
        return Term(self.coeff, tuple((t, tuple(mapping.get(i, i) for i in ix)) for t, ix in self.factors),
                    tuple(mapping.get(i, i) for i in self.sums))

    def refreshed(self):
        return self.rename({i: fresh(i.dim) for i in self.sums})


@dataclass(frozen=True)
class Expr:
    """A finite sum of :class:`Term` (an entry of a matrix expression, in index notation)."""

    terms: tuple = ()

    def __add__(self, other):
        return Expr(self.terms + _expr(other).terms)

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-_expr(other))

    def __mul__(self, other):
        if not isinstance(other, Expr):
            c = sp.sympify(other) if isinstance(other, (int, sp.Basic)) else None
            if c is None:
                raise DataError("expr: expected an Expr or an exact scalar, got %r" % (other,))
            return Expr(tuple(Term(t.coeff * c, t.factors, t.sums) for t in self.terms))
        out = []
        for a in self.terms:
            for b in other.terms:
                b = b.refreshed()
                out.append(Term(a.coeff * b.coeff, a.factors + b.factors, a.sums + b.sums))
        return Expr(tuple(out))

    __rmul__ = __mul__

    def free(self):
        """The free indices of the first term (all terms of a well-formed entry share them)."""
        if not self.terms:
            return set()
        t = self.terms[0]
        return t.indices() - set(t.sums)


def _expr(x):
    return x if isinstance(x, Expr) else Expr((Term(sp.sympify(x), (), ()),)) if x != 0 else Expr()


def scalar(c):
    """An exact scalar as an Expr."""
    return _expr(sp.sympify(c))


def summed(expr, *idx):
    """``sum_{idx} expr`` (each ``idx`` an index of ``expr``, now bound)."""
    return Expr(tuple(Term(t.coeff, t.factors, t.sums + tuple(idx)).refreshed() for t in expr.terms))


def substitute(expr, old, new):
    """``expr`` with the free index ``old`` replaced by ``new`` (same dimension)."""
    if old.dim != new.dim:
        raise ShapeError("index: cannot replace %s over %s by %s over %s" % (old.name, old.dim, new.name, new.dim))
    return Expr(tuple(t.rename({old: new}) for t in expr.terms))


def diff(expr, var, idx):
    """d expr / d var[idx]: the product rule, ``d T[a]/d T[b] = prod delta(a, b)``, the tensors' own rules,
    and 0 for tensors that do not depend on ``var`` (the chain rule's definitions)."""
    out = []
    for term in expr.terms:
        term = term.refreshed()
        for k, (t, ix) in enumerate(term.factors):
            if t.name == var.name:
                d = Expr((Term(sp.Integer(1), (), ()),))
                for a, b in zip(ix, idx):
                    d = d * delta(a, b)
            elif t.derivative_rule(var) is not None:
                d = t.derivative_rule(var)(ix, idx)
            else:
                continue
            rest = Term(term.coeff, term.factors[:k] + term.factors[k + 1:], term.sums)
            for dt in d.terms:
                out.append(Term(rest.coeff * dt.coeff, rest.factors + dt.factors, rest.sums + dt.sums))
    return Expr(tuple(out))


def _contract(term, used):
    """Apply delta contraction, zero tensors, the empty delta and the count rule to one term (rules into ``used``)."""
    factors, sums, coeff = list(term.factors), list(term.sums), term.coeff
    if any(t.zero for t, _ in factors):
        used.add("zero")
        return None
    changed = True
    while changed:
        changed = False
        for k, (t, ix) in enumerate(factors):
            if t.name != DELTA:
                continue
            a, b = ix
            if a == b:
                factors.pop(k)
            elif a in sums or b in sums:
                old, new = (a, b) if a in sums else (b, a)
                factors.pop(k)
                factors = [(u, tuple(new if i == old else i for i in jx)) for u, jx in factors]
                sums.remove(old)
            else:
                continue
            used.add("delta")
            changed = True
            break
    used = {i for _, ix in factors for i in ix}
    for i in [s for s in sums if s not in used]:
        sums.remove(i)
        used.add("count")
        coeff = coeff * sp.Symbol(i.dim, positive=True, integer=True)
    return Term(coeff, tuple(factors), tuple(sums))


def _render(term, mapping):
    parts = []
    for t, ix in term.factors:
        names = [mapping.get(i, i.name) for i in ix]
        if t.symmetric:
            names = sorted(names)
        parts.append("%s[%s]" % (t.name, ",".join(names)))
    return "*".join(sorted(parts))


def canonical_key(term):
    """The canonical rendering of a contracted term: least over renamings of its dummies within each dimension."""
    groups = {}
    for s in term.sums:
        groups.setdefault(s.dim, []).append(s)
    dims = sorted(groups)
    count = 1
    for d in dims:
        for k in range(2, len(groups[d]) + 1):
            count *= k
    if count > MAX_RENAMINGS:
        raise ShapeError("index: %d dummy renamings to try, above %d" % (count, MAX_RENAMINGS))
    best = None
    for perms in itertools.product(*[itertools.permutations(groups[d]) for d in dims]):
        mapping = {}
        for d, perm in zip(dims, perms):
            for k, s in enumerate(perm):
                mapping[s] = "~%s#%d" % (d, k + 1)
        text = _render(term, mapping)
        if best is None or text < best:
            best = text
    return best


def reduce(expr, used=None):
    """The canonical form of ``expr``: canonical key -> (coefficient, representative term), zero coefficients
    dropped; the names of the rules applied are added to the set ``used``."""
    out = {}
    used = set() if used is None else used
    for term in expr.terms:
        t = _contract(term, used)
        if t is None:
            continue
        key = canonical_key(t)
        if t.sums:
            used.add("rename")
        if any(f.symmetric and f.name != DELTA for f, _ in t.factors):
            used.add("symmetry")
        if key in out:
            used.add("linearity")
        coeff, rep = out.get(key, (sp.Integer(0), t))
        out[key] = (coeff + t.coeff, rep)
    return {k: (sp.expand(c), rep) for k, (c, rep) in out.items() if sp.expand(c) != 0}


def expr_latex(expr, limit=6):
    """LaTeX of an index expression (the canonical terms, at most ``limit`` of them)."""
    red = reduce(expr)
    if not red:
        return "0"
    parts = []
    for key in sorted(red)[:limit]:
        coeff, t = red[key]
        body = " ".join("%s_{%s}" % (f.tex(), " ".join(i.name for i in ix)) for f, ix in t.factors)
        sums = r"\sum_{%s}" % ",".join(i.name for i in t.sums) if t.sums else ""
        c = "" if coeff == 1 else "-" if coeff == -1 else sp.latex(coeff) + r"\,"
        parts.append("%s%s %s" % (c, sums, body))
    text = " + ".join(parts).replace("+ -", "- ")
    return text + (r" + \dots" if len(red) > limit else "")


def instantiate(expr, sizes, values, assignment):
    """The value of ``expr`` with every dimension a number: ``sizes`` dim -> int, ``values`` tensor name ->
    ``callable(*zero_based) -> SymPy value``, ``assignment`` free index -> zero-based int (the small-size
    cross-check and the counterexample of a refused step)."""
    total = sp.Integer(0)
    for term in expr.terms:
        if any(t.zero for t, _ in term.factors):
            continue
        ranges = [range(sizes[s.dim]) for s in term.sums]
        coeff = term.coeff.subs({sp.Symbol(d, positive=True, integer=True): n for d, n in sizes.items()}) \
            if term.coeff.free_symbols else term.coeff
        for combo in itertools.product(*ranges):
            env = dict(assignment)
            env.update(zip(term.sums, combo))
            value = coeff
            for t, ix in term.factors:
                pos = [0 if i == ONE else env[i] for i in ix]
                value *= (sp.Integer(1) if pos[0] == pos[1] else sp.Integer(0)) if t.name == DELTA \
                    else values[t.name](*pos)
            total += value
    return sp.expand(total)


class Mat:
    """A matrix expression of symbolic shape ``(rows, cols)``: its LaTeX and its entries in index notation.

    ``entry(i, j)`` returns the :class:`Expr` of entry ``(i, j)``; a vector has ``cols == "1"``.
    A Kronecker product's row and column are pairs of dimensions, indexed by pairs of indices.
    """

    def __init__(self, latex, shape, entry, prec=3):
        self.latex, self.shape, self._entry, self.prec = latex, tuple(shape), entry, prec

    def entry(self, i, j):
        for idx, dim in ((i, self.shape[0]), (j, self.shape[1])):
            got = tuple(x.dim for x in idx) if isinstance(idx, tuple) else idx.dim
            if got != dim:
                raise ShapeError("index: %s has shape %s, indexed by %s" % (self.latex, self.shape, got))
        return self._entry(i, j)

    def wrapped(self, prec):
        return self.latex if self.prec >= prec else r"\left(%s\right)" % self.latex

    @property
    def T(self):
        return Mat(self.wrapped(3) + "^\\top", self.shape[::-1], lambda i, j: self.entry(j, i))

    def __matmul__(self, other):
        inner = self.shape[1]

        def entry(i, j):  # a shape mismatch surfaces when the entry is read (a refused step, not a crash)
            if inner != other.shape[0]:
                raise ShapeError("shape: %s is %s x %s but %s has %s rows"
                                 % (self.latex, self.shape[0], self.shape[1], other.latex, other.shape[0]))
            k, bound = _dummy(inner)
            return summed(self.entry(i, k) * other.entry(k, j), *bound)
        return Mat(self.wrapped(2) + " " + other.wrapped(2), (self.shape[0], other.shape[1]), entry, prec=2)

    def __add__(self, other):
        if self.shape != other.shape:
            raise ShapeError("shape: cannot add %s (%s) and %s (%s)" % (self.latex, self.shape, other.latex,
                                                                       other.shape))
        return Mat(self.latex + " + " + other.latex, self.shape, lambda i, j: self.entry(i, j) + other.entry(i, j),
                   prec=1)

    def __sub__(self, other):
        return self + Mat("(-1)" + other.wrapped(2), other.shape, lambda i, j: -other.entry(i, j), prec=2)


def _dummy(dim):
    """A summation index over ``dim`` (a pair for a pair of dimensions; the vector column ``1`` is not summed)."""
    if isinstance(dim, tuple):
        parts = [_dummy(d) for d in dim]
        return tuple(p[0] for p in parts), [i for p in parts for i in p[1]]
    if dim == "1":
        return ONE, []
    k = fresh(dim)
    return k, [k]


def free_index(dim, stem):
    """A named free index over ``dim`` (a pair of them for a pair of dimensions)."""
    if isinstance(dim, tuple):
        return tuple(free_index(d, stem + str(k + 1)) for k, d in enumerate(dim))
    return ONE if dim == "1" else Index(stem, dim)


def identity(dim, latex="I"):
    """The identity matrix of one dimension."""
    return Mat(latex, (dim, dim), lambda i, j: delta(i, j))


def commute_cols(m, latex="K"):
    """``m K``: the columns of a matrix indexed by pairs, the pair swapped (the commutation matrix)."""
    a, b = m.shape[1]
    return Mat(m.wrapped(2) + " " + latex, (m.shape[0], (b, a)), lambda i, j: m.entry(i, (j[1], j[0])), prec=2)


def leaf(tensor, latex=None):
    """A matrix (2-index tensor) or column vector (1-index tensor) as a :class:`Mat`."""
    tex = latex or tensor.tex()
    if len(tensor.dims) == 1:
        return Mat(tex, (tensor.dims[0], "1"), lambda i, j: tensor(i))
    return Mat(tex, tensor.dims, lambda i, j: tensor(i, j))


def custom(latex, shape, entry):
    """A matrix given by its entry function (a derivative computed by the chain rule, say)."""
    return Mat(latex, shape, entry, prec=3)


def diag(vector, latex=None):
    """``diag(v)`` of a column vector."""
    n = vector.shape[0]
    return Mat(latex or r"\operatorname{diag}\left(%s\right)" % vector.latex, (n, n),
               lambda i, j: vector.entry(i, ONE) * delta(i, j))


def hadamard(u, v):
    """The entrywise product of two column vectors of one dimension."""
    if u.shape != v.shape:
        raise ShapeError("shape: %s and %s differ in shape" % (u.latex, v.latex))
    return Mat(u.wrapped(2) + r"\odot " + v.wrapped(2), u.shape, lambda i, j: u.entry(i, ONE) * v.entry(i, ONE),
               prec=2)


def kron(a, b):
    """``a kron b``: entry ``((i1, i2), (j1, j2)) = a[i1, j1] b[i2, j2]`` (the definition; with the
    column-stacking vec, ``vec(X)[(q, p)] = X[p, q]``)."""
    return Mat(a.wrapped(2) + r" \otimes " + b.wrapped(2), ((a.shape[0], b.shape[0]), (a.shape[1], b.shape[1])),
               lambda i, j: a.entry(i[0], j[0]) * b.entry(i[1], j[1]), prec=2)


def trace(m):
    """``tr(m)`` as an Expr (rows and columns of one shape; pairs for a Kronecker product)."""
    if m.shape[0] != m.shape[1]:
        raise ShapeError("shape: the trace of the non-square %s" % m.latex)
    k, bound = _dummy(m.shape[0])
    return summed(m.entry(k, k), *bound)


def decide_identity(lhs, rhs, allowed=None, used=None):
    """Reduce ``lhs - rhs`` (two Exprs) to canonical form: ``(True, {})`` when it is the empty sum, else
    ``(False, residual)`` (a shape error, too many renamings or a rule outside ``allowed`` count as not
    decided); the rules applied are added to the set ``used``."""
    used = set() if used is None else used
    try:
        residual = reduce(lhs - rhs, used)
    except ShapeError as err:
        return False, {"shape error": str(err)}
    if allowed is not None and not used <= set(allowed):
        return False, {"rules not allowed in this step": sorted(used - set(allowed))}
    return (not residual), {k: str(c) for k, (c, _) in residual.items()}


def vec(m, latex=None):
    """``vec(m)``, stacking columns: entry ``(q, p)`` is ``m[p, q]``."""
    return Mat(latex or r"\operatorname{vec}\left(%s\right)" % m.latex, ((m.shape[1], m.shape[0]), "1"),
               lambda i, j: m.entry(i[1], i[0]))


@dataclass
class Step:
    """One identity of a proof: ``lhs = rhs`` between matrices (or scalars) of symbolic shape.

    ``role``: ``definition``, ``lemma``, ``base case``, ``inductive step`` or ``consequence``;
    ``hypothesis``: the induction hypothesis used (LaTeX), if any; ``rules``: the names in :data:`RULES`
    the reduction may use (a reduction that needs another is not decided); ``used``: those it used (``delta``,
    ``count``, ``zero`` exactly as applied; ``rename`` and ``symmetry`` whenever the canonical form normalised a
    term with summation indices or a symmetric tensor; ``linearity`` when like terms were collected).
    """

    role: str
    title: str
    lhs: object
    rhs: object
    rules: tuple = ("linearity", "delta", "count", "rename", "symmetry")
    hypothesis: str = ""
    note: str = ""
    rewrite: object = None  # a stated rule applied to the right side before deciding
    decided: bool = None
    residual: dict = None
    used: tuple = ()

    def sides(self):
        """The two sides as Exprs at named free indices."""
        if isinstance(self.lhs, Mat):
            if self.lhs.shape != self.rhs.shape:
                raise ShapeError("shape: the sides of %r have shapes %s and %s" % (self.title, self.lhs.shape,
                                                                                  self.rhs.shape))
            i, j = free_index(self.lhs.shape[0], "i"), free_index(self.lhs.shape[1], "j")
            return self.lhs.entry(i, j), self.rhs.entry(i, j)
        return self.lhs[1], self.rhs[1]

    def decide(self):
        """Reduce ``lhs - rhs``; sets and returns ``decided``."""
        if not isinstance(self.lhs, Mat) and isinstance(self.lhs[1], sp.Basic):
            left, right = self.lhs[1], self.rhs[1]
            if self.rewrite is not None:
                right = self.rewrite(right)
            residual = sp.simplify(left - right)
            self.decided, self.residual = residual == 0, ({} if residual == 0 else {"residual": str(residual)})
            self.used = self.rules if self.decided else ()
            return self.decided
        try:
            lhs, rhs = self.sides()
        except ShapeError as err:
            self.decided, self.residual = False, {"shape error": str(err)}
            return False
        used = set()
        self.decided, self.residual = decide_identity(lhs, rhs, self.rules, used)
        self.used = tuple(r for r in RULES if r in used) if self.decided else ()
        return self.decided

    def latex_identity(self):
        left = self.lhs.latex if isinstance(self.lhs, Mat) else self.lhs[0]
        right = self.rhs.latex if isinstance(self.rhs, Mat) else self.rhs[0]
        return "%s = %s" % (left, right)


def _tex_text(text):
    from lossgeom.latex_text import escape
    return escape(text)


@dataclass
class GeneralProof:
    """A proof for every depth and width: the statement, what is given, and the decided steps.

    Build with the statement's steps; :meth:`decide` reduces each; ``outcome`` is ``proved`` only when
    every step reduced to 0, else ``inconclusive`` naming the steps that did not.
    """

    name: str
    statement: str
    scope: str
    given: tuple
    steps: list
    conclusion: str
    claims: tuple = ()

    def decide(self):
        for step in self.steps:
            if step.decided is None:
                step.decide()
        return self

    @property
    def undecided(self):
        self.decide()
        return tuple("%s: %s" % (s.role, s.title) for s in self.steps if not s.decided)

    @property
    def outcome(self):
        return "proved" if not self.undecided else "inconclusive"

    def rules_used(self):
        """The names of the rules any step used, in the order of :data:`RULES`."""
        self.decide()
        return [r for r in RULES if any(r in s.used for s in self.steps)]

    def facts(self):
        """JSON-ready facts: each step's identity and whether it reduced to 0."""
        self.decide()
        out = {"scope": self.scope, "given": list(self.given)}
        for k, s in enumerate(self.steps, 1):
            out["step %d (%s) %s" % (k, s.role, s.title)] = ("decided: reduces to 0" if s.decided else
                                                            "NOT decided: residual %s" % s.residual)
        return out

    def text(self):
        """The proof in plain text."""
        self.decide()
        lines = ["General proof: %s" % self.name, "Statement: %s" % self.statement, "Scope: %s" % self.scope,
                 "Given:"] + ["  - " + g for g in self.given] + ["Steps:"]
        for k, s in enumerate(self.steps, 1):
            lines.append("  %d. [%s] %s: %s" % (k, s.role, s.title, s.latex_identity()))
            if s.hypothesis:
                lines.append("     using the induction hypothesis %s" % s.hypothesis)
            lines.append("     %s" % ("decided: the difference reduces to 0 by " + ", ".join(s.used or ("expansion",))
                                      if s.decided else "NOT decided: %s" % s.residual))
        lines += ["Rewrite rules used:"] + ["  - %s: %s" % (r, RULES[r]) for r in self.rules_used()]
        lines += ["Conclusion: " + self.conclusion, "Outcome: " + self.outcome]
        return "\n".join(lines)

    def latex(self):
        """The proof as a LaTeX fragment (amsmath): one displayed equation per decided identity."""
        self.decide()
        out = [r"\paragraph{General proof: %s.}" % _tex_text(self.name),
               r"\emph{Statement.} $%s$. \emph{Scope:} %s." % (self.statement, _tex_text(self.scope)),
               r"\emph{Given.}", r"\begin{itemize}"]
        out += [r"\item %s" % _tex_text(g) for g in self.given] + [r"\end{itemize}", r"\begin{enumerate}"]
        for s in self.steps:
            hyp = r" Using the induction hypothesis $%s$:" % s.hypothesis if s.hypothesis else ""
            verdict = ("decided: the difference of the sides reduces to $0$ by %s." % _tex_text(
                ", ".join(s.used or ("expansion",)))
                       if s.decided else r"\textbf{not decided}: %s." % _tex_text(str(s.residual)))
            out.append(r"\item \emph{%s} (%s).%s" % (_tex_text(s.title), _tex_text(s.role), hyp))
            out.append(r"\[ %s \]" % s.latex_identity())
            if s.note:
                out.append(_tex_text(s.note))
            out.append(verdict)
        out += [r"\end{enumerate}", r"\emph{Rewrite rules used.}", r"\begin{itemize}"]
        out += [r"\item %s: %s" % (r, _tex_text(RULES[r])) for r in self.rules_used()] + [r"\end{itemize}"]
        out += [r"\emph{Conclusion.} %s \emph{Outcome:} %s." % (
            _tex_text(self.conclusion), self.outcome)]
        return "\n".join(out)

    def counterexample(self, step, sizes, values):
        """The first entry where ``step`` fails at the given sizes and values (``None`` if none does)."""
        lhs, rhs = step.sides()
        free = sorted(lhs.free() | rhs.free(), key=lambda i: i.name)
        for combo in itertools.product(*[range(sizes[i.dim]) for i in free]):
            at = dict(zip(free, combo))
            diff_ = instantiate(lhs, sizes, values, at) - instantiate(rhs, sizes, values, at)
            if diff_ != 0:
                return {"sizes": dict(sizes), "entry": {i.name: v + 1 for i, v in at.items()},
                        "lhs - rhs": str(diff_)}
        return None


def peel(expr):
    """Rewrite every ``Product(f, (t, a, b))`` with a symbolic upper bound ``b`` as ``Product(f, (t, a, b - 1)) f(b)``."""
    def one(prod):
        f, (t, a, b) = prod.args[0], prod.args[1]
        return sp.Product(f, (t, a, b - 1)) * f.subs(t, b) if b.free_symbols else prod
    return expr.replace(lambda e: isinstance(e, sp.Product), one)


def canonical_expr(expr):
    """``expr`` rewritten as its canonical terms (deltas contracted, like terms collected): the same value, fewer
    terms to instantiate."""
    return Expr(tuple(Term(c, rep.factors, rep.sums) for c, rep in reduce(expr).values()))
