"""The Dask back end: a ``LocalCluster`` or a client of an existing scheduler.

Workers are single-threaded processes with BLAS/OpenMP pinned to one thread: the
environment variables are set for the worker processes (``LocalCluster(env=...)``) and
again by a worker plugin (:class:`PinThreads`, for workers started by hand), which also
calls ``torch.set_num_threads(1)`` when torch is loaded; every task pins again (cheap),
so a check that imports torch late still gets one thread.
"""

from __future__ import annotations

import logging
import collections
import sys
from typing import Any, Callable, Iterable

from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from validation.engine._base import THREAD_ENV, Completion, Engine, EngineError, pin_threads

__all__ = ["DaskEngine", "PinThreads", "ship_user_checks"]


class PinThreads(WorkerPlugin):
    """Worker plugin: one BLAS/OpenMP/torch thread per worker process."""

    name = "theorycheck-pin-threads"

    def setup(self, worker: Any) -> None:
        """Pin the worker process's threads (called by Dask when the plugin is registered).

        Parameters
        ----------
        worker : distributed.Worker
            The worker (unused: the pinning is per process).
        """
        pin_threads()


class _DaskCompletion(Completion):
    """Results gathered by ``as_completed(with_results=True)`` in the client's event loop, in batches
    (no synchronous round trip per task)."""

    def __init__(self, ac: Any) -> None:
        self.ac = ac
        self.buffer: collections.deque[tuple[Any, Any]] = collections.deque()

    def add(self, future: Any) -> None:
        self.ac.add(future)

    def __next__(self) -> tuple[Any, Any, BaseException | None]:
        while not self.buffer:
            if self.ac.is_empty():
                raise StopIteration
            self.buffer.extend(self.ac.next_batch(block=True))
        f, value = self.buffer.popleft()
        if f.status == "finished":
            return f, value, None
        if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], BaseException):
            return f, None, value[1]  # (type, exception, traceback) of a failed task
        return f, None, value if isinstance(value, BaseException) else RuntimeError(f"task {f.key} {f.status}")


def ship_user_checks() -> None:
    """Mark the modules of a user's checks (``--from FILE.py``, imported by :mod:`validation.plugins` as
    ``theorycheck_user_*``) to be pickled by value, so workers that cannot import the file still get them."""
    import cloudpickle

    for name, mod in list(sys.modules.items()):
        if name.startswith("theorycheck_user_") and mod is not None:
            cloudpickle.register_pickle_by_value(mod)


class DaskEngine(Engine):
    """Runs tasks on a Dask cluster through a :class:`distributed.Client`.

    Made by :meth:`local` or :meth:`connect` (or :func:`validation.engine.open_engine`); the
    constructor registers :class:`PinThreads` on the workers and marks a user's check modules to be
    pickled by value.

    Parameters
    ----------
    client : distributed.Client
        The client the tasks are submitted through; closed by :meth:`close`.
    cluster : distributed.LocalCluster, optional
        The local cluster the client is connected to, closed by :meth:`close`; ``None`` for an
        existing scheduler (left running).
    """

    def __init__(self, client: Client, cluster: LocalCluster | None = None) -> None:
        ship_user_checks()
        self.client = client
        self.cluster = cluster
        self.address = str(client.scheduler.address)
        client.register_plugin(PinThreads())
        self.workers = max(1, sum(client.nthreads().values()))

    @classmethod
    def local(cls, workers: int) -> "DaskEngine":
        """A ``LocalCluster`` of ``workers`` single-threaded processes on 127.0.0.1.

        Parameters
        ----------
        workers : int
            Number of worker processes (one thread each).

        Returns
        -------
        DaskEngine
            An engine owning the cluster (closed with it).
        """
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=":0", silence_logs=logging.ERROR, env=dict(THREAD_ENV))
        try:
            client = Client(cluster, set_as_default=False)
            return cls(client, cluster)
        except BaseException:
            cluster.close()
            raise

    @classmethod
    def connect(cls, address: str, timeout: float = 5.0) -> "DaskEngine":
        """A client of the scheduler at ``address``.

        Parameters
        ----------
        address : str
            The scheduler's address, ``tcp://HOST:PORT``.
        timeout : float, default 5.0
            Seconds to wait for the scheduler.

        Returns
        -------
        DaskEngine
            An engine whose :meth:`close` closes the client and leaves the scheduler running.

        Raises
        ------
        EngineError
            The scheduler cannot be reached within ``timeout`` (the message names the address).
        """
        try:
            client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({exc})") from None
        try:
            return cls(client)
        except BaseException:
            client.close()
            raise

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None) -> Any:
        """Submit ``fn(*args)`` to the cluster (impure: every call runs).

        Parameters
        ----------
        fn : callable
            The task; it and its arguments must be picklable (cloudpickle).
        *args : object
            Its positional arguments.
        key : str, optional
            Dask's task key (unique per engine), ``None`` for an automatic one.

        Returns
        -------
        distributed.Future
            The task's future.
        """
        kw: dict[str, Any] = {"pure": False}
        if key is not None:
            kw["key"] = key
        return self.client.submit(fn, *args, **kw)

    batches = True

    def completed(self, futures: Iterable[Any] = ()) -> Completion:
        """Results as the tasks finish, gathered in batches in the client's event loop.

        Parameters
        ----------
        futures : iterable of distributed.Future, default ()
            Futures returned by :meth:`submit`.

        Returns
        -------
        Completion
            Yields ``(future, value, error)``; a failed or lost task yields its exception as ``error``.
        """
        return _DaskCompletion(as_completed(list(futures), loop=self.client.loop, with_results=True,
                                            raise_errors=False))

    def cancel(self, futures: Iterable[Any]) -> None:
        """Cancel ``futures`` on the cluster.

        Parameters
        ----------
        futures : iterable of distributed.Future
            Futures returned by :meth:`submit`.
        """
        fs = list(futures)
        if fs:
            self.client.cancel(fs)

    def close(self) -> None:
        """Close the client and, for a local cluster, the cluster."""
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()
