"""Alerts: rules a clerk or supervisor sets (a card waiting too long, an order that will be late, too many
QC fails, a printer offline, an escalated andon call), sent once per condition to a WeCom or DingTalk group
robot or by mail, outside quiet hours, retried when delivery fails.

rules.py decides (plain Python over the models), channels.py formats and sends, delivery.py queues and
retries, worker.py runs them in the background; views.py is the desk page.
"""
