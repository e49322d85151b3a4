"""Milne (2019) section 4's experiments in float64: the toy experiment (Figure 1) and a digits analogue
of Table 2 (Figure 2).  Statistics over seeded trials, not proofs.

* :func:`toy_experiment`: f(x) = x/4 on 100 points uniform on [-1, 1], H = 1, n_1 = 2, no biases, no ReLU on
  the output, lambda = 0.4, full-batch gradient descent with eta = 0.1 from PyTorch's default
  initialisation; per trial the fraction of the change of l_lambda made after the iterate first enters
  U(lambda) (eq. 14 with r = the largest input norm; for H = 1, U(lambda) = {l < lambda^2 / (8 r^2)}).
* :func:`digits_experiment`: the same kind of measurement as Table 2 on scikit-learn's bundled 8x8 digits
  (an analogue: the paper's MNIST/CIFAR runs need data we cannot download here): a 64-32-10 ReLU net,
  softmax cross-entropy, weight decay, minibatch SGD; per run the normalised second derivative
  gamma''/||g||^2 (eq. 17, by eq. 19) along the trajectory, its 10th percentile in the convex regime and
  the loss fraction of eq. (20).

Trials run through :func:`lossgeom.executor.run_tasks` (local process pool by default, a Dask cluster
by address); trial k's seed is :func:`lossgeom.executor.child_seeds` (root seed)[k].
"""

import functools

import numpy as np

from lossgeom.checks import check_bool, check_int, check_real, check_sequence
from lossgeom.errors import DataError
from lossgeom.executor import TaskError, child_seeds, run_tasks
from lossgeom.limits import LIMITS
from lossgeom.numeric.milne_flow import MLP, _array, convex_from, descent_trajectory, entry_fraction, loss_fraction

__all__ = ["toy_data", "toy_trial", "toy_experiment", "digits_data", "digits_trial", "digits_experiment",
           "summarise", "draw_toy", "draw_digits", "TOY", "DIGITS"]

#: Milne's toy set-up (section 4); ``steps`` is ours (the paper trains "to convergence")
TOY = {"points": 100, "widths": (1, 2, 1), "lam": 0.4, "eta": 0.1, "steps": 1000, "short": 100}
#: the digits analogue (ours: the paper's MNIST run is LeNet-5, lambda = 5e-4, lr 0.05, batch 128)
DIGITS = {"widths": (64, 32, 10), "lam": 5e-4, "eta": 0.05, "batch": 128, "steps": 1000, "log_every": 10}

MAX_TRIALS = 100000


def toy_data(seed, points=100):
    """(X, Y): ``points`` inputs uniform on [-1, 1] (1 x N) drawn from ``seed``, targets f(x) = x/4.

    Examples
    --------
    >>> X, Y = toy_data(0, 5)
    >>> X.shape, bool(np.allclose(Y, X / 4)), bool(np.all(np.abs(X) <= 1))
    ((1, 5), True, True)
    """
    seed, points = check_int(seed, "seed", 0), check_int(points, "points", 1, 10 ** 6)
    X = np.random.default_rng(np.random.SeedSequence([seed, 1])).uniform(-1.0, 1.0, size=(1, points))
    return X, X / 4.0


def toy_trial(seed, X, lam=0.4, eta=0.1, steps=1000, short=100, curve=False):
    """One trial of the toy experiment from PyTorch's default initialisation drawn from ``seed``.

    Returns a dict: ``seed``, ``fraction`` (eq. 20 with t0 = the first iterate in U(lambda), t1 = ``steps``),
    ``fraction_short`` (the same with t1 = ``short``), ``entry`` (the first iterate in U(lambda), None when
    never), ``gamma0``, ``gamma_end``, ``loss0``, ``loss_end`` and, when ``curve``, ``loss`` (l at every iterate).

    Examples
    --------
    >>> X, _ = toy_data(0, 100)
    >>> out = toy_trial(3, X, steps=200, short=50)
    >>> 0 <= out["fraction"] <= 1, out["loss_end"] < 0.02
    (True, True)
    """
    X = _array(X, "X", 2) if isinstance(X, np.ndarray) and X.ndim == 2 else _array(X, "X", 1).reshape(1, -1)
    if X.shape[0] != 1 or X.size == 0:
        raise DataError("X: expected the toy inputs as one row of numbers, got shape %s" % (X.shape,))
    curve = check_bool(curve, "curve")
    steps, short = check_int(steps, "steps", 1, 10 ** 6), check_int(short, "short", 1, 10 ** 6)
    net = MLP((1, 2, 1), lam=float(check_real(lam, "lam")))
    theta = net.torch_init(np.random.default_rng(check_int(seed, "seed", 0)))
    out = descent_trajectory(net, theta, X, X / 4.0, eta, steps, record=False)
    gamma, loss = out["gamma"], out["loss"]
    r = float(np.max(np.abs(X)))
    inside = np.sqrt(np.maximum(loss, 0.0)) < net.lam / (2.0 * np.sqrt(2.0) * r)  # eq. (14), H = 1
    idx = np.flatnonzero(inside)
    entry = int(idx[0]) if idx.size else None
    k = min(short, steps)
    res = {"seed": int(seed), "fraction": entry_fraction(gamma, inside),
           "fraction_short": entry_fraction(gamma[:k + 1], inside[:k + 1]), "entry": entry,
           "gamma0": float(gamma[0]), "gamma_end": float(gamma[-1]), "loss0": float(loss[0]),
           "loss_end": float(loss[-1])}
    if curve:
        res["loss"] = [float(v) for v in loss]
    return res


