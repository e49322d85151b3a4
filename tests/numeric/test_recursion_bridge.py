"""derive_hessian's layer blocks (symbolic, lossgeom.symbolic.hessian) evaluate through the bridge equal to
the numeric engine's Botev blocks, named form and expanded form."""

import mpmath
import pytest

from lossgeom import Net
from lossgeom.numeric.bridge import evaluate_on_net
from lossgeom.numeric.evaluate import evaluate_net
from lossgeom.precision import agreeing_digits

hessian = pytest.importorskip("lossgeom.symbolic.hessian")

CASES = [
    (Net(widths=(2, 2, 1), activation="tanh", bias=True), [[["1/2", -1], [2, "1/3"]], [["-3/2", 1]]],
     [["1/5", "-1/4"], [1]], ["1/2", -1], ["1/3"]),
    (Net(widths=(1, 2, 2), activation="softplus", loss="cross_entropy"), [[["1/2"], [-1]], [[1, "1/3"], [-2, 1]]],
     None, [2], [0, 1]),
    (Net(widths=(2, 3, 1), activation="sigmoid", weight_decay="1/10", output_activation="tanh"),
     [[[1, -1], ["1/2", 2], [0, "1/3"]], [[1, "-1/2", 2]]], None, ["-1/2", "3/2"], ["1/4"]),
]


@pytest.mark.parametrize("net,W,b,x,y", CASES, ids=[str(c[0]) for c in CASES])
def test_derived_layer_blocks_evaluate_to_the_engine_blocks(net, W, b, x, y):
    rec = hessian.derive_hessian(net)
    ev = evaluate_net(net, W, b, X=[[v] for v in x], Y=[[v] for v in y], dps=50)
    for l in range(1, net.depth + 1):
        engine = ev.layer_block(l)
        named = evaluate_on_net(rec.layer_block(l), net, W, b, x=x, y=y, dps=50, definitions=rec.equations)
        expanded = evaluate_on_net(rec.layer_block(l, expand=True), net, W, b, x=x, y=y, dps=50)
        n = engine.rows
        with mpmath.workdps(60):
            for M in (named, expanded):
                assert min(agreeing_digits(M[i, j], engine[i, j]) for i in range(n) for j in range(n)) >= 47
        H = evaluate_on_net(rec.H(l), net, W, b, x=x, y=y, dps=50, definitions=rec.equations)
        with mpmath.workdps(60):
            E = ev.preactivation_hessian(l)
            assert min(agreeing_digits(H[i, j], E[i, j]) for i in range(H.rows) for j in range(H.cols)) >= 47


def test_exact_recursion_equals_exact_engine_on_a_relu_net():
    net = Net(widths=(2, 3, 1), activation="relu", bias=True, weight_decay="1/3")
    W = [[[1, -2], ["1/2", 1], [-1, "1/3"]], [[1, -1, 2]]]
    b = [["1/3", 0, 1], ["1/2"]]
    x, y = [2, "-1/2"], ["1/5"]
    rec = hessian.derive_hessian(net)
    ev = evaluate_net(net, W, b, X=[[v] for v in x], Y=[[v] for v in y], dps="exact")
    for l in (1, 2):
        assert rec.evaluate(rec.layer_block(l), W, b, x=x, y=y) == ev.layer_block(l)
