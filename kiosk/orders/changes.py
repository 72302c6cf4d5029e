"""Order changes (订单变更) while an order is in production: quantity, cancelled units, colour, options
(the line's note) and the due date.

How job cards follow a change:
- a card not yet started (no station has taken it, not a rework card) is adjusted in place: fewer
  units, or simply the new colour printed when it is reprinted - the clerk reprints it;
- a card already past a stage (and not packed) is put on hold: it carries a *change notice* that
  every station shows when the card is scanned, refusing it ("Order SO-88 changed: colour now
  walnut - ask the clerk before Finishing"), until the clerk clears it on the order page;
- packed units never change: a change that would need them to (fewer units than are packed, a
  colour for units already packed) is refused with the reason; more units get new job cards.

Every change is one OrderChange row (who, when, why, before and after) and one "order_change"
event in the log, written in one transaction. No Flask here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from peewee import JOIN, IntegrityError

from db import is_postgres, write_transaction
from db.models import Carton, JobCard, Order, OrderChange, OrderLine, ScanEvent, utcnow
from kiosk.cards.route import route_stations, station_label
from kiosk.core.clock import today
from kiosk.eventlog import stream as events
from kiosk.eventlog.audit import record_action
from kiosk.i18n import Msg, msg
from kiosk.orders.orders import DEFAULT_CARD_UNITS, MAX_UNITS_PER_LINE, OrderError, job_card_code, parse_date
from kiosk.people.users import clean_text

CHANGE_FIELDS = ("quantity", "cancel", "colour", "options", "due_date")
# What each change is called on the order page (English message ids; Chinese in zh_orders_more).
FIELD_LABELS = {
    "quantity": "Quantity",
    "cancel": "Cancel units",
    "colour": "Colour",
    "options": "Options",
    "due_date": "Due date",
}
CLOSED_STATUSES = ("cancelled", "shipped")
MAX_REASON = 500
MAX_OPTIONS = 256  # OrderLine.note
MAX_COLOUR = 64  # OrderLine.colour
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,48}$")  # the change form's one-time key


class ChangeRefused(ValueError):
    """A change that cannot apply; `message` says why and what to do instead."""

    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


class AlreadyRecorded(ChangeRefused):
    """The same form was sent twice (a double click, a retry): the change was made once, by the first."""


@dataclass
class ChangeResult:
    """What a change did, for the clerk: the record, and the job cards it touched."""

    change: OrderChange
    adjusted: list[str] = field(default_factory=list)  # not started: reprint them
    held: list[str] = field(default_factory=list)  # past a stage: held until the clerk clears them
    added: list[str] = field(default_factory=list)  # new cards for added units: print them
    voided: list[str] = field(default_factory=list)  # all their units cancelled

    def notes(self) -> list[tuple[Msg, bool]]:
        """What the clerk should do next, one message per kind of card touched; True: needs attention."""
        found = []
        if self.adjusted:
            found.append((msg("Reprint these job cards (not started, adjusted): {cards}.",
                              cards=", ".join(self.adjusted)), False))
        if self.added:
            found.append((msg("New job cards for the added units: {cards}. Print them.",
                              cards=", ".join(self.added)), False))
        if self.voided:
            found.append((msg("These job cards are cancelled: {cards}. Collect them from the floor.",
                              cards=", ".join(self.voided)), True))
        if self.held:
            found.append((msg("These job cards are held at every station until you clear them: {cards}.",
                              cards=", ".join(self.held)), True))
        return found


# -- reading -----------------------------------------------------------------------------------------


def changes_of(order: Order) -> list[OrderChange]:
    """The order's changes, oldest first, with their lines."""
    return list(OrderChange.select(OrderChange, OrderLine)
                .join(OrderLine, JOIN.LEFT_OUTER, on=(OrderChange.line == OrderLine.id))
                .where(OrderChange.order == order).order_by(OrderChange.at, OrderChange.id))


def held_cards(order: Order) -> list[JobCard]:
    """The order's job cards that stations refuse because of a change, until the clerk clears them."""
    return list(JobCard.select(JobCard, OrderLine).join(OrderLine)
                .where((OrderLine.order == order) & JobCard.change_notice.is_null(False)
                       & (JobCard.status == "open"))
                .order_by(JobCard.id))


def notice_of(card: JobCard) -> Msg | None:
    return Msg.from_json(card.change_notice)


def is_started(card: JobCard) -> bool:
    """A station has taken the card (or it is rework, made of units already worked on)."""
    return card.next_seq > 0 or card.parent_id is not None


