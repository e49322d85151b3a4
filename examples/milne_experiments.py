"""Milne (2019) section 4 at full size: the 1000-trial toy experiment (Figure 1) and the digits analogue of
Table 2 (Figure 2), float64, seeded.

Run:  python examples/milne_experiments.py [outdir] [--workers K]   (defaults: examples/, the CPU count;
about 1-2 minutes on 2 cores)

Writes milne_toy.png and milne_digits.png through lossgeom.io.write_file (via draw_toy / draw_digits) and
prints the numbers README.md cites.  The same runs: ``lossgeom milne toy --out milne_toy.png`` and
``lossgeom milne digits --trials 10 --out milne_digits.png``.
"""

import sys
import time
from pathlib import Path

from lossgeom.numeric.milne_experiments import digits_experiment, draw_digits, draw_toy, toy_experiment


def main(argv):
    workers = None
    if "--workers" in argv:
        k = argv.index("--workers")
        workers = int(argv[k + 1])
        argv = argv[:k] + argv[k + 2:]
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent
    t = time.time()
    toy = toy_experiment(1000, seed=0, workers=workers)
    print("toy: %d trials in %.1f s: %.1f%% +- %.1f%% (paper 87.2%% +- 22.3%%); cut at step 100: %.1f%% +- %.1f%%; "
          "started inside U: %d, never entered: %d, r = %.6f, threshold %.6f"
          % (toy["count"], time.time() - t, 100 * toy["mean"], 100 * toy["sd"], 100 * toy["mean_short"],
             100 * toy["sd_short"], toy["started_inside"], toy["never_entered"], toy["r"], toy["threshold"]))
    outside = [x["fraction"] for x in toy["trials"] if x["entry"]]
    if outside:
        print("toy: trials that start outside U(lambda): %d, their mean fraction %.1f%%"
              % (len(outside), 100 * sum(outside) / len(outside)))
    draw_toy(toy, str(out / "milne_toy.png"))
    t = time.time()
    dig = digits_experiment(10, seed=0, workers=workers)
    print("digits: %d runs in %.1f s: test accuracy %.2f%% +- %.2f%%, p10 of gamma''/||g||^2 %.3g +- %.3g, "
          "loss fraction %.2f +- %.2f, convex throughout %d"
          % (len(dig["trials"]), time.time() - t, 100 * dig["accuracy"][0], 100 * dig["accuracy"][1],
             dig["p10"][0], dig["p10"][1], dig["fraction"][0], dig["fraction"][1], dig["convex_throughout"]))
    for x in dig["trials"]:
        print("  run seed %d: acc %.3f, t0 %s of %d, fraction %.3f, p10 %.3g"
              % (x["seed"], x["test_accuracy"], x["t0"], len(x["gamma"]), x["fraction"], x["p10"]))
    draw_digits(dig, str(out / "milne_digits.png"))


if __name__ == "__main__":
    main(sys.argv[1:])
