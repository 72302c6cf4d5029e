"""The delivery note (送货单) as the receipt printer prints it: who gets what on which truck, the note's
barcode, and lines for signatures. The signed copy comes back and its barcode is scanned at the desk.

A plain document (`DeliveryNoteDoc`) in, a printer-neutral receipt `Layout` out, like the manifest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kiosk.i18n import gettext
from kiosk.labels.documents import _freeze
from kiosk.labels.elements import RECEIPT_WIDTH_MM, Layout
from kiosk.labels.layout import Flow

COPIES = ("customer", "return")  # the customer keeps the first copy; the second comes back signed


@dataclass(frozen=True)
class DeliveryLine:
    """One order line delivered: whole units and the cartons they travel in."""

    order_number: str
    product_model: str
    product_name: str
    colour: str
    units: int
    cartons: int


def _delivery_line(value: DeliveryLine | Iterable[Any]) -> DeliveryLine:
    return value if isinstance(value, DeliveryLine) else DeliveryLine(*value)


@dataclass(frozen=True)
class DeliveryNoteDoc:
    """A delivery note for one customer's goods on one truck."""

    code: str
    plant: str
    customer: str
    address: str
    contact: str
    phone: str
    truck_plate: str
    pick_list_code: str
    ship_date: dt.date
    printed_at: dt.datetime
    lines: tuple[DeliveryLine, ...] = ()

    def __post_init__(self) -> None:
        _freeze(self, "lines", _delivery_line)

    @property
    def units(self) -> int:
        return sum(line.units for line in self.lines)

    @property
    def cartons(self) -> int:
        return sum(line.cartons for line in self.lines)


def copy_title(copy: str, lang: str) -> str:
    if copy == "return":
        return gettext("Copy to sign and return to the plant", lang)
    return gettext("Customer's copy", lang)


def delivery_note_layout(doc: DeliveryNoteDoc, lang: str, copy: str = "return",
                         width_mm: float = RECEIPT_WIDTH_MM) -> Layout:
    """The note on 80 mm receipt paper; `copy` ("customer" or "return") is printed under the title."""
    flow = Flow(width_mm)
    if doc.plant:
        flow.text(doc.plant, 3.5, True, "center")
    flow.text(gettext("Delivery note", lang), 6.0, True, "center")
    flow.text(copy_title(copy, lang), 3.0, align="center")
    flow.barcode(doc.code, 10.0, doc.code)
    flow.rule()
    flow.text(gettext("Customer: {name}", lang, name=doc.customer), 3.0, True)
    if doc.address:
        flow.text(gettext("Address: {address}", lang, address=doc.address))
    if doc.contact or doc.phone:
        flow.text(gettext("Contact: {name} {phone}", lang, name=doc.contact, phone=doc.phone))
    flow.columns(gettext("Truck: {plate}", lang, plate=doc.truck_plate or "-"),
                 gettext("Pick list: {code}", lang, code=doc.pick_list_code))
    flow.columns(gettext("Ship date: {date}", lang, date=doc.ship_date.isoformat()),
                 doc.printed_at.strftime("%Y-%m-%d %H:%M"))
    flow.rule()
    for line in doc.lines:
        flow.columns(f"{line.order_number}  {line.product_model}", gettext("{n} units", lang, n=line.units),
                     bold=True)
        flow.text(f"{line.product_name} {line.colour}".strip())
        flow.text(gettext("{n} cartons", lang, n=line.cartons), align="right")
        flow.gap(1.0)
    flow.rule()
    flow.text(gettext("Total: {units} units, {cartons} cartons", lang, units=doc.units, cartons=doc.cartons),
              3.5, True)
    flow.gap(5)
    for signature in (gettext("Received in good order - customer signature", lang), gettext("Date", lang),
                      gettext("Driver signature", lang)):
        flow.text(signature)
        flow.gap(7)
        flow.rule()
    if copy == "return":
        flow.text(gettext("Please sign and give this copy back to the driver.", lang), 3.0, True, "center")
    return flow.layout(f"delivery note {doc.code}")
