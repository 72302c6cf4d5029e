"""Layouts for job cards, carton labels, pick lists and loading manifests, in Chinese or English.

Each builder turns a document into a printer-neutral `Layout` (elements.py); the renderers turn
that into ZPL, TSPL, ESC/POS or PNG. Labels have a fixed size; the two receipts are a flow of
rows down 72 mm of printable width that ESC/POS prints line by line and PNG draws as a strip.
"""

from __future__ import annotations

import datetime as dt

from kiosk.i18n import gettext
from kiosk.labels import code128
from kiosk.labels.documents import CartonDoc, JobCardDoc, ManifestDoc, PickListDoc, localised
from kiosk.labels.elements import (
    RECEIPT_WIDTH_MM,
    TEXT_LINE_FACTOR,
    Barcode128,
    Box,
    Element,
    Layout,
    Line,
    QRCode,
    Text,
    estimate_width,
    is_wide,
)
from kiosk.labels.sscc import gs1_element_string, human_readable

__all__ = [
    "Barcode128",
    "Box",
    "Flow",
    "Layout",
    "Line",
    "QRCode",
    "Text",
    "carton_label_layout",
    "fit_size",
    "job_card_layout",
    "manifest_layout",
    "pick_list_layout",
    "printer_test_layout",
    "wrap",
]

MARGIN = 3.0
MODULES_MM = (0.375, 0.25)  # 3 and 2 dots at 203 dpi: the widest bars that fit are the easiest to scan
# GS1 logistic label (GS1 General Specifications, SSCC in GS1-128): X at least 0.495 mm, bars at least
# 31.75 mm tall. 0.5 mm is 4 dots at 203 dpi and 6 at 300.
GS1_MODULE_MM = 0.5
GS1_BAR_HEIGHT_MM = 32.0


def fit_size(text: str, size: float, width: float, smallest: float = 2.5) -> float:
    """The largest size up to `size` at which `text` fits `width` mm (never below `smallest`)."""
    need = estimate_width(text, size)
    if need <= width:
        return size
    return max(smallest, round(size * width / need, 2))


def clip(text: str, size: float, width: float) -> str:
    """`text` cut to fit `width` at `size`, ending in '...' when something was cut."""
    if estimate_width(text, size) <= width:
        return text
    while text and estimate_width(text + "...", size) > width:
        text = text[:-1]
    return text.rstrip() + "..."


