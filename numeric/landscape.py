"""Loss-surface slices: the loss along one or two directions through a point, with the cells drawn.

A slice fixes a point (the weights W_l^0 of a net file) and directions A = (A_1..A_L), B = (B_1..B_L)
in weight space, and evaluates

    E(alpha, beta) = E(W_l^0 + alpha A_l + beta B_l, l = 1..L)        (origin="point")

on a grid of (alpha, beta).  With ``origin="zero"`` the layers the directions touch start at 0 instead
of W_l^0: Botev's pictures W_1 = alpha A + beta B (within a layer) and W_1 = alpha A, W_2 = beta B
(across layers), the other layers kept at the point.  Biases stay at the point.

The float64 grid is vectorised: a batch of grid points runs one batched forward pass, and each layer's
pre-activation is W^0 a + alpha (A a) + beta (B a), three matrix products over the batch.  At ``dps``
digits every grid point is one exact-input call of :func:`lossgeom.numeric.evaluate.loss_value`.

Cell boundaries: for activations with kinks (ReLU, leaky ReLU, ...), every unit of every sample is in
one piece at each grid point; two neighbouring grid points lie in different activation cells when some
unit of some sample changes piece between them.  The activation pattern of a grid point is hashed by two
exact integer projections (float64 sums of integers below 2^21, exact in any order), so equal patterns
always give equal codes and different ones collide with probability about 2^-40 per pair.  Patterns come
from the float64 forward pass, also for ``dps`` grids (a pre-activation within rounding of a kink may be
put on either side).
"""

import sys
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from lossgeom.checks import check_choice, check_int, check_point, check_real, check_sequence
from lossgeom.display import short_repr, summary_latex
from lossgeom.errors import DataError
from lossgeom.limits import LIMITS
from lossgeom.numeric import _landscape_pl
from lossgeom.precision import check_dps

__all__ = ["LossSlice", "slice_directions", "loss_slice", "slice_work", "draw_slice", "slice_json"]

#: Floats a batch of grid points may hold per layer (pre-activations of all its samples).
_BATCH_FLOATS = 2 * 10 ** 6


@dataclass(frozen=True)
class LossSlice:
    """A loss grid along one or two directions.

    Attributes
    ----------
    alphas, betas : numpy.ndarray
        Grid coordinates (``betas`` is None for a 1-D slice).
    loss : numpy.ndarray
        ``loss[j, i]`` = E(alphas[i], betas[j]) (shape (len(alphas),) in 1-D); float64, or an object array
        of mpmath numbers at ``dps`` digits.
    cuts_alpha : numpy.ndarray of bool
        ``cuts_alpha[j, i]``: grid points (i, j) and (i+1, j) lie in different activation cells.
    cuts_beta : numpy.ndarray of bool or None
        ``cuts_beta[j, i]``: grid points (i, j) and (i, j+1) lie in different activation cells.
    dps : int or "float64"
    """

    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    cuts_alpha: np.ndarray
    cuts_beta: np.ndarray
    dps: object

    @property
    def values(self):
        """The loss grid as float64."""
        return np.asarray(self.loss, dtype=float) if self.dps == "float64" else \
            np.vectorize(float, otypes=[float])(self.loss)

    @property
    def n_cuts(self):
        """How many neighbouring pairs of grid points lie in different cells."""
        return int(self.cuts_alpha.sum() + (0 if self.cuts_beta is None else self.cuts_beta.sum()))

    def _shape(self):
        return tuple(self.loss.shape)

    def _range(self):
        v = self.values
        return float(np.nanmin(v)), float(np.nanmax(v))

    def __repr__(self):
        lo, hi = self._range()
        return short_repr(self, {"shape": self._shape(), "alphas": (float(self.alphas[0]), float(self.alphas[-1])),
                                 "betas": None if self.betas is None else (float(self.betas[0]), float(self.betas[-1])),
                                 "loss_range": (lo, hi), "n_cuts": self.n_cuts, "dps": self.dps})

    def _repr_latex_(self):
        r"""Jupyter's display: the grid, the range of the loss over it and the cell boundaries crossed.

        Examples
        --------
        >>> from lossgeom import Net, resolve_point
        >>> p = resolve_point(Net(widths=(1, 1)), [[[1]]], X=[[1]], Y=[[0]])
        >>> s = loss_slice(p, ([np.array([[1.0]])], [np.array([[0.0]])]), [-2, -1, 0, 1])
        >>> r"\min E & 0.0" in s._repr_latex_() and r"\max E & 2.0" in s._repr_latex_()
        True
        """
        lo, hi = self._range()
        grid = r"\alpha \in [%s, %s]" % (float(self.alphas[0]), float(self.alphas[-1]))
        if self.betas is not None:
            grid += r",\ \beta \in [%s, %s]" % (float(self.betas[0]), float(self.betas[-1]))
        return summary_latex("Loss slice", [
            ("grid", ("latex", r"%s\ (%s\ \text{points})" % (grid, r" \times ".join(map(str, self._shape()))))),
            (r"\min E", lo), (r"\max E", hi), (r"\text{cell boundaries crossed}", self.n_cuts),
            ("precision", "float64" if self.dps == "float64" else "%s digits" % self.dps)])


