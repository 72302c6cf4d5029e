"""Pick lists and loading: what goes on which truck, the live tally at the dock, finishing (complete,
or short with a supervisor's reason) and a supervisor's undo of a mis-scanned carton.

A pick list line asks for some units of an order line, not for particular cartons: any unit of
that line may go, so a picker who takes the unit next to the one on the list is not stopped. The
cartons printed on the list are a suggestion (in-stock units, by bin), shared out between open
pick lists of the same line. Shipped means loaded on a finished pick list.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import fn

from db import is_postgres, write_transaction
from db.models import (
    Carton,
    Customer,
    Order,
    OrderLine,
    PickList,
    PickListLine,
    Product,
    ScanEvent,
    Station,
    utcnow,
)
from kiosk import labels
from kiosk.core.clock import short_time, to_local
from kiosk.core.errors import ActionRefused, Refusal
from kiosk.core.outcome import Outcome, ScanResult
from kiosk.core.settings import SETTINGS
from kiosk.core.text import clean_text
from kiosk.eventlog.scan_path import record_desk_action
from kiosk.eventlog.undo import undo_scan
from kiosk.i18n import Msg, msg
from kiosk.labels import Layout
from kiosk.labels.documents import ManifestDoc, ManifestLine, PickLine, PickListDoc
from kiosk.people.approvals import Approver
from kiosk.printing.documents import Printed, printing_note, queue_layouts
from kiosk.shipping.cartons import GOODS_STATUSES, TAKEN_OUT, find_carton, goods_moved, line_stock
from kiosk.shipping.delivery_notes import issue_for_pick_list

MAX_CODES_SHOWN = 12  # missing carton codes named in one message
SHIPPABLE_STATUSES = GOODS_STATUSES[1:]  # orders with goods made: in production and later


class ShippingError(Refusal):
    """A pick list or loading request that cannot be done as asked; `message` says why and what to do."""


def pick_list_code(pick_list_id: int) -> str:
    """PL + six digits: its own barcode, ASCII and never all digits."""
    return f"PL{pick_list_id:06d}"


def find_pick_list(code: str, lock: bool = False) -> PickList | None:
    code = (code or "").strip()
    if not code:
        return None
    query = PickList.select(PickList, Customer).join(Customer).where(PickList.code == code[:32])
    if lock and is_postgres():
        query = query.for_update(of=PickList)
    return query.first()


# -- who approves ----------------------------------------------------------------------------------
# A short load and an undo need an Approver (kiosk/people/approvals.py): a supervisor's own badge and
# PIN at a kiosk, or a signed-in supervisor at the desk. Never a typed name.


# -- creating pick lists ---------------------------------------------------------------------------


@dataclass
class ShippableLine:
    """An order line with units in stock: how many may still go on a new pick list."""

    line: OrderLine
    in_stock: int
    reserved: int  # promised to pick lists not finished yet, not loaded so far
    ready: bool  # every unit of the line not already on a truck is in stock

    @property
    def available(self) -> int:
        return max(0, self.in_stock - self.reserved)


def touched_units(pick_list_ids) -> dict[tuple[int, int], set[tuple[int, int]]]:
    """(pick list, order line) -> the units with at least one carton loaded on that pick list."""
    found: dict[tuple[int, int], set[tuple[int, int]]] = defaultdict(set)
    pick_list_ids = list(pick_list_ids)
    if not pick_list_ids:
        return found
    rows = (Carton.select(Carton.pick_list, Carton.order_line, Carton.job_card, Carton.unit_no)
            .where(Carton.pick_list.in_(pick_list_ids) & (Carton.status == "loaded")).distinct().tuples())
    for pick_list_id, line_id, card_id, unit_no in rows:
        found[(pick_list_id, line_id)].add((card_id, unit_no))
    return found


def reserved_units(line_ids) -> dict[int, int]:
    """Order line -> units promised to unfinished pick lists that are not loaded yet."""
    rows = list(PickListLine.select(PickListLine.pick_list, PickListLine.order_line, PickListLine.units)
                .join(PickList).where(PickListLine.order_line.in_(list(line_ids)) & (PickList.status != "finished"))
                .tuples())
    touched = touched_units({pick_list_id for pick_list_id, _, _ in rows})
    reserved: dict[int, int] = defaultdict(int)
    for pick_list_id, line_id, units in rows:
        reserved[line_id] += max(0, units - len(touched[(pick_list_id, line_id)]))
    return reserved


def shippable_lines(customer: Customer) -> list[ShippableLine]:
    """The customer's order lines with units in stock, earliest due first."""
    lines = list(
        OrderLine.select(OrderLine, Order, Product).join(Order).switch(OrderLine).join(Product)
        .where((Order.customer == customer) & Order.status.in_(SHIPPABLE_STATUSES))
        .order_by(Order.due_date, Order.number, OrderLine.line_no)
    )
    stock = line_stock(lines)
    reserved = reserved_units([line.id for line in lines])
    return [ShippableLine(line, stock[line.id].in_stock, reserved[line.id], stock[line.id].ready)
            for line in lines if stock[line.id].in_stock > 0]


