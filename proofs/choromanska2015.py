"""Claims from Choromanska et al. (AISTATS 2015) and Kawaguchi (NIPS 2016, Sec. 3): paths of a ReLU net.

- ``choromanska2015.path-sum``: the output is the sum over paths of input x weights x gate;
- ``choromanska2015.path-count``: Psi = d_x prod_k d_k paths per output (3-4-2-1 -> 24);
- ``choromanska2015.bernoulli-expectation``: with independent Bernoulli(rho) gates and q = 1/rho
  the expected output is the deep linear net W_{H+1} ... W_1 X (the Kawaguchi notes, eq. 7);
- ``choromanska2015.spin-glass-form``: the construction behind the spin-glass form (eq. 6 of the
  notes) for small sizes: a weight-sharing net's path sum is the Hamiltonian, and the normalisation's
  variance identity; the loss reduction, the constants C_1, C_2 and the printed exponent are NOT checked.
"""

import random

import sympy as sp

from lossgeom.errors import DataError
from lossgeom.models import random_point, relu_3_4_2_1
from lossgeom.net import Net
from lossgeom.numeric.graph import activation_pattern, build_graph, count_paths, iter_paths, sum_path_terms
from lossgeom.proofs.claim import register_claim
from lossgeom.proofs.evidence import Evidence, exact_check, from_general
from lossgeom.symbolic.forward import forward_trace
from lossgeom.symbolic.general_proofs import claim_scope, general_proof
from lossgeom.symbolic.paths import expand_path_sum, verify_bernoulli_expectation, verify_path_sum_identity
from lossgeom.symbolic.spin_glass import SPIN_GLASS_ASSUMPTIONS, verify_spin_glass_reduction

ORDER = 30

SOURCE = "Choromanska et al., AISTATS 2015, Sec. 3; Kawaguchi notes eqs. 5-7"


def _random_instance(net, rng, tries=50):
    """Exact random weights, biases and an input with no unit at a kink (resampled if one is)."""
    for _ in range(tries):
        pt = random_point(net, rng, bound=2, denominator=5)
        W = [W.tolist() for W in pt.weights]
        b = [list(v) for v in pt.biases] if net.bias else None
        x = list(pt.X)
        pat = activation_pattern(net, W, x, b)
        if not pat.kinks:
            return W, b, x, pat
    raise DataError("instance: no kink-free random point of %s in %d tries" % (net, tries))


_PATH_SUM_NETS = (
    Net(widths=(2, 3, 2), activation="identity"),
    Net(widths=(3, 4, 2, 1), activation="relu"),
    Net(widths=(2, 3, 2, 2), activation={"name": "leaky_relu", "slope": "1/10"}),
    Net(widths=(2, 2, 2, 1), activation={"name": "two_piece", "s_plus": "2", "s_minus": "1/3"}),
    Net(widths=(2, 3, 1), activation="relu", bias=True),
)


@register_claim(
    "choromanska2015.path-sum", SOURCE + " (eq. 5)",
    r"\hat{Y}_{j} = q\sum_{p=1}^{\Psi} x_{i_0(p)}\, Z_{p} \prod_{k=1}^{H+1} w^{(k)}_{p},"
    r"\quad Z_p = \prod_{(l,i)\in p} f'(h_{l,i})",
    scope="the listed nets (" + "; ".join(str(n) for n in _PATH_SUM_NETS) + "), identity output, q = 1: one "
          "activation pattern per net (read from a random kink-free point), symbolic weights and input there",
    assumptions=("activations piecewise linear through the origin (identity, ReLU, leaky ReLU, two-piece)",
                 "a fixed activation pattern: no pre-activation exactly at a kink",
                 "q = 1; biases, when present, are paths starting at a bias node"),
    method="symbolic", title="the output is the gated sum over input-to-output paths")
