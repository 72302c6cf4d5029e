"""What a scanned code reads as, the same rule on the server as in kiosk.js (readScan): full-width (全角)
ASCII and the punctuation a Chinese input method makes of ASCII keys folded back, spaces around it trimmed,
upper case (every code the plant prints is upper case; GS1 data with a group separator, or with a symbology
identifier, keeps its case), a GS1 group separator (GS, 0x1D) inside the code kept."""

from __future__ import annotations

import re

GS = "\x1d"
IME_PUNCTUATION = {"。": ".", "、": "/", "￥": "$", "—": "_", "…": "^", "【": "[", "】": "]", "《": "<", "》": ">",
                   "“": '"', "”": '"', "‘": "'", "’": "'", "·": "`", "「": "[", "」": "]"}
_EDGES = re.compile(r"^[\s\x00-\x1c\x1e\x1f]+|[\s\x00-\x1f]+$")
GLUED = re.compile(r"^(?:J[CR]\d{7}|C\d{8}|PL\d{6}|DN\d{6}){2,}$")


def fold_width(text: str) -> str:
    out = []
    for ch in str(text or ""):
        point = ord(ch)
        if 0xFF01 <= point <= 0xFF5E:
            out.append(chr(point - 0xFEE0))
        elif point == 0x3000:
            out.append(" ")
        else:
            out.append(IME_PUNCTUATION.get(ch, ch))
    return "".join(out)


def normalise(raw: str) -> str:
    """The code as the plant prints it; "" for an empty scan."""
    code = _EDGES.sub("", fold_width(raw))
    if code and GS not in code and not code.startswith("]"):
        code = code.upper()
    return code


def two_codes(code: str) -> list[str] | None:
    """The codes when one scan holds two (typed in one burst), else None."""
    parts = [part for part in re.split(r"[ \t\r\n\u3000]+", code) if part]  # not str.split(): it splits at GS
    if len(parts) > 1:
        return parts
    if GLUED.match(code.upper()):
        return re.findall(r"J[CR]\d{7}|C\d{8}|PL\d{6}|DN\d{6}", code.upper())
    return None
