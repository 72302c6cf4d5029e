"""Customer complaints (客户投诉) and replacement parts (补件单).

A clerk records a complaint against goods that shipped: the order line, the carton or part, what is
wrong, photos. A manager (supervisor or admin) confirms or rejects it with a note; a decision is
final. Confirming makes a replacement order (original number + "-R1"), linked to the original and
released at once on a route the manager chooses; its cartons are labelled as replacement parts for
the original order (kiosk/cartons.py) and it ships on a pick list like any order. Every action is
an event in the log (complaint_opened, complaint_photo, complaint_confirmed, complaint_rejected,
replacement_order). Photos are files under the instance folder, checked by their bytes.

Plain Python over the models; no Flask.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from peewee import JOIN

from db import is_postgres, write_transaction
from db.models import (
    Carton,
    Complaint,
    ComplaintPhoto,
    JobCard,
    Order,
    OrderLine,
    PickList,
    Product,
    Route,
    ScanEvent,
    User,
    utcnow,
)
from kiosk.complaints.photos import (
    PHOTO_MAX_BYTES,
    CheckedPhoto,
    PhotoRefused,
    Upload,
    check_photo,
    remove_files,
    store_photos,
)
from kiosk.core.clock import to_local, today
from kiosk.core.plant import route_stations
from kiosk.eventlog import stream as events
from kiosk.eventlog.audit import record_action
from kiosk.i18n import Msg, msg
from kiosk.orders.orders import (
    DEFAULT_CARD_UNITS,
    LineInput,
    OrderError,
    OrderInput,
    create_order,
    parse_date,
    release_order,
)
from kiosk.shipping.cartons import find_carton, unit_states

# Why the customer complains; the daily report counts complaints by these.
REASONS = {
    "transit_damage": "Damaged in transit",
    "defect": "Manufacturing defect",
    "missing_part": "Missing part or carton",
    "wrong_item": "Wrong product, colour or size",
    "assembly": "Does not assemble",
    "other": "Other problem",
}
STATES = {"open": "Awaiting decision", "confirmed": "Confirmed", "rejected": "Rejected"}
MANAGER_ROLES = ("admin", "supervisor")  # the same roles kiosk/auth.py calls SUPERVISORS
# A replacement's route needs these station kinds to ship, named in a refusal as these words.
SHIPPING_KINDS = {"packing": "packing", "warehouse": "warehouse-in", "loading": "loading"}
REPLACEMENT_DAYS = 7  # the replacement's due date, unless the manager sets one

MAX_PHOTOS = 12  # per complaint
MAX_DESCRIPTION = 2000
MAX_NOTE = 500


class ComplaintError(ValueError):
    """A complaint or decision that cannot be recorded as given; `message` says why and what to do."""

    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


def complaint_code(complaint_id: int) -> str:
    """CP + six digits: short, ASCII, never all digits."""
    return f"CP{complaint_id:06d}"


def reason_label(reason: str) -> Msg:
    return msg(REASONS.get(reason, "Other problem"))


def state_label(state: str) -> Msg:
    return msg(STATES.get(state, "Awaiting decision"))


def _text(value, limit: int, lines: bool = False) -> str:
    """Printable text (newlines kept when `lines`), trimmed and cut to `limit`."""
    keep = "\n" if lines else ""
    text = str(value or "").replace("\r\n", "\n")
    return "".join(ch for ch in text if ch.isprintable() or ch in keep).strip()[:limit]


def _record(action: str, user: str, message: Msg, **links) -> ScanEvent:
    event = record_action(action, user, message, **links)
    events.event_recorded()  # boards and order pages hear of it once the transaction commits
    return event


# -- what shipped ----------------------------------------------------------------------------------


def shipped_units(order: Order) -> dict[int, int]:
    """Order line id -> units loaded on a finished pick list (what the customer has received)."""
    shipped: dict[int, int] = Counter()
    for unit in unit_states(order_ids=[order.id]):
        shipped[unit.order_line_id] += unit.is_shipped
    return dict(shipped)


def shipped_cartons(order: Order) -> list[Carton]:
    """The order's cartons that left on a finished pick list, line by line."""
    return list(
        Carton.select(Carton, OrderLine, JobCard).join(OrderLine).switch(Carton).join(JobCard).switch(Carton)
        .join(PickList, JOIN.INNER, on=(Carton.pick_list == PickList.id))
        .where((OrderLine.order == order) & (Carton.status == "loaded") & (PickList.status == "finished"))
        .order_by(OrderLine.line_no, Carton.job_card, Carton.unit_no, Carton.package_no)
    )


