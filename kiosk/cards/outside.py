"""Outside work (外协): a job card's next route stage done by a supplier's workshop.

The clerk scans a card out to a supplier with the date it is expected back; from then on no station
takes the card (kiosk/stations/cards.py asks `refusal_if_out`) until it is scanned back in, at the
clerk desk or at a kiosk of kind "outside" (the goods gate). Back in means the supplier did the stage:
the card moves past it, as a scan at that station would move it. A card that comes back with the work
not done is scanned in as such and waits at the same stage again.

Scan-out and scan-in are events in the log like any scan (kiosk.events hears of them). Plain Python.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from db import compiled, in_ids, is_postgres, run_compiled, write_transaction
from db.models import Customer, JobCard, Order, OrderLine, OutsideWork, Station, Supplier, Worker, utcnow
from kiosk.core.clock import to_local, today
from kiosk.eventlog.scan_path import CODE_RE, Outcome, ScanInputError, ScanRequest, ScanResult
from kiosk.i18n import Msg, msg
from kiosk.stations import register

# Stages a supplier may do. QC, packing and the warehouse stay in the plant.
OUTSIDE_KINDS = ("process", "outside")
SUPPLIER_CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
MAX_DAYS_OUT = 365


class OutsideWorkError(ValueError):
    """A supplier form that cannot be saved as filled in; `message` says why."""

    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


def _local(at: dt.datetime) -> str:
    return to_local(at).strftime("%m-%d %H:%M")


def _label(station: Station) -> dict[str, str]:
    return {"zh": station.name_zh, "en": station.name_en}


def scanned_code(code: str | None) -> str:
    """What a desk scan field sent, checked like a kiosk scan: printable ASCII, as a scanner types it."""
    code = (code or "").strip()
    if not code:
        raise ScanInputError(msg("Nothing was scanned."))
    if not CODE_RE.match(code):
        raise ScanInputError(msg("“{code}” is not a code this plant prints. Scan the barcode on the card or label.",
                                 code="".join(ch if ch.isprintable() else "?" for ch in code)[:40]))
    return code


# -- where a card is -------------------------------------------------------------------------------


def open_work(card: JobCard | int, lock: bool = False) -> OutsideWork | None:
    """The card's work out at a supplier now, with its supplier, or None when the card is in the plant."""
    card_id = card if isinstance(card, int) else card.id
    lock = lock and is_postgres()

    def build(param):
        query = (OutsideWork.select(OutsideWork, Supplier).join(Supplier)
                 .where((OutsideWork.job_card == param("card")) & OutsideWork.returned_at.is_null()))
        return query.for_update(of=OutsideWork) if lock else query

    rows = run_compiled(compiled(f"outside-open-{lock}", build), card=card_id)
    return rows[0] if rows else None


def refusal_if_out(card: JobCard) -> Outcome | None:
    """A station's answer for a card that is out at a supplier (None: the card is in the plant)."""
    work = open_work(card)
    if work is None:
        return None
    return Outcome("rejected", "scan", msg(
        "Card {card} is at {supplier} since {since}, expected back {expected}. Scan it back in at the clerk "
        "desk first.", card=card.code, supplier=work.supplier.name, since=_local(work.sent_at),
        expected=work.expected_back.isoformat()), reason="at_supplier", job_card=card,
        detail={"supplier": work.supplier.code})


def stage_waiting(card: JobCard) -> Station | None:
    """The route stage the card waits for, or None at the end of its route."""
    from kiosk.cards.route import route_stations

    stations = route_stations(card.route_id)
    return stations[card.next_seq] if card.next_seq < len(stations) else None


# -- out -------------------------------------------------------------------------------------------


def parse_expected(value, supplier: Supplier) -> dt.date | None:
    """The expected-back date from the form (2026-12-31), or the supplier's usual lead time from today."""
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        return today() + dt.timedelta(days=max(0, supplier.lead_days))
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def send_out(code: str, supplier_code: str, expected_back, user: str, idem_key: str, note: str = "") -> ScanResult:
    """Scan a card out to a supplier at the clerk desk: once per scan key, in the event log."""
    from kiosk.shipping.pick_lists import record_desk_action

    code = scanned_code(code)
    return record_desk_action(idem_key, code, user,
                              lambda: send_out_rule(code, supplier_code, expected_back, user, note))