def parse_ship_date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ShippingError(msg("Ship date “{value}” is not a date; write it as 2026-12-31.",
                                value=text[:20])) from None


def create_pick_list(customer_code: str, units_by_line: dict[int, int], truck_plate: str = "", dock: str = "",
                     ship_date=None) -> PickList:
    """A pick list for one customer's truck: `units_by_line` maps order line id -> units to load."""
    wanted = {int(line_id): int(units) for line_id, units in units_by_line.items() if int(units) > 0}
    with write_transaction():
        customer = Customer.get_or_none(Customer.code == clean_text(customer_code, 32))
        if customer is None:
            raise ShippingError(msg("Unknown customer “{code}”.", code=clean_text(customer_code, 40)))
        if not wanted:
            raise ShippingError(msg("Choose at least one order line and how many units to load."))
        query = OrderLine.select(OrderLine, Order).join(Order).where(OrderLine.id.in_(list(wanted)))
        if is_postgres():
            query = query.for_update(of=OrderLine)  # two clerks cannot promise the same units twice
        lines = {line.id: line for line in query}
        available = {s.line.id: s.available for s in shippable_lines(customer)}
        for line_id, units in wanted.items():
            line = lines.get(line_id)
            if line is None or line.order.customer_id != customer.id:
                raise ShippingError(msg("That order line does not belong to {customer}.", customer=customer.name))
            if line.order.on_hold:
                raise ShippingError(msg("Order {order} is on hold ({why}); release the hold before shipping it.",
                                        order=line.order.number, why=line.order.hold_reason or "-"))
            if units > available.get(line_id, 0):
                raise ShippingError(msg("Order {order} line {line}: only {available} units are in stock and free "
                                        "to load; you asked for {units}.", order=line.order.number,
                                        line=line.line_no, available=available.get(line_id, 0), units=units))
        pick_list = PickList.create(code=f"T{uuid.uuid4().hex[:30]}", customer=customer,
                                    truck_plate=clean_text(truck_plate, 32), dock=clean_text(dock, 32),
                                    ship_date=parse_ship_date(ship_date or dt.date.today()))
        pick_list.code = pick_list_code(pick_list.id)
        pick_list.save(only=[PickList.code])
        for line_id in sorted(wanted, key=lambda i: (lines[i].order.due_date, lines[i].order.number,
                                                     lines[i].line_no)):
            PickListLine.create(pick_list=pick_list, order_line=line_id, units=wanted[line_id])
    return pick_list


# -- the tally -------------------------------------------------------------------------------------


