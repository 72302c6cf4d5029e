"""The app factory: configuration, the one settings read, database, web and access, the rooms, and every
area's blueprint. kiosk/__init__.py hands `create_app` out without importing this until it is called."""

from __future__ import annotations

import os
import secrets

from flask import Flask

import kiosk.stations  # noqa: F401  (every room registers its rule and its undo)
from kiosk import commands, database, web
from kiosk.alerts import views as alerts
from kiosk.andon import views as andon
from kiosk.boards import views as boards
from kiosk.cards import outside_views
from kiosk.cards import views as job_cards
from kiosk.complaints import views as complaints
from kiosk.config import Defaults
from kiosk.core import settings
from kiosk.orders import change_views, payment_views, status_views, supervisor_views
from kiosk.orders import views as orders
from kiosk.pay import ledger
from kiosk.pay import views as pay
from kiosk.people import auth
from kiosk.people import views as admin
from kiosk.plan import views as plan
from kiosk.printing import views as printers
from kiosk.shipping import delivery_views, label_views
from kiosk.shipping import views as shipping
from kiosk.stations import api, camera_views, scanner_views
from kiosk.stations import views as stations
from kiosk.web import BoundedInt

# Every area's pages, one blueprint each, named for what it serves.
BLUEPRINTS = [stations.bp, scanner_views.bp, orders.bp, api.bp, camera_views.bp, admin.bp, supervisor_views.bp,
              boards.bp, shipping.bp, label_views.bp, printers.bp, job_cards.bp, complaints.bp, change_views.bp,
              payment_views.bp, status_views.bp, delivery_views.bp, outside_views.bp, pay.bp, andon.bp, alerts.bp,
              plan.bp]


def create_app(test_config: dict | None = None) -> Flask:
    """App factory: defaults, then instance/config.py, then KIOSK_* environment, then `test_config`."""
    app = Flask("kiosk", instance_path=os.environ.get("KIOSK_INSTANCE") or None,
                instance_relative_config=True)
    app.url_map.converters["int"] = BoundedInt  # before any route: ids beyond a database integer are 404
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("KIOSK")
    else:
        app.config.from_mapping(test_config)
    _private_instance(app.instance_path)
    _secret_key(app)
    settings.configure(app.config)  # the one place the domain's settings are read

    database.init_app(app)
    if app.config.get("AUTO_MIGRATE", True):
        with app.extensions["database"].connection_context():
            ledger.ensure_filled()  # once after the upgrade that added the pay ledger: filled from the log
    web.init_app(app)
    auth.init_app(app)  # after web (language): who is asking, may they, CSRF

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    commands.init_app(app)
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
