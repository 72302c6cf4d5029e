"""A server process keeps the pay rates and approved periods in memory (kiosk/pay/ledger.settings): a scan
asks the database one change counter, kept by triggers, and reads them again only once they changed, by
whatever path: the app, or SQL typed by hand."""

from __future__ import annotations

import datetime as dt

import pytest

import db
from db import database
from db.models import PayLedger, PayRate, PaySettings, Worker
from kiosk.core.clock import today
from kiosk.pay import ledger
from kiosk.pay.myday import my_day
from kiosk.pay.rates import RateInput, set_rate
from tests.factories import cards_of, make_order, scan


def settings_read(statements) -> set[str]:
    return {table for table in ("pay_rate", "pay_period") for sql in statements if f"FROM {table}" in sql}


def earned(badge: str) -> int:
    return my_day(Worker.get(Worker.badge == badge)).earned


def test_a_scan_reads_the_rates_only_when_they_changed_and_is_paid_at_the_new_one(plant, statements):
    set_rate(RateInput(station_code="whitebody", model_no="DT-120", family="", unit_fen=100), "boss")
    cards = cards_of(make_order(lines=[("DT-120", 4)], card_units=1))
    assert scan("whitebody", cards[0].code, badge="W001").ok
    statements.clear()
    assert scan("whitebody", cards[1].code, badge="W001").ok
    assert settings_read(statements) == set()  # unchanged: this process's copy
    assert earned("W001") == 200

    database.execute_sql("UPDATE pay_rate SET unit_fen = 250")  # by hand, past the app
    statements.clear()
    assert scan("whitebody", cards[2].code, badge="W001").ok
    assert settings_read(statements) == {"pay_rate", "pay_period"}
    assert ledger.settings()[1].by_id[PayRate.get().id].unit_fen == 250
    statements.clear()
    assert scan("whitebody", cards[3].code, badge="W001").ok
    assert settings_read(statements) == set()


@pytest.mark.parametrize("change", ["delete", "truncate"])
def test_rates_taken_away_by_hand_are_taken_away_from_the_next_scan(plant, change):
    if change == "truncate" and not db.is_postgres():
        pytest.skip("PostgreSQL only: SQLite has no TRUNCATE")
    rate = set_rate(RateInput(station_code="whitebody", model_no="DT-120", family="", unit_fen=100), "boss")
    first, second = cards_of(make_order(lines=[("DT-120", 2)], card_units=1))
    assert scan("whitebody", first.code, badge="W002").ok and earned("W002") == 100
    version = PaySettings.get().version
    database.execute_sql("DELETE FROM pay_rate" if change == "delete" else "TRUNCATE pay_rate CASCADE")
    assert PaySettings.get().version > version
    assert scan("whitebody", second.code, badge="W002").ok
    # the second pass is counted with no rate (0), not with the one this process had in memory
    assert sorted(PayLedger.select(PayLedger.rate, PayLedger.passes).tuples()) == [(0, 1), (rate.id, 1)]


def test_an_approved_period_moves_the_counter_and_each_database_keeps_its_own(plant):
    version = PaySettings.get().version
    database.execute_sql("INSERT INTO pay_period (kind, start, \"end\", approved_by, approved_at, totals) "
                         f"VALUES ('day', {_q()}, {_q()}, 'boss', {_q()}, '{{}}')",
                         (today(), today() + dt.timedelta(days=1), dt.datetime.now()))
    assert PaySettings.get().version == version + 1
    assert len(ledger.settings()[2].periods) == 1
    epoch = PaySettings.get().epoch
    assert len(epoch) == 32 and epoch in ledger._kept  # another database has another epoch: never this copy


def _q() -> str:
    return "%s" if db.is_postgres() else "?"
