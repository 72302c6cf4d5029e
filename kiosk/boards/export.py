"""The daily production report (生产日报表) as a spreadsheet: XLSX (openpyxl) and CSV.

Pure renderers, report -> bytes, in the reader's language. Each table starts with a title row and
a header row; numbers are numbers (not text), so the spreadsheet can sum them.
"""

from __future__ import annotations

import csv
import io

from kiosk.boards.report import DayReport
from kiosk.complaints.complaint import REASONS
from kiosk.core.spreadsheet import append_row, csv_value
from kiosk.i18n import gettext


def tables(report: DayReport, lang: str) -> list[tuple[str, list[list]]]:
    """(title, rows) for each table of the report; the first row of each is its header."""
    def name(station):
        return station.name(lang)

    hours = [f"{h:02d}:00" for h in report.hours]
    by_hour = [[gettext("Station", lang), *hours, gettext("Total", lang), gettext("Rejected scans", lang)]]
    for station in report.stations:
        by_hour.append([name(station), *(report.by_hour.get((station.id, h), 0) for h in report.hours),
                        report.station_totals.get(station.id, 0), report.rejected.get(station.id, 0)])

    by_worker = [[gettext("Badge", lang), gettext("Worker", lang), *(name(s) for s in report.stations),
                  gettext("Total", lang)]]
    for worker in report.workers:
        by_worker.append([worker.badge, worker.name, *(worker.units.get(s.id, 0) for s in report.stations),
                          worker.total])

    qc = report.qc
    rate = None if qc.pass_rate is None else round(qc.pass_rate, 4)
    quality = [[gettext("Inspected", lang), gettext("Passed", lang), gettext("Failed", lang),
                gettext("Pass rate", lang)], [qc.inspected, qc.passed, qc.failed, rate]]
    defects = [[gettext("Defect reason", lang), gettext("Failed units", lang)]]
    defects += [[gettext(defect, lang), units] for defect, units in qc.defects]

    complaints = report.complaints
    complaint_counts = [[gettext("Complaints opened", lang), gettext("Confirmed", lang), gettext("Rejected", lang)],
                        [complaints.opened, complaints.confirmed, complaints.rejected]]
    complaint_reasons = [[gettext("Problem", lang), gettext("Complaints", lang)]]
    complaint_reasons += [[gettext(REASONS.get(reason, reason), lang), count] for reason, count in complaints.reasons]

    attainment = [[gettext("Station", lang), gettext("Plan", lang), gettext("Actual", lang), gettext("Gap", lang),
                   gettext("Plan attainment", lang)]]
    for row in report.plan_rows:
        attainment.append([name(row.station), row.planned, row.actual, row.total_gap,
                           None if row.attainment is None else round(row.attainment, 4)])
    planned = [r for r in report.plan_rows if r.planned]
    attainment.append([gettext("Plant", lang), sum(r.planned for r in planned) if planned else None,
                       sum(r.actual for r in planned) if planned else None,
                       sum(r.total_gap for r in planned) if planned else None,
                       None if report.plan_attainment is None else round(report.plan_attainment, 4)])

    result = [
        (gettext("Output by hour", lang), by_hour),
        (gettext("Output by worker", lang), by_worker),
        (gettext("QC", lang), quality),
        (gettext("Defect reasons", lang), defects),
        (gettext("Complaints", lang), complaint_counts),
        (gettext("Complaint reasons", lang), complaint_reasons),
        (gettext("Plan attainment", lang), attainment),
    ]
    if report.is_today:
        waiting = [[gettext("Station", lang), gettext("Units waiting", lang), gettext("Days of work", lang)]]
        for station in report.stations:
            days = report.waiting_days.get(station.id)
            waiting.append([name(station), report.waiting.get(station.id, 0),
                            None if days is None else round(days, 1)])
        result.append((gettext("Work waiting now", lang), waiting))
    return result


def title(report: DayReport, lang: str, plant_name: str = "") -> str:
    text = gettext("Daily production report {day}", lang, day=report.day.isoformat())
    return f"{plant_name} {text}".strip()


def to_xlsx(report: DayReport, lang: str, plant_name: str = "") -> bytes:
    """One sheet per table: row 1 the report title, row 2 the header, data from row 3."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    heading = title(report, lang, plant_name)
    for sheet_title, rows in tables(report, lang):
        sheet = book.create_sheet(_sheet_name(sheet_title))
        append_row(sheet, [heading])
        sheet["A1"].font = Font(bold=True, size=13)
        for row in rows:
            append_row(sheet, row)  # names and reasons are text, never formulas (kiosk/core/spreadsheet.py)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        if sheet_title == gettext("QC", lang):
            sheet["D3"].number_format = "0.0%"
        if sheet_title == gettext("Plan attainment", lang):
            for (cell,) in sheet.iter_rows(min_row=3, min_col=5, max_col=5):
                cell.number_format = "0.0%"
        sheet.column_dimensions["A"].width = 16
        sheet.freeze_panes = "B3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(text: str) -> str:
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return text[:31]


def to_csv(report: DayReport, lang: str, plant_name: str = "") -> bytes:
    """All tables one after another, each under its title, a blank line between; UTF-8 with BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_value(title(report, lang, plant_name))])
    for table_title, rows in tables(report, lang):
        writer.writerow([])
        writer.writerow([csv_value(table_title)])
        for row in rows:
            writer.writerow([csv_value(value) for value in row])
    return out.getvalue().encode("utf-8-sig")
