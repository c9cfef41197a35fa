r"""PCA over time of parameter trajectories, in bounded memory.

A trajectory is a matrix :math:`X \in \mathbb{R}^{T\times P}` (T recorded time points, P
parameters).  Its PCA over time needs only the centred time-time Gram matrix
:math:`G = C X X^\top C` (:math:`C = I - \mathbf 1\mathbf 1^\top/T`): the eigenvalues of G are
the explained variances and its eigenvectors the PC time courses (the parameter-space PCs
:math:`X^\top C v_k/\sqrt{\lambda_k}` are never needed here).  G is accumulated over chunks of
parameters, so memory is :math:`O(T^2 + T\cdot\text{chunk})` whatever P is.  For very long
trajectories a randomised eigensolver (Halko, Martinsson & Tropp, SIAM Rev. 53 (2011) 217,
Alg. 4.4 with power iterations) with chunked products avoids the :math:`T\times T` matrix.

Reference for the application: Antognini & Sohl-Dickstein, arXiv:1806.08805.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch

from numerics import validate as v

__all__ = ["time_gram", "TrajectoryPCA", "trajectory_pca"]

Trajectory = np.ndarray | torch.Tensor


def _trajectory(X: object, name: str = "X") -> Trajectory:
    """A real trajectory array of shape (..., T >= 2, P >= 1); never copied (it may be a memmap)."""
    if isinstance(X, (bool, np.bool_)) or not isinstance(X, (np.ndarray, torch.Tensor)):
        raise TypeError(f"{name} must be a numpy array or torch tensor of shape (..., T, P); got {v.describe(X)}")
    if isinstance(X, np.ndarray):
        kind = X.dtype.kind
    else:
        kind = "b" if X.dtype == torch.bool else "c" if X.is_complex() else "f" if X.is_floating_point() else "i"
    if kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers; got dtype {X.dtype}")
    if X.ndim < 2 or X.shape[-2] < 2 or X.shape[-1] < 1:
        raise ValueError(f"{name} must have shape (..., T >= 2, P >= 1); got {tuple(X.shape)}")
    return X


def _blocks(X: Trajectory, chunk: int, center: bool) -> Iterator[torch.Tensor]:
    """Float64 column blocks of X (copies), centred over time, checked finite."""
    for a in range(0, X.shape[-1], chunk):
        part = X[..., a:a + chunk]
        blk = (part.detach().to("cpu") if isinstance(part, torch.Tensor)
               else torch.from_numpy(np.array(part, dtype=np.float64)))
        blk = blk.to(torch.float64)
        if not torch.isfinite(blk).all():
            raise ValueError("X (trajectory) contains non-finite values")
        yield blk - blk.mean(dim=-2, keepdim=True) if center else blk


def time_gram(X: Trajectory, *, center: bool = True, chunk: int = 65536) -> torch.Tensor:
    r"""Time-time Gram matrix :math:`G = C X X^\top C` accumulated over parameter chunks.

    :math:`G_{tt'} = \sum_p (x_{tp} - \bar x_p)(x_{t'p} - \bar x_p)`; its eigenpairs are the PCA
    of the trajectory over time (Antognini & Sohl-Dickstein 2018, arXiv:1806.08805, sec. 2).

    Parameters
    ----------
    X
        Trajectory of shape ``(..., T, P)`` (torch tensor, numpy array or ``numpy.memmap``);
        leading dimensions are independent trajectories (batched).
    center
        Subtract the time mean of each parameter (PCA over time).
    chunk
        Parameters per chunk (an integer >= 1); extra memory is ``O(T * chunk)``.

    Returns
    -------
    torch.Tensor
        Shape ``(..., T, T)``, float64, on the CPU.

    Raises
    ------
    TypeError, ValueError
        ``X`` is not a real array of shape ``(..., T >= 2, P)`` or has non-finite entries;
        ``center`` is not a bool; ``chunk`` is not a positive integer.
    """
    X = _trajectory(X)
    center = v.boolean(center, "center")
    chunk = v.integer(chunk, "chunk", minimum=1)
    T = X.shape[-2]
    G = torch.zeros(*tuple(X.shape[:-2]), T, T, dtype=torch.float64)
    for blk in _blocks(X, chunk, center):
        G += blk @ blk.transpose(-1, -2)
    return G


@dataclass(frozen=True)
class TrajectoryPCA:
    r"""PCA of a trajectory over time (returned by :func:`trajectory_pca`).

    Parameters
    ----------
    explained_variance : numpy.ndarray
        Leading eigenvalues :math:`\lambda_k` of the centred Gram matrix, shape ``(..., k)``.
    explained_variance_ratio : numpy.ndarray
        :math:`\lambda_k/\operatorname{tr} G`, shape ``(..., k)``.
    components : numpy.ndarray
        Unit-norm PC time courses, shape ``(..., k, T)`` (sign fixed so that the first entry is >= 0).
    """

    explained_variance: np.ndarray
    explained_variance_ratio: np.ndarray
    components: np.ndarray


def _randomized_eig(X: Trajectory, k: int, oversample: int, n_iter: int, seed: int,
                    chunk: int, center: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Randomised range finder with power iterations on X X^T, products chunked over P."""
    T = X.shape[-2]
    lead = tuple(X.shape[:-2])
    g = torch.Generator().manual_seed(seed)
    ell = min(T, k + oversample)

    def gram_apply(Q: torch.Tensor) -> torch.Tensor:  # (X X^T) Q without forming X X^T
        out = torch.zeros(*lead, T, Q.shape[-1], dtype=torch.float64)
        for b in _blocks(X, chunk, center):
            out += b @ (b.transpose(-1, -2) @ Q)
        return out

    Q = torch.linalg.qr(torch.randn(*lead, T, ell, generator=g, dtype=torch.float64)).Q
    for _ in range(n_iter + 1):
        Q = torch.linalg.qr(gram_apply(Q)).Q
    B = Q.transpose(-1, -2) @ gram_apply(Q)
    w, vec = torch.linalg.eigh(0.5 * (B + B.transpose(-1, -2)))
    total = torch.zeros(lead, dtype=torch.float64)
    for b in _blocks(X, chunk, center):
        total += torch.sum(b * b, dim=(-1, -2))
    return w, Q @ vec, total