def _check_path_sum(dps, seed):
    rng = random.Random(seed)
    evidence, failures = {}, []
    for net in _PATH_SUM_NETS:
        W, b, x, pat = _random_instance(net, rng)
        key = "%s %s%s" % ("-".join(map(str, net.widths)), net.activation.label, " bias" if net.bias else "")
        # (a) polynomial identity in symbolic weights and input, within the pattern read from the graph
        sym = verify_path_sum_identity(net, pat)
        # (b) at the exact instance: enumerated path terms vs the forward pass through the true
        #     (Piecewise) activation, which knows nothing of patterns or paths
        forward = tuple(forward_trace(net, W, b, x).a[-1])
        enumerated = sum_path_terms(build_graph(net, W, b), pat)
        gated = tuple(expand_path_sum(net, W, b, x).gated(pat))
        ok = sym.outcome == "proved" and enumerated == forward == gated
        evidence[key] = "%s; %d paths; output %s" % ("equal" if ok else "DIFFERENT", sym.evidence["paths"],
                                                    ", ".join(map(str, forward)))
        if not ok:
            failures.append({"net": key, "weights": str(W), "x": str(x), "forward": str(forward),
                             "enumerated": str(enumerated), "symbolic": sym.outcome})
    return Evidence("instances", "exact on the stated instances: expansion to zero (symbolic weights and input) in "
                    "one activation pattern per listed net, and exact equality at random rational instances",
                    facts=evidence, counterexample=failures[0] if failures else None)


PATH_COUNT_CROSS = ("fully connected nets without biases of 1 to 4 weight layers with symbolic widths; exact counts on "
    "7 width lists (3-4-2-1 and 6 random ones) and a 30-layer net of width 10")


@register_claim(
    "choromanska2015.path-count", "Choromanska et al., AISTATS 2015, Sec. 3",
    r"\Psi = d_x \prod_{k=1}^{H} d_k \text{ paths per output}",
    scope=claim_scope("path-count", PATH_COUNT_CROSS),
    assumptions=("fully connected layered net without biases",),
    method="symbolic", title="number of input-to-output paths per output (3-4-2-1 -> 24)")
def _check_path_count(dps, seed):
    """Primary: the general proof by induction on the layers; cross-check: depths 1-4 and exact counts."""
    return from_general(general_proof("path-count"), _path_count_instances(seed),
                        PATH_COUNT_CROSS)


def _path_count_instances(seed):
    rng = random.Random(seed)
    evidence, ok = {}, True
    # (a) a path is a choice of one unit per layer: the nested sum over the index ranges, done by SymPy
    for L in range(1, 5):
        d = sp.symbols("d_0:%d" % L, positive=True, integer=True)
        i = sp.symbols("i_0:%d" % L, positive=True, integer=True)
        nested = sp.Sum(1, *[(i[k], 1, d[k]) for k in range(L)]).doit()
        good = sp.simplify(nested - sp.Mul(*d)) == 0
        ok &= good
        evidence["nested sum, %d weight layers" % L] = str(nested)
    # (b) that bijection, checked on instances: DP count, explicit enumeration, formula
    cases = [(3, 4, 2, 1)] + [tuple(rng.randint(1, 4) for _ in range(rng.randint(2, 5))) for _ in range(6)]
    for widths in cases:
        net = Net(widths=widths)
        dp = count_paths(build_graph(net))
        enum = sum(1 for _ in iter_paths(build_graph(net)))
        formula = 1
        for w in widths[:-1]:
            formula *= w
        good = dp.per_output == (formula,) * widths[-1] and enum == dp.total == formula * widths[-1]
        ok &= good
        evidence["-".join(map(str, widths))] = "%d per output%s" % (formula, "" if good else " MISMATCH")
    ok &= count_paths(relu_3_4_2_1()).total == 24
    big = Net(widths=(10,) * 30 + (1,))
    ok &= count_paths(build_graph(big)).total == 10 ** 30
    evidence["10^30-path net (30 layers of 10)"] = "dynamic programming = 10^30 exactly"
    return exact_check(ok, "symbolic", "for depths 1-4 with symbolic widths: SymPy evaluation of the nested sum "
                       "over path indices; exact counts (dynamic programming and explicit enumeration) on instances",
                       facts=evidence, counterexample={"evidence": evidence})


BERNOULLI_CROSS = ("ReLU nets without biases with 1, 2 and 3 hidden layers at seeded random widths 1-3 (symbolic weights, "
    "input and rho), and the 2-2-1 net by enumerating all gate assignments")


@register_claim(
    "choromanska2015.bernoulli-expectation", "Kawaguchi, NIPS 2016, Sec. 3 (the Kawaguchi notes, eq. 7); "
    "Choromanska et al. 2015, A1p/A5u",
    r"q\,\mathbb{E}_Z\big[\textstyle\sum_p x_p Z_p \prod_k w^{(k)}_p\big] = W_{H+1}\cdots W_1 x,\quad "
    r"Z_p \sim \mathrm{Bernoulli}(\rho)\ \text{i.i.d.},\ q = \rho^{-1}",
    assumptions=("A1p-m: every path gate Z_p is Bernoulli(rho), the same rho",
                 "A5u-m: the gates are independent of the input and the weights",
                 "no biases"),
    scope=claim_scope("bernoulli-expectation", BERNOULLI_CROSS),
    method="symbolic", title="expected path sum = deep linear net (depth 1-3 hidden layers)")
