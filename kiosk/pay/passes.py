"""What passes earn: each accepted pass counted into its *group*, and a group priced by the rates.

- A pass earns per unit (with the day's tiers, counted per worker or crew, station and product) plus per
  carton (units x the product's packages). A pass on a rework card earns the rate's rework amount per
  unit, or nothing when that is 0. A QC verdict pays the inspector for the failed units too.
- Passes are summed per group: one party (a worker, or a crew with its shares), one plant day, one station,
  one product, rework apart; within a group, per rate in force when scanned (a rate change mid-day).
  A crew's group amount is split by the crew's shares, to the fen (kiosk/pay/money.split), so the
  members' parts always add up to what the crew earned.
- An undone scan earns nothing.

The same counting serves the kept ledger (kiosk/pay/ledger.py), a worker's day and a recomputation from the
log, so they cannot disagree. No Flask here.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from kiosk.pay.logrows import Products, crew_of, facts
from kiosk.pay.money import split
from kiosk.pay.paydays import DayOf, Locks, as_datetime
from kiosk.pay.rates import RateBook, tiered_amount

# A group: (party, day, station_id, model_no, family, rework); party is ((worker_id, share), ...).
# A cell of a group: {rate_id: [units, cartons, passes]}, rate_id 0 when no rate was in force.


@dataclass(slots=True)
class Line:
    """One worker's part of one group of passes, of a deduction or of an adjustment."""

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
    culprit_id: int | None = None  # a deduction's pass


class RateWindow:
    """Which rate was in force for a scan, found quickly for many: between two times at which any rate
    takes effect nothing changes, so the rate is looked up once per product and stretch."""

    def __init__(self, book: RateBook, as_text: bool):
        self.book = book
        self.times = sorted(set(book.times()))
        self.keys = [str(at) if as_text else at for at in self.times]  # SQLite keeps datetimes as ISO text
        self.found: dict = {}

    def rate_id(self, station: int, model: str, family: str, scan_at) -> int:
        segment = bisect.bisect_right(self.keys, scan_at) if self.keys else 0
        key = (station, model, family, segment)
        found = self.found.get(key)
        if found is None:
            at = self.times[segment - 1] if segment else dt.datetime(1970, 1, 1)
            rate = self.book.find(station, model, family, at)
            found = self.found[key] = rate.id if rate is not None else 0
        return found


@dataclass
class Counted:
    """Passes counted per group and rate, and (when asked to keep them) each pass with its place."""

    groups: dict = field(default_factory=dict)  # group -> {rate_id: [units, cartons, passes]}
    scans: list = field(default_factory=list)  # (row, group, rate_id, units, cartons)


def count_passes(rows, book: RateBook, undone: set[int], locks: Locks, start_day: dt.date | None = None,
                 end_day: dt.date | None = None, keep: bool = False, products: Products | None = None) -> Counted:
    """Count raw pass rows (kiosk/pay/logrows.raw_rows) into their groups: the hot loop of a rebuild, one
    pass over plain tuples with lookups kept local."""
    as_text = bool(rows) and isinstance(rows[0][1], str)
    window = RateWindow(book, as_text)
    products = products or Products.of_rows(rows)
    cards, cartons_of = products.cards.get, products.cartons.get
    day_of = DayOf()
    counted = Counted()
    found = counted.groups
    locked = bool(locks.periods)
    solo: dict = {}
    for row in rows:
        event_id, at, scanned, station, worker, action, units, detail, card, carton, *_more = row
        if event_id in undone:
            continue
        info = cards(card) if card is not None else (cartons_of(carton) if carton is not None else None)
        if info is None:
            continue
        scan_at = at if scanned is None else scanned
        day = locks.pay_day_of(as_datetime(at), as_datetime(scanned)) if locked and scanned else day_of(scan_at)
        if (start_day is not None and day < start_day) or (end_day is not None and day >= end_day):
            continue
        party = _party(detail, worker, solo)
        if party is None:
            continue
        n_units, cartons = _counts(action, units, detail, info[2])
        key = (party, day, station, info[0], info[1], info[3])
        rate_id = window.rate_id(station, info[0], info[1], scan_at)
        cells = found.get(key)
        if cells is None:
            cells = found[key] = {}
        cell = cells.get(rate_id)
        if cell is None:
            cells[rate_id] = [n_units, cartons, 1]
        else:
            cell[0] += n_units
            cell[1] += cartons
            cell[2] += 1
        if keep:
            counted.scans.append((row, key, rate_id, n_units, cartons))
    return counted


