"""The suite runner: seeds, family-wise error control, results files, resume.

Seeds
    Every check's seed is derived from the suite seed and the check's name,
    ``SeedSequence([suite_seed, crc32(name)]).generate_state(1)[0]``, so a check
    gets the same seed whether it runs alone or in the whole suite, and adding a
    check never changes the others' seeds.  The seed is recorded in each result;
    ``theorycheck run NAME --check-seed S`` reruns it.
Family-wise error
    With ``m`` statistical checks in the suite and family level ``alpha_family``
    (default 0.01), each is judged at ``min(1e-3, alpha_family / m)`` (Bonferroni).
    If every prediction is right, the suite fails with probability at most
    ``alpha_family`` from random error.  Deterministic checks (a solver against a
    closed form, judged by a stated numerical tolerance) are not part of that family;
    an ERROR (an exception) is a defect, reported separately from statistical failure.
Results file
    After each check its result is merged into the file (:mod:`validation.results`):
    other results are kept, concurrent runs are serialised by a lock, an interrupted
    run keeps everything that finished.  ``resume=True`` skips checks whose result
    with the same mode, parameters and seed is already stored and intact; a stored
    result whose checksum does not match is reported and run again.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

from numerics import validate as v
from validation.check import Check, CheckResult, MODES, jsonable
from validation.record import result_record, sidecar_dir_for
from validation.results import load_results, merge_results, resolve_output, result_key, verify
from validation.stats import DEFAULT_ALPHA, suite_alpha

__all__ = ["check_seed", "SuiteResult", "run_suite", "DEFAULT_ALPHA_FAMILY", "family_alpha", "result_record"]

DEFAULT_ALPHA_FAMILY = 0.01


def check_seed(suite_seed: int, name: str) -> int:
    """The seed a check named ``name`` runs with in a suite seeded by ``suite_seed``.

    Parameters
    ----------
    suite_seed : int
        The suite's seed.
    name : str
        The check's name.

    Returns
    -------
    int
        ``SeedSequence([suite_seed, crc32(name)]).generate_state(1)[0]``, a 32-bit seed.

    Raises
    ------
    TypeError, ValueError
        If ``suite_seed`` is not a valid seed (a non-negative integer).
    """
    suite_seed = v.seed(suite_seed, "suite seed")
    ss = np.random.SeedSequence([int(suite_seed), zlib.crc32(name.encode())])
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def family_alpha(checks: Iterable[Check], alpha_family: float = DEFAULT_ALPHA_FAMILY) -> float:
    r"""The per-check level of a suite of ``checks``: ``min(1e-3, alpha_family / m)``, m = statistical checks.

    Bonferroni: :math:`\alpha = \min(10^{-3}, \alpha_{\rm family}/m)` with :math:`m` the number of
    non-deterministic checks (at least 1) keeps the family-wise error at :math:`\alpha_{\rm family}`
    (Bonferroni 1936; Holm 1979, *Scand. J. Stat.* 6, 65); see :func:`validation.stats.suite_alpha`.

    Parameters
    ----------
    checks : iterable of Check
        The suite's checks.
    alpha_family : float, default DEFAULT_ALPHA_FAMILY
        The family-wise error rate, in (0, 1).

    Returns
    -------
    float
        The per-check significance level.

    Raises
    ------
    ValueError
        If ``alpha_family`` is not in (0, 1).
    """
    m = sum(1 for c in checks if not c.deterministic)
    return suite_alpha(alpha_family, max(m, 1), DEFAULT_ALPHA)


@dataclass
class SuiteResult:
    """Results of a suite run (including results kept by ``resume``).

    Parameters
    ----------
    results : list of dict
        One stored record per check, in the order run (fresh or kept by ``resume``).
    alpha_family : float
        The family-wise error rate.
    alpha_check : float
        The per-check level the statistical checks were judged at.
    seed : int
        The suite seed.
    mode : {"quick", "full"}
        The parameter sets run.
    fresh : list of CheckResult, default []
        The results of the checks run now (not kept by ``resume``).
    rerun_tampered : list of str, default []
        Checks whose stored result failed its checksum and were run again.
    """

    results: list[dict[str, Any]]
    alpha_family: float
    alpha_check: float
    seed: int
    mode: str
    fresh: list[CheckResult] = field(default_factory=list)
    rerun_tampered: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether there are results and every one passed."""
        return bool(self.results) and all(r["passed"] for r in self.results)


