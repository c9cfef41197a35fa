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

from numerics import validate as v

__all__ = ["Estimate", "mean_estimate", "bootstrap_stderr", "as_generator"]


@dataclass(frozen=True)
class Estimate:
    """A measured value with its standard error.

    The constructor's parameters are kept as the attributes of the same names.

    Parameters
    ----------
    value, stderr : float or array_like
        The estimate and its (one-sigma) standard error; floats or arrays of the same shape.
    samples : int
        Number of independent samples (or effective samples) behind the estimate.
    seed : int, optional
        The seed the measurement ran with (``None`` if not seeded by an integer).
    seconds : float, default 0.0
        Wall time of the measurement.
    method : str, default "analytic"
        How ``stderr`` was obtained: ``"analytic"``, ``"batch-means"``, ``"bootstrap"``, ``"across-chains"``...
    diagnostics : dict, default {}
        Free-form extra information (chain traces, warnings, acceptance rates...).

    Raises
    ------
    ValueError
        If ``samples < 1`` or ``stderr`` is negative or NaN.
    """

    value: Any
    stderr: Any
    samples: int
    seed: int | None = None
    seconds: float = 0.0
    method: str = "analytic"
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.value is None or isinstance(self.value, (str, bytes, bool, np.bool_)):
            raise TypeError(f"value must be a number or an array; got {v.describe(self.value)}")
        try:
            val = np.asarray(self.value)
        except (TypeError, ValueError):
            val = None
        if val is not None and val.dtype.kind in "fc" and np.any(np.isnan(val)):
            raise ValueError("value contains NaN: the measurement failed numerically")
        if isinstance(self.stderr, (str, bytes, bool, np.bool_)) or self.stderr is None:
            raise TypeError(f"stderr must be a number or an array; got {v.describe(self.stderr)}")
        try:
            se = np.asarray(self.stderr, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"stderr must be real numbers; got {v.describe(self.stderr)}") from None
        if np.any(se < 0) or np.any(np.isnan(se)):
            raise ValueError("stderr must be non-negative and not NaN")
        v.integer(self.samples, "samples", minimum=1)
        if self.seed is not None:
            v.seed(self.seed)
        v.real(self.seconds, "seconds", minimum=0.0)
        if not isinstance(self.method, str):
            raise TypeError(f"method must be a string; got {v.describe(self.method)}")
        if not isinstance(self.diagnostics, dict):
            raise TypeError(f"diagnostics must be a dict; got {v.describe(self.diagnostics)}")

    def summary(self) -> dict[str, Any]:
        """JSON-friendly summary: value, stderr, samples, method.

        Returns
        -------
        dict of str to object
            ``value`` and ``stderr`` as floats or lists (arrays over 64 entries as their
            shape and first values), ``samples`` and ``method``.
        """

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
    """A numpy Generator from an int seed, a SeedSequence or a Generator (returned as is).

    Parameters
    ----------
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        The seed; ``None`` is refused, so that every measurement is reproducible.

    Returns
    -------
    numpy.random.Generator
        ``seed`` itself when it is a Generator, else ``numpy.random.default_rng(seed)``.

    Raises
    ------
    ValueError
        If ``seed`` is ``None`` (or a negative integer).
    TypeError
        If ``seed`` is a bool, a float or another unsupported type.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        raise ValueError("seed must be given explicitly (an int, SeedSequence or Generator) for reproducibility")
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"seed must be an int, SeedSequence or Generator, got {type(seed).__name__}")
    v.seed(seed)
    return np.random.default_rng(seed)


def mean_estimate(x: np.ndarray, *, axis: int = 0, seed: int | None = None, seconds: float = 0.0) -> Estimate:
    r"""Sample mean with the analytic iid standard error ``s / sqrt(n)``.

    :math:`\bar x = \frac1n \sum_i x_i` with standard error :math:`s/\sqrt n`,
    :math:`s^2 = \frac{1}{n-1} \sum_i (x_i - \bar x)^2` the unbiased sample variance
    (e.g. Casella & Berger, *Statistical Inference*, 2nd ed. 2002, section 5.2).

    Parameters
    ----------
    x : array_like
        The samples, iid along ``axis``.
    axis : int, default 0
        The sample axis.
    seed : int, optional
        The measurement's seed, recorded in the estimate.
    seconds : float, default 0.0
        The measurement's wall time, recorded in the estimate.

    Returns
    -------
    Estimate
        The mean and its standard error, method ``"analytic"``.

    Raises
    ------
    ValueError
        If there are fewer than two samples.
    """
    x = v.array(x, "x", min_size=1)
    axis = v.integer(axis, "axis", minimum=-max(x.ndim, 1), maximum=max(x.ndim, 1) - 1)
    if seed is not None:
        seed = v.seed(seed)
    seconds = v.real(seconds, "seconds", minimum=0.0)
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
    r"""Nonparametric bootstrap standard error of ``statistic`` over the first axis of ``x``.

    With :math:`B` resamples :math:`x^{*b}` drawn with replacement,
    :math:`\widehat{\rm se} = \big(\frac{1}{B-1} \sum_b (T(x^{*b}) - \bar T^*)^2\big)^{1/2}`
    (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 6).

    Parameters
    ----------
    x : array_like
        The samples, iid along the first axis.
    statistic : callable
        :math:`T`: maps a resample (same shape as ``x``) to a number or an array.
    resamples : int, default 200
        The number :math:`B` of resamples, at least 10.
    seed : int or numpy.random.Generator, default 0
        Seed of the resampling (see :func:`as_generator`).

    Returns
    -------
    ndarray
        The standard error, of the statistic's shape.

    Raises
    ------
    ValueError
        If there are fewer than two samples or ``resamples < 10``.
    """
    x = v.array(x, "x", min_size=1, complex_ok=True)
    if x.ndim == 0 or x.shape[0] < 2:
        raise ValueError("need at least two samples to bootstrap")
    v.function(statistic, "statistic")
    resamples = v.integer(resamples, "resamples", minimum=10)
    rng = as_generator(seed)
    vals = [statistic(x[rng.integers(0, x.shape[0], x.shape[0])]) for _ in range(resamples)]
    return np.asarray(np.std(np.asarray(vals, dtype=float), axis=0, ddof=1))
