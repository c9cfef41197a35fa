r"""The local learning coefficients of the :math:`k`-gon critical points of the toy model of superposition.

The model is :math:`f(x) = \mathrm{ReLU}(W^\top W x + b)`, :math:`W \in \mathbb R^{2\times c}`,
:math:`b \in \mathbb R^c` (Elhage et al., *Toy Models of Superposition*, 2022), with :math:`3c`
parameters, on the high-sparsity-limit inputs :math:`x = \mu e_i`, :math:`i` uniform on the
:math:`c` features and :math:`\mu \sim U[0, 1]` (Chen, Lau, Mendel, Wei & Murfet, *Dynamical versus
Bayesian phase transitions in a toy model of superposition*, arXiv:2310.06301, eq. (2)).  Its
:math:`k`-gon critical points put :math:`k` columns of :math:`W` on a regular :math:`k`-gon of radius
:math:`l^*` with biases :math:`b^*` (:math:`5 \le k \le 8`: :math:`l^*, b^*` solve the polynomial system of
the paper's appendix E), and the other :math:`c - k` columns at zero, :math:`\sigma` of them with
the positive bias :math:`1/(2c)` and the rest with a negative one.

Private module; the public names are re-exported by :mod:`theory.singular_learning`.
"""

from __future__ import annotations

from fractions import Fraction

from theory import validate as v

__all__ = ["rlct_tms_kgon", "TMS_KGONS"]

#: The :math:`k` for which the paper's :math:`k`-gon is a smooth critical point with a nondegenerate
#: Hessian transverse to its flat directions (the 4-gon has :math:`b^* = 0`, where the potential is
#: :math:`C^1` but not :math:`C^2`, and direction-dependent local coefficients; no :math:`k`-gon
#: critical point exists for :math:`9 \le k \le 11`).
TMS_KGONS = (5, 6, 7, 8)


def rlct_tms_kgon(k: int, n_features: int, positive_biases: int = 0) -> Fraction:
    r"""Local learning coefficient of the :math:`k`-gon critical point of the two-hidden-dimension TMS.

    .. math:: \lambda = \frac{3k - 1 + 3\sigma}{2}

    for :math:`k` live features on a regular :math:`k`-gon and :math:`\sigma` dead features with the
    positive bias :math:`1/(2c)` (the :math:`k^{\sigma+}`-gon), the others dead with a negative bias.
    The :math:`k` live columns and biases (:math:`3k` parameters) see a loss that is a nondegenerate
    quadratic transverse to the :math:`O(2)` orbit (one flat direction); a dead feature with a
    negative bias leaves the loss exactly unchanged near the critical point (every pre-activation
    it touches stays negative), three flat directions; one with a positive bias adds three
    nondegenerate directions (its bias and its two weights, which feed an active output).  A point
    where the loss is a nondegenerate quadratic form of rank :math:`r` in some coordinates and
    constant in the others has :math:`\lambda = r/2` (Watanabe 2009, sec. 7.1; Lau et al.,
    arXiv:2308.12108, sec. 3).  The values agree with those Chen et al. (arXiv:2310.06301) give for
    :math:`c = 6`: :math:`\lambda = 7` for the 5-gon, 8.5 for the :math:`5^{+}`-gon and the 6-gon, and
    :math:`(3c - 1)/2` for the :math:`c`-gon (derivation ``singular_learning-tms-kgon``).

    Parameters
    ----------
    k
        Live features, one of :data:`TMS_KGONS` (5 to 8).
    n_features
        :math:`c \ge k`.
    positive_biases
        :math:`\sigma`, dead features with a positive bias, :math:`0 \le \sigma \le c - k`.

    Returns
    -------
    Fraction
        :math:`\lambda` exactly.

    Raises
    ------
    TypeError
        A non-integer argument.
    ValueError
        ``k`` not in 5..8, ``n_features < k``, or ``positive_biases`` outside ``0 .. n_features - k``.

    References
    ----------
    Z. Chen, E. Lau, J. Mendel, S. Wei, D. Murfet, arXiv:2310.06301 v1 (2023): Lemma 3.1 (the
    potential), appendix E (the :math:`k`-gon critical points) and the local learning coefficients of
    the :math:`c = 6` critical points;
    S. Watanabe, *Algebraic Geometry and Statistical Learning Theory* (2009), sec. 7.1.
    """
    k = v.integer(k, "k", minimum=min(TMS_KGONS), maximum=max(TMS_KGONS))
    c = v.integer(n_features, "n_features", minimum=k)
    s = v.integer(positive_biases, "positive_biases", minimum=0, maximum=c - k)
    return Fraction(3 * k - 1 + 3 * s, 2)
