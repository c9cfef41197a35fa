r"""PCA of high-dimensional random walks: cosine components, explained variances, finite-d terms.

A random walk :math:`x_t = \sum_{s=1}^{t} \xi_s`, :math:`t = 1..T`, with iid isotropic
increments in :math:`d` dimensions, is analysed by PCA over its :math:`T` time points (the
trajectory centred over time).  The expected time-time Gram matrix is
:math:`d\,\sigma^2 M` with :math:`M = C L L^\top C`, :math:`L` the lower-triangular matrix of
ones and :math:`C = I - \mathbf{1}\mathbf{1}^\top/T`.  Its eigen-decomposition is exact:

.. math::

    \lambda_k = \frac{1}{4 \sin^2(\pi k / 2T)},\qquad
    u_k(t) \propto \cos\!\Big(\frac{\pi k (t - 1/2)}{T}\Big),\qquad k = 1..T-1,

with :math:`\sum_k \lambda_k = (T^2 - 1)/6`, so the explained-variance ratio of PC k is
:math:`r_k = 6 / (4 (T^2-1) \sin^2(\pi k/2T)) \to 6/(\pi^2 k^2)` as :math:`T\to\infty`.

For Gaussian increments and finite :math:`d` the sample Gram matrix is a Wishart matrix with
:math:`d` degrees of freedom; its first-order finite-d terms (Lawley 1956; Anderson 1963) are

.. math::

    E\hat\lambda_k = \lambda_k + \frac1d \sum_{j\ne k} \frac{\lambda_k\lambda_j}{\lambda_k-\lambda_j}
      + O(d^{-2}),\qquad
    E\,|\langle \hat u_k, u_k\rangle|^2 = 1 - \frac1d \sum_{j\ne k}
      \frac{\lambda_k\lambda_j}{(\lambda_k-\lambda_j)^2} + O(d^{-2}).

References: Antognini & Sohl-Dickstein, "PCA of high dimensional random walks with
comparison to neural network training", NeurIPS 2018 (arXiv:1806.08805);
D. N. Lawley, Biometrika 43 (1956) 128; T. W. Anderson, Ann. Math. Statist. 34 (1963) 122.
"""

from __future__ import annotations

import numpy as np

from theory import validate as v

__all__ = [
    "random_walk_eigenvalues",
    "random_walk_components",
    "explained_variance_ratios",
    "explained_variance_ratio_limit",
    "eigenvalue_bias",
    "ratio_bias",
    "cosine_overlap",
    "ratio_remainder_bound",
    "overlap_remainder_bound",
]


def _steps(T: int) -> int:
    return v.integer(T, "T (number of time points)", minimum=2)


def _ks(T: int, n_components: int | None) -> np.ndarray:
    if n_components is None:
        return np.arange(1, T)
    k = v.integer(n_components, "n_components", minimum=1, maximum=T - 1)
    return np.arange(1, k + 1)


def _dims(d: int) -> int:
    return v.integer(d, "d (dimension)", minimum=1)


def random_walk_eigenvalues(T: int, n_components: int | None = None) -> np.ndarray:
    r"""Eigenvalues of the centred random-walk covariance :math:`M = C L L^\top C`.

    .. math:: \lambda_k = \frac{1}{4\sin^2(\pi k/2T)}, \quad k = 1..T-1

    per dimension and per unit increment variance (Antognini & Sohl-Dickstein 2018,
    arXiv:1806.08805, sec. 3: :math:`M^{+}` is the discrete Neumann Laplacian).

    Parameters
    ----------
    T
        Number of time points of the walk (an integer >= 2).
    n_components
        How many leading eigenvalues (an integer in ``[1, T-1]``; default all ``T - 1``
        non-zero ones).

    Returns
    -------
    numpy.ndarray
        Decreasing eigenvalues, shape ``(n_components,)``.

    Raises
    ------
    TypeError
        ``T`` or ``n_components`` is not an integer.
    ValueError
        Either is out of range.
    """
    T = _steps(T)
    k = _ks(T, n_components)
    return 1.0 / (4.0 * np.sin(np.pi * k / (2.0 * T)) ** 2)


