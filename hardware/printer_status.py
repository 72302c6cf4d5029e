"""Asking a printer how it is, in its own language, and reading the answer.

Raw port 9100 has no reply of its own: the printer's TCP stack acknowledging the bytes is not a label
(a printer can acknowledge, then reset the connection and drop them). Every printer language has a
status request that the printer answers only once it has read the bytes before it:

- ZPL (Zebra, ZPL II Programming Guide, `~HS` Host Status Return): three strings, each
  `<STX>...<ETX><CR><LF>`. String 1 `aaa,b,c,dddd,eee,f,g,h,iii,j,k,l`: b paper out, c pause,
  eee formats in the receive buffer, f buffer full, h partial format, j corrupt RAM, k/l under and
  over temperature. String 2 `mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www`: o head up, p ribbon out,
  uuuuuuuu labels remaining in the batch. String 3 `xxxx,y`: password, static RAM.
  Newer firmware does not answer at all while media is out, the ribbon is out or the head is open.
- TSPL (TSC, Xprinter, Gprinter; `<ESC>!?`): one byte, 0 = ready. Bit 0 head opened, 1 paper jam,
  2 out of paper, 3 out of ribbon, 4 pause, 5 printing (not an error), 6 cover opened,
  7 environment temperature over range.
- ESC/POS (Epson; `DLE EOT n`, real-time status, up to four requests at once): one byte each, bits 1
  and 4 always on, bits 0 and 7 always off. n=1 printer: bit 3 offline. n=2 offline cause: bit 2
  cover open, bit 3 paper being fed by the button, bit 5 printing stopped by paper end, bit 6 error.
  n=3 error cause: bit 2 mechanical error, bit 3 autocutter error, bit 5 unrecoverable error,
  bit 6 auto-recoverable error. n=4 roll paper sensor: bits 2-3 paper near end, bits 5-6 paper end.

`answer()` builds exactly these answers for a printer condition, for the loopback printers of the tests,
the benchmark and `kiosk fake-printer`. Problems are English words (translated by the kiosk).
Nothing here knows about orders or labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STX, ETX = b"\x02", b"\x03"
QUERIES: dict[str, bytes] = {
    "zpl": b"~HS",
    "tspl": b"\x1b!?",
    "escpos": b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04",
}

# The problems a printer can report, as English text the kiosk translates.
PAPER_OUT, HEAD_OPEN, PAUSED, RIBBON_OUT = "out of paper", "print head open", "paused", "out of ribbon"
COVER_OPEN, PAPER_JAM, OFFLINE, ERROR = "cover open", "paper jam", "offline", "printer error"
BUFFER_FULL, TEMPERATURE, CUTTER = "receive buffer full", "temperature out of range", "cutter error"


@dataclass(frozen=True)
class StatusReport:
    """A printer's answer to its status request: the problems it reports (none = ready)."""

    problems: tuple[str, ...] = ()
    waiting: int | None = None  # ZPL: formats still in the receive buffer

    @property
    def ok(self) -> bool:
        return not self.problems


class BadAnswer(ValueError):
    """The bytes are not an answer to the status request in this language."""


def query(language: str) -> bytes | None:
    """The status request for `language` (None for a language without one)."""
    return QUERIES.get(language)


def complete(language: str, data: bytes) -> bool:
    """Whether `data` holds a whole answer (three ~HS strings, one TSPL byte, four ESC/POS bytes)."""
    if language == "zpl":
        return len(_ZPL_STRING.findall(data)) >= 3
    if language == "tspl":
        return len(data) >= 1
    if language == "escpos":
        return len(data) >= 4
    return False


_ZPL_STRING = re.compile(rb"\x02([^\x02\x03]*)\x03\r\n")


def answers_in(language: str, data: bytes) -> list[bytes]:
    """The whole answers in `data`, in order, one per status request (`query(language)`) sent: three ~HS
    strings each (ZPL), one byte (TSPL), four bytes (ESC/POS). A part answer at the end is left out."""
    if language == "zpl":
        ends = [match.end() for match in _ZPL_STRING.finditer(data)]
        starts = [0] + ends[2:-1:3]
        return [data[start:end] for start, end in zip(starts, ends[2::3], strict=False)]
    width = {"tspl": 1, "escpos": 4}.get(language)
    if width is None:
        return []
    return [data[at:at + width] for at in range(0, len(data) - width + 1, width)]


def parse(language: str, data: bytes) -> StatusReport:
    """The report in a printer's answer; BadAnswer when the bytes are not one."""
    if language == "zpl":
        return _parse_zpl(data)
    if language == "tspl":
        return _parse_tspl(data)
    if language == "escpos":
        return _parse_escpos(data)
    raise BadAnswer(f"no status answer in language {language!r}")


def _parse_zpl(data: bytes) -> StatusReport:
    strings = _ZPL_STRING.findall(data)
    if len(strings) < 3:
        raise BadAnswer("~HS answer has fewer than three strings")
    first, second = (s.decode("ascii", "replace").split(",") for s in strings[-3:-1])
    if len(first) != 12 or len(second) != 11:
        raise BadAnswer("~HS strings have the wrong number of fields")
    problems = []
    flag = {"paper": first[1], "pause": first[2], "full": first[5], "ram": first[9], "under": first[10],
            "over": first[11], "head": second[2], "ribbon": second[3]}
    for name, problem in (("paper", PAPER_OUT), ("head", HEAD_OPEN), ("ribbon", RIBBON_OUT), ("pause", PAUSED),
                          ("full", BUFFER_FULL), ("ram", ERROR)):
        if flag[name] == "1":
            problems.append(problem)
    if flag["under"] == "1" or flag["over"] == "1":
        problems.append(TEMPERATURE)
    try:
        waiting = int(first[4])
    except ValueError:
        raise BadAnswer("~HS formats-in-buffer field is not a number") from None
    return StatusReport(tuple(problems), waiting)


