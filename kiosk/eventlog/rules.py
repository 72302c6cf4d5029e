"""The registries the rooms fill: what a scan means at each kind of station, and how each kind of
accepted scan is undone.

A room (kiosk/stations/<kind>.py) registers its rule with `@register(kind)` and the reversal of its
scans with `@undoer(action)`; kiosk/stations/__init__.py imports every room, and create_app imports
kiosk.stations, so both registries are full before the first request. No Flask here.
"""

from __future__ import annotations

from collections.abc import Callable

from db.models import ScanEvent, Station
from kiosk.core.outcome import Outcome
from kiosk.i18n import Msg, msg

RULES: dict[str, Callable] = {}
UNDOERS: dict[str, Callable[[ScanEvent], Msg]] = {}
# Other areas' say on an undo: each check raises ActionRefused to stop it (piece pay: an approved period).
UNDO_CHECKS: list[Callable[[ScanEvent], None]] = []
# Figures other areas keep, updated in the event's own transaction (piece pay's ledger): each is given every
# newly written event, and every event just undone (after its undo was written).
RECORDED: list[Callable[[ScanEvent], None]] = []
UNDONE: list[Callable[[ScanEvent], None]] = []


def register(kind: str):
    """The rule for stations of this kind: `rule(station, worker, request) -> Outcome`."""

    def wrap(fn):
        RULES[kind] = fn
        return fn

    return wrap


def rule_for(station: Station) -> Callable:
    return RULES.get(station.kind, _not_set_up)


def _not_set_up(station, worker, request) -> Outcome:
    return Outcome(
        "rejected", "scan", msg("This station does not take scans yet. Ask the supervisor."), reason="no_rule"
    )


def undoer(*actions: str):
    """Register how to reverse the effect of scans with these actions; return what the undo did."""

    def wrap(fn):
        for action in actions:
            UNDOERS[action] = fn
        return fn

    return wrap