@dataclass
class TallyLine:
    """One pick list line at the dock: expected and loaded, and the cartons still missing."""

    pick_line: PickListLine
    loaded: list[str] = field(default_factory=list)  # carton codes loaded on this pick list
    loaded_units: int = 0  # units with every carton loaded
    missing: list[str] = field(default_factory=list)  # codes still expected (fewer than missing_count if short)
    partial: list[str] = field(default_factory=list)  # missing cartons of units already partly loaded

    @property
    def order_line(self) -> OrderLine:
        return self.pick_line.order_line

    @property
    def units(self) -> int:
        return self.pick_line.units

    @property
    def expected(self) -> int:
        return self.pick_line.units * self.order_line.product.cartons_per_unit

    @property
    def missing_count(self) -> int:
        return max(0, self.expected - len(self.loaded))

    @property
    def complete(self) -> bool:
        return self.missing_count == 0


@dataclass
class Tally:
    pick_list: PickList
    lines: list[TallyLine]

    @property
    def expected(self) -> int:
        return sum(line.expected for line in self.lines)

    @property
    def loaded(self) -> int:
        return sum(len(line.loaded) for line in self.lines)

    @property
    def missing_count(self) -> int:
        return sum(line.missing_count for line in self.lines)

    @property
    def missing(self) -> list[str]:
        return [code for line in self.lines for code in line.missing]

    @property
    def complete(self) -> bool:
        return self.missing_count == 0

    @property
    def partial(self) -> list[str]:
        return [code for line in self.lines for code in line.partial]


def tally(pick_list: PickList) -> Tally:
    """Expected and loaded cartons per line, with the codes still missing (partly loaded units first,
    then in-stock units suggested by bin)."""
    pick_lines = list(
        PickListLine.select(PickListLine, OrderLine, Order, Product, Customer)
        .join(OrderLine).join(Order).join(Customer).switch(OrderLine).join(Product)
        .where(PickListLine.pick_list == pick_list).order_by(PickListLine.id)
    )
    line_ids = [p.order_line_id for p in pick_lines]
    units: dict[int, dict[tuple[int, int], list[Carton]]] = defaultdict(lambda: defaultdict(list))
    for carton in (Carton.select(Carton.id, Carton.code, Carton.order_line, Carton.job_card, Carton.unit_no,
                                 Carton.package_no, Carton.status, Carton.pick_list, Carton.location)
                   .where(Carton.order_line.in_(line_ids) & (Carton.status != TAKEN_OUT))
                   .order_by(Carton.job_card, Carton.unit_no, Carton.package_no)):
        units[carton.order_line_id][(carton.job_card_id, carton.unit_no)].append(carton)
    # this pick list shares with the unfinished ones even once finished: its manifest names the same cartons
    sharing = list(PickListLine.select(PickListLine.id, PickListLine.pick_list, PickListLine.order_line,
                                       PickListLine.units)
                   .join(PickList).where(PickListLine.order_line.in_(line_ids)
                                         & ((PickList.status != "finished") | (PickList.id == pick_list.id)))
                   .order_by(PickListLine.pick_list, PickListLine.id))
    touched = touched_units({p.pick_list_id for p in sharing} | {pick_list.id})
    suggested = _share_out(units, sharing, touched)
    lines = []
    for pick_line in pick_lines:
        line_units = units[pick_line.order_line_id]
        mine = touched[(pick_list.id, pick_line.order_line_id)]
        entry = TallyLine(pick_line)
        for key in sorted(mine):
            here = [c for c in line_units[key] if c.pick_list_id == pick_list.id and c.status == "loaded"]
            entry.loaded += [c.code for c in here]
            entry.loaded_units += len(here) == len(line_units[key])
            entry.partial += [c.code for c in line_units[key] if c not in here]
        entry.missing += entry.partial
        for key in suggested.get(pick_line.id, []):
            entry.missing += [c.code for c in line_units[key]]
        lines.append(entry)
    return Tally(pick_list, lines)


