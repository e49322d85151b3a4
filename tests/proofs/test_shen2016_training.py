"""The Shen (2016) training claims have teeth: a wrong GGN or a wrong convergence order is caught."""

import mpmath

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


def test_an_order_at_50_digits_is_at_least_1_8():
    ev = mod._check_an(50, 0)
    assert ev.outcome == "verified"
    orders = [float(x) for k, v in ev.facts.items() if "digits" in k for x in v.split("orders ")[1].split(", ")]
    assert len(orders) >= 4 and min(orders) >= 1.8


def test_a_linearly_converging_method_fails_the_order_test(monkeypatch):
    monkeypatch.setattr(mod, "an_mp", lambda *a, **k: (None, [mpmath.mpf(10) ** -k for k in range(1, 40)]))
    assert mod._check_an(50, 0).outcome == "refuted"


def test_xor_training_is_inconclusive_and_says_why():
    ev = mod._check_xor_training(50, 0)
    assert ev.outcome == "inconclusive" and "1,000" in ev.undecided[0]
    assert "global fits" in ev.facts["2-2-1 tanh"] and "plateau" in ev.facts["reading"]


def test_xor_plateaus_are_verified_with_counts():
    ev = mod._check_xor_plateaus(50, 0)
    assert ev.outcome == "verified"
    runs = mod._xor_runs(50, 0)
    for h in (2, 3):
        c = runs[h]["counts"]
        assert c["fit"] + c["nonfit"] == 1000 and c["critical"] == 0
        assert c["J > 0 and grad != 0 certified"] == c["nonfit"]
    assert runs[2]["counts"]["plateau"] == runs[2]["counts"]["tracked"] >= 1
    assert "True" in ev.facts["positive control (2-1-1 on 8 points)"]


def test_a_certified_non_global_critical_point_would_refute_the_plateau_claim(monkeypatch):
    real = mod._xor_runs(50, 0)
    fake = {h: dict(o, counts=dict(o["counts"], critical=1)) for h, o in real.items()}
    monkeypatch.setattr(mod, "_xor_runs", lambda dps, seed: fake)
    assert mod._check_xor_plateaus(50, 0).outcome == "refuted"
