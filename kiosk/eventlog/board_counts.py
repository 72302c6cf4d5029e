"""The order board's figures kept beside the log: every scan or action that changes an order rewrites
that order's rows of `board_count` in its own transaction (its savepoint, in a group commit), so a
scan rolled back takes its figures with it and the board reads a few thousand rows instead of every
order's cards and cartons.

The rows come from the order's cards and cartons as they are after the change, by one UPSERT the
database runs (db/board_counts.py; about 0.06 ms of CPU on SQLite for a 2,000-order plant);
`kiosk rebuild-board-counts` checks them against a recomputation.
Who calls `refresh`: the scan path and desk actions for the order an accepted event names
(scan_path.write_event), audited actions naming an order (audit.record_action: undo, order changes),
and the release of an order (its first cards). No Flask here.
"""

from __future__ import annotations

from peewee import Value

from db import board_counts, compiled, database, is_postgres, run_compiled
from db.models import BoardCount

ORDER_LOCK = 7312018  # PostgreSQL advisory lock space: one lock per order, held to the end of the transaction


def refresh(order_id: int | None) -> None:
    """Rewrite this order's kept figures from its cards and cartons (inside the caller's transaction).

    On PostgreSQL two transactions may change one order's cards at once (several server processes), and
    an INSERT ... SELECT reads as of its start: the later one could write figures that miss the earlier
    one's cards. So the order's refreshes take turns (an advisory lock until commit), and the UPSERT, a
    statement of its own, starts after the earlier transaction committed and reads its cards. SQLite has
    one writer at a time: nothing to wait for.
    """
    if order_id is None:
        return
    order_id = int(order_id)
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (ORDER_LOCK, order_id))
    database.execute_sql(board_counts.one_order_sql(database.obj), board_counts.one_order_params(order_id))


def add(order_id: int, moves: tuple) -> None:
    """The order's kept figures change by exactly `moves`, ((station id, units), ...): a card's units
    passed a station, and nothing else about the order changed. One small UPDATE per station instead of the
    order worked out again; a row that is not there (a station added since) has the order worked out again.
    On PostgreSQL the same advisory lock as `refresh`, so an increment and a refresh of one order take turns."""
    order_id = int(order_id)
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (ORDER_LOCK, order_id))
    query = compiled("board-count-add", lambda p: BoardCount.update(
        {BoardCount.units: BoardCount.units + Value(p("units"), converter=False)})
        .where((BoardCount.order == p("order")) & (BoardCount.station == p("station"))))
    for station_id, units in moves:
        if run_compiled(query, units=int(units), order=order_id, station=int(station_id)).rowcount != 1:
            refresh(order_id)
            return


def refresh_all() -> None:
    """Rewrite every order's kept figures (tests and seeding scripts that wrote cards or cartons directly)."""
    board_counts.fill_every_order(database.obj)
