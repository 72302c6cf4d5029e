"""Devices at the edge: printer transports (raw bytes to a printer named by a URI), cameras.

Knows nothing about orders, labels or the kiosk; kiosk code calls in, never the other way round.
"""

from __future__ import annotations

from hardware.transports import (
    PrinterURIError,
    Transport,
    TransportError,
    TransportUnavailable,
    is_usable,
    open_transport,
)

__all__ = [
    "PrinterURIError",
    "Transport",
    "TransportError",
    "TransportUnavailable",
    "is_usable",
    "open_transport",
]