def _collect(fn, args, workers, scheduler, progress, label, chunk=1):
    results, errors = [None] * len(args), []
    for k, res in run_tasks(fn, args, workers=workers, scheduler=scheduler, progress=progress, label=label,
                            chunk=chunk):
        if isinstance(res, TaskError):
            errors.append({"index": k, "error": str(res), "traceback": res.traceback})
        results[k] = res if not isinstance(res, TaskError) else None
    return results, errors


def summarise(values):
    """(mean, sample standard deviation, count) of the finite values.

    Examples
    --------
    >>> summarise([1.0, 3.0, float("nan")])
    (2.0, 1.4142135623730951, 2)
    """
    if not isinstance(values, np.ndarray):
        values = check_sequence(values, "values")
    try:
        v = np.asarray([x for x in np.ravel(np.asarray(values, dtype=object)) if x is not None], dtype=float)
    except (TypeError, ValueError):
        raise DataError("values: expected numbers (or None), got %s" % str(values)[:60]) from None
    v = v[np.isfinite(v)]
    if not v.size:
        return float("nan"), float("nan"), 0
    return float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else 0.0, int(v.size)


def toy_experiment(trials=1000, seed=0, workers=None, scheduler=None, progress=True, steps=None):
    """Milne's toy experiment: ``trials`` seeded trials (:func:`toy_trial`), summarised.

    Returns a dict: ``setup``, ``r`` (the largest input norm), ``threshold`` (U(lambda) = {l < threshold}),
    ``trials`` (every trial's numbers, in index order), ``errors`` (failed tasks, with tracebacks),
    ``mean``, ``sd`` (of ``fraction``), ``mean_short``, ``sd_short``, ``never_entered``, ``started_inside``.

    Examples
    --------
    >>> out = toy_experiment(4, seed=1, workers=1, progress=False, steps=200)
    >>> len(out["trials"]), 0 <= out["mean"] <= 1, round(out["threshold"] * out["r"] ** 2, 6)
    (4, True, 0.02)
    """
    trials, seed = check_int(trials, "trials", 1, MAX_TRIALS), check_int(seed, "seed", 0)
    steps = TOY["steps"] if steps is None else check_int(steps, "steps", 1, 10 ** 6)
    LIMITS["milne_work"].check(trials * steps, "trials x steps")
    X, _ = toy_data(seed, TOY["points"])
    xs = [float(v) for v in X[0]]
    args = [(s, xs, TOY["lam"], TOY["eta"], steps, TOY["short"]) for s in child_seeds(seed, trials)]
    results, errors = _collect(toy_trial, args, workers, scheduler, progress, "milne toy", chunk="auto")
    done = [r for r in results if r is not None]
    r = float(np.max(np.abs(X)))
    out = {"setup": dict(TOY, steps=steps, seed=seed, arithmetic="float64"), "r": r,
           "threshold": TOY["lam"] ** 2 / (8 * r * r), "trials": results, "errors": errors}
    out["mean"], out["sd"], out["count"] = summarise([t["fraction"] for t in done])
    out["mean_short"], out["sd_short"], _ = summarise([t["fraction_short"] for t in done])
    out["never_entered"] = sum(t["entry"] is None for t in done)
    out["started_inside"] = sum(t["entry"] == 0 for t in done)
    return out


@functools.lru_cache(maxsize=1)
def _digits():
    """scikit-learn's bundled digits.csv.gz (what load_digits reads), read without importing scikit-learn
    (its import takes seconds): 1797 rows of 64 pixels (0..16) and the label."""
    import gzip
    import importlib.util
    import os

    spec = importlib.util.find_spec("sklearn")
    path = None if spec is None else os.path.join(os.path.dirname(spec.origin), "datasets", "data", "digits.csv.gz")
    if path is None or not os.path.isfile(path):
        raise DataError("digits: needs scikit-learn's bundled data set (pip install lossgeom[experiments])")
    with gzip.open(path, "rt") as fh:
        data = np.loadtxt(fh, delimiter=",")
    if data.shape != (1797, 65):
        raise DataError("digits: expected 1797 rows of 64 pixels and a label in %s, got %s" % (path, data.shape))
    return data[:, :64] / 16.0, data[:, 64].astype(int)