def random_walk_components(T: int, n_components: int | None = None) -> np.ndarray:
    r"""Unit-norm principal components over time, :math:`u_k(t) \propto \cos(\pi k (t-\tfrac12)/T)`.

    The eigenvectors of :math:`M = C L L^\top C` (Antognini & Sohl-Dickstein 2018,
    arXiv:1806.08805, Theorem 1; the sign is arbitrary and fixed here by :math:`u_k(1) > 0`).

    Parameters
    ----------
    T, n_components
        As in :func:`random_walk_eigenvalues`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_components, T)``; row ``k-1`` is the k-th PC's time course.

    Raises
    ------
    TypeError, ValueError
        As :func:`random_walk_eigenvalues`.
    """
    T = _steps(T)
    k = _ks(T, n_components)
    t = np.arange(1, T + 1)
    u = np.cos(np.pi * np.outer(k, t - 0.5) / T)
    return u / np.linalg.norm(u, axis=1, keepdims=True)


def explained_variance_ratios(T: int, n_components: int | None = None) -> np.ndarray:
    r"""Exact finite-T explained-variance ratios of a random walk.

    .. math:: r_k = \frac{\lambda_k}{\operatorname{tr} M} = \frac{6}{4(T^2-1)\sin^2(\pi k/2T)},
        \qquad \operatorname{tr} M = \sum_{k=1}^{T-1} \lambda_k = \frac{T^2-1}{6}

    (Antognini & Sohl-Dickstein 2018, arXiv:1806.08805, eq. 7).

    Parameters
    ----------
    T, n_components
        As in :func:`random_walk_eigenvalues`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_components,)``; all ``T - 1`` ratios sum to one.

    Raises
    ------
    TypeError, ValueError
        As :func:`random_walk_eigenvalues`.
    """
    T = _steps(T)
    lam = random_walk_eigenvalues(T, n_components)
    return lam * 6.0 / (T * T - 1.0)


def explained_variance_ratio_limit(n_components: int) -> np.ndarray:
    r"""The :math:`T\to\infty` limit of the ratios, :math:`r_k = 6/(\pi^2 k^2)`.

    From :math:`\sin x \sim x` in :func:`explained_variance_ratios` (Antognini &
    Sohl-Dickstein 2018, arXiv:1806.08805, eq. 8).

    Parameters
    ----------
    n_components
        How many leading ratios (an integer >= 1).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_components,)``.

    Raises
    ------
    TypeError
        ``n_components`` is not an integer.
    ValueError
        ``n_components < 1``.
    """
    n = v.integer(n_components, "n_components", minimum=1)
    k = np.arange(1, n + 1)
    return 6.0 / (np.pi**2 * k**2)


def _eigen_sums(T: int, k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``lam_all``, ``sum_j lam_j/(lam_k - lam_j)`` and ``sum_j lam_k lam_j/(lam_k - lam_j)^2`` (j != k)."""
    lam = random_walk_eigenvalues(T)
    lk = lam[k - 1][:, None]
    diff = lk - lam[None, :]
    mask = np.ones_like(diff, dtype=bool)
    mask[np.arange(k.size), k - 1] = False
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = np.where(mask, lam[None, :] / diff, 0.0).sum(1)
        s2 = np.where(mask, lk * lam[None, :] / diff**2, 0.0).sum(1)
    return lam, s1, s2


def eigenvalue_bias(T: int, d: int, n_components: int | None = None) -> np.ndarray:
    r"""First-order finite-d bias of the sample eigenvalues, relative to :math:`\lambda_k`.

    .. math:: \frac{E\hat\lambda_k - \lambda_k}{\lambda_k}
        = \frac1d\sum_{j\ne k}\frac{\lambda_j}{\lambda_k-\lambda_j} + O(d^{-2})

    for Gaussian increments, the Gram matrix being Wishart with ``d`` degrees of freedom
    (Lawley 1956, Biometrika 43:128, eq. 3).

    Parameters
    ----------
    T, n_components
        As in :func:`random_walk_eigenvalues`.
    d
        Dimension of the walk (an integer >= 1).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_components,)``.

    Raises
    ------
    TypeError, ValueError
        An argument is not an integer or out of range.
    """
    T, d = _steps(T), _dims(d)
    k = _ks(T, n_components)
    return _eigen_sums(T, k)[1] / d


def ratio_bias(T: int, d: int, n_components: int | None = None) -> np.ndarray:
    r"""First-order finite-d bias of the explained-variance ratios :math:`\hat r_k = \hat\lambda_k/\operatorname{tr}\hat G`.

    With :math:`\operatorname{Cov}(\hat\lambda_k, \operatorname{tr}\hat G) = 2\lambda_k^2/d` and
    :math:`\operatorname{Var}\operatorname{tr}\hat G = 2\operatorname{tr}M^2/d` (Gaussian increments),
    the delta method gives

    .. math:: E\hat r_k - r_k = r_k\Big[\frac{b_k}{\lambda_k} - \frac{2\lambda_k}{d\operatorname{tr}M}
        + \frac{2\operatorname{tr}M^2}{d(\operatorname{tr}M)^2}\Big] + O(d^{-2}),

    :math:`b_k/\lambda_k` the relative eigenvalue bias of :func:`eigenvalue_bias` (Lawley 1956;
    Anderson 1963, Ann. Math. Statist. 34:122; delta method: Anderson, *An Introduction to
    Multivariate Statistical Analysis*, 3rd ed., sec. 4.2.3).

    Parameters
    ----------
    T, d, n_components
        As in :func:`eigenvalue_bias`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_components,)``.

    Raises
    ------
    TypeError, ValueError
        An argument is not an integer or out of range.
    """
    T, d = _steps(T), _dims(d)
    k = _ks(T, n_components)
    lam_all, s1, _ = _eigen_sums(T, k)
    tr, tr2 = lam_all.sum(), np.sum(lam_all**2)
    lam = lam_all[k - 1]
    return (lam / tr) * (s1 / d - 2 * lam / (d * tr) + 2 * tr2 / (d * tr**2))


def cosine_overlap(T: int, d: int, n_components: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""Expected squared overlap of the sample PC with its cosine, to first order in 1/d.

    .. math:: E|\langle\hat u_k,u_k\rangle|^2 = 1 - c_k + O(d^{-2}),\qquad
        c_k = \frac1d\sum_{j\ne k} \frac{\lambda_k\lambda_j}{(\lambda_k-\lambda_j)^2}

    (Anderson 1963, Ann. Math. Statist. 34:122, Theorem 1: first-order eigenvector
    perturbation of a Wishart matrix with ``d`` degrees of freedom).

    Parameters
    ----------
    T, d, n_components
        As in :func:`eigenvalue_bias`.

    Returns
    -------
    (overlap, correction)
        :math:`1 - c_k` and the first-order term :math:`c_k`, each of shape ``(n_components,)``.

    Raises
    ------
    TypeError, ValueError
        An argument is not an integer or out of range.
    """
    T, d = _steps(T), _dims(d)
    k = _ks(T, n_components)
    corr = _eigen_sums(T, k)[2] / d
    return 1.0 - corr, corr


