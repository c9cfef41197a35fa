"""Drawing a stored result by its display kind (private; see :mod:`validation.plots`).

Every function takes the stored record (results schema v1, arrays already loaded) and a
matplotlib figure, and names its axes with the check's declared quantity, unit and axis.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from scipy import stats

__all__ = ["DRAWERS", "draw_record"]


def _label(name: str | None, unit: str | None) -> str:
    if not name:
        return ""
    return name if not unit or unit == "dimensionless" else f"{name} [{unit}]"


def _title(rec: dict[str, Any]) -> str:
    v = rec.get("verdict", "?")
    if rec.get("kind") == "deterministic":
        stat = rec.get("statistic")
        s = f"max |discrepancy| / tolerance = {stat:.3g}" if isinstance(stat, (int, float)) else "deterministic"
    else:
        p = rec.get("p_value")
        s = f"p = {p:.3g}, alpha = {rec.get('alpha', float('nan')):.2g}" if isinstance(p, (int, float)) else ""
    return f"{rec.get('name')}: {v} ({s})"


def _arrays(comps: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    pred = np.asarray(comps["prediction"], dtype=float)
    meas = np.asarray(comps["measurement"], dtype=float)
    err = comps.get("stderr")
    if err is None:
        err = comps.get("tolerance")
    err_a = None if err is None else np.broadcast_to(np.asarray(err, dtype=float), meas.shape)
    budget = np.broadcast_to(np.asarray(comps.get("budget", 0.0), dtype=float), pred.shape)
    return pred, meas, err_a, budget


def _residual_panel(ax: Any, x: Any, d: np.ndarray, err: np.ndarray | None, rec: dict[str, Any], k: int) -> None:
    """Standardised residuals with the level the check is judged at."""
    if err is None or not np.any(err > 0):
        ax.plot(x, d, "o", color="C3", ms=3)
        ax.set_ylabel("measured − predicted")
        ax.axhline(0, color="k", lw=0.5)
        return
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(err > 0, d / err, 0.0)
    ax.plot(x, r, "o", color="C3", ms=3)
    ax.axhline(0, color="k", lw=0.5)
    if rec.get("kind") == "deterministic":
        ax.axhline(1, color="0.5", ls="--", lw=0.8)
        ax.axhline(-1, color="0.5", ls="--", lw=0.8)
        ax.set_ylabel("discrepancy / tolerance")
    else:
        a = rec.get("alpha") or 1e-3
        z = stats.norm.isf(a / (2 * max(k, 1)))
        ax.axhline(z, color="0.5", ls="--", lw=0.8, label=f"±{z:.2f}: rejection level")
        ax.axhline(-z, color="0.5", ls="--", lw=0.8)
        ax.set_ylabel("(measured − predicted) / σ")
        ax.legend(fontsize=7, loc="upper right")


def _point(rec: dict[str, Any], fig: Any) -> None:
    disp = rec.get("display") or {}
    pred, meas, err, budget = _arrays(rec["components"])
    pred, meas, budget = pred.ravel(), meas.ravel(), budget.ravel()
    err = None if err is None else err.ravel()
    labels = (rec["components"].get("labels") or disp.get("labels") or [])
    k = pred.size
    names = [str(s) for s in labels] if len(labels) == k else [f"#{i}" for i in range(k)]
    ax, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    x = np.arange(k)
    elabel = "measurement ± tolerance" if rec.get("kind") == "deterministic" else "measurement ± 1σ"
    if k <= 200:
        ax.errorbar(x - 0.1, pred, yerr=budget if np.any(budget) else None, fmt="s", color="C0", ms=4,
                    label="prediction" + (" ± truncation budget" if np.any(budget) else ""))
        ax.errorbar(x + 0.1, meas, yerr=err, fmt="o", color="C3", ms=4, label=elabel)
    else:  # many components: lines and a band, no per-point error bars
        ax.plot(x, pred, "-", color="C0", lw=0.8, label="prediction")
        ax.plot(x, meas, ".", color="C3", ms=1, label=elabel.split(" ±")[0])
    ax.set_ylabel(_label(disp.get("quantity", "value"), disp.get("unit")))
    ax.legend(fontsize=7)
    _residual_panel(ax2, x, meas - pred, err, rec, k)
    if k <= 40:
        long = max((len(n) for n in names), default=0) > 6
        ax2.set_xticks(x)
        ax2.set_xticklabels(names, rotation=30 if long else 0, ha="right" if long else "center", fontsize=7)
        ax2.set_xlabel(_label(disp.get("axis") or "component", disp.get("axis_unit")))
    else:  # too many to name one by one: index them
        ax2.set_xlabel(_label(f"{disp.get('axis') or 'component'} (index of {k})", disp.get("axis_unit")))


def _curve(rec: dict[str, Any], fig: Any) -> None:
    disp = rec.get("display") or {}
    comps = rec["components"]
    pred, meas, err, budget = _arrays(comps)
    axis = comps.get("axis")
    T = pred.shape[0] if pred.ndim else 1
    x = np.asarray(axis, dtype=float) if axis is not None and np.size(axis) == T else np.arange(T)
    series = list(disp.get("series") or [])
    P = pred.reshape(T, -1)
    M = meas.reshape(T, -1)
    E = None if err is None else err.reshape(T, -1)
    S = P.shape[1]
    names = series if len(series) == S else ([""] if S == 1 else [f"#{j}" for j in range(S)])
    ax, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    for j in range(S):
        c = f"C{j % 10}"
        ax.plot(x, P[:, j], "-", color=c, lw=1.2, label=f"prediction {names[j]}".strip())
        ax.errorbar(x, M[:, j], yerr=None if E is None else E[:, j], fmt="o", ms=2.5, color=c, alpha=0.7,
                    label=f"measurement {names[j]}".strip())
        d = M[:, j] - P[:, j]
        if E is not None and np.any(E[:, j] > 0):
            with np.errstate(divide="ignore", invalid="ignore"):
                ax2.plot(x, np.where(E[:, j] > 0, d / E[:, j], 0.0), "o", ms=2.5, color=c)
        else:
            ax2.plot(x, d, "o", ms=2.5, color=c)
    ax2.axhline(0, color="k", lw=0.5)
    if rec.get("kind") == "deterministic":
        ax2.axhline(1, color="0.5", ls="--", lw=0.8)
        ax2.axhline(-1, color="0.5", ls="--", lw=0.8)
        ax2.set_ylabel("discrepancy / tolerance" if E is not None else "measured − predicted")
    else:
        ax2.set_ylabel("(measured − predicted) / σ" if E is not None else "measured − predicted")
    ax.set_ylabel(_label(disp.get("quantity", "value"), disp.get("unit")))
    ax.legend(fontsize=7, ncol=2)
    ax2.set_xlabel(_label(disp.get("axis") or "index", disp.get("axis_unit")))
    if disp.get("xlog"):
        ax2.set_xscale("log")
    if disp.get("ylog"):
        ax.set_yscale("log")


def _spectrum(rec: dict[str, Any], fig: Any) -> None:
    disp = rec.get("display") or {}
    pred, meas, err, _ = _arrays(rec["components"])

    def cplx(a: np.ndarray) -> np.ndarray:
        if a.ndim == 2 and a.shape[1] == 2:
            return a[:, 0] + 1j * a[:, 1]
        a = a.ravel()
        return a[: a.size // 2] + 1j * a[a.size // 2:]

    p, m = cplx(pred), cplx(meas)
    ax = fig.subplots(1, 1)
    ax.plot(p.real, p.imag, "o", ms=9, mfc="none", color="C0", label="prediction")
    ax.plot(m.real, m.imag, "x", ms=7, color="C3", label="measurement (matched)")
    for a, b in zip(p, m):
        ax.plot([a.real, b.real], [a.imag, b.imag], "-", color="0.6", lw=0.6)
    unit = disp.get("unit")
    ax.set_xlabel(_label(f"Re {disp.get('quantity', 'eigenvalue')}", unit))
    ax.set_ylabel(_label(f"Im {disp.get('quantity', 'eigenvalue')}", unit))
    ax.axhline(0, color="k", lw=0.4)
    ax.axvline(0, color="k", lw=0.4)
    ax.legend(fontsize=7)
    ax.text(0.02, 0.02, f"max |Δ| = {np.max(np.abs(p - m)):.2g}", transform=ax.transAxes, fontsize=7)


def _scaling(rec: dict[str, Any], fig: Any) -> None:
    disp = rec.get("display") or {}
    d = rec["details"]
    x, y = np.asarray(d["x"], dtype=float), np.asarray(d["y"], dtype=float)
    yerr = d.get("y_err")
    fit = d.get("fit") or {}
    slope = float(d.get("slope", fit.get("slope", np.nan)))
    se = float(d.get("slope_stderr", fit.get("stderr", np.nan)))
    ax = fig.subplots(1, 1)
    ax.errorbar(x, y, yerr=None if yerr is None else np.asarray(yerr, dtype=float), fmt="o", color="C3",
                label="measured")
    xx = np.geomspace(x.min(), x.max(), 60)
    anchor = np.exp(np.mean(np.log(y) - slope * np.log(x)))
    ax.plot(xx, anchor * xx**slope, color="C3", lw=1, label=f"fitted slope {slope:.3f} ± {se:.3f}")
    pe = float(d["predicted"])
    anchor_p = np.exp(np.mean(np.log(y) - pe * np.log(x)))
    ax.plot(xx, anchor_p * xx**pe, "--", color="C0", label=f"predicted slope {pe:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    from matplotlib.ticker import FixedLocator, NullLocator, ScalarFormatter

    ticks = x if x.size <= 8 else x[:: int(math.ceil(x.size / 8))]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.set_xlabel(_label(disp.get("axis") or "control parameter", disp.get("axis_unit")))
    ax.set_ylabel(_label(disp.get("quantity", "measured quantity"), disp.get("unit")))
    ax.legend(fontsize=7)


def _binned(rec: dict[str, Any], fig: Any) -> None:
    disp = rec.get("display") or {}
    det = rec["details"]
    parts = det.get("parts") or {"": {"details": det}}
    parts = {k: p["details"] for k, p in parts.items() if "edges" in (p.get("details") or {})}
    if not parts:
        raise ValueError("no binned comparison stored")
    shown = list(parts.items())[:4]
    axes = fig.subplots(2, len(shown), squeeze=False, gridspec_kw={"height_ratios": [3, 2]})
    for col, (name, pd) in enumerate(shown):
        edges, obs, exp = (np.asarray(pd[k], dtype=float) for k in ("edges", "observed", "expected"))
        n = obs.sum()
        ax, ax2 = axes[0][col], axes[1][col]
        mid = 0.5 * (edges[1:] + edges[:-1])
        w = np.diff(edges)
        inner = slice(1, -1)
        sd = np.sqrt(np.maximum(exp[inner] * (1 - exp[inner] / n), 1e-300))
        ax.fill_between(mid, (exp[inner] - sd) / (n * w), (exp[inner] + sd) / (n * w), color="C0", alpha=0.3,
                        label="prediction ± 1σ (sampling)")
        ax.plot(mid, exp[inner] / (n * w), color="C0", lw=1, label="prediction")
        ax.plot(mid, obs[inner] / (n * w), ".", color="C3", ms=4, label="measurement")
        ax.set_title(name, fontsize=8)
        ax.set_ylabel("probability density")
        ax2.plot(mid, (obs[inner] - exp[inner]) / np.sqrt(exp[inner]), ".", color="C3", ms=4)
        ax2.axhline(0, color="k", lw=0.5)
        ax2.set_ylabel("(O − E) / √E")
        ax2.set_xlabel(_label(disp.get("axis") or "x", disp.get("axis_unit")))
        if col == 0:
            ax.legend(fontsize=7)


def _matrix(rec: dict[str, Any], fig: Any) -> None:
    disp = rec.get("display") or {}
    pred, meas, err, _ = _arrays(rec["components"])
    if pred.ndim != 2:
        n = int(round(math.sqrt(pred.size)))
        pred, meas = pred.reshape(n, -1), meas.reshape(n, -1)
    axes = fig.subplots(1, 3)
    for ax, a, t in zip(axes, (pred, meas, meas - pred), ("prediction", "measurement", "measured − predicted")):
        im = ax.imshow(a, cmap="viridis" if t != "measured − predicted" else "coolwarm")
        ax.set_title(t, fontsize=8)
        fig.colorbar(im, ax=ax, fraction=0.046)
    axes[0].set_ylabel(_label(disp.get("quantity", "entry"), disp.get("unit")))


DRAWERS: dict[str, Callable[[dict[str, Any], Any], None]] = {
    "point": _point,
    "curve": _curve,
    "trajectory": _curve,
    "degradation": _curve,
    "spectrum": _spectrum,
    "scaling": _scaling,
    "distribution": _binned,
    "matrix": _matrix,
}


def draw_record(rec: dict[str, Any], fig: Any) -> None:
    """Draw ``rec`` on ``fig`` by its display kind (falling back on its comparison rule)."""
    kind = (rec.get("display") or {}).get("kind")
    if kind is None:
        rule = rec.get("rule", "")
        kind = {"scaling-exponent": "scaling", "binned-chi2": "distribution"}.get(rule, "point")
    if kind == "distribution" and not (rec.get("details") or {}).get("edges") and not (rec.get("details") or {}).get("parts"):
        kind = "point"
    if kind in ("point", "curve", "trajectory", "degradation", "spectrum", "matrix") and not rec.get("components"):
        if (rec.get("details") or {}).get("x") is not None and "predicted" in (rec.get("details") or {}):
            kind = "scaling"
        else:
            raise ValueError("the result stores no compared components to draw")
    DRAWERS[kind](rec, fig)
    fig.suptitle(_title(rec), fontsize=9)
