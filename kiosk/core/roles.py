"""Desk roles, grouped by what they let people do (docs/access.md has the whole table).

Every route's access and every domain check of a role names one of these groups; none is copied
elsewhere. Groups that let the same people do different things share one tuple.
"""

from __future__ import annotations

from db.models import ROLES

STAFF = ROLES  # every desk role may read orders
ADMINS = ("admin",)  # users and kiosks
ORDER_DESK = ("admin", "clerk")  # enter, import and release orders; order changes and status links
SUPERVISORS = ("admin", "supervisor")  # undo scans, hold orders, delay reasons, workers and badges, loading overrides
MANAGERS = SUPERVISORS  # decide complaints
FINANCE = ("finance",)  # release payment and lift requirements
RULE_SETTERS = ("admin", "clerk", "finance")  # set an order's payment rule (stricter only, unless finance)

CLERKS_AND_SUPERVISORS = ("admin", "supervisor", "clerk")
CARD_PRINTERS = CLERKS_AND_SUPERVISORS  # print job cards
OUTSIDE_DESK = CLERKS_AND_SUPERVISORS  # send cards out, take them back, keep the supplier list
COMPLAINT_DESK = CLERKS_AND_SUPERVISORS  # record complaints and add photos; managers decide
DELAY_DESK = CLERKS_AND_SUPERVISORS  # record why an order is late (the clerk follows the order); supervisors clear

SHIPPING_DESK = ("admin", "supervisor", "clerk", "warehouse")  # make, print and follow pick lists
DELIVERY_DESK = SHIPPING_DESK  # delivery notes: the same people as the shipping desk
PRINT_DESK = SHIPPING_DESK  # printers and the print queue
