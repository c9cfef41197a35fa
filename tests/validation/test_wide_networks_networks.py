"""validation.networks: check_network on a user's torch MLP -- PASS for torch's default and for Gaussian
initialisation, the Gaussian-weight theory (a falsification twin) FAILs on uniform weights, bad input is
refused before any sampling, and the results are ordinary suite records."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
import torch

import validation.networks._checks as net_checks
from validation.networks import check_network, describe_network, network_checks
from validation.runner import family_alpha

torch.set_num_threads(1)
nn = torch.nn
X = np.random.default_rng(0).normal(size=(3, 10))


def default_net() -> nn.Module:
    return nn.Sequential(nn.Linear(10, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))


def gaussian_net() -> nn.Module:
    m = default_net()
    for lin in (m[0], m[2], m[4]):
        nn.init.normal_(lin.weight, std=math.sqrt(1.5 / lin.in_features))
        nn.init.normal_(lin.bias, std=0.3)
    return m


def test_default_init_passes_and_records_every_quantity() -> None:
    res = check_network(default_net, X, ensemble_size=40_000, seed=1)
    names = [r["name"] for r in res.results]
    assert names == ["network.output_variance", "network.excess_kurtosis", "network.covariance", "network.ntk_mean"]
    assert res.passed, [(r["name"], r["p_value"]) for r in res.results]
    for r in res.results:
        assert {"prediction", "estimate", "p_value", "verdict"} <= set(r)
    checks = network_checks(describe_network(default_net), X)
    assert res.alpha_check == pytest.approx(family_alpha(checks))


def test_gaussian_init_passes() -> None:
    res = check_network(gaussian_net, X, ensemble_size=40_000, seed=2)
    assert res.passed, [(r["name"], r["p_value"], r["prediction"], r["estimate"]) for r in res.results]


def test_gaussian_weight_theory_fails_on_uniform_weights() -> None:
    """The falsification twin: the law-blind (Gaussian) theory against torch's default (uniform) weights."""
    described = describe_network(default_net)
    checks = {c.name: c for c in network_checks(described, X, ensemble_size=40_000)}
    alpha = family_alpha(list(checks.values()))
    kurt = checks["network.excess_kurtosis"].evaluate(seed=3, alpha=alpha, twins=["gaussian_laws"])
    assert kurt.result.passed and not kurt.twins["gaussian_laws"].passed
    assert kurt.twins["gaussian_laws"].p_value < 1e-6


def test_bad_input_is_refused_before_sampling(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*a, **k):
        raise AssertionError("sampled")

    monkeypatch.setattr(net_checks, "mlp_ensemble_sample", boom)
    with pytest.raises(TypeError, match="callable"):
        check_network("net", X)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="nn.Module"):
        check_network(lambda: "net", X)  # type: ignore[arg-type, return-value]
    with pytest.raises(ValueError, match="dimension 7"):
        check_network(default_net, np.ones((2, 7)))
    with pytest.raises(ValueError, match="LayerNorm"):
        check_network(lambda: nn.Sequential(nn.Linear(10, 8), nn.LayerNorm(8), nn.Tanh(), nn.Linear(8, 1)), X)
    with pytest.raises(ValueError, match="correlation"):
        check_network(default_net, np.vstack([X[0], X[0]]))
    with pytest.raises(TypeError):
        check_network(default_net, X, ensemble_size=1000.0)  # type: ignore[arg-type]


@pytest.mark.slow
def test_done_when_example_full_ensemble(tmp_path) -> None:
    """The issue's example at the default ensemble size, with plots."""
    res = check_network(default_net, X, seed=0, plots_dir=str(tmp_path))
    assert res.passed
    assert any(f.endswith(".png") for f in os.listdir(tmp_path))
