"""Andon on the web: the kiosk's call buttons and steps, the desk page, and the boards' strip of calls."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from markupsafe import Markup

from db.models import AndonCall, Worker, utcnow
from kiosk.andon import calls
from kiosk.andon.calls import AndonRefused, Limits
from kiosk.core import plant
from kiosk.core.roles import STAFF
from kiosk.i18n import Msg, msg
from kiosk.people.auth import current_username, has_role, kiosk_station, require
from kiosk.web import flash_msg

bp = Blueprint("andon", __name__)


@bp.app_context_processor
def _helpers():
    return {"andon_panel": lambda station: Markup(kiosk_panel(station)),
            "andon_strip": lambda: Markup(render_template("andon/_strip.html", **_context(calls.shown_calls(
                limits=limits()))))}
DESK = ("admin", "supervisor", "clerk")  # acknowledge from the desk, record a call as a delay reason
STEPS = ("acknowledged", "arrived", "fixed", "rechecked")


def limits() -> Limits:
    return Limits.from_config(current_app.config)


def _station(code: str):
    station = plant.station_by_code(code[:32])
    if station is None:
        abort(404)
    return station


def _badge() -> str | None:
    return (request.form.get("worker_badge") or "").strip()[:32] or None


def _context(found_calls: list[AndonCall]) -> dict:
    now = utcnow()
    return dict(calls=found_calls, now=now, andon=calls, steps_for=steps_for,
                elapsed=lambda c: int(((c.closed_at or now) - c.called_at).total_seconds()))


def steps_for(found: AndonCall) -> list[str]:
    """The steps a kiosk offers for a call now."""
    awaited = calls.awaited_state(found)
    if awaited is None:
        return []
    if awaited == "acknowledged":
        return ["acknowledged", "arrived"]
    return [awaited]


def kiosk_panel(station, note: Msg | None = None, ok: bool = True):
    found = calls.shown_calls(station_id=station.id, limits=limits())
    return render_template("andon/_kiosk_panel.html", station=station, kinds=calls.KIND_LABELS, note=note, ok=ok,
                           **_context(found))


@bp.get("/station/<code>/andon")
@kiosk_station()
def station_calls(code: str):
    return kiosk_panel(_station(code))


@bp.post("/station/<code>/andon")
@kiosk_station()
def make_call(code: str):
    station = _station(code)
    kind = request.form.get("kind", "")
    try:
        found = calls.call(station, kind, badge=_badge(), limits=limits())
    except AndonRefused as refused:
        return kiosk_panel(station, refused.message, ok=False)
    return kiosk_panel(station, msg("Andon call made: {kind}. Help is on the way.", kind=calls.kind_label(found.kind)))


@bp.post("/station/<code>/andon/<int:call_id>/<step>")
@kiosk_station()
def kiosk_step(code: str, call_id: int, step: str):
    station = _station(code)
    if step not in STEPS:
        abort(404)
    found = AndonCall.get_or_none((AndonCall.id == call_id) & (AndonCall.station == station.id))
    if found is None:
        abort(404)
    try:
        calls.advance(found.id, step, badge=_badge())
    except AndonRefused as refused:
        return kiosk_panel(station, refused.message, ok=False)
    return kiosk_panel(station, msg("Andon {code}: {state} by {name}", code=f"#{found.id}",
                                    state=msg(calls.STATE_LABELS[step]), name=_badge_name()))


def _badge_name() -> str:
    worker = Worker.get_or_none(Worker.badge == (_badge() or ""))
    return worker.name if worker else ""


# -- the desk page and the boards' strip -----------------------------------------------------------


@bp.get("/andon")
@require(*STAFF, kiosk="any")
def desk():
    found = calls.shown_calls(limits=limits())
    recent = list(AndonCall.select().where(~AndonCall.open).order_by(AndonCall.closed_at.desc()).limit(30))
    return render_template("andon/desk.html", recent=recent, held=calls.held_orders, may_act=_may_act(),
                           **_context(found))


def _may_act() -> bool:
    return has_role(*DESK)


@bp.get("/andon/strip")
@require(*STAFF, kiosk="any")
def strip():
    """The open calls with running timers, for the top of the order board and the station board."""
    return render_template("andon/_strip.html", **_context(calls.shown_calls(limits=limits())))


@bp.post("/andon/<int:call_id>/acknowledge")
@require(*DESK)
def acknowledge(call_id: int):
    try:
        calls.advance(call_id, "acknowledged", user=current_username())
    except AndonRefused as refused:
        return _desk_answer(refused.message, ok=False)
    return _desk_answer(msg("Andon {code}: {state} by {name}", code=f"#{call_id}",
                            state=msg(calls.STATE_LABELS["acknowledged"]), name=current_username()))


@bp.post("/andon/<int:call_id>/delay")
@require(*DESK)
def record_delay(call_id: int):
    found = AndonCall.get_or_none(AndonCall.id == call_id)
    if found is None:
        abort(404)
    ids = []
    for value in request.form.getlist("order")[:200]:
        try:
            ids.append(int(value))
        except ValueError:
            continue
    try:
        made = calls.record_as_delay(found, ids, current_username())
    except AndonRefused as refused:
        return _desk_answer(refused.message, ok=False)
    return _desk_answer(msg("Recorded as the delay reason of {n} orders.", n=len(made)))


def _desk_answer(message: Msg, ok: bool = True):
    flash_msg(message, "ok" if ok else "error")
    return redirect(url_for("andon.desk"))
