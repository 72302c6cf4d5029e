"""Payment release (财务放行): an order that needs it ships only after finance confirms the balance is paid.

Whether an order needs release: its own rule ("required", "not_required"), or with "inherit" its
customer's default (`Customer.requires_payment_release`). Until a user with the finance role
releases it, the loading station refuses its cartons and the order board shows "waiting for
payment". Release, its withdrawal and every change of the rules are audited in the event log.

Who may do what: finance releases, withdraws and sets customers' defaults; a clerk may make an
order stricter (require release) but only finance may lift a requirement. No Flask here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from db import in_ids, is_postgres, write_transaction
from db.models import Customer, Order, User, utcnow
from kiosk.eventlog import stream as events
from kiosk.eventlog.audit import record_action
from kiosk.i18n import Msg, msg
from kiosk.people.users import clean_text

RULES = ("inherit", "required", "not_required")
RULE_LABELS = {
    "inherit": "As the customer's default",
    "required": "Release required",
    "not_required": "No release needed",
}
FINANCE = ("finance",)  # roles that release payment and lift requirements
RULE_SETTERS = ("admin", "clerk", "finance")  # roles that may set an order's rule (stricter only, unless finance)
OPEN_FOR_SHIPPING = ("released", "in_production", "packed", "in_stock", "partly_shipped")


class PaymentRefused(ValueError):
    """A payment action that cannot be done; `message` says why and whom to ask."""

    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


@dataclass
class PaymentState:
    """What the order page shows about payment."""

    rule: str
    customer_default: bool
    needed: bool
    released_at: object = None
    released_by: str = ""

    @property
    def waiting(self) -> bool:
        return self.needed and self.released_at is None


def _needed(rule: str, customer_default: bool) -> bool:
    if rule == "required":
        return True
    if rule == "not_required":
        return False
    return bool(customer_default)


def needs_release(order: Order, customer: Customer | None = None) -> bool:
    """Whether `order` must be released by finance before it ships (its customer is read if not given)."""
    if order.payment_release in ("required", "not_required"):
        return order.payment_release == "required"
    customer = customer or order.customer
    return bool(customer.requires_payment_release)


def waiting_for_payment(order: Order, customer: Customer | None = None) -> bool:
    """Needs release and has none: its cartons may not be loaded."""
    return order.payment_released_at is None and needs_release(order, customer)


def state(order: Order) -> PaymentState:
    customer = order.customer
    return PaymentState(rule=order.payment_release, customer_default=bool(customer.requires_payment_release),
                        needed=needs_release(order, customer), released_at=order.payment_released_at,
                        released_by=order.payment_released_by)


def _waiting_where():
    needs = ((Order.payment_release == "required")
             | ((Order.payment_release == "inherit") & (Customer.requires_payment_release == True)))  # noqa: E712
    return needs & Order.payment_released_at.is_null(True)


def waiting_ids(order_ids: Iterable[int]) -> set[int]:
    """Which of these orders wait for payment: one query, for the order board."""
    order_ids = list(order_ids)
    if not order_ids:
        return set()
    query = Order.select(Order.id).join(Customer).where(in_ids(Order.id, order_ids) & _waiting_where())
    return {order_id for (order_id,) in query.tuples()}


def waiting_orders() -> list[Order]:
    """Open orders waiting for payment, earliest due first: finance's list."""
    return list(Order.select(Order, Customer).join(Customer)
                .where(Order.status.in_(OPEN_FOR_SHIPPING) & _waiting_where())
                .order_by(Order.due_date, Order.id))


def recently_released(limit: int = 20) -> list[Order]:
    return list(Order.select(Order, Customer).join(Customer)
                .where(Order.payment_released_at.is_null(False))
                .order_by(Order.payment_released_at.desc()).limit(limit))


# -- actions ---------------------------------------------------------------------------------------


def _must_be_finance(user: User | None, what: Msg) -> None:
    if user is None or user.role not in FINANCE:
        raise PaymentRefused(msg("Only finance (财务) may {what}.", what=what))


def _locked(order: Order) -> Order:
    query = Order.select(Order, Customer).join(Customer).where(Order.id == order.id)
    if is_postgres():
        query = query.for_update(of=Order)
    return query.get()


