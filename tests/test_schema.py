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
        assert schema.migrate(url_db) == [version for version, _, _ in schema.MIGRATIONS]
        models.Customer.create(code="OLD", name="Old customer")

    def add_priority(database):  # a plausible next migration: a column with a default
        database.execute_sql('ALTER TABLE "customer" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0')

    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS + [(99, "customer priority", add_priority)])
    monkeypatch.setattr(schema, "CURRENT_VERSION", 99)
    with url_db.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        assert schema.migrate(url_db) == [99]
        assert schema.current_version(url_db) == 99
        row = url_db.execute_sql('SELECT code, priority FROM "customer"').fetchall()
        assert row == [("OLD", 0)]
        assert schema.migrate(url_db) == []
