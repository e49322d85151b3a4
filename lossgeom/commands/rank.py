"""``lossgeom rank NETFILE``: Shen's critical-point linear system grad J = P(W) eps at a net file's weights.

Shen (arXiv 1611.05827; CVPR 2018) writes the gradient of J(W) = sum_i E(F(W, x_i), y_i) as P(W) eps
with P = [P_1; ...; P_L], P_l = [Psi_{l,1} kron phi_{l-1,1}, ..., Psi_{l,T} kron phi_{l-1,T}] and eps the
stacked output errors.  The file uses lossgeom's convention (h_l = W_l a_{l-1} + b_l); biases are Shen's
dummy units.  E = 1/2 ||yhat - y||^2 (the square loss, summed), so eps_i = yhat_i - y_i.

Printed: each block's shape and rank, rank P, N_net (rows of P, dummy units counted), n_L T, whether
N_net >= n_L T, whether the point is critical and fits exactly, and the main theorem's verdict (a
critical point with rank P = n_L T is a global minimum).  Ranks are exact for activations with rational
values at rational points (identity, softsign, leaky ReLU, ...), certified by a determinant ball for
tanh, sigmoid, softplus and bent identity when P has full rank, else reported at a tolerance with a
certified lower bound (a minor whose determinant ball excludes 0; the upper bound is then undecided).

JSON fields (stable): ``net``, ``samples``, ``blocks`` (each ``layer``, ``rows``, ``cols``, ``rank``, ``rank_basis``),
``rank``, ``rank_basis`` (``exact``, ``certified`` or ``tolerance``), ``tolerance``, ``n_net``, ``n_l_t``,
``counting_condition``, ``critical``, ``exact_fit``, ``gradient_norm``, ``verdict``, ``dps``,
``rank_certified_lower``, ``rank_upper`` (None: undecided), ``critical_basis``.
"""

import json

from lossgeom.cli import add_format, add_out, add_precision, write_output
from lossgeom.limits import LIMITS

ORDER = 60

#: Aliases of the table's limits (lossgeom.limits): certified ranks in balls, and exact rational ranks.
MAX_ENTRIES = LIMITS["rank_entries"].value
MAX_EXACT_ENTRIES = LIMITS["rank_exact_entries"].value


def add(sub):
    p = sub.add_parser("rank", help="Shen's linear system grad J = P(W) eps: ranks and the main theorem's verdict",
                       description="Build Shen's matrix P(W) (grad J = P(W) eps) at the net file's weights; print the "
                                   "block ranks, rank P, N_net, n_L T and whether the point is a critical point that "
                                   "the rank condition proves globally minimal. Exit 2 on bad input.")
    p.add_argument("netfile", metavar="NETFILE", help="JSON net file with weights, inputs and targets")
    add_precision(p)
    add_format(p, choices=("text", "json"))
    add_out(p)
    p.set_defaults(func=_cmd_rank)


def _check(nf, source):
    from lossgeom.errors import NetFileError, NetSpecError, NonDifferentiableError
    from lossgeom.numeric.evaluate import find_kinks, kink_message
    from lossgeom.numeric.shen import RATIONAL

    net = nf.net
    if net.output_activation.name != "identity" or net.loss.name != "square" or net.weight_decay:
        raise NetSpecError("%s: Shen's system needs an identity output activation, the square loss and no weight "
                           "decay; got %s" % (source, net))
    if net.activation.name not in RATIONAL + ("tanh", "sigmoid", "softplus", "bent_identity"):
        raise NetSpecError("%s: activation: rank supports %s; got %s" % (
            source, ", ".join(RATIONAL + ("tanh", "sigmoid", "softplus", "bent_identity")), net.activation.label))
    if nf.inputs is None or nf.weights is None:
        raise NetFileError("%s: weights, inputs and targets: the rank command needs all three" % source)
    samples = nf.inputs.shape[1]
    entries = net.n_params * net.widths[-1] * samples
    limit = LIMITS["rank_exact_entries" if net.activation.name in RATIONAL else "rank_entries"]
    limit.check(entries, "rank", shown="P has %d entries (N_net x n_L T) for %s" % (entries, net.activation.label))
    kinks = [k for k in find_kinks(net, nf.weights, nf.biases, nf.inputs, nf.targets) if k.order == 1]
    if kinks:
        raise NonDifferentiableError(kink_message(net, "P(W) (it needs f')", kinks))


