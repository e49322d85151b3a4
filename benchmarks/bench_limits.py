"""Benchmark of the size limits: each command (or API function) at its limit, and a cheap case.

Run:  python benchmarks/bench_limits.py [--cheap] [NAME ...]

For each limit of :data:`lossgeom.limits.LIMITS` with a case below, runs ``python -m lossgeom ...``
(a fresh process, as a user would) once at the limit and once on a cheap request, and prints one
Markdown table: limit, value, the request at the limit, seconds there, seconds for the cheap case.
``--cheap`` runs only the cheap cases (seconds); NAMEs select limits.  The ``cost`` column of
``lossgeom/limits.py`` is the "at the limit" column of a run on the 2-core build machine; a request
exactly at a limit is meant to finish in well under 2 minutes.  The limits on reading input (digits,
file bytes, samples when reading) are benchmarked in their own tests; the rest have no case here
("-").  A case that exits non-zero is shown as "exit N".
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time

from lossgeom.limits import LIMITS

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, os.pardir, "examples", "linear_3_2_2_2_3.json")


def _tanh_file(folder, name, widths, samples=1):
    rng = random.Random(0)
    doc = {"widths": list(widths), "activation": "tanh",
           "weights": [[["%d/7" % rng.randint(-5, 5) for _ in range(widths[l - 1])] for _ in range(widths[l])]
                       for l in range(1, len(widths))],
           "inputs": [[rng.randint(-3, 3) for _ in range(widths[0])] for _ in range(samples)],
           "targets": [[rng.randint(-3, 3) for _ in range(widths[-1])] for _ in range(samples)]}
    return _write(folder, name, doc)


def _linear_file(folder, name, widths, samples):
    rng = random.Random(0)
    doc = {"widths": list(widths), "activation": "identity",
           "inputs": [[rng.randint(-9, 9) for _ in range(widths[0])] for _ in range(samples)],
           "targets": [[rng.randint(-9, 9) for _ in range(widths[-1])] for _ in range(samples)]}
    return _write(folder, name, doc)


def _write(folder, name, doc):
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def _deep_file(folder, samples, widths=(2,) + (10,) * 6 + (1,)):
    doc = {"widths": list(widths), "activation": "relu",
           "weights": [[[1] * widths[l - 1]] * widths[l] for l in range(1, len(widths))],
           "inputs": [[1, 2]] * samples, "targets": [[0]] * samples}
    return _write(folder, "deep%d_%d.json" % (len(widths), samples), doc)


def cases(folder):
    """``{limit: (description at the limit, argv at the limit, cheap argv)}``; argv are lossgeom arguments,
    or ``["-c", code]`` for a Python API case."""
    t = lambda *a: _tanh_file(folder, *a)  # noqa: E731
    out = os.path.join(folder, "out")
    return {
        "dps": ("critical linear_3_2_2_2_3.json --dps 10000 (see critical_work)",
                ["critical", EXAMPLE, "--dps", "10000"], ["critical", EXAMPLE]),
        "verify_dps": ("verify botev2017.gauss-newton (the slowest claim) --dps 5000",
                       ["verify", "botev2017.gauss-newton", "--dps", "5000", "--quiet"],
                       ["verify", "botev2017.gauss-newton", "--quiet"]),
        "critical_work": ("critical linear_3_2_2_2_3.json --dps 10000 (1.8 million units)",
                          ["critical", EXAMPLE, "--dps", "10000"], ["critical", EXAMPLE]),
        "hessian_parameters": ("hessian, 2-14-3 tanh net (70 parameters), 50 digits",
                               ["hessian", t("h70.json", (2, 14, 3))], ["hessian", t("h12.json", (2, 4, 1))]),
        "hessian_work": ("hessian, 1-11-1 tanh net (22 parameters) at 10000 digits",
                         ["hessian", t("h22.json", (1, 11, 1)), "--dps", "10000"],
                         ["hessian", t("h22.json", (1, 11, 1))]),
        "samples": ("hessian, 1-1-1 tanh net, 100,000 samples",
                    ["hessian", t("h100k.json", (1, 1, 1), 100000)], ["hessian", t("h10.json", (1, 1, 1), 10)]),
        "critical_data_entries": ("critical, 1-1-1 linear net, 50,000 samples",
                                  ["critical", _linear_file(folder, "c50k.json", (1, 1, 1), 50000)],
                                  ["critical", _linear_file(folder, "c10.json", (1, 1, 1), 10)]),
        "derive_parameters": ("derive gradient --widths 100,100,100 (20,000 parameters)",
                              ["derive", "gradient", "--widths", "100,100,100"],
                              ["derive", "gradient", "--widths", "2,2,1"]),
        "derive_equation_terms": ("derive hessian --widths 10,18,18,1 (55,575 terms)",
                                  ["derive", "hessian", "--widths", "10,18,18,1"],
                                  ["derive", "hessian", "--widths", "2,2,1"]),
        "derive_block_entries": ("derive hessian --widths 7,7,1 --blocks (2,450 entries)",
                                 ["derive", "hessian", "--widths", "7,7,1", "--blocks"],
                                 ["derive", "hessian", "--widths", "2,2,1", "--blocks"]),
        "expand_parameters": ("derive gradient --widths 10,18,1 --expand (198 parameters)",
                              ["derive", "gradient", "--widths", "10,18,1", "--expand"],
                              ["derive", "gradient", "--widths", "2,2,1", "--expand"]),
        "path_sum_paths": ("paths --widths 20,1000,1 --activation relu --format latex (20,000 paths)",
                           ["paths", "--widths", "20,1000,1", "--activation", "relu", "--format", "latex"],
                           ["paths", "--widths", "2,2,1", "--activation", "relu", "--format", "latex"]),
        "paths_enumerated": ("paths NETFILE, (2,10,10,10,10,10,10,1) ReLU net (2 million paths), 2 samples",
                             ["paths", _deep_file(folder, 2)], ["paths", _deep_file(folder, 2, (2, 2, 1))]),
        "derive_samples": ("derive linear-gradient --widths 3,2,3 --samples 20",
                           ["derive", "linear-gradient", "--widths", "3,2,3", "--activation", "identity",
                            "--samples", "20"],
                           ["derive", "linear-gradient", "--widths", "3,2,3", "--activation", "identity"]),
        "graph_edges": ("paths --widths 400,498,1 --dot (199,698 edges)",
                        ["paths", "--widths", "400,498,1", "--dot", out + ".dot"],
                        ["paths", "--widths", "2,2,1", "--dot", out + ".dot"]),
        "draw_edges": ("paths --widths 70,70,1 --draw (4,970 edges)",
                       ["paths", "--widths", "70,70,1", "--draw", out + ".png"],
                       ["paths", "--widths", "2,2,1", "--draw", out + ".png"]),
        "spin_glass_terms": ("spin_glass_form(13, 2) (16,384 terms)",
                             ["-c", "from lossgeom.symbolic.spin_glass import spin_glass_form; spin_glass_form(13, 2)"],
                             ["-c", "from lossgeom.symbolic.spin_glass import spin_glass_form; spin_glass_form(2, 2)"]),
        "activation_cells": ("activation_cells of a 1-8-1 ReLU net (256 cells)",
                             ["-c", "from lossgeom import Net; from lossgeom.symbolic.forward import activation_cells; "
                                    "list(activation_cells(Net(widths=(1, 8, 1), activation='relu')))"],
                             ["-c", "from lossgeom import Net; from lossgeom.symbolic.forward import activation_cells; "
                                    "list(activation_cells(Net(widths=(1, 2, 1), activation='relu')))"]),
    }


def run(argv):
    """Seconds of ``python -m lossgeom argv`` (or ``python -c``), or ``"exit N"``."""
    cmd = [sys.executable] + (argv if argv[0] == "-c" else ["-m", "lossgeom"] + argv)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode:
        return "exit %d: %s" % (proc.returncode, proc.stderr.strip().splitlines()[-1][:80])
    return "%.1f" % seconds


def main(args):
    cheap_only = "--cheap" in args
    names = [a for a in args if not a.startswith("--")]
    with tempfile.TemporaryDirectory() as folder:
        table = cases(folder)
        print("| limit | value | at the limit | seconds there | cheap case, seconds |")
        print("|---|---|---|---|---|")
        for name, lim in LIMITS.items():
            if names and name not in names:
                continue
            if name not in table:
                print("| `%s` | %s %s | - | - | - |" % (name, "{:,}".format(lim.value), lim.unit))
                continue
            what, at_limit, cheap = table[name]
            there = "-" if cheap_only else run(at_limit)
            print("| `%s` | %s %s | %s | %s | %s |" % (name, "{:,}".format(lim.value), lim.unit, what, there,
                                                    run(cheap)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
