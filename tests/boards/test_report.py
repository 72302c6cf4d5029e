"""The station board / daily production report for a past day, and its XLSX and CSV exports.
Expected figures are counted by hand from the scans below."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook

from kiosk.boards import report
from tests.factories import DAY, at, cards_of, make_order, scan, scan_at
from tests.pages import sign_in


def seed_day():
    r = make_order(lines=[("DT-120", 5)], number="R-1")
    s = make_order(lines=[("DC-08", 4)], number="S-1")
    t = make_order(lines=[("DC-08", 2)], number="T-1")
    card_r, card_s, card_t = cards_of(r)[0], cards_of(s)[0], cards_of(t)[0]
    scan_at(at(DAY - dt.timedelta(days=1), 23, 30), "whitebody", card_t.code, "W001")  # the day before
    scan_at(at(DAY, 8, 15), "whitebody", card_r.code, "W001")  # 5 units
    scan_at(at(DAY, 8, 45), "whitebody", card_s.code, "W001")  # 4 units
    scan_at(at(DAY, 9, 40), "finishing", card_r.code, "W002")  # 5 units
    failed = scan_at(at(DAY, 10, 5), "qc", card_r.code, "W003", verdict="fail", failed_units="2",
                     defect="Scratch", rework_station="finishing")  # 3 good carry on, 2 to rework
    rework = failed.detail["rework_card"]
    scan_at(at(DAY, 13, 30), "finishing", rework, "W002")  # 2 units
    scan_at(at(DAY, 14, 50), "qc", rework, "W003", verdict="pass")  # 2 units
    rejected = scan_at(at(DAY, 15, 10), "qc", card_s.code, "W004", verdict="pass")  # not through finishing
    assert rejected.outcome == "rejected"
    return r


def test_day_report_counts_output_by_hour_and_worker_and_qc(plant):
    seed_day()
    day = report.day_report(DAY, today=DAY + dt.timedelta(days=30))
    codes = {s.code: s.id for s in day.stations}
    by_hour = {(code, h): day.by_hour.get((sid, h), 0) for code, sid in codes.items() for h in day.hours}
    assert {k: v for k, v in by_hour.items() if v} == {
        ("whitebody", 8): 9,  # 5 (R) + 4 (S); T's scan was the evening before
        ("finishing", 9): 5, ("finishing", 13): 2,
        ("qc", 10): 3, ("qc", 14): 2,  # the good units of the fail, then the rework passing
    }
    assert day.hours[0] == 7 and day.hours[-1] == 19
    assert {code: day.station_totals.get(sid, 0) for code, sid in codes.items()} == {
        "whitebody": 9, "finishing": 7, "qc": 5, "packing": 0, "warehouse": 0, "loading": 0}
    assert day.rejected == {codes["qc"]: 1}
    assert [(w.badge, w.total) for w in day.workers] == [("W001", 9), ("W002", 7), ("W003", 5)]
    # QC: passed 3 + 2 = 5, failed 2, inspected 7
    assert (day.qc.inspected, day.qc.passed, day.qc.failed) == (7, 5, 2)
    assert round(day.qc.pass_rate, 4) == 0.7143
    assert day.qc.defects == [("Scratch", 2)]
    assert not day.is_today and day.waiting == {}


def test_today_shows_work_waiting_and_the_bottleneck(plant):
    order = make_order(lines=[("DT-120", 30)], number="W-1", card_units=10)  # three cards of 10
    cards = cards_of(order)
    scan("whitebody", cards[0].code)  # 10 wait at finishing, 20 at white-body
    from kiosk.core.clock import today

    day = report.day_report(today(), today=today())
    codes = {s.code: s.id for s in day.stations}
    assert day.waiting == {codes["whitebody"]: 20, codes["finishing"]: 10}
    # pace: white-body moved 10 in 7 days -> 20 / (10/7) = 14 days of work; finishing has no pace yet
    assert round(day.waiting_days[codes["whitebody"]], 1) == 14.0
    assert day.waiting_days[codes["finishing"]] is None
    assert day.bottleneck_id == codes["finishing"]  # work waiting where nothing has moved for a week


def test_xlsx_export_opens_with_the_right_figures(plant, client):
    seed_day()
    sign_in(client)
    response = client.get(f"/board/stations/report.xlsx?date={DAY}&lang=en")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"production-report-{DAY}.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Output by hour", "Output by worker", "QC", "Defect reasons", "Complaints",
                               "Complaint reasons", "Plan attainment"]

    hours = book["Output by hour"]
    assert hours["A1"].value == f"Demo Furniture Co. Daily production report {DAY}"
    header = [c.value for c in hours[2]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in hours.iter_rows(min_row=3, values_only=True)}
    assert rows["White-body"]["08:00"] == 9 and rows["White-body"]["Total"] == 9
    assert rows["Finishing"]["13:00"] == 2 and rows["Finishing"]["Total"] == 7
    assert rows["QC"]["Rejected scans"] == 1

    workers = book["Output by worker"]
    header = [c.value for c in workers[2]]
    by_badge = {r[0]: dict(zip(header, r, strict=True)) for r in workers.iter_rows(min_row=3, values_only=True)}
    assert by_badge["W002"]["Finishing"] == 7 and by_badge["W002"]["Total"] == 7
    assert by_badge["W001"]["Worker"] == "张伟"

    qc = book["QC"]
    assert [c.value for c in qc[3]] == [7, 5, 2, 0.7143]
    assert qc["D3"].number_format == "0.0%"
    assert [c.value for c in book["Defect reasons"][3]] == ["Scratch", 2]


def test_chinese_xlsx_and_csv(plant, client):
    seed_day()
    sign_in(client)
    book = load_workbook(io.BytesIO(client.get(f"/board/stations/report.xlsx?date={DAY}&lang=zh").data))
    assert "质检" in book.sheetnames
    assert "生产日报表" in book.worksheets[0]["A1"].value

    response = client.get(f"/board/stations/report.csv?date={DAY}&lang=en")
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    start = lines.index(["Output by hour"])
    header, white = lines[start + 1], lines[start + 2]
    assert white[0] == "White-body" and white[header.index("08:00")] == "9"
    qc = lines.index(["QC"])
    assert lines[qc + 2] == ["7", "5", "2", "0.7143"]


def test_station_board_page_for_a_past_day_has_exports_and_no_stream(plant, client):
    seed_day()
    sign_in(client)
    html = client.get(f"/board/stations?date={DAY}&lang=en").get_data(as_text=True)
    assert "Daily production report" in html and "sse-connect" not in html
    assert f'href="/board/stations/report.xlsx?date={DAY}"' in html
    today_html = client.get("/board/stations?lang=en").get_data(as_text=True)
    assert "sse-connect" in today_html and "Station board" in today_html
    assert client.get("/board/stations?date=not-a-date").status_code == 404
