r"""PCA of high-dimensional random walks: cosine components and explained variances.

A random walk :math:`x_t = \sum_{s=1}^{t} \xi_s`, :math:`t = 1..T`, with iid isotropic
Gaussian increments in :math:`d` dimensions, is analysed by PCA over its :math:`T` time
points (the trajectory centred over time).  The expected time-time Gram matrix is
:math:`d\,\sigma^2 M` with :math:`M = C L L^\top C`, :math:`L` the lower-triangular matrix of
ones and :math:`C = I - \mathbf{1}\mathbf{1}^\top/T`.  Its eigen-decomposition is exact:

.. math::

    \lambda_k = \frac{1}{4 \sin^2(\pi k / 2T)},\qquad
    u_k(t) \propto \cos\!\Big(\frac{\pi k (t - 1/2)}{T}\Big),\qquad k = 1..T-1,

with :math:`\sum_k \lambda_k = (T^2 - 1)/6`, so the explained-variance ratio of PC k is
:math:`r_k = 6 / (4 (T^2-1) \sin^2(\pi k/2T)) \to 6/(\pi^2 k^2)` as :math:`T\to\infty`.

For finite :math:`d` the sample Gram matrix is a Wishart matrix with :math:`d` degrees of
freedom; the first omitted terms (Lawley 1956; Anderson 1963) are

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
import sympy as sp

from theory.derivation import Derivation, register_derivation

__all__ = [
    "random_walk_eigenvalues",
    "random_walk_components",
    "explained_variance_ratios",
    "explained_variance_ratio_limit",
    "eigenvalue_bias",
    "cosine_overlap",
    "ratio_bias",
    "random_walk_pca_derivation",
]


def _steps(T: int) -> int:
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)):
        raise TypeError(f"T (number of time points) must be an int, got {type(T).__name__}")
    if T < 2:
        raise ValueError(f"T (number of time points) must be >= 2, got {T}")
    return int(T)


def _ks(T: int, n_components: int | None) -> np.ndarray:
    if n_components is None:
        n_components = T - 1
    if isinstance(n_components, bool) or not isinstance(n_components, (int, np.integer)):
        raise TypeError("n_components must be an int")
    if not 1 <= n_components <= T - 1:
        raise ValueError(f"n_components must be in [1, T-1] = [1, {T - 1}], got {n_components}")
    return np.arange(1, int(n_components) + 1)


def random_walk_eigenvalues(T: int, n_components: int | None = None) -> np.ndarray:
    r"""Eigenvalues of the centred random-walk covariance :math:`M = C L L^\top C`.

    .. math:: \lambda_k = \frac{1}{4\sin^2(\pi k/2T)}, \quad k = 1..T-1

    (per dimension and per unit increment variance; Antognini & Sohl-Dickstein 2018, sec. 3).

    Parameters
    ----------
    T
        Number of time points of the walk (>= 2).
    n_components
        How many leading eigenvalues (default all ``T - 1`` non-zero ones).

    Returns
    -------
    numpy.ndarray
        Decreasing eigenvalues, shape ``(n_components,)``.
    """
    T = _steps(T)
    k = _ks(T, n_components)
    return 1.0 / (4.0 * np.sin(np.pi * k / (2.0 * T)) ** 2)


def random_walk_components(T: int, n_components: int | None = None) -> np.ndarray:
    r"""Unit-norm principal components over time, :math:`u_k(t) \propto \cos(\pi k (t-1/2)/T)`.

    Returns an array of shape ``(n_components, T)``; row ``k-1`` is the k-th PC's time course
    (Antognini & Sohl-Dickstein 2018, arXiv:1806.08805, Theorem 1; the sign is arbitrary).
    """
    T = _steps(T)
    k = _ks(T, n_components)
    t = np.arange(1, T + 1)
    u = np.cos(np.pi * np.outer(k, t - 0.5) / T)
    return u / np.linalg.norm(u, axis=1, keepdims=True)


def explained_variance_ratios(T: int, n_components: int | None = None) -> np.ndarray:
    r"""Exact finite-T explained-variance ratios :math:`r_k = 6/(4(T^2-1)\sin^2(\pi k/2T))`.

    The denominator uses :math:`\operatorname{tr} M = \sum_k \lambda_k = (T^2-1)/6`.
    Reference: Antognini & Sohl-Dickstein (2018), eq. (7).
    """
    lam = random_walk_eigenvalues(T, n_components)
    return lam * 6.0 / (T * T - 1.0)


def explained_variance_ratio_limit(n_components: int) -> np.ndarray:
    r"""The :math:`T\to\infty` limit :math:`r_k = 6/(\pi^2 k^2)` (Antognini & Sohl-Dickstein 2018)."""
    if isinstance(n_components, bool) or not isinstance(n_components, (int, np.integer)) or n_components < 1:
        raise ValueError(f"n_components must be an int >= 1, got {n_components!r}")
    k = np.arange(1, int(n_components) + 1)
    return 6.0 / (np.pi**2 * k**2)


def _dims(d: int) -> int:
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise ValueError(f"d (dimension) must be an int >= 1, got {d!r}")
    return int(d)


def eigenvalue_bias(T: int, d: int, n_components: int | None = None) -> np.ndarray:
    r"""First-order finite-d bias of the sample eigenvalues, relative to :math:`\lambda_k`.

    .. math:: \frac{E\hat\lambda_k - \lambda_k}{\lambda_k}
        = \frac1d\sum_{j\ne k}\frac{\lambda_j}{\lambda_k-\lambda_j} + O(d^{-2})

    (Lawley 1956, eq. 3; the Gram matrix is Wishart with ``d`` degrees of freedom).
    """
    T, d = _steps(T), _dims(d)
    lam_all = random_walk_eigenvalues(T)
    k = _ks(T, n_components)
    out = np.empty(k.size)
    for i in range(k.size):
        other = np.delete(lam_all, i)
        out[i] = np.sum(other / (lam_all[i] - other)) / d
    return out


def cosine_overlap(T: int, d: int, n_components: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""Expected squared overlap of the sample PC with its cosine, to first order in 1/d.

    .. math:: E|\langle\hat u_k,u_k\rangle|^2 = 1 - \frac1d\sum_{j\ne k}
        \frac{\lambda_k\lambda_j}{(\lambda_k-\lambda_j)^2} + O(d^{-2})

    (Anderson 1963, Theorem 1, first-order eigenvector perturbation of a Wishart matrix).

    Returns
    -------
    (overlap, truncation)
        The prediction and the size of the first omitted term, taken as the square of
        the first-order correction (the expansion parameter is that correction).
    """
    T, d = _steps(T), _dims(d)
    lam_all = random_walk_eigenvalues(T)
    k = _ks(T, n_components)
    corr = np.empty(k.size)
    for i in range(k.size):
        other = np.delete(lam_all, i)
        corr[i] = np.sum(lam_all[i] * other / (lam_all[i] - other) ** 2) / d
    return 1.0 - corr, corr**2 + 0.0


