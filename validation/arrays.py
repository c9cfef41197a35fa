"""Arrays in stored results: inline nested lists at full precision, complex pairs, or a sidecar ``.npz``.

Arrays with more than :data:`INLINE_LIMIT` entries go to a sidecar file beside the results
file and are referenced as ``{"sidecar": FILE, "key": KEY, "shape": [...], "dtype": ...}``;
nothing is truncated.  Used by :mod:`validation.record`.
"""

from __future__ import annotations

import io
import math
import os
from typing import Any, Mapping

import numpy as np

__all__ = ["INLINE_LIMIT", "to_plain", "load_array"]

INLINE_LIMIT = 4096


class _Sidecar:
    """Collects large arrays for one record's ``.npz``."""

    def __init__(self, directory: str | None, stem: str) -> None:
        self.directory = directory
        self.stem = stem
        self.arrays: dict[str, np.ndarray] = {}

    @property
    def filename(self) -> str:
        """The path of the ``.npz`` relative to the results file's folder."""
        return f"{os.path.basename(self.directory or '.')}/{self.stem}.npz"

    def put(self, a: np.ndarray) -> dict[str, Any]:
        key = f"a{len(self.arrays)}"
        self.arrays[key] = a
        return {"sidecar": self.filename, "key": key, "shape": list(a.shape), "dtype": str(a.dtype)}

    def write(self) -> str | None:
        if not self.arrays or self.directory is None:
            return None
        os.makedirs(self.directory, exist_ok=True)
        buf = io.BytesIO()
        np.savez_compressed(buf, **self.arrays)
        path = os.path.join(self.directory, f"{self.stem}.npz")
        _write_bytes_atomic(path, buf.getvalue())
        return path


def _write_bytes_atomic(path: str, data: bytes) -> None:
    import secrets

    d = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(d, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _float(x: float) -> Any:
    return x if math.isfinite(x) else repr(x)


def to_plain(obj: Any, sidecar: _Sidecar | None = None) -> Any:
    """JSON-friendly, full precision; arrays over :data:`INLINE_LIMIT` entries go to the sidecar.

    Parameters
    ----------
    obj : object
        The value: numbers, arrays, mappings, sequences and dataclasses are converted
        recursively; a non-finite float becomes its ``repr``, a function its name.
    sidecar : optional
        The record's collector of large arrays; ``None`` keeps every array inline.

    Returns
    -------
    object
        A value made of ``None``, bools, ints, floats, strings, lists and dicts (complex
        values as ``{"re", "im"}``, large arrays as sidecar references).
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return _float(float(obj))
    if isinstance(obj, (complex, np.complexfloating)):
        return {"re": _float(float(np.real(obj))), "im": _float(float(np.imag(obj)))}
    if isinstance(obj, np.ndarray) or (hasattr(obj, "__array__") and hasattr(obj, "shape") and not callable(obj)):
        a = np.asarray(obj)
        if a.dtype.kind not in "biufc":
            return [to_plain(x, sidecar) for x in a.tolist()]
        if a.size > INLINE_LIMIT and sidecar is not None and sidecar.directory is not None:
            return sidecar.put(a)
        if a.dtype.kind == "c":
            return {"re": to_plain(a.real, sidecar), "im": to_plain(a.imag, sidecar)}
        return _nested(a.tolist())
    if isinstance(obj, Mapping):
        return {str(k): to_plain(x, sidecar) for k, x in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(x, sidecar) for x in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return {k: to_plain(getattr(obj, k), sidecar) for k in obj.__dataclass_fields__}
    if callable(obj):
        return f"<function {getattr(obj, '__name__', type(obj).__name__)}>"
    return repr(obj)


def _nested(x: Any) -> Any:
    if isinstance(x, list):
        return [_nested(y) for y in x]
    if isinstance(x, float):
        return _float(x)
    return x


def load_array(value: Any, base_dir: str) -> np.ndarray:
    """An array stored in a record: inline lists, ``{"re", "im"}`` pairs or a sidecar reference.

    Parameters
    ----------
    value : object
        The stored form, as :func:`to_plain` wrote it.
    base_dir : str
        The results file's folder, against which sidecar paths are resolved.

    Returns
    -------
    ndarray
        The array (real or complex; non-finite values written as text are read back).

    Raises
    ------
    OSError
        If a referenced sidecar file cannot be read.
    """
    if isinstance(value, dict) and "sidecar" in value:
        with np.load(os.path.join(base_dir, value["sidecar"])) as z:
            return np.array(z[value["key"]])
    if isinstance(value, dict) and set(value) == {"re", "im"}:
        return load_array(value["re"], base_dir) + 1j * load_array(value["im"], base_dir)

    def conv(x: Any) -> Any:
        if isinstance(x, list):
            return [conv(y) for y in x]
        if isinstance(x, str):
            return float(x)
        return x

    return np.asarray(conv(value), dtype=float)
