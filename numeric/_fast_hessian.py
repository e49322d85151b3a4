"""The fast full Hessian: the Kronecker products of the engine as a few large matrix products per layer pair.

:func:`lossgeom.numeric._engine.full_hessian` is the reference; this module computes the same blocks from
the same small per-sample factors (the Jacobians A_nk = dh_n/dh_k, the curvature M_n, the augmented
activations a~ and the adjoints delta), and differs only in how the large products are taken:

* float64: every block is one BLAS-3 product ``a~^T Z`` over the samples (``numpy.matmul``) whose result is
  already in theta's layout (:func:`_block_factor` fuses the Kronecker and the bilinear terms into Z); the
  diagonal blocks are symmetrised from their upper triangle.
* an integer ``dps`` (the ``"flint"`` backend): *fixed point*.  Every factor X (an array of mpf at the
  working precision) is scaled by one power of two, ``2^f_X``, chosen so that its largest entry has
  ``wp + GUARD_BITS`` bits, and rounded to integers (:func:`scaled_ints`).  The products of integers are
  exact (python-flint's ``fmpz_mat``, in C); the only roundings are of each factor to an integer, of the
  products a~ a~ and a~ delta back to ``wp + GUARD_BITS`` bits (half a unit each), and the final rounding of
  each entry to ``dps`` digits.
  The entries are turned into mpf once, straight from ``(integer, exponent)``, and each mirrored pair of
  entries shares one mpf.

Error bound of the fixed-point products (docs/numeric.md, "The fast full Hessian").  Block (k, j) is a sum of
one or two terms, each summed over the m samples: a~_{k-1}[s, p] a~_{j-1}[s, q] G_kj[s, r, t] (Kronecker) and,
when j > k, a~_{k-1}[s, p] delta_j[s, t] (f'(h_{j-1}) A_{j-1,k})[s, q, r] (bilinear): each ``(a x) y``.  Write
eps = 2^(-b-1), b = wp + GUARD_BITS.  A factor array with ``|x| < 2^u`` is rounded to integer multiples of
``2^(u-b)``: an absolute error <= eps 2^u.  The product ``a x`` is formed exactly from rounded factors (error <
2.01 eps 2^(u_a+u_x)) and rounded once more to b bits (<= 2.01 eps 2^(u_a+u_x)), so it is off by < 4.1 eps
2^(u_a+u_x), and ``(a x) y`` by < 4.1 eps 2^(u_a+u_x+u_y) + eps 2^(u_a+u_x+u_y) (1 + 4.1 eps) < 2^(u_a+u_x+u_y-b+2)
per sample.  The integer products and sums are exact, so an entry of the block is off by at most
``m 2^(u_a - b + 2) sum_t 2^(u_x + u_y)`` (:func:`block_error_bound`): ``2^(2-b)`` relative to the scale of the
block's products, about 10^-80 at dps = 50 (wp = 203 bits, the working precision of dps + 10 digits, and
GUARD_BITS = 64), far below 10^-50.  Each entry is then rounded once to ``dps`` digits, as the reference engine
rounds its results.  The factors carry the working-precision rounding of the forward and backward passes
exactly as in the reference engine (the same code computes them).
"""

import contextlib
import gc
import itertools

import mpmath
import numpy as np
import threadpoolctl
from flint import fmpz_mat
from mpmath.libmp import from_man_exp

from . import _engine

#: Bits carried beyond the working precision by the fixed-point factors.
GUARD_BITS = 64


# -- the small factors, shared by both paths ------------------------------------------------------------
def _factors(st, H_L):
    """A_nk, the curvature products G_kj = sum_{n >= j} A_nk^T M_n A_nj (per sample) and a~_{k-1}."""
    net, B, m = st.prob.net, st.B, st.prob.m
    L = net.depth
    A = _engine.jacobians(st)
    zero_D = {n: n < L and all(v == 0 for v in np.ravel(st.c[n - 1])) for n in range(1, L + 1)}  # exactly 0
    MA = {}
    for n in range(1, L + 1):
        for j in range(1, n + 1):
            if not zero_D[n]:
                MA[n, j] = B.matmul(H_L, A[n, j]) if n == L else st.c[n - 1][:, :, None] * A[n, j]
    G = {}
    for k in range(1, L + 1):
        for j in range(k, L + 1):
            acc = None
            for n in range(j, L + 1):
                if zero_D[n]:  # piecewise-linear layers have D_n = 0
                    continue
                term = B.matmul(np.swapaxes(A[n, k], 1, 2), MA[n, j])
                acc = term if acc is None else acc + term
            G[k, j] = B.full((m, net.widths[k], net.widths[j])) if acc is None else acc
    abar = {}
    for k in range(1, L + 1):
        a = st.a[k - 1]
        if net.bias:
            a = np.concatenate([a, B.full((m, 1), 1)], axis=1)
        abar[k] = a
    return A, G, abar


