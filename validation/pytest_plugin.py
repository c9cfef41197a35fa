"""pytest plugin: a user's registered checks run as test items.

Active whenever theorycheck is installed (entry point ``pytest11``).  In a test module,
every :class:`~validation.check.Check` bound to a module-level name whose ``measure`` is
defined in that module (typically ``my_check = register_check(Check(...))``) becomes one
test item.  The family-wise level is applied across all collected checks: each statistical
check is judged at ``min(1e-3, alpha_family / m)`` with ``m`` the collected statistical
checks, exactly as ``theorycheck run`` does.  A failing item's message is the verdict line:
prediction, measurement ± error, p and alpha.

Options: ``--theorycheck-mode quick|full``, ``--theorycheck-seed N`` (suite seed; each check's
seed is derived from it and its name), ``--theorycheck-alpha A`` (family-wise level, 0.01).
"""

from __future__ import annotations

from typing import Any

import pytest

__all__ = ["CheckItem"]


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("theorycheck")
    group.addoption("--theorycheck-mode", default="quick", choices=("quick", "full"),
                    help="parameter sets of the collected theorycheck checks (default quick)")
    group.addoption("--theorycheck-seed", type=int, default=0, help="suite seed for theorycheck checks (default 0)")
    group.addoption("--theorycheck-alpha", type=float, default=0.01,
                    help="family-wise error level across the collected theorycheck checks (default 0.01)")


class CheckFailed(Exception):
    """A check's verdict was FAIL or ERROR."""


class CheckItem(pytest.Item):
    """One registered check as a test."""

    def __init__(self, *, check: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.alpha: float | None = None
        self.result: Any = None

    def runtest(self) -> None:
        from validation.runner import check_seed

        cfg = self.config
        mode = cfg.getoption("--theorycheck-mode")
        seed = check_seed(cfg.getoption("--theorycheck-seed"), self.check.name)
        res = self.check.run(mode=mode, seed=seed, alpha=self.alpha or 1e-3)
        self.result = res
        if not res.passed:
            raise CheckFailed(_verdict_line(res, self.check))

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"theorycheck check {self.check.name}"


def _verdict_line(res: Any, check: Any) -> str:
    from validation.record import result_record

    rec = result_record(res, check)
    if res.error is not None:
        return f"{res.name}: ERROR {res.error}\n{(res.raw or {}).get('traceback', '')}"
    if res.kind == "deterministic":
        stat = f"discrepancy/tolerance = {res.statistic:.3g}"
    else:
        stat = f"p = {res.p_value:.3g}, alpha = {res.alpha:.2g}"
    return (f"{res.name}: {res.verdict} {rec.get('decisive')} ({stat}); reproduce: "
            f"theorycheck run {res.name} --from <this file> --check-seed {res.seed}")


def pytest_pycollect_makeitem(collector: Any, name: str, obj: Any) -> Any:
    from validation.check import Check

    if isinstance(obj, Check) and getattr(obj.measure, "__module__", None) == getattr(collector.obj, "__name__", None):
        return CheckItem.from_parent(collector, name=obj.name, check=obj)
    return None


def pytest_collection_modifyitems(session: Any, config: Any, items: list[Any]) -> None:
    checks = [it for it in items if isinstance(it, CheckItem)]
    if not checks:
        return
    from validation.runner import family_alpha

    alpha = family_alpha([it.check for it in checks], config.getoption("--theorycheck-alpha"))
    for it in checks:
        it.alpha = alpha
