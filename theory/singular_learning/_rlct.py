"""Exact real log canonical thresholds (RLCTs): normal crossing, reduced rank, deep linear.

Private module; the public names are re-exported by :mod:`theory.singular_learning`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from theory import validate as v

__all__ = ["rlct_normal_crossing", "rlct_reduced_rank", "rlct_deep_linear", "parameter_count"]


def rlct_normal_crossing(
    powers: Sequence[int], prior_powers: Sequence[int] | None = None
) -> tuple[Fraction, int]:
    r"""RLCT and multiplicity of a normal-crossing model.

    For :math:`K(w) = \prod_j w_j^{2k_j}` and a prior
    :math:`\varphi(w) \propto \prod_j |w_j|^{h_j}` (positive near the origin when all
    :math:`h_j = 0`), the zeta function :math:`\zeta(z) = \int K^z \varphi\,dw` has poles at
    :math:`z = -(h_j + 1)/(2 k_j)`, so

    .. math:: \lambda = \min_j \frac{h_j + 1}{2 k_j}, \qquad
              m = \#\{j : (h_j + 1)/(2k_j) = \lambda\}.

    Coordinates with :math:`k_j = 0` do not enter :math:`K` and contribute no pole.

    Parameters
    ----------
    powers
        The exponents :math:`k_j \ge 0` (integers), at least one positive.
    prior_powers
        The prior exponents :math:`h_j \ge 0` (integers); default all zero.

    Returns
    -------
    (lambda, m)
        ``lambda`` an exact :class:`fractions.Fraction`, ``m`` an int.

    References
    ----------
    Watanabe, *Algebraic Geometry and Statistical Learning Theory* (2009), sec. 2.4 and Thm 6.1.
    """
    ks = v.integers(powers, "powers", minimum=0)
    if max(ks) == 0:
        raise ValueError(f"powers must contain at least one positive exponent; got {list(ks)}")
    hs = (0,) * len(ks) if prior_powers is None else v.integers(prior_powers, "prior_powers", minimum=0, length=len(ks))
    cands = [Fraction(h + 1, 2 * k) for k, h in zip(ks, hs) if k > 0]
    lam = min(cands)
    return lam, sum(1 for c in cands if c == lam)


def rlct_reduced_rank(input_dim: int, output_dim: int, hidden: int, rank: int) -> tuple[Fraction, int]:
    r"""RLCT of reduced-rank regression :math:`y = BAx`, :math:`A \in \mathbb R^{H\times M}`,
    :math:`B \in \mathbb R^{N\times H}`, with a true map of rank :math:`r`.

    Aoyagi & Watanabe (2005), Main Theorem, with :math:`M` = input, :math:`N` = output,
    :math:`H` = hidden width:

    * :math:`N + r \le M + H,\ M + r \le N + H,\ H + r \le M + N`:
      :math:`\lambda = [2(H+r)(M+N) - (M-N)^2 - (H+r)^2]/8` with :math:`m = 1` if
      :math:`M+N+H+r` is even, else :math:`\lambda` gets :math:`+1/8` and :math:`m = 2`;
    * :math:`M + H < N + r`: :math:`\lambda = (HM - Hr + Nr)/2`;
    * :math:`N + H < M + r`: :math:`\lambda = (HN - Hr + Mr)/2`;
    * :math:`M + N < H + r`: :math:`\lambda = MN/2`; :math:`m = 1` in the last three.

    This is an implementation independent of :func:`rlct_deep_linear` (which reduces
    to it for one hidden layer).

    Parameters
    ----------
    input_dim, output_dim, hidden
        :math:`M, N, H \ge 1`.
    rank
        True rank :math:`0 \le r \le \min(M, N, H)`.

    Returns
    -------
    (lambda, m)
        exact :class:`fractions.Fraction` and int.

    References
    ----------
    M. Aoyagi, S. Watanabe, "Stochastic complexities of reduced rank regression in
    Bayesian estimation", Neural Networks 18 (2005) 924-933.
    """
    M = v.integer(input_dim, "input_dim", minimum=1)
    N = v.integer(output_dim, "output_dim", minimum=1)
    H = v.integer(hidden, "hidden", minimum=1)
    r = v.integer(rank, "rank", minimum=0, maximum=min(M, N, H))
    if M + H < N + r:
        return Fraction(H * M - H * r + N * r, 2), 1
    if N + H < M + r:
        return Fraction(H * N - H * r + M * r, 2), 1
    if M + N < H + r:
        return Fraction(M * N, 2), 1
    base = 2 * (H + r) * (M + N) - (M - N) ** 2 - (H + r) ** 2
    if (M + N + H + r) % 2 == 0:
        return Fraction(base, 8), 1
    return Fraction(base + 1, 8), 2


def parameter_count(widths: Sequence[int]) -> int:
    r"""Number of weights :math:`d = \sum_i H_i H_{i+1}` of a bias-free deep linear network.

    Parameters
    ----------
    widths
        ``(input, hidden..., output)``, each >= 1, at least two entries.

    Returns
    -------
    int

    References
    ----------
    M. Aoyagi, Neural Networks 172 (2024) 106132, sec. 2 (the model).
    """
    ws = v.integers(widths, "widths", minimum=1, min_length=2)
    return sum(a * b for a, b in zip(ws[:-1], ws[1:]))


def rlct_deep_linear(widths: Sequence[int], rank: int) -> tuple[Fraction, int]:
    r"""RLCT and multiplicity of a deep linear network :math:`x \mapsto W_L\cdots W_1 x`.

    With widths :math:`H_1` (input), ..., :math:`H_{L+1}` (output), true rank :math:`r`
    and :math:`\Delta_i = H_i - r`, Aoyagi (2024, Theorem 1) takes the unique
    :math:`\ell \ge 1` and set :math:`\Sigma` of :math:`\ell + 1` indices of the smallest
    :math:`\Delta_i` with

    .. math:: \max_{\Sigma}\Delta < \min_{\Sigma^c}\Delta,\quad
              \sum_{\Sigma}\Delta \ge \ell\,\max_{\Sigma}\Delta,\quad
              \sum_{\Sigma}\Delta < \ell\,\min_{\Sigma^c}\Delta,

    and with :math:`S = \sum_\Sigma \Delta_i`, :math:`a = S - \ell\lfloor S/\ell \rfloor`:

    .. math:: \lambda = \frac{r(H_1 + H_{L+1}) - r^2}{2} + \frac{a(\ell - a)}{4\ell}
              - \frac{(\ell - 1) S^2}{4\ell} + \frac12\sum_{i<j\in\Sigma}\Delta_i\Delta_j,
              \qquad m = a(\ell - a) + 1.

    (Ties among the :math:`\Delta_i` are resolved by sorting; the value does not depend
    on which of equal widths is taken.)  For one hidden layer this is Aoyagi & Watanabe
    (2005), see :func:`rlct_reduced_rank`.

    Parameters
    ----------
    widths
        ``(input, hidden..., output)``, each >= 1, at least two entries.
    rank
        True rank :math:`0 \le r \le \min_i H_i`.

    Returns
    -------
    (lambda, m)
        exact :class:`fractions.Fraction` and int.

    References
    ----------
    M. Aoyagi, "Consideration on the learning efficiency of multiple-layered neural
    networks with linear units", Neural Networks 172 (2024) 106132.
    """
    ws = v.integers(widths, "widths", minimum=1, min_length=2)
    r = v.integer(rank, "rank", minimum=0, maximum=min(ws))
    delta = sorted(w - r for w in ws)
    base = Fraction(r * (ws[0] + ws[-1]) - r * r, 2)
    for ell in range(1, len(delta)):
        sel = delta[: ell + 1]
        S = sum(sel)
        if S < ell * sel[-1]:
            continue
        if ell + 1 < len(delta) and not S < ell * delta[ell + 1]:
            continue
        a = S % ell
        pair = sum(sel[i] * sel[j] for i in range(len(sel)) for j in range(i + 1, len(sel)))
        lam = base + Fraction(a * (ell - a), 4 * ell) - Fraction((ell - 1) * S * S, 4 * ell) + Fraction(pair, 2)
        return lam, a * (ell - a) + 1
    raise AssertionError("no admissible index set found; Aoyagi's theorem guarantees one")  # pragma: no cover
