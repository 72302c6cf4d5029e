"""Approved pay periods: a day inside one is locked, its rates, scans and pay stay as approved.

Rates (kiosk/pay/rates.py) and settlement (kiosk/pay/settlement.py) both ask here, so neither imports the
other. No Flask here.
"""

from __future__ import annotations

import datetime as dt

from db.models import PayPeriod
from kiosk.core.errors import Refusal
from kiosk.i18n import msg


class SettlementRefused(Refusal):
    """A pay period or adjustment that cannot be settled as asked; `message` says why."""


def lock_of(day: dt.date) -> PayPeriod | None:
    return (PayPeriod.select().where((PayPeriod.start <= day) & (PayPeriod.end > day))
            .order_by(PayPeriod.approved_at).first())


def refuse_if_locked(day: dt.date, error=SettlementRefused) -> None:
    period = lock_of(day)
    if period is not None:
        raise error(msg("Pay for {day} was approved by {user} and is locked; record a correction as an "
                        "adjustment on an open day.", day=day.isoformat(), user=period.approved_by))
