"""Fixtures: a fresh database per test on SQLite and on PostgreSQL, the app, a test client.

Every test that asks for `database` (or `app`/`client`) runs twice: once on a temporary SQLite
file and once on PostgreSQL (127.0.0.1:5432, database `test`, or KIOSK_TEST_PG_URL). Without a
reachable server the PostgreSQL half is skipped with the reason, unless KIOSK_REQUIRE_PG=1 (CI),
where it fails.
"""

from __future__ import annotations

import os
import uuid

import pytest

import db
from db import models
from db.schema import migrate
from tests.factories import make_order, ship

PG_ADMIN_URL = os.environ.get("KIOSK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        import psycopg2

        conn = psycopg2.connect(PG_ADMIN_URL, connect_timeout=3)
        conn.close()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(error).strip()[:120]}"


@pytest.fixture(scope="session")
def pg_url():
    """A scratch PostgreSQL database for this test session, dropped at the end."""
    why = _pg_reachable()
    if why:
        if os.environ.get("KIOSK_REQUIRE_PG") == "1":
            pytest.fail(why + " (KIOSK_REQUIRE_PG=1)")
        pytest.skip(why)
    import psycopg2

    name = f"kiosk_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    schema_db = db.make_database(url)
    migrate(schema_db)
    schema_db.close()
    yield url
    admin.cursor().execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (name,),
    )
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def _truncate_pg(database) -> None:
    tables = ", ".join(f'"{m._meta.table_name}"' for m in models.ALL_MODELS)
    database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/kiosk.sqlite3"
    url = request.getfixturevalue("pg_url")
    database = db.make_database(url)
    _truncate_pg(database)
    database.close()
    return url


@pytest.fixture
def database(database_url):
    """The shared proxy bound to a fresh, migrated database."""
    database = db.open_database(database_url)
    migrate(database)
    database.connect(reuse_if_open=True)
    yield database
    if not database.is_closed():
        database.close()


@pytest.fixture
def app(database, database_url, tmp_path):
    from kiosk import create_app

    application = create_app({
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "TESTING": True,
    })
    yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def plant(database):
    """The demo plant's stations, routes, customers, products and workers, no orders."""
    from kiosk.demo import seed_plant

    seed_plant()
    return database


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    from tests.browser import launch_chromium

    chromium = launch_chromium(playwright_instance)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_server(tmp_path):
    """A real gunicorn server on SQLite with the demo plant (stations, products, workers, no orders).

    The test process has the same database open, so factories can add orders the server sees.
    """
    from kiosk.demo import seed_plant
    from tests.live import LiveServer

    url = f"sqlite:///{tmp_path}/live.sqlite3"
    database = db.open_database(url)
    migrate(database)
    seed_plant()
    server = LiveServer(url, tmp_path / "instance")
    server.start()
    yield server
    server.stop()
    database.close()


@pytest.fixture
def shipped_order(plant):
    """T-order for LH: 2 tables (2 cartons each), shipped on a finished pick list."""
    order = make_order(lines=[("DT-120", 2)], number="SO-CP-1")
    return order, ship(order)


@pytest.fixture
def photo_app(app, tmp_path):
    app.config["COMPLAINT_PHOTO_DIR"] = str(tmp_path / "photos")
    return app
@pytest.fixture(autouse=True)
def _fresh_sign_in_throttles():
    """Failed sign-ins and PINs are counted per process (kiosk/people/throttle.py): each test starts clean."""
    from kiosk.people.throttle import PIN, SIGN_IN

    SIGN_IN.clear()
    PIN.clear()
    yield


@pytest.fixture
def statements(monkeypatch):
    """Every SQL statement the app runs, in order."""
    seen: list[str] = []
    execute = db.database.obj.execute_sql

    def recording(sql, params=None, *args, **kwargs):
        seen.append(db.unprepared(sql))  # PostgreSQL runs compiled queries as prepared statements
        return execute(sql, params, *args, **kwargs)

    monkeypatch.setattr(db.database.obj, "execute_sql", recording)
    return seen
