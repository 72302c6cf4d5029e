"""Piece pay benchmark: 200 workers, 30 days, 6 stations, 1,000,000 scan events (SQLite).

Generates a month of the plant's event log directly (passes, QC passes and fails with rework cards,
packing, warehouse-in and loading of cartons, crew passes with uneven shares, supervisor undos) and
rates with day tiers, rework rates, quality deductions and a mid-month rate change. Then:

- ledger_fill_s: filling the pay ledger from that log, as an upgrade does (kiosk/pay/ledger.rebuild; the
  generator writes the log directly, so nothing was kept as it went);
- settle_month_s: the month's settlement (kiosk/pay/settlement.settle), from the ledger;
- my_day_ms_p99: "my day" for random workers and days (kiosk/pay/myday.my_day), 99th percentile;
- mismatches: workers whose settled month total differs from a plain recomputation written here,
  independently, over the generated events (target 0).

Usage: .venv/bin/python bench/piece_pay.py [--events 1000000] [--workers 200] [--days 30] [--my-days 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from db.models import (  # noqa: E402
    Carton,
    Crew,
    CrewMember,
    Customer,
    JobCard,
    Order,
    OrderLine,
    PassShare,
    PayRate,
    Product,
    Route,
    ScanEvent,
    Station,
    Worker,
)
from db.schema import migrate  # noqa: E402

CHUNK = 1_000
PER_TRANSACTION = 50_000
TZ = ZoneInfo("Asia/Shanghai")
STATIONS = ["whitebody", "finishing", "qc", "packing", "warehouse", "loading"]
ACTION = {"whitebody": "pass", "finishing": "pass", "qc": "qc_pass", "packing": "pack", "warehouse": "store",
          "loading": "load"}
MONTH_START = dt.datetime(2026, 11, 1, tzinfo=TZ)  # 30 days, one calendar month


def insert(model, fields, rows) -> None:
    """Plain executemany: each value through its field's conversion (JSON, datetimes), fast enough for 1M rows."""
    if not rows:
        return
    given = {name for row in rows for name in row}
    columns = [f for name, f in model._meta.fields.items() if name != "id" or name in given]
    sql = (f'INSERT INTO "{model._meta.table_name}" ({", ".join(c.column_name for c in columns)}) '
           f'VALUES ({", ".join("?" for _ in columns)})')
    defaults = {c.name: c.default() if callable(c.default) else c.default for c in model._meta.fields.values()}
    for start in range(0, len(rows), PER_TRANSACTION):
        with db.database.atomic():
            cursor = db.database.cursor()
            cursor.executemany(sql, [tuple(column.db_value(row.get(column.name, defaults.get(column.name)))
                                           for column in columns) for row in rows[start:start + PER_TRANSACTION]])


def utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)


class Plant:
    """What the generator made, kept in plain Python for the independent recomputation."""

    def __init__(self):
        self.events = []  # (id, t, station, worker, action, units, failed, crew, card, model, family, cpu, detail)
        self.undone = set()
        self.rates = []  # (station, model, family, unit, carton, tiers, rework, deduct, effective_t)
        self.parent = {}  # rework card -> card
        self.fail_station = {}  # qc_fail event -> the station its failed units go back to


