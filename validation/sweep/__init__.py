"""Sweeps: any registered check over a parameter grid and many seeds, in parallel, into a results store.

>>> from validation.sweep import sweep, load                          # doctest: +SKIP
>>> res = sweep("wide_networks.kurtosis", {"width": [32, 64, 128]}, "0..19",
...             workers=2, store="results/kurtosis.sqlite")
>>> res.to_frame().groupby("width").p_value.min()
>>> load("results/kurtosis.sqlite")                                   # every cell ever stored

Modules: ``_grid`` (grids and seeds from the command line or TOML), ``_cell`` (cell
identity and the worker task), ``_store`` (the SQLite store), ``_engine`` (running cells
on :mod:`validation.engine`), ``_progress``, ``_result``, ``_plots`` (sweep plots and
scaling fits) and ``_calibrate`` (calibration on the engine, resumable).
"""

from validation.sweep._calibrate import calibrate_checks
from validation.sweep._cell import Cell, make_cells, run_cell, theorycheck_version
from validation.sweep._engine import SweepInterrupted, run_cells, sweep, todo_cells
from validation.sweep._grid import SweepSpec, grid_points, parse_param, parse_seeds, read_sweep_file, validate_grid
from validation.sweep._plots import plot_sweep
from validation.sweep._result import SweepResult
from validation.sweep._store import StoreError, SweepStore, load, param_column

__all__ = [
    "sweep",
    "load",
    "param_column",
    "SweepResult",
    "SweepInterrupted",
    "SweepStore",
    "StoreError",
    "SweepSpec",
    "Cell",
    "make_cells",
    "run_cell",
    "run_cells",
    "todo_cells",
    "parse_param",
    "parse_seeds",
    "validate_grid",
    "grid_points",
    "read_sweep_file",
    "plot_sweep",
    "calibrate_checks",
    "theorycheck_version",
]
