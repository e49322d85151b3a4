"""The spherical spin-glass form of the loss (Choromanska et al. 2015; the Kawaguchi notes, eq. 6).

Choromanska et al. reduce the loss of a ReLU net to a spherical (H+1)-spin glass: with weight
sharing (Lambda distinct weights, every (H+1)-tuple of them on exactly one path), independent
Bernoulli gates and an independent Gaussian input per path, the path sum of
:mod:`lossgeom.symbolic.paths` becomes

    L(w) = C_1 + C_2 Lambda^{-H/2} sum_{i_1..i_{H+1}=1}^{Lambda} X_{i_1..i_{H+1}} prod_k w_{i_k},
    subject to (1/Lambda) sum_i w_i^2 = 1.

:func:`spin_glass_form` builds it exactly for small sizes (spins ``w[i]``, couplings
``X[i_1,...]``), and :func:`verify_spin_glass_reduction` decides its two checkable parts.  The
constants C_1, C_2 and the printed exponent H/2 are taken as printed in the Kawaguchi notes and
are not checked against the paper.  The form prints through
:class:`~lossgeom.symbolic.latex.LossgeomLatexPrinter`.

References
----------
Choromanska, Henaff, Mathieu, Ben Arous, LeCun, "The Loss Surfaces of Multilayer Networks",
AISTATS 2015, Sec. 3 (assumptions A1p-A7p).  Kawaguchi, "Deep Learning without Poor Local
Minima", NIPS 2016, Sec. 3 (the Kawaguchi notes, eq. 6).
"""

import itertools
from dataclasses import dataclass

import sympy as sp

from lossgeom.checks import check_int
from lossgeom.errors import NetSpecError
from lossgeom.limits import LIMITS
from lossgeom.net import Net
from lossgeom.report import Report
from lossgeom.symbolic.forward import symbol
from lossgeom.symbolic.latex import LossgeomLatexPrinter, latex
from lossgeom.symbolic.paths import expand_path_sum

__all__ = ["SpinGlassForm", "spin_glass_form", "verify_spin_glass_reduction", "SPIN_GLASS_ASSUMPTIONS"]

SPIN_GLASS_ASSUMPTIONS = (
    "A1p/A5u: path gates Z_p independent Bernoulli(rho), independent of the input and the weights",
    "A2p: inputs Gaussian; A6u: every path has its own independent input X_p (so X_{i_1..i_{H+1}} i.i.d. N(0,1))",
    "A3p/A4p: Lambda distinct weights, every (H+1)-tuple of them used by exactly one path (Psi = Lambda^(H+1))",
    "A7p: spherical constraint (1/Lambda) sum_i w_i^2 = 1",
    "C_1, C_2 (C_2 > 0) are left as symbols; the hinge/absolute-loss reduction to this form is not checked",
)


@dataclass(frozen=True)
class SpinGlassForm:
    """The spherical spin-glass form of the loss (the Kawaguchi notes, eq. 6), built for small sizes.

    L(w) = C_1 + C_2 Lambda^{-H/2} sum_{i_1..i_{H+1}=1}^{Lambda} X_{i_1..i_{H+1}} prod_k w_{i_k},
    subject to (1/Lambda) sum_i w_i^2 = 1.

    Attributes
    ----------
    H : int
        Hidden layers (H + 1 weight layers, so H + 1 spins per term).
    size : int
        Lambda, the number of distinct weights.
    hamiltonian : Expr
        sum X_{i_1..i_{H+1}} prod_k w_{i_k} (unnormalised).
    loss : Expr
    constraint : Equality
    assumptions : tuple of str

    Notes
    -----
    Built as printed in the Kawaguchi notes (H + 1 spins, exponent H/2); the exponent is not
    confirmed against Choromanska et al., so only the properties decided by
    :func:`verify_spin_glass_reduction` are claimed.

    See Also
    --------
    spin_glass_form : builds it.
    verify_spin_glass_reduction : decides what is checkable about it.

    Examples
    --------
    >>> spin_glass_form(1, 2).constraint
    Eq(w[1]**2/2 + w[2]**2/2, 1)
    >>> print(latex(spin_glass_form(1, 2)))
    \\mathcal{L}(w) = C_1 + C_2\\,\\Lambda^{-\\frac{1}{2}} \\sum_{i_1,\\dots,i_{2}=1}^{\\Lambda} X_{i_1\\cdots i_{2}} \\prod_{k=1}^{2} w_{i_k}, \\quad \\frac{1}{\\Lambda}\\sum_{i=1}^{\\Lambda} w_i^2 = 1, \\quad \\Lambda = 2
    """

    H: int
    size: int
    hamiltonian: sp.Expr
    loss: sp.Expr
    constraint: sp.Equality
    assumptions: tuple = SPIN_GLASS_ASSUMPTIONS

    @property
    def normalisation(self):
        """Lambda^{-H/2}, as printed in the Kawaguchi notes (not confirmed against the paper)."""
        return sp.Integer(self.size) ** sp.Rational(-self.H, 2)

    @property
    def weights(self):
        """The spins w_1 .. w_Lambda."""
        return tuple(symbol("w[%d]" % i) for i in range(1, self.size + 1))

    def _repr_latex_(self):
        return "$%s$" % latex(self)

    def _latex(self, printer):
        # SymPy's printer hook: sp.latex(form) prints through LossgeomLatexPrinter, with its settings
        return LossgeomLatexPrinter._adopt(printer)._print_SpinGlassForm(self)


