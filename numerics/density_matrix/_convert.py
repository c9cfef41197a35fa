r"""Input conversion and validation shared by the density-matrix numerics (numpy / torch / QuTiP ``Qobj``).

Every array argument becomes a *new* complex tensor (never a view of the caller's data), so
no result can alias an input.  Strings, bools, ``None`` and object arrays are rejected with
``TypeError``; NaN and infinite entries with ``ValueError``.

The state checks follow the definition of a density operator (Nielsen & Chuang, *Quantum
Computation and Quantum Information*, 2000, sec. 2.4.1): Hermitian, positive semidefinite,
unit trace; each within a stated tolerance, and the error names the property that fails.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from numerics import validate as v

__all__ = [
    "to_tensor",
    "is_torch",
    "back",
    "check_density",
    "check_hermitian",
    "check_psd",
    "pick_device",
    "matrix_list",
    "tolerance",
]


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
        if not isinstance(device, (str, torch.device)):
            raise TypeError(f"device must be a string or torch.device; got {v.describe(device)}")
        return torch.device(device)
    for x in xs:
        for y in x if isinstance(x, (list, tuple)) else [x]:
            if isinstance(y, torch.Tensor):
                return y.device
    return torch.device("cpu")


def to_tensor(name: str, x: Any, *, device: torch.device, dtype: torch.dtype = torch.complex128) -> torch.Tensor:
    """``x`` (numpy array, torch tensor, nested list, QuTiP ``Qobj``) as a new complex tensor.

    Raises
    ------
    TypeError
        ``x`` is a string, bool, ``None``, a mapping or not numeric.
    ValueError
        ``x`` has NaN or infinite entries.
    """
    if _is_qobj(x):
        x = np.asarray(x.full())
    if x is None or isinstance(x, (str, bytes, bool, np.bool_, dict)):
        raise TypeError(f"{name} must be a numeric array, tensor or Qobj; got {v.describe(x)}")
    if isinstance(x, torch.Tensor):
        if x.dtype == torch.bool:
            raise TypeError(f"{name} must be numeric, not booleans")
        t = x.detach().to(device=device, dtype=dtype).clone()  # clone: never a view of the caller's tensor
    else:
        try:
            a = np.asarray(x)
        except Exception as exc:
            raise TypeError(f"{name} must be an array, tensor or Qobj; got {v.describe(x)}") from exc
        if a.dtype.kind not in "iufc":
            raise TypeError(f"{name} must be a numeric array; got dtype {a.dtype}")
        t = torch.as_tensor(np.array(a, dtype=np.complex128), device=device).to(dtype)
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    return t


def matrix_list(name: str, ops: Any, *, allow_empty: bool) -> list[Any]:
    """A list/tuple of operators (checked to be a sequence; the entries are converted by the caller)."""
    if isinstance(ops, (str, bytes)) or not isinstance(ops, (list, tuple)):
        raise TypeError(f"{name} must be a list or tuple of (N, N) or (B, N, N) arrays; got {v.describe(ops)}")
    if not allow_empty and len(ops) == 0:
        raise ValueError(f"{name} must contain at least one operator")
    return list(ops)


def tolerance(value: Any, name: str) -> float:
    """A positive finite tolerance (a real number; not a bool or a string)."""
    return v.real(value, name, minimum=0.0, open_min=True)


def back(t: torch.Tensor, as_torch: bool) -> Any:
    """Return ``t`` as a torch tensor or a numpy array (a copy either way)."""
    return t if as_torch else t.detach().cpu().numpy()


def check_hermitian(name: str, A: torch.Tensor, tol: float) -> None:
    r"""Raise ``ValueError`` naming the property unless :math:`\max|A - A^\dagger| \le \mathrm{tol}\,\max(1, \max|A|)`
    for every batch member."""
    dev = (A - A.conj().transpose(-1, -2)).abs().amax(dim=(-1, -2))
    scale = torch.clamp(A.abs().amax(dim=(-1, -2)), min=1.0)
    bad = dev > tol * scale
    if bool(bad.any()):
        raise ValueError(
            f"{name} must be Hermitian: max |{name} - {name}^dagger| = {float((dev / scale).max()):.3g} "
            f"(relative) exceeds the tolerance {tol:g}"
        )


def check_psd(name: str, A: torch.Tensor, tol: float) -> None:
    r"""Raise ``ValueError`` unless the smallest eigenvalue of the Hermitian part of ``A`` is :math:`\ge -\mathrm{tol}`."""
    herm = (A + A.conj().transpose(-1, -2)) / 2
    ev = torch.linalg.eigvalsh(herm)
    if bool((ev[..., 0] < -tol).any()):
        raise ValueError(f"{name} must be positive semidefinite (eigenvalues >= -{tol:g}); "
                         f"smallest eigenvalue {float(ev[..., 0].min()):.3g}")


def check_density(name: str, rho: torch.Tensor, tol: float) -> None:
    r"""Raise ``ValueError`` naming the failing property unless ``rho`` is a density matrix up to ``tol``.

    Square, Hermitian (relative to :math:`\max(1,\max|\rho|)`), :math:`|\mathrm{tr}\rho - 1| \le \mathrm{tol}`,
    smallest eigenvalue :math:`\ge -\mathrm{tol}` (Nielsen & Chuang sec. 2.4.1), for every batch member.
    """
    if rho.ndim < 2 or rho.shape[-1] != rho.shape[-2] or rho.shape[-1] < 1:
        raise ValueError(f"{name} must be a square matrix (..., N, N); got shape {tuple(rho.shape)}")
    check_hermitian(name, rho, tol)
    tr = torch.diagonal(rho, dim1=-2, dim2=-1).sum(-1)
    if bool(((tr - 1).abs() > tol).any()):
        raise ValueError(f"{name} must have unit trace (|tr - 1| <= {tol:g}); got trace(s) {tr.real.flatten()[:4].tolist()}")
    check_psd(name, rho, tol)
