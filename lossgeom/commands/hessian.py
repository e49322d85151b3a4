"""``lossgeom hessian NETFILE``: the full Hessian at a net file's weights, with its spectrum.

The loss is summed over the file's samples (divided by their number for ``"reduction": "mean"``).
Output: parameter names in theta's order, loss, gradient, the Hessian, eigenvalues (ascending),
inertia with the tolerance that separated zero, trace, and for each layer whether its diagonal
block (the Botev block (a~ a~^T) kron H_l summed over samples) is PSD.

JSON fields (stable; numbers are decimal strings with ``--dps`` significant digits): ``net``,
``parameters``, ``samples``, ``loss``, ``gradient``, ``hessian`` (rows), ``eigenvalues``,
``inertia`` {``positive``, ``negative``, ``zero``, ``tolerance``}, ``rank`` and ``rank_basis``,
``trace``, ``layer_blocks`` (one per layer: ``layer``, ``parameters``, ``psd``, ``min_eigenvalue``,
``basis``), ``dps``, ``backend``, ``kinks`` (always empty here), ``exact``, and with ``--certify``
``certified_inertia``, ``eigenvalue_enclosures``, ``enclosure_counts`` and ``eigenvector_error_bounds``.

``--certify`` evaluates the Hessian in ball arithmetic (python-flint arb: every entry a ball proved to
contain the true value, kinks decided by ball inclusion, raised precision or an exact check, never a
tolerance) and encloses its spectrum with the certified eigen-solver
(:func:`lossgeom.numeric.certified_eig.certified_eigh`).  ``eigenvalue_enclosures`` holds one
[lower, upper] pair of decimal strings per eigenvalue, ascending, rounded outward (the printed interval
still contains the eigenvalue of the true Hessian); a cluster's enclosure is repeated once per eigenvalue
it holds.  ``eigenvector_error_bounds`` holds, per eigenvalue, a proved upper bound (3 digits, rounded up)
on the sine of the angle between the solver's eigenvector and the true Hessian's eigenvector (for a
cluster: the largest principal angle between the solver's basis and the cluster's invariant subspace;
Davis-Kahan sin-theta theorem); the vectors themselves are
``lossgeom.numeric.certified_eig.certified_eigh(...).vectors`` (null where the solver fell back to
``acb_mat.eig``).  The eigenvalues shown, the inertia, the rank (where every enclosure excludes 0) and the layer
verdicts then come from the enclosures (exact ones where the Hessian is rational).

When the loss is a rational function of the weights (square loss; identity, ReLU, leaky ReLU,
two-piece, abs or softsign activations) the Hessian at the file's rational weights is itself rational:
it is then also computed exactly (``hessian_exact``, entries "p/q"; ``trace`` exact), and the
inertia, rank and layer-block PSD verdicts are decided exactly (tolerance "exact").

At a kink (a pre-activation exactly at a kink of its activation) the Hessian does not exist: the
command prints one line on stderr naming the units and samples, and exits 2.
"""

import json

from lossgeom.cli import add_format, add_out, add_precision, write_output
from lossgeom.limits import LIMITS, hessian_work_units

ORDER = 30

#: Largest parameter count the command handles (50-digit eigenvalues of an n x n matrix are O(n^3));
#: an alias of ``LIMITS["hessian_parameters"]``, with the joint limit ``hessian_work``.
MAX_PARAMS = LIMITS["hessian_parameters"].value
#: Largest Hessian printed as a matrix in text output.
TEXT_MATRIX_MAX = 12


def add(sub):
    p = sub.add_parser("hessian", help="the full Hessian at a net file's weights, with spectrum and inertia",
                       description="Evaluate the full Hessian (every cross-layer block) of the loss summed over the "
                                   "net file's samples, at --dps digits; print eigenvalues, inertia with its "
                                   "tolerance, trace and which layer blocks are PSD. Exit 2 on bad input or when a "
                                   "pre-activation sits exactly at a kink (the Hessian does not exist there).")
    p.add_argument("netfile", metavar="NETFILE", help="JSON net file with weights, inputs and targets")
    add_precision(p)
    p.add_argument("--certify", action="store_true",
                   help="certify: the Hessian in ball arithmetic and enclosures of the eigenvalues of the true "
                        "Hessian (python-flint); inertia and rank from the enclosures")
    add_format(p, choices=("text", "json"))
    add_out(p)
    p.set_defaults(func=_cmd_hessian)


