"""Complaint pages (客户投诉 / 补件单): the list, recording a complaint with photos, a complaint's page
with the manager's decision, photos served to signed-in staff, and the order page's complaints panel.
Rules live in kiosk/complaints.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for

from db.models import ComplaintPhoto, Order, OrderLine, ScanEvent
from kiosk.cards import printed as job_cards
from kiosk.complaints import complaint as complaints
from kiosk.complaints import photos as complaint_photos
from kiosk.core.clock import today
from kiosk.core.plant import route_stations
from kiosk.core.roles import COMPLAINT_DESK, STAFF, SUPERVISORS
from kiosk.i18n import msg
from kiosk.people.auth import current_username, require
from kiosk.web import flash_msg, t

bp = Blueprint("complaints", __name__, url_prefix="/complaints")

bp.add_app_template_global(COMPLAINT_DESK, "COMPLAINT_DESK")


def photo_root() -> Path:
    """Where photos are kept: COMPLAINT_PHOTO_DIR, else <instance>/photos."""
    return complaint_photos.photo_root(current_app.config, current_app.instance_path)


def photo_max_bytes() -> int:
    return int(current_app.config.get("COMPLAINT_PHOTO_MAX_BYTES") or complaint_photos.PHOTO_MAX_BYTES)


def uploads(field: str = "photos") -> list[complaint_photos.Upload]:
    """The files chosen in the form (an empty file input sends one nameless, empty part: skipped)."""
    return [complaint_photos.Upload(upload.filename or "", upload.read()) for upload in request.files.getlist(field)
            if upload.filename]


def get_complaint(code: str):
    complaint = complaints.find_complaint(code)
    if complaint is None:
        abort(404)
    return complaint


@bp.app_template_global()
def order_complaints(order: Order) -> dict:
    """For the order page: complaints about the order, and the complaint a replacement order is for."""
    return {"about": complaints.complaints_of(order),
            "for": complaints.complaint_for_replacement(order) if order.kind == "replacement" else None}


@bp.app_template_global()
def complaint_state(state: str) -> str:
    return t(complaints.state_label(state))


@bp.app_template_global()
def complaint_reason(reason: str) -> str:
    return t(complaints.reason_label(reason))


@bp.get("/")
@require(*STAFF)
def list_complaints():
    state = request.args.get("state", "open")
    search = (request.args.get("q") or "").strip()[:32]
    rows = complaints.list_complaints(state, search)
    return render_template("complaints/list.html", rows=rows, state=state, q=search)


@bp.route("/new", methods=["GET", "POST"])
@require(*COMPLAINT_DESK)
def new_complaint():
    form = request.form if request.method == "POST" else request.args
    number = (form.get("order") or "").strip()[:32]
    error, order, lines, cartons, shipped = None, None, [], [], {}
    if request.method == "POST":
        data = complaints.ComplaintInput(
            order_number=number, reason=form.get("reason", ""), description=form.get("description", ""),
            line_no=form.get("line"), carton_code=form.get("carton", ""), part=form.get("part", ""),
            units=form.get("units", "1"), photos=uploads(),
        )
        try:
            complaint = complaints.open_complaint(data, current_username(), photo_root(), photo_max_bytes())
        except complaints.ComplaintError as failure:
            error = failure.message
        else:
            return redirect(url_for("complaints.complaint_detail", code=complaint.code), code=303)
    if number:
        try:
            order = complaints.order_for_complaint(number)
        except complaints.ComplaintError as failure:
            error = error or failure.message
        else:
            shipped = complaints.shipped_units(order)
            lines = [line for line in order.lines.order_by(OrderLine.line_no) if shipped.get(line.id)]
            cartons = complaints.shipped_cartons(order)
    status = 400 if error and request.method == "POST" else 200
    return render_template("complaints/new.html", form=form, number=number, order=order, lines=lines,
                           cartons=cartons, shipped=shipped, error=error, reasons=complaints.REASONS,
                           max_mb=f"{photo_max_bytes() / (1024 * 1024):.0f}"), status


@bp.get("/<code>")
@require(*STAFF)
def complaint_detail(code: str, error=None, status: int = 200):
    complaint = get_complaint(code)
    history = list(ScanEvent.select().where(ScanEvent.code == complaint.code).order_by(ScanEvent.id))
    routes = complaints.shipping_routes()
    default_route = complaint.order_line.product.route.name
    return render_template(
        "complaints/detail.html", complaint=complaint, photos=list(complaint.photos.order_by(ComplaintPhoto.id)),
        history=history, routes=[(route, route_stations(route.id)) for route in routes],
        default_route=default_route, error=error, form=request.form,
        due=(today() + dt.timedelta(days=complaints.REPLACEMENT_DAYS)).isoformat(),
        max_mb=f"{photo_max_bytes() / (1024 * 1024):.0f}",
    ), status


@bp.post("/<code>/photos")
@require(*COMPLAINT_DESK)
def add_photos(code: str):
    complaint = get_complaint(code)
    try:
        complaints.add_photos(complaint.code, uploads(), current_username(), photo_root(), photo_max_bytes())
    except complaints.ComplaintError as failure:
        return complaint_detail(complaint.code, error=failure.message, status=400)
    return redirect(url_for("complaints.complaint_detail", code=complaint.code), code=303)


@bp.post("/<code>/decide")
@require(*SUPERVISORS)
def decide(code: str):
    complaint = get_complaint(code)
    form = request.form
    if form.get("decision") not in ("confirm", "reject"):
        return complaint_detail(complaint.code, error=msg("Press Confirm or Reject."), status=400)
    decision = complaints.Decision(
        confirm=form.get("decision") == "confirm", note=form.get("note", ""), route=form.get("route", ""),
        units=form.get("units") or None, due_date=form.get("due_date") or None, rush=bool(form.get("rush")),
    )
    try:
        complaint = complaints.decide(complaint.code, decision, current_username(),
                                      card_units=current_app.config["CARD_UNITS"])
    except complaints.ComplaintError as failure:
        return complaint_detail(complaint.code, error=failure.message, status=400)
    if complaint.replacement_order_id:  # its job cards go to the desk printer, as after any release
        printer = job_cards.desk_job_card_printer(current_app.config)
        note = job_cards.release_note([complaint.replacement_order], printer)
        if note is not None:
            flash_msg(note[0], "error" if note[1] else "ok")
    flash_msg(complaints.decided_note(complaint), "ok")
    return redirect(url_for("complaints.complaint_detail", code=complaint.code), code=303)


@bp.get("/<code>/photos/<int:photo_id>")
@require(*STAFF)
def photo(code: str, photo_id: int):
    """A photo, to signed-in staff only: never cached by shared caches, never run as anything but a picture."""
    complaint = get_complaint(code)
    found = ComplaintPhoto.get_or_none((ComplaintPhoto.id == photo_id) & (ComplaintPhoto.complaint == complaint))
    path = complaint_photos.photo_path(found, photo_root()) if found else None
    if path is None:
        abort(404)
    response = send_file(path, mimetype=found.content_type, max_age=0, conditional=True,
                         download_name=f"{complaint.code}-{found.id}.{path.suffix.lstrip('.')}")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
