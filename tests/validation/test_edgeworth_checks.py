"""Each Edgeworth check passes with the true theory and fails with a deliberately wrong one (falsification twins).

Perturbation sizes are the smallest the measurement resolves at the sample size used: a 10% error in
lambda_3 for Exp/Gamma sums, 20% for the mildly skewed mixture, 50% in lambda_4 for the symmetric uniform
(whose leading correction is O(1/n)); see the check module for the regime each check runs in.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pytest

import validation.checks.edgeworth._density as ce
from theory.edgeworth import Edgeworth
from validation.check import Prediction, get_check


def perturbed_density_predict(index: int, factor: float):
    def predict(p: Mapping[str, Any]) -> Prediction:
        k = [float(v) for v in ce.summand(p["dist"]).cumulants(max(p["orders"]) + 5)]
        k[index] *= factor
        E = Edgeworth(k)
        return Prediction(
            {
                (n, o): ((lambda x, n=n, o=o: E.cdf(x, n, o)), (lambda x, n=n, o=o: E.cdf_truncation(x, n, o)))
                for n in p["ns"]
                for o in p["orders"]
            }
        )

    return predict


@pytest.mark.parametrize(
    "key, n, index, factor, samples",
    [("exp", 10, 2, 1.10, 200_000), ("gamma0.5", 40, 2, 1.10, 300_000), ("mixture", 10, 2, 1.20, 1_000_000), ("uniform", 6, 3, 1.5, 1_000_000)],
)
def test_density_check_passes_and_its_twin_fails(key: str, n: int, index: int, factor: float, samples: int) -> None:
    check = get_check(f"edgeworth.density.{key}")
    params = {"ns": [n], "samples": samples}
    good = check.run(params, seed=11)
    assert good.error is None and good.passed, good.details
    bad = check.run(params, seed=11, predict=perturbed_density_predict(index, factor))
    assert bad.error is None and not bad.passed


def test_density_quick_suite_passes() -> None:
    for key in ("exp", "uniform", "mixture"):
        res = get_check(f"edgeworth.density.{key}").run(seed=5)
        assert res.error is None and res.passed, (key, res.details)


@pytest.mark.parametrize("order", range(5))
def test_error_scaling_exponent(order: int) -> None:
    check = get_check(f"edgeworth.error_scaling.order{order}")
    assert check.run(seed=0).passed
    for shift in (-0.25, 0.25):
        wrong = lambda p, s=shift: Prediction(-(p["order"] + 1) / 2 + s)  # noqa: E731
        assert not check.run(seed=0, predict=wrong).passed


@pytest.mark.parametrize("key", ["exp", "gamma0.5"])
def test_cornish_fisher(key: str) -> None:
    check = get_check(f"edgeworth.cornish_fisher.{key}")
    assert check.run(seed=2).passed

    def wrong(p: Mapping[str, Any]) -> Prediction:
        k = [float(v) for v in ce.summand(p["dist"]).cumulants(max(p["orders"]) + 5)]
        k[2] *= 1.10
        E = Edgeworth(k)
        q = np.asarray(p["q"])
        return Prediction({o: (E.ppf(q, p["n"], o), E.ppf_truncation(q, p["n"], o)) for o in p["orders"]})

    assert not check.run(seed=2, predict=wrong).passed


@pytest.mark.parametrize("name", ["bernoulli", "two_point"])
def test_lattice_esseen_passes_plain_fails(name: str) -> None:
    check = get_check(f"edgeworth.lattice.{name}")
    good = check.run(seed=4)
    assert good.passed, good.details
    plain = check.run(seed=4, predict=ce.plain_lattice_predict)
    assert not plain.passed
    assert plain.statistic > 5


@pytest.mark.parametrize("key", ["exp", "uniform", "gamma0.5", "mixture"])
def test_kstatistics(key: str) -> None:
    check = get_check(f"edgeworth.kstatistics.{key}")
    assert check.run(seed=8).passed

    def wrong(p: Mapping[str, Any]) -> Prediction:
        k = np.array([float(v) for v in ce.summand(p["dist"]).cumulants(p["order"])])
        k[1] *= 1.03  # the variance off by 3%
        return Prediction(k)

    assert not check.run(seed=8, predict=wrong).passed
