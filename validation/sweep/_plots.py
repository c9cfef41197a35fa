r"""Sweep plots: each measured quantity against each swept parameter, and scaling laws across the grid.

For every swept parameter :math:`x` and every compared quantity (each component of the
estimate, named by the check's ``Display``), one figure:

* top: the measurement against :math:`x` (one series per combination of the other swept
  parameters), the mean over seeds with its standard error
  :math:`\sqrt{\sum_i \sigma_i^2}/n` (the cells' own computed errors, never the scatter
  guessed from few seeds), and the theory's prediction as a dashed curve;
* bottom: the verdict of every cell (seed against :math:`x`): PASS, FAIL or ERROR.

Where :math:`x` is positive with at least three values and the quantity keeps one sign,
a power law :math:`|y| \propto x^{s}` is fitted to the measurements
(:func:`validation.scaling.fit_power_law`, weighted by the standard errors) and to the
prediction (ordinary least squares: the predicted exponent, exact for a pure power law),
and the two exponents are compared, :math:`z = (s - s_{pred}) / \sqrt{\sigma_s^2 +
\sigma_{pred}^2}`, with a 95% interval for :math:`s`.  The fits go to ``scaling.json``.
The swept values enter each cell's measurement seed (``cell_seed`` in
``validation/sweep/_cell.py``), so the points of a series are independent measurements, as
the fit's interval assumes.
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import Any

import numpy as np
from scipy import stats

from validation.check import Check
from validation.scaling import fit_power_law

__all__ = ["plot_sweep", "scaling_fits"]

_MAX_COMPONENTS = 8
_COLOURS = {"PASS": "C2", "FAIL": "C3", "ERROR": "k"}


def _flat(x: Any) -> np.ndarray | None:
    if x is None or isinstance(x, (str, dict)):
        return None
    try:
        a = np.asarray(x, dtype=float).ravel()
    except (TypeError, ValueError):
        return None
    return a


def _labels(check: Check, params: dict[str, Any], n: int, axis: Any) -> list[str]:
    d = check.display
    if d is not None:
        try:
            lab = d.component_labels(params)
        except Exception:  # noqa: BLE001 - a label function that fails must not lose the plot
            lab = None
        if lab is not None and len(lab) == n:
            return lab
        ax = _flat(axis)
        if d.axis and ax is not None and ax.size == n:
            return [f"{d.axis} = {a:g}" for a in ax]
    return [f"component {i}" for i in range(n)] if n > 1 else [""]


def _cells(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        est = json.loads(r["estimate_json"]) if r["estimate_json"] else None
        out.append({
            "params": json.loads(r["params"]), "seed": r["seed"], "verdict": r["verdict"],
            "value": _flat(est.get("value")) if isinstance(est, dict) else None,
            "stderr": _flat(est.get("stderr")) if isinstance(est, dict) else None,
            "axis": est.get("axis") if isinstance(est, dict) else None,
            "prediction": _flat(json.loads(r["prediction_json"])) if r["prediction_json"] else None,
        })
    return out


def _key(x: Any) -> str:
    return json.dumps(x, sort_keys=True)


def _aggregate(cells: list[dict[str, Any]], name: str, others: list[str], i: int) -> dict[str, list[tuple]]:
    """``{series: [(x, mean, se, prediction, n)]}`` for component ``i`` against parameter ``name``."""
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for c in cells:
        s = ", ".join(f"{o}={c['params'][o]}" for o in others)
        groups.setdefault(s, {}).setdefault(_key(c["params"][name]), []).append(c)
    out: dict[str, list[tuple]] = {}
    for s, by_x in groups.items():
        pts = []
        for xk, cs in by_x.items():
            ok = [c for c in cs if c["value"] is not None and c["value"].size > i and np.isfinite(c["value"][i])]
            vals = np.array([c["value"][i] for c in ok])
            ses = np.array([c["stderr"][i] if c["stderr"] is not None and c["stderr"].size > i else np.nan for c in ok])
            preds = [c["prediction"][i] for c in cs if c["prediction"] is not None and c["prediction"].size > i]
            mean = float(vals.mean()) if ok else math.nan
            se = float(np.sqrt(np.sum(ses**2)) / len(ok)) if ok else math.nan
            pts.append((json.loads(xk), mean, se, float(preds[0]) if preds else math.nan, len(ok)))
        out[s] = pts
    return out


def _numeric(xs: list[Any]) -> bool:
    return all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in xs)


def _fit(pts: list[tuple]) -> dict[str, Any] | None:
    x = np.array([p[0] for p in pts], dtype=float)
    y, se, pr = (np.array([p[k] for p in pts], dtype=float) for k in (1, 2, 3))
    if len(set(x)) < 3 or np.any(x <= 0) or not np.all(np.isfinite(y)) or not np.all(se > 0):
        return None
    sign = 1.0 if np.all(y > 0) else -1.0 if np.all(y < 0) else 0.0
    if sign == 0.0:
        return None
    fit = fit_power_law(x, sign * y, se)
    out: dict[str, Any] = {"slope": fit.slope, "stderr": fit.stderr, "interval95": list(fit.interval(0.95)),
                           "points": int(x.size), "magnitude": sign < 0}
    if np.all(np.isfinite(pr)) and np.all(sign * pr > 0):
        pfit = fit_power_law(x, sign * pr)
        se2 = math.hypot(fit.stderr, pfit.stderr)
        z = (fit.slope - pfit.slope) / se2 if se2 > 0 else (0.0 if fit.slope == pfit.slope else math.inf)
        out.update(predicted_slope=pfit.slope, predicted_stderr=pfit.stderr, z=z, p_value=float(2 * stats.norm.sf(abs(z))))
    return out


def _fname(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", "__".join(p for p in parts if p)) + ".png"


def scaling_fits(rows: list[dict[str, Any]], check: Check, grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The power-law fits (see the module docstring) for every swept parameter, quantity and series.

    Parameters
    ----------
    rows : list of dict
        The sweep's store rows (:meth:`SweepResult.rows`).
    check : Check
        The swept check (its ``display`` names the quantities).
    grid : dict of str to list
        The swept parameters and their values.

    Returns
    -------
    list of dict
        One fit per (parameter, quantity, series) that can be fitted: ``slope``, ``stderr``,
        ``interval95``, ``points``, ``magnitude`` (fitted to :math:`|y|` of a negative quantity),
        ``check``, ``parameter``, ``quantity``, ``series`` and, where the prediction can be fitted,
        ``predicted_slope``, ``predicted_stderr``, ``z`` and ``p_value``.
    """
    return _walk(rows, check, grid, None)


