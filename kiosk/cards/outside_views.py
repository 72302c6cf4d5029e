"""Clerk-desk pages for outside work (外协): the board of cards out at suppliers, the desks where cards are
scanned out and back in, and the supplier list. The scan desks answer like a station: a green, amber or
red panel, the reason in words.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from kiosk.cards import outside as outside_work
from kiosk.core.errors import ScanInputError
from kiosk.core.roles import OUTSIDE_DESK, STAFF
from kiosk.i18n import msg
from kiosk.people.auth import current_username, has_role, require
from kiosk.web import desk_answer, flash_msg, refusal_goes_back

bp = Blueprint("outside", __name__, url_prefix="/outside")


@bp.get("/")
@require(*STAFF)  # suppliers' phone numbers: signed-in staff only, never a display or an agent
def outside_board():
    rows = outside_work.out_now()
    return render_template("cards/outside/board.html", rows=rows, overdue=sum(row.overdue for row in rows),
                           back=outside_work.recently_back(), suppliers=outside_work.suppliers(active_only=False),
                           may_edit=_may_edit())


def _may_edit() -> bool:
    return has_role(*OUTSIDE_DESK)


@bp.route("/out", methods=["GET", "POST"])
@require(*OUTSIDE_DESK)
def send_out():
    """Cards go out: choose the supplier and the date promised, then scan each card."""
    form = request.form if request.method == "POST" else request.args
    context = dict(suppliers=outside_work.suppliers(), supplier=(form.get("supplier") or "")[:32],
                   expected=(form.get("expected_back") or "")[:10], note=(form.get("note") or "")[:256])
    if request.method == "GET":
        return desk_answer("cards/outside/out.html", ("send_out",), **context)
    try:
        result = outside_work.send_out(form.get("code", "")[:200], context["supplier"], context["expected"],
                                       current_username(), form.get("idem", "")[:80], context["note"])
    except ScanInputError as error:
        return desk_answer("cards/outside/out.html", ("send_out",), error=error.message, **context)
    return desk_answer("cards/outside/out.html", ("send_out",), result=result, **context)


@bp.route("/in", methods=["GET", "POST"])
@require(*OUTSIDE_DESK)
def take_back():
    """Cards come back: scan each one; tick "not done" when the supplier sent it back without the work."""
    if request.method == "GET":
        return desk_answer("cards/outside/in.html", ("take_back",))
    done = request.form.get("not_done") != "1"
    try:
        result = outside_work.take_back(request.form.get("code", "")[:200], current_username(),
                                        request.form.get("idem", "")[:80], done)
    except ScanInputError as error:
        return desk_answer("cards/outside/in.html", ("take_back",), error=error.message)
    return desk_answer("cards/outside/in.html", ("take_back",), result=result)


@bp.post("/suppliers")
@require(*OUTSIDE_DESK)
@refusal_goes_back(lambda: url_for("outside.outside_board"))
def save_supplier():
    form = request.form
    supplier = outside_work.save_supplier(form.get("code", ""), form.get("name", ""), form.get("contact", ""),
                                          form.get("phone", ""), form.get("lead_days", "7"))
    flash_msg(msg("Supplier {code} saved: {name}.", code=supplier.code, name=supplier.name))
    return redirect(url_for("outside.outside_board"), code=303)

