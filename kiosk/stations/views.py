"""Station kiosk pages: one page per station for a touchscreen, scans round-tripped by htmx."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, render_template, request
from peewee import JOIN

from db import compiled, run_compiled
from db.models import ScanEvent, Station, Worker
from kiosk import plant
from kiosk.auth import kiosk_station, public
from kiosk.i18n import msg
from kiosk.scans import ScanInputError, ScanRequest, record_scan
from kiosk.stations import loading, qc
from kiosk.web import current_lang

bp = Blueprint("stations", __name__)

# Form fields passed to the station's rule: QC's verdict; packing's reprint; the bin a warehouse kiosk
# holds; the pick list a loading kiosk holds, and finishing. (A short load needs a supervisor's badge and
# PIN: that goes to shipping's finish-short, never through the scan queue.)
SCAN_OPTIONS = ("verdict", "failed_units", "defect", "rework_station", "reprint", "location", "pick_list",
                "finish")


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
        "station.html",
        station=station,
        recent=recent_scans(station, current_app.config["RECENT_SCANS"]),
        defects=qc.DEFECT_REASONS,
        tally=loading.tally_for_page(station, None) if station.kind == "loading" else None,
    )


def parse_scanned_at(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at


@bp.post("/station/<code>/scan")
@kiosk_station()
def scan(code: str):
    station = get_station(code)
    form = request.form
    badge = (form.get("worker_badge") or "").strip()[:64] or None
    scanned = (form.get("code") or "")[:200]
    context = dict(station=station, defects=qc.DEFECT_REASONS, worker=None, tally=None)

    if station.kind == "qc" and scanned.strip():
        waiting = _qc_waiting(station, form, badge, scanned.strip(), context)
        if waiting is not None:
            return waiting

    options = {key: form.get(key)[:200] for key in SCAN_OPTIONS if form.get(key)}
    scan_request = ScanRequest(
        station_code=station.code,
        code=scanned,
        idem_key=(form.get("idem") or "")[:80],
        worker_badge=badge,
        scanned_at=parse_scanned_at(form.get("scanned_at")),
        options=options,
    )
    try:
        result = record_scan(scan_request)
    except ScanInputError as error:
        if station.kind == "loading":
            context["tally"] = loading.tally_for_page(station, form.get("pick_list"))
        return render_template("_scan_result.html", result=None, error=error.message,
                               recent=recent_scans(station, current_app.config["RECENT_SCANS"]), **context)
    if result.action == "sign_in":
        context["worker"] = Worker.get_or_none(Worker.badge == result.detail.get("badge"))
        context["signed_in"] = True
    if station.kind == "loading":  # the live tally under the answer (kiosk/stations/loading.py)
        context["tally"] = loading.tally_for_page(station, form.get("pick_list"), result)
    return render_template(
        "_scan_result.html",
        result=result,
        error=None,
        recent=recent_scans(station, current_app.config["RECENT_SCANS"]),
        **context,
    )


def _qc_waiting(station, form, badge, scanned: str, context: dict):
    """QC's verdict panel, when the scan does not record anything (kiosk/stations/qc.py says why):

    a card scanned is shown and waits for a verdict; while one waits, any other scan (card or badge) is
    answered "still waits" and nothing is recorded; an incomplete verdict shows the panel again with the reason.
    """
    worker = Worker.get_or_none((Worker.badge == badge) & Worker.active) if badge else None
    context["worker"] = worker
    if worker is None:
        return None
    verdict, waiting = form.get("verdict"), (form.get("qc_waiting") or "").strip()[:64]
    if verdict or form.get("reprint"):
        if not verdict:
            return None
        card, rejection = qc.check(station, scanned)
        problem = qc.verdict_problem(card, station, form) if rejection is None else None
        if problem is None:
            return None
        return _qc_panel(station, card, context, problem=problem, chosen=form.to_dict())
    if waiting:
        card, rejection = qc.check(station, waiting)
        if rejection is None:
            return _qc_panel(station, card, context, problem=qc.still_waiting(waiting, scanned))
    if Worker.get_or_none((Worker.badge == scanned) & Worker.active):
        return None  # a badge with no card waiting: signs in
    card, rejection = qc.check(station, scanned)
    if rejection is None:
        return _qc_panel(station, card, context)
    return None


def _qc_panel(station, card, context: dict, problem=None, chosen=None):
    return render_template("_qc_decide.html", card=card, rework_choices=qc.rework_choices(card, station),
                           problem=problem, chosen=chosen, **context)


@bp.post("/station/<code>/sign-out")
@kiosk_station()
def sign_out(code: str):
    station = get_station(code)
    return render_template("_worker.html", station=station, worker=None, oob=False,
                           note=msg("Signed out. Scan your badge to start.").render(current_lang()))


@bp.get("/station/<code>/worker")
@kiosk_station()
def worker_panel(code: str):
    """The signed-in worker's panel after a page reload (the badge is remembered by the kiosk)."""
    station = get_station(code)
    badge = (request.args.get("badge") or "")[:64]
    worker = Worker.get_or_none((Worker.badge == badge) & Worker.active) if badge else None
    return render_template("_worker.html", station=station, worker=worker, oob=False)
