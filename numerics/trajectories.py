r"""Recording parameter trajectories and their PCA over time, in bounded memory.

A trajectory is a matrix :math:`X \in \mathbb{R}^{T\times P}` (T recorded time points, P
parameters).  Its PCA over time needs only the centred time-time Gram matrix
:math:`G = C X X^\top C` (:math:`C = I - \mathbf 1\mathbf 1^\top/T`): the eigenvalues of G are
the explained variances and its eigenvectors the PC time courses (the parameter-space PCs
are :math:`X^\top C v_k/\sqrt{\lambda_k}` and are never needed here).  G is accumulated over
chunks of parameters, so memory is :math:`O(T^2 + T\cdot\text{chunk})` whatever P is.
For very long trajectories a randomised SVD (Halko, Martinsson & Tropp, SIAM Rev. 53 (2011)
217, Alg. 4.4) with chunked products avoids the :math:`T\times T` matrix, and
:class:`TrajectoryRecorder` either stores the trajectory (in RAM or a disk memmap) or keeps a
streaming Gaussian sketch :math:`X R^\top/\sqrt m` (Johnson & Lindenstrauss 1984), whose Gram
matrix is unbiased for :math:`XX^\top`.

Reference for the application: Antognini & Sohl-Dickstein, arXiv:1806.08805.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["random_walks", "time_gram", "TrajectoryPCA", "trajectory_pca", "TrajectoryRecorder"]


def _pos_int(name: str, v: int, lo: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
        raise ValueError(f"{name} must be an int >= {lo}, got {v!r}")
    return int(v)


def random_walks(
    T: int, d: int, replicates: int = 1, *, seed: int, sigma: float = 1.0,
    device: str | torch.device = "cpu", dtype: torch.dtype = torch.float64,
) -> torch.Tensor:
    r"""Independent Gaussian random walks :math:`x_t = \sum_{s\le t}\xi_s`, :math:`\xi_s\sim N(0,\sigma^2 I_d)`.

    Returns a tensor of shape ``(replicates, T, d)`` (all replicates in one tensor program).
    Reference: Antognini & Sohl-Dickstein (2018), sec. 3.
    """
    T, d, R = _pos_int("T", T, 2), _pos_int("d", d), _pos_int("replicates", replicates)
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be finite and > 0, got {sigma}")
    g = torch.Generator(device="cpu").manual_seed(int(seed))
    xi = torch.randn(R, T, d, generator=g, dtype=dtype).to(device) * sigma
    return torch.cumsum(xi, dim=1)


def _as_tensor(X: np.ndarray | torch.Tensor) -> torch.Tensor:
    if isinstance(X, torch.Tensor):
        return X
    return torch.from_numpy(np.ascontiguousarray(np.asarray(X)))


def time_gram(X: np.ndarray | torch.Tensor, *, center: bool = True, chunk: int = 65536) -> torch.Tensor:
    r"""Time-time Gram matrix :math:`G = C X X^\top C` accumulated over parameter chunks.

    Parameters
    ----------
    X
        Trajectory of shape ``(..., T, P)`` (torch tensor, numpy array or ``numpy.memmap``);
        leading dimensions are independent trajectories (batched).
    center
        Subtract the time mean of each parameter (PCA over time).
    chunk
        Parameters per chunk; extra memory is ``O(T * chunk)``.

    Returns
    -------
    torch.Tensor
        Shape ``(..., T, T)`` in float64.
    """
    chunk = _pos_int("chunk", chunk)
    if X.ndim < 2:
        raise ValueError(f"X must have shape (..., T, P), got {tuple(X.shape)}")
    T, P = X.shape[-2], X.shape[-1]
    G = None
    for a in range(0, P, chunk):
        blk = _as_tensor(X[..., a:a + chunk]).to(torch.float64)
        if not torch.isfinite(blk).all():
            raise ValueError("X (trajectory) contains non-finite values")
        if center:
            blk = blk - blk.mean(dim=-2, keepdim=True)
        part = blk @ blk.transpose(-1, -2)
        G = part if G is None else G + part
    assert G is not None and G.shape[-1] == T
    return G


@dataclass(frozen=True)
class TrajectoryPCA:
    """PCA of a trajectory over time.

    Attributes
    ----------
    explained_variance
        Leading eigenvalues of the centred Gram matrix, shape ``(..., k)``.
    explained_variance_ratio
        The same divided by the total variance :math:`\\operatorname{tr} G`.
    components
        Unit-norm PC time courses, shape ``(..., k, T)`` (sign fixed so that the first entry is >= 0).
    """

    explained_variance: np.ndarray
    explained_variance_ratio: np.ndarray
    components: np.ndarray


def _randomized_eig(X: torch.Tensor | np.ndarray, k: int, oversample: int, n_iter: int, seed: int,
                    chunk: int, center: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Randomised range finder with power iterations on X X^T, products chunked over P."""
    T, P = X.shape[-2], X.shape[-1]
    lead = tuple(X.shape[:-2])
    g = torch.Generator().manual_seed(int(seed))
    ell = min(T, k + oversample)

    def blocks():  # noqa: ANN202 - local generator
        for a in range(0, P, chunk):
            b = _as_tensor(X[..., a:a + chunk]).to(torch.float64)
            yield b - b.mean(dim=-2, keepdim=True) if center else b

    def gram_apply(Q: torch.Tensor) -> torch.Tensor:  # (X X^T) Q without forming X X^T
        out = torch.zeros(*lead, T, Q.shape[-1], dtype=torch.float64)
        for b in blocks():
            out += b @ (b.transpose(-1, -2) @ Q)
        return out

    Q = torch.linalg.qr(torch.randn(*lead, T, ell, generator=g, dtype=torch.float64)).Q
    for _ in range(n_iter + 1):
        Q = torch.linalg.qr(gram_apply(Q)).Q
    B = Q.transpose(-1, -2) @ gram_apply(Q)
    w, v = torch.linalg.eigh(0.5 * (B + B.transpose(-1, -2)))
    total = sum(torch.sum(b * b, dim=(-1, -2)) for b in blocks())
    return w, Q @ v, total


