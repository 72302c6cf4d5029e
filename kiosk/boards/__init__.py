"""Boards: order progress against due dates, station output and the daily report, traceability,
kept live by the event stream (kiosk/events.py).

figures.py, report.py and trace.py are domain code (plain Python over the models); export.py
renders the daily report to XLSX and CSV; live.py and views.py are the web side.
"""
