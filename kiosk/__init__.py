"""The shop-floor kiosk: a Flask app for station kiosks, clerk desks and boards."""

from __future__ import annotations

import os

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """App factory: defaults, then instance/config.py, then KIOSK_* environment, then `test_config`."""
    app = Flask(__name__, instance_path=os.environ.get("KIOSK_INSTANCE") or None,
                instance_relative_config=True)
    from kiosk.web import BoundedInt

    app.url_map.converters["int"] = BoundedInt  # before any route: ids beyond a database integer are 404
    from kiosk.config import Defaults

    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("KIOSK")
    else:
        app.config.from_mapping(test_config)
    _private_instance(app.instance_path)
    _secret_key(app)

    from kiosk import database, web
    from kiosk.people import auth

    database.init_app(app)
    web.init_app(app)
    auth.init_app(app)  # after web (language): who is asking, may they, CSRF

    from kiosk.orders import views as order_views
    from kiosk.stations import api
    from kiosk.stations import views as station_views

    app.register_blueprint(station_views.bp)
    from kiosk.stations import scanner_views  # command sheets and the scanner self-test

    app.register_blueprint(scanner_views.bp)
    app.register_blueprint(order_views.bp)
    app.register_blueprint(api.bp)
    from kiosk.stations import camera_views

    app.register_blueprint(camera_views.bp)
    from kiosk.orders import supervisor_views
    from kiosk.people import views as admin_views

    app.register_blueprint(admin_views.bp)
    app.register_blueprint(supervisor_views.bp)
    from kiosk.boards import views as board_views

    app.register_blueprint(board_views.bp)
    from kiosk.shipping import views as shipping_views

    app.register_blueprint(shipping_views.bp)
    from kiosk.printing import views as printer_views

    app.register_blueprint(printer_views.bp)
    from kiosk.complaints import views as complaint_views

    app.register_blueprint(complaint_views.bp)
    from kiosk.orders import change_views as order_change_views

    app.register_blueprint(order_change_views.bp)
    from kiosk.shipping import delivery_views

    app.register_blueprint(delivery_views.bp)
    from kiosk.pay import views as pay_views

    app.register_blueprint(pay_views.bp)

    from kiosk.andon import views as andon_views

    app.register_blueprint(andon_views.bp)
    from kiosk.alerts import views as alert_views

    app.register_blueprint(alert_views.bp)
    from kiosk.plan import views as plan_views

    app.register_blueprint(plan_views.bp)

    from kiosk import cli

    cli.init_app(app)
    return app


def _private_instance(path: str) -> None:
    """The instance folder holds password hashes (the SQLite file), the secret key and customers' photos:
    folders 0700 and files 0600 (the process's umask makes every file it creates so, WAL files too)."""
    os.umask(os.umask(0o077) | 0o077)
    os.makedirs(path, mode=0o700, exist_ok=True)
    try:
        os.chmod(path, 0o700)
        for name in os.listdir(path):
            item = os.path.join(path, name)
            if os.path.islink(item):
                continue
            os.chmod(item, 0o700 if os.path.isdir(item) else 0o600)
    except OSError:
        pass  # not ours to change (a shared, read-only instance): leave it


def _secret_key(app: Flask) -> None:
    """A per-install secret, generated once into the instance folder; never in the repo or logs.

    Several processes may start at once on an empty instance: each writes a whole key to a file of
    its own (O_EXCL), then links it into place; the link is atomic and fails if another got there
    first, and then everyone reads the one key that won. Never a half-written or empty key."""
    if app.config.get("SECRET_KEY"):
        return
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        import secrets

        mine = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(mine, path)
        except FileExistsError:
            pass  # another process's key won
        finally:
            os.unlink(mine)
    with open(path) as handle:
        key = handle.read().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it and start again (everyone will sign in again)")
    app.config["SECRET_KEY"] = key
