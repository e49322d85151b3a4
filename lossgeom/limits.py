"""Every limit lossgeom puts on what it is asked, in one place.

Input from outside (a net file, a command-line flag, an argument of the Python API) is
bounded before any work starts: how many digits one number may have, how many numbers a
file may hold, how deep its JSON may nest, how wide and deep a net may be, and, per command,
how large a request may grow before it would take minutes.  A request past a limit is refused
with a :class:`~lossgeom.errors.SizeLimitError` naming the field, the value (shortened) and
the limit; nothing is computed first.  The table in ``docs/limits.md`` is generated from
:data:`LIMITS` (``python -m lossgeom.limits``), so the documentation cannot drift from the code.

Examples
--------
>>> LIMITS["number_digits"].value
50000
>>> LIMITS["json_depth"].check(6, "net.json")
6
>>> LIMITS["json_depth"].check(5000, "net.json")
Traceback (most recent call last):
...
lossgeom.errors.SizeLimitError: net.json: JSON nested 5000 levels deep; the limit is 32 levels (limit json_depth)
"""

from dataclasses import dataclass

from .errors import ArgumentTypeError, SizeLimitError, choose

__all__ = ["Limit", "LIMITS", "limit", "shorten", "limits_table", "hessian_work_units", "critical_work_units"]


@dataclass(frozen=True)
class Limit:
    """One bound on the size of a request.

    Attributes
    ----------
    name : str
        Its key in :data:`LIMITS`.
    value : int
        The largest size accepted (inclusive).
    unit : str
        What is counted, plural (``"digits"``).
    what : str
        What it bounds, in words.
    where : str
        The inputs or commands it applies to.
    cost : str
        What a request at the limit costs, as measured (see ``benchmarks/bench_limits.py``).

    Examples
    --------
    >>> lim = Limit("widgets", 3, "widgets", "widgets per box", "boxes", "nothing")
    >>> lim.check(3, "box")
    3
    >>> lim.check(4, "box", shown="4 widgets")
    Traceback (most recent call last):
    ...
    lossgeom.errors.SizeLimitError: box: 4 widgets; the limit is 3 widgets (limit widgets)
    """

    name: str
    value: int
    unit: str
    what: str
    where: str
    cost: str

    def check(self, size, field, shown=None):
        """Return ``size`` if it is within the limit, else raise :class:`SizeLimitError`.

        ``shown`` describes the request in the message (default: ``"<size> <unit>"``).
        """
        if size > self.value:
            shown = shown if shown is not None else _describe(self, size)
            raise SizeLimitError("%s: %s; the limit is %s %s (limit %s)"
                                 % (field, shown, _count(self.value), self.unit, self.name))
        return size


def _count(n):
    return "{:,}".format(n) if n >= 100000 else str(n)


def _describe(lim, size):
    templates = {"json_depth": "JSON nested %s levels deep", "file_bytes": "%s bytes"}
    return templates.get(lim.name, "%s " + lim.unit) % _count(size)