def digits_data(seed=0):
    """scikit-learn's bundled 8x8 digits (no network): (X_train, Y_train, X_test, labels_test), pixels / 16,
    a seeded 80/20 split, targets one-hot (10 x N).

    Examples
    --------
    >>> Xtr, Ytr, Xte, yte = digits_data(0)
    >>> Xtr.shape, Ytr.shape, Xte.shape[1] + Xtr.shape[1]
    ((64, 1438), (10, 1438), 1797)
    """
    X, y = _digits()
    perm = np.random.default_rng(np.random.SeedSequence([check_int(seed, "seed", 0), 2])).permutation(len(y))
    cut = int(round(0.8 * len(y)))
    tr, te = perm[:cut], perm[cut:]
    return X[tr].T, np.eye(10)[y[tr]].T, X[te].T, y[te]


def digits_trial(seed, data_seed=0, steps=1000, log_every=10, lam=5e-4, eta=0.05, batch=128):
    """One SGD run on the digits: per logging point (every ``log_every`` steps) l_lambda on the training set,
    ||g||^2 and gamma'' = 2 g^T H g (eq. 19, full training set) at the current iterate.

    Returns a dict: ``seed``, ``test_accuracy``, ``gamma``, ``normalised`` (gamma''/||g||^2 per logging point),
    ``t0`` (eq. 20's first logging point after which gamma'' > 0 throughout; None if none), ``fraction``
    (eq. 20), ``p10`` (the 10th percentile of ``normalised`` from t0 on).

    Examples
    --------
    >>> out = digits_trial(1, steps=40, log_every=10)
    >>> len(out["gamma"]), 0 <= out["test_accuracy"] <= 1
    (5, True)
    """
    Xtr, Ytr, Xte, yte = digits_data(data_seed)
    steps, log_every = check_int(steps, "steps", 1, 10 ** 6), check_int(log_every, "log_every", 1, 10 ** 6)
    batch = check_int(batch, "batch", 1, 10 ** 6)
    eta = float(check_real(eta, "eta"))
    if not 0 < eta < 1e6:
        raise DataError("eta: expected a step size from 0 to 10^6, got %s" % eta)
    net = MLP(DIGITS["widths"], bias=True, loss="cross_entropy", lam=float(check_real(lam, "lam")))
    rng = np.random.default_rng(check_int(seed, "seed", 0))
    theta = net.torch_init(rng)
    N, gamma, norm = Xtr.shape[1], [], []
    order, pos = rng.permutation(N), 0
    for step in range(steps + 1):
        if step % log_every == 0:
            gdd, g2, loss = net.gamma_dd(theta, Xtr, Ytr)
            gamma.append(loss)
            norm.append(gdd / g2 if g2 > 0 else 0.0)
        if step == steps:
            break
        if pos + batch > N:
            order, pos = rng.permutation(N), 0
        idx = order[pos:pos + batch]
        pos += batch
        theta = theta - eta * net.loss_grad(theta, Xtr[:, idx], Ytr[:, idx])[1]
    acts, _ = net._forward(net.unpack(theta), Xte)
    acc = float(np.mean(np.argmax(acts[-1], axis=0) == yte))
    t0 = convex_from(np.asarray(norm))
    p10 = float(np.percentile(norm[t0:], 10)) if t0 is not None else float("nan")
    return {"seed": int(seed), "test_accuracy": acc, "gamma": gamma, "normalised": norm, "t0": t0,
            "fraction": loss_fraction(gamma, t0), "p10": p10, "convex_throughout": t0 == 0}


def digits_experiment(trials=5, seed=0, workers=None, scheduler=None, progress=True, steps=None):
    """The digits analogue of Table 2: ``trials`` seeded SGD runs (:func:`digits_trial`), summarised.

    Returns a dict: ``setup``, ``trials`` (every run's numbers), ``errors``, and mean/sd of
    ``test_accuracy``, ``p10`` and ``fraction`` (keys ``accuracy``, ``p10``, ``fraction``, each (mean, sd)).

    Examples
    --------
    >>> out = digits_experiment(2, workers=1, progress=False, steps=30)
    >>> len(out["trials"]), len(out["fraction"])
    (2, 2)
    """
    trials, seed = check_int(trials, "trials", 1, MAX_TRIALS), check_int(seed, "seed", 0)
    steps = DIGITS["steps"] if steps is None else check_int(steps, "steps", 1, 10 ** 6)
    LIMITS["milne_work"].check(20 * trials * steps, "20 x trials x steps")
    args = [(s, seed, steps, DIGITS["log_every"], DIGITS["lam"], DIGITS["eta"], DIGITS["batch"])
            for s in child_seeds(seed, trials)]
    results, errors = _collect(digits_trial, args, workers, scheduler, progress, "milne digits")
    done = [r for r in results if r is not None]
    out = {"setup": dict(DIGITS, steps=steps, seed=seed, arithmetic="float64",
                         data="scikit-learn load_digits (8x8), 80/20 split"), "trials": results, "errors": errors}
    for key, name in (("accuracy", "test_accuracy"), ("p10", "p10"), ("fraction", "fraction")):
        out[key] = summarise([t[name] for t in done])[:2]
    out["convex_throughout"] = sum(t["convex_throughout"] for t in done)
    return out


