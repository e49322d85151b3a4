"""``lossgeom landscape NETFILE --out FILE.png|.svg``: 1-D and 2-D slices of the loss surface.

With no option but ``--out`` it draws a 2-D slice along two seeded random directions (every layer,
scaled per layer to the weights' norm) through the file's weights, on a 41 x 41 grid over [-1, 1]^2,
in float64.  ``--directions layer:L`` puts both directions in layer L (Botev's within-layer slice),
``--directions layers:K,L`` one in layer K and one in layer L (across layers); ``--origin zero`` starts
the varied layers at 0 (W = alpha A + beta B, as in Botev's pictures).  ``--dps N`` evaluates every
grid point at N digits (progress on stderr).  Red marks: neighbouring grid points in different
activation cells.

JSON fields (``--format json``): ``net``, ``directions``, ``origin``, ``seed``, ``points``, ``min``
(``loss``, ``alpha``, ``beta``), ``max``, ``cell_boundaries`` (how many neighbouring pairs lie in
different cells) and ``grid`` (:func:`lossgeom.numeric.landscape.slice_json`).
"""

import json
import re

from lossgeom.cli import UsageError, add_format, add_seed, positive_int, write_output
from lossgeom.precision import MAX_DPS, MIN_DPS

ORDER = 45


def add(sub):
    p = sub.add_parser("landscape", help="draw 1-D and 2-D slices of the loss surface",
                       description="The loss along one or two directions through a net file's weights, drawn "
                                   "as a surface and contours with the activation-cell boundaries.")
    p.add_argument("netfile", metavar="NETFILE", help="JSON net file with weights, inputs and targets")
    p.add_argument("--out", required=True, metavar="FILE", help="the drawing, FILE.png or FILE.svg")
    p.add_argument("--directions", default="random", metavar="KIND",
                   help="random (default), layer:L (both in layer L) or layers:K,L (one in each)")
    p.add_argument("--origin", choices=("point", "zero"), default="point",
                   help="point: W = W0 + alpha A + beta B (default); zero: the varied layers start at 0")
    p.add_argument("--dim", type=positive_int("--dim", 1, 2), default=2, help="1 or 2 directions (default 2)")
    p.add_argument("--points", type=positive_int("--points", 2, 1001), default=None,
                   help="grid points per direction (default 41 in 2-D, 201 in 1-D)")
    p.add_argument("--range", default="-1,1", metavar="LO,HI", help="alpha and beta from LO to HI (default -1,1)")
    p.add_argument("--dps", type=positive_int("--dps", MIN_DPS, MAX_DPS), default=None,
                   help="evaluate every grid point at this many digits (default: float64, vectorised)")
    add_seed(p)
    add_format(p, choices=("text", "json"))
    p.set_defaults(func=_cmd_landscape)


def _directions(text, depth):
    m = re.fullmatch(r"(random)|layer:([0-9]{1,4})|layers:([0-9]{1,4}),([0-9]{1,4})", text)
    if not m:
        raise UsageError("--directions: expected random, layer:L or layers:K,L, got %r" % text[:40])
    if m.group(1):
        return "random", None
    layers = tuple(int(g) for g in m.groups()[1:] if g is not None)
    for l in layers:
        if not 1 <= l <= depth:
            raise UsageError("--directions: layer %d out of range; the net has layers 1 to %d" % (l, depth))
    if len(layers) == 2 and layers[0] == layers[1]:
        raise UsageError("--directions: layers:K,L needs two different layers (use layer:%d)" % layers[0])
    return ("layer" if len(layers) == 1 else "layers"), layers


def _range(text):
    from lossgeom.errors import DataError
    from lossgeom.numbers import parse_number

    parts = text.split(",")
    if len(parts) != 2:
        raise UsageError("--range: expected LO,HI such as -1,1, got %r" % text[:40])
    try:
        lo, hi = (float(parse_number(v.strip(), "--range")) for v in parts)
    except (DataError, OverflowError) as err:
        raise UsageError("--range: %s" % err) from None
    if not (abs(lo) < 1e6 and abs(hi) < 1e6 and lo < hi):
        raise UsageError("--range: expected LO < HI, both below 10^6 in size, got %r" % text[:40])
    return lo, hi


def _cmd_landscape(args):
    import numpy as np

    from lossgeom.data import read_net_file
    from lossgeom.errors import DataError
    from lossgeom.numeric.landscape import draw_slice, loss_slice, slice_directions, slice_json

    lo, hi = _range(args.range)
    if not args.out.lower().endswith((".png", ".svg")):
        raise DataError("--out: expected a file name ending in .png or .svg, got %r" % args.out[:80])
    nf = read_net_file(args.netfile)
    if nf.weights is None or nf.inputs is None:
        raise DataError("%s: landscape needs 'weights', 'inputs' and 'targets' in the net file" % args.netfile)
    kind, layers = _directions(args.directions, nf.net.depth)
    point = nf.point()
    dirs = slice_directions(point, kind, layers, seed=args.seed)
    n = args.points or (41 if args.dim == 2 else 201)
    grid = np.linspace(lo, hi, n)
    s = loss_slice(point, dirs, grid, grid if args.dim == 2 else None, dps=args.dps or "float64",
                   origin=args.origin)
    where = args.directions + ("" if args.origin == "point" else ", from zero")
    draw_slice(s, args.out, title="%s: %s" % (nf.net, where))
    Z = s.values
    doc = {"net": str(nf.net), "directions": args.directions, "origin": args.origin, "seed": args.seed,
           "points": list(Z.shape[::-1]), "dps": s.dps, "cell_boundaries": s.n_cuts}
    for key, k in (("min", int(np.argmin(Z))), ("max", int(np.argmax(Z)))):
        idx = np.unravel_index(k, Z.shape)
        doc[key] = {"loss": float(Z[idx]), "alpha": float(s.alphas[idx[-1]]),
                    "beta": None if s.betas is None else float(s.betas[idx[0]])}
    if args.format == "json":
        doc["grid"] = slice_json(s)
        write_output(json.dumps(doc, indent=2))
        return 0
    size = " x ".join(str(v) for v in doc["points"])
    lines = ["%s, %d samples: %s slice (%s), %s grid over [%g, %g]%s, %s"
             % (nf.net, nf.n_samples, "2-D" if s.betas is not None else "1-D", where, size, lo, hi,
                "^2" if s.betas is not None else "", "float64" if s.dps == "float64" else "%d digits" % s.dps)]
    for key in ("min", "max"):
        d = doc[key]
        lines.append("%s loss %.6g at alpha = %.4g%s" % (key, d["loss"], d["alpha"],
                                                         "" if d["beta"] is None else ", beta = %.4g" % d["beta"]))
    lines.append("neighbouring grid points in different activation cells: %d (drawn in red)" % s.n_cuts)
    lines.append("drawing written to %s" % args.out)
    write_output("\n".join(lines))
    return 0
