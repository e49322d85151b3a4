"""The Shen (2016) training claims have teeth: a wrong GGN or a wrong convergence order is caught."""

import numpy as np

import lossgeom.proofs.shen2016_training as mod
from lossgeom.numeric.shen_newton import ggn_exact


def test_block_diagonal_ggn_is_refuted(monkeypatch):
    def block_diagonal(net, weights, biases=None, X=None, Y=None):
        G = ggn_exact(net, weights, biases, X, Y)
        h = net.widths[1]
        for a in range(3 * h):
            for b in range(3 * h, G.cols):
                G[a, b] = G[b, a] = 0
        return G

    monkeypatch.setattr(mod, "ggn_exact", block_diagonal)
    assert mod._check_ggn(30, 0).outcome == "refuted"


def test_the_ggn_check_holds():
    ev = mod._check_ggn(30, 0)
    assert ev.outcome == "proved" and all("True" in v for v in ev.facts.values())


def test_gradient_descent_in_place_of_an_is_not_quadratic(monkeypatch):
    real = mod.an_ggn
    monkeypatch.setattr(mod, "an_ggn", lambda *a, **k: real(*a, **dict(k, method="gd", lr=0.01)))
    ev = mod._check_an(30, 0)
    assert ev.outcome != "verified"


def test_xor_training_is_inconclusive_and_says_why():
    ev = mod._check_xor_training(30, 0)
    assert ev.outcome == "inconclusive" and ev.undecided
    assert np.isfinite(ev.facts["near-critical points with rank P = 4 certified (arb minor) and eps != 0"])
