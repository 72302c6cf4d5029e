"""Scan throughput and latency of the real server (gunicorn, as the README runs it) on SQLite.

(a) Capacity: 16 simulated kiosks, real HTTP with keep-alive, closed loop, scanning a realistic mix
    (cards through white-body, finishing and QC; ~5% duplicates, ~2% unknown codes) as fast as they
    can for a fixed time; then the same kiosks against a trivial endpoint (GET /api/health) of the
    same server. ratio = scans_per_s / trivial_per_s.
(b) The limit, in the same run: bench/scan_reference.py, a bare server (same gunicorn settings, same
    pragmas, one UPDATE ... RETURNING and one INSERT per scan) driven by the same kiosks, taking turns
    with the kiosk server. limit_per_s is its rate; ratio_to_limit = scans_per_s / limit_per_s.
(c) Latency: the kiosks together send 200 scans/s at a steady pace (open loop), then half the
    capacity measured in (a) (p99_half_ms: a fixed rate above a slow machine's capacity measures the
    machine, not the code). Last line: one JSON object.

With --flush-ms N both servers' fsyncs take N ms longer (bench/slow_flush.c, preloaded): synchronous=FULL
then costs what it costs on a disk without a write cache, where committing many scans with one flush pays.

Usage: python bench/scan.py [--seconds 10] [--rate 200] [--kiosks 16] [--workers 1 2 4] [--database-url URL]
                            [--flush-ms 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
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
from db.models import Customer, JobCard, Order, OrderLine, Product, RouteStep, Station  # noqa: E402
from db.schema import migrate  # noqa: E402
from kiosk.demo import seed_plant  # noqa: E402
from kiosk.eventlog import board_counts  # noqa: E402
from tests.live import LiveServer  # noqa: E402

STATIONS = ("whitebody", "finishing", "qc")
CARDS_PER_ORDER = 20
RECENT_TOP = re.compile(rb'<li [^>]*data-event="(\d+)"')


def seed(database_url: str, kiosks: int, cards_per_kiosk: int) -> tuple[dict[str, list[list[str]]], list[str]]:
    """The demo plant plus, for each kiosk, a pool of released job cards waiting at its station and a
    device token paired with that station (kiosks must be paired to record scans)."""
    import secrets

    from db.models import Device
    from kiosk.people import devices

    database = db.open_database(database_url)
    migrate(database)
    seed_plant()
    customer = Customer.get(Customer.code == "LH")
    product = Product.get(Product.model_no == "DT-120")
    steps = RouteStep.select().join(Station).where(RouteStep.route == product.route)
    positions = {step.station.code: step.seq for step in steps}
    pools: dict[str, list[list[str]]] = {code: [] for code in STATIONS}
    due = "2026-12-31"
    with db.write_transaction():
        for kiosk in range(kiosks):
            station = STATIONS[kiosk % len(STATIONS)]
            start = JobCard.select().count()
            rows = []
            # Orders the size a plant's are (CARDS_PER_ORDER cards each), not one order of thousands of
            # cards: a scan keeps its order's board figures (kiosk/eventlog/board_counts.py), a few rows.
            for first in range(0, cards_per_kiosk, CARDS_PER_ORDER):
                order = Order.create(number=f"BENCH{kiosk:03d}-{first // CARDS_PER_ORDER:04d}", customer=customer,
                                     due_date=due, status="in_production")
                count = min(CARDS_PER_ORDER, cards_per_kiosk - first)
                line = OrderLine.create(order=order, line_no=1, product=product, quantity=count * 2)
                rows += [{"code": f"JB{kiosk:03d}{n:06d}", "order_line": line.id, "route": product.route_id,
                          "units": 2, "next_seq": positions[station]} for n in range(first, first + count)]
            for chunk in range(0, len(rows), 500):
                JobCard.insert_many(rows[chunk:chunk + 500]).execute()
            pools[station].append([r["code"] for r in rows])
            assert JobCard.select().count() == start + cards_per_kiosk
        board_counts.refresh_all()  # the cards were written directly: the board's kept figures from them
        tokens = []
        for kiosk in range(kiosks):
            token = secrets.token_urlsafe(32)
            Device.create(token_hash=devices.hash_token(token), pairing_code=devices.new_pairing_code(),
                          station=Station.get(Station.code == STATIONS[kiosk % len(STATIONS)]),
                          label=f"bench kiosk {kiosk + 1}", approved_by="bench")
            tokens.append(token)
    database.close()
    return pools, tokens


class Kiosk:
    """One station kiosk: a keep-alive connection, a badge, and the cards waiting at its station."""

    def __init__(self, server: LiveServer, station: str, cards: list[str], badge: str, seed: int, token: str):
        self.server, self.station, self.cards, self.badge = server, station, cards, badge
        self.rng = random.Random(seed)
        self.done: list[str] = []
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        self.cookie = f"kiosk_device={token}"
        self.csrf = self.page_token()
        self.recent_top, self.answer = "0", b""

    def page_token(self) -> str:
        """The CSRF token the station page carries, as the kiosk's browser would read it."""
        self.connection.request("GET", f"/station/{self.station}", headers={"Cookie": self.cookie})
        response = self.connection.getresponse()
        page = response.read().decode()
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
        if response.status != 200 or not match:
            raise RuntimeError(f"station page answered {response.status} without a CSRF token")
        return match.group(1)

    def next_code(self) -> str:
        roll = self.rng.random()
        if roll < 0.05 and self.done:
            return self.rng.choice(self.done)  # the same card scanned twice
        if roll < 0.07 or not self.cards:
            return f"JX{self.rng.randrange(10**7):07d}"  # a code this plant never printed
        code = self.cards.pop()
        self.done.append(code)
        return code

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> int:
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                self.answer = response.read()
                return response.status
            except (ConnectionError, http.client.HTTPException, TimeoutError):
                self.connection.close()
                if attempt == 2:
                    raise
        return 0

    def scan(self) -> int:
        # As kiosk.js does: say which scan the list on screen starts with, get only newer rows back.
        body = urlencode({"code": self.next_code(), "idem": uuid.uuid4().hex, "worker_badge": self.badge,
                          "verdict": "pass", "recent_after": self.recent_top}).encode()
        status = self.request("POST", f"/station/{self.station}/scan?lang=zh", body,
                            {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true",
                             "Cookie": self.cookie, "X-CSRF-Token": self.csrf})
        top = RECENT_TOP.search(self.answer or b"")
        if status == 200 and top:
            self.recent_top = top.group(1).decode()
        return status

    def trivial(self) -> int:
        return self.request("GET", "/api/health")