def rank_report(net_file, dps=50, source="netfile"):
    """The data of ``lossgeom rank`` as a JSON-ready dict.

    Examples
    --------
    >>> from lossgeom import net_file_from_dict
    >>> nf = net_file_from_dict({"widths": [2, 2, 1], "activation": "softsign", "bias": True,
    ...     "weights": [[[1, 1], [1, 1]], [["5/2", "-5/2"]]], "biases": [["-1/2", "-3/2"], ["-2/3"]],
    ...     "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]})
    >>> rep = rank_report(nf)
    >>> [b["rank"] for b in rep["blocks"]], rep["rank"], rep["n_net"], rep["n_l_t"], rep["critical"]
    ([4, 3], 4, 9, 4, True)
    """
    from lossgeom.numeric.shen import shen_rank

    _check(net_file, source)
    net = net_file.net
    r = shen_rank(net, net_file.weights, net_file.biases, net_file.inputs, net_file.targets, dps=dps)
    m = [net.widths[l - 1] + (1 if net.bias else 0) for l in range(1, net.depth + 1)]
    blocks = [{"layer": l, "rows": m[l - 1] * net.widths[l], "cols": r.n_lt, "rank": r.block_ranks[l - 1],
               "rank_basis": r.block_bases[l - 1]}
              for l in range(1, net.depth + 1)]
    return {"net": net.spec(), "samples": r.n_lt // net.widths[-1], "blocks": blocks, "rank": r.rank,
            "rank_basis": r.basis, "tolerance": r.tolerance, "n_net": r.n_net, "n_l_t": r.n_lt,
            "counting_condition": r.n_net >= r.n_lt, "critical": r.critical, "exact_fit": r.exact_fit,
            "gradient_norm": r.gradient_norm, "verdict": r.verdict, "dps": dps,
            "rank_certified_lower": r.rank_lower, "rank_upper": r.rank_upper, "critical_basis": r.critical_basis}


def _text(rep, path):
    net = rep["net"]
    act = net["activation"]
    if isinstance(act, dict):
        act = "%s(%s)" % (act["name"], ", ".join("%s=%s" % kv for kv in act.items() if kv[0] != "name"))
    how = {"exact": "exact", "certified": "certified: a determinant ball excludes 0"}.get(
        rep["rank_basis"], "at tolerance %s, not certified" % rep["tolerance"])
    crit = "exact" if rep["rank_basis"] == "exact" else "to tolerance %s" % rep["tolerance"]
    lines = ["Shen's system grad J = P(W) eps of a %s %s net%s at %s" % (
        "-".join(map(str, net["widths"])), act, " with dummy units (biases)" if net["bias"] else "", path),
        "E = 1/2 ||yhat - y||^2 summed over %d sample(s); eps = yhat - y" % rep["samples"], "",
        "block  rows x cols  rank"]
    lines += ["P_%-4d %4d x %-5d %d (%s)" % (b["layer"], b["rows"], b["cols"], b["rank"], b["rank_basis"])
              for b in rep["blocks"]]
    lines += ["", "rank P      %d (%s)" % (rep["rank"], how)]
    if rep["rank_basis"] != "exact":
        lines += ["rank bounds %d <= rank P (certified) <= %s" % (
            rep["rank_certified_lower"], "undecided" if rep["rank_upper"] is None else rep["rank_upper"])]
    lines += [
              "N_net       %d" % rep["n_net"],
              "n_L T       %d (N_net >= n_L T: %s)" % (rep["n_l_t"], "yes" if rep["counting_condition"] else "no"),
              "critical    %s (max |grad J| = %s, %s)" % ("yes" if rep["critical"] else "no", rep["gradient_norm"], crit),
              "eps = 0     %s" % ("yes" if rep["exact_fit"] else "no"),
              "verdict     %s" % rep["verdict"]]
    return "\n".join(lines)


def _cmd_rank(args):
    from lossgeom.data import read_net_file

    nf = read_net_file(args.netfile)
    rep = rank_report(nf, dps=args.dps, source=args.netfile)
    text = json.dumps(rep, indent=2) if args.format == "json" else _text(rep, args.netfile)
    write_output(text, args.out)
    return 0