_TABLE = (
    # name, value, unit, what, where, cost at the limit
    ("number_digits", 50000, "digits", "digits of one exact number (numerator and denominator together); an mpmath "
     "number at the largest dps (10,000 digits) of magnitude 10^-10000 to 10^10000 is exactly a binary fraction of "
     "at most about 43,300 digits", "net files, --weight-decay, activation slopes, the Python API",
     "reading one such number: 10 ms"),
    ("exponent", 1000, "in absolute value", "size of the decimal exponent written in a number (1e1000 has 1001 digits; numbers given as "
     "values, such as mpmath floats, are bounded by number_digits instead)",
     "net files, flags, the Python API", "as number_digits"),
    ("input_digits", 4 * 10 ** 6, "digits", "digits of all numbers of one input together (a net file, or the "
     "arrays of one Point)", "net files, Point, the Python API", "reading 400 numbers of 10,000 digits: 0.3 s"),
    ("input_numbers", 500000, "numbers", "numbers of one input together (weights, biases, inputs and targets "
     "of a net file or a Point)", "net files, Point, the Python API", "reading a file of 500,000 weights: 3 s"),
    ("file_bytes", 16 * 2 ** 20, "bytes", "size of a net file (read bounded: a larger file is refused after "
     "reading one byte past the limit)", "every command that reads a net file", "reading 16 MiB: 0.05 s (parsing is bounded by input_numbers)"),
    ("json_depth", 32, "levels", "nesting depth of a net file's JSON (the format needs 4)",
     "every command that reads a net file", "none: JSON deeper than Python's recursion limit stops the parser, "
     "and the depth is counted to 33 levels at most"),
    ("layer_width", 100000, "units", "units in one layer", "Net, --widths, net files", "building the Net: instant"),
    ("depth", 1000, "layers", "weight layers of one net", "Net, --widths, net files", "building the Net: instant"),
    ("parameters", 10 ** 7, "parameters", "weights and biases of one net", "Net, --widths, net files",
     "building the Net: instant (commands have their own, lower limits)"),
    ("samples", 100000, "samples", "samples (columns of X and Y)", "net files, Point, the Python API",
     "reading 100,000 samples of a 1-1 net: 4 s; lossgeom hessian of a 1-1-1 net at 100,000 samples: 37-71 s; "
     "lossgeom critical stops earlier (critical_data_entries)"),
    ("data_entries", 200000, "numbers", "numbers in the inputs and targets together", "net files, Point",
     "as samples: 4 s"),
    # -- per command (costs measured with benchmarks/bench_limits.py on the 2-core build machine) --------------
    ("dps", 10000, "digits", "working precision (--dps, dps=); at least 15, the digits of a double",
     "every command with --dps, the numeric Python API",
     "verify at 10000 digits: the 37 Botev, Kawaguchi, Baldi-Hornik and Choromanska claims all match, each under 2 min "
     "except botev2017.gauss-newton (about 200 s); the Shen, Yun and Milne claims match at 5000 (verify_dps); "
     "critical examples/linear_3_2_2_2_3.json --dps 10000: 57-77 s; verify kawaguchi2016.theorem-ii: 7 s "
     "(the command line's verify and report stop at verify_dps)"),
    ("verify_dps", 5000, "digits", "working precision of the claims (--dps); per claim, since verify shows "
     "each claim's progress on stderr", "lossgeom verify, lossgeom report",
     "the slowest claim, botev2017.gauss-newton: 42 s CPU, 102 s on the loaded machine at 5000 digits "
     "(23 s CPU at 3000, about 200 s at 10000, 5 s at 50); the whole catalog: minutes, with progress per claim"),
    ("hessian_parameters", 70, "parameters", "weights and biases of the net", "lossgeom hessian",
     "2-14-3 tanh net (70 parameters), one sample, 50 digits: 11 s (150 parameters: 186 s)"),
    ("hessian_work", 420000, "work units", "estimated cost (n^3 + m (n^2 + 4)/2) (1 + (dps/1000)^1.5) for n "
     "parameters, m samples (hessian_work_units)", "lossgeom hessian",
     "1-11-1 tanh net (22 parameters) at 10000 digits (347,000 units): 19 s; 1-1-1 at 100,000 samples "
     "(404,000 units): 37-71 s; 4-4-4 at 10000 digits (1.1 million units, refused): 81 s"),
    ("critical_hessian_parameters", 400, "parameters", "parameters of a net whose critical points are classified "
     "(MAX_HESSIAN_SIZE)", "lossgeom critical, enumerate_critical_points", "bounded jointly by critical_work"),
    ("critical_subsets", 5000, "subsets", "eigenvector subsets (critical points) enumerated (MAX_SUBSETS)",
     "lossgeom critical, enumerate_critical_points", "bounded jointly by critical_work"),
    ("critical_work", 2000000, "work units", "estimated cost subsets x n^3 x (1 + (dps/1000)^1.5) of classifying "
     "(critical_work_units)", "lossgeom critical, enumerate_critical_points",
     "examples/linear_3_2_2_2_3.json at 10000 digits (1.8 million units): 57-77 s"),
    ("critical_data_entries", 100000, "numbers", "numbers in X and Y together (exact X X^T and X Y^T)",
     "lossgeom critical", "1-1-1 net, 50,000 samples: 34 s (2-2-2 at 100,000 samples, refused: 91 s CPU)"),
    ("derive_parameters", 20000, "parameters", "weights and biases of a net derived symbolically",
     "lossgeom derive (every kind)", "derive gradient --widths 100,100,100 (20,000 parameters): 11-20 s (45,000: 23 s CPU)"),
    ("derive_block_entries", 2500, "entries", "block entries printed with --blocks/--expand (MAX_BLOCK_ENTRIES)",
     "lossgeom derive --blocks", "derive hessian --widths 7,7,1 --blocks (2,450 entries): 3 s"),
    ("derive_equation_terms", 60000, "terms", "terms of the printed named Hessian equations, about "
     "sum_l d_l(d_l+1)/2 d_{l+1}^2 (MAX_EQUATION_TERMS)", "lossgeom derive hessian/gauss-newton",
     "derive hessian --widths 10,18,18,1 (55,575 terms): 29 s"),
    ("expand_parameters", 200, "parameters", "parameters of a net whose named intermediates are expanded into "
     "the weights (EXPAND_LIMIT)", "derive --expand, Derivation.expand", "derive gradient --widths 10,18,1 --expand (198 parameters): 9 s"),
    ("path_sum_paths", 20000, "paths", "input-to-output paths expanded into a path sum (MAX_PATHS)",
     "expand_path_sum, paths --format latex, derive path-sum", "paths --widths 20,1000,1 --activation relu --format latex (20,000 paths): 5 s"),
    ("spin_glass_terms", 20000, "terms", "Lambda^(H+1) terms of the spin-glass Hamiltonian",
     "spin_glass_form", "spin_glass_form(13, 2) (16,384 terms): 5 s"),
    ("activation_cells", 256, "cells", "activation cells (pieces per unit multiplied) enumerated by default",
     "activation_cells, the piecewise derivations", "a 1-8-1 ReLU net (256 cells): 2 s"),
    ("paths_enumerated", 4000000, "paths", "paths enumerated for a net file with weights and samples: every path "
     "of the net, once per sample", "lossgeom paths NETFILE",
     "a (2,10,10,10,10,10,10,1) ReLU net file, 2 samples (4 million paths): 11 s"),
    ("derive_samples", 20, "samples", "samples m of the symbolic deep linear gradient", "derive linear-gradient",
     "derive linear-gradient --widths 3,2,3 --samples 20: 4 s"),
    ("rank_entries", 50000, "entries", "entries of Shen's P(W) (N_net x n_L T) for tanh, sigmoid, softplus and "
     "bent identity (certified ranks in arb balls)", "lossgeom rank", "a depth-3 tanh net, 21,210 entries: about 4 s"),
    ("rank_exact_entries", 10000, "entries", "entries of P(W) for activations with rational values (softsign, "
     "leaky ReLU, ...): P is exact and its digits grow with depth", "lossgeom rank",
     "10-20-20-1 softsign, 6,610 entries: about 3 s (21,210 entries of 10-40-40-1: about 60 s)"),
    ("graph_edges", 200000, "edges", "edges of the path graph built (MAX_GRAPH_EDGES)",
     "lossgeom paths with weights, --graphml, --dot", "paths --widths 400,498,1 --dot (199,698 edges): 4 s"),
    ("draw_edges", 5000, "edges", "edges of a drawn graph (MAX_DRAW_EDGES)", "paths --draw, draw_graph",
     "paths --widths 70,70,1 --draw (4,970 edges): 11 s"),
    ("landscape_work", 5 * 10 ** 11, "units", "grid points x parameters x samples of a loss-surface slice "
     "(x 1000 at --dps: slice_work)", "lossgeom landscape, loss_slice",
     "41 x 41 float64 slice of a 100-100-1 ReLU net (10,100 parameters), 500 samples (8.5e9 units): 1.6 s on one "
     "core, so 201 x 201 (2.0e11 units) about 37 s and the limit about 90 s (benchmarks/bench_landscape.py)"),
    ("milne_work", 10 ** 7, "units", "trials x steps of one of Milne's experiments (x 20 for the digits, whose "
     "steps cost about 20 toy steps)", "lossgeom milne toy/digits, toy_experiment, digits_experiment",
     "toy: about 65 us per gradient step on one core, so the default 1000 trials x 1000 steps (10^6 units) about "
     "65 s on one worker and the limit about 11 min of CPU, shared by the workers (benchmarks/bench_milne.py)"),
    ("hessian_certify_parameters", 400, "parameters", "weights and biases of the net with --certify (ball Hessian "
     "and certified eigen-solver, in place of hessian_parameters)", "lossgeom hessian --certify",
     "5-10-8-2 tanh net with biases (166 parameters), 6 samples, 50 digits: about 5 s"),
    ("hessian_certify_work", 70000000, "work units", "hessian_work_units with --certify (in place of hessian_work)",
     "lossgeom hessian --certify", "166 parameters, 6 samples at 50 digits (4.7 million units): about 5 s"),
    ("formula_length", 100000, "characters", "length of a formula read by the whitelist parser (lossgeom.formula)",
     "lossgeom check --answer, check_formula, parse_formula", "parsing 100,000 characters of a sum: about 1 s"),
    ("formula_depth", 100, "levels", "nesting of brackets, calls and unary signs in a formula (and index parts)",
     "lossgeom check, check_formula, parse_formula", "none: refused while reading, before any recursion is deep"),
    ("formula_nodes", 20000, "nodes", "numbers, names, operations and calls of one formula",
     "lossgeom check, check_formula, parse_formula", "building 20,000 nodes: about 1 s"),
    ("formula_exponent", 1000, "in absolute value", "numerator and denominator of a rational exponent in a formula "
     "(a number to a power is bounded by number_digits too: 9**9**9**9 is refused)",
     "lossgeom check, check_formula, parse_formula", "x**1000: instant to build; its comparison is bounded by "
     "check_expand_terms"),
    ("formula_factorial", 1000, "as argument", "argument of factorial() in a formula", "lossgeom check, check_formula, "
     "parse_formula", "factorial(1000) (2,568 digits): instant"),
    ("formula_matrix_entries", 10000, "entries", "entries of a matrix a formula builds (literal, kron, eye, a product's "
     "multiplications)", "lossgeom check, check_formula, parse_formula", "kron of two 100x1 columns: instant"),
    ("check_parameters", 200, "parameters", "weights and biases of a net whose quantity is checked (its named "
     "intermediates are expanded into the weights, as expand_parameters)", "lossgeom check, check_formula",
     "check layer-block 1 --widths 2,40,3 --activation tanh (200 parameters, an 80 x 80 block): 8 s equal, "
     "5 s refuted, in-process (plus about 5 s start-up on the loaded 2-core machine)"),
    ("check_expand_terms", 20000, "terms", "estimated terms of an expanded difference; past it the exact comparison "
     "is skipped (the numeric one still runs)", "lossgeom check, check_formula", "expanding 20,000 terms: about 2 s"),
    ("check_simplify_ops", 300, "operations", "size (sympy.count_ops) of an entry's difference past which sympy.simplify "
     "is not tried (expand and cancel still are)", "lossgeom check, check_formula",
     "simplify of a 300-operation tanh difference: a few seconds"),
    ("check_function_argument", 10 ** 6, "in absolute value", "argument of exp, sin, tanh, ... (or a symbolic "
     "exponent): a constant one when the formula is built, any at a point of the numeric comparison, innermost "
     "first (exp(exp(100)) is refused)", "lossgeom check, check_formula, parse_formula", "evaluating exp(10^6) (434,295 digits) at 50 digits: instant"),
    ("check_points", 20, "points", "random rational points of the numeric comparison (--points)",
     "lossgeom check, check_formula", "20 points of a 4x4 block of a 2-2-1 tanh net at 50 digits: about 1 s"),
    ("sheet_exercises", 2000, "exercises", "exercises of one sheet or Moodle file (topics x seeds)",
     "lossgeom sheet, sheet_latex, moodle_xml", "12 topics x 30 seeds (360 exercises) as Moodle XML: about 10 s"),
    ("sweep_instances", 10 ** 6, "instances", "claims x instances of one sweep (the task list is held in memory)",
     "lossgeom sweep, run_sweep", "path-sum about 8 ms, PL PSD about 2 ms, deep-linear gradient about 2 ms, trace "
     "(botev2017.no-smooth-local-maxima) about 7 ms per instance on one core, so 10^6 path-sum instances about 2.2 h of CPU, shared by the workers "
     "(benchmarks/bench_sweep.py)"),
    ("check_cells", 64, "patterns", "activation patterns of a piecewise net that check_formula derives and compares "
     "exactly, one derivation per cell; past it the answer stays verified at points", "lossgeom check, check_formula",
     "64 patterns (H2 of a 3-3-3-1 ReLU net written with heaviside(h2[i])): about 2 s"),
    ("structured_terms", 1000000, "terms", "estimated terms sum_{l<L} d_{l+1} d_l (d_{l+1} + (d_l+1)/2) of the "
     "structured Hessian equations (U_l = H_{l+1} W_{l+1} and H_l)", "structured_hessian",
     "50-100-50-2 tanh (10,100 parameters, 505,250 terms): 5-18 s on the shared 2-core machine (load 3-6)"),
)