# -- changing ----------------------------------------------------------------------------------------


def change_order(order: Order, what: str, value, reason: str, user: str, line_no: int | str | None = None,
                 card_units: int = DEFAULT_CARD_UNITS, key: str | None = None) -> ChangeResult:
    """Apply one change to `order` and record it, or raise ChangeRefused saying why it cannot apply.

    `key` (the form's one-time key) makes the change happen at most once: "cancel 2 units" sent twice
    by a double click cancels two units, and the second request raises AlreadyRecorded.
    """
    idem_key = f"change-{key}" if key and KEY_RE.match(key) else None
    try:
        return _change_order(order, what, value, reason, user, line_no, card_units, idem_key)
    except IntegrityError:
        if idem_key and ScanEvent.select().where(ScanEvent.idem_key == idem_key).exists():
            raise AlreadyRecorded(msg("This change was already recorded.")) from None
        raise


def _change_order(order: Order, what: str, value, reason: str, user: str, line_no, card_units: int,
                  idem_key: str | None) -> ChangeResult:
    if what not in CHANGE_FIELDS:
        raise ChangeRefused(msg("Choose what to change: quantity, cancel units, colour, options or due date."))
    reason = clean_text(reason, MAX_REASON)
    if not reason:
        raise ChangeRefused(msg("Say why the order changes (the customer's request, a mistake...)."))
    with write_transaction():
        if what != "due_date":
            line = _line(order, line_no)
            # Cards before the order: a scan locks its card and then updates the order, so taking the
            # locks in the same order means the two wait for each other instead of deadlocking.
            cards = _cards_of_line(line)
        order = _locked_order(order.id)
        if idem_key and ScanEvent.select().where(ScanEvent.idem_key == idem_key).exists():
            raise AlreadyRecorded(msg("This change was already recorded."))
        if order.status in CLOSED_STATUSES:
            raise ChangeRefused(msg("Order {order} is {status}: it cannot be changed any more.", order=order.number,
                                    status=msg(order.status.replace("_", " ").capitalize())))
        if what == "due_date":
            result = _change_due_date(order, value, reason, user)
        elif what in ("quantity", "cancel"):
            line = OrderLine.get_by_id(line.id)  # read again now that another change of it has committed
            result = _change_quantity(order, line, cards, what, value, reason, user, card_units)
        else:
            line = OrderLine.get_by_id(line.id)
            result = _change_option(order, line, cards, what, value, reason, user)
        _record(order, result, user, idem_key)
    return result


def _locked_order(order_id: int) -> Order:
    query = Order.select().where(Order.id == order_id)
    if is_postgres():
        query = query.for_update()
    order = query.first()
    if order is None:
        raise ChangeRefused(msg("There is no such order."))
    return order


def _line(order: Order, line_no) -> OrderLine:
    try:
        number = int(str(line_no).strip())
    except (TypeError, ValueError):
        number = None
    line = None if number is None else OrderLine.get_or_none((OrderLine.order == order) & (OrderLine.line_no == number))
    if line is None:
        raise ChangeRefused(msg("Order {order} has no line {line}.", order=order.number, line=str(line_no or "-")[:8]))
    return line


def _cards_of_line(line: OrderLine) -> list[JobCard]:
    """The line's cards, locked on PostgreSQL so a scan of one of them waits for the change (and vice versa)."""
    query = JobCard.select().where(JobCard.order_line == line).order_by(JobCard.id)
    if is_postgres():
        query = query.for_update()
    return list(query)


def _packed_ids(cards: list[JobCard]) -> set[int]:
    ids = [c.id for c in cards]
    if not ids:
        return set()
    packed = {card_id for (card_id,) in Carton.select(Carton.job_card).where(Carton.job_card.in_(ids))
              .distinct().tuples()}
    return packed | {c.id for c in cards if c.status == "done"}


def _shipped_units(line: OrderLine) -> int:
    from kiosk.shipping.cartons import line_stock

    return line_stock([line])[line.id].shipped


def _next_station(card: JobCard) -> dict[str, str] | Msg:
    stations = route_stations(card.route_id)
    if card.next_seq < len(stations):
        return station_label(stations[card.next_seq])
    return msg("the end of its route")


def _hold(card: JobCard, notice: Msg) -> None:
    """Put a card on hold with `notice`; a card already held keeps the earlier notice too."""
    earlier = notice_of(card) if card.status == "open" else None
    if earlier is not None:
        notice = msg("{earlier} Also: {later}", earlier=earlier, later=notice)
    card.change_notice = notice.to_json()
    card.updated_at = utcnow()
    card.save(only=[JobCard.change_notice, JobCard.units, JobCard.status, JobCard.updated_at])


