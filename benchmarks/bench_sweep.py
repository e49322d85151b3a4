"""Benchmark of ``lossgeom sweep`` and the Milne toy trials at scale (issue 18's scale target).

The path-sum, trace and PL PSD claims over N instances each (default 10^5) and the Milne toy trials over M
(default 10^4), each on three engines, side by side in one run:

* 1 local worker (in this process, no pool);
* 2 local workers (the warm spawn pool of lossgeom.executor: started once, before the timing);
* a real two-worker Dask cluster on 127.0.0.1: ``dask scheduler`` and two ``dask worker`` processes (one
  thread each, no nanny), started by this script as subprocesses (lossgeom._cluster) and stopped at the end;
* and, as the ceiling no executor can beat, two independent processes each doing one half of the workload
  in-process (started together after their imports): its ratio is what these two cores give two
  copies of the same work (shared caches, memory bandwidth, the hypervisor), before any executor cost.

Printed per workload: instances per second, per worker, and the speedup over 1 local worker (the target is
>= 1.8x from 1 to 2 workers on a quiet 2-core machine), and whether the three engines' results are
identical (sweep records ignoring ``seconds``; Milne's trial numbers bitwise).  The start-up of a cold
local pool (paid once per process, not per sweep) and of the cluster are printed separately.  On a
loaded Linux machine with sched_autogroup the local pool's workers share one session's CPU share while the
Dask processes have sessions of their own: the script says so (compare on a quiet machine).

Run: python benchmarks/bench_sweep.py [--instances N] [--milne-trials M] [--quick] [--only WORKLOAD...]
     (--quick: 300 instances and 60 trials, under a minute on a quiet machine)
"""

import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from lossgeom._cluster import loopback_cluster  # noqa: E402
from lossgeom.executor import run_tasks, shutdown_pool  # noqa: E402
from lossgeom.numeric.milne_experiments import toy_experiment  # noqa: E402
from lossgeom.proofs.sweep import run_sweep  # noqa: E402

CLAIMS = ("choromanska2015.path-sum", "botev2017.no-smooth-local-maxima", "botev2017.pl-hessians-psd")
ENGINES = ("1 local", "2 local", "Dask 2")


#: one half of a workload in a process of its own (no executor): sleep until the common start, run, print the
#: seconds from the start to the end; the later of two such halves is what two cores can do at best
_HALF = r"""
import sys, time
kind, what, lo, hi, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
if kind == "sweep":
    from lossgeom.proofs.sweep import _chunk, claim_root
    root = claim_root(what, 0)
    work = lambda: _chunk(what, root, list(range(lo, hi)), 50)
else:
    from lossgeom.executor import child_seeds
    from lossgeom.numeric.milne_experiments import TOY, toy_data, toy_trial
    X, _ = toy_data(0, TOY["points"])
    xs = [float(v) for v in X[0]]
    seeds = child_seeds(0, hi)[lo:hi]
    work = lambda: [toy_trial(s, xs, TOY["lam"], TOY["eta"], TOY["steps"], TOY["short"]) for s in seeds]
time.sleep(max(0.0, start - time.time()))
work()
print(time.time() - start)
"""


