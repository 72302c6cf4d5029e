"""Supervisor actions, each one audited: undo a scan, hold and release an order, record why it is late.

An undo never deletes: it writes a compensating event (action "undo", negative units, the reason)
and puts the job card back where the scan found it - only when nothing later depends on that scan;
otherwise it refuses and says what to undo first. Each scan can be undone once (the undo event's
key is unique per scan). Stations whose scans change more than a job card's place (packing,
loading...) register their own reversal with `@undoer(action)`. No Flask here.
"""

from __future__ import annotations

from peewee import IntegrityError

from db import write
from db.models import Order, ScanEvent, Station
from kiosk.core.errors import ActionRefused
from kiosk.core.text import clean_text
from kiosk.eventlog.audit import record_action, required_reason
from kiosk.eventlog.rules import UNDO_CHECKS, UNDOERS, UNDONE
from kiosk.i18n import msg

# -- undo a scan -----------------------------------------------------------------------------------

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
    reason = required_reason(reason, msg("Say why the scan is undone."))

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
        undo = record_action(
            "undo", user,
            msg("Undone by {user}: {code} ({reason}). {effect}", user=user, code=event.code, reason=reason,
                effect=effect),
            key=undo_key(event.id), station=event.station_id, code=event.code, units=-event.units,
            order=event.order_id, job_card=event.job_card_id, carton=event.carton_id,
            pick_list=event.pick_list_id, reason="undo",
            detail={"undoes": event.id, "undone_action": event.action, "why": reason, **(extra or {})},
        )
        for keep in UNDONE:  # kept figures (piece pay) change with the undo, in its transaction
            keep(event)
        return undo

    try:
        return write(run)  # in the scans' group commit
    except IntegrityError:
        # Two supervisors undid the same scan at once: the other one's undo stands.
        raise ActionRefused(msg("Scan {id} was already undone.", id=event_id)) from None


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