def release(order: Order, user: User | None, note: str = "") -> Order:
    """Finance confirms the balance is paid: the order's cartons may be loaded."""
    _must_be_finance(user, msg("release an order for shipping"))
    note = clean_text(note, 200)
    with write_transaction():
        order = _locked(order)
        if not needs_release(order, order.customer):
            raise PaymentRefused(msg("Order {order} does not need a payment release.", order=order.number))
        if order.payment_released_at is not None:
            raise PaymentRefused(msg("Order {order} was already released for shipping by {user}.",
                                     order=order.number, user=order.payment_released_by or "-"))
        order.payment_released_at = utcnow()
        order.payment_released_by = user.username
        order.save(only=[Order.payment_released_at, Order.payment_released_by])
        record_action("payment_release", user.username,
                      msg("Payment confirmed by {user}: order {order} may ship. {note}", user=user.name,
                          order=order.number, note=note),
                      order=order.id, code=order.number, detail={"note": note})
        events.event_recorded()
    return order


def withdraw(order: Order, user: User | None, reason: str) -> Order:
    """Finance takes a release back (a cheque bounced, say): loading refuses the order's cartons again."""
    _must_be_finance(user, msg("withdraw a payment release"))
    reason = clean_text(reason, 200)
    if not reason:
        raise PaymentRefused(msg("Say why the release is withdrawn."))
    with write_transaction():
        order = _locked(order)
        if order.payment_released_at is None:
            raise PaymentRefused(msg("Order {order} is not released for shipping; there is nothing to withdraw.",
                                     order=order.number))
        _withdraw(order, user.username, msg("Payment release of order {order} withdrawn by {user} ({reason}): its "
                                            "cartons may not be loaded.", order=order.number, user=user.name,
                                            reason=reason), reason)
    return order


def _withdraw(order: Order, username: str, message: Msg, reason: str) -> None:
    order.payment_released_at = None
    order.payment_released_by = ""
    order.save(only=[Order.payment_released_at, Order.payment_released_by])
    record_action("payment_withdrawn", username, message, order=order.id, code=order.number,
                  detail={"reason": reason})
    events.event_recorded()


def withdraw_for_change(order: Order, username: str) -> bool:
    """More units were ordered, so more is owed: a release given before needs finance again.
    Runs inside the change's transaction (kiosk/order_changes.py)."""
    if order.payment_released_at is None or not needs_release(order):
        return False
    _withdraw(order, username, msg("Payment release of order {order} withdrawn: the quantity went up, so finance "
                                   "(财务) must confirm the new balance.", order=order.number), "quantity changed")
    return True


def set_order_rule(order: Order, rule: str, user: User | None) -> Order:
    """Set whether this order needs release. Anyone allowed may make it stricter; only finance may lift it."""
    if rule not in RULES:
        raise PaymentRefused(msg("Choose whether the order needs a payment release."))
    if user is None or user.role not in RULE_SETTERS:
        raise PaymentRefused(msg("Your role may not change payment rules."))
    with write_transaction():
        order = _locked(order)
        if order.payment_release == rule:
            return order
        was_needed = needs_release(order, order.customer)
        now_needed = _needed(rule, order.customer.requires_payment_release)
        if was_needed and not now_needed and order.payment_released_at is None:
            _must_be_finance(user, msg("lift the payment requirement of an order"))
        before = order.payment_release
        order.payment_release = rule
        order.save(only=[Order.payment_release])
        record_action("payment_rule", user.username,
                      msg("Payment rule of order {order} set by {user}: {rule}.", order=order.number, user=user.name,
                          rule=msg(RULE_LABELS[rule])),
                      order=order.id, code=order.number, detail={"before": before, "after": rule})
        events.event_recorded()
    return order


def set_customer_default(customer: Customer, required: bool, user: User | None) -> Customer:
    """Finance sets whether a customer's orders need release unless the order says otherwise."""
    _must_be_finance(user, msg("change a customer's payment terms"))
    with write_transaction():
        customer = Customer.get_by_id(customer.id)
        if bool(customer.requires_payment_release) == bool(required):
            return customer
        customer.requires_payment_release = bool(required)
        customer.save(only=[Customer.requires_payment_release])
        message = (msg("Customer {customer}: orders now wait for finance's release before shipping (set by {user}).",
                       customer=customer.name, user=user.name) if required else
                   msg("Customer {customer}: orders no longer wait for finance's release (set by {user}).",
                       customer=customer.name, user=user.name))
        record_action("payment_terms", user.username, message, code=customer.code,
                      detail={"customer": customer.code, "requires_release": bool(required)})
        events.event_recorded()
    return customer