def send_out_rule(code: str, supplier_code: str, expected_back, user: str, note: str = "") -> Outcome:
    from kiosk.cards.route import load_card

    supplier = Supplier.get_or_none((Supplier.code == str(supplier_code or "").strip()[:32]) & Supplier.active)
    if supplier is None:
        return Outcome("rejected", "send_out", msg("Choose the supplier the card goes to, then scan the card."),
                       reason="no_supplier")
    card = load_card(code, lock=True)
    if card is None:
        return _unknown(code, "send_out")
    order = card.order_line.order
    held = {"supplier": supplier.code}
    expected = parse_expected(expected_back, supplier)
    if expected is None:
        return Outcome("rejected", "send_out", msg("“{value}” is not a date; write the expected-back date as "
                                                   "2026-12-31.", value=str(expected_back)[:20]),
                       reason="bad_date", job_card=card, detail=held)
    if expected < today() or expected > today() + dt.timedelta(days=MAX_DAYS_OUT):
        return Outcome("rejected", "send_out", msg("Expected back {date} is not a date ahead; choose the day the "
                                                   "supplier promised.", date=expected.isoformat()),
                       reason="bad_date", job_card=card, detail=held)
    if order.status == "cancelled":
        return Outcome("rejected", "send_out", msg("Order {order} was cancelled. Do not send card {card} out; take "
                                                   "it to the clerk.", order=order.number, card=card.code),
                       reason="cancelled", job_card=card, detail=held)
    if order.on_hold:
        return Outcome("rejected", "send_out", msg("Order {order} is on hold ({why}). Do not send card {card} out "
                                                   "until the hold is released.", order=order.number,
                                                   why=order.hold_reason or "-", card=card.code),
                       reason="on_hold", job_card=card, detail=held)
    if card.status != "open":
        return Outcome("rejected", "send_out", msg("Card {card} is {status}: it has no stage left to send out.",
                                                   card=card.code, status=msg(card.status.capitalize())),
                       reason="not_open", job_card=card, detail=held)
    work = open_work(card, lock=True)
    if work is not None:
        same = work.supplier_id == supplier.id
        return Outcome("duplicate" if same else "rejected", "send_out", msg(
            "Card {card} is already out at {supplier} since {since}, expected back {expected}. Scan it back in "
            "first.", card=card.code, supplier=work.supplier.name, since=_local(work.sent_at),
            expected=work.expected_back.isoformat()), reason="duplicate" if same else "already_out",
            job_card=card, detail=held)
    stage = stage_waiting(card)
    if stage is None or stage.kind not in OUTSIDE_KINDS:
        return Outcome("rejected", "send_out", msg(
            "Card {card} waits at {stage}; that stage stays in the plant. Only production stages go to suppliers.",
            card=card.code, stage=_label(stage) if stage else msg("the end of its route")),
            reason="not_outside_stage", job_card=card, detail=held)
    work = OutsideWork.create(job_card=card, supplier=supplier, station=stage, units=card.units, sent_by=user[:64],
                              expected_back=expected, note=" ".join(str(note or "").split())[:256])
    return Outcome("ok", "send_out", msg(
        "Card {card} ({units} units, order {order}) out to {supplier} for {stage}; expected back {expected}.",
        card=card.code, units=card.units, order=order.number, supplier=supplier.name, stage=_label(stage),
        expected=expected.isoformat()), job_card=card,
        detail=dict(held, outside_work=work.id, stage=stage.code, expected_back=expected.isoformat()))


# -- back in ---------------------------------------------------------------------------------------


def take_back(code: str, user: str, idem_key: str, done: bool = True) -> ScanResult:
    """Scan a card back in at the clerk desk; `done` False: the supplier did not do the stage."""
    from kiosk.shipping.pick_lists import record_desk_action

    code = scanned_code(code)

    def action() -> Outcome:
        from kiosk.cards.route import load_card

        card = load_card(code, lock=True)
        if card is None:
            return _unknown(code, "take_back")
        return take_back_rule(card, user, done)

    return record_desk_action(idem_key, code, user, action)


def take_back_rule(card: JobCard, returned_by: str, done: bool = True) -> Outcome:
    work = open_work(card, lock=True)
    if work is None:
        last = (OutsideWork.select(OutsideWork, Supplier).join(Supplier)
                .where(OutsideWork.job_card == card).order_by(OutsideWork.id.desc()).first())
        if last is not None:
            return Outcome("duplicate", "take_back", msg(
                "Card {card} came back from {supplier} at {time}. Counted once; pass it on.", card=card.code,
                supplier=last.supplier.name, time=_local(last.returned_at)), reason="duplicate", job_card=card)
        return Outcome("rejected", "take_back", msg(
            "Card {card} is not out at a supplier, so there is nothing to scan in. Is it the right card?",
            card=card.code), reason="not_out", job_card=card)
    from kiosk.cards.route import advance, route_stations

    work.returned_at = utcnow()
    work.returned_by = returned_by[:64]
    work.save(only=[OutsideWork.returned_at, OutsideWork.returned_by])
    stage = Station.get_by_id(work.station_id)
    stations = route_stations(card.route_id)
    late = (today() - work.expected_back).days
    detail = {"supplier": work.supplier.code, "outside_work": work.id, "stage": stage.code, "days_late": max(0, late)}
    waiting_here = card.status == "open" and card.next_seq < len(stations) and stations[card.next_seq].id == stage.id
    if not done or not waiting_here:
        detail["done"] = False
        return Outcome("ok", "take_back", msg(
            "Card {card} is back from {supplier} without the work: it waits at {stage}.", card=card.code,
            supplier=work.supplier.name, stage=_label(stations[card.next_seq]) if card.next_seq < len(stations)
            else msg("the end of its route")), job_card=card, detail=detail)
    advance(card, len(stations))
    detail["done"] = True
    following = (_label(stations[card.next_seq]) if card.next_seq < len(stations) else msg("the end of its route"))
    return Outcome("ok", "take_back", msg(
        "Card {card} is back from {supplier}: {units} units done at {stage}. Next: {next}.", card=card.code,
        supplier=work.supplier.name, units=card.units, stage=_label(stage), next=following),
        units=card.units, job_card=card, detail=detail)


