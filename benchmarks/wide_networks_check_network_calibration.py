"""Calibration of :func:`validation.networks.check_network`: false fails with the correct theory, twin power.

Two small user networks with torch's default initialisation (uniform weights and biases), each an
``nn.Sequential`` 5 -> 32 -> 32 -> 1 on three fixed inputs, one with ``nn.Tanh`` and one with ``nn.ReLU``.
For every seed ``s`` the script does what ``check_network(factory, X, ensemble_size=E, seed=s)`` does --
describe the network from factory calls seeded by ``s``, sample ``E`` members with the described laws and
seed ``s`` (one ensemble shared by the quantities), judge every quantity at the per-quantity level
``min(1e-3, 0.01 / m)`` -- and also judges every declared twin against the same measurement
(:meth:`validation.check.Check.evaluate`).

Reported per quantity (:class:`validation.calibration.Calibration`): false fails at the check's level and at
the reference levels 0.05, 0.01, 0.001 with 95% Clopper-Pearson intervals, each twin's power; per network:
the seeds where ``check_network`` would fail (any quantity), with the one-sided binomial p-value of that
count under the family-wise bound 0.01 (a count that large or larger has probability ``binomial_p`` when
the true rate is 0.01).

Run: ``.venv/bin/python benchmarks/wide_networks_check_network_calibration.py [--seeds 200] [--ensemble 20000]``
(writes benchmarks/results/wide_networks_check_network_calibration.json).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch
from scipy import stats

from validation.calibration import calibration_from_outcomes, outcome
from validation.networks import NetworkSampler, describe_network, network_checks
from validation.runner import DEFAULT_ALPHA_FAMILY, family_alpha

OUT = Path(__file__).with_name("results") / "wide_networks_check_network_calibration.json"
D, WIDTH, P, INPUT_SEED = 5, 32, 3, 0


def factory(activation: str):
    """A user's network with torch's default initialisation.

    Parameters
    ----------
    activation
        ``"tanh"`` or ``"relu"``.

    Returns
    -------
    callable
        Zero-argument factory returning a fresh ``nn.Sequential`` 5 -> 32 -> 32 -> 1.
    """
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[activation]

    def make() -> torch.nn.Module:
        nn = torch.nn
        return nn.Sequential(nn.Linear(D, WIDTH), act(), nn.Linear(WIDTH, WIDTH), act(), nn.Linear(WIDTH, 1))

    return make


def calibrate_network(activation: str, X: np.ndarray, seeds: int, ensemble: int) -> dict:
    """Run one network over ``seeds`` seeds (module docstring).

    Parameters
    ----------
    activation
        The network's activation.
    X
        Inputs ``(P, 5)``.
    seeds, ensemble
        Number of seeds (0 .. seeds-1) and members per seed.

    Returns
    -------
    dict
        Per quantity the calibration row; per network the seeds failing and the binomial p-value.
    """
    t0 = time.perf_counter()
    per_check: dict[str, list] = {}
    checks_of_seed0 = None
    network_fails = []
    alpha = None
    for s in range(seeds):
        described = describe_network(factory(activation), seed=s, in_dim=D)
        sampler = NetworkSampler(described.mlp, X)
        checks = network_checks(described, X, ensemble_size=ensemble, sampler=sampler)
        alpha = family_alpha(checks, DEFAULT_ALPHA_FAMILY)
        checks_of_seed0 = checks_of_seed0 or checks
        sampler.get(s, ensemble, ntk=any(c.name.endswith(".ntk_mean") for c in checks))  # one ensemble, as check_network
        failed = False
        for c in checks:
            ev = c.evaluate(None, mode="quick", seed=s, alpha=alpha)
            per_check.setdefault(c.name, []).append((s, outcome(ev.result), {n: outcome(t) for n, t in ev.twins.items()}))
            failed |= not ev.result.passed
        if failed:
            network_fails.append(s)
        if s % 20 == 19:
            print(f"{activation}: {s + 1} seeds, network fails {network_fails}", flush=True)
    assert checks_of_seed0 is not None and alpha is not None
    rows = {}
    for c in checks_of_seed0:
        cal = calibration_from_outcomes(c, per_check[c.name], mode="quick", alpha=alpha, params={"ensemble_size": ensemble})
        rows[c.name] = cal.row()
    k = len(network_fails)
    return {"activation": activation, "network": f"{D} -> {WIDTH} -> {WIDTH} -> 1, {activation}, torch default init",
            "laws": [list(x) for x in described.mlp.law_specs], "seeds": seeds, "ensemble_size": ensemble,
            "alpha_per_quantity": alpha, "alpha_family": DEFAULT_ALPHA_FAMILY,
            "network_fails": k, "network_fail_seeds": network_fails,
            "binomial_p_vs_family_alpha": float(stats.binomtest(k, seeds, DEFAULT_ALPHA_FAMILY, alternative="greater").pvalue),
            "quantities": rows, "seconds": time.perf_counter() - t0}


def main() -> None:
    """Calibrate both networks; write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--ensemble", type=int, default=20_000)
    ap.add_argument("--activations", default="tanh,relu")
    args = ap.parse_args()
    torch.set_num_threads(1)
    X = np.random.default_rng(INPUT_SEED).normal(size=(P, D))
    res = {"description": __doc__.split("\n\n")[0], "machine": platform.machine(), "torch": torch.__version__,
           "inputs": X.tolist(), "input_seed": INPUT_SEED,
           "networks": [calibrate_network(a, X, args.seeds, args.ensemble) for a in args.activations.split(",")]}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