def _is_shipped(carton: Carton) -> bool:
    if carton.status != "loaded" or carton.pick_list_id is None:
        return False
    return PickList.select().where((PickList.id == carton.pick_list_id) & (PickList.status == "finished")).exists()


# -- recording a complaint -------------------------------------------------------------------------


@dataclass
class ComplaintInput:
    order_number: str
    reason: str
    description: str
    line_no: int | str | None = None  # which product; taken from the carton when only that is given
    carton_code: str = ""
    part: str = ""
    units: int | str = 1
    photos: list[Upload] = field(default_factory=list)


def open_complaint(data: ComplaintInput, user: str, photo_root: Path,
                   max_photo_bytes: int = PHOTO_MAX_BYTES) -> Complaint:
    """Record a complaint about shipped goods, with its photos; refuse with the first problem found."""
    photos = _checked(data.photos, max_photo_bytes)
    written: list[Path] = []
    try:
        with write_transaction():
            order, line, carton, units = _check_input(data)
            complaint = Complaint.create(
                code=f"T{secrets.token_hex(12)}", order=order, order_line=line, carton=carton,
                part=_text(data.part, 128), reason=data.reason, description=_text(data.description, MAX_DESCRIPTION,
                                                                                  lines=True),
                units=units, created_by=user[:32],
            )
            complaint.code = complaint_code(complaint.id)
            complaint.save(only=[Complaint.code])
            store_photos(complaint, photos, Path(photo_root), user, written)
            what = carton.code if carton else (complaint.part or line.product.model_no)
            _record("complaint_opened", user,
                    msg("Complaint {code} on order {order}, line {line} ({model}) - {what}: {reason}. Recorded by "
                        "{user}.", code=complaint.code, order=order.number, line=line.line_no,
                        model=line.product.model_no, what=what, reason=reason_label(complaint.reason), user=user),
                    order=order, carton=carton, code=complaint.code, reason=complaint.reason,
                    detail={"complaint": complaint.code, "reason": complaint.reason, "line": line.line_no,
                            "units": units, "photos": len(photos)})
    except BaseException:
        remove_files(written)
        raise
    return complaint


def order_for_complaint(number: str) -> Order:
    """The order a complaint is about: it must exist and have shipped something."""
    number = _text(number, 32)
    order = Order.get_or_none(Order.number == number)
    if order is None:
        raise ComplaintError(msg("There is no order {number}. Check the number on the customer's delivery note.",
                                 number=number or "-"))
    if not any(shipped_units(order).values()):
        raise ComplaintError(msg("Order {order} has shipped nothing yet, so there is nothing to complain about. For "
                                 "goods still in the plant, tell the supervisor.", order=order.number))
    return order


def _check_input(data: ComplaintInput) -> tuple[Order, OrderLine, Carton | None, int]:
    order = order_for_complaint(data.order_number)
    shipped = shipped_units(order)
    carton = None
    code = _text(data.carton_code, 64)
    if code:
        carton = find_carton(code)
        if carton is None:
            raise ComplaintError(msg("There is no carton {carton}. Check the code on the carton label.",
                                     carton=code))
        if carton.order_line.order_id != order.id:
            raise ComplaintError(msg("Carton {carton} belongs to order {other}, not {order}.", carton=carton.code,
                                     other=carton.order_line.order.number, order=order.number))
        if not _is_shipped(carton):
            raise ComplaintError(msg("Carton {carton} has not shipped yet: it is still in the plant. A complaint is "
                                     "about goods the customer received.", carton=carton.code))
    line = _line(order, data.line_no, carton)
    if not shipped.get(line.id):
        raise ComplaintError(msg("Line {line} ({model}) of order {order} has shipped nothing yet. Choose a line the "
                                 "customer received.", line=line.line_no, model=line.product.model_no,
                                 order=order.number))
    if data.reason not in REASONS:
        raise ComplaintError(msg("Choose what kind of problem it is."))
    if not _text(data.description, MAX_DESCRIPTION, lines=True):
        raise ComplaintError(msg("Say what is wrong, in the customer's words if you have them."))
    units = _whole(data.units)
    if units is None or not 1 <= units <= shipped[line.id]:
        raise ComplaintError(msg("Units to replace must be between 1 and {max}, the units of this line that shipped.",
                                 max=shipped[line.id]))
    return order, line, carton, units


