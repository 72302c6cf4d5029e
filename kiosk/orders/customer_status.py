"""The customer's status page (交期回复): a read-only view of one order behind an unguessable link.

The link carries a random token; the database stores only its SHA-256 hash (to find the link) and
a random salt. The token itself is HMAC(secret key, salt), so a clerk can copy or print the link
again later while a copy of the database alone reveals no working link. A link is revoked by
stamping it; a revoked or unknown token finds nothing (the page answers a plain 404).

What the customer sees is chosen here, and only here: the order number, promised date, what was
ordered (product name, colour, units) and the stages reached with their dates. Never workers,
defects, rework, job cards, cartons, holds or notes. No Flask here.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from peewee import fn

from db import write_transaction
from db.models import Customer, Order, OrderLine, PickList, Product, ScanEvent, Station, StatusLink, utcnow
from kiosk.eventlog import stream as events
from kiosk.eventlog.audit import record_action
from kiosk.i18n import Msg, msg
from kiosk.orders.progress import progress_for_orders
from kiosk.shipping.cartons import unit_states

TOKEN_RE_LENGTH = (32, 64)  # what a token may look like before we bother hashing it
WORK = ("ok", "warning")
NOT_WORK = ("sign_in", "undo")

# The stages a customer sees, in order, with their names (message ids).
STAGES = ("released", "in_production", "qc_done", "packed", "shipped")
STAGE_LABELS = {
    "released": "Order confirmed",
    "in_production": "In production",
    "qc_done": "Quality check done",
    "packed": "Packed",
    "shipped": "Shipped",
}


class LinkError(ValueError):
    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


# -- tokens ----------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def derive_token(salt: str, secret: str) -> str:
    """The link's token from its salt and the app's secret key: 43 URL-safe characters."""
    digest = hmac.new(str(secret).encode(), b"status-link:" + salt.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue_link(order: Order, user: str, secret: str) -> tuple[StatusLink, str]:
    """A new link for the customer of `order`; returns it and its token. Audited."""
    if order.status == "draft":
        raise LinkError(msg("Order {order} is still a draft; release it before giving the customer a link.",
                            order=order.number))
    salt = secrets.token_urlsafe(24)
    token = derive_token(salt, secret)
    with write_transaction():
        link = StatusLink.create(order=order, token_hash=hash_token(token), salt=salt, created_by=user[:32])
        record_action("status_link", user, msg("Status link {id} made for the customer by {user}.", id=link.id,
                                               user=user),
                      order=order.id, code=order.number, detail={"link": link.id})
        events.event_recorded()
    return link, token


def link_token(link: StatusLink, secret: str) -> str | None:
    """The token of a live link, to show it again; None when revoked or made with another secret key."""
    if link.revoked_at is not None:
        return None
    token = derive_token(link.salt, secret)
    return token if hmac.compare_digest(hash_token(token), link.token_hash) else None


def revoke_link(order: Order, link_id, user: str) -> StatusLink:
    """The link stops working at once. Audited."""
    with write_transaction():
        link = StatusLink.get_or_none((StatusLink.id == _int(link_id)) & (StatusLink.order == order))
        if link is None:
            raise LinkError(msg("Order {order} has no such status link.", order=order.number))
        if link.revoked_at is not None:
            raise LinkError(msg("Status link {id} was already revoked.", id=link.id))
        link.revoked_at = utcnow()
        link.revoked_by = user[:32]
        link.save(only=[StatusLink.revoked_at, StatusLink.revoked_by])
        record_action("status_link_revoked", user, msg("Status link {id} revoked by {user}: it no longer opens.",
                                                       id=link.id, user=user),
                      order=order.id, code=order.number, detail={"link": link.id})
        events.event_recorded()
    return link


def live_links(order: Order) -> list[StatusLink]:
    return list(StatusLink.select().where((StatusLink.order == order) & StatusLink.revoked_at.is_null(True))
                .order_by(StatusLink.id))


def find_link(order: Order, link_id) -> StatusLink | None:
    return StatusLink.get_or_none((StatusLink.id == _int(link_id)) & (StatusLink.order == order)
                                  & StatusLink.revoked_at.is_null(True))


def order_for_token(token: str) -> Order | None:
    """The order a live link opens, or None (unknown, malformed or revoked: the caller cannot tell which)."""
    token = str(token or "")
    low, high = TOKEN_RE_LENGTH
    if not low <= len(token) <= high or not all(ch.isalnum() or ch in "-_" for ch in token):
        return None
    link = (StatusLink.select(StatusLink, Order, Customer).join(Order).join(Customer)
            .where((StatusLink.token_hash == hash_token(token)) & StatusLink.revoked_at.is_null(True)).first())
    return link.order if link is not None else None


def _int(value) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return -1


# -- what the customer sees ------------------------------------------------------------------------


@dataclass
class Stage:
    key: str
    label: str  # message id
    reached: bool = False
    started: bool = False
    at: dt.datetime | dt.date | None = None
    done: int = 0  # units through, for stages counted in units
    total: int = 0


@dataclass
class CustomerLine:
    product: str
    colour: str
    units: int


@dataclass
class CustomerView:
    number: str
    customer: str
    promised: dt.date
    cancelled: bool
    lines: list[CustomerLine] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)

    @property
    def current(self) -> Stage | None:
        """The furthest stage reached (or started)."""
        reached = [s for s in self.stages if s.reached or s.started]
        return reached[-1] if reached else None


def _stage_dates(order: Order) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """(first, last) accepted work event per station kind for this order."""
    rows = (ScanEvent.select(Station.kind, fn.MIN(ScanEvent.at), fn.MAX(ScanEvent.at))
            .join(Station, on=(ScanEvent.station == Station.id))
            .where((ScanEvent.order == order) & ScanEvent.outcome.in_(WORK) & ScanEvent.action.not_in(NOT_WORK))
            .group_by(Station.kind).tuples())
    return {kind: (first, last) for kind, first, last in rows}


def _units_through(progress, kind: str) -> tuple[int, int]:
    stages = [s for s in progress.stages if s.station.kind == kind and s.applies]
    if not stages:
        return 0, 0
    return min(s.done for s in stages), max(s.total for s in stages)


def customer_view(order: Order) -> CustomerView:
    """Everything the customer's page shows, and nothing more."""
    lines = list(OrderLine.select(OrderLine, Product).join(Product).where(OrderLine.order == order)
                 .order_by(OrderLine.line_no))
    view = CustomerView(number=order.number, customer=order.customer.name, promised=order.due_date,
                        cancelled=order.status == "cancelled",
                        lines=[CustomerLine(line.product.name, line.colour_shown, line.quantity)
                               for line in lines if line.quantity > 0])
    ordered = sum(line.quantity for line in lines)
    dates = _stage_dates(order)
    progress = progress_for_orders([order.id])[order.id]
    released = Stage("released", STAGE_LABELS["released"], reached=order.released_at is not None,
                     at=order.released_at)
    first_work = min((dates[k][0] for k in ("process", "qc", "packing") if k in dates), default=None)
    production = Stage("in_production", STAGE_LABELS["in_production"], reached=first_work is not None,
                       at=first_work)
    view.stages = [released, production]
    for key, kind in (("qc_done", "qc"), ("packed", "packing")):
        done, total = _units_through(progress, kind)
        total = total or ordered
        stage = Stage(key, STAGE_LABELS[key], done=done, total=total)
        stage.reached = total > 0 and done >= total
        stage.started = 0 < done < total
        if kind in dates:
            stage.at = dates[kind][1] if stage.reached else dates[kind][0]
        view.stages.append(stage)
    shipped_units = sum(unit.is_shipped for unit in unit_states(order_ids=[order.id]))
    shipped = Stage("shipped", STAGE_LABELS["shipped"], done=shipped_units, total=ordered,
                    reached=ordered > 0 and shipped_units >= ordered, started=0 < shipped_units < ordered)
    if shipped_units:
        when = _shipped_dates(order)
        shipped.at = when[1] if shipped.reached else when[0]
    view.stages.append(shipped)
    return view


def _shipped_dates(order: Order):
    from db.models import Carton

    row = (PickList.select(fn.MIN(PickList.finished_at), fn.MAX(PickList.finished_at))
           .where(PickList.id.in_(Carton.select(Carton.pick_list).join(OrderLine)
                                  .where((OrderLine.order == order) & (Carton.status == "loaded")))
                  & (PickList.status == "finished")).tuples().first())
    return row or (None, None)