def spin_glass_form(H, size):
    """Build the spin-glass form of eq. 6 with H + 1 spins per term and Lambda = ``size`` spins.

    Parameters
    ----------
    H : int
        Hidden layers, 1 or more.
    size : int
        Lambda >= 1; Lambda^(H+1) terms are built, so both must be small.

    Returns
    -------
    SpinGlassForm

    Raises
    ------
    SizeLimitError
        When Lambda^(H+1) exceeds :data:`MAX_PATHS`.
    NetSpecError
        For H or size not a positive integer.

    Notes
    -----
    H_Lambda(w) = sum_{i_1..i_{H+1}=1}^{Lambda} X_{i_1..i_{H+1}} w_{i_1} ... w_{i_{H+1}}, with the
    X_{...} symbols ``X[i_1,...]`` and the spins ``w[i]``; loss = C_1 + C_2 Lambda^{-H/2} H_Lambda(w).

    See Also
    --------
    verify_spin_glass_reduction : the path sum of a weight-sharing net is this Hamiltonian.
    lossgeom.symbolic.paths.expand_path_sum : the path sum it comes from.

    Examples
    --------
    >>> sg = spin_glass_form(1, 2)
    >>> sg.hamiltonian
    X[1,1]*w[1]**2 + X[1,2]*w[1]*w[2] + X[2,1]*w[1]*w[2] + X[2,2]*w[2]**2
    >>> sg.normalisation
    sqrt(2)/2
    """
    check_int(H, "H", 1)
    check_int(size, "size", 1)
    for name, v, low in (("H", H, 1), ("size", size, 1)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise NetSpecError("%s: expected an integer >= %d, got %r" % (name, low, v))
    LIMITS["spin_glass_terms"].check(size ** (H + 1), "spin glass", shown="Lambda^(H+1) = %d terms" % size ** (H + 1))
    w = [symbol("w[%d]" % i) for i in range(1, size + 1)]
    terms = []
    for idx in itertools.product(range(1, size + 1), repeat=H + 1):
        terms.append(symbol("X[%s]" % ",".join(map(str, idx))) * sp.Mul(*[w[i - 1] for i in idx]))
    ham = sp.Add(*terms)
    C1, C2 = sp.Symbol("C_1", real=True), sp.Symbol("C_2", positive=True)
    loss = C1 + C2 * sp.Integer(size) ** sp.Rational(-H, 2) * ham
    constraint = sp.Eq(sp.Add(*[wi**2 for wi in w]) / size, 1)
    return SpinGlassForm(H, size, ham, loss, constraint)


def verify_spin_glass_reduction(H, size):
    """Decide exactly the two checkable parts of eq. 6 for one small size.

    (i) Weight sharing W_k[i, j] = w_j in a net of widths (Lambda, ..., Lambda, 1) with H + 1
    weight layers gives Psi = Lambda^{H+1} paths whose weight products are the distinct
    monomials w_{i_1} ... w_{i_{H+1}}; renaming each path's gated input x_{i_1} Z_p as
    X_{i_1..i_{H+1}} turns the path sum into the Hamiltonian exactly.
    (ii) With X i.i.d. N(0, 1) (A2p, A6u), Var[Lambda^{-H/2} H(w)] = Lambda^{-H} sum_i prod_k w_{i_k}^2
    = Lambda^{-H} (sum_i w_i^2)^{H+1}, which is Lambda on the sphere: the normalisation of the
    spherical (H+1)-spin glass.  Nothing about C_1, C_2 or the paper's printed exponent is checked.

    Parameters
    ----------
    H : int
        Hidden layers (H + 1 spins per term).
    size : int
        Lambda.

    Returns
    -------
    Report
        ``proved`` when (i) and (ii) expand to zero exactly.

    Notes
    -----
    Var[sum_i c_i X_i] = sum_i c_i^2 for independent standard normals, with c_i = dH/dX_i.

    See Also
    --------
    spin_glass_form : the form whose parts are decided.
    lossgeom.symbolic.paths.verify_path_sum_identity : the path sum it starts from.

    Examples
    --------
    >>> verify_spin_glass_reduction(1, 2).outcome
    'proved'
    """
    check_int(H, "H", 1)
    check_int(size, "size", 1)
    sg = spin_glass_form(H, size)
    w = sg.weights
    net = Net(widths=(size,) * (H + 1) + (1,), activation="relu")
    weights = [sp.ImmutableMatrix(net.widths[l], net.widths[l - 1], lambda i, j: w[j]) for l in range(1, net.depth + 1)]
    ps = expand_path_sum(net, weights=weights)
    # A6u: the gated input x_{i_1} Z_p of path p becomes its own variable X_p
    renamed = sp.Add(*[symbol("X[%s]" % ",".join(str(u) for _, u in t.path[:-1])) * sp.Mul(*t.weights)
                       for t in ps.terms])
    ok_sum = sp.expand(renamed - sg.hamiltonian) == 0
    ok_count = ps.n_paths == size ** (H + 1)
    variance = sp.Add(*[(sp.diff(sg.hamiltonian, X_))**2 for X_ in sorted(sg.hamiltonian.free_symbols - set(w),
                                                                             key=str)])
    ok_var = sp.expand(variance - sp.Add(*[wi**2 for wi in w]) ** (H + 1)) == 0
    on_sphere = sp.simplify(sg.normalisation**2 * sp.Integer(size) ** (H + 1)) == size
    evidence = {"H": H, "Lambda": size, "paths": ps.n_paths, "path_sum_equals_hamiltonian": ok_sum,
                "variance_identity": ok_var, "variance_on_sphere": str(sg.normalisation**2 * size ** (H + 1)),
                "form": "Kawaguchi notes eq. 6: C_1 + C_2 Lambda^(-H/2) sum X prod w (H+1 spins)"}
    outcome = "proved" if ok_sum and ok_count and ok_var and on_sphere else "refuted"
    return Report("spin-glass form", outcome, "exact expansion (weight-sharing construction, variance identity)",
                  evidence=evidence)
