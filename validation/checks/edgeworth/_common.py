"""Helpers shared by the Edgeworth checks: expansions of a summand, perturbed cumulants, registration, plots."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from theory.edgeworth import Edgeworth
from validation.check import Check, CheckResult, register_check
from validation.systems import Summand

__all__ = ["CHECKS", "register", "expansion", "CUMULANT_MARGIN", "pyplot", "title", "save", "sigma_band"]

#: every Edgeworth check, in registration order
CHECKS: dict[str, Check] = {}

#: cumulants beyond the highest order kept: the budgets sum three omitted non-vanishing terms,
#: which for a symmetric law (odd terms zero) reach order + 6, i.e. kappa_(order + 8)
CUMULANT_MARGIN = 8


def register(check: Check) -> Check:
    """Register ``check`` globally and in :data:`CHECKS`."""
    CHECKS[check.name] = register_check(check)
    return check


def expansion(s: Summand, max_order: int, *, scale: Mapping[int, float] | None = None, lattice: bool = False) -> Edgeworth:
    """The Edgeworth expansion of summand ``s`` with cumulants for orders up to ``max_order`` and their budgets.

    ``scale`` multiplies cumulants (``{3: 1.1}``: :math:`\\kappa_3` 10% too large) -- a twin's wrong theory.
    ``lattice`` adds the summand's lattice terms.
    """
    k = s.float_cumulants(max_order + 2 + CUMULANT_MARGIN)
    for r, f in (scale or {}).items():
        k[r - 1] *= f
    return Edgeworth(k, lattice=s.lattice if lattice else None)


def pyplot() -> Any:
    """matplotlib.pyplot with the Agg backend (imported only when a plot is drawn)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def title(result: CheckResult) -> str:
    """``name: VERDICT (p = ...)``, or the tolerance ratio for a deterministic comparison."""
    if result.p_value is None:
        return f"{result.name}: {result.verdict} (deterministic: |difference| / tolerance = {result.statistic:.3g})"
    return f"{result.name}: {result.verdict} (p = {result.p_value:.3g})"


def save(fig: Any, path: str) -> None:
    """Write ``fig`` as a PNG and close it."""
    plt = pyplot()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def sigma_band(ax: Any, x: np.ndarray, sigma: np.ndarray, label: str = "± 1σ (Monte Carlo)") -> None:
    """A grey band of plus/minus one standard error around zero."""
    ax.fill_between(x, -sigma, sigma, color="0.85", label=label, step=None)
    ax.axhline(0.0, color="k", lw=0.5)
