"""PostgreSQL runs each compiled query (db.compiled / run_compiled) as a statement prepared once per
connection: the rows are the same as the plain query's, a query PostgreSQL will not prepare runs plain
without spoiling the transaction it is in, and a prepared statement outlives a rollback."""

from __future__ import annotations

import uuid

import pytest
from peewee import Value

import db
from db import compiled, run_compiled
from db.models import Worker


@pytest.fixture
def postgres(plant):
    if not db.is_postgres():
        pytest.skip("PostgreSQL only: SQLite's driver keeps its own statement cache")
    return plant


def prepared_here() -> set[str]:
    return {row[0] for row in db.database.execute_sql("SELECT statement FROM pg_prepared_statements").fetchall()}


def by_badge():
    return compiled(f"test-badge-{uuid.uuid4().hex}", lambda p: Worker.select().where(Worker.badge == p("badge")))


def test_a_compiled_query_is_prepared_once_and_answers_as_the_plain_one(postgres):
    query = by_badge()
    first = run_compiled(query, badge="W003")
    again = run_compiled(query, badge="W004")
    plain = list(Worker.select().where(Worker.badge.in_(["W003", "W004"])).order_by(Worker.badge))
    assert [(w.id, w.badge, w.name) for w in first + again] == [(w.id, w.badge, w.name) for w in plain]
    assert [s for s in prepared_here() if s.startswith("PREPARE kiosk_q") and "$1" in s and '"badge"' in s]


def test_a_query_postgresql_will_not_prepare_runs_plain_and_the_transaction_goes_on(postgres):
    # `$1 IS NULL`: PostgreSQL cannot tell the parameter's type, so PREPARE fails
    odd = compiled(f"test-odd-{uuid.uuid4().hex}", lambda p: Worker.select().where(
        Value(p("x"), converter=False).is_null() & (Worker.badge == p("badge"))))
    with db.write_transaction():
        Worker.update(name="Renamed").where(Worker.badge == "W001").execute()
        assert [w.badge for w in run_compiled(odd, x=None, badge="W001")] == ["W001"]
        assert run_compiled(odd, x="set", badge="W001") == []  # plain from now on
    assert Worker.get(Worker.badge == "W001").name == "Renamed"  # the transaction was not spoiled
    assert not [s for s in prepared_here() if "IS NULL" in s]  # it was indeed refused


def test_a_prepared_statement_outlives_a_rollback(postgres):
    query = by_badge()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), db.write_transaction():
        assert run_compiled(query, badge="W005")  # prepared inside the transaction
        raise Undo
    assert [w.badge for w in run_compiled(query, badge="W006")] == ["W006"]