def _share_out(units, sharing: list[PickListLine], touched) -> dict[int, list[tuple[int, int]]]:
    """Suggest units for each unfinished pick list line, oldest pick list first: units none of whose
    cartons is loaded, in-stock ones first, by bin."""
    suggested: dict[int, list[tuple[int, int]]] = {}
    free: dict[int, list[tuple[int, int]]] = {}
    for line_id, line_units in units.items():
        candidates = [key for key, cartons in line_units.items() if all(c.status != "loaded" for c in cartons)]
        candidates.sort(key=lambda key: (any(c.status != "in_warehouse" for c in line_units[key]),
                                         min(c.location or "~" for c in line_units[key]), key))
        free[line_id] = candidates
    for pick_line in sharing:
        need = max(0, pick_line.units - len(touched[(pick_line.pick_list_id, pick_line.order_line_id)]))
        pool = free.get(pick_line.order_line_id, [])
        suggested[pick_line.id], free[pick_line.order_line_id] = pool[:need], pool[need:]
    return suggested


def counts(pick_list: PickList) -> tuple[int, int]:
    """(loaded, expected) cartons: cheap, for the answer to each scan."""
    expected = (PickListLine.select(fn.SUM(PickListLine.units * Product.cartons_per_unit))
                .join(OrderLine).join(Product).where(PickListLine.pick_list == pick_list).scalar())
    loaded = Carton.select().where((Carton.pick_list == pick_list) & (Carton.status == "loaded")).count()
    return loaded, int(expected or 0)


# -- finishing -------------------------------------------------------------------------------------


def finish_loading(pick_list: PickList, station: Station | None = None, approver: Approver | None = None,
                   reason: str = "", refused: Msg | None = None) -> Outcome:
    """Close the pick list: when every carton is loaded, or short with a supervisor's approval and a reason.
    `refused` is why an approval offered was not accepted (wrong PIN, a worker's badge...).
    Prints the manifest and the delivery notes, and marks the orders shipped or partly shipped."""
    if pick_list.status == "finished":
        return Outcome("rejected", "finish",
                       msg("Pick list {code} was already finished at {time}. Scan the next pick list.",
                           code=pick_list.code, time=short_time(pick_list.finished_at)),
                       reason="finished", pick_list=pick_list, detail={"pick_list": ""})
    current = tally(pick_list)
    held = {"pick_list": pick_list.code}
    reason = clean_text(reason, 200)
    approved_by = ""
    if not current.complete:
        if refused is not None:
            return Outcome("rejected", "finish", refused, reason="not_approved", pick_list=pick_list, detail=held)
        if approver is None:
            return Outcome("rejected", "finish", msg(
                "Pick list {code} is not complete: {missing} of {expected} cartons missing ({codes}). Load them, "
                "or a supervisor can finish it short with a reason.", code=pick_list.code,
                missing=current.missing_count, expected=current.expected, codes=_codes(current.missing)),
                reason="incomplete", pick_list=pick_list, detail=held)
        if not reason:
            return Outcome("rejected", "finish", msg("Write why the truck leaves short; the reason is printed on "
                                                     "the manifest."),
                           reason="no_reason", pick_list=pick_list, detail=held)
        if current.partial:
            # a customer gets whole units: the rest of a started unit is loaded, or what is on comes off
            return Outcome("rejected", "finish", msg(
                "A unit is only partly on the truck: {codes} missing. Load those cartons, or have the supervisor "
                "take its other cartons off, then finish short.", codes=_codes(current.partial)),
                reason="partial_unit", pick_list=pick_list, detail=held)
        approved_by = approver.name
    pick_list.status = "finished"
    pick_list.finished_at = utcnow()
    pick_list.override_reason = f"{reason} ({approved_by})"[:256] if approved_by else ""
    pick_list.save(only=[PickList.status, PickList.finished_at, PickList.override_reason])
    loaded = list(Carton.select().where((Carton.pick_list == pick_list) & (Carton.status == "loaded")))
    goods_moved(loaded)

    printer = manifest_printer(pick_list, station)
    printed = print_manifest(pick_list, printer)
    notes = issue_for_pick_list(pick_list, printer)  # 送货单: one per customer, after the manifest
    detail = {"pick_list": "", "finished": pick_list.code, "loaded": current.loaded,
              "missing": current.missing, "missing_count": current.missing_count, "printer": printed.printer,
              "delivery_notes": [note.code for note in notes]}
    printing = printing_note(printed, msg("Manifest: give it to the driver. {where}"),
                              msg("No receipt printer is set up here: print the manifest from the browser."))
    if approved_by:
        detail.update(approver.audit(), reason=reason)
        return Outcome("warning", "finish", msg(
            "Pick list {code} finished short: {loaded} of {expected} cartons loaded, approved by {who} ({reason}). "
            "{printing}", code=pick_list.code, loaded=current.loaded, expected=current.expected, who=approved_by,
            reason=reason, printing=printing), pick_list=pick_list, detail=detail)
    return Outcome("ok", "finish", msg("Pick list {code} finished: all {loaded} cartons loaded. {printing}",
                                       code=pick_list.code, loaded=current.loaded, printing=printing),
                   pick_list=pick_list, detail=detail)


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:MAX_CODES_SHOWN])
    return shown + (" ..." if len(codes) > MAX_CODES_SHOWN else "")


