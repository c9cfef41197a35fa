"""The sweep results store: one SQLite file, one row per cell.

Why SQLite (through the standard library) and not Parquet: a sweep writes one cell at a
time as cells finish, possibly over hours, and must survive Ctrl-C, a killed client or a
power cut without losing what finished.  SQLite gives that directly: each batch of rows
is one ACID transaction (WAL journal), the cell identity is the table's primary key, so
the store itself refuses a cell twice, and many readers (``load``, a notebook) can query
it while the sweep writes.  Parquet files are immutable: streaming cell by cell would
mean one small file per cell or rewriting the file, and uniqueness would be ours to
enforce.  SQLite needs no server and no extra package, stores REALs as IEEE doubles (full
precision) and its JSON text keeps arrays exactly (Python's ``repr`` of a float round-trips).
pandas reads it (:func:`load`).

Only the client writes (the workers return their rows to it), so many workers never
contend for the file.

Tables
------
``cells``
    ``key`` (primary key: SHA-256 of the cell identity: task, check, mode, full
    parameters, seed, theorycheck version), ``task`` (``run`` for sweeps, ``evaluate``
    for calibration), ``check_name``, ``area``, ``mode``, ``version``, ``params`` (the
    full parameter set as JSON), one column ``p_<name>`` per swept parameter, ``seed``
    (the sweep seed), ``check_seed`` (the seed the measurement ran with), ``prediction``,
    ``estimate``, ``stderr`` (REAL for scalar quantities, else NULL), ``prediction_json``,
    ``estimate_json`` (full values), ``statistic``, ``p_value``, ``alpha``, ``passed``,
    ``verdict``, ``kind``, ``rule``, ``error``, ``seconds``, ``worker``, ``environment``
    (JSON), ``finished`` (UTC time), ``record`` (the checksummed JSON result,
    :func:`validation.results.seal`).
``twins``
    ``key``, ``twin``, ``statistic``, ``p_value``, ``passed``, ``verdict``, ``error``:
    the falsification twins judged against a calibration cell's measurement.
``sweeps``
    one row per sweep or calibration started on the store: what it ran and how it ended.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from typing import Any, Iterable, Mapping

__all__ = ["SweepStore", "StoreError", "STORE_SCHEMA", "FIXED_COLUMNS", "load", "param_column"]

STORE_SCHEMA = "theorycheck.sweep-store/1"

FIXED_COLUMNS = (
    "key", "task", "check_name", "area", "mode", "version", "params", "seed", "check_seed", "prediction", "estimate",
    "stderr", "prediction_json", "estimate_json", "statistic", "p_value", "alpha", "passed", "verdict", "kind", "rule",
    "error", "seconds", "worker", "environment", "finished", "record",
)
_TYPES = {"seed": "INTEGER", "check_seed": "INTEGER", "passed": "INTEGER", "prediction": "REAL", "estimate": "REAL",
          "stderr": "REAL", "statistic": "REAL", "p_value": "REAL", "alpha": "REAL", "seconds": "REAL"}
_DDL = [
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS cells (" + ", ".join(
        f"{c} {_TYPES.get(c, 'TEXT')}" + (" PRIMARY KEY" if c == "key" else "") for c in FIXED_COLUMNS) + ")",
    "CREATE INDEX IF NOT EXISTS cells_check ON cells (check_name, task, mode)",
    "CREATE TABLE IF NOT EXISTS twins (key TEXT, twin TEXT, statistic REAL, p_value REAL, passed INTEGER, "
    "verdict TEXT, error TEXT, PRIMARY KEY (key, twin))",
    "CREATE TABLE IF NOT EXISTS sweeps (id INTEGER PRIMARY KEY AUTOINCREMENT, task TEXT, check_name TEXT, mode TEXT, "
    "grid TEXT, seeds TEXT, cells INTEGER, alpha REAL, engine TEXT, started TEXT, finished TEXT, status TEXT)",
]
_PARAM_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class StoreError(ValueError):
    """The store cannot be used: not writable, or an existing file that is not a sweep store."""


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _sql_value(x: Any) -> Any:
    """A parameter value for its ``p_<name>`` column: scalars as they are, anything else as JSON."""
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    return json.dumps(x, sort_keys=True)


class SweepStore:
    """A sweep store at ``path`` (created if missing); only this object writes it.

    Parameters
    ----------
    path : str or os.PathLike
        The SQLite file; its folder is created if missing.

    Raises
    ------
    TypeError
        ``path`` is not a path.
    StoreError
        The path cannot be created or written, or holds something that is not a store.
    """

    def __init__(self, path: str) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"store must be a path; got {type(path).__name__}")
        self.path = os.path.abspath(os.fspath(path))
        parent = os.path.dirname(self.path)
        try:
            os.makedirs(parent, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder of store {self.path}: {exc.strerror or exc}") from None
        if os.path.isdir(self.path):
            raise StoreError(f"store {self.path} is a folder; give a file path (e.g. sweep.sqlite)")
        if os.path.isfile(self.path) and os.path.getsize(self.path) > 0:
            with open(self.path, "rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    raise StoreError(f"{self.path} exists and is not a theorycheck sweep store; choose another path")
        try:
            self.conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from None
        try:
            self._initialise()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            msg = str(exc)
            if "not a database" in msg or "malformed" in msg:
                raise StoreError(f"{self.path} exists and is not a theorycheck sweep store ({msg}); choose another path") from None
            raise StoreError(f"store {self.path} is not writable ({msg})") from None
        except StoreError:
            self.conn.close()
            raise
        self.params = [r[1][2:] for r in self.conn.execute("PRAGMA table_info(cells)")
                       if r[1].startswith("p_") and r[1] not in FIXED_COLUMNS]

    def _initialise(self) -> None:
        c = self.conn
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and "meta" not in tables:
            raise StoreError(f"{self.path} is an SQLite file but not a theorycheck sweep store; choose another path")
        if "meta" in tables:
            row = c.execute("SELECT value FROM meta WHERE name='schema'").fetchone()
            if row is None or row[0] != STORE_SCHEMA:
                raise StoreError(f"{self.path} is a store of another format ({row[0] if row else 'unknown'}); "
                                 f"this theorycheck reads {STORE_SCHEMA}")
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=NORMAL")
        c.execute("BEGIN IMMEDIATE")
        try:
            for ddl in _DDL:
                c.execute(ddl)
            c.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (STORE_SCHEMA,))
            c.execute("INSERT OR REPLACE INTO meta VALUES ('opened', ?)", (_now(),))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ reading
    def status(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """What is stored of the cells ``keys``.

        Parameters
        ----------
        keys : iterable of str
            Cell keys (:attr:`validation.sweep.Cell.key`).

        Returns
        -------
        dict of str to dict
            For each stored key: ``{"verdict": ..., "alpha": ..., "twins": [twin names]}``; keys not
            stored are absent.
        """
        keys = list(keys)
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            q = ",".join("?" * len(chunk))
            for k, verdict, alpha in self.conn.execute(
                    f"SELECT key, verdict, alpha FROM cells WHERE key IN ({q})", chunk):
                out[k] = {"verdict": verdict, "alpha": alpha, "twins": []}
            for k, twin in self.conn.execute(f"SELECT key, twin FROM twins WHERE key IN ({q})", chunk):
                if k in out:
                    out[k]["twins"].append(twin)
        return out

    def rows(self, keys: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """The stored rows (all, or those of ``keys``) as dicts, each with its ``twins`` list.

        Parameters
        ----------
        keys : iterable of str, optional
            Cell keys; ``None`` for every row.

        Returns
        -------
        list of dict
            The ``cells`` columns of each stored row (in the store's order, not that of ``keys``),
            with ``"twins"`` the list of its twin rows.
        """
        sql = "SELECT * FROM cells"
        args: list[Any] = []
        out: list[dict[str, Any]] = []
        keys = None if keys is None else list(keys)
        chunks = [None] if keys is None else [keys[i:i + 500] for i in range(0, len(keys), 500)]
        for chunk in chunks:
            q, args = (sql, []) if chunk is None else (sql + f" WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            cur = self.conn.execute(q, args)
            names = [d[0] for d in cur.description]
            out += [dict(zip(names, r)) for r in cur.fetchall()]
        twins: dict[str, list[dict[str, Any]]] = {}
        for r in self.conn.execute("SELECT * FROM twins").fetchall() if out else []:
            twins.setdefault(r[0], []).append(dict(zip(("key", "twin", "statistic", "p_value", "passed", "verdict",
                                                        "error"), r)))
        for r in out:
            r["twins"] = twins.get(r["key"], [])
        return out

    # ------------------------------------------------------------------ writing
    def _ensure_params(self, names: Iterable[str]) -> None:
        for n in names:
            if n not in self.params and _PARAM_COLUMN.match(n):
                self.conn.execute(f'ALTER TABLE cells ADD COLUMN "p_{n}"')
                self.conn.execute(f'UPDATE cells SET "p_{n}" = json_extract(params, ?)', (f"$.{n}",))
                self.params.append(n)

    def add(self, rows: Iterable[Mapping[str, Any]], swept: Iterable[str] = ()) -> int:
        """Write ``rows`` (one transaction); a row replaces a stored one with the same key.

        Parameters
        ----------
        rows : iterable of mapping
            Rows as returned by :func:`validation.sweep.run_cell`.
        swept : iterable of str, default ()
            Swept parameter names: each gets a ``p_<name>`` column (filled for stored rows too).

        Returns
        -------
        int
            The number of rows written.
        """
        rows = list(rows)
        if not rows:
            return 0
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            self._ensure_params(swept)
            pcols = [f'"p_{n}"' for n in self.params]
            cols = list(FIXED_COLUMNS) + pcols
            sql = f"INSERT OR REPLACE INTO cells ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            for r in rows:
                params = json.loads(r["params"])
                vals = [r.get(k) for k in FIXED_COLUMNS] + [_sql_value(params.get(n)) for n in self.params]
                c.execute(sql, vals)
                c.execute("DELETE FROM twins WHERE key = ?", (r["key"],))
                for t in r.get("twins", ()):
                    c.execute("INSERT INTO twins VALUES (?, ?, ?, ?, ?, ?, ?)",
                              (r["key"], t["twin"], t.get("statistic"), t.get("p_value"), t.get("passed"),
                               t.get("verdict"), t.get("error")))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return len(rows)

    def begin(self, task: str, check: str, mode: str, grid: Any, seeds: Any, cells: int, alpha: float | None,
              engine: str) -> int:
        """Record that a sweep (or calibration) starts.

        Parameters
        ----------
        task : {"run", "evaluate"}
            What its cells do.
        check : str
            The check's name (or a description of several).
        mode : str
            ``"quick"`` or ``"full"``.
        grid : object
            The grid, stored as JSON.
        seeds : object
            The seeds, stored as JSON.
        cells : int
            Number of cells.
        alpha : float or None
            The level the cells are judged at.
        engine : str
            Where the cells run (:attr:`validation.engine.Engine.address`).

        Returns
        -------
        int
            The sweep's id, for :meth:`end`.
        """
        cur = self.conn.execute(
            "INSERT INTO sweeps (task, check_name, mode, grid, seeds, cells, alpha, engine, started, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')",
            (task, check, mode, json.dumps(grid, sort_keys=True, default=repr), json.dumps(seeds), cells, alpha,
             engine, _now()))
        return int(cur.lastrowid or 0)

    def end(self, sweep_id: int, status: str) -> None:
        """Record how a sweep ended.

        Parameters
        ----------
        sweep_id : int
            The id returned by :meth:`begin`.
        status : str
            ``"finished"``, ``"interrupted"`` or ``"failed"``.
        """
        self.conn.execute("UPDATE sweeps SET finished = ?, status = ? WHERE id = ?", (_now(), status, sweep_id))

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> "SweepStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def load(store: str) -> Any:
    """Every cell of the store at ``store`` as a pandas DataFrame (one row per cell).

    Columns: those of the ``cells`` table, with ``check_name`` renamed ``check``,
    ``passed`` as booleans, and one column per swept parameter named after it (values
    exactly as validated: tuples for sequences); ``twins`` holds a calibration cell's twin
    verdicts as ``{name: passed}``.

    Parameters
    ----------
    store : str or os.PathLike
        Path of the store.

    Returns
    -------
    pandas.DataFrame
        One row per stored cell.

    Raises
    ------
    FileNotFoundError
        No store at ``store``.
    """
    import pandas as pd

    path = os.path.abspath(os.fspath(store))
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no sweep store at {path}")
    with SweepStore(path) as s:
        rows, params = s.rows(), list(s.params)
    return _frame(rows, params, pd)


def param_column(name: str) -> str:
    """The DataFrame column of a swept parameter.

    Parameters
    ----------
    name : str
        The parameter's name.

    Returns
    -------
    str
        ``name``, or ``p_<name>`` where ``name`` is taken by a fixed column (a parameter called
        ``seed`` or ``kind``).
    """
    taken = {("check" if c == "check_name" else c) for c in FIXED_COLUMNS} | {"twins"}
    return f"p_{name}" if name in taken else name


def _frame(rows: list[dict[str, Any]], params: list[str], pd: Any) -> Any:
    def tup(x: Any) -> Any:
        return tuple(tup(y) for y in x) if isinstance(x, list) else x

    pcols = {f"p_{n}" for n in params}
    recs = []
    for r in rows:
        d = {("check" if k == "check_name" else k): x for k, x in r.items() if k not in pcols}
        d["passed"] = bool(d["passed"])
        d["twins"] = {t["twin"]: bool(t["passed"]) if t["error"] is None else None for t in r["twins"]}
        p = json.loads(r["params"])
        for n in params:
            d[param_column(n)] = tup(p.get(n))
        recs.append(d)
    cols = [("check" if c == "check_name" else c) for c in FIXED_COLUMNS] + ["twins"]
    cols += [param_column(n) for n in params]
    return pd.DataFrame.from_records(recs, columns=cols)
