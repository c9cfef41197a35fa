"""Output excess kurtosis of a user's tanh MLP: torch's default (uniform) init vs Gaussian init, two widths.

The issue's network, ``nn.Sequential`` 10 -> n -> n -> 1 with ``nn.Tanh``, at n = 64 and n = 256, built by
two factories with the same variances (:math:`C_W = 1/3`, :math:`C_b^{(l)} = 1/(3 n_{l-1})`):

* ``torch_default``: ``nn.Linear``'s own initialisation, uniform weights and biases;
* ``gaussian``: the same layers re-initialised with Gaussian weights and biases of those variances.

For each network the factory is read by :func:`validation.networks.describe_network` (laws and variances
measured from factory calls), an ensemble of ``--ensemble`` members is drawn with the described laws
(:class:`validation.networks.NetworkSampler`, the measurement of :func:`validation.networks.check_network`),
and the excess kurtosis of the output on two fixed inputs is estimated twice:

* ``rao_blackwell``: the check's estimator (the last layer integrated out exactly given the last hidden
  layer, any last-layer law), with its delta-method standard error;
* ``raw``: the plain sample excess kurtosis of the outputs
  (:func:`numerics.wide_networks.excess_kurtosis_estimate`), an independent cross-check.

Both are compared with two theories (:func:`theory.wide_networks.network_moments`): the any-law 1/width
theory with the described laws, and the Gaussian-law theory (every law taken Gaussian, same variances),
each with its truncation budget.  ``p_value`` is :func:`validation.stats.compare_point`'s (the budget
subtracted, as the check does); ``z_no_budget`` is the plain standardised difference.  The law's
correction, uniform minus Gaussian, is reported measured (the two ensembles are independent, so the
standard errors add in quadrature) and predicted.

Run: ``.venv/bin/python benchmarks/wide_networks_kurtosis_laws.py [--ensemble 100000]`` (writes
benchmarks/results/wide_networks_kurtosis_laws.json).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from pathlib import Path

import numpy as np
import torch

from numerics.wide_networks import excess_kurtosis_estimate
from validation.networks import NetworkSampler, describe_network, network_checks
from validation.runner import DEFAULT_ALPHA_FAMILY, family_alpha
from validation.stats import compare_point

OUT = Path(__file__).with_name("results") / "wide_networks_kurtosis_laws.json"
D, WIDTHS, INPUT_SEED, SEED = 10, (64, 256), 1, 0


def factory(width: int, gaussian: bool):
    """The user's factory: torch's default init, or Gaussian weights and biases with the same variances.

    Parameters
    ----------
    width
        Hidden width ``n`` of ``10 -> n -> n -> 1``.
    gaussian
        Re-initialise every ``nn.Linear`` with Gaussian weights and biases of variance ``1 / (3 fan_in)``.

    Returns
    -------
    callable
        Zero-argument factory returning a fresh ``nn.Sequential``.
    """

    def make() -> torch.nn.Module:
        nn = torch.nn
        m = nn.Sequential(nn.Linear(D, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh(), nn.Linear(width, 1))
        if gaussian:
            for lin in (m[0], m[2], m[4]):
                std = 1.0 / math.sqrt(3 * lin.in_features)
                nn.init.normal_(lin.weight, std=std)
                nn.init.normal_(lin.bias, std=std)
        return m

    return make


def _compare(pred: np.ndarray, trunc: np.ndarray, val: np.ndarray, se: np.ndarray, alpha: float) -> dict:
    cmp = compare_point(pred, val, se, truncation=trunc, alpha=alpha)
    return {"prediction": pred.tolist(), "truncation_budget": trunc.tolist(),
            "z_no_budget": ((val - pred) / se).tolist(), "p_value": float(cmp.p_value), "passed": bool(cmp.passed)}


def one(width: int, gaussian: bool, X: np.ndarray, ensemble: int) -> dict:
    """Describe, sample and compare one network (module docstring).

    Parameters
    ----------
    width, gaussian
        The network (:func:`factory`).
    X
        Inputs ``(P, 10)``.
    ensemble
        Members sampled.

    Returns
    -------
    dict
        The described laws, both estimates and both theories' comparisons.
    """
    t0 = time.perf_counter()
    described = describe_network(factory(width, gaussian), seed=SEED, in_dim=D)
    sampler = NetworkSampler(described.mlp, X)
    checks = network_checks(described, X, ensemble_size=ensemble, sampler=sampler)
    alpha = family_alpha(checks, DEFAULT_ALPHA_FAMILY)  # check_network's per-quantity level
    check = next(c for c in checks if c.name.endswith(".excess_kurtosis"))
    p = check.quick
    laws = check.predict(p)
    twins = {t.name: t for t in check.twins}
    gauss = twins["gaussian_laws"].predict(p) if "gaussian_laws" in twins else laws  # already Gaussian
    est = check.measure(p, SEED)
    outputs = sampler.get(SEED, ensemble).outputs
    raw = [excess_kurtosis_estimate(outputs[:, a]) for a in range(X.shape[0])]
    raw_v, raw_se = np.array([float(r.value) for r in raw]), np.array([float(r.stderr) for r in raw])
    res = {"width": width, "init": "gaussian" if gaussian else "torch_default", "ensemble_size": ensemble,
           "alpha": alpha,
           "described_weight_laws": list(described.mlp.law_specs[0]),
           "described_bias_laws": list(described.mlp.law_specs[1]),
           "C_W": list(described.mlp.weight_variances), "C_b": list(described.mlp.bias_variances),
           "measured": {"rao_blackwell": {"value": est.value.tolist(), "stderr": est.stderr.tolist()},
                        "raw": {"value": raw_v.tolist(), "stderr": raw_se.tolist()}}}
    for name, pr in (("any_law_theory", laws), ("gaussian_law_theory", gauss)):
        pv, tr = np.asarray(pr.value, float), np.asarray(pr.truncation, float)
        res[name] = {"rao_blackwell": _compare(pv, tr, est.value, est.stderr, alpha),
                     "raw": _compare(pv, tr, raw_v, raw_se, alpha)}
    res["seconds"] = time.perf_counter() - t0
    return res


def main() -> None:
    """Run both widths and both inits; write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ensemble", type=int, default=100_000)
    args = ap.parse_args()
    torch.set_num_threads(1)
    X = np.random.default_rng(INPUT_SEED).normal(size=(2, D))
    rows = []
    for width in WIDTHS:
        for gaussian in (False, True):
            rows.append(one(width, gaussian, X, args.ensemble))
            print(json.dumps({k: rows[-1][k] for k in ("width", "init", "measured", "seconds")}), flush=True)
    corrections = []
    for width in WIDTHS:
        u, g = (next(r for r in rows if r["width"] == width and r["init"] == i) for i in ("torch_default", "gaussian"))
        mu, mg = u["measured"]["rao_blackwell"], g["measured"]["rao_blackwell"]
        diff = np.subtract(mu["value"], mg["value"])
        se = np.hypot(mu["stderr"], mg["stderr"])
        pred = np.subtract(u["any_law_theory"]["rao_blackwell"]["prediction"],
                           g["any_law_theory"]["rao_blackwell"]["prediction"])
        corrections.append({"width": width, "measured_uniform_minus_gaussian": diff.tolist(), "stderr": se.tolist(),
                            "any_law_theory": pred.tolist(), "z": ((diff - pred) / se).tolist()})
    res = {"description": __doc__.split("\n\n")[0], "machine": platform.machine(), "torch": torch.__version__,
           "network": "10 -> n -> n -> 1, tanh", "inputs": X.tolist(), "input_seed": INPUT_SEED, "seed": SEED,
           "results": rows, "law_correction": corrections}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
