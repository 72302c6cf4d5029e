"""What a scan or a desk action decided, and the answer a kiosk shows.

A station's rule returns an `Outcome`; the scan path (kiosk/eventlog/scan_path.py) writes it to the
event log and answers with a `ScanResult`. Plain data: every floor above may use it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from db.models import JobCard, ScanEvent
from kiosk.i18n import Msg, msg

# what a Code128 scanner can type: printable ASCII, and GS1's group separator (GS) inside a code
CODE_RE = re.compile(r"^[\x21-\x7e](?:[\x21-\x7e\x1d]{0,62}[\x21-\x7e])?$")
IDEM_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


@dataclass
class ScanRequest:
    station_code: str
    code: str
    idem_key: str
    worker_badge: str | None = None
    scanned_at: dt.datetime | None = None  # when the worker scanned; offline kiosks send it later
    source: str = "kiosk"  # kiosk, camera, agent
    user: str = ""  # a signed-in clerk or supervisor, if any
    options: dict[str, Any] = field(default_factory=dict)  # station-specific input, e.g. QC's verdict


@dataclass
class Outcome:
    """What a station rule decided. Written to the event log as is."""

    outcome: str  # ok, warning, rejected, duplicate
    action: str
    message: Msg
    reason: str = ""
    units: int = 0
    job_card: JobCard | None = None
    carton: Any = None
    pick_list: Any = None
    order: Any = None
    detail: dict[str, Any] | None = None
    # What the event changes of its order's kept board figures, when the rule knows it exactly: ((station id,
    # units through there), ...) added as they are (kiosk/eventlog/board_counts.add). None: worked out again.
    board: tuple | None = None


@dataclass
class ScanResult:
    """The answer a kiosk shows: green or red with the reason, the same on a replayed request."""

    event_id: int
    outcome: str
    action: str
    reason: str
    message: Msg
    units: int
    code: str
    order_number: str | None
    job_card_code: str | None
    at: dt.datetime
    detail: dict[str, Any]
    replayed: bool = False
    # The job card as the station's rule loaded it (with its line, product and order), so the answer shows
    # the order's spec without reading the card again; None on a replay.
    job_card: Any = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.outcome in ("ok", "warning")

    @classmethod
    def from_event(cls, event: ScanEvent, replayed: bool = False) -> ScanResult:
        return cls(
            event_id=event.id,
            outcome=event.outcome,
            action=event.action,
            reason=event.reason,
            message=Msg.from_json(event.message) or msg("Recorded"),
            units=event.units,
            code=event.code,
            order_number=event.order.number if event.order_id else None,
            job_card_code=event.job_card.code if event.job_card_id else None,
            at=event.at,
            detail=event.detail or {},
            replayed=replayed,
        )

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "outcome": self.outcome,
            "ok": self.ok,
            "action": self.action,
            "reason": self.reason,
            "message": self.message.render(lang),
            "units": self.units,
            "code": self.code,
            "order": self.order_number,
            "job_card": self.job_card_code,
            "at": self.at.isoformat() + "Z",
            "replayed": self.replayed,
            "detail": self.detail,
        }
