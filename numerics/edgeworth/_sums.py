r"""Monte Carlo of standardized sums of iid draws, with empirical summaries.

:math:`S_n = (X_1 + \dots + X_n - n\mu)/\sqrt{n\sigma^2}` is simulated by really
summing draws (no shortcut through a known law of the sum), vectorised and in
bounded memory.  The empirical CDF / density / quantiles and Fisher's
k-statistics with computed standard errors live in private modules and are
re-exported here.

Reproducibility across chunk sizes
----------------------------------
Random numbers are organised in *blocks* whose layout depends only on ``n``:
a block holds ``max(1, 2**16 // n)`` whole sums (or one sum drawn in pieces of
``2**16`` when ``n > 2**16``) and owns an independent generator spawned from
``SeedSequence(seed)`` (L'Ecuyer-style stream splitting; O'Neill 2014, PCG).
``chunk_draws`` only decides how many blocks are summed in one vectorised
step, so the results are identical for every ``chunk_draws``; the working
memory is about ``max(chunk_draws, 2**16)`` float64 values.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator

import numpy as np

from numerics import validate as v

__all__ = ["standardized_sums", "standardized_sum_counts", "BLOCK_DRAWS"]

#: Number of draws per random-number block (fixed: results do not depend on ``chunk_draws``).
BLOCK_DRAWS: int = 2**16

Sampler = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]


def _seed_sequence(seed: Any) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(0, 2**63)))
    if seed is None:
        raise TypeError("seed must be given explicitly (an int, SeedSequence or Generator); got None")
    return np.random.SeedSequence(v.seed(seed))


def _make_sampler(dist: Any) -> Sampler:
    if hasattr(dist, "rvs") and callable(dist.rvs):

        def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
            return dist.rvs(size=shape, random_state=rng)

        return draw
    if callable(dist):
        return dist
    raise TypeError(f"dist must be a frozen scipy.stats distribution or a callable sampler f(rng, shape) -> array; "
                    f"got {v.describe(dist)}")


def _moments(dist: Any, mean: Any, var: Any) -> tuple[float, float]:
    if mean is None or var is None:
        if not (hasattr(dist, "mean") and hasattr(dist, "var")):
            raise ValueError("mean and var must be given for a callable sampler")
        mean = float(dist.mean()) if mean is None else mean
        var = float(dist.var()) if var is None else var
    return v.real(mean, "mean"), v.real(var, "var", minimum=0.0, open_min=True)


def _checked(x: Any, shape: tuple[int, ...]) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.shape != shape:
        raise ValueError(f"sampler returned shape {a.shape}, expected {shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("sampler returned non-finite draws (NaN/inf)")
    return a


def _counts(n: Any, size: Any, chunk_draws: Any) -> tuple[int, int, int]:
    return (v.integer(n, "n", minimum=1), v.integer(size, "size", minimum=1),
            v.integer(chunk_draws, "chunk_draws", minimum=1))


def _iter_sums(dist: Any, n: Any, size: Any, mean: Any, var: Any, seed: Any, chunk_draws: Any) -> Iterator[np.ndarray]:
    draw = _make_sampler(dist)
    m, variance = _moments(dist, mean, var)
    ss = _seed_sequence(seed)
    scale = 1.0 / math.sqrt(n * variance)
    if n > BLOCK_DRAWS:  # one block per sum, drawn in fixed pieces
        for _ in range(size):
            (child,) = ss.spawn(1)
            rng = np.random.default_rng(child)
            acc, left = 0.0, n
            while left:
                k = min(BLOCK_DRAWS, left)
                acc += float(np.sum(_checked(draw(rng, (k,)), (k,)) - m))
                left -= k
            yield np.array([acc * scale])
        return
    rows_per_block = max(1, BLOCK_DRAWS // n)
    blocks_per_chunk = max(1, chunk_draws // (rows_per_block * n))
    done = 0
    while done < size:
        rows = min(size - done, rows_per_block * blocks_per_chunk)
        buf = np.empty((rows, n))
        r0 = 0
        for child in ss.spawn(math.ceil(rows / rows_per_block)):
            r1 = min(rows, r0 + rows_per_block)
            buf[r0:r1] = _checked(draw(np.random.default_rng(child), (r1 - r0, n)), (r1 - r0, n))
            r0 = r1
        buf -= m
        yield buf.sum(axis=1) * scale
        done += rows


def standardized_sums(
    dist: Any,
    n: int,
    size: int,
    *,
    mean: float | None = None,
    var: float | None = None,
    seed: int | np.random.SeedSequence | np.random.Generator,
    chunk_draws: int = 2**22,
) -> np.ndarray:
    r"""Draw ``size`` independent copies of :math:`S_n = \sum_{i=1}^n (X_i - \mu) / \sqrt{n \sigma^2}`.

    Parameters
    ----------
    dist
        A frozen ``scipy.stats`` distribution (``dist.rvs(size=..., random_state=rng)``)
        or a callable sampler ``f(rng, shape) -> array``.
    n
        Number of summands (>= 1).
    size
        Number of sums (>= 1).
    mean, var
        :math:`\mu` and :math:`\sigma^2 > 0` used to standardize (default: ``dist.mean()``,
        ``dist.var()`` for a frozen distribution; required for a callable).
    seed
        Int / SeedSequence / Generator; see the module docstring for how blocks are seeded.
    chunk_draws
        Draws summed per vectorised step (memory bound); does not change the result.

    Returns
    -------
    numpy.ndarray
        Shape ``(size,)``.

    References
    ----------
    Hall, "The Bootstrap and Edgeworth Expansion" (1992), sec. 2.2 (the statistic);
    O'Neill, "PCG" (2014) and numpy ``SeedSequence`` (independent streams).
    """
    n, size, chunk_draws = _counts(n, size, chunk_draws)
    ss = _seed_sequence(seed)  # once: a Generator seed is consumed
    out = np.empty(size)
    i = 0
    for s in _iter_sums(dist, n, size, mean, var, ss, chunk_draws):
        out[i : i + s.size] = s
        i += s.size
    return out


def standardized_sum_counts(
    dist: Any,
    n: int,
    size: int,
    edges: Any,
    *,
    mean: float | None = None,
    var: float | None = None,
    seed: int | np.random.SeedSequence | np.random.Generator,
    chunk_draws: int = 2**22,
) -> np.ndarray:
    r"""Histogram counts of ``size`` standardized sums, streamed (sums are never all stored).

    The ``len(edges) + 1`` bins are :math:`(-\infty, e_0), [e_0, e_1), \dots, [e_{last}, \infty)`,
    i.e. bin ``np.searchsorted(edges, s, side="right")``.  Same draws as
    :func:`standardized_sums` for the same arguments; the memory is that of one chunk.

    Parameters
    ----------
    dist, n, size, mean, var, seed, chunk_draws
        As for :func:`standardized_sums`.
    edges
        Strictly increasing, finite bin edges (at least one).

    Returns
    -------
    numpy.ndarray
        int64 counts of length ``len(edges) + 1``, summing to ``size``.

    References
    ----------
    Hall, "The Bootstrap and Edgeworth Expansion" (1992), sec. 2.2 (the statistic).
    """
    n, size, chunk_draws = _counts(n, size, chunk_draws)
    e = v.array(edges, "edges", ndim=1, min_size=1)
    if np.any(np.diff(e) <= 0):
        raise ValueError("edges must be strictly increasing")
    ss = _seed_sequence(seed)
    counts = np.zeros(e.size + 1, dtype=np.int64)
    for s in _iter_sums(dist, n, size, mean, var, ss, chunk_draws):
        counts += np.bincount(np.searchsorted(e, s, side="right"), minlength=e.size + 1)
    return counts
