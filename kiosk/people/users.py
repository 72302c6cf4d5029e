"""Desk users (admin, supervisor, clerk, warehouse, finance): accounts, passwords and sign-in checks.

Passwords are hashed with werkzeug's scrypt; a plain password is never stored or logged. Workers
are not users: they sign in at a paired kiosk by scanning their badge. No Flask here.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time

from werkzeug.security import check_password_hash, generate_password_hash

from db import write_transaction
from db.models import ROLES, Carton, JobCard, User, Worker
from kiosk.core.errors import Refusal
from kiosk.core.text import clean_text
from kiosk.eventlog.audit import record_action
from kiosk.i18n import msg

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
    """Too many wrong passwords for one user name: wait before the next try."""


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
    return generate_password_hash(password)


def session_fingerprint(user: User) -> str:
    """Changes when the password does, so a new password signs out every other session."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


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
        user.save()
        record_action("password_set", by, msg("New password for {username}.", username=user.username))
    return user


def set_lang(user: User, lang: str) -> None:
    with write_transaction():
        User.update(lang=lang).where(User.id == user.id).execute()


# -- sign-in ---------------------------------------------------------------------------------------

_DUMMY_HASH = None  # checked for unknown user names, so a wrong name takes as long as a wrong password
_failures: dict[str, list[float]] = {}
_failures_lock = threading.Lock()


def _recent_failures(username: str, window: float) -> list[float]:
    now = time.monotonic()
    with _failures_lock:
        kept = [at for at in _failures.get(username, []) if now - at < window]
        if kept:
            _failures[username] = kept
        else:
            _failures.pop(username, None)
        return kept


def authenticate(username: str, password: str, attempts: int = 5, pause: float = 60) -> User | None:
    """The active user with this name and password, or None. Raises LoginPaused after `attempts`
    wrong tries within `pause` seconds (per process: enough to slow down guessing at a kiosk)."""
    global _DUMMY_HASH
    username = str(username or "").strip().lower()[:64]
    password = str(password or "")[:MAX_PASSWORD + 1]
    if len(_recent_failures(username, pause)) >= attempts:
        raise LoginPaused(msg("Too many wrong passwords for {username}. Wait a minute and try again.",
                              username=clean_text(username, 32)))
    user = User.get_or_none(User.username == username) if USERNAME_RE.match(username) else None
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password("not a password")
        check_password_hash(_DUMMY_HASH, password)
    elif user.active and check_password_hash(user.password_hash, password):
        with _failures_lock:
            _failures.pop(username, None)
        return user
    with _failures_lock:
        _failures.setdefault(username, []).append(time.monotonic())
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
