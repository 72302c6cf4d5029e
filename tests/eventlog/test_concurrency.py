"""Two kiosks writing at once: threads scanning the same card at the same station record it once,
with no "database is locked" or other errors, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import db
from db.models import JobCard, ScanEvent
from kiosk.core.outcome import ScanRequest
from kiosk.eventlog.scan_path import record_scan
from tests.factories import THREADS, cards_of, make_order, run_together


def test_same_card_same_station_many_threads_recorded_once(plant, database_url):
    order = make_order(lines=[("DT-120", 5)])
    card = cards_of(order)[0]
    plant.close()

    def scan(index):
        return record_scan(ScanRequest("whitebody", card.code, uuid.uuid4().hex, worker_badge=f"W00{index + 1}"))

    results, errors = run_together(database_url, scan)
    assert errors == []
    outcomes = sorted(r.outcome for r in results)
    assert outcomes == ["duplicate"] * (THREADS - 1) + ["ok"]
    with db.database.connection_context():
        assert JobCard.get_by_id(card.id).next_seq == 1
        assert ScanEvent.select().where(ScanEvent.outcome == "ok").count() == 1


def test_same_idempotency_key_from_many_threads_is_one_event(plant, database_url):
    order = make_order(lines=[("DT-120", 5)])
    card = cards_of(order)[0]
    plant.close()
    key = uuid.uuid4().hex

    results, errors = run_together(
        database_url, lambda i: record_scan(ScanRequest("whitebody", card.code, key, worker_badge="W001"))
    )
    assert errors == []
    assert len({r.event_id for r in results}) == 1
    with db.database.connection_context():
        assert ScanEvent.select().where(ScanEvent.idem_key == key).count() == 1


def test_different_cards_in_parallel_all_recorded(plant, database_url):
    order = make_order(lines=[("DC-08", 40)], card_units=5)
    cards = cards_of(order)
    plant.close()
    results, errors = run_together(
        database_url,
        lambda i: record_scan(ScanRequest("whitebody", cards[i].code, uuid.uuid4().hex, worker_badge="W002")),
        count=len(cards),
    )
    assert errors == []
    assert [r.outcome for r in results] == ["ok"] * len(cards)
