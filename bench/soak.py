"""Soak: the real server (gunicorn, as the README runs it) through a busy stretch of a shift, killed
with SIGKILL and started again once in the middle, and then checked for lost or doubled scans.

16 kiosks scan over real HTTP like the station page does (POST /station/<code>/scan with the paired
kiosk's cookie, CSRF token and an idempotency key per scan): cards go white-body -> finishing -> QC
(look-up, then pass) -> packing (cards become cartons) -> warehouse-in (the cartons), with some
cards scanned twice (duplicates) and some codes the plant never printed (rejects). A scan without
an answer (server down, reset, timeout, 5xx) is sent again with the same key until it is answered.
20 boards hold Server-Sent Events streams (GET /board/events), resuming with Last-Event-ID.
The server's memory (RSS of the gunicorn master plus workers, summed) is sampled from /proc.

Afterwards the database is checked: every acknowledged key is recorded (lost), no key twice and no
card or carton moved on twice for one scan (duplicated).

Usage: python bench/soak.py [--seconds 60 | --minutes N] [--kiosks 16] [--boards 20] [--workers 1]
                            [--threads 48] [--think 0.4] [--database-url URL]
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import http.cookies
import json
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from db.models import Carton, Customer, JobCard, Order, OrderLine, Product, ScanEvent  # noqa: E402
from db.schema import migrate  # noqa: E402
from kiosk.demo import seed_plant  # noqa: E402
from tests.auth_helpers import DEVICE_COOKIE, make_device  # noqa: E402
from tests.live import LiveServer  # noqa: E402

# Kiosks per station for 16 kiosks (scaled for other counts), in route order.
LAYOUT = (("whitebody", 4), ("finishing", 4), ("qc", 3), ("packing", 3), ("warehouse", 2))
NEXT = {"whitebody": "finishing", "finishing": "qc", "qc": "packing", "packing": "warehouse"}
OUTCOME_RE = re.compile(r'class="answer [^"]*" data-outcome="(\w+)"')
CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
KEY_PREFIX = "soak-"


# -- the plant's work --------------------------------------------------------------------------------


def seed(database_url: str, cards: int) -> list[str]:
    """The demo plant and `cards` released job cards of 1-3 dining chairs each, waiting at white-body."""
    database = db.open_database(database_url)
    migrate(database)
    seed_plant()
    customer = Customer.get(Customer.code == "LH")
    product = Product.get(Product.model_no == "DC-08")
    codes = []
    with db.write_transaction():
        for start in range(0, cards, 100):
            order = Order.create(number=f"SOAK{start // 100:04d}", customer=customer, due_date="2030-12-31",
                                 status="released")
            line = OrderLine.create(order=order, line_no=1, product=product, quantity=300)
            rows = [{"code": f"SK{n:07d}", "order_line": line.id, "route": product.route_id, "units": 1 + n % 3}
                    for n in range(start, min(start + 100, cards))]
            JobCard.insert_many(rows).execute()
            codes += [row["code"] for row in rows]
    return codes


class Conveyor:
    """What waits at each station: cards (and, at the warehouse, cartons), first in first out."""

    def __init__(self, fresh_cards: list[str]):
        self.lock = threading.Lock()
        self.waiting = {station: collections.deque() for station, _ in LAYOUT}
        self.waiting["whitebody"].extend(fresh_cards)

    def take(self, station: str) -> str | None:
        with self.lock:
            return self.waiting[station].popleft() if self.waiting[station] else None

    def put(self, station: str, codes: list[str]) -> None:
        with self.lock:
            self.waiting[station].extend(codes)


# -- the ledger: what the kiosks sent and were told ----------------------------------------------


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent: set[str] = set()
        self.acknowledged: dict[str, str] = {}  # key -> outcome the kiosk showed
        self.retried: set[str] = set()
        self.errors_5xx = 0
        self.other_errors = collections.Counter()
        self.outcomes = collections.Counter()
        self.latencies: list[float] = []

    def note(self, key: str, outcome: str, latency: float) -> None:
        with self.lock:
            self.acknowledged[key] = outcome
            self.outcomes[outcome] += 1
            self.latencies.append(latency)


# -- a kiosk ---------------------------------------------------------------------------------------


class Kiosk(threading.Thread):
    """One paired station kiosk with a signed-in worker, scanning what its station has waiting."""

    def __init__(self, server: LiveServer, station: str, device_token: str, badge: str, conveyor: Conveyor,
                 ledger: Ledger, think: float, stop: threading.Event, seed: int):
        super().__init__(daemon=True)
        self.server, self.station, self.badge = server, station, badge
        self.conveyor, self.ledger, self.think, self.stop = conveyor, ledger, think, stop
        self.rng = random.Random(seed)
        self.cookies = {DEVICE_COOKIE: device_token}
        self.csrf = ""
        self.connection: http.client.HTTPConnection | None = None
        self.done: list[str] = []
        self.unfinished = 0

    # HTTP with a kept-alive connection and the cookies a browser would keep
    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            return 0, ""
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie(header)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        return response.status, text

    def open_page(self) -> bool:
        status, text = self.request("GET", f"/station/{self.station}?lang=en")
        found = CSRF_RE.search(text) if status == 200 else None
        if found:
            self.csrf = found.group(1)
        return bool(found)

    def post_scan(self, code: str, key: str, **options) -> tuple[int, str]:
        body = urlencode({"code": code, "idem": key, "worker_badge": self.badge,
                          "scanned_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **options}).encode()
        return self.request("POST", f"/station/{self.station}/scan", body, {
            "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": self.csrf})

    def deliver(self, code: str, **options) -> str | None:
        """Send one scan, and again with the same key until it is answered; its outcome, or None
        if the soak ended first (the scan then stays unacknowledged)."""
        key = KEY_PREFIX + uuid.uuid4().hex
        with self.ledger.lock:
            self.ledger.sent.add(key)
        pause, attempts = 0.2, 0
        give_up = None
        while True:
            attempts += 1
            began = time.monotonic()
            status, text = self.post_scan(code, key, **options)
            found = OUTCOME_RE.search(text) if status == 200 else None
            if found:
                self.ledger.note(key, found.group(1), time.monotonic() - began)
                if attempts > 1:
                    with self.ledger.lock:
                        self.ledger.retried.add(key)
                return found.group(1)
            with self.ledger.lock:
                if status >= 500:
                    self.ledger.errors_5xx += 1
                elif status:
                    self.ledger.other_errors[status] += 1
            if status in (400, 403):
                self.open_page()  # a new session or token: what a reload would do
            if self.stop.is_set():
                give_up = give_up or time.monotonic() + 30  # after the soak: 30 s more to get answers
                if time.monotonic() > give_up:
                    self.unfinished += 1
                    return None
            time.sleep(pause)
            pause = min(pause * 1.5, 1.0)

    def next_code(self) -> str | None:
        roll = self.rng.random()
        if roll < 0.04 and self.done:
            return self.rng.choice(self.done[-20:])  # the same card or carton scanned twice
        if roll < 0.06:
            return f"JX{self.rng.randrange(10**7):07d}"  # a code this plant never printed
        return self.conveyor.take(self.station)

    def run(self) -> None:
        while not self.open_page():
            time.sleep(0.5)
        self.deliver(self.badge)  # sign in
        while not self.stop.is_set():
            time.sleep(self.rng.uniform(0.5, 1.5) * self.think)
            code = self.next_code()
            if code is None:
                continue  # nothing waiting here yet
            if self.station == "qc":
                self.post_scan(code, uuid.uuid4().hex)  # the look-up that opens the pass / fail panel
                outcome = self.deliver(code, verdict="pass")
            elif self.station == "warehouse":
                outcome = self.deliver(code, location="A01")  # the bin this kiosk holds
            else:
                outcome = self.deliver(code)
            if outcome not in ("ok", "warning"):
                continue
            self.done.append(code)
            following = NEXT.get(self.station)
            if following == "warehouse":
                self.conveyor.put(following, cartons_of(code))
            elif following:
                self.conveyor.put(following, [code])


def cartons_of(card_code: str) -> list[str]:
    """The cartons packing made for a card (read here: the labels travel with the goods)."""
    codes = [c.code for c in Carton.select(Carton.code).join(JobCard).where(JobCard.code == card_code)]
    db.database.close()
    return codes


# -- boards ----------------------------------------------------------------------------------------


class Board(threading.Thread):
    """A board display: one Server-Sent Events stream, resumed with Last-Event-ID when it drops."""

    def __init__(self, server: LiveServer, device_token: str, view: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.server, self.token, self.view, self.stop = server, device_token, view, stop
        self.events = 0
        self.connects = 0
        self.last_id = ""
        self.connection: http.client.HTTPConnection | None = None

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=20)
                headers = {"Cookie": f"{DEVICE_COOKIE}={self.token}", "Accept": "text/event-stream"}
                if self.last_id:
                    headers["Last-Event-ID"] = self.last_id
                self.connection.request("GET", f"/board/events?view={self.view}", headers=headers)
                response = self.connection.getresponse()
                if response.status != 200:
                    response.read()
                    raise ConnectionError(response.status)
                self.connects += 1
                while not self.stop.is_set():
                    line = response.readline()
                    if not line:
                        break
                    if line.startswith(b"id:"):
                        self.last_id = line[3:].strip().decode()
                        self.events += 1
            except (OSError, http.client.HTTPException, ValueError):
                pass
            finally:
                if self.connection is not None:
                    self.connection.close()
            if not self.stop.is_set():
                time.sleep(1.0)

    def close(self) -> None:
        self.stop.set()
        connection = self.connection
        if connection is not None and connection.sock is not None:
            try:
                connection.sock.shutdown(2)
            except OSError:
                pass


# -- memory ----------------------------------------------------------------------------------------


def process_tree(root: int) -> list[int]:
    """`root` and its descendants, from /proc."""
    parents: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def memory_mb(pids: list[int]) -> tuple[float, float]:
    """(RSS summed, PSS summed) in MB; PSS counts pages the workers share with the master once."""
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


class MemorySampler(threading.Thread):
    def __init__(self, server: LiveServer, stop: threading.Event, every: float = 0.5):
        super().__init__(daemon=True)
        self.server, self.stop, self.every = server, stop, every
        self.rss_max = self.pss_max = 0.0
        self.workers_seen = 0

    def run(self) -> None:
        while not self.stop.is_set():
            process = self.server.process
            if process is not None and process.poll() is None:
                pids = process_tree(process.pid)
                rss, pss = memory_mb(pids)
                self.rss_max, self.pss_max = max(self.rss_max, rss), max(self.pss_max, pss)
                self.workers_seen = max(self.workers_seen, len(pids) - 1)
            time.sleep(self.every)


# -- the check afterwards --------------------------------------------------------------------------


def check(ledger: Ledger) -> dict:
    """Compare what the kiosks were told with what the database holds."""
    recorded: collections.Counter = collections.Counter()
    query = ScanEvent.select(ScanEvent.idem_key).where(ScanEvent.idem_key.startswith(KEY_PREFIX))
    for (key,) in query.tuples():
        recorded[key] += 1
    lost = [key for key in ledger.acknowledged if key not in recorded]
    twice = [key for key, count in recorded.items() if count > 1]
    wrong_answer = 0
    outcome_of = dict(ScanEvent.select(ScanEvent.idem_key, ScanEvent.outcome)
                      .where(ScanEvent.idem_key.startswith(KEY_PREFIX)).tuples())
    for key, shown in ledger.acknowledged.items():
        if key in outcome_of and outcome_of[key] != shown:
            wrong_answer += 1
    # one scan moves a card on once: a card accepted twice at a station, or a position that does not
    # match the stations that accepted it, means some scan moved it twice
    accepted = collections.Counter()
    for card_id, station_id in (ScanEvent.select(ScanEvent.job_card, ScanEvent.station)
                                .where(ScanEvent.job_card.is_null(False) & ScanEvent.outcome.in_(("ok", "warning"))
                                       & (ScanEvent.action != "sign_in")).tuples()):
        accepted[(card_id, station_id)] += 1
    cards_twice = sum(1 for count in accepted.values() if count > 1)
    per_card = collections.Counter(card_id for card_id, _ in accepted)
    # past packing a card follows its cartons: one step more once all of them are in the warehouse
    carton_states = collections.defaultdict(set)
    for card_id, status in Carton.select(Carton.job_card, Carton.status).tuples():
        carton_states[card_id].add(status)
    through_warehouse = {card_id for card_id, states in carton_states.items()
                         if states <= {"in_warehouse", "loaded"}}
    ahead = behind = 0  # ahead: moved on further than its scans say (twice); behind: a move was lost
    for card_id, next_seq in JobCard.select(JobCard.id, JobCard.next_seq).tuples():
        expected = per_card.get(card_id, 0) + (card_id in through_warehouse)
        ahead += next_seq > expected
        behind += next_seq < expected
    stored = collections.Counter(carton_id for (carton_id,) in ScanEvent.select(ScanEvent.carton)
                                 .where((ScanEvent.action == "store") & (ScanEvent.outcome == "ok")).tuples())
    cartons_twice = sum(1 for count in stored.values() if count > 1)
    return {
        "recorded": sum(1 for key in ledger.sent if key in recorded),
        "lost": len(lost),
        "duplicated": len(twice) + cards_twice + ahead + cartons_twice,
        "keys_twice": len(twice), "cards_moved_twice": cards_twice, "cards_ahead_of_scans": ahead,
        "cards_behind_scans": behind,
        "cartons_stored_twice": cartons_twice, "answer_differs_from_record": wrong_answer,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--minutes", type=float, default=None, help="overrides --seconds")
    parser.add_argument("--kiosks", type=int, default=16)
    parser.add_argument("--boards", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn processes (SQLite: 1 is plenty)")
    parser.add_argument("--threads", type=int, default=48, help="threads per process: boards + kiosks + spare")
    parser.add_argument("--think", type=float, default=0.4, help="mean seconds a worker takes between scans")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, server log)")
    args = parser.parse_args()
    seconds = args.minutes * 60 if args.minutes else args.seconds

    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    url = args.database_url or f"sqlite:///{folder}/soak.sqlite3"
    whitebody_share = LAYOUT[0][1] / sum(n for _, n in LAYOUT)
    cards = seed(url, int(seconds / args.think * args.kiosks * whitebody_share * 1.5) + 200)
    stations = [s for s, n in LAYOUT for _ in range(n)]
    stations = [stations[i * len(stations) // args.kiosks] for i in range(args.kiosks)]
    kiosk_tokens = [make_device(station)[1] for station in stations]
    board_token = make_device(None)[1]
    db.database.close()

    server = LiveServer(url, folder / "instance", workers=args.workers, threads=args.threads,
                        env={"KIOSK_GRACEFUL_TIMEOUT": "10"}).start()
    stop, stop_boards, stop_sampler = threading.Event(), threading.Event(), threading.Event()
    conveyor, ledger = Conveyor(cards), Ledger()
    sampler = MemorySampler(server, stop_sampler)
    sampler.start()
    boards = [Board(server, board_token, "orders" if i % 2 else "stations", stop_boards) for i in range(args.boards)]
    kiosks = [Kiosk(server, station, token, f"W{i % 10 + 1:03d}", conveyor, ledger, args.think, stop, seed=i)
              for i, (station, token) in enumerate(zip(stations, kiosk_tokens, strict=True))]
    began = time.monotonic()
    for thread in boards + kiosks:
        thread.start()
    print(f"soak: {args.kiosks} kiosks, {args.boards} boards, {seconds:.0f} s, workers={args.workers} "
          f"threads={args.threads}, {url}", flush=True)

    time.sleep(seconds / 2)
    killed_at = time.monotonic() - began
    server.kill()
    down = time.monotonic()
    server.start()
    restart_s = time.monotonic() - down
    print(f"soak: killed (SIGKILL) at {killed_at:.1f} s, answering again after {restart_s:.1f} s", flush=True)
    time.sleep(max(0.0, seconds - (time.monotonic() - began)))
    stop.set()
    for kiosk in kiosks:
        kiosk.join(60)
    elapsed = time.monotonic() - began
    for board in boards:
        board.close()
    for board in boards:
        board.join(5)
    stop_sampler.set()
    sampler.join(5)
    server.stop()

    db.open_database(url)
    figures = check(ledger)
    db.database.close()
    latencies = sorted(ledger.latencies) or [0.0]
    result = {
        "seconds": round(elapsed, 1),
        "scans_sent": len(ledger.sent),
        "acknowledged": len(ledger.acknowledged),
        "recorded": figures["recorded"],
        "lost": figures["lost"],
        "duplicated": figures["duplicated"],
        "errors_5xx": ledger.errors_5xx,
        "rss_mb_max": round(sampler.rss_max, 1),
        "pss_mb_max": round(sampler.pss_max, 1),
        "unacknowledged": sum(k.unfinished for k in kiosks),
        "retried": len(ledger.retried),
        "other_http_errors": dict(ledger.other_errors),
        "outcomes": dict(ledger.outcomes),
        "latency_ms_p50": round(latencies[len(latencies) // 2] * 1000, 1),
        "latency_ms_p99": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
        "checks": {k: v for k, v in figures.items() if k not in ("recorded", "lost", "duplicated")},
        "kill_at_s": round(killed_at, 1), "restart_s": round(restart_s, 1),
        "sse": {"boards": args.boards, "endpoint": "/board/events", "connects": sum(b.connects for b in boards),
                "events": sum(b.events for b in boards)},
        "settings": {"kiosks": args.kiosks, "workers": args.workers, "threads": args.threads, "think_s": args.think,
                     "database": "postgresql" if url.startswith("postgres") else "sqlite",
                     "server_processes_seen": sampler.workers_seen + 1},
    }
    if args.keep:
        print(f"soak: kept {folder}", flush=True)
    else:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result), flush=True)
    return 0 if result["lost"] == 0 and result["duplicated"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