def slice_directions(point, kind="random", layers=None, seed=0):
    """Seeded random directions (A, B) for a slice, one float64 matrix per layer.

    Parameters
    ----------
    point : Point
    kind : {"random", "layer", "layers"}
        ``"random"``: A and B in every layer; ``"layer"``: both in layer ``layers[0]`` (Botev's within-layer
        slice); ``"layers"``: A in layer ``layers[0]``, B in layer ``layers[1]`` (across layers).
    layers : sequence of int, optional
        1-based layers for ``"layer"`` (one) and ``"layers"`` (two, different).
    seed : int

    Returns
    -------
    (tuple of ndarray, tuple of ndarray)
        Standard normal entries, rescaled per layer to the Frobenius norm of that layer's weights
        (filter-wise normalisation of Li et al. 2018; norm 1 for a zero layer); zero in the other layers.

    Examples
    --------
    >>> from lossgeom import Net, resolve_point
    >>> p = resolve_point(Net(widths=(1, 2, 1), activation="relu"), [[[1], [2]], [[3, 4]]])
    >>> A, B = slice_directions(p, "layers", (1, 2))
    >>> [a.shape for a in A], float(np.abs(A[1]).sum()), float(np.abs(B[0]).sum())
    ([(2, 1), (1, 2)], 0.0, 0.0)
    >>> round(float(np.linalg.norm(B[1])), 12)
    5.0
    """
    check_point(point)
    check_choice(kind, "kind", ("random", "layer", "layers"))
    check_int(seed, "seed", low=0)
    L = point.net.depth
    need = {"random": 0, "layer": 1, "layers": 2}[kind]
    layers = () if layers is None else tuple(check_sequence(layers, "layers"))
    if len(layers) != need:
        raise DataError("layers: %s directions take %d layer number(s), got %r" % (kind, need, layers))
    for l in layers:
        check_int(l, "layers", low=1, high=L)
    if need == 2 and layers[0] == layers[1]:
        raise DataError("layers: expected two different layers, got %r (use kind='layer')" % (layers,))
    rng = np.random.default_rng(seed)
    W0 = [np.array(w.tolist(), dtype=float) for w in point.weights]
    dirs = []
    for k in range(2):
        out = []
        for l in range(1, L + 1):
            d = rng.standard_normal(W0[l - 1].shape)
            use = kind == "random" or (kind == "layer" and l == layers[0]) or (kind == "layers" and l == layers[k])
            norm = np.linalg.norm(W0[l - 1]) or 1.0
            out.append(d * (norm / np.linalg.norm(d)) if use else np.zeros_like(d))
        dirs.append(tuple(out))
    return tuple(dirs)


def slice_work(point, n_points, dps="float64"):
    """The size of a slice in the units of the ``landscape_work`` limit: points x parameters x samples,
    times 1000 at ``dps`` digits (a per-point mpmath pass costs about that much more than float64).

    Examples
    --------
    >>> from lossgeom import Net, resolve_point
    >>> slice_work(resolve_point(Net(widths=(1, 1)), [[[1]]], X=[[1]], Y=[[0]]), 441)
    441
    """
    check_point(point)
    check_int(n_points, "n_points", low=1)
    check_dps(dps)
    return n_points * point.net.n_params * max(point.n_samples, 1) * (1 if dps == "float64" else 1000)


