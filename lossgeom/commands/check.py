"""``lossgeom check QUANTITY [LAYER] --answer TEXT``: check your own derivation against lossgeom's.

Exit 0 when the answer equals the quantity (proved identically, or verified at stated points), 1
when it differs (the first differing entry, a point, both values and the correct entry are printed)
or could not be decided, 2 when the text is unreadable or hostile (one line on stderr, nothing run).
"""

import json
import os
import stat
import sys

from lossgeom.cli import (
    UsageError,
    add_format,
    add_net_options,
    add_out,
    add_precision,
    add_seed,
    build_net,
    positive_int,
    write_output,
)
from lossgeom.errors import DataError
from lossgeom.limits import LIMITS

ORDER = 25


def add(sub):
    from lossgeom.symbolic.check import QUANTITIES
    p = sub.add_parser("check", help="check your own derivation of a quantity of a net",
                       description="Decide whether your expression for a quantity of a net (a gradient, a layer "
                                   "block of the Hessian or Gauss-Newton matrix, a pre-activation Hessian H_l, a "
                                   "path sum, a Lemma-1 gradient, the global minimum value of a deep linear net) equals lossgeom's derivation: exactly where it "
                                   "can, else at random rational points. Exit 0 equal, 1 different or undecided, "
                                   "2 unreadable text.")
    p.add_argument("quantity", choices=tuple(QUANTITIES), help="the quantity")
    p.add_argument("layer", nargs="?", type=positive_int("LAYER", 1), help="its layer (1-based), where it takes one")
    add_net_options(p, activation="tanh", widths_required=False)
    p.add_argument("--net-file", metavar="FILE", help="a JSON net file instead of --widths (with weights and data: "
                                                      "compare at its point)")
    p.add_argument("--answer", metavar="TEXT", help="your expression; - reads it from stdin")
    p.add_argument("--answer-file", metavar="FILE", help="read your expression from this file")
    p.add_argument("--samples", type=positive_int("--samples", 1, LIMITS["derive_samples"].value), default=1,
                   help="linear-gradient: samples m (default 1)")
    p.add_argument("--points", type=positive_int("--points", 1, LIMITS["check_points"].value), default=8,
                   help="random rational points of the numeric comparison (default 8)")
    add_precision(p)
    add_seed(p)
    add_format(p, choices=("text", "json", "latex"))
    add_out(p)
    p.set_defaults(func=run)


def run(args):
    from lossgeom.cli import net_options_given
    from lossgeom.symbolic.check import check_formula

    if (args.answer is None) == (args.answer_file is None):
        raise UsageError("check: give exactly one of --answer TEXT (or - for stdin) and --answer-file FILE")
    point = None
    if args.net_file is not None:
        if args.widths is not None or net_options_given(args):
            raise UsageError("--net-file: the net comes from the file; drop --widths and the other net flags")
        from lossgeom.data import read_net_file
        nf = read_net_file(args.net_file)
        net = nf.net
        if nf.weights is not None and nf.inputs is not None:
            point = nf.point()
        elif args.quantity == "critical-value" and nf.inputs is not None and nf.targets is not None:
            from lossgeom.point import resolve_point
            zero = [[[0] * c for _ in range(r)] for r, c in (net.layer_shape(l) for l in range(1, net.depth + 1))]
            point = resolve_point(net, zero, X=nf.inputs, Y=nf.targets)  # only its data is used
    elif args.quantity == "critical-value":
        raise UsageError("critical-value: give --net-file FILE with inputs and targets (the data)")
    elif args.widths is None:
        raise UsageError("check: give --widths (and the net flags) or --net-file FILE")
    else:
        net = build_net(args)
    answer = _answer(args)
    result = check_formula(args.quantity, answer, net=net, point=point, layer=args.layer, samples=args.samples,
                           dps=args.dps, seed=args.seed, points=args.points)
    if args.format == "json":
        text = json.dumps(result.to_dict(), indent=2)
    elif args.format == "latex":
        text = result.to_latex()
    else:
        text = str(result)
    write_output(text, args.out)
    return 0 if result.outcome == "equal" else 1


def _answer(args):
    limit = LIMITS["formula_length"]
    if args.answer is not None and args.answer != "-":
        return args.answer
    if args.answer == "-":
        data = sys.stdin.read(limit.value + 1)
        limit.check(len(data), "--answer -", shown="more than %s characters" % "{:,}".format(limit.value))
        return data.strip()
    return _read_file(args.answer_file, limit)


def _read_file(path, limit):
    """The text of a regular file, read bounded (at most 4 bytes per allowed character, plus one)."""
    cap = 4 * limit.value + 1
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as err:
        raise DataError("--answer-file: cannot read %r (%s)" % (path, err.strerror or err)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DataError("--answer-file: %r is not a regular file" % path)
        data = os.read(fd, cap)
    except OSError as err:
        raise DataError("--answer-file: cannot read %r (%s)" % (path, err.strerror or err)) from None
    finally:
        os.close(fd)
    if len(data) >= cap:
        limit.check(limit.value + 1, "--answer-file", shown="more than %s characters" % "{:,}".format(limit.value))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DataError("--answer-file: %r is not UTF-8 text" % path) from None
    limit.check(len(text), "--answer-file", shown="%s characters" % "{:,}".format(len(text)))
    return text.strip()
