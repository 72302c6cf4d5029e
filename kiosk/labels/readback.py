"""Printer bytes read back into a picture: what a ZPL, TSPL or ESC/POS job will put on paper.

This understands the commands our renderers send (not each language in full), and draws them
the way the printer does: bitmaps bit for bit, barcodes from the exact Code 128 symbols the
command asks for, QR codes from their data, text in our CJK font on the printer's grid. Tests
decode barcodes from these pictures, so "the printed label scans as the carton's code" is checked
from the very bytes sent; the printers page can show a queued job the same way.
"""

from __future__ import annotations

import re

from PIL import Image, ImageDraw

from kiosk.labels import code128, fonts
from kiosk.labels.elements import aligned_left, dots
from kiosk.labels.raster import INK, draw_bars, draw_qr, paste_ink, qr_matrix


class ReadbackError(ValueError):
    """Bytes this reader does not understand (so a test fails instead of passing on half a label)."""


def _canvas(ops: list, width: int, height: int) -> Image.Image:
    canvas = Image.new("1", (max(1, width), max(1, height)), 0)
    for op in ops:
        op(canvas)
    return canvas


def _bars_op(x: int, y: int, symbol_values: list[int], module: int, height: int):
    bars = code128.pattern_of_values(symbol_values)
    return lambda canvas: draw_bars(canvas, x, y, bars, module, height)


def _bitmap_op(x: int, y: int, image: Image.Image):
    return lambda canvas: paste_ink(canvas, image, x, y)


def _rect_op(box: tuple[int, int, int, int], width: int | None = None):
    if width is None:
        return lambda canvas: ImageDraw.Draw(canvas).rectangle(box, fill=INK)
    return lambda canvas: ImageDraw.Draw(canvas).rectangle(box, outline=INK, width=width)


def _packed(data: bytes, row_bytes: int, rows: int, ink_bit: int) -> Image.Image:
    image = Image.frombytes("1", (row_bytes * 8, rows), data[: row_bytes * rows])
    if not ink_bit:
        image = image.point(lambda v: 255 - v)
    return image


# -- ZPL -------------------------------------------------------------------------------------------

_ZPL_SPECIAL = {"0": 30, "<": 62, "=": 94, "1": 95, "2": 96, "3": 97, "4": 98, "5": 99, "6": 100, "7": 101, "8": 102}
_ZPL_START = {"9": "A", ":": "B", ";": "C"}


def zpl_code128_values(field: str) -> list[int]:
    """Symbol values a Zebra printer makes of ^BC field data (mode N), following its invocation codes."""
    current, i = "B", 0
    if field[:1] == ">" and field[1:2] in _ZPL_START:
        current, i = _ZPL_START[field[1]], 2
    values = [code128.START[current]]
    while i < len(field):
        if field[i] == ">":
            code = field[i + 1]
            value = _ZPL_SPECIAL[code]
            values.append(value)
            if code in "567" and not (current == "B" and code == "6" or current == "A" and code == "7"):
                current = {"5": "C", "6": "B", "7": "A"}[code]
            i += 2
        elif current in "AC":
            values.append(int(field[i : i + 2]))
            i += 2
        else:
            values.append(ord(field[i]) - 32)
            i += 1
    return values


def zpl_decompress(data: str, row_bytes: int) -> bytes:
    """Undo ZPL ASCII compression (counts G-Y and g-z, ',' zero tail, '!' ones tail, ':' repeat row)."""
    width = row_bytes * 2
    rows: list[str] = []
    row, count, previous = "", 0, "0" * width
    for ch in data:
        if "G" <= ch <= "Y":
            count += ord(ch) - ord("G") + 1
            continue
        if "g" <= ch <= "z":
            count += (ord(ch) - ord("g") + 1) * 20
            continue
        if ch == ",":
            row = row.ljust(width, "0")
        elif ch == "!":
            row = row.ljust(width, "F")
        elif ch == ":":
            row = previous
        elif ch in "0123456789ABCDEFabcdef":
            row += ch * (count or 1)
            count = 0
        else:
            raise ReadbackError(f"unexpected {ch!r} in ^GFA data")
        if len(row) >= width:
            rows.append(row[:width])
            previous, row = row[:width], ""
    return bytes.fromhex("".join(rows))


