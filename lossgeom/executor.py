"""Run many independent tasks: in-process, on a local process pool, or on a Dask cluster.

The small executor interface of lossgeom's experiments (Milne's 1000-trial toy experiment, and the
later ``lossgeom sweep``).  Two pieces:

* :func:`child_seeds` gives instance k its own seed from one root seed (NumPy's ``SeedSequence``), the
  same whatever the worker count or the order in which tasks finish, so a run is reproducible;
* :func:`run_tasks` calls ``fn(*args)`` for every ``args`` of a list and yields ``(index, result)`` as
  results arrive: ``workers=1`` runs in this process (no pool), ``workers=K`` on a
  ``concurrent.futures.ProcessPoolExecutor`` with the *spawn* start method (so ``fn`` must be a
  module-level function), ``scheduler="tcp://HOST:PORT"`` on a ``dask.distributed`` cluster (imported
  only then; ``pip install lossgeom[sweep]``).

The local pool is *warm*: it is started once (each worker imports ``fn``'s module, e.g. lossgeom and SymPy,
once: about 2-4 s) and kept for the next call with the same worker count, so a second sweep, or the
Milne trials after a sweep, pay no start-up; :func:`shutdown_pool` stops it (it also stops at exit).  A
pool broken by a dead worker is discarded and a fresh one started.

A task that raises is never dropped: its result is a :class:`TaskError` carrying the exception's type,
message and traceback.  A progress counter (done/total, rate, ETA) goes to stderr when it is a terminal
and ``progress`` is true.
"""

import atexit
import importlib
import os
import re
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np

from .checks import check_bool, check_callable, check_int, check_sequence
from .errors import ArgumentTypeError, OptionError

__all__ = ["TaskError", "child_seeds", "run_tasks", "check_workers", "check_scheduler", "default_workers",
           "child_seed", "shutdown_pool", "auto_chunk"]

#: at most this many tasks per call (a list of arguments is held in memory)
MAX_TASKS = 10 ** 6
#: at most this many local worker processes
MAX_WORKERS = 256

_ADDRESS = re.compile(r"(tcp|tls)://([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:]{2,39}\]):([0-9]{1,5})")


@dataclass(frozen=True)
class TaskError:
    """The result of a task that raised: ``kind`` (the exception's class), ``message`` and ``traceback``.

    Examples
    --------
    >>> err = TaskError(3, "ValueError", "bad", "Traceback ...")
    >>> print(err)
    task 3 failed: ValueError: bad
    """

    index: int
    kind: str
    message: str
    traceback: str

    def __str__(self):
        return "task %d failed: %s: %s" % (self.index, self.kind, self.message)


def child_seeds(root_seed, n):
    """``n`` independent integer seeds from ``root_seed``: seed k is the k-th child of ``SeedSequence(root_seed)``.

    Seed k depends on ``root_seed`` and k only (not on n, the worker count or the order of completion).

    Examples
    --------
    >>> s = child_seeds(0, 3)
    >>> len(s), len(set(s)), s[:2] == child_seeds(0, 2), all(isinstance(v, int) for v in s)
    (3, 3, True, True)
    """
    root_seed = check_int(root_seed, "root_seed", 0, 2 ** 128)
    n = check_int(n, "n", 0, MAX_TASKS)
    return [int(c.generate_state(1, np.uint64)[0]) for c in np.random.SeedSequence(root_seed).spawn(n)]


def child_seed(root_seed, k):
    """Seed k of :func:`child_seeds` alone: ``child_seed(r, k) == child_seeds(r, n)[k]`` for every n > k (a worker
    computes its own instances' seeds, so the parent never builds the whole list).

    Examples
    --------
    >>> [child_seed(0, k) for k in range(3)] == child_seeds(0, 3)
    True
    """
    root_seed = check_int(root_seed, "root_seed", 0, 2 ** 128)
    k = check_int(k, "k", 0, MAX_TASKS)
    return int(np.random.SeedSequence(root_seed, spawn_key=(k,)).generate_state(1, np.uint64)[0])


def default_workers():
    """The local worker count when none is given: the machine's CPU count (at least 1).

    Examples
    --------
    >>> default_workers() >= 1
    True
    """
    return max(1, os.cpu_count() or 1)


