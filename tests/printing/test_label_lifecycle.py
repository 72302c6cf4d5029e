"""Label lifecycle: every reprint says why, who asked and when, and counts; a voided carton label makes
loading refuse the carton until a new label is printed; the printers page lists both."""

from __future__ import annotations

import pytest

from db.models import LabelVoid, PrintJob
from kiosk.printing import label_voids
from kiosk.printing import queue as printing
from tests.auth_helpers import login, post
from tests.factories import cartons_of, scan, set_printer, stocked, whole
from tests.pages import Elements


def test_a_reprint_needs_a_reason_and_records_who_when_and_the_count(database):
    from tests.factories import make_printer

    printer = make_printer()
    [job] = [printing.enqueue(printer.name, "carton C0001", b"^XA^XZ\n")]
    with pytest.raises(printing.PrintingError) as refused:
        printing.reprint(job.id, "   ", "clerk1")
    assert "Say why" in refused.value.message.render("en")
    first = printing.reprint(job.id, "torn at the corner", "clerk1")
    second = printing.reprint(first.id, "lost on the truck", "王主管")
    assert (first.reprint_of, first.reason, first.requested_by) == (job.id, "torn at the corner", "clerk1")
    assert second.reprint_of == job.id and first.created_at is not None
    assert printing.reprint_count("carton C0001") == 2
    listed = printing.recent_reprints()
    assert [(j.document, j.reason, j.requested_by, j.count) for j in listed] == [
        ("carton C0001", "lost on the truck", "王主管", 2), ("carton C0001", "torn at the corner", "clerk1", 1)]


@pytest.fixture
def loading_ready(plant):
    from kiosk.shipping.pick_lists import create_pick_list
    from tests.factories import make_order

    set_printer("packing", "label_printer", "pack-zpl", "zpl")
    order = make_order(lines=[("SF-301", 1)])
    cartons = stocked(order)
    pick_list = create_pick_list("LH", whole(order), "沪A·D8812", "loading")
    assert scan("loading", pick_list.code, badge="W004").ok
    return order, cartons, pick_list


def test_a_voided_label_is_refused_at_loading_until_reprinted(client, loading_ready):
    order, cartons, pick_list = loading_ready
    first = cartons[0]
    login(client, "warehouse")
    assert post(client, "/printers/labels/void", {"carton": first.code, "reason": ""}).status_code == 303
    assert LabelVoid.select().count() == 0  # no reason, no void
    assert post(client, "/printers/labels/void", {"carton": first.code, "reason": "printed twice"}).status_code == 303
    voided = LabelVoid.get()
    assert (voided.carton_id, voided.reason, voided.cleared_at) == (first.id, "printed twice", None)
    assert voided.voided_by

    refused = scan("loading", first.code, badge="W004", pick_list=pick_list.code)
    assert (refused.outcome, refused.reason) == ("rejected", "label_voided")
    assert "Print a new label" in refused.message.render("en") and "printed twice" in refused.message.render("en")
    assert "作废" in refused.message.render("zh")

    page = Elements(client.get("/printers?lang=en").text)
    [row] = [r for r in page.select(tag="tr") if r["attrs"].get("data-carton") == first.code]
    assert "void-open" in row["attrs"]["class"]

    # the replacement label from the carton page: a reason is asked, then the carton loads
    assert post(client, f"/shipping/cartons/{first.code}/reprint", {"printer": "pack-zpl"}).status_code == 303
    assert label_voids.active_void(first) is not None  # refused without a reason
    assert post(client, f"/shipping/cartons/{first.code}/reprint", {"printer": "pack-zpl", "reason": "label torn"}
                ).status_code == 303
    assert label_voids.active_void(first) is None
    reprint = PrintJob.select().where(PrintJob.document == f"carton {first.code}").order_by(PrintJob.id.desc()).get()
    assert (reprint.reason, reprint.reprint_of is not None) == ("label torn", True)
    assert LabelVoid.get().cleared_by_job == reprint.id
    assert scan("loading", first.code, badge="W004", pick_list=pick_list.code).ok

    listing = Elements(client.get("/printers?lang=en").text)
    reasons = [" ".join(e["text"].split()) for e in listing.select(css_class="reason")]
    assert "label torn" in reasons
    assert cartons_of(order)


def test_a_reprint_at_packing_records_the_worker(loading_ready):
    from tests.factories import cards_of

    order, cartons, _ = loading_ready
    card = cards_of(order)[0]
    assert not scan("packing", card.code, reprint=cartons[1].code).ok  # no reason: it asks why first
    result = scan("packing", card.code, reprint=cartons[1].code, reprint_reason="Lost")
    assert result.ok
    job = PrintJob.select().where(PrintJob.document == f"carton {cartons[1].code}").order_by(PrintJob.id.desc()).get()
    assert job.reprint_of is not None and job.reason == "Lost" and job.requested_by  # who: the worker signed in
