"""What a sweep returns: its cells, read back from the store and judged at the sweep's level."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from validation.sweep._store import SweepStore, _frame

__all__ = ["SweepResult", "rejudge"]


def rejudge(row: dict[str, Any], alpha: float) -> dict[str, Any]:
    """``row`` judged at ``alpha``: a statistical cell with a p-value passes when ``p > alpha``.

    A cell stored by another sweep (another grid size, so another Bonferroni level) is
    re-judged from its stored p-value, as ``run_suite(resume=True)`` does; deterministic
    cells and errors keep their verdict.

    Parameters
    ----------
    row : dict
        A stored row (:meth:`validation.sweep.SweepStore.rows`); not modified.
    alpha : float
        The level to judge it at.

    Returns
    -------
    dict
        ``row`` itself when its verdict stands, else a copy with ``alpha``, ``passed`` and
        ``verdict`` set for the new level.
    """
    if row.get("error") is None and row.get("kind") == "statistical" and row.get("p_value") is not None \
            and row.get("alpha") != alpha:
        row = dict(row)
        row["alpha"] = alpha
        row["passed"] = int(row["p_value"] > alpha)
        row["verdict"] = "PASS" if row["passed"] else "FAIL"
    return row


@dataclass
class SweepResult:
    """The outcome of :func:`validation.sweep.sweep`.

    Parameters
    ----------
    check : str
        The check's name.
    mode : {"quick", "full"}
        The parameter set the grid overrides.
    grid : dict of str to list
        The validated grid.
    seeds : list of int
        The sweep's seeds.
    alpha : float
        The level each statistical cell is judged at: Bonferroni over the sweep's cells,
        ``min(1e-3, alpha_family / cells)``.
    store : str
        Path of the results store.
    keys : list of str
        The cells' identities, grid order (seeds inner).
    ran, reused : int, default 0
        Cells measured by this call, and cells found in the store.
    interrupted : bool, default False
        Whether the sweep was stopped before all cells finished.
    _rows : list of dict, optional
        Cache of :meth:`rows`, filled on first use (leave it ``None``).
    """

    check: str
    mode: str
    grid: dict[str, list[Any]]
    seeds: list[int]
    alpha: float
    store: str
    keys: list[str]
    ran: int = 0
    reused: int = 0
    interrupted: bool = False
    _rows: list[dict[str, Any]] | None = field(default=None, repr=False)

    def rows(self) -> list[dict[str, Any]]:
        """The stored rows of this sweep's cells, in grid order, judged at :attr:`alpha`.

        Returns
        -------
        list of dict
            One row per stored cell (cells not in the store, e.g. after an interruption, are
            missing), read once and cached.
        """
        if self._rows is None:
            with SweepStore(self.store) as s:
                by = {r["key"]: r for r in s.rows(self.keys)}
                self._params = list(s.params)
            self._rows = [rejudge(by[k], self.alpha) for k in self.keys if k in by]
        return self._rows

    def to_frame(self) -> Any:
        """One row per cell as a pandas data frame.

        Returns
        -------
        pandas.DataFrame
            Columns ``check, seed, passed, p_value, seconds``, one column per swept parameter, and
            every other stored column (as :func:`validation.sweep.load`).
        """
        import pandas as pd

        rows = self.rows()
        return _frame(rows, list(self.grid), pd)

    @property
    def cells(self) -> int:
        """Number of cells in the sweep."""
        return len(self.keys)

    @property
    def failed(self) -> int:
        """Cells that failed or raised."""
        return sum(1 for r in self.rows() if not r["passed"])

    @property
    def passed(self) -> bool:
        """Every cell finished and passed."""
        return not self.interrupted and len(self.rows()) == len(self.keys) and self.failed == 0