@register_derivation("random-walk-pca")
def random_walk_pca_derivation() -> Derivation:
    """Derivation of the cosine PCs and explained-variance ratios of a random walk."""
    t, s, k, T, d = sp.symbols("t s k T d", positive=True, integer=True)
    sigma = sp.Symbol("sigma", positive=True)
    lam = 1 / (4 * sp.sin(sp.pi * k / (2 * T)) ** 2)
    ratio = lam * 6 / (T**2 - 1)
    eps = sp.Symbol("epsilon", positive=True)
    d_ = (
        Derivation(
            "random-walk-pca",
            "PCA of a high-dimensional random walk",
            "Explained-variance ratios and principal components over time of a d-dimensional "
            "Gaussian random walk of T steps, exact for finite T, with the first finite-d corrections.",
            assumptions=[
                "increments iid N(0, sigma^2 I_d); the trajectory is centred over time before PCA",
                "expected Gram matrix exact for any d; fluctuations are Wishart with d degrees of freedom",
            ],
            references=[
                "J. Antognini, J. Sohl-Dickstein, PCA of high dimensional random walks with comparison "
                "to neural network training, NeurIPS 2018, arXiv:1806.08805",
                "D. N. Lawley, Biometrika 43 (1956) 128 (bias of sample eigenvalues)",
                "T. W. Anderson, Ann. Math. Statist. 34 (1963) 122 (eigenvector asymptotics)",
            ],
            truncation="Finite-d terms of order 1/d are given; the first omitted terms are O(1/d^2).",
        )
        .step("The walk is x_t = sum_{s<=t} xi_s, so E<x_t, x_s> = d sigma^2 min(t, s).",
              sp.Eq(sp.Symbol("E<x_t,x_s>"), d * sigma**2 * sp.Min(t, s)))
        .step("Centring over time multiplies by C = I - 11^T/T on both sides: M = C L L^T C. "
              "M^+ is the Neumann discrete Laplacian, whose eigenvectors are cosines.",
              sp.Eq(sp.Function("u_k")(t), sp.cos(sp.pi * k * (t - sp.Rational(1, 2)) / T)))
        .step("The eigenvalues are the inverse Laplacian eigenvalues.", sp.Eq(sp.Symbol("lambda_k"), lam))
        .step("Their sum is tr M = (T^2 - 1)/6.",
              sp.Eq(sp.Sum(lam, (k, 1, T - 1)), (T**2 - 1) / 6))
        .step("Explained-variance ratio of PC k.", sp.Eq(sp.Symbol("r_k"), ratio))
        .step("For T -> infinity the ratios tend to 6/(pi^2 k^2) (evaluated with T = 1/epsilon, epsilon -> 0).",
              sp.Eq(sp.Limit(ratio, T, sp.oo), sp.limit(ratio.subs(T, 1 / eps), eps, 0)))
    )
    lk, lj = sp.symbols("lambda_k lambda_j", positive=True)
    d_.step("Finite d: sample eigenvalue bias (Lawley 1956).",
            sp.Eq(sp.Symbol(r'\mathbb{E}\hat{\lambda}_k') - lk, sp.Sum(lk * lj / (lk - lj), (sp.Symbol("j"), 1, T - 1)) / d))  # the sum runs over j != k
    d_.step("Finite d: overlap of the sample PC with its cosine (Anderson 1963).",
            sp.Eq(sp.Symbol(r'\mathbb{E}|\langle\hat{u}_k,u_k\rangle|^2'), 1 - sp.Sum(lk * lj / (lk - lj) ** 2, (sp.Symbol("j"), 1, T - 1)) / d))  # the sum runs over j != k
    return d_




