"""The settlement as an XLSX workbook: one sheet of totals per worker, one by station and product, one of
deductions and adjustments. Cells go through the shared writer (kiosk/core/spreadsheet.py), so a name or a
reason that Excel would run as a formula stays text. No Flask here."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from db.models import Station
from kiosk.core.spreadsheet import append_row
from kiosk.i18n import gettext
from kiosk.pay.settlement import Settlement


def _money(fen: int) -> Decimal:
    return Decimal(fen) / 100


def export_xlsx(settlement: Settlement, lang: str) -> bytes:
    from openpyxl import Workbook  # openpyxl loads in ~0.3 s: only when a settlement is exported

    def t(text, **params):
        return gettext(text, lang, **params)

    book = Workbook()
    ordered = sorted(settlement.workers.values(), key=lambda w: w.badge)
    sheet = book.active
    sheet.title = t("Pay")[:31]
    append_row(sheet, [t("Pay from {start} to {end}", start=settlement.start.isoformat(),
                         end=(settlement.end - dt.timedelta(days=1)).isoformat())])
    append_row(sheet, [t("Badge"), t("Worker"), t("Passes"), t("Units"), t("Cartons"), t("Rework units"), t("Earned"),
                       t("Deductions"), t("Adjustments"), t("Total")])
    for pay in ordered:
        append_row(sheet, [pay.badge, pay.name, pay.passes, pay.units, pay.cartons, pay.rework_units,
                           _money(pay.earned), _money(pay.deductions), _money(pay.adjustments), _money(pay.total)])
    _by_product(book.create_sheet(t("By station and product")[:31]), ordered, lang, t)
    _deductions(book.create_sheet(t("Deductions and adjustments")[:31]), ordered, t)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _by_product(sheet, ordered, lang: str, t) -> None:
    stations = {s.id: s.name(lang) for s in Station.select()}
    append_row(sheet, [t("Badge"), t("Worker"), t("Station"), t("Product"), t("Passes"), t("Units"), t("Cartons"),
                       t("Rework units"), t("Amount")])
    for pay in ordered:
        for (station_id, model), group in sorted(pay.by_product.items(), key=lambda item: (item[0][0] or 0,
                                                                                            item[0][1])):
            append_row(sheet, [pay.badge, pay.name, stations.get(station_id, ""), model, group.passes, group.units,
                               group.cartons, group.rework_units, _money(group.amount)])


def _deductions(sheet, ordered, t) -> None:
    append_row(sheet, [t("Badge"), t("Worker"), t("Day"), t("Kind"), t("Code"), t("Units"), t("Reason"), t("Amount")])
    for pay in ordered:
        for line in pay.deduction_lines + pay.adjustment_lines:
            deduction = line.kind == "deduction"
            append_row(sheet, [pay.badge, pay.name, line.day.isoformat(),
                               t("Quality deduction") if deduction else t("Adjustment"), line.code, line.units,
                               t(line.reason) if deduction else line.reason, _money(line.amount)])
