"""The goods gate (kind "outside"): a job card scanned here is back from its supplier with the work
done, as if scanned back in at the clerk desk (kiosk/cards/outside.py)."""

from __future__ import annotations

from db.models import Station, Worker
from kiosk.cards.outside import take_back_rule, unknown_card
from kiosk.cards.route import load_card
from kiosk.core.outcome import Outcome, ScanRequest
from kiosk.eventlog.rules import register


@register("outside")
def scan(station: Station, worker: Worker | None, request: ScanRequest) -> Outcome:
    card = load_card(request.code, lock=True)
    if card is None:
        return unknown_card(request.code, "take_back")
    return take_back_rule(card, worker.name if worker else request.user, True)
