"""Database connection: SQLite (WAL) by default, PostgreSQL when DATABASE_URL says so.

Every module uses the one `database` proxy; `open_database(url)` binds it. Write transactions go
through `write_transaction()`, which on SQLite takes the write lock up front (BEGIN IMMEDIATE) so
two kiosks writing at once wait for each other instead of failing with "database is locked".
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
import weakref
from contextlib import contextmanager
from urllib.parse import urlparse

from peewee import DatabaseProxy, OperationalError, PostgresqlDatabase, SqliteDatabase, _savepoint
from playhouse.db_url import parse as parse_db_url
from playhouse.pool import PooledPostgresqlDatabase

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
        return PostgresPool(**parse_db_url(url.replace("postgres://", "postgresql://", 1)),
                            max_connections=int(os.environ.get("KIOSK_DB_POOL", "16")), stale_timeout=300,
                            timeout=30)
    raise ValueError(f"unsupported DATABASE_URL {url!r}: use sqlite:///path or postgresql://...")


class PostgresPool(PooledPostgresqlDatabase):
    """playhouse's pool, without a round trip on every check-out for a connection that was just in use.

    peewee 4's pool checks each connection it hands out with `SELECT 1`, under the pool's one lock: every
    request of a process then waits for a round trip of every other. A connection returned less than
    PING_AFTER seconds ago is checked locally (closed? in a transaction? - as the check-in does);
    one idle for longer is still asked, so a restarted server costs no request an error.
    """

    PING_AFTER = 10.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._returned: dict = {}  # connection key -> when it came back to the pool

    def _is_closed(self, conn):
        returned = self._returned.pop(self.conn_key(conn), None)
        if returned is None or time.monotonic() - returned > self.PING_AFTER or conn.closed:
            return super()._is_closed(conn)
        return not self._can_reuse(conn)  # the local status: lost (unknown) or rolled back if left open

    def _close(self, conn, close_conn=False):
        super()._close(conn, close_conn)
        if not close_conn:
            self._returned[self.conn_key(conn)] = time.monotonic()


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

    __slots__ = ("fn", "rerunnable", "done", "value", "error")

    def __init__(self, fn, rerunnable: bool = False):
        self.fn, self.rerunnable, self.done, self.value, self.error = fn, rerunnable, False, None, None

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


_lock_file: dict = {}  # the open lock file: {"key": (process id, database file), "fd": ...}, one at a time


@contextmanager
def _between_processes():
    """SQLite, several server processes on one file: their writers take turns on a lock file beside it
    (`<file>-writer`, flock), so a process waiting for another's commit wakes the moment it ends. Without
    it they meet SQLite's file lock, whose busy handler waits by sleeping (1, 2, 5 ... 100 ms) and turns
    each collision into milliseconds lost. Held only around BEGIN IMMEDIATE ... COMMIT; a writer that
    does not take it (a command, a migration) still meets SQLite's own lock, as before. The lock file
    is opened after the fork, once per process: a lock on a file opened before it would be shared."""
    path = database.obj.database
    if not path or path == ":memory:" or path.startswith("file:"):
        yield
        return
    key = (os.getpid(), path)
    if _lock_file.get("key") != key:  # first write, a fork, or another database (tests): not kept open
        old = _lock_file.get("fd")
        if old is not None and _lock_file["key"][0] == key[0]:
            os.close(old)  # the previous database's (this process never writes to two at once)
        _lock_file.update(key=key, fd=os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
    fd = _lock_file["fd"]
    fcntl.flock(fd, fcntl.LOCK_EX)  # waits without the GIL
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def write_transaction():
    """A transaction that holds the write lock from its start (SQLite: BEGIN IMMEDIATE).

    On SQLite the threads of one process also queue in memory first: SQLite's busy handler waits by
    sleeping (1, 2, 5 ... 100 ms), which turns a short queue into a long one; the writers of other
    server processes on the same file take turns with this one on a lock file (`_between_processes`).
    The scan path uses `write()`, which commits many waiting writers at once; this block takes its turn
    in the same queue, alone.
    """
    if _is_sqlite() and database.transaction_depth() == 0:
        with _writer.turn:
            while _writer.busy:
                _writer.turn.wait()
            _writer.busy = True
        try:
            with _between_processes(), database.atomic():
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


def write(fn, rerunnable: bool = False):
    """Run `fn()` in a write transaction and return its result (or raise what it raised).

    SQLite (group commit): each process has one writer at a time. Whoever finds the writer free
    takes every call waiting at that moment into ONE transaction, each `fn` in its own savepoint (one
    that raises is rolled back alone and its caller gets its own exception), commits once, and only
    then answers them all: one fsync (synchronous=FULL) for the lot, and no caller hears of success
    before its work is on disk. `fn` runs on the committing thread, so it must not rely on
    thread-local state other than the database connection. Inside a transaction, or on PostgreSQL,
    `fn` simply runs in a transaction of its own (a savepoint when nested).

    `rerunnable`: `fn` changes nothing but the database (and what it registers to run after the commit),
    so it may run again after a rollback. A batch of only such calls first runs without savepoints, the
    way one caller's work would; if any of them raises, that transaction is rolled back and the batch runs
    again, each in its own savepoint, as above. A scan is rerunnable; a desk action may not be.
    """
    if not _is_sqlite() or database.transaction_depth() > 0:
        with database.atomic():
            return fn()
    work = _Work(fn, rerunnable)
    with _writer.turn:
        _writer.waiting.append(work)
        while _writer.busy and not work.done:
            _writer.turn.wait()
        if work.done:
            return work.result()
        _writer.busy = True
        batch, _writer.waiting = _writer.waiting, []
    try:
        with _between_processes():
            _commit_together(batch)
    finally:
        _release_writer()
    return work.result()


def _commit_together(batch: list[_Work]) -> None:
    state = database.obj._state
    if len(batch) > 1 and all(work.rerunnable for work in batch):
        # Together without savepoints: two statements fewer a scan inside the plant's one write lock.
        ran = 0
        try:
            with database.atomic():  # BEGIN IMMEDIATE ... COMMIT
                for work in batch:
                    work.value = work.fn()
                    ran += 1
        except BaseException as error:  # rolled back: what they announced did not happen
            del state.commit_callbacks[:]
            _writer.batches += 1
            for work in batch:
                work.value = None
            if ran == len(batch) or not isinstance(error, Exception):
                # the commit failed, or the process is stopping: running them again is no answer
                for work in batch:
                    work.error, work.done = error, True
                return
            # one of them raised: again, each in its own savepoint (below)
        else:
            _writer.batches += 1
            for work in batch:
                work.done = True
            return
    try:
        with database.atomic():  # BEGIN IMMEDIATE
            if len(batch) == 1:
                batch[0].value = batch[0].fn()  # alone: the transaction is its savepoint
            else:
                for work in batch:
                    callbacks = len(state.commit_callbacks)
                    try:
                        # One name for every scan's savepoint (each is released before the next): the same
                        # statement text each time, prepared once, where peewee names each anew.
                        with _savepoint(database.obj, "kiosk_work"):
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
    cursor = compiled_cursor(entry, **values)
    if hasattr(query, "_get_cursor_wrapper") and sql.lstrip().upper().startswith("SELECT"):
        return _rows(sql, query._get_cursor_wrapper(cursor))  # peewee's own row hydration, same shapes
    return cursor


def compiled_cursor(entry, **values):
    """Execute a compiled query and return the driver's cursor: plain tuples, no models (a few values)."""
    _query, sql, order = entry
    params = [values[name] for name in order]
    return _execute_prepared(sql, params) if is_postgres() else database.execute_sql(sql, params)