_TSPL_BITS = ((0, HEAD_OPEN), (1, PAPER_JAM), (2, PAPER_OUT), (3, RIBBON_OUT), (4, PAUSED), (6, COVER_OPEN),
              (7, TEMPERATURE))


def _parse_tspl(data: bytes) -> StatusReport:
    if not data:
        raise BadAnswer("no status byte")
    status = data[-1]
    return StatusReport(tuple(problem for bit, problem in _TSPL_BITS if status & (1 << bit)))


def _parse_escpos(data: bytes) -> StatusReport:
    if len(data) < 4:
        raise BadAnswer("fewer than four status bytes")
    printer, offline, error, paper = data[-4:]
    for byte in (printer, offline, error, paper):
        if byte & 0x93 != 0x12:  # bits 1 and 4 on, 0 and 7 off in every DLE EOT answer
            raise BadAnswer("not a DLE EOT status byte")
    problems = []
    if offline & 0x04:
        problems.append(COVER_OPEN)
    if offline & 0x20 or paper & 0x60:
        problems.append(PAPER_OUT)
    if error & 0x08:
        problems.append(CUTTER)
    if error & 0x64 or offline & 0x40 and not problems:
        problems.append(ERROR)
    if printer & 0x08 and not problems:
        problems.append(OFFLINE)
    return StatusReport(tuple(problems))


# -- the printer's side, for loopback and demo printers ---------------------------------------------


@dataclass
class Condition:
    """What a (pretend) printer's sensors say; all False is a printer ready to print."""

    paper_out: bool = False
    head_open: bool = False
    paused: bool = False
    ribbon_out: bool = False
    cover_open: bool = False


def answer(language: str, condition: Condition | None = None, waiting: int = 0) -> bytes:
    """The printer's whole answer to its status request (`query(language)`), as its manual gives it."""
    if language == "escpos":
        return b"".join(answer_request(f"escpos{n}", condition) for n in range(1, 5))
    return answer_request(language, condition, waiting)


def answer_request(request: str, condition: Condition | None = None, waiting: int = 0) -> bytes:
    """The answer to one request as `requests_in` names it: "zpl", "tspl", "escpos1" ... "escpos4"."""
    c = condition or Condition()
    if request == "zpl":
        one = f"030,{c.paper_out:d},{c.paused:d},1120,{waiting:03d},0,0,0,000,0,0,0"
        two = f"001,0,{c.head_open:d},{c.ribbon_out:d},0,2,6,0,00000000,1,000"
        three = "1234,0"
        return b"".join(STX + s.encode("ascii") + ETX + b"\r\n" for s in (one, two, three))
    if request == "tspl":
        bits = (c.head_open, False, c.paper_out, c.ribbon_out, c.paused, False, c.cover_open, False)
        return bytes([sum(1 << i for i, on in enumerate(bits) if on)])
    cover = c.cover_open or c.head_open  # a receipt printer's head is under its cover
    stopped = c.paper_out or cover
    byte = {
        "escpos1": 0x12 | (0x08 if stopped or c.paused else 0),  # bit 3: offline
        "escpos2": 0x12 | (0x04 if cover else 0) | (0x20 if c.paper_out else 0) | (0x40 if stopped else 0),
        "escpos3": 0x12,  # no mechanical, cutter or unrecoverable error
        "escpos4": 0x12 | (0x6C if c.paper_out else 0),  # near end and end sensors
    }.get(request)
    if byte is None:
        raise ValueError(f"no status answer for request {request!r}")
    return bytes([byte])


def requests_in(data: bytes) -> list[tuple[int, int, str]]:
    """Where status requests sit in a byte stream: (start, end, request) in order, request being
    "zpl", "tspl" or "escpos1".."escpos4". A pretend printer answers each and leaves them out of
    what it prints."""
    found = []
    for match in _REQUEST.finditer(data):
        text = match.group(0)
        request = "zpl" if text == b"~HS" else "tspl" if text == b"\x1b!?" else f"escpos{text[2]}"
        found.append((match.start(), match.end(), request))
    return found


_REQUEST = re.compile(rb"~HS|\x1b!\?|\x10\x04[\x01-\x04]")


class RequestScanner:
    """Splits what a pretend printer receives into the bytes it prints and the status requests in them,
    across reads (a request may arrive split over two)."""

    _PREFIXES = (b"~", b"~H", b"\x1b", b"\x1b!", b"\x10", b"\x10\x04")

    def __init__(self) -> None:
        self._held = b""

    def feed(self, chunk: bytes) -> tuple[bytes, list[str]]:
        """(bytes to print, the requests found in order, as `requests_in` names them) for this chunk."""
        data, self._held = self._held + chunk, b""
        for prefix in self._PREFIXES:  # a request cut at the end of this read: wait for the rest
            if data.endswith(prefix):
                data, self._held = data[: -len(prefix)], prefix
                break
        printed, requests, at = [], [], 0
        for start, end, request in requests_in(data):
            printed.append(data[at:start])
            requests.append(request)
            at = end
        printed.append(data[at:])
        return b"".join(printed), requests
