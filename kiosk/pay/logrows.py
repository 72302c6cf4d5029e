"""Reading the event log for pay: the accepted passes and failures, the undone scans, the products of cards
and cartons, as plain rows in bulk. The log is the one source; kiosk/pay/ledger.py keeps sums of it. No Flask.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from db import database, is_postgres
from kiosk.pay.paydays import MAX_LATE, as_datetime

EARNING_ACTIONS = ("pass", "qc_pass", "qc_fail", "qc_scrap", "pack", "store", "load")
CARTON_ACTIONS = ("store", "load")  # one carton per scan
# units failed: the worker who passed them at the responsible station pays
FAULT_ACTIONS = ("qc_fail", "qc_scrap", "send_back", "scrap")
ACCEPTED = ("ok", "warning")
SKEW = dt.timedelta(minutes=10)  # a kiosk clock may run a few minutes ahead (kiosk/eventlog/scan_path.validate)
EVER = (dt.datetime(1970, 1, 1), dt.datetime(9000, 1, 1))  # bounds that hold the whole log

_COLUMNS = """e.id, e.at, e.scanned_at, e.station_id, e.worker_id, e.action, e.units, e.detail, e.code,
 e.job_card_id, p.model_no, p.family, p.cartons_per_unit, jc.parent_id"""
_FROM = """FROM scan_event e
 LEFT JOIN job_card jc ON jc.id = e.job_card_id
 LEFT JOIN carton c ON c.id = e.carton_id
 JOIN order_line ol ON ol.id = COALESCE(jc.order_line_id, c.order_line_id)
 JOIN product p ON p.id = ol.product_id"""
# A raw pass row: (id, at, scanned_at, station_id, worker_id, action, units, detail, job_card_id, carton_id, code)
_ROW_COLUMNS = ("e.id, e.at, e.scanned_at, e.station_id, e.worker_id, e.action, e.units, e.detail, e.job_card_id, "
                "e.carton_id, e.code")

_PRODUCTS = (", p.model_no, p.family, p.cartons_per_unit, jc.parent_id FROM scan_event e "
             "LEFT JOIN job_card jc ON jc.id = e.job_card_id LEFT JOIN carton c ON c.id = e.carton_id "
             "LEFT JOIN order_line ol ON ol.id = COALESCE(jc.order_line_id, c.order_line_id) "
             "LEFT JOIN product p ON p.id = ol.product_id")


@dataclass(slots=True)
class PayEvent:
    id: int
    at: dt.datetime  # recorded
    scan_at: dt.datetime  # scanned (the rate's time)
    station_id: int
    worker_id: int | None
    action: str
    units: int
    detail: dict
    code: str
    job_card_id: int | None
    model_no: str
    family: str
    cartons_per_unit: int
    rework: bool
    day: dt.date | None = None  # the plant day it is paid on


def p() -> str:
    """The driver's placeholder."""
    return "%s" if is_postgres() else "?"


def placeholders(values) -> str:
    return ", ".join([p()] * len(values))


def facts(detail) -> dict:
    """An event's detail as a dict: JSON text or a dict as stored; anything else (a string stored inside
    the JSON, a list, text that is not JSON) as no facts, so one odd old row never stops pay or start-up."""
    if isinstance(detail, (str, bytes)):
        try:
            detail = json.loads(detail) if detail else {}
        except ValueError:
            return {}
    return detail if isinstance(detail, dict) else {}


def _rows_to_events(rows) -> list[PayEvent]:
    found = []
    for (eid, at, scanned, station, worker, action, units, detail, code, card, model, family, cpu,
         parent) in rows:
        at = as_datetime(at)
        found.append(PayEvent(eid, at, as_datetime(scanned) or at, station, worker, action, units,
                              facts(detail), code, card, model, family, cpu or 1,
                              parent is not None))
    return found


def load_events(start: dt.datetime, end: dt.datetime, where: str = "", params: tuple = (),
                late: bool = True, actions: tuple = FAULT_ACTIONS) -> list[PayEvent]:
    """Accepted events of these actions (failures, by default) scanned before `end` and recorded from `start`
    (naive UTC), with those recorded up to MAX_LATE after `end` when `late` (offline kiosks)."""
    q = p()
    sql = (f"SELECT {_COLUMNS} {_FROM} WHERE e.action IN ({placeholders(actions)}) "
           f"AND e.outcome IN ({q}, {q}) AND e.at >= {q} AND e.at < {q} "
           f"AND COALESCE(e.scanned_at, e.at) < {q} {where}")
    cursor = database.execute_sql(sql, (*actions, *ACCEPTED, start - SKEW, end + (MAX_LATE if late else SKEW),
                                        end, *params))
    return _rows_to_events(cursor.fetchall())


