"""A day on the floor, per station: the station board for today and the daily production report
(生产日报表) for any past day. Plain Python over the models; no Flask.

Output = units moved on by accepted scans (outcome ok or warning; sign-ins move nothing), by the
plant's local hour and by worker. QC pass rate = units passed / units inspected, where a QC fail
event carries the good units in `units` and the failed ones in `detail.failed_units`. Work waiting
before a station = units on open job cards whose next station it is; it exists only now, so it is
shown for today only. Days of work waiting = units waiting / the station's recent daily pace; the
station with the most is the bottleneck.

Reads one day of the event log through its `at` index, grouped in SQL (a few hundred rows back).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from peewee import SQL, fn

from db import is_postgres
from db.models import JobCard, ScanEvent, Station, Worker
from kiosk.boards.figures import ACCEPTED, NOT_OUTPUT, not_undone, stage_pace
from kiosk.complaints.complaint import ComplaintFigures, day_figures
from kiosk.core import plant
from kiosk.core.clock import PLANT_TZ
from kiosk.plan import plans


@dataclass
class WorkerRow:
    badge: str
    name: str
    units: dict[int, int] = field(default_factory=dict)  # station id -> units

    @property
    def total(self) -> int:
        return sum(self.units.values())


@dataclass
class QcFigures:
    passed: int = 0
    failed: int = 0
    defects: list[tuple[str, int]] = field(default_factory=list)  # most failed units first

    @property
    def inspected(self) -> int:
        return self.passed + self.failed

    @property
    def pass_rate(self) -> float | None:
        return None if not self.inspected else self.passed / self.inspected


@dataclass
class DayReport:
    day: dt.date
    is_today: bool
    stations: list[Station]
    hours: list[int]  # local hours shown: the working day, widened to any hour with output
    by_hour: dict[tuple[int, int], int]  # (station id, hour) -> units
    station_totals: dict[int, int]
    rejected: dict[int, int]  # station id -> scans rejected or duplicate
    workers: list[WorkerRow]
    qc: QcFigures
    waiting: dict[int, int] = field(default_factory=dict)  # station id -> units waiting (today only)
    waiting_days: dict[int, float | None] = field(default_factory=dict)
    bottleneck_id: int | None = None
    complaints: ComplaintFigures = field(default_factory=ComplaintFigures)  # opened, decided, reasons
    # plan against actual (kiosk/plan/plans.py): plans, one row per station, the plant's attainment
    plans: dict[int, int] = field(default_factory=dict)
    plan_rows: list = field(default_factory=list)
    plan_attainment: float | None = None

    @property
    def total(self) -> int:
        return sum(self.station_totals.values())


WORKING_HOURS = range(7, 20)  # always shown on the board, so a quiet morning still has columns


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The plant-local day as naive UTC [start, end), the way the log stores time."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=PLANT_TZ)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=PLANT_TZ)
    return (start.astimezone(dt.UTC).replace(tzinfo=None), end.astimezone(dt.UTC).replace(tzinfo=None))


def _local_hour(day: dt.date):
    """SQL for the plant-local hour of `at`, using the day's UTC offset (exact except on DST change days)."""
    offset = dt.datetime.combine(day, dt.time(12), tzinfo=PLANT_TZ).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    if is_postgres():
        return SQL(f"CAST(EXTRACT(HOUR FROM at + INTERVAL '{minutes} minutes') AS INTEGER)")
    return SQL(f"CAST(strftime('%H', at, '{minutes:+d} minutes') AS INTEGER)")


