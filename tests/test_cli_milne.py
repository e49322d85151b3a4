"""lossgeom milne toy|digits: text, JSON with every trial's numbers, figures, bad options."""

import json

from lossgeom.cli import main
from lossgeom.numeric.milne_experiments import toy_experiment


def test_toy_json_has_every_trial(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["milne", "toy", "--trials", "4", "--steps", "80", "--workers", "1", "--seed", "3",
                 "--format", "json", "--out", "fig.png"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["experiment"] == "toy" and doc["paper"] == {"mean": 0.872, "sd": 0.223, "trials": 1000}
    assert len(doc["trials"]) == 4 and doc["errors"] == [] and doc["setup"]["arithmetic"] == "float64"
    ref = toy_experiment(4, seed=3, workers=1, progress=False, steps=80)
    assert [t["fraction"] for t in doc["trials"]] == [t["fraction"] for t in ref["trials"]]
    assert doc["mean"] == ref["mean"] and (tmp_path / "fig.png").read_bytes()[:4] == b"\x89PNG"


def test_toy_text_compares_with_the_paper(capsys):
    assert main(["milne", "toy", "--trials", "3", "--steps", "50", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "paper: 87.2% +- 22.3%" in out and "float64" in out and "lambda^2 / (8 r^2)" in out


def test_digits_text(capsys):
    assert main(["milne", "digits", "--trials", "2", "--steps", "40", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "8x8 digits (not MNIST)" in out and "loss fraction (eq. 20)" in out and "runs: 2" in out


def test_bad_executor_options_name_the_flag(capsys):
    for argv, flag in ((["--scheduler", "127.0.0.1:8786"], "--scheduler"), (["--workers", "0"], "--workers"),
                       (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler")):
        try:
            rc = main(["milne", "toy", "--trials", "2"] + argv)
        except SystemExit as exc:
            rc = exc.code
        assert rc == 2 and flag in capsys.readouterr().err
