"""Benchmark of ``lossgeom sweep`` (lossgeom.proofs.sweep, lossgeom.executor): instances per second of the
path-sum, PL PSD and deep-linear gradient claims on 1 and 2 local workers and on a two-worker Dask cluster
on 127.0.0.1 (LocalCluster, processes, one thread each, started before the timing), side by side in one run; a local
pool is spawned per sweep, so its start-up (importing lossgeom and SymPy in each worker) is also shown
subtracted; the results are checked
identical across the three engines (ignoring ``seconds``).

Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_sweep.py [instances per claim]
"""

import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from lossgeom.proofs.sweep import run_sweep  # noqa: E402

CLAIMS = ("choromanska2015.path-sum", "botev2017.pl-hessians-psd", "kawaguchi2016.lemma1-gradient")


def _key(rec):
    return json.dumps({k: v for k, v in rec.items() if k != "seconds"}, sort_keys=True)


def main(n):
    from distributed import LocalCluster

    print("load average before: %.1f %.1f %.1f (the 2-worker ratio is bounded by the free cores)" % os.getloadavg())
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      silence_logs=40) as cluster:
        run_sweep(list(CLAIMS), 4, workers=None, scheduler=cluster.scheduler_address, progress=False)  # warm up
        for claim in CLAIMS:
            rows, keys = {}, {}
            for name, kw in (("1 local worker", {"workers": 1}), ("2 local workers", {"workers": 2}),
                             ("Dask, 2 workers", {"scheduler": cluster.scheduler_address})):
                t = time.perf_counter()
                recs = run_sweep([claim], n, seed=0, progress=False, **kw)
                rows[name] = time.perf_counter() - t
                keys[name] = sorted(map(_key, recs))
            same = len({tuple(v) for v in keys.values()}) == 1
            t = time.perf_counter()
            run_sweep([claim], 2, seed=0, progress=False, workers=2)  # a fresh spawn pool's start-up alone
            startup = time.perf_counter() - t
            rows["2 local, start-up (%.1f s) excluded" % startup] = max(rows["2 local workers"] - startup, 1e-9)
            base = rows["1 local worker"]
            print("%s, %d instances: %s; identical: %s" % (claim, n, "; ".join(
                "%s %.0f/s (x%.2f)" % (k, n / v, base / v) for k, v in rows.items()), same))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