def wrap(text: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width` at `size`: break after any Chinese character, or at a space."""
    lines: list[str] = []
    line = ""
    for ch in text:
        candidate = line + ch
        if line and estimate_width(candidate, size) > width:
            cut = line.rfind(" ")
            if not is_wide(ch) and ch != " " and cut > 0 and not is_wide(line[-1]):
                lines.append(line[:cut].rstrip())
                line = line[cut + 1 :] + ch
            else:
                lines.append(line.rstrip())
                line = ch.lstrip()
        else:
            line = candidate
    if line.strip() or not lines:
        lines.append(line.strip())
    return lines


def barcode_module(data: str, width: float, gs1: bool = False) -> float:
    """The widest module that fits the barcode and its quiet zones into `width` mm."""
    modules = code128.width_modules(data, gs1) + 2 * code128.QUIET_ZONE_MODULES
    for module in MODULES_MM:
        if modules * module <= width:
            return module
    return MODULES_MM[-1]


def _date(value: dt.date) -> str:
    return value.isoformat()


# -- labels ----------------------------------------------------------------------------------------


def carton_label_layout(doc: CartonDoc, lang: str, width_mm: float = 100, height_mm: float = 70) -> Layout:
    """Carton label: customer, destination, order, product, 'carton i of N' and the carton's barcode.

    With an SSCC the label also carries a GS1-128 barcode of AI (00) and the SSCC.
    """
    w, h = width_mm, height_mm
    s = min(w / 100, h / 70)
    inner = w - 2 * MARGIN
    elements: list[Element] = []
    y = 2.5 * s

    head_width = inner
    if doc.replacement or doc.replacement_for:
        mark = (gettext("Replacement for {number}", lang, number=doc.replacement_for)
                if doc.replacement_for else gettext("Replacement label", lang))
        mark_size = 3.0 * s
        mark_width = estimate_width(mark, mark_size) + 2
        elements.append(Box(w - MARGIN - mark_width, y, mark_width, mark_size * 1.6, 0.4))
        elements.append(Text(w - MARGIN - mark_width, y + mark_size * 0.3, mark, mark_size, True, "center", mark_width))
        head_width = inner - mark_width - 2
    # On a receipt printer (72 mm) the customer prints at double size at least: read from a metre away.
    head = 6 * s if w >= 90 else 6.5
    size = fit_size(doc.customer, head, head_width, smallest=2.5 if w >= 90 else 4.5)
    elements.append(Text(MARGIN, y, clip(doc.customer, size, head_width), size, True, width=head_width))
    y += head * TEXT_LINE_FACTOR

    body = 3.5 * s
    for text in (
        gettext("Destination: {place}", lang, place=doc.destination),
        gettext("Product: {model} {name}", lang, model=doc.product_model, name=doc.product_name),
    ):
        elements.append(Text(MARGIN, y, clip(text, body, inner), body, width=inner))
        y += body * TEXT_LINE_FACTOR
    order = gettext("Order: {number}", lang, number=doc.order_number)
    colour = clip(gettext("Colour: {colour}", lang, colour=doc.colour), body, inner / 2) if doc.colour else ""
    elements.append(Text(MARGIN, y, clip(order, body, inner / 2), body, width=inner / 2))
    if colour:
        elements.append(Text(MARGIN + inner / 2, y, colour, body, align="right", width=inner / 2))
    y += body * TEXT_LINE_FACTOR + 0.8 * s
    elements.append(Line(MARGIN, y, w - MARGIN, y, 0.4))
    y += 1.5 * s

    carton = gettext("Carton {i} of {n}", lang, i=doc.package_no, n=doc.packages)
    unit = gettext("Unit {i} of {n}", lang, i=doc.unit_no, n=doc.units)
    big = fit_size(carton, 7 * s, inner * 0.65)
    elements.append(Text(MARGIN, y, carton, big, True, width=inner * 0.65))
    elements.append(Text(MARGIN + inner * 0.65, y + big - body, unit, body, align="right", width=inner * 0.35))
    y += big * TEXT_LINE_FACTOR + 1.0 * s

    hri = 3.0 * s
    room = h - y - MARGIN
    if doc.sscc:
        element_string = gs1_element_string(doc.sscc)
        code_height = min(10 * s, (room - 2 * (hri * TEXT_LINE_FACTOR + 0.5) - 2) * 0.4)
        sscc_height = room - code_height - 2 * (hri * TEXT_LINE_FACTOR + 0.5) - 2
        elements.append(
            Barcode128(w / 2, y, doc.code, code_height, barcode_module(doc.code, w), doc.code, align="center",
                       text_size=hri)
        )
        y += code_height + hri * TEXT_LINE_FACTOR + 0.5 + 2
        elements.append(
            Barcode128(w / 2, y, element_string, sscc_height, barcode_module(element_string, w, gs1=True),
                       human_readable(doc.sscc), gs1=True, align="center", text_size=hri)
        )
    else:
        height = min(18 * s, room - hri * TEXT_LINE_FACTOR - 0.5)
        elements.append(
            Barcode128(w / 2, y, doc.code, height, barcode_module(doc.code, w), doc.code, align="center",
                       text_size=hri)
        )
    return Layout(w, h, tuple(elements), name=f"carton {doc.code}")


def gs1_logistic_label_layout(doc: CartonDoc, lang: str, sender: str = "", width_mm: float = 100,
                              height_mm: float = 150) -> Layout:
    """GS1 logistic label (100 x 150 mm or A6) for customers whose receiving needs one: from / to at the
    top, a text block of data titles (SSCC, order, content, count), and at the bottom the SSCC as GS1-128
    with AI (00) at X = 0.5 mm, bars 32 mm tall, its (00) line under it. The carton's own code is kept
    small above the GS1 block, so the plant's scanners still find it."""
    if not doc.sscc:
        raise ValueError("a GS1 logistic label needs the carton's SSCC (set SSCC_COMPANY_PREFIX)")
    w, h = width_mm, height_mm
    inner = w - 2 * MARGIN
    elements: list[Element] = []
    y = MARGIN
    small, body = 3.0, 4.0
    if sender:
        elements.append(Text(MARGIN, y, clip(gettext("From: {name}", lang, name=sender), small, inner), small,
                             width=inner))
        y += small * TEXT_LINE_FACTOR
    elements.append(Text(MARGIN, y, gettext("To:", lang), small, width=inner))
    y += small * TEXT_LINE_FACTOR
    size = fit_size(doc.customer, 8.0, inner, smallest=4.0)
    elements.append(Text(MARGIN, y, clip(doc.customer, size, inner), size, True, width=inner))
    y += size * TEXT_LINE_FACTOR
    for line in wrap(doc.destination, body, inner)[:2]:
        elements.append(Text(MARGIN, y, line, body, width=inner))
        y += body * TEXT_LINE_FACTOR
    y += 1.0
    elements.append(Line(MARGIN, y, w - MARGIN, y, 0.5))
    y += 2.0
    titles = (  # GS1 data titles stay in English, as receiving docks read them
        ("SSCC", human_readable(doc.sscc).replace("(00) ", "")),
        ("ORDER", doc.order_number),
        ("CONTENT", f"{doc.product_model} {doc.product_name}".strip()),
        ("COUNT", gettext("Carton {i} of {n}", lang, i=doc.package_no, n=doc.packages)),
    )
    for title, value in titles:
        elements.append(Text(MARGIN, y, title, small, True, width=inner))
        y += small * TEXT_LINE_FACTOR
        value_size = fit_size(value, 5.0, inner, smallest=3.0)
        elements.append(Text(MARGIN, y, clip(value, value_size, inner), value_size, True, width=inner))
        y += value_size * TEXT_LINE_FACTOR + 0.5
    code_height = 8.0
    elements.append(Barcode128(w / 2, y, doc.code, code_height, barcode_module(doc.code, w), doc.code,
                               align="center", text_size=small))
    y += code_height + small * TEXT_LINE_FACTOR + 1.0
    elements.append(Line(MARGIN, y, w - MARGIN, y, 0.5))
    hri = 4.0
    element_string = gs1_element_string(doc.sscc)
    top = h - MARGIN - hri * TEXT_LINE_FACTOR - 0.5 - GS1_BAR_HEIGHT_MM
    elements.append(Text(MARGIN, top - small * TEXT_LINE_FACTOR - 0.5, "SSCC", small, True, width=inner))
    if top < y + 2:
        raise ValueError(f"a {w:g} x {h:g} mm label is too small for a GS1 logistic label")
    elements.append(Barcode128(w / 2, top, element_string, GS1_BAR_HEIGHT_MM, GS1_MODULE_MM,
                               human_readable(doc.sscc), gs1=True, align="center", text_size=hri))
    return Layout(w, h, tuple(elements), name=f"carton {doc.code}")


def job_card_layout(doc: JobCardDoc, lang: str, width_mm: float = 100, height_mm: float = 150) -> Layout:
    """Job card (traveller): order, customer, product, colour, size, units, due date, route, barcode and QR."""
    w, h = width_mm, height_mm
    inner = w - 2 * MARGIN
    qr_size = min(24.0, w * 0.24)
    beside_qr = inner - qr_size - 2
    elements: list[Element] = [QRCode(w - MARGIN - qr_size, MARGIN, doc.code, qr_size)]
    y = MARGIN
    elements.append(Text(MARGIN, y, gettext("Job card", lang), 4.0, True, width=beside_qr))
    y += 4.0 * TEXT_LINE_FACTOR
    order = gettext("Order: {number}", lang, number=doc.order_number)
    size = fit_size(order, 7.0, beside_qr)
    elements.append(Text(MARGIN, y, order, size, True, width=beside_qr))
    y += size * TEXT_LINE_FACTOR + 0.5
    body = 3.5
    customer = gettext("Customer: {name}", lang, name=doc.customer)
    elements.append(Text(MARGIN, y, clip(customer, body, beside_qr), body, width=beside_qr))
    y = max(y + body * TEXT_LINE_FACTOR, MARGIN + qr_size + 1)

    product = gettext("Product: {model} {name}", lang, model=doc.product_model, name=doc.product_name)
    for line in wrap(product, body, inner)[:2]:
        elements.append(Text(MARGIN, y, line, body, width=inner))
        y += body * TEXT_LINE_FACTOR
    half = inner / 2
    pairs = (
        (gettext("Colour: {colour}", lang, colour=doc.colour), gettext("Size: {size}", lang, size=doc.size)),
        (gettext("Units: {n}", lang, n=doc.units), gettext("Due: {date}", lang, date=_date(doc.due_date))),
    )
    for left, right in pairs:
        elements.append(Text(MARGIN, y, clip(left, body, half - 1), body, width=half - 1))
        elements.append(Text(MARGIN + half, y, clip(right, body, half), body, True, width=half))
        y += body * TEXT_LINE_FACTOR
    if doc.finish:  # the order's spec, as room allows: one line for the finish, two for the notes
        elements.append(Text(MARGIN, y, clip(gettext("Finish: {finish}", lang, finish=doc.finish), body, inner), body,
                             True, width=inner))
        y += body * TEXT_LINE_FACTOR
    if doc.note:
        for line in wrap(gettext("Note: {note}", lang, note=doc.note), body, inner)[:2]:
            elements.append(Text(MARGIN, y, line, body, width=inner))
            y += body * TEXT_LINE_FACTOR
    if doc.rush:
        y += 1
        elements.append(Box(MARGIN, y, inner, 9, 0.8))
        elements.append(Text(MARGIN, y + 1.5, gettext("RUSH", lang), 6.0, True, "center", inner))
        y += 10
    if doc.rework_of:
        rework = gettext("Rework of {code}", lang, code=doc.rework_of)
        elements.append(Text(MARGIN, y, clip(rework, 4.0, inner), 4.0, True, width=inner))
        y += 4.0 * TEXT_LINE_FACTOR
    y += 1
    elements.append(Line(MARGIN, y, w - MARGIN, y, 0.4))
    y += 1.5

    barcode_height = 14.0
    barcode_top = h - MARGIN - 3.0 * TEXT_LINE_FACTOR - 0.5 - barcode_height
    elements.append(Text(MARGIN, y, gettext("Route", lang), body, True, width=inner))
    y += body * TEXT_LINE_FACTOR
    steps = [localised(step, lang) for step in doc.route]
    pitch = 5.5
    rows_fit = max(1, int((barcode_top - 2 - y) // pitch))
    columns = 1 if len(steps) <= rows_fit else 2
    column_width = inner / columns
    for index, step in enumerate(steps[: rows_fit * columns]):
        column, row = divmod(index, rows_fit)
        x = MARGIN + column * column_width
        top = y + row * pitch
        elements.append(Box(x, top + 0.2, 3.2, 3.2, 0.3))
        label = clip(f"{index + 1}. {step}", body, column_width - 6)
        elements.append(Text(x + 4.5, top, label, body, width=column_width - 5))
    elements.append(
        Barcode128(w / 2, barcode_top, doc.code, barcode_height, barcode_module(doc.code, w), doc.code,
                   align="center")
    )
    return Layout(w, h, tuple(elements), name=f"job card {doc.code}")


# -- receipts --------------------------------------------------------------------------------------


class Flow:
    """Rows down a receipt: each call adds a row under the last one and moves the cursor down."""

    def __init__(self, width: float = RECEIPT_WIDTH_MM, margin: float = 1.0) -> None:
        self.width = width
        self.margin = margin
        self.inner = width - 2 * margin
        self.y = margin
        self.elements: list[Element] = []

    def text(self, text: str, size: float = 3.0, bold: bool = False, align: str = "left") -> None:
        for line in wrap(text, size, self.inner):
            self.elements.append(Text(self.margin, self.y, line, size, bold, align, self.inner))
            self.y += size * TEXT_LINE_FACTOR

    def columns(self, left: str, right: str, size: float = 3.0, bold: bool = False) -> None:
        """`left` and `right` on one row when they fit side by side, else on two rows."""
        if estimate_width(left + "  " + right, size) > self.inner:
            self.text(left, size, bold)
            self.text(right, size, bold, "right")
            return
        self.elements.append(Text(self.margin, self.y, left, size, bold, "left", self.inner))
        self.elements.append(Text(self.margin, self.y, right, size, bold, "right", self.inner))
        self.y += size * TEXT_LINE_FACTOR

    def rule(self) -> None:
        self.y += 0.8
        self.elements.append(Line(self.margin, self.y, self.width - self.margin, self.y, 0.3))
        self.y += 1.6

    def gap(self, mm: float) -> None:
        self.y += mm

    def barcode(self, data: str, height: float = 10.0, human_text: str | None = None) -> None:
        module = barcode_module(data, self.width)
        self.elements.append(Barcode128(self.width / 2, self.y, data, height, module, human_text, align="center"))
        self.y = self.elements[-1].bottom + 1.0

    def qr(self, data: str, size: float = 20.0) -> None:
        self.elements.append(QRCode((self.width - size) / 2, self.y, data, size))
        self.y += size + 1.0

    def layout(self, name: str) -> Layout:
        return Layout(self.width, None, tuple(self.elements), name=name)


def pick_list_layout(doc: PickListDoc, lang: str, width_mm: float = RECEIPT_WIDTH_MM) -> Layout:
    """Pick list for the warehouse: what to load on which truck, and the code to scan at the dock."""
    flow = Flow(width_mm)
    flow.text(gettext("Pick list", lang), 6.0, True, "center")
    flow.barcode(doc.code, 10.0, doc.code)
    flow.text(gettext("Scan to start loading", lang), 3.0, align="center")
    flow.rule()
    flow.text(gettext("Customer: {name}", lang, name=doc.customer), 3.0, True)
    flow.columns(gettext("Truck: {plate}", lang, plate=doc.truck_plate), gettext("Dock: {dock}", lang, dock=doc.dock))
    flow.text(gettext("Ship date: {date}", lang, date=_date(doc.ship_date)))
    flow.rule()
    for line in doc.lines:
        flow.columns(f"{line.order_number}  {line.product_model}", gettext("{n} units", lang, n=line.units),
                     bold=True)
        flow.text(line.product_name)
        if line.cartons:
            flow.text(gettext("{n} cartons", lang, n=len(line.cartons)) + ": " + "  ".join(line.cartons))
        flow.gap(1.5)
    flow.rule()
    total = gettext("Total: {units} units, {cartons} cartons", lang,
                    units=sum(line.units for line in doc.lines), cartons=doc.carton_count)
    flow.text(total, 3.5, True)
    return flow.layout(f"pick list {doc.code}")


def manifest_layout(doc: ManifestDoc, lang: str, width_mm: float = RECEIPT_WIDTH_MM) -> Layout:
    """Loading manifest for the driver: what went on the truck, what is missing and why it left anyway."""
    flow = Flow(width_mm)
    flow.text(gettext("Loading manifest", lang), 6.0, True, "center")
    flow.text(gettext("Pick list: {code}", lang, code=doc.pick_list_code), 3.5, True, "center")
    flow.rule()
    flow.text(gettext("Customer: {name}", lang, name=doc.customer), 3.0, True)
    flow.columns(gettext("Truck: {plate}", lang, plate=doc.truck_plate), gettext("Dock: {dock}", lang, dock=doc.dock))
    flow.text(gettext("Finished: {time}", lang, time=doc.finished_at.strftime("%Y-%m-%d %H:%M")))
    flow.rule()
    for line in doc.lines:
        loaded = gettext("Loaded {loaded} of {units} units", lang, loaded=line.units_loaded, units=line.units)
        flow.columns(f"{line.order_number}  {line.product_model}", loaded, bold=True)
        flow.text(line.product_name)
        flow.text(gettext("Cartons loaded: {n}", lang, n=len(line.cartons_loaded)))
        if line.cartons_missing:
            flow.text(gettext("Missing: {codes}", lang, codes="  ".join(line.cartons_missing)), bold=True)
        flow.gap(1.5)
    flow.rule()
    flow.text(gettext("Cartons loaded: {n}", lang, n=doc.cartons_loaded), 3.5, True)
    if doc.missing:
        flow.text(gettext("Missing cartons: {n}", lang, n=len(doc.missing)), 3.5, True)
    else:
        flow.text(gettext("All cartons loaded", lang), 3.5, True)
    if doc.override_reason:
        flow.text(gettext("Loaded short, approved: {reason}", lang, reason=doc.override_reason), 3.0, True)
    flow.gap(6)
    for signature in (gettext("Driver signature", lang), gettext("Warehouse signature", lang)):
        flow.text(signature)
        flow.gap(7)
        flow.rule()
    return flow.layout(f"manifest {doc.pick_list_code}")


def printer_test_layout(lang: str, printer_name: str, width_mm: float = 100, height_mm: float = 70) -> Layout:
    """A test print: the printer's name, Chinese and English text, a Code 128 and a QR code to scan.

    The all-digit barcode starting with 99 catches encoders that drop a leading 99.
    """
    w, h = width_mm, height_mm
    s = min(w / 100, h / 70)
    inner = w - 2 * MARGIN
    elements: list[Element] = [
        Text(MARGIN, MARGIN, gettext("Test label", lang), 6 * s, True, width=inner),
        Text(MARGIN, MARGIN + 8 * s, clip(gettext("Printer: {name}", lang, name=printer_name), 3.5 * s, inner),
             3.5 * s, width=inner),
        Text(MARGIN, MARGIN + 13 * s, "中文 English 123 联华家具 · 胡桃色", 3.5 * s, width=inner),
        Line(MARGIN, MARGIN + 18.5 * s, w - MARGIN, MARGIN + 18.5 * s, 0.4),
    ]
    code = "9912345678"
    top = MARGIN + 21 * s
    qr_size = min(h - top - MARGIN, 22 * s)
    bar_height = min(h - top - MARGIN - 5 * s, 25 * s)
    elements.append(Barcode128(MARGIN + 2, top, code, bar_height, 0.375, code, text_size=3 * s))
    elements.append(QRCode(w - MARGIN - qr_size, top, "TEST " + printer_name, qr_size))
    return Layout(w, h, tuple(elements), name=f"test label {printer_name}")
