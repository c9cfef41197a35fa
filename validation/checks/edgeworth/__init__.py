"""Edgeworth checks (theory/edgeworth x numerics/edgeworth)."""

from validation.checks.edgeworth import _density  # noqa: F401  (registers the checks)

__all__: list[str] = []
