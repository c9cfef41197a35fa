"""Toy checks for the sweep, engine and calibration tests (loaded with ``validation.plugins.load_checks``).

``toy.sweep.scaling`` measures a normal mean whose truth is ``(1 + bias) / width`` against the
prediction ``1 / width``: a power law of exponent -1 across a width grid.  ``sleep`` slows a
cell down (for the worker-kill test); ``INTERRUPT`` makes the n-th measurement raise
KeyboardInterrupt (for the Ctrl-C test).
"""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from numerics.estimate import Estimate
from validation.check import Check, Display, Prediction, Twin, register_check
from validation.params import Param
from validation.stats import compare_point

INTERRUPT: dict[str, Any] = {"after": None, "calls": 0}

SCHEMA = {
    "width": Param("int", "network width", minimum=1),
    "n": Param("int", "draws", minimum=2),
    "bias": Param("float", "relative error of the measured mean (0: the theory is right)"),
    "sleep": Param("float", "seconds to sleep per cell", minimum=0.0),
    "kind": Param("str", "label only", choices=("a", "b")),
    "dims": Param("ints", "label only", minimum=1),
}


def _measure(p: Mapping[str, Any], seed: int) -> Estimate:
    if INTERRUPT["after"] is not None:
        INTERRUPT["calls"] += 1
        if INTERRUPT["calls"] > INTERRUPT["after"]:
            raise KeyboardInterrupt
    if p["sleep"]:
        time.sleep(p["sleep"])
    w = p["width"]
    x = np.random.default_rng(seed).normal((1.0 + p["bias"]) / w, 0.2 / w, p["n"])
    return Estimate(x.mean(), x.std(ddof=1) / np.sqrt(p["n"]), p["n"], seed)


def _compare(pr: Prediction, e: Estimate, p: Mapping[str, Any], a: float) -> Any:
    return compare_point(pr.value, e.value, e.stderr, alpha=a)


SCALING = register_check(Check(
    "toy.sweep.scaling", "toy", "a mean falling like 1/width",
    lambda p: Prediction(1.0 / p["width"]), _measure, _compare,
    quick={"width": 8, "n": 400, "bias": 0.0, "sleep": 0.0, "kind": "a", "dims": (2, 2)},
    full={"n": 4000},
    schema=SCHEMA,
    twins=(Twin("x1.1", "the prediction 10% too large", lambda p: Prediction(1.1 / p["width"])),),
    display=Display("mean of the draws", labels=("1/width",)),
))

BIASED = register_check(Check(
    "toy.sweep.biased", "toy", "a mean 30% off its prediction (fails)",
    lambda p: Prediction(1.0 / p["width"]), _measure, _compare,
    quick={"width": 8, "n": 400, "bias": 0.3, "sleep": 0.0, "kind": "a", "dims": (2, 2)},
    schema=SCHEMA,
    twins=(Twin("x1.3", "the prediction 30% too large", lambda p: Prediction(1.3 / p["width"])),),
    display=Display("mean of the draws", labels=("1/width",)),
))
