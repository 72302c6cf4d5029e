"""Versioned schema: `migrate()` brings any earlier database up to the current version in place.

Each migration is a function of the database, applied in its own transaction and recorded in
`schema_version`. Add a new function to MIGRATIONS for every change; never edit a released one.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import Database, PostgresqlDatabase

from db import board_counts, models

Migration = Callable[[Database], None]


def _v1_initial(database: Database) -> None:
    database.create_tables(models.ALL_MODELS, safe=True)


def _add_column(database: Database, table: str, column: str, ddl: str) -> None:
    """ALTER TABLE ... ADD COLUMN, only when the column is missing (migrations land in any order)."""
    if column not in {c.name for c in database.get_columns(table)}:
        database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {ddl}')


def _v4_hardening(database: Database) -> None:
    """Issue 15: a supervisor's approval badge and PIN, a per-user session generation, and who asked to
    pair a device (pending pairings are capped per address)."""
    _add_column(database, "user", "badge", "VARCHAR(16)")
    _add_column(database, "user", "pin_hash", "VARCHAR(256) NOT NULL DEFAULT ''")
    _add_column(database, "user", "session_gen", "INTEGER NOT NULL DEFAULT 0")
    _add_column(database, "device", "address", "VARCHAR(64) NOT NULL DEFAULT ''")
    database.execute_sql('CREATE UNIQUE INDEX IF NOT EXISTS "user_badge" ON "user" ("badge")')


def _v5_piece_pay(database: Database) -> None:
    """Piece pay (rates, crews, settled periods, adjustments) and the order's fabric or finish."""
    database.create_tables([models.PayRate, models.Crew, models.CrewMember, models.PassShare, models.PayPeriod,
                            models.PayAdjustment], safe=True)
    if database.table_exists("scan_event"):
        for columns in (("worker_id", "at"), ("action", "at")):  # a worker's day, failures of a day (kiosk/pay)
            database.execute_sql(f'CREATE INDEX IF NOT EXISTS "scan_event_{"_".join(columns)}" ON "scan_event" '
                                 f'({", ".join(columns)})')
    for table in ("product", "order_line"):
        if database.table_exists(table):
            _add_column(database, table, "finish", "VARCHAR(64) NOT NULL DEFAULT ''")


def _v7_andon_alerts_plan(database: Database) -> None:
    """Andon calls, alert channels, rules, their states and deliveries, and station plans (issue 19)."""
    database.create_tables([models.AndonCall, models.AlertChannel, models.AlertRule, models.AlertState,
                            models.AlertDelivery, models.StationPlan], safe=True)
    if database.table_exists("order_delay"):  # clerks record delay reasons, supervisors clear them
        _add_column(database, "order_delay", "cleared_at", "TIMESTAMP")
        _add_column(database, "order_delay", "cleared_by", "VARCHAR(32) NOT NULL DEFAULT ''")


def _v8_board_counts(database: Database) -> None:
    """Issue 18: the order board's figures kept per order and station, filled from the job cards and
    cartons an existing plant already has (db/board_counts.py)."""
    database.create_tables([models.BoardCount], safe=True)
    if all(database.table_exists(t) for t in ("order", "order_line", "job_card", "carton", "route_step", "station")):
        board_counts.fill_every_order(database)


def _v9_pay_ledger(database: Database) -> None:
    """Piece pay kept as scans arrive (issue 17). A database that already holds pay scans is filled from its
    log by kiosk/pay/ledger.py (at start-up, or before the first pay figure is read); db/ knows no pay rule."""
    database.create_tables([models.PayLedger, models.PayDeduction, models.PayLedgerFill], safe=True)
    if models.PayLedgerFill.select().exists():
        return
    pay_actions = ("pass", "qc_pass", "qc_fail", "qc_scrap", "pack", "store", "load", "send_back", "scrap")
    log = models.ScanEvent._meta.table_name
    if not database.table_exists(log) or not models.ScanEvent.select().where(
            models.ScanEvent.action.in_(pay_actions)).exists():
        models.PayLedgerFill.create()  # nothing to fill: kept from the first scan on


