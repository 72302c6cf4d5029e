"""JSON API for scanners that are not a kiosk page: camera agents and other clients."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from kiosk.eventlog.scan_path import ScanInputError, ScanRequest, record_scan
from kiosk.i18n import msg
from kiosk.people import devices
from kiosk.people.auth import current_device, public, require
from kiosk.stations.views import parse_scanned_at
from kiosk.web import current_lang

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.post("/scan")
@require(kiosk="any")  # a paired device (Authorization: Bearer <token>); the station is checked below
def scan():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"error": "expected a JSON object"}), 400
    fields = {k: body.get(k) for k in ("station", "code", "idem_key", "worker_badge", "scanned_at")}
    if not all(isinstance(v, str) or v is None for v in fields.values()):
        return jsonify({"error": "fields must be strings"}), 400
    options = body.get("options") if isinstance(body.get("options"), dict) else {}
    try:
        scanned_at = parse_scanned_at(fields["scanned_at"])
    except ScanInputError as error:
        return jsonify({"error": error.message.render(current_lang()), "outcome": "invalid"}), 400
    scan_request = ScanRequest(
        station_code=(fields["station"] or "")[:32],
        code=(fields["code"] or "")[:200],
        idem_key=(fields["idem_key"] or "")[:80],
        worker_badge=(fields["worker_badge"] or None),
        scanned_at=scanned_at,
        source=body.get("source") if body.get("source") in ("camera", "agent") else "agent",
        options={k: str(v)[:64] for k, v in options.items() if isinstance(k, str)},
    )
    if not devices.may_record_at(current_device(), scan_request.station_code):
        message = msg("This device is not paired with this station, so it cannot record here.")
        return jsonify({"error": message.render(current_lang()), "outcome": "forbidden"}), 403
    try:
        result = record_scan(scan_request)
    except ScanInputError as error:
        return jsonify({"error": error.message.render(current_lang()), "outcome": "invalid"}), 400
    return jsonify(result.to_json(current_lang()))


@bp.get("/health")
@public
def health():
    from db import database

    database.execute_sql("SELECT 1")
    return jsonify({"ok": True})