#: Every limit, by name.
LIMITS = {row[0]: Limit(*row) for row in _TABLE}


def _dps_factor(dps):
    digits = dps if isinstance(dps, int) and not isinstance(dps, bool) else 50
    return 1 + (digits / 1000) ** 1.5


def hessian_work_units(n_params, n_samples, dps):
    """The estimated cost of ``lossgeom hessian`` in the units of the ``hessian_work`` limit:
    ``(n^3 + m (n^2 + 4) / 2) (1 + (dps/1000)^1.5)`` (eigenvalues cost n^3 multiplications, each sample
    about n^2; a multiplication at d digits costs about d^1.5 beyond 1000 digits; fitted to measurements).

    Examples
    --------
    >>> hessian_work_units(2, 100000, 50)
    404480
    """
    _counts(n_params=n_params, n_samples=n_samples, dps=dps)
    return int((n_params ** 3 + n_samples * (n_params ** 2 + 4) / 2) * _dps_factor(dps))


def critical_work_units(n_subsets, n_params, dps):
    """The estimated cost of classifying ``n_subsets`` critical points of an ``n_params``-parameter deep
    linear net at ``dps`` digits, in the units of the ``critical_work`` limit (one n x n spectrum each).

    Examples
    --------
    >>> critical_work_units(7, 20, 10000)
    1826875
    """
    _counts(n_subsets=n_subsets, n_params=n_params, dps=dps)
    return int(n_subsets * n_params ** 3 * _dps_factor(dps))