def _change_quantity(order: Order, line: OrderLine, cards: list[JobCard], what: str, value, reason: str,
                     user: str, card_units: int) -> ChangeResult:
    number = _whole_number(value)
    before = line.quantity
    if what == "cancel":
        if number is None or not 1 <= number <= before:
            raise ChangeRefused(msg("Units to cancel must be between 1 and {max}.", max=before))
        after = before - number
    else:
        if number is None or not 0 <= number <= MAX_UNITS_PER_LINE:
            raise ChangeRefused(msg("Quantity must be between 0 and {max}.", max=MAX_UNITS_PER_LINE))
        after = number
        if after == before:
            raise ChangeRefused(msg("Line {line} already has {units} units; nothing changed.", line=line.line_no,
                                    units=before))
    others = sum(q for (q,) in OrderLine.select(OrderLine.quantity)
                 .where((OrderLine.order == order) & (OrderLine.id != line.id)).tuples())
    if after + others == 0:
        raise ChangeRefused(msg("That would leave order {order} with no units. To stop the whole order, cancel it.",
                                order=order.number))
    live = [c for c in cards if c.status != "void"]
    packed_ids = _packed_ids(live)
    packed = sum(c.units for c in live if c.id in packed_ids)
    if after < packed:
        shipped = _shipped_units(line)
        if after < shipped:
            raise ChangeRefused(msg("Line {line} ({model}) has {shipped} units shipped already: it cannot go below "
                                    "{shipped}.", line=line.line_no, model=line.product.model_no, shipped=shipped))
        raise ChangeRefused(msg("Line {line} ({model}) has {packed} units packed already: it cannot go below "
                                "{packed}. Packed cartons are not unpacked by a change.", line=line.line_no,
                                model=line.product.model_no, packed=packed))
    change = OrderChange(order=order, line=line, field=what, before=str(before), after=str(after), reason=reason,
                         user=user[:32])
    result = ChangeResult(change)
    line.quantity = after
    line.save(only=[OrderLine.quantity])
    if order.status != "draft":
        if after > before:
            _add_cards(line, after - before, card_units, result)
        else:
            _take_units(order, line, [c for c in live if c.id not in packed_ids], before - after, result)
        from kiosk.shipping.cartons import refresh_order_status

        refresh_order_status([order.id])
    return result


def _add_cards(line: OrderLine, units: int, card_units: int, result: ChangeResult) -> None:
    while units > 0:
        size = min(max(1, card_units), units)
        card = JobCard.create(code=f"TMP-CHG-{line.id}-{units}-{utcnow().timestamp()}"[:32], order_line=line,
                              route=line.product.route_id, units=size)
        card.code = job_card_code(card.id)
        card.save(only=[JobCard.code])
        result.added.append(card.code)
        units -= size


def _take_units(order: Order, line: OrderLine, open_cards: list[JobCard], units: int, result: ChangeResult) -> None:
    """Take `units` off the line's unpacked cards: cards not started first (newest first), then the
    least advanced started ones, which are held so the worker sets the units aside."""
    waiting = sorted([c for c in open_cards if not is_started(c)], key=lambda c: -c.id)
    started = sorted([c for c in open_cards if is_started(c)], key=lambda c: (c.next_seq, -c.id))
    for card in waiting + started:
        if units <= 0:
            break
        take = min(card.units, units)
        units -= take
        was = card.units
        card.units -= take
        where = _next_station(card)
        if card.units == 0:
            card.status = "void"
            result.voided.append(card.code)
            _hold(card, msg("Order {order} changed: card {card} is cancelled - stop work on it and take it to the "
                            "clerk.", order=order.number, card=card.code))
        elif is_started(card):
            result.held.append(card.code)
            _hold(card, msg("Order {order} changed: card {card} now has {units} units (was {was}) - set {n} aside "
                            "and ask the clerk before {station}.", order=order.number, card=card.code,
                            units=card.units, was=was, n=take, station=where))
        else:
            result.adjusted.append(card.code)
            card.updated_at = utcnow()
            card.save(only=[JobCard.units, JobCard.updated_at])


