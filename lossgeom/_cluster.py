"""A real Dask cluster on the loopback address, for the tests and benchmarks of :mod:`lossgeom.executor`.

:func:`loopback_cluster` starts ``dask scheduler`` and K ``dask worker`` processes (``python -m dask``, the
same interpreter, so the workers import this lossgeom) on free ports of 127.0.0.1, each worker with one
thread and no nanny (a killed worker stays dead: the scheduler re-runs its tasks elsewhere), waits until
all K workers have joined, and on exit stops them all: SIGTERM to each process group, then SIGKILL after a
grace period, so no process outlives the block, even when it raised.  Not part of the public API (the
documented way to run a cluster is docs/sweep.md); it needs ``distributed``.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

__all__ = []


def free_port():
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackCluster:
    """The running processes: ``address`` (tcp://127.0.0.1:PORT), ``scheduler`` and ``workers`` (Popen)."""

    def __init__(self, address, scheduler, workers, logdir):
        self.address, self.scheduler, self.workers, self.logdir = address, scheduler, workers, logdir

    def kill_worker(self, i=0):
        """SIGKILL worker ``i`` (its whole process group) and reap it."""
        _signal_group(self.workers[i], signal.SIGKILL)
        self.workers[i].wait(timeout=30)

    def processes(self):
        return [self.scheduler] + list(self.workers)

    def logs(self):
        """The tail of every process's log (for a failure message)."""
        out = []
        for name in sorted(os.listdir(self.logdir)):
            if name.endswith(".log"):
                with open(os.path.join(self.logdir, name), errors="replace") as fh:
                    out.append("== %s ==\n%s" % (name, fh.read()[-2000:]))
        return "\n".join(out)


def _signal_group(proc, sig):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass


def _start(args, logdir, name, env):
    log = open(os.path.join(logdir, name + ".log"), "wb")
    try:
        return subprocess.Popen([sys.executable, "-m", "dask"] + args, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=logdir, env=env, start_new_session=True)
    finally:
        log.close()


def _stop(procs, grace=15.0):
    for p in procs:
        _signal_group(p, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for p in procs:  # anything left (or a worker's children): killed
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        p.wait()


def _wait_for_workers(address, n, timeout, procs):
    from distributed import Client

    deadline = time.monotonic() + timeout
    with Client(address, timeout=timeout, set_as_default=False) as client:
        while len(client.scheduler_info(n_workers=-1)["workers"]) < n:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError("the Dask cluster at %s did not start %d workers" % (address, n))
            time.sleep(0.1)


@contextmanager
def loopback_cluster(n_workers=2, timeout=120.0):
    """``with loopback_cluster(2) as cluster:`` a scheduler and ``n_workers`` one-thread workers on 127.0.0.1."""
    logdir = tempfile.mkdtemp(prefix="lossgeom-dask-")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    procs = []
    try:
        port = free_port()
        address = "tcp://127.0.0.1:%d" % port
        procs.append(_start(["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard",
                             "--idle-timeout", "3600"], logdir, "scheduler", env))
        for i in range(n_workers):
            procs.append(_start(["worker", address, "--nthreads", "1", "--nworkers", "1", "--no-nanny",
                                 "--no-dashboard", "--host", "127.0.0.1", "--name", "worker-%d" % i,
                                 "--death-timeout", "120", "--local-directory", logdir], logdir, "worker-%d" % i,
                                env))
        cluster = LoopbackCluster(address, procs[0], procs[1:], logdir)
        try:
            _wait_for_workers(address, n_workers, timeout, procs)
        except Exception as err:
            raise RuntimeError("%s\n%s" % (err, cluster.logs())) from None
        yield cluster
    finally:
        _stop(procs)
        shutil.rmtree(logdir, ignore_errors=True)
