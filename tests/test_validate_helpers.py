"""The argument-validation helper: one API in theory/ and numerics/, kept identical."""

from __future__ import annotations

import os
from fractions import Fraction

import numpy as np
import pytest

import numerics.validate as nv
import theory.validate as tv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_two_helpers_are_the_same_code() -> None:
    files = sorted(f for f in os.listdir(os.path.join(ROOT, "theory", "validate")) if f.endswith(".py"))
    assert files == sorted(f for f in os.listdir(os.path.join(ROOT, "numerics", "validate")) if f.endswith(".py"))
    for f in files:
        with open(os.path.join(ROOT, "theory", "validate", f)) as a, open(os.path.join(ROOT, "numerics", "validate", f)) as b:
            assert a.read() == b.read(), f"theory/validate/{f} and numerics/validate/{f} must stay identical"
    assert tv.__all__ == nv.__all__


@pytest.mark.parametrize("mod", [tv, nv])
def test_integer(mod) -> None:
    assert mod.integer(3, "w") == 3 and mod.integer(np.int32(3), "w") == 3
    for bad in (2.0, 2.5, True, "3", None, [3], Fraction(3, 1)):
        with pytest.raises(TypeError, match="w must be an integer"):
            mod.integer(bad, "w")
    with pytest.raises(ValueError, match="w must be an integer >= 1; got 0"):
        mod.integer(0, "w", minimum=1)


@pytest.mark.parametrize("mod", [tv, nv])
def test_real_and_seed(mod) -> None:
    assert mod.real(Fraction(1, 4), "x") == 0.25 and mod.real(2, "x") == 2.0
    for bad in (True, "1.0", 1j, None):
        with pytest.raises(TypeError, match="x must be a real number"):
            mod.real(bad, "x")
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="finite"):
            mod.real(bad, "x")
    with pytest.raises(ValueError, match="> 0"):
        mod.real(0.0, "x", minimum=0.0, open_min=True)
    for bad in (2.5, 2.0, -1, True):
        with pytest.raises((TypeError, ValueError), match="seed"):
            mod.seed(bad)


@pytest.mark.parametrize("mod", [tv, nv])
def test_sequences_arrays_and_strings(mod) -> None:
    assert mod.integers([1, 2], "ws") == (1, 2)
    with pytest.raises(TypeError, match=r"ws\[1\] must be an integer"):
        mod.integers([1, 2.0], "ws")
    with pytest.raises(TypeError, match="ws must be a sequence"):
        mod.integers("12", "ws")
    a = [[1.0, 2.0]]
    out = mod.array(a, "X", ndim=2)
    out[0, 0] = 9.0
    assert a[0][0] == 1.0  # a copy, never a view
    x = np.ones(3)
    assert not np.shares_memory(mod.array(x, "x"), x)
    for bad in ("1,2", None, True, np.array(["a"])):
        with pytest.raises(TypeError, match="X must be a numeric array"):
            mod.array(bad, "X")
    with pytest.raises(ValueError, match="finite"):
        mod.array([1.0, np.nan], "X")
    with pytest.raises(TypeError, match="never|number or a sympy"):
        mod.scalar("__import__('os')", "expr")
    with pytest.raises(ValueError, match="one of"):
        mod.choice("tan", "activation", ["tanh", "relu"])
    with pytest.raises(TypeError, match="one of"):
        mod.choice(1, "activation", ["tanh", "relu"])
