"""``lossgeom exercise`` and ``lossgeom sheet``: the command-line contract."""

import json
import xml.etree.ElementTree as ET

from lossgeom.cli import main
from lossgeom.proofs.exercises import exercise, topics


def test_list_prints_one_topic_a_line(capsys):
    assert main(["exercise", "--list"]) == 0
    assert capsys.readouterr().out.split("\n")[:-1] == list(topics())


def test_json_has_question_answer_solution_and_the_answer_is_accepted(capsys):
    for topic in topics():
        assert main(["exercise", topic, "--seed", "4", "--solution", "--format", "json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc["question"] and doc["solution"] and doc["answer"] == exercise(topic, 4).answer
        assert main(["exercise", "check", topic, "--seed", "4", "--answer", doc["answer"]]) == 0
        assert capsys.readouterr().out.startswith("correct")


def test_without_solution_no_answer_is_shown(capsys):
    assert main(["exercise", "path-count", "--seed", "2", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "answer" not in doc and "solution" not in doc
    assert main(["exercise", "hessian-recursion", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "Solution" not in out and "H1" in out


def test_check_exit_codes(capsys):
    right = exercise("hessian-recursion", 4).answer
    assert main(["exercise", "check", "hessian-recursion", "--seed", "4", "--answer", right]) == 0
    capsys.readouterr()
    assert main(["exercise", "check", "hessian-recursion", "--seed", "4", "--answer", "[[9, 9], [9, 9]]"]) == 1
    assert capsys.readouterr().out.startswith("wrong: entry [1,1]")
    assert main(["exercise", "check", "hessian-recursion", "--seed", "4", "--answer", "__import__('os')"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error" in err
    assert main(["exercise", "check", "milne-region", "--seed", "4", "--answer", "maybe"]) == 2
    assert main(["exercise", "check", "path-count", "--seed", "4"]) == 2  # no --answer
    assert main(["exercise", "no-such-topic"]) == 2


def test_latex_and_moodle_formats(capsys):
    assert main(["exercise", "linear-gradient", "--seed", "1", "--format", "latex", "--solution"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\subsection*{linear-gradient") and "\\paragraph{Solution.}" in out
    assert main(["exercise", "path-count", "--seed", "1", "--format", "moodle"]) == 0
    quiz = ET.fromstring(capsys.readouterr().out)
    assert [q.get("type") for q in quiz] == ["category", "numerical"]


def test_sheet_writes_moodle_xml_and_tex(tmp_path):
    xml = tmp_path / "quiz.xml"
    assert main(["sheet", "path-count", "milne-region", "hessian-recursion", "--seeds", "1-3", "--out", str(xml)]) == 0
    quiz = ET.parse(xml).getroot()
    assert len([q for q in quiz if q.get("type") != "category"]) == 9
    tex = tmp_path / "sheet.tex"
    assert main(["sheet", "path-count", "--seeds", "2-5", "--out", str(tex)]) == 0
    assert tex.read_text().count("Exercise sheet, student") == 4
    assert main(["sheet", "path-count", "--seeds", "5-2", "--out", str(tex)]) == 2
    assert main(["sheet", "path-count", "--seeds", "1-30", "--out", str(tmp_path / "s.doc")]) == 2
    assert main(["sheet", "path-count", "--seeds", "1-100000", "--out", str(xml)]) == 2
