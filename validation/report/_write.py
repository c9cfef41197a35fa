"""Where a report may be written: never through a link, never over a file it did not make."""

from __future__ import annotations

import os

__all__ = ["GENERATOR", "is_report", "check_target"]

#: the ``<meta name="generator">`` every report carries; it is how a report is recognised
GENERATOR = "theorycheck report"
_MARK = f'<meta name="generator" content="{GENERATOR}">'.encode()


def is_report(path: str) -> bool:
    """Whether ``path`` is a regular file (not a link) holding a theorycheck report.

    Parameters
    ----------
    path : str
        Any path.

    Returns
    -------
    bool
        ``True`` when the file starts like an HTML page and carries the report's
        generator tag in its first 4 KiB.
    """
    if os.path.islink(path) or not os.path.isfile(path):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return head.lstrip().lower().startswith(b"<!doctype html") and _MARK in head


def check_target(out: str, *, force: bool = False, results: str | None = None) -> None:
    """Raise unless a report may be written at ``out``.

    Parameters
    ----------
    out : str
        The report's path.
    force : bool, optional
        Allow replacing an existing file that is not a report, or a symbolic link (the
        link itself is replaced; its target is never written).
    results : str, optional
        The results file the report is made from: it is never overwritten, even with
        ``force``.

    Raises
    ------
    FileExistsError
        If ``out`` is a symbolic link or an existing file that is not a report, and
        ``force`` is false.
    IsADirectoryError
        If ``out`` is a folder.
    ValueError
        If ``out`` is the results file itself, or exists and is not a regular file.
    """
    if results is not None and os.path.exists(out) and os.path.exists(results) and os.path.samefile(out, results):
        raise ValueError(f"{out} is the results file itself; choose another path for the report")
    if os.path.islink(out):
        if not force:
            raise FileExistsError(f"{out} is a symbolic link; a report is never written through a link "
                                  "(use --force to replace the link itself; its target is left alone)")
        return
    if os.path.isdir(out):
        raise IsADirectoryError(f"{out} is a folder; name the report file (e.g. {os.path.join(out, 'report.html')})")
    if os.path.exists(out):
        if not os.path.isfile(out):
            raise ValueError(f"{out} exists and is not a regular file")
        if not force and not is_report(out):
            raise FileExistsError(f"{out} exists and is not a theorycheck report; refusing to overwrite it "
                                  "(choose another path or use --force)")
