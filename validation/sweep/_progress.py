"""Progress of a sweep: cells done / total, failures so far, ETA.

On a terminal the bar is rich's (its progress display is the project's standard); when
stdout is not a terminal (a log file, CI) plain lines are printed instead, at most one
every few seconds plus one per failure and one at the end, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress", "make_progress"]


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = int(round(seconds))
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


class Progress:
    """Plain line-by-line progress (and the interface of the rich one).

    Parameters
    ----------
    total : int
        Number of cells in all.
    done : int, default 0
        Cells already finished (found in the store).
    label : str, default "cells"
        What is counted.
    stream : file-like, optional
        Where the lines go (default ``sys.stdout``).
    every : float, default 5.0
        Seconds between two lines, failures and the last cell excepted.
    """

    def __init__(self, total: int, done: int = 0, *, label: str = "cells", stream: TextIO | None = None,
                 every: float = 5.0) -> None:
        self.total, self.done, self.failures, self.label = total, done, 0, label
        self.start_done = done
        self.t0 = time.monotonic()
        self.stream = stream if stream is not None else sys.stdout
        self.every = every
        self._last = -1e9

    def eta(self) -> float | None:
        """Seconds left, from the mean time per cell run so far.

        Returns
        -------
        float or None
            The estimate, ``None`` before the first cell has run.
        """
        ran = self.done - self.start_done
        if ran <= 0:
            return None
        return (time.monotonic() - self.t0) / ran * (self.total - self.done)

    def line(self) -> str:
        """The progress line.

        Returns
        -------
        str
            ``[done/total label] failures F, elapsed ..., eta ...``.
        """
        return (f"[{self.done}/{self.total} {self.label}] failures {self.failures}, "
                f"elapsed {_eta(time.monotonic() - self.t0)}, eta {_eta(self.eta())}")

    def update(self, verdict: str, what: str = "") -> None:
        """One cell finished with ``verdict``.

        Parameters
        ----------
        verdict : str
            ``"PASS"``, ``"FAIL"`` or ``"ERROR"``; anything but a pass is printed at once.
        what : str, default ""
            The cell and its error, printed with a failure.
        """
        self.done += 1
        failed = verdict != "PASS"
        self.failures += int(failed)
        now = time.monotonic()
        if failed or now - self._last >= self.every or self.done == self.total:
            self._last = now
            note = f"  {verdict} {what}" if failed and what else ""
            print(self.line() + note, file=self.stream, flush=True)

    def close(self) -> None:
        """Finish the display."""


class _RichProgress(Progress):
    def __init__(self, total: int, done: int = 0, *, label: str = "cells") -> None:
        super().__init__(total, done, label=label)
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RP, TextColumn, TimeElapsedColumn, \
            TimeRemainingColumn

        self._bar = RP(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("failures {task.fields[failures]}"), TimeElapsedColumn(), TextColumn("eta"),
                       TimeRemainingColumn(), transient=False)
        self._task = self._bar.add_task(label, total=total, completed=done, failures=0)
        self._bar.start()

    def update(self, verdict: str, what: str = "") -> None:
        self.done += 1
        if verdict != "PASS":
            self.failures += 1
            if what:
                self._bar.console.print(f"{verdict} {what}")
        self._bar.update(self._task, completed=self.done, failures=self.failures)

    def close(self) -> None:
        self._bar.stop()


def make_progress(total: int, done: int = 0, *, label: str = "cells", enabled: bool = True) -> Progress | None:
    """Rich's bar on a terminal, plain lines otherwise, ``None`` when disabled.

    Parameters
    ----------
    total : int
        Number of cells in all.
    done : int, default 0
        Cells already finished.
    label : str, default "cells"
        What is counted.
    enabled : bool, default True
        ``False`` for no progress display.

    Returns
    -------
    Progress or None
        The display (close it with :meth:`Progress.close`), or ``None``.
    """
    if not enabled:
        return None
    if sys.stdout.isatty():
        try:
            return _RichProgress(total, done, label=label)
        except ImportError:
            pass
    return Progress(total, done, label=label)


