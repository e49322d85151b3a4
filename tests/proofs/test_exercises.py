"""Seeded exercises: reproducible, their own answers pass the grader, wrong ones are refused with a reason,
equivalent matrix forms are accepted, hostile text is an error, and the Moodle XML has Moodle's fields."""

import re
import xml.etree.ElementTree as ET

import pytest
import sympy as sp

from lossgeom.errors import DataError, LossgeomError
from lossgeom.formula import parse_formula
from lossgeom.proofs import exercises as exmod
from lossgeom.proofs.exercises import exercise, grade, moodle_xml, render, sheet_latex, topics

TOPICS = topics()
TEXTS = {"Botev": 0, "Choromanska": 0, "Kawaguchi|Baldi": 0, "Shen": 0, "Milne": 0}


def test_at_least_twelve_families_two_per_source_text():
    assert len(TOPICS) >= 12 and {"hessian-recursion", "path-count"} <= set(TOPICS)
    counts = dict(TEXTS)
    for t in TOPICS:
        src = exercise(t, 0).source
        for key in counts:
            if any(k in src for k in key.split("|")):
                counts[key] += 1
    assert all(v >= 2 for v in counts.values()), counts


@pytest.mark.parametrize("topic", TOPICS)
def test_reproducible_by_seed(topic):
    a = exercise(topic, 7).to_dict()
    exmod._make.cache_clear()
    assert exercise(topic, 7).to_dict() == a
    # different seeds draw different instances (at least one of a few differs)
    assert any(exercise(topic, s).question != exercise(topic, 7).question for s in range(8, 14))


@pytest.mark.parametrize("topic", TOPICS)
def test_generated_answer_passes_its_checker(topic):
    for seed in range(20):
        g = grade(topic, seed, exercise(topic, seed).answer)
        assert g.correct, (topic, seed, g)


def _wrong(ex):
    if ex.kind == "multichoice":
        return next(c for c in ex.choices if c != ex.answer)
    value = parse_formula(ex.answer, {})
    if isinstance(value, sp.MatrixBase):
        M = sp.Matrix(value)
        M[0, 0] += 1
        return exmod.matrix_text(M)
    return sp.sstr(value + 1)


@pytest.mark.parametrize("topic", TOPICS)
def test_wrong_answer_is_refused_with_an_explanation(topic):
    for seed in range(5):
        ex = exercise(topic, seed)
        g = grade(topic, seed, _wrong(ex))
        assert not g.correct and len(g.explanation) > 10, (topic, seed, g)
        if ex.kind != "multichoice":
            assert "[1,1]" in g.explanation or ex.answer in g.explanation, g.explanation


@pytest.mark.parametrize("topic", ["hessian-recursion", "kronecker-block", "gauss-newton-block"])
def test_equivalent_matrix_forms_are_accepted(topic):
    for seed in range(5):
        ex = exercise(topic, seed)
        M = sp.Matrix(parse_formula(ex.answer, {}))
        halves = exmod.matrix_text(M / 2)
        for form in ("(%s).T" % ex.answer, "2*%s" % halves, "%s + %s" % (halves, halves),
                     "transpose(%s)" % ex.answer):
            assert grade(topic, seed, form).correct, (topic, seed, form)


def test_equivalent_forms_of_the_other_families():
    ex = exercise("kronecker-block", 3)
    x = [int(v) for v in ex.question.split("input x = (")[1].split(")")[0].split(",")]
    H1 = ex.question.split("Hessian is H1 = ")[1].split(". Give")[0]
    assert grade("kronecker-block", 3, "kron([%d, %d]*[[%d, %d]], %s)" % (x[0], x[1], x[0], x[1], H1)).correct
    ex = exercise("linear-gradient", 3)
    G = sp.Matrix(parse_formula(ex.answer, {}))
    assert grade("linear-gradient", 3, exmod.matrix_text(G.T.reshape(4, 1))).correct  # Lemma 1's column
    assert not grade("linear-gradient", 3, exmod.matrix_text(G.reshape(4, 1))).correct or G.T == G
    ex = exercise("shallow-critical-points", 2)
    v = parse_formula(ex.answer, {})
    assert grade("shallow-critical-points", 2, "%s/%s" % (sp.sstr(2 * v), 2)).correct
    ex = exercise("path-count", 2)
    assert grade("path-count", 2, "%s*1" % ex.answer).correct and grade("path-count", 2, " %s " % ex.answer).correct


@pytest.mark.parametrize("text", ["__import__('os')", "", "H1", "W1", "yes please", "1e99999", "x" * 200001,
                                  "[[1, 2], [3]]", "9**9**9**9", "exec"])
def test_unreadable_or_hostile_text_is_an_error(text):
    for topic in ("hessian-recursion", "path-count", "milne-region", "linear-gradient"):
        with pytest.raises(LossgeomError):
            grade(topic, 1, text)


