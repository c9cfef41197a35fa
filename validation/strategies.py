"""Public hypothesis strategies for fuzzing theorycheck's invariants and your own code.

Every strategy takes keyword-only arguments, returns a typed
``SearchStrategy[T]`` and documents what it generates.  They live in private
modules (``validation/_strategies/<area>.py``) and are re-exported here::

    from hypothesis import given
    from validation.strategies import cumulant_sequences

    @given(cumulant_sequences(order=6))
    def test_my_code(kappas): ...
"""

from __future__ import annotations

__all__: list[str] = []

# --- re-exports, one block per area (each private module defines __all__) ---

from validation._strategies.cumulants import *  # noqa: F401,F403,E402
from validation._strategies import cumulants as _cumulants  # noqa: E402

__all__ += _cumulants.__all__

from validation._strategies.quantum import *  # noqa: F401,F403,E402
from validation._strategies import quantum as _quantum  # noqa: E402

__all__ += _quantum.__all__

from validation._strategies.singular_learning import *  # noqa: F401,F403,E402
from validation._strategies import singular_learning as _singular_learning  # noqa: E402

__all__ += _singular_learning.__all__

from validation._strategies.networks import *  # noqa: F401,F403,E402
from validation._strategies import networks as _networks  # noqa: E402

__all__ += _networks.__all__

from validation._strategies.training import *  # noqa: F401,F403,E402
from validation._strategies import training as _training  # noqa: E402

__all__ += _training.__all__