# PostgreSQL: a compiled query is prepared once on each connection (PREPARE), then run by name (EXECUTE), so
# the server parses and plans it once instead of on every scan: for a scan's dozen small statements, parsing
# and planning cost PostgreSQL more CPU than running them. (SQLite's driver keeps its own statement cache.)
_statements: dict = {}  # SQL -> (name, body with $1..$n), or None when it is run as it is
_prepared_on: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection -> names prepared on it
_prepared_lock = threading.Lock()


def _statement(sql: str):
    if sql not in _statements:
        parts = sql.split("%s")
        plain = all("%" not in part and "$" not in part for part in parts)
        with _prepared_lock:
            name = f"kiosk_q{len(_statements)}"
            _statements[sql] = (name, "".join(
                part + (f"${i + 1}" if i < len(parts) - 1 else "") for i, part in enumerate(parts))) if plain else None
    return _statements[sql]


def unprepared(sql: str) -> str:
    """The SQL an `EXECUTE kiosk_q..` runs (for tests and logs that look at statements), other SQL as it is."""
    if sql.startswith("EXECUTE kiosk_q"):
        name = sql.split()[1]
        for original, statement in list(_statements.items()):
            if statement is not None and statement[0] == name:
                return original
    return sql


def _execute_prepared(sql: str, params: list):
    statement = _statement(sql)
    if statement is None:
        return database.execute_sql(sql, params)
    name, body = statement
    conn = database.connection()
    with _prepared_lock:
        names = _prepared_on.setdefault(conn, set())
    if name not in names:  # a connection serves one thread at a time: no one else prepares on it meanwhile
        if not _prepare(conn, name, body):
            with _prepared_lock:
                _statements[sql] = None  # PostgreSQL will not prepare it (a parameter of no known type): as it is
            return database.execute_sql(sql, params)
        names.add(name)
    run = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
    return database.execute_sql(run, params)