def hessian_report(net_file, dps=50, certify=False):
    """The data of ``lossgeom hessian`` as a JSON-ready dict (numbers as decimal strings).

    The verdicts come from :class:`lossgeom.numeric.summary.HessianSummary`; this only formats them.

    Examples
    --------
    >>> from lossgeom import net_file_from_dict
    >>> nf = net_file_from_dict({"widths": [1, 1, 1], "activation": "tanh", "weights": [[["1/2"]], [[2]]],
    ...                          "inputs": [[1]], "targets": [[0]]})
    >>> rep = hessian_report(nf, dps=15)
    >>> rep["parameters"], rep["hessian"][1][1], rep["inertia"]["positive"]
    (['W1[1,1]', 'W2[1,1]'], '0.213552267034073', 1)
    """
    import mpmath

    from lossgeom.numeric.summary import summarize_net_file

    net = net_file.net
    check_size(net.n_params, net_file.n_samples or 0, dps, certify=certify)
    s = summarize_net_file(net_file, dps=dps, certify=certify)
    ev, H = s.evaluation, s.evaluation.hessian
    num = lambda v: mpmath.nstr(v, dps, min_fixed=-4, max_fixed=6)  # noqa: E731
    out = {
        "net": net.spec(),
        "parameters": list(ev.parameters),
        "samples": ev.n_samples,
        "loss": num(ev.loss),
        "gradient": [num(g) for g in ev.gradient],
        "hessian": [[num(H[i, j]) for j in range(H.cols)] for i in range(H.rows)],
        "eigenvalues": [num(e) for e in s.eigenvalues],
        "inertia": s.inertia.to_dict(),
        "rank": s.rank,
        "rank_basis": s.rank_basis,
        "trace": str(s.trace) if s.is_exact else num(s.trace),
        "layer_blocks": [{"layer": b.layer, "parameters": list(b.parameters), "psd": b.verdict.psd,
                          "min_eigenvalue": b.verdict.min_eigenvalue, "basis": b.verdict.basis} for b in s.blocks],
        "dps": dps,
        "backend": ev.backend,
        "kinks": list(ev.kink_units),
        "exact": s.is_exact,
    }
    if s.is_exact:
        out["hessian_exact"] = [[str(s.exact.hessian[i, j]) for j in range(H.cols)] for i in range(H.rows)]
    if certify:
        from lossgeom.numeric.certified_eig import decimal_outward

        out["certified_inertia"] = s.certified.to_dict()
        out["eigenvalue_enclosures"] = [[decimal_outward(e.lower, dps + 5, -1), decimal_outward(e.upper, dps + 5, 1)]
                                        for e in s.spectrum.enclosures]
        out["enclosure_counts"] = list(s.spectrum.counts)
        out["eigenvector_error_bounds"] = [None if b is None else decimal_outward(b, 3, 1)
                                           for b in s.spectrum.vector_bounds]
    return out


def check_size(n_params, n_samples, dps, certify=False):
    """Refuse a request past ``hessian_parameters`` or the joint ``hessian_work`` limit, before any work
    (``hessian_certify_parameters`` and ``hessian_certify_work`` with ``certify``).

    Examples
    --------
    >>> check_size(70, 1, 50)
    >>> check_size(166, 6, 50, certify=True)
    >>> check_size(30, 1, 10000)
    Traceback (most recent call last):
    ...
    lossgeom.errors.SizeLimitError: hessian: 30 parameters, 1 sample(s) at 10000 digits: about 895,560 work units; the limit is 420,000 work units (limit hessian_work)
    """
    names = ("hessian_certify_parameters", "hessian_certify_work") if certify else ("hessian_parameters",
                                                                                    "hessian_work")
    LIMITS[names[0]].check(n_params, "hessian", shown="the net has %d parameters (use the Python API "
                           "lossgeom.numeric.evaluate.full_hessian for larger nets)" % n_params)
    work = hessian_work_units(n_params, n_samples, dps)
    LIMITS[names[1]].check(work, "hessian", shown="%d parameters, %d sample(s) at %s digits: about %s work units"
                           % (n_params, n_samples, dps, "{:,}".format(work)))


