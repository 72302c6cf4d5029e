"""What a batch of new events means for each kind of board page: the htmx fragments to push.

Every open board in a process gets the same batch at once; the first stream to need a fragment
renders it and the others wait for that one rendering (`Shared`), so a hundred boards cost one
set of queries per batch. A stream holds no database connection while it waits: it opens one
only to render.

Pages and the events they listen to (htmx SSE extension, `sse-swap`):
- order board: `order-<id>` (that order's row, outerHTML), `tick` (last scan), `refresh` (reload rows);
- station board: `stations` (the whole panel), `tick`;
- trace page: `trace` (new rows, appended).
"""

from __future__ import annotations

import collections
import logging
import threading
import time

from flask import render_template

from db import database
from kiosk.boards import figures, report, trace
from kiosk.core.clock import today
from kiosk.eventlog.stream import Batch

log = logging.getLogger(__name__)


class Shared:
    """A small cache where concurrent callers asking for the same key wait for one build."""

    def __init__(self, size: int = 256):
        self.size = size
        self._lock = threading.Lock()
        self._items: collections.OrderedDict = collections.OrderedDict()

    def get(self, key, build):
        with self._lock:
            entry = self._items.get(key)
            owner = entry is None
            if owner:
                entry = self._items[key] = _Entry()
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
            else:
                self._items.move_to_end(key)
        if owner:
            try:
                entry.value = build()
            except BaseException as error:
                entry.error = error
                with self._lock:
                    self._items.pop(key, None)
                raise
            finally:
                entry.ready.set()
        else:
            entry.ready.wait()
            if entry.error is not None:
                raise entry.error
        return entry.value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class _Entry:
    __slots__ = ("ready", "value", "error")

    def __init__(self):
        self.ready = threading.Event()
        self.value = None
        self.error: BaseException | None = None


shared = Shared()
BASE_SECONDS = 30.0  # how old the other orders' figures may be when one order's row is redrawn


def _with_db(build):
    def run():
        with database.connection_context():
            return build()

    return run


def board_for_page(since: int, max_age: float) -> figures.Board:
    """The figures as of event `since`: computed once for every page opened until a new event or
    `max_age` seconds (the caller holds a database connection)."""
    key = ("page-board", id(database.obj), since, _epoch(max_age))
    return shared.get(key, lambda: figures.order_board(today()))


def _epoch(max_age: float) -> int:
    return int(time.monotonic() // max(1.0, max_age))


class _Base:
    """The last full computation of the board, rebuilt in the background once it is BASE_SECONDS old,
    so a scan never waits for the whole board: it only re-reads its own order on top of this."""

    def __init__(self):
        self.lock = threading.Lock()
        self.board: figures.Board | None = None
        self.built = 0.0
        self.building = False
        self.database = None

    def get(self) -> figures.Board:
        with self.lock:
            if self.database is not database.obj:  # another database (tests): start again
                self.board, self.database = None, database.obj
            board, stale = self.board, time.monotonic() - self.built > BASE_SECONDS
            if board is not None and stale and not self.building:
                self.building = True
                threading.Thread(target=self._rebuild, name="board-figures", daemon=True).start()
        if board is None:
            with database.connection_context():
                board = self._build()
        return board

    def _build(self) -> figures.Board:
        board = figures.order_board(today())
        with self.lock:
            self.board, self.built, self.building = board, time.monotonic(), False
        return board

    def _rebuild(self) -> None:
        try:
            with database.connection_context():
                self._build()
        except Exception:  # noqa: BLE001 - the old figures stay; the next scan tries again
            log.exception("board figures: rebuilding failed")
            with self.lock:
                self.building = False

    def clear(self) -> None:
        with self.lock:
            self.board = None


base = _Base()


def board_figures(batch: Batch, order_ids: list[int]) -> figures.Board:
    """The board after this batch: the changed orders read again on top of the base figures."""
    board = base.get()
    return shared.get(("board", batch.key), _with_db(lambda: figures.refresh_rows(board, order_ids)))


def tick(batch: Batch, lang: str) -> tuple[str, str]:
    change = batch.changes[-1]
    return "tick", shared.get(("tick", batch.key, lang),
                              lambda: render_template("boards/_tick.html", change=change).strip())


def for_orders(batch: Batch, lang: str) -> list[tuple[str, str]]:
    """Each changed order's row as it is now; `refresh` when the client missed too much."""
    if batch.overflow:
        return [("refresh", "reload")]
    order_ids = list(dict.fromkeys(c.order_id for c in batch.changes if c.order_id))
    messages = []
    if order_ids:
        board = board_figures(batch, order_ids)
        for order_id in order_ids:
            html = shared.get(("row", batch.key, order_id, lang),
                              lambda oid=order_id: _order_row_html(board, oid))
            messages.append((f"order-{order_id}", html))
    if batch.changes:
        messages.append(tick(batch, lang))
    return messages


def _order_row_html(board: figures.Board, order_id: int) -> str:
    row = figures.order_row(board, order_id)
    if row is None:  # shipped or cancelled: the row leaves the board
        return f'<tr id="order-{order_id}" class="gone" hidden></tr>'
    return render_template("boards/_order_row.html", row=row, board=board).strip()


def for_stations(batch: Batch, lang: str) -> list[tuple[str, str]]:
    """Today's station panel, redrawn when anything happened at a station."""
    if not batch.overflow and not any(c.station_id for c in batch.changes):
        return []

    def build():
        with database.connection_context():
            day = today()
            return render_template("boards/_station_panel.html", report=report.day_report(day, today=day)).strip()

    # The panel is today's figures as of the newest event: every stream at that event shows the same one,
    # whichever changes each was woken for, so they share one rendering (issue 15: 200 boards open).
    messages = [("stations", shared.get(("stations", batch.cursor, lang), build))]
    if batch.changes:
        messages.append(tick(batch, lang))
    return messages


def for_trace(subject: trace.Subject):
    """New events of one order, job card or carton, as rows to append to its trace."""

    def messages(batch: Batch, lang: str) -> list[tuple[str, str]]:
        ids = [c.id for c in batch.changes if subject.matches(c.order_id, c.job_card_id, c.carton_id)]
        if not ids:
            return []
        with database.connection_context():
            found = trace.events(subject, ids)
            html = "".join(render_template("boards/_trace_row.html", event=e, subject=subject).strip()
                           for e in found)
        return [("trace", html)] if html else []

    return messages
