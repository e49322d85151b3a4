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
    if SUFFIXES[suffix] == "html":  # every statement must become MathML: find out before minutes of checks
        from lossgeom.mathml import latex_to_mathml
        from lossgeom.proofs import list_claims
        for claim in [get_claim(c) for c in args.claims] or list_claims():
            if claim.statement:
                latex_to_mathml(claim.statement, display=True)
    reports = verify_claims(args.claims or None, dps=args.dps, seed=args.seed,
                            progress=None if args.quiet else show_progress)
    claims = {c: get_claim(c) for c in (r.claim for r in reports)}
    text = render_document(reports, claims, SUFFIXES[suffix], args.dps, args.seed)
    write_output(text, args.out)
    return exit_status(reports)


def render_document(reports, claims, fmt, dps, seed):
    """The catalog document in ``fmt`` (``latex``, ``markdown`` or ``html``).

    The HTML document is self-contained: every statement is MathML made in Python
    (:func:`lossgeom.mathml.latex_to_mathml`), with no script and nothing loaded from the network.

    Examples
    --------
    >>> from lossgeom.proofs import get_claim
    >>> rep = get_claim("choromanska2015.path-count").verify()
    >>> doc = render_document([rep], {rep.claim: get_claim(rep.claim)}, "latex", 50, 0)
    >>> doc.splitlines()[0], doc.rstrip().splitlines()[-1]
    ('\\\\documentclass{article}', '\\\\end{document}')
    >>> page = render_document([rep], {rep.claim: get_claim(rep.claim)}, "html", 50, 0)
    >>> "<math" in page, "<script" in page, "http" in page.split("<body>")[0]
    (True, False, False)
    """
    from lossgeom import __version__

    from .verify import render_reports, summary_line

    summary = summary_line(reports, dps, seed).replace("seed=%d)" % seed, "seed=%d; lossgeom %s)" % (seed, __version__))
    if fmt == "latex":
        from lossgeom.report import ReportTable
        from lossgeom.symbolic.latex import latex
        doc = latex(ReportTable(reports, "longtable", title="The lossgeom claims catalog", summary=summary))
        proofs = general_proofs_of(reports)
        if not proofs:
            return doc
        body = "\n\n".join([r"\section*{Proofs for every width and depth}"] + [p.latex() for p in proofs])
        head, tail = doc.rsplit(r"\end{document}", 1)
        return head + body + "\n" + r"\end{document}" + tail
    if fmt == "markdown":
        proofs = general_proofs_of(reports)
        extra = "".join("\n\n## General proof: %s\n\n```\n%s\n```" % (p.name, p.text()) for p in proofs)
        return ("# The lossgeom claims catalog\n\n" + summary + "\n\n" + render_reports(reports, "markdown", dps, seed)
                + extra)
    rows = [r.to_html(claims[r.claim].assumptions) for r in reports]
    proofs = general_proofs_of(reports)
    if proofs:
        rows += ['<h2 id="general-proofs">Proofs for every width and depth</h2>'] + [proof_html(p) for p in proofs]
    return "\n".join(['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
                      '<meta name="viewport" content="width=device-width, initial-scale=1">',
                      '<title>lossgeom claims catalog</title>', '<style>%s</style>' % HTML_STYLE,
                      '</head><body>', '<h1>The lossgeom claims catalog</h1>', '<p>%s</p>' % html.escape(summary)]
                     + rows + ['</body></html>', ''])


def proof_html(proof):
    r"""A decided general proof (:mod:`lossgeom.symbolic.general_proofs`) as an HTML section, formulas as MathML.

    The statement and every step's identity are displayed formulas, an induction hypothesis an inline one;
    the rest (scope, what is given, the rules used, the verdict of each step) is escaped text.

    Examples
    --------
    >>> from lossgeom.symbolic.general_proofs import general_proof
    >>> p = general_proof("path-count")
    >>> sec = proof_html(p)
    >>> sec.count("<math") == 1 + len(p.steps) + sum(1 for s in p.steps if s.hypothesis)
    True
    >>> "<script" in sec, "\\frac" in sec, "<h3>General proof: " in sec
    (False, False, True)
    """
    from lossgeom.mathml import latex_to_mathml
    from lossgeom.symbolic.general import RULES
    esc = html.escape
    proof.decide()
    steps = []
    for s in proof.steps:
        hyp = " Using the induction hypothesis %s:" % latex_to_mathml(s.hypothesis) if s.hypothesis else ""
        verdict = ("decided: the difference of the sides reduces to 0 by %s." % ", ".join(s.used or ("expansion",))
                   if s.decided else "<strong>not decided</strong>: %s." % esc(str(s.residual)))
        steps.append('<li><p><em>%s</em> (%s).%s</p><div class="statement">%s</div>%s<p>%s</p></li>' % (
            esc(s.title), esc(s.role), hyp, latex_to_mathml(s.latex_identity(), display=True),
            "<p>%s</p>" % esc(s.note) if s.note else "", verdict if not s.decided else esc(verdict)))
    given = "".join("<li>%s</li>" % esc(x) for x in proof.given)
    rules = "".join("<li>%s: %s</li>" % (esc(r), esc(RULES[r])) for r in proof.rules_used())
    return ('<section class="proof"><h3>General proof: %s (%s)</h3><p><em>Statement.</em></p>'
            '<div class="statement">%s</div><p>Scope: %s.</p><p>Given:</p><ul>%s</ul><ol>%s</ol>'
            '<p>Rewrite rules used:</p><ul>%s</ul><p><em>Conclusion.</em> %s</p><p>Outcome: %s. Claims: %s.</p>'
            '</section>' % (esc(proof.name), esc(proof.outcome), latex_to_mathml(proof.statement, display=True),
                            esc(proof.scope), given, "".join(steps), rules, esc(proof.conclusion),
                            esc(proof.outcome), ", ".join("<code>%s</code>" % esc(c) for c in proof.claims)))


#: the HTML document's only styling, inline: formulas are MathML, which browsers render natively, so the
#: document needs no script, font or stylesheet from the network
HTML_STYLE = ("body{font-family:serif;max-width:60em;margin:auto;padding:0 1em;line-height:1.4}"
              "section{border-top:1px solid #ccc;margin-top:1em}"
              ".statement{overflow-x:auto;overflow-y:hidden;padding:.3em 0}math{font-size:1.1em}")


def general_proofs_of(reports):
    """The general proofs (decided) that are the primary evidence of some of ``reports``, each once.

    Examples
    --------
    >>> from lossgeom.proofs import get_claim
    >>> [p.name for p in general_proofs_of([get_claim("choromanska2015.path-count").verify()])]
    ["Choromanska's path count"]
    """
    from lossgeom.symbolic.general_proofs import PROOFS, general_proof

    from .verify import scope_label

    wanted = {r.claim for r in reports if scope_label(r) == "general"}
    return [general_proof(name) for name, (build, _) in PROOFS.items() if wanted & set(build().claims)]
