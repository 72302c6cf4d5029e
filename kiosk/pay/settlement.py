"""对账: a period's pay per worker (by station and product, deductions, rework, adjustments), approved by a
supervisor and then locked. A locked period keeps the totals its approver saw: rates cannot start in it,
adjustments cannot be dated in it, its scans cannot be undone, and a scan arriving late for it is paid
on the day it arrived. A correction is a new, audited adjustment. No Flask here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db import write_transaction
from db.models import PayAdjustment, PayPeriod, Worker
from kiosk.core.clock import today
from kiosk.core.errors import ActionRefused
from kiosk.core.text import clean_text
from kiosk.eventlog.audit import record_action
from kiosk.eventlog.rules import UNDO_CHECKS
from kiosk.i18n import msg
from kiosk.pay.earnings import period_lines
from kiosk.pay.logrows import EARNING_ACTIONS, FAULT_ACTIONS
from kiosk.pay.money import yuan
from kiosk.pay.passes import Line
from kiosk.pay.paydays import Locks, plant_day
from kiosk.pay.periods import SettlementRefused, lock_of, refuse_if_locked
from kiosk.pay.tally import Tally

PERIOD_KINDS = ("day", "week", "month")
MAX_ADJUSTMENT_FEN = 100_000_00


def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end) plant days of the day, week (Monday first) or month holding `day`."""
    if kind == "day":
        return day, day + dt.timedelta(days=1)
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=7)
    if kind == "month":
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        return start, end
    raise SettlementRefused(msg("Choose a day, a week or a month."))


@dataclass(kw_only=True)
class WorkerPay(Tally):
    worker_id: int
    name: str = ""
    badge: str = ""


def summarise(lines: list[Line]) -> dict[int, WorkerPay]:
    found: dict[int, WorkerPay] = {}
    for line in lines:
        pay = found.get(line.worker_id)
        if pay is None:
            pay = found[line.worker_id] = WorkerPay(worker_id=line.worker_id)
        pay.add(line)
    for worker in Worker.select().where(Worker.id.in_(list(found))) if found else []:
        found[worker.id].name, found[worker.id].badge = worker.name, worker.badge
    return found


@dataclass
class Settlement:
    kind: str
    start: dt.date
    end: dt.date
    workers: dict[int, WorkerPay]
    period: PayPeriod | None  # set when approved (locked)

    @property
    def total(self) -> int:
        return sum(w.total for w in self.workers.values())

    def approved_total(self, worker_id: int) -> int | None:
        if self.period is None or not self.period.totals:
            return None
        return int(self.period.totals.get(str(worker_id), 0))


def settle(kind: str, day: dt.date) -> Settlement:
    start, end = period_bounds(kind, day)
    period = PayPeriod.get_or_none((PayPeriod.start == start) & (PayPeriod.end == end))
    return Settlement(kind, start, end, summarise(period_lines(start, end)), period)


def approve(kind: str, day: dt.date, user: str) -> PayPeriod:
    """The supervisor (by their signed-in session) approves a finished period: it is locked from now on."""
    start, end = period_bounds(kind, day)
    if end > today() + dt.timedelta(days=1) or start > today():
        raise SettlementRefused(msg("A period can be approved once it has ended (or on its last day)."))
    with write_transaction():
        if PayPeriod.select().where((PayPeriod.start == start) & (PayPeriod.end == end)).exists():
            raise SettlementRefused(msg("This period is already approved."))
        workers = summarise(period_lines(start, end))
        totals = {str(w.worker_id): w.total for w in workers.values()}
        period = PayPeriod.create(kind=kind, start=start, end=end, approved_by=user[:32], totals=totals)
        record_action("pay_approve", user, msg(
            "Pay from {start} to {end} approved by {user}: {workers} workers, {amount} yuan.",
            start=start.isoformat(), end=(end - dt.timedelta(days=1)).isoformat(), user=user,
            workers=len(workers), amount=yuan(sum(totals.values()))),
            detail={"period": period.id, "kind": kind, "start": start.isoformat(), "end": end.isoformat(),
                    "totals": totals})
    return period


def adjust(worker: Worker, amount_fen: int | None, reason: str, user: str, day: dt.date | None = None) -> PayAdjustment:
    """A correction: a new audited line on an open day (today by default)."""
    day = day or today()
    reason = clean_text(reason, 200)
    if amount_fen is None or amount_fen == 0 or abs(amount_fen) > MAX_ADJUSTMENT_FEN:
        raise SettlementRefused(msg("An adjustment is an amount in yuan, not 0, at most 100000."))
    if not reason:
        raise SettlementRefused(msg("Say why pay is adjusted."))
    with write_transaction():
        refuse_if_locked(day)
        line = PayAdjustment.create(worker=worker, day=day, amount_fen=amount_fen, reason=reason, user=user[:32])
        record_action("pay_adjust", user, msg("Pay adjusted by {user} for {worker}: {amount} yuan ({reason}).",
                                              user=user, worker=worker.name, amount=yuan(amount_fen),
                                              reason=reason),
                      detail={"adjustment": line.id, "worker": worker.id, "amount_fen": amount_fen,
                              "day": day.isoformat()})
    return line


def refuse_undo_if_locked(event) -> None:
    """Registered with the supervisor's undo: a scan paid in an approved period stays."""
    if event.action not in EARNING_ACTIONS + FAULT_ACTIONS:
        return

    locks = Locks.load()
    if not locks.periods:
        return
    scanned = event.scanned_at or event.at
    day = locks.pay_day_of(event.at, scanned)
    if locks.approved_at(day) is not None and plant_day(scanned) == day:
        period = lock_of(day)
        raise ActionRefused(msg("Pay for {day} was approved by {user} and is locked; record a correction as an "
                                "adjustment on an open day.", day=day.isoformat(), user=period.approved_by))


UNDO_CHECKS.append(refuse_undo_if_locked)
