"""The smaller station defects, each fixed: an unknown badge is called a badge, a card at the end of its route
is not sent on, the warehouse keeps its bin across a reload and never stores green "with no bin", the recent
scans show their date, and the README says what the station page shows before pairing."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from db.models import Carton
from tests.auth_helpers import hx_post, pair_kiosk
from tests.factories import cards_of, make_order, packed, scan


def test_an_unknown_badge_is_answered_as_a_badge(plant):
    result = scan("whitebody", "W099")
    assert result.outcome == "rejected" and result.reason == "unknown_badge"
    assert "W099 looks like a badge, but nobody working here now has it" in result.message.render("en")
    assert "no job card has it" not in result.message.render("en")
    assert scan("whitebody", "JC9999999").reason == "unknown"  # a card code is still a card code
    assert scan("warehouse", "W099", location="A01").reason == "unknown_badge"


def test_a_packed_or_shipped_card_is_not_sent_to_the_next_station(plant):
    order = make_order(lines=[("DC-08", 1)])
    packed(order)
    card = cards_of(order)[0]
    result = scan("whitebody", card.code)
    text = result.message.render("en")
    assert result.outcome == "rejected" and result.reason == "route_done"
    assert f"Card {card.code} has finished its route (order {order.number}: Packed)" in text
    assert "waits at" not in text and "pass it on" not in text
    assert "包装" in result.message.render("zh") or "已" in result.message.render("zh")


def test_the_warehouse_remembers_its_bin_and_never_stores_with_no_bin(plant):
    cartons = packed(make_order(lines=[("DC-08", 2)]))
    refused = scan("warehouse", cartons[0].code)
    assert refused.outcome == "rejected" and refused.reason == "no_bin"
    assert "No bin chosen: scan the bin label" in refused.message.render("en")
    assert Carton.get_by_id(cartons[0].id).status == "packed"
    scan("warehouse", "LOC-B07")
    stored = scan("warehouse", cartons[0].code)  # the kiosk reloaded: it sent no bin
    assert stored.outcome == "ok" and "stored in bin B07" in stored.message.render("en")
    assert Carton.get_by_id(cartons[0].id).location == "B07"


def test_the_warehouse_page_shows_the_bin_after_a_reload_and_recent_scans_have_dates(client):
    from kiosk.demo import seed_plant

    seed_plant()
    pair_kiosk(client, "warehouse")
    hx_post(client, "/station/warehouse/scan", {"code": "LOC-C03", "idem": uuid.uuid4().hex, "worker_badge": "W001"})
    page = client.get("/station/warehouse?lang=en").get_data(as_text=True)
    assert re.search(r'id="current-bin">C03<', page)
    assert re.search(r'name="location" value="C03"', page)
    times = re.findall(r'<span class="time">([^<]+)</span>', page)
    assert times and all(re.fullmatch(r"\d\d-\d\d \d\d:\d\d:\d\d", t) for t in times)


def test_the_readme_says_the_station_page_shows_a_pair_button_first():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "it shows a pairing code;" not in readme
    assert "配对此终端" in readme and "Pair this kiosk" in readme
