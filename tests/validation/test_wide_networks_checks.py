"""Wide-network checks: the correct theory passes (fixed seed), a slightly wrong one fails."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import validation.checks.wide_networks as wn
from theory.edgeworth import Edgeworth
from theory.wide_networks import output_density
from validation.check import Prediction, get_check


NAMES = [
    "wide_networks.exact_ratio.linear",
    "wide_networks.exact_ratio.relu",
    "wide_networks.exact_ratio.leaky_relu",
    "wide_networks.finite_width.tanh",
    "wide_networks.finite_width.gelu",
    "wide_networks.finite_width.erf",
    "wide_networks.kurtosis_scaling",
    "wide_networks.edgeworth_density",
    "wide_networks.nngp_covariance",
    "wide_networks.nngp_covariance.module",
    "wide_networks.four_point_two_inputs",
]


@pytest.mark.parametrize("name", NAMES)
def test_check_passes(name):
    res = get_check(name).run(seed=1)
    assert res.error is None, res.error
    assert res.passed, (res.p_value, res.details)


def _exact_wrong(p):
    """Hanin-Nica with the constant c off by 5%: 3 prod(1 + 1.05 c / n)."""
    ratio = []
    for w in p["profiles"]:
        a = p["activation"]
        ap, am = (1.0, 1.0) if a == "linear" else (1.0, 0.0) if a == "relu" else (1.0, a[1])
        A2, A4 = (ap ** 2 + am ** 2) / 2, (ap ** 4 + am ** 4) / 2
        c = 3 * A4 / A2 ** 2 - 1
        ratio.append(3 * math.prod(1 + 1.05 * c / n for n in w))
    return Prediction(np.array(ratio), 0.0)


@pytest.mark.parametrize("name", [n for n in NAMES if ".exact_ratio." in n])
def test_exact_ratio_falsified(name):
    check = get_check(name)
    good = wn._exact_predict(check.params())
    wrong = _exact_wrong(check.params())
    assert np.all(np.abs(wrong.value / good.value - 1) < 0.1)  # only a few percent off
    assert not check.run(seed=1, predict=_exact_wrong).passed


@pytest.mark.parametrize("name", [n for n in NAMES if ".finite_width." in n])
@pytest.mark.parametrize("component,factor", [(1, 1.05), (0, 1.02)])
def test_finite_width_falsified(name, component, factor):
    def wrong(p):
        pr = wn._fw_predict(p)
        v = pr.value.copy()
        v[component] *= factor
        return dataclasses.replace(pr, value=v)

    assert not get_check(name).run(seed=1, predict=wrong).passed


@pytest.mark.parametrize("kind", ["exponent", "coefficient"])
def test_kurtosis_scaling_falsified(kind):
    def wrong(p):
        pr = wn._scaling_predict(p)
        if kind == "exponent":
            return dataclasses.replace(pr, value=-1.5)
        return dataclasses.replace(pr, extra={"first_order": pr.extra["first_order"] * 1.05})

    assert not get_check("wide_networks.kurtosis_scaling").run(seed=1, predict=wrong).passed


@pytest.mark.parametrize("factor", [0.0, 0.7])
def test_edgeworth_density_falsified(factor):
    """The Gaussian (no 1/n term) and a 1/n term 30% too small both fail.

    A histogram of 10^6 outputs resolves the 1/n coefficient to ~30% only (the O(1/n^2) budget
    absorbs smaller errors); the kurtosis point checks pin it down to ~1%."""

    def wrong(p):
        a = wn.architecture(p)
        d = output_density(a.activation, a.hidden_widths[0], C_W=a.C_W, C_b=a.C_b, K1=a.K1)
        cum = list(d.cumulants)
        cum[3] *= factor
        bad = dataclasses.replace(d, cumulants=tuple(cum), expansion=Edgeworth(cum))
        return Prediction(bad.cdf, bad.cdf_truncation)

    assert not get_check("wide_networks.edgeworth_density").run(seed=1, predict=wrong).passed


@pytest.mark.parametrize("name", ["wide_networks.nngp_covariance", "wide_networks.nngp_covariance.module",
                                  "wide_networks.four_point_two_inputs"])
def test_nngp_covariance_falsified(name):
    def wrong(p):
        pr = (wn._four_predict if "four_point" in name else wn._nngp_predict)(p)
        return dataclasses.replace(pr, value=pr.value * 1.05)

    assert not get_check(name).run(seed=1, predict=wrong).passed


FS_NAMES = ["wide_networks.finite_width.tanh", "wide_networks.exact_ratio.relu", "wide_networks.nngp_covariance",
            "wide_networks.four_point_two_inputs"]


@pytest.mark.parametrize("name", FS_NAMES)
def test_function_space_route_passes_and_is_falsified(name):
    """The explicit ``method="function_space"`` parameter: the same checks pass on the exact function-space
    sampler and fail against a prediction a few percent off (same measurement, same seed)."""
    check = get_check(name)
    ok = check.run({"method": "function_space"}, seed=1)
    assert ok.error is None, ok.error
    assert ok.passed, (ok.p_value, ok.details)
    base = {".finite_width.": wn._fw_predict, ".exact_ratio.": wn._exact_predict, "nngp_covariance": wn._nngp_predict,
            "four_point": wn._four_predict}
    good = next(f for k, f in base.items() if k in name)

    def wrong(p):
        pr = good(p)
        return dataclasses.replace(pr, value=pr.value * 1.05)

    assert not check.run({"method": "function_space"}, seed=1, predict=wrong).passed


def test_quick_sets_use_real_networks():
    for name in NAMES:
        p = get_check(name).params()
        assert p.get("method", "weights") == "weights", name


def test_architecture_is_shared():
    p = get_check("wide_networks.finite_width.tanh").params()
    a = wn.architecture(p)
    assert a.weight_variances[1:] == [p["C_W"]] * len(p["hidden_widths"])
    assert a.theory().kernels[0] == pytest.approx(p["K1"])


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_check_passes_full(name):
    res = get_check(name).run(mode="full", seed=2)
    assert res.error is None, res.error
    assert res.passed, (res.p_value, res.details)