def _check_bernoulli(dps, seed):
    """Primary: the general proof; cross-check: the exact expansions at 1-3 hidden layers and the 2-2-1 enumeration."""
    return from_general(general_proof("bernoulli-expectation"), _bernoulli_instances(seed),
                        BERNOULLI_CROSS)


def _bernoulli_instances(seed):
    rng = random.Random(seed)
    evidence, ok = {}, True
    for H in (1, 2, 3):
        widths = tuple(rng.randint(1, 3) for _ in range(H + 1)) + (rng.randint(1, 2),)
        rep = verify_bernoulli_expectation(Net(widths=widths, activation="relu"))
        ok &= rep.outcome == "proved"
        evidence["H=%d, %s" % (H, "-".join(map(str, widths)))] = "%s (%d paths)" % (rep.outcome, rep.evidence["paths"])
    # an independent route on the smallest case: the expectation as the sum over all 2^Psi gate
    # assignments weighted by rho^k (1 - rho)^(Psi - k)
    rho = sp.Symbol("rho", positive=True)
    net = Net(widths=(2, 2, 1), activation="relu")
    ps = expand_path_sum(net)
    gates = ps.gates
    total = 0
    for bits in range(2 ** len(gates)):
        z = {g: (bits >> k) & 1 for k, g in enumerate(gates)}
        prob = sp.Mul(*[rho if v else 1 - rho for v in z.values()])
        total += prob * ps.outputs[0].subs(z)
    W1, W2 = forward_trace(net).weights
    xs = forward_trace(net).x
    brute = sp.expand(total / rho - (W2 * W1 * xs)[0]) == 0
    ok &= brute
    evidence["2-2-1 by enumerating all 16 gate assignments"] = "equal" if brute else "DIFFERENT"
    return exact_check(ok, "symbolic", "on the listed nets: exact expansion to zero with rho a symbol (linearity of "
                       "expectation), and a brute-force expectation over all gate assignments", facts=evidence,
                       counterexample={"evidence": evidence})


@register_claim(
    "choromanska2015.spin-glass-form", "Choromanska et al., AISTATS 2015, Sec. 3; the Kawaguchi notes, eq. 6",
    r"W_k[i,j] = w_j \Rightarrow \hat Y = \sum_{i_1,\dots,i_{H+1}=1}^{\Lambda} X_{i_1\cdots i_{H+1}}"
    r"\prod_{k=1}^{H+1} w_{i_k},\quad \sum_{i_1,\dots,i_{H+1}} \prod_k w_{i_k}^2 = "
    r"\big(\textstyle\sum_i w_i^2\big)^{H+1} \text{ (the construction behind eq. (6))}",
    scope="the construction only, for (H, Lambda) in (1, 2), (1, 3), (2, 2), (2, 3), (3, 2): the path sum of a "
          "weight-sharing net (W_k[i, j] = w_j) equals the Hamiltonian, and the variance identity behind the "
          "Lambda^(-H/2) normalisation; NOT eq. (6) itself (the reduction of the hinge/absolute loss, C_1, C_2)",
    assumptions=SPIN_GLASS_ASSUMPTIONS,
    method="symbolic",
    title="spin-glass construction (notes' H+1-spin version): path sum = Hamiltonian, variance identity")
def _check_spin_glass(dps, seed):
    evidence, ok = {}, True
    for H, size in ((1, 2), (1, 3), (2, 2), (2, 3), (3, 2)):
        rep = verify_spin_glass_reduction(H, size)
        ok &= rep.outcome == "proved"
        evidence["H=%d, Lambda=%d" % (H, size)] = "%s; Var on the sphere = %s" % (
            rep.outcome, rep.evidence["variance_on_sphere"])
    evidence["not checked"] = ("the paper's constants C_1, C_2, its printed exponent, and the reduction of the "
                               "hinge/absolute losses to this form")
    return exact_check(ok, "symbolic", "for the listed (H, Lambda): exact expansion: weight-sharing net's path sum "
                       "equals the Hamiltonian; variance identity sum_i prod_k w_ik^2 = (sum_i w_i^2)^(H+1)",
                       facts=evidence, counterexample={"evidence": evidence})

