"""Vectorised double-double arithmetic on NumPy arrays (private helper of :mod:`certified_eig`).

A double-double is a pair (hi, lo) of float64 arrays with |lo| <= ulp(hi)/2, about 106 bits.  The
Ogita-Aishima correction E is computed this way so that one refinement step can gain about 100 bits
(a float64 E caps the gain at 53 bits per step).  Nothing here needs to be rigorous: the enclosures
are computed afterwards in ball arithmetic (Dekker 1971, "A floating-point technique for extending the
available precision", Numer. Math. 18; Knuth TAOCP vol. 2, 4.2.2).
"""

import numpy as np

_SPLIT = 134217729.0  # 2^27 + 1 (Dekker/Veltkamp)


def _split(a):
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def two_sum(a, b):
    """s + e = a + b exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _fast(a, b):
    s = a + b
    return s, b - (s - a)


def two_prod(a, b):
    """p + e = a * b exactly (Dekker, no fma)."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def add(ah, al, bh, bl):
    """(ah + al) + (bh + bl) as a double-double."""
    s, e = two_sum(ah, bh)
    t, f = two_sum(al, bl)
    e = e + t
    s, e = _fast(s, e)
    return _fast(s, e + f)


def mul(ah, al, bh, bl):
    """(ah + al) * (bh + bl) as a double-double."""
    p, e = two_prod(ah, bh)
    return _fast(p, e + (ah * bl + al * bh))


def div(ah, al, bh, bl):
    """(ah + al) / (bh + bl) as a double-double (long division, two quotient digits)."""
    q1 = ah / bh
    ph, pl = mul(q1, np.zeros_like(q1), bh, bl)
    rh, rl = add(ah, al, -ph, -pl)
    q2 = rh / bh
    ph, pl = mul(q2, np.zeros_like(q2), bh, bl)
    rh, _ = add(rh, rl, -ph, -pl)
    q3 = rh / bh
    s, e = _fast(q1, q2)
    return add(s, e, q3, np.zeros_like(q3))
