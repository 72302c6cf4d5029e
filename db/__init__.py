"""Database connection: SQLite (WAL) by default, PostgreSQL when DATABASE_URL says so.

Every module uses the one `database` proxy; `open_database(url)` binds it. Write transactions go
through `write_transaction()`, which on SQLite takes the write lock up front (BEGIN IMMEDIATE) so
two kiosks writing at once wait for each other instead of failing with "database is locked".
"""

from __future__ import annotations

import os
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
        return url_connect(url)
    raise ValueError(f"unsupported DATABASE_URL {url!r}: use sqlite:///path or postgresql://...")


def open_database(url: str):
    """Bind the shared proxy to the database at `url` and return it."""
    db = make_database(url)
    database.initialize(db)
    return db


def is_postgres() -> bool:
    return isinstance(database.obj, PostgresqlDatabase)


def write_transaction():
    """A transaction that holds the write lock from its start (SQLite: BEGIN IMMEDIATE)."""
    return database.atomic()
