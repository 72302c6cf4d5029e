"""Board benchmark: a plant with 2,000 open orders and 1,000,000 scan events (SQLite).

Measures (1) the order board's server render time (GET /board through the Flask app, median of
repeated requests; the first, cold one is printed too) and (2) the latency from a scan's HTTP
answer (POST /api/scan on a real gunicorn, two worker processes) to its row arriving on 100
connected SSE clients (threads reading raw HTTP streams). Prints figures; the last line is JSON.

Usage: .venv/bin/python bench/board.py [--orders 2000] [--events 1000000] [--clients 100] [--scans 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from db.models import (  # noqa: E402
    Carton,
    Customer,
    JobCard,
    Order,
    OrderLine,
    Product,
    ScanEvent,
    Station,
    Worker,
    utcnow,
)
from db.schema import migrate  # noqa: E402
from kiosk.eventlog import board_counts  # noqa: E402

CHUNK = 1_000  # rows per INSERT (SQLite allows 32,766 parameters; events have 16 columns)
PER_TRANSACTION = 50_000


def insert(model, fields, rows) -> None:
    for start in range(0, len(rows), PER_TRANSACTION):
        with db.database.atomic():
            block = rows[start:start + PER_TRANSACTION]
            for at in range(0, len(block), CHUNK):
                model.insert_many(block[at:at + CHUNK], fields=fields).execute()


def seed(orders: int, events: int, rng: random.Random) -> dict:
    from kiosk.core import plant
    from kiosk.demo import seed_plant

    seed_plant()
    customers = [c.id for c in Customer.select()]
    products = list(Product.select())
    stations = {s.code: s for s in Station.select()}
    workers = [w.id for w in Worker.select()]
    routes = {p.route_id: plant.route_stations(p.route_id) for p in products}
    today = dt.date.today()
    now = utcnow()

    insert(Order, [Order.number, Order.customer, Order.due_date, Order.rush, Order.status, Order.released_at],
           [(f"B{n:06d}", rng.choice(customers), today + dt.timedelta(days=rng.randint(-5, 40)), rng.random() < .1,
             "in_production", now) for n in range(1, orders + 1)])
    order_ids = [o for (o,) in Order.select(Order.id).tuples()]
    lines = []
    for order_id in order_ids:
        for line_no in range(1, rng.choice([1, 2, 2, 3]) + 1):
            lines.append((order_id, line_no, rng.choice(products).id, rng.randint(2, 20)))
    insert(OrderLine, [OrderLine.order, OrderLine.line_no, OrderLine.product, OrderLine.quantity], lines)
    product_route = {p.id: p.route_id for p in products}
    cards = []
    for line_id, product_id, quantity in OrderLine.select(OrderLine.id, OrderLine.product, OrderLine.quantity).tuples():
        route = product_route[product_id]
        next_seq = rng.randint(0, len(routes[route]))
        cards.append((f"BC{line_id:07d}", line_id, route, quantity, next_seq,
                      "done" if next_seq >= len(routes[route]) else "open"))
    insert(JobCard, [JobCard.code, JobCard.order_line, JobCard.route, JobCard.units, JobCard.next_seq, JobCard.status],
           cards)
    packing_at = {route: [s.code for s in stations_].index("packing") for route, stations_ in routes.items()}
    cartons = []
    card_rows = list(JobCard.select(JobCard.id, JobCard.order_line, JobCard.route, JobCard.units, JobCard.next_seq)
                     .tuples())
    for card_id, line_id, route, units, next_seq in card_rows:
        if next_seq > packing_at[route]:
            past = next_seq - packing_at[route]  # 1 packed, 2 stored, 3 loaded
            status = ("packed", "in_warehouse", "loaded")[min(past, 3) - 1]
            for unit in range(1, units + 1):
                cartons.append((f"BX{card_id:07d}{unit:03d}", card_id, line_id, unit, 1, 1, status))
    insert(Carton, [Carton.code, Carton.job_card, Carton.order_line, Carton.unit_no, Carton.package_no,
                    Carton.packages, Carton.status], cartons)

    # The log: a year of scans, spread evenly, most accepted, some rejected or duplicate.
    stations_list = list(stations.values())
    card_ids = [c[0] for c in card_rows]
    card_order = dict(JobCard.select(JobCard.id, OrderLine.order).join(OrderLine).tuples())
    actions = {"process": "pass", "qc": "qc_pass", "packing": "pack", "warehouse": "store", "loading": "load"}
    fields = [ScanEvent.idem_key, ScanEvent.at, ScanEvent.station, ScanEvent.worker, ScanEvent.code,
              ScanEvent.action, ScanEvent.outcome, ScanEvent.units, ScanEvent.order, ScanEvent.job_card,
              ScanEvent.detail]
    span = dt.timedelta(days=365).total_seconds()
    start = now - dt.timedelta(days=365)
    batch = []
    for n in range(events):
        station = rng.choice(stations_list)
        card = rng.choice(card_ids)
        roll = rng.random()
        outcome = "ok" if roll < .9 else ("rejected" if roll < .95 else "duplicate")
        action = actions[station.kind] if outcome == "ok" else "scan"
        detail = None
        if action == "qc_pass" and rng.random() < .08:
            action, outcome = "qc_fail", "warning"
            detail = {"failed_units": 1, "defect": rng.choice(["Scratch", "Dent", "Paint run"])}  # a JSONField
        batch.append((f"bench-{n:08d}", start + dt.timedelta(seconds=span * n / events), station.id,
                      rng.choice(workers), f"BC{card:07d}", action, outcome,
                      rng.randint(1, 20) if outcome in ("ok", "warning") else 0, card_order[card], card, detail))
        if len(batch) >= PER_TRANSACTION:
            insert(ScanEvent, fields, batch)
            batch = []
    insert(ScanEvent, fields, batch)
    waiting = [code for code, route, next_seq in
               JobCard.select(JobCard.code, JobCard.route, JobCard.next_seq).where(JobCard.status == "open").tuples()
               if next_seq == 0]
    # The rows above were written straight into the tables, not by scans: the board's kept figures
    # (db/models.BoardCount, kept by every scan) are filled once from them, as the schema migration does.
    started = time.perf_counter()
    with db.database.atomic():
        board_counts.refresh_all()
    fill_s = time.perf_counter() - started
    return {"orders": len(order_ids), "cartons": len(cartons), "cards_at_whitebody": waiting, "fill_s": fill_s}


def measure_render(url: str, repeats: int) -> tuple[float, float, float]:
    """(median ms computing the figures afresh, median ms with the figures cached, median CPU ms of this
    process for a render computing them afresh) for GET /board."""
    from kiosk import create_app
    from kiosk.boards import live
    from kiosk.people import users

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    client = app.test_client()
    with db.database.connection_context():
        user = users.create_user("benchclerk", "Bench", "clerk", "bench-password-123")
    with client.session_transaction() as session:
        session["user_id"] = user.id
        session["auth"] = users.session_fingerprint(user)

    cpu: list[float] = []

    def timed(fresh: bool) -> float:
        if fresh:
            live.shared.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get("/board")
        assert response.status_code == 200, response.status_code
        if fresh:
            cpu.append((time.process_time() - cpu_started) * 1000)
        return (time.perf_counter() - started) * 1000

    timed(True)  # warm-up: templates compiled, SQLite pages in the cache
    cpu.clear()
    fresh = [timed(True) for _ in range(repeats)]
    cached = [timed(False) for _ in range(repeats)]
    cpu_ms = statistics.median(cpu)  # this process's CPU: what the code costs, whatever the load
    rows = client.get("/board").get_data(as_text=True).count('class="board-row')
    print(f"render /board ({rows} rows on the first page of all open orders): "
          f"figures computed {statistics.median(fresh):.0f} ms (min {min(fresh):.0f}, max {max(fresh):.0f}); "
          f"figures cached {statistics.median(cached):.0f} ms; CPU of a computed render {cpu_ms:.0f} ms; "
          f"load average {_load()}")
    return statistics.median(fresh), statistics.median(cached), cpu_ms


def measure_latency(url: str, instance: Path, clients: int, scans: int, cards: list[str]) -> list[float]:
    from tests.live import LiveServer
    from tests.pages import SseClient, agent_token, display_cookie, post_scan

    with db.database.connection_context():
        # one paired wall screen per client: a screen may hold only MAX_STREAMS_PER_VIEWER streams
        cookies = [display_cookie() for _ in range(clients)]
        token = agent_token("whitebody")
        orders = dict(JobCard.select(JobCard.code, OrderLine.order).join(OrderLine)
                      .where(JobCard.code.in_(cards[:scans])).tuples())
    server = LiveServer(url, instance, workers=2, threads=clients + 20).start()
    latencies: list[float] = []
    readers: list[SseClient] = []
    try:
        for cookie in cookies:
            readers.append(SseClient(f"{server.url}/board/events?view=orders", headers=cookie, timeout=60).start())
        for reader in readers:
            reader.wait_for(lambda e: "connected" in e.comments, timeout=30)
        time.sleep(1)
        for code in cards[:scans]:
            answer = post_scan(server.url, token, "whitebody", code)
            answered = time.monotonic()
            assert answer["outcome"] == "ok", answer
            wanted = f"order-{orders[code]}"
            for reader in readers:
                event = reader.wait_for(lambda e, wanted=wanted: e.event == wanted, timeout=10)
                latencies.append((event.received - answered) * 1000)
            time.sleep(0.3)
    finally:
        for reader in readers:
            reader.close()
        server.stop()
    return latencies


def _load() -> str:
    """The 1-minute load average: the machine is shared, so every figure goes with it."""
    with open("/proc/loadavg") as handle:
        return handle.read().split()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--scans", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="board-bench-"))
    url = f"sqlite:///{folder}/bench.sqlite3"
    database = db.open_database(url)
    migrate(database)
    started = time.perf_counter()
    with database.connection_context():
        seeded = seed(args.orders, args.events, random.Random(args.seed))
        count = ScanEvent.select().count()
    print(f"seeded {seeded['orders']} open orders, {seeded['cartons']} cartons, {count} scan events "
          f"in {time.perf_counter() - started:.0f} s ({folder}); kept board figures filled in "
          f"{seeded['fill_s']:.2f} s; load average {_load()}")

    render_ms, cached_ms, cpu_ms = measure_render(url, args.repeats)
    latencies = sorted(measure_latency(url, folder / "instance", args.clients, args.scans,
                                       seeded["cards_at_whitebody"]))
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(round(0.99 * len(latencies))) - 1)]
    print(f"scan answer -> row on {args.clients} SSE clients, {len(latencies)} arrivals: p50 {p50:.0f} ms, "
          f"p99 {p99:.0f} ms, max {latencies[-1]:.0f} ms")
    print(json.dumps({"open_orders": seeded["orders"], "events": count, "render_ms": round(render_ms, 1),
                      "render_cpu_ms": round(cpu_ms, 1), "load_average": _load(),
                      "counts_fill_s": round(seeded["fill_s"], 2),
                      "render_cached_ms": round(cached_ms, 1),
                      "sse_clients": args.clients, "latency_p50_ms": round(p50, 1), "latency_p99_ms": round(p99, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