@register("outside")
def scan_at_gate(station: Station, worker: Worker | None, request: ScanRequest) -> Outcome:
    """A kiosk at the goods gate: a card scanned here is back from its supplier with the work done."""
    from kiosk.cards.route import load_card

    card = load_card(request.code, lock=True)
    if card is None:
        return _unknown(request.code, "take_back")
    return take_back_rule(card, worker.name if worker else request.user, True)


def _unknown(code: str, action: str) -> Outcome:
    return Outcome("rejected", action, msg(
        "Unknown code {code}: no job card has it. Check the card, or ask the clerk.", code=code.strip()[:40]),
        reason="unknown")


# -- what is out -----------------------------------------------------------------------------------


@dataclass
class OutRow:
    """A card out at a supplier, for the board and the outside-work page."""

    work: OutsideWork
    card_code: str
    order_number: str
    customer: str
    supplier: str
    stage: Station
    days_late: int  # > 0: overdue by that many days

    @property
    def overdue(self) -> bool:
        return self.days_late > 0


def out_now(order_ids: list[int] | None = None, on: dt.date | None = None) -> list[OutRow]:
    """Every card out now (or those of these orders), most overdue first."""
    on = on or today()
    query = (OutsideWork.select(OutsideWork, Supplier, JobCard, OrderLine, Order, Customer, Station)
             .join(Supplier).switch(OutsideWork).join(JobCard).join(OrderLine).join(Order).join(Customer)
             .switch(OutsideWork).join(Station)
             .where(OutsideWork.returned_at.is_null()))
    if order_ids is not None:
        query = query.where(in_ids(Order.id, order_ids))
    rows = []
    for work in query.order_by(OutsideWork.expected_back, OutsideWork.id):
        order = work.job_card.order_line.order
        rows.append(OutRow(work, work.job_card.code, order.number, order.customer.name, work.supplier.name,
                           work.station, (on - work.expected_back).days))
    return rows


def out_by_order(order_ids: list[int], on: dt.date | None = None) -> dict[int, list[OutRow]]:
    found: dict[int, list[OutRow]] = {}
    for row in out_now(order_ids, on):
        found.setdefault(row.work.job_card.order_line.order_id, []).append(row)
    return found


def recently_back(limit: int = 20) -> list[OutsideWork]:
    return list(OutsideWork.select(OutsideWork, Supplier, JobCard).join(Supplier).switch(OutsideWork).join(JobCard)
                .where(OutsideWork.returned_at.is_null(False)).order_by(OutsideWork.returned_at.desc()).limit(limit))


# -- suppliers -------------------------------------------------------------------------------------


def suppliers(active_only: bool = True) -> list[Supplier]:
    query = Supplier.select().order_by(Supplier.name)
    return list(query.where(Supplier.active) if active_only else query)


def save_supplier(code: str, name: str, contact: str = "", phone: str = "", lead_days=7) -> Supplier:
    """Add a supplier, or change the one with this code."""
    code = str(code or "").strip()
    name = " ".join(str(name or "").split())[:128]
    if not SUPPLIER_CODE_RE.match(code):
        raise OutsideWorkError(msg("A supplier code is 1 to 32 letters, digits, dots, dashes or underscores."))
    if not name:
        raise OutsideWorkError(msg("Give the supplier a name."))
    try:
        days = int(str(lead_days).strip() or 7)
    except ValueError:
        days = -1
    if not 0 <= days <= MAX_DAYS_OUT:
        raise OutsideWorkError(msg("Usual days out must be a whole number from 0 to {most}.", most=MAX_DAYS_OUT))
    fields = dict(name=name, contact=" ".join(str(contact or "").split())[:64],
                  phone=" ".join(str(phone or "").split())[:32], lead_days=days, active=True)
    with write_transaction():
        supplier = Supplier.get_or_none(Supplier.code == code)
        if supplier is None:
            return Supplier.create(code=code, **fields)
        Supplier.update(**fields).where(Supplier.id == supplier.id).execute()
        return Supplier.get_by_id(supplier.id)
