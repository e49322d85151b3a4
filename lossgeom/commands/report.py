"""``lossgeom report``: the whole claims catalog, verified, as one document (LaTeX, Markdown or HTML).

For lecture notes and papers: each claim with its source, statement, assumptions, outcome, the method
that decided it and its evidence.  The format follows the file name's suffix.
"""

import html
import os

from lossgeom.cli import UsageError, add_out, add_precision, add_seed, write_output

ORDER = 70

SUFFIXES = {".tex": "latex", ".md": "markdown", ".html": "html"}


def add(sub):
    p = sub.add_parser("report", help="the whole catalog as a LaTeX, Markdown or HTML document",
                       description="Verify the claims catalog (or the given ids) and write it as a document; "
                                   "the format follows the suffix of --out (.tex, .md, .html).")
    p.add_argument("claims", nargs="*", metavar="CLAIM_ID", help="claim ids (default: all)")
    add_out(p, required=True, help="the document to write: FILE.tex, FILE.md or FILE.html")
    add_precision(p)
    add_seed(p)
    p.add_argument("--quiet", action="store_true", help="no progress display")
    from .verify import add_claim_sources
    add_claim_sources(p)
    p.set_defaults(func=run)


def run(args):
    from lossgeom.proofs import get_claim, verify_claims

    from .verify import check_dps_limit, exit_status, expand_ids, load_claim_sources, show_progress

    suffix = os.path.splitext(args.out)[1].lower()
    if suffix not in SUFFIXES:
        raise UsageError("--out: expected a file name ending in .tex, .md or .html, got %r" % args.out)
    directory = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(directory):
        raise UsageError("--out: the folder %r does not exist" % directory)
    load_claim_sources(args)
    args.claims = expand_ids(args.claims)
    check_dps_limit(args.dps)
    reports = verify_claims(args.claims or None, dps=args.dps, seed=args.seed,
                            progress=None if args.quiet else show_progress)
    claims = {c: get_claim(c) for c in (r.claim for r in reports)}
    text = render_document(reports, claims, SUFFIXES[suffix], args.dps, args.seed)
    write_output(text, args.out)
    return exit_status(reports)


def render_document(reports, claims, fmt, dps, seed):
    """The catalog document in ``fmt`` (``latex``, ``markdown`` or ``html``).

    Examples
    --------
    >>> from lossgeom.proofs import get_claim
    >>> rep = get_claim("choromanska2015.path-count").verify()
    >>> doc = render_document([rep], {rep.claim: get_claim(rep.claim)}, "latex", 50, 0)
    >>> doc.splitlines()[0], doc.rstrip().splitlines()[-1]
    ('\\\\documentclass{article}', '\\\\end{document}')
    """
    from lossgeom import __version__

    from .verify import render_reports, summary_line

    summary = summary_line(reports, dps, seed).replace("seed=%d)" % seed, "seed=%d; lossgeom %s)" % (seed, __version__))
    if fmt == "latex":
        from lossgeom.report import ReportTable
        from lossgeom.symbolic.latex import latex
        return latex(ReportTable(reports, "longtable", title="The lossgeom claims catalog", summary=summary))
    if fmt == "markdown":
        return "# The lossgeom claims catalog\n\n" + summary + "\n\n" + render_reports(reports, "markdown", dps, seed)
    rows = [r.to_html(claims[r.claim].assumptions) for r in reports]
    return "\n".join(['<!DOCTYPE html>', '<html><head><meta charset="utf-8"><title>lossgeom claims catalog</title>',
                      '<script async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>',
                      '</head><body>', '<h1>The lossgeom claims catalog</h1>', '<p>%s</p>' % html.escape(summary)]
                     + rows + ['</body></html>', ''])
