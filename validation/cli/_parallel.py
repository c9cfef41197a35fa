"""Shared command-line options for where work runs: ``--workers N`` and ``--scheduler ADDRESS``."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any, Iterator

from validation.cli._common import pos_int

__all__ = ["add_engine_arguments", "engine_for"]


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the mutually exclusive ``--workers`` / ``--scheduler`` options.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        A command's parser.
    """
    g = parser.add_mutually_exclusive_group()
    g.add_argument("--workers", type=pos_int, default=None, metavar="N",
                   help="run on a local Dask cluster of N single-threaded processes (1: in this process, the default)")
    g.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run on an existing Dask cluster, e.g. tcp://127.0.0.1:8786 (see docs/guide/sweeps.md)")


@contextlib.contextmanager
def engine_for(args: argparse.Namespace) -> Iterator[Any]:
    """The engine the options ask for, or ``None`` for a plain in-process run; closed on exit.

    A context manager over :func:`validation.engine.open_engine`.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options (``workers``, ``scheduler``).

    Yields
    ------
    validation.engine.Engine or None
        The engine, or ``None`` without ``--scheduler`` and with at most one worker.
    """
    workers, scheduler = getattr(args, "workers", None), getattr(args, "scheduler", None)
    if scheduler is None and (workers is None or workers == 1):
        yield None
        return
    from validation.engine import open_engine

    with open_engine(workers, scheduler) as engine:
        yield engine
