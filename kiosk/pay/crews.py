"""Crews (班组): several workers signed in on one kiosk with the crew's card share each pass.

A crew card's code is scanned like a badge; the crew's first member signs the scans (the event's worker),
and every accepted scan made while the crew is signed in carries the crew's shares in its detail
(`"crew": [[worker_id, share], ...]`), copied to PassShare so each member's day is found by index.
Shares are weights: a pass is split by them to the fen with the largest remainder (kiosk/pay/money.py).
No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.models import Crew, CrewMember, PassShare, Worker

CREW_PREFIX = "CR"  # crew cards start with this; only such codes are looked up as crews


@dataclass
class SignedInCrew:
    code: str
    name: str
    lead: Worker
    shares: list[list[int]]  # [[worker_id, share], ...] in member order
    names: list[str]

    @property
    def badge(self) -> str:  # the kiosk keeps this as its signed-in "badge"
        return self.code

    @property
    def label(self) -> str:
        return f"{self.name}: {', '.join(self.names)}"


def crew_by_code(code: str | None) -> SignedInCrew | None:
    """The active crew with this card code and at least one active member, else None."""
    if not code or not code.startswith(CREW_PREFIX):
        return None
    crew = Crew.get_or_none((Crew.code == code) & Crew.active)
    if crew is None:
        return None
    members = list(CrewMember.select(CrewMember, Worker).join(Worker)
                   .where((CrewMember.crew == crew) & Worker.active & (CrewMember.share > 0))
                   .order_by(CrewMember.seq, CrewMember.id))
    if not members:
        return None
    return SignedInCrew(code=crew.code, name=crew.name, lead=members[0].worker,
                        shares=[[m.worker_id, m.share] for m in members], names=[m.worker.name for m in members])


def stamp(outcome, crew: SignedInCrew | None) -> None:
    """Mark an accepted scan as the crew's: its shares go into the event's detail."""
    if crew is None or outcome.outcome not in ("ok", "warning") or outcome.action == "sign_in":
        return
    outcome.detail = {**(outcome.detail or {}), "crew": crew.shares}


def record_shares(event) -> None:
    """Index rows for a crew's event (in the scan's own transaction)."""
    shares = (event.detail or {}).get("crew")
    if shares and event.outcome in ("ok", "warning"):
        PassShare.insert_many([{"event": event.id, "worker": wid, "share": share} for wid, share in shares]).execute()