def _line(order: Order, line_no, carton: Carton | None) -> OrderLine:
    lines = {line.line_no: line for line in OrderLine.select(OrderLine, Product).join(Product)
             .where(OrderLine.order == order)}
    wanted = _whole(line_no) if str(line_no or "").strip() else None
    if carton is not None:
        line = next(line for line in lines.values() if line.id == carton.order_line_id)
        if wanted is not None and wanted != line.line_no:
            raise ComplaintError(msg("Carton {carton} is of line {line} ({model}), not line {wanted}. Choose the "
                                     "line of the carton, or leave the carton out.", carton=carton.code,
                                     line=line.line_no, model=line.product.model_no, wanted=wanted))
        return line
    if wanted is None or wanted not in lines:
        raise ComplaintError(msg("Choose which product of order {order} the complaint is about.", order=order.number))
    return lines[wanted]


def _whole(value) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _checked(uploads: list[Upload], max_bytes: int) -> list[CheckedPhoto]:
    if len(uploads) > MAX_PHOTOS:
        raise ComplaintError(msg("A complaint keeps at most {max} photos. Choose the clearest.", max=MAX_PHOTOS))
    try:
        return [check_photo(upload, max_bytes) for upload in uploads]
    except PhotoRefused as refused:
        raise ComplaintError(refused.message) from None


def add_photos(code: str, uploads: list[Upload], user: str, photo_root: Path,
               max_photo_bytes: int = PHOTO_MAX_BYTES) -> list[ComplaintPhoto]:
    """More photos for a complaint (the customer sent more); kept after a decision too, as evidence."""
    photos = _checked(uploads, max_photo_bytes)
    if not photos:
        raise ComplaintError(msg("Choose one or more photos to add."))
    written: list[Path] = []
    try:
        with write_transaction():
            complaint = _locked(code)
            have = ComplaintPhoto.select().where(ComplaintPhoto.complaint == complaint).count()
            if have + len(photos) > MAX_PHOTOS:
                raise ComplaintError(msg("A complaint keeps at most {max} photos; this one has {have}. Choose the "
                                         "clearest.", max=MAX_PHOTOS, have=have))
            rows = store_photos(complaint, photos, Path(photo_root), user, written)
            _record("complaint_photo", user, msg("{n} photos added to complaint {code} by {user}.", n=len(rows),
                                                 code=complaint.code, user=user),
                    order=complaint.order_id, code=complaint.code, detail={"complaint": complaint.code})
    except BaseException:
        remove_files(written)
        raise
    return rows


# -- the manager's decision ------------------------------------------------------------------------


def find_complaint(code: str) -> Complaint | None:
    return Complaint.get_or_none(Complaint.code == _text(code, 32))


def _locked(code: str) -> Complaint:
    query = Complaint.select().where(Complaint.code == _text(code, 32))
    if is_postgres():
        query = query.for_update()
    complaint = query.first()
    if complaint is None:
        raise ComplaintError(msg("There is no complaint {code}.", code=_text(code, 32) or "-"))
    return complaint


def is_manager(username: str) -> bool:
    user = User.get_or_none((User.username == username) & User.active)
    return user is not None and user.role in MANAGER_ROLES


def shipping_routes() -> list[Route]:
    """Routes a replacement may follow: those that end packed, stored and loaded, so it can ship."""
    return [route for route in Route.select().order_by(Route.name)
            if _missing_stage(route) is None]


def _missing_stage(route: Route) -> str | None:
    kinds = [station.kind for station in route_stations(route.id)]
    return next((kind for kind in SHIPPING_KINDS if kind not in kinds), None)


