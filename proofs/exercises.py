"""Seeded exercises with a grader (``lossgeom exercise``), sheets and Moodle XML (``lossgeom sheet``).

Every family draws an instance with exact, hand-sized numbers from ``random.Random(seed)``, so the same
topic and seed give the same exercise.  The answer is computed by lossgeom's own derivation code (the
Botev recursion of :func:`lossgeom.numeric.evaluate_net` in exact arithmetic, :mod:`lossgeom.symbolic.paths`,
:mod:`lossgeom.symbolic.linear`, :mod:`lossgeom.symbolic.shen`, :mod:`lossgeom.numeric.milne`), and the
worked solution is built from the same numbers.  A given answer is graded by
:func:`lossgeom.symbolic.check.check_formula` where the quantity is one it knows (at the exercise's
exact point, so every equivalent expression is accepted), else by an exact comparison of the numbers read
by the whitelist parser :func:`lossgeom.formula.parse_formula` (never ``eval``).

Examples
--------
>>> ex = exercise("path-count", seed=3)
>>> grade("path-count", 3, ex.answer).correct
True
"""

import random
from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp

from lossgeom.checks import check_bool, check_choice, check_int, check_sequence, check_str
from lossgeom.display import latex_text, summary_latex
from lossgeom.errors import DataError
from lossgeom.formula import parse_formula
from lossgeom.limits import LIMITS

__all__ = ["Exercise", "Grade", "topics", "exercise", "grade", "render", "sheet_latex", "moodle_xml", "expand_requests"]


