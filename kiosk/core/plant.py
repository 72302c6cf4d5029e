"""The plant's layout, read often and changed rarely: stations and routes, cached per process.

A scan needs its station and the card's route; reading them from the database on every scan
costs more than the scan itself. The cache lives a few seconds, so a renamed station or a changed
route shows on the floor almost at once, without a restart.
"""

from __future__ import annotations

import threading
import time

from db import database
from db.models import RouteStep, Station

TTL_SECONDS = 5.0
_lock = threading.Lock()
_cache: dict = {"at": 0.0, "db": None, "stations": {}, "routes": {}}


def _fresh() -> dict:
    now = time.monotonic()
    with _lock:
        if now - _cache["at"] < TTL_SECONDS and _cache["db"] is database.obj:
            return _cache
    stations = {s.code: s for s in Station.select()}
    by_id = {s.id: s for s in stations.values()}
    routes: dict[int, list[Station]] = {}
    for step in RouteStep.select().order_by(RouteStep.route, RouteStep.seq):
        routes.setdefault(step.route_id, []).append(by_id[step.station_id])
    with _lock:
        _cache.update(at=now, db=database.obj, stations=stations, routes=routes)
        return _cache


def station_by_code(code: str) -> Station | None:
    return _fresh()["stations"].get(code)


def route_stations(route_id: int) -> list[Station]:
    return list(_fresh()["routes"].get(route_id, []))


def stations() -> list[Station]:
    """Every station in plant order."""
    return sorted(_fresh()["stations"].values(), key=lambda station: (station.sort, station.id))


def route_positions() -> dict[int, dict[int, int]]:
    """route id -> {station id: position on that route}."""
    return {route_id: {station.id: position for position, station in enumerate(route)}
            for route_id, route in _fresh()["routes"].items()}


def forget() -> None:
    """Drop the cache (after an admin edits stations or routes, and between tests)."""
    with _lock:
        _cache["at"] = 0.0
