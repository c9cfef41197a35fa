"""The engine interface, the in-process engine and :func:`open_engine`.

Why a thin interface of our own rather than ``concurrent.futures`` alone: the serial
engine must run lazily in this process (so that ``--workers 1`` needs no Dask, streams
results and stops cleanly on Ctrl-C), and a Dask client must be opened against a
``LocalCluster`` or a remote scheduler, closed with it, and its threads pinned; the
scheduling itself, rescheduling of cells of a lost worker included, is Dask's.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import sys
from typing import Any, Callable, Iterable, Iterator

from numerics import validate as v

__all__ = ["Engine", "Completion", "EngineError", "SerialEngine", "open_engine", "pin_threads", "worker_name", "THREAD_ENV"]

#: one BLAS / OpenMP thread per worker: the parallelism is across cells, not inside them
THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}

_ADDRESS = re.compile(r"^(?:(tcp|tls|inproc|ws|wss|ucx)://)?[^\s/:]+(?::\d{1,5})?$")


class EngineError(RuntimeError):
    """The engine could not be started (Dask missing, scheduler unreachable, bad address)."""


def pin_threads() -> None:
    """Pin this process to one BLAS/OpenMP/torch thread (called on every worker, and per task)."""
    for k, val in THREAD_ENV.items():
        os.environ[k] = val
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def worker_name() -> str:
    """The Dask worker's address when running on one, else ``in-process:<pid>``.

    Returns
    -------
    str
        The address of the Dask worker this runs on, or ``in-process:<pid>`` outside Dask.
    """
    if "distributed" in sys.modules:
        try:
            from distributed import get_worker

            return str(get_worker().address)
        except (ValueError, ImportError):
            pass
    return f"in-process:{os.getpid()}"


class _Deferred:
    """A task of the serial engine: run when its completion iterator reaches it."""

    __slots__ = ("fn", "args", "key")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], key: str | None) -> None:
        self.fn, self.args, self.key = fn, args, key


class Completion:
    """Yields ``(future, value, error)`` as tasks finish (``error`` is the exception of a failed task,
    else ``None``); :meth:`add` adds a task while iterating."""

    def __iter__(self) -> "Completion":
        return self

    def __next__(self) -> tuple[Any, Any, BaseException | None]:
        raise NotImplementedError

    def add(self, future: Any) -> None:
        """Add a task to the tasks being waited for (allowed while iterating).

        Parameters
        ----------
        future : object
            A future returned by the engine's :meth:`Engine.submit`.
        """
        raise NotImplementedError


class _SerialCompletion(Completion):
    def __init__(self, futures: Iterable[_Deferred]) -> None:
        self.queue = collections.deque(futures)

    def add(self, future: _Deferred) -> None:
        self.queue.append(future)

    def __next__(self) -> tuple[Any, Any, BaseException | None]:
        if not self.queue:
            raise StopIteration
        f = self.queue.popleft()
        try:
            return f, f.fn(*f.args), None
        except Exception as exc:  # noqa: BLE001 - handed to the caller, like a failed future
            return f, None, exc


class Engine:
    """Where tasks run.  Subclasses implement :meth:`submit`, :meth:`completed`, :meth:`cancel`, :meth:`close`.

    Attributes
    ----------
    workers
        Number of tasks that can run at once (for progress estimates).
    address
        Where the tasks run, in words (``"in-process"``, ``"tcp://127.0.0.1:8786"``).
    """

    workers: int = 1
    address: str = "in-process"

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None) -> Any:
        """Schedule ``fn(*args)``.

        Parameters
        ----------
        fn : callable
            The task; on a Dask engine it and its arguments must be picklable.
        *args : object
            Its positional arguments.
        key : str, optional
            A name for the task (Dask's task key; unique per engine), ``None`` for an automatic one.

        Returns
        -------
        object
            A future-like object, handed to :meth:`completed` and :meth:`cancel`.
        """
        raise NotImplementedError

    #: whether several small tasks should be packed into one (per-task overhead matters)
    batches: bool = False

    def completed(self, futures: Iterable[Any] = ()) -> Completion:
        """A :class:`Completion` over ``futures`` (more can be added while iterating).

        Parameters
        ----------
        futures : iterable of object, default ()
            Futures returned by :meth:`submit`.

        Returns
        -------
        Completion
            Yields ``(future, value, error)`` as the tasks finish.
        """
        raise NotImplementedError

    def cancel(self, futures: Iterable[Any]) -> None:
        """Drop ``futures`` that have not run.

        Parameters
        ----------
        futures : iterable of object
            Futures returned by :meth:`submit`; those already finished are left alone.
        """

    def close(self) -> None:
        """Release the workers this engine started."""

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class SerialEngine(Engine):
    """Runs every task in this process, in submission order, when :meth:`completed` reaches it."""

    workers = 1
    address = "in-process"

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None) -> _Deferred:
        """Defer ``fn(*args)`` until a completion iterator reaches it.

        Parameters
        ----------
        fn : callable
            The task.
        *args : object
            Its positional arguments.
        key : str, optional
            A name for the task (kept, not used).

        Returns
        -------
        object
            The deferred task, handed to :meth:`completed`.
        """
        return _Deferred(fn, args, key)

    def completed(self, futures: Iterable[Any] = ()) -> Completion:
        """Run ``futures`` one after another, in order, as the iterator is advanced.

        Parameters
        ----------
        futures : iterable of object, default ()
            Deferred tasks returned by :meth:`submit`.

        Returns
        -------
        Completion
            Yields ``(future, value, error)``; a task that raises yields its exception as ``error``.
        """
        return _SerialCompletion(futures)


def _check_address(address: str) -> str:
    if not isinstance(address, str) or not _ADDRESS.match(address.strip()):
        raise EngineError(f"not a Dask scheduler address: {address!r} (expected tcp://HOST:PORT)")
    a = address.strip()
    return a if "://" in a else "tcp://" + a


@contextlib.contextmanager
def open_engine(workers: int | None = None, scheduler: str | None = None, *,
                connect_timeout: float = 5.0) -> Iterator[Engine]:
    """The engine for ``workers`` / ``scheduler``, closed on exit.

    Parameters
    ----------
    workers : int, optional
        ``None`` or ``1``: run in this process (no Dask needed).  ``N >= 2``: start a Dask
        ``LocalCluster`` of ``N`` single-threaded worker processes on 127.0.0.1.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://HOST:PORT``); excludes ``workers``.
    connect_timeout : float, default 5.0
        Seconds to wait for the scheduler before giving up.

    Yields
    ------
    Engine
        A :class:`SerialEngine` or a :class:`DaskEngine`, closed when the ``with`` block ends.

    Raises
    ------
    EngineError
        Dask is not installed, the address is malformed, or the scheduler cannot be
        reached within ``connect_timeout`` (the message names the address).
    ValueError, TypeError
        ``workers`` is not a positive integer, or both arguments are given.
    """
    if workers is not None:
        workers = v.integer(workers, "workers", minimum=1)
    if scheduler is not None and workers is not None:
        raise ValueError("give either workers (a local cluster) or scheduler (an existing one), not both")
    if scheduler is None and (workers is None or workers == 1):
        engine: Engine = SerialEngine()
    else:
        try:
            from validation.engine._dask import DaskEngine
        except ImportError as exc:
            raise EngineError(f"parallel runs need Dask ({exc}); install it with pip install 'theorycheck[dask]'") from None
        if scheduler is not None:
            engine = DaskEngine.connect(_check_address(scheduler), timeout=connect_timeout)
        else:
            engine = DaskEngine.local(int(workers or 1))
    try:
        yield engine
    finally:
        engine.close()
