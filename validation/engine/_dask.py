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
    """Runs tasks on a Dask cluster through a :class:`distributed.Client`."""

    def __init__(self, client: Client, cluster: LocalCluster | None = None) -> None:
        ship_user_checks()
        self.client = client
        self.cluster = cluster
        self.address = str(client.scheduler.address)
        client.register_plugin(PinThreads())
        self.workers = max(1, sum(client.nthreads().values()))

    @classmethod
    def local(cls, workers: int) -> "DaskEngine":
        """A ``LocalCluster`` of ``workers`` single-threaded processes on 127.0.0.1."""
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=logging.ERROR, env=dict(THREAD_ENV))
        try:
            client = Client(cluster, set_as_default=False)
            return cls(client, cluster)
        except BaseException:
            cluster.close()
            raise

    @classmethod
    def connect(cls, address: str, timeout: float = 5.0) -> "DaskEngine":
        """A client of the scheduler at ``address``; :class:`EngineError` naming it if unreachable."""
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
        kw: dict[str, Any] = {"pure": False}
        if key is not None:
            kw["key"] = key
        return self.client.submit(fn, *args, **kw)

    batches = True

    def completed(self, futures: Iterable[Any] = ()) -> Completion:
        return _DaskCompletion(as_completed(list(futures), loop=self.client.loop, with_results=True,
                                            raise_errors=False))

    def cancel(self, futures: Iterable[Any]) -> None:
        fs = list(futures)
        if fs:
            self.client.cancel(fs)

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()
