"""Andon through the web: a kiosk tap makes a call, the worker's badge answers it, the desk acknowledges
and records delays, and the boards show the open calls in their colours."""

from __future__ import annotations

from db.models import AndonCall, OrderDelay
from tests.auth_helpers import csrf_token, hx_post, kiosk_at, login, post
from tests.factories import cards_of, make_order, scan
from tests.pages import Elements


def by_class(html: str, name: str) -> list[dict]:
    return [e for e in Elements(html).found if name in (e["attrs"].get("class") or "").split()]


def test_a_tap_at_the_kiosk_calls_and_the_steps_follow(client, plant):
    order = make_order(lines=[("DT-120", 2)])
    card = cards_of(order)[0]
    scan("whitebody", card.code)
    scan("finishing", card.code)
    kiosk_at(client, "finishing")
    page = client.get("/station/finishing")
    buttons = [e for e in Elements(page.text).found if e["attrs"].get("id", "").startswith("andon-")
               and e["tag"] == "button"]
    assert {b["attrs"]["id"] for b in buttons} == {"andon-material", "andon-machine", "andon-quality", "andon-help"}
    assert all(b["attrs"].get("tabindex") == "-1" for b in buttons)

    answer = hx_post(client, "/station/finishing/andon", {"kind": "machine", "worker_badge": "W001"})
    assert answer.status_code == 200
    call = AndonCall.get()
    assert (call.kind, call.state, call.called_by.badge, call.order_id) == ("machine", "called", "W001", order.id)
    shown = by_class(answer.text, "andon-call")
    assert len(shown) == 1 and "red" in shown[0]["attrs"]["class"] and shown[0]["attrs"]["data-state"] == "called"
    steps = [e["attrs"]["data-andon-step"] for e in Elements(answer.text).found if "data-andon-step" in e["attrs"]]
    assert steps == ["acknowledged", "arrived"]

    refused = hx_post(client, f"/station/finishing/andon/{call.id}/fixed", {"worker_badge": "W002"})
    assert "andon-note bad" in refused.text and AndonCall.get().fixed_at is None
    hx_post(client, f"/station/finishing/andon/{call.id}/arrived", {"worker_badge": "W002"})
    fixed = hx_post(client, f"/station/finishing/andon/{call.id}/fixed", {"worker_badge": "W002"})
    call = AndonCall.get()
    assert (call.state, call.open, call.fixed_by.badge) == ("fixed", False, "W002")
    assert "green" in by_class(fixed.text, "andon-call")[0]["attrs"]["class"]


def test_another_stations_call_cannot_be_answered_here(client, plant):
    kiosk_at(client, "qc")
    hx_post(client, "/station/qc/andon", {"kind": "help", "worker_badge": "W001"})
    call = AndonCall.get()
    kiosk_at(client, "finishing")
    answer = hx_post(client, f"/station/finishing/andon/{call.id}/arrived", {"worker_badge": "W002"})
    assert answer.headers.get("HX-Retarget") == "#flash"  # htmx is shown the 404 page's words
    assert client.post(f"/station/finishing/andon/{call.id}/arrived",
                       data={"worker_badge": "W002", "csrf_token": csrf_token(client)}).status_code == 404
    assert AndonCall.get().arrived_at is None


def test_the_desk_acknowledges_and_records_the_delay(client, plant):
    order = make_order(lines=[("DT-120", 2)])
    scan("whitebody", cards_of(order)[0].code)
    kiosk_at(client, "finishing")
    hx_post(client, "/station/finishing/andon", {"kind": "material", "worker_badge": "W001"})
    call = AndonCall.get()
    clerk = login(client, "clerk")
    desk = client.get("/andon")
    assert desk.status_code == 200 and f'data-call="{call.id}"' in desk.text
    post(client, f"/andon/{call.id}/acknowledge")
    call = AndonCall.get()
    assert call.state == "acknowledged" and call.acknowledged_by == clerk.username
    post(client, f"/andon/{call.id}/delay", {"order": [str(order.id)]})
    delay = OrderDelay.get()
    assert (delay.order_id, delay.reason, delay.user) == (order.id, "material_shortage", clerk.username)


def test_the_boards_show_open_calls_in_andon_colours(client, plant):
    kiosk_at(client, "finishing")
    hx_post(client, "/station/finishing/andon", {"kind": "material", "worker_badge": "W001"})
    kiosk_at(client, "qc")
    hx_post(client, "/station/qc/andon", {"kind": "quality", "worker_badge": "W003"})
    login(client, "clerk")
    for url in ("/board", "/board/stations", "/board?tv=1", "/andon/strip"):
        html = client.get(url).text
        strip = [e for e in Elements(html).found if e["attrs"].get("id") == "andon-strip"]
        assert strip, url
        colours = sorted(e["attrs"]["class"].split()[1] for e in by_class(html, "andon-call"))
        assert colours == ["blue", "yellow"], url
        assert len(by_class(html, "andon-timer")) == 2
