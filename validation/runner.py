"""The suite runner: seeds, family-wise error control, incremental JSON, resume.

Seeds
    Every check's seed is derived from the suite seed and the check's name,
    ``SeedSequence([suite_seed, crc32(name)]).generate_state(1)[0]``, so a check
    gets the same seed whether it runs alone or in the whole suite, and adding a
    check never changes the others' seeds.
Family-wise error
    With ``m`` checks in the suite and family level ``alpha_family`` (default
    0.01), each check is judged at ``min(1e-3, alpha_family / m)`` (Bonferroni).
    The suite passes exactly when every check passes, so the probability that a
    suite of true predictions fails is at most ``alpha_family``.
JSON
    After each check the whole document ``{"suite": {...}, "results": [...]}`` is
    rewritten atomically, so an interrupted run loses nothing that finished;
    ``resume=True`` keeps finished results whose params and seed match and runs
    only the rest.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

from validation.check import Check, CheckResult, jsonable
from validation.stats import DEFAULT_ALPHA, suite_alpha

__all__ = ["check_seed", "SuiteResult", "run_suite", "DEFAULT_ALPHA_FAMILY"]

DEFAULT_ALPHA_FAMILY = 0.01


def check_seed(suite_seed: int, name: str) -> int:
    """The seed a check named ``name`` runs with in a suite seeded by ``suite_seed``."""
    if isinstance(suite_seed, bool) or not isinstance(suite_seed, (int, np.integer)) or suite_seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {suite_seed!r}")
    ss = np.random.SeedSequence([int(suite_seed), zlib.crc32(name.encode())])
    return int(ss.generate_state(1, dtype=np.uint32)[0])


@dataclass
class SuiteResult:
    """Results of a suite run (including results kept by ``resume``)."""

    results: list[dict[str, Any]]
    alpha_family: float
    alpha_check: float
    seed: int
    mode: str
    fresh: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r["passed"] for r in self.results)


def _write_atomic(path: str, doc: dict[str, Any]) -> None:
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".theorycheck-", suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump(doc, fh, indent=1)
    os.replace(tmp, path)


def _load_previous(path: str) -> list[dict[str, Any]]:
    try:
        with open(path) as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        return []
    except json.JSONDecodeError as exc:
        raise ValueError(f"--resume: {path} is not a theorycheck JSON file ({exc})") from None
    res = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(res, list):
        raise ValueError(f"--resume: {path} has no 'results' list")
    return res


def run_suite(
    checks: Iterable[Check],
    *,
    mode: str = "quick",
    seed: int = 0,
    alpha_family: float = DEFAULT_ALPHA_FAMILY,
    json_path: str | None = None,
    resume: bool = False,
    on_start: Callable[[Check], None] | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
    plots_dir: str | None = None,
) -> SuiteResult:
    """Run ``checks`` with seeds derived from ``seed``; see the module docstring."""
    checks = list(checks)
    if not checks:
        raise ValueError("no checks selected")
    if mode not in ("quick", "full"):
        raise ValueError(f"mode must be 'quick' or 'full', got {mode!r}")
    alpha = suite_alpha(alpha_family, len(checks), DEFAULT_ALPHA)
    kept: dict[str, dict[str, Any]] = {}
    if resume:
        if json_path is None:
            raise ValueError("resume needs a JSON path (--json)")
        wanted = {c.name: c for c in checks}
        for r in _load_previous(json_path):
            c = wanted.get(r.get("name"))
            if c is None:
                continue
            same = r.get("seed") == check_seed(seed, c.name) and r.get("params") == jsonable(c.params(mode))
            if same and r.get("error") is None:
                # re-judge at this suite's level (the family size may differ from the earlier run)
                p = r.get("p_value")
                r = dict(r, alpha=alpha, passed=bool(isinstance(p, (int, float)) and p > alpha))
                r["verdict"] = "PASS" if r["passed"] else "FAIL"
                kept[c.name] = r
    header = {
        "seed": int(seed),
        "mode": mode,
        "alpha_family": alpha_family,
        "alpha_check": alpha,
        "checks": [c.name for c in checks],
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    ordered: dict[str, dict[str, Any]] = {}
    fresh: list[CheckResult] = []
    for c in checks:
        if c.name in kept:
            ordered[c.name] = kept[c.name]
            continue
        if on_start:
            on_start(c)
        res = c.run(mode=mode, seed=check_seed(seed, c.name), alpha=alpha)
        fresh.append(res)
        ordered[c.name] = res.to_json()
        if plots_dir is not None:
            from validation.plots import plot_result

            try:
                path = plot_result(res, c, plots_dir)
                if path:
                    ordered[c.name]["plot"] = path
            except Exception as exc:  # noqa: BLE001 - a broken plot must not lose the result
                ordered[c.name]["plot_error"] = f"{type(exc).__name__}: {exc}"
        if json_path is not None:
            _write_atomic(json_path, {"suite": header, "results": list(ordered.values())})
        if on_result:
            on_result(res)
    results = [ordered[c.name] for c in checks]
    out = SuiteResult(results, alpha_family, alpha, int(seed), mode, fresh)
    if json_path is not None:
        header["passed"] = out.passed
        _write_atomic(json_path, {"suite": header, "results": results})
    return out
