"""WSGI entry point for gunicorn: `gunicorn -c gunicorn.conf.py kiosk.wsgi:app`."""

from kiosk import create_app

app = create_app()

if app.config.get("PRINT_WORKER"):
    # The server delivers queued print jobs itself. Safe in every gunicorn worker: a lock per printer
    # lets one process deliver it at a time. (Not in CLI commands, which also build the app.)
    from kiosk.printing.queue import PrintWorker

    PrintWorker().start()

if app.config.get("ALERT_WORKER"):
    # Andon escalation, alert rules and their messages (kiosk/alerts/worker.py).
    from kiosk.alerts.worker import AlertWorker

    AlertWorker(app.config).start()