def _party(detail, worker, solo: dict):
    """((worker_id, share), ...) who earn by a pass: the crew of a crew's scan, else the worker alone."""
    if detail is not None and (not isinstance(detail, str) or '"crew"' in detail):
        crew = crew_of(detail)
        if crew:
            return crew
    if worker is None:
        return None
    party = solo.get(worker)
    if party is None:
        party = solo[worker] = ((worker, 1),)
    return party


def _counts(action: str, units: int, detail, packages: int) -> tuple[int, int]:
    """Units and cartons one pass earns by."""
    if action == "store" or action == "load":
        return 0, 1
    if action == "qc_fail" or action == "qc_scrap":  # the inspector inspected the failed units too
        known = facts(detail)
        units += int(known.get("failed_units") or known.get("scrapped_units") or 0)
    return units, units * packages


def _in_order(cells: dict, book: RateBook) -> list:
    """A group's cells in the order its rates were in force (no rate first)."""
    if len(cells) == 1:
        return list(cells.items())

    def order(item):
        rate = book.by_id.get(item[0]) if item[0] else None
        return (0,) if rate is None else (1, *rate.order)
    return sorted(cells.items(), key=order)


def group_amount(group, cells: dict, book: RateBook) -> tuple[int, bool]:
    """What one group earned (fen), and whether every part of it had a rate."""
    rework = group[5]
    if len(cells) == 1:  # most groups: one rate all day
        [(rate_id, (units, cartons, _passes))] = cells.items()
        rate = book.by_id.get(rate_id) if rate_id else None
        if rate is None:
            return 0, False
        if rework:
            return units * rate.rework_fen, True
        return tiered_amount(rate, 0, units) + cartons * rate.carton_fen, True
    done = amount = 0
    priced = True
    for rate_id, (units, cartons, _passes) in _in_order(cells, book):
        rate = book.by_id.get(rate_id) if rate_id else None
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


def group_lines(group, cells: dict, book: RateBook, member: int | None = None) -> list[Line]:
    """Each member's line of one group (only `member`'s, by place in the party, when given)."""
    party, day, station, model, _family, rework = group
    if len(cells) == 1:
        [(units, cartons, passes)] = cells.values()
    else:
        units, cartons, passes = (sum(cell[i] for cell in cells.values()) for i in range(3))
    if passes <= 0:
        return []  # every pass of it was undone
    amount, priced = group_amount(group, cells, book)
    if rework:
        cartons = 0
    if len(party) == 1:
        if member:
            return []
        return [Line(party[0][0], day, "pass", amount, None, None, station, model, units, cartons, rework, "", "",
                     priced, passes)]
    parts = split(amount, [share for _w, share in party])
    return [Line(worker, day, "pass", part, None, None, station, model, units, cartons, rework, "", "", priced,
                 passes)
            for index, ((worker, _share), part) in enumerate(zip(party, parts, strict=True))
            if member is None or index == member]


def pass_lines(groups: dict, book: RateBook) -> list[Line]:
    return [line for group, cells in groups.items() for line in group_lines(group, cells, book)]


def scan_amounts(counted: Counted, book: RateBook) -> dict[int, int]:
    """Each kept scan's own amount (for a crew: the crew's), in scan order: what "my day" lists."""
    done: dict = {}
    found = {}
    for row, group, rate_id, units, cartons in sorted(counted.scans, key=lambda s: (str(s[0][2] or s[0][1]),
                                                                                    s[0][0])):
        rework = group[5]
        rate = book.by_id.get(rate_id) if rate_id else None
        if rate is None:
            found[row[0]] = 0
            if not rework:
                done[group] = done.get(group, 0) + units
            continue
        if rework:
            found[row[0]] = units * rate.rework_fen
            continue
        before = done.get(group, 0)
        found[row[0]] = tiered_amount(rate, before, units) + cartons * rate.carton_fen
        done[group] = before + units
    return found
