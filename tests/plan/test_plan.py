"""Plan against actual: the arithmetic of hourly plans, gaps and attainment (计划达成率), plans entered,
imported (every fault of a row listed once) and derived from due dates, on the station board and in the XLSX."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from db.models import Station, StationPlan
from kiosk.boards import export, report
from kiosk.core import plant as plant_cache
from kiosk.core.clock import today
from kiosk.plan import plans
from tests.auth_helpers import login, post
from tests.factories import cards_of, make_order, scan
from tests.pages import Elements


def test_a_plan_is_split_over_the_shift_remainder_first():
    assert plans.hourly(100, 8, 18) == {h: 10 for h in range(8, 18)}
    assert plans.hourly(23, 8, 12) == {8: 6, 9: 6, 10: 6, 11: 5}
    assert sum(plans.hourly(7, 8, 18).values()) == 7 and plans.hourly(7, 8, 18)[15] == 0


def test_attainment_per_station_and_for_the_plant():
    a, b, c = (Station(id=i, code=f"s{i}", name_zh=f"工位{i}", name_en=f"S{i}", kind="process") for i in (1, 2, 3))
    by_hour = {(1, 8): 30, (1, 9): 20, (2, 9): 45, (3, 10): 99, (1, 7): 5}  # 7:00 is before the shift
    totals = {1: 55, 2: 45, 3: 99}
    rows = plans.against_actual([a, b, c], {1: 50, 2: 60}, by_hour, totals, 8, 10)
    first, second, third = rows
    assert first.plan_by_hour == {8: 25, 9: 25} and first.actual == 55 and first.outside_shift == 5
    assert (first.gap(8), first.gap(9), first.total_gap) == (5, -5, 5)
    assert first.attainment == pytest.approx(1.1)
    assert second.attainment == pytest.approx(0.75) and second.total_gap == -15
    assert third.planned is None and third.attainment is None  # no plan, no attainment
    assert plans.plant_attainment(rows) == pytest.approx((55 + 45) / (50 + 60))  # stations with a plan only
    assert plans.attainment(10, 0) is None and plans.plant_attainment(rows[2:]) is None


def test_import_lists_every_fault_of_a_row_once_and_saves_nothing(plant):
    plant_cache.forget()
    day = dt.date(2026, 3, 10)
    rows = [["工位", "计划", "日期"], ["涂装", "120", ""], ["nowhere", "ten", "10/3/2026"], ["QC", "", ""],
            ["", "", ""], ["whitebody", "80", "2026-03-11"]]
    with pytest.raises(plans.PlanRefused) as refused:
        plans.import_plans(rows, day, "clerk")
    faults = {row: [m.key for m in found] for row, found in refused.value.errors}
    assert faults == {3: ["Unknown station: {name}", "Units must be a whole number from 0 to {max}: {value}",
                          "The date must be written YYYY-MM-DD: {value}"],
                      4: ["Units are empty."]}
    assert StationPlan.select().count() == 0
    good = [rows[0], rows[1], ["QC", "60", ""], rows[5]]
    assert plans.import_plans(good, day, "clerk") == 3
    finishing, qc, whitebody = (Station.get(Station.code == c) for c in ("finishing", "qc", "whitebody"))
    assert plans.plans_for(day) == {finishing.id: 120, qc.id: 60}
    assert plans.plans_for(dt.date(2026, 3, 11)) == {whitebody.id: 80}
    assert set(plans.sources_for(day).values()) == {"imported"}


def test_derived_plans_spread_remaining_units_over_the_days_left(plant):
    plant_cache.forget()
    day = today()
    make_order(lines=[("DT-120", 10)], due_date=day + dt.timedelta(days=4))  # 5 days counting today: 2 a day
    overdue = make_order(lines=[("DT-120", 3)], due_date=day - dt.timedelta(days=2))  # all of it today
    for card in cards_of(overdue):
        scan("whitebody", card.code)
    derived = plans.derived_plans(day)
    whitebody, finishing = (Station.get(Station.code == c) for c in ("whitebody", "finishing"))
    assert derived[whitebody.id] == 2  # the overdue order is through white-body
    assert derived[finishing.id] == 2 + 3
    plans.set_plan(whitebody.id, day, 40, "clerk")
    made = plans.derive(day, "clerk")
    assert whitebody.id not in made and plans.plans_for(day)[whitebody.id] == 40  # the clerk's plan is kept
    assert plans.plans_for(day)[finishing.id] == 5


def test_the_station_board_and_the_xlsx_show_plan_actual_and_attainment(client, plant):
    plant_cache.forget()
    order = make_order(lines=[("DT-120", 8)], card_units=8)
    scan("whitebody", cards_of(order)[0].code)
    whitebody = Station.get(Station.code == "whitebody")
    day = today()
    plans.set_plan(whitebody.id, day, 10, "clerk")
    data = report.day_report(day, today=day)
    row = next(r for r in data.plan_rows if r.station.id == whitebody.id)
    assert (row.planned, row.actual, row.total_gap) == (10, 8, -2)
    assert data.plan_attainment == pytest.approx(0.8)

    login(client, "clerk")
    html = client.get("/board/stations").text
    found = Elements(html).found
    total = [e for e in found if e["attrs"].get("id") == "plant-attainment"]
    assert "80.0%" in total[0]["text"]
    lines = {e["attrs"]["data-line"] for e in found if e["attrs"].get("data-station") == "whitebody"
             and "data-line" in e["attrs"]}
    assert lines == {"plan", "actual", "gap"}

    book = load_workbook(io.BytesIO(export.to_xlsx(data, "zh")))
    sheet = book["计划达成率"]
    values = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert values[0] == ["工位", "计划", "实际", "差额", "计划达成率"]
    white = next(v for v in values if v[0] == "白茬")
    assert white == ["白茬", 10, 8, -2, 0.8]
    assert values[-1] == ["全厂", 10, 8, -2, 0.8]
    assert sheet.cell(row=3 + values.index(white) - 1, column=5).number_format == "0.0%"


def test_the_clerk_enters_imports_and_derives_a_plan(client, plant):
    plant_cache.forget()
    login(client, "clerk")
    day = "2026-03-10"
    finishing = Station.get(Station.code == "finishing")
    post(client, f"/plan?date={day}", {f"units-{finishing.id}": "75"})
    assert plans.plans_for(dt.date(2026, 3, 10)) == {finishing.id: 75}
    bad = post(client, f"/plan?date={day}", {f"units-{finishing.id}": "7.5"}, follow_redirects=True)
    assert "不是整数" in bad.text and plans.plans_for(dt.date(2026, 3, 10)) == {finishing.id: 75}
    upload = "工位,计划\n质检,abc\n月亮,\n".encode()
    answer = post(client, f"/plan/import?date={day}", {"file": (io.BytesIO(upload), "plan.csv")},
                  content_type="multipart/form-data")
    assert answer.status_code == 400
    items = [e for e in Elements(answer.text).found if e["tag"] == "li" and "data-row" in e["attrs"]]
    assert [i["attrs"]["data-row"] for i in items] == ["2", "3"]  # once per row
    assert "未知工位" in items[1]["text"] and "数量为空" in items[1]["text"]
    assert post(client, f"/plan/derive?date={day}").status_code == 302
