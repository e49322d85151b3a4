"""``lossgeom verify``: run the claims catalog."""

import json
import sys

from lossgeom.cli import add_format, add_out, add_precision, add_seed, write_output

ORDER = 10


def add(sub):
    p = sub.add_parser("verify", help="run the claims catalog",
                       description="Verify the claims catalog (all claims, or the given ids). "
                                   "Exit 1 when an outcome contradicts its claim's expectation (proved or verified "
                                   "for 'fails', refuted for 'holds'), 0 otherwise (inconclusive outcomes are "
                                   "reported but do not fail), 2 for bad usage.")
    p.add_argument("claims", nargs="*", metavar="CLAIM_ID", help="claim ids (default: all)")
    p.add_argument("--list", action="store_true", help="list the claims and exit")
    add_precision(p)
    add_seed(p)
    add_format(p)
    add_out(p)
    p.add_argument("--quiet", action="store_true", help="no progress display")
    add_claim_sources(p)
    p.set_defaults(func=_cmd_verify)


def add_claim_sources(p):
    """Declare ``--module PATH_OR_DOTTED`` (repeatable) and ``--no-plugins``: where users' own claims come from."""
    p.add_argument("--module", action="append", default=[], metavar="PATH_OR_DOTTED",
                   help="also load the claims of this module (a .py file or a dotted module name; repeatable); "
                        "see docs/own-claims.md")
    p.add_argument("--no-plugins", action="store_true",
                   help="do not load installed claims packages (entry-point group lossgeom.claims)")


def load_claim_sources(args):
    """Load the installed claims packages (unless ``--no-plugins``) and every ``--module``; a failure is
    a ClaimDefinitionError naming the module (exit 2), before any claim runs."""
    from lossgeom.proofs import load_claim_module, load_entry_point_claims
    if not args.no_plugins:
        load_entry_point_claims()
    for spec in args.module:
        load_claim_module(spec)


def expand_ids(ids):
    """Claim ids, where a bare source name (``botev2017``, or a user module's prefix) stands for all its claims.

    Examples
    --------
    >>> expand_ids(["choromanska2015"])[:2]
    ['choromanska2015.path-sum', 'choromanska2015.path-count']
    """
    from lossgeom.proofs import get_claim, list_claims
    out = []
    for cid in ids:
        if "." not in cid:
            members = [c.id for c in list_claims() if c.id.startswith(cid + ".")]
            if members:
                out += members
                continue
        out.append(get_claim(cid).id)  # unknown ids: one clear error before any work
    return out


def _cmd_verify(args):
    from lossgeom.proofs import get_claim, list_claims, verify_claims

    load_claim_sources(args)
    args.claims = expand_ids(args.claims)
    if args.list:
        claims = [get_claim(i) for i in args.claims] if args.claims else list_claims()
        if args.format == "json":
            text = json.dumps({"claims": [{"id": c.id, "source": c.source, "method": c.method, "expect": c.expect,
                                           "title": c.title, "statement": c.statement, "scope": c.scope,
                                           "origin": c.origin} for c in claims]}, indent=2)
        else:
            width = max(len(c.id) for c in claims)
            text = "\n".join("%-*s  %-12s %-6s %s" % (width, c.id, c.method, c.expect, c.title) for c in claims)
        write_output(text, args.out)
        return 0
    check_dps_limit(args.dps)

    progress = None if args.quiet else show_progress
    reports = verify_claims(args.claims or None, dps=args.dps, seed=args.seed, progress=progress)
    write_output(render_reports(reports, args.format, args.dps, args.seed), args.out)
    return exit_status(reports)


def check_dps_limit(dps):
    """Refuse ``--dps`` past the ``verify_dps`` limit (the slowest claim's cost grows with it), before any work.

    Examples
    --------
    >>> check_dps_limit(5000)
    >>> check_dps_limit(10000)
    Traceback (most recent call last):
    ...
    lossgeom.errors.SizeLimitError: --dps: 10000 digits; the limit is 5000 digits (limit verify_dps)
    """
    from lossgeom.limits import LIMITS
    if isinstance(dps, int) and not isinstance(dps, bool):
        LIMITS["verify_dps"].check(dps, "--dps")


def exit_status(reports):
    """1 when some outcome contradicts its claim's expectation, else 0 (``inconclusive`` never contradicts)."""
    return 1 if any(r.contradicts for r in reports) else 0


def show_progress(i, n, claim, report):
    """Progress on stderr: ``[i/n] id ... outcome (seconds) ok|MISMATCH``."""
    if report is None:
        sys.stderr.write("[%d/%d] %s ... " % (i, n, claim.id))
    else:
        mark = "ok" if report.matches else ("MISMATCH" if report.contradicts else "undecided")
        sys.stderr.write("%s (%.1f s) %s\n" % (report.outcome, report.seconds, mark))
    sys.stderr.flush()


def summary_line(reports, dps, seed):
    """``k of n claims match their expectation (dps=..., seed=...).`` plus the inconclusive count, if any."""
    ok = sum(r.matches for r in reports)
    undecided = sum(r.outcome == "inconclusive" for r in reports)
    line = "%d of %d claims match their expectation (dps=%d, seed=%d)." % (ok, len(reports), dps, seed)
    if undecided:
        line += " %d inconclusive (reported; not a failure)." % undecided
    return line


def scope_label(report):
    """The scope column of the text table: ``general`` (every depth and all widths, by a general proof) or
    ``stated`` (the instances the scope line names).

    Examples
    --------
    >>> from lossgeom.report import Report
    >>> scope_label(Report("x", "proved", "m", scope="every depth (general proof); cross-checked on 2 nets"))
    'general'
    >>> scope_label(Report("x", "proved", "m", scope="the nets 2-2-1 and 2-3-1"))
    'stated'
    """
    from lossgeom.symbolic.general import GENERAL_SCOPE
    return "general" if GENERAL_SCOPE.split("%s")[1] in (report.scope or "") else "stated"


def render_reports(reports, fmt, dps, seed, latex_table="tabular"):
    """Render verify results as text, json, latex or markdown (``latex_table``: tabular or longtable)."""
    ok = sum(r.matches for r in reports)
    if fmt == "json":
        return json.dumps({"dps": dps, "seed": seed, "matched": ok, "total": len(reports),
                           "claims": [r.to_dict() for r in reports]}, indent=2)
    if fmt == "markdown":
        head = ["| claim | source | outcome | expect | method | scope | seconds |", "|---|---|---|---|---|---|---|"]
        rows = ["| `%s` | %s | **%s** | %s | %s | %s | %.2f |" % (r.claim, r.source, r.outcome, r.expect, r.method,
                                                                r.scope, r.seconds) for r in reports]
        return "\n".join(head + rows + ["", summary_line(reports, dps, seed), ""] + [r.to_markdown() for r in reports])
    if fmt == "latex":
        from lossgeom.report import ReportTable
        from lossgeom.symbolic.latex import latex
        return latex(ReportTable(reports, latex_table))
    wid = max([len(r.claim) for r in reports] + [5])
    lines = ["%-*s  %-12s %-6s %-9s %8s  %s" % (wid, "claim", "outcome", "expect", "scope", "seconds", "method")]
    for r in reports:
        lines.append("%-*s  %-12s %-6s %-9s %8.2f  %s%s" % (wid, r.claim, r.outcome, r.expect, scope_label(r),
                                                            r.seconds, r.method,
                                                            "   <-- MISMATCH" if r.contradicts else ""))
        if r.scope:
            lines.append("%-*s  scope: %s" % (wid, "", r.scope))
    lines.append(summary_line(reports, dps, seed))
    return "\n".join(lines)
