"""The rooms of the plant: what a scan means at each kind of station, and how it is undone.

Each room holds the rule for one kind (`scan(station, worker, request) -> Outcome`, registered with
`kiosk.eventlog.rules.register`) and the undo of its scans; the shared path around it (validation,
idempotency, transaction, event) is kiosk/eventlog/scan_path.py. The list of rooms is this import:
create_app imports this package, so every room has registered before the first scan. A new kind of
station is one module here, its line below, and its template under templates/stations/.
"""

from kiosk.pay import ledger, settlement  # noqa: F401  (piece pay keeps its ledger with each scan, guards undos)
from kiosk.stations import gate, loading, packing, process, qc, warehouse  # noqa: F401  (each room registers itself)
