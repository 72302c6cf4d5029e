"""Orders from entry to release: create, validate, release into job cards, hold and cancel.

Plain Python over the models; clerk pages and the importer call these.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from db import write_transaction
from db.models import Customer, JobCard, Order, OrderLine, Product, utcnow
from kiosk.core.errors import Refusal
from kiosk.core.text import clean_text
from kiosk.eventlog import board_counts
from kiosk.i18n import msg

ORDER_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
MAX_UNITS_PER_LINE = 10_000
DEFAULT_CARD_UNITS = 20  # units one job card covers at most; KIOSK_CARD_UNITS overrides
# Orders still open: released and not yet shipped in full or cancelled (db.models.ORDER_STATUSES has them all).
OPEN_STATUSES = ("released", "in_production", "packed", "in_stock", "partly_shipped")


class OrderError(Refusal):
    """An order that cannot be saved as given; `message` says why, in the clerk's language."""


@dataclass
class LineInput:
    model_no: str
    quantity: int | str
    colour: str = ""
    note: str = ""
    finish: str = ""  # fabric or finish (面料/工艺), when it differs from the product's


@dataclass
class OrderInput:
    number: str
    customer_code: str
    due_date: dt.date | str
    lines: list[LineInput] = field(default_factory=list)
    rush: bool = False
    destination: str = ""
    note: str = ""
    contact: str = ""  # 收货联系人 for this order; empty: the customer's default contact
    phone: str = ""


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise OrderError(msg("Due date “{value}” is not a date; write it as 2026-12-31.", value=text[:20]))



PHONE_RE = re.compile(r"^[0-9+()\- /]{0,32}$")


def contact_phone_problem(phone: str):
    """Why `phone` is not a phone number a driver can call (a Msg), or None (empty is fine)."""
    text = clean_text(phone, 64)
    if PHONE_RE.match(text) and (not text or any(c.isdigit() for c in text)):
        return None
    return msg("Phone “{value}” is not a phone number: digits, spaces, + - ( ) only, up to 32.", value=text[:40])


def validate(data: OrderInput) -> tuple[Customer, dt.date, list[tuple[Product, int, str, str]]]:
    """Check an order before saving; raise OrderError with the first problem found."""
    number = clean_text(data.number, 64)
    if not ORDER_NUMBER_RE.match(number):
        raise OrderError(msg("Order number “{number}” may use only letters, digits, - and _ (up to 32).",
                             number=number[:40]))
    if Order.select().where(Order.number == number).exists():
        raise OrderError(msg("Order {number} already exists.", number=number))
    customer = Customer.get_or_none(Customer.code == clean_text(data.customer_code, 32))
    if customer is None:
        raise OrderError(msg("Unknown customer “{code}”.", code=clean_text(data.customer_code, 40)))
    due = parse_date(data.due_date)
    phone_problem = contact_phone_problem(data.phone)
    if phone_problem is not None:
        raise OrderError(phone_problem)
    if not data.lines:
        raise OrderError(msg("An order needs at least one line."))
    lines = []
    for line in data.lines:
        product = Product.get_or_none(Product.model_no == clean_text(line.model_no, 32))
        if product is None:
            raise OrderError(msg("Unknown product model “{model}”.", model=clean_text(line.model_no, 40)))
        try:
            quantity = int(str(line.quantity).strip())
        except ValueError:
            raise OrderError(msg("Quantity “{value}” is not a whole number.",
                                 value=clean_text(line.quantity, 20))) from None
        if not 1 <= quantity <= MAX_UNITS_PER_LINE:
            raise OrderError(msg("Quantity must be between 1 and {max}.", max=MAX_UNITS_PER_LINE))
        lines.append((product, quantity, clean_text(line.colour, 64), clean_text(line.note, 256)))
    return customer, due, lines


def create_order(data: OrderInput, release: bool = False, card_units: int = DEFAULT_CARD_UNITS) -> Order:
    with write_transaction():
        customer, due, lines = validate(data)
        order = Order.create(
            number=clean_text(data.number, 32),
            customer=customer,
            due_date=due,
            rush=bool(data.rush),
            destination=clean_text(data.destination, 256) or customer.address,
            contact=clean_text(data.contact, 64), phone=clean_text(data.phone, 32),
            note=clean_text(data.note, 2000),
        )
        for line_no, ((product, quantity, colour, note), given) in enumerate(zip(lines, data.lines, strict=True),
                                                                             start=1):
            OrderLine.create(order=order, line_no=line_no, product=product, quantity=quantity,
                             colour=colour, note=note, finish=clean_text(given.finish, 64))
        if release:
            release_order(order, card_units=card_units)
    return order


def release_order(order: Order, card_units: int = DEFAULT_CARD_UNITS, route_id: int | None = None) -> list[JobCard]:
    """Release a draft order to the floor: each line gets job cards of at most `card_units` units.

    The cards follow each product's route, or `route_id` when given (a replacement order's chosen route).
    """
    with write_transaction():
        order = Order.get_by_id(order.id)
        if order.status != "draft":
            raise OrderError(msg("Order {number} is already released.", number=order.number))
        cards = []
        for line in order.lines.order_by(OrderLine.line_no):
            remaining = line.quantity
            while remaining > 0:
                units = min(card_units, remaining)
                card = JobCard.create(code=f"TMP-{order.id}-{line.id}-{remaining}", order_line=line,
                                      route=route_id or line.product.route_id, units=units)
                card.code = job_card_code(card.id)
                card.save()
                cards.append(card)
                remaining -= units
        order.status = "released"
        order.released_at = utcnow()
        order.save()
        board_counts.refresh(order.id)  # its stages now apply: the board shows them
    return cards


def job_card_code(card_id: int) -> str:
    """JC + seven digits: short, ASCII, and never all digits (see the Code128 "99" pitfall)."""
    return f"JC{card_id:07d}"


def set_hold(order: Order, on_hold: bool, reason: str = "") -> Order:
    with write_transaction():
        order = Order.get_by_id(order.id)
        order.on_hold = on_hold
        order.hold_reason = clean_text(reason, 256) if on_hold else ""
        order.save()
    return order


def cancel_order(order: Order) -> Order:
    with write_transaction():
        order = Order.get_by_id(order.id)
        if order.status in ("shipped", "partly_shipped"):
            raise OrderError(msg("Order {number} has shipped goods and cannot be cancelled.",
                                 number=order.number))
        order.status = "cancelled"
        order.save()
    return order


def spec_of(line: OrderLine) -> list[tuple[str, str]]:
    """What the order asked for, as a worker needs it at a station: colour, size, fabric or finish, the line's
    note and the order's note; (label message id, value) for each one given."""
    order = line.order
    found = [("Colour", line.colour_shown), ("Size", line.product.size), ("Fabric / finish", line.finish_shown),
             ("Line note", line.note), ("Order note", order.note)]
    return [(label, value.strip()) for label, value in found if value and value.strip()]