def trajectory_pca(
    X: np.ndarray | torch.Tensor, n_components: int, *, center: bool = True, method: str = "gram",
    chunk: int = 65536, oversample: int = 10, n_iter: int = 4, seed: int = 0,
) -> TrajectoryPCA:
    r"""PCA over time of one or many trajectories, in bounded memory.

    ``method="gram"``: exact eigen-decomposition of :math:`G = C X X^\top C` (see
    :func:`time_gram`).  ``method="randomized"``: randomised SVD with ``n_iter`` power
    iterations (Halko, Martinsson & Tropp 2011, Alg. 4.4), memory
    :math:`O(T(k + \text{oversample}) + T\cdot\text{chunk})`.  The explained-variance ratio is
    :math:`\lambda_k/\operatorname{tr}G` (Antognini & Sohl-Dickstein 2018).
    """
    if method not in ("gram", "randomized"):
        raise ValueError(f"method must be 'gram' or 'randomized', got {method!r}")
    if X.ndim < 2:
        raise ValueError(f"X must have shape (..., T, P), got {tuple(X.shape)}")
    T = X.shape[-2]
    k = _pos_int("n_components", n_components)
    if k > T - 1:
        raise ValueError(f"n_components must be in [1, T-1] = [1, {T - 1}], got {k}")
    chunk = _pos_int("chunk", chunk)
    if method == "gram":
        G = time_gram(X, center=center, chunk=chunk)
        w, v = torch.linalg.eigh(G)
        total = torch.diagonal(G, dim1=-2, dim2=-1).sum(-1)
    else:
        w, v, total = _randomized_eig(X, k, _pos_int("oversample", oversample, 0), _pos_int("n_iter", n_iter, 0),
                                      seed, chunk, center)
    w = torch.flip(w, dims=(-1,))[..., :k]
    v = torch.flip(v, dims=(-1,))[..., :k].transpose(-1, -2)
    sign = torch.where(v[..., :1] < 0, -1.0, 1.0).to(v.dtype)
    v = v * sign
    if torch.any(total <= 0):
        raise ValueError("trajectory has zero variance over time; PCA undefined")
    return TrajectoryPCA(w.numpy(), (w / total[..., None]).numpy(), v.numpy())


