"""工价表: what a pass earns at a station for a product, from the time the rate takes effect.

A rate names a station and either a product model or a product family (the default for the family's
models). A change is a new row (`PayRate` is append-only) taking effect at the start of a plant day
that has not begun, or now when it is today: so a change never rewrites pay already earned. Every
change is audited in the event log. No Flask here.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass

from db import database, write_transaction
from db.models import PayRate, Product, Station, utcnow
from kiosk.core.clock import PLANT_TZ, today
from kiosk.core.errors import Refusal
from kiosk.eventlog.audit import record_action
from kiosk.i18n import msg
from kiosk.pay.money import yuan
from kiosk.pay.paydays import as_datetime
from kiosk.pay.periods import refuse_if_locked

MAX_FEN = 10_000_00  # 10,000 yuan for one unit is surely a typing error
MAX_TIERS = 5
# Kept figures that follow a new rate, in its transaction (kiosk/pay/ledger.py registers itself).
RATE_SET: list[Callable[[PayRate], None]] = []


class RateRefused(Refusal):
    """A rate that cannot be saved; `message` says why."""


@dataclass
class RateInput:
    station_code: str
    model_no: str = ""
    family: str = ""
    unit_fen: int = 0
    carton_fen: int = 0
    tiers: list[list[int]] | None = None  # [[after_units, unit_fen], ...]
    rework_fen: int = 0
    deduct_percent: int = 100
    effective: dt.date | None = None  # plant date; None: today (from now on)


def day_start_utc(day: dt.date) -> dt.datetime:
    """The start of a plant day, as naive UTC."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=PLANT_TZ)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def check(data: RateInput) -> tuple[Station, list[list[int]] | None]:
    station = Station.get_or_none(Station.code == (data.station_code or "")[:32])
    if station is None:
        raise RateRefused(msg("There is no station “{code}”.", code=(data.station_code or "")[:32]))
    if bool(data.model_no) == bool(data.family):
        raise RateRefused(msg("Give a product model or a product family, not both."))
    if data.model_no and not Product.select().where(Product.model_no == data.model_no).exists():
        raise RateRefused(msg("There is no product model {model}.", model=data.model_no[:32]))
    if data.family and not Product.select().where(Product.family == data.family).exists():
        raise RateRefused(msg("No product belongs to family {family}.", family=data.family[:64]))
    for value in (data.unit_fen, data.carton_fen, data.rework_fen):
        if not isinstance(value, int) or not 0 <= value <= MAX_FEN:
            raise RateRefused(msg("Amounts are yuan from 0 to 10000 with at most two decimals."))
    if data.unit_fen == 0 and data.carton_fen == 0:
        raise RateRefused(msg("A rate needs an amount per unit or per carton."))
    if not isinstance(data.deduct_percent, int) or not 0 <= data.deduct_percent <= 100:
        raise RateRefused(msg("The quality deduction is a percentage from 0 to 100."))
    tiers = sorted([list(t) for t in data.tiers or []])
    if len(tiers) > MAX_TIERS:
        raise RateRefused(msg("At most {n} tiers.", n=MAX_TIERS))
    for after, fen in tiers:
        if not (isinstance(after, int) and after > 0 and isinstance(fen, int) and 0 <= fen <= MAX_FEN):
            raise RateRefused(msg("A tier is a number of units in a day (more than 0) and a unit amount."))
    if len({after for after, _ in tiers}) != len(tiers):
        raise RateRefused(msg("Two tiers start at the same number of units."))
    return station, tiers or None


def set_rate(data: RateInput, user: str) -> PayRate:
    """Save a new rate taking effect on `data.effective` (today: from now). Audited."""
    station, tiers = check(data)
    day = data.effective or today()
    if day < today():
        raise RateRefused(msg("A rate cannot start in the past: pay already earned does not change. "
                              "Choose today or a later day."))
    with write_transaction():
        refuse_if_locked(day, RateRefused)
        effective_at = utcnow() if day == today() else day_start_utc(day)
        rate = PayRate.create(station=station, model_no=data.model_no, family=data.family,
                              unit_fen=data.unit_fen, carton_fen=data.carton_fen, tiers=tiers,
                              rework_fen=data.rework_fen, deduct_percent=data.deduct_percent,
                              effective_at=effective_at, created_by=user[:32])
        record_action("pay_rate", user, msg(
            "Rate set by {user}: {station} {product}, {unit} per unit, {carton} per carton, from {day}.",
            user=user, station={"zh": station.name_zh, "en": station.name_en},
            product=data.model_no or data.family, unit=yuan(data.unit_fen), carton=yuan(data.carton_fen),
            day=day.isoformat()), station=station.id,
            detail={"rate": rate.id, "model_no": data.model_no, "family": data.family, "unit_fen": data.unit_fen,
                    "carton_fen": data.carton_fen, "tiers": tiers, "rework_fen": data.rework_fen,
                    "deduct_percent": data.deduct_percent, "effective": day.isoformat()})
        for keep in RATE_SET:
            keep(rate)
    return rate


