"""Sweeps: grids and seeds, the store (one row per cell, full precision, resumable), the CLI, bad input."""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

import pytest

from validation.cli import main
from validation.plugins import load_checks
from validation.runner import check_seed
from validation.sweep import (
    StoreError, SweepInterrupted, SweepStore, load, parse_param, parse_seeds, read_sweep_file, sweep, validate_grid,
)

TOYS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_sweep_toys.py")

def _load_toys() -> Any:
    """Register the toy checks (as ``--from`` does) and return their module."""
    import sys

    load_checks(TOYS)
    return next(m for n, m in sys.modules.items()
                if n.startswith("theorycheck_user_") and getattr(m, "__file__", None) == TOYS)


toys = _load_toys()
NAME = "toy.sweep.scaling"
CHECK = toys.SCALING


def test_parse_seeds_ranges_lists_and_errors() -> None:
    assert parse_seeds("0..4") == [0, 1, 2, 3, 4]
    assert parse_seeds("3,1,7") == [3, 1, 7]
    assert parse_seeds([5, 6]) == [5, 6]
    for bad in ("4..1", "0..", "a..b", "1,,2", "-1", "1,1", ""):
        with pytest.raises(ValueError):
            parse_seeds(bad)
    with pytest.raises(TypeError):
        parse_seeds(1.5)


def test_parse_param_uses_the_schema() -> None:
    assert parse_param(CHECK, "width=4,8,16") == ("width", [4, 8, 16])
    assert parse_param(CHECK, "dims=[2,2],[4, 4]") == ("dims", [(2, 2), (4, 4)])
    assert parse_param(CHECK, "kind=a,b") == ("kind", ["a", "b"])
    with pytest.raises(ValueError, match="unknown parameter 'widht'; did you mean 'width'"):
        parse_param(CHECK, "widht=4")
    with pytest.raises(TypeError, match="width"):
        parse_param(CHECK, "width=4,eight")
    with pytest.raises(ValueError, match="no values"):
        parse_param(CHECK, "width=")
    with pytest.raises(ValueError):
        parse_param(CHECK, "kind=c")  # not one of the choices
    with pytest.raises(ValueError, match="NAME=V1"):
        parse_param(CHECK, "width")


def test_validate_grid_rejects_empty_repeated_and_invalid() -> None:
    assert validate_grid(CHECK, {"width": [4, 8]}, "quick") == {"width": [4, 8]}
    with pytest.raises(ValueError, match="empty"):
        validate_grid(CHECK, {"width": []}, "quick")
    with pytest.raises(ValueError, match="repeats"):
        validate_grid(CHECK, {"width": [4, 4]}, "quick")
    with pytest.raises(ValueError):
        validate_grid(CHECK, {"width": [0]}, "quick")  # below the declared minimum
    with pytest.raises(TypeError):
        validate_grid(CHECK, {"width": [4.0]}, "quick")


def _frame(store: str, **kw: Any) -> Any:
    res = sweep(NAME, {"width": [4, 8, 16]}, "0..2", store=store, **kw)
    return res, res.to_frame()


def test_sweep_stores_one_row_per_cell_equal_to_direct_runs(tmp_path: Any) -> None:
    store = str(tmp_path / "s.sqlite")
    res, df = _frame(store)
    assert res.ran == 9 and res.reused == 0 and res.passed
    assert len(df) == 9 and set(df.columns) >= {"check", "seed", "passed", "p_value", "seconds", "width", "estimate"}
    assert sorted(zip(df.width, df.seed)) == sorted((w, s) for w in (4, 8, 16) for s in range(3))
    # each cell is exactly what the check measures with the cell's seed, at full precision; the default
    # point reproduces `theorycheck run --seed`, other grid points are independent measurements
    default = CHECK.params()["width"]
    for row in df.itertuples():
        if row.width == default:
            assert row.check_seed == check_seed(row.seed, NAME)
        else:
            assert row.check_seed != check_seed(row.seed, NAME)
        direct = CHECK.run({"width": row.width}, seed=row.check_seed, alpha=res.alpha)
        assert row.estimate == direct.raw["estimate"].value
        assert row.p_value == direct.p_value and row.statistic == direct.statistic
        assert row.prediction == 1.0 / row.width
    assert len(set(df.check_seed)) == len(df)
    # the stored record is checksummed
    from validation.results import verify

    assert all(verify(json.loads(r)) for r in df.record)
    # a re-run measures nothing
    again, df2 = _frame(store)
    assert again.ran == 0 and again.reused == 9
    assert df2.estimate.tolist() == df.estimate.tolist()
    assert len(load(store)) == 9
    with sqlite3.connect(store) as c:
        assert c.execute("SELECT COUNT(DISTINCT key), COUNT(*) FROM cells").fetchone() == (9, 9)
        assert c.execute("SELECT p_width FROM cells ORDER BY p_width LIMIT 1").fetchone() == (4,)


def test_sweep_level_is_bonferroni_over_cells_and_a_wrong_theory_fails(tmp_path: Any) -> None:
    res = sweep(NAME, {"bias": [0.0, 0.1]}, "0..3", store=str(tmp_path / "b.sqlite"))
    assert res.alpha == pytest.approx(min(1e-3, 0.01 / 8))
    df = res.to_frame()
    assert df[df.bias == 0.0].passed.all() and not df[df.bias == 0.1].passed.any()
    assert not res.passed and res.failed == 4


