"""The execution engine: where checks, sweep cells and calibration seeds run.

One interface (:class:`Engine`: ``submit``, ``completed``, ``cancel``, ``close``) over two
back ends:

* :class:`SerialEngine` runs tasks in this process, one at a time, in submission order,
  lazily (a task runs when :meth:`Engine.completed` reaches it, so results stream);
* :class:`DaskEngine` runs them on a Dask distributed cluster: a ``LocalCluster`` of
  single-threaded worker processes (``--workers N``) or an existing scheduler
  (``--scheduler tcp://HOST:PORT``).

:func:`open_engine` chooses between them.  Dask is an optional extra
(``pip install theorycheck[dask]``); without it only the serial engine exists.
"""

from validation.engine._base import Engine, EngineError, SerialEngine, open_engine, pin_threads, worker_name
from validation.engine._tasks import map_checks

__all__ = ["Engine", "EngineError", "SerialEngine", "DaskEngine", "open_engine", "pin_threads", "worker_name",
           "map_checks"]


def __getattr__(name: str) -> object:
    if name == "DaskEngine":  # imported on demand: dask is optional
        from validation.engine._dask import DaskEngine

        return DaskEngine
    raise AttributeError(f"module 'validation.engine' has no attribute {name!r}")