class TrajectoryRecorder:
    r"""Record flattened parameter vectors over time in bounded memory.

    Parameters
    ----------
    n_params
        P, the length of each recorded vector (the last dimension of what :meth:`record` gets).
    max_steps
        T, the number of time points that will be recorded.
    batch
        Number of independent trajectories recorded together (ensemble members).
    mode
        ``"store"``: keep the trajectory, shape ``(batch, T, P)`` float32, in RAM or, when
        ``path`` is given, in a disk ``numpy.memmap``; ``"sketch"``: keep only
        :math:`x_t R^\top/\sqrt m` with a Gaussian :math:`R\in\mathbb R^{m\times P}` regenerated
        chunk by chunk from ``seed`` (never stored), memory :math:`O(\text{batch}\cdot T m)`;
        :math:`E[\text{sketch Gram}] = XX^\top` (Johnson-Lindenstrauss).
    """

    def __init__(self, n_params: int, max_steps: int, *, batch: int = 1, mode: str = "store",
                 path: str | None = None, sketch_dim: int = 1024, seed: int = 0, chunk: int = 65536) -> None:
        self.P, self.T = _pos_int("n_params", n_params), _pos_int("max_steps", max_steps, 2)
        self.batch, self.chunk = _pos_int("batch", batch), _pos_int("chunk", chunk)
        if mode not in ("store", "sketch"):
            raise ValueError(f"mode must be 'store' or 'sketch', got {mode!r}")
        self.mode, self.seed, self.t = mode, int(seed), 0
        if mode == "store":
            shape = (self.batch, self.T, self.P)
            self._data = (np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=shape)
                          if path is not None else np.zeros(shape, dtype=np.float32))
        else:
            self.m = _pos_int("sketch_dim", sketch_dim)
            self._data = np.zeros((self.batch, self.T, self.m), dtype=np.float64)

    def record(self, theta: torch.Tensor) -> None:
        """Append one time point; ``theta`` has shape ``(batch, P)`` (or ``(P,)`` when batch is 1)."""
        th = theta.detach().reshape(self.batch, self.P) if theta.ndim == 1 else theta.detach()
        if tuple(th.shape) != (self.batch, self.P):
            raise ValueError(f"theta must have shape ({self.batch}, {self.P}), got {tuple(theta.shape)}")
        if self.t >= self.T:
            raise ValueError(f"recorder is full (max_steps={self.T})")
        if not torch.isfinite(th).all():
            raise ValueError("theta contains non-finite values (did training diverge?)")
        th = th.to("cpu")
        if self.mode == "store":
            self._data[:, self.t, :] = th.to(torch.float32).numpy()
        else:
            acc = torch.zeros(self.batch, self.m, dtype=torch.float64)
            for i, a in enumerate(range(0, self.P, self.chunk)):
                g = torch.Generator().manual_seed(self.seed * 1_000_003 + i)
                R = torch.randn(self.m, min(self.chunk, self.P - a), generator=g, dtype=torch.float64)
                acc += th[:, a:a + self.chunk].to(torch.float64) @ R.T
            self._data[:, self.t, :] = (acc / np.sqrt(self.m)).numpy()
        self.t += 1

    @property
    def trajectory(self) -> np.ndarray:
        """The recorded rows so far, shape ``(batch, t, P)`` (or ``(batch, t, m)`` when sketching)."""
        return self._data[:, : self.t, :]

    def pca(self, n_components: int, **kwargs: object) -> TrajectoryPCA:
        """:func:`trajectory_pca` of what has been recorded (keyword arguments passed on)."""
        return trajectory_pca(self.trajectory, n_components, chunk=self.chunk, **kwargs)  # type: ignore[arg-type]
