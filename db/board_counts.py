"""The SQL that keeps `board_count` (db/models.BoardCount): each order's figures per station, worked
out from its job cards and cartons by the database itself.

One statement does it, for one order (in the transaction of every scan or action that changes the
order: kiosk/eventlog/board_counts.py) or for every order (the migration that adds the table, and
`kiosk rebuild-board-counts --write`). It is an INSERT ... SELECT ... ON CONFLICT DO UPDATE, which
SQLite (3.24 and later) and PostgreSQL both run; every station gets a row, so a figure that fell to
zero is written as zero.

The figures are those kiosk/orders/progress.py computes (a card's units are through every station
of its route before its `next_seq`; at warehouse-in and loading a unit is through when all its
cartons are in, or all loaded) and the board's carton counts; cartons taken out of the goods at a carton
station (status 'out', kiosk/shipping/cartons.TAKEN_OUT) are not counted. Plain SQL, no kiosk imports.
"""

from __future__ import annotations

from peewee import Database, PostgresqlDatabase

# {where}: "" for every order, or a filter on one order; {orders}: the orders to write rows for.
_SELECT = """
WITH steps AS (
    SELECT rs.route_id, rs.station_id,
           (SELECT COUNT(*) FROM route_step r2 WHERE r2.route_id = rs.route_id AND r2.seq < rs.seq) AS pos
    FROM route_step rs),
through AS (
    SELECT l.order_id, st.station_id,
           SUM(CASE WHEN st.pos < c.next_seq THEN c.units ELSE 0 END) AS units, COUNT(*) AS cards
    FROM job_card c
    JOIN order_line l ON l.id = c.order_line_id
    JOIN steps st ON st.route_id = c.route_id
    WHERE c.status <> 'void' {where}
    GROUP BY l.order_id, st.station_id),
unit_boxes AS (
    SELECT l.order_id, k.job_card_id, k.unit_no, COUNT(*) AS n,
           SUM(CASE WHEN k.status IN ('in_warehouse', 'loaded') THEN 1 ELSE 0 END) AS stored,
           SUM(CASE WHEN k.status = 'loaded' THEN 1 ELSE 0 END) AS loaded
    FROM carton k
    JOIN order_line l ON l.id = k.order_line_id
    WHERE k.status <> 'out' {where}
    GROUP BY l.order_id, k.job_card_id, k.unit_no),
boxes AS (
    SELECT order_id, SUM(n) AS cartons, SUM(stored) AS cartons_stored, SUM(loaded) AS cartons_loaded,
           SUM(CASE WHEN stored = n THEN 1 ELSE 0 END) AS units_stored,
           SUM(CASE WHEN loaded = n THEN 1 ELSE 0 END) AS units_loaded
    FROM unit_boxes
    GROUP BY order_id)
{insert}
SELECT o.id, s.id,
       CASE s.kind WHEN 'warehouse' THEN COALESCE(b.units_stored, 0)
                   WHEN 'loading' THEN COALESCE(b.units_loaded, 0)
                   ELSE COALESCE(t.units, 0) END,
       COALESCE(t.cards, 0),
       CASE s.kind WHEN 'packing' THEN COALESCE(b.cartons, 0)
                   WHEN 'warehouse' THEN COALESCE(b.cartons_stored, 0)
                   WHEN 'loading' THEN COALESCE(b.cartons_loaded, 0)
                   ELSE 0 END
FROM {orders} o
CROSS JOIN station s
LEFT JOIN through t ON t.order_id = o.id AND t.station_id = s.id
LEFT JOIN boxes b ON b.order_id = o.id
WHERE 1 = 1
"""

_INSERT = 'INSERT INTO "board_count" ("order_id", "station_id", "units", "cards", "cartons")'
_UPSERT = ('ON CONFLICT ("order_id", "station_id") DO UPDATE SET "units" = excluded."units", '
           '"cards" = excluded."cards", "cartons" = excluded."cartons"')

_sql: dict = {}


def _param(database: Database) -> str:
    return "%s" if isinstance(database, PostgresqlDatabase) else "?"


def one_order_sql(database: Database) -> str:
    """The UPSERT of one order's rows; its parameters are the order id three times (`one_order_params`)."""
    key = ("one", isinstance(database, PostgresqlDatabase))
    if key not in _sql:
        p = _param(database)
        _sql[key] = _SELECT.format(where=f"AND l.order_id = {p}", insert=_INSERT,
                                   orders=f"(SELECT CAST({p} AS INTEGER) AS id)") + _UPSERT
    return _sql[key]


def one_order_params(order_id: int) -> tuple[int, int, int]:
    return (order_id, order_id, order_id)


def every_order_select() -> str:
    """(order id, station id, units, cards, cartons) for every order and station, written nowhere."""
    return _SELECT.format(where="", insert="", orders='"order"')


def fill_every_order(database: Database) -> None:
    """Write every order's rows (the migration, and a rebuild that writes)."""
    database.execute_sql(_SELECT.format(where="", insert=_INSERT, orders='"order"') + _UPSERT)
