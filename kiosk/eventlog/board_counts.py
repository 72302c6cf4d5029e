"""The order board's figures kept beside the log: every scan or action that changes an order rewrites
that order's rows of `board_count` in its own transaction (its savepoint, in a group commit), so a
scan rolled back takes its figures with it and the board reads a few thousand rows instead of every
order's cards and cartons.

The rows come from the order's cards and cartons as they are after the change, by one UPSERT the
database runs (db/board_counts.py); `kiosk rebuild-board-counts` checks them against a recomputation.
Who calls `refresh`: the scan path and desk actions for the order an accepted event names
(scan_path.write_event), audited actions naming an order (audit.record_action: undo, order changes),
and the release of an order (its first cards). No Flask here.
"""

from __future__ import annotations

from db import board_counts, database


def refresh(order_id: int | None) -> None:
    """Rewrite this order's kept figures from its cards and cartons (inside the caller's transaction)."""
    if order_id is None:
        return
    database.execute_sql(board_counts.one_order_sql(database.obj), board_counts.one_order_params(int(order_id)))


def refresh_all() -> None:
    """Rewrite every order's kept figures (tests and seeding scripts that wrote cards or cartons directly)."""
    board_counts.fill_every_order(database.obj)