@dataclass(frozen=True)
class Exercise:
    """One generated exercise.

    Attributes
    ----------
    topic, source : str
        The family and the paper it drills.
    seed : int
    question, question_latex : str
        The task, as text and as LaTeX (a paragraph, math in ``$...$``).
    answer : str
        A text that :func:`grade` accepts.
    solution, solution_latex : str
        The worked solution.
    kind : str
        ``numerical`` (one number), ``matrix`` or ``multichoice``.
    choices : tuple of str
        The options of a multichoice exercise (the answer is one of them).
    """

    topic: str
    source: str
    seed: int
    question: str
    question_latex: str
    answer: str
    solution: str
    solution_latex: str
    kind: str
    choices: tuple = ()
    grader: object = field(default=None, repr=False, compare=False)

    def to_dict(self, solution=True):
        """The exercise as a JSON-ready dict (without the solution and answer when ``solution`` is False).

        Examples
        --------
        >>> sorted(exercise("path-count", 1).to_dict())
        ['answer', 'choices', 'kind', 'question', 'seed', 'solution', 'source', 'topic']
        """
        d = {"topic": self.topic, "source": self.source, "seed": self.seed, "kind": self.kind,
             "question": self.question, "choices": list(self.choices)}
        if solution:
            d["answer"] = self.answer
            d["solution"] = self.solution
        return d

    def _repr_latex_(self):
        r"""Jupyter's display: the topic, its source, the seed and the question (its math typeset).

        The answer and the solution are left out (a handout shows the question); they are attributes.

        Examples
        --------
        >>> tex = exercise("path-count", 3)._repr_latex_()
        >>> r"\text{seed} & 3" in tex and r"4\text{-}6\text{-}2\text{-}5\text{-}1" in tex and "240" not in tex
        True
        """
        return summary_latex("Exercise: " + self.topic, [
            ("source", self.source), ("seed", self.seed), ("answer type", self.kind),
            ("question", ("latex", inline_math(self.question_latex)))])


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer: ``correct`` and an ``explanation`` in words."""

    correct: bool
    explanation: str

    def __str__(self):
        return ("correct: " if self.correct else "wrong: ") + self.explanation

    def _repr_latex_(self):
        r"""Jupyter's display: the verdict and the explanation.

        Examples
        --------
        >>> tex = grade("path-count", 3, "7")._repr_latex_()
        >>> r"\text{verdict} & \text{wrong}" in tex and r"\text{the number of paths is 240, not 7}" in tex
        True
        """
        return summary_latex("Grade", [("verdict", "correct" if self.correct else "wrong"),
                                       ("why", self.explanation)])


def inline_math(paragraph):
    r"""A paragraph with math in ``$...$`` as one math-mode string: its text parts in ``\text`` (escaped).

    Parameters
    ----------
    paragraph : str
        Text with inline math between pairs of ``$``.

    Returns
    -------
    str
        Math-mode LaTeX (for a ``_repr_latex_`` table row).

    Raises
    ------
    DataError
        When the ``$`` are unbalanced.

    Examples
    --------
    >>> inline_math("widths $2\\text{-}1$ (input first)")
    '\\text{widths }2\\text{-}1\\text{ (input first)}'
    """
    parts = paragraph.split("$")
    if len(parts) % 2 == 0:
        raise DataError("paragraph: expected balanced $...$ math, got %r" % (paragraph[:80],))
    return "".join(latex_text(p) if k % 2 == 0 else p for k, p in enumerate(parts) if p)


_FAMILIES = {}


def family(name, source):
    """Register a generator ``make(rng, seed) -> Exercise`` under ``name`` (used by the family modules)."""
    def deco(fn):
        _FAMILIES[name] = (source, fn)
        return fn
    return deco


def _load():
    from lossgeom.proofs import _exercises_a, _exercises_b, _exercises_c  # noqa: F401  (they register families)


def topics():
    """The exercise families, one name per topic, in catalog order.

    Examples
    --------
    >>> "hessian-recursion" in topics() and "path-count" in topics()
    True
    """
    _load()
    return tuple(_FAMILIES)


def exercise(topic, seed=0):
    """The exercise of ``topic`` drawn with ``seed`` (the same pair gives the same exercise).

    Parameters
    ----------
    topic : str
        One of :func:`topics`.
    seed : int
        A seed >= 0.

    Returns
    -------
    Exercise

    Examples
    --------
    >>> exercise("path-count", 5) == exercise("path-count", 5)
    True
    >>> exercise("nonsense", 1)
    Traceback (most recent call last):
    ...
    lossgeom.errors.OptionError: topic: expected one of 'hessian-recursion', ..., got "'nonsense'"
    """
    topic = check_choice(topic, "topic", topics())
    seed = check_int(seed, "seed", 0)
    return _make(topic, seed)


@lru_cache(maxsize=256)
def _make(topic, seed):
    source, fn = _FAMILIES[topic]
    return fn(random.Random("%s:%d" % (topic, seed)), seed)


def grade(topic, seed, answer):
    """Grade ``answer`` (text) for the exercise ``topic``/``seed``.

    Returns
    -------
    Grade
        ``correct`` and the explanation (for a wrong answer: what differs and the correct value).

    Raises
    ------
    DataError
        When the text is unreadable or outside the formula grammar (naming the field ``answer``).

    Examples
    --------
    >>> ex = exercise("path-count", 2)
    >>> grade("path-count", 2, ex.answer + " + 1").correct
    False
    >>> grade("path-count", 2, "__import__('os')")
    Traceback (most recent call last):
    ...
    lossgeom.errors.DataError: answer: unexpected character "'" at column 12 of "__import__('os')"
    """
    ex = exercise(topic, seed)
    answer = check_str(answer, "answer")
    LIMITS["formula_length"].check(len(answer), "answer", shown="%s characters" % "{:,}".format(len(answer)))
    return ex.grader(answer)


# -- graders shared by the families ----------------------------------------------------------------------------
def number_grader(expected, what):
    """A grader comparing one exact number (read by the whitelist parser) with ``expected``."""
    expected = sp.nsimplify(expected) if not isinstance(expected, sp.Basic) else expected

    def grader(text):
        got = parse_formula(text, {})
        if isinstance(got, sp.MatrixBase) or got.free_symbols:
            raise DataError("answer: expected one number, got %s" % _short(got))
        if sp.expand(got - expected) == 0:
            return Grade(True, "%s = %s" % (what, sp.sstr(expected)))
        return Grade(False, "%s is %s, not %s" % (what, sp.sstr(expected), sp.sstr(got)))
    return grader


def choice_grader(expected, choices, why):
    """A grader for one of the words ``choices``."""
    def grader(text):
        word = text.strip().lower()
        if word not in choices:
            raise DataError("answer: expected one of %s, got %s" % (", ".join(choices), _short(text)))
        if word == expected:
            return Grade(True, why)
        return Grade(False, "the answer is %s: %s" % (expected, why))
    return grader


def formula_grader(quantity, point, layer=None, reshape=None):
    """A grader through :func:`lossgeom.symbolic.check.check_formula` at the exercise's exact point.

    The answer is read by :func:`lossgeom.formula.parse_formula` with no names (numbers, matrix literals,
    ``kron``, ``.T``, ...), then ``reshape`` (if given) maps it to the checker's form.
    """
    from lossgeom.symbolic.check import check_formula

    def grader(text):
        # numbers and matrices only: a name such as H1 would let the answer restate the quantity itself
        answer = parse_formula(text, {})
        if reshape is not None:
            answer = reshape(answer)
        r = check_formula(quantity, answer, point=point, layer=layer, points=1)
        if r.outcome == "equal":
            return Grade(True, "equal to lossgeom's %s (%s)" % (quantity, r.method))
        if r.entry is not None:
            return Grade(False, "entry [%d,%d] is %s, yours is %s" % (r.entry + (r.expected_value, r.got_value)))
        return Grade(False, r.method)
    return grader


def matrix_text(M):
    """A matrix as the parser's literal ``[[a, b], [c, d]]``.

    Examples
    --------
    >>> matrix_text(sp.Matrix([[1, sp.Rational(1, 2)], [0, -3]]))
    '[[1, 1/2], [0, -3]]'
    """
    M = sp.Matrix(M)
    return "[" + ", ".join("[" + ", ".join(sp.sstr(v) for v in M.row(i)) + "]" for i in range(M.rows)) + "]"


def _short(v, n=60):
    s = sp.sstr(v) if isinstance(v, sp.Basic) else str(v)
    return repr(s if len(s) <= n else s[:n] + "...")


# -- rendering: text, LaTeX, Moodle XML, sheets ------------------------------------------------------------------
def render(ex, fmt="text", solution=False):
    """The exercise as ``text``, ``latex`` (a fragment) or ``json``.

    Examples
    --------
    >>> print(render(exercise("path-count", 0), solution=True).splitlines()[0])
    Exercise path-count (seed 0; Choromanska et al. (AISTATS 2015))
    """
    import json
    check_type_exercise(ex)
    fmt = check_choice(fmt, "format", ("text", "latex", "json"))
    solution = check_bool(solution, "solution")
    if fmt == "json":
        return json.dumps(ex.to_dict(solution=solution), indent=2)
    if fmt == "latex":
        out = "\\subsection*{%s (seed %d)}\n%s\n" % (ex.topic, ex.seed, ex.question_latex)
        if solution:
            out += "\n\\paragraph{Solution.} %s\n" % ex.solution_latex
        return out
    out = "Exercise %s (seed %d; %s)\n%s\n" % (ex.topic, ex.seed, ex.source, ex.question)
    if ex.choices:
        out += "Choices: %s\n" % ", ".join(ex.choices)
    if solution:
        out += "Answer: %s\nSolution: %s\n" % (ex.answer, ex.solution)
    return out


def check_type_exercise(ex):
    """Raise a DataError unless ``ex`` is an :class:`Exercise`."""
    if not isinstance(ex, Exercise):
        raise DataError("exercise: expected a lossgeom Exercise, got %s" % type(ex).__name__)
    return ex


def expand_requests(topic_list, seeds):
    """The exercises of every topic for every seed (student-major), bounded by the ``sheet_exercises`` limit.

    Examples
    --------
    >>> [(e.topic, e.seed) for e in expand_requests(["path-count"], range(1, 3))]
    [('path-count', 1), ('path-count', 2)]
    """
    names = [check_choice(t, "topic", topics()) for t in check_sequence(topic_list, "topics", "a list of topics")]
    if not names:
        raise DataError("topics: give at least one topic")
    if not isinstance(seeds, range):
        seeds = check_sequence(seeds, "seeds", "a range or a list of seeds")
    LIMITS["sheet_exercises"].check(len(names) * len(seeds), "seeds",
                                    shown="%d topics x %d seeds" % (len(names), len(seeds)))
    seeds = [check_int(s, "seeds", 0) for s in seeds]
    return [exercise(t, s) for s in seeds for t in names]


def sheet_latex(topic_list, seeds):
    """A LaTeX document: one page of exercises per student (seed), then the solutions on separate pages.

    Examples
    --------
    >>> tex = sheet_latex(["path-count"], [1, 2])
    >>> tex.startswith("\\\\documentclass") and tex.count("\\\\clearpage") >= 2
    True
    """
    exs = expand_requests(topic_list, seeds)
    seeds = sorted({e.seed for e in exs}, key=[e.seed for e in exs].index)
    head = ("\\documentclass[11pt]{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage[margin=2cm]{geometry}\n"
            "\\setcounter{MaxMatrixCols}{20}\n\\begin{document}\n")
    parts = []
    for s in seeds:
        body = "".join(render(e, "latex") for e in exs if e.seed == s)
        parts.append("\\section*{Exercise sheet, student %d}\n%s\\clearpage\n" % (s, body))
    for s in seeds:
        body = "".join(render(e, "latex", solution=True) for e in exs if e.seed == s)
        parts.append("\\section*{Solutions, student %d}\n%s\\clearpage\n" % (s, body))
    return head + "".join(parts) + "\\end{document}\n"


#: Absolute tolerance of a Moodle NUMERICAL answer whose exact value has no finite decimal (stated in the question).
MOODLE_TOLERANCE = sp.Rational(1, 10 ** 4)


def moodle_value(v):
    """A number as Moodle NUMERICAL wants it: ``(decimal text, tolerance text, exact?)``.

    A rational with a finite decimal expansion (denominator 2^a 5^b) is given exactly with tolerance 0;
    any other value to 15 significant digits with the stated tolerance :data:`MOODLE_TOLERANCE`.

    Examples
    --------
    >>> moodle_value(sp.Integer(-3)), moodle_value(sp.Rational(3, 4))
    (('-3', '0', True), ('0.75', '0', True))
    >>> moodle_value(sp.Rational(1, 3))
    ('0.333333333333333', '0.0001', False)
    """
    v = sp.nsimplify(v) if not isinstance(v, sp.Basic) else v
    if v.is_Rational:
        num, den = int(v.p), int(v.q)
        twos = fives = 0
        while den % 2 == 0:
            den, twos = den // 2, twos + 1
        while den % 5 == 0:
            den, fives = den // 5, fives + 1
        if den == 1:  # a finite decimal: exact, tolerance 0
            n = max(twos, fives)
            if n == 0:
                return str(num), "0", True
            scaled = abs(num) * 10 ** n // int(v.q)
            return "%s%d.%0*d" % ("-" if num < 0 else "", scaled // 10 ** n, n, scaled % 10 ** n), "0", True
    return str(sp.N(v, 15)), _TOL_TEXT, False


_TOL_TEXT = "0.0001"


def _moodle_number(ex):
    value, tol, _ = moodle_value(parse_formula(ex.answer, {}))
    return value, tol


def _cloze_escape(s):
    """Escape the characters Moodle's Cloze syntax reserves inside ``{...}`` (``} # ~ / " \\``)."""
    return "".join("\\" + c if c in '}#~/"\\' else c for c in s)


