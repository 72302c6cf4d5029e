"""Code 128 as symbols: one encoder whose output each printer language spells in its own syntax.

We encode ourselves instead of calling python-barcode's Code128, whose subset optimiser drops a
leading "99" from all-digit data (it mistakes the pair 99 for a "switch to C" symbol). The bar
patterns themselves come from python-barcode's table. Knowing the exact symbols lets ZPL, ESC/POS
and TSPL be told precisely which subsets and FNC1 to use, so every printer prints the same bars.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from barcode.charsets.code128 import CODES

START = {"A": 103, "B": 104, "C": 105}
SWITCH = {"A": 101, "B": 100, "C": 99}  # value of "Code A/B/C" (same in every subset that has it)
FNC1 = 102
STOP_PATTERN = "1100011101011"  # 13 modules: the stop symbol and its terminating bar
QUIET_ZONE_MODULES = 10


class BarcodeDataError(ValueError):
    """Data a Code 128 barcode cannot carry (Code 128 holds ASCII only)."""


@dataclass(frozen=True)
class Token:
    """One step of the encoding: kind is start, switch, fnc1, char (subset A/B) or pair (subset C)."""

    kind: str
    value: str = ""


def _digit_run(data: str, i: int) -> int:
    n = i
    while n < len(data) and data[n].isdigit():
        n += 1
    return n - i


def _letter_set(rest: str) -> str:
    """A if a control character comes before any lower-case one, else B (the everyday subset)."""
    for ch in rest:
        if ord(ch) < 32:
            return "A"
        if ord(ch) >= 96:
            return "B"
    return "B"


def check_data(data: str) -> str:
    if not data:
        raise BarcodeDataError("a barcode needs at least one character")
    bad = [ch for ch in data if ord(ch) > 127]
    if bad:
        raise BarcodeDataError(f"Code 128 holds ASCII only; {data!r} has {''.join(bad)!r}")
    return data


@lru_cache(maxsize=4096)
def encode(data: str, gs1: bool = False) -> tuple[Token, ...]:
    """Tokens for `data`: subset C for runs of digits, B for text, A only for control characters.

    With gs1=True an FNC1 follows the start symbol, which makes the symbol GS1-128.
    """
    check_data(data)
    tokens: list[Token] = []
    run = _digit_run(data, 0)
    if run >= 4 or (run == len(data) and run % 2 == 0):
        current = "C"
    else:
        current = _letter_set(data)
    tokens.append(Token("start", current))
    if gs1:
        tokens.append(Token("fnc1"))
    i = 0
    while i < len(data):
        if current == "C":
            if i + 1 < len(data) and data[i].isdigit() and data[i + 1].isdigit():
                tokens.append(Token("pair", data[i : i + 2]))
                i += 2
                continue
            current = _letter_set(data[i:])
            tokens.append(Token("switch", current))
            continue
        run = _digit_run(data, i)
        if run >= 4 and (run >= 6 or i + run == len(data)):
            if run % 2:
                tokens.append(Token("char", data[i]))
                i += 1
            current = "C"
            tokens.append(Token("switch", "C"))
            continue
        ch = data[i]
        if current == "B" and ord(ch) < 32 or current == "A" and ord(ch) >= 96:
            current = "A" if current == "B" else "B"
            tokens.append(Token("switch", current))
        tokens.append(Token("char", ch))
        i += 1
    return tuple(tokens)


def char_value(ch: str, subset: str) -> int:
    code = ord(ch)
    if subset == "B":
        return code - 32
    return code - 32 if code >= 32 else code + 64


def values(tokens: tuple[Token, ...]) -> list[int]:
    """Symbol values for the tokens, start included, check symbol and stop not included."""
    out: list[int] = []
    current = ""
    for token in tokens:
        if token.kind == "start":
            current = token.value
            out.append(START[current])
        elif token.kind == "switch":
            current = token.value
            out.append(SWITCH[current])
        elif token.kind == "fnc1":
            out.append(FNC1)
        elif token.kind == "pair":
            out.append(int(token.value))
        else:
            out.append(char_value(token.value, current))
    return out


def check_value(symbol_values: list[int]) -> int:
    """The mod-103 check symbol: start value plus each symbol's value times its position."""
    return (symbol_values[0] + sum(i * v for i, v in enumerate(symbol_values[1:], start=1))) % 103


@lru_cache(maxsize=4096)
def pattern(data: str, gs1: bool = False) -> str:
    """The bars as a string of modules, '1' a bar, '0' a space, quiet zones not included."""
    return pattern_of_values(values(encode(data, gs1)))


def pattern_of_values(symbol_values: list[int]) -> str:
    symbols = [*symbol_values, check_value(symbol_values)]
    return "".join(CODES[v] for v in symbols) + STOP_PATTERN


def width_modules(data: str, gs1: bool = False) -> int:
    """Width of the symbol in modules, quiet zones not included (11 per symbol, 13 for the stop)."""
    return len(pattern(data, gs1))