def _v10_order_contact(database: Database) -> None:
    """Issue 14: the order's own receiving contact and phone (收货联系人), printed on its delivery note."""
    if database.table_exists("order"):
        _add_column(database, "order", "contact", "VARCHAR(64) NOT NULL DEFAULT ''")
        _add_column(database, "order", "phone", "VARCHAR(32) NOT NULL DEFAULT ''")


def _v11_shared_limits(database: Database) -> None:
    """Issue 15: sign-in throttles and stream slots in the database, so every server process (gunicorn
    workers, several servers on PostgreSQL) counts the same tries and the same open streams."""
    database.create_tables([models.ThrottleCount, models.StreamSlot], safe=True)


PAY_SETTINGS_TABLES = ("pay_rate", "pay_period")  # what kiosk/pay/ledger.settings keeps in memory


def _v12_pay_settings_version(database: Database) -> None:
    """Issue 18: a change counter for the pay rates and approved periods, kept by the database itself
    (triggers: every writer, any path, PostgreSQL's TRUNCATE too), so a scan asks one number instead of
    reading every rate and period."""
    import secrets

    database.create_tables([models.PaySettings], safe=True)
    if not models.PaySettings.select().exists():
        models.PaySettings.create(epoch=secrets.token_hex(16))
    tables = [table for table in PAY_SETTINGS_TABLES if database.table_exists(table)]
    if isinstance(database, PostgresqlDatabase):
        database.execute_sql(
            "CREATE OR REPLACE FUNCTION kiosk_pay_settings_changed() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN UPDATE pay_settings SET version = version + 1; RETURN NULL; END $$")
        for table in tables:
            database.execute_sql(
                f'CREATE OR REPLACE TRIGGER "{table}_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON '
                f'"{table}" FOR EACH STATEMENT EXECUTE FUNCTION kiosk_pay_settings_changed()')
        return
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            database.execute_sql(
                f'CREATE TRIGGER IF NOT EXISTS "{table}_{event.lower()}_changed" AFTER {event} ON "{table}" '
                "BEGIN UPDATE pay_settings SET version = version + 1; END")


def _v3_print_confirmation(database: Database) -> None:
    """Print jobs confirmed by the printer, reprint reasons, voided labels, printer offline since."""
    for model, names in ((models.Printer, ("offline_since",)),
                         (models.PrintJob, ("reprint_of", "reason", "requested_by", "checked_by", "checked_at"))):
        if database.table_exists(model._meta.table_name):
            _add_missing_columns(database, model, names)
    if database.table_exists(models.Carton._meta.table_name):
        database.create_tables([models.LabelVoid], safe=True)
    table = models.PrintJob._meta.table_name
    if not database.table_exists(table):
        return
    if isinstance(database, PostgresqlDatabase):
        database.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "status" TYPE VARCHAR(16)')
    # "sent" meant the TCP stack took the bytes: sent, not confirmed.
    database.execute_sql(f"UPDATE \"{table}\" SET status = 'unconfirmed' WHERE status = 'sent'")


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
    (4, "approval badges and PINs, session generations, pairing addresses", _v4_hardening),
    (5, "piece pay and the order's finish", _v5_piece_pay),
    (7, "andon calls, alerts and station plans", _v7_andon_alerts_plan),
    (8, "board figures kept per order and station", _v8_board_counts),
    (9, "piece pay ledger kept with the scans", _v9_pay_ledger),
    (10, "the order's receiving contact and phone", _v10_order_contact),
    (11, "sign-in throttles and stream slots shared by every server process", _v11_shared_limits),
    (12, "a change counter for pay rates and approved periods", _v12_pay_settings_version),
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
    state = [models.SchemaVersion, models.PayLedgerFill, models.PaySettings]  # the schema's, not the plant's
    with database.bind_ctx([*state, *models.ALL_MODELS], bind_refs=False, bind_backrefs=False):
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
            # Applied means recorded: migrations land in any order, so one numbered below the
            # newest applied may still be missing (each migration is idempotent).
            if models.SchemaVersion.select().where(models.SchemaVersion.version == version).exists():
                continue
            step(database)
            models.SchemaVersion.create(version=version)
        applied.append(version)
    return applied
