"""Argument checks for torch objects (models, data pairs, dtypes), on top of :mod:`numerics.validate`.

Private module of :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from numerics import validate as v

__all__ = ["float_dtype", "module", "data_pair", "loss_function", "optional_int", "device_of"]


def float_dtype(value: Any, name: str) -> torch.dtype:
    """A floating torch dtype (``torch.float32``, ``torch.float64``...)."""
    if not isinstance(value, torch.dtype):
        raise TypeError(f"{name} must be a torch floating dtype; got {v.describe(value)}")
    if not value.is_floating_point:
        raise ValueError(f"{name} must be a floating dtype; got {value}")
    return value


def device_of(value: Any, name: str = "device") -> torch.device | None:
    """``None`` or a torch device (a ``torch.device`` or its name)."""
    if value is None or isinstance(value, torch.device):
        return value
    if not isinstance(value, str):
        raise TypeError(f"{name} must be None, a torch.device or a device name; got {v.describe(value)}")
    try:
        return torch.device(value)
    except RuntimeError as exc:
        raise ValueError(f"{name}: {exc}") from None


def module(value: Any, name: str = "model") -> torch.nn.Module:
    """A ``torch.nn.Module`` with at least one parameter."""
    if not isinstance(value, torch.nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module; got {v.describe(value)}")
    if next(value.parameters(), None) is None:
        raise ValueError(f"{name} has no parameters")
    return value


def loss_function(value: Any, name: str = "loss_fn") -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """A callable ``loss_fn(pred, y) -> scalar tensor``."""
    return v.function(value, name)


def data_pair(value: Any, name: str = "data", *, min_rows: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """A pair ``(X, Y)`` of finite tensors with the same number of rows (at least ``min_rows``)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (X, Y) of tensors; got {v.describe(value)}")
    X, Y = value
    if not (isinstance(X, torch.Tensor) and isinstance(Y, torch.Tensor)):
        raise TypeError(f"{name} must be a pair (X, Y) of torch tensors; got {type(X).__name__} and {type(Y).__name__}")
    if X.dim() < 1 or Y.dim() < 1 or X.shape[0] != Y.shape[0]:
        raise ValueError(f"{name}: X and Y must have the same number of rows; got shapes {tuple(X.shape)} and {tuple(Y.shape)}")
    if X.shape[0] < min_rows:
        raise ValueError(f"{name} must have at least {min_rows} row(s); got {X.shape[0]}")
    if not (torch.isfinite(X).all() and torch.isfinite(Y).all()):
        raise ValueError(f"{name} contains non-finite values (NaN or inf)")
    return X, Y


def optional_int(value: Any, name: str, *, minimum: int) -> int | None:
    """``None`` or an integer >= ``minimum``."""
    return None if value is None else v.integer(value, name, minimum=minimum)
