"""Private core of :mod:`theory.cumulants`: moment <-> cumulant recursions,
set partitions and Wick/Isserlis pairings.

All arithmetic here is ``+``, ``-`` and multiplication by Python integers, so
ints, :class:`fractions.Fraction`, sympy expressions and numpy float arrays all
pass through without loss (no integer division anywhere).
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Real
from typing import Any, Callable, Hashable, Iterator, Mapping, Sequence

import numpy as np
import sympy as sp

__all__ = [
    "moments_from_cumulants",
    "cumulants_from_moments",
    "central_moments_from_cumulants",
    "cumulants_from_central_moments",
    "set_partitions",
    "perfect_matchings",
    "joint_cumulant",
    "joint_moment",
    "wick_moment",
    "wick_count",
]


def _check_value(v: Any, name: str) -> Any:
    """Validate one moment / cumulant; returns it (numpy ints become Python ints)."""
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number, sympy expression or float array, got bool")
    if isinstance(v, (int, Fraction)):
        return v
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, sp.Basic):
        if not isinstance(v, sp.Expr):
            raise TypeError(f"{name} must be a sympy expression, got {type(v).__name__}")
        if v.is_number and (v.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or v.is_finite is False):
            raise ValueError(f"{name} must be finite, got {v}")
        return v
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(float(v)):
            raise ValueError(f"{name} must be finite, got {v}")
        return v
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "iu":
            v = v.astype(float)
        if v.dtype.kind != "f":
            raise TypeError(f"{name}: arrays must have a real numeric dtype, got {v.dtype}")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{name} must be finite (found NaN/inf in an array)")
        return v
    if isinstance(v, Real):
        return _check_value(float(v), name)
    raise TypeError(f"{name} must be an int, Fraction, float, numpy float array or sympy expression, got {type(v).__name__}")


def _check_sequence(seq: Any, name: str) -> list[Any]:
    if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__"):
        raise TypeError(f"{name} must be a sequence [x_1, x_2, ...], got {type(seq).__name__}")
    items = list(seq)  # copy: the caller's object is never mutated
    if len(items) < 1:
        raise ValueError(f"{name} must hold at least one value (order >= 1), got an empty sequence")
    return [_check_value(v, f"{name}[{i}]") for i, v in enumerate(items)]


def _tidy(v: Any) -> Any:
    return sp.expand(v) if isinstance(v, sp.Basic) else v


def moments_from_cumulants(cumulants: Sequence[Any]) -> list[Any]:
    r"""Raw moments :math:`m_1..m_r` from cumulants :math:`\kappa_1..\kappa_r`.

    Uses the recursion obtained by differentiating :math:`M = e^{K}`:

    .. math:: m_n = \sum_{j=1}^{n} \binom{n-1}{j-1} \kappa_j\, m_{n-j}, \qquad m_0 = 1 .

    Parameters
    ----------
    cumulants
        ``[k1, ..., kr]`` (ints, Fractions, floats, float arrays or sympy expressions; not mutated).

    Returns
    -------
    list
        ``[m1, ..., mr]`` of the same kind (ints stay ints).

    References
    ----------
    Smith, "A recursive formulation of the old problem of obtaining moments from
    cumulants and vice versa", Am. Stat. 49 (1995) 217; Kendall & Stuart vol. 1, sec. 3.14.
    """
    k = _check_sequence(cumulants, "cumulants")
    m: list[Any] = [1]
    for n in range(1, len(k) + 1):
        m.append(_tidy(sum(math.comb(n - 1, j - 1) * k[j - 1] * m[n - j] for j in range(1, n + 1))))
    return m[1:]


def cumulants_from_moments(moments: Sequence[Any]) -> list[Any]:
    r"""Cumulants :math:`\kappa_1..\kappa_r` from raw moments :math:`m_1..m_r`.

    Inverse of :func:`moments_from_cumulants`:

    .. math:: \kappa_n = m_n - \sum_{j=1}^{n-1} \binom{n-1}{j-1} \kappa_j\, m_{n-j}.

    References
    ----------
    Smith, Am. Stat. 49 (1995) 217; McCullagh, "Tensor Methods in Statistics" (1987), sec. 2.3.
    """
    m = _check_sequence(moments, "moments")
    mm = [1, *m]
    k: list[Any] = []
    for n in range(1, len(m) + 1):
        k.append(_tidy(mm[n] - sum(math.comb(n - 1, j - 1) * k[j - 1] * mm[n - j] for j in range(1, n))))
    return k


def central_moments_from_cumulants(cumulants: Sequence[Any]) -> list[Any]:
    r"""Central moments :math:`\mu_1 = 0, \mu_2, ..., \mu_r` from cumulants (``k1`` is ignored).

    :math:`\mu_n` is the raw moment of :math:`X - \kappa_1`, whose cumulants are
    :math:`(0, \kappa_2, \kappa_3, ...)` (Kendall & Stuart vol. 1, sec. 3.14).
    """
    k = _check_sequence(cumulants, "cumulants")
    return moments_from_cumulants([0, *k[1:]])


def cumulants_from_central_moments(central_moments: Sequence[Any], *, mean: Any = 0) -> list[Any]:
    r"""Cumulants from central moments ``[mu1 = 0, mu2, ..., mur]`` and the mean.

    :math:`\kappa_1 = ` ``mean``; for :math:`r \ge 2` the cumulants of :math:`X` and of
    :math:`X - \kappa_1` coincide (Kendall & Stuart vol. 1, sec. 3.14).

    Raises
    ------
    ValueError
        If ``central_moments[0]`` (the first central moment) is a non-zero number.
    """
    mu = _check_sequence(central_moments, "central_moments")
    first = mu[0]
    if isinstance(first, sp.Basic):
        nonzero = first.is_number and sp.simplify(first) != 0
    else:
        nonzero = bool(np.any(np.asarray(first, dtype=float) != 0))
    if nonzero:
        raise ValueError(f"central_moments[0] (the first central moment) must be 0, got {first}")
    k = cumulants_from_moments(mu)
    k[0] = _check_value(mean, "mean")
    return k


def set_partitions(items: Sequence[Any]) -> Iterator[list[list[Any]]]:
    """All set partitions of ``items`` (Bell(len(items)) of them), each a list of blocks.

    The first item always sits in the first block; blocks keep the input order.
    Reference: Knuth, TAOCP vol. 4A, sec. 7.2.1.5.
    """
    seq = list(items)
    if not seq:
        yield []
        return
    first, rest = seq[0], seq[1:]
    for part in set_partitions(rest):
        yield [[first], *part]
        for i in range(len(part)):
            yield [*part[:i], [first, *part[i]], *part[i + 1 :]]


def perfect_matchings(items: Sequence[Any]) -> Iterator[list[tuple[Any, Any]]]:
    """All perfect matchings (pairings) of ``items``: (k-1)!! for even k, none for odd k."""
    seq = list(items)
    if not seq:
        yield []
        return
    if len(seq) % 2:
        return
    a = seq[0]
    for i in range(1, len(seq)):
        for rest in perfect_matchings(seq[1:i] + seq[i + 1 :]):
            yield [(a, seq[i]), *rest]


def _as_lookup(fn: Callable[[tuple[Any, ...]], Any] | Mapping[tuple[Any, ...], Any], name: str) -> Callable[[tuple[Any, ...]], Any]:
    if isinstance(fn, Mapping):
        table = dict(fn)

        def look(key: tuple[Any, ...]) -> Any:
            k = tuple(sorted(key))
            if k not in table:
                raise ValueError(f"{name} has no entry for the sorted index tuple {k}")
            return table[k]

        return look
    if not callable(fn):
        raise TypeError(f"{name} must be a callable on index tuples or a mapping from sorted index tuples")
    return fn


def _partition_sum(fn: Callable[[tuple[Any, ...]], Any], labels: list[Hashable], name: str, signed: bool) -> Any:
    cache: dict[tuple[int, ...], Any] = {}

    def val(block: list[int]) -> Any:
        key = tuple(block)
        if key not in cache:
            cache[key] = _check_value(fn(tuple(labels[p] for p in block)), f"{name}{tuple(labels[p] for p in block)}")
        return cache[key]

    total: Any = 0
    for part in set_partitions(range(len(labels))):
        term: Any = 1
        for block in part:
            term = term * val(block)
        if signed:
            nu = len(part)
            term = (-1) ** (nu - 1) * math.factorial(nu - 1) * term
        total = total + term
    return _tidy(total)


def joint_cumulant(moment: Callable[[tuple[Any, ...]], Any] | Mapping[tuple[Any, ...], Any], indices: Sequence[Hashable]) -> Any:
    r"""Joint cumulant :math:`\kappa(X_{i_1}, ..., X_{i_r})` from joint moments, via set partitions.

    .. math:: \kappa(X_1,\dots,X_r) = \sum_{\pi} (|\pi|-1)!\,(-1)^{|\pi|-1}
              \prod_{B \in \pi} \mathbb E\Big[\prod_{i \in B} X_i\Big],

    the sum running over all set partitions :math:`\pi` of :math:`\{1..r\}`.

    Parameters
    ----------
    moment
        ``moment(labels_tuple) -> E[prod X_label]`` or a mapping from *sorted* label tuples.
    indices
        Variable labels; repeats allowed (``(0, 0, 1)`` is :math:`\kappa(X_0, X_0, X_1)`).

    References
    ----------
    McCullagh, "Tensor Methods in Statistics" (1987), eq. (2.9); Leonov & Shiryaev (1959).
    """
    labels = list(indices)
    if not labels:
        raise ValueError("indices must name at least one variable (order >= 1)")
    return _partition_sum(_as_lookup(moment, "moment"), labels, "moment", signed=True)


def joint_moment(cumulant: Callable[[tuple[Any, ...]], Any] | Mapping[tuple[Any, ...], Any], indices: Sequence[Hashable]) -> Any:
    r"""Joint moment :math:`\mathbb E[X_{i_1} \cdots X_{i_r}] = \sum_\pi \prod_{B\in\pi} \kappa(X_B)`.

    ``cumulant`` is a callable on label tuples or a mapping from sorted label tuples.
    Reference: McCullagh (1987), eq. (2.8).
    """
    labels = list(indices)
    if not labels:
        raise ValueError("indices must name at least one variable (order >= 1)")
    return _partition_sum(_as_lookup(cumulant, "cumulant"), labels, "cumulant", signed=False)


def _check_cov(cov: Any) -> list[list[Any]]:
    if isinstance(cov, sp.MatrixBase):
        rows = [list(cov.row(i)) for i in range(cov.rows)]
    elif isinstance(cov, np.ndarray):
        if cov.ndim != 2:
            raise ValueError(f"cov must be a square matrix, got an array of shape {cov.shape}")
        rows = [list(r) for r in cov.tolist()]
    else:
        try:
            rows = [list(r) for r in cov]
        except TypeError as exc:
            raise TypeError("cov must be a square matrix (nested sequence, numpy array or sympy Matrix)") from exc
    d = len(rows)
    if d == 0 or any(len(r) != d for r in rows):
        raise ValueError(f"cov must be a non-empty square matrix, got row lengths {[len(r) for r in rows]}")
    rows = [[_check_value(v, f"cov[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(rows)]
    for i in range(d):
        di = rows[i][i]
        if not isinstance(di, sp.Basic) or di.is_number:
            if float(di) < 0:
                raise ValueError(f"cov[{i}][{i}] is a variance and must be >= 0, got {di}")
        for j in range(i):
            a, b = rows[i][j], rows[j][i]
            if isinstance(a, sp.Basic) or isinstance(b, sp.Basic):
                bad = sp.simplify(sp.sympify(a) - sp.sympify(b)) != 0
            else:
                bad = not math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-300)
            if bad:
                raise ValueError(f"cov must be symmetric; cov[{i}][{j}]={a} != cov[{j}][{i}]={b}")
    return rows


def wick_moment(cov: Any, indices: Sequence[int]) -> Any:
    r"""Gaussian moment :math:`\mathbb E[x_{i_1}\cdots x_{i_k}]` for :math:`x \sim N(0, C)` by Wick/Isserlis.

    .. math:: \mathbb E[x_{i_1}\cdots x_{i_k}] = \sum_{\text{pairings } p}\ \prod_{(a,b)\in p} C_{i_a i_b},

    zero for odd :math:`k`; the sum has :math:`(k-1)!!` terms (evaluated by the
    recursion on the partner of the first factor, memoised).

    Parameters
    ----------
    cov
        Symmetric covariance matrix (nested sequence, numpy array or sympy Matrix; not mutated).
    indices
        Integer indices into ``cov``, repeats allowed.

    References
    ----------
    Isserlis, Biometrika 12 (1918) 134; Wick, Phys. Rev. 80 (1950) 268;
    McCullagh (1987), sec. 2.5.
    """
    c = _check_cov(cov)
    idx = list(indices)
    for i in idx:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"indices must be integers, got {type(i).__name__}")
        if not 0 <= int(i) < len(c):
            raise ValueError(f"indices must lie in [0, {len(c) - 1}], got {i}")
    memo: dict[tuple[int, ...], Any] = {}

    def rec(t: tuple[int, ...]) -> Any:
        if not t:
            return 1
        if len(t) % 2:
            return 0
        if t in memo:
            return memo[t]
        a, rest = t[0], t[1:]
        tot: Any = 0
        for j in range(len(rest)):
            tot = tot + c[a][rest[j]] * rec(rest[:j] + rest[j + 1 :])
        memo[t] = tot
        return tot

    return _tidy(rec(tuple(int(i) for i in idx)))


def wick_count(k: int) -> int:
    r"""Number of pairings of :math:`k` objects: :math:`(k-1)!! = k!/(2^{k/2}(k/2)!)` for even k, 0 for odd k."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be an int, got {type(k).__name__}")
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    k = int(k)
    if k % 2:
        return 0
    return math.factorial(k) // (2 ** (k // 2) * math.factorial(k // 2))
