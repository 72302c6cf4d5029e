"""Command barcodes: codes a worker scans to act at a station, so every station works with the scanner alone.

A command code is PREFIX + a name in capitals ("#PASS", "#DEFECT-SCRATCH", "#TO-FINISHING"). "#" never starts
any other code the plant prints or accepts: job cards and rework cards are JC/JR + digits, cartons C + digits,
SSCCs are digits, badges a capital letter first (kiosk/users.py BADGE_RE), crews CR, pick lists PL, delivery
notes DN, complaints CP, bins LOC-. Names are case-insensitive (a scanner with Caps Lock, an input method).

Two kinds of command:
- a tap: it presses a control already on the station page (`tap`: a CSS selector), exactly as a finger would,
  so the same rules apply to both (kiosk.js does it; the server only lists them);
- a run: the server answers it (`run(station, worker, request) -> CommandAnswer`, or the ScanResult of a scan it
  records through the normal scan path), answered like any scan.

Areas register their own: `register(Command(...))` for one, `register_family(fn)` for a list that depends on
the station (each defect reason, each earlier station, each open pick list). Plain Python, no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kiosk.i18n import Msg, msg

PREFIX = "#"
NAME_RE = re.compile(r"^[A-Z0-9][A-Z0-9+-]{0,30}$")
EVERYWHERE = None


@dataclass
class CommandAnswer:
    """What a server-run command says: an outcome (ok, warning, rejected) and the words, like a scan's answer."""

    outcome: str
    message: Msg
    code: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    event_id: int | None = None  # a command records no scan

    @property
    def ok(self) -> bool:
        return self.outcome in ("ok", "warning")


@dataclass(frozen=True)
class Command:
    name: str  # after the prefix, capitals: PASS, DEFECT-SCRATCH
    label: Msg | str  # what the sheet and the answer call it
    family: str  # one heading of the sheet: "verdict", "defect", "rework", ...
    kinds: tuple[str, ...] | None = EVERYWHERE  # station kinds where it works
    tap: str | None = None  # the control it presses on the page (kiosk.js)
    needs: Msg | None = None  # said when that control is not on the page now
    run: Callable[..., Any] | None = None  # server-side: run(station, worker, request)

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name):
            raise ValueError(f"command name {self.name!r}: capitals, digits, + and - only, 1-31 long")
        if (self.tap is None) == (self.run is None):
            raise ValueError(f"command {self.name}: give a tap or a run, not both")

    @property
    def code(self) -> str:
        return PREFIX + self.name

    def works_at(self, station) -> bool:
        return self.kinds is None or station.kind in self.kinds


_COMMANDS: dict[str, Command] = {}
_FAMILIES: list[Callable[[Any], Iterable[Command]]] = []


def register(command: Command) -> Command:
    """Add one command (an area calls this at import). The same name twice is a mistake: refused."""
    known = _COMMANDS.get(command.name)
    if known is not None and known != command:
        raise ValueError(f"command {command.name} is already registered")
    _COMMANDS[command.name] = command
    return command


def register_family(build: Callable[[Any], Iterable[Command]]) -> Callable:
    """Add commands that depend on the station: `build(station)` lists them (usable as a decorator)."""
    if build not in _FAMILIES:
        _FAMILIES.append(build)
    return build


def slug(text: str) -> str:
    """A name part from a reason or a station code: "Colour mismatch" -> COLOUR-MISMATCH."""
    return re.sub(r"[^A-Z0-9]+", "-", str(text).upper()).strip("-")[:16].strip("-") or "X"


def is_command(code: str) -> bool:
    return str(code or "").strip().startswith(PREFIX)


def normalise(code: str) -> str:
    """The name a scanned command code stands for (case and surrounding spaces do not matter)."""
    code = str(code or "").strip()
    return code[len(PREFIX):].strip().upper() if code.startswith(PREFIX) else ""


def commands_for(station) -> list[Command]:
    """Every command that works at this station, in sheet order (registration order, families after)."""
    found = [c for c in _COMMANDS.values() if c.works_at(station)]
    seen = {c.name for c in found}
    for build in _FAMILIES:
        for command in build(station):
            if command.works_at(station) and command.name not in seen:
                found.append(command)
                seen.add(command.name)
    return found


def find(station, code: str) -> Command | None:
    name = normalise(code)
    if not name:
        return None
    return next((c for c in commands_for(station) if c.name == name), None)


def answer(station, worker, request):
    """The server's answer to a scanned command code (`request` a ScanRequest). A tap command arrives here only
    when the page could not press it (the control is not there now)."""
    command = find(station, request.code)
    shown = str(request.code or "").strip()[:40]
    if command is None:
        return CommandAnswer("rejected", msg("{code} is not a command of this station. Use this station's command "
                                             "sheet.", code=shown), code=shown)
    if command.run is None:
        return CommandAnswer("rejected", command.needs or msg("{command} cannot be used now.",
                                                              command=command.label), code=command.code)
    if worker is None:
        return CommandAnswer("rejected", msg("Scan your badge first, then the card."), code=command.code)
    result = command.run(station, worker, request)
    if isinstance(result, CommandAnswer):
        result.code = result.code or command.code
    return result


def page_map(station, lang: str) -> dict[str, dict[str, str]]:
    """What kiosk.js needs to press tap commands: code -> selector, label and what it needs first."""
    from kiosk.i18n import gettext

    def words(value) -> str:
        return value.render(lang) if isinstance(value, Msg) else gettext(str(value), lang)

    return {c.code: {"tap": c.tap, "label": words(c.label), "needs": words(c.needs) if c.needs else ""}
            for c in commands_for(station) if c.tap}
