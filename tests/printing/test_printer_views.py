"""The printers page through the test client: state and queue per printer, test print, retry, reprint,
cancel, preview, adding and editing printers with checked input, and station printers."""

from __future__ import annotations

import io
import itertools
import re

import pytest
from PIL import Image
from pyzbar.pyzbar import ZBarSymbol, decode

from db.models import Printer, PrintJob, Station
from kiosk.i18n import gettext
from kiosk.printing import queue as printing
from kiosk.printing.setup import PrinterSetupError, parse_options
from tests.auth_helpers import login, post
from tests.factories import cards_of, make_order
from tests.loopback import LoopbackPrinter, free_port
from tests.pages import Elements

CJK = re.compile(r"[\u4e00-\u9fff]")
_names = itertools.count(1)


def make_printer(language: str = "zpl", **fields) -> Printer:
    values = {"name": f"printer-{next(_names)}", "uri": f"tcp://127.0.0.1:{free_port()}", "language": language}
    values.update(fields)
    return Printer.create(**values)


def text(element: dict) -> str:
    return " ".join(element["text"].split())


def printer_box(page: Elements, printer: Printer) -> dict:
    [box] = [e for e in page.select(css_class="printer") if e["attrs"].get("data-printer") == printer.name]
    return box


def job_rows(page: Elements) -> dict[int, dict]:
    return {int(e["attrs"]["data-job"]): e for e in page.select(css_class="job", tag="tr")}


def matches(template: str, shown: str) -> bool:
    """`shown` is `template` with its {placeholders} filled in (whitespace squeezed as on the page)."""
    pattern = ".+?".join(re.escape(" ".join(part.split())) for part in re.split(r"\{\w+\}", template))
    return re.fullmatch(pattern, shown) is not None


def flashes(client, url: str = "/printers?lang=en") -> list[str]:
    return [text(e) for e in Elements(client.get(url).text).select(css_class="flash")]


# -- the page --------------------------------------------------------------------------------------


def test_page_shows_each_printer_online_or_offline_with_its_queue_and_last_error(client, plant):
    login(client, "clerk")
    with LoopbackPrinter() as device:
        online = make_printer(uri=device.uri)
        printing.enqueue(online.name, "carton C1", b"^XA^FDone^FS^XZ\n")
        assert printing.deliver_pending(online) == 1
    offline = make_printer(language="escpos")
    waiting = [printing.enqueue(offline.name, f"job card JC{i}", b"\x1b@hello\n") for i in range(3)]
    assert printing.deliver_pending(offline) == 0  # nothing listens: refused

    page = Elements(client.get("/printers?lang=en").text)

    on, off = printer_box(page, online), printer_box(page, offline)
    assert (on["attrs"]["data-state"], on["attrs"]["data-queued"]) == ("online", "0")
    assert (off["attrs"]["data-state"], off["attrs"]["data-queued"]) == ("offline", "3")
    assert "Offline - 3 waiting; printing resumes by itself when the printer is back" in text(off)
    [last_error] = page.select(css_class="last-error", tag="p")  # only the offline printer has one
    assert "refused the connection" in text(last_error)
    rows = job_rows(page)
    assert [rows[job.id]["attrs"]["data-status"] for job in waiting] == ["queued"] * 3
    assert "Job card JC0" in text(rows[waiting[0].id])
    assert page.select(id="printer-form") == []  # only admins add printers
    assert page.select(id="nav-printers")

    chinese = Elements(client.get("/printers?lang=zh").text)
    assert "离线 - 3 个任务等待" in text(printer_box(chinese, offline))


