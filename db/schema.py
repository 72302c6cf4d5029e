"""Versioned schema: `migrate()` brings any earlier database up to the current version in place.

Each migration is a function of the database, applied in its own transaction and recorded in
`schema_version`. Add a new function to MIGRATIONS for every change; never edit a released one.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import Database, PostgresqlDatabase

from db import models

Migration = Callable[[Database], None]


def _v1_initial(database: Database) -> None:
    database.create_tables(models.ALL_MODELS, safe=True)


def _v3_print_confirmation(database: Database) -> None:
    """Print jobs confirmed by the printer, reprint reasons, voided labels, printer offline since."""
    for model, names in ((models.Printer, ("offline_since",)),
                         (models.PrintJob, ("reprint_of", "reason", "requested_by", "checked_by", "checked_at"))):
        _add_missing_columns(database, model, names)
    database.create_tables([models.LabelVoid], safe=True)
    if isinstance(database, PostgresqlDatabase):
        table = models.PrintJob._meta.table_name
        database.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "status" TYPE VARCHAR(16)')
    # "sent" meant the TCP stack took the bytes: sent, not confirmed.
    models.PrintJob.update(status="unconfirmed").where(models.PrintJob.status == "sent").execute()


def _add_missing_columns(database: Database, model, names: tuple[str, ...]) -> None:
    from playhouse.migrate import SchemaMigrator
    from playhouse.migrate import migrate as run

    table = model._meta.table_name
    present = {column.name for column in database.get_columns(table)}
    migrator = SchemaMigrator.from_database(database)
    run(*(migrator.add_column(table, model._meta.fields[name].column_name, model._meta.fields[name])
          for name in names if model._meta.fields[name].column_name not in present))


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "initial schema", _v1_initial),
    (3, "print confirmation, reprint reasons, voided labels", _v3_print_confirmation),
]

CURRENT_VERSION = MIGRATIONS[-1][0]


def _serialise_migrations(database: Database) -> None:
    """SQLite's BEGIN IMMEDIATE already excludes other writers; PostgreSQL needs a lock of its own."""
    if isinstance(database, PostgresqlDatabase):
        database.execute_sql("SELECT pg_advisory_xact_lock(7312001)")


def current_version(database: Database) -> int:
    if not database.table_exists(models.SchemaVersion._meta.table_name):
        return 0
    row = models.SchemaVersion.select().order_by(models.SchemaVersion.version.desc()).first()
    return row.version if row else 0


def migrate(database: Database, target: int | None = None) -> list[int]:
    """Apply every migration above the database's version (up to `target`); return those applied."""
    target = CURRENT_VERSION if target is None else target
    with database.bind_ctx([models.SchemaVersion, *models.ALL_MODELS], bind_refs=False, bind_backrefs=False):
        return _migrate(database, target)


def _migrate(database: Database, target: int) -> list[int]:
    with database.atomic():
        database.create_tables([models.SchemaVersion], safe=True)
    applied = []
    for version, _title, step in MIGRATIONS:
        if version > target:
            break
        with database.atomic():
            # Re-read inside the write transaction: two processes starting together apply it once.
            _serialise_migrations(database)
            # Recorded, not "below the highest": migrations land in any order, so a database may hold
            # v3 before v2 exists; each one is idempotent.
            if models.SchemaVersion.select().where(models.SchemaVersion.version == version).exists():
                continue
            step(database)
            models.SchemaVersion.create(version=version)
        applied.append(version)
    return applied
