"""The order progress board's figures: every open order, how far it has come, and whether it will
make its due date. Plain Python over the models; no Flask.

How the status is decided (the board says the same in words):

- pace of a stage = units the plant moved through that station in the last PACE_DAYS days, / PACE_DAYS;
- the plant is assumed to work orders by due date (earliest first), so the work *ahead of and
  including* an order at a stage is the units still to go through it for every open order due
  no later than this one;
- days needed = the largest, over the production stages this order still needs, of that work / the
  pace; work already done counts as done wherever it waits, and loading is not a production stage
  (it waits for the truck), so an order in stock is never "at risk" for production;
- late: the due date has passed and the order still has work left;
  at risk: days needed > days left (counting today, so an order due today has 1 day), or a
  stage it still needs moved nothing in PACE_DAYS days and it is due within UNKNOWN_PACE_DAYS;
  on track: everything else.
- a late or at-risk order names the station holding most of its remaining units (through the stage
  before it, not yet through it).

Cost: the figures kept per order and station (db/models.BoardCount, written with each scan: a few
thousand rows), the order lines, a handful of small queries, and one range query on the event log's
`at` index for the pace - never a scan of the whole log, nor of every card and carton.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import SQL, Cast, Value, fn

from db import in_ids
from db.models import Customer, Order, OrderDelay, ScanEvent, Station, utcnow
from kiosk.cards.outside import OutRow, out_by_order
from kiosk.i18n import Msg, msg
from kiosk.orders.holds import delay_label
from kiosk.orders.orders import OPEN_STATUSES
from kiosk.orders.payments import waiting_ids
from kiosk.orders.progress import StageProgress, kept_progress, raw_rows

PACE_DAYS = 7
UNKNOWN_PACE_DAYS = 3
ACCEPTED = ("ok", "warning")
NOT_OUTPUT = ("sign_in", "undo")  # accepted events that move no work


def not_undone():
    """Events a supervisor has not undone (an undo is written with the key "undo-<event id>")."""
    undo = ScanEvent.alias("undo")
    key = Value("undo-").concat(Cast(ScanEvent.id, "VARCHAR(20)"))
    return ~fn.EXISTS(undo.select(SQL("1")).where(undo.idem_key == key))
STATUSES = ("late", "at_risk", "on_track")


@dataclass
class OrderRow:
    """One line of the board."""

    order_id: int
    number: str
    customer_code: str
    customer_name: str
    due_date: dt.date
    rush: bool
    on_hold: bool
    hold_reason: str
    order_status: str
    ordered: int
    stages: list[StageProgress]
    cartons_expected: int = 0
    cartons_packed: int = 0  # every carton packed so far, wherever it is now
    cartons_stored: int = 0  # in the warehouse or already loaded
    cartons_loaded: int = 0
    days_left: int = 0  # due date minus today; negative when overdue
    days_needed: float | None = None  # None: some stage it needs has no recent pace
    status: str = "on_track"
    delay_reason: Msg | None = None  # the latest one a supervisor recorded
    awaiting_payment: bool = False  # finance has not released it for shipping (kiosk/payments.py)
    outside: list[OutRow] = field(default_factory=list)  # its cards out at suppliers (kiosk/outside_work.py)
    held_at: Station | None = None  # where most of its remaining units wait (late and at-risk orders)

    @property
    def complete(self) -> bool:
        return all(s.done >= s.total for s in self.stages if s.applies)

    @property
    def urgency(self) -> tuple:
        return (STATUSES.index(self.status), self.due_date, not self.rush, self.number)


@dataclass
class Board:
    today: dt.date
    stations: list[Station]
    pace: dict[int, float]  # station id -> units per day
    rows: list[OrderRow] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = {status: 0 for status in STATUSES}
        for row in self.rows:
            found[row.status] += 1
        return found

    def customers(self) -> list[tuple[str, str]]:
        return sorted({(r.customer_code, r.customer_name) for r in self.rows})

    def filtered(self, customer: str = "", status: str = "") -> list[OrderRow]:
        return [r for r in self.rows
                if (not customer or r.customer_code == customer) and (not status or r.status == status)]


def stage_pace(now: dt.datetime | None = None, days: int = PACE_DAYS) -> dict[int, float]:
    """Units per day through each station over the last `days` days (accepted scans that moved units and
    were not undone).

    Two range queries on indexes, no probe per event: what the scans in the window moved, less what the
    undone ones among them moved (an undo comes after its scan, so it is found among the undos written
    since the window began, by the (action, at) index).
    """
    now = now or utcnow()
    start = now - dt.timedelta(days=days)

    def output(event):
        return ((event.at >= start) & (event.at <= now) & event.outcome.in_(ACCEPTED)
                & event.action.not_in(NOT_OUTPUT) & event.station.is_null(False))

    moved = raw_rows(ScanEvent.select(ScanEvent.station, fn.SUM(ScanEvent.units), fn.COUNT(ScanEvent.id))
                     .where(output(ScanEvent)).group_by(ScanEvent.station))
    undo = ScanEvent.alias("undo")
    undone = {station_id: (int(units or 0), count) for station_id, units, count in raw_rows(
        ScanEvent.select(ScanEvent.station, fn.SUM(ScanEvent.units), fn.COUNT(ScanEvent.id))
        .join(undo, on=(ScanEvent.id == Cast(fn.SUBSTR(undo.idem_key, 6), "INTEGER")))
        .where((undo.action == "undo") & (undo.at >= start) & undo.idem_key.startswith("undo-") & output(ScanEvent))
        .group_by(ScanEvent.station))}
    pace = {}
    for station_id, units, count in moved:
        less, gone = undone.get(station_id, (0, 0))
        if count > gone:  # a station whose every scan was undone moved nothing
            pace[station_id] = (int(units or 0) - less) / days
    return pace


def _open(only: list[int] | None):
    where = Order.status.in_(OPEN_STATUSES)
    return where if only is None else where & Order.id.in_(only)


def _open_orders(only: list[int] | None = None) -> list[tuple]:
    """(id, number, due date, rush, on hold, hold reason, status, customer code, customer name) rows, read raw
    (the driver's values: a date may come as text, a flag as 0/1) for thousands of orders."""
    return raw_rows(
        Order.select(Order.id, Order.number, Order.due_date, Order.rush, Order.on_hold, Order.hold_reason,
                     Order.status, Customer.code, Customer.name)
        .join(Customer)
        .where(_open(only))
    )


def delay_reasons(only: list[int] | None = None) -> dict[int, Msg]:
    """The latest delay reason a supervisor recorded on each open order, ready to translate."""
    open_ids = Order.select(Order.id).where(_open(only))
    found: dict[int, Msg] = {}
    for order_id, reason, note in (OrderDelay.select(OrderDelay.order, OrderDelay.reason, OrderDelay.note)
                                   .where(in_ids(OrderDelay.order, open_ids) & OrderDelay.cleared_at.is_null())
                                   .order_by(OrderDelay.at, OrderDelay.id).tuples()):
        found[order_id] = msg("{reason}, note: {note}", reason=delay_label(reason), note=note) if note \
            else delay_label(reason)
    return found


def order_board(today: dt.date, now: dt.datetime | None = None, pace: dict[int, float] | None = None,
                only: list[int] | None = None) -> Board:
    """Every open order (or those of `only`) with its progress, cartons and status, most urgent first."""
    stations = list(Station.select().order_by(Station.sort, Station.id))
    pace = stage_pace(now) if pace is None else pace
    board = Board(today=today, stations=stations, pace=pace)
    orders = list(_open_orders(only))
    if not orders:
        return board
    ids = [row[0] for row in orders]
    progress, cartons = kept_progress(Order.select(Order.id).where(_open(only)), ids)
    reasons = delay_reasons(only)
    unpaid = waiting_ids(ids)
    outside = out_by_order(ids, today)
    for order_id, number, due, rush, on_hold, hold_reason, status, code, name in orders:
        if isinstance(due, str):
            due = dt.date.fromisoformat(due)
        p, boxes = progress[order_id], cartons[order_id]
        board.rows.append(OrderRow(
            order_id=order_id, number=number, customer_code=code, customer_name=name, due_date=due,
            rush=bool(rush), on_hold=bool(on_hold), hold_reason=hold_reason or "", order_status=status,
            ordered=p.ordered, stages=p.stages, cartons_expected=boxes.expected,
            cartons_packed=boxes.packed, cartons_stored=boxes.stored, cartons_loaded=boxes.loaded,
            days_left=(due - today).days, delay_reason=reasons.get(order_id), awaiting_payment=order_id in unpaid,
        ))
    for row in board.rows:
        row.outside = outside.get(row.order_id, [])
    judge(board.rows, pace)
    board.rows.sort(key=lambda r: r.urgency)
    return board


def holding_station(stages: list[StageProgress]) -> Station | None:
    """The station holding most of the order's remaining units: those through the stage before it (or
    not started, for the first) and not yet through it; the earliest such station on a tie."""
    best, most, before = None, 0, None
    for stage in stages:
        if not stage.applies:
            continue
        arrived = stage.total if before is None else min(before, stage.total)
        waiting = arrived - stage.done
        if waiting > most:
            best, most = stage.station, waiting
        before = stage.done
    return best


def judge(rows: list[OrderRow], pace: dict[int, float]) -> None:
    """Set days needed and status on each row (see the module docstring for the rule)."""
    ahead: dict[int, int] = defaultdict(int)  # station id -> units still to do, orders due so far
    # (station id, its pace, a production stage?) per station object: thousands of rows share a few stations.
    # Loading waits for the truck, not for the plant's pace: finished goods in stock are not at risk.
    known: dict[int, tuple[int, float, bool]] = {}
    for row in sorted(rows, key=lambda r: (r.due_date, r.order_id)):
        needed: float | None = 0.0
        for stage in row.stages:
            left = stage.total - stage.done
            if left <= 0 or not stage.applies:
                continue
            station = known.get(id(stage.station))
            if station is None:
                station = known[id(stage.station)] = (stage.station.id, pace.get(stage.station.id, 0.0),
                                                      stage.station.kind != "loading")
            station_id, rate, production = station
            if not production:
                continue
            ahead[station_id] += left
            if rate <= 0:
                needed = None
            elif needed is not None:
                needed = max(needed, ahead[station_id] / rate)
        row.days_needed = None if needed is None else round(needed, 1)
        row.held_at = None
        if row.complete:
            row.status = "on_track"
        elif row.days_left < 0:
            row.status = "late"
        elif needed is None:
            row.status = "at_risk" if row.days_left < UNKNOWN_PACE_DAYS else "on_track"
        else:
            row.status = "at_risk" if needed > row.days_left + 1 else "on_track"
        if row.status != "on_track":
            row.held_at = holding_station(row.stages)


def refresh_rows(board: Board, order_ids: list[int]) -> Board:
    """`board` with these orders read again and every status judged anew: what a scan changes.

    Costs queries for these few orders only; the other rows (and the pace) come from `board`, so
    their share of the work ahead is as old as `board` is.
    """
    fresh = {row.order_id: row for row in order_board(board.today, pace=board.pace, only=order_ids).rows}
    changed = set(order_ids)
    rows = [copy.copy(row) for row in board.rows if row.order_id not in changed]
    rows.extend(fresh.values())
    judge(rows, board.pace)
    rows.sort(key=lambda r: r.urgency)
    return Board(today=board.today, stations=board.stations, pace=board.pace, rows=rows)


def order_row(board: Board, order_id: int) -> OrderRow | None:
    return next((r for r in board.rows if r.order_id == order_id), None)
