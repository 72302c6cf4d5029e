"""Which characters a printer's own font can print, and the bytes it wants for them.

A printer font covers less than its encoding can express: GB18030 encodes every Unicode
character, but a receipt printer's GB18030 font holds the two-byte (GBK) part and CJK Extension A.
Text with anything outside the font's coverage is printed as a bitmap instead, so no character
vanishes or turns into '?'.
"""

from __future__ import annotations

from functools import lru_cache

CHARSETS = ("ascii", "gb2312", "gbk", "gb18030", "utf-8")

_EXT_A = range(0x3400, 0x4DC0)  # CJK Unified Ideographs Extension A, in the GB18030-2000 core


def _char_covered(ch: str, charset: str) -> bool:
    code = ord(ch)
    if 0x20 <= code < 0x7F:
        return True
    if code < 0x20 or code == 0x7F:
        return False
    if charset == "ascii":
        return False
    if charset == "utf-8":
        return True
    if charset == "gb18030":
        encoded = ch.encode("gb18030")
        return len(encoded) == 2 or code in _EXT_A
    try:
        ch.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=8192)
def covered(text: str, charset: str) -> bool:
    """True when every character of `text` is in the printer font's `charset`."""
    if charset not in CHARSETS:
        raise ValueError(f"unknown printer charset {charset!r}; use one of {CHARSETS}")
    return all(_char_covered(ch, charset) for ch in text)


def encode(text: str, charset: str) -> bytes:
    """`text` in the printer's byte encoding (GB charsets share GB18030's bytes for what they cover)."""
    if charset in ("gb2312", "gbk", "gb18030"):
        return text.encode("gb18030")
    return text.encode(charset)