def cloze_matrix(M, feedback="Correct."):
    """An HTML table with one Cloze NUMERICAL sub-answer ``{1:NUMERICAL:=value:tol#feedback}`` per entry.

    Examples
    --------
    >>> print(cloze_matrix(sp.Matrix([[1, sp.Rational(1, 2)]])))
    <table><tr><td>{1:NUMERICAL:=1:0#Correct.}</td><td>{1:NUMERICAL:=0.5:0#Correct.}</td></tr></table>
    """
    M = sp.Matrix(M)
    rows = []
    for i in range(M.rows):
        cells = []
        for j in range(M.cols):
            value, tol, _ = moodle_value(M[i, j])
            cells.append("<td>{1:NUMERICAL:=%s:%s#%s}</td>" % (value, tol, _cloze_escape(feedback)))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _tolerance_note(values):
    if all(moodle_value(v)[2] for v in values):
        return ""
    return " Give values that are not finite decimals to within %s (or exactly)." % _TOL_TEXT


def _moodle_question(ex):
    import xml.etree.ElementTree as ET

    def text(parent, tag, value, fmt=None):
        el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
        ET.SubElement(el, "text").text = value
        return el

    kind = {"numerical": "numerical", "matrix": "cloze", "multichoice": "multichoice"}[ex.kind]
    q = ET.Element("question", {"type": kind})
    text(q, "name", "%s seed %d" % (ex.topic, ex.seed))
    value = parse_formula(ex.answer, {}) if kind != "multichoice" else None
    if kind == "cloze":
        M = sp.Matrix(value)
        body = ("<p>%s</p><p>Enter the %dx%d answer entry by entry.%s</p>%s"
                % (_html(ex.question), M.rows, M.cols, _html(_tolerance_note(list(M))), cloze_matrix(M)))
        text(q, "questiontext", body, "html")
    else:
        note = _tolerance_note([value]) if kind == "numerical" else ""
        text(q, "questiontext", "<p>%s%s</p>" % (_html(ex.question), _html(note)), "html")
    text(q, "generalfeedback", "<p>%s</p>" % _html(ex.solution), "html")
    if kind != "cloze":  # a Cloze question's grade is the sum of its sub-answers' weights
        ET.SubElement(q, "defaultgrade").text = "1"
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    good = "Correct. " + ex.solution
    if kind == "multichoice":
        for tag, val in (("single", "true"), ("shuffleanswers", "true"), ("answernumbering", "abc")):
            ET.SubElement(q, tag).text = val
        for c in ex.choices:
            a = text(q, "answer", c, "plain_text")
            a.set("fraction", "100" if c == ex.answer else "0")
            text(a, "feedback", good if c == ex.answer else "Not right. " + ex.solution, "html")
    elif kind == "numerical":
        number, tol = _moodle_number(ex)
        a = text(q, "answer", number, "plain_text")
        a.set("fraction", "100")
        ET.SubElement(a, "tolerance").text = tol
        text(a, "feedback", good, "html")
        other = text(q, "answer", "*", "plain_text")
        other.set("fraction", "0")
        text(other, "feedback", "Not right. " + ex.solution, "html")
    return q


