"""Money as integer fen (分): parse what people type in yuan, show it back, split it without losing a fen."""

from __future__ import annotations

import re

_YUAN = re.compile(r"^\s*(-)?(\d{1,9})(?:\.(\d{1,2}))?\s*$")


def parse_fen(text) -> int | None:
    """"12.5" yuan -> 1250 fen; None for anything else (more than two decimals, words, floats' noise)."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text * 100
    found = _YUAN.match(str(text if text is not None else ""))
    if not found:
        return None
    sign, whole, part = found.groups()
    fen = int(whole) * 100 + int((part or "0").ljust(2, "0"))
    return -fen if sign else fen


def yuan(fen: int) -> str:
    """1250 -> "12.50"; -5 -> "-0.05"."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def split(amount: int, shares: list[int]) -> list[int]:
    """`amount` fen split by integer weights; the parts always add up to `amount` (largest remainder,
    ties to the earlier member). Works for negative amounts (a reversal splits like the pass)."""
    if not shares:
        return []
    total = sum(shares)
    if total <= 0:
        raise ValueError("shares must add up to more than 0")
    sign = -1 if amount < 0 else 1
    amount = abs(amount)
    parts = [amount * share // total for share in shares]
    left = amount - sum(parts)
    order = sorted(range(len(shares)), key=lambda i: (-(amount * shares[i] % total), i))
    for i in order[:left]:
        parts[i] += 1
    return [sign * part for part in parts]


def percent_of(amount: int, percent: int) -> int:
    """`percent` % of `amount` fen, rounded half up (away from zero), in integers."""
    sign = -1 if amount < 0 else 1
    return sign * ((abs(amount) * percent + 50) // 100)
