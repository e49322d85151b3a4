"""Certified critical points of Shen's one-hidden-layer nets (Shen 2016, arXiv 1611.05827; CVPR 2018).

A 2-h-1 net with dummy units (lossgeom biases), identity output and square loss
J = 1/2 sum_i (F(x_i) - y_i)^2, parameters in lossgeom's theta order [vec W_1; b_1; vec W_2; b_2].
Loss, gradient and Hessian are written out here once for any scalar type (mpmath numbers or python-flint
arb balls), so the same code gives a 50-digit Newton iteration on grad J = 0 and, on a box, enclosures
for the Krawczyk test:

    K(X) = m - Y g(m) + (I - Y H(X)) (X - m)  subset of the interior of X

proves that the box X holds exactly one zero of g = grad J (a true critical point; Krawczyk 1969,
Moore 1977).  In the same box the loss is bounded below (J > 0 proved when the lower end is positive)
and the Hessian's inertia is decided: Q^T H(X) Q (Q approximate eigenvectors, a congruence, so the
inertia is that of H by Sylvester's law) has Gershgorin discs that exclude 0 for every matrix in the
enclosure.  The end points of seeded training runs are classified as global fits, certified critical
points with J > 0, or plateaus (J > 0, grad J -> 0 while ||theta|| grows: no critical point there).
"""

from dataclasses import dataclass

import mpmath
import numpy as np

from lossgeom.checks import check_int, check_matrix_like, check_real, check_sequence, check_str
from lossgeom.display import summary_latex
from lossgeom.errors import DataError
from lossgeom.precision import DEFAULT_DPS, check_dps, working_precision

__all__ = ["CriticalCertificate", "xor_loss_grad_hess", "newton_critical", "krawczyk_critical",
           "plateau_track", "classify_xor_starts", "an_mp", "convergence_order"]

XOR_X = ((0, 0, 1, 1), (0, 1, 0, 1))
XOR_Y = ((0, 1, 1, 0),)


def _act(name, kind):
    """f(z, order) for orders 0, 1, 2 in mpmath (``kind`` "mp"), arb ("arb") or numpy arrays ("np")."""
    check_str(name, "activation")
    if name not in ("tanh", "sigmoid"):
        raise DataError("activation: expected 'tanh' or 'sigmoid', got %r" % (name,))
    tanh = {"arb": lambda z: z.tanh(), "mp": mpmath.tanh, "np": np.tanh}[kind]

    def f(z, k):
        if name == "tanh":
            t = tanh(z)
            return (t, 1 - t * t, -2 * t * (1 - t * t))[k]
        s = (1 + tanh(z / 2)) / 2
        return (s, s * (1 - s), s * (1 - s) * (1 - 2 * s))[k]
    return f


def _split(theta, h):
    """W1[j][i], b1[j], v[j], c of a 2-h-1 net from lossgeom's theta order."""
    return ([[theta[i * h + j] for i in range(2)] for j in range(h)], theta[2 * h:3 * h],
            theta[3 * h:4 * h], theta[4 * h])


def _sample(th, h, f, W, b, v, c, u, y, order):
    """Residual r, output Jacobian J (theta order) and activation values at one sample."""
    p = 4 * h + 1
    zero = th[0] * 0
    z = [W[j][0] * u[0] + W[j][1] * u[1] + b[j] for j in range(h)]
    a = [[f(zj, k) for k in range(order)] for zj in z]
    r = sum((v[j] * a[j][0] for j in range(h)), c) - y
    J = [zero] * p
    for j in range(h):
        for m, idx in enumerate((j, h + j, 2 * h + j)):     # w_j1, w_j2, b_j
            J[idx] = v[j] * a[j][1] * u[m]
        J[3 * h + j] = a[j][0]
    J[4 * h] = zero + 1
    return r, J, a


def _lgh(theta, h, f, X, Y, hessian=True):
    """Loss, gradient and (optionally) Hessian of J at ``theta`` in the scalars of theta (generic code).

    ``hessian="ggn"`` gives the Gauss-Newton matrix sum_i J_i^T J_i in place of the Hessian.
    """
    p = 4 * h + 1
    W, b, v, c = _split(theta, h)
    zero = theta[0] * 0
    loss, g = zero, [zero] * p
    H = [[zero] * p for _ in range(p)] if hessian else None
    for t in range(len(X[0])):
        u = (X[0][t], X[1][t], 1)
        r, J, a = _sample(theta, h, f, W, b, v, c, u, Y[0][t], 3 if hessian else 2)
        loss = loss + r * r / 2
        g = [gk + r * Jk for gk, Jk in zip(g, J)]
        if hessian:
            _add_hessian(H, J, r if hessian != "ggn" else 0 * r, h, v, a, u)
    return loss, g, H


