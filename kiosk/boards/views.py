"""Boards: the order progress board (/board), the station board and daily report (/board/stations),
the trace page (/trace) and the event stream that keeps them live (/board/events).

Settings (instance config or KIOSK_* environment; defaults in BOARD_DEFAULTS): BOARD_PAGE_ROWS rows
per page (all open orders are sorted by urgency first), BOARD_TV_ROWS rows per TV page,
BOARD_TV_SECONDS per TV page, BOARD_REFRESH_SECONDS between reloads of the rows (new orders,
re-sorting; single rows are pushed as they change), BOARD_CACHE_SECONDS how long one computation
of the figures serves every page opened while no new event arrived (holds and releases write no
event, so they show within this time). MAX_STREAMS and MAX_STREAMS_PER_VIEWER cap the open event
streams (kiosk/boards/slots.py).

Who may look: signed-in staff of every role, and any paired device (a wall screen is paired as a
display; a station kiosk may open the boards too). Nothing here changes data.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, render_template, request, session, stream_with_context

from db import database
from kiosk.boards import export, figures, live, report, trace
from kiosk.boards.slots import STREAMS, StreamsFull
from kiosk.core.clock import today
from kiosk.core.roles import STAFF
from kiosk.eventlog import stream as events
from kiosk.people.auth import current_device, current_user, require
from kiosk.web import current_lang

bp = Blueprint("boards", __name__)
BOARD_ACCESS = require(*STAFF, kiosk="any")

BOARD_DEFAULTS = {
    "BOARD_PAGE_ROWS": 100,
    "BOARD_CACHE_SECONDS": 30,
    "BOARD_TV_ROWS": 12,
    "BOARD_TV_SECONDS": 15,
    "BOARD_REFRESH_SECONDS": 120,
    # open event streams in all, counted over every server process (each holds a thread: KIOSK_THREADS is more)
    "MAX_STREAMS": 200,
    "MAX_STREAMS_PER_VIEWER": 6,  # per session or paired device, over every server process; beyond either: 429
}


@bp.record_once
def _defaults(state) -> None:
    for key, value in BOARD_DEFAULTS.items():
        state.app.config.setdefault(key, value)
    STREAMS.configure(state.app.config["MAX_STREAMS"], state.app.config["MAX_STREAMS_PER_VIEWER"])


def _int(value, default: int | None = None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _since() -> int:
    """The newest event now: a page rendered from the database is current up to here."""
    return events.latest_id(database.obj)


# -- order progress board ------------------------------------------------------------------------


def _board_context():
    args = request.args
    customer = (args.get("customer") or "").strip()[:32]
    status = args.get("status") if args.get("status") in figures.STATUSES else ""
    tv = args.get("tv") == "1"
    since = _since()
    board = live.board_for_page(since, current_app.config["BOARD_CACHE_SECONDS"])
    rows = board.filtered(customer, status)
    size = max(1, int(current_app.config["BOARD_TV_ROWS" if tv else "BOARD_PAGE_ROWS"]))
    pages = max(1, -(-len(rows) // size))
    page = _int(args.get("page"), 1)
    page = (page - 1) % pages + 1 if tv else min(max(1, page), pages)
    shown = rows[(page - 1) * size: page * size]
    filters = {"customer": customer, "status": status, "tv": "1" if tv else ""}
    return dict(board=board, rows=shown, matching=len(rows), customer=customer, status=status, tv=tv, page=page,
                pages=pages, since=since, filters={k: v for k, v in filters.items() if v},
                tv_seconds=current_app.config["BOARD_TV_SECONDS"],
                refresh_seconds=current_app.config["BOARD_REFRESH_SECONDS"])


@bp.get("/board")
@BOARD_ACCESS
def order_board():
    return render_template("boards/orders.html", **_board_context())


@bp.get("/board/rows")
@BOARD_ACCESS
def order_rows():
    """The rows alone: the board reloads them now and then, and TV mode turns its pages with them."""
    return render_template("boards/_order_rows.html", **_board_context())


# -- station board and daily report --------------------------------------------------------------


def _report_day() -> dt.date:
    value = (request.args.get("date") or "").strip()
    if not value:
        return today()
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        abort(404)
    if not 2000 <= day.year < 2100:  # no report for year 1 (its plant-time bounds overflow UTC)
        abort(404)
    return day


@bp.get("/board/stations")
@BOARD_ACCESS
def station_board():
    day = _report_day()
    since = _since()
    data = report.day_report(day, today=today())
    return render_template("boards/stations.html", report=data, since=since, day=day,
                           previous=day - dt.timedelta(days=1), following=day + dt.timedelta(days=1),
                           tv=request.args.get("tv") == "1", tv_seconds=current_app.config["BOARD_TV_SECONDS"])


@bp.get("/board/stations/report.<fmt>")
@BOARD_ACCESS
def report_file(fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    day = _report_day()
    data = report.day_report(day, today=today())
    plant_name = current_app.config.get("PLANT_NAME", "")
    if fmt == "xlsx":
        body = export.to_xlsx(data, current_lang(), plant_name)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = export.to_csv(data, current_lang(), plant_name)
        mimetype = "text/csv; charset=utf-8"
    filename = f"production-report-{day.isoformat()}.{fmt}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# -- trace ---------------------------------------------------------------------------------------


@bp.get("/trace")
@bp.get("/trace/<path:code>")
@BOARD_ACCESS
def trace_page(code: str | None = None):
    code = (code or request.args.get("code") or "").strip()[:64]
    subject = trace.find(code) if code else None
    found = trace.events(subject) if subject else []
    return render_template("boards/trace.html", code=code, subject=subject, found=found, since=_since())


def _viewer() -> str:
    """Whose screen this is, for the stream cap: the paired device, else the signed-in user."""
    device, user = current_device(), current_user()
    if device is not None:
        return f"device:{device.id}"
    if user is not None:
        return f"user:{user.id}:{session.get('at', '')}"
    return f"address:{request.remote_addr}"


# -- the event stream ----------------------------------------------------------------------------


@bp.get("/board/events")
@BOARD_ACCESS
def event_stream():
    """Server-Sent Events for one page: `view` is orders, stations or trace (with `code`).

    Resumes after Last-Event-ID (the browser sends it on reconnect), else after `since` (the event
    the page was rendered at), so nothing between the page and its stream is lost.
    """
    view = request.args.get("view", "orders")
    lang = current_lang()
    if view == "orders":
        live.base.get()  # ready before the first scan arrives

        def messages(batch):
            return live.for_orders(batch, lang)
    elif view == "stations":
        def messages(batch):
            return live.for_stations(batch, lang)
    elif view == "trace":
        subject = trace.find(request.args.get("code") or "")
        if subject is None:
            abort(404)
        for_trace = live.for_trace(subject)

        def messages(batch):
            return for_trace(batch, lang)
    else:
        abort(404)
    since = _int(request.headers.get("Last-Event-ID"))
    if since is None:
        since = _int(request.args.get("since"))
    try:  # a cap per screen and in total (every server process counts), so streams never take the
        slot = STREAMS.take(_viewer())  # threads scans and sign-in need
    except StreamsFull as full:
        return Response(full.message.render(lang) + "\n", status=429, mimetype="text/plain",
                        headers={"Retry-After": "60"})
    try:
        subscription = events.hub().subscribe(since)
    except BaseException:
        STREAMS.give_back(slot)
        raise
    if not database.is_closed():
        database.close()  # a board holds a thread while it is open, but no database connection

    def safe_messages(batch):
        try:
            return messages(batch)
        except Exception:  # noqa: BLE001 - one bad fragment must not end every board's stream
            current_app.logger.exception("event stream: rendering a fragment failed")
            return []

    body = stream_with_context(STREAMS.held(slot, events.stream(subscription, safe_messages)))
    return Response(body, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
