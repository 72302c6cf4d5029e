"""Exported cells that Excel shows and never runs (OWASP "CSV injection").

Excel (and LibreOffice) treat a cell that starts with = + - @, a tab or a carriage return as a
formula: a defect reason or a worker's name like =HYPERLINK("http://evil.example","x") would become
a live link in the report. In XLSX such text is written with the string type (never a formula) and a
quote prefix; in CSV it gets a leading apostrophe, which Excel hides. Numbers stay numbers.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def risky(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_value(value):
    """A value for csv.writer: text Excel would run gets a leading apostrophe."""
    if value is None:
        return ""
    return "'" + value if risky(value) else value


def append_row(sheet, values) -> None:
    """sheet.append(values), with every text cell stored as text: never a formula."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if risky(cell.value):
                cell.quotePrefix = True
