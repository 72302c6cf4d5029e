"""Desk users (admin, supervisor, clerk, warehouse, finance): accounts, passwords and sign-in checks.

Passwords are hashed with werkzeug's scrypt; a plain password is never stored or logged. Workers
are not users: they sign in at a paired kiosk by scanning their badge. No Flask here.
"""

from __future__ import annotations

import hashlib
import math
import re

from db import write_transaction
from db.models import ROLES, Carton, JobCard, User, Worker
from kiosk.core.errors import Refusal
from kiosk.core.text import clean_text
from kiosk.eventlog.audit import record_action
from kiosk.i18n import msg
from kiosk.people import hashing
from kiosk.people.throttle import SIGN_IN

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128
MAX_NAME = 64

# Shown in forms; the order is the order of the role picker.
ROLE_LABELS = {
    "admin": "Administrator",
    "supervisor": "Supervisor",
    "clerk": "Clerk",
    "warehouse": "Warehouse",
    "finance": "Finance",
}


class UserError(Refusal):
    """A user change that cannot be made as asked; `message` says why."""


class LoginPaused(UserError):
    """Too many wrong passwords for one user name: wait `retry_after` seconds before the next try."""

    def __init__(self, message, retry_after: int = 1):
        super().__init__(message, 429)
        self.retry_after = retry_after


def _check_username(username: str) -> str:
    username = str(username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise UserError(msg("A user name is 2 to 32 small letters, digits, dots, dashes or underscores."))
    return username


def _check_password(password: str) -> str:
    password = str(password or "")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UserError(msg("A password is {min} to {max} characters long.", min=MIN_PASSWORD, max=MAX_PASSWORD))
    if any(not ch.isprintable() for ch in password):
        raise UserError(msg("A password may not contain control characters."))
    return password


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(msg("Choose a role from the list."))
    return role


def _check_name(name: str) -> str:
    name = clean_text(name, MAX_NAME)
    if not name:
        raise UserError(msg("Write the person's name."))
    return name


def hash_password(password: str) -> str:
    return hashing.make(password)


def session_fingerprint(user: User) -> str:
    """Changes when the password or the session generation does: a new password, signing out or being
    switched off ends every session of that user, on the server (a saved cookie replayed is refused)."""
    return hashlib.sha256(f"{user.password_hash}:{user.session_gen}".encode()).hexdigest()[:16]


def end_sessions(user: User) -> None:
    """Every session of this user ends now (the next request with any of their cookies is signed out)."""
    with write_transaction():
        User.update(session_gen=User.session_gen + 1).where(User.id == user.id).execute()


def create_user(username: str, name: str, role: str, password: str, by: str = "") -> User:
    username = _check_username(username)
    name, role, password = _check_name(name), _check_role(role), _check_password(password)
    with write_transaction():
        if User.select().where(User.username == username).exists():
            raise UserError(msg("The user name {username} is taken.", username=username))
        user = User.create(username=username, name=name, role=role, password_hash=hash_password(password))
        record_action("user_added", by, msg("User {username} added as {role}.", username=username,
                                            role=msg(ROLE_LABELS[role])))
    return user


def _active_admins_besides(user: User) -> int:
    return User.select().where((User.role == "admin") & User.active & (User.id != user.id)).count()


def update_user(user: User, name: str, role: str, active: bool, by: str = "") -> User:
    """Change name, role or whether the account may sign in; the last active admin stays one."""
    name, role = _check_name(name), _check_role(role)
    with write_transaction():
        user = User.get_by_id(user.id)
        if user.role == "admin" and (role != "admin" or not active) and _active_admins_besides(user) == 0:
            raise UserError(msg("{username} is the last administrator; add another one first.",
                                username=user.username))
        changed = role != user.role or active != user.active or name != user.name
        if not active and user.active:
            user.session_gen += 1
        user.name, user.role, user.active = name, role, active
        user.save()
        if changed:
            record_action("user_changed", by, msg("User {username} is now {role} and {access}.",
                                                  username=user.username, role=msg(ROLE_LABELS[role]),
                                                  access=msg("may sign in") if active else msg("may not sign in")))
    return user


def set_password(user: User, password: str, by: str = "") -> User:
    password = _check_password(password)
    with write_transaction():
        user = User.get_by_id(user.id)
        user.password_hash = hash_password(password)
        user.session_gen += 1
        user.save()
        record_action("password_set", by, msg("New password for {username}.", username=user.username))
    return user


def set_lang(user: User, lang: str) -> None:
    with write_transaction():
        User.update(lang=lang).where(User.id == user.id).execute()


# -- sign-in ---------------------------------------------------------------------------------------

def authenticate(username: str, password: str, address: str = "") -> User | None:
    """The active user with this name and password, or None.

    Throttled with backoff per account from this address, per address and per account
    (kiosk/people/throttle.py): raises LoginPaused while a wait is running, without checking the
    password. A wrong name costs as much as a wrong password (one hash each), and at most a few
    hashes run at once (kiosk/people/hashing.py; HashingBusy beyond)."""
    username = str(username or "").strip().lower()[:64]
    password = str(password or "")[:MAX_PASSWORD + 1]
    wait = SIGN_IN.attempt(username, address)  # counted as failed until the password is right
    if wait > 0:
        raise LoginPaused(msg("Too many failed sign-ins. Wait {seconds} seconds and try again.",
                              seconds=math.ceil(wait)), math.ceil(wait))
    user = User.get_or_none(User.username == username) if USERNAME_RE.match(username) else None
    if user is None:
        hashing.check_nothing(password)
    elif user.active and hashing.check(user.password_hash, password):
        SIGN_IN.succeeded(username, address)
        return user
    SIGN_IN.answered_wrong(username, address)
    return None


# -- workers: people who sign in at a kiosk by scanning their badge ---------------------------------

# Printed as Code128 and typed by a scanner: a letter first (never all digits), then letters, digits, -.
BADGE_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,15}$")
# Job cards and rework cards are JC/JR + digits: a badge must never look like one.
CARD_CODE_RE = re.compile(r"^J[CR][0-9]")


def add_worker(badge: str, name: str, by: str = "") -> Worker:
    badge = str(badge or "").strip().upper()
    if not BADGE_RE.match(badge) or CARD_CODE_RE.match(badge):
        raise UserError(msg("A badge code is 2 to 16 capital letters, digits or dashes, starting with a letter "
                            "(not JC or JR and a digit)."))
    name = _check_name(name)
    with write_transaction():
        if Worker.select().where(Worker.badge == badge).exists() or \
                User.select().where(User.badge == badge).exists():  # a supervisor's approval badge
            raise UserError(msg("Badge {badge} is already in use.", badge=badge))
        if JobCard.select().where(JobCard.code == badge).exists() or \
                Carton.select().where(Carton.code == badge).exists():
            raise UserError(msg("{badge} is the code of a job card or carton; choose another badge code.",
                                badge=badge))
        worker = Worker.create(badge=badge, name=name)
        record_action("worker_added", by, msg("Worker {name} added with badge {badge}.", name=name, badge=badge))
    return worker


def update_worker(worker: Worker, name: str, active: bool, by: str = "") -> Worker:
    """Rename a worker or stop their badge working (a lost badge, someone who left)."""
    name = _check_name(name)
    with write_transaction():
        worker = Worker.get_by_id(worker.id)
        changed = name != worker.name or active != worker.active
        worker.name, worker.active = name, active
        worker.save()
        if changed:
            record_action("worker_changed", by, msg("Worker {name} ({badge}): badge {state}.", name=name,
                                                    badge=worker.badge,
                                                    state=msg("works") if active else msg("blocked")))
    return worker