def day_report(day: dt.date, today: dt.date | None = None) -> DayReport:
    start, end = day_bounds(day)
    stations = list(Station.select().order_by(Station.sort, Station.id))
    in_day = (ScanEvent.at >= start) & (ScanEvent.at < end)
    hour = _local_hour(day)
    by_hour: dict[tuple[int, int], int] = defaultdict(int)
    totals: dict[int, int] = defaultdict(int)
    by_worker: dict[int | None, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    output = (
        ScanEvent.select(ScanEvent.station, ScanEvent.worker, hour.alias("hour"), fn.SUM(ScanEvent.units))
        .where(in_day & ScanEvent.outcome.in_(ACCEPTED) & ScanEvent.action.not_in(NOT_OUTPUT)
               & ScanEvent.station.is_null(False) & (ScanEvent.units > 0) & not_undone())
        .group_by(ScanEvent.station, ScanEvent.worker, hour)
        .tuples()
    )
    for station_id, worker_id, at_hour, units in output:
        units = int(units or 0)
        by_hour[(station_id, int(at_hour))] += units
        totals[station_id] += units
        by_worker[worker_id][station_id] += units

    rejected = dict(
        ScanEvent.select(ScanEvent.station, fn.COUNT(ScanEvent.id))
        .where(in_day & ScanEvent.outcome.in_(("rejected", "duplicate")) & ScanEvent.station.is_null(False))
        .group_by(ScanEvent.station)
        .tuples()
    )
    names = {w.id: w for w in Worker.select().where(Worker.id.in_([k for k in by_worker if k is not None]))}
    workers = []
    for worker_id, units in by_worker.items():
        person = names.get(worker_id)
        workers.append(WorkerRow(person.badge if person else "", person.name if person else "-", dict(units)))
    workers.sort(key=lambda w: (-w.total, w.badge))

    shown = set(WORKING_HOURS) | {h for _, h in by_hour}
    hours = list(range(min(shown), max(shown) + 1))
    report = DayReport(day=day, is_today=day == today, stations=stations, hours=hours, by_hour=dict(by_hour),
                       station_totals=dict(totals), rejected=rejected, workers=workers, qc=qc_figures(start, end),
                       complaints=day_figures(start, end))
    if report.is_today:
        add_waiting(report)
    plans.for_report(report)
    return report


def qc_figures(start: dt.datetime, end: dt.datetime) -> QcFigures:
    figures = QcFigures()
    in_day = (ScanEvent.at >= start) & (ScanEvent.at < end) & ScanEvent.outcome.in_(ACCEPTED)
    figures.passed = int(
        ScanEvent.select(fn.COALESCE(fn.SUM(ScanEvent.units), 0))
        .where(in_day & (ScanEvent.action == "qc_pass")).scalar() or 0
    )
    defects: Counter[str] = Counter()
    for good, detail in (ScanEvent.select(ScanEvent.units, ScanEvent.detail)
                         .where(in_day & (ScanEvent.action == "qc_fail")).tuples()):
        detail = ScanEvent.detail.python_value(detail) if isinstance(detail, str) else (detail or {})
        failed = int(detail.get("failed_units") or 0)
        figures.passed += int(good or 0)
        figures.failed += failed
        defects[str(detail.get("defect") or "Other")] += failed
    figures.defects = sorted(defects.items(), key=lambda item: (-item[1], item[0]))
    return figures


def add_waiting(report: DayReport) -> None:
    """Units waiting before each station now, days of work that is, and the bottleneck."""
    waiting: dict[int, int] = defaultdict(int)
    for route_id, next_seq, units in (
        JobCard.select(JobCard.route, JobCard.next_seq, fn.SUM(JobCard.units))
        .where(JobCard.status == "open")
        .group_by(JobCard.route, JobCard.next_seq)
        .tuples()
    ):
        stations = plant.route_stations(route_id)
        if 0 <= next_seq < len(stations):
            waiting[stations[next_seq].id] += int(units or 0)
    pace = stage_pace()
    report.waiting = dict(waiting)
    report.waiting_days = {
        station_id: (units / pace[station_id] if pace.get(station_id) else None)
        for station_id, units in waiting.items()
    }

    def weight(station_id: int) -> tuple:
        days = report.waiting_days.get(station_id)
        return (days is None, days or 0.0, report.waiting.get(station_id, 0))

    busy = [s for s, units in waiting.items() if units > 0]
    report.bottleneck_id = max(busy, key=weight) if busy else None
