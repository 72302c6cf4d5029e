"""The `kiosk` program: the app's commands (kiosk/commands.py) and Flask's own, with the app made on demand."""

from __future__ import annotations

import sys

from flask.cli import FlaskGroup

from kiosk.app import create_app
from kiosk.commands import fake_printer


def main() -> None:
    cli = FlaskGroup(create_app=create_app)
    cli.add_command(fake_printer)  # needs no app, database or print worker
    sys.exit(cli.main())
