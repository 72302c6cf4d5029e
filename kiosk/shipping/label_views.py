"""Pictures of the shipping documents as the printers print them: carton labels, pick lists and manifests
(for previews on the desk pages and the kiosks)."""

from __future__ import annotations

from flask import Blueprint

from db.models import Carton, PickList
from kiosk import labels
from kiosk.core.roles import STAFF
from kiosk.people.auth import require
from kiosk.shipping import cartons, pick_lists
from kiosk.web import get_or_404, png_response

bp = Blueprint("shipping_labels", __name__)


@bp.get("/labels/carton/<code>.png")
@require(*STAFF, kiosk="any")
def carton_png(code: str):
    return png_response(labels.render_png(cartons.carton_layout_for(get_or_404(Carton, Carton.code == code[:32]))))


@bp.get("/labels/pick-list/<code>.png")
@require(*STAFF, kiosk="any")
def pick_list_png(code: str):
    pick_list = get_or_404(PickList, PickList.code == code[:32])
    return png_response(labels.render_png(pick_lists.pick_list_layout_for(pick_list)))


@bp.get("/labels/manifest/<code>.png")
@require(*STAFF, kiosk="any")
def manifest_png(code: str):
    pick_list = get_or_404(PickList, PickList.code == code[:32])
    return png_response(labels.render_png(pick_lists.manifest_layout_for(pick_list)))