def test_htmx_refresh_returns_only_the_printer_list(client, plant):
    login(client, "warehouse")
    make_printer()
    response = client.get("/printers", headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = Elements(response.text)
    assert page.found[0]["attrs"]["id"] == "printer-list" and page.select(tag="nav") == []


def test_who_may_see_the_page_and_who_may_change_printers(client, plant):
    assert "/login" in client.get("/printers").location
    login(client, "finance")
    assert client.get("/printers").status_code == 403
    assert Elements(client.get("/orders/?lang=en").text).select(id="nav-printers") == []
    login(client, "clerk")
    assert client.get("/printers").status_code == 200
    refused = post(client, "/printers", {"name": "x", "uri": "tcp://10.0.0.9:9100", "language": "zpl"})
    assert refused.status_code == 403 and Printer.select().count() == 0
    printer = make_printer()
    assert client.get(f"/printers/{printer.id}/edit").status_code == 403


# -- adding and editing ----------------------------------------------------------------------------

BAD_INPUT = [
    ({"name": ""}, "Give the printer a name of up to {max} characters, e.g. packing-label."),
    ({"name": "taken"}, "A printer called {name} already exists - choose another name."),
    ({"uri": ""}, "Write the printer's address, e.g. tcp://192.168.1.50:9100 (up to {max} characters)."),
    ({"uri": "http://10.0.0.9"}, "Printer address {uri} is not understood - use tcp://host:9100, usb://VID:PID, "
                                 "serial:///dev/ttyUSB0, file:///dev/usb/lp0 or cups://queue"),
    ({"uri": "tcp://10.0.0.9:abc"}, "The port in printer address {uri} is not a number"),
    ({"uri": "tcp://10.0.0.9?speed=1"}, "Unknown option {option} in printer address {uri} - known options: {known}"),
    ({"language": "pcl"}, "Choose the printer's language: ESC/POS for receipt printers, ZPL for Zebra, TSPL for "
                          "TSC, Xprinter and Gprinter label printers."),
    ({"options": '{"dpi": 203'}, "The options are not valid JSON (line {line}, column {column}) - write them like "
                                 "{example}"),
    ({"options": "[203]"}, "The options must be a JSON object in braces, like {example}"),
    ({"options": '{"chinese": "raster"}'}, "A {language} printer has no option {option} - known options: {known}"),
    ({"options": '{"dpi": "203"}'}, "Option {option} must be a whole number from {low} to {high}."),
    ({"options": '{"cjk_charset": "big5"}'}, "Option {option} must be one of: {choices}."),
    ({"options": '{"cjk_font": "E:A^B"}'}, "Option {option} must be a font stored in the printer, such as {example} "
                                           "(letters, digits and : . _ - only), or null."),
    ({"options": '{"carton_label_mm": [100]}'}, "Option {option} must be [width, height] in mm, each from {low} to "
                                                "{high}."),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bad_printer_input_is_refused_with_a_clear_message_in_the_readers_language(client, plant, lang):
    login(client, "admin")
    make_printer(name="taken")
    good = {"name": "packing-label", "uri": "tcp://10.0.0.9:9100", "language": "zpl", "options": ""}
    for change, key in BAD_INPUT:
        form = {**good, **change}
        response = post(client, f"/printers?lang={lang}", form)
        assert response.status_code == 400, change
        page = Elements(response.text)
        [error] = page.select(id="printer-form-error")
        assert matches(gettext(key, lang), text(error)), (change, text(error))
        assert bool(CJK.search(text(error))) == (lang == "zh"), text(error)
        typed = {e["attrs"]["name"]: e["attrs"].get("value") for e in page.select(tag="input")
                 if e["attrs"].get("name") in ("name", "uri")}
        assert typed == {"name": form["name"], "uri": form["uri"]}  # what was typed stays in the form
    assert [p.name for p in Printer.select()] == ["taken"]


def test_adding_a_printer_saves_it_and_says_so(client, plant):
    login(client, "admin")
    form = {"name": "packing-label", "uri": " tcp://10.0.0.9:9100 ", "language": "tspl",
            "options": '{"cjk_font": "TSS24.BF2", "cjk_charset": "gbk", "carton_label_mm": [100, 60]}'}
    response = post(client, "/printers?lang=en", form)
    assert response.status_code == 303
    printer = Printer.get(Printer.name == "packing-label")
    assert (printer.uri, printer.language, printer.state) == ("tcp://10.0.0.9:9100", "tspl", "unknown")
    assert printer.options == {"cjk_font": "TSS24.BF2", "cjk_charset": "gbk", "carton_label_mm": [100.0, 60.0]}
    assert "Printer packing-label added. Print a test label to check it." in flashes(client)


def test_editing_a_printer_renames_it_for_the_stations_that_use_it(client, plant):
    login(client, "admin")
    printer = make_printer(name="old-name", options={"dpi": 203})
    Station.update(label_printer="old-name").where(Station.code == "packing").execute()
    page = Elements(client.get(f"/printers/{printer.id}/edit").text)
    shown = {e["attrs"]["name"]: e["attrs"].get("value") for e in page.select(tag="input") if "name" in e["attrs"]}
    assert (shown["name"], shown["uri"]) == ("old-name", printer.uri)
    assert '{"dpi": 203}' in text(page.select(tag="textarea")[0])

    form = {"name": "packing-zebra", "uri": "tcp://10.0.0.7:9100", "language": "zpl", "options": '{"dpi": 300}'}
    assert post(client, f"/printers/{printer.id}/edit", form).status_code == 303
    printer = Printer.get_by_id(printer.id)
    assert (printer.name, printer.uri, printer.options) == ("packing-zebra", "tcp://10.0.0.7:9100", {"dpi": 300})
    assert Station.get(Station.code == "packing").label_printer == "packing-zebra"

    bad = post(client, f"/printers/{printer.id}/edit?lang=en", {**form, "options": '{"dpi": 2}'})
    assert bad.status_code == 400 and Printer.get_by_id(printer.id).options == {"dpi": 300}


def test_renaming_the_desk_printer_reminds_to_change_the_setting(app, client, plant):
    app.config["DESK_LABEL_PRINTER"] = "desk"
    login(client, "admin")
    printer = make_printer(name="desk")
    form = {"name": "desk-2", "uri": printer.uri, "language": "zpl", "options": ""}
    post(client, f"/printers/{printer.id}/edit", form)
    assert any("DESK_LABEL_PRINTER" in line and "desk-2" in line for line in flashes(client))


def test_station_printers_are_chosen_on_the_page(client, plant):
    login(client, "admin")
    label, receipt = make_printer(name="zebra"), make_printer(name="receipt", language="escpos")
    form = {f"{kind}_{s.code}": "" for s in Station.select() for kind in ("receipt", "label")}
    form.update({"label_packing": label.name, "receipt_loading": receipt.name})
    assert post(client, "/printers/stations?lang=en", form).status_code == 303
    chosen = {s.code: (s.receipt_printer, s.label_printer) for s in Station.select()}
    assert chosen["packing"] == (None, "zebra") and chosen["loading"] == ("receipt", None)
    page = Elements(client.get("/printers?lang=en").text)
    assert "Packing labels" in text(printer_box(page, label))

    post(client, "/printers/stations", {**form, "label_packing": "ghost"})
    assert Station.get(Station.code == "packing").label_printer == "zebra"  # nothing changed
    assert any("No printer is called ghost" in line for line in flashes(client))


def test_parse_options_checks_names_and_values_for_the_language():
    assert parse_options("", "zpl") is None
    assert parse_options('{"chinese": "raster", "cut": false}', "escpos") == {"chinese": "raster", "cut": False}
    assert parse_options('{"cjk_font": null, "gap_mm": 3}', "tspl") == {"cjk_font": None, "gap_mm": 3}
    for text_, language in (('{"cjk_font": "E:SIMSUN.FNT"}', "escpos"), ('{"cut": 1}', "escpos"),
                            ('{"profile": "NO-SUCH"}', "escpos"), ('{"copies": 0}', "zpl"),
                            ('{"direction": 2}', "tspl")):
        with pytest.raises(PrinterSetupError):
            parse_options(text_, language)


# -- the queue from the page -----------------------------------------------------------------------


def test_test_label_retry_reprint_and_cancel(client, plant):
    login(client, "supervisor")
    printer = make_printer(language="escpos")

    assert post(client, f"/printers/{printer.id}/test").status_code == 303
    [test_job] = PrintJob.select().where(PrintJob.printer == printer)
    assert test_job.document == "test label" and test_job.status == "queued"
    printing.deliver_pending(printer)  # refused: the head job now waits out its backoff
    waiting = PrintJob.get_by_id(test_job.id)
    assert waiting.attempts == 1 and waiting.next_try_at > waiting.created_at
    assert post(client, f"/printers/{printer.id}/retry").status_code == 303
    assert PrintJob.get_by_id(test_job.id).next_try_at <= printing.utcnow()

    assert post(client, f"/printers/jobs/{test_job.id}/cancel").status_code == 303
    assert PrintJob.get_by_id(test_job.id).status == "cancelled"
    assert post(client, f"/printers/jobs/{test_job.id}/reprint", {"reason": "torn"}).status_code == 303
    copy = PrintJob.select().order_by(PrintJob.id.desc()).first()
    assert (copy.id != test_job.id, copy.status, bytes(copy.payload)) == (True, "queued", bytes(test_job.payload))

    PrintJob.update(status="printed").where(PrintJob.id == copy.id).execute()
    post(client, f"/printers/jobs/{copy.id}/cancel?lang=en")
    assert PrintJob.get_by_id(copy.id).status == "printed"
    assert any("has already been printed" in line for line in flashes(client))


def test_preview_of_a_queued_job_is_drawn_from_its_bytes(client, plant, app):
    app.config["DESK_LABEL_PRINTER"] = "desk"
    login(client, "clerk")
    printer = make_printer(name="desk", language="tspl")
    order = make_order(lines=[("DT-120", 2)], release=False)
    post(client, f"/orders/{order.number}/release")
    [job] = PrintJob.select().where(PrintJob.printer == printer)
    page = Elements(client.get("/printers").text)
    [link] = [e for e in page.select(css_class="preview") if e["attrs"]["href"].endswith(f"/{job.id}.png")]
    response = client.get(link["attrs"]["href"])
    assert response.mimetype == "image/png"
    codes = {d.data.decode() for d in decode(Image.open(io.BytesIO(response.data)).convert("L"),
                                             symbols=[ZBarSymbol.CODE128, ZBarSymbol.QRCODE])}
    assert codes == {cards_of(order)[0].code}
    assert client.get("/printers/jobs/99999.png").status_code == 404
