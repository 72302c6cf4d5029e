"""What every page shares: the reader's language, htmx, the one place that renders errors (every domain
error is a `kiosk.core.errors.Refusal`), and small helpers views of every area use: a row or a 404, a picture
as a data URI, a scan desk's answer."""

from __future__ import annotations

import base64
import functools
import io
import time
import uuid
from collections.abc import Callable

from barcode import Code128
from barcode.writer import ImageWriter
from flask import Flask, abort, flash, g, jsonify, redirect, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_htmx import HTMX
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from kiosk.core import plant
from kiosk.core.clock import clock_time, long_time, stamp_time
from kiosk.core.errors import Refusal
from kiosk.eventlog.audit import recent_actions
from kiosk.eventlog.stream import FOREGROUND
from kiosk.i18n import LANGS, Msg, gettext, normalise_lang
from kiosk.labels.raster import render_png

htmx = HTMX()


class BoundedInt(IntegerConverter):
    """<int:...> in every URL, at most what a database id can be (PostgreSQL's integer): a bigger number
    is no page (404), never an OverflowError deep in a query."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=2**31 - 1 if max is None else max,
                         signed=signed)


def current_lang() -> str:
    # A kiosk or a user may have a language of their own (resolve_identity). Asked for every string a
    # template translates, so it reads the request's globals once rather than through the proxy each time.
    try:
        state = g._get_current_object().__dict__
    except RuntimeError:  # outside a request or app context
        return "zh"
    loader = state.pop("identity_loader", None)
    if loader is not None:
        loader()
    return state.get("lang") or "zh"


def resolve_identity() -> None:
    """Load who is asking now, if kiosk.auth left that until first use (public routes: a health
    check or an asset never asks, so it never pays for the device and session lookups)."""
    loader = g.pop("identity_loader", None) if g else None
    if loader is not None:
        loader()


def _(msgid: str, **params) -> str:
    return gettext(msgid, current_lang(), **params)


def t(message: Msg | dict | None) -> str:
    """A stored or returned message, in the reader's language."""
    if message is None:
        return ""
    if isinstance(message, dict):
        message = Msg.from_json(message)
    return message.render(current_lang())


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, its signer made once per secret key rather than on every request
    (a kiosk's scan carries no session cookie, yet Flask built the signer before finding that out)."""

    def __init__(self):
        self._signers: dict = {}

    def get_signing_serializer(self, app: Flask):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()), self.salt)
        signer = self._signers.get(key)
        if signer is None:
            signer = super().get_signing_serializer(app)
            if signer is not None:
                self._signers = {key: signer}  # a new secret key replaces the old signer
        return signer


