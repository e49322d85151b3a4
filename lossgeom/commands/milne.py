"""``lossgeom milne toy|digits``: Milne (2019) section 4's experiments, seeded, in float64.

``lossgeom milne toy [--trials N] [--seed S] [--workers K | --scheduler ADDRESS] [--out FIG.png]``: the toy
experiment (f(x) = x/4, 100 points on [-1, 1], a 1-2-1 ReLU net without biases or output ReLU,
lambda = 0.4, gradient descent with eta = 0.1 from PyTorch's default initialisation): per trial the fraction
of the change of l_lambda made after first entering U(lambda); mean and standard deviation against the
paper's 87.2% +- 22.3%; ``--out`` draws Figure 1's two panels.

``lossgeom milne digits [--trials N] ...``: the same kind of measurement as the paper's Table 2 on
scikit-learn's bundled 8x8 digits (an analogue: the paper's MNIST/CIFAR data are not available here):
per SGD run the 10th percentile of gamma''/||g||^2 in the convex regime and eq. (20)'s loss fraction;
``--out`` draws Figure 2's two panels.

Trials run on a local process pool (``--workers``, default the CPU count; 1 runs in-process) or a
Dask cluster (``--scheduler tcp://HOST:PORT``); trial k's seed depends only on ``--seed`` and k.
A progress counter goes to stderr when it is a terminal.  JSON (``--format json``) holds every
trial's numbers and any failed trial's traceback.  The numbers are float64 statistics, not proofs.
"""

import json

from lossgeom.cli import UsageError, add_format, add_seed, positive_int, write_output

ORDER = 70

PAPER_TOY = (0.872, 0.223)


def add(sub):
    p = sub.add_parser("milne", help="Milne (2019)'s experiments: the toy experiment and a digits analogue",
                       description="Milne (2019) section 4 in float64: the toy experiment (Figure 1) and the "
                                   "Table 2 measurement on scikit-learn's 8x8 digits (Figure 2).")
    kinds = p.add_subparsers(dest="experiment", metavar="EXPERIMENT")
    kinds.required = True
    for name, trials, text in (("toy", 1000, "f(x) = x/4, 1000 trials (Figure 1)"),
                               ("digits", 5, "SGD on the 8x8 digits, an analogue of Table 2 (Figure 2)")):
        q = kinds.add_parser(name, help=text, description=text)
        q.add_argument("--trials", type=positive_int("--trials", 1, 100000), default=trials,
                       help="independent trials (default %(default)s)")
        q.add_argument("--steps", type=positive_int("--steps", 1, 10 ** 6), default=None,
                       help="gradient steps per trial (default: toy 1000, digits 1000)")
        where = q.add_mutually_exclusive_group()
        where.add_argument("--workers", type=positive_int("--workers", 1, 256), default=None,
                           help="local worker processes (default: the CPU count; 1 runs in this process)")
        where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                           help="a running Dask scheduler, tcp://HOST:PORT (needs lossgeom[sweep])")
        q.add_argument("--out", default=None, metavar="FIG.png", help="draw the figure's two panels (.png or .svg)")
        add_seed(q)
        add_format(q, choices=("text", "json"))
        q.set_defaults(func=_cmd_milne)


def _cmd_milne(args):
    from lossgeom.errors import OptionError
    from lossgeom.executor import check_scheduler
    from lossgeom.io import check_output_path
    from lossgeom.numeric import milne_experiments as mx

    try:
        check_scheduler(args.scheduler, "--scheduler")
    except OptionError as err:
        raise UsageError(str(err)) from None
    if args.out is not None:
        if not args.out.lower().endswith((".png", ".svg")):
            raise UsageError("--out: expected a file name ending in .png or .svg, got %r" % args.out[:80])
        check_output_path(args.out, "--out")
    run = mx.toy_experiment if args.experiment == "toy" else mx.digits_experiment
    out = run(args.trials, seed=args.seed, workers=args.workers, scheduler=args.scheduler, progress=True,
              steps=args.steps)
    if args.out is not None:
        (mx.draw_toy if args.experiment == "toy" else mx.draw_digits)(out, args.out)
    if args.format == "json":
        doc = dict(out, experiment=args.experiment, figure=args.out)
        if args.experiment == "toy":
            doc["paper"] = {"mean": PAPER_TOY[0], "sd": PAPER_TOY[1], "trials": 1000}
        write_output(json.dumps(_clean(doc), indent=2, allow_nan=False))
        return 0 if not out["errors"] else 1
    lines = _toy_text(out) if args.experiment == "toy" else _digits_text(out)
    for e in out["errors"]:
        lines.append("trial %d FAILED: %s" % (e["index"], e["error"]))
    if args.out is not None:
        lines.append("figure written to %s" % args.out)
    write_output("\n".join(lines))
    return 0 if not out["errors"] else 1


def _clean(value):
    """JSON-ready: NaN (an undefined fraction) becomes null, tuples lists."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def _toy_text(out):
    s = out["setup"]
    return [
        "Milne (2019) toy experiment, float64 (a statistic, not a proof): f(x) = x/4, %d points on [-1, 1], "
        "widths 1-2-1, no biases, no output ReLU, lambda = %g, eta = %g, %d gradient steps, seed %d"
        % (s["points"], s["lam"], s["eta"], s["steps"], s["seed"]),
        "r = max |x_i| = %.6f; U(lambda) = {l < lambda^2 / (8 r^2) = %.6f} (eq. 14, H = 1)" % (out["r"],
                                                                                               out["threshold"]),
        "trials: %d (%d started inside U(lambda), %d never entered)" % (out["count"], out["started_inside"],
                                                                        out["never_entered"]),
        "loss-change fraction after entering U(lambda): %.1f%% +- %.1f%% (mean +- sd); paper: %.1f%% +- %.1f%% "
        "(1000 trials, PyTorch)" % (100 * out["mean"], 100 * out["sd"], 100 * PAPER_TOY[0], 100 * PAPER_TOY[1]),
        "the same with the run cut at step %d: %.1f%% +- %.1f%%" % (s["short"], 100 * out["mean_short"],
                                                                   100 * out["sd_short"]),
    ]


def _digits_text(out):
    s = out["setup"]
    return [
        "Milne (2019) Table 2 analogue on scikit-learn's 8x8 digits (not MNIST), float64: widths %s, ReLU, softmax "
        "cross-entropy, lambda = %g (weights), SGD eta = %g, batch %d, %d steps, logged every %d, seed %d"
        % ("-".join(map(str, s["widths"])), s["lam"], s["eta"], s["batch"], s["steps"], s["log_every"], s["seed"]),
        "runs: %d; convex (gamma'' > 0) over the whole run: %d" % (len(out["trials"]), out["convex_throughout"]),
        "test accuracy: %.2f%% +- %.2f%%" % (100 * out["accuracy"][0], 100 * out["accuracy"][1]),
        "10th percentile of gamma''/||g||^2 in the convex regime: %.3g +- %.3g" % out["p10"],
        "loss fraction (eq. 20): %.2f +- %.2f (paper, MNIST LeNet-5: 0.80 +- 0.09)" % out["fraction"],
    ]