def _change_option(order: Order, line: OrderLine, cards: list[JobCard], what: str, value, reason: str,
                   user: str) -> ChangeResult:
    limit = MAX_COLOUR if what == "colour" else MAX_OPTIONS
    after = clean_text(value, limit)
    before = line.colour_shown if what == "colour" else line.note
    if what == "colour" and not after:
        raise ChangeRefused(msg("Write the new colour."))
    if after == before:
        raise ChangeRefused(msg("Line {line} already has that; nothing changed.", line=line.line_no))
    live = [c for c in cards if c.status != "void"]
    packed_ids = _packed_ids(live)
    packed = sum(c.units for c in live if c.id in packed_ids)
    if packed:
        raise ChangeRefused(msg("Line {line} ({model}) has {packed} units packed already as they were ordered: "
                                "its colour and options can no longer change. Cancel the units not yet packed "
                                "and order them again as they should be.", line=line.line_no,
                                model=line.product.model_no, packed=packed))
    change = OrderChange(order=order, line=line, field=what, before=before, after=after, reason=reason,
                         user=user[:32])
    result = ChangeResult(change)
    if what == "colour":
        line.colour = after
    else:
        line.note = after
    line.save(only=[OrderLine.colour, OrderLine.note])
    now = (msg("colour now {colour}", colour=after) if what == "colour"
           else msg("options now “{options}”", options=after or "-"))
    for card in live:
        if card.status != "open":
            continue
        if is_started(card):
            result.held.append(card.code)
            _hold(card, msg("Order {order} changed: {what} - ask the clerk before {station}.", order=order.number,
                            what=now, station=_next_station(card)))
        else:
            result.adjusted.append(card.code)
    return result


def _change_due_date(order: Order, value, reason: str, user: str) -> ChangeResult:
    try:
        after = parse_date(value)
    except OrderError as error:
        raise ChangeRefused(error.message) from None
    before = order.due_date if isinstance(order.due_date, dt.date) else parse_date(order.due_date)
    if after == before:
        raise ChangeRefused(msg("Order {order} is already due on {date}; nothing changed.", order=order.number,
                                date=after.isoformat()))
    if after < today():
        raise ChangeRefused(msg("The new due date {date} has already passed. Choose today or a later day.",
                                date=after.isoformat()))
    order.due_date = after
    order.save(only=[Order.due_date])
    return ChangeResult(OrderChange(order=order, field="due_date", before=before.isoformat(),
                                    after=after.isoformat(), reason=reason, user=user[:32]))


def _record(order: Order, result: ChangeResult, user: str, idem_key: str | None = None) -> None:
    """Save the change and its event in the log (boards and the trace see it once this commits)."""
    change = result.change
    change.detail = {"adjusted": result.adjusted, "held": result.held, "added": result.added,
                     "voided": result.voided}
    change.save()
    if change.field == "quantity" and int(change.after) > int(change.before):
        from kiosk.orders.payments import withdraw_for_change

        withdraw_for_change(order, user)
    where = msg("line {line}", line=change.line.line_no) if change.line_id else msg("the order")
    record_action(
        "order_change", user,
        msg("Order {order} changed by {user}: {what} of {where} {before} → {after} ({reason}).", order=order.number,
            user=user, what=msg(FIELD_LABELS[change.field]), where=where, before=change.before or "-",
            after=change.after or "-", reason=change.reason),
        key=idem_key, order=order.id, code=order.number, reason=change.field,
        detail={"change": change.id, "field": change.field, "before": change.before, "after": change.after,
                **change.detail},
    )
    events.event_recorded()


def _whole_number(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# -- clearing a held card ----------------------------------------------------------------------------


def clear_hold(order: Order, card_code: str, user: str, note: str = "") -> JobCard:
    """The clerk has sorted the card out: stations take it again. Audited."""
    note = clean_text(note, 200)
    with write_transaction():
        query = (JobCard.select(JobCard).join(OrderLine)
                 .where((JobCard.code == str(card_code or "").strip()[:32]) & (OrderLine.order == order)))
        if is_postgres():
            query = query.for_update(of=JobCard)
        card = query.first()
        if card is None:
            raise ChangeRefused(msg("Order {order} has no job card {card}.", order=order.number,
                                    card=str(card_code or "-")[:32]))
        if card.change_notice is None or card.status != "open":
            raise ChangeRefused(msg("Card {card} is not held; nothing to clear.", card=card.code))
        card.change_notice = None
        card.updated_at = utcnow()
        card.save(only=[JobCard.change_notice, JobCard.updated_at])
        record_action("change_cleared", user,
                      msg("Card {card} cleared by {user}: stations take it again. {note}", card=card.code, user=user,
                          note=note),
                      order=order.id, job_card=card.id, code=card.code)
        events.event_recorded()
    return card