def _block_factor(G, aj, left=None, delta=None):
    """Z (m, d_k, j~, d_j) with block (k, j) = a~_{k-1}^T Z, read as rows (p, r) and columns (q, t):

    Z[s, r, q, t] = a~_{j-1}[s, q] G_kj[s, r, t]  (+ left[s, q, r] delta_j[s, t] for the weight columns q < d_{j-1},
    the bilinear term, when j > k).  So every block is ONE product over the samples, already in theta's layout
    (rows p d_k + r: input unit p of layer k, then its output unit r; columns likewise).
    """
    Z = G[:, :, None, :] * aj[:, None, :, None]
    if left is not None:
        dprev = left.shape[1]
        Z[:, :, :dprev, :] += np.swapaxes(left, 1, 2)[:, :, :, None] * delta[:, None, None, :]
    return Z


# -- float64 ---------------------------------------------------------------------------------------------
def float64_hessian(st, H_L):
    """The full Hessian in float64 from BLAS-3 products (the engine's formulas, see the module docstring).

    Parameters
    ----------
    st : lossgeom.numeric._engine.State
        After :func:`~lossgeom.numeric._engine.backward`, in the float64 backend.
    H_L : numpy.ndarray
        The output pre-activation Hessians, (m, d_L, d_L).

    Returns
    -------
    numpy.ndarray
        P x P, exactly symmetric.

    Examples
    --------
    >>> from lossgeom import Net
    >>> from lossgeom.numeric import _engine
    >>> from lossgeom.numeric.backends import Float64Backend
    >>> prob = _engine.prepare(Net(widths=(1, 1, 1), activation="tanh"), [[["1/2"]], [[2]]], None, [[1]], [[0]], None)
    >>> st = _engine.forward(prob, Float64Backend()); _engine.backward(st)
    >>> float64_hessian(st, _engine._output_hessian(st)).round(6).tolist()
    [[1.130419, 1.453724], [1.453724, 0.213552]]
    """
    with _one_blas_thread(st.prob.m):
        return _float64_hessian(st, H_L)


#: Up to this many samples the products (inner dimension m) are memory-bound: BLAS threads cost more than they
#: save (their start-up and, on a shared machine, their contention dominated: 80 of 90 ms at 971 parameters).
_THREADED_FROM = 64
_CONTROLLER = []


