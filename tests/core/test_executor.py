"""lossgeom.executor: seeds independent of the worker count, in-process / process pool / Dask cluster,
failures reported with tracebacks, bad options named."""

import os
import signal

import numpy as np
import pytest

from lossgeom.errors import LossgeomError, OptionError
from lossgeom.executor import TaskError, auto_chunk, check_scheduler, child_seeds, run_tasks
from lossgeom.numeric.milne_experiments import toy_data, toy_trial


def _toy_args(n, seed=5, steps=60):
    X, _ = toy_data(seed, 100)
    return [(s, [float(v) for v in X[0]], 0.4, 0.1, steps, 30) for s in child_seeds(seed, n)]


def test_child_seeds_prefix_stable_and_distinct():
    a, b = child_seeds(7, 10), child_seeds(7, 4)
    assert a[:4] == b and len(set(a)) == 10
    assert child_seeds(8, 4) != b
    # the k-th child of SeedSequence(7), independent of the other children
    assert a[3] == int(np.random.SeedSequence(7).spawn(4)[3].generate_state(1, np.uint64)[0])


def test_in_process_order_and_errors_with_traceback():
    out = list(run_tasks(divmod, [(7, 2), (1, 0), (9, 4)], workers=1, progress=False))
    assert [k for k, _ in out] == [0, 1, 2]
    assert out[0][1] == (3, 1) and out[2][1] == (2, 1)
    err = out[1][1]
    assert isinstance(err, TaskError) and err.index == 1 and err.kind == "ZeroDivisionError"
    assert "Traceback" in err.traceback and "ZeroDivisionError" in err.traceback


def test_pool_matches_in_process_whatever_the_order():
    args = _toy_args(6)
    one = dict(run_tasks(toy_trial, args, workers=1, progress=False))
    two = dict(run_tasks(toy_trial, args, workers=2, progress=False))
    assert sorted(two) == list(range(6))
    assert all(one[k] == two[k] for k in one)  # bitwise the same numbers: seeds do not depend on workers


def test_pool_reports_a_failing_task():
    out = dict(run_tasks(divmod, [(4, 2), (1, 0), (5, 5)], workers=2, progress=False))
    assert out[0] == (2, 0) and out[2] == (1, 0)
    assert isinstance(out[1], TaskError) and "ZeroDivisionError" in out[1].traceback


def test_chunked_tasks_give_one_result_per_task_with_its_own_index():
    """chunk > 1 runs consecutive tasks in one call; each still gets its own result, and a failing task in a
    chunk is its own TaskError (with its index) while the rest of the chunk still runs."""
    args = [(k, k % 4) for k in range(23)]  # k % 4 == 0: ZeroDivisionError
    one = dict(run_tasks(divmod, args, workers=1, progress=False))
    for chunk in (3, "auto", 50):
        out = list(run_tasks(divmod, args, workers=2, progress=False, chunk=chunk))
        assert sorted(k for k, _ in out) == list(range(23))
        got = dict(out)
        for k in range(23):
            if k % 4:
                assert got[k] == one[k] == divmod(k, k % 4)
            else:
                assert isinstance(got[k], TaskError) and got[k].index == k and got[k].kind == "ZeroDivisionError"
    toy = _toy_args(9)
    assert dict(run_tasks(toy_trial, toy, workers=2, progress=False, chunk=4)) == \
        dict(run_tasks(toy_trial, toy, workers=1, progress=False))


def test_auto_chunk_sizes():
    assert auto_chunk(10 ** 4, workers=2) == 50 and auto_chunk(160, workers=2) == 10
    assert auto_chunk(3, workers=4) == 1 and auto_chunk(10 ** 4, workers=2, cap=7) == 7


@pytest.mark.parametrize("chunk", [0, -1, 10 ** 5, "big", 2.5, True])
def test_a_bad_chunk_is_named(chunk):
    with pytest.raises(LossgeomError, match="chunk"):
        run_tasks(divmod, [(1, 1)] * 4, workers=2, progress=False, chunk=chunk)


@pytest.mark.parametrize("kw, flag", [({"workers": 0}, "workers"), ({"workers": -3}, "workers"),
                                      ({"scheduler": "localhost:8786"}, "scheduler"),
                                      ({"scheduler": "tcp://h:99999"}, "scheduler"),
                                      ({"workers": 2, "scheduler": "tcp://127.0.0.1:8786"}, "scheduler")])