def closed_loop(kiosks: list[Kiosk], seconds: float, action: str) -> tuple[int, int]:
    """Every kiosk as fast as it can; returns (requests done, errors)."""
    counts, errors = [0] * len(kiosks), [0] * len(kiosks)
    deadline = time.monotonic() + seconds

    def run(index: int) -> None:
        kiosk = kiosks[index]
        while time.monotonic() < deadline:
            try:
                status = getattr(kiosk, action)()
            except Exception:  # noqa: BLE001 - counted, not raised
                status = 0
            if status == 200:
                counts[index] += 1
            else:
                errors[index] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(kiosks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), sum(errors)


def open_loop(kiosks: list[Kiosk], seconds: float, rate: float) -> tuple[list[float], int]:
    """All kiosks together send `rate` scans/s on a fixed schedule; latency of each in ms."""
    per_kiosk = rate / len(kiosks)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = time.monotonic() + 0.2

    def run(index: int) -> None:
        kiosk = kiosks[index]
        n = 0
        offset = index / rate  # spread the kiosks evenly over each period
        while True:
            due = start + offset + n / per_kiosk
            if due - start > seconds or time.monotonic() - start > 3 * seconds:
                return  # all sent, or so far behind that the machine, not the code, is measured
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            began = time.monotonic()
            try:
                status = kiosk.scan()
            except Exception:  # noqa: BLE001
                status = 0
            elapsed = (time.monotonic() - began) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors[0] += 1
            n += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(kiosks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


class CpuMeter:
    """CPU seconds spent by the server's processes and, on PostgreSQL, the database's, and how busy the whole
    machine was (/proc, Linux): on a small machine the database, the kiosks and the server share the cores,
    and a rate that does not rise with processes may only mean the machine is full."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, server: LiveServer, database_user: str | None):
        self.server_pid, self.database_uid = server.process.pid, None
        if database_user:
            import pwd

            self.database_uid = pwd.getpwnam(database_user).pw_uid
        self.server = self.database = self.busy = self.total = 0.0

    def _read(self) -> tuple[float, float, float, float]:
        server = database = 0.0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                fields = open(f"/proc/{entry.name}/stat").read().rsplit(")", 1)[1].split()
                uid = entry.stat().st_uid
            except OSError:
                continue
            used = (int(fields[11]) + int(fields[12])) / self.TICK
            if int(fields[1]) == self.server_pid:
                server += used
            elif self.database_uid is not None and uid == self.database_uid:
                database += used
        times = [int(v) for v in open("/proc/stat").readline().split()[1:8]]
        return server, database, (sum(times) - times[3] - times[4]) / self.TICK, sum(times) / self.TICK

    def __enter__(self):
        self._start = self._read()
        return self

    def __exit__(self, *_exc):
        end = self._read()
        self.server += end[0] - self._start[0]
        self.database += end[1] - self._start[1]
        self.busy += end[2] - self._start[2]
        self.total += end[3] - self._start[3]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def scratch_postgres(url: str) -> tuple[str, callable]:
    """A scratch database on the PostgreSQL server `url` names, and how to drop it."""
    import psycopg2

    name = f"bench_scan_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(url)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        admin.cursor().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                               "AND pid <> pg_backend_pid()", (name,))
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()

    return f"{url.rsplit('/', 1)[0]}/{name}", drop


def slow_flush(folder: Path, flush_ms: float) -> dict:
    """The environment that makes both servers' fsyncs take `flush_ms` more (bench/slow_flush.c), {} for none."""
    if not flush_ms:
        return {}
    import subprocess

    library = folder / "slow_flush.so"
    if not library.exists():
        subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(library), str(ROOT / "bench" / "slow_flush.c"),
                        "-ldl"], check=True)
    return {"LD_PRELOAD": str(library), "BENCH_FLUSH_US": str(int(flush_ms * 1000))}