def events_by_id(ids) -> list[PayEvent]:
    """These accepted pay events (passes or failures), as PayEvents."""
    ids = sorted(set(ids))
    if not ids:
        return []
    cursor = database.execute_sql(f"SELECT {_COLUMNS} {_FROM} WHERE e.id IN ({placeholders(ids)}) "
                                  f"AND e.outcome IN ({p()}, {p()})", (*ids, *ACCEPTED))
    return _rows_to_events(cursor.fetchall())


def undone_of(event_ids) -> set[int]:
    """Which of these scans were undone (by the undo's unique key, one index lookup each)."""
    ids = sorted({int(i) for i in event_ids})
    found = set()
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        keys = [f"undo-{i}" for i in chunk]
        cursor = database.execute_sql(
            f"SELECT idem_key FROM scan_event WHERE idem_key IN ({placeholders(keys)})", tuple(keys))
        found |= {int(key[5:]) for (key,) in cursor.fetchall()}
    return found


def undone_since(start: dt.datetime) -> set[int]:
    """Ids of scans undone by an undo recorded at or after `start` (an undo comes after its scan)."""
    q = p()
    cursor = database.execute_sql(
        f"SELECT detail FROM scan_event WHERE action = {q} AND outcome = {q} AND at >= {q}", ("undo", "ok", start))
    found = set()
    for (detail,) in cursor.fetchall():
        undoes = facts(detail).get("undoes")
        if undoes is not None:
            found.add(int(undoes))
    return found


def raw_rows(start: dt.datetime, end: dt.datetime, where: str = "", params: tuple = (), late: bool = True,
             by_worker: bool = False, products: bool = False):
    """Accepted earning events scanned before `end` and recorded from `start` (and up to MAX_LATE after `end`
    when `late`): plain tuples, as fast as the database hands them over. `by_worker`: `where` names workers,
    whose (worker, at) index is the way in (SQLite would otherwise walk a whole stretch of the log).
    `products`: each row goes on with its product's model, family, packages and the card's parent (for a
    few rows, instead of Products' bulk lookups)."""
    q = p()
    action = "+e.action" if by_worker and not is_postgres() else "e.action"  # unary + : not by the action index
    tables = _PRODUCTS if products else " FROM scan_event e"
    sql = (f"SELECT {_ROW_COLUMNS}{tables} WHERE {action} IN ({placeholders(EARNING_ACTIONS)}) "
           f"AND e.outcome IN ({q}, {q}) AND e.at >= {q} AND e.at < {q} AND COALESCE(e.scanned_at, e.at) < {q} "
           f"{where}")
    return database.execute_sql(sql, (*EARNING_ACTIONS, *ACCEPTED, start - SKEW,
                                      end + (MAX_LATE if late else SKEW), end, *params)).fetchall()


def new_row(event):
    """A new event's raw pass row (as `raw_row` reads it back) from what its scan already loaded: the card,
    with its line and product, that the station's rule read. None when the scan did not load them (a
    carton's scan, a desk action): then `raw_row` reads it. Times are datetimes and the detail a dict here,
    where SQLite hands over text; the counting takes either."""
    card = event.__rel__.get("job_card")
    line = card.__rel__.get("order_line") if card is not None else None
    product = line.__rel__.get("product") if line is not None else None
    if product is None or event.carton_id is not None or event.action not in EARNING_ACTIONS:
        return None
    return (event.id, event.at, event.scanned_at, event.station_id, event.worker_id, event.action, event.units,
            event.detail, card.id, None, event.code, product.model_no, product.family, product.cartons_per_unit,
            card.parent_id)


def raw_row(event_id: int):
    """One accepted earning event as a raw pass row with its product (as `raw_rows(products=True)`), or None."""
    q = p()
    rows = database.execute_sql(f"SELECT {_ROW_COLUMNS}{_PRODUCTS} WHERE e.id = {q} "
                                f"AND e.action IN ({placeholders(EARNING_ACTIONS)}) AND e.outcome IN ({q}, {q})",
                                (event_id, *EARNING_ACTIONS, *ACCEPTED)).fetchall()
    return rows[0] if rows else None


def crew_of(detail) -> tuple | None:
    """((worker_id, share), ...) of a crew's scan from its detail (JSON text or a dict), else None."""
    if not detail:
        return None
    if isinstance(detail, str) and '"crew"' not in detail:
        return None
    crew = facts(detail).get("crew")
    return tuple((int(w), int(s)) for w, s in crew) if crew else None


