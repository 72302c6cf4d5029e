"""A green answer means the scan is on disk: the answer is sent only after the transaction commits,
SQLite syncs every commit, and a server told to stop (SIGTERM) finishes the scans it is serving."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
import urllib.request
import uuid

import pytest
from peewee import OperationalError

import db
from db.models import JobCard, ScanEvent
from tests.auth_helpers import make_device
from tests.factories import cards_of, make_order
from tests.live import post_scan


def scan_body(code: str, key: str) -> dict:
    return {"station": "whitebody", "code": code, "idem_key": key, "worker_badge": "W001"}


def test_a_scan_whose_commit_fails_is_not_answered_recorded(client, plant, monkeypatch):
    card = cards_of(make_order(lines=[("DC-08", 1)]))[0]
    token = make_device("whitebody")[1]
    headers = {"Authorization": f"Bearer {token}"}
    key = uuid.uuid4().hex

    def disk_full():
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(db.database.obj, "commit", disk_full)
    response = client.post("/api/scan", json=scan_body(card.code, key), headers=headers)
    monkeypatch.undo()
    assert response.status_code == 500
    assert "outcome" not in response.get_json()
    assert ScanEvent.get_or_none(ScanEvent.idem_key == key) is None
    assert JobCard.get_by_id(card.id).next_seq == 0  # rolled back with the event

    # the kiosk retries with the same key once the disk has room: recorded, once
    response = client.post("/api/scan", json=scan_body(card.code, key), headers=headers)
    assert response.status_code == 200 and response.get_json()["outcome"] == "ok"
    assert ScanEvent.select().where(ScanEvent.idem_key == key).count() == 1
    assert JobCard.get_by_id(card.id).next_seq == 1


def test_sqlite_syncs_every_commit_in_wal_mode(tmp_path):
    database = db.make_database(f"sqlite:///{tmp_path}/kiosk.sqlite3")
    database.connect()
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL: fsync the WAL on commit
    database.close()


def test_sigterm_lets_a_scan_in_flight_finish_and_answer(tmp_path):
    """The scan waits for SQLite's write lock (held here) when the server is told to stop; the
    server stops taking new requests but finishes that one, answers it, then exits."""
    from db.schema import migrate
    from kiosk.demo import seed_plant
    from tests.live import LiveServer

    path = tmp_path / "live.sqlite3"
    database = db.open_database(f"sqlite:///{path}")
    migrate(database)
    seed_plant()
    card = cards_of(make_order(lines=[("DC-08", 1)]))[0]
    token = make_device("whitebody")[1]
    database.close()
    server = LiveServer(f"sqlite:///{path}", tmp_path / "instance", env={"KIOSK_GRACEFUL_TIMEOUT": "20"}).start()
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # like a long write by another kiosk
        key = uuid.uuid4().hex
        reply = {}
        scan = {"station": "whitebody", "code": card.code, "key": key, "badge": "W001", "token": token,
                "scanned_at": None}
        sender = threading.Thread(target=lambda: reply.update(answer=post_scan(server.url, scan, timeout=30)))
        sender.start()
        time.sleep(1.0)
        assert sender.is_alive(), "the scan should be waiting for the write lock"

        os.killpg(server.process.pid, signal.SIGTERM)
        time.sleep(1.0)
        assert server.process.poll() is None, "the server waits for the scan in flight"
        with pytest.raises(OSError):  # ... but takes no new request
            urllib.request.urlopen(server.url + "/api/health", timeout=1)

        blocker.execute("COMMIT")
        sender.join(20)
        assert reply["answer"] == (200, "ok")
        assert server.process.wait(20) == 0
    finally:
        blocker.close()
        server.stop()
    database.connect(reuse_if_open=True)
    assert ScanEvent.get(ScanEvent.idem_key == key).outcome == "ok"
    database.close()
