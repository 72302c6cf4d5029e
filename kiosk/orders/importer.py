"""Import orders from CSV or XLSX: one row per order line, rows grouped by order number.

All or nothing: every bad row is reported with its row number and nothing is saved until the
whole file is clean.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from db import write_transaction
from db.models import Customer, Order, Product
from kiosk.core import xlsx
from kiosk.i18n import Msg, msg
from kiosk.orders.orders import (
    MAX_UNITS_PER_LINE,
    ORDER_NUMBER_RE,
    LineInput,
    OrderError,
    OrderInput,
    contact_phone_problem,
    create_order,
    parse_date,
    validate,
)

# Column names a clerk may use, in either language.
COLUMNS = {
    "order": ("order", "order_number", "order no", "订单号", "订单"),
    "customer": ("customer", "customer_code", "客户", "客户代码"),
    "due_date": ("due_date", "due", "due date", "交期", "交货日期"),
    "model": ("model", "model_no", "product", "型号", "产品型号"),
    "quantity": ("quantity", "qty", "数量"),
    "colour": ("colour", "color", "颜色"),
    "finish": ("finish", "fabric", "面料", "工艺", "面料/工艺"),
    "rush": ("rush", "urgent", "加急"),
    "destination": ("destination", "ship_to", "收货地址", "目的地"),
    "contact": ("contact", "receiving_contact", "收货联系人", "收货人", "联系人"),
    "phone": ("phone", "contact_phone", "收货电话", "联系电话", "电话", "手机"),
    "note": ("note", "notes", "备注"),
}
REQUIRED = ("order", "customer", "due_date", "model", "quantity")
MAX_ROWS = 5000
MAX_CELL = 2000  # characters in one cell (the same as kiosk/core/xlsx.py)
MAX_COLUMNS = 64
TRUE_WORDS = {"1", "y", "yes", "true", "是", "加急", "x"}


@dataclass
class RowError:
    """One row's faults, every one of them, listed once (`message` is the first)."""

    row: int
    message: Msg
    messages: list[Msg] = dataclass_field(default_factory=list)

    def __post_init__(self):
        if not self.messages:
            self.messages = [self.message]


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
    try:
        return xlsx.read_rows(content, MAX_ROWS)
    except xlsx.XlsxRefused as refused:
        raise ImportFailed([RowError(0, refused.message)]) from None


def _header_map(header: list[str]) -> dict[str, int]:
    found = {}
    for index, name in enumerate(header):
        key = str(name).strip().lower()
        for field, names in COLUMNS.items():
            if key in names:
                found[field] = index
    return found


def _number_faults(number: str) -> list[Msg]:
    if not ORDER_NUMBER_RE.match(number):
        return [msg("Order number “{number}” may use only letters, digits, - and _ (up to 32).", number=number[:40])]
    if Order.select().where(Order.number == number).exists():
        return [msg("Order {number} already exists.", number=number)]
    return []


def _line_faults(customer_code: str, line: LineInput) -> list[Msg]:
    """Every fault of one row's customer and line, not only the first (kiosk/orders.validate stops there)."""
    faults = []
    if not Customer.select().where(Customer.code == customer_code[:32]).exists():
        faults.append(msg("Unknown customer “{code}”.", code=customer_code[:40]))
    if not Product.select().where(Product.model_no == str(line.model_no)[:32]).exists():
        faults.append(msg("Unknown product model “{model}”.", model=str(line.model_no)[:40]))
    try:
        quantity = int(str(line.quantity).strip())
    except ValueError:
        faults.append(msg("Quantity “{value}” is not a whole number.", value=str(line.quantity)[:20]))
    else:
        if not 1 <= quantity <= MAX_UNITS_PER_LINE:
            faults.append(msg("Quantity must be between 1 and {max}.", max=MAX_UNITS_PER_LINE))
    return faults


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
    rows_of: dict[str, list[int]] = {}
    errors: list[RowError] = []
    for number, row in enumerate(rows[1:], start=2):
        def cell(field: str, row=row) -> str:
            index = columns.get(field)
            return str(row[index]).strip() if index is not None and index < len(row) else ""

        faults: list[Msg] = []
        order_number = cell("order")
        if not order_number:
            faults.append(msg("Order number is empty."))
        due = None
        try:
            due = parse_date(cell("due_date"))
        except OrderError as error:
            faults.append(error.message)
        line = LineInput(model_no=cell("model"), quantity=cell("quantity"), colour=cell("colour"),
                         finish=cell("finish"))
        faults += _line_faults(cell("customer"), line)
        entry = orders.get(order_number) if order_number else None
        if order_number and entry is None:
            faults += _number_faults(order_number)
            entry = orders[order_number] = OrderInput(
                number=order_number, customer_code=cell("customer"), due_date=due,
                rush=cell("rush").lower() in TRUE_WORDS, destination=cell("destination"), note=cell("note"),
                contact=cell("contact"), phone=cell("phone"),
            )
            phone_problem = contact_phone_problem(cell("phone"))
            if phone_problem is not None:
                faults.append(phone_problem)
            first_row[order_number] = number
        elif entry is not None and (entry.customer_code != cell("customer") or (due and entry.due_date != due)):
            faults.append(msg("Order {order} has a different customer or due date on row {row}.",
                              order=order_number, row=first_row[order_number]))
        if entry is not None:
            entry.lines.append(line)
            rows_of.setdefault(order_number, []).append(number)
        if faults:
            errors.append(RowError(number, faults[0], faults))
    failed_rows = {e.row for e in errors}
    for order_number, entry in orders.items():
        if failed_rows.intersection(rows_of.get(order_number, [])):
            continue  # its rows already list their faults
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
