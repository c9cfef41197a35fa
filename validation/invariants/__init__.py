"""Registered hypothesis invariants, one module per area (discovered by validation.fuzz)."""
