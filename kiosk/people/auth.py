"""Who is asking, and may they: signed-in desk users, paired kiosks, and the access rule of every route.

Every view declares who may use it with `@public`, `@require(*roles, kiosk=...)` or
`@kiosk_station()`. One before-request hook enforces the declaration; a route that declares nothing
is refused to everyone, so a forgotten rule fails closed (and tests/people/test_authz_table.py names it).
Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure when configured), bound to the
user's password so a new password signs out old sessions. The table of who may do what is
docs/access.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import click
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.cli import with_appcontext

from db import database
from db.models import ROLES, Device, Station, User
from kiosk.core.errors import KioskError
from kiosk.core.plant import station_label
from kiosk.core.roles import ADMINS, CARD_PRINTERS, ORDER_DESK, STAFF, SUPERVISORS
from kiosk.core.text import clean_text
from kiosk.i18n import LANGS, msg
from kiosk.people import csrf, devices, hashing, users
from kiosk.people.hashing import HashingBusy
from kiosk.web import htmx, resolve_identity


@dataclass(frozen=True)
class Access:
    """Who may use a route: anyone, signed-in users with one of `roles`, and/or paired kiosks.

    kiosk="here": a kiosk paired with the station named by the URL argument `station_arg`;
    kiosk="any": any paired device (kiosk or display).
    """

    public: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)
    kiosk: str = ""
    station_arg: str = "code"


def _declare(access: Access) -> Callable:
    def wrap(view):
        view.access = access
        return view

    return wrap


def public(view):
    """Anyone may use this route, signed in or not, from any browser."""
    return _declare(Access(public=True))(view)


def require(*roles: str, kiosk: str = "", station_arg: str = "code") -> Callable:
    """Signed-in users with one of `roles` may use this route; with `kiosk`, paired kiosks too."""
    unknown = set(roles) - set(ROLES)
    if unknown or kiosk not in ("", "here", "any"):
        raise ValueError(f"unknown role or kiosk rule: {unknown or kiosk}")
    return _declare(Access(roles=frozenset(roles), kiosk=kiosk, station_arg=station_arg))


def kiosk_station(station_arg: str = "code") -> Callable:
    """Only a kiosk paired with the station in the URL (argument `station_arg`) may use this route."""
    return require(kiosk="here", station_arg=station_arg)


def access_of(endpoint: str | None) -> Access | None:
    if endpoint == "static":
        return Access(public=True)
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "access", None)


# -- who is asking ---------------------------------------------------------------------------------


def current_user() -> User | None:
    resolve_identity()
    return g.get("user")


def current_device() -> Device | None:
    resolve_identity()
    return g.get("device")


def current_username() -> str:
    user = current_user()
    return user.username if user else ""


def has_role(*roles: str) -> bool:
    user = current_user()
    return user is not None and user.role in roles


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def _session_user() -> User | None:
    user_id = session.get("user_id")
    if not isinstance(user_id, int):
        return None
    signed_in_at = session.get("at")
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    user = User.get_or_none((User.id == user_id) & User.active)
    # The cookie expires one shift after sign-in (it is written only when the session changes); the
    # server checks the same here, so a kept copy of the cookie does not outlive the shift either.
    too_old = isinstance(signed_in_at, int | float) and time.time() - signed_in_at > lifetime
    if user is None or too_old or session.get("auth") != users.session_fingerprint(user):
        session.pop("user_id", None)
        return None
    return user


def load_identity() -> None:
    """g.user (a signed-in user) and g.device (this browser's or agent's device), once per request."""
    g.user, g.device, g.bearer = None, None, False
    if request.endpoint == "static":
        return
    token = _bearer_token()
    if token is not None:
        # A camera agent: the bearer token is its only identity; cookies are not looked at.
        g.bearer = True
        g.device = devices.find_device(token)
    else:
        g.device = devices.find_device(request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"]))
        g.user = _session_user()
    if g.device is not None:
        devices.touch(g.device)


def _identify() -> None:
    load_identity()
    _apply_language()


def _apply_language() -> None:
    """A paired kiosk keeps its own language, a user theirs; ?lang= shows this page in another language
    (and the browser remembers it in a cookie), but only POST /lang changes what the server stores:
    a GET never changes state."""
    wanted = request.args.get("lang") if request.method == "GET" else None
    device, user = current_device(), current_user()
    if wanted in LANGS:
        pass  # kiosk.web already set g.lang for this request
    elif devices.is_paired(device) and device.lang in LANGS:
        g.lang = device.lang
    elif user is not None and user.lang in LANGS:
        g.lang = user.lang


# -- enforcing the rules ---------------------------------------------------------------------------


def allowed(access: Access, user: User | None, device: Device | None, view_args: dict | None) -> bool:
    if access.public:
        return True
    if user is not None and user.role in access.roles:
        return True
    if access.kiosk and devices.is_paired(device):
        if access.kiosk == "any":
            return True
        return devices.may_record_at(device, str((view_args or {}).get(access.station_arg, "")))
    return False


def _wants_page() -> bool:
    return request.method == "GET" and not htmx and not request.path.startswith("/api/")


def _refuse(access: Access | None):
    user, device = current_user(), current_device()
    if access is None:
        raise KioskError(msg("Nobody may use this address yet: it has no access rule. Tell the administrator."),
                         403)
    if access.kiosk == "here" and not access.roles:
        if not devices.is_paired(device):
            raise KioskError(msg("This browser is not a paired kiosk, so it cannot record anything. Ask an "
                                 "admin to pair it."), 403)
        here = Station.get_or_none(Station.code == str((request.view_args or {}).get(access.station_arg, ""))[:32])
        if device.station_id is None or here is None:
            raise KioskError(msg("This device is not paired with this station, so it cannot record here."), 403)
        raise KioskError(msg("This kiosk is paired with {station}; it cannot record at {here}.",
                             station=station_label(device.station), here=station_label(here)), 403)
    if user is None:
        if _wants_page():
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        raise KioskError(msg("Sign in first."), 401)
    raise KioskError(msg("Your role ({role}) may not do this. Ask an admin if you need it.",
                         role=msg(users.ROLE_LABELS.get(user.role, user.role))), 403)




def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def refuse_nul_characters() -> None:
    """No text with a NUL character goes further: no database can store it (PostgreSQL refuses it
    outright), no scanner or keyboard types it, and views clean every other control character."""
    texts = [*_texts(request.view_args or {}), *(v for _k, vs in request.args.lists() for v in vs)]
    if request.method not in csrf.SAFE_METHODS:
        texts += [v for _k, vs in request.form.lists() for v in vs]
        texts += [f.filename or "" for _k, fs in request.files.lists() for f in fs]
        if request.is_json:
            texts += list(_texts(request.get_json(silent=True)))
    if any("\x00" in text for text in texts):
        raise KioskError(msg("The request contains a character that is not allowed (NUL). Remove it and try "
                             "again."), 400)


def enforce():
    """The before-request hook: who is asking, in which language, may they, and is the request genuine."""
    if request.endpoint is None:
        return None  # the router answers 404 / 405
    refuse_nul_characters()
    access = access_of(request.endpoint)
    g.user, g.device, g.bearer = None, None, False
    if access is not None and access.public:
        g.identity_loader = _identify  # on first use: a health check never asks who it is
    else:
        _identify()
    if access is None or not allowed(access, g.user, g.device, request.view_args):
        return _refuse(access)
    csrf.check_request()
    return None


# -- sign in, sign out, pair this kiosk ------------------------------------------------------------

bp = Blueprint("auth", __name__)


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go to after signing in; anything else (another site, a scheme) goes home."""
    target = str(target or "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(not ch.isprintable() for ch in target) or len(target) > 512:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def _home_for(user: User) -> str:
    if user.role == "admin":
        return url_for("admin.users_page")
    if user.role == "supervisor":
        return url_for("supervisor.index")
    return url_for("orders.list_orders")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    error = None
    username = ""
    status, headers = 200, {}
    if request.method == "POST":
        username = clean_text(request.form.get("username"), 32)
        try:
            user = users.authenticate(username, request.form.get("password") or "", request.remote_addr or "")
        except users.LoginPaused as paused:
            user, error, status = None, paused.message, 429
            headers["Retry-After"] = str(paused.retry_after)
        except HashingBusy as busy:
            user, error, status = None, busy.message, 429  # too many sign-ins at once: try again shortly
            headers["Retry-After"] = str(busy.retry_after)
        else:
            if user is None:
                error = msg("Wrong user name or password.")
        if user is not None:
            session.clear()  # a fresh session (and CSRF token) on every sign-in
            session.permanent = True
            session["user_id"] = user.id
            session["auth"] = users.session_fingerprint(user)
            session["at"] = int(time.time())
            return redirect(safe_next(request.form.get("next"), _home_for(user)), code=303)
    return render_template("people/auth/login.html", error=error, username=username,
                           next=safe_next(request.values.get("next"), "")), status, headers


@bp.post("/lang")
@public
def set_language():
    """The 中文 / EN buttons: this kiosk (or desk user) keeps the language, stored on the server."""
    wanted = request.form.get("lang")
    target = safe_next(request.form.get("next"), "/")
    if wanted in LANGS:
        device, user = current_device(), current_user()
        if devices.is_paired(device) and device.lang != wanted:
            devices.set_lang(device, wanted)
        if user is not None and user.lang != wanted:
            users.set_lang(user, wanted)
        g.set_lang_cookie = wanted
    return redirect(target, code=303)


@bp.post("/logout")
@public
def logout():
    user = current_user()
    if user is not None:
        users.end_sessions(user)  # the cookie, saved and replayed, no longer signs anyone in
    session.clear()
    return redirect(url_for("stations.index"), code=303)


def kiosk_state(station: Station | None = None) -> dict:
    """What this browser is, for the station and pairing pages: here, other, display, pending or none."""
    device = current_device()
    if device is None:
        state = "none"
    elif not devices.is_paired(device):
        state = "pending"
    elif device.station_id is None:
        state = "display"
    elif station is not None and device.station_id == station.id:
        state = "here"
    else:
        state = "other"
    return {"state": state, "device": device,
            "code": devices.format_code(device.pairing_code) if device is not None else "",
            "station": device.station if state in ("here", "other") else None}


@bp.get("/pair")
@public
def pair_page():
    return render_template("people/auth/pair.html", kiosk=kiosk_state(),
                           next=safe_next(request.args.get("next"), ""))


@bp.post("/pair")
@public
def pair_request():
    """This browser asks to be paired: it gets a device token (cookie) and a code to show the admin."""
    target = safe_next(request.form.get("next"), url_for("auth.pair_page"))
    if current_device() is None:
        try:
            _device, token = devices.register_device(current_app.config["MAX_PENDING_DEVICES"],
                                                     request.remote_addr or "")
        except devices.DeviceError as error:
            raise KioskError(error.message, 503) from None
        g.new_device_token = token
    return redirect(target, code=303)


@bp.get("/pair/status")
@public
def pair_status():
    """Polled by a kiosk waiting for its admin: reload the page once it is paired (or forgotten)."""
    device = current_device()
    if device is not None and not devices.is_paired(device):
        return "", 204
    return "", 200, {"HX-Refresh": "true"}


def _set_device_cookie(response):
    token = g.pop("new_device_token", None)
    if token:
        response.set_cookie(current_app.config["DEVICE_COOKIE_NAME"], token, max_age=5 * 365 * 24 * 3600,
                            httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


# -- command line: the first admin, and pairing without a browser ----------------------------------


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
@click.option("--name", default=None, help="The person's name (default: the user name).")
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_user_command(username: str, role: str, name: str | None, password: str) -> None:
    """Add a desk user, e.g. the first admin: `kiosk create-user admin`."""
    with database.connection_context():
        try:
            users.create_user(username, name or username, role, password, by="cli")
        except users.UserError as error:
            raise click.ClickException(error.message.render("en")) from None
    click.echo(f"user {username} added as {role}")


@click.command("pair-device")
@click.argument("code")
@click.argument("station")
@click.option("--label", default="", help="A name for the kiosk, e.g. 'QC left'.")
@with_appcontext
def pair_device_command(code: str, station: str, label: str) -> None:
    """Pair the kiosk showing CODE with STATION (a station code, or 'display' for a board)."""
    with database.connection_context():
        target = None
        if station != "display":
            target = Station.get_or_none(Station.code == station)
            if target is None:
                raise click.ClickException(f"no station {station!r}")
        try:
            device = devices.approve(code, target, label, by="cli")
        except devices.DeviceError as error:
            raise click.ClickException(error.message.render("en")) from None
    click.echo(f"device {device.label} paired with {station}")


def init_app(app: Flask) -> None:
    """Wire identity, access rules and CSRF into every request; after kiosk.web (language) and the DB."""
    hashing.configure(app.config["HASHING_AT_ONCE"], app.config["HASHING_WAIT"])
    csrf.init_app(app)
    app.before_request(enforce)
    app.after_request(_set_device_cookie)
    app.jinja_env.globals.update(current_user=current_user, current_device=current_device, has_role=has_role,
                                 kiosk_state=kiosk_state, format_pairing_code=devices.format_code,
                                 STAFF=STAFF, ORDER_DESK=ORDER_DESK, CARD_PRINTERS=CARD_PRINTERS,
                                 SUPERVISORS=SUPERVISORS, ADMINS=ADMINS)
    app.register_blueprint(bp)
    app.cli.add_command(create_user_command)
    app.cli.add_command(pair_device_command)
