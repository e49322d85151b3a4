"""The ``lossgeom`` command line.

Each subcommand lives in its own module ``lossgeom/commands/<name>.py`` (``ORDER`` and
``add(subparsers)``); this module holds the parser, the shared helpers and ``main``.  Bad usage or bad input prints one line on
stderr and exits 2, never a traceback; output files are written atomically.
"""

import argparse
import sys

from .errors import LossgeomError
from .io import atomic_write

__all__ = ["main"]

FORMATS = ("text", "json", "latex", "markdown")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line on stderr and exit 2."""

    def error(self, message):
        sys.stderr.write("%s: error: %s (see --help)\n" % (self.prog, message))
        raise SystemExit(2)


class UsageError(LossgeomError, ValueError):
    """Bad command-line usage found after parsing."""


def write_output(text, out=None):
    """Print ``text`` or write it to ``out`` atomically (nothing half-written on failure)."""
    if out is None or out == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return

    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    atomic_write(out, write, field="--out")


def positive_int(name, low=1, high=None):
    def conv(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError("%s: expected an integer, got %r" % (name, text))
        if value < low or (high is not None and value > high):
            rng = ">= %d" % low if high is None else "from %d to %d" % (low, high)
            raise argparse.ArgumentTypeError("%s: expected an integer %s, got %d" % (name, rng, value))
        return value
    return conv


def add_format(p, choices=FORMATS, default="text"):
    p.add_argument("--format", choices=choices, default=default, help="output format (default %(default)s)")


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


def main(argv=None):
    """Run the command line; returns the exit code (0 ok, 1 a claim mismatch, 2 bad usage or input).

    Examples
    --------
    >>> main(["verify", "no-such.claim"])   # the one-line error goes to stderr
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except LossgeomError as err:
        sys.stderr.write("lossgeom: error: %s\n" % err)
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("lossgeom: interrupted\n")
        return 130
