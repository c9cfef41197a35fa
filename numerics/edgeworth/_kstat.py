"""Private: Fisher's k-statistics of any order with jackknife standard errors (re-exported by numerics.edgeworth)."""

from __future__ import annotations

import functools
import math
import time
from fractions import Fraction
from typing import Any, Iterator

import numpy as np

from numerics import validate as v
from numerics.estimate import Estimate

__all__ = ["k_statistics", "MAX_KSTAT_ORDER"]

#: Highest order supported (the coefficient tables grow like Bell(order)^2).
MAX_KSTAT_ORDER = 8


def _set_partitions(items: list[int]) -> Iterator[list[list[int]]]:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _set_partitions(rest):
        yield [[first], *part]
        for i in range(len(part)):
            yield [*part[:i], [first, *part[i]], *part[i + 1 :]]


@functools.lru_cache(maxsize=None)
def _kstat_terms(r: int) -> tuple[tuple[tuple[int, ...], int, Fraction], ...]:
    """k_r = sum coef * prod_j S_{p_j} / (n)_nu as (powers, nu, coef) triples.

    kappa_r = sum_pi (-1)^(nu-1) (nu-1)! prod_B mu'_|B|; each product of raw moments over
    the blocks is estimated without bias by the U-statistic sum_{distinct i} prod_B x_{i_B}^|B| / (n)_nu,
    and that distinct-index sum is sum_sigma mu(sigma) prod_C S_{lambda_C} (Moebius inversion on
    the partition lattice, mu(sigma) = prod_C (-1)^(|C|-1) (|C|-1)!).
    """
    acc: dict[tuple[tuple[int, ...], int], Fraction] = {}
    for pi in _set_partitions(list(range(r))):
        nu = len(pi)
        c_pi = (-1) ** (nu - 1) * math.factorial(nu - 1)
        lam = [len(b) for b in pi]
        for sigma in _set_partitions(list(range(nu))):
            mu = math.prod((-1) ** (len(c) - 1) * math.factorial(len(c) - 1) for c in sigma)
            powers = tuple(sorted(sum(lam[j] for j in c) for c in sigma))
            key = (powers, nu)
            acc[key] = acc.get(key, Fraction(0)) + c_pi * mu
    return tuple((p, nu, c) for (p, nu), c in sorted(acc.items()) if c != 0)


def _falling(n: Any, k: int) -> Any:
    out = 1.0
    for i in range(k):
        out = out * (n - i)
    return out


def _kstats_from_power_sums(S: list[Any], n: Any, order: int) -> list[Any]:
    """k_1..k_order from power sums S[j] = sum x^j (S[0] unused); n may be an array."""
    out = []
    for r in range(1, order + 1):
        tot: Any = 0.0
        for powers, nu, c in _kstat_terms(r):
            tot = tot + float(c) * math.prod((S[p] for p in powers), start=1.0) / _falling(n, nu)
        out.append(tot)
    return out


def k_statistics(x: Any, order: int = 4, *, jackknife_chunk: int = 2**18) -> Estimate:
    r"""Fisher's k-statistics :math:`k_1, \dots, k_{order}`: the unbiased symmetric estimators of the cumulants.

    With power sums :math:`S_j = \sum_i (x_i - c)^j` (centred at the sample mean
    :math:`c`, which leaves :math:`k_{r\ge2}` unchanged and avoids cancellation),

    .. math:: k_r = \sum_{\pi} (-1)^{|\pi|-1}(|\pi|-1)!\,
              \frac{1}{(N)_{|\pi|}} \sum_{\text{distinct } i_B} \prod_{B\in\pi} x_{i_B}^{|B|},

    e.g. :math:`k_2 = (N S_2 - S_1^2)/(N(N-1))`; each distinct-index sum is a
    polynomial in the :math:`S_j` (Moebius inversion over set partitions), so
    :math:`\mathbb E\,k_r = \kappa_r` exactly for every :math:`N > r`.

    Standard errors: delete-one jackknife, :math:`\mathrm{se}^2 = \frac{N-1}{N}\sum_i (k_{r,(i)} - \bar k_{r,(\cdot)})^2`,
    computed exactly from the leave-one-out power sums :math:`S_j - (x_i-c)^j` (vectorised, chunked).

    Parameters
    ----------
    x
        iid samples (flattened; not mutated); at least ``order + 1`` values.
    order
        Highest cumulant order, 1..8.
    jackknife_chunk
        Leave-one-out replicates evaluated per vectorised step (memory bound).

    Returns
    -------
    Estimate
        ``value`` and ``stderr`` are arrays of length ``order``; ``method="jackknife"``.

    References
    ----------
    Fisher, Proc. London Math. Soc. 30 (1929) 199; Kendall & Stuart vol. 1, ch. 12;
    McCullagh (1987), ch. 4; Efron & Stein, Ann. Statist. 9 (1981) 586 (jackknife).
    """
    t0 = time.perf_counter()
    order = v.integer(order, "order", minimum=1, maximum=MAX_KSTAT_ORDER)
    jackknife_chunk = v.integer(jackknife_chunk, "jackknife_chunk", minimum=1)
    a = v.array(x, "x").ravel()
    n = a.size
    if n < order + 1:  # k_r needs N >= r; its delete-one jackknife needs N - 1 >= r
        raise ValueError(f"x must hold at least order + 1 = {order + 1} samples, got {n}")
    c = float(a.mean())
    d = a - c
    S: list[Any] = [float(n)]
    p = np.ones_like(d)
    for _ in range(order):
        p = p * d
        S.append(float(p.sum()))
    ks = _kstats_from_power_sums(S, float(n), order)
    ks[0] = ks[0] + c
    full = np.array(ks)
    # jackknife: accumulate sum (k_(i) - k_full) and its square, chunk by chunk
    s1 = np.zeros(order)
    s2 = np.zeros(order)
    for lo in range(0, n, int(jackknife_chunk)):
        di = d[lo : lo + int(jackknife_chunk)]
        pw = [None] + [di**j for j in range(1, order + 1)]
        Si = [S[0] - 1.0] + [S[j] - pw[j] for j in range(1, order + 1)]
        kj = _kstats_from_power_sums(Si, float(n - 1), order)
        kj[0] = kj[0] + c
        for r in range(order):
            dev = np.asarray(kj[r]) - full[r]
            s1[r] += dev.sum()
            s2[r] += (dev**2).sum()
    var = (n - 1) / n * (s2 - s1**2 / n)
    se = np.sqrt(np.maximum(var, 0.0))
    return Estimate(full, se, n, None, time.perf_counter() - t0, "jackknife", {"order": order, "center": c})
