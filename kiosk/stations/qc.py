"""Quality control (质检): pass, or fail some units with a defect reason.

Failed units leave the card on a rework card of their own (new code) that starts again at the
earlier station the inspector chose; the good units carry on with the original card.
"""

from __future__ import annotations

from db.models import JobCard, ScanEvent, utcnow
from kiosk.cards.printed import print_job_card
from kiosk.cards.route import (
    advance,
    check_card,
    later_scans,
    load_card,
    locked_card,
    passed_here,
    refuse_if_moved_on,
    station_position,
)
from kiosk.core.errors import ActionRefused
from kiosk.core.outcome import Outcome, ScanRequest
from kiosk.core.plant import route_stations, station_label
from kiosk.eventlog.rules import register, undoer
from kiosk.i18n import Msg, msg

# Defect reasons offered on the QC screen, in this order (each has its Chinese in kiosk/i18n/).
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


VERDICTS = ("pass", "fail", "scrap")


def still_waiting(waiting: str, scanned: str):
    """The answer when something is scanned while a card waits for its verdict: nothing is recorded."""
    return msg("{card} still waits for a verdict: press Pass, Fail or Scrap, or Cancel, before scanning {code}. "
               "Nothing was recorded.", card=waiting, code=scanned)


def verdict_problem(card: JobCard, station, options) -> object | None:
    """Why this verdict cannot be recorded as chosen (a Msg), or None. Only an explicit, complete verdict counts:
    Pass; Fail with units, a defect reason and an earlier station; Scrap with units and a reason."""
    verdict = options.get("verdict")
    if verdict not in VERDICTS:
        return msg("Choose Pass, Fail or Scrap for card {card}.", card=card.code)
    if verdict == "pass":
        return None
    failed = _int(options.get("failed_units"))
    if failed is None or not 1 <= failed <= card.units:
        return msg("Failed units must be between 1 and {units}.", units=card.units)
    if not (options.get("defect") or "").strip():
        return msg("Choose a defect reason.")
    if verdict == "fail":
        choices = rework_choices(card, station)
        if not choices:
            return msg("There is no earlier station to send rework to.")
        if not any(s.code == options.get("rework_station") for s in choices):
            return msg("Choose the station to send the failed units back to.")
    return None


@register("qc")
def scan(station, worker, request: ScanRequest) -> Outcome:
    card = load_card(request.code, lock=True)
    if request.options.get("reprint") and card is not None and card.parent_id:
        return reprint_rework(station, card)
    rejection = check_card(card, station, request.code)
    if rejection:
        return rejection
    problem = verdict_problem(card, station, request.options)
    if problem is not None:
        return Outcome("rejected", "qc", problem, reason="bad_input", job_card=card)
    verdict = request.options["verdict"]
    stations = route_stations(card.route_id)
    if verdict == "pass":
        moved = passed_here(card, stations)
        advance(card, len(stations))
        return Outcome("ok", "qc_pass", msg("Card {card}: {units} units passed QC.", card=card.code,
                                            units=card.units), units=card.units, job_card=card, board=moved)
    failed = int(request.options["failed_units"])
    defect = request.options["defect"].strip()[:64]
    shown_defect = msg(defect) if defect in DEFECT_REASONS else defect
    if verdict == "scrap":
        return _scrap(card, stations, failed, defect, shown_defect)
    back_to = next(s for s in rework_choices(card, station) if s.code == request.options.get("rework_station"))

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
    _keep_good(card, good, stations)
    rework.order_line = card.order_line  # for its printed card, without another query
    printed = print_rework(station, rework)
    detail = {"failed_units": failed, "defect": defect, "rework_card": rework.code,
              "rework_station": back_to.code, "good_units": good, "printer": printed.printer,
              "printed": printed.queued}
    return Outcome(
        "warning", "qc_fail",
        msg("Card {card}: {failed} failed ({defect}) - new rework card {rework} goes back to {station}. {printing} "
            "{good} good units carry on.",
            card=card.code, failed=failed, defect=shown_defect, rework=rework.code,
            station=station_label(back_to), printing=rework_print_note(printed, rework.code), good=good),
        units=good, job_card=card, detail=detail,
    )


def _keep_good(card: JobCard, good: int, stations) -> None:
    """The good units carry on with the card; with none left the card is void."""
    card.units = good
    card.updated_at = utcnow()
    if good == 0:
        card.status = "void"
        card.save()
    else:
        advance(card, len(stations))


def _scrap(card: JobCard, stations, scrapped: int, defect: str, shown_defect) -> Outcome:
    good = card.units - scrapped
    order = card.order_line.order
    _keep_good(card, good, stations)
    detail = {"scrapped_units": scrapped, "defect": defect, "good_units": good}
    return Outcome(
        "warning", "qc_scrap",
        msg("Card {card}: {scrapped} units scrapped ({defect}). {good} good units carry on. Tell the clerk: order "
            "{order} is {scrapped} units short.", card=card.code, scrapped=scrapped, defect=shown_defect, good=good,
            order=order.number),
        units=good, job_card=card, detail=detail,
    )


def qc_printer(station) -> str | None:
    """Where QC prints rework cards: the station's label printer, else its receipt printer."""
    return station.label_printer or station.receipt_printer or None


def print_rework(station, rework: JobCard):
    return print_job_card(rework, qc_printer(station))


def rework_print_note(printed, code: str):
    """What happened to the rework card's print, and no more: queued is not printed."""
    if printed.printer is None:
        return msg("No printer is set up at this station: print card {rework} from the order page and attach it.",
                   rework=code)
    if not printed.ok:
        return msg("Card {rework} could not be queued for printing ({problem}): print it from the order page.",
                   rework=code, problem=printed.problem)
    return msg("Card {rework} was sent to the print queue of {printer}: attach it when it comes out.",
               rework=code, printer=printed.printer)


def reprint_rework(station, card: JobCard) -> Outcome:
    """A rework card printed again at QC (lost, torn, or the printer jammed)."""
    printed = print_rework(station, card)
    outcome = "ok" if printed.ok else "rejected"
    return Outcome(outcome, "reprint", msg("Reprint: {printing}", printing=rework_print_note(printed, card.code)),
                   reason="" if printed.ok else "not_printed", job_card=card,
                   detail={"rework_card": card.code, "printer": printed.printer, "printed": printed.queued})


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
