"""``lossgeom critical NETFILE``: enumerate and classify the critical points of a deep linear net.

For identity activations and the square loss (no bias, no weight decay, summed over samples) the
critical points built from subsets I of Sigma's eigenvectors (Baldi & Hornik 1989; Kawaguchi 2016)
are listed with their exact value 1/2 (tr YY^T - sum_{i in I} lambda_i), Hessian inertia at
``--dps`` digits, classification and its certificate (for a saddle with a PSD Hessian: the
lowest-order coefficient of the loss along an explicit curve).  The data's assumptions (XX^T
invertible, XY^T full rank, d_y <= d_x, and the UNCONFIRMED distinct-eigenvalue clause) are decided
exactly and reported; with XX^T singular the points are undefined and the command exits 2.
If the file has weights, the point they define is classified too (``at_weights``).  The report is
computed by :func:`lossgeom.numeric.critical.critical_report`; this command checks the file and formats.

JSON fields (stable): ``net``, ``widths``, ``dps``, ``assumptions``, ``sigma_eigenvalues`` (exact text
and decimals), ``global_minimum_value`` (exact "p/q" when rational, else decimal),
``global_minimum_value_exact``, ``critical_points`` (each: ``subset``, ``rank``, ``value``,
``value_decimal``, ``value_exact``, ``gradient_norm``, ``inertia`` {``positive``, ``negative``,
``zero``, ``tolerance``}, ``classification``, ``certificate``, and ``eigenvalues`` when computed),
optional ``at_weights``.
"""

import json

from lossgeom.cli import add_format, add_out, add_precision, write_output

ORDER = 50


def add(sub):
    p = sub.add_parser("critical", help="deep linear nets: enumerate and classify critical points",
                       description="Enumerate the critical points of a deep linear net (identity activation, square "
                                   "loss) from subsets of Sigma's eigenvectors, with exact values, Hessian inertia "
                                   "at --dps digits and classification. Exit 2 on bad input.")
    p.add_argument("netfile", metavar="NETFILE", help="JSON net file with inputs and targets (weights optional)")
    add_precision(p)
    p.add_argument("--ranks", choices=("all", "full"), default="all",
                   help="all subsets |I| <= min(p, d_y) (default) or only |I| = min(p, d_y)")
    add_format(p, choices=("text", "json"))
    add_out(p)
    p.set_defaults(func=_cmd_critical)


def _check_linear(nf, source):
    from lossgeom.errors import NetFileError
    from lossgeom.symbolic.linear import require_deep_linear

    require_deep_linear(nf.net, hidden=True, what="lossgeom critical")
    if nf.inputs is None:
        raise NetFileError("%s: inputs: the critical command needs inputs and targets" % source)
    check_data(nf.n_samples, nf.net.widths[0] + nf.net.widths[-1], source)


def check_data(n_samples, per_sample, source="critical"):
    """Refuse data past ``critical_data_entries`` (X X^T and X Y^T are computed exactly), before any work.

    Examples
    --------
    >>> check_data(50000, 2)
    >>> check_data(100000, 2)
    Traceback (most recent call last):
    ...
    lossgeom.errors.SizeLimitError: critical: 100,000 samples of 2 numbers: 200,000 numbers; the limit is 100,000 numbers (limit critical_data_entries)
    """
    from lossgeom.limits import LIMITS
    total = n_samples * per_sample
    LIMITS["critical_data_entries"].check(total, source, shown="%s samples of %d numbers: %s numbers" % (
        "{:,}".format(n_samples), per_sample, "{:,}".format(total)))


def _text(rep):
    lines = ["deep linear net %s, dps = %d" % ("-".join(map(str, rep["widths"])), rep["dps"])]
    a = rep["assumptions"]
    lines.append("assumptions (exact): XX^T invertible: %s; XY^T full rank: %s; d_y <= d_x: %s; "
                 "distinct eigenvalues of Sigma (UNCONFIRMED clause): %s"
                 % (a["XX^T invertible"], a["XY^T full rank"], a["d_y <= d_x"],
                    a["Sigma distinct eigenvalues (UNCONFIRMED clause)"]))
    for f in a["failures"]:
        lines.append("  WARNING: %s (Kawaguchi's theorem does not apply)" % f)
    lines.append("Sigma eigenvalues: " + ", ".join(e["exact"] if len(e["exact"]) < 20 else _short(e["decimal"], 20)
                                                    for e in rep["sigma_eigenvalues"]))
    lines.append("global minimum value: %s" % rep["global_minimum_value"])
    rows = [("subset I", "rank", "value", "+/-/0", "classification", "certificate")]
    for c in rep["critical_points"]:
        inr = c["inertia"]
        cert = c["certificate"]
        note = ("descent at t^%d, coefficient %s" % (cert["order"], _short(cert["coefficient"]))
                if "order" in cert else "")
        value = _short(c["value"])
        rows.append(("{%s}" % ",".join(map(str, c["subset"])), str(c["rank"]), value,
                     "%d/%d/%d" % (inr["positive"], inr["negative"], inr["zero"]), c["classification"], note))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    for r in rows:
        lines.append("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    if "at_weights" in rep:
        w = rep["at_weights"]
        lines.append("at the file's weights: value %s, gradient norm %s, %s%s"
                     % (_short(w["value"], 20), _short(w["gradient_norm"]), w["classification"],
                        "" if not w["critical"] else " (inertia %d/%d/%d)" % (
                            w["inertia"]["positive"], w["inertia"]["negative"], w["inertia"]["zero"])))
    return "\n".join(lines)


def _cmd_critical(args):
    from lossgeom.data import read_net_file
    from lossgeom.numeric.critical import critical_report

    nf = read_net_file(args.netfile)
    _check_linear(nf, args.netfile)
    rep = critical_report(nf.net, nf.inputs, nf.targets, weights=nf.weights, dps=args.dps, ranks=args.ranks)
    text = json.dumps(rep, indent=2) if args.format == "json" else _text(rep)
    write_output(text, args.out)
    return 0


def _short(text, width=14):
    """A number's text for the table: unchanged when short, else rounded to 12 significant digits
    (never cut in the middle: "1/200000000000000000" must not print as "1/2000000000")."""
    import re

    import mpmath
    text = str(text)
    if len(text) <= width:
        return text
    m = re.fullmatch(r"\s*(-?\d+)/(\d+)\s*", text)
    try:
        with mpmath.workdps(30):
            value = mpmath.mpf(int(m.group(1))) / int(m.group(2)) if m else mpmath.mpf(text)
            return mpmath.nstr(value, 12)
    except (ValueError, TypeError):
        return text
