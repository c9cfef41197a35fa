"""ntk checks: the correct theory passes, deliberately wrong theories fail (falsification)."""


import numpy as np

from validation.check import Prediction, get_check

ALPHA = 1e-3


def _run(name: str, right_and_wrong: list, seed: int = 0, params: dict | None = None) -> list[bool]:
    c = get_check(name)
    p = c.params("quick", params)
    est = c.measure(p, seed)  # one measurement judged against each theory
    return [c.compare(f(c.predict(p)), est, p, ALPHA).passed for f in right_and_wrong]


def _same(pr: Prediction) -> Prediction:
    return pr


def test_init_mean() -> None:
    def off(pr: Prediction) -> Prediction:
        return Prediction(np.asarray(pr.value) * 1.05, 0.0)

    ok, wrong = _run("ntk.init_mean", [_same, off], params={"members": 400})
    assert ok and not wrong


def test_init_fluctuations_exponent() -> None:
    def exponent(s: float):  # noqa: ANN202
        return lambda pr: Prediction(s, 0.0, extra=pr.extra)

    ok, wrong1 = _run("ntk.init_fluctuations", [_same, exponent(-1.0)])
    assert ok and not wrong1


def test_trained_scaling() -> None:
    def coef(pr: Prediction) -> Prediction:  # the theory's mean/covariance off by 5 %
        return Prediction(pr.value, 0.0, extra={**pr.extra, "components": pr.extra["components"] * 1.05})

    def exponent(s: float):  # noqa: ANN202
        return lambda pr: Prediction(s, 0.0, extra=pr.extra)

    ok, wrong_coef, half, two = _run("ntk.trained_scaling", [_same, coef, exponent(-0.5), exponent(-2.0)])
    assert ok
    assert not wrong_coef
    assert not half  # the width^-1/2 of the NTK's own fluctuations is not the trained deviation's law
    assert not two
