"""Every registered check keeps the contract: declared schema, display and twins; twins fail at the
suite's alpha at every seed tried; the correct theory passes; measure never calls theory.

The alpha is the one the default suite really uses: ``min(1e-3, 0.01 / m)`` with ``m`` the
number of statistical checks registered.  One measurement per (check, seed) is judged against
the correct prediction and against every twin.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest

from validation.check import all_checks, get_check
from validation.record import result_record, schema_path
from validation.runner import family_alpha

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
THEORY_DIR = os.path.join(ROOT, "theory") + os.sep
CHECKS = all_checks()
NAMES = [c.name for c in CHECKS]
SUITE_ALPHA = family_alpha(CHECKS)
SEEDS = (1001, 2002, 3003)


@pytest.mark.parametrize("name", NAMES)
def test_declarations(name: str) -> None:
    c = get_check(name)
    assert c.schema_declared, f"{name}: declare its parameter schema"
    assert all(p.doc for p in c.schema.values()), f"{name}: document every parameter"
    assert c.twins, f"{name}: declare at least one falsification twin"
    assert c.display is not None, f"{name}: declare how its quantity is displayed"
    # an unknown key and a wrong type are errors naming the key
    with pytest.raises(ValueError, match="unknown parameter 'no_such_key'"):
        c.params(overrides={"no_such_key": 1})
    key = sorted(c.schema)[0]
    with pytest.raises((TypeError, ValueError), match=repr(key)):
        c.params(overrides={key: object()})


class _TheoryAudit:
    """A profiler hook that records calls into ``theory/`` (measure must never make one)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename.startswith(THEORY_DIR):
            self.calls.append(f"{frame.f_code.co_filename[len(ROOT) + 1:]}:{frame.f_code.co_name}")

    def __enter__(self) -> "_TheoryAudit":
        sys.setprofile(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        sys.setprofile(None)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", NAMES)
def test_twins_fail_at_suite_alpha(name: str, seed: int, tmp_path: Any) -> None:
    c = get_check(name)
    p = c.params()
    pred = c.predict(p)
    if seed == SEEDS[0]:
        with _TheoryAudit() as audit:
            est = c.measure(p, seed)
        assert not audit.calls, f"{name}: measure called theory: {sorted(set(audit.calls))[:5]}"
    else:
        est = c.measure(p, seed)
    good = c._judge(pred, est, p, SUITE_ALPHA, seed, "quick", 0.0)
    assert good.passed, f"{name} (seed {seed}): correct theory failed: statistic {good.statistic}, p {good.p_value}"
    if seed == SEEDS[0]:
        _record_is_valid(c, good, tmp_path)
    for t in c.twins:
        bad = c._judge(t.predict(p), est, p, SUITE_ALPHA, seed, "quick", 0.0, twin=t.name)
        assert not bad.passed, (
            f"{name} (seed {seed}): twin {t.name!r} ({t.how_wrong}) passed at the suite's alpha "
            f"{SUITE_ALPHA:.2g}: statistic {bad.statistic}, p {bad.p_value}"
        )


def _record_is_valid(c: Any, res: Any, tmp_path: Any) -> None:
    """The stored record validates against the results JSON Schema; declared labels name every component; it is drawn."""
    import json

    import jsonschema

    with open(schema_path(), encoding="utf-8") as fh:
        schema = json.load(fh)
    rec = result_record(res, c, sidecar_dir=str(tmp_path / "arrays"))
    rec = json.loads(json.dumps(rec))
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(rec)]
    assert not errors, f"{c.name}: record does not match the schema: {errors[:3]}"
    comps = res.details.get("components")
    labels = c.display.component_labels(res.params) if c.display is not None else None
    if comps is not None and labels is not None:
        import numpy as np

        assert len(labels) == np.size(comps["prediction"]), f"{c.name}: {len(labels)} labels for {np.size(comps['prediction'])} components"
    # the default plot is drawn from what the run stores (a plot that fails makes `run --plots` exit non-zero)
    import os

    from validation.plots import plot_result

    path = plot_result(res, c, str(tmp_path / "plots"), record=rec)
    assert path is not None and os.path.getsize(path) > 1000, f"{c.name}: no plot drawn"
