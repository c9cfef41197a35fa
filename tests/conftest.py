"""Shared test configuration."""

from __future__ import annotations

import sys
from typing import Iterator

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """One intra-op torch thread per test: the batched programs under test are small, and on
    shared cores (two pytest workers on two CPUs) extra OpenMP threads only add contention.
    Torch is not imported here, so areas that never use it stay torch-free."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
