r"""PCA of an ensemble's trajectories pooled over members, with a jackknife over members.

For :math:`R` independent trajectories :math:`X_e \in \mathbb R^{T\times P}` (networks of an
ensemble) the pooled time-time Gram matrix :math:`S = \sum_e C X_e X_e^\top C` is the Gram
matrix of the concatenated trajectory :math:`[X_1, \dots, X_R] \in \mathbb R^{T\times RP}`:
its PCA over time has :math:`R` times the dimension of one member's, and its
explained-variance ratios :math:`\hat r_k = \lambda_k(S)/\operatorname{tr}S` estimate the ratios
of the expected Gram matrix :math:`E[CXX^\top C]` with a bias of order :math:`1/R`.

The delete-one jackknife over members (Quenouille 1956, Biometrika 43:353; Efron & Stein
1981, Ann. Statist. 9:586) removes that bias and gives the standard error:

.. math:: \hat r_k^{J} = R\,\hat r_k - (R-1)\,\bar r_k^{(\cdot)},\qquad
    \operatorname{se}_k = \Big(\frac{R-1}{R}\sum_{e}\big(\hat r_k^{(-e)} - \bar r_k^{(\cdot)}\big)^2\Big)^{1/2},

with :math:`\hat r^{(-e)}` the ratios of :math:`S - C X_e X_e^\top C`.  The remaining bias is
:math:`O(R^{-2})`; a t-distribution with :math:`R - 1` degrees of freedom calibrates the
standard error (Efron & Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 11).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numerics import validate as v
from numerics.random_walk._pca import Trajectory, _trajectory, time_gram

__all__ = ["PooledPCA", "pooled_pca"]


@dataclass(frozen=True)
class PooledPCA:
    r"""Explained-variance ratios of an ensemble's pooled trajectory PCA.

    Parameters
    ----------
    explained_variance_ratio : numpy.ndarray
        Jackknife bias-corrected ratios :math:`\hat r^J_k`, shape ``(k,)``.
    stderr : numpy.ndarray
        Jackknife standard errors, shape ``(k,)``.
    plugin : numpy.ndarray
        The ratios :math:`\lambda_k(S)/\operatorname{tr}S` of the pooled Gram matrix itself, shape ``(k,)``.
    components : numpy.ndarray
        Unit-norm PC time courses of the pooled Gram matrix, shape ``(k, T)`` (first entry >= 0).
    members : int
        R, the number of trajectories pooled.
    per_member : numpy.ndarray
        Each trajectory's own ratios :math:`\lambda_k(G_e)/\operatorname{tr}G_e`, shape ``(R, k)``
        (their mean is biased at finite dimension; reported for comparison).
    """

    explained_variance_ratio: np.ndarray
    stderr: np.ndarray
    plugin: np.ndarray
    components: np.ndarray
    members: int
    per_member: np.ndarray


def _ratios(G: torch.Tensor, k: int) -> torch.Tensor:
    w = torch.linalg.eigvalsh(G)
    return torch.flip(w, dims=(-1,))[..., :k] / torch.diagonal(G, dim1=-2, dim2=-1).sum(-1, keepdim=True)


def pooled_pca(X: Trajectory, n_components: int, *, chunk: int = 65536) -> PooledPCA:
    r"""Pooled PCA over time of ``R`` trajectories with a delete-one jackknife over them.

    See the module docstring: :math:`S = \sum_e C X_e X_e^\top C`, ratios
    :math:`\lambda_k(S)/\operatorname{tr} S`, jackknife bias correction and standard error
    (Quenouille 1956; Efron & Stein 1981).

    Parameters
    ----------
    X
        Trajectories of shape ``(R, T, P)`` with ``R >= 3`` (torch tensor, numpy array or memmap).
    n_components
        k, the number of leading ratios (an integer in ``[1, T-1]``).
    chunk
        Parameters per chunk when forming the Gram matrices (an integer >= 1).

    Returns
    -------
    PooledPCA
        The jackknifed ratios with their standard errors, the plug-in ratios, the pooled PC time
        courses and each member's own ratios.

    Raises
    ------
    TypeError, ValueError
        ``X`` is not a finite real array of shape ``(R >= 3, T >= 2, P)``, a member has zero
        variance, or another argument is of the wrong type or out of range.
    """
    X = _trajectory(X)
    if X.ndim != 3 or X.shape[0] < 3:
        raise ValueError(f"X must have shape (R >= 3, T, P); got {tuple(X.shape)}")
    R, T = X.shape[0], X.shape[1]
    k = v.integer(n_components, "n_components", minimum=1, maximum=T - 1)
    chunk = v.integer(chunk, "chunk", minimum=1)
    G = time_gram(X, chunk=chunk)
    if torch.any(torch.diagonal(G, dim1=-2, dim2=-1).sum(-1) <= 0):
        raise ValueError("a trajectory has zero variance over time; pooled PCA undefined")
    S = G.sum(0)
    plug = _ratios(S, k)
    loo = _ratios(S[None] - G, k)
    mean = loo.mean(0)
    jack = R * plug - (R - 1) * mean
    se = torch.sqrt((R - 1) / R * ((loo - mean) ** 2).sum(0))
    _, vec = torch.linalg.eigh(S)
    comp = torch.flip(vec, dims=(-1,))[:, :k].T
    comp = comp * torch.where(comp[:, :1] < 0, -1.0, 1.0).to(comp.dtype)
    return PooledPCA(jack.numpy().copy(), se.numpy().copy(), plug.numpy().copy(), comp.numpy().copy(), int(R),
                     _ratios(G, k).numpy().copy())
