"""Cartons: what packing makes of a job card, their codes and labels, and what they say about stock.

A product ships as a fixed number of packages per unit (包数); each carton has its own code and
label. A unit is in stock when all its cartons are in the warehouse, and an order's status follows
its goods: in production -> packed -> in stock -> partly shipped -> shipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from db import is_postgres
from db.models import Carton, Customer, JobCard, Order, OrderLine, PickList, Printer, Product, utcnow
from kiosk import labels
from kiosk.core.plant import route_stations
from kiosk.core.settings import SETTINGS
from kiosk.labels import Layout
from kiosk.labels.documents import CartonDoc
from kiosk.labels.sscc import make_sscc
from kiosk.printing.documents import Printed, label_size, queue_layouts
from kiosk.printing.label_voids import cleared_by_reprint

# An order's status is set from its goods only in these states (not draft, not cancelled).
GOODS_STATUSES = ("released", "in_production", "packed", "in_stock", "partly_shipped", "shipped")


# -- codes -----------------------------------------------------------------------------------------


def carton_code(carton_id: int) -> str:
    """C + eight digits: ASCII, short, and never all digits (Code128's leading "99" pitfall)."""
    return f"C{carton_id:08d}"


def find_carton(code: str, lock: bool = False) -> Carton | None:
    """The carton with this code or SSCC (as scanned from its GS1-128 barcode), with line, product, order."""
    code = code.strip()
    if code.startswith("]C1"):  # a scanner that sends the symbology identifier
        code = code[3:]
    query = (
        Carton.select(Carton, OrderLine, Product, Order, Customer)
        .join(OrderLine).join(Product).switch(OrderLine).join(Order).join(Customer)
    )
    if code.isdigit() and len(code) in (18, 20):
        query = query.where(Carton.sscc == code[-18:])
    else:
        query = query.where(Carton.code == code)
    if lock and is_postgres():
        query = query.for_update(of=Carton)
    return query.first()


# A unit sent back or scrapped at warehouse-in or loading (kiosk/stations/defects.py): its cartons are no longer
# goods - not in stock, not to be loaded, not counted as packed units.
TAKEN_OUT = "out"


def unit_cartons(carton: Carton) -> list[Carton]:
    """Every carton of this carton's unit (locked on PostgreSQL)."""
    query = (Carton.select().where((Carton.job_card == carton.job_card_id) & (Carton.unit_no == carton.unit_no))
             .order_by(Carton.package_no))
    if is_postgres():
        query = query.for_update()
    return list(query)


def take_out(cartons: list[Carton]) -> None:
    """These cartons leave the goods (where they were stays recorded with the event that took them out)."""
    Carton.update(status=TAKEN_OUT).where(Carton.id.in_([c.id for c in cartons])).execute()
    for carton in cartons:
        carton.status = TAKEN_OUT


def put_back(cartons: list[Carton], before: dict[int, tuple[str, str]]) -> None:
    """Undo `take_out`: each carton back in the state `before` names ({id: (status, location)})."""
    for carton in cartons:
        carton.status, carton.location = before[carton.id]
        carton.save(only=[Carton.status, Carton.location])


def cartons_of_card(card: JobCard) -> list[Carton]:
    return list(Carton.select().where(Carton.job_card == card).order_by(Carton.unit_no, Carton.package_no))


# -- packing ---------------------------------------------------------------------------------------


def pack_card(card: JobCard) -> list[Carton]:
    """Create the card's cartons, units x cartons per unit, each with its own code (and SSCC when set up)."""
    packages = max(1, card.order_line.product.cartons_per_unit)
    cartons = []
    for unit_no in range(1, card.units + 1):
        for package_no in range(1, packages + 1):
            carton = Carton.create(code=f"T{uuid.uuid4().hex[:30]}", job_card=card, order_line=card.order_line_id,
                                   unit_no=unit_no, package_no=package_no, packages=packages)
            carton.code = carton_code(carton.id)
            if SETTINGS.sscc_company_prefix:
                carton.sscc = make_sscc(SETTINGS.sscc_extension, SETTINGS.sscc_company_prefix, carton.id)
            carton.save(only=[Carton.code, Carton.sscc])
            carton.job_card, carton.order_line = card, card.order_line  # for the labels, without a query each
            cartons.append(carton)
    return cartons


def carton_doc(carton: Carton, replacement: bool = False) -> CartonDoc:
    """What the carton's label says (its line, product, order and card are loaded if not given).

    `replacement`: a reprinted label. A carton of a replacement order (kiosk/complaints.py) is marked
    as replacement parts for the order complained about, whether printed first or again.
    """
    line = carton.order_line
    order = line.order
    original = order.replacement_for.number if order.replacement_for_id else ""
    return CartonDoc(
        code=carton.code, sscc=carton.sscc, customer=order.customer.name,
        destination=order.destination or order.customer.address, order_number=order.number,
        product_model=line.product.model_no, product_name=line.product.name,
        colour=" / ".join(part for part in (line.colour_shown, line.finish_shown) if part),  # the finish too
        package_no=carton.package_no, packages=carton.packages, unit_no=carton.unit_no, units=carton.job_card.units,
        replacement=replacement, replacement_for=original,
    )


def carton_layout_for(carton: Carton, printer: Printer | None = None, lang: str | None = None,
                      replacement: bool = False) -> Layout:
    doc = carton_doc(carton, replacement)
    if doc.sscc and carton.order_line.order.customer.code in SETTINGS.gs1_label_customers and (
            printer is None or printer.language != "escpos"):
        # This customer's receiving needs the GS1 logistic label (on the label printer's A6 stock).
        return labels.gs1_logistic_label_layout(doc, lang or SETTINGS.label_lang, SETTINGS.plant,
                                                *SETTINGS.gs1_label_mm)
    size = label_size(printer, "carton_label_mm")
    return labels.carton_label_layout(doc, lang or SETTINGS.label_lang, *size)


def label_layout(carton: Carton, replacement: bool = False, lang: str | None = None):
    """The carton's label as the packing station's printer lays it out (for previews)."""
    return carton_layout_for(carton, None, lang, replacement)


# -- printing --------------------------------------------------------------------------------------


def print_carton_labels(cartons: list[Carton], printer_name: str | None, replacement: bool = False,
                        lang: str | None = None, reason: str = "", by: str = "") -> Printed:
    """Queue carton labels in the order given (all of a unit's cartons together). A replacement label
    is a reprint: it records why and who, and clears the carton's voided label once queued."""
    if replacement and not reason:
        reason = "replacement label"
    printed = queue_layouts(printer_name, lambda printer: [
        (f"carton {carton.code}", carton_layout_for(carton, printer, lang, replacement)) for carton in cartons
    ], reason=reason if replacement else "", by=by)
    if replacement and printed.ok:
        cleared_by_reprint(cartons)
    return printed


def queue_labels(printer_name: str | None, cartons: list[Carton], replacement: bool = False, reason: str = "",
                 by: str = "") -> Printed:
    """Queue the cartons' labels, in carton order, on the label printer. A replacement says why (`reason`) and
    who asked (`by`)."""
    return print_carton_labels(cartons, printer_name, replacement, reason=reason, by=by)


# -- stock -----------------------------------------------------------------------------------------


@dataclass
class UnitState:
    """Where the cartons of one unit (job card, unit number) are."""

    order_line_id: int
    job_card_id: int
    unit_no: int
    cartons: int
    stored: int  # in the warehouse now
    loaded: int  # on a truck, pick list finished or not
    shipped: int  # on a finished pick list

    @property
    def in_stock(self) -> bool:
        return self.stored == self.cartons

    @property
    def through_warehouse(self) -> bool:
        return self.stored + self.loaded == self.cartons

    @property
    def all_loaded(self) -> bool:
        return self.loaded == self.cartons

    @property
    def is_shipped(self) -> bool:
        return self.shipped == self.cartons


def unit_states(order_ids: Iterable[int] = (), line_ids: Iterable[int] = (),
                card_ids: Iterable[int] = ()) -> list[UnitState]:
    """Every packed unit of the given orders, order lines or job cards, one row per unit."""
    order_ids, line_ids, card_ids = list(order_ids), list(line_ids), list(card_ids)
    if not (order_ids or line_ids or card_ids):
        return []
    loaded = Carton.status == "loaded"
    query = (
        Carton.select(
            Carton.order_line, Carton.job_card, Carton.unit_no, fn.COUNT(Carton.id),
            fn.SUM(Case(None, [(Carton.status == "in_warehouse", 1)], 0)),
            fn.SUM(Case(None, [(loaded, 1)], 0)),
            fn.SUM(Case(None, [(loaded & (PickList.status == "finished"), 1)], 0)),
        )
        .join(PickList, JOIN.LEFT_OUTER, on=(Carton.pick_list == PickList.id))
        .where(Carton.status != TAKEN_OUT)
        .group_by(Carton.order_line, Carton.job_card, Carton.unit_no)
        .order_by(Carton.job_card, Carton.unit_no)
    )
    if order_ids:
        query = query.join_from(Carton, OrderLine).where(OrderLine.order.in_(order_ids))
    elif line_ids:
        query = query.where(Carton.order_line.in_(line_ids))
    else:
        query = query.where(Carton.job_card.in_(card_ids))
    return [UnitState(line, card, unit, int(n), int(s or 0), int(ld or 0), int(sh or 0))
            for line, card, unit, n, s, ld, sh in query.tuples()]


@dataclass
class LineStock:
    """An order line's units by where their cartons are."""

    ordered: int
    packed: int = 0
    in_stock: int = 0
    loaded: int = 0
    shipped: int = 0

    @property
    def ready(self) -> bool:
        """Ready to ship: some units are in stock and every unit not already on a truck is."""
        return self.in_stock > 0 and self.in_stock + self.loaded >= self.ordered


def line_stock(lines: Iterable[OrderLine]) -> dict[int, LineStock]:
    lines = list(lines)
    stock = {line.id: LineStock(line.quantity) for line in lines}
    for unit in unit_states(line_ids=stock):
        entry = stock[unit.order_line_id]
        entry.packed += 1
        entry.in_stock += unit.in_stock
        entry.loaded += unit.all_loaded
        entry.shipped += unit.is_shipped
    return stock


def unit_is_in_stock(carton: Carton) -> bool:
    siblings = Carton.select().where((Carton.job_card == carton.job_card_id) & (Carton.unit_no == carton.unit_no))
    return not siblings.where(Carton.status.not_in(("in_warehouse", TAKEN_OUT))).exists()


# -- status follows the goods ----------------------------------------------------------------------


def goods_status(ordered: int, units: list[UnitState]) -> str | None:
    """The order status its goods say, or None while units are still being made."""
    shipped = sum(u.is_shipped for u in units)
    if ordered and shipped >= ordered:
        return "shipped"
    if shipped:
        return "partly_shipped"
    if ordered and sum(u.through_warehouse for u in units) >= ordered:
        return "in_stock"
    if ordered and len(units) >= ordered:
        return "packed"
    return None


def refresh_order_status(order_ids: Iterable[int]) -> None:
    """Set each order's status from where its goods are (drafts and cancelled orders stay as they are)."""
    order_ids = list(set(order_ids))
    if not order_ids:
        return
    ordered = dict(OrderLine.select(OrderLine.order, fn.SUM(OrderLine.quantity))
                   .where(OrderLine.order.in_(order_ids)).group_by(OrderLine.order).tuples())
    lines = dict(OrderLine.select(OrderLine.id, OrderLine.order).where(OrderLine.order.in_(order_ids)).tuples())
    units: dict[int, list[UnitState]] = {order_id: [] for order_id in order_ids}
    for unit in unit_states(order_ids=order_ids):
        units[lines[unit.order_line_id]].append(unit)
    for order in Order.select().where(Order.id.in_(order_ids) & Order.status.in_(GOODS_STATUSES)):
        status = goods_status(int(ordered.get(order.id) or 0), units[order.id])
        if status is None:
            status = "in_production" if order.status in GOODS_STATUSES[2:] or units[order.id] else order.status
        if status != order.status:
            Order.update(status=status).where(Order.id == order.id).execute()


def sync_cards(card_ids: Iterable[int]) -> None:
    """Move packed job cards along their route as their cartons go: past warehouse-in when every
    carton is in (or already loaded), done when every carton is loaded; back again after an undo."""
    card_ids = list(set(card_ids))
    if is_postgres():
        # Two kiosks storing the last cartons of one card at once: each must see the other's carton,
        # so the second waits here for the first to commit (READ COMMITTED re-reads after the lock).
        list(JobCard.select(JobCard.id).where(JobCard.id.in_(card_ids)).order_by(JobCard.id).for_update())
    by_card: dict[int, list[UnitState]] = {}
    for unit in unit_states(card_ids=card_ids):
        by_card.setdefault(unit.job_card_id, []).append(unit)
    for card in JobCard.select().where(JobCard.id.in_(card_ids)):
        kinds = [station.kind for station in route_stations(card.route_id)]
        units = by_card.get(card.id)
        if "packing" not in kinds or not units:
            continue
        target = kinds.index("packing") + 1
        while target < len(kinds):
            kind = kinds[target]
            if kind == "warehouse" and all(u.through_warehouse for u in units):
                target += 1
            elif kind == "loading" and all(u.all_loaded for u in units):
                target += 1
            else:
                break
        status = "done" if target >= len(kinds) else "open"
        if (card.next_seq, card.status) != (target, status):
            JobCard.update(next_seq=target, status=status, updated_at=utcnow()).where(JobCard.id == card.id).execute()


def goods_moved(cartons: Iterable[Carton]) -> None:
    """After cartons moved: their job cards and orders follow."""
    cartons = list(cartons)
    if not cartons:
        return
    sync_cards(c.job_card_id for c in cartons)
    line_ids = {c.order_line_id for c in cartons}
    refresh_order_status(order_id for (order_id,) in
                         OrderLine.select(OrderLine.order).where(OrderLine.id.in_(line_ids)).distinct().tuples())


