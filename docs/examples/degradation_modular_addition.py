"""Natural degradation of a modular-addition network: which behaviours survive to higher temperatures?

Run from the repository root:  ``python docs/examples/degradation_modular_addition.py [--out PATH]``
(about half a minute on one CPU core).  Writes ``docs/guide/img/degradation.png``.

A one-hidden-layer ReLU MLP learns (a + b) mod 17 from the one-hot codes of a and b on 60% of
the pairs.  Its tempered local posterior p_T(w) ~ exp(-n L(w) / T - gamma |w - w*|^2 / 2) is
sampled over a ladder of temperatures (all temperatures and chains in one batched program),
and four behaviours are measured on the samples: the loss and the accuracy on the training
pairs and on the held-out pairs.  Each behaviour's characteristic temperature is where it
has lost half of what it loses at the top of the ladder.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from numerics.singular_learning import (  # noqa: E402
    degradation_experiment,
    modular_addition_data,
    modular_addition_mlp,
    train_classifier,
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "docs" / "guide" / "img" / "degradation.png"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    p = 17
    (Xtr, ytr), (Xte, yte) = modular_addition_data(p, train_fraction=0.6, seed=0)
    net = modular_addition_mlp(p, 64, seed=0)
    net, loss = train_classifier(net, (Xtr, ytr), steps=3000, lr=1e-2, weight_decay=1.0)
    ce = torch.nn.CrossEntropyLoss()

    def acc(X, y):
        return lambda m: (m(X).argmax(-1) == y).float().mean()

    behaviours = {
        "train loss": lambda m: ce(m(Xtr), ytr),
        "held-out loss": lambda m: ce(m(Xte), yte),
        "train accuracy (drop)": lambda m: -acc(Xtr, ytr)(m),
        "held-out accuracy (drop)": lambda m: -acc(Xte, yte)(m),
    }
    with torch.no_grad():
        print(f"trained in {time.perf_counter() - t0:.1f} s: train loss {loss:.2e}, train accuracy {float(acc(Xtr, ytr)(net)):.3f}, "
              f"held-out accuracy {float(acc(Xte, yte)(net)):.3f}")
    temperatures = [0.002 * 2**k for k in range(10)]
    res = degradation_experiment(net, ce, (Xtr, ytr), behaviours, temperatures, gamma=1.0, chains=4, draws=300, burn_in=100,
                                 evaluations=10, seed=0)
    print(f"route: {res.diagnostics['route']}; evaluation: {res.diagnostics['evaluation']}")
    for name, (T, lo, hi) in res.characteristic.items():
        print(f"  {name:26s} characteristic T = {T:.3g}  (95% interval {lo:.3g} .. {hi:.3g})")
    res.plot(a.out, title=f"(a + b) mod {p}, MLP 34-64-17: behaviours against temperature (bars: characteristic T, 95%)")
    print(f"figure: {a.out}; total {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
