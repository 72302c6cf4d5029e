"""Daily plans per station, their split over the shift's hours, and plan attainment (计划达成率).

- A plan is units a station should move on one day: entered by the clerk, imported from a file
  (station, units, optionally date), or derived from due dates and routes: for every open order, the
  units still to go through a station, spread evenly over the days left to its due date (counting
  today; an overdue order's remaining units all fall on today), summed and rounded up.
- The plan is split evenly over the shift's hours [start, end), the remainder to the earliest hours.
- Attainment = units moved / units planned, per station and for the plant (the sum of what the
  stations with a plan moved over the sum of their plans); no plan, no attainment.
No Flask here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from db import write_transaction
from db.models import Order, Station, StationPlan, utcnow
from kiosk.core import plant
from kiosk.i18n import msg
from kiosk.orders.orders import OPEN_STATUSES
from kiosk.orders.progress import progress_for_orders

MAX_UNITS = 1_000_000
SHIFT_HOURS = [8, 18]  # plant-local [start, end); set from SHIFT_START_HOUR / SHIFT_END_HOUR by configure()


def configure(config) -> None:
    """The shift's hours from the app's settings (once, when the app starts)."""
    try:
        start, end = int(config.get("SHIFT_START_HOUR", 8)), int(config.get("SHIFT_END_HOUR", 18))
    except (TypeError, ValueError):
        return
    if 0 <= start < end <= 24:
        SHIFT_HOURS[:] = [start, end]


SOURCES = ("entered", "imported", "derived")
COLUMNS = {"station": ("station", "station code", "工位", "工位代码"),
           "units": ("units", "plan", "计划", "计划数量", "数量"), "date": ("date", "day", "日期")}


class PlanRefused(ValueError):
    def __init__(self, errors: list):
        super().__init__(f"{len(errors)} problems")
        self.errors = errors  # [(row, [Msg, ...])]: every fault of a row, once per row


def plans_for(day: dt.date) -> dict[int, int]:
    """station id -> planned units for that day."""
    return {station_id: units for station_id, units in
            StationPlan.select(StationPlan.station, StationPlan.units).where(StationPlan.day == day).tuples()}


def sources_for(day: dt.date) -> dict[int, str]:
    return dict(StationPlan.select(StationPlan.station, StationPlan.source).where(StationPlan.day == day).tuples())


def set_plan(station_id: int, day: dt.date, units: int | None, user: str, source: str = "entered") -> None:
    """Set (or with None, remove) one station's plan for a day."""
    with write_transaction():
        StationPlan.delete().where((StationPlan.station == station_id) & (StationPlan.day == day)).execute()
        if units is not None:
            StationPlan.create(station=station_id, day=day, units=units, source=source, user=user[:32],
                               updated_at=utcnow())


def parse_units(text: str):
    """(units or None, fault Msg or None): empty is no plan; a whole number 0..MAX_UNITS is a plan."""
    text = str(text or "").strip()
    if not text:
        return None, None
    try:
        units = int(float(text)) if float(text).is_integer() else None
    except ValueError:
        units = None
    if units is None or not 0 <= units <= MAX_UNITS:
        return None, msg("Units must be a whole number from 0 to {max}: {value}", max=MAX_UNITS, value=text[:20])
    return units, None


def _station_named(name: str) -> Station | None:
    name = name.strip()
    for station in plant.stations():
        if name in (station.code, station.name_zh, station.name_en) or name.lower() == station.name_en.lower():
            return station
    return None


def import_plans(rows: list[list[str]], day: dt.date, user: str) -> int:
    """Plans from a table (header row first): station, units and optionally date. All or nothing; every
    fault of a row is listed with that row, once."""
    rows = [r for r in rows if any(str(c).strip() for c in r)]
    if not rows:
        raise PlanRefused([(0, [msg("The file is empty.")])])
    header = [str(c).strip().lower() for c in rows[0]]
    columns = {field: next((i for i, h in enumerate(header) if h in names), None) for field, names in COLUMNS.items()}
    missing = [field for field in ("station", "units") if columns[field] is None]
    if missing:
        raise PlanRefused([(1, [msg("Missing columns: {names}.", names=", ".join(missing))])])
    found, errors = {}, []
    for number, row in enumerate(rows[1:], start=2):
        def cell(field: str, row=row) -> str:
            index = columns[field]
            return str(row[index]).strip() if index is not None and index < len(row) else ""

        faults = []
        station = _station_named(cell("station"))
        if station is None:
            faults.append(msg("Unknown station: {name}", name=cell("station")[:40] or "-"))
        units, fault = parse_units(cell("units"))
        if fault is not None:
            faults.append(fault)
        elif units is None:
            faults.append(msg("Units are empty."))
        when = day
        if cell("date"):
            try:
                when = dt.date.fromisoformat(cell("date")[:10])
            except ValueError:
                faults.append(msg("The date must be written YYYY-MM-DD: {value}", value=cell("date")[:20]))
        if faults:
            errors.append((number, faults))
        else:
            found[(station.id, when)] = units
    if errors:
        raise PlanRefused(errors)
    for (station_id, when), units in found.items():
        set_plan(station_id, when, units, user, source="imported")
    return len(found)


