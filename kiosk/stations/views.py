"""Station kiosk pages: one page per station for a touchscreen, scans round-tripped by htmx."""

from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, render_template, request
from peewee import JOIN

from db import compiled, run_compiled
from db.models import ScanEvent, Station, Worker
from kiosk.core import commands, crews, plant
from kiosk.core.errors import ScanInputError
from kiosk.core.outcome import ScanRequest, ScanResult
from kiosk.eventlog.scan_path import record_scan
from kiosk.i18n import msg
from kiosk.orders.orders import spec_of
from kiosk.pay.myday import day_summary
from kiosk.people import approvals
from kiosk.people.auth import kiosk_station, public
from kiosk.shipping import pick_lists
from kiosk.stations import commands as station_commands  # noqa: F401 - registers the stations' commands
from kiosk.stations import defects, loading, packing, qc, warehouse
from kiosk.stations.queue import card_spec, waiting
from kiosk.web import current_lang

bp = Blueprint("stations", __name__)

# Form fields passed to the station's rule: QC's verdict; packing's reprint and why; the bin a warehouse kiosk
# holds; the pick list a loading kiosk holds, and finishing. (A short load needs a supervisor's badge and
# PIN: that goes to shipping's finish-short, never through the scan queue.)
SCAN_OPTIONS = ("verdict", "failed_units", "defect", "rework_station", "reprint", "reprint_reason", "location",
                "pick_list", "finish", "defect_action")


def signed_in(badge: str | None):
    """Who a kiosk's remembered badge names: an active worker, or a crew by its card (kiosk/core/crews.py)."""
    if not badge:
        return None
    query = compiled("active-worker-by-badge", lambda p: Worker.select().where(
        (Worker.badge == p("badge")) & Worker.active))
    found = run_compiled(query, badge=badge)  # every QC scan asks: SQL built once
    if found:
        return found[0]
    crew = crews.crew_by_code(badge)
    return SimpleNamespace(badge=crew.code, name=crew.label, id=None) if crew is not None else None


@bp.app_template_global("order_spec")
def order_spec(line) -> list:
    """The order's spec for a line (kiosk/orders.spec_of), for panels that show a card."""
    return spec_of(line)


_panels: dict[str, str | None] = {}


@bp.app_template_global("station_panel")
def station_panel(kind: str) -> str | None:
    """The answer's panel for a kind of station (templates/stations/_<kind>_panel.html), None when it has
    none; looked up once per kind, not on every answer."""
    if kind not in _panels:
        name = f"stations/_{kind}_panel.html"
        _panels[kind] = name if name in current_app.jinja_env.list_templates() else None
    return _panels[kind]


@bp.app_template_global("reprint_reasons")
def reprint_reasons() -> tuple[str, ...]:
    """Why a label is printed again at packing (the reprint panel's choices)."""
    return packing.REPRINT_REASONS


@bp.app_template_global("stations_before")
def stations_before(station: Station) -> list[Station]:
    """Stations before this one in plant order: where a station can send work back (the card's route decides);
    from a carton station, packing too (a damaged carton's unit packed again)."""
    kinds = defects.SEND_BACK_KINDS if station.kind in defects.CARTON_KINDS else ("process",)
    return [s for s in plant.stations() if (s.sort, s.id) < (station.sort, station.id) and s.kind in kinds]


QUEUE_KINDS = ("process", "qc", "packing")  # stations that take job cards show the cards waiting there
# rooms that send back or scrap units (kiosk/stations/defects.py); at warehouse-in and loading a carton's unit
DEFECT_KINDS = ("process", "packing", "warehouse", "loading")


def queue_for(station: Station):
    return waiting(station) if station.kind in QUEUE_KINDS else None


def changes_queue(result) -> bool:
    """Whether an answer may have moved a card into or out of a station's queue: something was recorded
    (green or amber) that is not a badge signing in. Duplicates and refusals change nothing."""
    return result is not None and result.outcome in ("ok", "warning") and result.action != "sign_in"


def get_station(code: str) -> Station:
    station = plant.station_by_code(code[:32])
    if station is None:
        abort(404)
    return station


