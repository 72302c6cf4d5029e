"""Complaints and replacement parts: each rule and what it says, photos checked by their bytes and
kept on disk, a manager's one decision, the replacement order it makes and its carton labels, the
daily report's complaint figures, and the clerk and manager pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from db.models import (
    Carton,
    Complaint,
    ComplaintPhoto,
    JobCard,
    Order,
    OrderLine,
    PrintJob,
    Route,
    RouteStep,
    ScanEvent,
    Station,
)
from kiosk.complaints import complaint as complaints
from kiosk.complaints import photos as complaint_photos
from kiosk.complaints.complaint import ComplaintError, ComplaintInput, Decision
from kiosk.complaints.photos import Upload
from kiosk.core import plant, settings
from kiosk.core.clock import long_time
from kiosk.i18n import Msg
from kiosk.shipping import cartons as cartons_module
from kiosk.shipping.pick_lists import create_pick_list
from tests.auth_helpers import login, make_user, post
from tests.factories import cards_of, cartons_of, make_order, packed, picture, scan, set_printer, ship, stocked, whole
from tests.pages import Elements

# -- helpers ---------------------------------------------------------------------------------------






def complaint_about(order: Order, carton: Carton | None = None, photos=(), **fields) -> ComplaintInput:
    values = dict(order_number=order.number, reason="transit_damage", description="Corner crushed",
                  line_no=1 if carton is None else None, carton_code=carton.code if carton else "", units=1,
                  photos=list(photos))
    values.update(fields)
    return ComplaintInput(**values)


def refusal(call, *args, **kwargs) -> str:
    with pytest.raises(ComplaintError) as caught:
        call(*args, **kwargs)
    return caught.value.message.render("en")




@pytest.fixture
def clerk(plant):
    return make_user("clerk", username="clerk1", name="李跟单")


@pytest.fixture
def manager(plant):
    return make_user("supervisor", username="boss1", name="赵主管")


# -- recording -------------------------------------------------------------------------------------


def test_a_complaint_about_a_shipped_carton_is_recorded_with_its_photo_and_audited(shipped_order, clerk, tmp_path):
    order, shipped = shipped_order
    photo = picture("PNG")
    complaint = complaints.open_complaint(complaint_about(order, shipped[1], [Upload("corner.png", photo)],
                                                          part="table top"), clerk.username, tmp_path)
    complaint = Complaint.get_by_id(complaint.id)
    assert complaint.code == f"CP{complaint.id:06d}"
    assert (complaint.state, complaint.order_id, complaint.carton_id, complaint.units) == ("open", order.id,
                                                                                           shipped[1].id, 1)
    assert complaint.order_line_id == shipped[1].order_line_id and complaint.created_by == "clerk1"
    [kept] = complaint.photos
    assert (kept.content_type, kept.size) == ("image/png", len(photo))
    path = complaint_photos.photo_path(kept, tmp_path)
    assert path.read_bytes() == photo and path.parent == tmp_path / complaint.code
    [event] = ScanEvent.select().where(ScanEvent.action == "complaint_opened")
    assert (event.user, event.order_id, event.carton_id, event.reason, event.outcome) == (
        "clerk1", order.id, shipped[1].id, "transit_damage", "ok")
    assert Msg.from_json(event.message).render("en") == (
        f"Complaint {complaint.code} on order SO-CP-1, line 1 (DT-120) - {shipped[1].code}: Damaged in transit. "
        "Recorded by clerk1.")
    assert "运输损坏" in Msg.from_json(event.message).render("zh")


def test_cannot_complain_about_an_order_that_shipped_nothing(plant, clerk, tmp_path):
    order = make_order(lines=[("DC-08", 2)], number="SO-CP-2")
    stocked(order)  # in the warehouse, and even on a truck that has not left: not shipped
    pick_list = create_pick_list("LH", whole(order), "沪A1", "loading")
    scan("loading", pick_list.code)
    scan("loading", cartons_of(order)[0].code, pick_list=pick_list.code)
    text = refusal(complaints.open_complaint, complaint_about(order), clerk.username, tmp_path)
    assert text == ("Order SO-CP-2 has shipped nothing yet, so there is nothing to complain about. For goods still "
                    "in the plant, tell the supervisor.")
    assert Complaint.select().count() == 0
    assert not ScanEvent.select().where(ScanEvent.action.startswith("complaint")).exists()


def test_only_what_shipped_may_be_complained_about(plant, clerk, tmp_path):
    order = make_order(lines=[("DC-08", 2), ("NS-02", 1)], number="SO-CP-3")
    chairs, nightstand = order.lines.order_by(OrderLine.line_no)
    ship(order, {chairs.id: 1})  # one chair left; the rest stays in the plant
    left = [c for c in cartons_of(order) if c.status == "loaded"]
    still_here = [c for c in cartons_of(order) if c.status != "loaded"]
    assert len(left) == 1 and Order.get_by_id(order.id).status == "partly_shipped"
    other = make_order(lines=[("DC-08", 1)], number="SO-CP-4")
    theirs = ship(other)

    def refused(**fields):
        return refusal(complaints.open_complaint, complaint_about(order, **fields), clerk.username, tmp_path)

    assert refused(line_no=2) == ("Line 2 (NS-02) of order SO-CP-3 has shipped nothing yet. Choose a line the "
                                  "customer received.")
    assert refused(carton_code=still_here[0].code, line_no=None) == (
        f"Carton {still_here[0].code} has not shipped yet: it is still in the plant. A complaint is about goods the "
        "customer received.")
    assert refused(carton_code=theirs[0].code, line_no=None) == (
        f"Carton {theirs[0].code} belongs to order SO-CP-4, not SO-CP-3.")
    assert refused(carton_code="C99999999", line_no=None) == (
        "There is no carton C99999999. Check the code on the carton label.")
    assert refused(carton_code=left[0].code, line_no=2) == (
        f"Carton {left[0].code} is of line 1 (DC-08), not line 2. Choose the line of the carton, or leave the "
        "carton out.")
    assert refused(line_no="") == "Choose which product of order SO-CP-3 the complaint is about."
    assert refused(reason="") == "Choose what kind of problem it is."
    assert refused(description="  \n ") == "Say what is wrong, in the customer's words if you have them."
    assert refused(units=2) == "Units to replace must be between 1 and 1, the units of this line that shipped."
    assert refused(units="x") == "Units to replace must be between 1 and 1, the units of this line that shipped."
    assert refusal(complaints.open_complaint, complaint_about(order, order_number="NOPE"), "clerk1", tmp_path) == (
        "There is no order NOPE. Check the number on the customer's delivery note.")
    assert Complaint.select().count() == 0
    # the carton alone names the line
    complaint = complaints.open_complaint(complaint_about(order, left[0]), clerk.username, tmp_path)
    assert complaint.order_line_id == chairs.id and complaint.carton_id == left[0].id


# -- photos ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_photos_are_kept(kind):
    data = picture(kind)
    checked = complaint_photos.check_photo(Upload(f"p.{kind.lower()}", data))
    assert checked.content_type == complaint_photos.PHOTO_TYPES[kind][0]
    with Image.open(io.BytesIO(checked.data)) as kept:  # saved again without metadata: the same picture
        assert (kept.format, kept.size) == (kind, (64, 48))


def test_photos_refused_with_a_clear_message():
    def refused(name, data, max_bytes=complaint_photos.PHOTO_MAX_BYTES):
        with pytest.raises(complaint_photos.PhotoRefused) as caught:
            complaint_photos.check_photo(Upload(name, data), max_bytes)
        return caught.value.message.render("en")

    big = picture("PNG", (400, 400)) + b"\0" * 300_000
    assert refused("big.png", big, 200_000) == (
        "Photo big.png is 0.3 MB; the most is 0.2 MB. Send a smaller copy (a phone's "
        "\"medium\" size is enough).")
    assert refused("notes.jpg", b"these are not the pixels you are looking for") == (
        "Photo notes.jpg is not a JPEG, PNG or WebP picture. Save it as one of those and try again.")
    assert refused("anim.gif", picture("GIF")).startswith("Photo anim.gif is not a JPEG, PNG or WebP picture.")
    assert refused("page.jpg", b"%PDF-1.4\n...").startswith("Photo page.jpg is not a JPEG")
    # the right magic, but not a picture behind it; a picture cut short in transfer
    assert refused("fake.jpg", b"\xff\xd8\xff" + b"\0" * 200) == (
        "Photo fake.jpg is damaged or incomplete and cannot be opened. Take or save it again.")
    whole_png = picture("PNG", (300, 200))
    assert refused("cut.png", whole_png[: len(whole_png) // 2]).startswith("Photo cut.png is damaged or incomplete")
    assert refused("empty.png", b"") == "Photo empty.png is empty. Choose the picture again."


def test_a_bad_photo_keeps_nothing(shipped_order, clerk, tmp_path):
    order, shipped = shipped_order
    uploads = [Upload("good.png", picture("PNG")), Upload("bad.jpg", b"not a picture")]
    text = refusal(complaints.open_complaint, complaint_about(order, shipped[0], uploads), clerk.username, tmp_path)
    assert text.startswith("Photo bad.jpg is not a JPEG, PNG or WebP picture.")
    assert Complaint.select().count() == 0 and ComplaintPhoto.select().count() == 0
    assert list(tmp_path.rglob("*.png")) == []


def test_a_failed_transaction_removes_the_files_it_wrote(shipped_order, clerk, tmp_path, monkeypatch):
    order, shipped = shipped_order

    def broken_record(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(complaints, "_record", broken_record)
    with pytest.raises(RuntimeError):
        complaints.open_complaint(complaint_about(order, shipped[0], [Upload("a.png", picture())]), "clerk1",
                                  tmp_path / "photos")
    assert Complaint.select().count() == 0 and list((tmp_path / "photos").rglob("*.*")) == []


def test_more_photos_later_and_at_most_twelve(shipped_order, clerk, tmp_path):
    order, shipped = shipped_order
    complaint = complaints.open_complaint(complaint_about(order, shipped[0]), clerk.username, tmp_path)
    added = complaints.add_photos(complaint.code, [Upload(f"{i}.jpg", picture("JPEG")) for i in range(12)],
                                  "clerk1", tmp_path)
    assert len(added) == 12 and len(list((tmp_path / complaint.code).iterdir())) == 12
    assert refusal(complaints.add_photos, complaint.code, [Upload("13.jpg", picture("JPEG"))], "clerk1",
                   tmp_path) == "A complaint keeps at most 12 photos; this one has 12. Choose the clearest."
    assert refusal(complaints.add_photos, complaint.code, [], "clerk1", tmp_path) == (
        "Choose one or more photos to add.")
    [event] = ScanEvent.select().where(ScanEvent.action == "complaint_photo")
    assert event.user == "clerk1" and Msg.from_json(event.message).render("en") == (
        f"12 photos added to complaint {complaint.code} by clerk1.")


def test_a_photo_path_outside_the_folder_is_never_served(shipped_order, clerk, tmp_path):
    order, shipped = shipped_order
    complaint = complaints.open_complaint(complaint_about(order, shipped[0], [Upload("a.png", picture())]),
                                          clerk.username, tmp_path / "photos")
    (tmp_path / "secret.txt").write_text("secret")
    photo = ComplaintPhoto.get(ComplaintPhoto.complaint == complaint)
    assert complaint_photos.photo_path(photo, tmp_path / "photos") is not None
    photo.path = "../secret.txt"
    assert complaint_photos.photo_path(photo, tmp_path / "photos") is None


# -- the manager's decision ------------------------------------------------------------------------


@pytest.fixture
def open_complaint(shipped_order, clerk, tmp_path):
    order, shipped = shipped_order
    return complaints.open_complaint(complaint_about(order, shipped[0], part="table top"), clerk.username, tmp_path)


def test_only_managers_decide(open_complaint, clerk):
    for user in (clerk.username, make_user("warehouse").username, make_user("finance").username, "nobody"):
        assert refusal(complaints.decide, open_complaint.code, Decision(True, "ok", "standard"), user) == (
            "Only a supervisor or an admin can confirm or reject a complaint. Ask one of them to decide.")
    inactive = make_user("supervisor", active=False)
    assert refusal(complaints.decide, open_complaint.code, Decision(False, "no"), inactive.username).startswith(
        "Only a supervisor or an admin")
    assert Complaint.get_by_id(open_complaint.id).state == "open"
    assert not ScanEvent.select().where(ScanEvent.action.in_(["complaint_confirmed", "complaint_rejected"])).exists()


def test_a_decided_complaint_cannot_be_decided_again(shipped_order, clerk, manager, tmp_path):
    order, shipped = shipped_order
    first = complaints.open_complaint(complaint_about(order, shipped[0]), clerk.username, tmp_path)
    second = complaints.open_complaint(complaint_about(order, shipped[2]), clerk.username, tmp_path)
    rejected = complaints.decide(first.code, Decision(False, "Customer assembled it wrong"), manager.username)
    assert (rejected.state, rejected.decided_by, rejected.decision_note) == ("rejected", "boss1",
                                                                           "Customer assembled it wrong")
    assert rejected.replacement_order_id is None and rejected.decided_at is not None
    at = long_time(rejected.decided_at)
    admin = make_user("admin")
    assert refusal(complaints.decide, first.code, Decision(True, "changed my mind", "standard"), admin.username) == (
        f"Complaint {first.code} was already rejected by boss1 at {at}. A decision cannot be changed; record a new "
        "complaint if the customer comes back.")
    confirmed = complaints.decide(second.code, Decision(True, "Crushed in transit", "standard"), manager.username)
    assert refusal(complaints.decide, second.code, Decision(False, "no"), admin.username).startswith(
        f"Complaint {second.code} was already confirmed by boss1 at ")
    assert Order.select().where(Order.replacement_for == order).count() == 1  # not a second replacement
    assert Complaint.get_by_id(first.id).state == "rejected" and confirmed.state == "confirmed"
    [event] = ScanEvent.select().where(ScanEvent.action == "complaint_rejected")
    assert (event.user, event.order_id, event.code) == ("boss1", order.id, first.code)
    assert Msg.from_json(event.message).render("en") == (
        f"Complaint {first.code} rejected by boss1: Customer assembled it wrong")


def test_a_decision_needs_a_note_and_a_route_that_ships(open_complaint, manager):
    assert refusal(complaints.decide, open_complaint.code, Decision(True, " ", "standard"), manager.username) == (
        "Write a note for the decision: why it is confirmed or rejected.")
    assert refusal(complaints.decide, open_complaint.code, Decision(True, "ok", "no-such"), manager.username) == (
        "Choose the route the replacement parts will follow.")
    route = Route.create(name="touch-up")
    for seq, code in enumerate(("finishing", "qc", "packing")):
        RouteStep.create(route=route, seq=seq, station=Station.get(Station.code == code))
    plant.forget()
    assert refusal(complaints.decide, open_complaint.code, Decision(True, "ok", "touch-up"), manager.username) == (
        "Route touch-up has no warehouse-in station, and replacement parts must be packed, stored and loaded to "
        "ship. Choose another route.")
    assert "touch-up" not in [r.name for r in complaints.shipping_routes()]
    assert refusal(complaints.decide, open_complaint.code, Decision(True, "ok", "standard", units=3),
                   manager.username) == ("Units to replace must be between 1 and 2, the units of this line that "
                                         "shipped.")
    assert refusal(complaints.decide, open_complaint.code, Decision(True, "ok", "standard", due_date="soon"),
                   manager.username) == "Due date “soon” is not a date; write it as 2026-12-31."
    assert Complaint.get_by_id(open_complaint.id).state == "open"
    assert Order.select().where(Order.kind == "replacement").count() == 0


def test_confirming_makes_a_released_replacement_order_on_the_chosen_route(shipped_order, clerk, manager, tmp_path):
    from kiosk.demo import seed_replacement_route

    order, shipped = shipped_order
    route = seed_replacement_route()
    first = complaints.open_complaint(complaint_about(order, shipped[0], part="table top"), clerk.username, tmp_path)
    due = dt.date.today() + dt.timedelta(days=3)
    complaint = complaints.decide(first.code, Decision(True, "Crushed in transit", "replacement", units=2,
                                                       due_date=due.isoformat(), rush=True), manager.username)
    replacement = Order.get_by_id(complaint.replacement_order_id)
    assert replacement.number == "SO-CP-1-R1"
    assert (replacement.kind, replacement.replacement_for_id, replacement.customer_id) == (
        "replacement", order.id, order.customer_id)
    assert (replacement.status, replacement.due_date, replacement.rush) == ("released", due, True)
    assert replacement.destination == order.destination
    [line] = replacement.lines
    assert (line.product.model_no, line.quantity) == ("DT-120", 2)
    assert [c.route_id for c in cards_of(replacement)] == [route.id]
    assert complaints.decided_note(complaint).render("en") == (
        f"Complaint {first.code} confirmed. Replacement order SO-CP-1-R1 is released to the floor; its job cards "
        "follow route replacement.")
    confirmed, made = (ScanEvent.get(ScanEvent.action == action) for action in ("complaint_confirmed",
                                                                                 "replacement_order"))
    assert (confirmed.user, confirmed.order_id, made.user, made.order_id) == ("boss1", order.id, "boss1",
                                                                             replacement.id)
    assert Msg.from_json(confirmed.message).render("en") == (
        f"Complaint {first.code} confirmed by boss1: Crushed in transit. Replacement order SO-CP-1-R1 released.")
    # a second confirmed complaint on the same order gets the next number; the default route is the product's
    second = complaints.open_complaint(complaint_about(order, shipped[2]), clerk.username, tmp_path)
    again = complaints.decide(second.code, Decision(True, "Also crushed", "standard"), manager.username)
    assert again.replacement_order.number == "SO-CP-1-R2" and again.replacement_order.lines[0].quantity == 1
    assert complaints.complaint_for_replacement(again.replacement_order).id == second.id


def test_replacement_numbers_fit_32_characters(plant):
    original = make_order(lines=[("DC-08", 1)], number="X" * 32)
    assert complaints.replacement_number(original) == "X" * 29 + "-R1"


def test_replacement_cartons_are_labelled_as_replacement_parts(shipped_order, clerk, manager, tmp_path,
                                                                monkeypatch):
    from kiosk.labels import carton_label_layout
    from tests.pages import texts

    order, shipped = shipped_order
    complaint = complaints.open_complaint(complaint_about(order, shipped[0]), clerk.username, tmp_path)
    replacement = complaints.decide(complaint.code, Decision(True, "ok", "standard"), manager.username)
    replacement = replacement.replacement_order
    set_printer("packing", "label_printer", "pack-zpl", "zpl")
    monkeypatch.setattr(settings.SETTINGS, "label_lang", "en")
    made = packed(replacement)
    assert len(made) == 2  # DT-120 ships in 2 cartons a unit
    doc = cartons_module.carton_doc(Carton.get_by_id(made[0].id))
    assert (doc.order_number, doc.replacement_for, doc.replacement) == ("SO-CP-1-R1", "SO-CP-1", False)
    assert "Replacement for SO-CP-1" in texts(carton_label_layout(doc, "en"))
    assert "补件 原单 SO-CP-1" in texts(carton_label_layout(doc, "zh"))
    # what the packing station sent to its label printer says so, on every carton
    jobs = list(PrintJob.select().where(PrintJob.document.startswith("carton ")).order_by(PrintJob.id))
    assert [job.document for job in jobs] == [f"carton {c.code}" for c in made]
    assert all(b"Replacement for SO-CP-1" in bytes(job.payload) for job in jobs)
    # the original order's cartons carry no such mark
    original = cartons_module.carton_doc(Carton.get_by_id(shipped[0].id))
    assert original.replacement_for == "" and not any("Replacement" in text for text in texts(
        carton_label_layout(original, "en")))


# -- reading: order page, report -------------------------------------------------------------------


def test_the_daily_report_counts_complaints_and_reasons(shipped_order, clerk, manager, tmp_path):
    from kiosk.boards import export
    from kiosk.boards.report import day_report
    from kiosk.core.clock import today

    order, shipped = shipped_order
    codes = [complaints.open_complaint(complaint_about(order, carton, reason=reason), clerk.username, tmp_path).code
             for carton, reason in zip(shipped, ["transit_damage", "transit_damage", "defect", "missing_part"],
                                       strict=True)]
    complaints.decide(codes[0], Decision(True, "ok", "standard"), manager.username)
    complaints.decide(codes[1], Decision(False, "no"), manager.username)
    report = day_report(today(), today=today())
    figures = report.complaints
    assert (figures.opened, figures.confirmed, figures.rejected) == (4, 1, 1)
    assert figures.reasons == [("transit_damage", 2), ("defect", 1), ("missing_part", 1)]
    tables = dict(export.tables(report, "en"))
    assert tables["Complaints"] == [["Complaints opened", "Confirmed", "Rejected"], [4, 1, 1]]
    assert tables["Complaint reasons"] == [["Problem", "Complaints"], ["Damaged in transit", 2],
                                           ["Manufacturing defect", 1], ["Missing part or carton", 1]]
    assert dict(export.tables(report, "zh"))["投诉原因"][1] == ["运输损坏", 2]
    yesterday = day_report(today() - dt.timedelta(days=1), today=today())
    assert (yesterday.complaints.opened, yesterday.complaints.reasons) == (0, [])


# -- pages -----------------------------------------------------------------------------------------




def test_a_clerk_records_a_complaint_with_a_photo_that_only_staff_can_see(photo_app, shipped_order):
    order, shipped = shipped_order
    client = photo_app.test_client()
    login(client, "clerk", username="clerk9")
    form = Elements(client.get(f"/complaints/new?order={order.number}&lang=en").get_data(as_text=True))
    assert [row["attrs"]["data-line"] for row in form.select(tag="tr") if "data-line" in row["attrs"]] == ["1"]
    assert {o["attrs"]["value"] for o in form.select(tag="option") if o["attrs"].get("value", "").startswith("C")} \
        == {c.code for c in shipped}
    photo = picture("JPEG")
    response = post(client, "/complaints/new", {
        "order": order.number, "line": "1", "carton": shipped[1].code, "part": "leg", "reason": "defect",
        "description": "Leg split\nalong the grain", "units": "1", "photos": (io.BytesIO(photo), "leg.jpg"),
    }, content_type="multipart/form-data")
    assert response.status_code == 303
    complaint = Complaint.get()
    assert response.location.endswith(f"/complaints/{complaint.code}")
    assert complaint.description == "Leg split\nalong the grain" and complaint.created_by == "clerk9"
    page = Elements(client.get(f"/complaints/{complaint.code}?lang=en").get_data(as_text=True))
    assert page.select(id="complaint-state")[0]["text"] == "Awaiting decision"
    assert page.select(id="awaiting-manager") and not page.select(id="decide-form")  # a clerk does not decide
    [image] = page.select(tag="img")
    served = client.get(image["attrs"]["src"])
    body = served.get_data()
    served.close()  # the file handle send_file opened
    assert served.status_code == 200 and Image.open(io.BytesIO(body)).size == Image.open(io.BytesIO(photo)).size
    assert served.mimetype == "image/jpeg" and "no-store" in served.headers["Cache-Control"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    # not to anyone who is not signed in, nor under another complaint's code
    anonymous = photo_app.test_client()
    refused = anonymous.get(image["attrs"]["src"])
    assert refused.status_code in (302, 303, 401, 403) and refused.data != photo
    other = complaints.open_complaint(complaint_about(order, shipped[0]), "clerk9", photo_app.config[
        "COMPLAINT_PHOTO_DIR"])
    assert client.get(image["attrs"]["src"].replace(complaint.code, other.code)).status_code == 404


def test_the_form_says_why_a_photo_or_an_order_is_refused(photo_app, plant, shipped_order):
    order, shipped = shipped_order
    photo_app.config["COMPLAINT_PHOTO_MAX_BYTES"] = 200 * 1024
    client = photo_app.test_client()
    login(client, "clerk")
    # under 500 kB, so werkzeug's test client keeps the upload in memory (above, it leaves a temporary file open)
    big = picture("PNG", (300, 300)) + b"\0" * 300_000
    response = post(client, "/complaints/new?lang=en", {
        "order": order.number, "line": "1", "reason": "defect", "description": "x", "units": "1",
        "photos": (io.BytesIO(big), "big.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    error = Elements(response.get_data(as_text=True)).select(id="form-error")[0]["text"]
    assert error == ("Photo big.png is 0.3 MB; the most is 0.2 MB. Send a smaller copy (a phone's \"medium\" size "
                     "is enough).")
    assert Complaint.select().count() == 0
    waiting = make_order(lines=[("DC-08", 1)], number="SO-CP-9")
    page = client.get(f"/complaints/new?order={waiting.number}&lang=en")
    assert Elements(page.get_data(as_text=True)).select(id="form-error")[0]["text"].startswith(
        "Order SO-CP-9 has shipped nothing yet")
    assert not Elements(page.get_data(as_text=True)).select(id="complaint-form")


def test_a_manager_decides_on_the_page_and_the_order_pages_show_it(photo_app, shipped_order, tmp_path):
    order, shipped = shipped_order
    complaint = complaints.open_complaint(complaint_about(order, shipped[0]), "clerk1", tmp_path)
    client = photo_app.test_client()
    login(client, "clerk")
    assert post(client, f"/complaints/{complaint.code}/decide", {"decision": "confirm", "note": "ok",
                                                                 "route": "standard"}).status_code == 403
    login(client, "supervisor", username="boss7")
    page = Elements(client.get(f"/complaints/{complaint.code}?lang=en").get_data(as_text=True))
    routes = [o["attrs"]["value"] for o in page.select(tag="option") if o["attrs"].get("value") in ("standard",
                                                                                                   "no-finish")]
    assert routes == ["no-finish", "standard"]
    response = post(client, f"/complaints/{complaint.code}/decide?lang=en", {"decision": "confirm", "note": " "})
    assert response.status_code == 400 and Elements(response.get_data(as_text=True)).select(id="form-error")[0][
        "text"] == "Write a note for the decision: why it is confirmed or rejected."
    response = post(client, f"/complaints/{complaint.code}/decide", {
        "decision": "confirm", "note": "Crushed", "route": "standard", "units": "1", "rush": "1"})
    assert response.status_code == 303
    page = Elements(client.get(f"/complaints/{complaint.code}?lang=en").get_data(as_text=True))
    assert page.select(id="complaint-state")[0]["text"] == "Confirmed"
    assert page.select(id="replacement-order")[0]["text"] == "SO-CP-1-R1"
    assert "Replacement order SO-CP-1-R1 is released" in page.select(id="flash")[0]["text"]
    assert Complaint.get_by_id(complaint.id).decided_by == "boss7"
    # the original order's page lists the complaint and its state; the replacement's says what it replaces
    original = Elements(client.get(f"/orders/{order.number}?lang=en").get_data(as_text=True))
    [row] = [r for r in original.select(tag="tr") if r["attrs"].get("data-complaint") == complaint.code]
    assert row["attrs"]["data-state"] == "confirmed" and "Confirmed" in row["text"] and "SO-CP-1-R1" in row["text"]
    made = Elements(client.get("/orders/SO-CP-1-R1?lang=zh").get_data(as_text=True))
    assert " ".join(made.select(id="replacement-of")[0]["text"].split()).startswith(
        f"订单 SO-CP-1 的补件单，投诉 {complaint.code}。")
    listed = Elements(client.get("/complaints/?state=confirmed&lang=en").get_data(as_text=True))
    assert [r["attrs"]["data-complaint"] for r in listed.select(tag="tr") if "data-complaint" in r["attrs"]] == [
        complaint.code]


def test_the_demo_has_a_complaint_waiting_for_a_decision(app, plant, tmp_path):
    from kiosk.demo import seed_complaints

    app.config["COMPLAINT_PHOTO_DIR"] = str(tmp_path / "photos")
    with app.app_context():
        seed_complaints()
    [complaint] = Complaint.select()
    assert complaint.state == "open" and complaint.order.status == "shipped"
    assert complaint.carton.status == "loaded" and complaint.photos.count() == 1
    assert complaint_photos.photo_path(complaint.photos[0], tmp_path / "photos") is not None
    assert JobCard.select().join(OrderLine).where(OrderLine.order == complaint.order).count() == 2
    assert "replacement" in [r.name for r in complaints.shipping_routes()]
