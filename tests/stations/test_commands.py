"""Command barcodes (kiosk/core/commands.py): the registry, codes that cannot collide with any other code,
answers like a scan's, and the printed sheet whose barcodes decode to the codes."""

from __future__ import annotations

import base64
import io
import re
import uuid

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from db.models import PrintJob, ScanEvent, Station
from kiosk.complaints.complaint import complaint_code
from kiosk.core import commands
from kiosk.core.commands import Command, CommandAnswer
from kiosk.core.crews import CREW_PREFIX
from kiosk.core.outcome import ScanRequest
from kiosk.orders.orders import job_card_code
from kiosk.people.users import BADGE_RE
from kiosk.shipping.cartons import carton_code
from kiosk.shipping.delivery_notes import note_code as delivery_note_code
from kiosk.shipping.pick_lists import create_pick_list, pick_list_code
from kiosk.stations import commands as station_commands  # noqa: F401 - registers them
from kiosk.stations.qc import DEFECT_REASONS, rework_code
from tests.auth_helpers import hx_post, login, pair_kiosk
from tests.factories import cards_of, make_order, scan, set_printer, stocked, whole


def station(code: str) -> Station:
    return Station.get(Station.code == code)


def names(code: str) -> set[str]:
    return {c.code for c in commands.commands_for(station(code))}


def request(code: str, station_code: str = "qc", badge: str = "W001", **options) -> ScanRequest:
    return ScanRequest(station_code=station_code, code=code, idem_key=uuid.uuid4().hex, worker_badge=badge,
                       options=options)


def test_a_command_code_can_never_be_another_code():
    others = [job_card_code(42), rework_code(42), carton_code(42), pick_list_code(42), complaint_code(42),
              delivery_note_code(42), "LOC-A01", "W001", CREW_PREFIX + "01", "00123456789012345675"]
    assert not any(commands.is_command(code) for code in others)
    assert not BADGE_RE.match(commands.PREFIX + "PASS")  # a badge starts with a capital letter
    assert commands.PREFIX not in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_every_family_is_registered_where_it_belongs(plant):
    qc = names("qc")
    assert {"#PASS", "#FAIL", "#SCRAP", "#CANCEL", "#UNITS+1", "#UNITS-1", "#REPRINT"} <= qc
    assert {f"#DEFECT-{commands.slug(r)}" for r in DEFECT_REASONS} <= qc
    assert {"#TO-WHITEBODY", "#TO-FINISHING"} <= qc and "#TO-PACKING" not in qc
    assert {"#SIGN-OUT", "#LAST-SCAN"} <= qc
    assert {"#REPRINT", "#SIGN-OUT", "#LAST-SCAN"} <= names("packing") and "#PASS" not in names("packing")
    assert {"#FINISH", "#SIGN-OUT", "#LAST-SCAN"} <= names("loading")
    assert {"#SIGN-OUT", "#LAST-SCAN"} <= names("whitebody") and not {"#PASS", "#REPRINT", "#FINISH"} & names(
        "whitebody")


def test_open_pick_lists_each_have_a_command(plant):
    order = make_order(lines=[("DC-08", 1)])
    stocked(order)
    pick_list = create_pick_list("LH", whole(order), "沪A1", "loading")
    assert f"#PICK-{pick_list.code}" in names("loading")


def test_scanned_codes_are_found_whatever_the_case_and_spaces(plant):
    found = commands.find(station("qc"), "  #units+1 ")
    assert found is not None and found.name == "UNITS+1"
    assert commands.find(station("packing"), "#PASS") is None  # not a packing command


def test_another_area_registers_its_own_commands(plant):
    def hello(station, worker, request):
        return CommandAnswer("ok", commands.msg("Signed in: {name}", name=worker.name))

    commands.register(Command("TEST-HELLO", "Hello", "test", ("process",), run=hello))
    try:
        answer = commands.answer(station("whitebody"), _worker("W001"), request("#test-hello", "whitebody"))
        assert answer.outcome == "ok" and answer.code == "#TEST-HELLO"
        with pytest.raises(ValueError):
            commands.register(Command("TEST-HELLO", "Other", "test", tap="#x"))
    finally:
        commands._COMMANDS.pop("TEST-HELLO")
    with pytest.raises(ValueError):
        Command("bad name", "x", "test", tap="#x")
    with pytest.raises(ValueError):
        Command("BOTH", "x", "test")  # neither a tap nor a run


