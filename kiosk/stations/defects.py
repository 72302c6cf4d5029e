"""Send back or scrap at any station (not only QC): some units of the card waiting here go back to an earlier
station on a rework card of their own, or are scrapped, each with a reason. Both feed the quality deductions
(kiosk/pay/earnings.py: the worker who passed the units at the responsible station) and the boards (the card
keeps only the good units). Used by the process and packing rooms when the scan carries `defect_action`."""

from __future__ import annotations

from db.models import JobCard, Station, utcnow
from kiosk.cards.route import route_stations, station_label
from kiosk.eventlog.scan_path import Outcome, ScanRequest
from kiosk.i18n import msg

DEFECT_ACTIONS = ("send_back", "scrap")


def earlier_stations(station: Station, card: JobCard) -> list[Station]:
    stations = route_stations(card.route_id)
    index = next(i for i, s in enumerate(stations) if s.id == station.id)
    return stations[:index]


def record(station: Station, request: ScanRequest, card: JobCard) -> Outcome:
    """The card waits here (checked by the room): take some of its units out with a reason."""
    from kiosk.stations.qc import DEFECT_REASONS, print_rework, rework_code, rework_print_note

    options = request.options
    action = options.get("defect_action")
    if action not in DEFECT_ACTIONS:
        return Outcome("rejected", "scan", msg("Choose send back or scrap."), reason="bad_input", job_card=card)
    try:
        units = int(options.get("failed_units") or 0)
    except ValueError:
        units = 0
    if not 1 <= units <= card.units:
        return Outcome("rejected", action, msg("Failed units must be between 1 and {units}.", units=card.units),
                       reason="bad_input", job_card=card)
    defect = (options.get("defect") or "").strip()[:64]
    if not defect:
        return Outcome("rejected", action, msg("Choose a defect reason."), reason="bad_input", job_card=card)
    shown = msg(defect) if defect in DEFECT_REASONS else defect
    earlier = earlier_stations(station, card)
    chosen = next((s for s in earlier if s.code == options.get("rework_station")), None)
    if action == "send_back" and chosen is None:
        return Outcome("rejected", action, msg("Choose the station to send the failed units back to."),
                       reason="bad_input", job_card=card)
    good = card.units - units
    card.units = good
    card.updated_at = utcnow()
    if good == 0:
        card.status = "void"
    card.save()  # the good units still wait here
    detail = {"failed_units": units, "defect": defect, "good_units": good}
    if chosen is not None:
        detail["responsible_station"] = chosen.code
    if action == "scrap":
        return Outcome("warning", "scrap", msg(
            "Card {card}: {units} units scrapped ({defect}). {good} good units still wait here. Tell the clerk: "
            "order {order} is {units} units short.", card=card.code, units=units, defect=shown, good=good,
            order=card.order_line.order.number), job_card=card, detail=detail)
    stations = route_stations(card.route_id)
    rework = JobCard.create(code=f"TMP-{request.idem_key}"[:32], order_line=card.order_line, route=card.route_id,
                            units=units, next_seq=next(i for i, s in enumerate(stations) if s.id == chosen.id),
                            parent=card, rework_reason=defect)
    rework.code = rework_code(rework.id)
    rework.save()
    printed = print_rework(station, rework)
    detail.update(rework_card=rework.code, rework_station=chosen.code, printed=printed.queued)
    return Outcome("warning", "send_back", msg(
        "Card {card}: {units} units sent back to {station} ({defect}) on rework card {rework}. {printing} "
        "{good} good units still wait here.", card=card.code, units=units, station=station_label(chosen),
        defect=shown, rework=rework.code, printing=rework_print_note(printed, rework.code), good=good),
        job_card=card, detail=detail)