def _check_grid(values, field):
    check_sequence(values, field, what="a list, tuple or array of numbers") if not isinstance(values, np.ndarray) \
        else None
    out = np.array([float(check_real(v, field)) for v in np.ravel(values)], dtype=float)
    if out.size < 2 or not np.all(np.isfinite(out)) or not np.all(np.diff(out) > 0):
        raise DataError("%s: expected at least 2 finite, increasing numbers, got %d" % (field, out.size))
    return out


def _check_directions(point, directions):
    check_sequence(directions, "directions", length=2)
    out = []
    for name, d in zip("AB", directions):
        check_sequence(d, "directions[%s]" % name, length=point.net.depth)
        mats = []
        for l, (m, w) in enumerate(zip(d, point.weights), 1):
            a = np.asarray(m, dtype=float) if not isinstance(m, str) else None
            if a is None or a.shape != w.shape or not np.all(np.isfinite(a)):
                raise DataError("directions[%s][%d]: expected a finite %dx%d float matrix" % ((name, l) + w.shape))
            mats.append(a)
        out.append(tuple(mats))
    return tuple(out)


def loss_slice(point, directions, alphas, betas=None, dps="float64", origin="point", progress=None):
    """The loss on a 1-D or 2-D grid of a slice through ``point`` (see the module docstring).

    Parameters
    ----------
    point : Point
        Exact weights, biases and data (at least one sample).
    directions : (A, B)
        Per-layer matrices, e.g. from :func:`slice_directions`; a 1-D slice uses A only.
    alphas, betas : sequence of float
        Increasing grid coordinates; ``betas=None`` for a 1-D slice.
    dps : "float64" (default) or int
        float64: vectorised; an integer: every grid point at that many digits (exact inputs: the grid
        weights W^0 + alpha A + beta B are formed exactly from the float64 values of alpha, beta, A, B).
    origin : {"point", "zero"}
        ``"zero"`` starts the layers the directions touch at 0 (Botev's slices).
    progress : callable, optional
        ``progress(done, total)`` during a ``dps`` grid; by default a line on stderr every 10 % for grids
        of more than 100 points.

    Returns
    -------
    LossSlice

    Examples
    --------
    One linear unit, E = (w x - y)^2 / 2 along w = 1 + alpha: a parabola with its minimum at alpha = -1.

    >>> from lossgeom import Net, resolve_point
    >>> p = resolve_point(Net(widths=(1, 1)), [[[1]]], X=[[1]], Y=[[0]])
    >>> s = loss_slice(p, ([np.array([[1.0]])], [np.array([[0.0]])]), [-2, -1, 0, 1])
    >>> s.values.tolist(), s.n_cuts
    ([0.5, 0.0, 0.5, 2.0], 0)
    >>> print(loss_slice(p, ([np.array([[1.0]])], [np.array([[0.0]])]), [-2, 0], dps=30).loss[1])
    0.5
    """
    check_point(point)
    dps = check_dps(dps)
    check_choice(origin, "origin", ("point", "zero"))
    if point.X is None or point.Y is None:
        raise DataError("point: the loss needs data (X and Y); give the net file's inputs and targets")
    A, B = _check_directions(point, directions)
    al = _check_grid(alphas, "alphas")
    be = None if betas is None else _check_grid(betas, "betas")
    n_points = al.size * (1 if be is None else be.size)
    LIMITS["landscape_work"].check(slice_work(point, n_points, dps), "landscape", shown="%d points x %d parameters"
                                   " x %d samples%s" % (n_points, point.net.n_params, point.n_samples,
                                                         "" if dps == "float64" else " x 1000 (at --dps)"))
    if be is None:
        B = tuple(np.zeros_like(a) for a in A)
    ga, gb = np.meshgrid(al, np.zeros(1) if be is None else be)
    centre = [np.zeros_like(a) if origin == "zero" and (np.any(a) or np.any(b)) else
              np.array(w.tolist(), dtype=float) for w, a, b in zip(point.weights, A, B)]
    loss, codes = _float_grid(point, centre, A, B, ga.ravel(), gb.ravel(), (al, np.zeros(1) if be is None else be))
    shape = ga.shape
    codes = codes.reshape(shape + (2,))
    cuts_a = np.any(codes[:, 1:] != codes[:, :-1], axis=-1)
    cuts_b = np.any(codes[1:, :] != codes[:-1, :], axis=-1) if be is not None else None
    if dps != "float64":
        loss = _mp_grid(point, centre, A, B, ga.ravel(), gb.ravel(), dps, origin, progress)
    loss = loss.reshape(shape)
    if be is None:
        loss, cuts_a = loss[0], cuts_a[0]
    return LossSlice(alphas=al, betas=be, loss=loss, cuts_alpha=cuts_a, cuts_beta=cuts_b, dps=dps)


