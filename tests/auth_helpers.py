"""Test helpers for sign-in, paired kiosks and CSRF, so tests exercise the real checks without ceremony.

    login(client, "clerk")                 a signed-in clerk (user made on the fly)
    pair_kiosk(client, "qc")               this test client is a kiosk paired with QC
    kiosk_at(client, "qc")                 the same, one device per station, to walk a card along
    bearer("qc")                           headers of a camera agent paired with QC (/api/scan)
    post(client, url, data)                a POST with this session's CSRF token
    hx_post(client, url, data)             the same, as htmx sends it (header, HX-Request)
    pair_browser(context, url, "qc")       a Playwright browser context paired with QC
    login_browser(page, url, "clerk")      signs a Playwright page in through the login form
"""

from __future__ import annotations

import functools
import itertools
import re
import secrets
import time

from db import write_transaction
from db.models import Device, Station, User
from kiosk.people import devices, users

PASSWORD = "test-password-1"
DEVICE_COOKIE = "kiosk_device"
_serial = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    """One real scrypt hash per test session: every helper user has PASSWORD."""
    return users.hash_password(PASSWORD)


def make_user(role: str = "clerk", username: str | None = None, name: str | None = None,
              active: bool = True) -> User:
    username = username or f"{role}{next(_serial)}"
    with write_transaction():
        return User.create(username=username, name=name or username.capitalize(), role=role,
                           password_hash=_password_hash(), active=active)


def login(client, role: str = "clerk", user: User | None = None, **user_fields) -> User:
    """Sign `client` in as a new user with `role` (or as `user`), as the login form would."""
    user = user or make_user(role, **user_fields)
    user = User.get_by_id(user.id)  # its session generation now (a sign-out elsewhere raised it)
    with client.session_transaction() as session:
        session.clear()
        session.permanent = True
        session["user_id"] = user.id
        session["auth"] = users.session_fingerprint(user)
        session["at"] = int(time.time())
    return user


def make_device(station_code: str | None = "whitebody", paired: bool = True, label: str = "") -> tuple[Device, str]:
    """A device and its token: paired with `station_code` (None: a display), or waiting when not `paired`."""
    token = secrets.token_urlsafe(32)
    station = Station.get(Station.code == station_code) if station_code else None
    with write_transaction():
        device = Device.create(token_hash=devices.hash_token(token), pairing_code=devices.new_pairing_code(),
                               station=station if paired else None, label=label or f"test-{station_code}",
                               approved_by="tester" if paired else "")
    return device, token


def pair_kiosk(client, station_code: str | None = "whitebody", paired: bool = True) -> Device:
    """Make `client` a kiosk paired with `station_code` (its device cookie set)."""
    device, token = make_device(station_code, paired)
    client.set_cookie(DEVICE_COOKIE, token)
    client.device_token = token
    return device


def kiosk_at(client, station_code: str) -> Device:
    """Point `client` at a kiosk paired with `station_code`, one device per station and client, so a
    test can walk a card from station to station with one client."""
    kiosks = client.__dict__.setdefault("kiosks", {})
    if station_code not in kiosks:
        kiosks[station_code] = make_device(station_code)
    device, token = kiosks[station_code]
    client.set_cookie(DEVICE_COOKIE, token)
    client.device_token = token
    return device


def bearer(station_code: str = "whitebody") -> dict[str, str]:
    """Headers of a camera agent paired with `station_code` (for /api/scan)."""
    _device, token = make_device(station_code)
    return {"Authorization": f"Bearer {token}"}


def csrf_token(client) -> str:
    """This client's session CSRF token (made now if the session has none)."""
    with client.session_transaction() as session:
        token = session.get("csrf")
        if not token:
            token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def post(client, url: str, data=None, **kwargs):
    """A plain form POST carrying the CSRF token, as a page's form would."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=data, **kwargs)


def hx_post(client, url: str, data=None, headers=None, **kwargs):
    """A POST as htmx sends it: the CSRF token in the X-CSRF-Token header."""
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf_token(client), **(headers or {})}
    return client.post(url, data=data or {}, headers=headers, **kwargs)


def page_csrf(html: str) -> str:
    """The token a page carries in its meta tag."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no csrf-token meta tag"
    return match.group(1)


# -- Playwright --------------------------------------------------------------------------------------


def pair_browser(context, base_url: str, station_code: str | None = "whitebody") -> Device:
    """Make a Playwright browser context a kiosk paired with `station_code` on the server at `base_url`.

    The device row goes into the database the server shares with the test (see demo_server)."""
    device, token = make_device(station_code)
    context.add_cookies([{"name": DEVICE_COOKIE, "value": token, "url": base_url}])
    return device


def login_browser(page, base_url: str, role: str = "clerk", user: User | None = None) -> User:
    """Sign a Playwright page in through the real login form."""
    user = user or make_user(role)
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button")
    page.wait_for_selector("#signed-in-as")
    return user