def _prepare(conn, name: str, body: str) -> bool:
    """PREPARE on this connection; inside a transaction in a savepoint of its own, so a refusal leaves the
    transaction as it was. A prepared statement outlives a rollback: it belongs to the connection."""
    from psycopg2 import Error
    from psycopg2.extensions import TRANSACTION_STATUS_IDLE

    cursor = conn.cursor()
    inside = conn.get_transaction_status() != TRANSACTION_STATUS_IDLE
    try:
        if inside:
            cursor.execute("SAVEPOINT kiosk_prepare")
        cursor.execute(f"PREPARE {name} AS {body}")
    except Error:
        if inside:
            cursor.execute("ROLLBACK TO SAVEPOINT kiosk_prepare")
            cursor.execute("RELEASE SAVEPOINT kiosk_prepare")
        return False
    if inside:
        cursor.execute("RELEASE SAVEPOINT kiosk_prepare")
    return True


_row_plans: dict = {}


def _rows(sql: str, wrapper) -> list:
    """All rows, with peewee's plan for turning columns into models worked out once per query.

    peewee works out which column goes to which model on every cursor (for a join, longer than
    the query takes); the same SQL always gets the same columns, so the plan is kept and reused.
    With the plan known, rows are built by `_Hydrator` (the same models peewee would build, values
    written straight into each model's data) when the query's columns allow it.
    """
    key = (sql, type(wrapper), getattr(wrapper, "model", None))
    plan = _row_plans.get(key)
    if plan is not None:
        hydrator = plan.get("_kiosk_hydrator")
        if hydrator is not None:
            return hydrator.rows(wrapper.cursor.fetchall())
        wrapper.__dict__.update(plan)
        wrapper.initialized = True
        return list(wrapper)
    before = set(vars(wrapper))
    rows = list(wrapper)
    if wrapper.initialized:  # at least one row came back: the plan exists now
        plan = {name: value for name, value in vars(wrapper).items() if name not in before}
        plan["_kiosk_hydrator"] = _Hydrator.for_wrapper(wrapper)
        _row_plans[key] = plan
    return rows


def _data_name(model, attribute: str) -> str | None:
    """The key of `model.__data__` that peewee's setattr(instance, attribute, value) writes for a value
    fresh from the database, or None when that setattr does anything more (then peewee builds the rows)."""
    from peewee import FieldAccessor, ForeignKeyAccessor, ObjectIdAccessor

    for klass in model.__mro__:
        if attribute in klass.__dict__:
            accessor = klass.__dict__[attribute]
            break
    else:
        return None
    if type(accessor) in (FieldAccessor, ForeignKeyAccessor):
        return accessor.name  # a new instance has no related object cached yet: a plain write
    if type(accessor) is ObjectIdAccessor:
        return accessor.field.name  # order_line_id -> order_line
    return None


def _kept_type(converter):
    """The type of database value `converter` (a field's python_value) returns as it is, None to call it
    always: text fields keep a str, integer fields and keys to integer ids an int (and None stays None)."""
    from peewee import AutoField, CharField, Field, ForeignKeyField, IntegerField, TextField

    field = getattr(converter, "__self__", None)
    if type(field) is ForeignKeyField:  # its python_value hands the value to the field it points at
        field = field.rel_field
    if not isinstance(field, Field) or type(field).python_value is not Field.python_value:
        return None
    if type(field) in (CharField, TextField) and type(field).adapt in (CharField.adapt, TextField.adapt):
        return str
    if type(field) in (IntegerField, AutoField) and type(field).adapt is IntegerField.adapt:
        return int
    return None


