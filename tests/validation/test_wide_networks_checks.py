"""Wide-network checks: declared twins fail and the correct theory passes on one measurement; both
samplers; the one MLP system feeds theory and numerics; the calibrated moment-ratio test."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from numerics.wide_networks import conditional_moment_ratio_estimate
from theory.wide_networks import finite_width
from validation.check import all_checks, get_check
from validation.checks.wide_networks import module_factory
from validation.checks.wide_networks._common import finite_width_args, kernel_mlp, single_input_mlp
from validation.checks.wide_networks._ratio import ratio_test

NAMES = sorted(c.name for c in all_checks() if c.area == "wide_networks")


def test_the_area_has_its_checks():
    assert len(NAMES) == 11


@pytest.mark.parametrize("name", NAMES)
def test_declared_twins_fail_and_theory_passes(name):
    ev = get_check(name).evaluate(seed=1, alpha=1e-4)
    assert ev.result.error is None, ev.result.error
    assert ev.result.passed, (ev.result.p_value, ev.result.details)
    for tname, tr in ev.twins.items():
        assert tr.error is None, tr.error
        assert not tr.passed, (tname, tr.p_value)


FS_NAMES = ["wide_networks.finite_width.tanh", "wide_networks.exact_ratio.relu", "wide_networks.nngp_covariance",
            "wide_networks.four_point_two_inputs"]


@pytest.mark.parametrize("name", FS_NAMES)
def test_function_space_route_passes_and_twins_fail(name):
    """``method="function_space"``: the same checks pass on the exact function-space sampler and reject their twins."""
    ev = get_check(name).evaluate({"method": "function_space"}, seed=1, alpha=1e-4)
    assert ev.result.error is None, ev.result.error
    assert ev.result.passed, (ev.result.p_value, ev.result.details)
    assert all(not t.passed for t in ev.twins.values())


def test_quick_sets_use_real_networks():
    for name in NAMES:
        p = get_check(name).params()
        assert p["method"] == "weights", name


def test_one_mlp_feeds_theory_and_numerics():
    p = get_check("wide_networks.finite_width.tanh").params()
    m = single_input_mlp(p)
    assert m.in_dim == 1 and m.weight_variances == (p["K1"],) + (p["C_W"],) * len(p["hidden_widths"])
    args = finite_width_args(m)
    assert args["K1"] == p["K1"] and args["C_W"] == [p["C_W"]] * len(p["hidden_widths"])
    assert finite_width(**args).kernels[0] == pytest.approx(p["K1"])


def test_module_factory_builds_the_mlp():
    p = get_check("wide_networks.nngp_covariance.module").params()
    m = kernel_mlp(p)
    torch.manual_seed(0)
    net = module_factory(m)()
    lins = [x for x in net if isinstance(x, torch.nn.Linear)]
    assert [tuple(x.weight.shape[::-1]) for x in lins] == list(zip(m.layer_sizes[:-1], m.layer_sizes[1:]))
    big = module_factory(m.with_widths((4000,)))()
    w = [x.weight.detach().double() for x in big if isinstance(x, torch.nn.Linear)]
    assert float(w[0].var() * m.in_dim) == pytest.approx(m.weight_variances[0], rel=0.05)
    assert float(w[1].var() * 4000) == pytest.approx(m.weight_variances[1], rel=0.1)


def _z(test_stats, truth, S):
    e = conditional_moment_ratio_estimate(S, 4)
    c = ratio_test(truth, e.diagnostics["ratio_moments"], 0.01)
    test_stats["delta"].append((e.value - truth) / e.stderr)
    test_stats["hall"].append(math.copysign(c.statistic, e.value - truth))


def test_ratio_test_is_calibrated_where_the_delta_z_is_skewed():
    """Gamma(2) conditional variances (like one narrow layer): E S^2/(E S)^2 = 3/2 exactly.  Over 400
    replicates the delta z is visibly skewed (mean < -0.1); the skewness-corrected Fieller-type z is
    centred and its two-sided 1% rate is within its binomial band."""
    rng = np.random.default_rng(5)
    zs: dict[str, list[float]] = {"delta": [], "hall": []}
    for _ in range(400):
        _z(zs, 3 * 1.5, rng.gamma(2.0, size=400))
    d, h = np.array(zs["delta"]), np.array(zs["hall"])
    assert d.mean() < -0.1
    assert abs(h.mean()) < abs(d.mean()) / 2
    assert np.mean(np.abs(h) > 2.576) <= 0.03
    assert 0.85 < h.std() < 1.15


def test_ratio_test_rejects_a_wrong_ratio():
    S = np.random.default_rng(0).gamma(2.0, size=20_000)
    e = conditional_moment_ratio_estimate(S, 4)
    assert ratio_test(4.5, e.diagnostics["ratio_moments"], 1e-3).passed
    assert not ratio_test(4.5 * 1.05, e.diagnostics["ratio_moments"], 1e-3).passed


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_check_passes_full(name):
    res = get_check(name).run(mode="full", seed=2)
    assert res.error is None, res.error
    assert res.passed, (res.p_value, res.details)
