"""Text from forms and scanners, made safe to store and show."""

from __future__ import annotations


def clean_text(value, limit: int) -> str:
    """Printable text only (no control characters), trimmed and cut to `limit`."""
    return "".join(ch for ch in str(value or "") if ch.isprintable()).strip()[:limit]
