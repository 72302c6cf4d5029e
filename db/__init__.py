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

from peewee import DatabaseProxy, OperationalError, PostgresqlDatabase, SqliteDatabase
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


class _Work:
    """One caller's part of a group commit: what to run, and what came of it."""

    __slots__ = ("fn", "done", "value", "error")

    def __init__(self, fn):
        self.fn, self.done, self.value, self.error = fn, False, None, None

    def result(self):
        if self.error is not None:
            raise self.error
        return self.value


class _Writer:
    """The one writer of this process on SQLite: who holds the write transaction, who waits for it."""

    def __init__(self):
        self.turn = threading.Condition()
        self.busy = False
        self.waiting: list[_Work] = []
        self.batches = 0  # transactions committed or failed for queued work (tests and benches read it)


_writer = _Writer()


def _is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


@contextmanager
def write_transaction():
    """A transaction that holds the write lock from its start (SQLite: BEGIN IMMEDIATE).

    On SQLite the threads of one process also queue in memory first: SQLite's busy handler waits by
    sleeping (1, 2, 5 ... 100 ms), which turns a short queue into a long one. Other processes still
    meet the file lock and its busy timeout. The scan path uses `write()`, which commits many
    waiting writers at once; this block takes its turn in the same queue, alone.
    """
    if _is_sqlite() and database.transaction_depth() == 0:
        with _writer.turn:
            while _writer.busy:
                _writer.turn.wait()
            _writer.busy = True
        try:
            with database.atomic():
                yield
        finally:
            _release_writer()
    else:
        with database.atomic():
            yield


def _release_writer() -> None:
    with _writer.turn:
        _writer.busy = False
        _writer.turn.notify_all()


def write(fn):
    """Run `fn()` in a write transaction and return its result (or raise what it raised).

    SQLite (group commit): each process has one writer at a time. Whoever finds the writer free
    takes every call waiting at that moment into ONE transaction, each `fn` in its own savepoint (one
    that raises is rolled back alone and its caller gets its own exception), commits once, and only
    then answers them all: one fsync (synchronous=FULL) for the lot, and no caller hears of success
    before its work is on disk. `fn` runs on the committing thread, so it must not rely on
    thread-local state other than the database connection. Inside a transaction, or on PostgreSQL,
    `fn` simply runs in a transaction of its own (a savepoint when nested).
    """
    if not _is_sqlite() or database.transaction_depth() > 0:
        with database.atomic():
            return fn()
    work = _Work(fn)
    with _writer.turn:
        _writer.waiting.append(work)
        while _writer.busy and not work.done:
            _writer.turn.wait()
        if work.done:
            return work.result()
        _writer.busy = True
        batch, _writer.waiting = _writer.waiting, []
    try:
        _commit_together(batch)
    finally:
        _release_writer()
    return work.result()


def _commit_together(batch: list[_Work]) -> None:
    state = database.obj._state
    try:
        with database.atomic():  # BEGIN IMMEDIATE
            if len(batch) == 1:
                batch[0].value = batch[0].fn()  # alone: the transaction is its savepoint
            else:
                for work in batch:
                    callbacks = len(state.commit_callbacks)
                    try:
                        with database.atomic():  # SAVEPOINT
                            work.value = work.fn()
                    except Exception as error:  # noqa: BLE001 - handed to its own caller
                        work.error, work.value = error, None
                        del state.commit_callbacks[callbacks:]  # what it announced did not happen
                        if not database.obj.connection().in_transaction:
                            # SQLite ended the whole transaction (e.g. disk full): none of it stands.
                            raise OperationalError("the batch's transaction was rolled back") from error
        # Committed (and synced): now, and only now, the answers go out.
    except BaseException as error:
        # BEGIN or COMMIT failed, or a single caller's work raised: nothing of this batch stands.
        for work in batch:
            if work.error is None:
                work.error, work.value = error, None
    finally:
        _writer.batches += 1
        for work in batch:
            work.done = True


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
        return _rows(sql, query._get_cursor_wrapper(cursor))  # peewee's own row hydration, same shapes
    return cursor


_row_plans: dict = {}


def _rows(sql: str, wrapper) -> list:
    """All rows, with peewee's plan for turning columns into models worked out once per query.

    peewee works out which column goes to which model on every cursor (for a join, longer than
    the query takes); the same SQL always gets the same columns, so the plan is kept and reused.
    """
    key = (sql, type(wrapper), getattr(wrapper, "model", None))
    plan = _row_plans.get(key)
    if plan is not None:
        wrapper.__dict__.update(plan)
        wrapper.initialized = True
        return list(wrapper)
    before = set(vars(wrapper))
    rows = list(wrapper)
    if wrapper.initialized:  # at least one row came back: the plan exists now
        _row_plans[key] = {name: value for name, value in vars(wrapper).items() if name not in before}
    return rows


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
