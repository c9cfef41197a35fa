r"""Private part of :mod:`theory.cumulants`: set partitions, joint cumulants and moments, Wick/Isserlis pairings.

Joint cumulants and moments are sums over the set partitions of the index set
(Leonov & Shiryaev 1959; McCullagh 1987, *Tensor Methods in Statistics*, ch. 2-3); for a
centred Gaussian vector only the pair partitions survive (Isserlis 1918; Wick 1950).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Hashable, Iterator, Mapping, Sequence

import numpy as np
import sympy as sp

from theory import validate as v
from theory.cumulants._moments import _check_value, _items, _tidy

__all__ = ["set_partitions", "perfect_matchings", "joint_cumulant", "joint_moment", "wick_moment", "wick_count"]


def set_partitions(items: Sequence[Any]) -> Iterator[list[list[Any]]]:
    r"""All set partitions of ``items`` (:math:`B_k`, the Bell number, of them for ``k`` items), each a list of blocks.

    The first item always sits in the first block; blocks keep the input order.

    Parameters
    ----------
    items
        A sequence of labels (not a string; validated when called, not when iterated).

    Returns
    -------
    iterator of list of list
        The partitions, generated recursively.

    References
    ----------
    Knuth, *The Art of Computer Programming* vol. 4A, sec. 7.2.1.5.
    """
    return _set_partitions(_items(items, "items"))


def _set_partitions(seq: list[Any]) -> Iterator[list[list[Any]]]:
    if not seq:
        yield []
        return
    first, rest = seq[0], seq[1:]
    for part in _set_partitions(rest):
        yield [[first], *part]
        for i in range(len(part)):
            yield [*part[:i], [first, *part[i]], *part[i + 1 :]]


def perfect_matchings(items: Sequence[Any]) -> Iterator[list[tuple[Any, Any]]]:
    r"""All perfect matchings (pairings) of ``items``: :math:`(k-1)!!` of them for even ``k``, none for odd ``k``.

    Parameters
    ----------
    items
        A sequence of labels (not a string; validated when called).

    Returns
    -------
    iterator of list of tuple
        Each matching as a list of pairs.

    References
    ----------
    Isserlis, Biometrika 12 (1918) 134; McCullagh 1987, *Tensor Methods in Statistics*, sec. 2.5.
    """
    return _perfect_matchings(_items(items, "items"))


def _perfect_matchings(seq: list[Any]) -> Iterator[list[tuple[Any, Any]]]:
    if not seq:
        yield []
        return
    if len(seq) % 2:
        return
    a = seq[0]
    for i in range(1, len(seq)):
        for rest in _perfect_matchings(seq[1:i] + seq[i + 1 :]):
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
    for part in _set_partitions(list(range(len(labels)))):
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

    Returns
    -------
    number or sympy expression
        The joint cumulant (exact for exact moments).

    Raises
    ------
    TypeError, ValueError
        ``moment`` neither callable nor a mapping, a missing or invalid moment, no indices.

    References
    ----------
    McCullagh, "Tensor Methods in Statistics" (1987), eq. (2.9); Leonov & Shiryaev (1959).
    """
    labels = _items(indices, "indices")
    if not labels:
        raise ValueError("indices must name at least one variable (order >= 1)")
    return _partition_sum(_as_lookup(moment, "moment"), labels, "moment", signed=True)


def joint_moment(cumulant: Callable[[tuple[Any, ...]], Any] | Mapping[tuple[Any, ...], Any], indices: Sequence[Hashable]) -> Any:
    r"""Joint moment :math:`\mathbb E[X_{i_1} \cdots X_{i_r}] = \sum_\pi \prod_{B\in\pi} \kappa(X_B)` over set partitions.

    Parameters
    ----------
    cumulant
        ``cumulant(labels_tuple) -> kappa(X_label, ...)`` or a mapping from *sorted* label tuples.
    indices
        Variable labels; repeats allowed.

    Returns
    -------
    number or sympy expression
        The joint moment.

    References
    ----------
    McCullagh, "Tensor Methods in Statistics" (1987), eq. (2.8); Leonov & Shiryaev (1959).
    """
    labels = _items(indices, "indices")
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

    Returns
    -------
    number or sympy expression
        The moment (exact for exact covariances).

    Raises
    ------
    TypeError, ValueError
        A malformed or asymmetric covariance, a negative variance, an index that is not an
        integer in ``[0, d)``.

    References
    ----------
    Isserlis, Biometrika 12 (1918) 134; Wick, Phys. Rev. 80 (1950) 268;
    McCullagh (1987), sec. 2.5.
    """
    c = _check_cov(cov)
    idx = list(v.integers(indices, "indices", minimum=0, maximum=len(c) - 1, min_length=0))
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
    r"""Number of pairings of :math:`k` objects: :math:`(k-1)!! = k!/(2^{k/2}(k/2)!)` for even k, 0 for odd k.

    Parameters
    ----------
    k
        Number of objects (an integer >= 0).

    Returns
    -------
    int
        The number of perfect matchings, i.e. of terms in the Wick sum for a moment of order ``k``.

    References
    ----------
    Isserlis, Biometrika 12 (1918) 134; McCullagh (1987), sec. 2.5.
    """
    k = v.integer(k, "k", minimum=0)
    if k % 2:
        return 0
    return math.factorial(k) // (2 ** (k // 2) * math.factorial(k // 2))