def _ceiling(kind, what, n):
    """Wall seconds of two independent processes each doing half of the workload (imports not counted)."""
    start = time.time() + 8.0  # both have imported lossgeom by then
    procs = [subprocess.Popen([sys.executable, "-c", _HALF, kind, what, str(lo), str(hi), repr(start)],
                              stdout=subprocess.PIPE, text=True)
             for lo, hi in ((0, n // 2), (n // 2, n))]
    return max(float(p.communicate()[0].split()[-1]) for p in procs)


def _key(rec):
    return json.dumps({k: v for k, v in rec.items() if k != "seconds"}, sort_keys=True)


def _engines(address):
    return {"1 local": {"workers": 1}, "2 local": {"workers": 2}, "Dask 2": {"scheduler": address}}


def _sweep(claim, n, kw):
    """(wall seconds of the sweep alone, a function giving its comparable records, the instances' seconds)."""
    t = time.perf_counter()
    recs = run_sweep([claim], n, seed=0, progress=False, **kw)
    wall = time.perf_counter() - t
    return wall, lambda: sorted(map(_key, recs)), sum(r["seconds"] or 0.0 for r in recs)


def _milne(n, kw):
    t = time.perf_counter()
    out = toy_experiment(n, seed=0, progress=False, **kw)
    wall = time.perf_counter() - t
    assert not out["errors"], out["errors"][:1]
    return wall, lambda: [json.dumps(t, sort_keys=True) for t in out["trials"]], None


def _row(label, n, times, busy, same, ceiling):
    """busy: the instances' own seconds / (workers x wall): near 100% the executor's overhead is negligible
    and a ratio below 2 comes from the cores being shared (each instance itself ran slower)."""
    base = times["1 local"]
    cells = []
    for name in ENGINES:
        rate = n / times[name]
        workers = 1 if name == "1 local" else 2
        used = "" if busy[name] is None else ", busy %3.0f%%" % (100 * busy[name] / (workers * times[name]))
        cells.append("%s %7.1f/s (%6.1f/w, x%.2f%s)" % (name, rate, rate / workers, base / times[name], used))
    cells.append("2 independent processes x%.2f" % (base / ceiling))
    print("%-32s %6d | %s | identical: %s" % (label, n, " | ".join(cells), same), flush=True)


def _autogroup_note():
    """Linux's autogroup gives every session one CPU share: the local pool's workers share this session's,
    while the Dask processes (started in their own sessions) get one each, so under load from other sessions
    the local 2-worker ratio is held down and Dask's is not; on a quiet machine both are fair."""
    try:
        with open("/proc/sys/kernel/sched_autogroup_enabled") as fh:
            on = fh.read().strip() == "1"
    except OSError:
        return
    if on and os.getloadavg()[0] > (os.cpu_count() or 1):
        print("note: sched_autogroup is on and the load exceeds the cores: the local pool's 2 workers share this "
              "session's one CPU share (the Dask processes run in sessions of their own), so the local ratio is "
              "not the executor's; compare on a quiet machine")


def _cold_pool_startup():
    shutdown_pool()
    t = time.perf_counter()
    list(run_tasks(abs, [(-1,), (-2,)], workers=2, progress=False))
    return time.perf_counter() - t


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--instances", type=int, default=10 ** 5, help="instances per claim (default 10^5)")
    p.add_argument("--milne-trials", type=int, default=10 ** 4, help="Milne toy trials (default 10^4)")
    p.add_argument("--quick", action="store_true", help="300 instances per claim and 60 trials")
    p.add_argument("--only", nargs="+", metavar="WORKLOAD", choices=list(CLAIMS) + ["milne"],
                   help="run only these workloads (claim ids, or milne)")
    args = p.parse_args(argv)
    n, m = (300, 60) if args.quick else (args.instances, args.milne_trials)
    print("load average before: %.1f %.1f %.1f on %d cores (a 2-worker ratio is bounded by the free cores)"
          % (os.getloadavg() + (os.cpu_count(),)))
    _autogroup_note()
    startup = _cold_pool_startup()
    t = time.perf_counter()
    with loopback_cluster(2) as cluster:
        print("cold start-up: local 2-worker pool %.1f s (paid once per process); Dask scheduler + 2 workers "
              "%.1f s" % (startup, time.perf_counter() - t))
        engines = _engines(cluster.address)
        for kw in list(engines.values())[1:]:  # warm up: every worker imports lossgeom, SymPy, the checks
            run_sweep(list(CLAIMS), 4, seed=1, progress=False, **kw)
            toy_experiment(2, seed=1, progress=False, steps=5, **kw)
        workloads = [(c, n, lambda kw, c=c: _sweep(c, n, kw), ("sweep", c)) for c in CLAIMS]
        workloads.append(("milne toy trials (1000 steps)", m, lambda kw: _milne(m, kw), ("milne", "toy")))
        print("%-32s %6s | engine instances/s (per worker, speedup over 1 local worker, busy = instance "
              "seconds / (workers x wall))" % ("workload", "N"))
        if args.only:
            workloads = [w for w in workloads if (w[3][1] if w[3][0] == "sweep" else "milne") in args.only]
        for label, count, run, half in workloads:
            times, results, busy = {}, {}, {}
            for name in ENGINES:
                times[name], comparable, busy[name] = run(engines[name])  # the comparison is not timed
                results[name] = comparable()
            ceiling = _ceiling(half[0], half[1], count)
            _row(label, count, times, busy, len({tuple(v) for v in results.values()}) == 1, ceiling)
    shutdown_pool()
    print("load average after: %.1f %.1f %.1f" % os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
