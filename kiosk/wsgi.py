"""WSGI entry point for gunicorn: `gunicorn -c gunicorn.conf.py kiosk.wsgi:app`."""

import gc

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

# What the process holds once it has started (modules, templates, the app: about 68,000 objects)
# stays for its life. Frozen, Python's full collections no longer walk it: on a scanning server they did
# every few seconds, 40 to 65 ms each with every request of the process stopped (seen at the top of
# bench/scan.py's latencies); frozen, 6 to 12 ms. gunicorn loads the app in each worker, after the fork.
gc.collect()
gc.freeze()