def measure(args, url: str, ref_url: str, folder: Path, workers: int, pools, ref_pools, tokens) -> dict:
    """One process count: the bare reference and the kiosk, alternating, then latency on the kiosk."""
    threads = args.kiosks + 8
    env = slow_flush(folder, args.flush_ms)
    server = LiveServer(url, folder / f"instance-{workers}", workers=workers, threads=threads, env=env).start()
    reference = LiveServer(ref_url, folder / f"reference-{workers}", workers=workers, threads=threads,
                           app="bench.scan_reference:app", env=env).start()
    try:
        def make_kiosks(target: LiveServer, cards, seed_base: int) -> list[Kiosk]:
            made = []
            for index in range(args.kiosks):
                station = STATIONS[index % len(STATIONS)]
                made.append(Kiosk(target, station, cards[station][index // len(STATIONS)],
                                  f"W{index % 10 + 1:03d}", seed_base + index, tokens[index]))
            return made

        kiosks, bare = make_kiosks(server, pools, 1), make_kiosks(reference, ref_pools, 1)
        closed_loop(kiosks, 1.0, "trivial")  # warm up connections and workers
        closed_loop(bare, 1.0, "trivial")
        trivial, trivial_errors = closed_loop(kiosks, args.seconds, "trivial")
        # Reference and kiosk take turns, so a neighbour's load on this shared machine hits both alike.
        scans = limit = scan_errors = limit_errors = 0
        rounds = max(1, args.rounds)
        meter = CpuMeter(server, "postgres" if url.startswith("postgres") else None)
        for _ in range(rounds):
            done, failed = closed_loop(bare, args.seconds / rounds, "scan")
            limit, limit_errors = limit + done, limit_errors + failed
            with meter:
                done, failed = closed_loop(kiosks, args.seconds / rounds, "scan")
            scans, scan_errors = scans + done, scan_errors + failed
        scans_per_s, limit_per_s = scans / args.seconds, limit / args.seconds
        latencies, load_errors = open_loop(kiosks, args.seconds, args.rate)
        half_rate = max(1.0, scans_per_s / 2)
        half, half_errors = open_loop(kiosks, args.seconds, half_rate)
    finally:
        server.stop()
        reference.stop()
    trivial_per_s = trivial / args.seconds
    print(f"{workers} process(es): {scans_per_s:.0f} scans/s vs limit {limit_per_s:.0f}/s (bare server, same "
          f"run) and {trivial_per_s:.0f} trivial requests/s")
    database_cpu = (f", database {1000 * meter.database / max(scans, 1):.2f} ms" if meter.database_uid is not None
                    else "")
    print(f"  CPU a scan: server {1000 * meter.server / max(scans, 1):.2f} ms{database_cpu}; machine "
          f"{100 * meter.busy / max(meter.total, 1e-9):.0f} % busy while scanning")
    print(f"  latency at {args.rate:.0f} scans/s: p50 {statistics.median(latencies):.1f} ms, "
          f"p99 {percentile(latencies, 99):.1f} ms; at {half_rate:.0f}/s (half capacity): "
          f"p50 {statistics.median(half):.1f} ms, p99 {percentile(half, 99):.1f} ms")
    return {
        "workers": workers,
        "scans_per_s": round(scans_per_s, 1),
        "limit_per_s": round(limit_per_s, 1),
        "ratio_to_limit": round(scans_per_s / limit_per_s, 3) if limit_per_s else None,
        "trivial_per_s": round(trivial_per_s, 1),
        "ratio": round(scans_per_s / trivial_per_s, 3) if trivial_per_s else None,
        "load_per_s": args.rate,
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "half_load_per_s": round(half_rate, 1),
        "p50_half_ms": round(statistics.median(half), 2),
        "p99_half_ms": round(percentile(half, 99), 2),
        # where a scan's CPU goes, while the kiosks scan as fast as they can, and how full the machine was
        "server_cpu_ms": round(1000 * meter.server / scans, 2) if scans else None,
        "db_cpu_ms": round(1000 * meter.database / scans, 2) if scans and meter.database_uid is not None else None,
        "machine_busy": round(meter.busy / meter.total, 2) if meter.total else None,
        "errors": scan_errors + trivial_errors + load_errors + half_errors,
        "limit_errors": limit_errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="reference/kiosk turns the capacity time is cut into")
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--kiosks", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[2],
                        help="gunicorn processes, the kiosk's and the reference's alike; several counts measure "
                             "each (the server's default, gunicorn.conf.py, is 2)")
    parser.add_argument("--flush-ms", type=float, default=0,
                        help="SQLite: each fsync of both servers takes this much longer, as on a disk without a "
                             "write cache (bench/slow_flush.c; this machine's flushes take about 0.1 ms)")
    parser.add_argument("--database-url", default=None,
                        help="default: a fresh SQLite file; postgresql://... makes a scratch database there")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: still stop the servers, drop the database

    folder = Path(tempfile.mkdtemp(prefix="bench-scan-"))
    drop = None
    if args.database_url and args.database_url.startswith("postgres"):
        url, drop = scratch_postgres(args.database_url)
        ref_url = url
    else:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        ref_url = f"sqlite:///{folder}/reference.sqlite3"
    per_run = int(args.seconds * 2500 / args.kiosks) + int(args.seconds * (args.rate + 1500) / args.kiosks) + 200
    try:
        pools, tokens = seed(url, args.kiosks, per_run * len(args.workers))
        ref_pools = {station: [list(cards) for cards in lists] for station, lists in pools.items()}
        from bench import scan_reference

        scan_reference.create_schema([code for lists in ref_pools.values() for cards in lists for code in cards],
                                     ref_url)
        runs = [measure(args, url, ref_url, folder, workers, pools, ref_pools, tokens) for workers in args.workers]
        database = db.open_database(url)
        with database.connection_context():
            from peewee import fn

            from db.models import ScanEvent

            mix = dict(ScanEvent.select(ScanEvent.outcome, fn.COUNT(ScanEvent.id))
                       .group_by(ScanEvent.outcome).tuples())
        database.close()
    finally:
        if drop:
            drop()
    print(f"recorded outcomes (a realistic mix, not all green): {mix}")
    result = {"kiosks": args.kiosks, "db": "sqlite" if url.startswith("sqlite") else "postgresql",
              **({"flush_ms": args.flush_ms} if args.flush_ms else {}), **runs[0]}
    if len(runs) > 1:
        result["scans_per_s_by_workers"] = {str(run["workers"]): run["scans_per_s"] for run in runs}
        result["limit_per_s_by_workers"] = {str(run["workers"]): run["limit_per_s"] for run in runs}
        result["machine_busy_by_workers"] = {str(run["workers"]): run["machine_busy"] for run in runs}
        result["errors"] = sum(run["errors"] for run in runs)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
