"""lossgeom.proofs.sweep / ``lossgeom sweep``: reproducible instances, kill -9 and resume, counterexample replay,
a dead pool worker recovered, and a real two-worker Dask cluster."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from lossgeom import LossgeomError
from lossgeom.cli import main
from lossgeom.executor import TaskError, run_tasks
from lossgeom.proofs.sweep import (
    _GENERATORS,
    read_results,
    register_generator,
    replay,
    run_sweep,
    run_sweep_summary,
    sweep_claims,
    sweep_instance,
    sweep_summary,
)

PATH_SUM, PSD, LINEAR = "choromanska2015.path-sum", "botev2017.pl-hessians-psd", "kawaguchi2016.lemma1-gradient"
TRACE = "botev2017.no-smooth-local-maxima"


def _key(rec):
    """A record without its timing (the only field allowed to differ between two runs)."""
    return json.dumps({k: v for k, v in rec.items() if k != "seconds"}, sort_keys=True)


def test_four_claims_have_generators_with_stated_distributions():
    claims = sweep_claims()
    assert {PATH_SUM, PSD, LINEAR, TRACE} <= set(claims)
    assert "ReLU" in claims[PATH_SUM] and "relu" in claims[PSD] and "deep linear" in claims[LINEAR]
    assert "piecewise-linear" in claims[TRACE] and "square loss" in claims[TRACE]


def test_trace_check_is_exact_and_agrees_with_the_engine_hessian():
    """Botev's trace formula against lossgeom.numeric's full Hessian (its own engine, dps 50) on the instances
    the sweep generates; the sweep's own oracle (exact second differences of the cell's loss) agrees too."""
    import mpmath

    from lossgeom.net import Net
    from lossgeom.numeric.cells import SWEEP_ACTIVATIONS
    from lossgeom.numeric.evaluate import full_hessian
    from lossgeom.proofs import _sweep_generators as g

    held = 0
    for seed in range(12):
        inst = g._gen_trace(seed)
        res = g._check_trace(inst, 50)
        assert res["outcome"] in ("holds", "undecided")
        if res["outcome"] != "holds":
            continue
        held += 1
        ev = res["evidence"]
        assert ev["trace"] == ev["formula"] and ev["residual"] == 0.0 and ev["exact"] is True
        net = Net(widths=tuple(inst["widths"]), activation=SWEEP_ACTIVATIONS[inst["activation"]][0],
                  bias=inst["bias"])
        H = full_hessian(net, inst["weights"], inst["biases"], inst["X"], inst["Y"], dps=50)
        num, _, den = ev["trace"].partition("/")
        exact = mpmath.mpf(int(num)) / int(den or 1)
        assert abs(mpmath.fsum(H[i, i] for i in range(H.rows)) - exact) < mpmath.mpf(10) ** -40
        assert exact >= 0
    assert held >= 8
    # every activation and both bias settings occur
    drawn = [g._gen_trace(s) for s in range(60)]
    assert {d["activation"] for d in drawn} == set(SWEEP_ACTIVATIONS) and {d["bias"] for d in drawn} == {True, False}


def test_a_wrong_trace_formula_is_a_counterexample():
    """The second-difference oracle is sharp: the formula without the bias's 1 in a~ (or a wrong cell loss)
    is caught."""
    from lossgeom.proofs import _sweep_generators as g

    inst = next(i for i in map(g._gen_trace, range(50)) if i["bias"] and g._check_trace(i, 50)["outcome"] == "holds")
    orig = g._trace_formula
    try:
        g._trace_formula = lambda Ws, bs, cols, pattern: orig(Ws, None, cols, pattern)
        assert g._check_trace(inst, 50)["outcome"] == "counterexample"
    finally:
        g._trace_formula = orig


def test_same_root_seed_same_instances_in_any_order_and_worker_count():
    one = run_sweep([LINEAR, PSD], 6, seed=3, workers=1, progress=False)
    two = run_sweep([PSD, LINEAR], 6, seed=3, workers=2, progress=False)
    assert sorted(map(_key, one)) == sorted(map(_key, two)) and len(one) == 12
    # instance k does not depend on N; another root seed gives other instances
    prefix = run_sweep([LINEAR], 3, seed=3, workers=1, progress=False)
    assert [_key(r) for r in prefix] == [_key(r) for r in one if r["claim"] == LINEAR][:3]
    other = run_sweep([LINEAR], 3, seed=4, workers=1, progress=False)
    assert [r["instance_data"] for r in other] != [r["instance_data"] for r in prefix]


def test_probed_chunks_give_the_records_of_one_worker(tmp_path, monkeypatch):
    """Enough instances for the probe (one chunk of PROBE per worker, timed, then chunks of about
    CHUNK_SECONDS): the records, and the file, are those of the in-process sweep; the probe's timing did
    size the rest (a tiny CHUNK_SECONDS gives chunks of one instance, a large one of 1/16 of the rest)."""
    from lossgeom.proofs import sweep as sw

    n = 8 * sw.PROBE * 2 + 5
    one = run_sweep([PSD], n, seed=2, workers=1, progress=False)
    sizes = []
    real = sw._chunks
    monkeypatch.setattr(sw, "_chunks", lambda pending, size: sizes.append(size) or real(pending, size))
    for seconds, expect in ((1e-9, 1), (1e9, (n - 2 * sw.PROBE) // 16)):
        monkeypatch.setattr(sw, "CHUNK_SECONDS", seconds)
        sizes.clear()
        out = str(tmp_path / ("%g.jsonl" % seconds))
        two = run_sweep([PSD], n, seed=2, workers=2, out=out, progress=False)
        assert sizes == [sw.PROBE, expect]
        assert sorted(map(_key, two)) == sorted(map(_key, one))
        assert sorted(map(_key, read_results(out))) == sorted(map(_key, one))


def test_the_summary_made_in_the_workers_is_that_of_the_file(tmp_path):
    """run_sweep_summary (what ``lossgeom sweep`` prints): the chunks' summaries, made in two pool workers
    and added up here, equal sweep_summary of the records the file holds, also when half the sweep is
    resumed from the file; and it equals the summary of run_sweep's records, but for the timings."""
    from lossgeom.proofs import sweep as sw

    n = 8 * sw.PROBE * 2 + 7
    out = str(tmp_path / "r.jsonl")
    half = run_sweep_summary([PSD, LINEAR], n // 2, seed=5, workers=2, out=out, progress=False)
    assert half["instances"] == 2 * (n // 2) and half["flagged"] == []
    assert half["summary"] == sweep_summary(read_results(out))
    whole = run_sweep_summary([PSD, LINEAR], n, seed=5, workers=2, out=out, resume=True, progress=False)
    recs = read_results(out)
    assert whole["instances"] == len(recs) == 2 * n
    assert whole["summary"] == sweep_summary(recs)
    assert sum(row["count"] for row in whole["summary"].values()) == 2 * n
    plain = sweep_summary(run_sweep([PSD, LINEAR], n, seed=5, workers=1, progress=False))
    untimed = lambda t: {k: {f: v for f, v in row.items() if not f.startswith("slowest")} for k, row in t.items()}
    assert untimed(whole["summary"]) == untimed(plain)


def test_the_results_file_is_fsynced_on_a_clock_and_at_the_end(tmp_path, monkeypatch):
    """Every chunk is written when it is done, but fsync-ed at most every FSYNC_SECONDS and once at the end
    (not once per millisecond instance); with FSYNC_SECONDS = 0 every chunk is."""
    from lossgeom.proofs import sweep as sw

    calls = []
    real = os.fsync
    monkeypatch.setattr(sw.os, "fsync", lambda fd: calls.append(fd) or real(fd))
    for seconds, n, want in ((1e9, 12, 1), (0.0, 5, 6)):  # the end's alone; every chunk's and the end's
        monkeypatch.setattr(sw, "FSYNC_SECONDS", seconds)
        calls.clear()
        out = str(tmp_path / ("%g.jsonl" % seconds))
        run_sweep_summary([LINEAR], n, workers=1, out=out, progress=False)
        assert len(calls) == want and len(read_results(out)) == n


def test_merged_summaries_do_not_depend_on_the_order_of_the_chunks():
    recs = [{"claim": "c", "instance": k, "outcome": "holds", "evidence": {"residual": [0.5, 2.0, 2.0, 1.0][k]},
             "seconds": [0.3, 0.1, 0.3, 0.2][k]} for k in range(4)]
    from lossgeom.proofs.sweep import _merge_summary

    for order in ([0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]):
        total = {}
        for k in order:
            _merge_summary(total, sweep_summary([recs[k]]))
        row = total["c", "holds"]
        assert (row["count"], row["worst_residual"], row["worst_instance"]) == (4, 2.0, 1)  # the tie: lower instance
        assert (row["slowest"], row["slowest_instance"]) == (0.3, 0)
        assert total == sweep_summary(recs)


def test_the_summary_flags_counterexamples_and_errors(broken_claims):
    got = run_sweep_summary(["test.broken", "test.boom"], 12, seed=0, workers=1, progress=False)
    recs = run_sweep(["test.broken", "test.boom"], 12, seed=0, workers=1, progress=False)
    want = [r for r in recs if r["outcome"] in ("counterexample", "error")]
    assert [(r["claim"], r["instance"], r["outcome"]) for r in got["flagged"]] == [
        (r["claim"], r["instance"], r["outcome"]) for r in want]
    assert any(r["outcome"] == "counterexample" for r in want) and any(r["outcome"] == "error" for r in want)
    assert list(map(_key, got["flagged"])) == list(map(_key, want))  # whole records, as the file has them


def test_the_checks_hold_and_are_exact_where_stated():
    recs = run_sweep([PATH_SUM, LINEAR, PSD], 15, seed=0, workers=1, progress=False)
    outcomes = {(r["claim"], r["outcome"]) for r in recs}
    assert not {o for _, o in outcomes} - {"holds", "undecided"}
    for r in recs:
        if r["claim"] in (PATH_SUM, LINEAR) and r["outcome"] == "holds":
            assert r["evidence"]["residual"] == 0.0 and r["evidence"]["exact"] is True
        if r["claim"] == PATH_SUM and r["outcome"] == "holds":
            assert r["evidence"]["forward"] == r["evidence"]["path_sum"]
    assert sum(r["outcome"] == "holds" for r in recs if r["claim"] == LINEAR) == 15


def test_a_wrong_gradient_is_a_counterexample():
    """The deep-linear oracle is sharp: against a different loss (doubled) the Lemma 1 gradient fails."""
    from lossgeom.proofs import _sweep_generators as g
    inst = g._gen_linear(11)
    good = g._check_linear(inst, 50)
    assert good["outcome"] == "holds"
    # the loss doubled is a different function: its central differences are twice the Lemma 1 gradient
    orig = g._loss
    try:
        g._loss = lambda Ws, X, Y: 2 * orig(Ws, X, Y)
        assert g._check_linear(inst, 50)["outcome"] == "counterexample"
    finally:
        g._loss = orig


def _broken_check(instance, dps):
    ok = instance["n"] % 4 != 3
    return {"outcome": "holds" if ok else "counterexample", "evidence": {"residual": 0.0 if ok else 1.0}}


def _boom_check(instance, dps):
    raise ValueError("deliberate failure %d" % instance["n"])


@pytest.fixture
def broken_claims():
    register_generator("test.broken", _broken_check, "n = seed mod 1000")(lambda seed: {"n": seed % 1000})
    register_generator("test.boom", _boom_check, "n = seed mod 10")(lambda seed: {"n": seed % 10})
    yield
    _GENERATORS.pop("test.broken", None)
    _GENERATORS.pop("test.boom", None)


def test_a_broken_claim_yields_a_counterexample_that_replay_reproduces(tmp_path, broken_claims, capsys):
    out = str(tmp_path / "r.jsonl")
    recs = run_sweep(["test.broken", "test.boom"], 12, seed=0, workers=1, out=out, progress=False)
    bad = [r for r in recs if r["claim"] == "test.broken" and r["outcome"] == "counterexample"]
    assert bad and all(r["instance_data"]["n"] % 4 == 3 for r in bad)
    errs = [r for r in recs if r["claim"] == "test.boom"]
    assert all(r["outcome"] == "error" and "deliberate failure" in r["evidence"]["traceback"] for r in errs)
    k = bad[0]["instance"]
    again = replay(out, k, claim_id="test.broken")
    assert again["reproduced"] and again["fresh"]["outcome"] == "counterexample"
    assert again["fresh"]["instance_data"] == bad[0]["instance_data"]
    assert main(["sweep", "--replay", "%s:%d" % (out, k), "test.broken"]) == 0  # reproduced
    assert "REPRODUCED" in capsys.readouterr().out
    table = sweep_summary(recs)
    assert table[("test.broken", "counterexample")]["worst_residual"] == 1.0
    with pytest.raises(LossgeomError, match="several claims"):
        replay(out, k)
    boom = replay(out, 2, claim_id="test.boom")  # an instance that raised raises again: reproduced as an error
    assert boom["reproduced"] is True and boom["fresh"]["outcome"] == "error"
    assert "deliberate failure" in boom["fresh"]["evidence"]["traceback"]


def test_results_file_lines_and_torn_line_repair(tmp_path):
    out = str(tmp_path / "r.jsonl")
    run_sweep([LINEAR], 4, out=out, workers=1, progress=False)
    lines = open(out).read().splitlines()
    assert len(lines) == 4 and all({"instance", "seed", "outcome", "evidence", "seconds"} <= set(json.loads(v))
                                   for v in lines)
    with open(out, "a") as fh:
        fh.write('{"claim": "kawaguchi2016.lemma1-gradient", "instance": 9, "se')  # a torn line (kill -9)
    with pytest.raises(LossgeomError, match="--resume"):
        run_sweep([LINEAR], 6, out=out, workers=1, progress=False)
    recs = run_sweep([LINEAR], 6, out=out, resume=True, workers=1, progress=False)
    assert [r["instance"] for r in recs] == list(range(6))
    assert sorted(json.loads(v)["instance"] for v in open(out).read().splitlines()) == list(range(6))
    with pytest.raises(LossgeomError, match="another sweep"):  # a resume with another root seed is refused
        run_sweep([LINEAR], 6, seed=1, out=out, resume=True, workers=1, progress=False)
    with pytest.raises(LossgeomError, match="out"):
        run_sweep([LINEAR], 2, out=str(tmp_path / "no" / "such" / "r.jsonl"), workers=1, progress=False)


def test_sweep_killed_half_way_and_resumed_equals_uninterrupted(tmp_path):
    whole, part = str(tmp_path / "whole.jsonl"), str(tmp_path / "part.jsonl")
    argv = [sys.executable, "-m", "lossgeom", "sweep", PATH_SUM, "--instances", "60", "--workers", "1"]
    proc = subprocess.Popen(argv + ["--out", part], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None and (not os.path.exists(part) or open(part).read().count("\n") < 10):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = open(part).read().count("\n")
    assert 0 < done < 60, "the sweep was not killed half way (%d lines)" % done
    assert subprocess.run(argv + ["--out", part, "--resume"], capture_output=True).returncode == 0
    assert subprocess.run(argv + ["--out", whole], capture_output=True).returncode == 0
    a, b = (open(p).read().splitlines() for p in (part, whole))
    assert len(a) == len(b) == 60
    assert sorted(_key(json.loads(v)) for v in a) == sorted(_key(json.loads(v)) for v in b)


def die_once(marker, value):
    """A task that kills its own worker process the first time (module level: the spawn pool pickles it)."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return value * 2


def test_a_killed_pool_worker_loses_nothing(tmp_path):
    marker = str(tmp_path / "died")
    args = [(marker, v) for v in range(6)]
    got = dict(run_tasks(die_once, args, workers=2, progress=False, retries=2))
    assert os.path.exists(marker)
    assert got == {k: 2 * k for k in range(6)}
    # without retries the in-flight tasks are recorded as errors, never dropped.  A fresh marker: a worker
    # of the first run's broken pool can still be draining its queued calls while it is being terminated,
    # and re-creating the first marker there would spare this run its death.
    marker = str(tmp_path / "died-again")
    args = [(marker, v) for v in range(6)]
    lost = dict(run_tasks(die_once, args, workers=2, progress=False))
    assert len(lost) == 6 and any(isinstance(v, TaskError) and v.kind == "BrokenProcessPool" for v in lost.values())


def test_cli_summary_and_json(tmp_path, capsys):
    out = str(tmp_path / "r.jsonl")
    assert main(["sweep", LINEAR, "--instances", "3", "--workers", "1", "--out", out]) == 0
    text = capsys.readouterr().out
    assert "kawaguchi2016.lemma1-gradient" in text and "holds" in text and "worst resid." in text
    assert main(["sweep", LINEAR, "--instances", "3", "--workers", "1", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"][0]["count"] == 3 and doc["summary"][0]["outcome"] == "holds"
    assert main(["sweep", "--list"]) == 0 and PATH_SUM in capsys.readouterr().out


@pytest.mark.parametrize("argv, msg", [
    (["sweep", "no.such-claim", "--instances", "2"], "no instance generator"),
    (["sweep", LINEAR, "--resume"], "--resume"),
    (["sweep", "--replay", "nofile"], "--replay"),
    (["sweep", "--replay", "/nonexistent/r.jsonl:3"], "cannot read"),
    (["sweep"], "CLAIM_ID"),
])
def test_cli_errors_name_the_problem(argv, msg, capsys):
    assert main(argv) != 0
    assert msg in capsys.readouterr().err


def test_bad_python_arguments_are_lossgeom_errors():
    for call in (lambda: run_sweep([], 2), lambda: run_sweep([LINEAR, LINEAR], 2), lambda: run_sweep([LINEAR], 0),
                 lambda: sweep_instance(LINEAR, -1), lambda: run_sweep(["nope"], 1)):
        with pytest.raises(LossgeomError):
            call()


def _children(pid):
    """The pids of the live child processes of ``pid`` (from /proc) with their command lines."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as fh:
                stat = fh.read()
            with open("/proc/%s/cmdline" % name, "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[1]) == pid:
            out[int(name)] = cmd
    return out


def _wait_for_lines(path, thread, n=1, timeout=300):
    deadline = time.monotonic() + timeout
    while thread.is_alive() and time.monotonic() < deadline:
        if os.path.exists(path) and open(path).read().count("\n") >= n:
            return open(path).read().count("\n")
        time.sleep(0.01)
    raise AssertionError("the sweep wrote no %d lines" % n)


def _in_thread(argv):
    """Run ``lossgeom ARGV`` (cli.main) in a thread; the thread's ``code`` list receives the exit status."""
    code = []
    thread = threading.Thread(target=lambda: code.append(main(argv)), daemon=True)
    thread.code = code
    thread.start()
    return thread


def _lines(path):
    recs = [json.loads(v) for v in open(path).read().splitlines()]
    assert len({(r["claim"], r["instance"]) for r in recs}) == len(recs), "an instance recorded twice"
    return sorted(map(_key, recs))


@pytest.mark.slow
def test_a_local_pool_worker_killed_mid_sweep_loses_nothing(tmp_path):
    """SIGKILL one worker process of ``lossgeom sweep --workers 2`` while chunks are in flight: the pool
    breaks, the unfinished chunks are re-run on a fresh pool, and the file holds every instance once, with
    the results of an undisturbed sweep."""
    part = str(tmp_path / "part.jsonl")
    thread = _in_thread(["sweep", PATH_SUM, "--instances", "120", "--workers", "2", "--out", part])
    at_kill = _wait_for_lines(part, thread)
    workers = {p for p, cmd in _children(os.getpid()).items() if "spawn_main" in cmd}
    assert workers, "no pool worker found: %s" % _children(os.getpid())
    from lossgeom import executor

    broken = executor._WARM[0][1]
    os.kill(min(workers), signal.SIGKILL)
    running = thread.is_alive()
    thread.join(300)
    assert not thread.is_alive() and thread.code == [0]
    assert at_kill < 120 and running, "the sweep finished before the kill"
    assert executor._WARM and executor._WARM[0][1] is not broken  # the sweep saw the pool break and replaced it
    here = run_sweep([PATH_SUM], 120, workers=1, progress=False)
    assert _lines(part) == sorted(map(_key, here))


@pytest.mark.slow
def test_a_real_two_worker_dask_cluster_runs_a_sweep(tmp_path):
    """``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 (started and stopped here): a small
    sweep equals the local one; then ``lossgeom sweep --scheduler`` with one worker SIGKILLed mid-sweep
    still records every instance once, with the local results (the scheduler re-runs the lost chunks on
    the other worker)."""
    from lossgeom._cluster import loopback_cluster

    pytest.importorskip("distributed")  # in the test extra: never skipped in CI
    with loopback_cluster(2) as cluster:
        out = str(tmp_path / "dask.jsonl")
        there = run_sweep([LINEAR, TRACE], 4, seed=2, scheduler=cluster.address, out=out, progress=False)
        part = str(tmp_path / "killed.jsonl")
        thread = _in_thread(["sweep", PATH_SUM, "--instances", "120", "--seed", "1", "--scheduler",
                             cluster.address, "--out", part])
        at_kill = _wait_for_lines(part, thread)
        cluster.kill_worker(0)
        running = thread.is_alive()
        thread.join(300)
        procs = cluster.processes()
    assert all(p.poll() is not None for p in procs)  # nothing left running
    assert not [p.pid for p in procs if os.path.exists("/proc/%d" % p.pid)]
    assert not thread.is_alive() and thread.code == [0]
    here = run_sweep([LINEAR, TRACE], 4, seed=2, workers=1, progress=False)
    assert sorted(map(_key, there)) == sorted(map(_key, here))
    assert sorted(_key(r) for r in read_results(out)) == sorted(map(_key, here))
    assert at_kill < 120 and running, "the sweep finished before the kill"
    assert _lines(part) == sorted(map(_key, run_sweep([PATH_SUM], 120, seed=1, workers=1, progress=False)))
