"""The audit trail of desk actions: who paired a kiosk, held an order, undid a scan, and why.

Desk actions go into the same append-only event log as scans (ScanEvent), with `user` set and no
worker, so an order's history and the plant's log tell one story. Never updated or deleted.
"""

from __future__ import annotations

import uuid
from typing import Any

from peewee import JOIN

from db.models import ScanEvent, Worker
from kiosk.core.errors import ActionRefused
from kiosk.core.text import clean_text
from kiosk.eventlog import board_counts
from kiosk.i18n import Msg

MAX_REASON = 200  # characters of a reason kept with an audited action


def record_action(action: str, user: str, message: Msg, *, key: str | None = None, outcome: str = "ok",
                  **links: Any) -> ScanEvent:
    """One audit event. `links` are ScanEvent fields (order, station, job_card, code, units, detail...).

    `key` makes the action happen at most once (the log's idempotency key is unique), e.g. one undo
    per scan.
    """
    event = ScanEvent.create(
        idem_key=key or f"act-{uuid.uuid4().hex}",
        user=user[:32],
        action=action[:24],
        outcome=outcome,
        message=message.to_json(),
        **links,
    )
    if event.order_id is not None and outcome in ("ok", "warning"):
        board_counts.refresh(event.order_id)  # an undo or an order change moves the board's figures
    return event


def required_reason(reason: str, what: Msg, limit: int = MAX_REASON) -> str:
    """The reason an audited action was given, cleaned; refused with `what` when there is none."""
    text = clean_text(reason, limit)
    if not text:
        raise ActionRefused(what)
    return text


RECENT = 10  # desk scans listed under a desk's answer


def recent_actions(actions: tuple[str, ...], limit: int = RECENT) -> list[ScanEvent]:
    """The latest desk actions of these kinds, newest first (with the worker, if any)."""
    return list(ScanEvent.select(ScanEvent, Worker).join(Worker, JOIN.LEFT_OUTER, on=(ScanEvent.worker == Worker.id))
                .where(ScanEvent.action.in_(actions)).order_by(ScanEvent.id.desc()).limit(limit))