def check_workers(value, field="workers"):
    """A worker count from 1 to :data:`MAX_WORKERS`, or None (the default); else :class:`OptionError` naming ``field``.

    Examples
    --------
    >>> check_workers(2), check_workers(None)
    (2, None)
    >>> check_workers(0, "--workers")
    Traceback (most recent call last):
    ...
    lossgeom.errors.OptionError: --workers: expected a worker count from 1 to 256, got 0
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError("%s: expected an integer worker count, got %r" % (field, type(value).__name__))
    if not 1 <= value <= MAX_WORKERS:
        raise OptionError("%s: expected a worker count from 1 to %d, got %d" % (field, MAX_WORKERS, value))
    return int(value)


def check_scheduler(value, field="scheduler"):
    """A Dask scheduler address ``tcp://HOST:PORT`` (or ``tls://``), or None; else :class:`OptionError` naming ``field``.

    Examples
    --------
    >>> check_scheduler("tcp://127.0.0.1:8786")
    'tcp://127.0.0.1:8786'
    >>> check_scheduler("127.0.0.1", "--scheduler")
    Traceback (most recent call last):
    ...
    lossgeom.errors.OptionError: --scheduler: expected an address tcp://HOST:PORT, got '127.0.0.1'
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ArgumentTypeError("%s: expected an address string tcp://HOST:PORT, got %r"
                                % (field, type(value).__name__))
    m = _ADDRESS.fullmatch(value)
    if not m or not 1 <= int(m.group(3)) <= 65535:
        raise OptionError("%s: expected an address tcp://HOST:PORT, got %r" % (field, value[:80]))
    return value


def _call(fn, index, args):
    """Run one task; an exception becomes a :class:`TaskError` (module level, so it pickles)."""
    try:
        return index, fn(*args)
    except Exception as err:  # a task's failure is a result, reported with its traceback
        return index, TaskError(index, type(err).__name__, str(err), traceback.format_exc())


class _Packed:
    """A task's arguments, wrapped so that Dask does not read a tuple as a task of its graph."""

    __slots__ = ("args",)

    def __init__(self, args):
        self.args = args

    def __getstate__(self):
        return self.args

    def __setstate__(self, state):
        self.args = state


def _call_packed(fn, index, packed):
    return _call(fn, index, packed.args)