def _text(rep, path):
    short = lambda s: _short(s, 8)  # noqa: E731
    names = rep["parameters"]
    width = max(len(n) for n in names)
    net = rep["net"]
    act = net["activation"]
    if isinstance(act, dict):
        act = "%s(%s)" % (act["name"], ", ".join("%s=%s" % kv for kv in act.items() if kv[0] != "name"))
    lines = ["Hessian of the %s loss of a %s %s net%s at %s" % (
        net["loss"], "-".join(map(str, net["widths"])), act, " with biases" if net["bias"] else "", path),
        "%d parameter(s), %d sample(s) (%s), %d digits (backend %s); matrix entries shown to 8 digits, "
        "--format json gives all" % (len(names), rep["samples"],
                                      "loss averaged" if net.get("reduction") == "mean" else "loss summed",
                                      rep["dps"], rep["backend"]),
        "",
        "loss      %s" % rep["loss"],
        "trace     %s" % rep["trace"],
        "inertia   %d positive, %d negative, %d zero (%s)" % (
            rep["inertia"]["positive"], rep["inertia"]["negative"], rep["inertia"]["zero"],
            "exact: the Hessian is rational here, decided in rational arithmetic" if rep["exact"]
            else "|eigenvalue| <= %s counts as zero" % rep["inertia"]["tolerance"]),
        "rank      %d (%s)" % (rep["rank"], rep["rank_basis"])]
    if "certified_inertia" in rep:
        c = rep["certified_inertia"]
        lines.append("certified %d positive, %d negative, %d undecided (%s)" % (
            c["positive"], c["negative"], c["zero"], c["tolerance"]))
    lines += ["kinks     none", "", "%-*s  %s" % (width, "parameter", "gradient")]
    lines += ["%-*s  %s" % (width, n, g) for n, g in zip(names, rep["gradient"])]
    lines += ["", "eigenvalues (ascending)"] + ["  %s" % e for e in rep["eigenvalues"]]
    lines += ["", "layer blocks (a~ a~^T) kron H_l summed over samples"]
    for b in rep["layer_blocks"]:
        verdict = {True: "PSD", False: "not PSD", None: "undecided"}[b["psd"]]
        lines.append("  layer %d (%s .. %s): %s, min eigenvalue %s (%s)" % (
            b["layer"], b["parameters"][0], b["parameters"][-1], verdict, b["min_eigenvalue"], b["basis"]))
    if len(names) > TEXT_MATRIX_MAX:
        lines += ["", "Hessian: %dx%d, too wide for text; --format json gives every entry" % (len(names), len(names))]
    else:
        lines += ["", "Hessian (rows and columns in the parameter order above)"]
        for n, row in zip(names, rep["hessian"]):
            lines.append("%-*s  %s" % (width, n, " ".join("%11s" % short(v) for v in row)))
    return "\n".join(lines)


def _short(text, digits):
    import mpmath
    with mpmath.workdps(digits + 5):
        return mpmath.nstr(mpmath.mpf(text), digits, min_fixed=-4, max_fixed=6)


def _cmd_hessian(args):
    from lossgeom.data import read_net_file

    nf = read_net_file(args.netfile)
    rep = hessian_report(nf, dps=args.dps, certify=args.certify)
    text = json.dumps(rep, indent=2) if args.format == "json" else _text(rep, args.netfile)
    write_output(text, args.out)
    return 0