def _np_activation(act, h):
    """f(h) in float64 and the piece index of every entry (None without kinks)."""
    if len(act.pieces) == 1:
        return np.broadcast_to(act.numeric_form(0, 0, "numpy")(h), h.shape).astype(float), None
    kinks = [float(k) for k in act.kinks]
    if len(kinks) == 1:   # two pieces (ReLU, leaky ReLU, ...): both forms on the whole batch, then a select
        idx = h > kinks[0]
        lo, hi = (np.broadcast_to(act.numeric_form(k, 0, "numpy")(h), h.shape) for k in (0, 1))
        return np.where(idx, hi, lo), idx
    idx = np.searchsorted(np.array(kinks), h)
    out = np.empty_like(h)
    for k in range(len(act.pieces)):
        sel = idx == k
        if np.any(sel):
            out[sel] = np.broadcast_to(act.numeric_form(k, 0, "numpy")(h[sel]), h[sel].shape)
    return out, idx


def _np_loss(net, z, Y):
    """Per-point loss of outputs z (p, d_L, m) against targets Y (d_L, m)."""
    if net.loss.name == "square":
        e = 0.5 * np.sum((z - Y) ** 2, axis=(1, 2))
    else:
        zmax = z.max(axis=1, keepdims=True)
        lse = zmax[:, 0, :] + np.log(np.sum(np.exp(z - zmax), axis=1))
        e = np.sum(Y.sum(axis=0) * lse, axis=1) - np.sum(Y * z, axis=(1, 2))
    return e / Y.shape[1] if net.reduction == "mean" else e


def _float_grid(point, centre, A, B, al, be, grid):
    """Loss and activation-pattern codes at the grid points (flattened ``al``, ``be``; ``grid`` = the axes).

    A one-hidden-layer net with piecewise-linear hidden units goes through the kink-crossing grid of
    :mod:`lossgeom.numeric._landscape_pl`; every other net through batches of a plain forward pass.
    """
    net = point.net
    X = np.array(point.X.tolist(), dtype=float)
    Y = np.array(point.Y.tolist(), dtype=float)
    m = X.shape[1]
    rng = np.random.default_rng(12345)
    proj = [rng.integers(1, 2 ** 21, size=(net.widths[l] * m, 2)).astype(float) for l in range(1, net.depth + 1)]
    if _landscape_pl.applies(net):
        losses, codes = _landscape_pl.pl_grid(point, centre, A, B, grid[0], grid[1], proj,
                                              lambda z: _np_activation(net.output_activation, z),
                                              lambda act: _np_loss(net, act, Y))
    else:
        losses, codes = _batched_grid(point, centre, A, B, al, be, X, Y, proj)
    if net.weight_decay:
        wd = float(net.weight_decay)
        for C, Al, Bl in zip(centre, A, B):
            W = C[None] + al[:, None, None] * Al[None] + be[:, None, None] * Bl[None]
            losses += 0.5 * wd * np.sum(W ** 2, axis=(1, 2))
    return losses, codes