def earners(event: PayEvent) -> list[list[int]]:
    crew = crew_of(event.detail)
    if crew:
        return [[w, s] for w, s in crew]
    return [[event.worker_id, 1]] if event.worker_id is not None else []


class Products:
    """Model, family, packages per unit and rework flag of job cards and cartons, loaded in bulk."""

    def __init__(self, card_ids, carton_ids):
        self.cards: dict[int, tuple] = {}
        self.cartons: dict[int, tuple] = {}
        product = "JOIN order_line ol ON ol.id = {t}.order_line_id JOIN product p ON p.id = ol.product_id"
        for cid, model, family, cpu, parent in by_ids(
                f"SELECT jc.id, p.model_no, p.family, p.cartons_per_unit, jc.parent_id FROM job_card jc "
                f"{product.format(t='jc')}", "jc.id", card_ids):
            self.cards[cid] = (model, family, cpu or 1, parent is not None)
        for cid, model, family, cpu in by_ids(
                f"SELECT c.id, p.model_no, p.family, p.cartons_per_unit FROM carton c {product.format(t='c')}",
                "c.id", carton_ids):
            self.cartons[cid] = (model, family, cpu or 1, False)

    @classmethod
    def of_rows(cls, rows) -> Products:
        return cls({r[8] for r in rows if r[8] is not None}, {r[9] for r in rows if r[9] is not None})

    @classmethod
    def joined(cls, rows) -> Products:
        """From rows read with `raw_rows(products=True)`: no query."""
        found = cls((), ())
        for row in rows:
            if row[11] is None:
                continue
            info = (row[11], row[12], row[13] or 1, row[14] is not None)
            if row[8] is not None:
                found.cards[row[8]] = info
            elif row[9] is not None:
                found.cartons[row[9]] = info
        return found


def by_ids(select: str, column: str, ids) -> list:
    """Rows of `select` for these ids: one range scan when they are many, a list when they are few."""
    if not ids:
        return []
    q = p()
    if len(ids) > 2000:
        return database.execute_sql(f"{select} WHERE {column} >= {q} AND {column} <= {q}",
                                    (min(ids), max(ids))).fetchall()
    ids = sorted(ids)
    rows = []
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        rows += database.execute_sql(f"{select} WHERE {column} IN ({placeholders(chunk)})", tuple(chunk)).fetchall()
    return rows


def responsible_passes(card_ids: set) -> dict:
    """Accepted passes of these cards and their parent cards: {card_id: [PayEvent]}, {("parent", id): parent}."""
    found: dict = {}
    todo = {c for c in card_ids if c is not None}
    q = p()
    while todo:
        ids = sorted(todo)
        todo = set()
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            cursor = database.execute_sql(
                f"SELECT {_COLUMNS} {_FROM} WHERE e.job_card_id IN ({placeholders(chunk)}) "
                f"AND {'e.action' if is_postgres() else '+e.action'} IN ({placeholders(EARNING_ACTIONS)}) "
                f"AND e.outcome IN ({q}, {q})",  # by the card index, not the action index (SQLite's unary +)
                (*chunk, *EARNING_ACTIONS, *ACCEPTED))
            for event in _rows_to_events(cursor.fetchall()):
                found.setdefault(event.job_card_id, []).append(event)
            cursor = database.execute_sql(
                f"SELECT id, parent_id FROM job_card WHERE id IN ({placeholders(chunk)})", tuple(chunk))
            for card, parent in cursor.fetchall():
                if parent is not None:
                    found[("parent", card)] = parent
                    if parent not in found:
                        todo.add(parent)
    return found


def card_family(card_id: int) -> list[int]:
    """This card and every rework card that came from it (the cards a failure after its pass can be on)."""
    found, todo = [card_id], [card_id]
    while todo:
        rows = database.execute_sql(f"SELECT id FROM job_card WHERE parent_id IN ({placeholders(todo)})",
                                    tuple(todo)).fetchall()
        todo = [r[0] for r in rows if r[0] not in found]
        found += todo
    return found


def faults_on_cards(card_ids: list[int], after_id: int) -> list[PayEvent]:
    """Accepted failures on these cards recorded after event `after_id`."""
    q = p()
    cursor = database.execute_sql(
        f"SELECT {_COLUMNS} {_FROM} WHERE e.job_card_id IN ({placeholders(card_ids)}) AND e.id > {q} "
        f"AND {'e.action' if is_postgres() else '+e.action'} IN ({placeholders(FAULT_ACTIONS)}) "
        f"AND e.outcome IN ({q}, {q})", (*card_ids, after_id, *FAULT_ACTIONS, *ACCEPTED))
    return _rows_to_events(cursor.fetchall())
