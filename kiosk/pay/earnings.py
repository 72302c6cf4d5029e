"""Pay from the event log: every accepted pass earns the rate in force when it was scanned.

The log is the only source: nothing about pay is stored with a scan, so a settlement is always a
recomputation (and a locked period keeps the totals its approver saw, kiosk/pay/settlement.py).

- A pass earns per unit (with the day's tiers, counted per worker or crew, station and rate) plus per
  carton (units x the product's packages). A pass on a rework card earns the rate's rework amount per
  unit, or nothing when that is 0.
- A crew's pass is split by the crew's shares, to the fen (kiosk/pay/money.split).
- An undone scan earns nothing; an undone failure deducts nothing.
- Quality deductions: units QC (or any station) sends back or scraps cost the worker who passed them at
  the responsible station the rate's `deduct_percent` of those units' pay, split like that pass was.
No Flask here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field

from db import database
from db.models import PayAdjustment, PayPeriod
from kiosk.clock import PLANT_TZ
from kiosk.pay.money import percent_of, split
from kiosk.pay.rates import RateBook, tiered_amount

EARNING_ACTIONS = ("pass", "qc_pass", "qc_fail", "pack", "store", "load")
CARTON_ACTIONS = ("store", "load")  # one carton per scan
FAULT_ACTIONS = ("qc_fail", "send_back", "scrap")  # units failed: the passer at the responsible station pays
MAX_LATE = dt.timedelta(days=8)  # offline scans arrive at most 7 days late (kiosk/scans.py MAX_CLOCK_SKEW)

_COLUMNS = """e.id, e.at, e.scanned_at, e.station_id, e.worker_id, e.action, e.units, e.detail, e.code,
 e.job_card_id, p.model_no, p.family, p.cartons_per_unit, jc.parent_id"""
_FROM = """FROM scan_event e
 LEFT JOIN job_card jc ON jc.id = e.job_card_id
 LEFT JOIN carton c ON c.id = e.carton_id
 JOIN order_line ol ON ol.id = COALESCE(jc.order_line_id, c.order_line_id)
 JOIN product p ON p.id = ol.product_id"""


@dataclass(slots=True)
class PayEvent:
    id: int
    at: dt.datetime  # recorded
    scan_at: dt.datetime  # scanned (the rate's time)
    station_id: int
    worker_id: int | None
    action: str
    units: int
    detail: dict
    code: str
    job_card_id: int | None
    model_no: str
    family: str
    cartons_per_unit: int
    rework: bool
    day: dt.date | None = None  # the plant day it is paid on


@dataclass(slots=True)
class Line:
    """One worker's part of one pass, deduction or adjustment."""

    worker_id: int
    day: dt.date
    kind: str  # pass, deduction, adjustment
    amount: int  # fen
    event_id: int | None = None
    at: dt.datetime | None = None
    station_id: int | None = None
    model_no: str = ""
    units: int = 0
    cartons: int = 0
    rework: bool = False
    reason: str = ""
    code: str = ""
    priced: bool = True  # False when no rate was in force (the pass earned 0)


