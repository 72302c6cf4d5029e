"""Admin pages: desk users and their roles, kiosks waiting to be paired and paired ones, workers and
their printable badge sheet. Every change goes through kiosk/users.py or kiosk/devices.py (audited)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from db.models import ROLES, Device, Station, User, Worker
from kiosk.core.roles import ADMINS, SUPERVISORS
from kiosk.i18n import msg
from kiosk.people import approvals, devices, users
from kiosk.people.auth import current_username, require
from kiosk.web import barcode_data_uri, flash_msg, refusal_goes_back

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _back(endpoint: str, message=None, category: str = "ok"):
    if message is not None:
        flash_msg(message, category)
    return redirect(url_for(endpoint), code=303)


def _get(model, object_id: int):
    found = model.get_or_none(model.id == object_id)
    if found is None:
        abort(404)
    return found


# -- users -----------------------------------------------------------------------------------------


@bp.get("/users")
@require(*ADMINS)
def users_page():
    return render_template("people/admin/users.html", users=list(User.select().order_by(User.role, User.username)),
                           roles=ROLES, role_labels=users.ROLE_LABELS, form={})


@bp.post("/users")
@require(*ADMINS)
@refusal_goes_back(lambda **_: url_for("admin.users_page"))
def add_user():
    form = request.form
    user = users.create_user(form.get("username", ""), form.get("name", ""), form.get("role", ""),
                             form.get("password", ""), by=current_username())
    return _back("admin.users_page", msg("User {username} added.", username=user.username))


@bp.post("/users/<int:user_id>")
@require(*ADMINS)
@refusal_goes_back(lambda **_: url_for("admin.users_page"))
def edit_user(user_id: int):
    user = _get(User, user_id)
    form = request.form
    users.update_user(user, form.get("name", ""), form.get("role", ""), form.get("active") == "1",
                      by=current_username())
    return _back("admin.users_page", msg("Saved."))


@bp.post("/users/<int:user_id>/password")
@require(*ADMINS)
@refusal_goes_back(lambda **_: url_for("admin.users_page"))
def set_password(user_id: int):
    user = _get(User, user_id)
    users.set_password(user, request.form.get("password", ""), by=current_username())
    return _back("admin.users_page", msg("New password for {username}.", username=user.username))


@bp.post("/users/<int:user_id>/approval")
@require(*ADMINS)
@refusal_goes_back(lambda **_: url_for("admin.users_page"))
def set_approval(user_id: int):
    """A supervisor's (or admin's) own badge and PIN, to approve overrides at a kiosk (stored hashed)."""
    user = _get(User, user_id)
    approvals.set_approval(user, request.form.get("badge", ""), request.form.get("pin", ""),
                           by=current_username())
    return _back("admin.users_page", msg("Approval badge {badge} and a new PIN for {username}.",
                                         badge=User.get_by_id(user.id).badge, username=user.username))


# -- kiosks and other devices ----------------------------------------------------------------------


@bp.get("/devices")
@require(*ADMINS)
def devices_page():
    return render_template("people/admin/devices.html", devices=devices.list_devices(),
                           stations=list(Station.select().order_by(Station.sort)), new_token=None,
                           is_paired=devices.is_paired)


def _station_choice(value: str) -> tuple[bool, Station | None]:
    """(chosen, station): 'display' is a board with no station."""
    if value == "display":
        return True, None
    station = Station.get_or_none(Station.code == str(value or "")[:32])
    return station is not None, station


@bp.post("/devices/approve")
@require(*ADMINS)
@refusal_goes_back(lambda **_: url_for("admin.devices_page"))
def approve_device():
    chosen, station = _station_choice(request.form.get("station", ""))
    if not chosen:
        return _back("admin.devices_page", msg("Choose the station this kiosk stands at."), "error")
    device = devices.approve(request.form.get("code", ""), station, request.form.get("label", ""),
                             by=current_username())
    return _back("admin.devices_page", msg("Kiosk {label} is paired.", label=device.label))


@bp.post("/devices/agent")
@require(*ADMINS)
def add_agent():
    """A scanner program's token, shown once on the answer page and never again."""
    chosen, station = _station_choice(request.form.get("station", ""))
    if not chosen or station is None:
        return _back("admin.devices_page", msg("Choose the station this kiosk stands at."), "error")
    device, token = devices.add_agent(station, request.form.get("label", ""), by=current_username())
    response = render_template("people/admin/devices.html", devices=devices.list_devices(),
                               stations=list(Station.select().order_by(Station.sort)),
                               new_token=token, new_device=device, is_paired=devices.is_paired)
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/devices/<int:device_id>/unpair")
@require(*ADMINS)
def unpair_device(device_id: int):
    device = devices.unpair(_get(Device, device_id), by=current_username())
    return _back("admin.devices_page", msg("Device {label} unpaired.", label=device.label or "-"))


@bp.post("/devices/<int:device_id>/remove")
@require(*ADMINS)
def remove_device(device_id: int):
    devices.remove(_get(Device, device_id), by=current_username())
    return _back("admin.devices_page", msg("Device removed."))


# -- workers and badges ----------------------------------------------------------------------------


@bp.get("/workers")
@require(*SUPERVISORS)
def workers_page():
    return render_template("people/admin/workers.html", workers=list(Worker.select().order_by(Worker.badge)))


@bp.post("/workers")
@require(*SUPERVISORS)
@refusal_goes_back(lambda **_: url_for("admin.workers_page"))
def add_worker():
    worker = users.add_worker(request.form.get("badge", ""), request.form.get("name", ""), by=current_username())
    return _back("admin.workers_page", msg("Worker {name} added with badge {badge}.", name=worker.name,
                                                 badge=worker.badge))


@bp.post("/workers/<int:worker_id>")
@require(*SUPERVISORS)
@refusal_goes_back(lambda **_: url_for("admin.workers_page"))
def edit_worker(worker_id: int):
    worker = _get(Worker, worker_id)
    users.update_worker(worker, request.form.get("name", ""), request.form.get("active") == "1",
                        by=current_username())
    return _back("admin.workers_page", msg("Saved."))


@bp.get("/badges")
@require(*SUPERVISORS)
def badge_sheet():
    """Badges to print and laminate: name, badge code and its barcode; ?badge=W001 for one."""
    query = Worker.select().where(Worker.active).order_by(Worker.badge)
    only = (request.args.get("badge") or "")[:16]
    if only:
        query = query.where(Worker.badge == only)
    workers = list(query)
    return render_template("people/admin/badges.html", workers=workers,
                           images={w.badge: barcode_data_uri(w.badge) for w in workers})
