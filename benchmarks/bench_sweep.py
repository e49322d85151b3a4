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

The N instances of a workload run in R rounds (``--rounds``, default 5) of N/R each (round r: root seed r),
and within a round the four engines run one after another in an order rotated from round to round.  A
ratio is taken inside a round, between runs a few seconds apart, and the median over the rounds is
printed with its range: a VM whose single-core speed drifts by tens of percent from one minute to the
next (this project's CI machine does) then moves the range, not the median.

Printed per workload: instances per second over all rounds, per worker, the median speedup over 1 local
worker and its range over the rounds (the target is >= 1.8x from 1 to 2 workers on a quiet 2-core
machine), and whether the three engines' results are identical in every round (sweep records ignoring
``seconds``; Milne's trial numbers bitwise).  The start-up of a cold
local pool (paid once per process, not per sweep) and of the cluster are printed separately.  On a
loaded Linux machine with sched_autogroup the local pool's workers share one session's CPU share while the
Dask processes have sessions of their own: the script says so (compare on a quiet machine).

Run: python benchmarks/bench_sweep.py [--instances N] [--milne-trials M] [--rounds R] [--quick]
                                     [--only WORKLOAD...]
     (--quick: 300 instances and 60 trials in 3 rounds, about a minute on a quiet machine)
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from lossgeom._cluster import loopback_cluster  # noqa: E402
from lossgeom.executor import run_tasks, shutdown_pool  # noqa: E402
from lossgeom.numeric.milne_experiments import toy_experiment  # noqa: E402
from lossgeom.proofs.sweep import read_results, run_sweep, run_sweep_summary  # noqa: E402

CLAIMS = ("choromanska2015.path-sum", "botev2017.no-smooth-local-maxima", "botev2017.pl-hessians-psd")
ENGINES = ("1 local", "2 local", "Dask 2")


#: one half of a workload in a process of its own (no executor): import and warm up, say "ready", read the
#: common start time, run, print the seconds from the start to the end; the later of two such halves is
#: what two cores can do at best
_HALF = r"""
import sys, time
kind, what, lo, hi, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if kind == "sweep":
    from lossgeom.proofs.sweep import _chunk, claim_root
    root = claim_root(what, seed)
    work = lambda: _chunk(what, root, list(range(lo, hi)), 50)
    _chunk(what, claim_root(what, seed + 10 ** 6), [0], 50)  # warm up, as the executors' workers are
else:
    from lossgeom.executor import child_seeds
    from lossgeom.numeric.milne_experiments import TOY, toy_data, toy_trial
    X, _ = toy_data(seed, TOY["points"])
    xs = [float(v) for v in X[0]]
    seeds = child_seeds(seed, hi)[lo:hi]
    work = lambda: [toy_trial(s, xs, TOY["lam"], TOY["eta"], TOY["steps"], TOY["short"]) for s in seeds]
    toy_trial(child_seeds(seed + 10 ** 6, 1)[0], xs, TOY["lam"], TOY["eta"], 5, TOY["short"])  # warm up
print("ready", flush=True)
start = float(sys.stdin.readline())  # the parent's common start, sent once both halves have imported
time.sleep(max(0.0, start - time.time()))
work()
print(time.time() - start, flush=True)
"""


def _ceiling(kind, what, n, seed):
    """Wall seconds of two independent processes each doing half of the workload (imports not counted:
    both say they are ready, then both get the same start time, a moment ahead)."""
    procs = [subprocess.Popen([sys.executable, "-c", _HALF, kind, what, str(lo), str(hi), str(seed)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for lo, hi in ((0, n // 2), (n // 2, n))]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready"
    start = time.time() + 0.2
    for proc in procs:
        proc.stdin.write("%r\n" % start)
        proc.stdin.flush()
    return max(float(p.communicate()[0].split()[-1]) for p in procs)


def _key(rec):
    return json.dumps({k: v for k, v in rec.items() if k != "seconds"}, sort_keys=True)


def _engines(address):
    return {"1 local": {"workers": 1}, "2 local": {"workers": 2}, "Dask 2": {"scheduler": address}}


def _sweep(claim, n, seed, kw):
    """(wall seconds of the sweep alone, a function giving its comparable records, the instances' seconds).

    The sweep is what ``lossgeom sweep --out FILE`` runs (run_sweep_summary: the records go to the file, the
    summary is added up from the chunks'); the records are read back from the file afterwards, untimed."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.jsonl")
        t = time.perf_counter()
        run_sweep_summary([claim], n, seed=seed, out=out, progress=False, **kw)
        wall = time.perf_counter() - t
        recs = read_results(out)
    return wall, lambda: sorted(map(_key, recs)), sum(r["seconds"] or 0.0 for r in recs)


def _milne(n, seed, kw):
    t = time.perf_counter()
    out = toy_experiment(n, seed=seed, progress=False, **kw)
    wall = time.perf_counter() - t
    assert not out["errors"], out["errors"][:1]
    return wall, lambda: [json.dumps(t, sort_keys=True) for t in out["trials"]], None


def _median(xs):
    xs = sorted(xs)
    return (xs[(len(xs) - 1) // 2] + xs[len(xs) // 2]) / 2


def _row(label, n, rounds, same):
    """rounds: per round, {engine or "ceiling": (wall seconds, the instances' own seconds or None)}.

    busy: the instances' own seconds / (workers x wall), over all rounds: near 100% the executor's overhead
    is negligible and a ratio below 2 comes from the cores being shared (each instance itself ran slower)."""
    cells = []
    for name in ENGINES + ("ceiling",):
        wall = sum(r[name][0] for r in rounds)
        ratios = [r["1 local"][0] / r[name][0] for r in rounds]
        spread = "x%.2f [%.2f-%.2f]" % (_median(ratios), min(ratios), max(ratios))
        if name == "ceiling":
            cells.append("2 independent processes %s" % spread)
            continue
        rate, workers = n / wall, 1 if name == "1 local" else 2
        own = [r[name][1] for r in rounds]
        used = "" if None in own else ", busy %3.0f%%" % (100 * sum(own) / (workers * wall))
        cells.append("%s %7.1f/s (%6.1f/w, %s%s)" % (name, rate, rate / workers, spread, used))
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
    p.add_argument("--rounds", type=int, default=5, help="rounds, each of N/R instances with the engines in a "
                   "rotated order; the median ratio is printed (default 5)")
    p.add_argument("--quick", action="store_true", help="300 instances per claim and 60 trials, 3 rounds")
    p.add_argument("--only", nargs="+", metavar="WORKLOAD", choices=list(CLAIMS) + ["milne"],
                   help="run only these workloads (claim ids, or milne)")
    args = p.parse_args(argv)
    n, m, rounds = (300, 60, 3) if args.quick else (args.instances, args.milne_trials, args.rounds)
    if rounds < 1 or n < rounds or m < rounds:
        p.error("--rounds: expected 1 <= R <= the instance and trial counts, got %d" % rounds)
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
        workloads = [(c, n, lambda k, seed, kw, c=c: _sweep(c, k, seed, kw), ("sweep", c)) for c in CLAIMS]
        workloads.append(("milne toy trials (1000 steps)", m, lambda k, seed, kw: _milne(k, seed, kw), ("milne", "toy")))
        print("%-32s %6s | engine instances/s (per worker, median speedup over 1 local worker in a round "
              "[range over %d rounds], busy = instance seconds / (workers x wall))" % ("workload", "N", rounds))
        if args.only:
            workloads = [w for w in workloads if (w[3][1] if w[3][0] == "sweep" else "milne") in args.only]
        order = ENGINES + ("ceiling",)
        for label, count, run, half in workloads:
            per_round, same = [], True
            for r in range(rounds):
                k = count // rounds + (r < count % rounds)  # the rounds' counts add up to N
                times, results = {}, {}
                for name in order[r % len(order):] + order[:r % len(order)]:  # rotated: no engine always first
                    if name == "ceiling":
                        times[name] = (_ceiling(half[0], half[1], k, r), None)
                        continue
                    wall, comparable, own = run(k, r, engines[name])
                    times[name], results[name] = (wall, own), comparable()  # the comparison is not timed
                same = same and len({tuple(v) for v in results.values()}) == 1
                per_round.append(times)
            _row(label, count, per_round, same)
    shutdown_pool()
    print("load average after: %.1f %.1f %.1f" % os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