def _results(checks: list[Check], kept: dict[str, Any], mode: str, seeds: dict[str, int], alpha: float,
             on_start: Callable[[Check], None] | None, executor: Any) -> Iterable[tuple[Check, CheckResult]]:
    """``(check, result)`` of the checks not kept: in order here, or as they complete on ``executor``."""
    todo = [c for c in checks if c.name not in kept]
    if executor is not None:
        from validation.engine import map_checks

        yield from map_checks(executor, todo, mode=mode, seeds=seeds, alpha=alpha, on_start=on_start)
        return
    for c in todo:
        if on_start:
            on_start(c)
        yield c, c.run(mode=mode, seed=seeds[c.name], alpha=alpha)


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
    check_seeds: dict[str, int] | None = None,
    executor: Any = None,
) -> SuiteResult:
    """Run ``checks`` with seeds derived from ``seed``; see the module docstring.

    ``check_seeds`` maps check names to explicit seeds (``--check-seed``), overriding
    the derived ones.  ``executor`` (a :class:`validation.engine.Engine`, e.g. from
    :func:`validation.engine.open_engine`) runs the checks in parallel: each result is
    merged into the JSON file as it completes, verdicts are those of a serial run (same
    seeds, same alpha) and the results keep the suite's order.

    Parameters
    ----------
    checks : iterable of Check
        The checks to run, in order.
    mode : {"quick", "full"}, default "quick"
        The parameter sets to run.
    seed : int, default 0
        The suite seed, from which each check's seed is derived (:func:`check_seed`).
    alpha_family : float, default DEFAULT_ALPHA_FAMILY
        The family-wise error rate, in (0, 1); each check runs at :func:`family_alpha`.
    json_path : str, optional
        Results file into which each result is merged as it finishes.
    resume : bool, default False
        Keep the intact stored results of the same mode, parameters and seed instead of
        running those checks (needs ``json_path``).
    on_start, on_result : callable, optional
        Called with each check before it runs and with its result after.
    plots_dir : str, optional
        Folder for each fresh result's plot.
    check_seeds : dict of str to int, optional
        Explicit seeds by check name.
    executor : validation.engine.Engine, optional
        Runs the checks in parallel; ``None`` runs them one after another in this process.

    Returns
    -------
    SuiteResult
        The records, levels, seed, mode and fresh results.

    Raises
    ------
    TypeError, ValueError
        If no check is given, an argument is invalid, ``resume`` has no results file, or
        the results file is not one.
    """
    checks = list(checks)
    if not checks:
        raise ValueError("no checks selected")
    v.choice(mode, "mode", MODES)
    seed = v.seed(seed)
    alpha_family = v.real(alpha_family, "alpha_family", minimum=0.0, maximum=1.0, open_min=True, open_max=True)
    alpha = family_alpha(checks, alpha_family)
    seeds = {c.name: check_seed(seed, c.name) for c in checks}
    for name, s in (check_seeds or {}).items():
        seeds[name] = v.seed(s, f"seed of {name}")
    path = resolve_output(json_path) if json_path is not None else None
    kept: dict[str, dict[str, Any]] = {}
    tampered: list[str] = []
    if resume:
        if path is None:
            raise ValueError("resume needs a results file (--json)")
        stored = {result_key(r): r for r in load_results(path)["results"] if isinstance(r, dict)}
        for c in checks:
            key = result_key({"name": c.name, "mode": mode, "params": jsonable(c.params(mode)), "seed": seeds[c.name]})
            r = stored.get(key)
            if r is None or r.get("error") is not None:
                continue
            if not verify(r):
                tampered.append(c.name)
                continue
            # re-judge at this suite's level (the family size may differ from the earlier run)
            r = dict(r)
            if r.get("kind", "statistical") == "statistical":
                p = r.get("p_value")
                r["alpha"] = alpha
                r["passed"] = bool(isinstance(p, (int, float)) and p > alpha)
                r["verdict"] = "PASS" if r["passed"] else "FAIL"
            r["reused"] = True
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
    for c, res in _results(checks, kept, mode, seeds, alpha, on_start, executor):
        fresh.append(res)
        rec = result_record(res, c, sidecar_dir=None if path is None else sidecar_dir_for(path))
        if plots_dir is not None:
            from validation.plots import plot_result

            try:
                plot = plot_result(res, c, plots_dir)
                if plot:
                    rec["plot"] = plot
            except Exception as exc:  # noqa: BLE001 - a broken plot must not lose the result
                rec["plot_error"] = f"{type(exc).__name__}: {exc}"
        ordered[c.name] = rec
        if path is not None:
            merge_results(path, [rec], header)
        if on_result:
            on_result(res)
    results = [ordered[c.name] for c in checks]
    out = SuiteResult(results, alpha_family, alpha, int(seed), mode, fresh, tampered)
    if path is not None:
        header["passed"] = out.passed
        header["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        merge_results(path, [], header)
    return out
