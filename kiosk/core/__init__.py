"""The ground floor of kiosk/: plain Python every area stands on (no Flask, no area).

outcome (what a scan or desk action decided), errors (the one error root), settings (configured once
by create_app), roles, plant (stations and routes), clock (plant time), text (clean input).
"""
