"""Import orders from CSV or XLSX: one row per order line, rows grouped by order number.

All or nothing: every bad row is reported with its row number and nothing is saved until the
whole file is clean.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from db import write_transaction
from kiosk.i18n import Msg, msg
from kiosk.orders.orders import LineInput, OrderError, OrderInput, create_order, parse_date, validate

# Column names a clerk may use, in either language.
COLUMNS = {
    "order": ("order", "order_number", "order no", "订单号", "订单"),
    "customer": ("customer", "customer_code", "客户", "客户代码"),
    "due_date": ("due_date", "due", "due date", "交期", "交货日期"),
    "model": ("model", "model_no", "product", "型号", "产品型号"),
    "quantity": ("quantity", "qty", "数量"),
    "colour": ("colour", "color", "颜色"),
    "rush": ("rush", "urgent", "加急"),
    "destination": ("destination", "ship_to", "收货地址", "目的地"),
    "note": ("note", "notes", "备注"),
}
REQUIRED = ("order", "customer", "due_date", "model", "quantity")
MAX_ROWS = 5000
MAX_CELL = 2000  # characters in one cell (the same as kiosk/core/xlsx.py)
MAX_COLUMNS = 64
TRUE_WORDS = {"1", "y", "yes", "true", "是", "加急", "x"}


@dataclass
class RowError:
    row: int
    message: Msg


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


def read_rows(filename: str, content: bytes) -> list[list[str]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _csv_rows(content)
    raise ImportFailed([RowError(0, msg("Upload a .csv or .xlsx file."))])


def _csv_rows(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFailed([RowError(0, msg("The file is not UTF-8 or GB18030 text."))])
    rows, kept = [], 0
    try:
        for row in csv.reader(io.StringIO(text)):
            if any(len(cell) > MAX_CELL for cell in row):
                raise ImportFailed([RowError(len(rows) + 1, msg(
                    "Row {row} has a cell longer than {max} characters; shorten it and import again.",
                    row=len(rows) + 1, max=MAX_CELL))])
            kept += any(cell.strip() for cell in row)
            if kept > MAX_ROWS + 1 or len(rows) > 4 * MAX_ROWS + 100:  # stop reading at the limit
                raise ImportFailed([RowError(0, msg("Import at most {max} rows at a time.", max=MAX_ROWS))])
            rows.append(row[:MAX_COLUMNS])
    except csv.Error:
        raise ImportFailed([RowError(0, msg("The file is not a readable CSV file: save it from Excel as CSV "
                                            "and try again."))]) from None
    return rows


def _xlsx_rows(content: bytes) -> list[list[str]]:
    """Checked member by member before openpyxl opens it; rows and cells capped while reading."""
    from kiosk.core.xlsx import XlsxRefused, read_rows

    try:
        return read_rows(content, MAX_ROWS)
    except XlsxRefused as refused:
        raise ImportFailed([RowError(0, refused.message)]) from None


def _header_map(header: list[str]) -> dict[str, int]:
    found = {}
    for index, name in enumerate(header):
        key = str(name).strip().lower()
        for field, names in COLUMNS.items():
            if key in names:
                found[field] = index
    return found


def import_orders(filename: str, content: bytes, release: bool = False, card_units: int = 20) -> list[str]:
    """Create the file's orders; return their numbers. Raise ImportFailed listing every bad row."""
    rows = [r for r in read_rows(filename, content) if any(str(c).strip() for c in r)]
    if not rows:
        raise ImportFailed([RowError(0, msg("The file is empty."))])
    if len(rows) > MAX_ROWS + 1:
        raise ImportFailed([RowError(0, msg("Import at most {max} rows at a time.", max=MAX_ROWS))])
    columns = _header_map(rows[0])
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportFailed([RowError(1, msg("Missing columns: {names}.", names=", ".join(missing)))])

    orders: dict[str, OrderInput] = {}
    first_row: dict[str, int] = {}
    errors: list[RowError] = []
    for number, row in enumerate(rows[1:], start=2):
        def cell(field: str, row=row) -> str:
            index = columns.get(field)
            return str(row[index]).strip() if index is not None and index < len(row) else ""

        order_number = cell("order")
        if not order_number:
            errors.append(RowError(number, msg("Order number is empty.")))
            continue
        try:
            due = parse_date(cell("due_date"))
        except OrderError as error:
            errors.append(RowError(number, error.message))
            continue
        entry = orders.get(order_number)
        if entry is None:
            entry = orders[order_number] = OrderInput(
                number=order_number, customer_code=cell("customer"), due_date=due,
                rush=cell("rush").lower() in TRUE_WORDS, destination=cell("destination"), note=cell("note"),
            )
            first_row[order_number] = number
        elif entry.customer_code != cell("customer") or entry.due_date != due:
            errors.append(RowError(number, msg("Order {order} has a different customer or due date on row "
                                               "{row}.", order=order_number, row=first_row[order_number])))
            continue
        entry.lines.append(LineInput(model_no=cell("model"), quantity=cell("quantity"), colour=cell("colour")))
        try:  # check the line now, so each bad row is named
            validate(OrderInput(number="CHECK-ROW", customer_code=entry.customer_code, due_date=due,
                                lines=[entry.lines[-1]]))
        except OrderError as error:
            errors.append(RowError(number, error.message))
    for order_number, entry in orders.items():
        try:
            validate(entry)
        except OrderError as error:
            errors.append(RowError(first_row[order_number], error.message))
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row))
    with write_transaction():
        for entry in orders.values():
            create_order(entry, release=release, card_units=card_units)
    return list(orders)
