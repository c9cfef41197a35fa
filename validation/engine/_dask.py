"""The Dask back end: a ``LocalCluster`` or a client of an existing scheduler.

Workers are single-threaded processes with BLAS/OpenMP pinned to one thread: the
environment variables are set for the worker processes (``LocalCluster(env=...)``) and
again by a worker plugin (:class:`PinThreads`, for workers started by hand), which also
calls ``torch.set_num_threads(1)`` when torch is loaded; every task pins again (cheap),
so a check that imports torch late still gets one thread.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, Iterator

from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from validation.engine._base import THREAD_ENV, Engine, EngineError, pin_threads

__all__ = ["DaskEngine", "PinThreads"]


class PinThreads(WorkerPlugin):
    """Worker plugin: one BLAS/OpenMP/torch thread per worker process."""

    name = "theorycheck-pin-threads"

    def setup(self, worker: Any) -> None:
        pin_threads()


class DaskEngine(Engine):
    """Runs tasks on a Dask cluster through a :class:`distributed.Client`."""

    def __init__(self, client: Client, cluster: LocalCluster | None = None) -> None:
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

    def completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        ac = as_completed(list(futures), loop=self.client.loop)
        for batch in ac.batches():
            yield from batch

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