def _worker(badge):
    from db.models import Worker

    return Worker.get(Worker.badge == badge)


def test_unknown_and_not_now_commands_are_answered_red(plant):
    unknown = commands.answer(station("qc"), _worker("W001"), request("#NOPE"))
    assert unknown.outcome == "rejected" and "is not a command of this station" in unknown.message.render("en")
    not_now = commands.answer(station("qc"), _worker("W001"), request("#PASS"))
    assert not_now.outcome == "rejected" and "No card waits for a verdict" in not_now.message.render("en")


def test_my_last_scan_says_what_where_and_when(plant):
    card = cards_of(make_order(lines=[("DT-120", 2)]))[0]
    scan("whitebody", card.code, badge="W003")
    answer = commands.answer(station("qc"), _worker("W003"), request("#LAST-SCAN", badge="W003"))
    text = answer.message.render("en")
    assert answer.outcome == "ok" and f"your last scan: {card.code} at White-body" in text and "2 units done" in text
    nobody = commands.answer(station("qc"), _worker("W005"), request("#LAST-SCAN", badge="W005"))
    assert nobody.outcome == "warning"
    assert ScanEvent.select().where(ScanEvent.code == "#LAST-SCAN").count() == 0  # a question records nothing


def test_pick_list_command_is_a_pick_list_scan(plant):
    order = make_order(lines=[("DC-08", 1)])
    stocked(order)
    pick_list = create_pick_list("LH", whole(order), "沪A2", "loading")
    result = commands.answer(station("loading"), _worker("W004"),
                             request(f"#PICK-{pick_list.code}", "loading", badge="W004"))
    assert result.outcome == "ok" and result.detail["pick_list"] == pick_list.code
    assert ScanEvent.get(ScanEvent.id == result.event_id).action == "pick_list"


def test_a_scanned_command_at_the_kiosk_is_answered_like_a_scan(client):
    from kiosk.demo import seed_plant

    seed_plant()
    pair_kiosk(client, "qc")
    page = hx_post(client, "/station/qc/scan", {"code": "#last-scan", "idem": uuid.uuid4().hex,
                                                "worker_badge": "W001"}).get_data(as_text=True)
    assert 'data-outcome="warning"' in page and "还没有扫描记录" in page
    page = hx_post(client, "/station/qc/scan", {"code": "#PASS", "idem": uuid.uuid4().hex,
                                                "worker_badge": "W001"}).get_data(as_text=True)
    assert 'data-outcome="rejected"' in page


def decoded(data_uri: str) -> list[str]:
    image = Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1])))
    return [symbol.data.decode() for symbol in decode(image)]


@pytest.mark.parametrize("where", ["qc", "packing", "loading"])
def test_the_sheet_shows_every_command_and_each_barcode_decodes_to_its_code(client, where):
    from kiosk.demo import seed_plant

    seed_plant()
    login(client, "clerk")
    page = client.get(f"/station/{where}/commands?lang=en").get_data(as_text=True)
    figures = re.findall(r'<figure class="command" data-code="([^"]+)"><img alt="[^"]+" src="([^"]+)"', page)
    assert {code for code, _ in figures} == names(where)
    for code, image in figures:
        assert decoded(image) == [code.replace("&#39;", "'")]


def test_command_labels_are_queued_on_the_station_printer(client):
    from kiosk.demo import seed_plant

    seed_plant()
    set_printer("qc", "label_printer", "qc-labels", "zpl")
    login(client, "supervisor")
    from tests.auth_helpers import post

    response = post(client, "/station/qc/commands/print?lang=en", {})
    assert response.status_code == 302
    jobs = list(PrintJob.select().order_by(PrintJob.id))
    assert jobs and all(job.document.startswith("commands") for job in jobs)
    printed = b"".join(bytes(job.payload) for job in jobs)
    for code in ("#PASS", "#FAIL", "#UNITS+1", "#DEFECT-SCRATCH", "#TO-FINISHING", "#SIGN-OUT"):
        assert code.encode() in printed