def _add_hessian(H, J, r, h, v, a, u):
    """H += J^T J + r d2F for one sample (d2F has one 4 x 4 block per hidden unit); never in place (numpy)."""
    p = len(J)
    for x in range(p):
        for y in range(p):
            H[x][y] = H[x][y] + J[x] * J[y]
    for j in range(h):
        idx = (j, h + j, 2 * h + j)
        for m in range(3):
            for n in range(3):
                H[idx[m]][idx[n]] = H[idx[m]][idx[n]] + r * v[j] * a[j][2] * u[m] * u[n]
            H[idx[m]][3 * h + j] = H[idx[m]][3 * h + j] + r * a[j][1] * u[m]
            H[3 * h + j][idx[m]] = H[3 * h + j][idx[m]] + r * a[j][1] * u[m]


def _theta(theta, h):
    """A list of 4h + 1 finite reals (numpy row, list of floats, mpf or exact numbers)."""
    check_matrix_like(theta, "theta")
    vals = list(np.asarray(theta, dtype=object).ravel())
    if len(vals) != 4 * h + 1:
        raise DataError("theta: expected %d parameters (2-%d-1 net), got %d" % (4 * h + 1, h, len(vals)))
    try:
        out = [mpmath.mpf(v) if not hasattr(v, "q") else mpmath.mpf(int(v.p)) / int(v.q) for v in vals]
    except (TypeError, ValueError) as err:
        raise DataError("theta: expected real numbers (%s)" % err) from None
    if not all(mpmath.isfinite(v) for v in out):
        raise DataError("theta: expected finite numbers")
    return out


def xor_loss_grad_hess(theta, hidden, activation="tanh", dps=DEFAULT_DPS):
    """J, grad J and the Hessian of a 2-h-1 net on XOR at ``dps`` digits (mpmath), theta in lossgeom order.

    Examples
    --------
    >>> L, g, H = xor_loss_grad_hess([0] * 8 + ["0.5"], 2, dps=20)
    >>> float(L), [float(x) for x in g[-1:]], float(H[-1][-1])
    (0.5, [0.0], 4.0)
    """
    h = check_int(hidden, "hidden", 1, 20)
    check_dps(dps)
    f = _act(activation, "mp")
    with working_precision(dps):
        th = _theta([mpmath.mpf(v) if isinstance(v, str) else v for v in np.asarray(theta, dtype=object).ravel()]
                    if isinstance(theta, (list, tuple)) else theta, h)
        return _lgh(th, h, f, XOR_X, XOR_Y)


def newton_critical(theta, hidden, activation="tanh", X=XOR_X, Y=XOR_Y, dps=DEFAULT_DPS, iters=60):
    """Newton's method on grad J = 0 at ``dps`` digits (converges to minima and saddles alike).

    Returns (theta as mpf list, history of max |grad J|); stops when the gradient is at working noise,
    when the Hessian is numerically singular or when ||theta|| exceeds 1e6 (a diverging run).

    Examples
    --------
    >>> th, hist = newton_critical([0.1, -0.2, 0.3, 0.1, 0.05, -0.1, 0.2, 0.1, 0.4], 2, dps=30, iters=3)
    >>> len(th), len(hist) >= 2
    (9, True)
    """
    h = check_int(hidden, "hidden", 1, 20)
    check_dps(dps)
    check_int(iters, "iters", 0, 1000)
    Xd, Yd = _data(X, Y)
    with working_precision(dps + 10):
        th, rows = _newton(_theta(theta, h), h, _act(activation, "mp"), Xd, Yd, dps, iters)
    return th, [r[1] for r in rows]


