"""The ``lossgeom`` command line.

Each subcommand lives in its own module ``lossgeom/commands/<name>.py`` (``ORDER`` and
``add(subparsers)``); this module holds the parser, the shared helpers and ``main``.  Bad usage or bad input prints one line on
stderr and exits 2, never a traceback.  Output files are all or nothing: ``main`` checks every output
flag before the command starts and opens one :class:`~lossgeom.io.Outputs` transaction, committed only
when the command returns (Ctrl-C exits 130, SIGTERM 143, both leaving no new or changed file).
"""

import argparse
import contextlib
import re
import signal
import sys
import threading

from .activations import parse_activation
from .errors import LossgeomError, NetSpecError
from .io import Outputs, write_file, write_stdout
from .limits import shorten
from .net import Net, parse_widths
from .precision import MAX_DPS, MIN_DPS

__all__ = ["main", "add_net_options", "build_net", "net_options_given", "add_precision", "add_seed", "add_out",
           "add_format"]

FORMATS = ("text", "json", "latex", "markdown")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line on stderr and exit 2."""

    def error(self, message):
        # argparse quotes the bad value in full: shorten a huge one so the error stays one readable line
        message = re.sub(r"'([^']{60,})'", lambda m: shorten(m.group(1)), message)
        # a type converter names its flag already: "argument --dps: --dps: ..." says it once
        m = re.match(r"argument ([^:]+): ([^:\s]+): ", message)
        if m and m.group(2) in m.group(1).split("/"):
            message = "argument %s: %s" % (m.group(1), message[m.end():])
        sys.stderr.write("%s: error: %s (see --help)\n" % (self.prog, message))
        raise SystemExit(2)


class UsageError(LossgeomError, ValueError):
    """Bad command-line usage found after parsing."""


def write_output(text, out=None):
    """Print ``text`` or write it to ``out`` (staged in the command's :class:`~lossgeom.io.Outputs`)."""
    if out is None or out == "-":
        write_stdout(text if text.endswith("\n") else text + "\n")
        return

    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    write_file(out, write, field="--out")


def positive_int(name, low=1, high=None):
    def conv(text):
        # ASCII digits only (int() also reads "٥"), and no more than 30 of them
        if not re.fullmatch(r"\s*[+-]?[0-9]{1,30}\s*", text):
            raise argparse.ArgumentTypeError("%s: expected an integer, got %s" % (name, shorten(text, 40)))
        value = int(text)
        if value < low or (high is not None and value > high):
            rng = ">= %d" % low if high is None else "from %d to %d" % (low, high)
            raise argparse.ArgumentTypeError("%s: expected an integer %s, got %d" % (name, rng, value))
        return value
    return conv


def add_format(p, choices=FORMATS, default="text"):
    p.add_argument("--format", choices=choices, default=default, help="output format (default %(default)s)")


def add_precision(p, default=50):
    """Declare ``--dps N``: decimal digits of the numeric work, from 15 to 10000.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_precision(p)
    >>> p.parse_args([]).dps, p.parse_args(["--dps", "30"]).dps
    (50, 30)
    """
    p.add_argument("--dps", type=positive_int("--dps", MIN_DPS, MAX_DPS), default=default,
                   help="decimal digits of the numeric work, %d to %d (default %%(default)s)" % (MIN_DPS, MAX_DPS))


def add_seed(p):
    """Declare ``--seed N``: the random seed (an integer >= 0, default 0), so results repeat.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_seed(p)
    >>> p.parse_args([]).seed, p.parse_args(["--seed", "7"]).seed
    (0, 7)
    """
    p.add_argument("--seed", type=positive_int("--seed", 0), default=0, help="random seed (default 0)")


def add_out(p, required=False, help="write the result to this file instead of stdout"):
    """Declare ``--out FILE``, the file :func:`write_output` writes atomically (stdout without it).

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_out(p)
    >>> p.parse_args([]).out, p.parse_args(["--out", "r.json"]).out
    (None, 'r.json')
    """
    p.add_argument("--out", required=required, metavar="FILE", help=help)


#: The flags :func:`add_net_options` declares, with their ``args`` attributes (``--widths`` first).
NET_OPTIONS = (("--widths", "widths"), ("--activation", "activation"), ("--output-activation", "output_activation"),
               ("--loss", "loss"), ("--bias", "bias"), ("--weight-decay", "weight_decay"))


def add_net_options(p, activation="tanh", widths_required=True):
    """Declare the flags that describe a net: ``--widths``, ``--activation``, ``--output-activation``,
    ``--loss``, ``--bias``, ``--weight-decay``; :func:`build_net` reads them.

    Every command that builds a net from flags declares them here, so each accepts the same
    text (``--activation "leaky_relu(slope=1/10)"``, ``--loss cross_entropy``, ...).  Flags left
    out are None (False for ``--bias``), so a command can tell them from their defaults.

    Parameters
    ----------
    p : argparse.ArgumentParser
    activation : str
        The hidden activation when ``--activation`` is not given.
    widths_required : bool
        False for commands that can also read a net file.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_net_options(p, activation="relu")
    >>> print(build_net(p.parse_args(["--widths", "2,2,1", "--activation", "leaky_relu(slope=1/10)"])))
    Net(2-2-1, leaky_relu(slope=1/10), square)
    >>> build_net(p.parse_args(["--widths", "2,1"])).activation.name
    'relu'
    """
    p.add_argument("--widths", required=widths_required,
                   help="layer widths, input first, e.g. 2,3,1" + ("" if widths_required else " (instead of a net file)"))
    p.add_argument("--activation", default=None, help="hidden activation, e.g. tanh, relu, leaky_relu(slope=1/10), "
                                                      "f (generic); default %s" % activation)
    p.add_argument("--output-activation", default=None, help="output activation (default identity)")
    p.add_argument("--loss", default=None, help="square or cross_entropy (default square)")
    p.add_argument("--bias", action="store_true", help="layers have biases")
    p.add_argument("--weight-decay", default=None, help="exact weight decay, e.g. 1/100 (default 0)")
    p.set_defaults(net_default_activation=activation)


def net_options_given(args):
    """The net flags other than ``--widths`` that were given on the command line (their flag names).

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_net_options(p, widths_required=False)
    >>> net_options_given(p.parse_args(["--bias", "--loss", "square"]))
    ['--loss', '--bias']
    """
    return [flag for flag, dest in NET_OPTIONS[1:] if getattr(args, dest) not in (None, False)]


def build_net(args):
    """The :class:`~lossgeom.Net` described by the flags of :func:`add_net_options`.

    Raises
    ------
    NetSpecError
        Listing every bad flag at once (widths, activation, output activation, loss, weight decay).

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_net_options(p)
    >>> print(build_net(p.parse_args(["--widths", "1,2,2", "--bias", "--loss", "cross_entropy"])))
    Net(1-2-2, tanh, cross_entropy, bias)
    >>> build_net(p.parse_args(["--widths", "2,x", "--activation", "swish"]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lossgeom.errors.NetSpecError: invalid net (2 problems): widths: ...; activation: unknown activation 'swish'; ...
    """
    problems, values = [], {}
    # ``is None``, not ``or``: an empty --activation "" is a mistake to report, not a request for the default
    texts = {"widths": args.widths,
             "activation": args.net_default_activation if args.activation is None else args.activation,
             "output_activation": "identity" if args.output_activation is None else args.output_activation}
    for key, parse in (("widths", parse_widths), ("activation", parse_activation),
                       ("output_activation", parse_activation)):
        try:
            values[key] = parse(texts[key])
        except NetSpecError as err:
            problems.extend(p.replace("activation", key, 1) if key == "output_activation" else p
                            for p in err.problems)
    if problems:
        raise NetSpecError(problems)
    return Net(bias=args.bias, loss="square" if args.loss is None else args.loss,
               weight_decay="0" if args.weight_decay is None else args.weight_decay, **values)


# -- main ----------------------------------------------------------------------------------------
def command_modules():
    """The subcommand modules of :mod:`lossgeom.commands`, in their declared ``ORDER``.

    Each module ``lossgeom/commands/<name>.py`` defines ``ORDER`` (an int) and
    ``add(subparsers)``, which declares the subcommand and sets ``func(args) -> exit code``.
    """
    import importlib
    import pkgutil

    from . import commands

    mods = [importlib.import_module("lossgeom.commands." + m.name)
            for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_")]
    return sorted(mods, key=lambda m: (m.ORDER, m.__name__))


def build_parser():
    """The argparse parser with every subcommand."""
    parser = _Parser(prog="lossgeom", description="Verify the mathematics of neural-network loss surfaces.")
    from . import __version__
    parser.add_argument("--version", action="version", version="lossgeom " + __version__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for mod in command_modules():
        mod.add(sub)
    return parser


@contextlib.contextmanager
def _exact_numbers_print():
    """Lift Python's 4,300-digit int-string limit for one command run.

    The limit guards against quadratic-time conversions of untrusted text; every input of a
    command is already bounded by :mod:`lossgeom.limits` (digits per number, file size), while
    exact results (a critical value of a rational net, a number at ``--dps 10000``) may need more
    digits to print.  The old setting is restored afterwards.
    """
    old = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
    if old is not None:
        sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        if old is not None:
            sys.set_int_max_str_digits(old)


class Terminated(BaseException):
    """Raised in the main thread by SIGTERM while :func:`main` runs (like KeyboardInterrupt for SIGINT)."""


def _raise_terminated(signum, frame):
    raise Terminated()


class _TermRaises:
    """While active, SIGTERM raises :class:`Terminated` (the old handler is restored after)."""

    def __enter__(self):
        self.old = None
        if threading.current_thread() is threading.main_thread():
            self.old = signal.signal(signal.SIGTERM, _raise_terminated)
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            signal.signal(signal.SIGTERM, self.old)
        return False


def main(argv=None):
    """Run the command line; returns the exit code (0 ok, 1 a claim mismatch, 2 bad usage or input,
    130 interrupted, 143 terminated).

    Every output file flag is checked before the command starts; the files are written only when
    it returns normally, all together (see :class:`lossgeom.io.Outputs`).

    Examples
    --------
    >>> main(["verify", "no-such.claim"])   # the one-line error goes to stderr
    2
    >>> main(["derive", "gradient", "--widths", "1,1", "--out", ""])  # checked before any work
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    with _TermRaises():
        try:
            with _exact_numbers_print(), Outputs.from_args(args):
                return args.func(args)
        except LossgeomError as err:
            sys.stderr.write("lossgeom: error: %s\n" % err)
            return 2
        except KeyboardInterrupt:
            sys.stderr.write("lossgeom: interrupted (no output file written)\n")
            return 130
        except Terminated:
            sys.stderr.write("lossgeom: terminated (no output file written)\n")
            return 143
