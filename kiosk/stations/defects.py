"""Send back or scrap at any station (not only QC), each with a reason.

At a job-card station (process, packing) some units of the card waiting there go back to an earlier station on
a rework card of their own, or are scrapped; the card keeps only the good units. At a carton station
(warehouse-in, loading) a scanned carton's unit - every carton of it - leaves the goods: sent back on a rework
card to be made or packed again at an earlier station, or scrapped (the order is a unit short). Both feed the
quality deductions (kiosk/pay/deductions.py: the worker who passed the units at the responsible station) and
the boards. Used by the rooms when the scan carries `defect_action`."""

from __future__ import annotations

from db.models import Carton, JobCard, ScanEvent, Station, utcnow
from kiosk.cards.route import later_scans, locked_card
from kiosk.core.errors import ActionRefused
from kiosk.core.outcome import Outcome, ScanRequest
from kiosk.core.plant import route_stations, station_label
from kiosk.eventlog.rules import undoer
from kiosk.i18n import Msg, msg
from kiosk.shipping.cartons import TAKEN_OUT, goods_moved, put_back, take_out, unit_cartons
from kiosk.stations.qc import DEFECT_REASONS, print_rework, rework_code, rework_print_note

DEFECT_ACTIONS = ("send_back", "scrap")
CARTON_KINDS = ("warehouse", "loading")  # stations that scan cartons
SEND_BACK_KINDS = ("process", "packing")  # where a carton's unit can be made or packed again


def earlier_stations(station: Station, card: JobCard) -> list[Station]:
    stations = route_stations(card.route_id)
    index = next((i for i, s in enumerate(stations) if s.id == station.id), len(stations))
    return stations[:index]


def _reason(options) -> tuple[str, object]:
    defect = (options.get("defect") or "").strip()[:64]
    return defect, (msg(defect) if defect in DEFECT_REASONS else defect)


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
    defect, shown = _reason(options)
    if not defect:
        return Outcome("rejected", action, msg("Choose a defect reason."), reason="bad_input", job_card=card)
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
    rework = _rework_card(request, card, chosen, units, defect)
    printed = print_rework(station, rework)
    detail.update(rework_card=rework.code, rework_station=chosen.code, printed=printed.queued)
    return Outcome("warning", "send_back", msg(
        "Card {card}: {units} units sent back to {station} ({defect}) on rework card {rework}. {printing} "
        "{good} good units still wait here.", card=card.code, units=units, station=station_label(chosen),
        defect=shown, rework=rework.code, printing=rework_print_note(printed, rework.code), good=good),
        job_card=card, detail=detail)


def _rework_card(request: ScanRequest, card: JobCard, chosen: Station, units: int, defect: str) -> JobCard:
    """A rework card for `units` of `card`, starting at `chosen`."""
    stations = route_stations(card.route_id)
    rework = JobCard.create(code=f"TMP-{request.idem_key}"[:32], order_line=card.order_line, route=card.route_id,
                            units=units, next_seq=next(i for i, s in enumerate(stations) if s.id == chosen.id),
                            parent=card, rework_reason=defect)
    rework.code = rework_code(rework.id)
    rework.save()
    return rework


# -- at a carton station -------------------------------------------------------------------------------


def carton_stations_before(station: Station, card: JobCard) -> list[Station]:
    """Where a carton's unit can go back to: the card's process and packing stations before this one."""
    return [s for s in earlier_stations(station, card) if s.kind in SEND_BACK_KINDS]


