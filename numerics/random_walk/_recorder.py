r"""Recording flattened parameter vectors over time in bounded memory.

:class:`TrajectoryRecorder` either stores the trajectory (in RAM or in a disk
``numpy.memmap``) or keeps a streaming Gaussian sketch :math:`X R^\top/\sqrt m`
(Johnson & Lindenstrauss 1984; Achlioptas, J. Comput. Syst. Sci. 66 (2003) 671), whose Gram
matrix is unbiased for :math:`XX^\top`: :math:`E[R^\top R]/m = I`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from numerics import validate as v
from numerics.random_walk._pca import TrajectoryPCA, trajectory_pca

__all__ = ["TrajectoryRecorder"]


class TrajectoryRecorder:
    r"""Record flattened parameter vectors over time in bounded memory.

    Parameters
    ----------
    n_params
        P, the length of each recorded vector (an integer >= 1).
    max_steps
        T, the number of time points that will be recorded (an integer >= 2).
    batch
        Number of independent trajectories recorded together (ensemble members, an integer >= 1).
    mode
        ``"store"``: keep the trajectory, shape ``(batch, T, P)`` float32, in RAM or, when
        ``path`` is given, in a disk ``numpy.memmap``; ``"sketch"``: keep only
        :math:`x_t R^\top/\sqrt m` with a Gaussian :math:`R\in\mathbb R^{m\times P}` regenerated
        chunk by chunk from ``seed`` (never stored), memory :math:`O(\text{batch}\cdot T m)`;
        :math:`E[\text{sketch Gram}] = XX^\top` (Johnson-Lindenstrauss).
    path
        File of the memmap (``"store"`` only), or ``None`` for RAM.
    sketch_dim
        m, the sketch dimension (an integer >= 1).
    seed
        Seed of the sketch (a non-negative integer).
    chunk
        Parameters per chunk when sketching and in :meth:`pca` (an integer >= 1).

    Raises
    ------
    TypeError, ValueError
        An argument of the wrong type or out of range.
    """

    def __init__(self, n_params: int, max_steps: int, *, batch: int = 1, mode: str = "store",
                 path: str | None = None, sketch_dim: int = 1024, seed: int = 0, chunk: int = 65536) -> None:
        self.P = v.integer(n_params, "n_params", minimum=1)
        self.T = v.integer(max_steps, "max_steps", minimum=2)
        self.batch = v.integer(batch, "batch", minimum=1)
        self.chunk = v.integer(chunk, "chunk", minimum=1)
        self.mode = v.choice(mode, "mode", ("store", "sketch"))
        self.seed = v.seed(seed)
        self.m = v.integer(sketch_dim, "sketch_dim", minimum=1)
        if path is not None and not isinstance(path, str):
            raise TypeError(f"path must be a string or None; got {v.describe(path)}")
        if path is not None and self.mode != "store":
            raise ValueError("path is only used with mode='store'")
        self.t = 0
        if self.mode == "store":
            shape = (self.batch, self.T, self.P)
            self._data = (np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=shape)
                          if path is not None else np.zeros(shape, dtype=np.float32))
        else:
            self._data = np.zeros((self.batch, self.T, self.m), dtype=np.float64)

    def record(self, theta: torch.Tensor) -> None:
        """Append one time point (sketched in ``"sketch"`` mode).

        Parameters
        ----------
        theta : torch.Tensor
            Real floating-point tensor of shape ``(batch, P)`` (or ``(P,)`` when batch is 1), e.g. a row of
            :func:`numerics.ntk.flatten_params`; copied, never modified.

        Raises
        ------
        TypeError
            ``theta`` is not a real torch tensor.
        ValueError
            Wrong shape, non-finite entries, or the recorder is full.
        """
        if not isinstance(theta, torch.Tensor) or not theta.is_floating_point():
            raise TypeError(f"theta must be a real floating-point torch tensor; got {v.describe(theta)}")
        th = theta.detach()
        if th.ndim == 1 and self.batch == 1:
            th = th.reshape(1, -1)
        if tuple(th.shape) != (self.batch, self.P):
            raise ValueError(f"theta must have shape ({self.batch}, {self.P}); got {tuple(theta.shape)}")
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
        """The recorded rows so far, shape ``(batch, t, P)`` (or ``(batch, t, m)`` when sketching); a read-only view."""
        out = self._data[:, : self.t, :].view()
        out.flags.writeable = False
        return out

    def pca(self, n_components: int, **kwargs: Any) -> TrajectoryPCA:
        """:func:`numerics.random_walk.trajectory_pca` of what has been recorded.

        Parameters
        ----------
        n_components : int
            k, the number of leading components.
        **kwargs
            Passed on to :func:`numerics.random_walk.trajectory_pca` (``center``, ``method``,
            ``oversample``, ``n_iter``, ``seed``); ``chunk`` is the recorder's.

        Returns
        -------
        TrajectoryPCA
            The PCA over time of :attr:`trajectory` (of the sketch in ``"sketch"`` mode).

        Raises
        ------
        TypeError, ValueError
            As :func:`numerics.random_walk.trajectory_pca`, e.g. fewer than two time points recorded.
        """
        return trajectory_pca(self.trajectory, n_components, chunk=self.chunk, **kwargs)
