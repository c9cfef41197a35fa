"""Default plots for check results, one per comparison rule.

* binned chi-square: predicted vs measured probability per bin (as a density)
  with one-sigma binomial error bands, and the standardised residuals;
* scaling exponent: the measured quantity against the control parameter on
  log-log axes, the fitted line and a line of the predicted slope;
* point comparison: prediction and measurement with error bars per component.

matplotlib is imported lazily (Agg backend), so nothing is imported unless a
plot is asked for.
"""

from __future__ import annotations

import os
import re
from typing import Any

import numpy as np

from validation.check import Check, CheckResult

__all__ = ["plot_result"]


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _fname(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".png"


def plot_result(result: CheckResult, check: Check, out_dir: str) -> str | None:
    """Write a PNG for ``result`` into ``out_dir``; return its path (None if no plot applies)."""
    if result.error is not None or not result.raw:
        return None
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, _fname(result.name))
    if check.plot is not None:
        check.plot(result, path)
        return path
    rule = result.rule
    plt = _plt()
    title = f"{result.name}: {result.verdict} (p = {result.p_value:.3g})"
    if rule == "binned-chi2":
        d = result.details
        edges, obs, exp = np.asarray(d["edges"]), np.asarray(d["observed"]), np.asarray(d["expected"])
        n = obs.sum()
        inner = slice(1, -1)
        w = np.diff(edges)
        mid = 0.5 * (edges[1:] + edges[:-1])
        fig, (ax, ax2) = plt.subplots(2, 1, figsize=(7, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
        dens_obs = obs[inner] / (n * w)
        err = np.sqrt(np.maximum(exp[inner] * (1 - exp[inner] / n), 1e-300)) / (n * w)
        dens_pred = exp[inner] / (n * w)
        ax.fill_between(mid, dens_pred - err, dens_pred + err, color="C0", alpha=0.3, label="prediction ± 1σ (sampling)")
        ax.plot(mid, dens_pred, color="C0", label="prediction")
        ax.plot(mid, dens_obs, ".", color="C3", ms=3, label="measurement")
        ax.set_ylabel("density")
        ax.legend()
        ax.set_title(title, fontsize=9)
        ax2.plot(mid, (obs[inner] - exp[inner]) / np.sqrt(exp[inner]), ".", color="C3", ms=3)
        ax2.axhline(0, color="k", lw=0.5)
        ax2.set_ylabel("(O-E)/√E")
        ax2.set_xlabel("x")
    elif rule == "scaling-exponent":
        d = result.details
        x, y = np.asarray(d["x"]), np.asarray(d["y"])
        yerr = d.get("y_err")
        fit = d["fit"]
        fig, ax = plt.subplots(figsize=(6, 4.5))
        ax.errorbar(x, y, yerr=None if yerr is None else np.asarray(yerr), fmt="o", color="C3", label="measured")
        xx = np.geomspace(x.min(), x.max(), 50)
        anchor = np.exp(np.mean(np.log(y) - fit.slope * np.log(x)))
        ax.plot(xx, anchor * xx**fit.slope, color="C3", lw=1, label=f"fitted slope {fit.slope:.4f} ± {fit.stderr:.4f}")
        anchor_p = np.exp(np.mean(np.log(y) - d["predicted"] * np.log(x)))
        ax.plot(xx, anchor_p * xx ** d["predicted"], "--", color="C0", label=f"predicted slope {d['predicted']:.3f}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(str(d.get("x_label", "control parameter")))
        ax.set_ylabel(str(d.get("y_label", "measured quantity")))
        ax.legend(fontsize=8)
        ax.set_title(title, fontsize=9)
    elif rule.startswith("point"):
        pred = result.raw["prediction"]
        est = result.raw["estimate"]
        pv = np.atleast_1d(np.asarray(pred.value, dtype=float)).ravel()
        ev = np.atleast_1d(np.asarray(est.value, dtype=float)).ravel()
        se = np.broadcast_to(np.asarray(est.stderr, dtype=float), np.shape(est.value)).ravel()
        tr = np.broadcast_to(np.asarray(pred.truncation, dtype=float), np.shape(pred.value)).ravel() if not callable(pred.truncation) else np.zeros_like(pv)
        if pv.size != ev.size or pv.size > 400:
            return None
        i = np.arange(pv.size)
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.errorbar(i, pv, yerr=tr if np.any(tr) else None, fmt="s", color="C0", label="prediction (± truncation)")
        ax.errorbar(i + 0.15, ev, yerr=se, fmt="o", color="C3", label="measurement ± 1σ")
        ax.set_xlabel("component")
        ax.legend(fontsize=8)
        ax.set_title(title, fontsize=9)
    else:
        return None
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