def test_bad_arguments_are_errors():
    for bad in (("nope", 1), ("path-count", -1), ("path-count", 1.5), (None, 1)):
        with pytest.raises(LossgeomError):
            exercise(*bad)
    with pytest.raises(DataError):
        render("not an exercise")
    with pytest.raises(DataError):
        sheet_latex([], [1])
    with pytest.raises(LossgeomError):
        moodle_xml(["path-count"], range(5000))


def test_the_hand_derivations_agree_with_lossgeom_engines():
    # each family asserts its hand computation against lossgeom's engine while building; build many
    for topic in TOPICS:
        for seed in range(20, 40):
            exercise(topic, seed)


def test_milne_region_has_both_answers_and_the_bound_in_its_solution():
    answers = {exercise("milne-region", s).answer for s in range(20)}
    assert answers == {"yes", "no"}
    assert "(lambda - theta)^2 / (8 r^2)" in exercise("milne-region", 1).solution


CLOZE = re.compile(r"\{1:NUMERICAL:=(-?\d+(?:\.\d+)?(?:e-?\d+)?):(\d+(?:\.\d+)?)#([^{}~#]*)\}")


def _check_cloze(q, ex):
    """Moodle's Cloze (multianswer) rules: one well-formed NUMERICAL sub-answer per matrix entry, row-major."""
    body = q.find("questiontext/text").text
    assert q.find("defaultgrade") is None  # Moodle computes a Cloze question's grade from its sub-answers
    M = sp.Matrix(parse_formula(ex.answer, {}))
    subs = CLOZE.findall(body)
    assert len(subs) == M.rows * M.cols == body.count("{1:"), body
    assert body.count("<tr>") == M.rows and body.count("<td>") == M.rows * M.cols
    for (value, tol, feedback), entry in zip(subs, list(M)):
        if sp.Rational(tol) == 0:
            assert sp.Rational(value) == entry  # exact
        else:
            assert abs(sp.Rational(value) - entry) < sp.Rational(tol) <= exmod.MOODLE_TOLERANCE
        assert feedback


def test_moodle_xml_has_the_required_fields():
    quiz = ET.fromstring(moodle_xml(list(TOPICS), [1, 2]))
    assert quiz.tag == "quiz"
    questions = [q for q in quiz if q.get("type") != "category"]
    assert len(questions) == 2 * len(TOPICS)
    assert {q.get("type") for q in questions} == {"numerical", "multichoice", "cloze"}
    for q in questions:
        topic, _, seed = q.find("name/text").text.split()
        ex = exercise(topic, int(seed))
        assert q.find("name/text").text and q.find("questiontext").get("format") == "html"
        assert q.find("questiontext/text").text.startswith("<p>")
        assert q.find("generalfeedback/text").text and q.find("penalty").text and q.find("hidden").text == "0"
        answers = q.findall("answer")
        if q.get("type") == "cloze":
            assert ex.kind == "matrix" and not answers
            _check_cloze(q, ex)
            continue
        assert q.find("defaultgrade").text == "1"
        assert answers and any(a.get("fraction") == "100" for a in answers)
        for a in answers:
            assert a.get("fraction") in ("0", "100") and a.find("text").text
            assert a.find("feedback/text").text
        if q.get("type") == "numerical":
            right = next(a for a in answers if a.get("fraction") == "100")
            assert right.find("tolerance") is not None
            float(right.find("text").text)
        if q.get("type") == "multichoice":
            assert q.find("single").text == "true" and len(answers) == len(ex.choices)
    cats = [q for q in quiz if q.get("type") == "category"]
    assert len(cats) == len(TOPICS) and all(c.find("category/text").text.startswith("$course$/") for c in cats)


def test_cloze_entries_exact_or_with_the_stated_tolerance():
    M = sp.Matrix([[1, sp.Rational(-1, 8)], [sp.Rational(1, 3), sp.Rational(-7, 3)]])
    html = exmod.cloze_matrix(M, feedback="ok # } ~ / \\ end")
    subs = CLOZE.findall(html.replace("\\#", "").replace("\\}", "").replace("\\~", "").replace("\\/", "")
                         .replace("\\\\", ""))
    assert [(v, t) for v, t, _ in subs] == [("1", "0"), ("-0.125", "0"), ("0.333333333333333", "0.0001"),
                                            ("-2.33333333333333", "0.0001")]
    assert "ok \\# \\} \\~ \\/ \\\\ end" in html  # Cloze's reserved characters escaped in the feedback
    assert exmod.moodle_value(sp.Rational(3, 40)) == ("0.075", "0", True)
    assert exmod.moodle_value(sp.Rational(-5, 2)) == ("-2.5", "0", True)


