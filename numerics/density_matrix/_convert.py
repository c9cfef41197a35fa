"""Input conversion and validation shared by the quantum numerics (numpy / torch / QuTiP ``Qobj``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["to_tensor", "is_torch", "back", "check_density", "check_hermitian", "pick_device"]


def _is_qobj(x: Any) -> bool:
    # QuTiP is optional: recognise a Qobj without importing qutip
    return type(x).__name__ == "Qobj" and type(x).__module__.startswith("qutip") and hasattr(x, "full")


def is_torch(*xs: Any) -> bool:
    """True when any argument (or list element) is a torch tensor (then results are torch tensors)."""
    for x in xs:
        if isinstance(x, torch.Tensor):
            return True
        if isinstance(x, (list, tuple)) and any(isinstance(y, torch.Tensor) for y in x):
            return True
    return False


def pick_device(*xs: Any, device: str | torch.device | None = None) -> torch.device:
    """``device`` if given, else the device of the first torch input, else CPU."""
    if device is not None:
        return torch.device(device)
    for x in xs:
        for y in x if isinstance(x, (list, tuple)) else [x]:
            if isinstance(y, torch.Tensor):
                return y.device
    return torch.device("cpu")


def to_tensor(name: str, x: Any, *, device: torch.device, dtype: torch.dtype = torch.complex128) -> torch.Tensor:
    """Convert ``x`` (numpy, torch, nested list, QuTiP ``Qobj``) to a complex tensor; reject non-finite values.

    Always returns a new tensor or one that is never written to (inputs are never mutated).
    """
    if _is_qobj(x):
        x = np.asarray(x.full())
    if isinstance(x, torch.Tensor):
        t = x.detach().to(device=device, dtype=dtype)
    else:
        try:
            a = np.asarray(x)
        except Exception as exc:  # noqa: BLE001
            raise TypeError(f"{name} must be an array, tensor or Qobj, got {type(x).__name__}") from exc
        if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
            raise TypeError(f"{name} must be numeric, got dtype {a.dtype}")
        t = torch.as_tensor(np.array(a, dtype=np.complex128), device=device).to(dtype)
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    return t


def back(t: torch.Tensor, as_torch: bool) -> Any:
    """Return ``t`` as a torch tensor or a numpy array."""
    return t if as_torch else t.detach().cpu().numpy()


def check_hermitian(name: str, A: torch.Tensor, tol: float) -> None:
    r"""Raise unless :math:`\max|A - A^\dagger| \le \mathrm{tol}\,\max(1, \max|A|)` for every batch member."""
    dev = (A - A.conj().transpose(-1, -2)).abs().amax(dim=(-1, -2))
    scale = torch.clamp(A.abs().amax(dim=(-1, -2)), min=1.0)
    bad = dev > tol * scale
    if bool(bad.any()):
        raise ValueError(
            f"{name} must be Hermitian: max |{name} - {name}^dagger| = {float((dev / scale).max()):.3g} "
            f"(relative) exceeds the tolerance {tol:g}"
        )


def check_density(name: str, rho: torch.Tensor, tol: float) -> None:
    r"""Raise unless ``rho`` is a density matrix up to ``tol``: Hermitian (relative), :math:`|\mathrm{tr}\rho - 1|\le
    \mathrm{tol}` and smallest eigenvalue :math:`\ge -\mathrm{tol}`."""
    check_hermitian(name, rho, tol)
    tr = torch.diagonal(rho, dim1=-2, dim2=-1).sum(-1)
    if bool(((tr - 1).abs() > tol).any()):
        raise ValueError(f"{name} must have unit trace (|tr - 1| <= {tol:g}), got trace(s) {tr.real.flatten()[:4].tolist()}")
    herm = (rho + rho.conj().transpose(-1, -2)) / 2
    ev = torch.linalg.eigvalsh(herm)
    if bool((ev[..., 0] < -tol).any()):
        raise ValueError(f"{name} must be positive semidefinite (eigenvalues >= -{tol:g}), min eigenvalue {float(ev[..., 0].min()):.3g}")