class _Progress:
    """``label: done/total  rate/s  ETA`` on one stderr line, redrawn at most 10 times a second."""

    def __init__(self, total, label, on):
        self.total, self.label, self.done, self.start, self.last = total, label, 0, time.monotonic(), 0.0
        self.on = bool(on) and total > 0 and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()

    def step(self):
        self.done += 1
        now = time.monotonic()
        if not self.on or (now - self.last < 0.1 and self.done < self.total):
            return
        self.last = now
        rate = self.done / max(now - self.start, 1e-9)
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        sys.stderr.write("\r%s: %d/%d  %.1f/s  ETA %.0fs " % (self.label, self.done, self.total, rate, eta))
        if self.done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run_tasks(fn, args_list, workers=None, scheduler=None, progress=True, label="tasks", retries=0, chunk=1):
    """Call ``fn(*args)`` for every ``args`` in ``args_list``; yield ``(index, result)`` as results arrive.

    Parameters
    ----------
    fn : callable
        A module-level function (pools and clusters pickle it by name).
    args_list : list of tuple
        One tuple of positional arguments per task.
    workers : int or None
        1: in this process, in order; K > 1: a spawn-safe process pool of K workers; None: the CPU count
        (:func:`default_workers`).  Not together with ``scheduler``.
    scheduler : str or None
        ``tcp://HOST:PORT`` of a running Dask scheduler (``dask scheduler``; needs ``distributed``).
    progress : bool
        A progress counter on stderr (only when it is a terminal).
    label : str
        The counter's label.
    retries : int
        How often a task whose worker died is re-submitted (0 to 10): on the local pool a dead worker
        breaks the pool (``BrokenProcessPool``), and every task then in flight is re-run on a fresh pool;
        on Dask, the scheduler first re-runs a task on another worker up to its
        ``distributed.scheduler.allowed-failures`` (default 3), and a task it then gives up on
        (``KilledWorker``) is re-submitted ``retries`` times.  A task that still fails is a
        :class:`TaskError`; a task's own exception is never retried (it is the task's result).
        The local pool stays warm for the next call (:func:`shutdown_pool`).
    chunk : int or "auto"
        On a pool or a cluster, run this many consecutive tasks in one call (1 to 10^4): millisecond tasks
        otherwise spend their time in the engine's per-task overhead.  Results are still yielded one per
        task (a chunk's when it finishes); a chunk whose worker died every time gives each of its tasks the
        :class:`TaskError`.  ``"auto"``: about 8 chunks per worker (per thread of a cluster), at most 50
        tasks each (:func:`auto_chunk`).  Ignored in this process.

    Yields
    ------
    (int, object)
        The task's index in ``args_list`` and ``fn``'s return value, or a :class:`TaskError`.

    Examples
    --------
    >>> sorted(run_tasks(divmod, [(7, 2), (9, 4)], workers=1))
    [(0, (3, 1)), (1, (2, 1))]
    >>> [str(r) for _, r in run_tasks(divmod, [(1, 0)], workers=1)]
    ['task 0 failed: ZeroDivisionError: integer division or modulo by zero']
    """
    fn = check_callable(fn, "fn")
    tasks = [tuple(check_sequence(a, "args_list[%d]" % k)) for k, a in
             enumerate(check_sequence(args_list, "args_list")[:MAX_TASKS + 1])]
    if len(tasks) > MAX_TASKS:
        raise OptionError("args_list: expected at most %d tasks" % MAX_TASKS)
    workers, scheduler = check_workers(workers), check_scheduler(scheduler)
    progress = check_bool(progress, "progress")
    retries = check_int(retries, "retries", 0, 10)
    if workers is not None and scheduler is not None:
        raise OptionError("workers, scheduler: give a worker count or a scheduler address, not both")
    if isinstance(chunk, str) and chunk == "auto":
        chunk = auto_chunk(len(tasks), workers, scheduler)
    chunk = check_int(chunk, "chunk", 1, 10 ** 4)
    bar = _Progress(len(tasks), str(label)[:40], progress)
    local = scheduler is None and ((workers or default_workers()) == 1 or len(tasks) <= 1)
    if local:
        return _counted((_call(fn, k, a) for k, a in enumerate(tasks)), bar)
    groups = [(k, tasks[k:k + chunk]) for k in range(0, len(tasks), chunk)] if chunk > 1 else None
    if groups is not None:
        fn, tasks = _call_group, [(fn, k, g) for k, g in groups]
    if scheduler is not None:
        source = _dask(fn, tasks, scheduler, retries)
    else:
        source = _pool(fn, tasks, workers or default_workers(), retries)  # the warm pool spawns as needed
    if groups is not None:
        source = _ungrouped(source, groups)
    return _counted(source, bar)


