"""Test-only helper: the convergence diagnostics of ``estimate_llc`` rightly warn on the short runs of
tests that are about something else; these marks silence exactly those warnings."""

from __future__ import annotations

import pytest

__all__ = ["QUIET"]

#: ``pytestmark = QUIET`` (or ``@pytest.mark...`` each): the four diagnostic warnings, nothing else
QUIET = [pytest.mark.filterwarnings(f"ignore:{m}:RuntimeWarning")
         for m in ("split R-hat", "bulk ESS", "the estimate moves", "the localization")]
