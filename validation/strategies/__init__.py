"""Public hypothesis strategies for fuzzing theorycheck's invariants and your own code.

Every strategy takes keyword-only arguments, returns a typed ``SearchStrategy[T]`` and
documents what it generates.  They live in one private module per area
(``validation/strategies/_<area>.py``, each with an ``__all__``) and are re-exported here::

    from hypothesis import given
    from validation.strategies import cumulant_sequences

    @given(cumulant_sequences(order=6))
    def test_my_code(kappas): ...
"""

from __future__ import annotations

import importlib
import pkgutil

__all__: list[str] = []

for _m in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("_")):
    _mod = importlib.import_module(f"{__name__}.{_m}")
    for _name in _mod.__all__:
        globals()[_name] = getattr(_mod, _name)
    __all__ += list(_mod.__all__)
del _m, _mod, _name
