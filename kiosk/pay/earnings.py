"""Pay from the event log: every accepted pass earns the rate in force when it was scanned.

The log is the only source: nothing about pay is stored with a scan, so a settlement is always a
recomputation (and a locked period keeps the totals its approver saw, kiosk/pay/settlement.py).

- A pass earns per unit (with the day's tiers, counted per worker or crew, station and product) plus per
  carton (units x the product's packages). A pass on a rework card earns the rate's rework amount per
  unit, or nothing when that is 0.
- Passes are summed per *group*: one worker or crew, one plant day, one station, one product, rework
  apart. A crew's group amount is split by the crew's shares, to the fen (kiosk/pay/money.split), so
  the members' parts always add up to what the crew earned.
- Plant days are whole hours of UTC (the plant's time zone is assumed to be offset by whole hours).
- An undone scan earns nothing; an undone failure deducts nothing.
- Quality deductions: units QC (or any station) sends back or scraps cost the worker who passed them at
  the responsible station the rate's `deduct_percent` of those units' pay, split like that pass was.
No Flask here.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from dataclasses import dataclass, field

from db import database, is_postgres
from db.models import PayAdjustment, PayPeriod
from kiosk.core import plant
from kiosk.core.clock import PLANT_TZ
from kiosk.pay.money import percent_of, split
from kiosk.pay.rates import RateBook, day_start_utc, tiered_amount

EARNING_ACTIONS = ("pass", "qc_pass", "qc_fail", "qc_scrap", "pack", "store", "load")
CARTON_ACTIONS = ("store", "load")  # one carton per scan
# units failed: the worker who passed them at the responsible station pays
FAULT_ACTIONS = ("qc_fail", "qc_scrap", "send_back", "scrap")
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
    passes: int = 0


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
    return is_postgres()


def _p() -> str:
    return "%s" if _is_pg() else "?"


def load_events(start: dt.datetime, end: dt.datetime, where: str = "", params: tuple = (),
                late: bool = True, actions: tuple = FAULT_ACTIONS) -> list[PayEvent]:
    """Accepted events of these actions (failures, by default) scanned before `end` and recorded from `start`
    (naive UTC), with those recorded up to MAX_LATE after `end` when `late` (offline kiosks)."""
    p = _p()
    sql = (f"SELECT {_COLUMNS} {_FROM} WHERE e.action IN ({_placeholders(actions)}) "
           f"AND e.outcome IN ({p}, {p}) AND e.at >= {p} AND e.at < {p} "
           f"AND COALESCE(e.scanned_at, e.at) < {p} {where}")
    skew = dt.timedelta(minutes=10)  # a kiosk clock may run a few minutes ahead (kiosk/scans.py)
    cursor = database.execute_sql(sql, (*actions, "ok", "warning", start - skew,
                                        end + (MAX_LATE if late else skew), end, *params))
    return _rows_to_events(cursor.fetchall())


def undone_of(event_ids) -> set[int]:
    """Which of these scans were undone (by the undo's unique key, one index lookup each)."""
    ids = sorted({int(i) for i in event_ids})
    found = set()
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        keys = [f"undo-{i}" for i in chunk]
        cursor = database.execute_sql(
            f"SELECT idem_key FROM scan_event WHERE idem_key IN ({_placeholders(keys)})", tuple(keys))
        found |= {int(key[5:]) for (key,) in cursor.fetchall()}
    return found


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
        return self.pay_day_of(event.at, event.scan_at)

    def pay_day_of(self, recorded: dt.datetime, scanned: dt.datetime) -> dt.date:
        day = plant_day(scanned)
        if self.periods:
            approved = self.approved_at(day)
            if approved is not None and recorded > approved:
                return plant_day(recorded)
        return day


def _earners(event: PayEvent) -> list[list[int]]:
    crew = event.detail.get("crew")
    if crew:
        return [[int(w), int(s)] for w, s in crew]
    return [[event.worker_id, 1]] if event.worker_id is not None else []


# -- passes, summed per group ----------------------------------------------------------------------

_ROW_COLUMNS = "e.id, e.at, e.scanned_at, e.station_id, e.worker_id, e.action, e.units, e.detail, e.job_card_id, " \
               "e.carton_id, e.code"


class Window:
    """The rate boundaries inside a stretch of time: between two of them no rate changes, so a group's units
    there are priced by one rate whatever their order."""

    def __init__(self, book: RateBook, low: dt.datetime, high: dt.datetime, as_text: bool):
        self.low = low
        self.times = sorted({at for at in book.times() if low < at < high})
        self.keys = [str(at) if as_text else at for at in self.times]  # SQLite keeps datetimes as ISO text

    def segment(self, at) -> int:
        return bisect.bisect_right(self.keys, at) if self.keys else 0

    def time_of(self, segment: int) -> dt.datetime:
        return self.low if segment == 0 else self.times[segment - 1]


class DayOf:
    """Plant day of a recorded time, cached per UTC hour."""

    def __init__(self):
        self.cache: dict = {}

    def __call__(self, at) -> dt.date:
        key = at[:13] if isinstance(at, str) else at.replace(minute=0, second=0, microsecond=0)
        day = self.cache.get(key)
        if day is None:
            hour = dt.datetime.fromisoformat(key + ":00") if isinstance(key, str) else key
            day = self.cache[key] = plant_day(hour)
        return day


class Products:
    """Model, family, packages per unit and rework flag of job cards and cartons, loaded in bulk."""

    def __init__(self, card_ids, carton_ids):
        self.cards: dict[int, tuple] = {}
        self.cartons: dict[int, tuple] = {}
        product = "JOIN order_line ol ON ol.id = {t}.order_line_id JOIN product p ON p.id = ol.product_id"
        for cid, model, family, cpu, parent in _by_ids(
                f"SELECT jc.id, p.model_no, p.family, p.cartons_per_unit, jc.parent_id FROM job_card jc "
                f"{product.format(t='jc')}", "jc.id", card_ids):
            self.cards[cid] = (model, family, cpu or 1, parent is not None)
        for cid, model, family, cpu in _by_ids(
                f"SELECT c.id, p.model_no, p.family, p.cartons_per_unit FROM carton c {product.format(t='c')}",
                "c.id", carton_ids):
            self.cartons[cid] = (model, family, cpu or 1, False)

    def of(self, card, carton):
        if card is not None:
            return self.cards.get(card)
        return self.cartons.get(carton) if carton is not None else None


def _by_ids(select: str, column: str, ids) -> list:
    """Rows of `select` for these ids: one range scan when they are many, a list when they are few."""
    if not ids:
        return []
    p = _p()
    if len(ids) > 2000:
        return database.execute_sql(f"{select} WHERE {column} >= {p} AND {column} <= {p}",
                                    (min(ids), max(ids))).fetchall()
    ids = sorted(ids)
    rows = []
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        rows += database.execute_sql(f"{select} WHERE {column} IN ({_placeholders(chunk)})", tuple(chunk)).fetchall()
    return rows


def _crew_of(detail) -> tuple | None:
    if not detail or '"crew"' not in detail:
        return None
    crew = json.loads(detail).get("crew")
    return tuple((int(w), int(s)) for w, s in crew) if crew else None


def raw_rows(start: dt.datetime, end: dt.datetime, where: str = "", params: tuple = (), late: bool = True,
             by_worker: bool = False):
    """Accepted earning events scanned before `end` and recorded from `start` (and up to MAX_LATE after `end`
    when `late`): plain tuples, as fast as the database hands them over. `by_worker`: `where` names workers,
    whose (worker, at) index is the way in (SQLite would otherwise walk a whole stretch of the log)."""
    p = _p()
    skew = dt.timedelta(minutes=10)
    action = "+e.action" if by_worker and not _is_pg() else "e.action"  # unary + : not by the action index
    sql = (f"SELECT {_ROW_COLUMNS} FROM scan_event e WHERE {action} IN ({_placeholders(EARNING_ACTIONS)}) "
           f"AND e.outcome IN ({p}, {p}) AND e.at >= {p} AND e.at < {p} AND COALESCE(e.scanned_at, e.at) < {p} "
           f"{where}")
    return database.execute_sql(sql, (*EARNING_ACTIONS, "ok", "warning", start - skew,
                                      end + (MAX_LATE if late else skew), end, *params)).fetchall()


@dataclass
class Groups:
    """Units and cartons per group and rate segment: {(party, day, station, model, family, rework): {segment:
    [units, cartons, passes]}}. `party` is ((worker_id, share), ...)."""

    window: Window
    found: dict = field(default_factory=dict)
    scans: list = field(default_factory=list)  # (row, group key, units, cartons) when asked to keep them


def group_rows(rows, book: RateBook, undone: set[int], locks: Locks, low: dt.datetime, high: dt.datetime,
               start_day: dt.date | None, end_day: dt.date | None, keep: bool = False) -> Groups:
    """Sum passes per group. The hot loop of a settlement: one pass over plain tuples, lookups kept local."""
    as_text = bool(rows) and isinstance(rows[0][1], str)
    window = Window(book, low, high, as_text)
    products = Products({r[8] for r in rows if r[8] is not None}, {r[9] for r in rows if r[9] is not None})
    cards, cartons_of = products.cards.get, products.cartons.get
    day_of = DayOf()
    days = day_of.cache
    found: dict = {}
    groups = Groups(window, found)
    segment = window.segment
    has_segments = bool(window.keys)
    locked = bool(locks.periods)
    solo: dict = {}
    for row in rows:
        event_id, at, scanned, station, worker, action, units, detail, card, carton, _code = row
        if event_id in undone:
            continue
        info = cards(card) if card is not None else (cartons_of(carton) if carton is not None else None)
        if info is None:
            continue
        if scanned is None:
            scan_at = at
            day = days.get(at[:13]) if as_text else None
            if day is None:
                day = day_of(at)
        else:
            scan_at = scanned
            day = locks.pay_day_of(_dt(at), _dt(scanned)) if locked else day_of(scanned)
        if (start_day is not None and day < start_day) or (end_day is not None and day >= end_day):
            continue
        if detail is not None and '"crew"' in detail:
            party = _crew_of(detail)
        elif worker is None:
            continue
        else:
            party = solo.get(worker)
            if party is None:
                party = solo[worker] = ((worker, 1),)
        if action == "store" or action == "load":
            n_units, cartons = 0, 1
        else:
            n_units = units
            if action == "qc_fail" or action == "qc_scrap":  # the inspector inspected the failed units too
                facts = json.loads(detail)
                n_units += int(facts.get("failed_units") or facts.get("scrapped_units") or 0)
            cartons = n_units * info[2]
        key = (party, day, station, info[0], info[1], info[3])
        segs = found.get(key)
        if segs is None:
            segs = found[key] = {}
        seg = segment(scan_at) if has_segments else 0
        cell = segs.get(seg)
        if cell is None:
            segs[seg] = [n_units, cartons, 1]
        else:
            cell[0] += n_units
            cell[1] += cartons
            cell[2] += 1
        if keep:
            groups.scans.append((row, key, seg, n_units, cartons))
    return groups


def group_amount(key, segs: dict, book: RateBook, window: Window) -> tuple[int, bool]:
    """What one group earned (fen), and whether every part of it had a rate."""
    _party, _day, station, model, family, rework = key
    done = amount = 0
    priced = True
    for seg in sorted(segs):
        units, cartons, _passes = segs[seg]
        rate = book.find(station, model, family, window.time_of(seg))
        if rate is None:
            priced = False
            if not rework:
                done += units
            continue
        if rework:
            amount += units * rate.rework_fen
        else:
            amount += tiered_amount(rate, done, units) + cartons * rate.carton_fen
            done += units
    return amount, priced


def pass_lines(groups: Groups, book: RateBook) -> list[Line]:
    """Each worker's line for each group: the group's amount split by the party's shares."""
    lines = []
    for key, segs in groups.found.items():
        party, day, station, model, _family, rework = key
        amount, priced = group_amount(key, segs, book, groups.window)
        units = sum(cell[0] for cell in segs.values())
        cartons = 0 if rework else sum(cell[1] for cell in segs.values())
        passes = sum(cell[2] for cell in segs.values())
        parts = split(amount, [share for _w, share in party]) if len(party) > 1 else [amount]
        for (worker, _share), part in zip(party, parts, strict=True):
            lines.append(Line(worker, day, "pass", part, station_id=station, model_no=model, units=units,
                              cartons=cartons, rework=rework, priced=priced, passes=passes))
    return lines


def scan_amounts(groups: Groups, book: RateBook) -> dict[int, int]:
    """Each kept scan's own amount (for a crew: the crew's), in scan order: what "my day" lists."""
    done: dict = {}
    found = {}
    for row, key, seg, units, cartons in sorted(groups.scans, key=lambda s: (str(s[0][2] or s[0][1]), s[0][0])):
        _party, _day, station, model, family, rework = key
        rate = book.find(station, model, family, groups.window.time_of(seg))
        if rate is None:
            found[row[0]] = 0
            continue
        if rework:
            found[row[0]] = units * rate.rework_fen
            continue
        before = done.get(key, 0)
        found[row[0]] = tiered_amount(rate, before, units) + cartons * rate.carton_fen
        done[key] = before + units
    return found


def _responsible_station(event: PayEvent, stations_by_code: dict[str, int]) -> int | None:
    code = event.detail.get("responsible_station") or event.detail.get("rework_station")
    return stations_by_code.get(code) if code else None


def _failed_units(event: PayEvent) -> int:
    detail = event.detail
    return int(detail.get("failed_units") or detail.get("scrapped_units") or detail.get("units") or 0)


def deduction_lines(faults: list[PayEvent], book: RateBook, undone: set[int], locks: Locks,
                    start_day: dt.date | None = None, end_day: dt.date | None = None,
                    find_passes=None) -> list[Line]:
    """Quality deductions for failed or scrapped units, on the workers who passed them where they went wrong."""
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
                f"AND {'e.action' if _is_pg() else '+e.action'} IN ({_placeholders(EARNING_ACTIONS)}) "
                f"AND e.outcome IN ({p}, {p})",  # by the card index, not the action index (SQLite's unary +)
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
    book = book or RateBook()
    start, end = day_start_utc(start_day), day_start_utc(end_day)
    undone = undone_since(start - MAX_LATE)
    locks = Locks.load()
    # A late scan recorded in this period for an approved earlier day is paid here (Locks.pay_day).
    rows = raw_rows(start, end)
    groups = group_rows(rows, book, undone, locks, start - MAX_LATE, end + MAX_LATE, start_day, end_day)
    lines = pass_lines(groups, book)
    faults = load_events(start, end, late=False)  # failures are recorded online: no late window
    lines += deduction_lines(faults, book, undone, locks, start_day, end_day)
    lines += adjustment_lines(start_day, end_day)
    return lines


def worker_day_lines(worker_id: int, day: dt.date, book: RateBook | None = None):
    """One worker's lines for one plant day, their own scans of that day with each one's amount, and which
    scans were undone (for "my day")."""
    book = book or RateBook()
    next_day = day + dt.timedelta(days=1)
    start, end = day_start_utc(day), day_start_utc(next_day)
    p = _p()
    # the parties this worker earned in: alone, or the crews whose scans they shared (their lead's scans)
    shared = database.execute_sql(
        f"SELECT DISTINCT e.worker_id FROM pass_share s JOIN scan_event e ON e.id = s.event_id "
        f"WHERE s.worker_id = {p} AND e.at >= {p} AND e.at < {p}", (worker_id, start - MAX_LATE, end + MAX_LATE))
    leads = {worker_id} | {row[0] for row in shared.fetchall() if row[0] is not None}
    locks = Locks.load()
    rows = raw_rows(start, end, f"AND e.worker_id IN ({_placeholders(leads)})", tuple(sorted(leads)), by_worker=True)
    # failures are recorded online (QC needs the server), so no late window for them
    faults = load_events(start, end, late=False)  # failures are recorded online: no late window
    passes = responsible_passes({e.job_card_id for e in faults if e.job_card_id})
    undone = undone_of([r[0] for r in rows] + [e.id for e in faults]
                       + [e.id for key, found in passes.items() if not isinstance(key, tuple) for e in found])
    groups = group_rows(rows, book, undone, locks, start - MAX_LATE, end + MAX_LATE, day, next_day, keep=True)
    lines = [line for line in pass_lines(groups, book) if line.worker_id == worker_id]
    lines += [line for line in deduction_lines(faults, book, undone, locks, day, next_day,
                                               find_passes=lambda _cards: passes)
              if line.worker_id == worker_id]
    lines += adjustment_lines(day, next_day, worker_id)
    amounts = scan_amounts(groups, book)
    own = []
    for row, key, _seg, units, _cartons in groups.scans:
        party = key[0]
        if not any(w == worker_id for w, _s in party):
            continue
        own.append(OwnScan(row[0], row[10], _dt(row[2] or row[1]), row[3], key[3], units, amounts.get(row[0], 0),
                           len(party) > 1))
    # undone scans stay in the list, marked, so a count can be checked against the cards
    for row in rows:
        if row[0] in undone and (row[4] == worker_id or any(w == worker_id for w, _s in _crew_of(row[7]) or ())):
            own.append(OwnScan(row[0], row[10], _dt(row[2] or row[1]), row[3], "", row[6], None, False, True))
    own.sort(key=lambda s: (s.at, s.id))
    return lines, [s for s in own if not s.undone or plant_day(s.at) == day], undone


@dataclass(slots=True)
class OwnScan:
    id: int
    code: str
    at: dt.datetime
    station_id: int
    model_no: str
    units: int
    amount: int | None  # this scan's own amount (for a crew: the crew's, shared by shares)
    crew: bool
    undone: bool = False
