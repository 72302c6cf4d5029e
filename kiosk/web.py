"""What every page shares: the reader's language, htmx, and one place that renders errors."""

from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask_htmx import HTMX
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from kiosk.core.clock import to_local
from kiosk.i18n import LANGS, Msg, gettext, normalise_lang

htmx = HTMX()


class KioskError(Exception):
    """A request that cannot be served as asked: a message for the reader, a title and a status."""

    def __init__(self, message: Msg, status: int = 400, title: Msg | None = None):
        super().__init__(message.key)
        self.message = message
        self.status = status
        self.title = title


class BoundedInt(IntegerConverter):
    """<int:...> in every URL, at most what a database id can be (PostgreSQL's integer): a bigger number
    is no page (404), never an OverflowError deep in a query."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=2**31 - 1 if max is None else max,
                         signed=signed)


def current_lang() -> str:
    resolve_identity()  # a kiosk or a user may have a language of their own
    return getattr(g, "lang", None) or "zh"


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


def init_app(app: Flask) -> None:
    htmx.init_app(app)
    app.jinja_env.filters["localtime"] = lambda at: to_local(at).strftime("%H:%M:%S") if at else ""
    app.jinja_env.filters["dock"] = dock_name
    app.jinja_env.filters["localshort"] = lambda at: to_local(at).strftime("%m-%d %H:%M:%S") if at else ""
    app.jinja_env.filters["localdatetime"] = lambda at: to_local(at).strftime("%Y-%m-%d %H:%M") if at else ""

    @app.before_request
    def _pick_language():
        wanted = request.args.get("lang")
        if wanted in LANGS:
            g.lang = wanted
            g.set_lang_cookie = wanted
        else:
            cookie = request.cookies.get("lang")
            g.lang = cookie if cookie in LANGS else normalise_lang(app.config.get("DEFAULT_LANG"))

    @app.after_request
    def _after(response):
        lang = g.pop("set_lang_cookie", None)
        if lang:
            response.set_cookie("lang", lang, max_age=3600 * 24 * 365, samesite="Lax", httponly=True)
        response.vary.add("HX-Request")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.context_processor
    def _template_helpers():
        return {"_": _, "t": t, "lang": current_lang(), "LANGS": LANGS}

    @app.errorhandler(KioskError)
    def _kiosk_error(error: KioskError):
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
    from kiosk.core import plant

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


def app_render(template: str, **context):
    return render_template(template, **context)
