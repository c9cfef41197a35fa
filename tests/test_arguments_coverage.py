"""Every public entry point of theory/ and numerics/ is argument-fuzzed (tests/argfuzz.py).

Each area's ``tests/<layer>/test_<area>_arguments.py`` lists valid calls in ``CASES`` and
may list names in ``EXEMPT`` with the reason (constants, exception classes, pure data
classes fuzzed through their constructor elsewhere).
"""

from __future__ import annotations

import glob
import importlib
import inspect
import os

import pytest

from tests.argfuzz import fuzz_call, resolve

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AREAS = ("edgeworth", "wide_networks", "ntk", "density_matrix", "singular_learning", "random_walk")
SHARED = {"theory": ("cumulants", "derivation", "validate"), "numerics": ("estimate", "activations", "validate")}


def _argument_modules() -> list[object]:
    mods = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "*", "test_*_arguments.py"))):
        rel = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
        mods.append(importlib.import_module(rel))
    return mods


def _public_names() -> list[str]:
    names = []
    for layer in ("theory", "numerics"):
        for pkg in (*AREAS, *SHARED[layer]):
            try:
                mod = importlib.import_module(f"{layer}.{pkg}")
            except ModuleNotFoundError:
                continue
            for n in getattr(mod, "__all__", ()):
                obj = getattr(mod, n)
                if callable(obj) and not (inspect.isclass(obj) and issubclass(obj, BaseException)):
                    names.append(f"{layer}.{pkg}.{n}")
    return sorted(names)


MODULES = _argument_modules()
CASES = {k: v for m in MODULES for k, v in getattr(m, "CASES", {}).items()}
EXEMPT = {k: v for m in MODULES for k, v in getattr(m, "EXEMPT", {}).items()}


def test_every_public_callable_is_fuzzed_or_exempt() -> None:
    missing = [n for n in _public_names() if n not in CASES and n not in EXEMPT]
    assert not missing, f"public callables without an argument-fuzzing case: {missing}"
    assert all(isinstance(r, str) and r for r in EXEMPT.values()), "every exemption states its reason"


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_silent_coercion(name: str) -> None:
    fn = resolve(name)
    call = CASES[name]
    fn(*call.args, **call.kwargs)  # the valid call works
    silent = fuzz_call(fn, call)
    assert not silent, f"{name} silently accepted: {silent}"
