"""``lossgeom sweep CLAIM_ID... --instances N [--seed S] [--workers K | --scheduler tcp://HOST:PORT]
[--out results.jsonl] [--resume]``, and ``lossgeom sweep --replay FILE:INSTANCE [CLAIM_ID]``.

Checks each claim (one with an instance generator: ``lossgeom sweep --list``) on N seeded random instances
(:mod:`lossgeom.proofs.sweep`), streams one JSON line per instance to ``--out`` as results arrive (appended and
fsync-ed line by line: the exception to the staged all-or-nothing output files, so a crash loses at most
the instances in flight), and prints a summary table: per claim and outcome the count, the worst residual
and the slowest instance.  Exit 0 when no instance is a counterexample or an error, else 1.
"""

import json

from lossgeom.cli import UsageError, add_format, add_seed, positive_int, write_output

ORDER = 75


def add(sub):
    p = sub.add_parser("sweep", help="check claims on many seeded random instances (JSON lines)",
                       description="Check claims on N seeded random instances, on a local pool or a Dask "
                                   "cluster, streaming one JSON line per instance.")
    p.add_argument("claims", nargs="*", metavar="CLAIM_ID", help="claims with an instance generator (--list)")
    p.add_argument("--instances", type=positive_int("--instances", 1, 10 ** 6), default=100,
                   help="instances per claim (default %(default)s)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=positive_int("--workers", 1, 256), default=None,
                       help="local worker processes (default: the CPU count; 1 runs in this process)")
    where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a running Dask scheduler, tcp://HOST:PORT (needs lossgeom[sweep])")
    p.add_argument("--out", default=None, metavar="FILE", help="results, one JSON object per line and instance")
    p.add_argument("--resume", action="store_true", help="finish the sweep recorded in --out")
    p.add_argument("--replay", default=None, metavar="FILE:INSTANCE", help="re-run one recorded instance alone")
    p.add_argument("--list", action="store_true", help="list the claims with a generator and their distributions")
    p.add_argument("--dps", type=positive_int("--dps", 15, 10000), default=50,
                   help="digits of the numeric work (default %(default)s; exact and float64 checks say so)")
    add_seed(p)
    add_format(p, choices=("text", "json"))
    p.set_defaults(func=_cmd_sweep)


def _cmd_sweep(args):
    from lossgeom.errors import OptionError
    from lossgeom.executor import check_scheduler
    from lossgeom.proofs.sweep import run_sweep_summary, sweep_claims

    if args.list:
        write_output("\n".join("%s: %s" % kv for kv in sweep_claims().items()))
        return 0
    if args.replay is not None:
        return _replay(args)
    if not args.claims:
        raise UsageError("sweep: give at least one CLAIM_ID (lossgeom sweep --list shows them)")
    if args.resume and args.out is None:
        raise UsageError("--resume: needs --out FILE")
    try:
        check_scheduler(args.scheduler, "--scheduler")
    except OptionError as err:
        raise UsageError(str(err)) from None
    if args.out is not None:
        from lossgeom.io import check_output_path
        check_output_path(args.out, "--out")
    done = run_sweep_summary(args.claims, args.instances, seed=args.seed, workers=args.workers,
                             scheduler=args.scheduler, out=args.out, resume=args.resume, dps=args.dps, progress=True)
    table = done["summary"]
    bad = sum(row["count"] for (_, o), row in table.items() if o in ("counterexample", "error"))
    if args.format == "json":
        rows = [dict(row, claim=c, outcome=o) for (c, o), row in sorted(table.items())]
        write_output(json.dumps({"instances": done["instances"], "seed": args.seed, "summary": rows}, indent=2))
        return 1 if bad else 0
    lines = ["%d instances (seed %d)%s" % (done["instances"], args.seed,
                                           "" if args.out is None else ", results in " + args.out),
             "%-32s %-15s %8s %14s %10s %12s" % ("claim", "outcome", "count", "worst resid.", "at", "slowest s")]
    for (c, o), row in sorted(table.items()):
        res = "-" if row["worst_residual"] is None else "%.3g" % row["worst_residual"]
        at = "-" if row["worst_instance"] is None else str(row["worst_instance"])
        slow = "-" if row["slowest"] is None else "%.3f (#%d)" % (row["slowest"], row["slowest_instance"])
        lines.append("%-32s %-15s %8d %14s %10s %12s" % (c, o, row["count"], res, at, slow))
    for r in done["flagged"]:
        lines.append("%s instance %d: %s (replay: lossgeom sweep --replay FILE:%d)"
                     % (r["claim"], r["instance"], r["outcome"].upper(), r["instance"]))
    write_output("\n".join(lines))
    return 1 if bad else 0


def _replay(args):
    from lossgeom.proofs.sweep import replay

    path, sep, index = args.replay.rpartition(":")
    if not sep or not path or not index.isdigit() or len(index) > 7:
        raise UsageError("--replay: expected FILE:INSTANCE such as results.jsonl:17, got %r" % args.replay[:80])
    if len(args.claims) > 1:
        raise UsageError("--replay: at most one CLAIM_ID")
    out = replay(path, int(index), claim_id=args.claims[0] if args.claims else None)
    if args.format == "json":
        write_output(json.dumps({"reproduced": out["reproduced"], "stored": out["stored"],
                                 "fresh": out["fresh"]}, indent=2, default=str))
    else:
        s, f = out["stored"], out["fresh"]
        write_output("%s instance %d (seed %d): stored %s, replayed %s: %s\ninstance: %s\nevidence: %s"
                     % (s["claim"], s["instance"], s["seed"], s["outcome"], f["outcome"],
                        "REPRODUCED" if out["reproduced"] else "NOT reproduced",
                        json.dumps(f["instance_data"]), json.dumps(f["evidence"], default=str)))
    return 0 if out["reproduced"] else 1
