"""Piece pay (计件工资): rates, crews, pay from the event log kept in a ledger, my day, settlement. Domain modules
use no Flask (their order, each importing only those above it, is in docs/pay.md); `kiosk/pay/views.py` holds
the desk pages and the kiosk's "my day"."""