def manifest_printer(pick_list: PickList, station: Station | None) -> str | None:
    """The receipt printer at the station that finished loading, else at the loading station named as the dock."""
    if station is not None and station.receipt_printer:
        return station.receipt_printer
    dock = (pick_list.dock or "").strip()
    if dock:
        named = Station.select().where((Station.kind == "loading") & (Station.receipt_printer.is_null(False))
                                       & ((Station.code == dock) | (Station.name_en == dock)
                                          | (Station.name_zh == dock))).first()
        if named is not None:
            return named.receipt_printer
    return None


# -- printed documents -----------------------------------------------------------------------------


def pick_list_doc(pick_list: PickList, current: Tally | None = None):
    current = current or tally(pick_list)
    lines = [PickLine(line.order_line.order.number, line.order_line.product.model_no, line.order_line.product.name,
                      line.units, tuple(line.loaded + line.missing)) for line in current.lines]
    return PickListDoc(pick_list.code, pick_list.customer.name, pick_list.truck_plate, pick_list.dock,
                       pick_list.ship_date, tuple(lines))


def manifest_doc(pick_list: PickList, current: Tally | None = None):
    """The manifest: as finished (missing cartons as recorded then), or as things stand."""
    current = current or tally(pick_list)
    recorded = None
    if pick_list.status == "finished":
        event = (ScanEvent.select(ScanEvent.detail).where((ScanEvent.pick_list == pick_list)
                                                          & (ScanEvent.action == "finish")
                                                          & ScanEvent.outcome.in_(("ok", "warning")))
                 .order_by(ScanEvent.id.desc()).first())
        recorded = set((event.detail or {}).get("missing", [])) if event else None
    lines = []
    for line in current.lines:
        missing = line.missing if recorded is None else [c for c in recorded if c in _line_codes(line)]
        lines.append(ManifestLine(line.order_line.order.number, line.order_line.product.model_no,
                                  line.order_line.product.name, line.units, line.loaded_units,
                                  tuple(line.loaded), tuple(missing)))
    finished = to_local(pick_list.finished_at or utcnow()).replace(tzinfo=None)
    return ManifestDoc(pick_list.code, pick_list.customer.name, pick_list.truck_plate, pick_list.dock, finished,
                       tuple(lines), pick_list.override_reason)


def _line_codes(line: TallyLine) -> set[str]:
    return {code for (code,) in Carton.select(Carton.code).where((Carton.order_line == line.order_line.id)
                                                                 & (Carton.status != TAKEN_OUT)).tuples()}


