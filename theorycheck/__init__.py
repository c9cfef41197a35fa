"""theorycheck: put theories of neural networks and of simulated physical systems to the test.

The code lives in three packages: ``theory`` (symbolic predictions), ``numerics``
(measurements) and ``validation`` (checks joining them, runner, command line).  This
package holds the version and the ``python -m theorycheck`` entry point.
"""

from __future__ import annotations

from importlib import metadata

__all__ = ["__version__"]

try:
    __version__ = metadata.version("theorycheck")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"