def recent_scans(station: Station, limit: int) -> list[ScanEvent]:
    def build(param):
        return (
            ScanEvent.select(ScanEvent.id, ScanEvent.at, ScanEvent.code, ScanEvent.outcome, ScanEvent.message,
                             ScanEvent.worker, Worker.id, Worker.name)
            .join(Worker, on=(ScanEvent.worker == Worker.id), join_type=JOIN.LEFT_OUTER)
            .where((ScanEvent.station == param("station")) & (ScanEvent.action != param("skip")))
            .order_by(ScanEvent.id.desc())
            .limit(param("limit"))
        )

    return run_compiled(compiled("recent-scans", build), station=station.id, skip="sign_in", limit=limit)


def recent_scans_after(station: Station, after: int, limit: int) -> list[ScanEvent]:
    """Only the scans here newer than event `after` (what the kiosk already lists): the answer to a
    scan carries those rows, usually one, and the kiosk puts them on top of its list."""
    def build(param):
        return (
            ScanEvent.select(ScanEvent.id, ScanEvent.at, ScanEvent.code, ScanEvent.outcome, ScanEvent.message,
                             ScanEvent.worker, Worker.id, Worker.name)
            .join(Worker, on=(ScanEvent.worker == Worker.id), join_type=JOIN.LEFT_OUTER)
            .where((ScanEvent.station == param("station")) & (ScanEvent.id > param("after"))
                   & (ScanEvent.action != param("skip")))
            .order_by(ScanEvent.id.desc())
            .limit(param("limit"))
        )

    return run_compiled(compiled("recent-scans-after", build), station=station.id, after=after, skip="sign_in",
                        limit=limit)


def answer_recent(station: Station, form) -> dict:
    """The "last scans here" part of a scan's answer: the whole list, or (when the kiosk says which
    event its list starts with, `recent_after`) only the newer rows."""
    limit = current_app.config["RECENT_SCANS"]
    after = (form.get("recent_after") or "").strip()
    if after.isdigit() and len(after) < 19:
        return {"recent": recent_scans_after(station, int(after), limit), "recent_since": int(after),
                "recent_limit": limit}
    return {"recent": recent_scans(station, limit)}


@bp.get("/")
@public
def index():
    stations = list(Station.select().order_by(Station.sort, Station.id))
    return render_template("index.html", stations=stations)


@bp.get("/station/<code>")
@public  # shows the scan field only to a kiosk paired here
def station_page(code: str):
    station = get_station(code)
    return render_template(
        "stations/station.html",
        station=station,
        recent=recent_scans(station, current_app.config["RECENT_SCANS"]),
        defects=qc.DEFECT_REASONS,
        tally=loading.tally_for_page(station, None) if station.kind == "loading" else None,
        held_bin=warehouse.last_bin_at(station) if station.kind == "warehouse" else "",
        command_map=commands.page_map(station, current_lang()),
        command_prefix=commands.PREFIX,
        queue=queue_for(station),
        defect_panel=station.kind in DEFECT_KINDS,
    )


def scan_options(form) -> dict:
    """The SCAN_OPTIONS the form carries (non-empty), each cut to 200 characters. Asked with `in` first: a
    missing key's .get() costs werkzeug an exception each, nine times per scan."""
    return {key: form[key][:200] for key in SCAN_OPTIONS if key in form and form[key]}


SANE_YEARS = (2000, 2100)  # a scan time outside these is no clock's mistake: refused (400), in words


def parse_scanned_at(value: str | None) -> dt.datetime | None:
    """When the kiosk says the scan was made; None when it says nothing readable. A time no kiosk could
    have (year 1, or one that overflows in UTC) raises ScanInputError."""
    if not value:
        return None
    try:
        at = dt.datetime.fromisoformat(str(value)[:64].replace("Z", "+00:00"))
    except ValueError:
        return None
    try:
        if at.tzinfo is not None:
            at = at.astimezone(dt.UTC).replace(tzinfo=None)
    except OverflowError:
        at = None
    if at is None or not SANE_YEARS[0] <= at.year < SANE_YEARS[1]:
        raise ScanInputError(msg("The scan's time ({value}) is not a real time: check the kiosk's clock and "
                                 "scan again.", value="".join(ch for ch in str(value)[:40] if ch.isprintable())))
    return at


