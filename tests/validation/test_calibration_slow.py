r"""Calibration of every registered check (marked ``slow``: hours of CPU; ``make test-slow``).

For every check, ``N`` seeds (``THEORYCHECK_CALIBRATION_SEEDS``, default 200) are measured once
and judged against the correct theory and every twin (``theorycheck calibrate``, on
``THEORYCHECK_CALIBRATION_WORKERS`` Dask workers, default 2; finished seeds are kept in
``THEORYCHECK_CALIBRATION_STORE``, default ``results/calibration.sqlite``, so an interrupted run
resumes).

What the test can and cannot resolve.  A one-sided binomial test of "false-fail rate <= level"
for each of m ~ 60 checks, Bonferroni-corrected to a family level of 1%:

* at level 0.05 with 200 seeds it rejects when 24 or more seeds fail: power 1.00 against a 5x
  excess (rate 0.25) and 0.90 against a 3x excess;
* at level 0.01 with 200 seeds (10 or more fails): power 0.55 against a 5x excess;
* at the suite's own level, alpha ~ 1.7e-4, 200 seeds cannot resolve anything (power 0.001
  against 5x); about 20 000 seeds per check would be needed for 88% power, i.e. ~10^6
  check-runs for the suite -- weeks of CPU on the 2-core machines this project targets.

So the test asserts valid p-values at the levels 200 seeds can resolve (0.05 and 0.01, where a
miscalibrated statistic shows first: a normal z used for a Student-t quantity over-rejects more at
every level as the level shrinks, so an excess at the suite's level implies one at 0.01), no
false fail beyond what the suite's level allows, no ERROR, a passing deterministic check at every
seed, and at least 90% power for every twin.  The committed table is ``docs/calibration.md``.
"""

from __future__ import annotations

import os

import pytest
from scipy.stats import binom

pytestmark = pytest.mark.slow

FAMILY = 0.01


def _reject(k: int, n: int, level: float, tests: int) -> bool:
    """One-sided binomial test of rate <= level, Bonferroni over ``tests`` tests at FAMILY."""
    return k > 0 and float(binom.sf(k - 1, n, level)) <= FAMILY / tests


def test_every_check_is_calibrated() -> None:
    from validation.check import all_checks
    from validation.sweep import calibrate_checks

    seeds = int(os.environ.get("THEORYCHECK_CALIBRATION_SEEDS", "200"))
    workers = int(os.environ.get("THEORYCHECK_CALIBRATION_WORKERS", "2"))
    store = os.environ.get("THEORYCHECK_CALIBRATION_STORE", os.path.join("results", "calibration.sqlite"))
    cals = calibrate_checks([c.name for c in all_checks()], seeds, workers=workers, store=store)
    tests = 3 * len(cals)
    problems = []
    for c in cals:
        if c.errors:
            problems.append(f"{c.check}: {len(c.errors)} ERROR(s), e.g. {c.errors[0]}")
        if c.deterministic:
            if not all(c.passed):
                problems.append(f"{c.check}: the deterministic check failed at {c.false_fails} seed(s)")
        else:
            for level in (0.05, 0.01):
                k, n, _ = c.at_level(level)
                if _reject(k, n, level, tests):
                    problems.append(f"{c.check}: {k}/{n} fail at level {level}")
            if _reject(c.false_fails, c.runs, c.alpha, tests):
                problems.append(f"{c.check}: {c.false_fails}/{c.runs} fail at the suite's alpha {c.alpha:.2g}")
        for t in c.twins:
            if t.errors or t.power < 0.9:
                problems.append(f"{c.check}: twin {t.name} ({t.how_wrong}) rejected at {t.rejections}/{t.seeds} seeds"
                                f"{f', {t.errors} errors' if t.errors else ''}")
    assert not problems, "\n".join(problems)
