"""Supervisor actions, each one audited: undo a scan, hold and release an order, record why it is late.

An undo never deletes: it writes a compensating event (action "undo", negative units, the reason)
and puts the job card back where the scan found it - only when nothing later depends on that scan;
otherwise it refuses and says what to undo first. Each scan can be undone once (the undo event's
key is unique per scan). Stations whose scans change more than a job card's place (packing,
loading...) register their own reversal with `@undoer(action)`. No Flask here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from peewee import IntegrityError

from db import in_ids, is_postgres, write, write_transaction
from db.models import DELAY_REASONS, Carton, JobCard, Order, OrderDelay, ScanEvent, Station, utcnow
from kiosk.cards.route import route_stations, station_label
from kiosk.eventlog.audit import record_action
from kiosk.i18n import Msg, msg
from kiosk.orders.orders import set_hold
from kiosk.people.users import clean_text

MAX_REASON = 200
MAX_NOTE = 500

DELAY_LABELS = {
    "plan_error": "Plan error",
    "machine_fault": "Machine fault",
    "material_shortage": "Material shortage",
    "high_defect_rate": "High defect/scrap rate",
    "rush_order_impact": "Rush-order impact",
    "upstream_delay": "Upstream delay",
    "staffing": "Staffing",
}
assert tuple(DELAY_LABELS) == DELAY_REASONS


class ActionRefused(ValueError):
    """The action cannot be done now; `message` says why and what to do instead."""

    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


def _reason_text(reason: str, what: Msg) -> str:
    text = clean_text(reason, MAX_REASON)
    if not text:
        raise ActionRefused(what)
    return text


# -- undo a scan -----------------------------------------------------------------------------------

UNDOERS: dict[str, Callable[[ScanEvent], Msg]] = {}


def undoer(*actions: str):
    """Register how to reverse the effect of scans with these actions; return what the undo did."""

    def wrap(fn):
        for action in actions:
            UNDOERS[action] = fn
        return fn

    return wrap


# Other areas' say on an undo: each check raises ActionRefused to stop it (piece pay: an approved period).
UNDO_CHECKS: list[Callable[[ScanEvent], None]] = []


def undo_key(event_id: int) -> str:
    return f"undo-{event_id}"


def undone_ids(event_ids: list[int]) -> set[int]:
    """Which of these events have been undone."""
    if not event_ids:
        return set()
    keys = {undo_key(i): i for i in event_ids}
    found = ScanEvent.select(ScanEvent.idem_key).where(ScanEvent.idem_key.in_(list(keys)))
    return {keys[e.idem_key] for e in found}


def can_undo(event: ScanEvent) -> bool:
    return event.outcome in ("ok", "warning") and event.action in UNDOERS


def undo_scan(event_id: int, reason: str, user: str, extra: dict | None = None) -> ScanEvent:
    """Reverse one accepted scan, with a reason; the compensating event is returned. `user` is who
    approved it (their session at the desk, their badge and PIN at a kiosk); `extra` goes into the detail."""
    reason = _reason_text(reason, msg("Say why the scan is undone."))

    def run() -> ScanEvent:
        event = ScanEvent.get_or_none(ScanEvent.id == event_id)
        if event is None:
            raise ActionRefused(msg("There is no scan number {id}.", id=event_id))
        if not can_undo(event):
            raise ActionRefused(msg("Only an accepted scan at a station can be undone; this one ({action}) "
                                    "cannot.", action=event.action))
        if undone_ids([event.id]):
            raise ActionRefused(msg("Scan {id} was already undone.", id=event.id))
        for check in UNDO_CHECKS:
            check(event)
        effect = UNDOERS[event.action](event)
        return record_action(
            "undo", user,
            msg("Undone by {user}: {code} ({reason}). {effect}", user=user, code=event.code, reason=reason,
                effect=effect),
            key=undo_key(event.id), station=event.station_id, code=event.code, units=-event.units,
            order=event.order_id, job_card=event.job_card_id, carton=event.carton_id,
            pick_list=event.pick_list_id, reason="undo",
            detail={"undoes": event.id, "undone_action": event.action, "why": reason, **(extra or {})},
        )

    try:
        return write(run)  # in the scans' group commit
    except IntegrityError:
        # Two supervisors undid the same scan at once: the other one's undo stands.
        raise ActionRefused(msg("Scan {id} was already undone.", id=event_id)) from None


def _locked_card(card_id: int) -> JobCard:
    query = JobCard.select().where(JobCard.id == card_id)
    if is_postgres():
        query = query.for_update()
    return query.get()


def _later_scans(card: JobCard, event: ScanEvent) -> list[ScanEvent]:
    """Accepted scans of this card after `event` that have not been undone themselves."""
    later = list(ScanEvent.select().where(
        (ScanEvent.job_card == card) & (ScanEvent.id > event.id) & ScanEvent.outcome.in_(("ok", "warning"))
        & (ScanEvent.action.not_in(("undo", "sign_in")))))
    gone = undone_ids([e.id for e in later])
    return [e for e in later if e.id not in gone]


def _refuse_if_moved_on(card: JobCard, event: ScanEvent, expected_next: int, stations: list[Station]) -> None:
    later = _later_scans(card, event)
    if later:
        first = later[0]
        where = station_label(first.station) if first.station_id else "-"
        raise ActionRefused(msg("Card {card} has a later scan ({action} at {station}); undo that one first.",
                                card=card.code, action=first.action, station=where))
    if card.next_seq != expected_next:
        waits = station_label(stations[card.next_seq]) if card.next_seq < len(stations) else msg("the end of its route")
        raise ActionRefused(msg("Card {card} is no longer where this scan left it (it waits at {station}); "
                                "nothing was changed.", card=card.code, station=waits))
    if Carton.select().where(Carton.job_card == card).exists():
        raise ActionRefused(msg("Card {card} already has packed cartons; undo the packing first.", card=card.code))


def _station_position(event: ScanEvent, stations: list[Station]) -> int:
    for index, station in enumerate(stations):
        if station.id == event.station_id:
            return index
    raise ActionRefused(msg("This scan's station is no longer on the card's route; it cannot be undone."))


def _back_to_released(order_id: int) -> None:
    """An order with no work recorded any more is released again, not in production."""
    order = Order.get_by_id(order_id)
    if order.status != "in_production":
        return
    from db.models import OrderLine

    started = (JobCard.select().join(OrderLine)
               .where((OrderLine.order == order) & (JobCard.status != "void")
                      & ((JobCard.next_seq > 0) | JobCard.parent.is_null(False))).exists())
    if not started:
        order.status = "released"
        order.save()


@undoer("pass", "qc_pass")
def _undo_pass(event: ScanEvent) -> Msg:
    """A card that moved on from a station waits there again."""
    if event.job_card_id is None:
        raise ActionRefused(msg("This scan moved no job card; there is nothing to undo."))
    card = _locked_card(event.job_card_id)
    stations = route_stations(card.route_id)
    index = _station_position(event, stations)
    if card.status == "void":
        raise ActionRefused(msg("Card {card} was split by QC since; undo the QC result first.", card=card.code))
    _refuse_if_moved_on(card, event, index + 1, stations)
    card.next_seq = index
    card.status = "open"
    card.updated_at = utcnow()
    card.save()
    _back_to_released(event.order_id or card.order_line.order_id)
    return msg("Card {card} waits at {station} again.", card=card.code, station=station_label(stations[index]))


@undoer("qc_fail")
def _undo_qc_fail(event: ScanEvent) -> Msg:
    """Failed units return to their card, which waits at QC again; the rework card becomes void."""
    detail = event.detail or {}
    if event.job_card_id is None:
        raise ActionRefused(msg("This scan moved no job card; there is nothing to undo."))
    card = _locked_card(event.job_card_id)
    stations = route_stations(card.route_id)
    index = _station_position(event, stations)
    rework = JobCard.get_or_none(JobCard.code == str(detail.get("rework_card", "")))
    failed = int(detail.get("failed_units") or 0)
    if rework is None or failed <= 0:
        raise ActionRefused(msg("This QC result has no rework card on record; it cannot be undone."))
    rework = _locked_card(rework.id)
    if rework.status == "void" or _later_scans(rework, event) or rework.rework_cards.exists():
        raise ActionRefused(msg("Rework card {rework} has been worked on since; this QC result cannot be undone.",
                                rework=rework.code))
    good = int(detail.get("good_units") or 0)
    if good > 0:
        _refuse_if_moved_on(card, event, index + 1, stations)
    else:
        if card.status != "void" or _later_scans(card, event):
            raise ActionRefused(msg("Card {card} is no longer where this scan left it; nothing was changed.",
                                    card=card.code))
    now = utcnow()
    rework.status = "void"
    rework.updated_at = now
    rework.save()
    card.units += failed
    card.next_seq = index
    card.status = "open"
    card.updated_at = now
    card.save()
    return msg("Card {card} has {units} units again and waits at {station}; throw away rework card {rework}.",
               card=card.code, units=card.units, station=station_label(stations[index]), rework=rework.code)


# -- hold, release, delay reasons ------------------------------------------------------------------


def hold_order(order: Order, reason: str, user: str) -> Order:
    """Stop work on an order: every station refuses its cards and shows the reason."""
    reason = _reason_text(reason, msg("Say why the order is put on hold."))
    with write_transaction():
        order = set_hold(order, True, reason)
        record_action("hold", user, msg("Order {order} put on hold by {user}: {reason}", order=order.number,
                                        user=user, reason=reason), order=order, detail={"why": reason})
    return order


def release_hold(order: Order, user: str, note: str = "") -> Order:
    with write_transaction():
        order = Order.get_by_id(order.id)
        if not order.on_hold:
            raise ActionRefused(msg("Order {order} is not on hold.", order=order.number))
        was = order.hold_reason
        order = set_hold(order, False)
        record_action("unhold", user, msg("Order {order} released from hold by {user}.", order=order.number,
                                          user=user), order=order,
                      detail={"was": was, "note": clean_text(note, MAX_NOTE)})
    return order


def record_delay(order: Order, reason: str, note: str, user: str) -> OrderDelay:
    if reason not in DELAY_LABELS:
        raise ActionRefused(msg("Choose a delay reason from the list."))
    note = clean_text(note, MAX_NOTE)
    with write_transaction():
        delay = OrderDelay.create(order=order, reason=reason, note=note, user=user[:32])
        record_action("delay", user, msg("Delay on order {order}: {reason}. {note}", order=order.number,
                                         reason=msg(DELAY_LABELS[reason]), note=note),
                      order=order, detail={"delay": delay.id, "reason": reason})
    return delay


def clear_delay(delay: OrderDelay, user: str) -> OrderDelay:
    """A supervisor clears a delay reason (recorded in error, or no longer true); it stays in the history."""
    if delay.cleared_at is not None:
        raise ActionRefused(msg("This delay reason was already cleared."))
    with write_transaction():
        delay.cleared_at, delay.cleared_by = utcnow(), user[:32]
        delay.save()
        record_action("delay_clear", user, msg("Delay on order {order} cleared: {reason}.", order=delay.order.number,
                                               reason=msg(DELAY_LABELS.get(delay.reason, delay.reason))),
                      order=delay.order_id, detail={"delay": delay.id})
    return delay


def delay_label(reason: str) -> Msg:
    return msg(DELAY_LABELS.get(reason, reason))


def delays_for_orders(order_ids: list[int]) -> dict[int, list[OrderDelay]]:
    """Each order's delay reasons, newest first (for order pages and boards)."""
    found: dict[int, list[OrderDelay]] = defaultdict(list)
    if order_ids:
        for delay in OrderDelay.select().where(in_ids(OrderDelay.order, order_ids)).order_by(OrderDelay.at.desc(),
                                                                                         OrderDelay.id.desc()):
            found[delay.order_id].append(delay)
    return found


def recent_scans(search: str = "", station_code: str = "", limit: int = 50) -> list[ScanEvent]:
    """Accepted station scans, newest first, to pick one to undo; `search` is a code or order number."""
    query = (ScanEvent.select().where(ScanEvent.outcome.in_(("ok", "warning"))
                                      & ScanEvent.action.in_(list(UNDOERS)))
             .order_by(ScanEvent.id.desc()).limit(limit))
    search = clean_text(search, 64)
    if search:
        order = Order.get_or_none(Order.number == search)
        matches = ScanEvent.code == search
        if order is not None:
            matches = matches | (ScanEvent.order == order)
        query = query.where(matches)
    if station_code:
        station = Station.get_or_none(Station.code == station_code[:32])
        query = query.where(ScanEvent.station == station) if station else query.where(ScanEvent.id < 0)
    return list(query)
