"""The shop-floor kiosk: a Flask app for station kiosks, clerk desks and boards (the factory: kiosk/app.py)."""

from __future__ import annotations


def create_app(test_config: dict | None = None):
    """The app (kiosk/app.py). Imported when called, so `import kiosk.labels` or the camera agent does not
    load Flask and every area."""
    from kiosk.app import create_app as make  # the whole app, only when an app is made

    return make(test_config)