def init_app(app: Flask) -> None:
    htmx.init_app(app)
    app.session_interface = SessionCookies()
    app.jinja_env.filters["localtime"] = lambda at: clock_time(at, "")
    app.jinja_env.filters["localshort"] = lambda at: stamp_time(at, "")
    app.jinja_env.filters["localdatetime"] = lambda at: long_time(at, "")
    app.jinja_env.filters["dock"] = dock_name

    @app.before_request
    def _pick_language():
        g.started = time.perf_counter()  # for the answer's Server-Timing header
        wanted = request.args.get("lang")
        if wanted in LANGS:
            g.lang = wanted
            g.set_lang_cookie = wanted
        else:
            cookie = request.cookies.get("lang")
            g.lang = cookie if cookie in LANGS else normalise_lang(app.config.get("DEFAULT_LANG"))

    @app.before_request
    def _foreground():
        # Every request but a live stream counts as foreground: streams prepare their news in turns
        # while none runs (kiosk/eventlog/stream.py), so 200 open boards do not slow a scan down.
        if request.endpoint != "boards.event_stream":
            g.foreground = True
            FOREGROUND.begin()

    @app.teardown_request
    def _foreground_done(_exc):
        if g.pop("foreground", False):
            FOREGROUND.end()

    @app.after_request
    def _after(response):
        lang = g.pop("set_lang_cookie", None)
        if lang and request.cookies.get("lang") != lang:  # no cookie written when it says so already
            response.set_cookie("lang", lang, max_age=3600 * 24 * 365, samesite="Lax", httponly=True)
        response.vary.add("HX-Request")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        started = g.pop("started", None)
        if started is not None:  # what the app spent on it (the browser's developer tools show it; so does
            # bench/kiosk_answer.py, to tell the server's share of an answer from the page's)
            response.headers["Server-Timing"] = f"app;dur={1000 * (time.perf_counter() - started):.1f}"
        return response

    @app.context_processor
    def _template_helpers():
        return {"_": _, "t": t, "lang": current_lang(), "LANGS": LANGS}

    @app.errorhandler(Refusal)
    def _refused(error: Refusal):
        return render_error(error.message.render(current_lang()), error.status,
                            error.title.render(current_lang()) if error.title else None)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        messages = {
            404: "Page not found. Check the address, or go back to the start page.",
            405: "This address does not take that kind of request.",
            413: "The upload is too large.",
        }
        text = messages.get(error.code or 500, "The request could not be served.")
        return render_error(_(text), error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unexpected error")
        return render_error(_("Something went wrong on the server. Try again; if it keeps happening, "
                              "tell the supervisor."), 500)


def dock_name(dock: str | None) -> str:
    """A pick list's dock in the reader's language: the loading station it names, else as typed."""
    dock = (dock or "").strip()
    for station in plant.stations() if dock else []:
        if station.kind == "loading" and dock in (station.code, station.name_en, station.name_zh):
            return station.name(current_lang())
    return dock


def render_error(text: str, status: int, title: str | None = None):
    wants_json = request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"
    if wants_json:
        return jsonify({"error": text, "status": status}), status
    if htmx:
        # The real status, so logs and monitoring see it; base.html's htmx-config (responseHandling)
        # has htmx swap 4xx/5xx answers too, and these headers put the words in the page's banner.
        response = app_render("_error.html", text=text, title=title)
        return response, status, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
    return app_render("error.html", text=text, title=title, status=status), status


def flash_msg(message: Msg, category: str = "ok") -> None:
    """A message for the next page, kept as its id and parameters so it shows in the reader's language."""
    flash(message.to_json(), category)


def refusal_goes_back(back: Callable[..., str]):
    """For a desk form's action (POST, then back to the page the form is on): a `Refusal` the action
    raises is flashed as an error and the user goes back to `back(**view_args)` with a 303, as after a
    success, so the view says only what happens when the action is taken. Anything else still reaches
    the one handler above."""
    def decorate(view):
        @functools.wraps(view)
        def wrapped(**view_args):
            try:
                return view(**view_args)
            except Refusal as refusal:
                flash_msg(refusal.message, "error")
                return redirect(back(**view_args), code=303)
        return wrapped
    return decorate


def app_render(template: str, **context):
    return render_template(template, **context)


def get_or_404(model, *where):
    """The one row `where` names, or the 404 page."""
    found = model.get_or_none(*where)
    if found is None:
        abort(404)
    return found


def png_response(data: bytes, cache: str = "no-cache"):
    return data, 200, {"Content-Type": "image/png", "Cache-Control": cache}


def png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def layout_png_uri(layout, dpi: int = 203) -> str:
    """A layout drawn as the printer would print it, for a browser preview."""
    return png_uri(render_png(layout, dpi))


def barcode_data_uri(code: str) -> str:
    """Code128 as an inline PNG (badges on the badge sheet); the tests decode what is rendered here."""
    out = io.BytesIO()
    Code128(code, writer=ImageWriter()).write(out, options={"module_height": 12, "module_width": 0.3,
                                                            "write_text": False, "quiet_zone": 4, "dpi": 200})
    return png_uri(out.getvalue())


def desk_answer(template: str, actions: tuple[str, ...], result=None, error=None, **context):
    """A clerk desk's scan answer: the fragment for htmx (with a fresh scan key), else the whole page."""
    context.update(result=result, error=error, recent=recent_actions(actions), next_idem=uuid.uuid4().hex)
    if htmx:
        return render_template("_desk_answer.html", **context)
    return render_template(template, **context)
