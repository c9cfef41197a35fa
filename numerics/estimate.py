"""Estimates: measured values with computed standard errors.

Standard errors are computed, never guessed: analytically where the sampling
distribution is known (iid means), by batch means for correlated chains
(Flegal & Jones 2010, Ann. Statist. 38:1034) and by the bootstrap otherwise
(Efron & Tibshirani 1993, ch. 6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["Estimate", "mean_estimate", "bootstrap_stderr", "as_generator"]


@dataclass(frozen=True)
class Estimate:
    """A measured value with its standard error.

    Attributes
    ----------
    value, stderr
        The estimate and its (one-sigma) standard error; floats or arrays of the same shape.
    samples
        Number of independent samples (or effective samples) behind the estimate.
    seed
        The seed the measurement ran with (``None`` if not seeded by an integer).
    seconds
        Wall time of the measurement.
    method
        How ``stderr`` was obtained: ``"analytic"``, ``"batch-means"``, ``"bootstrap"``, ``"across-chains"``...
    diagnostics
        Free-form extra information (chain traces, warnings, acceptance rates...).
    """

    value: Any
    stderr: Any
    samples: int
    seed: int | None = None
    seconds: float = 0.0
    method: str = "analytic"
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if int(self.samples) < 1:
            raise ValueError(f"samples must be >= 1, got {self.samples}")
        se = np.asarray(self.stderr, dtype=float)
        if np.any(se < 0) or np.any(np.isnan(se)):
            raise ValueError("stderr must be non-negative and not NaN")

    def summary(self) -> dict[str, Any]:
        """JSON-friendly summary: value, stderr, samples, method."""

        def conv(v: Any) -> Any:
            a = np.asarray(v)
            if a.ndim == 0:
                return float(a.real) if not np.iscomplexobj(a) else complex(a)
            if a.size > 64:
                return {"shape": list(a.shape), "head": np.real(a).ravel()[:8].tolist()}
            return np.real(a).tolist()

        return {
            "value": conv(self.value),
            "stderr": conv(self.stderr),
            "samples": int(self.samples),
            "method": self.method,
        }


def as_generator(seed: int | np.random.Generator | np.random.SeedSequence | None) -> np.random.Generator:
    """A numpy Generator from an int seed, a SeedSequence or a Generator (returned as is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        raise ValueError("seed must be given explicitly (an int, SeedSequence or Generator) for reproducibility")
    if isinstance(seed, (bool, float)):
        raise TypeError(f"seed must be an int, SeedSequence or Generator, got {type(seed).__name__}")
    return np.random.default_rng(seed)


def mean_estimate(x: np.ndarray, *, axis: int = 0, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    """Sample mean with the analytic iid standard error ``s / sqrt(n)``."""
    x = np.asarray(x, dtype=float)
    n = x.shape[axis]
    if n < 2:
        raise ValueError("need at least two samples for a standard error")
    return Estimate(x.mean(axis=axis), x.std(axis=axis, ddof=1) / np.sqrt(n), n, seed, seconds, "analytic")


def bootstrap_stderr(
    x: np.ndarray,
    statistic: Callable[[np.ndarray], Any],
    *,
    resamples: int = 200,
    seed: int | np.random.Generator = 0,
) -> np.ndarray:
    """Nonparametric bootstrap standard error of ``statistic`` over the first axis of ``x``."""
    x = np.asarray(x)
    if x.shape[0] < 2:
        raise ValueError("need at least two samples to bootstrap")
    if resamples < 10:
        raise ValueError(f"resamples must be >= 10, got {resamples}")
    rng = as_generator(seed)
    vals = [statistic(x[rng.integers(0, x.shape[0], x.shape[0])]) for _ in range(resamples)]
    return np.asarray(np.std(np.asarray(vals, dtype=float), axis=0, ddof=1))
