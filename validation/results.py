"""Results files: merged into, never truncated; locked, atomic, checksummed.

A results file is a JSON document ``{"schema": ..., "suite": {...}, "results": [...]}``.

Merge
    A run adds or replaces the results of the checks it ran and keeps every other
    result.  Two results are the same entry when they share check name, mode,
    parameters and seed (:func:`result_key`); a different seed or different
    parameters is a separate entry, never a replacement.
Concurrency
    Every update takes an exclusive lock (``filelock``, on a hidden ``.NAME.lock`` beside
    the file), re-reads the file and writes the merge, so concurrent runs on one file
    keep each other's results.
Atomic, honest writes
    The document is written to a temporary file in the same folder, flushed to disk
    and renamed over the target; the temporary file is removed on any failure,
    interruption included.  New files get the mode the umask allows (like any other
    file the user creates).  A target that is a symbolic link is resolved once, so
    the file the user named is the one written.
Checksums
    Each stored result carries ``checksum``, the SHA-256 of its canonical JSON
    without that field.  :func:`verify` tells whether a stored result is intact;
    ``--resume`` re-runs (and reports) those that are not.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from typing import Any, Iterable, Iterator


from validation.outcome import CheckResult, Evaluation, jsonable

__all__ = [
    "CheckResult",
    "Evaluation",
    "jsonable",
    "RESULTS_SCHEMA",
    "result_key",
    "checksum",
    "verify",
    "seal",
    "load_results",
    "merge_results",
    "write_atomic",
    "locked",
    "resolve_output",
]

RESULTS_SCHEMA = "theorycheck.results/1"


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False, default=repr)


def result_key(r: dict[str, Any]) -> str:
    """The identity of a stored result: check name, mode, parameters and seed.

    Parameters
    ----------
    r : dict of str to object
        A stored result record.

    Returns
    -------
    str
        Canonical JSON of ``[name, mode, params, seed]``.
    """
    return _canonical([r.get("name"), r.get("mode", "quick"), r.get("params"), r.get("seed")])


def checksum(r: dict[str, Any]) -> str:
    """SHA-256 of the result's canonical JSON without its ``checksum`` field.

    Parameters
    ----------
    r : dict of str to object
        A result record.

    Returns
    -------
    str
        The hexadecimal digest.
    """
    body = {k: x for k, x in r.items() if k != "checksum"}
    return hashlib.sha256(_canonical(body).encode()).hexdigest()


def seal(r: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``r`` with its checksum set.

    Parameters
    ----------
    r : dict of str to object
        A result record (not modified).

    Returns
    -------
    dict of str to object
        The record with ``checksum`` from :func:`checksum`.
    """
    out = {k: x for k, x in r.items() if k != "checksum"}
    out["checksum"] = checksum(out)
    return out


def verify(r: dict[str, Any]) -> bool:
    """Whether ``r`` carries a checksum that matches its content.

    Parameters
    ----------
    r : dict of str to object
        A stored result record.

    Returns
    -------
    bool
        ``True`` when its ``checksum`` is a string equal to :func:`checksum` of ``r``.
    """
    c = r.get("checksum")
    return isinstance(c, str) and c == checksum(r)


def resolve_output(path: str) -> str:
    """The file to write for a user-named output path: a symbolic link the user named is followed once.

    Parameters
    ----------
    path : str or os.PathLike
        The output path as the user gave it.

    Returns
    -------
    str
        The absolute path of the file to write.

    Raises
    ------
    TypeError
        If ``path`` is not a string or path-like.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"output path must be a string; got {type(path).__name__}")
    path = os.fspath(path)
    return os.path.realpath(path) if os.path.islink(path) else os.path.abspath(path)


@contextlib.contextmanager
def locked(path: str, timeout: float = 120.0) -> Iterator[None]:
    """Hold the exclusive lock of the results file ``path`` (a hidden ``.NAME.lock`` beside it).

    A context manager; the folder is created if needed.

    Parameters
    ----------
    path : str
        The results file.
    timeout : float, default 120.0
        Seconds to wait for the lock.

    Raises
    ------
    RuntimeError
        If the lock is not obtained within ``timeout``.
    """
    from filelock import FileLock, Timeout

    d = os.path.dirname(path) or "."
    os.makedirs(d, exist_ok=True)
    lock = FileLock(os.path.join(d, f".{os.path.basename(path)}.lock"), timeout=timeout)
    try:
        with lock:
            yield
    except Timeout:
        raise RuntimeError(f"could not lock {path} within {timeout:g} s (another theorycheck run is writing it)") from None


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file + fsync + rename; no temp file left behind).

    The final file has the permissions the umask gives a new file.  If ``path`` is a
    symbolic link, the link itself is replaced (nothing is written through it).

    Parameters
    ----------
    path : str
        The file to write; its folder is created if needed.
    text : str
        The content, written as UTF-8.

    Raises
    ------
    OSError
        If the file cannot be written (the temporary file is removed first).
    """
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = os.path.join(d, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def load_results(path: str) -> dict[str, Any]:
    """The document stored at ``path`` (an empty one if the file does not exist).

    Raises ``ValueError`` when the file exists but is not a theorycheck results file:
    it is never overwritten then.

    Parameters
    ----------
    path : str
        The results file.

    Returns
    -------
    dict of str to object
        The document, with at least ``"results"`` (a list).

    Raises
    ------
    ValueError
        If the file exists but is not JSON with a ``"results"`` list.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        return {"schema": RESULTS_SCHEMA, "results": []}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} exists and is not a theorycheck results file ({exc}); choose another path") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise ValueError(f"{path} exists and is not a theorycheck results file (no 'results' list); choose another path")
    return doc


def merge_results(path: str, results: Iterable[dict[str, Any]], suite: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge ``results`` into the file at ``path`` under its lock; return the merged document.

    Entries with the same :func:`result_key` are replaced; all others are kept, in their
    order, with new entries appended.

    Parameters
    ----------
    path : str
        The results file (created if missing).
    results : iterable of dict
        The new result records; each is sealed with its checksum.
    suite : dict, optional
        The run's suite summary, replacing the stored one.

    Returns
    -------
    dict of str to object
        The merged document as written.

    Raises
    ------
    TypeError
        If ``path`` is not a string.
    ValueError
        If the file exists but is not a results file.
    RuntimeError
        If the file's lock cannot be taken.
    """
    path = resolve_output(path)
    new = [seal(r) for r in results]
    with locked(path):
        doc = load_results(path)
        stored = list(doc["results"])
        index = {result_key(r): i for i, r in enumerate(stored) if isinstance(r, dict)}
        for r in new:
            k = result_key(r)
            if k in index:
                stored[index[k]] = r
            else:
                index[k] = len(stored)
                stored.append(r)
        doc["results"] = stored
        doc["schema"] = RESULTS_SCHEMA
        if suite is not None:
            doc["suite"] = suite
        write_atomic(path, json.dumps(doc, indent=1, allow_nan=False))
    return doc