@dataclass
class Decision:
    """A manager's answer; the replacement fields count only when confirming."""

    confirm: bool
    note: str
    route: str = ""  # Route.name
    units: int | str | None = None  # default: the units the complaint asks for
    due_date: dt.date | str | None = None  # default: REPLACEMENT_DAYS from today
    rush: bool = True


def decide(code: str, decision: Decision, user: str, card_units: int = DEFAULT_CARD_UNITS) -> Complaint:
    """Confirm (and make the replacement order) or reject; only a manager, and only once."""
    if not is_manager(user):
        raise ComplaintError(msg("Only a supervisor or an admin can confirm or reject a complaint. Ask one of them "
                                 "to decide."))
    with write_transaction():
        complaint = _locked(code)
        if complaint.state != "open":
            decided = dict(code=complaint.code, who=complaint.decided_by or "-", time=_local(complaint.decided_at))
            if complaint.state == "confirmed":
                raise ComplaintError(msg("Complaint {code} was already confirmed by {who} at {time}. A decision "
                                         "cannot be changed; record a new complaint if the customer comes back.",
                                         **decided))
            raise ComplaintError(msg("Complaint {code} was already rejected by {who} at {time}. A decision cannot "
                                     "be changed; record a new complaint if the customer comes back.", **decided))
        note = _text(decision.note, MAX_NOTE, lines=True)
        if not note:
            raise ComplaintError(msg("Write a note for the decision: why it is confirmed or rejected."))
        order = complaint.order
        complaint.state = "confirmed" if decision.confirm else "rejected"
        complaint.decided_by, complaint.decided_at, complaint.decision_note = user[:32], utcnow(), note
        if decision.confirm:
            complaint.replacement_order = _replacement(complaint, decision, card_units)
        complaint.save()
        if decision.confirm:
            replacement = complaint.replacement_order
            _record("complaint_confirmed", user,
                    msg("Complaint {code} confirmed by {user}: {note}. Replacement order {replacement} released.",
                        code=complaint.code, user=user, note=note, replacement=replacement.number),
                    order=order, code=complaint.code, reason=complaint.reason,
                    detail={"complaint": complaint.code, "reason": complaint.reason,
                            "replacement": replacement.number})
            _record("replacement_order", user,
                    msg("Replacement parts for order {order} (complaint {code}), released by {user}.",
                        order=order.number, code=complaint.code, user=user),
                    order=replacement, code=complaint.code, detail={"complaint": complaint.code,
                                                                    "original": order.number})
        else:
            _record("complaint_rejected", user,
                    msg("Complaint {code} rejected by {user}: {note}", code=complaint.code, user=user, note=note),
                    order=order, code=complaint.code, reason=complaint.reason,
                    detail={"complaint": complaint.code, "reason": complaint.reason})
    return complaint


def _replacement(complaint: Complaint, decision: Decision, card_units: int) -> Order:
    """The replacement order: the complained-about product again, on the chosen route, released now."""
    route = Route.get_or_none(Route.name == _text(decision.route, 64))
    if route is None:
        raise ComplaintError(msg("Choose the route the replacement parts will follow."))
    missing = _missing_stage(route)
    if missing is not None:
        raise ComplaintError(msg("Route {route} has no {stage} station, and replacement parts must be packed, stored "
                                 "and loaded to ship. Choose another route.", route=route.name,
                                 stage=msg(SHIPPING_KINDS[missing])))
    line, original = complaint.order_line, complaint.order
    if is_postgres():  # two complaints on one order confirmed at once: one takes -R1, the other waits, then -R2
        Order.select().where(Order.id == original.id).for_update().first()
    shipped = shipped_units(original).get(line.id, 0)
    units = complaint.units if decision.units in (None, "") else _whole(decision.units)
    if units is None or not 1 <= units <= shipped:
        raise ComplaintError(msg("Units to replace must be between 1 and {max}, the units of this line that shipped.",
                                 max=shipped))
    what = complaint.carton.code if complaint.carton_id else complaint.part
    try:
        due = parse_date(decision.due_date) if decision.due_date else today() + dt.timedelta(days=REPLACEMENT_DAYS)
        order = create_order(OrderInput(
            number=replacement_number(original), customer_code=original.customer.code, due_date=due,
            lines=[LineInput(model_no=line.product.model_no, quantity=units, colour=line.colour,
                             note=f"补件 {complaint.code} {what}".strip())],
            rush=bool(decision.rush), destination=original.destination,
            note=f"补件 Replacement parts: {original.number}, {complaint.code}",
        ))
        Order.update(kind="replacement", replacement_for=original).where(Order.id == order.id).execute()
        release_order(order, card_units=card_units, route_id=route.id)
    except OrderError as failure:
        raise ComplaintError(failure.message) from None
    _free_of_charge(order)
    return Order.get_by_id(order.id)