def ratio_remainder_bound(T: int, d: int, n_components: int | None = None) -> np.ndarray:
    r"""Bound on the :math:`O(d^{-2})` remainder of :func:`ratio_bias`: the first-order term itself.

    .. math:: \big|E\hat r_k - r_k - \Delta_k\big| \le |\Delta_k|,\qquad \Delta_k = \text{ratio\_bias}_k

    The remainder is the next term of Lawley's (1956) expansion, smaller than the first by a
    factor of order :math:`\max_j c_j` (:func:`cosine_overlap`).  Calibrated against Monte
    Carlo of Gaussian walks (``tests/theory/test_random_walk.py``): for
    :math:`12 \le T \le 40`, :math:`20 \le d \le 200` the remainder is at most a quarter of
    :math:`|\Delta_k|`.

    Parameters
    ----------
    T, d, n_components
        As in :func:`eigenvalue_bias`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_components,)``.

    Raises
    ------
    TypeError, ValueError
        An argument is not an integer or out of range.
    """
    return np.abs(ratio_bias(T, d, n_components))


def overlap_remainder_bound(T: int, d: int, n_components: int) -> np.ndarray:
    r"""Bound on the :math:`O(d^{-2})` remainder of :func:`cosine_overlap`.

    .. math:: \big|E|\langle\hat u_k,u_k\rangle|^2 - (1 - c_k)\big| \le 4\,c_k\,\epsilon_K,
        \qquad \epsilon_K = \max_{j\le K} c_j ,

    the first-order term times the expansion parameter of the compared components
    (Anderson 1963, Ann. Math. Statist. 34:122, the expansion being in powers of :math:`c`).
    The constant is calibrated against Monte Carlo of Gaussian walks
    (``tests/theory/test_random_walk.py``): for :math:`12 \le T \le 40`,
    :math:`20 \le d \le 200` the remainder is close to :math:`-c_k(c_k + 2c_1)`, at most
    :math:`3.4\,c_k\epsilon_K`.

    Parameters
    ----------
    T, d
        As in :func:`eigenvalue_bias`.
    n_components
        K, the number of compared components (an integer in ``[1, T-1]``).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_components,)``.

    Raises
    ------
    TypeError, ValueError
        An argument is not an integer or out of range.
    """
    T = _steps(T)
    k = v.integer(n_components, "n_components", minimum=1, maximum=T - 1)
    c = cosine_overlap(T, d, k)[1]
    return 4.0 * c * c.max()
