"""Plots of the density-matrix checks (``Check.plot``): trajectories against time, spectra in the complex
plane, matrices, the scaling fit, entropies and Born-rule frequencies.

Each names its axes with the quantity and its unit and is titled with the verdict and the p-value
(statistical checks) or the largest ratio of discrepancy to tolerance (deterministic checks).
matplotlib is imported lazily with the Agg backend.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from validation.results import CheckResult

__all__ = ["plot_trajectory", "plot_oscillator", "plot_spectrum", "plot_matrix", "plot_scaling", "plot_points",
           "plot_born"]


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _display(result: CheckResult) -> Any:
    from validation.check import get_check

    return get_check(result.name).display


def title(result: CheckResult) -> str:
    """``name: VERDICT (p = ...)`` or, for a deterministic check, ``(max |diff| / tolerance = ...)``."""
    if result.p_value is not None:
        return f"{result.name}: {result.verdict} (p = {result.p_value:.3g}, alpha = {result.alpha:.2g})"
    return f"{result.name}: {result.verdict} (deterministic: max |diff| / tolerance = {result.statistic:.3g})"


def _save(fig: Any, path: str) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _plt().close(fig)


def _parts(result: CheckResult) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Any]:
    pred, est = result.raw["prediction"], result.raw["estimate"]
    pv, ev = np.asarray(pred.value, float), np.asarray(est.value, float)
    tol = np.asarray(est.diagnostics["tolerance"], float)
    tr = np.broadcast_to(np.asarray(pred.truncation, float), pv.shape)
    return pv, ev, tol, tr, est.diagnostics["axis"]


def _deviation_panel(ax: Any, t: np.ndarray, diff: np.ndarray, allowed: np.ndarray, unit: str) -> None:
    pos = diff > 0  # exact agreement (e.g. the initial state) has no place on a log axis
    ax.semilogy(t[pos], diff[pos], ".", color="C3", ms=3, label="max |measurement - prediction| (exact zeros omitted)")
    ax.semilogy(t, allowed, "-", color="k", lw=1, label="tolerance (solver bound + rounding + budget)")
    low = min(float(diff[pos].min()) if pos.any() else float(allowed.min()), float(allowed.min()))
    ax.set_ylim(low / 10, float(allowed.max()) * 10)
    ax.set_xlabel(unit)
    ax.set_ylabel("deviation (trace-norm units)")
    ax.legend(fontsize=7)


def plot_trajectory(result: CheckResult, path: str) -> None:
    """Each series against time (prediction: line; measurement: dots), then the deviation against its tolerance."""
    plt = _plt()
    d = _display(result)
    pv, ev, tol, tr, t = _parts(result)
    t = np.asarray(t, float)
    k = pv.shape[-1]
    fig, axes = plt.subplots(k + 1, 1, figsize=(7, 2.0 * (k + 1)), sharex=True)
    xlabel = f"{d.axis} [{d.axis_unit}]"
    for j in range(k):
        ax = axes[j]
        ax.plot(t, pv[:, j], "-", color="C0", lw=1.2, label="prediction (closed form)")
        ax.plot(t, ev[:, j], ".", color="C3", ms=3, label="measurement (lindblad_evolve)")
        ax.set_ylabel(f"{d.series[j] if j < len(d.series) else j} [{d.unit}]")
        if j == 0:
            ax.legend(fontsize=7, loc="upper right")
            ax.set_title(title(result), fontsize=9)
    diff = np.abs(ev - pv).reshape(t.size, -1).max(1)
    allowed = tol + tr.reshape(t.size, -1).max(1)
    _deviation_panel(axes[-1], t, diff, allowed, xlabel)
    _save(fig, path)


def plot_oscillator(result: CheckResult, path: str) -> None:
    r"""The amplitude :math:`\langle a\rangle(t) = \mathrm{tr}(a\rho)` in the complex plane, and the deviation of :math:`\rho`."""
    plt = _plt()
    d = _display(result)
    pv, ev, tol, tr, t = _parts(result)
    t = np.asarray(t, float)

    def amp(v: np.ndarray) -> np.ndarray:
        rho = v[..., 0] + 1j * v[..., 1]
        n = rho.shape[-1]
        return np.einsum("tij,ji->t", rho, np.diag(np.sqrt(np.arange(1, n)), 1))

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
    ap, am = amp(pv), amp(ev)
    ax.plot(ap.real, ap.imag, "-", color="C0", label="prediction: alpha0 exp(-iwt - kappa t/2)")
    ax.plot(am.real, am.imag, ".", color="C3", ms=4, label="measurement: tr(a rho(t))")
    ax.set_xlabel("Re <a> [dimensionless]")
    ax.set_ylabel("Im <a> [dimensionless]")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(fontsize=7)
    ax.set_title(title(result), fontsize=8)
    diff = np.abs(ev - pv).reshape(t.size, -1).max(1)
    _deviation_panel(ax2, t, diff, tol + tr.reshape(t.size, -1).max(1), f"{d.axis} [{d.axis_unit}]")
    ax2.set_title("max over n, m of |rho_nm difference|", fontsize=8)
    _save(fig, path)


def plot_spectrum(result: CheckResult, path: str) -> None:
    """Eigenvalues in the complex plane; predicted and measured ones joined as the comparison matched them."""
    plt = _plt()
    d = _display(result)
    det = result.details
    a, b = np.asarray(det["matched_prediction"]), np.asarray(det["matched_measurement"])
    fig, ax = plt.subplots(figsize=(6.5, 5))
    for pa, pb in zip(a, b):
        ax.plot([pa[0], pb[0]], [pa[1], pb[1]], "-", color="0.6", lw=0.8)
    ax.plot(a[:, 0], a[:, 1], "o", mfc="none", color="C0", ms=10, label="prediction (sympy eigenvals)")
    ax.plot(b[:, 0], b[:, 1], "x", color="C3", ms=8, label="measurement (numpy eig of liouvillian_matrix)")
    dist = np.hypot(*(a - b).T)
    ax.text(0.02, 0.02, f"matched pairs: max distance {dist.max():.2g} (tolerance {result.tolerance:.2g})",
            transform=ax.transAxes, fontsize=8)
    ax.set_xlabel(f"Re {d.quantity} [{d.unit}]")
    ax.set_ylabel(f"Im {d.quantity} [{d.unit}]")
    ax.axvline(0, color="k", lw=0.5)
    ax.axhline(0, color="k", lw=0.5)
    ax.legend(fontsize=8)
    ax.set_title(title(result), fontsize=8)
    _save(fig, path)


def plot_matrix(result: CheckResult, path: str) -> None:
    """Predicted and measured matrices, and the discrepancy in units of the tolerance."""
    plt = _plt()
    d = _display(result)
    pred, est = result.raw["prediction"], result.raw["estimate"]
    P, M = np.asarray(pred.value, float), np.asarray(est.value, float)
    tol = float(np.max(est.diagnostics["tolerance"])) + float(np.max(pred.truncation))
    fig, axes = plt.subplots(1, 3, figsize=(12, 4))
    for ax, A, name in ((axes[0], P, "prediction |U_ij|^2"), (axes[1], M, "measurement")):
        im = ax.imshow(A, cmap="viridis", vmin=0, vmax=max(P.max(), M.max()))
        ax.set_title(f"{name} [{d.unit}]", fontsize=9)
        fig.colorbar(im, ax=ax, fraction=0.046)
    im = axes[2].imshow(np.abs(M - P) / tol, cmap="magma")
    axes[2].set_title("|difference| / tolerance", fontsize=9)
    fig.colorbar(im, ax=axes[2], fraction=0.046)
    for ax in axes:
        ax.set_xticks(range(P.shape[1]))
        ax.set_yticks(range(P.shape[0]))
        ax.set_xlabel("j (initial site)")
        ax.set_ylabel("i (final site)")
    fig.suptitle(title(result), fontsize=9)
    _save(fig, path)


def plot_scaling(result: CheckResult, path: str) -> None:
    """The measured error against x on log-log axes, the fitted power law and the predicted slope."""
    plt = _plt()
    d = _display(result)
    det = result.details
    x, y = np.asarray(det["x"]), np.asarray(det["y"])
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(6.5, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ax.loglog(x, y, "o", color="C3", label="measured RMS population error")
    xx = np.geomspace(x.min(), x.max(), 60)
    for slope, style, lab in ((det["slope"], "-", f"fitted leading slope {det['slope']:.6f}"),
                              (det["predicted"], "--", f"predicted slope {det['predicted']:.3g}")):
        anchor = np.exp(np.mean(np.log(y) - slope * np.log(x)))
        ax.loglog(xx, anchor * xx**slope, style, lw=1, label=lab)
    ax.set_ylabel(f"{d.quantity} [{d.unit}]")
    ax.legend(fontsize=8)
    ax.set_title(title(result) + f"\n|slope - predicted| allowed {result.tolerance:.2g}", fontsize=8)
    ax2.semilogx(x, np.asarray(det["residual"]), ".", color="C3")
    ax2.axhline(0, color="k", lw=0.5)
    ax2.set_ylabel("log y - fit")
    ax2.set_xlabel(f"{d.axis} [{d.axis_unit}]")
    _save(fig, path)


def plot_points(result: CheckResult, path: str) -> None:
    """Named components: prediction and measurement, then their difference against the tolerance."""
    plt = _plt()
    d = _display(result)
    pred, est = result.raw["prediction"], result.raw["estimate"]
    pv, ev = np.ravel(pred.value), np.ravel(est.value)
    tol = np.broadcast_to(np.asarray(est.diagnostics["tolerance"], float), ev.shape)
    tr = np.broadcast_to(np.asarray(pred.truncation, float), pv.shape)
    labels = d.component_labels(result.params) or [str(i) for i in range(pv.size)]
    i = np.arange(pv.size)
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(6, 5.5), sharex=True)
    ax.plot(i, pv, "s", mfc="none", color="C0", ms=12, label="prediction")
    ax.plot(i, ev, "x", color="C3", ms=8, label="measurement")
    ax.ticklabel_format(axis="y", useOffset=False)
    ax.set_ylabel(f"{d.quantity} [{d.unit}]")
    ax.legend(fontsize=8)
    ax.set_title(title(result), fontsize=8)
    diff = np.abs(ev - pv)
    ax2.bar(i - 0.15, tol + tr, width=0.3, color="0.7", label="tolerance")
    ax2.bar(i + 0.15, np.where(diff > 0, diff, np.nan), width=0.3, color="C3", label="|measurement - prediction|")
    for k in np.flatnonzero(diff == 0):
        ax2.annotate("0 (exact)", (i[k] + 0.15, float((tol + tr)[k]) / 100), ha="center", fontsize=7)
    ax2.set_yscale("log")
    ax2.set_ylim(float(np.min(tol + tr)) / 1e4, float(np.max(tol + tr)) * 10)
    ax2.set_xlim(-0.5, pv.size - 0.5)
    ax2.set_ylabel(f"deviation [{d.unit}]")
    ax2.set_xticks(i, labels)
    ax2.legend(fontsize=7)
    _save(fig, path)


def plot_born(result: CheckResult, path: str) -> None:
    """Predicted outcome probabilities against observed frequencies with one-sigma binomial errors."""
    plt = _plt()
    d = _display(result)
    pred, est = result.raw["prediction"], result.raw["estimate"]
    p = np.asarray(pred.extra["probabilities"], float)
    f, se = np.asarray(est.value, float), np.asarray(est.stderr, float)
    labels = d.component_labels(result.params) or [str(k) for k in range(p.size)]
    k = np.arange(p.size)
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(6, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ax.bar(k, p, width=0.5, color="C0", alpha=0.5, label="prediction tr(E_k rho)")
    ax.errorbar(k, f, yerr=se, fmt="o", color="C3", capsize=5, label=f"frequency in {est.samples} shots +- 1 sigma")
    ax.set_ylabel(f"{d.quantity} [{d.unit}]")
    ax.legend(fontsize=8)
    ax.set_title(title(result), fontsize=8)
    ax2.plot(k, (f - p) / np.sqrt(p * (1 - p) / est.samples), "o", color="C3")
    ax2.axhline(0, color="k", lw=0.5)
    ax2.set_ylabel("(f - p) / sigma")
    ax2.set_xticks(k, labels)
    ax2.set_xlabel("POVM outcome")
    _save(fig, path)
