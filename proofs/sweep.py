"""``lossgeom sweep``: check a claim on many seeded random instances, streaming one JSON line per instance.

Every claim that is checked on instances declares a *generator* (:func:`register_generator`): a function
``seed -> instance`` (a JSON-serialisable dict, exact rationals as strings where the check is exact) with
its distribution stated, and a *checker* ``(instance, dps) -> {"outcome", "evidence"}``.  Instance k of a
sweep of claim C with root seed S gets the k-th child seed of a root derived from (S, C)
(:func:`lossgeom.executor.child_seeds`), so instance k is the same whatever the worker count, the order of
completion or the instance count N.

Outcomes: ``holds`` (the instance satisfies the claim, decided as stated in the evidence), ``counterexample``
(it does not; the line holds everything needed to reproduce it: claim, instance index, seed and the
instance itself, see :func:`replay`), ``undecided`` (the instance could not be decided, e.g. a unit exactly
at a kink) and ``error`` (the check raised; its traceback is kept).

The results file is the one exception to lossgeom's all-or-nothing output rule (:mod:`lossgeom.io` stages
a whole file and renames it): a sweep of 10^5 instances must survive a crash and lose at most the
instances in flight, so each chunk's results are appended as one ``os.write`` of whole lines as soon
as the chunk is done (one instance per chunk in this process), and the file is ``os.fsync``-ed at most
every :data:`FSYNC_SECONDS` and at the end (a kill -9 of the sweep loses nothing written; the fsync bounds
what a crash of the machine can lose).  A kill -9 can at worst leave a torn last line; :func:`read_results` (and
``--resume``) drop it and truncate the file back to its last whole line.
"""

import hashlib
import json
import os
import random
import time
import traceback
from dataclasses import dataclass

from lossgeom.checks import check_bool, check_callable, check_int, check_mapping, check_sequence, check_str
from lossgeom.errors import DataError, OptionError
from lossgeom.executor import (
    TaskError,
    _Progress,
    _threads,
    check_scheduler,
    check_workers,
    child_seed,
    run_tasks,
)

__all__ = ["register_generator", "sweep_claims", "sweep_instance", "run_sweep", "run_sweep_summary",
           "read_results", "replay", "sweep_summary"]

#: at most this many instances per claim and sweep
MAX_INSTANCES = 10 ** 6
OUTCOMES = ("holds", "counterexample", "undecided", "error")


@dataclass(frozen=True)
class _Spec:
    claim: str
    generate: object
    check: object
    distribution: str


_GENERATORS = {}


def register_generator(claim_id, check, distribution):
    """Decorator: ``generate(seed) -> instance`` is the instance generator of ``claim_id``, checked by ``check``.

    Parameters
    ----------
    claim_id : str
    check : callable
        ``check(instance, dps) -> dict`` with ``outcome`` (one of holds, counterexample, undecided) and
        ``evidence`` (a JSON-serialisable dict; ``residual``, a float, is summarised).
    distribution : str
        The instances' distribution, in words (widths, depths, activations, scales).

    Examples
    --------
    >>> def _ok(instance, dps):
    ...     return {"outcome": "holds", "evidence": {"residual": 0.0}}
    >>> @register_generator("demo.doc-example", _ok, "one integer in 0..9")
    ... def _gen(seed):
    ...     return {"n": seed % 10}
    >>> sweep_instance("demo.doc-example", 0, 20)["outcome"]
    'holds'
    """
    claim_id = check_str(claim_id, "claim_id")
    check = check_callable(check, "check")
    distribution = check_str(distribution, "distribution")

    def wrap(fn):
        _GENERATORS[claim_id] = _Spec(claim_id, check_callable(fn, "generate"), check, distribution)
        return fn
    return wrap


def sweep_claims():
    """claim id -> the stated distribution of its instances, for every claim with a generator.

    Examples
    --------
    >>> sorted(k for k in sweep_claims() if not k.startswith("demo."))  # doctest: +NORMALIZE_WHITESPACE
    ['botev2017.no-smooth-local-maxima', 'botev2017.pl-hessians-psd', 'choromanska2015.path-sum',
     'kawaguchi2016.lemma1-gradient']
    """
    _load()
    return {k: v.distribution for k, v in sorted(_GENERATORS.items())}


