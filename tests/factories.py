"""Test factories: plain functions with defaults, overridable by keyword."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from db.models import JobCard, Order, OrderLine
from kiosk.eventlog.scan_path import ScanRequest, record_scan
from kiosk.orders.orders import LineInput, OrderInput, create_order

_numbers = itertools.count(1)


def make_order(lines=None, release=True, card_units=20, **overrides) -> Order:
    """An order for customer LH due in a week; `lines` as [(model, quantity), ...]."""
    lines = lines or [("DT-120", 4)]
    data = OrderInput(
        number=overrides.pop("number", f"T{next(_numbers):05d}"),
        customer_code=overrides.pop("customer_code", "LH"),
        due_date=overrides.pop("due_date", dt.date.today() + dt.timedelta(days=7)),
        lines=[LineInput(model_no=m, quantity=q) for m, q in lines],
        **overrides,
    )
    return create_order(data, release=release, card_units=card_units)


def cards_of(order: Order) -> list[JobCard]:
    return list(JobCard.select().join(OrderLine).where(OrderLine.order == order).order_by(JobCard.id))


def scan(station: str, code: str, badge: str | None = "W001", key: str | None = None, **options):
    """One scan; at QC (which records only an explicit verdict) a pass unless a verdict is given."""
    if station == "qc" and "verdict" not in options and "reprint" not in options:
        options["verdict"] = "pass"
    return record_scan(ScanRequest(station_code=station, code=code, idem_key=key or uuid.uuid4().hex,
                                   worker_badge=badge, options=options))
