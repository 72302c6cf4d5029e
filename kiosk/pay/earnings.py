"""Pay lines from the kept ledger (kiosk/pay/ledger.py): every worker's for a period, one worker's for a day
with the list of their own scans, and the same figures recomputed from the raw log (to check the ledger).

A line is one worker's part of one group of passes, of one deduction or of one adjustment
(kiosk/pay/passes.Line). No Flask here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db import database
from kiosk.pay import ledger
from kiosk.pay.deductions import deduction_lines
from kiosk.pay.logrows import (
    EVER,
    Products,
    crew_of,
    load_events,
    p,
    placeholders,
    raw_rows,
    responsible_passes,
    undone_of,
    undone_since,
)
from kiosk.pay.passes import Line, count_passes, group_lines, pass_lines, scan_amounts
from kiosk.pay.paydays import MAX_LATE, Locks, as_date, as_datetime, plant_day
from kiosk.pay.rates import RateBook, day_start_utc

_LEDGER = "party, day, station_id, model_no, family, rework, rate, units, cartons, passes, member"
_DEDUCTIONS = "worker_id, day, amount_fen, fault_id, at, station_id, model_no, units, rework, reason, code, culprit_id"


def _ledger_groups(where: str, params: tuple, member: bool = True) -> list[tuple]:
    """Ledger rows as (group, {rate_id: [units, cartons, passes]}, member), one per group (and member)."""
    rows = database.execute_sql(f"SELECT {_LEDGER} FROM pay_ledger WHERE {where}", params).fetchall()
    found: dict = {}
    for party, day, station, model, family, rework, rate_id, units, cartons, passes, place in rows:
        key = (party, day, station, model, family, rework, place if member else 0)
        cells = found.get(key)
        if cells is None:
            found[key] = {rate_id: [units, cartons, passes]}
        else:
            cells[rate_id] = [units, cartons, passes]
    parties: dict = {}
    days: dict = {}
    groups = []
    for (party, day, station, model, family, rework, place), cells in found.items():
        when = days.get(day)
        if when is None:
            when = days[day] = as_date(day)
        groups.append(((ledger.party_of(party, parties), when, station, model, family, bool(rework)), cells, place))
    return groups


def _deduction_lines(where: str, params: tuple) -> list[Line]:
    rows = database.execute_sql(f"SELECT {_DEDUCTIONS} FROM pay_deduction WHERE {where}", params).fetchall()
    return [Line(worker, as_date(day), "deduction", amount, fault, as_datetime(at), station, model, units, 0,
                 bool(rework), reason=reason, code=code, culprit_id=culprit)
            for worker, day, amount, fault, at, station, model, units, rework, reason, code, culprit in rows]


def adjustment_lines(start_day: dt.date, end_day: dt.date, worker_id: int | None = None) -> list[Line]:
    q = p()
    where, params = f"day >= {q} AND day < {q}", (start_day, end_day)
    if worker_id is not None:
        where, params = f"{where} AND worker_id = {q}", (*params, worker_id)
    rows = database.execute_sql(f"SELECT worker_id, day, amount_fen, at, reason FROM pay_adjustment WHERE {where} "
                                f"ORDER BY id", params).fetchall()
    return [Line(worker, as_date(day), "adjustment", amount, at=as_datetime(at), reason=reason)
            for worker, day, amount, at, reason in rows]


def period_lines(start_day: dt.date, end_day: dt.date, book: RateBook | None = None) -> list[Line]:
    """Every worker's lines for the plant days [start_day, end_day), from the ledger: their passes summed per
    station, product and rework (one line each, dated `start_day`), each deduction and each adjustment."""
    ledger.ensure_filled()
    book = book or RateBook()
    q = p()
    days, by_day = f"day >= {q} AND day < {q} AND member = 0", (start_day, end_day)
    tiered, tiered_params = _tiered_where(book)
    # Day by day (the lead's rows: every member's part) where tiers or a crew's split need the day's group ...
    groups = _ledger_groups(f"{days} AND (party LIKE {q} OR {tiered})", (*by_day, "%,%", *tiered_params),
                            member=False)
    lines = summed_pass_lines(groups, book, start_day)
    # ... and summed over the period by the database where every unit pays the same (a worker alone, no tiers).
    rows = database.execute_sql(
        f"SELECT worker_id, station_id, model_no, family, rework, rate, SUM(units), SUM(cartons), SUM(passes) "
        f"FROM pay_ledger WHERE {days} AND party NOT LIKE {q} AND NOT ({tiered}) "
        f"GROUP BY worker_id, station_id, model_no, family, rework, rate", (*by_day, "%,%", *tiered_params))
    flat = [((((worker, 1),), start_day, station, model, family, bool(rework)), {rate: [units, cartons, passes]}, 0)
            for worker, station, model, family, rework, rate, units, cartons, passes in rows.fetchall()]
    lines = summed_pass_lines(flat, book, start_day, lines)
    lines += _deduction_lines(f"day >= {q} AND day < {q}", by_day)
    lines += adjustment_lines(start_day, end_day)
    return lines


def _tiered_where(book: RateBook) -> tuple[str, list]:
    """SQL naming the ledger rows of products that meet a rate with day tiers."""
    q = p()
    parts, params = [], []
    for station, kind, name in sorted(book.tiered()):
        parts.append(f"(station_id = {q} AND {'model_no' if kind == 'm' else 'family'} = {q})")
        params += [station, name]
    return f"({' OR '.join(parts) or '1 = 0'})", params


def summed_pass_lines(groups: list[tuple], book: RateBook, day: dt.date, lines: list[Line] | None = None
                      ) -> list[Line]:
    """Each group priced and split as kiosk/pay/passes.group_lines does, the parts summed per worker, station,
    product and rework (into `lines`, when given): a settlement makes a few thousand lines, not one per group."""
    found: dict = {(line.worker_id, line.station_id, line.model_no, line.rework): line for line in lines or ()}
    for group, cells, _member in groups:
        for line in group_lines(group, cells, book):
            key = (line.worker_id, line.station_id, line.model_no, line.rework)
            summed = found.get(key)
            if summed is None:
                found[key] = line
                line.day = day
            else:
                summed.amount += line.amount
                summed.units += line.units
                summed.cartons += line.cartons
                summed.passes += line.passes
                summed.priced = summed.priced and line.priced
    return list(found.values())


def log_period_lines(start_day: dt.date, end_day: dt.date, book: RateBook | None = None) -> list[Line]:
    """The same lines recomputed from the raw log, without the ledger (slow: to check it)."""
    book = book or RateBook()
    start, end = day_start_utc(start_day), day_start_utc(end_day)
    locks = Locks.load()
    undone = undone_since(start - MAX_LATE)
    lines = pass_lines(count_passes(raw_rows(start, end), book, undone, locks, start_day, end_day).groups, book)
    faults = load_events(*EVER)
    passes = responsible_passes({e.job_card_id for e in faults if e.job_card_id})
    lines += deduction_lines(faults, book, undone_since(EVER[0]), locks, start_day, end_day,
                             find_passes=lambda _cards: passes)
    lines += adjustment_lines(start_day, end_day)
    return lines


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


def worker_day_lines(worker_id: int, day: dt.date, book: RateBook | None = None):
    """One worker's lines for one plant day (from the ledger), their own scans of that day with each one's
    amount, and which of those were undone (for "my day")."""
    ledger.ensure_filled()
    book = book or RateBook()
    q = p()
    groups = _ledger_groups(f"worker_id = {q} AND day = {q}", (worker_id, day))
    lines = [line for group, cells, member in groups for line in group_lines(group, cells, book, member)]
    leads = {worker_id} | {group[0][0][0] for group, _cells, _member in groups}  # alone, or in these crews
    own, undone = own_scans(worker_id, day, book, leads, sum(line.passes for line in lines))
    lines += _deduction_lines(f"worker_id = {q} AND day = {q}", (worker_id, day))
    lines += adjustment_lines(day, day + dt.timedelta(days=1), worker_id)
    return lines, own, undone


def own_scans(worker_id: int, day: dt.date, book: RateBook, leads: set[int],
              kept_passes: int) -> tuple[list[OwnScan], set[int]]:
    """The worker's scans paid on `day` (alone or in a crew: `leads` sign them), oldest first, each with its own
    amount; undone ones stay in the list, marked, so a count can be checked against the cards.

    The scans recorded that day are read first; only when the ledger kept more passes than they hold (an
    offline kiosk sent some days later) is the week after read too."""
    start, end = day_start_utc(day), day_start_utc(day + dt.timedelta(days=1))
    where, params = f"AND e.worker_id IN ({placeholders(leads)})", tuple(sorted(leads))
    locks = Locks.load()
    for late in (False, True):
        rows = raw_rows(start, end, where, params, late=late, by_worker=True, products=True)
        undone = undone_of([r[0] for r in rows])
        counted = count_passes(rows, book, undone, locks, day, day + dt.timedelta(days=1), keep=True,
                               products=Products.joined(rows))
        mine = [scan for scan in counted.scans if any(w == worker_id for w, _s in scan[1][0])]
        if len(mine) >= kept_passes:
            break
    amounts = scan_amounts(counted, book)
    own = [OwnScan(row[0], row[10], as_datetime(row[2] or row[1]), row[3], group[3], units, amounts.get(row[0], 0),
                   len(group[0]) > 1) for row, group, _rate, units, _cartons in mine]
    for row in rows:
        if row[0] in undone and (row[4] == worker_id or any(w == worker_id for w, _s in crew_of(row[7]) or ())):
            at = as_datetime(row[2] or row[1])
            if plant_day(at) == day:
                own.append(OwnScan(row[0], row[10], at, row[3], "", row[6], None, False, True))
    own.sort(key=lambda s: (s.at, s.id))
    return own, undone
