"""random_walk checks: the correct theory passes, deliberately wrong theories fail (falsification)."""


import numpy as np
import pytest

from validation.check import Prediction, get_check

ALPHA = 1e-3


def _verdicts(name: str, wrongs: list, params: dict | None = None, seed: int = 0) -> tuple[bool, list[bool]]:
    c = get_check(name)
    p = c.params("quick", params)
    est = c.measure(p, seed)  # one measurement, judged against the right and the wrong theories
    pred = c.predict(p)  # predictions are not mutated by the wrong-theory wrappers
    ok = c.compare(pred, est, p, ALPHA).passed
    return ok, [c.compare(w(pred), est, p, ALPHA).passed for w in wrongs]


def _scaled(f: float):  # noqa: ANN202
    return lambda pr: Prediction(np.asarray(pr.value) * f, pr.truncation, extra=pr.extra)


def test_variance_ratios_pass_and_falsify() -> None:
    ok, wrong = _verdicts("random_walk.variance_ratios", [_scaled(1.03), _scaled(0.97)])
    assert ok
    assert not any(wrong)


def test_variance_ratios_limit_formula_is_rejected_at_small_T() -> None:
    """6/(pi^2 k^2) (the T -> inf limit) is detectably wrong for T = 8."""
    from theory.random_walk import explained_variance_ratio_limit

    c = get_check("random_walk.variance_ratios")
    p = c.params("quick", {"T": 8, "components": 2})
    r = c.run(p, predict=lambda q: Prediction(explained_variance_ratio_limit(2), 0.0), seed=1)
    assert r.error is None and not r.passed


def test_cosine_overlap_pass_and_falsify() -> None:
    def doubled(pr: Prediction) -> Prediction:  # the 1/d correction off by a factor 2
        return Prediction(1 - 2 * (1 - np.asarray(pr.value)), pr.truncation)

    def limit(pr: Prediction) -> Prediction:  # d -> infinity value 1
        return Prediction(np.ones_like(pr.value), 0.0)

    ok, wrong = _verdicts("random_walk.cosine_overlap", [doubled, limit])
    assert ok
    assert not any(wrong)


def test_sgd_noise_dominated_matches_random_walk_and_drift_dominated_fails() -> None:
    # the budget here is ~0.03 (drift T B/2N = 0.02 + curvature + finite dimension), so a 15 % error must show
    ok, wrong = _verdicts("random_walk.sgd_trajectory", [_scaled(1.15), _scaled(0.85)])
    assert ok
    assert not any(wrong)
    c = get_check("random_walk.sgd_trajectory")
    r = c.run({"labels": "signal", "members": 8, "steps": 20}, seed=0)
    assert r.error is None and not r.passed


def test_unknown_label_mode() -> None:
    c = get_check("random_walk.sgd_trajectory")
    with pytest.raises(ValueError, match="labels"):
        c.run({"labels": "bogus"}, catch=False)