def plot_sweep(rows: list[dict[str, Any]], check: Check, grid: dict[str, list[Any]], out_dir: str) -> dict[str, Any]:
    """Write the sweep's figures and ``scaling.json`` into ``out_dir``.

    Parameters
    ----------
    rows : list of dict
        The sweep's store rows (:meth:`SweepResult.rows`).
    check : Check
        The swept check (its ``display`` names the quantities).
    grid : dict of str to list
        The swept parameters and their values.
    out_dir : str
        Output folder (created).

    Returns
    -------
    dict
        ``{"plots": [paths], "scaling": [fits]}``.
    """
    os.makedirs(out_dir, exist_ok=True)
    plots: list[str] = []
    fits = _walk(rows, check, grid, (out_dir, plots))
    with open(os.path.join(out_dir, "scaling.json"), "w", encoding="utf-8") as fh:
        json.dump(fits, fh, indent=1, default=repr)
    return {"plots": plots, "scaling": fits}


def _walk(rows: list[dict[str, Any]], check: Check, grid: dict[str, list[Any]],
          draw: tuple[str, list[str]] | None) -> list[dict[str, Any]]:
    cells = _cells(rows)
    sizes = [c["value"].size for c in cells if c["value"] is not None]
    if not sizes or not grid:
        return []
    n = min(max(sizes), _MAX_COMPONENTS)
    first = next(c for c in cells if c["value"] is not None)
    labels = _labels(check, first["params"], max(sizes), first["axis"])[:n]
    fits = []
    for name in grid:
        others = [o for o in grid if o != name]
        for i in range(n):
            series = _aggregate(cells, name, others, i)
            qfits = {}
            for s, pts in series.items():
                pts.sort(key=lambda p: _key(p[0]) if not _numeric([p[0]]) else (p[0],))
                f = _fit(pts) if _numeric([p[0] for p in pts]) else None
                if f is not None:
                    f.update(check=check.name, parameter=name, quantity=labels[i], series=s)
                    fits.append(f)
                    qfits[s] = f
            if draw is not None:
                draw[1].append(_draw(check, cells, name, i, labels[i], series, qfits, draw[0]))
    return fits


