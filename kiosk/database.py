"""The database's life in the web app, as playhouse.flask_utils.FlaskDB does it: open a connection
for each request and close it after; fail loudly on bad config."""

from __future__ import annotations

from flask import Flask

import db
from db.schema import migrate
from kiosk.config import database_url


def init_app(app: Flask) -> None:
    url = database_url(app)
    database = db.open_database(url)
    app.config["DATABASE_URL"] = url
    app.extensions["database"] = database
    if app.config.get("AUTO_MIGRATE", True):
        with database.connection_context():
            migrate(database)

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    keep = db.keeps_connections(database)

    @app.teardown_request
    def _close(exc):
        if not database.is_closed() and not (keep and database.transaction_depth() == 0):
            database.close()