def _free_of_charge(order: Order) -> None:
    """Replacement parts are not invoiced: they never wait for a payment release."""
    if hasattr(Order, "payment_release"):
        Order.update(payment_release="not_required").where(Order.id == order.id).execute()


def decided_note(complaint: Complaint) -> Msg:
    """What the manager is told after deciding."""
    if complaint.state == "confirmed":
        return msg("Complaint {code} confirmed. Replacement order {replacement} is released to the floor; its job "
                   "cards follow route {route}.", code=complaint.code, replacement=complaint.replacement_order.number,
                   route=_route_name(complaint.replacement_order))
    return msg("Complaint {code} rejected. Tell the customer why.", code=complaint.code)


def _route_name(order: Order) -> str:
    card = JobCard.select(JobCard, Route).join(Route).join_from(JobCard, OrderLine).where(
        OrderLine.order == order).first()
    return card.route.name if card else "-"


def replacement_number(original: Order) -> str:
    """The original's number + "-R1", "-R2"...: the next one free, cut to fit 32 characters."""
    n = Order.select().where(Order.replacement_for == original).count() + 1
    while True:
        suffix = f"-R{n}"
        number = original.number[:32 - len(suffix)] + suffix
        if not Order.select().where(Order.number == number).exists():
            return number
        n += 1


def _local(at: dt.datetime | None) -> str:
    return to_local(at).strftime("%Y-%m-%d %H:%M") if at else "-"


# -- reading ---------------------------------------------------------------------------------------


def complaints_of(order: Order) -> list[Complaint]:
    """Complaints about this order, newest first."""
    return list(Complaint.select().where(Complaint.order == order).order_by(Complaint.id.desc()))


def complaint_for_replacement(order: Order) -> Complaint | None:
    """The complaint a replacement order was made for."""
    return Complaint.get_or_none(Complaint.replacement_order == order)


def list_complaints(state: str = "open", search: str = "", limit: int = 200) -> list[Complaint]:
    query = (Complaint.select(Complaint, Order).join(Order, on=(Complaint.order == Order.id))
             .order_by(Complaint.id.desc()).limit(limit))
    if state in STATES:
        query = query.where(Complaint.state == state)
    search = _text(search, 32)
    if search:
        query = query.where((Complaint.code == search) | Order.number.contains(search))
    return list(query)


@dataclass
class ComplaintFigures:
    """A day's complaints for the daily report: opened (by reason), confirmed and rejected."""

    opened: int = 0
    confirmed: int = 0
    rejected: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)  # (reason, complaints opened), most first


def day_figures(start: dt.datetime, end: dt.datetime) -> ComplaintFigures:
    """From the event log: complaints opened, confirmed and rejected in [start, end)."""
    figures = ComplaintFigures()
    reasons: Counter[str] = Counter()
    rows = (ScanEvent.select(ScanEvent.action, ScanEvent.reason)
            .where((ScanEvent.at >= start) & (ScanEvent.at < end)
                   & ScanEvent.action.in_(("complaint_opened", "complaint_confirmed", "complaint_rejected")))
            .tuples())
    for action, reason in rows:
        if action == "complaint_opened":
            figures.opened += 1
            reasons[reason if reason in REASONS else "other"] += 1
        elif action == "complaint_confirmed":
            figures.confirmed += 1
        else:
            figures.rejected += 1
    figures.reasons = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return figures