def auto_chunk(n, workers=None, scheduler=None, cap=50):
    """The ``chunk="auto"`` size of :func:`run_tasks` for ``n`` tasks: about 8 chunks per worker (per thread
    of the cluster at ``scheduler``), at most ``cap`` tasks each, so a dead worker costs at most one chunk.

    Examples
    --------
    >>> auto_chunk(10000, workers=2), auto_chunk(100, workers=2), auto_chunk(5, workers=2)
    (50, 6, 1)
    """
    n, cap = check_int(n, "n", 0, MAX_TASKS), check_int(cap, "cap", 1, 10 ** 4)
    workers, scheduler = check_workers(workers), check_scheduler(scheduler)
    return max(1, min(cap, n // (8 * _threads(workers, scheduler))))


def _threads(workers, scheduler):
    """How many tasks run at once: the cluster's threads, else the worker count (1: this process)."""
    return _dask_threads(scheduler) if scheduler is not None else (workers or default_workers())


def _call_group(fn, start, group):
    """Tasks ``start, start + 1, ...`` (their arguments ``group``) in one call: a list of (index, result)."""
    return [_call(fn, start + j, a) for j, a in enumerate(group)]


def _ungrouped(source, groups):
    """One (index, result) per task from a source of (group index, list of them) (or a group's TaskError)."""
    for g, res in source:
        start, group = groups[g]
        if isinstance(res, TaskError):
            res = [(start + j, TaskError(start + j, res.kind, res.message, res.traceback)) for j in range(len(group))]
        yield from res


def _counted(source, bar):
    for item in source:
        bar.step()
        yield item


#: the warm local pool: [(worker count, ProcessPoolExecutor)], at most one
_WARM = []


def _init_worker(modules):
    """A pool worker's start: import the task's module (and so lossgeom) once, before the first task."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the first task reports an import failure, with its traceback
            pass


def _warm_pool(workers, fn):
    if _WARM and _WARM[0][0] == workers:
        return _WARM[0][1]
    shutdown_pool()
    import multiprocessing

    module = getattr(fn, "__module__", None)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=((module,) if module else (),))
    _WARM.append((workers, pool))
    return pool


def _drop_pool(pool):
    if _WARM and _WARM[0][1] is pool:
        _WARM.pop()
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown_pool():
    """Stop the warm local process pool of :func:`run_tasks` (if one is running); its workers exit.

    Examples
    --------
    >>> _ = list(run_tasks(divmod, [(7, 2), (9, 4)], workers=2, progress=False))
    >>> shutdown_pool()
    >>> shutdown_pool()  # nothing left to stop
    """
    while _WARM:
        _WARM.pop()[1].shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_pool)


def _submit_all(fn, pending, workers):
    """Submit every pending task to the warm pool (a fresh one if the warm pool broke while idle)."""
    from concurrent.futures.process import BrokenProcessPool

    for attempt in (0, 1):
        pool = _warm_pool(workers, fn)
        try:
            return pool, {pool.submit(_call, fn, k, a): k for k, a in pending.items()}
        except (BrokenProcessPool, RuntimeError):
            _drop_pool(pool)
            if attempt:
                raise


def _pool(fn, tasks, workers, retries=0):
    from concurrent.futures.process import BrokenProcessPool

    pending, tries = dict(enumerate(tasks)), dict.fromkeys(range(len(tasks)), 0)
    while pending:
        pool, futures = _submit_all(fn, pending, workers)
        broken = False
        try:
            for fut in as_completed(futures):
                k = futures[fut]
                if isinstance(fut.exception(), BrokenProcessPool):
                    broken = True
                    if tries[k] < retries:
                        tries[k] += 1  # a worker died: run this task again on a fresh pool
                        continue
                del pending[k]
                yield _settled(fut, k)
        finally:
            for fut in futures:  # the caller stopped early: nothing more runs for it
                fut.cancel()
            if broken:
                _drop_pool(pool)


def _settled(fut, index):
    """A finished future's (index, result); a worker that died becomes a TaskError, never a lost task."""
    try:
        return fut.result()
    except Exception as err:  # the pool or cluster failed the task (a crashed worker, an unpicklable result)
        tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        return index, TaskError(index, type(err).__name__, str(err), tb)


def _client(address):
    """A ``distributed.Client`` of the scheduler at ``address``; OptionError when it cannot be had."""
    try:
        from distributed import Client
    except ImportError as err:  # pragma: no cover - distributed is in the test extra
        raise OptionError("scheduler: a Dask scheduler needs the 'distributed' package "
                          "(pip install lossgeom[sweep])") from err
    try:
        return Client(address, timeout=30, set_as_default=False)
    except OSError as err:
        raise OptionError("scheduler: cannot reach %s: %s" % (address, err)) from None


def _dask_threads(address):
    """The total thread count of the cluster's workers (at least 1)."""
    with _client(check_scheduler(address)) as client:
        return max(1, sum(client.nthreads().values()))


def _dask(fn, tasks, address, retries=0):
    client = _client(address)
    from distributed import as_completed as dask_completed

    try:
        with client.as_current():
            packed = [_Packed(a) for a in tasks]  # opaque to Dask: a tuple starting with a callable stays data
            futures = client.map(_call_packed, [fn] * len(tasks), range(len(tasks)), packed, pure=False)
            index, tries = {f.key: k for k, f in enumerate(futures)}, dict.fromkeys(range(len(tasks)), 0)
            done = dask_completed(futures)
            for fut in done:
                k = index.pop(fut.key)
                # _call turns a task's own exception into a result: an erred future is the cluster's failure
                # (KilledWorker once the scheduler's allowed-failures are spent), resubmitted like the pool's
                if fut.status == "error" and tries[k] < retries:
                    tries[k] += 1
                    again = client.submit(_call_packed, fn, k, packed[k], pure=False)
                    index[again.key] = k
                    done.add(again)
                    continue
                yield _settled(fut, k)
    finally:
        client.close()
