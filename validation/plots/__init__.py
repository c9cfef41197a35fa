"""Plots of check results, drawn from the stored record by the check's declared display.

* :func:`plot_result` draws a fresh result (a check's own ``plot`` function when it has
  one, else the drawing for its display kind);
* :func:`plot_record` re-draws a stored result (``theorycheck plot``) without re-running it;
* every figure names its axes with the declared quantity, unit and axis, and its title
  carries the verdict with the p-value (or the tolerance ratio of a deterministic check).

Files are written atomically: the PNG goes to a temporary file in the target folder and is
renamed over the destination, so a symbolic link planted at the destination is replaced,
never written through.  matplotlib is imported lazily with the Agg backend.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from typing import Any, Callable, Mapping

from validation.plots._draw import DRAWERS, draw_record

__all__ = ["plot_result", "plot_record", "plot_results_file", "plot_filename", "check_plot_dir", "DRAWERS"]


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_filename(name: str) -> str:
    """The PNG file name of a check's plot.

    Parameters
    ----------
    name : str
        The check's name.

    Returns
    -------
    str
        The name with every character other than letters, digits, ``_``, ``.`` and ``-``
        replaced by ``_``, and ``.png`` appended.
    """
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".png"


def check_plot_dir(out_dir: str) -> str:
    """Create ``out_dir`` if needed and check that it is a writable folder; return its absolute path.

    Raises ``ValueError`` with the reason when it is not (so a run can refuse before any check runs).

    Parameters
    ----------
    out_dir : str or os.PathLike
        The plot folder.

    Returns
    -------
    str
        Its absolute path.

    Raises
    ------
    TypeError
        If ``out_dir`` is not a path.
    ValueError
        If it exists and is not a folder, cannot be created, or is not writable.
    """
    if not isinstance(out_dir, (str, os.PathLike)):
        raise TypeError(f"plot folder must be a path; got {type(out_dir).__name__}")
    path = os.path.abspath(os.fspath(out_dir))
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"plot folder {path} exists and is not a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"cannot create plot folder {path}: {exc.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError(f"plot folder {path} is not writable")
    return path


def _write_via_temp(write: Callable[[str], None], path: str) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``.

    A symbolic link at ``path`` is replaced, never written through; the temporary file never outlives
    the call.
    """
    d = os.path.dirname(path)
    tmp = os.path.join(d, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp.png")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _save(fig: Any, path: str) -> None:
    _write_via_temp(lambda tmp: fig.savefig(tmp, dpi=110), path)


def _with_figure(draw: Callable[[Any], None], path: str, size: tuple[float, float] = (7.0, 5.5)) -> str:
    plt = _plt()
    fig = plt.figure(figsize=size)
    try:
        draw(fig)
        fig.tight_layout()
        _save(fig, path)
    finally:
        plt.close(fig)
    return path


def plot_record(rec: Mapping[str, Any], out_dir: str, *, base_dir: str | None = None) -> str | None:
    """Draw the stored result ``rec`` into ``out_dir``; return the PNG's path (``None`` for an ERROR).

    ``base_dir`` is the folder of the results file (sidecar arrays are read relative to it).

    Parameters
    ----------
    rec : Mapping of str to object
        A stored record (:func:`validation.record.result_record`).
    out_dir : str
        The plot folder (created if needed).
    base_dir : str, optional
        The results file's folder; the current folder when ``None``.

    Returns
    -------
    str or None
        The PNG's path, or ``None`` for an ERROR result.

    Raises
    ------
    TypeError, ValueError
        If the plot folder is unusable, or the record stores nothing to draw.
    """
    if rec.get("error") is not None:
        return None
    from validation.record import load_array

    r = dict(rec)
    base = base_dir or "."
    if r.get("components"):
        comps = dict(r["components"])
        for k in ("prediction", "measurement", "stderr", "budget", "tolerance", "axis"):
            if comps.get(k) is not None:
                comps[k] = load_array(comps[k], base)
        r["components"] = comps
    out = check_plot_dir(out_dir)
    path = os.path.join(out, plot_filename(str(r["name"])))
    return _with_figure(lambda fig: draw_record(r, fig), path)


def plot_result(result: Any, check: Any, out_dir: str, *, record: Mapping[str, Any] | None = None) -> str | None:
    """Write a PNG for a fresh ``result`` into ``out_dir``; return its path (``None`` for an ERROR).

    A check's own ``plot(result, path)`` is used when it declares one; otherwise the record
    (``validation.record.result_record``) is drawn by the check's display kind.

    Parameters
    ----------
    result : CheckResult
        The fresh result.
    check : Check
        The check that made it (its ``plot`` and display).
    out_dir : str
        The plot folder (created if needed).
    record : Mapping of str to object, optional
        The result's stored record, when already made.

    Returns
    -------
    str or None
        The PNG's path, or ``None`` for an ERROR result.

    Raises
    ------
    TypeError, ValueError
        If the plot folder is unusable, or the record stores nothing to draw.
    """
    if result.error is not None:
        return None
    out = check_plot_dir(out_dir)
    path = os.path.join(out, plot_filename(result.name))
    custom = getattr(check, "plot", None)
    if custom is not None:
        _plt()
        _write_via_temp(lambda tmp: custom(result, tmp), path)
        return path
    if record is None:
        from validation.record import result_record

        record = result_record(result, check)
    return plot_record(record, out_dir)


def plot_results_file(results_path: str, out_dir: str, names: list[str] | None = None) -> tuple[list[str], dict[str, str]]:
    """Re-draw every stored result of a results file (optionally only ``names``).

    Returns the written paths and a mapping from check name to the error of each plot that failed.

    Parameters
    ----------
    results_path : str
        The results file.
    out_dir : str
        The plot folder.
    names : list of str, optional
        Only the results of these checks.

    Returns
    -------
    tuple of (list of str, dict of str to str)
        The written PNG paths, and ``"ExceptionType: message"`` by check name for each plot that failed.

    Raises
    ------
    OSError
        If the results file cannot be read.
    ValueError
        If it is not JSON.
    """
    with open(results_path, encoding="utf-8") as fh:
        doc = json.load(fh)
    base = os.path.dirname(os.path.abspath(results_path))
    written: list[str] = []
    failed: dict[str, str] = {}
    for rec in doc.get("results", []):
        if names and rec.get("name") not in names:
            continue
        try:
            p = plot_record(rec, out_dir, base_dir=base)
            if p:
                written.append(p)
        except Exception as exc:  # noqa: BLE001 - reported per plot
            failed[str(rec.get("name"))] = f"{type(exc).__name__}: {exc}"
    return written, failed