def _batched_grid(point, centre, A, B, al, be, X, Y, proj):
    """The plain pass: a batch of grid points runs one batched forward pass."""
    net = point.net
    m = X.shape[1]
    bias = [np.array(b.tolist(), dtype=float) for b in point.biases] if net.bias else None
    batch = max(1, _BATCH_FLOATS // (max(net.widths) * m))
    losses, codes = np.empty(al.size), np.zeros((al.size, 2))
    for s in range(0, al.size, batch):
        a_, b_ = al[s:s + batch, None, None], be[s:s + batch, None, None]
        act = X
        for l in range(net.depth):
            h = _layer(centre[l], A[l], B[l], act, a_, b_)
            if net.bias:
                h = h + bias[l][None, :, :]
            f = net.layer_activation(l + 1) if l + 1 < net.depth else net.output_activation
            act, idx = _np_activation(f, h)
            if idx is not None:
                codes[s:s + batch] += idx.reshape(idx.shape[0], -1).astype(float) @ proj[l]
        act = np.broadcast_to(act, (a_.shape[0],) + act.shape[-2:])
        losses[s:s + batch] = _np_loss(net, act, Y)
    return losses, codes


def _layer(C, Al, Bl, act, a_, b_):
    """(C + alpha Al + beta Bl) act for a batch: act is (k, m) (shared) or (p, k, m)."""
    h = C @ act
    if np.any(Al):
        h = h + a_ * (Al @ act)
    if np.any(Bl):
        h = h + b_ * (Bl @ act)
    return h if h.ndim == 3 else np.broadcast_to(h, (a_.shape[0],) + h.shape)


def _mp_grid(point, centre, A, B, al, be, dps, origin, progress):
    """The loss at every grid point at ``dps`` digits, one exact-input forward pass each."""
    from lossgeom.numeric.evaluate import loss_value

    net = point.net
    exact0 = [None if origin == "zero" and not np.any(c) and (np.any(a) or np.any(b)) else
              [[Fraction(str(v)) if not isinstance(v, Fraction) else v for v in row] for row in w.tolist()]
              for c, a, b, w in zip(centre, A, B, point.weights)]
    fa = [[[Fraction(float(v)) for v in row] for row in a.tolist()] for a in A]
    fb = [[[Fraction(float(v)) for v in row] for row in b.tolist()] for b in B]
    out = np.empty(al.size, dtype=object)
    total = al.size
    report = progress if progress is not None else (_stderr_progress if total > 100 else None)
    for p in range(total):
        x, y = Fraction(float(al[p])), Fraction(float(be[p]))
        weights = []
        for l in range(net.depth):
            rows, cols = len(fa[l]), len(fa[l][0])
            weights.append([[(exact0[l][i][j] if exact0[l] is not None else 0) + x * fa[l][i][j] + y * fb[l][i][j]
                             for j in range(cols)] for i in range(rows)])
        out[p] = loss_value(net, weights, point.biases, point.X, point.Y, dps=dps)
        if report is not None and (p + 1 == total or (p + 1) % max(1, total // 10) == 0):
            report(p + 1, total)
    return out


def _stderr_progress(done, total):
    print("landscape: %d of %d grid points" % (done, total), file=sys.stderr, flush=True)


def draw_slice(loss_slice, path, title=None):
    """Draw a slice to PNG or SVG: a surface and a contour plot (2-D) or a curve (1-D), with the cells.

    Cell boundaries are drawn as red marks between every pair of neighbouring grid points that lie in
    different activation cells (some unit of some sample changes piece between them): a red line across
    the contour plot, dots on the surface, vertical lines in 1-D.  matplotlib's Agg canvas, no pyplot;
    written through :func:`lossgeom.io.write_file`.

    Parameters
    ----------
    loss_slice : LossSlice
    path : str
        Ending in ``.png`` or ``.svg``.
    title : str, optional

    Returns
    -------
    None

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> from lossgeom import Net, resolve_point
    >>> p = resolve_point(Net(widths=(1, 1)), [[[1]]], X=[[1]], Y=[[0]])
    >>> s = loss_slice(p, ([np.array([[1.0]])], [np.array([[0.0]])]), [-1, 0, 1])
    >>> d = tempfile.mkdtemp(); f = os.path.join(d, "s.svg"); draw_slice(s, f)
    >>> open(f).read(200).startswith("<?xml")
    True
    >>> shutil.rmtree(d)
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from lossgeom.checks import check_path, check_type
    from lossgeom.io import write_file

    check_type(loss_slice, "loss_slice", LossSlice, "a LossSlice (loss_slice(...))")
    check_path(path)
    fmt = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if fmt not in ("png", "svg"):
        raise DataError("path: expected a file name ending in .png or .svg, got %r" % (path,))
    s, Z = loss_slice, loss_slice.values
    if s.betas is None:
        fig = Figure(figsize=(5, 3.4), dpi=90)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(s.alphas, Z, color="navy")
        for i in np.flatnonzero(s.cuts_alpha):
            ax.axvline((s.alphas[i] + s.alphas[i + 1]) / 2, color="red", lw=0.6, alpha=0.6)
        ax.set_xlabel("alpha")
        ax.set_ylabel("loss")
    else:
        fig = Figure(figsize=(9, 3.8), dpi=80)
        FigureCanvasAgg(fig)
        _draw_2d(fig, s, Z)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    write_file(path, lambda tmp: fig.savefig(tmp, format=fmt), field="--out")


def _cut_points(s):
    """Midpoints (alpha, beta) of the neighbouring pairs that lie in different cells."""
    ja, ia = np.nonzero(s.cuts_alpha)
    jb, ib = np.nonzero(s.cuts_beta)
    xs = np.concatenate([(s.alphas[ia] + s.alphas[ia + 1]) / 2, s.alphas[ib]])
    ys = np.concatenate([s.betas[ja], (s.betas[jb] + s.betas[jb + 1]) / 2])
    return xs, ys, np.concatenate([ja, jb]), np.concatenate([ia, ib])


def _draw_2d(fig, s, Z):
    A, B = np.meshgrid(s.alphas, s.betas)
    ax = fig.add_subplot(1, 2, 1, projection="3d")
    ax.plot_surface(A, B, Z, cmap="viridis", linewidth=0, antialiased=False, rstride=1, cstride=1, alpha=0.9)
    xs, ys, js, is_ = _cut_points(s)
    if xs.size:
        ax.scatter(xs, ys, Z[js, is_], color="red", s=1, depthshade=False)
    ax.set_xlabel("alpha")
    ax.set_ylabel("beta")
    ax.set_zlabel("loss")
    ax2 = fig.add_subplot(1, 2, 2)
    cs = ax2.contour(A, B, Z, levels=20, cmap="viridis", linewidths=0.8)
    fig.colorbar(cs, ax=ax2, shrink=0.8)
    if xs.size:
        ax2.scatter(xs, ys, color="red", s=1, marker="s", linewidths=0)
    ax2.set_xlabel("alpha")
    ax2.set_ylabel("beta")
    ax2.set_title("contours; red: cell boundaries", fontsize=8)


def slice_json(loss_slice, digits=17):
    """The grid of a slice as a JSON-ready dict (``alphas``, ``betas``, ``loss`` rows by beta, ``cuts_alpha``,
    ``cuts_beta`` as 0/1 rows, ``dps``); loss values as decimal strings of ``digits`` significant digits.

    Examples
    --------
    >>> from lossgeom import Net, resolve_point
    >>> p = resolve_point(Net(widths=(1, 1)), [[[1]]], X=[[1]], Y=[[0]])
    >>> slice_json(loss_slice(p, ([np.array([[1.0]])], [np.array([[0.0]])]), [-1, 0]), digits=3)["loss"]
    ['0.0', '0.5']
    """
    import mpmath

    from lossgeom.checks import check_type
    check_type(loss_slice, "loss_slice", LossSlice, "a LossSlice (loss_slice(...))")
    check_int(digits, "digits", low=1, high=10000)
    s = loss_slice

    def num(v):
        return mpmath.nstr(mpmath.mpf(v) if s.dps == "float64" else v, digits, strip_zeros=True)

    loss = np.vectorize(num, otypes=[object])(s.loss).tolist()
    return {"dps": s.dps, "alphas": s.alphas.tolist(), "betas": None if s.betas is None else s.betas.tolist(),
            "loss": loss, "cuts_alpha": s.cuts_alpha.astype(int).tolist(),
            "cuts_beta": None if s.cuts_beta is None else s.cuts_beta.astype(int).tolist()}
