"""Send back or scrap at any station (not only QC): some units of the card waiting here go back to an earlier
station on a rework card of their own, or are scrapped, each with a reason. Both feed the quality deductions
(kiosk/pay/earnings.py: the worker who passed the units at the responsible station) and the boards (the card
keeps only the good units). Used by the process and packing rooms when the scan carries `defect_action`."""

from __future__ import annotations

from db.models import JobCard, ScanEvent, Station, utcnow
from kiosk.cards.route import later_scans, locked_card
from kiosk.core.errors import ActionRefused
from kiosk.core.outcome import Outcome, ScanRequest
from kiosk.core.plant import route_stations, station_label
from kiosk.eventlog.rules import undoer
from kiosk.i18n import Msg, msg
from kiosk.stations.qc import DEFECT_REASONS, print_rework, rework_code, rework_print_note

DEFECT_ACTIONS = ("send_back", "scrap")


def earlier_stations(station: Station, card: JobCard) -> list[Station]:
    stations = route_stations(card.route_id)
    index = next(i for i, s in enumerate(stations) if s.id == station.id)
    return stations[:index]


def record(station: Station, request: ScanRequest, card: JobCard) -> Outcome:
    """The card waits here (checked by the room): take some of its units out with a reason."""
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


@undoer("send_back", "scrap")
def _undo(event: ScanEvent) -> Msg:
    """The units come back to the card, which still waits here; a rework card nobody worked on becomes void."""
    detail = event.detail or {}
    units = int(detail.get("failed_units") or 0)
    if event.job_card_id is None or units <= 0:
        raise ActionRefused(msg("This scan moved no job card; there is nothing to undo."))
    card = locked_card(event.job_card_id)
    if later_scans(card, event):
        raise ActionRefused(msg("Card {card} is no longer where this scan left it; nothing was changed.",
                                card=card.code))
    rework = None
    if event.action == "send_back":
        rework = JobCard.get_or_none(JobCard.code == str(detail.get("rework_card", "")))
        if rework is None or rework.status != "open" or later_scans(rework, event) or rework.rework_cards.exists():
            raise ActionRefused(msg("Rework card {rework} has been worked on since; sending back cannot be undone.",
                                    rework=detail.get("rework_card", "-")))
    now = utcnow()
    if rework is not None:
        rework.status, rework.updated_at = "void", now
        rework.save()
    card.units += units
    card.status, card.updated_at = "open", now
    card.save()
    return msg("Card {card} has {units} units again and waits here.", card=card.code, units=card.units)