def _counts(**named):
    """Each argument a non-negative int (the sizes the work estimates take)."""
    for name, value in named.items():
        if name == "dps" and value in ("float64", "exact"):
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ArgumentTypeError("%s: expected a non-negative integer, got %s" % (name, shorten(value, 40)))


def limit(name):
    """The :class:`Limit` called ``name`` (an :class:`~lossgeom.errors.OptionError` lists the names).

    Examples
    --------
    >>> limit("samples").value
    100000
    """
    return LIMITS[choose("name", name, tuple(LIMITS))]


def shorten(value, width=60):
    """``repr(value)`` cut to ``width`` characters, for error messages about huge inputs.

    Examples
    --------
    >>> shorten("1" * 100, 20)
    "'11111111111111...' (102 characters)"
    >>> shorten("ab")
    "'ab'"
    """
    text = value if isinstance(value, str) and value.startswith("<") else repr(value)
    if len(text) <= width:
        return text
    head = text[:width - 5]
    closing = text[0] if text[0] in "'\"" else ""
    return "%s...%s (%d characters)" % (head, closing, len(text))


def limits_table():
    """The limits as a Markdown table (what ``docs/limits.md`` shows).

    Examples
    --------
    >>> print(limits_table().splitlines()[0])
    | limit | value | bounds | applies to | at the limit |
    """
    lines = ["| limit | value | bounds | applies to | at the limit |", "|---|---|---|---|---|"]
    for lim in LIMITS.values():
        lines.append("| `%s` | %s %s | %s | %s | %s |" % (lim.name, "{:,}".format(lim.value), lim.unit, lim.what,
                                                         lim.where, lim.cost))
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - documentation helper
    print(limits_table())