def test_bad_options_name_the_flag(kw, flag):
    with pytest.raises(OptionError, match=flag):
        run_tasks(divmod, [(1, 1)], progress=False, **kw)


def test_bad_arguments_are_lossgeom_errors():
    for call in (lambda: run_tasks("divmod", [(1, 1)]), lambda: run_tasks(divmod, [1]),
                 lambda: child_seeds(-1, 2), lambda: check_scheduler(5)):
        with pytest.raises(LossgeomError):
            call()


@pytest.mark.slow
def test_dask_scheduler_address_path():
    distributed = pytest.importorskip("distributed")  # in the test extra: never skipped in CI
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        args = _toy_args(4)
        here = dict(run_tasks(toy_trial, args, workers=1, progress=False))
        there = dict(run_tasks(toy_trial, args, scheduler=address, progress=False))
        assert here == there
        bad = dict(run_tasks(divmod, [(3, 1), (1, 0)], scheduler=address, progress=False))
        assert bad[0] == (3, 0) and isinstance(bad[1], TaskError) and "ZeroDivisionError" in bad[1].traceback
        # arguments are data, even a tuple that starts with a callable (Dask would read it as a task)
        odd = dict(run_tasks(tuple, [((abs, -2),)], scheduler=address, progress=False))
        assert odd[0] == (abs, -2)


def die_once(marker, value):
    """Kill this task's worker process the first time (module level: the workers import it)."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return 2 * value


@pytest.mark.slow
def test_a_task_the_dask_scheduler_gives_up_on_is_resubmitted(tmp_path):
    """With allowed-failures 0 the scheduler gives up on a task at its worker's first death (KilledWorker):
    ``retries=0`` reports that as a TaskError, ``retries=1`` re-submits it to the nanny's new worker."""
    distributed = pytest.importorskip("distributed")  # in the test extra: never skipped in CI
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     dashboard_address=None, silence_logs=50) as cluster:
        address = cluster.scheduler_address
        lost = dict(run_tasks(die_once, [(str(tmp_path / "a"), 3)], scheduler=address, progress=False))
        kept = dict(run_tasks(die_once, [(str(tmp_path / "b"), 4)], scheduler=address, progress=False,
                              retries=1))
    assert isinstance(lost[0], TaskError) and "KilledWorker" in str(lost[0]), lost
    assert kept == {0: 8}
    assert os.path.exists(tmp_path / "b")  # its worker did die once


def test_progress_only_on_a_terminal(monkeypatch, capsys):
    import io
    import sys

    list(run_tasks(divmod, [(1, 1)] * 3, workers=1, progress=True))
    assert capsys.readouterr().err == ""  # not a TTY: silent

    class Tty(io.StringIO):
        def isatty(self):
            return True

    fake = Tty()
    monkeypatch.setattr(sys, "stderr", fake)
    list(run_tasks(divmod, [(1, 1)] * 3, workers=1, progress=True, label="demo"))
    assert "demo: 3/3" in fake.getvalue() and "ETA" in fake.getvalue() and fake.getvalue().endswith("\n")
    fake2 = Tty()
    monkeypatch.setattr(sys, "stderr", fake2)
    list(run_tasks(divmod, [(1, 1)] * 3, workers=1, progress=False))
    assert fake2.getvalue() == ""


def test_the_local_pool_stays_warm_across_calls_and_shuts_down():
    """A second call reuses the first call's worker processes (no second start-up); shutdown_pool stops them."""
    import os

    from lossgeom import executor
    from lossgeom.executor import shutdown_pool

    first = {pid for _, pid in run_tasks(os.getpid, [()] * 6, workers=2, progress=False)}
    # the pool's processes (a loaded machine may have let one worker run all six tasks before the other
    # had started, so the tasks' own pids need not name both)
    pool = executor._WARM[0][1]
    started = set(pool._processes)
    again = {pid for _, pid in run_tasks(os.getpid, [()] * 6, workers=2, progress=False)}
    assert executor._WARM[0][1] is pool and set(pool._processes) == started and len(started) == 2
    assert os.getpid() not in first and first <= started and again <= started
    shutdown_pool()
    for pid in started:  # the workers have exited (and were reaped)
        assert not os.path.exists("/proc/%d" % pid) or open("/proc/%d/stat" % pid).read().split()[2] == "Z"
    fresh = {pid for _, pid in run_tasks(os.getpid, [()] * 2, workers=2, progress=False)}
    assert not fresh & started
