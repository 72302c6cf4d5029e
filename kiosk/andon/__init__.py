"""Andon: a station calls for help (material, machine, quality, help) and the plant answers in time.

calls.py is the domain (plain Python over the models); views.py the kiosk buttons, the desk page
and the strip the boards show.
"""
