"""The clerk's plan page: each station's units for a day, entered, imported or derived."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, redirect, render_template, request, url_for

from db.models import Station
from kiosk.core.clock import today
from kiosk.i18n import msg
from kiosk.orders.importer import ImportFailed, read_rows
from kiosk.people.auth import current_username, require
from kiosk.plan import plans
from kiosk.web import flash_msg

bp = Blueprint("plan", __name__)
DESK = ("admin", "supervisor", "clerk")


@bp.record_once
def _configure(state) -> None:
    plans.configure(state.app.config)


def _day() -> dt.date:
    value = (request.values.get("date") or "").strip()
    if not value:
        return today()
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        abort(404)


def _back(day: dt.date):
    return redirect(url_for("plan.plan_page", date=day.isoformat()))


@bp.get("/plan")
@require(*DESK)
def plan_page(errors=None):
    day = _day()
    stations = list(Station.select().order_by(Station.sort, Station.id))
    return render_template("plan/index.html", day=day, stations=stations,
                           plans=plans.plans_for(day), sources=plans.sources_for(day), errors=errors or [],
                           derived=plans.derived_plans(day), shift=plans.SHIFT_HOURS)


@bp.post("/plan")
@require(*DESK)
def save_plan():
    day = _day()
    faults = []
    values = {}
    for station in Station.select().order_by(Station.sort, Station.id):
        units, fault = plans.parse_units(request.form.get(f"units-{station.id}", ""))
        if fault is not None:
            faults.append((station.code, [fault]))
        values[station.id] = units
    if faults:
        flash_msg(msg("Nothing saved: {n} stations have units that are not a whole number.", n=len(faults)), "error")
        return _back(day)
    current = plans.plans_for(day)
    for station_id, units in values.items():
        if current.get(station_id) != units:
            plans.set_plan(station_id, day, units, current_username())
    flash_msg(msg("Plan for {day} saved.", day=day.isoformat()), "ok")
    return _back(day)


@bp.post("/plan/import")
@require(*DESK)
def import_plan():
    day = _day()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash_msg(msg("Choose a file to import."), "error")
        return _back(day)
    try:
        rows = read_rows(upload.filename, upload.read())
        count = plans.import_plans(rows, day, current_username())
    except ImportFailed as failed:
        return plan_page(errors=[(e.row, e.messages) for e in failed.errors]), 400
    except plans.PlanRefused as refused:
        return plan_page(errors=refused.errors), 400
    flash_msg(msg("{n} station plans imported.", n=count), "ok")
    return _back(day)


@bp.post("/plan/derive")
@require(*DESK)
def derive_plan():
    day = _day()
    made = plans.derive(day, current_username(), keep_entered=request.form.get("replace") != "1")
    flash_msg(msg("{n} station plans derived from due dates and routes.", n=len(made)), "ok")
    return _back(day)