def pick_list_layout_for(pick_list: PickList, lang: str | None = None) -> Layout:
    return labels.pick_list_layout(pick_list_doc(pick_list), lang or SETTINGS.label_lang)


def manifest_layout_for(pick_list: PickList, lang: str | None = None) -> Layout:
    return labels.manifest_layout(manifest_doc(pick_list), lang or SETTINGS.label_lang)


def print_pick_list(pick_list: PickList, printer_name: str | None, lang: str | None = None) -> Printed:
    return queue_layouts(printer_name, lambda printer: [(f"pick list {pick_list.code}",
                                                         pick_list_layout_for(pick_list, lang))])


def print_manifest(pick_list: PickList, printer_name: str | None, lang: str | None = None) -> Printed:
    return queue_layouts(printer_name, lambda printer: [(f"manifest {pick_list.code}",
                                                         manifest_layout_for(pick_list, lang))])


# -- undo ------------------------------------------------------------------------------------------


def last_load(carton: Carton, pick_list: PickList) -> ScanEvent | None:
    return (ScanEvent.select().where((ScanEvent.carton == carton) & (ScanEvent.pick_list == pick_list)
                                     & (ScanEvent.action == "load") & ScanEvent.outcome.in_(("ok", "warning")))
            .order_by(ScanEvent.id.desc()).first())


def undo_load(pick_list_code: str, carton_code: str, approver: Approver, reason: str) -> ScanEvent:
    """A supervisor takes a mis-scanned carton off a pick list: a compensating "undo" event, never a delete.
    The undo is recorded under the approver's user name."""
    if not isinstance(approver, Approver):
        raise ShippingError(msg("Only a supervisor can undo a loaded carton: they scan their own badge and type "
                                "their PIN."))
    pick_list = find_pick_list(pick_list_code)
    if pick_list is None:
        raise ShippingError(msg("Scan the pick list first, then its cartons."))
    carton = find_carton(carton_code)
    if carton is None:
        raise ShippingError(msg("Unknown code {code}: no carton has it. Check the label.", code=carton_code[:40]))
    if carton.status != "loaded" or carton.pick_list_id != pick_list.id:
        raise ShippingError(msg("Carton {carton} is not loaded on pick list {code}; there is nothing to undo.",
                                carton=carton.code, code=pick_list.code))
    event = last_load(carton, pick_list)
    if event is None:
        raise ShippingError(msg("Carton {carton} has no loading scan on record; it cannot be undone.",
                                carton=carton.code))
    try:
        return undo_scan(event.id, reason or "Mis-scan", approver.username, extra=approver.audit())
    except ActionRefused as refusal:
        raise ShippingError(refusal.message) from None


# -- desk actions ----------------------------------------------------------------------------------

def finish_from_desk(pick_list_code: str, approver: Approver | None, reason: str, user: str, idem_key: str,
                     refused: Msg | None = None) -> ScanResult:
    def action() -> Outcome:
        pick_list = find_pick_list(pick_list_code, lock=True)
        if pick_list is None:
            raise ShippingError(msg("There is no pick list {code}.", code=pick_list_code[:32]))
        return finish_loading(pick_list, None, approver, reason, refused)

    return record_desk_action(idem_key, pick_list_code, user, action)


def last_pick_list_at(station: Station) -> PickList | None:
    """The pick list last scanned at this station, if it is still being loaded (a reloaded kiosk page)."""
    event = (ScanEvent.select(ScanEvent.pick_list).where((ScanEvent.station == station)
                                                         & (ScanEvent.action == "pick_list")
                                                         & (ScanEvent.outcome == "ok"))
             .order_by(ScanEvent.id.desc()).first())
    if event is None or event.pick_list_id is None:
        return None
    pick_list = PickList.select(PickList, Customer).join(Customer).where(PickList.id == event.pick_list_id).first()
    return pick_list if pick_list is not None and pick_list.status != "finished" else None