def record_carton(station: Station, request: ScanRequest, carton: Carton) -> Outcome:
    """A carton scanned with a defect at warehouse-in or loading: its unit leaves the goods (loaded cartons stay
    on their truck until their loading is undone)."""
    options = request.options
    action = options.get("defect_action")
    links = dict(carton=carton, order=carton.order_line.order)
    if action not in DEFECT_ACTIONS:
        return Outcome("rejected", "scan", msg("Choose send back or scrap."), reason="bad_input", **links)
    defect, shown = _reason(options)
    if not defect:
        return Outcome("rejected", action, msg("Choose a defect reason."), reason="bad_input", **links)
    if carton.status == TAKEN_OUT:
        return refused_taken_out(carton, action)
    unit = unit_cartons(carton)
    if any(c.status == "loaded" for c in unit):
        return Outcome("rejected", action, msg("Carton {carton} is loaded on a truck: undo its loading first, then "
                                               "take its unit out.", carton=carton.code), reason="loaded", **links)
    card = locked_card(carton.job_card_id)
    chosen = next((s for s in carton_stations_before(station, card) if s.code == options.get("rework_station")),
                  None)
    if action == "send_back" and chosen is None:
        return Outcome("rejected", action, msg("Choose the station to send the unit back to."), reason="bad_input",
                       **links)
    detail = {"failed_units": 1, "defect": defect, "unit_no": carton.unit_no, "card_status": card.status,
              "cartons": [[c.id, c.status, c.location] for c in unit]}
    if chosen is not None:
        detail["responsible_station"] = chosen.code
    take_out(unit)
    card.units -= 1
    card.updated_at = utcnow()
    if card.units == 0:
        card.status = "void"
    card.save(only=[JobCard.units, JobCard.status, JobCard.updated_at])
    goods_moved(unit)
    what = dict(carton=carton.code, n=len(unit), defect=shown, order=links["order"].number)
    if action == "scrap":
        return Outcome("warning", "scrap", msg(
            "Carton {carton}: its unit ({n} cartons) is scrapped ({defect}) and out of the goods. Tell the clerk: "
            "order {order} is one unit short.", **what), units=1, job_card=card, detail=detail, **links)
    rework = _rework_card(request, card, chosen, 1, defect)
    printed = print_rework(station, rework)
    detail.update(rework_card=rework.code, rework_station=chosen.code, printed=printed.queued)
    return Outcome("warning", "send_back", msg(
        "Carton {carton}: its unit ({n} cartons) is out of the goods and goes back to {station} ({defect}) on "
        "rework card {rework}. {printing}", station=station_label(chosen), rework=rework.code,
        printing=rework_print_note(printed, rework.code), **what), units=1, job_card=card, detail=detail, **links)


def refused_taken_out(carton: Carton, action: str, detail: dict | None = None) -> Outcome:
    """A carton whose unit was taken out of the goods, scanned again at warehouse-in or loading."""
    return Outcome("rejected", action, msg("Carton {carton} was taken out of the goods (sent back or scrapped): it "
                                           "is not stored or loaded. Put it aside for the supervisor.",
                                           carton=carton.code), reason="taken_out", carton=carton,
                   order=carton.order_line.order, detail=detail)


# -- undo ------------------------------------------------------------------------------------------


def _unused_rework(event: ScanEvent, detail: dict) -> JobCard | None:
    """The send-back's rework card, when nobody has worked on it since (else the undo is refused)."""
    if event.action != "send_back":
        return None
    rework = JobCard.get_or_none(JobCard.code == str(detail.get("rework_card", "")))
    if rework is None or rework.status != "open" or later_scans(rework, event) or rework.rework_cards.exists():
        raise ActionRefused(msg("Rework card {rework} has been worked on since; sending back cannot be undone.",
                                rework=detail.get("rework_card", "-")))
    return rework


@undoer("send_back", "scrap")
def _undo(event: ScanEvent) -> Msg:
    """The units come back to the card, which still waits here (a carton's unit back into the goods, as it was);
    a rework card nobody worked on becomes void."""
    detail = event.detail or {}
    units = int(detail.get("failed_units") or 0)
    if event.job_card_id is None or units <= 0:
        raise ActionRefused(msg("This scan moved no job card; there is nothing to undo."))
    card = locked_card(event.job_card_id)
    if event.carton_id is not None:
        return _undo_carton(event, detail, card)
    if later_scans(card, event):
        raise ActionRefused(msg("Card {card} is no longer where this scan left it; nothing was changed.",
                                card=card.code))
    rework = _unused_rework(event, detail)
    now = utcnow()
    if rework is not None:
        rework.status, rework.updated_at = "void", now
        rework.save()
    card.units += units
    card.status, card.updated_at = "open", now
    card.save()
    return msg("Card {card} has {units} units again and waits here.", card=card.code, units=card.units)


def _undo_carton(event: ScanEvent, detail: dict, card: JobCard) -> Msg:
    before = {int(cid): (status, location) for cid, status, location in detail.get("cartons") or []}
    unit = list(Carton.select().where(Carton.id.in_(list(before)))) if before else []
    if not unit or any(c.status != TAKEN_OUT for c in unit):
        raise ActionRefused(msg("This unit's cartons are not where this scan left them; nothing was changed."))
    rework = _unused_rework(event, detail)
    now = utcnow()
    if rework is not None:
        rework.status, rework.updated_at = "void", now
        rework.save()
    put_back(unit, before)
    card.units += 1
    card.status, card.updated_at = str(detail.get("card_status") or card.status), now
    if card.status == "void":
        card.status = "open"
    card.save(only=[JobCard.units, JobCard.status, JobCard.updated_at])
    goods_moved(unit)
    return msg("The unit of carton {carton} is back in the goods, as it was.", carton=event.code)
