"""Piece pay (计件工资): rates, crews, earnings from the event log, settlement. Domain modules use no Flask;
`kiosk/pay/views.py` holds the desk pages and the kiosk's "my day"."""
