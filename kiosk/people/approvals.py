"""Approvals by the approver: a supervisor's own badge and PIN at a kiosk, or their signed-in session.

A short load, an undo at a kiosk and every other override needs an `Approver`, made here and nowhere
else: from a supervisor's (or admin's) badge and PIN, checked against the hash, throttled per badge
and address; or from the signed-in desk user when they are a supervisor. A worker's badge never
approves (workers are not users), and no typed name does. No Flask here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from db import write_transaction
from db.models import Carton, JobCard, User, Worker
from kiosk.core.errors import Refusal
from kiosk.eventlog.audit import record_action
from kiosk.i18n import msg
from kiosk.people import hashing
from kiosk.people.throttle import PIN

APPROVER_ROLES = ("admin", "supervisor")  # the same roles kiosk/auth.py calls SUPERVISORS
PIN_RE = re.compile(r"^[0-9]{4,8}$")
BADGE_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,15}$")  # as a worker's badge (kiosk/users.py)
CARD_CODE_RE = re.compile(r"^J[CR][0-9]")


class ApprovalRefused(Refusal):
    """Not approved; `message` says why and what to do."""


@dataclass(frozen=True)
class Approver:
    """Who approved, for the audit: their user name and name, and how they proved it."""

    username: str
    name: str
    how: str  # "badge_pin" at a kiosk, "session" at the desk

    def audit(self) -> dict[str, str]:
        return {"approved_by": self.username, "approver_name": self.name, "approved_how": self.how}


def _approver(user: User, how: str) -> Approver:
    return Approver(user.username, user.name, how)


def from_session(user: User | None) -> Approver:
    """The signed-in desk user, when they may approve."""
    if user is None or not user.active or user.role not in APPROVER_ROLES:
        raise ApprovalRefused(msg("Only a supervisor can approve this. Ask a supervisor to sign in, or to "
                                  "approve at the kiosk with their badge and PIN."))
    return _approver(user, "session")


def from_badge(badge: str, pin: str, address: str = "") -> Approver:
    """A supervisor's own badge and PIN. Wrong PINs slow down that badge from that address (backoff)."""
    badge = str(badge or "").strip().upper()[:16]
    pin = str(pin or "").strip()[:16]
    if not badge or not pin:
        raise ApprovalRefused(msg("A supervisor scans their own badge and types their PIN to approve this."))
    wait = PIN.attempt(badge, address)  # counted as wrong until the PIN is right
    if wait > 0:
        raise ApprovalRefused(msg("Too many wrong PINs. Wait {seconds} seconds and try again.",
                                  seconds=int(wait) + 1))
    user = User.get_or_none(User.badge == badge) if BADGE_RE.match(badge) else None
    ok = user is not None and user.active and user.role in APPROVER_ROLES and PIN_RE.match(pin)
    if not ok or not hashing.check(user.pin_hash, pin):
        if user is None or not ok:
            hashing.check_nothing(pin)
        PIN.answered_wrong(badge, address)
        if user is None and Worker.select().where(Worker.badge == badge).exists():
            raise ApprovalRefused(msg("Badge {badge} is a worker's badge. Only a supervisor's own badge and PIN "
                                      "approve this.", badge=badge))
        raise ApprovalRefused(msg("Badge or PIN not right: not approved. A supervisor scans their own badge and "
                                  "types their PIN."))
    PIN.succeeded(badge, address)
    return _approver(user, "badge_pin")


def set_approval(user: User, badge: str, pin: str, by: str = "") -> User:
    """Give a supervisor or admin the badge and PIN they approve with at kiosks (the PIN is stored hashed)."""
    badge = str(badge or "").strip().upper()
    pin = str(pin or "").strip()
    if user.role not in APPROVER_ROLES:
        raise ApprovalRefused(msg("Only supervisors and admins approve at kiosks; this user cannot have an "
                                  "approval badge."))
    if not BADGE_RE.match(badge) or CARD_CODE_RE.match(badge):
        raise ApprovalRefused(msg("A badge code is 2 to 16 capital letters, digits or dashes, starting with a "
                                  "letter (not JC or JR and a digit)."))
    if not PIN_RE.match(pin):
        raise ApprovalRefused(msg("A PIN is 4 to 8 digits."))
    hashed = hashing.make(pin)
    with write_transaction():
        taken = User.select().where((User.badge == badge) & (User.id != user.id)).exists()
        if taken or Worker.select().where(Worker.badge == badge).exists() \
                or JobCard.select().where(JobCard.code == badge).exists() \
                or Carton.select().where(Carton.code == badge).exists():
            raise ApprovalRefused(msg("Badge {badge} is already in use.", badge=badge))
        User.update(badge=badge, pin_hash=hashed).where(User.id == user.id).execute()
        record_action("approval_set", by, msg("Approval badge {badge} and a new PIN for {username}.", badge=badge,
                                              username=user.username))
    return User.get_by_id(user.id)
