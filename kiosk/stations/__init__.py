"""The rooms of the plant: what a scan means at each kind of station.

Each module holds the rule for one kind (`scan(station, worker, request) -> Outcome`); the shared
path around it (validation, idempotency, transaction, event) is kiosk/scans.py.
"""

from __future__ import annotations

from collections.abc import Callable

from db.models import Station
from kiosk.i18n import msg

RULES: dict[str, Callable] = {}


def register(kind: str):
    def wrap(fn):
        RULES[kind] = fn
        return fn

    return wrap


def rule_for(station: Station) -> Callable:
    _load_rooms()
    rule = RULES.get(station.kind)
    if rule is None:
        return _not_set_up
    return rule


def _not_set_up(station, worker, request):
    from kiosk.eventlog.scan_path import Outcome

    return Outcome(
        "rejected", "scan", msg("This station does not take scans yet. Ask the supervisor."), reason="no_rule"
    )


_loaded = False


def _load_rooms() -> None:
    """Import every room once, whatever was imported before (a view may import one room early)."""
    global _loaded
    if _loaded:
        return
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name not in ("views", "api", "camera_views"):
            importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True
