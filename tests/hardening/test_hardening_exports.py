"""Issue 15, F3: a defect reason or a worker's name that Excel would run as a formula stays text in
report.xlsx (string type, never a formula) and in report.csv (a leading apostrophe)."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook

from kiosk.core.clock import today
from kiosk.people import users
from tests.auth_helpers import login
from tests.factories import cards_of, make_order, scan

EVIL = '=HYPERLINK("http://evil.example","x")'
OTHERS = ["+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tTAB=1+1"]


def seed_hostile_names():
    users.add_worker("W900", EVIL, by="test")
    for index, name in enumerate(OTHERS):
        users.add_worker(f"W90{index + 1}", name, by="test")
    order = make_order(lines=[("DT-120", 5)], number="X-1")
    card = cards_of(order)[0]
    assert scan("whitebody", card.code, badge="W900").outcome == "ok"
    assert scan("finishing", card.code, badge="W901").outcome == "ok"
    failed = scan("qc", card.code, badge="W902", verdict="fail", failed_units="1", defect=EVIL,
                  rework_station="finishing")
    assert failed.ok, failed.message.render("en")


def test_f3_formulas_in_names_and_defects_stay_text_in_the_xlsx(client, plant):
    seed_hostile_names()
    login(client, "clerk")
    response = client.get(f"/board/stations/report.xlsx?date={today().isoformat()}&lang=en")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any("<f>" in xml or "<f " in xml for xml in sheets)  # no formula anywhere
    book = load_workbook(io.BytesIO(response.data))
    texts = {cell.value: cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str)}
    for name in [EVIL, *OTHERS[:2]]:  # the workers who scanned, and the defect reason
        assert name in texts, name
        assert texts[name].data_type == "s" and texts[name].quotePrefix, name


def test_f3_formulas_in_names_and_defects_get_an_apostrophe_in_the_csv(client, plant):
    seed_hostile_names()
    login(client, "clerk")
    response = client.get(f"/board/stations/report.csv?date={today().isoformat()}&lang=en")
    cells = [cell for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig"))) for cell in row]
    assert "'" + EVIL in cells
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells), \
        [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'-2+3" in cells and "'" + OTHERS[0] in cells