@bp.post("/station/<code>/scan")
@kiosk_station()
def scan(code: str):
    station = get_station(code)
    form = request.form
    badge = (form.get("worker_badge") or "").strip()[:64] or None
    scanned = (form.get("code") or "")[:200]
    context = dict(station=station, defects=qc.DEFECT_REASONS, worker=None, tally=None)

    if commands.is_command(scanned):
        return _command(station, form, badge, scanned.strip(), context)
    if station.kind == "qc" and scanned.strip():
        waiting = _qc_waiting(station, form, badge, scanned.strip(), context)
        if waiting is not None:
            return waiting

    options = scan_options(form)
    try:
        scanned_at = parse_scanned_at(form.get("scanned_at"))
    except ScanInputError as error:
        return render_template("stations/_scan_result.html", result=None, error=error.message,
                               recent=recent_scans(station, current_app.config["RECENT_SCANS"]), **context), 400
    scan_request = ScanRequest(
        station_code=station.code,
        code=scanned,
        idem_key=(form.get("idem") or "")[:80],
        worker_badge=badge,
        scanned_at=scanned_at,
        options=options,
    )
    try:
        result = record_scan(scan_request)
    except ScanInputError as error:
        if station.kind == "loading":
            context["tally"] = loading.tally_for_page(station, form.get("pick_list"))
        return render_template("stations/_scan_result.html", result=None, error=error.message,
                               **answer_recent(station, form), **context)
    if result.action == "sign_in":
        context["worker"] = signed_in(result.detail.get("badge"))
        context["signed_in"] = True
        context["my_day"] = day_summary(context["worker"])  # the worker's day so far under the answer
    if station.kind == "loading":  # the live tally under the answer (kiosk/stations/loading.py)
        context["tally"] = loading.tally_for_page(station, form.get("pick_list"), result)
    if result.job_card is not None:  # what the order asked for, on the answer (kiosk/orders.spec_of)
        context["spec"] = spec_of(result.job_card.order_line)  # loaded by the station's rule: no query
    elif result.job_card_code:
        context["spec"] = card_spec(result.job_card_code)
    # The cards waiting here are not part of the answer: the page fetches them (queue_panel) after an
    # answer that says the queue may have changed, so a scan's answer never waits for the queue.
    context["queue_stale"] = station.kind in QUEUE_KINDS and changes_queue(result)
    return render_template(
        "stations/_scan_result.html",
        result=result,
        error=None,
        **answer_recent(station, form),
        **context,
    )


def _command(station, form, badge, scanned: str, context: dict):
    """A scanned command code (kiosk/core/commands.py), answered like a scan; a card waiting at QC stays."""
    worker = signed_in(badge)
    context["worker"] = worker
    options = scan_options(form)
    scan_request = ScanRequest(station_code=station.code, code=scanned, idem_key=(form.get("idem") or "")[:80],
                               worker_badge=badge, scanned_at=parse_scanned_at(form.get("scanned_at")),
                               options=options)
    try:
        result = commands.answer(station, worker, scan_request)
    except ScanInputError as error:
        result = commands.CommandAnswer("rejected", error.message, code=scanned[:40])
    waiting = (form.get("qc_waiting") or "").strip()[:64]
    if station.kind == "qc" and waiting and worker is not None:
        card, rejection = qc.check(station, waiting)
        if rejection is None:
            return _qc_panel(station, card, context, problem=result.message, problem_outcome=result.outcome)
    if station.kind == "loading":
        context["tally"] = loading.tally_for_page(station, form.get("pick_list"), result)
    return render_template("stations/_scan_result.html", result=result, error=None, **answer_recent(station, form),
                           **context)


def _qc_waiting(station, form, badge, scanned: str, context: dict):
    """QC's verdict panel, when the scan does not record anything (kiosk/stations/qc.py says why):

    a card scanned is shown and waits for a verdict; while one waits, any other scan (card or badge) is
    answered "still waits" and nothing is recorded; an incomplete verdict shows the panel again with the reason.
    """
    worker = signed_in(badge)
    context["worker"] = worker
    if worker is None:
        return None
    verdict, waiting = form.get("verdict"), (form.get("qc_waiting") or "").strip()[:64]
    if verdict or form.get("reprint"):
        if not verdict or verdict == "pass":
            return None  # a pass is complete as it is: the rule checks the card and records the answer
        card, rejection = qc.check(station, scanned)
        problem = qc.verdict_problem(card, station, form) if rejection is None else None
        if problem is None:
            return None
        return _qc_panel(station, card, context, problem=problem, chosen=form.to_dict())
    if waiting:
        card, rejection = qc.check(station, waiting)
        if rejection is None:
            return _qc_panel(station, card, context, problem=qc.still_waiting(waiting, scanned))
    if signed_in(scanned):
        return None  # a badge with no card waiting: signs in
    card, rejection = qc.check(station, scanned)
    if rejection is None:
        return _qc_panel(station, card, context)
    return None