def _load():
    from lossgeom.proofs import _sweep_generators  # noqa: F401  (registers the catalog's generators)


def _spec(claim_id):
    _load()
    claim_id = check_str(claim_id, "claim")
    if claim_id not in _GENERATORS:
        raise OptionError("claim: %r has no instance generator; claims with one: %s"
                          % (claim_id[:80], ", ".join(sorted(_GENERATORS))))
    return _GENERATORS[claim_id]


def claim_root(claim_id, seed):
    """The root seed of ``claim_id``'s instances in a sweep with root ``seed`` (a hash of both)."""
    digest = hashlib.sha256(("%d:%s" % (seed, claim_id)).encode()).digest()
    return int.from_bytes(digest[:16], "big")


def sweep_instance(claim_id, seed, dps=50):
    """Generate and check one instance of ``claim_id`` from its ``seed``: a dict with ``instance_data``,
    ``outcome`` and ``evidence``.

    Examples
    --------
    >>> r = sweep_instance("choromanska2015.path-sum", 7)
    >>> r["outcome"], r["evidence"]["residual"]
    ('holds', 0.0)
    """
    spec = _spec(claim_id)
    seed = check_int(seed, "seed", 0, 2 ** 64)
    dps = check_int(dps, "dps", 15, 10000)
    data = spec.generate(seed)
    result = spec.check(data, dps)
    if result.get("outcome") not in OUTCOMES[:3]:
        raise DataError("check of %s: outcome %r is not one of %s" % (claim_id, result.get("outcome"), OUTCOMES[:3]))
    return {"instance_data": data, "outcome": result["outcome"], "evidence": result.get("evidence", {})}


def _task(claim_id, index, seed, dps):
    start = time.perf_counter()
    out = sweep_instance(claim_id, seed, dps)
    out["seconds"] = time.perf_counter() - start
    return out


def _chunk(claim_id, root, indices, dps, parsed=False):
    """Run instances ``indices`` of ``claim_id`` in one task (ms-scale instances would otherwise spend their
    time in task overhead), each from its seed ``child_seed(root, k)``, computed here in the worker; an
    instance that raises is an ``error`` record with its traceback, the others still run.

    Returns ``(lines, records, summary, flagged)``: the chunk's records as the JSON lines the results file
    gets (serialised here, in the worker, so the parent only appends bytes), the records themselves when
    ``parsed`` (in this process, where nothing is pickled) else None, their :func:`sweep_summary` and their
    flagged records (counterexamples and errors)."""
    recs = []
    for k in indices:
        seed = child_seed(root, k)
        try:
            result = _task(claim_id, k, seed, dps)
        except Exception as err:  # an instance's failure is its result, with its traceback
            result = TaskError(k, type(err).__name__, str(err), traceback.format_exc())
        recs.append(dict(_record(claim_id, k, seed, result), dps=dps))
    lines = _lines(recs)
    flagged = [json.loads(line) for line, r in zip(lines.splitlines(), recs) if r["outcome"] in FLAGGED]
    return lines, (recs if parsed else None), sweep_summary(recs), flagged


#: a chunk is about this many seconds of work (its instances' measured mean), so the engine's per-task cost
#: (a pool's pickling, a Dask scheduler's bookkeeping) is small beside it and a dead worker loses little
CHUNK_SECONDS = 0.5
#: instances per probe chunk (the first of each is a worker's warm-up and is not timed)
PROBE = 4