def _newton(th, h, f, Xd, Yd, dps, iters):
    """Newton iterates on grad J = 0 (call at working precision); rows (||theta||_inf, max |grad|, J)."""
    rows = []
    for _ in range(iters + 1):
        L, g, H = _lgh(th, h, f, Xd, Yd)
        rows.append((max(abs(x) for x in th), max(abs(x) for x in g), L))
        if rows[-1][1] < mpmath.mpf(10) ** (-dps - 5) or rows[-1][0] > 1e6 or len(rows) > iters:
            break
        try:
            step = mpmath.lu_solve(mpmath.matrix(H), mpmath.matrix(g))
        except (ZeroDivisionError, TypeError):   # singular H (mpmath's LU fails on a zero pivot column)
            break
        th = [a - s for a, s in zip(th, step)]
    return th, rows


def plateau_track(theta, hidden, activation="tanh", dps=DEFAULT_DPS, iters=40):
    """Newton's iterates on grad J = 0 from ``theta`` on XOR at ``dps`` digits, as rows (||theta||_inf, max |grad J|, J).

    On a plateau the gradient goes to 0 while ||theta|| grows and J stays put: the run has no finite
    critical point to converge to.  Entries are mpf.

    Examples
    --------
    >>> rows = plateau_track([-0.8, -13, -7, -13, -11.2, -1, 0.8, -3, -1.6], 2, dps=30, iters=20)
    >>> [(round(float(r[0])), float(r[2]) > 0.3) for r in rows[::10]]
    [(13, True), (18, True), (23, True)]
    """
    h = check_int(hidden, "hidden", 1, 20)
    check_dps(dps)
    check_int(iters, "iters", 0, 1000)
    Xd, Yd = _data(XOR_X, XOR_Y)
    with working_precision(dps + 10):
        return _newton(_theta(theta, h), h, _act(activation, "mp"), Xd, Yd, dps, iters)[1]

def _arb(v):
    """An mpf (or exact number) as an exact arb ball."""
    from flint import arb, fmpq
    sign, man, exp, _ = (v if isinstance(v, mpmath.mpf) else mpmath.mpf(v))._mpf_   # no rounding
    man, exp = (-1) ** sign * int(man), int(exp)
    return arb(fmpq(man * 2 ** exp, 1)) if exp >= 0 else arb(fmpq(man, 2 ** -exp))


def _data(X, Y, kind="mp"):
    """Inputs (2 x T) and targets (1 x T), checked, as mpf (``kind`` "mp") or exact arb balls ("arb")."""
    from flint import arb, fmpq

    from lossgeom.checks import check_matrix
    X = check_matrix(X, "X", (2, None))
    Y = check_matrix(Y, "Y", (1, X.cols))
    conv = (lambda q: arb(fmpq(int(q.p), int(q.q)))) if kind == "arb" else (lambda q: mpmath.mpf(int(q.p)) / int(q.q))
    return [[conv(q) for q in X.row(0)], [conv(q) for q in X.row(1)]], [[conv(q) for q in Y.row(0)]]


@dataclass(frozen=True)
class CriticalCertificate:
    """What ball arithmetic proved about a box around a point (see the module docstring).

    ``contains`` is True when the Krawczyk test proved one true critical point in the box
    ``theta +- radius`` (all coordinates); ``loss_lower`` is a proved lower bound of J on the box;
    ``inertia`` is (positive, negative) eigenvalue counts of the Hessian, the same at every point of the
    box, or None when the discs did not decide it; ``gradient_nonzero`` is True when some entry of
    grad J at the centre is a ball excluding 0 (the centre is then certified not critical).
    """

    contains: bool
    radius: str
    loss_lower: str
    loss_positive: bool
    inertia: tuple
    kind: str
    gradient_nonzero: bool
    gradient_bound: str

    def to_dict(self):
        """JSON-ready fields."""
        return dict(self.__dict__, inertia=list(self.inertia) if self.inertia else None)

    def _repr_latex_(self):
        r"""Jupyter's display: what the box proved (a critical point, a loss bound, the Hessian's inertia).

        Examples
        --------
        >>> c = CriticalCertificate(True, "1e-15", "0.25", True, (4, 1), "saddle", False, "1e-14")
        >>> r"\text{one critical point in the box} & \text{yes}" in c._repr_latex_()
        True
        """
        return summary_latex("Critical-point certificate", [
            (r"\text{box half-width}", mpmath.mpf(self.radius)), ("one critical point in the box", self.contains),
            (r"\text{proved lower bound of } J", mpmath.mpf(self.loss_lower)), ("J > 0 on the box", self.loss_positive),
            ("(n_+, n_-)", self.inertia if self.inertia else "undecided"), ("kind", self.kind or "undecided"),
            (r"\nabla J(\text{centre}) \ne 0", self.gradient_nonzero)])