def _qc_panel(station, card, context: dict, problem=None, chosen=None, problem_outcome="rejected"):
    return render_template("stations/_qc_decide.html", card=card, rework_choices=qc.rework_choices(card, station),
                           problem=problem, chosen=chosen, problem_outcome=problem_outcome, **context)


@bp.get("/station/<code>/queue")
@kiosk_station()
def queue_panel(code: str):
    """The cards waiting here and their count in the header: fetched by the station page after a scan's
    answer (debounced, see templates/stations/_queue.html), and now and then for cards arriving from
    other stations. A station that takes no job cards has no queue (404)."""
    station = get_station(code)
    queue = queue_for(station)
    if queue is None:
        abort(404)
    return render_template("stations/_queue_panel.html", station=station, queue=queue)


@bp.post("/station/<code>/sign-out")
@kiosk_station()
def sign_out(code: str):
    station = get_station(code)
    return render_template("stations/_worker.html", station=station, worker=None, oob=False,
                           note=msg("Signed out. Scan your badge to start.").render(current_lang()))


@bp.get("/station/<code>/worker")
@kiosk_station()
def worker_panel(code: str):
    """The signed-in worker's panel after a page reload (the badge is remembered by the kiosk)."""
    station = get_station(code)
    badge = (request.args.get("badge") or "")[:64]
    return render_template("stations/_worker.html", station=station, worker=signed_in(badge), oob=False)


# -- the loading kiosk's supervisor: undo a loaded carton, let the truck leave short ----------------


def kiosk_approver(form) -> approvals.Approver:
    """The supervisor at this kiosk: their own badge and PIN (raises ApprovalRefused)."""
    return approvals.from_badge(form.get("approver_badge", ""), form.get("approver_pin", ""),
                                request.remote_addr or "")


def _kiosk_answer(station, pick_list_code: str, result=None, error=None):
    return render_template("stations/_scan_result.html", station=station, worker=None, result=result, error=error,
                           tally=loading.tally_for_page(station, pick_list_code, result),
                           recent=recent_scans(station, current_app.config["RECENT_SCANS"]))


@bp.post("/shipping/stations/<code>/undo")  # the address the loading kiosk has always used
@kiosk_station()
def kiosk_undo(code: str):
    """A supervisor at the loading kiosk takes a mis-scanned carton off the pick list (badge + PIN + reason)."""
    station = get_station(code)
    form = request.form
    pick_list_code = (form.get("pick_list") or "")[:32]
    try:
        event = pick_lists.undo_load(pick_list_code, (form.get("carton") or "").strip()[:64], kiosk_approver(form),
                                   form.get("reason", ""))
    except (pick_lists.ShippingError, approvals.ApprovalRefused) as failure:
        return _kiosk_answer(station, pick_list_code, error=failure.message)
    return _kiosk_answer(station, pick_list_code, result=ScanResult.from_event(event))


@bp.post("/shipping/stations/<code>/finish-short")
@kiosk_station()
def kiosk_finish_short(code: str):
    """A supervisor lets the truck leave short at the loading kiosk: badge + PIN + reason, logged like a scan
    under the supervisor's name. Sent straight to the server (never kept in the kiosk's offline queue)."""
    station = get_station(code)
    form = request.form
    pick_list_code = (form.get("pick_list") or "").strip()[:32]
    options = {"finish": "1", "pick_list": pick_list_code, "reason": (form.get("reason") or "")[:200]}
    user = ""
    try:
        approver = kiosk_approver(form)
    except approvals.ApprovalRefused as refusal:
        options["approval_refused"] = refusal.message
    else:
        options["approver"], user = approver, approver.username
    idem = (form.get("idem") or "")[:80]
    scan_request = ScanRequest(station_code=station.code, code=pick_list_code or "-", source="approval", user=user,
                               idem_key=idem if len(idem) >= 8 else f"short-{uuid.uuid4().hex}", options=options)
    try:
        result = record_scan(scan_request)
    except ScanInputError as error:
        return _kiosk_answer(station, pick_list_code, error=error.message)
    return _kiosk_answer(station, pick_list_code, result=result)
