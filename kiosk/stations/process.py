"""Process stations (white-body 白茬, finishing 涂装, and any other work step): a scan means the
card's units are done here and move on."""

from __future__ import annotations

from kiosk.cards.route import advance, check_card, load_card, passed_here
from kiosk.core.outcome import Outcome, ScanRequest
from kiosk.core.plant import route_stations, station_label
from kiosk.eventlog.rules import register
from kiosk.i18n import msg
from kiosk.stations import defects


@register("process")
def scan(station, worker, request: ScanRequest) -> Outcome:
    card = load_card(request.code, lock=True)
    rejection = check_card(card, station, request.code)
    if rejection:
        return rejection
    if request.options.get("defect_action"):  # send back or scrap some units (kiosk/stations/defects.py)
        return defects.record(station, request, card)
    stations = route_stations(card.route_id)
    moved = passed_here(card, stations)
    advance(card, len(stations))
    if card.status == "done":
        return Outcome("ok", "pass", msg("Card {card}: {units} units done at {station}.", card=card.code,
                                         units=card.units, station=station_label(station)),
                       units=card.units, job_card=card, board=moved)
    return Outcome(
        "ok", "pass",
        msg("Card {card}: {units} units done at {station}. Next: {next}.", card=card.code, units=card.units,
            station=station_label(station), next=station_label(stations[card.next_seq])),
        units=card.units, job_card=card, board=moved,
    )