def _one_blas_thread(m):
    """A context running BLAS on one thread when the products are thin (m < _THREADED_FROM)."""
    if m >= _THREADED_FROM:
        return contextlib.nullcontext()
    if not _CONTROLLER:
        _CONTROLLER.append(threadpoolctl.ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")


def _float64_hessian(st, H_L):
    net, m = st.prob.net, st.prob.m
    L, P = net.depth, net.n_params
    A, G, abar = _factors(st, H_L)
    H = np.empty((P, P))
    for k in range(1, L + 1):
        sk = net.layer_slice(k)
        for j in range(k, L + 1):
            sj = net.layer_slice(j)
            kb, jb, dk, dj = abar[k].shape[1], abar[j].shape[1], net.widths[k], net.widths[j]
            if j > k:
                Z = _block_factor(G[k, j], abar[j], st.F1[j - 2][:, :, None] * A[j - 1, k], st.delta[j - 1])
            else:
                Z = _block_factor(G[k, j], abar[j])
            blk = (abar[k].T @ Z.reshape(m, -1)).reshape(kb * dk, jb * dj)
            if j > k:
                H[sk, sj] = blk
                H[sj, sk] = blk.T
            else:
                H[sk, sk] = np.where(np.tri(kb * dk, dtype=bool), blk.T, blk)  # the upper triangle, mirrored
    if net.weight_decay:
        wd = float(net.weight_decay)
        for l in range(1, L + 1):
            start = net.layer_slice(l).start
            idx = np.arange(start, start + net.widths[l] * net.widths[l - 1])
            H[idx, idx] += wd
    return H


# -- fixed point (an integer dps) ------------------------------------------------------------------------
def scaled_ints(X, bits):
    """``(N, f)`` with N = round(X * 2^f) an object array of Python ints and ``f`` such that the largest
    ``|X|`` has ``bits`` bits (``f = 0`` for an all-zero X).

    Examples
    --------
    >>> N, f = scaled_ints(np.array([mpmath.mpf(1) / 3, mpmath.mpf(-2)], dtype=object), 8)
    >>> N.tolist(), f
    ([21, -128], 6)
    """
    flat = np.ravel(X)
    mags = [v._mpf_[2] + v._mpf_[3] for v in flat if v]  # |v| < 2^(exp + bc)
    f = bits - max(mags) if mags else 0
    out = np.empty(flat.shape, dtype=object)
    out[:] = [_to_int(v._mpf_, f) for v in flat]
    return out.reshape(np.shape(X)), f


def _round_ints(N, f, bits):
    """(N', f') with N' = round(N 2^(f'-f)) of at most ``bits`` bits (N unchanged when it already fits)."""
    flat = N.ravel().tolist()
    top = max(map(abs, flat), default=0).bit_length()
    s = top - bits
    if s <= 0:
        return N, f
    half = 1 << (s - 1)
    return (N + half) >> s, f - s


def _to_int(mpf_, f):
    sign, man, exp, _ = mpf_
    s = exp + f
    n = int(man) << s if s >= 0 else (int(man) + (1 << (-s - 1))) >> -s
    return -n if sign else n


def block_error_bound(m, uk, terms, bits):
    """The bound ``m 2^(uk - bits + 2) sum_t 2^(u_t + v_t)`` of what the fixed-point rounding adds to an entry of a
    block ``sum_s sum_t (a_s x_ts) y_ts`` (module docstring), for factors with ``|a| < 2^uk``, ``|x_t| < 2^u_t``,
    ``|y_t| < 2^v_t``, each rounded to ``bits`` bits below its bound, and each product ``a x_t`` rounded to
    ``bits`` bits.

    Parameters
    ----------
    m : int
        Samples.
    uk : int
    terms : sequence of (int, int)
        ``(u_t, v_t)`` per term of the inner sum (one, or two with the bilinear term).
    bits : int

    Examples
    --------
    >>> block_error_bound(10, 0, [(0, 0)], 64) < 1e-17
    True
    """
    return m * mpmath.ldexp(1, uk - bits + 2) * sum(mpmath.ldexp(1, u + v) for u, v in terms)


def _fmpz(N):
    """An fmpz_mat from a 2-D object array of ints."""
    return fmpz_mat(N.shape[0], N.shape[1], N.ravel().tolist()) if N.size else fmpz_mat(*N.shape)


def _entries(T):
    """The entries of an fmpz_mat as a 2-D object array of fmpz."""
    out = np.empty(T.nrows() * T.ncols(), dtype=object)
    out[:] = T.entries()
    return out.reshape(T.nrows(), T.ncols())


def fixed_point_hessian(st, H_L, dps):
    """The full Hessian at an integer ``dps`` from exact integer products (see the module docstring).

    Parameters
    ----------
    st : lossgeom.numeric._engine.State
        After :func:`~lossgeom.numeric._engine.backward`, in an mp backend, inside its context.
    H_L : numpy.ndarray of mpf
        The output pre-activation Hessians, (m, d_L, d_L).
    dps : int
        Digits of the result.

    Returns
    -------
    mpmath.matrix
        P x P, every entry rounded once to ``dps`` digits (as :meth:`MpBackend.output` rounds), exactly symmetric.

    Examples
    --------
    >>> from lossgeom import Net
    >>> from lossgeom.numeric import _engine
    >>> from lossgeom.numeric.backends import FlintBackend
    >>> B = FlintBackend(30)
    >>> prob = _engine.prepare(Net(widths=(1, 1, 1), activation="tanh"), [[["1/2"]], [[2]]], None, [[1]], [[0]], None)
    >>> with B.context():
    ...     st = _engine.forward(prob, B); _engine.backward(st)
    ...     H = fixed_point_hessian(st, _engine._output_hessian(st), 30)
    >>> print(mpmath.nstr(H, 8))
    [1.1304186    1.453724]
    [ 1.453724  0.21355227]
    """
    with _no_gc():
        return _fixed_point_hessian(st, H_L, dps)


@contextlib.contextmanager
def _no_gc():
    """The cyclic garbage collector paused while about a million acyclic objects (ints, mpf) are made: its
    passes over the growing heap, not the arithmetic, would otherwise dominate (restored on exit)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _fixed_point_hessian(st, H_L, dps):
    net, m = st.prob.net, st.prob.m
    L, P = net.depth, net.n_params
    bits = mpmath.mp.prec + GUARD_BITS
    A, G, abar = _factors(st, H_L)
    ia = {k: scaled_ints(abar[k], bits) for k in abar}
    with mpmath.workdps(dps):
        prec = mpmath.mp.prec
    out = mpmath.matrix(P, P)
    data = out._matrix__data
    for k in range(1, L + 1):
        for j in range(k, L + 1):
            N, e = _fixed_block(st, net, m, k, j, A, G, ia, bits)
            _store(data, N, e, prec, net.layer_slice(k), net.layer_slice(j), k == j)
    return out


def _fixed_block(st, net, m, k, j, A, G, ia, bits):
    """Block (k, j) of the Hessian as (integers, exponent): value = N * 2^e, from exact integer products.

    The Kronecker term is ``U^T G`` with U[s, (p, q)] = a~_{k-1}[s, p] a~_{j-1}[s, q] (only p <= q on a diagonal
    block, where U is symmetric), the bilinear term ``R^T left`` with R[s, (p, t)] = a~_{k-1}[s, p] delta_j[s, t];
    U and R are exact products of the rounded factors, rounded once more to ``bits`` bits.
    """
    (ak, fk), (aj, fj) = ia[k], ia[j]
    kb, jb, dk, dj = ak.shape[1], aj.shape[1], net.widths[k], net.widths[j]
    Gi, fg = scaled_ints(G[k, j].reshape(m, dk * dj), bits)
    if j == k:
        pi, qi = np.triu_indices(kb)
        U = ak[:, pi] * ak[:, qi]
    else:
        U = (ak[:, :, None] * aj[:, None, :]).reshape(m, kb * jb)
    U, fu = _round_ints(U, fk + fj, bits)
    T, e = _fmpz(U.T.copy()) * _fmpz(Gi), -(fu + fg)
    if j > k:
        d, dprev = net.layer_shape(j)
        left, fl = scaled_ints((st.F1[j - 2][:, :, None] * A[j - 1, k]).reshape(m, dprev * dk), bits)
        dl, fd = scaled_ints(st.delta[j - 1], bits)
        R, fr = _round_ints((ak[:, :, None] * dl[:, None, :]).reshape(m, kb * d), fk + fd, bits)
        T2, e2 = _fmpz(R.T.copy()) * _fmpz(left), -(fr + fl)
        lo = min(e, e2)
        T, T2, e = T * (1 << (e - lo)), T2 * (1 << (e2 - lo)), lo
    N = _entries(T)
    if j == k:
        N4 = np.empty((kb, kb, dk, dj), dtype=object)
        N4[pi, qi] = N4[qi, pi] = N.reshape(-1, dk, dj)
    else:
        N4 = N.reshape(kb, jb, dk, dj)
    N = N4.transpose(0, 2, 1, 3).reshape(kb * dk, jb * dj)
    if j > k:
        C = _entries(T2).reshape(kb, d, dprev, dk).transpose(0, 3, 2, 1).reshape(kb * dk, dprev * d)
        N[:, :dprev * d] += C
    wd = net.weight_decay if k == j else 0
    if wd:
        # weight decay p/q rounded to the block's unit 2^e: an error of at most 2^(e-1), below the products' bound
        p, q = int(wd.p), int(wd.q)
        num, den = (p << -e, q) if e <= 0 else (p, q << e)
        idx = np.arange(net.widths[k] * net.widths[k - 1])
        N[idx, idx] = N[idx, idx] + (2 * num + den) // (2 * den)
    return N, e


def _store(data, N, e, prec, rows, cols, diagonal):
    """Round the entries N * 2^e to ``prec`` bits, once each, into the mpmath data dict (and the mirror)."""
    r, c = N.shape
    if diagonal:
        iu = np.triu_indices(r)
        full = np.empty((r, c), dtype=object)
        full[iu] = _mpfs(N[iu], e, prec)
        full.T[iu] = full[iu]
        nz = N.astype(bool)
        nz.T[iu] = nz[iu]
        _put(data, full, nz, rows.start, cols.start)
        return
    vals = _mpfs(N.ravel(), e, prec).reshape(r, c)
    nz = N.astype(bool)
    _put(data, vals, nz, rows.start, cols.start)
    _put(data, vals.T, nz.T, cols.start, rows.start)


def _mpfs(flat, e, prec):
    """mpf of ``n * 2^e`` rounded to nearest at ``prec`` bits, for the integers (fmpz) of a 1-D object array."""
    out = np.empty(len(flat), dtype=object)
    rep = itertools.repeat
    ints = map(int, flat.tolist())
    out[:] = list(map(mpmath.mp.make_mpf, map(from_man_exp, ints, rep(e), rep(prec), rep("n"))))
    return out


def _put(data, vals, nonzero, r0, c0):
    """Entries of ``vals`` into the data dict of an mpmath matrix at offset (r0, c0); zeros are not stored."""
    r, c = vals.shape
    keys = itertools.product(range(r0, r0 + r), range(c0, c0 + c))
    if nonzero.all():
        data.update(zip(keys, vals.ravel().tolist()))
    else:
        data.update(itertools.compress(zip(keys, vals.ravel().tolist()), nonzero.ravel().tolist()))
