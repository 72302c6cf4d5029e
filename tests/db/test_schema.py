"""The schema is versioned: a database upgrades in place and keeps its data."""

from __future__ import annotations

from peewee import SqliteDatabase

from db import models, schema


def test_fresh_database_is_at_the_current_version(database):
    assert schema.current_version(database) == schema.CURRENT_VERSION
    assert schema.migrate(database) == []  # running again applies nothing


def test_an_older_database_is_upgraded_in_place_keeping_its_data(tmp_path, monkeypatch):
    url_db = SqliteDatabase(str(tmp_path / "old.sqlite3"))
    with url_db.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        assert schema.migrate(url_db, target=1) == [1]
        models.Customer.create(code="OLD", name="Old customer")

    def add_priority(database):  # a plausible next migration: a column with a default
        database.execute_sql('ALTER TABLE "customer" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0')

    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS + [(99, "customer priority", add_priority)])
    monkeypatch.setattr(schema, "CURRENT_VERSION", 99)
    with url_db.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        assert schema.migrate(url_db)[-1] == 99  # with every real migration after v1 before it
        assert schema.current_version(url_db) == 99
        row = url_db.execute_sql('SELECT code, priority FROM "customer"').fetchall()
        assert row == [("OLD", 0)]
        assert schema.migrate(url_db) == []


def test_v4_adds_approval_session_and_pairing_columns_to_an_old_database(tmp_path):
    """A database made before issue 15 (user and device without the new columns) is upgraded in place."""
    old = SqliteDatabase(str(tmp_path / "v1.sqlite3"))
    old.execute_sql('CREATE TABLE "user" (id INTEGER PRIMARY KEY, username VARCHAR(32), name VARCHAR(64), '
                    "role VARCHAR(16), password_hash VARCHAR(256), active INTEGER, lang VARCHAR(8))")
    old.execute_sql('CREATE TABLE "device" (id INTEGER PRIMARY KEY, token_hash VARCHAR(64))')
    old.execute_sql("INSERT INTO \"user\" VALUES (1, 'boss', 'Boss', 'supervisor', 'x', 1, '')")
    with old.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        old.create_tables([models.SchemaVersion])
        models.SchemaVersion.create(version=1)
        assert 4 in schema.migrate(old)
        columns = {c.name for c in old.get_columns("user")}
        assert {"badge", "pin_hash", "session_gen"} <= columns
        assert "address" in {c.name for c in old.get_columns("device")}
        assert old.execute_sql('SELECT username, pin_hash, session_gen FROM "user"').fetchall() == [("boss", "", 0)]
        schema._v4_hardening(old)  # idempotent: a second run changes nothing


def test_v3_adds_print_confirmation_columns_and_turns_old_sent_jobs_into_not_confirmed(tmp_path):
    """A database made before issue 14: printer and print_job without the new columns, "sent" jobs."""
    old = SqliteDatabase(str(tmp_path / "v1.sqlite3"))
    old.execute_sql('CREATE TABLE "printer" (id INTEGER PRIMARY KEY, name VARCHAR(64), uri VARCHAR(256), '
                    "language VARCHAR(8), options TEXT, state VARCHAR(16), last_error VARCHAR(256), "
                    "last_contact DATETIME)")
    old.execute_sql('CREATE TABLE "print_job" (id INTEGER PRIMARY KEY, printer_id INTEGER, document VARCHAR(64), '
                    "payload BLOB, status VARCHAR(12), attempts INTEGER, last_error VARCHAR(256), "
                    "created_at DATETIME, next_try_at DATETIME, sent_at DATETIME)")
    old.execute_sql("INSERT INTO \"printer\" VALUES (1, 'p', 'tcp://127.0.0.1:9', 'zpl', NULL, 'online', '', NULL)")
    old.execute_sql("INSERT INTO \"print_job\" VALUES (1, 1, 'carton C1', x'00', 'sent', 1, '', NULL, NULL, NULL)")
    with old.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        old.create_tables([models.SchemaVersion])
        models.SchemaVersion.create(version=1)
        assert schema.migrate(old, target=3) == [3]
        assert "offline_since" in {c.name for c in old.get_columns("printer")}
        assert {"reprint_of", "reason", "requested_by", "checked_by", "checked_at"} <= {
            c.name for c in old.get_columns("print_job")}
        assert old.execute_sql('SELECT status, reason FROM "print_job"').fetchall() == [("unconfirmed", "")]
        schema._v3_print_confirmation(old)  # idempotent