def derived_plans(day: dt.date) -> dict[int, int]:
    """station id -> units due today so open orders meet their due dates (see the module docstring)."""
    orders = list(Order.select(Order.id, Order.due_date).where(Order.status.in_(OPEN_STATUSES) & ~Order.on_hold)
                  .tuples())
    progress = progress_for_orders([o[0] for o in orders])
    share: dict[int, float] = defaultdict(float)
    for order_id, due in orders:
        if isinstance(due, str):
            due = dt.date.fromisoformat(due)
        days = max(1, (due - day).days + 1)
        for stage in progress[order_id].stages:
            left = stage.total - stage.done if stage.applies else 0
            if left > 0:
                share[stage.station.id] += left / days
    return {station_id: math.ceil(units - 1e-9) for station_id, units in share.items() if units > 0}


def derive(day: dt.date, user: str, keep_entered: bool = True) -> dict[int, int]:
    """Set derived plans for the day; stations the clerk entered or imported a plan for keep theirs."""
    kept = {s for s, source in sources_for(day).items() if source != "derived"} if keep_entered else set()
    made = {s: u for s, u in derived_plans(day).items() if s not in kept}
    for station_id, units in made.items():
        set_plan(station_id, day, units, user, source="derived")
    return made


# -- against actual ----------------------------------------------------------------------------------


def hourly(units: int, start_hour: int, end_hour: int) -> dict[int, int]:
    """The plan split over the shift's hours, the remainder to the earliest hours."""
    hours = list(range(start_hour, end_hour)) or [start_hour]
    base, extra = divmod(units, len(hours))
    return {hour: base + (1 if index < extra else 0) for index, hour in enumerate(hours)}


def attainment(actual: int, planned: int | None) -> float | None:
    if not planned:
        return None
    return actual / planned


@dataclass
class StationPace:
    """One station's day: plan, actual and gap by shift hour, totals and attainment."""

    station: Station
    planned: int | None
    hours: list[int]
    plan_by_hour: dict[int, int]
    actual_by_hour: dict[int, int]
    outside_shift: int = 0  # units moved before or after the shift's hours

    @property
    def actual(self) -> int:
        return sum(self.actual_by_hour.values()) + self.outside_shift

    def gap(self, hour: int) -> int:
        return self.actual_by_hour.get(hour, 0) - self.plan_by_hour.get(hour, 0)

    @property
    def total_gap(self) -> int | None:
        return None if self.planned is None else self.actual - self.planned

    @property
    def attainment(self) -> float | None:
        return attainment(self.actual, self.planned)


def against_actual(stations: list[Station], plans: dict[int, int], by_hour: dict[tuple[int, int], int],
                   totals: dict[int, int], start_hour: int, end_hour: int) -> list[StationPace]:
    """Each station's plan against its output; actual counts the whole day, hours show the shift."""
    hours = list(range(start_hour, end_hour))
    rows = []
    for station in stations:
        planned = plans.get(station.id)
        actual = {h: by_hour.get((station.id, h), 0) for h in hours}
        outside = totals.get(station.id, 0) - sum(actual.values())
        rows.append(StationPace(station, planned, hours, hourly(planned, start_hour, end_hour) if planned else {},
                                actual, outside))
    return rows


def for_report(report) -> None:
    """Give a day report (kiosk/boards/report.py) its plans, plan against actual and attainment."""
    start, end = SHIFT_HOURS
    report.plans = plans_for(report.day)
    report.plan_rows = against_actual(report.stations, report.plans, report.by_hour, report.station_totals,
                                      start, end)
    report.plan_attainment = plant_attainment(report.plan_rows)


def plant_attainment(rows: list[StationPace]) -> float | None:
    planned = [r for r in rows if r.planned]
    return attainment(sum(r.actual for r in planned), sum(r.planned for r in planned))