def seed(args, rng: random.Random) -> Plant:
    from kiosk.core import plant as plant_cache
    from kiosk.demo import seed_plant

    seed_plant()
    plant_cache.forget()
    stations = {s.code: s.id for s in Station.select()}
    with db.database.atomic():
        for n in range(11, args.workers + 1):
            Worker.create(badge=f"W{n:03d}", name=f"工人{n:03d}")
    workers = [w.id for w in Worker.select().order_by(Worker.id)][: args.workers]
    per_station = {code: workers[i::len(STATIONS)] for i, code in enumerate(STATIONS)}
    route = Route.get(Route.name == "standard")
    products = [(p.id, p.model_no, p.family, p.cartons_per_unit)
                for p in Product.select().where(Product.route == route)]
    out = Plant()
    start = MONTH_START.timestamp()

    # rates: a family default per station, own rates for three models, tiers, rework, deductions, a change
    def rate(station, model, family, unit, carton=0, tiers=None, rework=0, deduct=100, effective=start - 86400):
        out.rates.append((stations[station], model, family, unit, carton, tiers, rework, deduct, effective))
    for code, unit, carton in (("whitebody", 180, 0), ("finishing", 260, 0), ("qc", 40, 0), ("packing", 30, 15),
                               ("warehouse", 0, 12), ("loading", 0, 10)):
        tiers = [[40, unit + 40], [80, unit + 90]] if code in ("whitebody", "finishing") else None
        rate(code, "", "standard", unit, carton, tiers, rework=unit // 2 if code != "finishing" else 0,
             deduct=100 if code == "whitebody" else 50)
    rate("whitebody", "SF-301", "", 333, 0, [[30, 377]], rework=111, deduct=100)
    rate("finishing", "WD-4", "", 417, 0, None, rework=0, deduct=70)
    rate("packing", "BD-180", "", 55, 21)
    rate("whitebody", "", "standard", 199, 0, [[40, 241]], rework=97, deduct=100, effective=start + 14 * 86400 + 3600)
    with db.database.atomic():
        for s, model, family, unit, carton, tiers, rework, deduct, eff in out.rates:
            PayRate.create(station=s, model_no=model, family=family, unit_fen=unit, carton_fen=carton, tiers=tiers,
                           rework_fen=rework, deduct_percent=deduct, effective_at=utc(eff), created_by="bench")

    # crews at white-body and finishing: three members with uneven shares
    crews = {}
    with db.database.atomic():
        for code in ("whitebody", "finishing"):
            pool = per_station[code]
            crews[code] = []
            for index in range(5):
                members = pool[index * 3:index * 3 + 3]
                shares = [[w, rng.choice([1, 2, 3])] for w in members]
                crew = Crew.create(code=f"CR{code[:2].upper()}{index}", name=f"{code}-{index}")
                for seq, (w, share) in enumerate(shares):
                    CrewMember.create(crew=crew, worker=w, share=share, seq=seq)
                crews[code].append(shares)

    customer = Customer.select().first().id
    order_rows, line_rows = [], []
    orders = max(1, args.events // 600)
    with db.database.atomic():
        for n in range(orders):
            order_rows.append({"number": f"B{n:06d}", "customer": customer, "due_date": dt.date(2026, 12, 1),
                               "status": "in_production"})
    insert(Order, None, order_rows)
    order_ids = [o.id for o in Order.select(Order.id)]
    for n, order_id in enumerate(order_ids):
        product = products[n % len(products)]
        line_rows.append({"order": order_id, "line_no": 1, "product": product[0], "quantity": 100})
    insert(OrderLine, None, line_rows)
    lines = [(line.id, line.product_id) for line in OrderLine.select(OrderLine.id, OrderLine.product)]
    by_product = {p[0]: p for p in products}

    next_card = [JobCard.select().count() + 1]
    next_event = [1]
    card_rows, carton_rows, event_rows, share_rows = [], [], [], []

    def new_card(line_id, units, parent=None, next_seq=0):
        card_id = next_card[0]
        next_card[0] += 1
        card_rows.append({"id": card_id, "code": f"JB{card_id:08d}", "order_line": line_id, "route": route.id,
                          "units": units, "next_seq": next_seq, "status": "open", "parent": parent})
        if parent is not None:
            out.parent[card_id] = parent
        return card_id

    def event(t, station, worker, action, units, card, product, failed=0, crew=None, detail=None, carton=None,
              rework=False):
        event_id = next_event[0]
        next_event[0] += 1
        full = dict(detail or {})
        if crew:
            full["crew"] = crew
            share_rows.extend({"event": event_id, "worker": w, "share": s} for w, s in crew)
        event_rows.append({"id": event_id, "idem_key": f"b-{event_id}", "at": utc(t), "station": stations[station],
                           "worker": worker, "code": f"JB{card:08d}", "action": action, "outcome": "ok",
                           "units": units, "job_card": None if carton else card, "carton": carton,
                           "detail": full or None})
        out.events.append((event_id, t, stations[station], worker, action, units, failed, crew,
                           card, product[1], product[2], product[3], rework))
        if rng.random() < args.undo_rate:  # a supervisor undoes it a little later
            undo_id = next_event[0]
            next_event[0] += 1
            event_rows.append({"id": undo_id, "idem_key": f"undo-{event_id}", "at": utc(t + 120), "station":
                               stations[station], "user": "boss", "code": f"JB{card:08d}", "action": "undo",
                               "outcome": "ok", "units": -units, "reason": "undo",
                               "detail": {"undoes": event_id, "undone_action": action, "why": "bench"}})
            out.undone.add(event_id)
        return event_id

    def passer(code):
        if code in crews and rng.random() < args.crew_rate:
            shares = rng.choice(crews[code])
            return shares[0][0], shares
        return rng.choice(per_station[code]), None

    while next_event[0] <= args.events:
        line_id, product_id = rng.choice(lines)
        product = by_product[product_id]
        units = rng.randint(1, 10)
        card = new_card(line_id, units)
        day = rng.randrange(args.days)
        t = start + day * 86400 + rng.uniform(8, 15) * 3600  # a plant day shift, 08:00 to 15:00 local
        for code in STATIONS[:3]:
            worker, crew = passer(code)
            t += rng.uniform(300, 3000)
            if code == "qc" and rng.random() < args.fail_rate:
                failed = rng.randint(1, units)
                back = rng.choice(["whitebody", "finishing"])
                rework = new_card(line_id, failed, parent=card, next_seq=STATIONS.index(back))
                good = units - failed
                failed_event = event(t, code, worker, "qc_fail", good, card, product, failed=failed,
                                     detail={"failed_units": failed, "defect": "Scratch", "rework_station": back,
                                             "rework_card": f"JB{rework:08d}", "good_units": good})
                out.fail_station[failed_event] = back
                rt = t
                for again in STATIONS[STATIONS.index(back):3]:  # the rework card back through to QC
                    w2, c2 = passer(again)
                    rt += rng.uniform(300, 3000)
                    event(rt, again, w2, ACTION[again], failed, rework, product, crew=c2, rework=True)
                units = good
                if units == 0:
                    break
            else:
                event(t, code, worker, ACTION[code], units, card, product, crew=crew)
        if units == 0:
            continue
        t += rng.uniform(300, 3000)
        event(t, "packing", rng.choice(per_station["packing"]), "pack", units, card, product)
        carton_id = len(carton_rows) + 1
        carton_rows.append({"id": carton_id, "code": f"CB{carton_id:08d}", "job_card": card, "order_line": line_id,
                            "unit_no": 1, "package_no": 1, "packages": 1})
        for code in ("warehouse", "loading"):
            t += rng.uniform(300, 3000)
            event(t, code, rng.choice(per_station[code]), ACTION[code], 1, card, product, carton=carton_id)
    # The log is appended as things happen: ids follow time, as in a plant (and as the indexes expect).
    event_rows.sort(key=lambda row: (row["at"], row["id"]))
    final = {row["id"]: index for index, row in enumerate(event_rows, start=1)}
    for row in event_rows:
        row["id"] = final[row["id"]]
        if row["action"] == "undo":
            row["detail"]["undoes"] = final[row["detail"]["undoes"]]
            row["idem_key"] = f"undo-{row['detail']['undoes']}"
        else:
            row["idem_key"] = f"b-{row['id']}"
    for row in share_rows:
        row["event"] = final[row["event"]]
    out.events = [(final[e[0]], *e[1:]) for e in out.events]
    out.undone = {final[i] for i in out.undone}
    out.fail_station = {final[i]: back for i, back in out.fail_station.items()}
    insert(JobCard, None, card_rows)
    insert(Carton, None, carton_rows)
    insert(ScanEvent, None, event_rows)
    insert(PassShare, None, share_rows)
    db.database.execute_sql("ANALYZE")
    db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    out.event_count = len(event_rows)
    return out


# -- the plain recomputation (independent of kiosk/pay) ----------------------------------------------


def largest_remainder(amount: int, weights: list[int]) -> list[int]:
    negative = amount < 0
    amount = abs(amount)
    total = sum(weights)
    exact = [(amount * w, i) for i, w in enumerate(weights)]
    parts = [e // total for e, _ in exact]
    rest = amount - sum(parts)
    ranked = sorted(range(len(weights)), key=lambda i: (-(exact[i][0] % total), i))
    for i in ranked[:rest]:
        parts[i] += 1
    return [-p for p in parts] if negative else parts


def recompute(plant: Plant) -> dict[int, int]:
    def rate_at(station, model, family, t):
        best = None
        for row in plant.rates:
            if row[0] == station and row[1] == model and model and row[8] <= t:
                if best is None or row[8] >= best[8]:
                    best = row
        if best is not None:
            return best
        for row in plant.rates:
            if row[0] == station and not row[1] and row[2] == family and row[8] <= t:
                if best is None or row[8] >= best[8]:
                    best = row
        return best

    def unit_price(rate, nth):
        price = rate[3]
        for after, fen in sorted(rate[5] or []):
            if nth > after:
                price = fen
        return price

    totals: dict[int, int] = {}
    count: dict[tuple, int] = {}
    group_total: dict[tuple, int] = {}  # (party, day, station, model, rework) -> fen, split once per group
    by_card: dict[int, list] = {}
    earning = {"pass", "qc_pass", "qc_fail", "pack", "store", "load"}
    for e in sorted(plant.events, key=lambda e: (e[1], e[0])):
        event_id, t, station, worker, action, units, failed, crew, card, model, family, cpu, rework = e
        by_card.setdefault(card, []).append(e)
        if event_id in plant.undone:
            continue
        rate = rate_at(station, model, family, t)
        party = tuple((w, s) for w, s in crew) if crew else ((worker, 1),)
        if action in ("store", "load"):
            n_units, cartons = 0, 1
        else:
            n_units = units + (failed if action == "qc_fail" else 0)
            cartons = n_units * cpu
        day = dt.datetime.fromtimestamp(t, TZ).date()
        if rate is None:
            amount = 0
        elif rework:
            amount = n_units * rate[6]
        else:
            tier_key = (party, station, model, day)
            done = count.get(tier_key, 0)
            amount = sum(unit_price(rate, done + k + 1) for k in range(n_units)) + cartons * rate[4]
            count[tier_key] = done + n_units
        group = (party, day, station, model, rework)
        group_total[group] = group_total.get(group, 0) + amount
    for (party, *_rest), amount in group_total.items():
        for (w, _s), part in zip(party, largest_remainder(amount, [s for _, s in party]), strict=True):
            totals[w] = totals.get(w, 0) + part
    stations = {s.code: s.id for s in Station.select()}
    for e in plant.events:
        event_id, t, station, worker, action, units, failed, crew, card, model, family, cpu, rework = e
        if action != "qc_fail" or event_id in plant.undone:
            continue
        back = stations[plant.fail_station[event_id]]
        culprit, look = None, card
        while look is not None and culprit is None:
            candidates = [p for p in by_card.get(look, []) if p[2] == back and p[0] < event_id
                          and p[0] not in plant.undone and p[4] in earning]
            if candidates:
                culprit = max(candidates, key=lambda p: p[0])
            look = plant.parent.get(look)
        if culprit is None:
            continue
        rate = rate_at(culprit[2], culprit[9], culprit[10], culprit[1])
        if rate is None or rate[7] == 0:
            continue
        per_unit = rate[6] if culprit[12] else rate[3] + culprit[11] * rate[4]
        amount = (failed * per_unit * rate[7] + 50) // 100
        earners = [[w, s] for w, s in culprit[7]] if culprit[7] else [[culprit[3], 1]]
        for (w, _s), part in zip(earners, largest_remainder(-amount, [s for _, s in earners]), strict=True):
            totals[w] = totals.get(w, 0) + part
    return totals


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--my-days", type=int, default=300)
    parser.add_argument("--undo-rate", type=float, default=0.01)
    parser.add_argument("--crew-rate", type=float, default=0.15)
    parser.add_argument("--fail-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = tempfile.mkdtemp(prefix="piece-pay-")
    db.open_database(f"sqlite:///{folder}/bench.sqlite3")
    migrate(db.database.obj)
    db.database.connect(reuse_if_open=True)
    began = time.perf_counter()
    plant = seed(args, rng)
    print(f"generated {plant.event_count} events in {time.perf_counter() - began:.1f} s", flush=True)

    from kiosk.pay import ledger, settlement
    from kiosk.pay.myday import my_day

    began = time.perf_counter()
    ledger.rebuild()
    fill_s = time.perf_counter() - began
    print(f"ledger filled from the log in {fill_s:.1f} s", flush=True)
    day = MONTH_START.date()
    began = time.perf_counter()
    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx("settlement.settle('month', day)", globals(), locals(), "/tmp/pay.prof")
        pstats.Stats("/tmp/pay.prof").sort_stats("cumulative").print_stats(25)
        began = time.perf_counter()
    month = settlement.settle("month", day)
    settle_s = time.perf_counter() - began
    print(f"month settled in {settle_s:.2f} s: {len(month.workers)} workers, {month.total / 100:.2f} yuan", flush=True)

    expected = recompute(plant)
    mismatches = sum(1 for w in set(expected) | set(month.workers)
                     if expected.get(w, 0) != (month.workers[w].total if w in month.workers else 0))
    print(f"plain recomputation: {len(expected)} workers, {sum(expected.values()) / 100:.2f} yuan; "
          f"{mismatches} mismatches", flush=True)

    workers = list(Worker.select().order_by(Worker.id))[: args.workers]
    timings = []
    for _ in range(args.my_days):
        worker = rng.choice(workers)
        when = day + dt.timedelta(days=rng.randrange(args.days))
        began = time.perf_counter()
        my_day(worker, when)
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"my day: p50 {timings[len(timings) // 2]:.1f} ms, p99 {p99:.1f} ms over {len(timings)} calls", flush=True)
    print(json.dumps({"workers": len(workers), "events": plant.event_count, "ledger_fill_s": round(fill_s, 1),
                      "settle_month_s": round(settle_s, 2),
                      "my_day_ms_p99": round(p99, 1), "mismatches": mismatches}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
