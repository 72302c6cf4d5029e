"""The audit trail of desk actions: who paired a kiosk, held an order, undid a scan, and why.

Desk actions go into the same append-only event log as scans (ScanEvent), with `user` set and no
worker, so an order's history and the plant's log tell one story. Never updated or deleted.
"""

from __future__ import annotations

import uuid
from typing import Any

from db.models import ScanEvent
from kiosk.i18n import Msg


def record_action(action: str, user: str, message: Msg, *, key: str | None = None, outcome: str = "ok",
                  **links: Any) -> ScanEvent:
    """One audit event. `links` are ScanEvent fields (order, station, job_card, code, units, detail...).

    `key` makes the action happen at most once (the log's idempotency key is unique), e.g. one undo
    per scan.
    """
    return ScanEvent.create(
        idem_key=key or f"act-{uuid.uuid4().hex}",
        user=user[:32],
        action=action[:24],
        outcome=outcome,
        message=message.to_json(),
        **links,
    )
