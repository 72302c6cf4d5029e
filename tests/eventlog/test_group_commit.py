"""Group commit on SQLite: scans waiting for the writer go into one transaction, each in its own
savepoint, committed once, and every caller is answered only after that commit.

The tests hold the writer (a `write_transaction()` in the test's thread) while callers queue behind
it, so the batch they form is known, not left to timing."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid

import pytest
from peewee import IntegrityError, OperationalError

import db
from db.models import JobCard, ScanEvent
from db.schema import migrate
from kiosk.core.outcome import ScanRequest
from kiosk.eventlog.scan_path import record_scan
from kiosk.eventlog.undo import undo_scan
from tests.factories import cards_of, make_order, scan


@pytest.fixture
def sqlite_plant(tmp_path):
    from kiosk.demo import seed_plant

    path = tmp_path / "kiosk.sqlite3"
    database = db.open_database(f"sqlite:///{path}")
    migrate(database)
    database.connect(reuse_if_open=True)
    seed_plant()
    yield path
    if not database.is_closed():
        database.close()


def committed_keys(path) -> set[str]:
    """Idempotency keys another connection sees: only what has been committed."""
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT idem_key FROM scan_event")}


def queued_behind_writer(works) -> tuple[list, list, int]:
    """Run each work in its own thread while this thread holds the writer; release it once all of
    them wait. Returns (results, errors, transactions the queued work took)."""
    count = len(works)
    results, errors = [None] * count, [None] * count
    before = db._writer.batches

    def target(index: int) -> None:
        try:
            with db.database.connection_context():
                results[index] = works[index]()
        except Exception as error:  # noqa: BLE001 - the test looks at each caller's own answer
            errors[index] = error

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    with db.write_transaction():
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while len(db._writer.waiting) < count:
            assert time.monotonic() < deadline, "callers did not queue for the writer"
            time.sleep(0.01)
        assert not any(results) and not any(errors)  # nobody answered while the writer was held
    for thread in threads:
        thread.join(30)
    return results, errors, db._writer.batches - before


def scan_work(code: str, key: str | None = None, badge: str = "W001"):
    return lambda: record_scan(ScanRequest("whitebody", code, key or uuid.uuid4().hex, worker_badge=badge))


def test_waiting_scans_share_one_transaction_and_are_answered_after_it(sqlite_plant):
    cards = cards_of(make_order(lines=[("DC-08", 40)], card_units=5))
    keys = [uuid.uuid4().hex for _ in cards]
    seen_on_answer: dict[str, bool] = {}

    def work(card, key):
        def run():
            result = record_scan(ScanRequest("whitebody", card.code, key, worker_badge="W002"))
            seen_on_answer[key] = key in committed_keys(sqlite_plant)  # committed before the answer
            return result
        return run

    results, errors, transactions = queued_behind_writer([work(c, k) for c, k in zip(cards, keys, strict=True)])
    assert errors == [None] * len(cards)
    assert [r.outcome for r in results] == ["ok"] * len(cards)
    assert transactions == 1
    assert seen_on_answer == dict.fromkeys(keys, True)
    assert set(keys) <= committed_keys(sqlite_plant)
    assert {c.next_seq for c in JobCard.select().where(JobCard.id.in_([c.id for c in cards]))} == {1}


def test_a_batch_of_scans_takes_no_savepoint_and_one_with_a_desk_action_does(sqlite_plant, monkeypatch):
    """Scans change nothing but the database (db.write's `rerunnable`): together they need no savepoint,
    two statements fewer a scan inside the write lock. A desk action in the batch brings them back."""
    cards = cards_of(make_order(lines=[("DC-08", 30)], card_units=5))
    seen: list[str] = []
    execute = db.database.obj.execute_sql
    monkeypatch.setattr(db.database.obj, "execute_sql", lambda sql, *a, **k: seen.append(sql) or execute(sql, *a, **k))
    results, errors, transactions = queued_behind_writer([scan_work(c.code) for c in cards[:3]])
    assert transactions == 1 and errors == [None] * 3 and [r.outcome for r in results] == ["ok"] * 3
    assert not [sql for sql in seen if "SAVEPOINT" in sql]
    seen.clear()
    desk = lambda: db.write(lambda: JobCard.update(units=5).where(JobCard.id == cards[5].id).execute())  # noqa: E731
    results, errors, transactions = queued_behind_writer([scan_work(cards[3].code), desk, scan_work(cards[4].code)])
    assert transactions == 1 and errors == [None] * 3
    assert len([sql for sql in seen if sql.startswith("SAVEPOINT")]) == 3


def test_a_failing_scan_in_a_batch_rolls_back_alone_and_gets_its_own_answer(sqlite_plant):
    cards = cards_of(make_order(lines=[("DC-08", 20)], card_units=5))
    taken = scan("whitebody", cards[3].code, key="taken-key-0001")
    assert taken.outcome == "ok"

    def fails_after_writing():
        JobCard.update(next_seq=5).where(JobCard.id == cards[0].id).execute()
        raise RuntimeError("the station rule broke")

    def reuses_a_key():
        JobCard.update(next_seq=5).where(JobCard.id == cards[1].id).execute()
        return ScanEvent.create(idem_key="taken-key-0001", action="scan", outcome="ok")

    works = [scan_work(cards[2].code), lambda: db.write(fails_after_writing), lambda: db.write(reuses_a_key),
             scan_work("JX0000000")]  # unknown: a red answer, recorded
    results, errors, transactions = queued_behind_writer(works)
    assert transactions == 1
    assert isinstance(errors[1], RuntimeError) and isinstance(errors[2], IntegrityError)
    assert errors[0] is None and errors[3] is None
    assert results[0].outcome == "ok"
    assert results[3].outcome == "rejected"
    # what the failing ones wrote is gone; the others' is there
    assert JobCard.get_by_id(cards[0].id).next_seq == 0
    assert JobCard.get_by_id(cards[1].id).next_seq == 0
    assert JobCard.get_by_id(cards[2].id).next_seq == 1
    assert ScanEvent.select().where(ScanEvent.idem_key == "taken-key-0001").count() == 1


def test_a_retry_of_a_committed_scan_is_answered_without_waiting_for_the_writer(sqlite_plant):
    card = cards_of(make_order(lines=[("DC-08", 5)], card_units=5))[0]
    original = scan("whitebody", card.code, key="retried-key-0001")
    answered = []
    with db.write_transaction():  # the writer is busy: a new scan would wait here
        thread = threading.Thread(target=lambda: answered.append(scan_work(card.code, key="retried-key-0001")()))
        thread.start()
        thread.join(10)
        assert answered and answered[0].replayed and answered[0].event_id == original.event_id
        assert db._writer.waiting == []


def test_a_retry_racing_its_original_in_one_batch_is_recorded_once_and_answered_with_it(sqlite_plant):
    """Neither has committed when both arrive: both pass the replay check, the second meets the key's unique
    index when it writes, its savepoint is rolled back, and it is answered with the first's event."""
    card = cards_of(make_order(lines=[("DC-08", 5)], card_units=5))[0]
    results, errors, transactions = queued_behind_writer([scan_work(card.code, key="racing-key-0001"),
                                                          scan_work(card.code, key="racing-key-0001")])
    # scans run together without savepoints first; one raised, so the batch ran again, each in its savepoint
    assert transactions == 2 and errors == [None, None]
    assert {r.event_id for r in results} == {ScanEvent.get(ScanEvent.idem_key == "racing-key-0001").id}
    assert sorted(r.replayed for r in results) == [False, True]
    assert [r.outcome for r in results] == ["ok", "ok"]
    assert JobCard.get_by_id(card.id).next_seq == 1  # moved once
    assert ScanEvent.select().where(ScanEvent.job_card == card.id).count() == 1


def test_when_the_commit_fails_no_scan_of_the_batch_is_answered_recorded(sqlite_plant, monkeypatch):
    cards = cards_of(make_order(lines=[("DC-08", 20)], card_units=5))
    keys = [uuid.uuid4().hex for _ in cards]

    holder, commit = threading.current_thread(), db.database.obj.commit

    def disk_full():  # the batch's commit fails; the test's own (empty) transaction still ends
        if threading.current_thread() is holder:
            return commit()
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(db.database.obj, "commit", disk_full)
    results, errors, transactions = queued_behind_writer(
        [scan_work(c.code, k) for c, k in zip(cards, keys, strict=True)])
    monkeypatch.undo()
    assert transactions == 1
    assert results == [None] * len(cards)
    assert all(isinstance(e, OperationalError) for e in errors)
    assert not set(keys) & committed_keys(sqlite_plant)
    assert {c.next_seq for c in JobCard.select().where(JobCard.id.in_([c.id for c in cards]))} == {0}
    # the kiosks retry with the same keys: each recorded once
    for card, key in zip(cards, keys, strict=True):
        assert scan("whitebody", card.code, key=key).outcome == "ok"
    assert set(keys) <= committed_keys(sqlite_plant)


def test_desk_actions_share_the_queue_with_scans(sqlite_plant):
    from kiosk.core.errors import ActionRefused

    cards = cards_of(make_order(lines=[("DC-08", 20)], card_units=5))
    done = scan("whitebody", cards[0].code)
    works = [lambda: undo_scan(done.event_id, "scanned the wrong card", "sup"),
             lambda: undo_scan(done.event_id, "scanned the wrong card", "sup"),  # the same undo again
             scan_work(cards[1].code), scan_work(cards[2].code)]
    results, errors, transactions = queued_behind_writer(works)
    assert transactions == 1
    refused = [e for e in errors if e is not None]
    assert len(refused) == 1 and isinstance(refused[0], ActionRefused)  # one undo stands, once
    assert JobCard.get_by_id(cards[0].id).next_seq == 0
    assert [r.outcome for r in results[2:]] == ["ok", "ok"]


def test_a_writer_outside_the_queue_waits_its_turn(sqlite_plant):
    """write_transaction() blocks and the batches exclude each other: nothing is 'database is locked'."""
    cards = cards_of(make_order(lines=[("DC-08", 60)], card_units=5))
    errors: list[str] = []

    def scanner(chunk):
        with db.database.connection_context():
            for card in chunk:
                try:
                    scan("whitebody", card.code)
                except Exception as error:  # noqa: BLE001
                    errors.append(repr(error))

    def desk():
        with db.database.connection_context():
            for _ in range(20):
                with db.write_transaction():
                    JobCard.update(rework_reason="checked").where(JobCard.id == cards[0].id).execute()

    threads = [threading.Thread(target=scanner, args=(cards[i::4],)) for i in range(4)]
    threads.append(threading.Thread(target=desk))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert JobCard.select().where(JobCard.next_seq == 1).count() == len(cards)


def test_a_writer_of_another_process_is_waited_for_on_the_lock_file(sqlite_plant):
    """Server processes on one SQLite file take turns on `<file>-writer` (flock): while another holds it, a
    scan waits without writing anything, and it is recorded as soon as the lock is let go. (A lock on a file
    opened separately conflicts like another process's, so this test holds it itself.)"""
    import fcntl
    import os

    card = cards_of(make_order(lines=[("DC-08", 5)]))[0]
    key = uuid.uuid4().hex
    done = threading.Event()
    answers: list = []

    def scan_now() -> None:
        with db.database.connection_context():
            answers.append(scan_work(card.code, key)())
        done.set()

    fd = os.open(f"{sqlite_plant}-writer", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another process's writer
        waiting = threading.Thread(target=scan_now)
        waiting.start()
        assert not done.wait(0.5), "the scan did not wait for the other writer"
        assert key not in committed_keys(sqlite_plant)
        fcntl.flock(fd, fcntl.LOCK_UN)
        assert done.wait(10)
        waiting.join(10)
        assert answers[0].outcome == "ok" and key in committed_keys(sqlite_plant)

        fcntl.flock(fd, fcntl.LOCK_EX)  # a desk's write_transaction waits for it too
        finished = threading.Event()

        def desk_write() -> None:
            with db.database.connection_context(), db.write_transaction():
                JobCard.update(units=JobCard.units).where(JobCard.id == card.id).execute()
            finished.set()

        desk = threading.Thread(target=desk_write)
        desk.start()
        assert not finished.wait(0.5)
        fcntl.flock(fd, fcntl.LOCK_UN)
        assert finished.wait(10)
        desk.join(10)
    finally:
        os.close(fd)