def _chunk_size(n, threads, seconds=None):
    """Instances per chunk of one claim's ``n`` pending ones on ``threads`` workers: 1 in this process (every
    line is written as soon as it is known); else about 8 chunks per worker, each about
    :data:`CHUNK_SECONDS` of work when an instance's mean ``seconds`` is known (at most 50 instances when
    it is not).

    Examples
    --------
    >>> _chunk_size(10 ** 5, 1), _chunk_size(10 ** 5, 2), _chunk_size(10 ** 5, 2, 0.0005), _chunk_size(100, 2, 0.0005)
    (1, 50, 1000, 6)
    """
    if threads == 1:
        return 1
    cap = 50 if not seconds or seconds <= 0 else max(1, min(10 ** 4, int(CHUNK_SECONDS / seconds)))
    return max(1, min(cap, n // (8 * threads)))


def _record(claim_id, index, seed, result):
    if isinstance(result, TaskError):
        return {"claim": claim_id, "instance": index, "seed": seed, "outcome": "error",
                "evidence": {"kind": result.kind, "message": result.message, "traceback": result.traceback},
                "seconds": None}
    return {"claim": claim_id, "instance": index, "seed": seed, "outcome": result["outcome"],
            "evidence": result["evidence"], "instance_data": result["instance_data"], "seconds": result["seconds"]}


def read_results(path, repair=False):
    """The records of a results file, one per whole line; a torn last line is dropped (and, with
    ``repair``, cut off the file so that appending continues on a line boundary).

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "r.jsonl")
    >>> _ = open(p, "w").write('{"claim": "c", "instance": 0}\\n{"claim": "c", "inst')
    >>> [r["instance"] for r in read_results(p, repair=True)], open(p).read().count("\\n"), os.path.getsize(p)
    ([0], 1, 30)
    """
    path = check_str(path, "path")
    repair = check_bool(repair, "repair")
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as err:
        raise DataError("%s: cannot read the results file: %s" % (path[:200], err.strerror or err)) from None
    records, good = [], 0
    for line in raw.split(b"\n")[:-1]:  # the piece after the last newline is torn (or empty)
        try:
            rec = json.loads(line)
        except ValueError:
            break
        if not isinstance(rec, dict) or "instance" not in rec:
            break
        records.append(rec)
        good += len(line) + 1
    if repair and good < len(raw):
        with open(path, "r+b") as fh:
            fh.truncate(good)
            os.fsync(fh.fileno())
    return records


def _lines(records):
    """Records as JSON lines (keys sorted; a value JSON has no type for is written as its ``str``)."""
    return b"".join((json.dumps(r, sort_keys=True, default=str) + "\n").encode() for r in records)


#: the results file is ``fsync``-ed at most this often (and when the sweep ends): a line is in the file as
#: soon as its ``os.write`` returns, which a kill -9 of the sweep cannot undo; the fsync bounds what a crash
#: of the machine itself can lose, without paying a disk flush per millisecond instance
FSYNC_SECONDS = 0.5
_SYNCED = {}


def _append(fd, data, force=False):
    """Append whole lines with one ``os.write`` (a chunk's records at once); ``os.fsync`` when the last one
    on ``fd`` is :data:`FSYNC_SECONDS` old (or ``force``)."""
    while data:
        data = data[os.write(fd, data):]
    now = time.monotonic()
    if force or now - _SYNCED.get(fd, 0.0) >= FSYNC_SECONDS:
        os.fsync(fd)
        _SYNCED[fd] = now


def run_sweep(claim_ids, instances, seed=0, workers=None, scheduler=None, out=None, resume=False, dps=50,
              progress=True):
    """Check every claim of ``claim_ids`` on ``instances`` seeded instances; return the records.

    Parameters
    ----------
    claim_ids : list of str
        Claims with a generator (:func:`sweep_claims`).
    instances : int
        N: instances 0..N-1 of each claim.
    seed : int
        The root seed.
    workers, scheduler
        As in :func:`lossgeom.executor.run_tasks` (a local pool, or a Dask scheduler address).
    out : str or None
        The results file (JSON lines, each chunk's appended with one write; fsync-ed every
        :data:`FSYNC_SECONDS` and at the end).
    resume : bool
        Keep the records already in ``out`` (dropping a torn last line) and run only the missing instances;
        without it an existing ``out`` is an error.
    dps : int
    progress : bool

    Returns
    -------
    list of dict
        One record per (claim, instance) in the file (or this run), sorted by claim then instance.

    See Also
    --------
    run_sweep_summary : the same sweep, returning only its summary and its flagged records (what
        ``lossgeom sweep`` prints), so that 10^5 records need not be held or parsed.

    Examples
    --------
    >>> recs = run_sweep(["choromanska2015.path-sum"], 3, seed=1, workers=1, progress=False)
    >>> [(r["instance"], r["outcome"]) for r in recs]
    [(0, 'holds'), (1, 'holds'), (2, 'holds')]
    """
    done, wanted, _, _ = _sweep(claim_ids, instances, seed, workers, scheduler, out, resume, dps, progress, True)
    return [done[key] for key in sorted(done) if key in wanted]


def run_sweep_summary(claim_ids, instances, seed=0, workers=None, scheduler=None, out=None, resume=False,
                      dps=50, progress=True):
    """Run the sweep of :func:`run_sweep` (same arguments, same results file) and return only its summary.

    Each chunk's summary is made where the chunk ran, so a pool or a cluster sends back its records as the
    file's JSON lines and a few numbers; this process appends the lines and adds up the numbers, and never
    parses or holds the 10^5 records a large sweep has.  ``lossgeom sweep`` prints this.

    Returns
    -------
    dict
        ``instances``: the number of (claim, instance) records of the sweep (this run's and, with
        ``resume``, the file's); ``summary``: what :func:`sweep_summary` gives for them; ``flagged``: the
        records whose outcome is ``counterexample`` or ``error``, sorted by claim then instance.

    Examples
    --------
    >>> out = run_sweep_summary(["choromanska2015.path-sum"], 3, seed=1, workers=1, progress=False)
    >>> out["instances"], out["summary"][("choromanska2015.path-sum", "holds")]["count"], out["flagged"]
    (3, 3, [])
    """
    done, wanted, table, flagged = _sweep(claim_ids, instances, seed, workers, scheduler, out, resume, dps,
                                          progress, False)
    old = [done[key] for key in sorted(done) if key in wanted]  # resumed records, read from the file
    for rec in old:
        if rec.get("outcome") in FLAGGED:
            flagged.append(rec)
    ran = sum(row["count"] for row in table.values())
    _merge_summary(table, sweep_summary(old))
    flagged.sort(key=lambda r: (r["claim"], r["instance"]))
    return {"instances": len(old) + ran, "summary": table, "flagged": flagged}


#: the outcomes a sweep reports one by one (with how to replay them)
FLAGGED = ("counterexample", "error")


def _sweep(claim_ids, instances, seed, workers, scheduler, out, resume, dps, progress, keep):
    """Check the arguments, read a resumed file, run the pending instances.  Returns ``(done, wanted,
    table, flagged)``: ``done`` maps (claim, instance) to the resumed records and, with ``keep``, this run's;
    ``table`` and ``flagged`` are this run's summary and flagged records (see :func:`run_sweep_summary`)."""
    if isinstance(claim_ids, str):
        claim_ids = [claim_ids]
    claim_ids = [_spec(c).claim for c in check_sequence(claim_ids, "claim_ids")]
    if not claim_ids or len(set(claim_ids)) != len(claim_ids):
        raise OptionError("claim_ids: expected one or more different claims, got %d (%d different)"
                          % (len(claim_ids), len(set(claim_ids))))
    instances = check_int(instances, "instances", 1, MAX_INSTANCES)
    seed = check_int(seed, "seed", 0, 10 ** 100)
    dps = check_int(dps, "dps", 15, 10000)
    progress, resume = check_bool(progress, "progress"), check_bool(resume, "resume")
    workers, scheduler = check_workers(workers), check_scheduler(scheduler)
    if workers is not None and scheduler is not None:
        raise OptionError("workers, scheduler: give a worker count or a scheduler address, not both")
    from lossgeom.limits import LIMITS
    LIMITS["sweep_instances"].check(len(claim_ids) * instances, "instances",
                                    shown="%d claims x %d instances" % (len(claim_ids), instances))
    done = {}
    if out is not None:
        from lossgeom.io import check_output_path
        out = check_str(out, "out")
        check_output_path(out, "out")
        if os.path.exists(out):
            if not resume:
                raise OptionError("out: %s exists; give --resume to finish it, or another file" % out[:200])
            done = {(r.get("claim"), r.get("instance")): r for r in read_results(out, repair=True)}
    pending = []
    for c in claim_ids:
        root = claim_root(c, seed)
        for k in range(instances):
            if (c, k) not in done:
                pending.append((c, root, k))
            elif done[c, k].get("seed") != child_seed(root, k):
                raise OptionError("out: %s records instance %d of %s with seed %s, not %d: it is another sweep "
                                  "(another --seed)" % (out[:200], k, c, done[c, k].get("seed"), child_seed(root, k)))
    table, flagged = _stream(pending, done if keep else None, out, workers, scheduler, progress, dps)
    return done, {(c, k) for c in claim_ids for k in range(instances)}, table, flagged


def _chunks(pending, size):
    """Consecutive pending instances of one claim, at most ``size`` per chunk: ``(claim, root, indices)``."""
    chunks = []
    for c, root, k in pending:
        if chunks and chunks[-1][0] == c and len(chunks[-1][2]) < size:
            chunks[-1][2].append(k)
        else:
            chunks.append((c, root, [k]))
    return chunks


def _stream(pending, done, out, workers, scheduler, progress, dps):
    """Run the pending instances in chunks; append each chunk's records to ``out`` (one write) as
    it arrives, so a crash loses at most the chunks in flight.  With ``done`` (a dict), every record is
    kept there under (claim, instance).  Returns this run's ``(summary, flagged records)``.

    On a pool or a cluster, a claim with many pending instances is first *probed*: one chunk of
    :data:`PROBE` instances per worker, whose warm instances' mean time sizes the claim's remaining chunks
    (:func:`_chunk_size`).  The probe's records are the sweep's own (written like the rest)."""
    threads = _threads(workers, scheduler)
    bar = _Progress(len(pending), "sweep", progress)
    fd = None if out is None else os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    table, flagged = {}, []
    try:
        by_claim = {}
        for item in pending:
            by_claim.setdefault(item[0], []).append(item)
        probe, rest = [], {}
        for c, items in by_claim.items():
            cut = PROBE * threads if threads > 1 and len(items) >= 8 * PROBE * threads else 0
            probe.extend(items[:cut])
            rest[c] = items[cut:]
        probe = _chunks(probe, PROBE)
        cold = {(c, ks[0]) for c, _, ks in probe}  # a worker's first instance of a claim: its warm-up
        recs = _run_chunks(probe, done, fd, workers, scheduler, dps, bar, table, flagged, parse=True)
        chunks = []
        for c, items in rest.items():
            warm = [r["seconds"] for r in recs if r["claim"] == c and (c, r["instance"]) not in cold
                    and r["outcome"] != "error"]
            chunks.extend(_chunks(items, _chunk_size(len(items), threads, sum(warm) / len(warm) if warm else None)))
        _run_chunks(chunks, done, fd, workers, scheduler, dps, bar, table, flagged)
    finally:
        if fd is not None:
            try:
                _append(fd, b"", force=True)
            finally:
                _SYNCED.pop(fd, None)
                os.close(fd)
        if done is not None:
            for key, rec in done.items():  # the lines a pool or a cluster sent, parsed now the workers are done
                if isinstance(rec, bytes):
                    done[key] = json.loads(rec)
    return table, flagged


def _run_chunks(chunks, done, fd, workers, scheduler, dps, bar, table, flagged, parse=False):
    """Run ``chunks`` (see :func:`_chunks`); write each one's lines as it finishes, add its summary to
    ``table`` and its flagged records to ``flagged``.

    ``done[claim, k]`` (when ``done`` is a dict) gets instance k's record, or its JSON line (bytes) as a pool
    or a cluster sent it, unless ``parse``: :func:`_stream` parses those once the sweep is over, since
    parsing 10^5 lines while the workers are busy would take the parent's time from theirs.  Returns the
    chunks' records when ``parse`` (the probe's, whose timing sizes the rest)."""
    out = []
    if not chunks:
        return out
    here = scheduler is None and (_threads(workers, None) == 1 or len(chunks) == 1)  # run_tasks runs them here
    for i, result in run_tasks(_chunk, [(c, r, tuple(ks), dps, here) for c, r, ks in chunks], workers=workers,
                               scheduler=scheduler, progress=False, retries=2):
        c, root, ks = chunks[i]
        if isinstance(result, TaskError):  # the whole chunk failed (its worker died every time)
            recs = [dict(_record(c, k, child_seed(root, k), TaskError(k, result.kind, result.message,
                                                                      result.traceback)), dps=dps) for k in ks]
            data, part, bad = _lines(recs), sweep_summary(recs), recs
        else:
            data, recs, part, bad = result
        if recs is None and (parse or done is not None):
            recs = [json.loads(line) for line in data.splitlines()] if parse else data.splitlines()
        if fd is not None:
            _append(fd, data)
        _merge_summary(table, part)
        flagged.extend(bad)
        for j, k in enumerate(ks):
            if done is not None:
                done[c, k] = recs[j]
            bar.step()
        if parse:
            out.extend(recs)
    return out


def replay(path, instance, claim_id=None, dps=None):
    """Re-run one recorded instance of a results file alone, from its seed; the fresh record and whether
    it reproduces the stored outcome and instance (a dict with ``stored``, ``fresh``, ``reproduced``).

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "r.jsonl")
    >>> _ = run_sweep(["choromanska2015.path-sum"], 2, out=p, workers=1, progress=False)
    >>> replay(p, 1)["reproduced"]
    True
    """
    instance = check_int(instance, "instance", 0, MAX_INSTANCES)
    path = check_str(path, "path")
    claim_id = None if claim_id is None else check_str(claim_id, "claim_id")
    dps = None if dps is None else check_int(dps, "dps", 15, 10000)
    recs = [r for r in read_results(path) if r.get("instance") == instance
            and (claim_id is None or r.get("claim") == claim_id)]
    if not recs:
        raise DataError("%s: no record of instance %d%s" % (path[:200], instance,
                                                             "" if claim_id is None else " of " + claim_id[:80]))
    if len(recs) > 1:
        raise DataError("%s: instance %d is recorded for several claims (%s): name one"
                        % (path[:200], instance, ", ".join(sorted(str(r.get("claim")) for r in recs))))
    stored = recs[0]
    try:
        fresh = sweep_instance(stored["claim"], stored["seed"], dps or int(stored.get("dps") or 50))
    except Exception as err:  # the instance raised again: its error, as the sweep records it
        fresh = {"outcome": "error", "instance_data": stored.get("instance_data"),
                 "evidence": {"kind": type(err).__name__, "message": str(err), "traceback": traceback.format_exc()}}
    same = fresh["outcome"] == stored["outcome"] and fresh["instance_data"] == stored.get("instance_data")
    return {"stored": stored, "fresh": fresh, "reproduced": same}


def sweep_summary(records):
    """Per claim and outcome: the count, the worst (largest) residual and the slowest instance (on a tie,
    the lower instance).

    Examples
    --------
    >>> sweep_summary([{"claim": "c", "instance": 0, "outcome": "holds", "evidence": {"residual": 0.5},
    ...             "seconds": 0.1}])
    {('c', 'holds'): {'count': 1, 'worst_residual': 0.5, 'worst_instance': 0, 'slowest': 0.1, 'slowest_instance': 0}}
    """
    out = {}
    for k, r in enumerate(check_sequence(records, "records")):
        r = check_mapping(r, "records[%d]" % k)
        res = (r.get("evidence") or {}).get("residual")
        sec = r.get("seconds")
        at = r.get("instance")
        _merge_summary(out, {(r.get("claim"), r.get("outcome")): {
            "count": 1,
            "worst_residual": float(res) if _real(res) else None, "worst_instance": at if _real(res) else None,
            "slowest": sec if _real(sec) else None, "slowest_instance": at if _real(sec) else None}})
    return out


def _real(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _merge_summary(total, part):
    """Add the summary ``part`` into ``total`` (both as :func:`sweep_summary` gives them): counts add; the
    worst residual and the slowest instance are the larger one's, the lower instance's on a tie, so the
    result does not depend on the order in which chunks finished."""
    for key, row in part.items():
        into = total.setdefault(key, {"count": 0, "worst_residual": None, "worst_instance": None,
                                      "slowest": None, "slowest_instance": None})
        into["count"] += row["count"]
        for value, at in (("worst_residual", "worst_instance"), ("slowest", "slowest_instance")):
            if row[value] is not None and (into[value] is None or (row[value], -_order(row[at]))
                                           > (into[value], -_order(into[at]))):
                into[value], into[at] = row[value], row[at]


def _order(instance):
    return instance if isinstance(instance, int) else -1


def rng_of(seed):
    """The ``random.Random`` a generator draws from."""
    return random.Random(seed)