def ratio_bias(T: int, d: int, n_components: int | None = None) -> np.ndarray:
    r"""First-order finite-d bias of the explained-variance ratios :math:`\hat r_k = \hat\lambda_k/\operatorname{tr}\hat G`.

    With :math:`\operatorname{Cov}(\hat\lambda_k, \operatorname{tr}\hat G) = 2\lambda_k^2/d` and
    :math:`\operatorname{Var}\operatorname{tr}\hat G = 2\operatorname{tr}M^2/d` (Gaussian increments),
    the delta method gives

    .. math:: E\hat r_k - r_k = r_k\Big[\frac{b_k}{\lambda_k} - \frac{2\lambda_k}{d\operatorname{tr}M}
        + \frac{2\operatorname{tr}M^2}{d(\operatorname{tr}M)^2}\Big] + O(d^{-2}),

    :math:`b_k` the eigenvalue bias of :func:`eigenvalue_bias` (Lawley 1956; Anderson 1963).
    """
    T, d = _steps(T), _dims(d)
    lam_all = random_walk_eigenvalues(T)
    k = _ks(T, n_components)
    tr, tr2 = lam_all.sum(), np.sum(lam_all**2)
    lam = lam_all[: k.size]
    return (lam / tr) * (eigenvalue_bias(T, d, k.size) - 2 * lam / (d * tr) + 2 * tr2 / (d * tr**2))
