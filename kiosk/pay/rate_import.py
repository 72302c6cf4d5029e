"""工价表 from an XLSX sheet: one rate per row, all saved or none.

The file is checked before openpyxl opens it (a small XLSX can expand to gigabytes): the zip's member
count, each member's and the total uncompressed size and the compression ratio; then it is read in
read-only mode with a row cap. Columns (English or Chinese headers):
station 工序, model 型号 or family 系列, unit 计件单价, carton 每箱单价, rework 返工单价, deduct 扣减比例,
tiers 阶梯 ("10:1.50; 20:2.00" = from the 11th unit 1.50, from the 21st 2.00), effective 生效日期.
No Flask here.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from db import write_transaction
from db.models import Station
from kiosk.i18n import Msg, msg
from kiosk.pay.money import parse_fen
from kiosk.pay.rates import RateInput, RateRefused, check, set_rate

MAX_ROWS = 2000
MAX_MEMBERS = 200
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100

HEADERS = {
    "station": ("station", "工序", "工位"),
    "model": ("model", "型号"),
    "family": ("family", "系列", "产品系列"),
    "unit": ("unit", "计件单价", "单价"),
    "carton": ("carton", "每箱单价", "箱单价"),
    "rework": ("rework", "返工单价"),
    "deduct": ("deduct", "扣减比例", "质量扣减"),
    "tiers": ("tiers", "阶梯", "阶梯单价"),
    "effective": ("effective", "生效日期"),
}


@dataclass
class RowError:
    row: int
    message: Msg


class ImportRefused(ValueError):
    def __init__(self, errors: list[RowError]):
        super().__init__("import refused")
        self.errors = errors


def check_zip(content: bytes) -> None:
    """Refuse a file that is not a plausible XLSX before anything parses it."""
    too_big = ImportRefused([RowError(0, msg("This file is too large or not a real XLSX sheet."))])
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ImportRefused([RowError(0, msg("This is not an XLSX file. Save the sheet as .xlsx and try again."))]) \
            from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise too_big
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
            raise too_big
        if member.compress_size and member.file_size / member.compress_size > MAX_RATIO:
            raise too_big


def read_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    check_zip(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parse failure: not a sheet we can read
        raise ImportRefused([RowError(0, msg("This is not an XLSX file. Save the sheet as .xlsx and try again."))]) \
            from None
    rows = []
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            if len(rows) > MAX_ROWS:
                raise ImportRefused([RowError(0, msg("Import at most {max} rows at a time.", max=MAX_ROWS))])
            rows.append(["" if v is None else (v.date().isoformat() if isinstance(v, dt.datetime) else str(v)).strip()
                         for v in values[:20]])
    finally:
        book.close()
    return [row for row in rows if any(row)]


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, name in enumerate(header):
        name = name.strip().lower()
        for field, names in HEADERS.items():
            if name in names:
                found[field] = index
    return found


def _tiers(text: str) -> list[list[int]] | None:
    tiers = []
    for part in text.replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
        part = part.strip().replace("：", ":")
        if not part:
            continue
        after, _, amount = part.partition(":")
        fen = parse_fen(amount)
        if not after.strip().isdigit() or fen is None:
            return None
        tiers.append([int(after), fen])
    return tiers


def parse(rows: list[list[str]]) -> tuple[list[RateInput], list[RowError]]:
    if not rows:
        return [], [RowError(0, msg("The sheet is empty."))]
    columns = _columns(rows[0])
    if "station" not in columns or ("model" not in columns and "family" not in columns):
        return [], [RowError(1, msg("The first row must name the columns: station, model or family, unit, carton."))]
    stations = {s.code: s for s in Station.select()}
    by_name = {name: s.code for s in stations.values() for name in (s.name_zh, s.name_en)}
    rates, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        def cell(field: str, row=row) -> str:
            index = columns.get(field)
            return row[index] if index is not None and index < len(row) else ""

        station = cell("station")
        station = station if station in stations else by_name.get(station, station)
        amounts = {}
        for field, default in (("unit", 0), ("carton", 0), ("rework", 0)):
            text = cell(field)
            amounts[field] = default if text == "" else parse_fen(text)
            if amounts[field] is None:
                errors.append(RowError(number, msg("“{value}” is not an amount in yuan.", value=text[:20])))
        deduct = cell("deduct").rstrip("%") or "100"
        tiers = _tiers(cell("tiers"))
        effective = None
        if cell("effective"):
            try:
                effective = dt.date.fromisoformat(cell("effective")[:10])
            except ValueError:
                errors.append(RowError(number, msg("“{value}” is not a date (YYYY-MM-DD).",
                                                   value=cell("effective")[:20])))
        if tiers is None:
            errors.append(RowError(number, msg("Tiers are written like 10:1.50; 20:2.00")))
        if not deduct.isdigit():
            errors.append(RowError(number, msg("The quality deduction is a percentage from 0 to 100.")))
        if any(e.row == number for e in errors):
            continue
        data = RateInput(station_code=station, model_no=cell("model"), family=cell("family"),
                         unit_fen=amounts["unit"], carton_fen=amounts["carton"], rework_fen=amounts["rework"],
                         deduct_percent=int(deduct), tiers=tiers or None, effective=effective)
        try:
            check(data)
        except RateRefused as refused:
            errors.append(RowError(number, refused.message))
            continue
        rates.append(data)
    return rates, errors


def import_rates(content: bytes, user: str) -> int:
    """Save every rate in the sheet, or none: the errors list each bad row."""
    rates, errors = parse(read_rows(content))
    if errors:
        raise ImportRefused(errors)
    try:
        with write_transaction():
            for number, data in enumerate(rates, start=2):
                try:
                    set_rate(data, user)
                except RateRefused as refused:
                    raise ImportRefused([RowError(number, refused.message)]) from None
    except ImportRefused:
        raise
    return len(rates)
