r"""Simulated Gaussian random walks, all replicates as one tensor program."""

from __future__ import annotations

import numpy as np
import torch

from numerics import validate as v

__all__ = ["random_walks", "walk_covariance"]

_DTYPES = (torch.float32, torch.float64)


def random_walks(
    T: int, d: int, replicates: int = 1, *, seed: int, sigma: float = 1.0,
    device: str | torch.device = "cpu", dtype: torch.dtype = torch.float64,
) -> torch.Tensor:
    r"""Independent Gaussian random walks :math:`x_t = \sum_{s\le t}\xi_s`, :math:`\xi_s\sim N(0,\sigma^2 I_d)`.

    The walks of Antognini & Sohl-Dickstein (2018, arXiv:1806.08805, sec. 3), drawn from a
    seeded CPU generator (reproducible on every device) and summed by one ``cumsum``.

    Parameters
    ----------
    T
        Number of time points (an integer >= 2).
    d
        Dimension (an integer >= 1).
    replicates
        Number of independent walks (an integer >= 1).
    seed
        Seed of the generator (a non-negative integer).
    sigma
        Standard deviation of each increment coordinate (a finite real > 0).
    device
        Where the result lives.
    dtype
        ``torch.float32`` or ``torch.float64``.

    Returns
    -------
    torch.Tensor
        Shape ``(replicates, T, d)``.

    Raises
    ------
    TypeError, ValueError
        An argument of the wrong type or out of range.
    """
    T = v.integer(T, "T", minimum=2)
    d = v.integer(d, "d", minimum=1)
    R = v.integer(replicates, "replicates", minimum=1)
    s = v.seed(seed)
    sig = v.real(sigma, "sigma", minimum=0.0, open_min=True)
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a string or torch.device; got {v.describe(device)}")
    try:
        dev = torch.device(device)
    except RuntimeError as exc:
        raise ValueError(f"device must name a torch device; got {device!r} ({exc})") from None
    if not isinstance(dtype, torch.dtype) or dtype not in _DTYPES:
        raise TypeError(f"dtype must be torch.float32 or torch.float64; got {v.describe(dtype)}")
    g = torch.Generator(device="cpu").manual_seed(s)
    xi = torch.randn(R, T, d, generator=g, dtype=dtype).to(dev) * sig
    return torch.cumsum(xi, dim=1)


def walk_covariance(T: int) -> np.ndarray:
    r"""Time-time covariance of a centred walk of ``T`` points per unit increment variance, built by construction.

    .. math:: M = C L L^\top C,\qquad L_{ts} = 1[s \le t],\quad C = I - \mathbf 1\mathbf 1^\top/T

    (:math:`x = L\xi` with iid unit increments, centred over time: :math:`E[Cx\,x^\top C] = M`;
    Antognini & Sohl-Dickstein 2018, arXiv:1806.08805, sec. 3).  Computed here as a matrix
    product, with no closed form, so a measurement can use it as its reference.

    Parameters
    ----------
    T
        Number of time points (an integer >= 2).

    Returns
    -------
    numpy.ndarray
        Shape ``(T, T)``, symmetric positive semi-definite.

    Raises
    ------
    TypeError, ValueError
        ``T`` is not an integer >= 2.
    """
    T = v.integer(T, "T", minimum=2)
    L = np.tril(np.ones((T, T)))
    C = np.eye(T) - 1.0 / T
    return C @ L @ L.T @ C
