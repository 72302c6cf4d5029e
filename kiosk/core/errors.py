"""The one error root: a request or action that cannot be done as asked.

Every domain error is a `Refusal` carrying the message for the reader (what happened and what to do
next), the HTTP status a page answers with, and an optional title. kiosk/web.py has the one handler
that renders it as a page, an htmx fragment or JSON; a desk form whose answer to a refusal is "back to
the page, with the reason" says so with `kiosk.web.refusal_goes_back`; a view catches one by hand only
to answer differently (a form shown again with what was typed, a kiosk's red answer). Plain Python: no
Flask.
"""

from __future__ import annotations

from kiosk.i18n import Msg


class Refusal(ValueError):
    """Cannot be done as asked: `message` says why, `status` is the page's answer, `title` heads it."""

    status = 400

    def __init__(self, message: Msg, status: int | None = None, title: Msg | None = None):
        super().__init__(message.key)
        self.message = message
        if status is not None:
            self.status = status
        self.title = title


class KioskError(Refusal):
    """A request the web layer refuses (access, pairing, CSRF, bad characters)."""


class ScanInputError(Refusal):
    """The scan request itself is malformed (not a rejected scan): answered 400 with `message`."""


class ActionRefused(Refusal):
    """A supervisor action that cannot be done now; `message` says why and what to do instead."""
