"""The stations' own command barcodes (registry: kiosk/core/commands.py): QC's verdicts, units, each defect
reason and each earlier station; packing's and QC's reprint, and packing's reprint reasons; loading's open
pick lists and Finish; and, at every station, Sign out and "my last scan". A tap command presses the same
control a finger would."""

from __future__ import annotations

from dataclasses import replace

from db.models import PickList, ScanEvent, Station
from kiosk.andon.calls import KIND_LABELS
from kiosk.core.clock import short_time
from kiosk.core.commands import Command, CommandAnswer, normalise, register, register_family, slug
from kiosk.eventlog.scan_path import record_scan
from kiosk.i18n import Msg, msg
from kiosk.stations.packing import REPRINT_REASONS
from kiosk.stations.qc import DEFECT_REASONS

NO_CARD = msg("No card waits for a verdict: scan a card first, then the command.")

# every station
register(Command("SIGN-OUT", msg("Sign out"), "everywhere", tap="#worker-panel [data-sign-out]",
                 needs=msg("Nobody is signed in here: scan your badge.")))


def last_scan(station, worker, request) -> CommandAnswer:
    """The worker's own last scan, wherever it was: what, where, when and what it was answered."""
    event = (ScanEvent.select().where((ScanEvent.worker == worker.id) & (ScanEvent.action != "sign_in"))
             .order_by(ScanEvent.id.desc()).first())
    if event is None:
        return CommandAnswer("warning", msg("{name}: no scan of yours yet.", name=worker.name))
    where = Station.get_or_none(Station.id == event.station_id)
    return CommandAnswer(
        "ok", msg("{name}, your last scan: {code} at {station}, {time} - {answer}", name=worker.name,
                  code=event.code, station={"zh": where.name_zh, "en": where.name_en} if where else "-",
                  time=short_time(event.at), answer=Msg.from_json(event.message) or "-"),
        detail={"event": event.id})


register(Command("LAST-SCAN", msg("My last scan"), "everywhere", run=last_scan))

# QC: the verdict panel (templates/_qc_decide.html)
QC = ("qc",)
register(Command("PASS", msg("Pass"), "verdict", QC, tap="#qc-pass", needs=NO_CARD))
register(Command("FAIL", msg("Record failure"), "verdict", QC, tap="#qc-fail", needs=NO_CARD))
register(Command("SCRAP", msg("Scrap these units"), "verdict", QC, tap="#qc-scrap", needs=NO_CARD))
register(Command("CANCEL", msg("Cancel"), "verdict", QC, tap="#qc-cancel", needs=NO_CARD))
register(Command("UNITS+1", msg("Units failed +1"), "units", QC, tap="#failed-units [data-step='1']", needs=NO_CARD))
register(Command("UNITS-1", msg("Units failed -1"), "units", QC, tap="#failed-units [data-step='-1']", needs=NO_CARD))


@register_family
def qc_choices(station) -> list[Command]:
    if station.kind != "qc":
        return []
    found = [Command(f"DEFECT-{slug(reason)}", msg(reason), "defect", QC,
                     tap=f"#defect-choices input[value='{reason}']", needs=NO_CARD) for reason in DEFECT_REASONS]
    earlier = Station.select().where((Station.sort < station.sort) & (Station.kind == "process")).order_by(Station.sort)
    found += [Command(f"TO-{slug(s.code)}", msg("Send back to {station}", station={"zh": s.name_zh, "en": s.name_en}),
                      "rework", QC, tap=f"#rework-choices input[value='{s.code}']",
                      needs=msg("Scan a card first; then choose a station on its route before QC."))
              for s in earlier]
    return found


# packing (and QC's rework card): the reprint on the page
register(Command("REPRINT", msg("Reprint"), "reprint", ("packing", "qc"), tap="[data-reprint]",
                 needs=msg("Nothing to reprint now: scan the packed card or carton first, then Reprint.")))


@register_family
def reprint_reasons(station) -> list[Command]:
    """Packing: each reason a label is printed again, chosen like a tap on it (then #REPRINT)."""
    if station.kind != "packing":
        return []
    return [Command(f"REPRINT-{slug(reason)}", msg("Reprint because: {reason}", reason=msg(reason)), "reprint",
                    ("packing",), tap=f"#reprint-reasons input[value='{reason}']",
                    needs=msg("Nothing to reprint now: scan the packed card or carton first, then Reprint."))
            for reason in REPRINT_REASONS]


# loading: each open pick list (scanned as the pick list itself), and Finish
register(Command("FINISH", msg("Finish loading"), "loading", ("loading",), tap="#finish-loading",
                 needs=msg("Scan a pick list first.")))


@register_family
def open_pick_lists(station) -> list[Command]:
    if station.kind != "loading":
        return []
    lists = PickList.select().where(PickList.status != "finished").order_by(PickList.id).limit(40)
    return [Command(f"PICK-{p.code}", msg("Load pick list {code}", code=p.code), "pick_list", ("loading",),
                    run=_load_pick_list) for p in lists]


def _load_pick_list(station, worker, request):
    """Scanning the command is scanning the pick list: recorded through the normal scan path."""
    return record_scan(replace(request, code=normalise(request.code)[len("PICK-"):],
                               options={k: v for k, v in request.options.items() if k != "finish"}))


# Other areas' buttons on every station page, pressed by their own command codes: piece pay's "My day"
# (kiosk/pay) and each andon call (kiosk/andon). Their rules stay theirs: the command taps their button.
register(Command("MY-DAY", msg("My day"), "everywhere", tap="#my-day-button",
                 needs=msg("Nobody is signed in here: scan your badge.")))


@register_family
def andon_calls(station) -> list[Command]:
    return [Command(f"ANDON-{slug(kind)}", msg(label), "andon", tap=f"#andon-{kind}",
                    needs=msg("Andon is not on this page: reload it.")) for kind, label in KIND_LABELS.items()]
