r"""Data in any form -- tensors in memory or an iterable of batches -- as one set of in-memory fields.

The sampler draws minibatches by index (one ``index_select`` per field and step, no host
round trip), so every form of data is brought to the same shape once, before sampling:

* a tensor, a tuple/list of tensors (``(X, Y)``, ``(X1, X2, Y)``) or a dict of tensors, all with
  the same number of rows :math:`n`: used as they are;
* any other iterable of batches (a ``torch.utils.data.DataLoader``, a generator, a list of
  ``(x, y)`` pairs): read once, each field concatenated along the first dimension.  The first
  batch's size becomes the default minibatch size.

A batch handed to a loss has the structure of the data (a tensor, a tuple or a dict), with
a leading chain dimension added inside the sampler's ``vmap`` (invisible to the loss).

Private module of :mod:`numerics.singular_learning`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from numerics import validate as v

__all__ = ["Fields", "as_fields"]


@dataclass
class Fields:
    """The data as ``fields`` (tensors with ``n`` rows each), the batch ``kind`` and the dict ``keys``.

    ``kind`` is ``"tensor"`` (one field), ``"tuple"`` or ``"dict"``; ``batch_hint`` the size of the
    first batch when the data came as an iterable of batches (else ``None``).
    """

    fields: tuple[torch.Tensor, ...]
    kind: str
    keys: tuple[str, ...] = ()
    batch_hint: int | None = None

    @property
    def n(self) -> int:
        return int(self.fields[0].shape[0])

    def batch(self, parts: tuple[torch.Tensor, ...]) -> Any:
        """The batch of structure ``kind`` made of ``parts`` (one tensor per field)."""
        if self.kind == "tensor":
            return parts[0]
        if self.kind == "dict":
            return dict(zip(self.keys, parts))
        return tuple(parts)

    def full(self) -> Any:
        """Every row, as one batch."""
        return self.batch(self.fields)

    def take(self, idx: torch.Tensor, chains: int | None = None) -> Any:
        """Rows ``idx`` of every field; with ``chains``, reshaped to ``(chains, len(idx) / chains, ...)``."""
        parts = []
        for f in self.fields:
            g = f.index_select(0, idx)
            parts.append(g.view(chains, -1, *f.shape[1:]) if chains is not None else g)
        return self.batch(tuple(parts))

    def to(self, device: Any, dtype: torch.dtype) -> "Fields":
        """Floating fields cast to ``dtype`` and every field moved to ``device`` (copies)."""
        out = tuple(f.to(device=device, dtype=dtype if f.is_floating_point() else f.dtype) for f in self.fields)
        return Fields(out, self.kind, self.keys, self.batch_hint)


def _parts(batch: Any, where: str) -> tuple[str, tuple[str, ...], tuple[torch.Tensor, ...]]:
    """``(kind, keys, tensors)`` of one batch; ``TypeError`` naming ``where`` for anything else."""
    if isinstance(batch, torch.Tensor):
        return "tensor", (), (batch,)
    if isinstance(batch, dict) and batch and all(isinstance(x, torch.Tensor) for x in batch.values()):
        keys = tuple(str(k) for k in batch)
        return "dict", keys, tuple(batch.values())
    if isinstance(batch, (tuple, list)) and batch and all(isinstance(x, torch.Tensor) for x in batch):
        return "tuple", (), tuple(batch)
    raise TypeError(f"{where} must be a tensor, a tuple/list of tensors or a dict of tensors; got {v.describe(batch)}")


def _check_rows(kind: str, keys: tuple[str, ...], fields: tuple[torch.Tensor, ...], name: str) -> None:
    labels = keys if kind == "dict" else tuple(f"field {i}" for i in range(len(fields)))
    for lab, f in zip(labels, fields):
        if f.dim() < 1:
            raise ValueError(f"{name}: {lab} is a 0-d tensor; every field needs a leading row dimension")
        if f.shape[0] != fields[0].shape[0]:
            raise ValueError(f"{name}: the fields have different numbers of rows: {[int(x.shape[0]) for x in fields]}")
        if f.is_complex() or f.dtype == torch.bool:
            continue
        if f.is_floating_point() and not torch.isfinite(f).all():
            bad = (~torch.isfinite(f)).reshape(f.shape[0], -1).any(1).nonzero()[:3, 0].tolist()
            raise ValueError(f"{name}: {lab} contains non-finite values (NaN or inf), first in rows {bad}")
    if fields[0].shape[0] < 1:
        raise ValueError(f"{name} has no rows")


def as_fields(data: Any, name: str = "data") -> Fields:
    """Validate ``data`` (any form in the module docstring) and return it as :class:`Fields`.

    Raises
    ------
    TypeError
        Not tensors nor an iterable of batches, or batches of changing structure.
    ValueError
        No rows, an empty or exhausted iterable, fields with different row counts, non-finite values.
    """
    if isinstance(data, Fields):
        return data
    if isinstance(data, (str, bytes)):
        raise TypeError(f"{name} must be tensors or an iterable of batches; got {v.describe(data)}")
    direct = isinstance(data, torch.Tensor) or (
        isinstance(data, dict) and data and all(isinstance(x, torch.Tensor) for x in data.values())) or (
        isinstance(data, (tuple, list)) and data and all(isinstance(x, torch.Tensor) for x in data))
    if direct:
        kind, keys, fields = _parts(data, name)
        _check_rows(kind, keys, fields, name)
        return Fields(fields, kind, keys)
    if isinstance(data, dict) or not hasattr(data, "__iter__"):
        raise TypeError(f"{name} must be a tensor, a tuple/list/dict of tensors with the same rows, or an iterable of "
                        f"batches (a DataLoader, a generator); got {v.describe(data)}")
    kind, keys, cols, first = "", (), [], None
    for i, batch in enumerate(data):
        k, ks, parts = _parts(batch, f"{name}: batch {i}")
        if i == 0:
            kind, keys, cols, first = k, ks, [[p] for p in parts], int(parts[0].shape[0]) if parts[0].dim() else 0
        elif (k, ks, len(parts)) != (kind, keys, len(cols)):
            raise TypeError(f"{name}: batch {i} has a different structure ({k}, {len(parts)} fields) from batch 0 "
                            f"({kind}, {len(cols)} fields)")
        else:
            for c, p in zip(cols, parts):
                if p.shape[1:] != c[0].shape[1:]:
                    raise ValueError(f"{name}: batch {i} has a field of shape {tuple(p.shape)} where batch 0 had "
                                     f"{tuple(c[0].shape)} (rows may differ, the rest may not)")
                c.append(p)
    if not cols:
        raise ValueError(f"{name}: the iterable yielded no batches (it is empty, or a generator/iterator that was "
                         "already exhausted: pass a DataLoader or a list, which can be read again)")
    for c in cols:
        if c[0].dim() < 1:
            raise ValueError(f"{name}: batch 0 has a 0-d tensor; every field needs a leading row dimension")
    fields = tuple(torch.cat(c) if len(c) > 1 else c[0] for c in cols)
    _check_rows(kind, keys, fields, name)
    return Fields(fields, kind, keys, first)
