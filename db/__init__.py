"""Database connection: SQLite (WAL) by default, PostgreSQL when DATABASE_URL says so.

Every module uses the one `database` proxy; `open_database(url)` binds it. Write transactions go
through `write_transaction()`, which on SQLite takes the write lock up front (BEGIN IMMEDIATE) so
two kiosks writing at once wait for each other instead of failing with "database is locked".
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from urllib.parse import urlparse

from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect as url_connect

database = DatabaseProxy()

# Pragmas from peewee's SQLite recommendations. synchronous=FULL: in WAL mode NORMAL may lose the
# last commits on power failure, and a worker who saw green must be able to trust the scan.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "full",
    "cache_size": -32_000,
}


def sqlite_path_from_url(url: str) -> str | None:
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        return None
    return url[len("sqlite:///") :] if url.startswith("sqlite:///") else parsed.path


def make_database(url: str):
    """A peewee Database for `url` (sqlite:///path or postgresql://...), not yet bound."""
    path = sqlite_path_from_url(url)
    if path is not None:
        if path not in ("", ":memory:"):
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return SqliteDatabase(
            path or ":memory:",
            pragmas=SQLITE_PRAGMAS,
            check_same_thread=False,
            timeout=10,
            lock_type="IMMEDIATE",
        )
    if url.startswith(("postgres://", "postgresql://")):
        # A pool: many threads per server process share a few connections (PostgreSQL's own limit
        # is about 100 for the whole plant).
        return url_connect(url.replace("postgres://", "postgresql+pool://", 1)
                           .replace("postgresql://", "postgresql+pool://", 1),
                           max_connections=int(os.environ.get("KIOSK_DB_POOL", "16")), stale_timeout=300,
                           timeout=30)
    raise ValueError(f"unsupported DATABASE_URL {url!r}: use sqlite:///path or postgresql://...")


def open_database(url: str):
    """Bind the shared proxy to the database at `url` and return it."""
    db = make_database(url)
    database.initialize(db)
    return db


def keeps_connections(database) -> bool:
    """SQLite: each thread keeps its connection (opening one runs the pragmas). Pools: return it."""
    return isinstance(database, SqliteDatabase)


def is_postgres() -> bool:
    return isinstance(database.obj, PostgresqlDatabase)


_sqlite_writer = threading.Lock()


@contextmanager
def write_transaction():
    """A transaction that holds the write lock from its start (SQLite: BEGIN IMMEDIATE).

    On SQLite the threads of one process also queue on a lock of their own first: SQLite's busy
    handler waits by sleeping (1, 2, 5 ... 100 ms), which turns a short queue into a long one.
    Other processes still meet the file lock and its busy timeout.
    """
    if isinstance(database.obj, SqliteDatabase) and database.transaction_depth() == 0:
        with _sqlite_writer, database.atomic():
            yield
    else:
        with database.atomic():
            yield


_compiled: dict = {}


def compiled(key: str, build):
    """A peewee query built once and reused with new parameters.

    peewee spends longer turning a query into SQL than SQLite spends running it, and a scan runs
    the same few queries every time. `build(param)` must use `param(name)` for each value; the
    result runs as `run(query, **values)`.
    """
    cache_key = (key, type(database.obj))
    entry = _compiled.get(cache_key)
    if entry is None:
        names: list[str] = []

        def param(name: str):
            names.append(name)
            return f"\x00{name}\x00"

        query = build(param)
        sql, params = query.sql()
        order = [p[1:-1] if isinstance(p, str) and p.startswith("\x00") else None for p in params]
        if any(o is None for o in order):
            raise ValueError(f"compiled query {key!r} has a literal parameter; pass it through param()")
        entry = _compiled[cache_key] = (query, sql, order)
    return entry


def run_compiled(entry, **values):
    """Execute a compiled query; SELECTs return peewee's rows (models, with joined models)."""
    query, sql, order = entry
    cursor = database.execute_sql(sql, [values[name] for name in order])
    if hasattr(query, "_get_cursor_wrapper") and sql.lstrip().upper().startswith("SELECT"):
        return list(query._get_cursor_wrapper(cursor))  # peewee's own row hydration, same shapes
    return cursor


def in_ids(field, ids):
    """`field IN ids` for long id lists as one parameter: SQLite's json_each, PostgreSQL's ANY(array).

    Boards ask about thousands of orders at once; peewee spends longer turning thousands of
    parameters into SQL than the database spends answering.
    """
    import json

    from peewee import SQL, Node, Value, fn

    if isinstance(ids, Node):  # a subquery: the database joins it itself
        return field.in_(ids)
    ids = [int(i) for i in ids]
    if len(ids) < 64:
        return field.in_(ids)
    if is_postgres():
        return field == fn.ANY(Value(ids, unpack=False))
    return field.in_(SQL("(SELECT value FROM json_each(?))", [json.dumps(ids)]))