def test_interrupted_sweep_keeps_finished_cells_and_resumes(tmp_path: Any, monkeypatch: Any) -> None:
    full, ref = _frame(str(tmp_path / "ref.sqlite"))
    store = str(tmp_path / "i.sqlite")
    monkeypatch.setitem(toys.INTERRUPT, "after", 4)
    monkeypatch.setitem(toys.INTERRUPT, "calls", 0)
    with pytest.raises(SweepInterrupted) as info:
        _frame(store)
    assert info.value.result.interrupted and len(info.value.result.rows()) == 4
    assert len(load(store)) == 4
    with sqlite3.connect(store) as c:
        assert c.execute("SELECT status FROM sweeps").fetchall() == [("interrupted",)]
    monkeypatch.setitem(toys.INTERRUPT, "after", None)
    res, df = _frame(store)
    assert res.ran == 5 and res.reused == 4 and len(load(store)) == 9
    key = ["width", "seed"]
    assert df.sort_values(key).estimate.tolist() == ref.sort_values(key).estimate.tolist()


def test_store_rejects_unwritable_and_foreign_files(tmp_path: Any) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder"):
        SweepStore(str(blocker / "s.sqlite"))
    with pytest.raises(StoreError, match="not a theorycheck sweep store"):
        SweepStore(str(blocker))
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a theorycheck sweep store"):
        SweepStore(str(other))
    with pytest.raises(StoreError, match="folder"):
        SweepStore(str(tmp_path))


def test_sweep_file_and_cli_with_plots(tmp_path: Any, capsys: Any) -> None:
    spec = tmp_path / "sweep.toml"
    spec.write_text(f'check = "{NAME}"\nseeds = "0..3"\n[grid]\nwidth = [4, 8, 16, 32]\n[params]\nn = 300\n')
    s = read_sweep_file(str(spec))
    assert s.check == NAME and s.grid == {"width": [4, 8, 16, 32]} and s.fixed == {"n": 300}
    store, plots = str(tmp_path / "c.sqlite"), str(tmp_path / "plots")
    rc = main(["sweep", "--from", TOYS, "--file", str(spec), "--store", store, "--plots", plots, "--no-progress"])
    out = capsys.readouterr().out
    assert rc == 0 and "SWEEP PASSED" in out and "16/16 cells passed" in out
    assert "scaling of 1/width with width: exponent" in out
    with open(os.path.join(plots, "scaling.json")) as fh:
        fits = json.load(fh)
    assert len(fits) == 1 and fits[0]["predicted_slope"] == pytest.approx(-1.0)
    lo, hi = fits[0]["interval95"]
    assert lo < -1.0 < hi or fits[0]["slope"] == pytest.approx(-1.0)
    assert any(f.endswith(".png") for f in os.listdir(plots))
    df = load(store)
    assert {json.loads(p)["n"] for p in df.params} == {300} and len(df) == 16
    # a failing sweep exits 1
    rc = main(["sweep", NAME, "--param", "bias=0.2", "--seeds", "0,1", "--store", store, "--no-progress"])
    assert rc == 1 and "SWEEP FAILED" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--param", "widht=4"], "did you mean 'width'"),
    (["--param", "width=four"], "width"),
    (["--param", "width="], "no values"),
    (["--param", "width=4", "--param", "width=8"], "given twice"),
    (["--seeds", "0..x"], "malformed seed range"),
    (["--seeds", "5..1"], "backwards"),
    (["--scheduler", "not an address"], "not a Dask scheduler address"),
    (["--from", "no/such/file.py"], "no such file"),
    (["--from", "no_such_module_xyz"], "cannot import it"),
])
def test_cli_bad_input_exits_2_before_any_cell(tmp_path: Any, capsys: Any, argv: list[str], message: str) -> None:
    store = str(tmp_path / "bad.sqlite")
    rc = main(["sweep", NAME, "--from", TOYS, "--store", store, "--no-progress", *argv])
    assert rc == 2
    assert message in capsys.readouterr().err
    assert not os.path.exists(store) or len(load(store)) == 0


def test_cli_unknown_check_and_unwritable_store(tmp_path: Any, capsys: Any) -> None:
    assert main(["sweep", "toy.nope", "--from", TOYS, "--store", str(tmp_path / "s.sqlite")]) == 2
    assert "unknown check 'toy.nope'" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["sweep", NAME, "--from", TOYS, "--store", str(blocker / "s.sqlite"), "--no-progress"]) == 2
    assert "cannot create the folder" in capsys.readouterr().err


def test_unreachable_scheduler_fails_fast_naming_the_address(tmp_path: Any, capsys: Any) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    rc = main(["sweep", NAME, "--from", TOYS, "--scheduler", address, "--store", str(tmp_path / "s.sqlite"),
               "--no-progress"])
    assert rc == 2
    err = capsys.readouterr().err
    assert address in err and "cannot reach the Dask scheduler" in err


def test_plain_progress_lines_count_failures() -> None:
    import io

    from validation.sweep._progress import Progress

    buf = io.StringIO()
    p = Progress(3, stream=buf, every=1e9)
    for verdict in ("PASS", "FAIL", "PASS"):
        p.update(verdict, "cell")
    lines = buf.getvalue().splitlines()
    assert lines[0].startswith("[1/3 cells] failures 0")
    assert lines[1].startswith("[2/3 cells] failures 1") and lines[1].endswith("FAIL cell")
    assert lines[-1].startswith("[3/3 cells] failures 1") and len(lines) == 3


def test_a_parameter_named_like_a_column_keeps_both(tmp_path: Any) -> None:
    res = sweep(NAME, {"kind": ["a", "b"], "dims": [[2, 2], [3]]}, "0", store=str(tmp_path / "k.sqlite"))
    df = res.to_frame()
    assert sorted(df.p_kind) == ["a", "a", "b", "b"] and set(df.kind) == {"statistical"}
    assert set(df.dims) == {(2, 2), (3,)}
    assert set(load(res.store).columns) >= {"p_kind", "dims"}