def _gershgorin_inertia(Hb, Hm):
    """(pos, neg) of every symmetric matrix in the arb enclosure Hb, from Q^T Hb Q (Q ~ eigenvectors of Hm)."""
    from flint import arb_mat
    p = len(Hm)
    _, Q = mpmath.eigsy(mpmath.matrix(Hm))
    Qb = arb_mat([[_arb(Q[i, j]) for j in range(p)] for i in range(p)])
    if Qb.det().contains(0):
        return None
    M = Qb.transpose() * arb_mat(Hb) * Qb
    pos = neg = 0
    for i in range(p):
        off = sum((abs(M[i, j]) for j in range(p) if j != i), M[i, i] * 0)
        if (M[i, i] - off) > 0:
            pos += 1
        elif (M[i, i] + off) < 0:
            neg += 1
        else:
            return None
    return pos, neg


def krawczyk_critical(theta, hidden, activation="tanh", X=XOR_X, Y=XOR_Y, dps=DEFAULT_DPS, radius=None):
    """Ball-arithmetic certificate for a box around ``theta``: a true critical point, J > 0, Hessian inertia.

    ``radius`` (default 10^(-dps/2)) is the box half-width; the inverse Hessian preconditioner is
    taken at the centre in mpmath; the enclosures are python-flint arb at dps + 10 digits.

    Examples
    --------
    >>> X, Y = [[0, 1, 2, 0, 1, 2, 0, 1], [0, 0, 0, 1, 1, 1, 2, 2]], [[0, 1, 0, 1, 1, 0, 1, 0]]
    >>> th, _ = newton_critical([-0.786, 1.133, -0.069, 0.244, 0.477], 1, X=X, Y=Y, dps=30)
    >>> c = krawczyk_critical(th, 1, X=X, Y=Y, dps=30)
    >>> c.contains, c.loss_positive, c.inertia, c.kind
    (True, True, (4, 1), 'saddle')
    """
    from flint import arb, ctx
    h = check_int(hidden, "hidden", 1, 20)
    check_dps(dps)
    Xd, Yd = _data(X, Y)
    Xb, Yb = _data(X, Y, "arb")
    with working_precision(dps + 10):
        th = _theta(theta, h)
        r = mpmath.mpf(10) ** (-(dps // 2)) if radius is None else mpmath.mpf(float(check_real(radius, "radius")))
        if not r > 0:
            raise DataError("radius: expected a number > 0, got %s" % radius)
        _, gm_mp, Hm = _lgh(th, h, _act(activation, "mp"), Xd, Yd)
        try:
            Yinv = mpmath.inverse(mpmath.matrix(Hm))
        except ZeroDivisionError:
            Yinv = None
    fb = _act(activation, "arb")
    with ctx.workdps(dps + 10):
        m = [_arb(v) for v in th]
        box = [arb(_arb(v), _arb(r)) for v in th]
        _, gm, _ = _lgh(m, h, fb, Xb, Yb, hessian=False)
        Lb, _, Hb = _lgh(box, h, fb, Xb, Yb)
        nonzero = any(not v.contains(0) for v in gm)
        contains = Yinv is not None and _krawczyk(m, box, gm, Hb, Yinv)
        inertia = _gershgorin_inertia(Hb, Hm)
        kind = None if inertia is None else ("minimum" if inertia[1] == 0 else
                                             "maximum" if inertia[0] == 0 else "saddle")
        return CriticalCertificate(bool(contains), mpmath.nstr(r, 3), Lb.lower().str(10, radius=False),
                                   bool(Lb > 0), inertia, kind if contains else None, nonzero,
                                   max(abs(v).upper() for v in gm).str(5, radius=False))


def _krawczyk(m, box, gm, Hb, Yinv):
    """K(box) inside the interior of box, coordinate-wise."""
    p = len(m)
    Yb = [[_arb(Yinv[i, j]) for j in range(p)] for i in range(p)]
    for i in range(p):
        k = m[i] - sum((Yb[i][j] * gm[j] for j in range(p)), m[i] * 0)
        for j in range(p):
            c = (1 if i == j else 0) - sum((Yb[i][q] * Hb[q][j] for q in range(p)), m[i] * 0)
            k += c * (box[j] - m[j])
        if not box[i].contains_interior(k):
            return False
    return True


def _endpoint_certificate(theta, h, activation, dps):
    """(J > 0 proved, grad J != 0 proved) at an exact copy of a float end point, in arb balls."""
    from flint import ctx
    Xb, Yb = _data(XOR_X, XOR_Y, "arb")
    with ctx.workdps(dps + 10):
        L, g, _ = _lgh([_arb(float(v)) for v in theta], h, _act(activation, "arb"), Xb, Yb, hessian=False)
        return bool(L > 0), any(not v.contains(0) for v in g)


def _track_kind(rows, cert):
    """plateau / critical / undetermined from Newton's rows and the certificate at its last iterate."""
    n0 = rows[0][0]
    best = min(rows, key=lambda r: r[1])
    if cert.contains and cert.loss_positive:
        return "critical"
    if best[1] < 1e-20 and best[0] > n0 + 2 and best[2] > 1e-3:
        return "plateau"
    return "undetermined"


def classify_xor_starts(hidden, activation="tanh", starts=1000, seed=0, gd_iters=500, lm_iters=200, tracked=4,
                        dps=DEFAULT_DPS, newton_iters=40):
    """Seeded XOR training end points classified: global fits, certified non-critical end points, Newton tracks.

    Every start runs :func:`lossgeom.numeric.shen_newton.xor_multistart` (float64 gradient descent, then
    Levenberg-Marquardt).  End points with J < 1e-20 are global fits.  At every other end point (read
    exactly) arb balls prove J > 0 and grad J != 0 or not.  The worst end point (largest J) and
    ``tracked`` more (evenly spaced among the rest) are followed by Newton's method on grad J = 0 at
    ``dps`` digits, which converges to saddles as well as minima; its last iterate gets
    :func:`krawczyk_critical`.  A track is ``critical`` (a certified critical point with J > 0),
    ``plateau`` (max |grad J| < 1e-20 reached while ||theta||_inf grew by > 2 and J > 1e-3: the run
    heads to infinity) or ``undetermined``.

    Returns
    -------
    dict
        ``counts``, ``levels`` (non-fit J rounded to 6 digits -> count), ``tracks`` (per tracked end
        point: kind, J, rows, certificate) and ``worst`` (its track).

    Examples
    --------
    >>> out = classify_xor_starts(2, starts=30, seed=2, tracked=0, dps=20, newton_iters=5)
    >>> c = out["counts"]
    >>> c["fit"] + c["nonfit"], c["fit"] > 0
    (30, True)
    """
    from lossgeom.numeric.shen_newton import xor_multistart
    h = check_int(hidden, "hidden", 1, 20)
    check_dps(dps)
    check_int(newton_iters, "newton_iters", 0, 1000)
    check_int(tracked, "tracked", 0, 10 ** 4)
    o = xor_multistart(h, activation, starts=starts, seed=seed, gd_iters=gd_iters, lm_iters=lm_iters)
    fit = o["loss"] < 1e-20
    idx = np.flatnonzero(~fit)
    counts = {"fit": int(fit.sum()), "nonfit": len(idx), "J > 0 and grad != 0 certified": 0,
              "tracked": 0, "plateau": 0, "critical": 0, "undetermined": 0}
    out = {"counts": counts, "levels": {}, "tracks": [], "worst": None}
    for k in idx:
        pos, nonzero = _endpoint_certificate(o["theta"][k], h, activation, dps)
        counts["J > 0 and grad != 0 certified"] += pos and nonzero
        v = float(np.round(o["loss"][k], 6))
        out["levels"][v] = out["levels"].get(v, 0) + 1
    if not len(idx):
        return out
    worst = int(idx[np.argmax(o["loss"][idx])])
    rest = [int(k) for k in idx if k != worst]
    picks = [worst] + [rest[int(i)] for i in np.linspace(0, len(rest) - 1, min(tracked, len(rest)))] * bool(rest)
    for k in picks[:1 + tracked]:
        rows = plateau_track(o["theta"][k], h, activation, dps, newton_iters)
        last, _ = newton_critical(o["theta"][k], h, activation, dps=dps, iters=len(rows) - 1)
        cert = krawczyk_critical(last, h, activation, dps=dps)
        kind = _track_kind(rows, cert)
        counts["tracked"] += 1
        counts[kind] += 1
        out["tracks"].append({"kind": kind, "loss": float(o["loss"][k]), "start": o["init"][k].tolist(),
                              "end": o["theta"][k].tolist(), "rows": rows, "certificate": cert})
    out["worst"] = out["tracks"][0]
    return out


def _act_any(name, kind):
    """Activations for the AN iteration: tanh / sigmoid here, softplus / bent identity added (mpmath)."""
    if name in ("tanh", "sigmoid"):
        return _act(name, kind)
    if name == "softplus":
        return lambda z, k: (mpmath.log1p(mpmath.exp(z)), 1 / (1 + mpmath.exp(-z)))[k]
    if name == "bent_identity":
        return lambda z, k: ((mpmath.sqrt(z * z + 1) - 1) / 2 + z, z / (2 * mpmath.sqrt(z * z + 1)) + 1)[k]
    raise DataError("activation: expected tanh, sigmoid, softplus or bent_identity, got %r" % (name,))


def an_mp(theta, X, Y, hidden, activation="bent_identity", dps=DEFAULT_DPS, iters=8):
    """Approximate Newton (= GGN) steps at ``dps`` digits: xi = min-norm solution of GGN xi = -grad J.

    With J_r the T x p Jacobian of the residuals r (full row rank when p >= T) the min-norm solution
    is xi = -J_r^T (J_r J_r^T)^{-1} r.  Returns (theta, residual norms ||r_k||) as mpf.

    Examples
    --------
    >>> X, Y = [[0, 1, 2], [1, 0, 1]], [[1, 0, 2]]
    >>> th, e = an_mp([0.1, 0.3, -0.2, 0.4, 0.2, 0.1, 0.5, -0.3, 0.2], X, Y, 2, dps=30, iters=8)
    >>> float(e[-1]) < 1e-25
    True
    """
    h = check_int(hidden, "hidden", 1, 50)
    check_dps(dps)
    check_int(iters, "iters", 0, 200)
    check_str(activation, "activation")
    f = _act_any(activation, "mp")
    Xd, Yd = _data(X, Y)
    with working_precision(dps + 10):
        th, norms = _theta(theta, h), []
        for _ in range(iters + 1):
            W, b, v, c = _split(th, h)
            rs, Js = zip(*[_sample(th, h, f, W, b, v, c, (Xd[0][t], Xd[1][t], 1), Yd[0][t], 2)[:2]
                           for t in range(len(Xd[0]))])
            norms.append(mpmath.sqrt(sum(r * r for r in rs)))
            if len(norms) > iters or norms[-1] < mpmath.mpf(10) ** (-dps - 5):
                break
            Jm = mpmath.matrix([list(row) for row in Js])
            try:
                y = mpmath.lu_solve(Jm * Jm.T, mpmath.matrix(list(rs)))
            except ZeroDivisionError:
                raise DataError("theta: the residual Jacobian lost row rank (AN step undefined)") from None
            step = Jm.T * y
            th = [a - step[i] for i, a in enumerate(th)]
        return th, norms


def convergence_order(errors, lo=1e-45, hi=1e-2):
    """Observed orders q_k = log e_{k+1} / log e_k for consecutive errors with lo <= e_k, e_{k+1} <= hi.

    Examples
    --------
    >>> [round(q, 3) for q in convergence_order([1e-1, 1e-3, 1e-6, 1e-12, 1e-24])]
    [2.0, 2.0, 2.0]
    """
    e = [v if isinstance(v, mpmath.mpf) else mpmath.mpf(float(check_real(v, "errors[%d]" % k)))
         for k, v in enumerate(check_sequence(errors, "errors"))]
    if not all(v > 0 for v in e):
        raise DataError("errors: expected numbers > 0")
    lo, hi = mpmath.mpf(float(check_real(lo, "lo"))), mpmath.mpf(float(check_real(hi, "hi")))
    return [float(mpmath.log(e[k + 1]) / mpmath.log(e[k])) for k in range(len(e) - 1)
            if lo <= e[k] <= hi and lo <= e[k + 1] <= hi]