class _Hydrator:
    """Builds the models of one compiled SELECT the way peewee's cursor wrapper does (same classes, same
    data, same joined instances, nothing dirty), without going through each field's descriptor.

    peewee's row loop costs more than the query on a scan's few small SELECTs. Only queries whose every
    column is a plain field get one; anything else stays with peewee.
    """

    def __init__(self, models: dict, columns: list, joins: list, root):
        self.models = models  # key -> model class
        # (index, key, data name, converter, the type the converter gives back unchanged or None)
        self.columns = [(*column, _kept_type(column[3])) for column in columns]
        self.joins = joins  # peewee's src_to_dest for a join, [] for one model
        self.root = root
        self.reachable: dict = {}
        self.extras: list = []  # (index, key, attribute) of computed columns, kept as plain attributes

    @classmethod
    def for_wrapper(cls, wrapper):
        from peewee import ModelCursorWrapper, ModelObjectCursorWrapper, is_model

        if type(wrapper) is ModelObjectCursorWrapper:
            if not wrapper.is_model or len(set(wrapper.unique_columns)) != len(wrapper.unique_columns):
                return None
            model = wrapper.constructor
            columns = []
            for index, attribute in enumerate(wrapper.unique_columns):
                name = _data_name(model, attribute)
                if name is None:
                    return None
                columns.append((index, model, name, wrapper.converters[index]))
            if len({name for _i, _k, name, _c in columns}) != len(columns):
                return None  # two columns write one value: the order peewee writes them in matters
            return cls({model: model}, columns, [], model)
        if type(wrapper) is ModelCursorWrapper:
            if not all(made for _key, _ctor, made in wrapper._constructor_list):
                return None
            if any(not is_model(ctor) for _key, ctor, _made in wrapper._constructor_list):
                return None
            models = {key: ctor for key, ctor, _made in wrapper._constructor_list}
            columns, extras = [], []
            for index, key, attribute, converter in wrapper._row_spec:
                model = models.get(key, models[wrapper.model])
                name = _data_name(model, attribute)
                if name is None and converter is None and not any(attribute in k.__dict__ for k in model.__mro__):
                    # a computed column (`.alias("x")`): peewee's setattr makes it a plain attribute
                    extras.append((index, key if key in models else wrapper.model, attribute))
                    continue
                if name is None:
                    return None
                columns.append((index, key if key in models else wrapper.model, name, converter))
            if len({(key, name) for _i, key, name, _c in columns}) != len(columns):
                return None
            if any(is_dict for _s, _a, _d, is_dict, _o, _f in wrapper.src_to_dest):
                return None
            made = cls(models, columns, list(wrapper.src_to_dest), wrapper.model)
            made.reachable, made.extras = dict(wrapper._dest_reachable), extras
            return made
        return None

    def rows(self, fetched: list) -> list:
        return [self.row(values) for values in fetched]

    def row(self, values):
        objects = {}
        for key, model in self.models.items():
            instance = model.__new__(model)
            instance.__data__, instance._dirty, instance.__rel__ = {}, set(), {}
            objects[key] = instance
        set_keys = set()
        for index, key, name, converter, kept in self.columns:
            value = values[index]
            if value is not None:
                set_keys.add(key)
                if converter is not None and type(value) is not kept:
                    value = converter(value)
            elif converter is not None and kept is None:
                value = converter(value)
            objects[key].__data__[name] = value
        for index, key, attribute in self.extras:
            value = values[index]
            if value is not None:
                set_keys.add(key)
            objects[key].__dict__[attribute] = value
        for src, attribute, dest, _is_dict, is_outer, is_fk in self.joins:  # as peewee's process_row
            instance, joined = objects.get(src), objects.get(dest)
            if joined is None and dest not in objects:
                continue
            assign = dest not in set_keys and dest in self.reachable and bool(self.reachable[dest] & set_keys)
            if dest not in set_keys and not assign:
                if not is_outer:
                    continue
                joined = None
            if src not in set_keys and dest not in set_keys and is_outer:
                continue
            if is_fk and joined is None:
                instance.__rel__[attribute] = None
            else:
                setattr(instance, attribute, joined)
        for instance in objects.values():
            instance._dirty.clear()
        return objects[self.root]


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