def _figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=90)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path):
    from lossgeom.checks import check_path
    from lossgeom.io import write_file

    check_path(path)
    fmt = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if fmt not in ("png", "svg"):
        raise DataError("path: expected a file name ending in .png or .svg, got %r" % (path,))
    fig.tight_layout()
    write_file(path, lambda tmp: fig.savefig(tmp, format=fmt), field="--out")


def draw_toy(result, path, curve=None):
    """Figure 1's two panels: the histogram of loss-change fractions, and one run's training loss l with the
    U(lambda) threshold (dashed).  ``curve``: that run's losses (default: rerun the first trial that starts
    outside U(lambda), recording its curve).

    Examples
    --------
    >>> import os, tempfile
    >>> out = toy_experiment(3, workers=1, progress=False, steps=100)
    >>> p = os.path.join(tempfile.mkdtemp(), "toy.png"); draw_toy(out, p); os.path.getsize(p) > 0
    True
    """
    trials = [t for t in result["trials"] if t is not None]
    if curve is None:
        pick = next((t for t in trials if t["entry"]), trials[0])
        X, _ = toy_data(result["setup"]["seed"], result["setup"]["points"])
        curve = toy_trial(pick["seed"], X, steps=result["setup"]["steps"], curve=True)["loss"]
    fig = _figure(10, 3.6)
    ax = fig.add_subplot(1, 2, 1)
    ax.hist([t["fraction"] for t in trials], bins=20, range=(0, 1), color="steelblue", edgecolor="white")
    ax.set_xlabel("fraction of loss change")
    ax.set_title("Loss change fractions, %d trials: %.1f%% +- %.1f%%"
                 % (len(trials), 100 * result["mean"], 100 * result["sd"]), fontsize=9)
    ax = fig.add_subplot(1, 2, 2)
    shown = curve[:101]
    ax.plot(range(len(shown)), shown, color="navy", label="training loss l")
    ax.axhline(result["threshold"], color="k", ls="--", lw=1, label="U(lambda): l < %.4f" % result["threshold"])
    ax.set_xlabel("step (logging period 1 step)")
    ax.set_ylabel("training loss")
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    ax.set_title("One run (float64 gradient descent, eta = 0.1)", fontsize=9)
    _save(fig, path)


def draw_digits(result, path):
    """Figure 2's two panels for the digits: the histogram of eq. (20)'s loss fractions, and one run's
    l_lambda and normalised second derivative (clipped at 10) per logging period.

    Examples
    --------
    >>> import os, tempfile
    >>> out = digits_experiment(2, workers=1, progress=False, steps=30)
    >>> p = os.path.join(tempfile.mkdtemp(), "d.png"); draw_digits(out, p); os.path.getsize(p) > 0
    True
    """
    trials = [t for t in result["trials"] if t is not None]
    fig = _figure(10, 3.6)
    ax = fig.add_subplot(1, 2, 1)
    ax.hist([t["fraction"] for t in trials], bins=10, range=(0, 1), color="steelblue", edgecolor="white")
    ax.set_xlabel("fraction of loss change (eq. 20)")
    ax.set_title("Digits (8x8), %d SGD runs" % len(trials), fontsize=9)
    run = trials[0]
    ax = fig.add_subplot(1, 2, 2)
    k = np.arange(len(run["gamma"]))
    ax.plot(k, run["gamma"], color="navy", label="l_lambda")
    ax.set_xlabel("logging period (%d steps)" % result["setup"]["log_every"])
    ax.set_ylabel("l_lambda (training set)")
    ax2 = ax.twinx()
    ax2.plot(k, np.minimum(run["normalised"], 10.0), color="red", lw=0.8, label="gamma''/||g||^2 (clipped at 10)")
    ax2.axhline(0, color="red", ls=":", lw=0.6)
    ax2.set_ylabel("normalised 2nd derivative", color="red")
    ax.set_title("One run: loss and normalised second derivative", fontsize=9)
    _save(fig, path)
