"""Command line: `kiosk init-db [--demo]`, `kiosk urls`, `kiosk serve`, and Flask's own commands."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(urls)
    app.cli.add_command(print_worker)


@click.command("init-db")
@click.option("--demo", is_flag=True, help="Fill an empty database with the demo plant and 30 orders.")
@with_appcontext
def init_db(demo: bool) -> None:
    """Create or upgrade the schema; optionally load the demo plant."""
    from db import database
    from db.models import Station
    from db.schema import current_version, migrate

    with database.connection_context():
        applied = migrate(database.obj)
        click.echo(f"schema at version {current_version(database.obj)} (applied {applied or 'none'})")
        if demo:
            if Station.select().exists():
                click.echo("demo: the database already has a plant; left as it is")
            else:
                from kiosk.demo import seed_demo

                seed_demo()
                click.echo("demo: plant and orders loaded")


@click.command("urls")
@click.option("--base", default=None, help="Base URL the kiosks use, e.g. http://192.168.1.10:8000")
@with_appcontext
def urls(base: str | None) -> None:
    """Print the address of each station page."""
    from db import database
    from db.models import Station

    base = (base or os.environ.get("KIOSK_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
    with database.connection_context():
        for station in Station.select().order_by(Station.sort):
            click.echo(f"  {station.name_zh} {station.name_en:<14} {base}/station/{station.code}")
    click.echo(f"  orders (clerks)         {base}/orders/")
    _ = current_app


@click.command("print-worker")
@click.option("--poll", default=1.0, help="Seconds between looks for jobs queued by other processes.")
@with_appcontext
def print_worker(poll: float) -> None:
    """Deliver queued print jobs until Ctrl-C / SIGTERM."""
    from kiosk.printing import PrintWorker

    PrintWorker(poll_s=poll).run_until_signal()


def main() -> None:
    from kiosk import create_app

    cli = FlaskGroup(create_app=create_app)
    sys.exit(cli.main())
