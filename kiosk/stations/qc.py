"""Quality control (质检): pass, or fail some units with a defect reason.

Failed units leave the card on a rework card of their own (new code) that starts again at the
earlier station the inspector chose; the good units carry on with the original card.
"""

from __future__ import annotations

from db.models import JobCard, ScanEvent, utcnow
from kiosk.cards.route import (
    advance,
    check_card,
    later_scans,
    load_card,
    locked_card,
    refuse_if_moved_on,
    station_position,
)
from kiosk.core.errors import ActionRefused
from kiosk.core.outcome import Outcome, ScanRequest
from kiosk.core.plant import route_stations, station_label
from kiosk.eventlog.rules import register, undoer
from kiosk.i18n import Msg, msg

# Defect reasons offered on the QC screen; a plant may extend them in config (KIOSK_DEFECT_REASONS).
DEFECT_REASONS = (
    "Scratch",
    "Dent",
    "Paint run",
    "Colour mismatch",
    "Crack",
    "Glue mark",
    "Wrong size",
    "Loose joint",
    "Other",
)


def check(station, code: str):
    """What the QC screen needs before the verdict: the card, or the reason it cannot be inspected."""
    card = load_card(code)
    return card, check_card(card, station, code)


def rework_choices(card: JobCard, station) -> list:
    """Earlier stations on the card's route a failed unit can be sent back to."""
    stations = route_stations(card.route_id)
    index = next(i for i, s in enumerate(stations) if s.id == station.id)
    return stations[:index]


@register("qc")
def scan(station, worker, request: ScanRequest) -> Outcome:
    card = load_card(request.code, lock=True)
    rejection = check_card(card, station, request.code)
    if rejection:
        return rejection
    verdict = request.options.get("verdict") or "pass"
    stations = route_stations(card.route_id)
    if verdict == "pass":
        advance(card, len(stations))
        return Outcome("ok", "qc_pass", msg("Card {card}: {units} units passed QC.", card=card.code,
                                            units=card.units), units=card.units, job_card=card)
    if verdict != "fail":
        return Outcome("rejected", "qc", msg("Choose pass or fail."), reason="bad_input", job_card=card)

    failed = _int(request.options.get("failed_units"))
    defect = (request.options.get("defect") or "").strip()[:64]
    if failed is None or not 1 <= failed <= card.units:
        return Outcome("rejected", "qc_fail",
                       msg("Failed units must be between 1 and {units}.", units=card.units),
                       reason="bad_input", job_card=card)
    if not defect:
        return Outcome("rejected", "qc_fail", msg("Choose a defect reason."), reason="bad_input", job_card=card)
    choices = rework_choices(card, station)
    back_to = next((s for s in choices if s.code == request.options.get("rework_station")), None)
    if back_to is None:
        if not choices:
            return Outcome("rejected", "qc_fail", msg("There is no earlier station to send rework to."),
                           reason="bad_input", job_card=card)
        back_to = choices[0]

    rework = JobCard.create(
        code=f"TMP-{request.idem_key}"[:32],
        order_line=card.order_line,
        route=card.route_id,
        units=failed,
        next_seq=next(i for i, s in enumerate(stations) if s.id == back_to.id),
        parent=card,
        rework_reason=defect,
    )
    rework.code = rework_code(rework.id)
    rework.save()

    good = card.units - failed
    card.units = good
    card.updated_at = utcnow()
    if good == 0:
        card.status = "void"
        card.save()
    else:
        advance(card, len(stations))
    detail = {"failed_units": failed, "defect": defect, "rework_card": rework.code,
              "rework_station": back_to.code, "good_units": good}
    return Outcome(
        "warning", "qc_fail",
        msg("Card {card}: {failed} failed ({defect}) - new rework card {rework} goes back to {station}; "
            "print it and attach it. {good} good units carry on.",
            card=card.code, failed=failed, defect=msg(defect) if defect in DEFECT_REASONS else defect,
            rework=rework.code, station=station_label(back_to), good=good),
        units=good, job_card=card, detail=detail,
    )


def rework_code(card_id: int) -> str:
    return f"JR{card_id:07d}"


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- undo ------------------------------------------------------------------------------------------


@undoer("qc_fail")
def _undo_qc_fail(event: ScanEvent) -> Msg:
    """Failed units return to their card, which waits at QC again; the rework card becomes void."""
    detail = event.detail or {}
    if event.job_card_id is None:
        raise ActionRefused(msg("This scan moved no job card; there is nothing to undo."))
    card = locked_card(event.job_card_id)
    stations = route_stations(card.route_id)
    index = station_position(event, stations)
    rework = JobCard.get_or_none(JobCard.code == str(detail.get("rework_card", "")))
    failed = int(detail.get("failed_units") or 0)
    if rework is None or failed <= 0:
        raise ActionRefused(msg("This QC result has no rework card on record; it cannot be undone."))
    rework = locked_card(rework.id)
    if rework.status == "void" or later_scans(rework, event) or rework.rework_cards.exists():
        raise ActionRefused(msg("Rework card {rework} has been worked on since; this QC result cannot be undone.",
                                rework=rework.code))
    good = int(detail.get("good_units") or 0)
    if good > 0:
        refuse_if_moved_on(card, event, index + 1, stations)
    else:
        if card.status != "void" or later_scans(card, event):
            raise ActionRefused(msg("Card {card} is no longer where this scan left it; nothing was changed.",
                                    card=card.code))
    now = utcnow()
    rework.status = "void"
    rework.updated_at = now
    rework.save()
    card.units += failed
    card.next_seq = index
    card.status = "open"
    card.updated_at = now
    card.save()
    return msg("Card {card} has {units} units again and waits at {station}; throw away rework card {rework}.",
               card=card.code, units=card.units, station=station_label(stations[index]), rework=rework.code)
