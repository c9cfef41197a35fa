"""Short text forms of the JSON values a results file stores (numbers, arrays, references)."""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["fmt_value", "sort_key", "clip", "pretty_json"]


def clip(s: str, width: int = 80) -> str:
    """``s`` shortened to ``width`` characters with an ellipsis.

    Parameters
    ----------
    s : str
        The text.
    width : int, optional
        The most characters kept.

    Returns
    -------
    str
        ``s`` itself when short enough.
    """
    return s if len(s) <= width else s[: width - 1] + "…"


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str) and v in ("nan", "inf", "-inf"):
        return float(v)
    return None


def fmt_value(v: Any, width: int = 60) -> str:
    """A short human-readable form of a stored value.

    Parameters
    ----------
    v : object
        A JSON value as stored in a results file: a number, ``"nan"``/``"inf"`` strings,
        ``{"re", "im"}`` complex numbers, lists, shortened arrays (``{"shape", "head"}``)
        or sidecar references (``{"sidecar", "key", "shape"}``).
    width : int, optional
        The longest text returned.

    Returns
    -------
    str
        ``"–"`` for a missing value; numbers to four significant digits.
    """
    if v is None:
        return "–"
    if isinstance(v, bool):
        return str(v).lower()
    x = _number(v)
    if x is not None:
        if isinstance(v, int):
            return str(v)
        return f"{x:.4g}" if math.isfinite(x) else str(x)
    if isinstance(v, str):
        return clip(v, width)
    if isinstance(v, dict):
        if set(v) == {"re", "im"} and _number(v["re"]) is not None and _number(v["im"]) is not None:
            re_, im_ = _number(v["re"]), _number(v["im"])
            return f"{re_:.4g}{'+' if im_ >= 0 or math.isnan(im_) else '−'}{abs(im_):.4g}i"
        if "sidecar" in v:
            return f"array{tuple(v.get('shape', ()))} in {v['sidecar']}"
        if "shape" in v:
            return f"array{tuple(v['shape'])}"
        if "length" in v:
            return f"[{v['length']} values]"
        return clip(", ".join(f"{k}={fmt_value(x, 24)}" for k, x in v.items()), width)
    if isinstance(v, (list, tuple)):
        if len(v) > 4:
            return f"[{len(v)} values]"
        return clip("[" + ", ".join(fmt_value(x, 20) for x in v) + "]", width)
    return clip(str(v), width)


def sort_key(v: Any) -> str:
    """The value a table column sorts by, as text (a number's ``repr``, else the text form).

    Parameters
    ----------
    v : object
        The stored value.

    Returns
    -------
    str
        ``""`` for a missing value, so missing values sort together.
    """
    x = _number(v)
    if x is not None:
        return repr(x)
    return "" if v is None else fmt_value(v)


def pretty_json(v: Any, limit: int = 6000) -> str:
    """Indented JSON of ``v``, cut at ``limit`` characters (with a note saying so).

    Parameters
    ----------
    v : object
        Any JSON-compatible value (others are shown by ``repr``).
    limit : int, optional
        The most characters kept.

    Returns
    -------
    str
        The JSON text.
    """
    s = json.dumps(v, indent=1, sort_keys=True, default=repr, ensure_ascii=False)
    if len(s) > limit:
        s = s[:limit] + f"\n… ({len(s) - limit} more characters in the results file)"
    return s
