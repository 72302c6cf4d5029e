"""The app's commands: `kiosk init-db [--demo]`, `kiosk urls`, `kiosk print-worker`,
`kiosk rebuild-board-counts [--write]`, and `kiosk fake-printer` (which needs no app). kiosk/cli.py is the
`kiosk` program that runs them."""

from __future__ import annotations

import os
import secrets

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from db import database
from db.models import Station
from db.schema import current_version, migrate
from hardware.printer_status import Condition
from kiosk.boards import recount
from kiosk.demo import seed_demo
from kiosk.pay import ledger
from kiosk.people.approvals import set_approval
from kiosk.people.users import create_user
from kiosk.printing.fake_printer import FakePrinter
from kiosk.printing.queue import PrintWorker


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(urls)
    app.cli.add_command(print_worker)
    app.cli.add_command(rebuild_board_counts)


@click.command("init-db")
@click.option("--demo", is_flag=True, help="Fill an empty database with the demo plant and 30 orders.")
@with_appcontext
def init_db(demo: bool) -> None:
    """Create or upgrade the schema; optionally load the demo plant."""
    with database.connection_context():
        applied = migrate(database.obj)
        ledger.ensure_filled()  # a database that already held pay scans: its ledger from its log
        click.echo(f"schema at version {current_version(database.obj)} (applied {applied or 'none'})")
        if demo:
            if Station.select().exists():
                click.echo("demo: the database already has a plant; left as it is")
            else:
                seed_demo()
                click.echo("demo: plant and orders loaded")
                _demo_users()
            path = os.path.join(current_app.instance_path, DEMO_USERS_FILE)
            if os.path.exists(path):
                click.echo(f"demo: desk users (also in {path}):")
                with open(path) as handle:
                    click.echo(handle.read().rstrip())


DEMO_USERS_FILE = "demo-users.txt"
DEMO_ROLES = ("admin", "supervisor", "clerk", "warehouse", "finance")


def _demo_users() -> None:
    """One desk user per role with a random password, kept in the instance folder (mode 0600)."""

    lines = []
    for role in DEMO_ROLES:
        password = secrets.token_urlsafe(9)
        user = create_user(role, f"Demo {role}", role, password, by="demo")
        line = f"  {role:<11} password {password}"
        if role == "supervisor":  # approves short loads and undoes at kiosks with its own badge and a PIN
            pin = f"{secrets.randbelow(10**6):06d}"
            set_approval(user, "S001", pin, by="demo")
            line += f"   approval badge S001, PIN {pin}"
        lines.append(line)
    path = os.path.join(current_app.instance_path, DEMO_USERS_FILE)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")


@click.command("urls")
@click.option("--base", default=None, help="Base URL the kiosks use, e.g. http://192.168.1.10:8000")
@with_appcontext
def urls(base: str | None) -> None:
    """Print the address of each station page."""
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
    PrintWorker(poll_s=poll).run_until_signal()


@click.command("rebuild-board-counts")
@click.option("--write", is_flag=True, help="Rewrite every order's kept figures from its cards and cartons.")
@click.option("--show", default=50, show_default=True, help="Differences listed at most.")
@with_appcontext
def rebuild_board_counts(write: bool, show: int) -> None:
    """Check the order board's kept figures against a recount of the cards and cartons; --write fixes them."""
    with database.connection_context():
        found = recount.differences()
        orders = len({d.order for d in found})
        click.echo(f"board counts: {len(found)} differences in {orders} orders")
        for difference in found[:show]:
            click.echo(f"  {difference}")
        if len(found) > show:
            click.echo(f"  ... and {len(found) - show} more")
        if not write:
            if found:
                raise SystemExit(1)
            return
        recount.rewrite()
        left = recount.differences()
        click.echo(f"board counts: rewritten; {len(left)} differences left")
        if left:
            raise SystemExit(1)


@click.command("fake-printer")
@click.option("--port", default=9100, show_default=True, help="TCP port to listen on, e.g. 9101.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--out", default="printed", show_default=True, help="Folder for the received jobs and their PNGs.")
@click.option("--language", type=click.Choice(["zpl", "tspl", "escpos"]), default=None,
              help="Printer language of the jobs (default: guessed from the bytes).")
@click.option("--paper-out", is_flag=True, help="Report 'out of paper' when asked for status.")
@click.option("--head-open", is_flag=True, help="Report the print head (or cover) open.")
@click.option("--paused", is_flag=True, help="Report the printer paused.")
def fake_printer(port: int, host: str, out: str, language: str | None, paper_out: bool, head_open: bool,
                 paused: bool) -> None:
    """A pretend network printer: saves each job it receives to a file, so you can watch jobs print.

    It answers status requests as the real printers' manuals say. It runs without the app (no
    database, no print worker), so it can run on any machine.
    """
    def report(job) -> None:
        pictures = ", ".join(p.name for p in job.pictures) or job.problem
        click.echo(f"received {job.size} bytes ({job.language or 'unknown'}) -> {job.path}  [{pictures}]")

    condition = Condition(paper_out=paper_out, head_open=head_open, paused=paused)
    printer = FakePrinter(port, host, out, language, on_job=report, condition=condition).listen()
    click.echo(f"fake printer on tcp://{host}:{printer.port}, saving to {os.path.abspath(out)} (Ctrl-C stops)")
    try:
        printer.serve_forever()
    except KeyboardInterrupt:
        printer.stop()