def zpl_image(data: bytes, dpi: int = 203) -> Image.Image:
    """A ZPL label (one ^XA..^XZ) as an ink bitmap (mode "1", 1 = ink)."""
    text = data.decode("utf-8")
    if "^XA" not in text or "^XZ" not in text:
        raise ReadbackError("not a ZPL label: no ^XA .. ^XZ")
    ops: list = []
    width, height = dots(100, dpi), dots(150, dpi)
    origin = (0, 0)
    module, field_kind, field_args, block, hex_escape = 2, "", (), None, None
    for command in text.split("^")[1:]:
        name, args = command[:2], command[2:].strip()
        if name == "FD":
            content = command[2:]
            if hex_escape:
                content = re.sub(re.escape(hex_escape) + r"([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)),
                                 content)
            ops.extend(_zpl_field(field_kind, field_args, content, origin, module, block))
            field_kind, field_args, block, hex_escape = "", (), None, None
        elif name == "FO":
            x, y = args.split(",")[:2]
            origin = (int(x), int(y))
        elif name == "PW":
            width = int(args)
        elif name == "LL":
            height = int(args)
        elif name == "BY":
            module = int(args.split(",")[0])
        elif name[0] == "A":
            parts = command[1:].split(",")
            field_kind, field_args = "text", (int(parts[1]),)
        elif name == "FB":
            parts = args.split(",")
            block = (int(parts[0]), {"L": "left", "C": "center", "R": "right"}[parts[3]])
        elif name == "FH":
            hex_escape = args or "_"
        elif name == "BC":
            field_kind, field_args = "code128", (int(args.split(",")[1]),)
        elif name == "BQ":
            field_kind, field_args = "qr", (int(args.split(",")[2]),)
        elif name == "GB":
            w, h, t = (int(v) for v in args.split(",")[:3])
            x, y = origin
            fill = t * 2 >= min(w, h)
            ops.append(_rect_op((x, y, x + w - 1, y + h - 1), None if fill else t))
        elif name == "GF":
            _, total, _, row_bytes, payload = args.split(",", 4)
            bitmap = zpl_decompress(payload, int(row_bytes))
            if len(bitmap) != int(total):
                raise ReadbackError(f"^GFA says {total} bytes, data holds {len(bitmap)}")
            ops.append(_bitmap_op(*origin, _packed(bitmap, int(row_bytes), len(bitmap) // int(row_bytes), 1)))
        elif name in ("XA", "XZ", "CI", "LH", "FS", "PQ"):
            continue
        else:
            raise ReadbackError(f"ZPL command ^{name} not understood")
    return _canvas(ops, width, height)


def _zpl_field(kind: str, args: tuple, content: str, origin: tuple[int, int], module: int, block) -> list:
    x, y = origin
    if kind == "code128":
        return [_bars_op(x, y, zpl_code128_values(content), module, args[0])]
    if kind == "qr":
        matrix = qr_matrix(content.split(",", 1)[1])
        return [lambda canvas: draw_qr(canvas, x, y, matrix, args[0])]
    if kind == "text":
        bitmap = fonts.text_bitmap(content, args[0])
        if block:
            x = aligned_left(block[1], x, block[0], bitmap.width)
        return [_bitmap_op(x, y, bitmap)]
    raise ReadbackError(f"^FD {content!r} without a font or barcode before it")


# -- TSPL ------------------------------------------------------------------------------------------


def _tspl_args(raw: bytes) -> list[bytes]:
    """Comma-separated arguments; quoted strings keep their commas and turn \\["] into a quote."""
    args, current, quoted, i = [], bytearray(), False, 0
    while i < len(raw):
        if quoted and raw.startswith(b'\\["]', i):
            current += b'"'
            i += 4
            continue
        ch = raw[i : i + 1]
        if ch == b'"':
            quoted = not quoted
        elif ch == b"," and not quoted:
            args.append(bytes(current).strip())
            current = bytearray()
        else:
            current += ch
        i += 1
    args.append(bytes(current).strip())
    return args


def tspl_code128m_values(data: str) -> list[int]:
    """Symbol values for TSPL "128M" data: !NNN is a symbol value, then characters of the current subset."""
    values: list[int] = []
    current, i = "B", 0
    while i < len(data):
        if data[i] == "!":
            value = int(data[i + 1 : i + 4])
            values.append(value)
            current = {103: "A", 104: "B", 105: "C", 99: "C"}.get(value, current)
            if value == 100 and current != "B" or value == 101 and current != "A":
                current = "B" if value == 100 else "A"
            i += 4
        elif current == "C":
            values.append(int(data[i : i + 2]))
            i += 2
        else:
            values.append(code128.char_value(data[i], current))
            i += 1
    return values


def tspl_image(data: bytes, dpi: int = 203) -> Image.Image:
    """A TSPL label as an ink bitmap (mode "1", 1 = ink)."""
    ops: list = []
    width = height = 0
    i = 0
    while i < len(data):
        end = data.find(b"\r\n", i)
        end = len(data) if end < 0 else end
        line = data[i:end]
        name, _, rest = line.partition(b" ")
        if name == b"BITMAP":
            x, y, row_bytes, rows, _mode, tail = rest.split(b",", 5)
            start = i + len(b"BITMAP ") + len(rest) - len(tail)
            size = int(row_bytes) * int(rows)
            bitmap = _packed(data[start : start + size], int(row_bytes), int(rows), 0)
            ops.append(_bitmap_op(int(x), int(y), bitmap))
            if data[start + size : start + size + 2] != b"\r\n":
                raise ReadbackError("BITMAP data is not followed by CRLF")
            i = start + size + 2
            continue
        args = _tspl_args(rest)
        if name == b"SIZE":
            width = dots(float(args[0].split()[0]), dpi)
            height = dots(float(args[1].split()[0]), dpi)
        elif name == b"TEXT":
            x, y, font, _rot, _xm, ym, content = args
            text = content.decode("gb18030" if font.upper().endswith(b".BF2") else "ascii")
            ops.append(_grid_text_op(int(x), int(y), text, 24 * int(ym), font == b"3"))
        elif name == b"BARCODE":
            x, y, kind, bar_height, _hr, _rot, narrow, _wide, content = args
            text = content.decode("ascii")
            values = (tspl_code128m_values(text) if kind == b"128M"
                      else code128.values(code128.encode(text)))
            ops.append(_bars_op(int(x), int(y), values, int(narrow), int(bar_height)))
        elif name == b"QRCODE":
            x, y, _ecc, cell, _mode, _rot, content = args
            matrix = qr_matrix(content.decode("utf-8"))
            ops.append(lambda canvas, x=int(x), y=int(y), m=matrix, c=int(cell): draw_qr(canvas, x, y, m, c))
        elif name == b"BAR":
            x, y, w, h = (int(v) for v in args)
            ops.append(_rect_op((x, y, x + w - 1, y + h - 1)))
        elif name == b"BOX":
            x, y, x_end, y_end, t = (int(v) for v in args)
            ops.append(_rect_op((x, y, x_end - 1, y_end - 1), t))
        elif name not in (b"GAP", b"DIRECTION", b"REFERENCE", b"CLS", b"PRINT", b""):
            raise ReadbackError(f"TSPL command {name!r} not understood")
        i = end + 2
    return _canvas(ops, width, height)


def _grid_text_op(x: int, y: int, text: str, size: int, builtin: bool):
    """Text on the printer's fixed grid: half width for ASCII (16 dots for built-in font 3), full for Chinese."""
    def op(canvas: Image.Image) -> None:
        pen = x
        for ch in text:
            paste_ink(canvas, fonts.text_bitmap(ch, size), pen, y)
            pen += size * (2 / 3 if builtin else 1 / 2) if ord(ch) < 0x80 else size
            pen = round(pen)
    return op


# -- ESC/POS ---------------------------------------------------------------------------------------


def escpos_code128_values(data: bytes) -> list[int]:
    """Symbol values for GS k m=73 data: {A {B {C select subsets, {1 is FNC1, {{ a brace, C bytes are pairs."""
    values: list[int] = []
    current, i = "", 0
    while i < len(data):
        if data[i : i + 1] == b"{" and data[i + 1 : i + 2] != b"{":
            code = chr(data[i + 1])
            if code in "ABC":
                values.append(code128.START[code] if not values else code128.SWITCH[code])
                current = code
            elif code == "1":
                values.append(code128.FNC1)
            else:
                raise ReadbackError(f"Code 128 function {{{code} not understood")
            i += 2
            continue
        if data[i : i + 2] == b"{{":
            i += 1
        values.append(data[i] if current == "C" else code128.char_value(chr(data[i]), current))
        i += 1
    return values


class _EscposReader:
    def __init__(self, width: int) -> None:
        self.width = width
        self.y = 0
        self.ops: list = []
        self.reset()

    def reset(self) -> None:
        self.align, self.bold, self.scale, self.chinese = "left", False, 1, False
        self.bar_height, self.bar_module = 162, 3
        self.qr_size, self.qr_data = 3, ""
        self.line: list[tuple[str, bool]] = []

    def flush(self) -> None:
        text = "".join(part for part, _ in self.line)
        pitch = max(30, 24 * self.scale + 6)
        if text:
            size = 24 * self.scale
            width = sum(size // 2 if ord(ch) < 0x80 else size for ch in text)
            x = aligned_left(self.align, 0, self.width, width)
            self.ops.append(_grid_text_op(x, self.y, text, size, False))
        self.y += pitch
        self.line = []

    def image(self, x: int, image: Image.Image) -> None:
        self.ops.append(_bitmap_op(x, self.y, image))
        self.y += image.height

    def centred_x(self, width: int) -> int:
        return aligned_left(self.align, 0, self.width, width)

    def read(self, data: bytes) -> Image.Image:
        i = 0
        while i < len(data):
            byte = data[i]
            two = data[i : i + 2]
            if byte == 0x0A:
                self.flush()
                i += 1
            elif two == b"\x1b@":
                self.reset()
                i += 2
            elif two in (b"\x1bt", b"\x1bM", b"\x1b-", b"\x1b{", b"\x1dB", b"\x1db", b"\x1df", b"\x1dH"):
                i += 3
            elif two == b"\x1ba":
                self.align = ("left", "center", "right")[data[i + 2] % 48]
                i += 3
            elif two == b"\x1bE":
                self.bold = bool(data[i + 2])
                i += 3
            elif two == b"\x1b!":
                self.scale = 2 if data[i + 2] & 0x30 else 1
                i += 3
            elif two == b"\x1d!":
                self.scale = (data[i + 2] & 0x0F) + 1
                i += 3
            elif two == b"\x1bd":
                self.flush()
                self.y += 30 * (data[i + 2] - 1)
                i += 3
            elif two == b"\x1dh":
                self.bar_height = data[i + 2]
                i += 3
            elif two == b"\x1dw":
                self.bar_module = data[i + 2]
                i += 3
            elif two == b"\x1dV":
                i += 4 if data[i + 2] in (65, 66) else 3
            elif two == b"\x1c&":
                self.chinese = True
                i += 2
            elif two == b"\x1c.":
                self.chinese = False
                i += 2
            elif two == b"\x1dk":
                i = self.barcode(data, i)
            elif two == b"\x1d(" and data[i + 2 : i + 3] == b"k":
                i = self.qr(data, i)
            elif data[i : i + 3] == b"\x1dv0":
                x_bytes = data[i + 4] | data[i + 5] << 8
                rows = data[i + 6] | data[i + 7] << 8
                start = i + 8
                image = _packed(data[start : start + x_bytes * rows], x_bytes, rows, 1)
                self.image(self.centred_x(image.width), image)
                i = start + x_bytes * rows
            elif byte < 0x20 or byte == 0x7F:
                raise ReadbackError(f"ESC/POS command {data[i : i + 3]!r} not understood")
            else:
                end = i
                while end < len(data) and data[end] >= 0x20 and data[end] != 0x7F and data[end] != 0x1C:
                    end += 1
                chunk = data[i:end]
                self.line.append((chunk.decode("gb18030") if self.chinese else chunk.decode("cp437"), self.bold))
                i = end
        if self.line:
            self.flush()
        return _canvas(self.ops, self.width, self.y + 24)

    def barcode(self, data: bytes, i: int) -> int:
        kind = data[i + 2]
        if kind != 73:
            raise ReadbackError(f"barcode type {kind} not understood (only Code 128, m=73)")
        length = data[i + 3]
        content = data[i + 4 : i + 4 + length]
        values = escpos_code128_values(content)
        width = len(code128.pattern_of_values(values)) * self.bar_module
        x = self.centred_x(width)
        self.ops.append(_bars_op(x, self.y, values, self.bar_module, self.bar_height))
        self.y += self.bar_height
        return i + 4 + length

    def qr(self, data: bytes, i: int) -> int:
        length = data[i + 3] | data[i + 4] << 8
        body = data[i + 5 : i + 5 + length]
        function = body[1]
        if function == 67:
            self.qr_size = body[2]
        elif function == 80:
            self.qr_data = body[3:].decode("utf-8")
        elif function == 81:
            matrix = qr_matrix(self.qr_data)
            x, y, module = self.centred_x(len(matrix) * self.qr_size), self.y, self.qr_size
            self.ops.append(lambda canvas: draw_qr(canvas, x, y, matrix, module))
            self.y += len(matrix) * module
        return i + 5 + length


def escpos_image(data: bytes, width_dots: int = 576) -> Image.Image:
    """An ESC/POS job as the paper strip it prints (mode "1", 1 = ink), `width_dots` wide."""
    return _EscposReader(width_dots).read(data)


def printed_image(data: bytes, language: str, dpi: int = 203) -> Image.Image:
    """What `data` in printer `language` ("zpl", "tspl" or "escpos") prints, as an ink bitmap."""
    if language == "zpl":
        return zpl_image(data, dpi)
    if language == "tspl":
        return tspl_image(data, dpi)
    if language == "escpos":
        return escpos_image(data)
    raise ValueError(f"unknown printer language {language!r}")