def _draw(check: Check, cells: list[dict[str, Any]], name: str, i: int, label: str, series: dict[str, list[tuple]],
          fits: dict[str, dict[str, Any]], out_dir: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = check.display
    quantity = d.quantity if d is not None else "measured value"
    unit = f" [{d.unit}]" if d is not None and d.unit != "dimensionless" else ""
    xs_all = [p[0] for pts in series.values() for p in pts]
    numeric = _numeric(xs_all)
    order = sorted({_key(x) for x in xs_all}, key=lambda k: json.loads(k) if numeric else k)
    pos = (lambda x: float(x)) if numeric else (lambda x: float(order.index(_key(x))))
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(7, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 1.2]})
    for j, (s, pts) in enumerate(series.items()):
        col = f"C{j % 10}"
        x = np.array([pos(p[0]) for p in pts])
        f = fits.get(s)
        lab = s or "measured"
        if f is not None:
            lab += f"; slope {f['slope']:.3g} ± {f['stderr']:.2g}"
            if "predicted_slope" in f:
                lab += f" (theory {f['predicted_slope']:.3g}, p = {f['p_value']:.2g})"
        ax.errorbar(x, [p[1] for p in pts], yerr=[p[2] for p in pts], fmt="o", color=col, capsize=3, label=lab)
        ax.plot(x, [p[3] for p in pts], "--", color=col, lw=1, label="prediction" if j == 0 else None)
    positive = numeric and all(float(x) > 0 for x in xs_all)
    if positive and (d is not None and d.xlog or max(map(float, xs_all)) / min(map(float, xs_all)) >= 8):
        ax.set_xscale("log")
        ys = [p[k] for pts in series.values() for p in pts for k in (1, 3)]
        ys = [y for y in ys if math.isfinite(y)]
        if ys and min(ys) > 0 and (d is not None and d.ylog or max(ys) / min(ys) >= 8):
            ax.set_yscale("log")
    ax.set_ylabel(f"{quantity}{': ' + label if label else ''}{unit}")
    ax.legend(fontsize=7)
    nfail = sum(c["verdict"] != "PASS" for c in cells)
    ax.set_title(f"{check.name}: {len(cells) - nfail}/{len(cells)} cells pass", fontsize=9)
    seeds = sorted({c["seed"] for c in cells})
    for verdict, col in _COLOURS.items():
        sel = [c for c in cells if c["verdict"] == verdict]
        if sel:
            ax2.scatter([pos(c["params"][name]) for c in sel], [seeds.index(c["seed"]) for c in sel], s=12,
                        color=col, marker="x" if verdict == "ERROR" else "o", label=verdict)
    ax2.set_ylabel("seed (index)")
    ax2.legend(fontsize=7, ncol=3)
    pd_ = check.schema.get(name) if check.schema else None
    ax2.set_xlabel(name + (f" ({pd_.doc})" if pd_ is not None and pd_.doc else ""))
    if not numeric:
        ax2.set_xticks(range(len(order)), [str(json.loads(k)) for k in order])
    fig.tight_layout()
    path = os.path.join(out_dir, _fname(check.name, name, label or quantity))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
