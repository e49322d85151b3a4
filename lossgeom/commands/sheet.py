"""``lossgeom sheet TOPIC... --seeds 1-30 --out FILE``: one exercise per topic for each student (seed).

``FILE.tex`` is a LaTeX sheet (each student's page, then the solutions on separate pages), ``FILE.pdf``
the same compiled with pdflatex, ``FILE.xml`` Moodle XML (numerical, multiple-choice and Cloze
questions with the generated feedback; a matrix answer is a Cloze question with one NUMERICAL field per entry).
"""

import os
import re
import shutil
import subprocess
import tempfile

from lossgeom.cli import UsageError
from lossgeom.errors import DataError
from lossgeom.io import write_file

ORDER = 91


def add(sub):
    p = sub.add_parser("sheet", help="exercise sheets (.tex, .pdf) and Moodle XML (.xml)",
                       description="One exercise of every topic for each seed (student): a LaTeX sheet with the "
                                   "solutions on separate pages (.tex, or .pdf through pdflatex) or Moodle XML "
                                   "(.xml).")
    p.add_argument("topics", nargs="+", metavar="TOPIC", help="topics (see lossgeom exercise --list)")
    p.add_argument("--seeds", default="1", metavar="A-B", help="seeds: N or A-B (default 1)")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.tex, FILE.pdf or FILE.xml")
    p.set_defaults(func=run)


def parse_seeds(text):
    """``"1-30"`` -> range(1, 31); ``"7"`` -> range(7, 8) (ASCII digits, at most 30 each)."""
    m = re.fullmatch(r"\s*([0-9]{1,30})\s*(?:-\s*([0-9]{1,30})\s*)?", text)
    if not m:
        raise UsageError("--seeds: expected N or A-B (integers >= 0), got %r" % text[:40])
    a = int(m.group(1))
    b = int(m.group(2)) if m.group(2) else a
    if b < a:
        raise UsageError("--seeds: the range %d-%d is empty" % (a, b))
    return range(a, b + 1)


def run(args):
    from lossgeom.proofs.exercises import moodle_xml, sheet_latex, topics

    known = topics()
    for t in args.topics:
        if t not in known:
            raise UsageError("sheet: unknown topic %r (see lossgeom exercise --list)" % t[:60])
    seeds = parse_seeds(args.seeds)
    from lossgeom.limits import LIMITS
    LIMITS["sheet_exercises"].check(len(args.topics) * len(seeds), "--seeds",
                                    shown="%d topics x %d seeds" % (len(args.topics), len(seeds)))
    ext = os.path.splitext(args.out)[1].lower()
    if ext == ".xml":
        _write_text(args.out, moodle_xml(args.topics, seeds))
    elif ext == ".tex":
        _write_text(args.out, sheet_latex(args.topics, seeds))
    elif ext == ".pdf":
        _write_pdf(args.out, sheet_latex(args.topics, seeds))
    else:
        raise UsageError("--out: expected a .tex, .pdf or .xml file, got %r" % args.out[:60])
    return 0


def _write_text(path, text):
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
    write_file(path, write, field="--out")


def _write_pdf(path, tex):
    if shutil.which("pdflatex") is None:
        raise DataError("--out: a .pdf needs pdflatex (apt-get install texlive-latex-base); write .tex instead")
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "sheet.tex"), "w", encoding="utf-8") as fh:
            fh.write(tex)
        for _ in range(2):
            r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                                "sheet.tex"], cwd=d, capture_output=True, text=True, timeout=300)
            if r.returncode != 0:
                raise DataError("--out: pdflatex failed: %s" % r.stdout[-300:].replace("\n", " "))
        pdf = os.path.join(d, "sheet.pdf")

        def write(tmp):
            shutil.copyfile(pdf, tmp)
        write_file(path, write, field="--out")