def test_moodle_numerical_states_its_tolerance_when_not_exact():
    thirds = [s for s in range(60) if exercise("bernoulli-expectation", s).answer.endswith("/3")]
    assert thirds
    q = [q for q in ET.fromstring(moodle_xml(["bernoulli-expectation"], thirds[:1])) if q.get("type") != "category"][0]
    right = q.find("answer")
    assert right.find("tolerance").text == "0.0001" and "to within 0.0001" in q.find("questiontext/text").text
    v = parse_formula(exercise("bernoulli-expectation", thirds[0]).answer, {})
    assert abs(sp.Rational(right.find("text").text) - v) < sp.Rational(1, 10 ** 12)
    exact = ET.fromstring(moodle_xml(["path-count"], [1]))[1]
    assert exact.find("answer/tolerance").text == "0" and "to within" not in exact.find("questiontext/text").text


def test_moodle_numerical_value_is_the_answer():
    quiz = ET.fromstring(moodle_xml(["shallow-critical-points"], [3]))
    q = [q for q in quiz if q.get("type") == "numerical"][0]
    value = float(q.find("answer/text").text)
    assert value == float(parse_formula(exercise("shallow-critical-points", 3).answer, {}))


def test_sheet_has_one_page_per_student_and_solutions_apart():
    tex = sheet_latex(["path-count", "milne-region"], range(1, 4))
    assert tex.count("\\section*{Exercise sheet, student") == 3 and tex.count("\\section*{Solutions, student") == 3
    first_solution = tex.index("\\section*{Solutions")
    assert "Solution." not in tex[:first_solution] and tex.count("\\clearpage") == 6
    assert exercise("path-count", 2).question_latex in tex[:first_solution]


def test_bad_saddle_draws_every_verdict_and_explains_it():
    from lossgeom.proofs._exercises_c import SADDLE_CHOICES
    seen = {}
    for s in range(40):
        ex = exercise("bad-saddle", s)
        seen.setdefault(ex.answer, ex)
        assert ex.choices == SADDLE_CHOICES and ex.kind == "multichoice"
    assert set(seen) == set(SADDLE_CHOICES)
    assert "Hessian are 0" in seen["bad saddle"].solution and "t^" in seen["bad saddle"].solution
    assert "negative eigenvalue" in seen["strict saddle"].solution
    assert "Y X^T = 0" in seen["local minimum"].solution and "!= 0" in seen["not critical"].solution
    ex = seen["bad saddle"]
    g = grade("bad-saddle", ex.seed, "strict saddle")
    assert not g.correct and g.explanation.startswith("the answer is bad saddle")
    assert grade("bad-saddle", ex.seed, "  Bad Saddle ").correct


def test_bad_saddle_oracle_is_lossgeoms_exact_engines():
    # the hand verdicts are asserted against lossgeom's exact gradient, inertia and descent polynomial; a
    # depth-3 all-zero point with Y X^T != 0 is a bad saddle, with only W1 = W2 = 0 a strict one
    import sympy as sp

    from lossgeom.proofs._exercises_c import _oracle
    X, Y = sp.Matrix([[1, 0], [0, 1]]), sp.Matrix([[1, 1]])
    zero3 = [sp.zeros(1, 2), sp.zeros(1, 1), sp.zeros(1, 1)]
    assert _oracle(3, (1, 2, 3), zero3, X, Y) == "bad saddle"
    assert _oracle(3, (1, 2), zero3[:2] + [sp.Matrix([[2]])], X, Y) == "strict saddle"
    assert _oracle(2, (1,), [sp.zeros(1, 2), sp.Matrix([[1]])], X, Y) == "not critical"
    Xo, Yo = sp.Matrix([[1, 1], [2, 2]]), sp.Matrix([[1, -1]])
    assert _oracle(3, (1, 2, 3), zero3, Xo, Yo) == "local minimum"


def test_bernoulli_expectation_is_q_rho_times_the_linear_net():
    import re
    for s in range(15):
        ex = exercise("bernoulli-expectation", s)
        rho = sp.Rational(re.search(r"rho = (\d+/\d+)", ex.question).group(1))
        normalised = "q = 1/rho" in ex.question
        Ws = [sp.Matrix(parse_formula(m, {})) for m in re.findall(r"W\d = (\[\[.*?\]\])", ex.question)]
        x = sp.Matrix([int(v) for v in ex.question.split("input x = (")[1].split(")")[0].split(",")])
        P = x
        for W in Ws:
            P = W * P
        expected = P[0] if normalised else rho * P[0]
        assert parse_formula(ex.answer, {}) == expected, (s, ex.answer, expected)
        assert grade("bernoulli-expectation", s, sp.sstr(expected)).correct
        if not normalised and P[0] != 0:  # forgetting rho is wrong
            assert not grade("bernoulli-expectation", s, sp.sstr(P[0])).correct
