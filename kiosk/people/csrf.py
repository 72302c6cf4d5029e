"""Cross-site request forgery protection for every state-changing request, htmx included.

Each browser session holds a random token; a kiosk's token is derived from its device token
instead (HMAC with the secret key), so scans a kiosk queued while offline stay valid after a
browser restart. Pages carry the token in a meta tag and in the `hx-headers` of <body> (so every
htmx request sends it as X-CSRF-Token) and plain forms post it as the hidden field `csrf_token`.
A POST, PUT, PATCH or DELETE without a matching token is refused. Requests that authenticate with
an `Authorization: Bearer` device token (camera agents on /api/scan) carry no cookies a forged
request could borrow, so they need no token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Flask, current_app, g, request, session
from markupsafe import Markup

from kiosk.i18n import msg
from kiosk.web import KioskError, resolve_identity

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
SESSION_KEY = "csrf"


def _device_token() -> str | None:
    resolve_identity()
    device = g.get("device")
    if device is None or g.get("bearer"):
        return None
    key = str(current_app.secret_key).encode()
    return hmac.new(key, b"csrf:" + device.token_hash.encode(), hashlib.sha256).hexdigest()


def _session_token() -> str | None:
    token = session.get(SESSION_KEY)
    return token if isinstance(token, str) and len(token) >= 32 else None


def csrf_token() -> str:
    """The token for this kiosk, or this browser session's (made on first use)."""
    device_token = _device_token()
    if device_token:
        return device_token
    token = _session_token()
    if token is None:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def csrf_field() -> Markup:
    """The hidden form field to put in every plain <form method="post">."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, csrf_token())


def check_request() -> None:
    """Refuse a state-changing request that does not carry this session's token."""
    if request.method in SAFE_METHODS or g.get("bearer"):
        return
    sent = (request.headers.get(HEADER) or request.form.get(FIELD) or "").encode()
    valid = [token.encode() for token in (_session_token(), _device_token()) if token]
    if not any(hmac.compare_digest(sent, token) for token in valid):
        raise KioskError(msg("This page has expired or did not come from this server. Reload the page and "
                             "try again."), 400)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(csrf_token=csrf_token, csrf_field=csrf_field)
