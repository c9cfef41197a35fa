"""A user's own checks, outside the repository: ``--from`` (file or module), entry points, and pytest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from validation.check import unregister_check
from validation.cli import main
from validation.plugins import load_checks

USER_CHECKS = textwrap.dedent('''
    """A researcher's own theory: the mean of Exp(rate) draws is 1/rate."""
    import numpy as np

    from numerics.estimate import Estimate
    from validation.check import Check, Display, Prediction, Twin, register_check
    from validation.params import Param
    from validation.stats import compare_point

    def predict(p):
        return Prediction(np.array([1.0 / p["rate"]]))

    def measure(p, seed):
        x = np.random.default_rng(seed).exponential(1.0 / p["rate"], p["n"])
        return Estimate(np.array([x.mean()]), np.array([x.std(ddof=1) / np.sqrt(x.size)]), x.size, seed)

    def compare(pred, est, p, alpha):
        return compare_point(pred.value, est.value, est.stderr, alpha=alpha)

    SCHEMA = {"rate": Param("float", "rate of the law", minimum=0, open_min=True),
              "n": Param("int", "draws", minimum=10)}
    exp_mean = register_check(Check(
        "mylab.exp_mean", "mylab", "sample mean of Exp(rate) = 1/rate", predict, measure, compare,
        quick={"rate": 2.0, "n": 20000}, full={"n": 200000}, schema=SCHEMA,
        twins=(Twin("mean_x1.05", "the mean 5% too large", lambda p: Prediction(np.array([1.05 / p["rate"]]))),),
        display=Display("sample mean", labels=("mean",)),
    ))
    exp_wrong = register_check(Check(
        "mylab.exp_wrong", "mylab", "a wrong theory: the mean is 1/(2 rate)",
        lambda p: Prediction(np.array([0.5 / p["rate"]])), measure, compare,
        quick={"rate": 2.0, "n": 20000}, schema=SCHEMA,
        twins=(Twin("right", "the right theory", predict),), display=Display("sample mean", labels=("mean",)),
    ))
''')


@pytest.fixture
def scratch(tmp_path: Any) -> Any:
    (tmp_path / "test_mylab.py").write_text(USER_CHECKS)
    yield tmp_path
    for name in ("mylab.exp_mean", "mylab.exp_wrong"):
        unregister_check(name)
    for mod in [m for m in sys.modules if "test_mylab" in m]:
        del sys.modules[mod]


def test_from_file_runs_with_the_same_runner(scratch: Any, capsys: Any) -> None:
    path = str(scratch / "test_mylab.py")
    assert main(["list", "--from", path]) == 0
    assert "mylab.exp_mean" in capsys.readouterr().out
    out = str(scratch / "r.json")
    assert main(["run", "mylab.exp_mean", "--from", path, "--json", out, "--no-progress"]) == 0
    with open(out) as fh:
        rec = json.load(fh)["results"][0]
    assert rec["name"] == "mylab.exp_mean" and rec["verdict"] == "PASS" and rec["display"]["labels"] == ["mean"]
    assert main(["run", "--from", path, "--no-progress"]) == 1  # both user checks; the wrong theory fails
    assert "mylab.exp_wrong" in capsys.readouterr().out
    assert load_checks(path) == ["mylab.exp_mean", "mylab.exp_wrong"]  # loading twice is harmless


def test_from_module_and_bad_specs(scratch: Any, monkeypatch: Any) -> None:
    monkeypatch.syspath_prepend(str(scratch))
    assert "mylab.exp_mean" in load_checks("test_mylab")
    with pytest.raises(ValueError, match="no such file"):
        load_checks(str(scratch / "missing.py"))
    with pytest.raises(ValueError, match="cannot import"):
        load_checks("no_such_module_xyz")
    (scratch / "empty.py").write_text("x = 1\n")
    with pytest.raises(ValueError, match="registers no check"):
        load_checks(str(scratch / "empty.py"))


def test_pytest_runs_each_check_as_an_item(scratch: Any) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mylab.py"],
                         cwd=scratch, capture_output=True, text=True, timeout=300, env=env)
    text = out.stdout + out.stderr
    assert out.returncode == 1, text
    assert "1 failed, 1 passed" in text, text
    assert "mylab.exp_wrong: FAIL mean:" in text and "alpha = 0.001" in text, text

