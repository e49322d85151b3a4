"""``lossgeom derive``: print a symbolic derivation (gradient, Hessian recursion, Gauss-Newton).

The output is the derivation's named equations in computation order and, per layer, the
Kronecker form of its Hessian block; ``--blocks`` adds the block entries and ``--expand``
expands the named quantities into the weights (with common-subexpression elimination in
text and JSON output).
"""

import argparse
import json

import sympy as sp

from lossgeom.cli import UsageError, add_format, add_net_options, add_out, build_net, positive_int, write_output
from lossgeom.errors import SizeLimitError
from lossgeom.limits import LIMITS

ORDER = 20

KINDS = ("hessian", "gauss-newton", "gradient", "path-sum", "linear-gradient")

#: Most block entries printed entrywise; beyond it the Kronecker form is the readable output.
MAX_BLOCK_ENTRIES = LIMITS["derive_block_entries"].value
#: Most terms in the printed named Hessian equations (about sum_l d_l(d_l+1)/2 * d_{l+1}^2).
MAX_EQUATION_TERMS = LIMITS["derive_equation_terms"].value


def equation_terms(net):
    """Estimated number of terms in the named Hessian equations: sum_l d_l(d_l+1)/2 * d_{l+1}^2.

    Examples
    --------
    >>> from lossgeom import Net
    >>> equation_terms(Net(widths=(10, 30, 30, 1)))
    418965
    """
    w = net.widths
    return sum(w[l] * (w[l] + 1) // 2 * w[l + 1] ** 2 for l in range(1, len(w) - 1))


def _samples(text):
    """--samples: an integer from 1 to the derive_samples limit (checked for every kind, so none ignores a bad value)."""
    value = positive_int("--samples", 1)(text)
    try:
        LIMITS["derive_samples"].check(value, "--samples")
    except SizeLimitError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return value


def add(sub):
    p = sub.add_parser("derive", help="derive the gradient, Hessian recursion or Gauss-Newton recursion",
                       description="Derive, exactly in SymPy, backpropagation and the Botev et al. (2017) "
                                   "Hessian recursion (or its Gauss-Newton form) for a net, as named equations "
                                   "in computation order and the Kronecker form of each layer block.")
    p.add_argument("kind", choices=KINDS, help="what to derive (path-sum: Choromanska et al. 2015; linear-gradient: "
                                               "Kawaguchi 2016, Lemma 1, for identity activations)")
    add_net_options(p, activation="tanh", widths_required=False)
    p.add_argument("--layer", type=int, help="only this layer's block (1-based)")
    p.add_argument("--samples", type=_samples, default=1,
                   help="linear-gradient: number of samples m, 1 to 20 (default 1)")
    p.add_argument("--blocks", action="store_true", help="print the block entries, not only the Kronecker form")
    p.add_argument("--expand", action="store_true", help="expand named quantities into the weights")
    p.add_argument("--structured", action="store_true",
                   help="hessian only: the structured form (lossgeom.symbolic.structured_hessian), with U_l = "
                        "H_{l+1} W_{l+1} named, so the equations grow as d^3 rather than d^4 in the width")
    p.add_argument("--proof", action="store_true",
                   help="print the general proof of the kind's statement, for every depth and all widths "
                        "(base case, inductive step, each identity and how it was decided); no net needed")
    add_format(p, choices=("text", "latex", "json", "markdown"))
    add_out(p)
    p.set_defaults(func=run)


def run(args):
    from lossgeom.symbolic import derive_gauss_newton, derive_gradient, derive_hessian

    if args.proof:
        return _run_proof(args)
    if args.widths is None:
        raise UsageError("--widths: required (except with --proof)")
    net = build_net(args)
    LIMITS["derive_parameters"].check(net.n_params, "derive", shown="%s has %s parameters" % (net, "{:,}".format(
        net.n_params)))
    if args.layer is not None and not 1 <= args.layer <= net.depth:
        raise UsageError("--layer: expected a layer from 1 to %d, got %d" % (net.depth, args.layer))
    layers = [args.layer] if args.layer else list(range(1, net.depth + 1))
    if args.structured and args.kind != "hessian":
        raise UsageError("--structured: only for the kind hessian, got %s" % args.kind)
    if args.structured:
        from lossgeom.symbolic.structured import estimated_terms
        if estimated_terms(net) > MAX_EQUATION_TERMS:
            raise UsageError("derive: the structured Hessian equations of %s have about %d terms, above the limit %d "
                             "for printing; use the Python API (lossgeom.symbolic.structured_hessian) or a smaller "
                             "net (limit derive_equation_terms)" % (net, estimated_terms(net), MAX_EQUATION_TERMS))
    elif args.kind in ("hessian", "gauss-newton") and equation_terms(net) > MAX_EQUATION_TERMS:
        raise UsageError("derive: the named Hessian equations of %s have about %d terms, above the limit %d for "
                         "printing; use the Python API (lossgeom.symbolic.derive_hessian), which keeps them "
                         "unexpanded, or a smaller net (limit derive_equation_terms)" % (net, equation_terms(net), MAX_EQUATION_TERMS))
    if args.expand:
        from lossgeom.symbolic.hessian import EXPAND_LIMIT
        if net.n_params > EXPAND_LIMIT:
            raise UsageError("--expand: the net has %d parameters, above the limit %d for expanding into the "
                             "weights; drop --expand to see the named form (limit expand_parameters)" % (net.n_params, EXPAND_LIMIT))
    if args.kind == "path-sum":
        return _run_path_sum(args, net)
    if args.kind == "linear-gradient":
        return _run_linear_gradient(args, net, layers)
    if args.structured:
        from lossgeom.symbolic.structured import structured_hessian
        derivation = structured_hessian(net)
    elif args.kind == "gradient":
        derivation = derive_gradient(net)
    else:
        derivation = (derive_hessian if args.kind == "hessian" else derive_gauss_newton)(net)
    if args.blocks or args.expand:
        entries = sum(net.layer_size(l) ** (1 if args.kind == "gradient" else 2) for l in layers)
        if entries > MAX_BLOCK_ENTRIES:
            raise UsageError("--blocks: %d block entries requested, above the limit %d; use --layer or the "
                             "Kronecker form (without --blocks) (limit derive_block_entries)" % (entries, MAX_BLOCK_ENTRIES))
    doc = _document(args.kind, net, derivation, layers, args.blocks or args.expand, args.expand)
    write_output(_render(doc, args.format, derivation), args.out)
    return 0


def _block(kind, derivation, l, expand):
    block = derivation.gradient(l) if kind == "gradient" else derivation.layer_block(l)
    return derivation.expand(block) if expand else block


def _formula(kind, net, l):
    a = "[a_%d; 1]" % (l - 1) if net.bias else "a_%d" % (l - 1)
    if kind == "gradient":
        return "dE/dtheta_%d = vec(delta_%d %s^T)" % (l, l, a)
    name = "G" if kind == "gauss-newton" else "H"
    return "d2E/dtheta_%d^2 = (%s %s^T) kron %s_%d" % (l, a, a, name, l) + (
        " + weight_decay*I" if net.weight_decay else "")


def _document(kind, net, derivation, layers, with_blocks, expand):
    from lossgeom.symbolic.latex import latex

    structured = type(derivation).__name__ == "StructuredHessian"
    names = {"hessian": ("Structured Hessian" if structured else "Hessian") + " recursion (Botev, Ritter & Barber 2017)",
             "gauss-newton": "Gauss-Newton recursion (Botev, Ritter & Barber 2017)",
             "gradient": "backpropagation"}
    doc = {"kind": kind, "title": "%s of %s" % (names[kind], net), "net": net.spec(),
           "parameters": list(net.parameter_names()),
           "equations": [{"lhs": str(eq.lhs), "rhs": str(eq.rhs), "latex": latex(eq)}
                         for eq in derivation.equations],
           "layers": []}
    for l in layers:
        entry = {"layer": l, "parameters": list(net.layer_parameter_names(l)), "formula": _formula(kind, net, l)}
        if with_blocks:
            block = _block(kind, derivation, l, expand)
            entry["latex"] = latex(block)
            if expand:
                subs, (reduced,) = sp.cse(block, symbols=sp.numbered_symbols("c"))
                entry["subexpressions"] = [[str(s), str(e)] for s, e in subs]
                block = reduced
            entry["entries"] = [[str(block[i, j]) for j in range(block.cols)] for i in range(block.rows)]
        doc["layers"].append(entry)
    return doc


def _render(doc, fmt, derivation):
    if fmt == "json":
        return json.dumps(doc, indent=2)
    if fmt == "latex":
        from lossgeom.symbolic.latex import latex
        lines = ["%% %s" % doc["title"], latex(derivation)]  # the equations as an aligned block
        for layer in doc["layers"]:
            if "latex" in layer:
                lines.append("%% layer %d: %s" % (layer["layer"], layer["formula"]))
                lines.append(layer["latex"])
        return "\n".join(lines)
    code = "`" if fmt == "markdown" else ""
    lines = [("# " if fmt == "markdown" else "") + doc["title"], ""]
    lines.append("Equations, in computation order:")
    lines += ["  %s%s = %s%s" % (code, e["lhs"], e["rhs"], code) for e in doc["equations"]]
    for layer in doc["layers"]:
        lines += ["", "Layer %d (%s): %s" % (layer["layer"], ", ".join(layer["parameters"]), layer["formula"])]
        for s, e in layer.get("subexpressions", []):
            lines.append("  %s%s = %s%s" % (code, s, e, code))
        for row in layer.get("entries", []):
            lines.append("  [" + ", ".join(row) + "]")
    return "\n".join(lines)


def _run_path_sum(args, net):
    from lossgeom.symbolic.latex import latex
    from lossgeom.symbolic.paths import expand_path_sum

    ps = expand_path_sum(net)
    outputs = [str(v) for v in ps.outputs]
    if args.format == "json":
        text = json.dumps({"kind": "path-sum", "net": net.spec(), "paths": ps.n_paths, "outputs": outputs,
                           "latex": latex(ps)}, indent=2)
    elif args.format == "latex":
        text = latex(ps)
    else:
        lines = ["Path-sum expansion (Choromanska et al. 2015) of %s: %d paths" % (net, ps.n_paths), ""]
        lines += ["  yhat[%d] = %s" % (j + 1, v) for j, v in enumerate(outputs)]
        text = "\n".join(lines)
    write_output(text, args.out)
    return 0


def _run_linear_gradient(args, net, layers):
    from lossgeom.symbolic.latex import latex
    from lossgeom.symbolic.linear import generic_linear_instance, lemma1_gradient, require_deep_linear

    require_deep_linear(net, what="linear-gradient")
    point = generic_linear_instance(net, args.samples)
    doc = {"kind": "linear-gradient", "net": net.spec(), "samples": args.samples, "layers": []}
    for k in layers:
        g = lemma1_gradient(net, point, k)
        doc["layers"].append({"layer": k, "formula": "vec(dL/dW_%d) = (B_%d kron A_%d^T) vec(R), A_k = W_L...W_{k+1}, "
                                                     "B_k = W_{k-1}...W_1 X, R = W_L...W_1 X - Y" % (k, k, k),
                              "gradient": [str(v) for v in g], "latex": latex(g)})
    if args.format == "json":
        text = json.dumps(doc, indent=2)
    elif args.format == "latex":
        text = "\n".join("%% layer %d: %s\n%s" % (l["layer"], l["formula"], l["latex"]) for l in doc["layers"])
    else:
        lines = ["Deep linear gradient (Kawaguchi 2016, Lemma 1) of %s, %d sample(s)" % (net, args.samples)]
        for l in doc["layers"]:
            lines += ["", "Layer %d: %s" % (l["layer"], l["formula"])] + ["  " + v for v in l["gradient"]]
        text = "\n".join(lines)
    write_output(text, args.out)
    return 0


#: The general proofs (lossgeom.symbolic.general_proofs) printed by ``derive KIND --proof``.
PROOF_KINDS = {"hessian": ("hessian-recursion", "kronecker-block", "piecewise-linear"),
               "gauss-newton": ("gauss-newton",), "gradient": ("hessian-recursion",),
               "path-sum": ("path-count", "bernoulli-expectation"), "linear-gradient": ("deep-linear",)}


def _run_proof(args):
    """``derive KIND --proof``: the general proofs of the kind (backpropagation is a lemma of the recursion's)."""
    from lossgeom.cli import net_options_given
    from lossgeom.symbolic.general_proofs import general_proof

    extra = net_options_given(args) + [f for f, v in (("--widths", args.widths), ("--layer", args.layer),
                                                      ("--blocks", args.blocks), ("--expand", args.expand),
                                                      ("--structured", args.structured))
                                       if v not in (None, False)]
    if extra:
        raise UsageError("--proof: the general proof is for every net; drop %s" % ", ".join(extra))
    proofs = [general_proof(name) for name in PROOF_KINDS[args.kind]]
    if args.format == "json":
        text = json.dumps({"kind": args.kind, "proofs": [dict(p.facts(), name=p.name, statement=p.statement,
                                                              outcome=p.outcome, claims=list(p.claims))
                                                         for p in proofs]}, indent=2)
    elif args.format == "latex":
        text = "\n\n".join(p.latex() for p in proofs)
    else:
        text = "\n\n".join(p.text() for p in proofs)
    write_output(text, args.out)
    return 0
