"""Delivery notes (送货单): made when loading finishes, one per customer on the pick list, and printed
on the receipt printer with the manifest. The customer signs one copy; when it comes back, the clerk
scans its barcode at the desk. Notes not back after DELIVERY_NOTE_RETURN_DAYS are listed as overdue.

What a note says is read from the cartons loaded on the finished pick list (a finished pick list no
longer changes), so a reprint or the A4 page says the same as the first print. Plain Python: no Flask.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from db import is_postgres
from db.models import Carton, Customer, DeliveryNote, Order, OrderLine, PickList, Product, utcnow
from kiosk.core.clock import PLANT_TZ, short_time, to_local, today
from kiosk.core.outcome import Outcome, ScanResult
from kiosk.core.settings import SETTINGS
from kiosk.eventlog.scan_path import record_desk_action, scanned_code
from kiosk.i18n import msg
from kiosk.labels.delivery_note import COPIES, DeliveryLine, DeliveryNoteDoc, delivery_note_layout
from kiosk.labels.elements import Layout
from kiosk.printing.documents import Printed, queue_layouts


def note_code(note_id: int) -> str:
    """DN + six digits: ASCII for Code 128, and never all digits."""
    return f"DN{note_id:06d}"


def find_note(code: str, lock: bool = False) -> DeliveryNote | None:
    code = (code or "").strip()
    if not code:
        return None
    query = (DeliveryNote.select(DeliveryNote, PickList, Customer).join(PickList).switch(DeliveryNote)
             .join(Customer).where(DeliveryNote.code == code[:32]))
    if lock and is_postgres():
        query = query.for_update(of=DeliveryNote)
    return query.first()


# -- making and printing ---------------------------------------------------------------------------


def issue_for_pick_list(pick_list: PickList, printer_name: str | None, lang: str | None = None) -> list[DeliveryNote]:
    """One note per customer with goods loaded on the finished pick list, queued on `printer_name`.

    Runs inside the transaction that finishes loading; a second call finds the notes already made.
    A printer problem is not an error here: the clerk prints the note from the browser.
    """
    customers = (Customer.select().join(Order).join(OrderLine).join(Carton, on=(Carton.order_line == OrderLine.id))
                 .where((Carton.pick_list == pick_list) & (Carton.status == "loaded")).distinct()
                 .order_by(Customer.id))
    notes = []
    for customer in customers:
        note = DeliveryNote.get_or_none((DeliveryNote.pick_list == pick_list) & (DeliveryNote.customer == customer))
        if note is None:
            note = DeliveryNote.create(code=f"T{pick_list.id}-{customer.id}", pick_list=pick_list,
                                       customer=customer)
            note.code = note_code(note.id)
            note.save(only=[DeliveryNote.code])
            note.pick_list, note.customer = pick_list, customer
            print_note(note, printer_name, lang)
        notes.append(note)
    return notes


def note_lines(note: DeliveryNote) -> list[DeliveryLine]:
    """The note's customer's goods on its pick list: whole units and cartons, per order line."""
    cartons = (Carton.select(Carton.job_card, Carton.unit_no, OrderLine, Order, Product)
               .join(OrderLine).join(Order).switch(OrderLine).join(Product)
               .where((Carton.pick_list == note.pick_list_id) & (Carton.status == "loaded")
                      & (Order.customer == note.customer_id))
               .order_by(Order.number, OrderLine.line_no))
    units: dict[int, set[tuple[int, int]]] = defaultdict(set)
    counted: dict[int, int] = defaultdict(int)
    lines: dict[int, OrderLine] = {}
    for carton in cartons:
        line = lines.setdefault(carton.order_line.id, carton.order_line)
        units[line.id].add((carton.job_card_id, carton.unit_no))
        counted[line.id] += 1
    return [DeliveryLine(line.order.number, line.product.model_no, line.product.name, line.colour_shown,
                         len(units[line.id]), counted[line.id]) for line in lines.values()]


def note_destination(note: DeliveryNote) -> str:
    """Where the goods go: the orders' own destination (收货地址) for the goods on this note, the
    customer's default address only for orders without one. Two orders to two places list both."""
    places = [order.destination.strip() or note.customer.address
              for order in _orders_on_note(note, Order.destination)]
    return "; ".join(dict.fromkeys(place for place in places if place)) or note.customer.address


def _orders_on_note(note: DeliveryNote, *fields) -> list[Order]:
    return list(Order.select(Order.number, *fields).join(OrderLine)
                .join(Carton, on=(Carton.order_line == OrderLine.id))
                .where((Carton.pick_list == note.pick_list_id) & (Carton.status == "loaded")
                       & (Order.customer == note.customer_id)).order_by(Order.number).distinct())


def note_contact(note: DeliveryNote) -> tuple[str, str]:
    """Who takes the goods (收货联系人) and their phone: the orders' own contact for the goods on this note,
    the customer's default contact only for orders without one. Two orders with two contacts list both."""
    customer = note.customer
    default = (customer.contact.strip(), customer.phone.strip())
    people = [(order.contact.strip(), order.phone.strip()) if (order.contact.strip() or order.phone.strip())
              else default for order in _orders_on_note(note, Order.contact, Order.phone)]
    people = [person for person in dict.fromkeys(people) if any(person)] or [default]
    if len(people) == 1:
        return people[0]
    return "; ".join(" ".join(part for part in person if part) for person in people), ""


