"""Density-matrix checks: each passes with a fixed seed and fails when fed a wrong prediction."""

from __future__ import annotations

from typing import Any, Callable, Mapping

import pytest

from validation.check import Check, Prediction
from validation.checks.density_matrix import CHECKS
from validation.checks.density_matrix import _classical as cl
from validation.checks.density_matrix import _closed_forms as cf
from validation.checks.density_matrix import _subsystems as sub

NAMES = [
    "rabi_dephasing", "amplitude_damping", "damped_oscillator", "liouvillian_spectrum",
    "dephased_step_markov", "strong_dephasing_scaling", "classical_embedding",
    "entanglement_entropy", "born_rule",
]


def _get(name: str) -> Check:
    # straight from this area's registry, so a broken module of another area cannot mask these tests
    return CHECKS[f"density_matrix.{name}"]


@pytest.mark.parametrize("name", NAMES)
def test_check_passes(name: str) -> None:
    res = _get(name).run(seed=0)
    assert res.error is None, res.error
    assert res.passed, (res.p_value, res.details)


def _scaled(fn: Callable[[Mapping[str, Any]], Prediction], key: str, factor: float) -> Callable[[Mapping[str, Any]], Prediction]:
    def wrong(p: Mapping[str, Any]) -> Prediction:
        q = dict(p)
        q[key] = q[key] * factor
        return fn(q)
    return wrong


WRONG = {
    "rabi_dephasing": _scaled(cf._rabi_predict, "g", 1.03),
    "amplitude_damping": _scaled(cf._ad_predict, "gamma", 1.03),
    "damped_oscillator": _scaled(cf._osc_predict, "kappa", 1.03),
    "liouvillian_spectrum": _scaled(cf._spec_predict, "gamma", 1.03),
    "dephased_step_markov": _scaled(cl._markov_predict, "J", 1.03),
    # one rate (w_01) 3% off
    "classical_embedding": lambda p: cl._embed_predict(
        {**p, "rates": [[v * (1.03 if (i, j) == (0, 1) else 1) for j, v in enumerate(r)] for i, r in enumerate(p["rates"])]}),
    "entanglement_entropy": lambda p: sub._ent_predict({**p, "schmidt": [0.52, 0.29, 0.19]}),
    "born_rule": lambda p: sub._born_predict({**p, "bloch": [0.3, 0.2, 0.6 * 0.97]}),
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_falsification(name: str) -> None:
    res = _get(name).run(seed=0, predict=WRONG[name])
    assert res.error is None, res.error
    assert not res.passed


@pytest.mark.parametrize("exponent", [1.9, 2.1, 2.02])
def test_scaling_falsification_wrong_exponent(exponent: float) -> None:
    c = _get("strong_dephasing_scaling")
    right = c.predict(c.params())
    wrong = lambda p: Prediction(exponent, extra=right.extra)  # noqa: E731
    assert not c.run(seed=0, predict=wrong).passed


def test_scaling_falsification_wrong_classical_rate() -> None:
    # a classical model with the rate 2.06 J^2/g (3% off) leaves an O(1) error: the exponent is not 2
    res = _get("strong_dephasing_scaling").run({"rate_coefficient": 2.06}, seed=0)
    assert res.error is None and not res.passed


def test_scaling_nuisance_terms_come_from_the_series() -> None:
    c = _get("strong_dephasing_scaling")
    pred = c.predict(c.params())
    assert pred.value == 2.0
    assert pred.extra["corrections"][0] == 2.0  # relative correction 4 (J/g)^2
    assert pred.extra["first_omitted_relative"] < c.params()["rtol"] + c.params()["atol"] / c.params()["x_max"] ** 2


def test_born_rule_seeds_reproducible() -> None:
    c = _get("born_rule")
    a, b = c.run(seed=3), c.run(seed=3)
    assert a.statistic == b.statistic


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_check_full_passes(name: str) -> None:
    res = _get(name).run(mode="full", seed=1)
    assert res.error is None, res.error
    assert res.passed
