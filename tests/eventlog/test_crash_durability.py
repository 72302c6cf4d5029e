"""Crash durability: a client process sends a burst of scans with idempotency keys to POST /api/scan
while the server is killed with SIGKILL (no graceful shutdown) and started again.

Every scan the server answered 2xx must be in the database, as answered; the client then resends
every unanswered scan with the same key, and each key ends up in the log exactly once, with no card
moved on twice. Runs on SQLite and on PostgreSQL (the `database` fixture)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from tests.live import post_scan

ROOT = Path(__file__).resolve().parents[2]
CLIENT_THREADS = 4
RETRY_SECONDS = 60


# -- the client process (python -m tests.eventlog.test_crash_durability PLAN OUT) ------------------------------




def run_client(plan_path: str, out_path: str) -> None:
    """Burst: each scan sent once by a few threads at once, one JSON line per reply. Then retry:
    every scan without an answer is sent again with the same key until the server answers."""
    plan = json.loads(Path(plan_path).read_text())
    url, scans = plan["url"], plan["scans"]
    out = open(out_path, "a", buffering=1)
    lock = threading.Lock()
    answered: set[str] = set()
    position = iter(range(len(scans)))

    def note(scan, phase, status, outcome):
        with lock:
            out.write(json.dumps({"key": scan["key"], "phase": phase, "status": status, "outcome": outcome}) + "\n")
            if 200 <= status < 500:
                answered.add(scan["key"])

    def burst():
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                return
            note(scans[index], "burst", *post_scan(url, scans[index]))

    threads = [threading.Thread(target=burst) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deadline = time.monotonic() + RETRY_SECONDS
    for scan in scans:
        while scan["key"] not in answered and time.monotonic() < deadline:
            status, outcome = post_scan(url, scan)
            note(scan, "retry", status, outcome)
            if scan["key"] not in answered:
                time.sleep(0.2)
    out.close()


if __name__ == "__main__":
    run_client(sys.argv[1], sys.argv[2])


# -- the test -----------------------------------------------------------------------------------------


def make_plan(cards, tokens: dict[str, str], seed: int = 11) -> list[dict]:
    """Every card through white-body then finishing, with rescans (duplicates) and unknown codes mixed in."""
    from db.models import utcnow

    rng = random.Random(seed)
    scans = []

    def add(station, code):
        scans.append({"key": f"crash-{len(scans):04d}-{uuid.uuid4().hex[:12]}", "station": station, "code": code,
                      "badge": "W001", "token": tokens[station], "scanned_at": utcnow().isoformat() + "Z"})

    for station in ("whitebody", "finishing"):
        for card in cards:
            add(station, card.code)
            if rng.random() < 0.1:
                add(station, card.code)  # scanned twice: the second is a duplicate, recorded as such
            if rng.random() < 0.05:
                add(station, f"JX{rng.randrange(10**7):07d}")  # a code the plant never printed
    return scans


def read_replies(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def test_scans_survive_sigkill_and_each_key_is_recorded_once(database, database_url, plant, tmp_path):
    from db.models import JobCard, ScanEvent, Station
    from tests.auth_helpers import make_device
    from tests.factories import cards_of, make_order
    from tests.live import LiveServer

    order = make_order(lines=[("DC-08", 100)], card_units=1, number="SO-CRASH")
    cards = cards_of(order)
    tokens = {station: make_device(station)[1] for station in ("whitebody", "finishing")}
    database.close()  # the server writes; this process only reads at the end

    server = LiveServer(database_url, tmp_path / "instance", workers=2, threads=8).start()
    scans = make_plan(cards, tokens)
    plan_path, out_path = tmp_path / "plan.json", tmp_path / "replies.jsonl"
    plan_path.write_text(json.dumps({"url": server.url, "scans": scans}))
    client = subprocess.Popen([sys.executable, "-m", __name__, str(plan_path), str(out_path)],
                              cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while len(read_replies(out_path)) < len(scans) // 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill()  # SIGKILL, master and workers: requests in flight get no answer
        server.start()
        assert client.wait(RETRY_SECONDS + 30) == 0
    finally:
        if client.poll() is None:
            client.kill()
        server.stop()

    replies = read_replies(out_path)
    burst = [r for r in replies if r["phase"] == "burst"]
    assert len(burst) == len(scans)
    recorded_in_burst = {r["key"]: r["outcome"] for r in burst if r["status"] == 200}
    unanswered = {r["key"] for r in burst if r["status"] != 200}
    assert unanswered, "the kill hit no scan: nothing was tested"
    assert recorded_in_burst, "the server answered nothing before the kill"
    assert {r["status"] for r in replies} <= {0, 200}, "no error answers, only 'recorded' or no answer"
    final = {r["key"]: r for r in replies if r["status"] == 200}
    assert set(final) == {s["key"] for s in scans}, "every scan was answered in the end"

    database.connect(reuse_if_open=True)
    keys = [s["key"] for s in scans]
    events = {e.idem_key: e for e in ScanEvent.select().where(ScanEvent.idem_key.in_(keys))}
    # every scan answered "recorded" before or during the crash is in the database, as answered
    lost = [key for key in recorded_in_burst if key not in events]
    assert lost == []
    assert {key: events[key].outcome for key in recorded_in_burst} == recorded_in_burst
    # each key exactly once (the unique index), and every retried one too
    assert len(events) == len(keys)
    assert ScanEvent.select().where(ScanEvent.idem_key.in_(keys)).count() == len(keys)

    # no card moved on twice: its position is the number of stations that accepted it, one each
    stations = {s.id: s.code for s in Station.select()}
    for card in JobCard.select().where(JobCard.id.in_([c.id for c in cards])):
        accepted = [stations[e.station_id] for e in events.values()
                    if e.job_card_id == card.id and e.outcome in ("ok", "warning")]
        assert len(accepted) == len(set(accepted)) == card.next_seq, (card.code, accepted)
        assert card.next_seq >= 1  # white-body was retried until recorded