def note_doc(note: DeliveryNote) -> DeliveryNoteDoc:
    pick_list, customer = note.pick_list, note.customer
    contact, phone = note_contact(note)
    return DeliveryNoteDoc(
        code=note.code, plant=SETTINGS.plant, customer=customer.name, address=note_destination(note),
        contact=contact, phone=phone, truck_plate=pick_list.truck_plate,
        pick_list_code=pick_list.code, ship_date=pick_list.ship_date,
        printed_at=to_local(note.printed_at).replace(tzinfo=None), lines=tuple(note_lines(note)),
    )


def note_layout(note: DeliveryNote, lang: str | None = None, copy: str = "return") -> Layout:
    return delivery_note_layout(note_doc(note), lang or SETTINGS.label_lang, copy)


def print_note(note: DeliveryNote, printer_name: str | None, lang: str | None = None,
               copies: int | None = None) -> Printed:
    """Queue the note's copies on the receipt printer: the customer's copy first, then the one to return."""
    chosen = COPIES[-(copies or SETTINGS.copies):]  # one copy: the one that comes back
    doc = note_doc(note)
    chosen_lang = lang or SETTINGS.label_lang
    return queue_layouts(printer_name, lambda printer: [
        (f"delivery note {note.code} ({copy})", delivery_note_layout(doc, chosen_lang, copy)) for copy in chosen
    ])


# -- the signed copy comes back --------------------------------------------------------------------


def scan_back(code: str, user: str, idem_key: str) -> ScanResult:
    """The clerk scans the barcode of a signed note: recorded once per scan key, in the event log."""
    code = scanned_code(code)
    return record_desk_action(idem_key, code, user, lambda: take_back(code, user))


def take_back(code: str, user: str) -> Outcome:
    """The rule for a scanned-back note; runs in the write transaction."""
    note = find_note(code, lock=True)
    if note is None:
        return Outcome("rejected", "note_back", msg(
            "Unknown code {code}: no delivery note has it. Scan the barcode at the top of the signed note.",
            code=code.strip()[:40]), reason="unknown")
    pick_list = note.pick_list
    detail = {"delivery_note": note.code}
    if note.returned_at is not None:
        return Outcome("duplicate", "note_back", msg(
            "Delivery note {code} was already scanned back at {time} by {who}. Counted once; file it.",
            code=note.code, time=short_time(note.returned_at), who=note.returned_by or "-"),
            reason="duplicate", pick_list=pick_list, detail=detail)
    note.returned_at = utcnow()
    note.returned_by = user[:32]
    note.save(only=[DeliveryNote.returned_at, DeliveryNote.returned_by])
    late = days_out(note) - SETTINGS.return_days
    detail.update(customer=note.customer.code, days_late=max(0, late))
    return Outcome("ok", "note_back", msg(
        "Delivery note {code} for {customer} is back, signed ({truck}, pick list {pick_list}). File it.",
        code=note.code, customer=note.customer.name, truck=pick_list.truck_plate or "-", pick_list=pick_list.code),
        pick_list=pick_list, detail=detail)


# -- what is still out -----------------------------------------------------------------------------


def days_out(note: DeliveryNote, on: dt.date | None = None) -> int:
    """Whole days since the note was printed, by the plant's calendar."""
    return ((on or today()) - to_local(note.printed_at).date()).days


def is_overdue(note: DeliveryNote, on: dt.date | None = None) -> bool:
    return note.returned_at is None and days_out(note, on) > SETTINGS.return_days


def notes_query(status: str = "waiting", on: dt.date | None = None):
    """Notes by status: waiting (not back), overdue (not back after the configured days), returned, all.

    Oldest first while they are out (the longest waiting matters most), newest first otherwise.
    """
    query = DeliveryNote.select(DeliveryNote, PickList, Customer).join(PickList).switch(DeliveryNote).join(Customer)
    if status in ("waiting", "overdue"):
        query = query.where(DeliveryNote.returned_at.is_null()).order_by(DeliveryNote.printed_at, DeliveryNote.id)
        if status == "overdue":
            # printed on a plant day more than `return_days` days before `on`
            cutoff = (on or today()) - dt.timedelta(days=SETTINGS.return_days)
            query = query.where(DeliveryNote.printed_at < _utc_start_of(cutoff))
        return query
    if status == "returned":
        query = query.where(DeliveryNote.returned_at.is_null(False))
    return query.order_by(DeliveryNote.printed_at.desc(), DeliveryNote.id.desc())


def notes(status: str = "waiting", on: dt.date | None = None, limit: int = 500) -> list[DeliveryNote]:
    return list(notes_query(status, on).limit(limit))


def _utc_start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=PLANT_TZ).astimezone(dt.UTC).replace(tzinfo=None)


def counts(on: dt.date | None = None) -> dict[str, int]:
    """How many notes are waiting and how many of those are overdue."""
    return {"waiting": notes_query("waiting", on).count(), "overdue": notes_query("overdue", on).count()}
