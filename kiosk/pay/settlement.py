"""对账: a period's pay per worker (by station and product, deductions, rework, adjustments), approved by a
supervisor and then locked. A locked period keeps the totals its approver saw: rates cannot start in it,
adjustments cannot be dated in it, its scans cannot be undone, and a scan arriving late for it is paid
on the day it arrived. A correction is a new, audited adjustment. No Flask here.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from db import write_transaction
from db.models import PayAdjustment, PayPeriod, Station, Worker
from kiosk.core.clock import today
from kiosk.eventlog.audit import record_action
from kiosk.eventlog.undo import UNDO_CHECKS, ActionRefused
from kiosk.i18n import Msg, gettext, msg
from kiosk.pay.earnings import EARNING_ACTIONS, FAULT_ACTIONS, Line, Locks, period_lines, plant_day
from kiosk.pay.money import yuan
from kiosk.people.users import clean_text

PERIOD_KINDS = ("day", "week", "month")
MAX_ADJUSTMENT_FEN = 100_000_00


class SettlementRefused(ValueError):
    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


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


def lock_of(day: dt.date) -> PayPeriod | None:
    return (PayPeriod.select().where((PayPeriod.start <= day) & (PayPeriod.end > day))
            .order_by(PayPeriod.approved_at).first())


def refuse_if_locked(day: dt.date, error=SettlementRefused) -> None:
    period = lock_of(day)
    if period is not None:
        raise error(msg("Pay for {day} was approved by {user} and is locked; record a correction as an "
                        "adjustment on an open day.", day=day.isoformat(), user=period.approved_by))


@dataclass
class ByProduct:
    units: int = 0
    cartons: int = 0
    passes: int = 0
    amount: int = 0
    rework_units: int = 0


@dataclass
class WorkerPay:
    worker_id: int
    name: str = ""
    badge: str = ""
    units: int = 0
    cartons: int = 0
    passes: int = 0
    rework_units: int = 0
    earned: int = 0
    deductions: int = 0  # negative fen
    adjustments: int = 0
    by_product: dict = field(default_factory=lambda: defaultdict(ByProduct))  # (station_id, model) -> ByProduct
    deduction_lines: list = field(default_factory=list)
    adjustment_lines: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.earned + self.deductions + self.adjustments


def summarise(lines: list[Line]) -> dict[int, WorkerPay]:
    found: dict[int, WorkerPay] = {}
    for line in lines:
        pay = found.get(line.worker_id)
        if pay is None:
            pay = found[line.worker_id] = WorkerPay(line.worker_id)
        if line.kind == "pass":
            pay.earned += line.amount
            pay.units += line.units
            pay.cartons += line.cartons
            pay.passes += line.passes
            group = pay.by_product[(line.station_id, line.model_no)]
            group.units += line.units
            group.cartons += line.cartons
            group.passes += line.passes
            group.amount += line.amount
            if line.rework:
                pay.rework_units += line.units
                group.rework_units += line.units
        elif line.kind == "deduction":
            pay.deductions += line.amount
            pay.deduction_lines.append(line)
        else:
            pay.adjustments += line.amount
            pay.adjustment_lines.append(line)
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
    from kiosk.pay.earnings import PayEvent

    locks = Locks.load()
    if not locks.periods:
        return
    probe = PayEvent(event.id, event.at, event.scanned_at or event.at, event.station_id, event.worker_id,
                     event.action, event.units, {}, event.code, event.job_card_id, "", "", 1, False)
    day = locks.pay_day(probe)
    if locks.approved_at(day) is not None and plant_day(probe.scan_at) == day:
        period = lock_of(day)
        raise ActionRefused(msg("Pay for {day} was approved by {user} and is locked; record a correction as an "
                                "adjustment on an open day.", day=day.isoformat(), user=period.approved_by))


UNDO_CHECKS.append(refuse_undo_if_locked)


# -- the XLSX export -------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@")


def _cell(sheet, row: int, column: int, value) -> None:
    """Write one cell; text that Excel would run as a formula is stored as text."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever it starts with
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value


def _money(fen: int) -> Decimal:
    return Decimal(fen) / 100


def export_xlsx(settlement: Settlement, lang: str) -> bytes:
    from openpyxl import Workbook

    def t(text, **params):
        return gettext(text, lang, **params)

    stations = {s.id: s.name(lang) for s in Station.select()}
    book = Workbook()
    sheet = book.active
    sheet.title = t("Pay")[:31]
    heads = [t("Badge"), t("Worker"), t("Passes"), t("Units"), t("Cartons"), t("Rework units"), t("Earned"),
             t("Deductions"), t("Adjustments"), t("Total")]
    _cell(sheet, 1, 1, t("Pay from {start} to {end}", start=settlement.start.isoformat(),
                         end=(settlement.end - dt.timedelta(days=1)).isoformat()))
    for column, head in enumerate(heads, 1):
        _cell(sheet, 2, column, head)
    row = 3
    ordered = sorted(settlement.workers.values(), key=lambda w: w.badge)
    for pay in ordered:
        values = [pay.badge, pay.name, pay.passes, pay.units, pay.cartons, pay.rework_units, _money(pay.earned),
                  _money(pay.deductions), _money(pay.adjustments), _money(pay.total)]
        for column, value in enumerate(values, 1):
            _cell(sheet, row, column, value)
        row += 1
    detail = book.create_sheet(t("By station and product")[:31])
    heads = [t("Badge"), t("Worker"), t("Station"), t("Product"), t("Passes"), t("Units"), t("Cartons"),
             t("Rework units"), t("Amount")]
    for column, head in enumerate(heads, 1):
        _cell(detail, 1, column, head)
    row = 2
    for pay in ordered:
        for (station_id, model), group in sorted(pay.by_product.items(), key=lambda item: (item[0][0] or 0,
                                                                                            item[0][1])):
            values = [pay.badge, pay.name, stations.get(station_id, ""), model, group.passes, group.units,
                      group.cartons, group.rework_units, _money(group.amount)]
            for column, value in enumerate(values, 1):
                _cell(detail, row, column, value)
            row += 1
    minus = book.create_sheet(t("Deductions and adjustments")[:31])
    heads = [t("Badge"), t("Worker"), t("Day"), t("Kind"), t("Code"), t("Units"), t("Reason"), t("Amount")]
    for column, head in enumerate(heads, 1):
        _cell(minus, 1, column, head)
    row = 2
    for pay in ordered:
        for line in pay.deduction_lines + pay.adjustment_lines:
            values = [pay.badge, pay.name, line.day.isoformat(),
                      t("Quality deduction") if line.kind == "deduction" else t("Adjustment"), line.code,
                      line.units, t(line.reason) if line.kind == "deduction" else line.reason, _money(line.amount)]
            for column, value in enumerate(values, 1):
                _cell(minus, row, column, value)
            row += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
