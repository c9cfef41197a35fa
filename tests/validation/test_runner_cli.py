"""Runner (seeds, JSON, resume, family-wise error), CLI and the committed derivation documents."""

from __future__ import annotations

import json
import os
from typing import Any, Mapping

import numpy as np
import pytest

from numerics.estimate import Estimate
from validation.check import Check, Prediction, _CHECKS, select_checks
from validation.cli import main
from validation.docs import stale_derivations
from validation.runner import check_seed, run_suite
from validation.stats import compare_point

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load(path: str) -> Any:
    with open(path) as fh:
        return json.load(fh)


def _toy(name: str, truth: float = 0.0) -> Check:
    def measure(p: Mapping[str, Any], seed: int) -> Estimate:
        x = np.random.default_rng(seed).normal(truth, 1.0, p["n"])
        return Estimate(x.mean(), x.std(ddof=1) / np.sqrt(p["n"]), p["n"], seed)

    return Check(
        name,
        "toy",
        "mean of normal draws",
        lambda p: Prediction(0.0),
        measure,
        lambda pr, e, p, a: compare_point(pr.value, e.value, e.stderr, alpha=a),
        quick={"n": 1000},
        full={"n": 10_000},
    )


def test_seeds_are_stable_and_distinct() -> None:
    assert check_seed(0, "a.b") == check_seed(0, "a.b")
    assert check_seed(0, "a.b") != check_seed(1, "a.b")
    assert check_seed(0, "a.b") != check_seed(0, "a.c")
    with pytest.raises(ValueError):
        check_seed(-1, "a")


def test_run_suite_json_resume_and_alpha(tmp_path: Any) -> None:
    checks = [_toy("toy.ok"), _toy("toy.bad", truth=0.5)]
    path = str(tmp_path / "r.json")
    suite = run_suite(checks, seed=3, json_path=path)
    assert not suite.passed
    assert suite.alpha_check == pytest.approx(min(1e-3, 0.01 / 2))
    doc = _load(path)
    by = {r["name"]: r for r in doc["results"]}
    assert by["toy.ok"]["passed"] and not by["toy.bad"]["passed"]
    for key in ("name", "params", "prediction", "estimate", "truncation", "statistic", "p_value", "passed", "seconds", "seed"):
        assert key in by["toy.ok"]
    assert set(by["toy.ok"]["estimate"]) >= {"value", "stderr", "samples"}
    # reproducible from the recorded seed
    again = checks[0].run(mode="quick", seed=by["toy.ok"]["seed"], alpha=suite.alpha_check)
    assert again.p_value == pytest.approx(by["toy.ok"]["p_value"])
    # resume: drop one result, only that one is run again
    doc["results"] = [by["toy.ok"]]
    with open(path, "w") as fh:
        json.dump(doc, fh)
    ran = []
    run_suite(checks, seed=3, json_path=path, resume=True, on_start=lambda c: ran.append(c.name))
    assert ran == ["toy.bad"]
    assert len(_load(path)["results"]) == 2


def test_errors_become_failed_results() -> None:
    c = Check("toy.err", "toy", "raises", lambda p: 1 / 0, lambda p, s: None, lambda *a: None)  # type: ignore[arg-type,return-value]
    r = c.run()
    assert r.verdict == "ERROR" and not r.passed and "ZeroDivisionError" in r.error


def test_select_checks_and_unknown_name() -> None:
    assert [c.name for c in select_checks(["edgeworth.kstatistics.*"])]
    with pytest.raises(ValueError, match="unknown check 'nope'"):
        select_checks(["nope"])


def test_cli_run_list_and_exit_codes(tmp_path: Any, capsys: Any) -> None:
    assert main(["list"]) == 0
    assert "edgeworth.density.exp" in capsys.readouterr().out
    path = str(tmp_path / "out.json")
    plots = str(tmp_path / "plots")
    rc = main(["run", "edgeworth.kstatistics.exp", "edgeworth.error_scaling.order1", "--json", path, "--plots", plots, "--no-progress"])
    out = capsys.readouterr().out
    assert rc == 0 and "SUITE PASSED" in out and "p" in out
    assert len(_load(path)["results"]) == 2
    assert os.path.exists(os.path.join(plots, "edgeworth.error_scaling.order1.png"))
    assert main(["run", "no.such.check", "--no-progress"]) == 2
    assert main(["run", "--resume", "--no-progress"]) == 2


def test_cli_failing_suite_exits_nonzero(monkeypatch: Any, capsys: Any) -> None:
    bad = _toy("toy.cli_bad", truth=1.0)
    monkeypatch.setitem(_CHECKS, bad.name, bad)
    assert main(["run", "toy.cli_bad", "--no-progress"]) == 1
    assert "SUITE FAILED" in capsys.readouterr().out


def test_committed_derivations_are_fresh() -> None:
    stale = stale_derivations(os.path.join(ROOT, "docs", "derivations"))
    assert not stale, f"docs/derivations is stale ({stale}); run `theorycheck docs`"