@dataclass(frozen=True)
class Rate:
    id: int
    unit_fen: int
    carton_fen: int
    tiers: tuple[tuple[int, int], ...]
    rework_fen: int
    deduct_percent: int
    key: str  # the model or family it was set for
    order: tuple = ()  # its place among the rates a product meets over time (priced in this order)


class RateBook:
    """Every rate in memory, to answer "which rate was in force" for many scans quickly."""

    def __init__(self, rows=None):
        self._by_key: dict[tuple, tuple[list, list]] = {}
        self.by_id: dict[int, Rate] = {}
        rows = rows if rows is not None else _rate_rows()
        found: dict[tuple, list] = {}
        for row in rows:
            key = (row.station_id, "m", row.model_no) if row.model_no else (row.station_id, "f", row.family)
            # A product meets its family's rates, then (once it has one) its model's: each by effective time.
            order = (1 if row.model_no else 0, row.effective_at, row.id)
            rate = Rate(row.id, row.unit_fen, row.carton_fen, tuple(tuple(t) for t in (row.tiers or [])),
                        row.rework_fen, row.deduct_percent, row.model_no or row.family, order)
            self.by_id[row.id] = rate
            found.setdefault(key, []).append((row.effective_at, row.id, rate))
        for key, items in found.items():
            items.sort(key=lambda item: (item[0], item[1]))
            self._by_key[key] = ([(at, rid) for at, rid, _ in items], [rate for _, _, rate in items])

    def tiered(self) -> set[tuple]:
        """(station_id, "m", model) and (station_id, "f", family) of every rate with day tiers: only products
        meeting one of these need their passes counted day by day."""
        return {key for key, (_times, rates) in self._by_key.items() if any(rate.tiers for rate in rates)}

    def times(self) -> list[dt.datetime]:
        """When any rate takes effect."""
        return [at for times, _rates in self._by_key.values() for at, _id in times]

    def _at(self, key, at: dt.datetime) -> Rate | None:
        entry = self._by_key.get(key)
        if entry is None:
            return None
        times, rates = entry
        index = bisect.bisect_right(times, (at, float("inf"))) - 1
        return rates[index] if index >= 0 else None

    def find(self, station_id: int, model_no: str, family: str, at: dt.datetime) -> Rate | None:
        """The model's own rate in force at `at`, else its family's, else None (no pay)."""
        return self._at((station_id, "m", model_no), at) or self._at((station_id, "f", family), at)


_RateRow = namedtuple("_RateRow", "id station_id model_no family unit_fen carton_fen tiers rework_fen deduct_percent "
                                  "effective_at")


def _rate_rows() -> list:
    """Every rate, in plain SQL: a kiosk reads them for each "my day"."""
    cursor = database.execute_sql(
        "SELECT id, station_id, model_no, family, unit_fen, carton_fen, tiers, rework_fen, deduct_percent, "
        "effective_at FROM pay_rate ORDER BY effective_at, id")
    return [_RateRow(*row[:6], json.loads(row[6]) if row[6] else None, *row[7:9], as_datetime(row[9]))
            for row in cursor.fetchall()]


def tiered_amount(rate: Rate, done_before: int, units: int) -> int:
    """Unit pay for `units` more units when `done_before` units were already done that day."""
    if not rate.tiers:
        return units * rate.unit_fen
    total = 0
    bounds = [(0, rate.unit_fen), *rate.tiers]
    for index, (after, fen) in enumerate(bounds):
        upper = bounds[index + 1][0] if index + 1 < len(bounds) else None
        start = max(done_before, after)
        end = done_before + units if upper is None else min(done_before + units, upper)
        if end > start:
            total += (end - start) * fen
    return total


def current_rates() -> list[PayRate]:
    """Every rate row, newest first (the desk page shows which one is in force)."""
    return list(PayRate.select(PayRate, Station).join(Station).order_by(PayRate.effective_at.desc(),
                                                                          PayRate.id.desc()))
