"""Hold and release an order, and record why it is late: supervisor actions, each one audited.

A held order's cards are refused at every station with the reason (kiosk/cards/route.py checks it);
delay reasons show on the order page and the boards. No Flask here.
"""

from __future__ import annotations

from collections import defaultdict

from db import in_ids, write_transaction
from db.models import DELAY_REASONS, Order, OrderDelay, utcnow
from kiosk.core.errors import ActionRefused
from kiosk.core.text import clean_text
from kiosk.eventlog.audit import record_action, required_reason
from kiosk.i18n import Msg, msg
from kiosk.orders.orders import set_hold

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


def hold_order(order: Order, reason: str, user: str) -> Order:
    """Stop work on an order: every station refuses its cards and shows the reason."""
    reason = required_reason(reason, msg("Say why the order is put on hold."))
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