def _dt(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def plant_day(at: dt.datetime) -> dt.date:
    return at.replace(tzinfo=dt.UTC).astimezone(PLANT_TZ).date()


def _rows_to_events(rows) -> list[PayEvent]:
    found = []
    for (eid, at, scanned, station, worker, action, units, detail, code, card, model, family, cpu,
         parent) in rows:
        at = _dt(at)
        found.append(PayEvent(eid, at, _dt(scanned) or at, station, worker, action, units,
                              json.loads(detail) if detail else {}, code, card, model, family, cpu or 1,
                              parent is not None))
    return found


def _placeholders(values) -> str:
    return ", ".join(["%s" if _is_pg() else "?"] * len(values))


def _is_pg() -> bool:
    from db import is_postgres

    return is_postgres()


def _p() -> str:
    return "%s" if _is_pg() else "?"


def load_events(start: dt.datetime, end: dt.datetime, where: str = "", params: tuple = (),
                late: bool = True) -> list[PayEvent]:
    """Accepted earning and fault events scanned before `end` and recorded from `start` (naive UTC), with
    those recorded up to MAX_LATE after `end` when `late` (offline kiosks); plus an optional filter."""
    actions = EARNING_ACTIONS + ("send_back", "scrap")
    p = _p()
    sql = (f"SELECT {_COLUMNS} {_FROM} WHERE e.action IN ({_placeholders(actions)}) "
           f"AND e.outcome IN ({p}, {p}) AND e.at >= {p} AND e.at < {p} "
           f"AND COALESCE(e.scanned_at, e.at) < {p} {where}")
    skew = dt.timedelta(minutes=10)  # a kiosk clock may run a few minutes ahead (kiosk/scans.py)
    cursor = database.execute_sql(sql, (*actions, "ok", "warning", start - skew,
                                        end + (MAX_LATE if late else skew), end, *params))
    return _rows_to_events(cursor.fetchall())


def undone_since(start: dt.datetime) -> set[int]:
    """Ids of scans undone by an undo recorded at or after `start` (an undo comes after its scan)."""
    p = _p()
    cursor = database.execute_sql(
        f"SELECT detail FROM scan_event WHERE action = {p} AND outcome = {p} AND at >= {p}",
        ("undo", "ok", start))
    found = set()
    for (detail,) in cursor.fetchall():
        undoes = (json.loads(detail) if detail else {}).get("undoes")
        if undoes is not None:
            found.add(int(undoes))
    return found


@dataclass
class Locks:
    """Approved periods: a scan that reaches the server after its day was approved is paid on the day it
    arrived, so an approved period never changes."""

    periods: list = field(default_factory=list)  # (start, end, approved_at)

    @classmethod
    def load(cls) -> Locks:
        return cls([(p.start, p.end, p.approved_at) for p in PayPeriod.select()])

    def approved_at(self, day: dt.date) -> dt.datetime | None:
        found = [at for start, end, at in self.periods if start <= day < end]
        return min(found) if found else None

    def pay_day(self, event: PayEvent) -> dt.date:
        day = plant_day(event.scan_at)
        if self.periods:
            approved = self.approved_at(day)
            if approved is not None and event.at > approved:
                return plant_day(event.at)
        return day


def _earners(event: PayEvent) -> list[list[int]]:
    crew = event.detail.get("crew")
    if crew:
        return [[int(w), int(s)] for w, s in crew]
    return [[event.worker_id, 1]] if event.worker_id is not None else []


def _units_and_cartons(event: PayEvent) -> tuple[int, int]:
    if event.action in CARTON_ACTIONS:
        return 0, 1
    units = event.units
    if event.action == "qc_fail":  # the inspector inspected the failed units too
        units += int(event.detail.get("failed_units") or 0)
    return units, units * event.cartons_per_unit


def pass_lines(events: list[PayEvent], book: RateBook, undone: set[int], locks: Locks,
               start_day: dt.date | None = None, end_day: dt.date | None = None) -> list[Line]:
    """Each earner's line for each accepted, not undone pass paid in [start_day, end_day)."""
    lines: list[Line] = []
    done: dict[tuple, int] = defaultdict(int)  # (party, station, rate key, day) -> units so far that day
    chosen = []
    for event in events:
        if event.id in undone or event.action not in EARNING_ACTIONS:
            continue
        event.day = locks.pay_day(event)
        if (start_day and event.day < start_day) or (end_day and event.day >= end_day):
            continue
        chosen.append(event)
    chosen.sort(key=lambda e: (e.scan_at, e.id))
    for event in chosen:
        earners = _earners(event)
        if not earners:
            continue
        units, cartons = _units_and_cartons(event)
        rate = book.find(event.station_id, event.model_no, event.family, event.scan_at)
        if rate is None:
            amount = 0
        elif event.rework:
            amount = units * rate.rework_fen
            cartons = 0
        else:
            party = tuple(sorted(w for w, _ in earners))
            key = (party, event.station_id, rate.key, event.day)
            amount = tiered_amount(rate, done[key], units) + cartons * rate.carton_fen
            done[key] += units
        parts = split(amount, [s for _, s in earners])
        for (worker, _share), part in zip(earners, parts, strict=True):
            lines.append(Line(worker, event.day, "pass", part, event.id, event.scan_at, event.station_id,
                              event.model_no, units, cartons, event.rework, code=event.code,
                              priced=rate is not None))
    return lines


def _responsible_station(event: PayEvent, stations_by_code: dict[str, int]) -> int | None:
    code = event.detail.get("responsible_station") or event.detail.get("rework_station")
    return stations_by_code.get(code) if code else None


def _failed_units(event: PayEvent) -> int:
    return int(event.detail.get("failed_units") or event.detail.get("units") or 0)


def deduction_lines(faults: list[PayEvent], book: RateBook, undone: set[int], locks: Locks,
                    start_day: dt.date | None = None, end_day: dt.date | None = None,
                    find_passes=None) -> list[Line]:
    """Quality deductions for failed or scrapped units, on the workers who passed them where they went wrong."""
    from kiosk import plant

    stations = {s.code: s.id for s in plant.stations()}
    chosen = []
    for event in faults:
        if event.action not in FAULT_ACTIONS or event.id in undone:
            continue
        event.day = locks.pay_day(event)
        if (start_day and event.day < start_day) or (end_day and event.day >= end_day):
            continue
        chosen.append(event)
    if not chosen:
        return []
    passes = (find_passes or responsible_passes)({e.job_card_id for e in chosen if e.job_card_id})
    lines = []
    for event in chosen:
        station = _responsible_station(event, stations)
        failed = _failed_units(event)
        if station is None or failed <= 0:
            continue
        culprit = _culprit(passes, event, station, undone)
        if culprit is None:
            continue
        rate = book.find(culprit.station_id, culprit.model_no, culprit.family, culprit.scan_at)
        if rate is None or rate.deduct_percent == 0:
            continue
        per_unit = rate.rework_fen if culprit.rework else rate.unit_fen + culprit.cartons_per_unit * rate.carton_fen
        amount = percent_of(failed * per_unit, rate.deduct_percent)
        if amount == 0:
            continue
        earners = _earners(culprit)
        reason = str(event.detail.get("defect") or event.detail.get("reason") or "")
        for (worker, _share), part in zip(earners, split(-amount, [s for _, s in earners]), strict=True):
            lines.append(Line(worker, event.day, "deduction", part, event.id, event.scan_at, culprit.station_id,
                              culprit.model_no, failed, 0, culprit.rework, reason=reason, code=event.code))
    return lines


def _culprit(passes: dict[int, list[PayEvent]], fault: PayEvent, station_id: int, undone: set[int]):
    """The last accepted, not undone pass at `station_id` before the fault, on its card or the card it came from."""
    card = fault.job_card_id
    seen = set()
    while card is not None and card not in seen:
        seen.add(card)
        candidates = [p for p in passes.get(card, ()) if p.station_id == station_id and p.id < fault.id
                      and p.id not in undone and p.action in EARNING_ACTIONS]
        if candidates:
            return max(candidates, key=lambda p: p.id)
        card = passes.get(("parent", card))
    return None


def responsible_passes(card_ids: set) -> dict:
    """Accepted passes of these cards and their parent cards: {card_id: [PayEvent]}, {("parent", id): parent}."""
    found: dict = {}
    todo = {c for c in card_ids if c is not None}
    p = _p()
    while todo:
        ids = sorted(todo)
        todo = set()
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            cursor = database.execute_sql(
                f"SELECT {_COLUMNS} {_FROM} WHERE e.job_card_id IN ({_placeholders(chunk)}) "
                f"AND e.action IN ({_placeholders(EARNING_ACTIONS)}) AND e.outcome IN ({p}, {p})",
                (*chunk, *EARNING_ACTIONS, "ok", "warning"))
            for event in _rows_to_events(cursor.fetchall()):
                found.setdefault(event.job_card_id, []).append(event)
            cursor = database.execute_sql(
                f"SELECT id, parent_id FROM job_card WHERE id IN ({_placeholders(chunk)})", tuple(chunk))
            for card, parent in cursor.fetchall():
                if parent is not None:
                    found[("parent", card)] = parent
                    if parent not in found:
                        todo.add(parent)
    return found


def adjustment_lines(start_day: dt.date, end_day: dt.date, worker_id: int | None = None) -> list[Line]:
    query = PayAdjustment.select().where((PayAdjustment.day >= start_day) & (PayAdjustment.day < end_day))
    if worker_id is not None:
        query = query.where(PayAdjustment.worker == worker_id)
    return [Line(a.worker_id, a.day, "adjustment", a.amount_fen, at=a.at, reason=a.reason) for a in query]


def period_lines(start_day: dt.date, end_day: dt.date, book: RateBook | None = None) -> list[Line]:
    """Every worker's lines for the plant days [start_day, end_day)."""
    from kiosk.pay.rates import day_start_utc

    book = book or RateBook()
    start, end = day_start_utc(start_day), day_start_utc(end_day)
    events = load_events(start, end)
    undone = undone_since(start - MAX_LATE)
    locks = Locks.load()
    # A late scan recorded in this period for an approved earlier day is paid here (Locks.pay_day).
    lines = pass_lines(events, book, undone, locks, start_day, end_day)
    lines += deduction_lines(events, book, undone, locks, start_day, end_day)
    lines += adjustment_lines(start_day, end_day)
    return lines


def worker_day_lines(worker_id: int, day: dt.date,
                     book: RateBook | None = None) -> tuple[list[Line], list[PayEvent], set[int]]:
    """One worker's lines for one plant day, their own scans of that day and which were undone ("my day")."""
    from kiosk.pay.rates import day_start_utc

    book = book or RateBook()
    start, end = day_start_utc(day), day_start_utc(day + dt.timedelta(days=1))
    p = _p()
    # the parties this worker earned in: alone, or the crews whose scans they shared (their lead's scans)
    shared = database.execute_sql(
        f"SELECT DISTINCT e.worker_id FROM pass_share s JOIN scan_event e ON e.id = s.event_id "
        f"WHERE s.worker_id = {p} AND e.at >= {p} AND e.at < {p}", (worker_id, start - MAX_LATE, end + MAX_LATE))
    leads = {worker_id} | {row[0] for row in shared.fetchall() if row[0] is not None}
    events = load_events(start, end, f"AND e.worker_id IN ({_placeholders(leads)})", tuple(sorted(leads)))
    undone = undone_since(start - MAX_LATE)
    locks = Locks.load()
    lines = [line for line in pass_lines(events, book, undone, locks, day, day + dt.timedelta(days=1))
             if line.worker_id == worker_id]
    # failures are recorded online (QC needs the server), so no late window for them
    faults = load_events(start, end, f"AND e.action IN ({_placeholders(FAULT_ACTIONS)})", FAULT_ACTIONS,
                         late=False)
    lines += [line for line in deduction_lines(faults, book, undone, locks, day, day + dt.timedelta(days=1))
              if line.worker_id == worker_id]
    lines += adjustment_lines(day, day + dt.timedelta(days=1), worker_id)
    own = [e for e in events if e.worker_id == worker_id or any(w == worker_id for w, _ in _earners(e))]
    for event in own:
        event.day = locks.pay_day(event)
    own = [e for e in own if e.action in EARNING_ACTIONS and e.day == day]
    return lines, sorted(own, key=lambda e: (e.scan_at, e.id)), undone