def trajectory_pca(
    X: Trajectory, n_components: int, *, center: bool = True, method: str = "gram",
    chunk: int = 65536, oversample: int = 10, n_iter: int = 4, seed: int = 0,
) -> TrajectoryPCA:
    r"""PCA over time of one or many trajectories, in bounded memory.

    ``method="gram"``: exact eigen-decomposition of :math:`G = C X X^\top C` (see
    :func:`time_gram`).  ``method="randomized"``: randomised eigensolver with ``n_iter`` power
    iterations (Halko, Martinsson & Tropp 2011, Alg. 4.4), memory
    :math:`O(T(k + \text{oversample}) + T\cdot\text{chunk})`.  The explained-variance ratio is
    :math:`\lambda_k/\operatorname{tr}G` (Antognini & Sohl-Dickstein 2018, arXiv:1806.08805).

    Parameters
    ----------
    X
        Trajectory of shape ``(..., T, P)`` (as :func:`time_gram`).
    n_components
        k, the number of leading components (an integer in ``[1, T-1]`` when centred, ``[1, T]`` otherwise).
    center, chunk
        As :func:`time_gram`.
    method
        ``"gram"`` or ``"randomized"``.
    oversample, n_iter
        Extra random directions and power iterations of the randomised solver (integers >= 0).
    seed
        Seed of the randomised solver (a non-negative integer).

    Returns
    -------
    TrajectoryPCA
        The leading explained variances, their ratios and the PC time courses.

    Raises
    ------
    TypeError, ValueError
        An argument of the wrong type or out of range; a trajectory with zero variance.
    """
    X = _trajectory(X)
    center = v.boolean(center, "center")
    T = X.shape[-2]
    k = v.integer(n_components, "n_components", minimum=1, maximum=T - 1 if center else T)
    method = v.choice(method, "method", ("gram", "randomized"))
    chunk = v.integer(chunk, "chunk", minimum=1)
    oversample = v.integer(oversample, "oversample", minimum=0)
    n_iter = v.integer(n_iter, "n_iter", minimum=0)
    seed = v.seed(seed)
    if method == "gram":
        G = time_gram(X, center=center, chunk=chunk)
        w, vec = torch.linalg.eigh(G)
        total = torch.diagonal(G, dim1=-2, dim2=-1).sum(-1)
    else:
        w, vec, total = _randomized_eig(X, k, oversample, n_iter, seed, chunk, center)
    if torch.any(total <= 0):
        raise ValueError("trajectory has zero variance over time; PCA undefined")
    w = torch.flip(w, dims=(-1,))[..., :k]
    vec = torch.flip(vec, dims=(-1,))[..., :k].transpose(-1, -2)
    vec = vec * torch.where(vec[..., :1] < 0, -1.0, 1.0).to(vec.dtype)
    return TrajectoryPCA(w.numpy().copy(), (w / total[..., None]).numpy().copy(), vec.numpy().copy())
