"""Two claims of the kind a research group adds for its own paper, checked with lossgeom's public API.

Loaded by ``lossgeom verify --module examples/own_claims/own_claims/claims.py`` (or, once this package
is installed, through its ``lossgeom.claims`` entry point).  Written exactly like a built-in source
module: ``register_claim`` at import, each check returning an ``Evidence``; ``CLAIM_PREFIX`` makes the
ids ``own.<slug>``.  Both checks use :func:`lossgeom.check_formula`, which decides exactly whether a
formula equals lossgeom's own derivation and returns the differing entry and point when it does not.
"""

from lossgeom import Net, check_formula
from lossgeom.proofs import Evidence, register_claim

ORDER = 200
CLAIM_PREFIX = "own"

BOTEV = "Botev, Ritter & Barber (2017), Practical Gauss-Newton Optimisation for Deep Learning, ICML, Sec. 2"

#: widths of the one-layer (linear regression) nets of the first claim
REGRESSION_WIDTHS = ((1, 1), (2, 1), (3, 2), (2, 3))


def _evidence(results, method, instances):
    """One Evidence from check_formula results: a difference is a counterexample, an undecided one undecided."""
    for r, inst in zip(results, instances):
        if r.outcome == "different":
            return Evidence("symbolic", method, instances=instances,
                            counterexample={"net": inst, "entry": list(r.entry or ()), "point": r.point,
                                            "expected": r.expected_value, "claimed": r.got_value,
                                            "correct entry": r.expected_named or r.expected})
    undecided = tuple("%s: %s" % (inst, r.method) for r, inst in zip(results, instances) if r.verdict != "proved")
    return Evidence("symbolic", method, instances=instances, undecided=undecided,
                    facts={"methods": sorted({r.method for r in results})})


@register_claim("linear-regression-block", BOTEV + " (the recursion's output layer, H_L = I for the square loss)",
                r"E = \tfrac12\|W x - y\|^2 \Rightarrow \frac{\partial^2 E}{\partial \operatorname{vec}(W)^2}"
                r" = (x x^T) \otimes I_{d_1}",
                scope="one weight layer without bias, identity output, square loss, one datapoint, widths "
                      + ", ".join("-".join(map(str, w)) for w in REGRESSION_WIDTHS) + " (weights, x, y as symbols)",
                title="linear regression: the Hessian in vec(W) is (x x^T) kron I")
def _regression(dps, seed):
    nets = [Net(widths=w) for w in REGRESSION_WIDTHS]
    results = [check_formula("layer-block", "kron(x @ x.T, eye(%d))" % n.widths[1], net=n, layer=1, dps=dps,
                             seed=seed) for n in nets]
    return _evidence(results, "lossgeom.check_formula: the claimed block minus the derived one expands to zero",
                     tuple(str(n) for n in nets))


@register_claim("gauss-newton-equals-hessian", BOTEV + " (the Gauss-Newton recursion drops the D_l terms)",
                r"\frac{\partial^2 E}{\partial \operatorname{vec}(W_1)^2} = (x x^T) \otimes G_1"
                r"\ \text{for a 1-2-1 tanh net}",
                scope="the 1-2-1 tanh net with square loss, one datapoint (weights, x, y as symbols)",
                expect="fails", origin="derived",
                title="the first-layer Hessian block equals its Gauss-Newton block (false: D_1 is missing)")
def _gauss_newton(dps, seed):
    net = Net(widths=(1, 2, 1), activation="tanh")
    # the Gauss-Newton block, written out: G_1 = B_1 W_2^T W_2 B_1 with B_1 = diag(1 - tanh(h_1)^2)
    B1 = "diag(1 - tanh(h1[1])**2, 1 - tanh(h1[2])**2)"
    claimed = "kron(x @ x.T, %s @ W2.T @ W2 @ %s)" % (B1, B1)
    results = [check_formula("layer-block", claimed, net=net, layer=1, dps=dps, seed=seed)]
    return _evidence(results, "lossgeom.check_formula: a rational point where the entries differ", (str(net),))