def _html(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def moodle_xml(topic_list, seeds):
    """Moodle XML (a ``<quiz>``): numerical, multiple-choice and Cloze questions with their feedback.

    One question per topic and seed, in a category per topic; the correct answer carries fraction 100
    and the worked solution as its feedback, a catch-all wrong answer fraction 0.  A matrix answer is a
    Cloze (multianswer) question with one NUMERICAL sub-answer per entry (:func:`cloze_matrix`), so any
    way of writing an entry's number is accepted; values without a finite decimal expansion carry the
    tolerance :data:`MOODLE_TOLERANCE`, stated in the question.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> quiz = ET.fromstring(moodle_xml(["path-count", "milne-region"], [1]))
    >>> [q.get("type") for q in quiz]
    ['category', 'numerical', 'category', 'multichoice']
    """
    import xml.etree.ElementTree as ET
    exs = expand_requests(topic_list, seeds)
    quiz = ET.Element("quiz")
    for t in dict.fromkeys(e.topic for e in exs):
        cat = ET.SubElement(quiz, "question", {"type": "category"})
        c = ET.SubElement(cat, "category")
        ET.SubElement(c, "text").text = "$course$/lossgeom/%s" % t
        for e in exs:
            if e.topic == t:
                quiz.append(_moodle_question(e))
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
