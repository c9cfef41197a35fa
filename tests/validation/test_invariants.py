"""Every registered invariant runs in the default suite with a small example budget."""

import os

import pytest

from validation.fuzz import all_invariants, run_invariant

EXAMPLES = int(os.environ.get("THEORYCHECK_FUZZ_EXAMPLES", "25"))


@pytest.mark.parametrize("name", sorted(all_invariants()))
def test_invariant(name: str) -> None:
    out = run_invariant(name, all_invariants()[name], max_examples=EXAMPLES, seed=12345)
    assert out.passed, out.error
