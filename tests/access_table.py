"""The access table: every route of the app x every kind of visitor, who may use it.

Asserted route by route by tests/people/test_authz_table.py; the CSRF and hostile-input tests walk the same
table.
"""

from __future__ import annotations

ANON = "anonymous"
ROLES = ("admin", "supervisor", "clerk", "warehouse", "finance")
K_OTHER = "kiosk at another station"
K_HERE = "kiosk at this station"
VISITORS = (ANON, *ROLES, K_OTHER, K_HERE)
HERE, OTHER = "loading", "qc"

EVERYONE = frozenset(VISITORS)
STAFF = frozenset(ROLES)
KIOSKS = frozenset({K_OTHER, K_HERE})
ORDER_DESK = frozenset({"admin", "clerk"})
CARD_PRINTERS = frozenset({"admin", "supervisor", "clerk"})
SUPERVISORS = frozenset({"admin", "supervisor"})
SHIPPING_DESK = frozenset({"admin", "supervisor", "clerk", "warehouse"})
PRINT_DESK = SHIPPING_DESK
FINANCE = frozenset({"finance"})
ADMINS = frozenset({"admin"})
NOBODY = frozenset()

# "METHOD /rule": who may. Keep in step with docs/access.md.
ACCESS: dict[str, frozenset[str]] = {
    # start page, assets, health
    "GET /": EVERYONE,
    "GET /static/<path:filename>": EVERYONE,
    "GET /api/health": EVERYONE,
    # sign in and pairing: anyone may ask
    "GET /login": EVERYONE,
    "POST /login": EVERYONE,
    "POST /logout": EVERYONE,
    "POST /lang": EVERYONE,
    "GET /pair": EVERYONE,
    "POST /pair": EVERYONE,
    "GET /pair/status": EVERYONE,
    # station kiosk: the page shows the scan field only to its own kiosk; recording needs that kiosk
    "GET /station/<code>": EVERYONE,
    "POST /station/<code>/scan": frozenset({K_HERE}),
    "POST /station/<code>/sign-out": frozenset({K_HERE}),
    "GET /station/<code>/worker": frozenset({K_HERE}),
    "GET /station/<code>/queue": frozenset({K_HERE}),
    # camera agents and other scanner programs: a paired device; the station in the body must be its own
    "POST /api/scan": frozenset({K_HERE}),
    # command barcodes and the scanner self-test (kiosk/stations/scanner_views.py)
    "GET /station/<code>/commands": STAFF | KIOSKS,
    "POST /station/<code>/commands/print": SUPERVISORS | {K_HERE},
    "GET /station/<code>/scanner-test": STAFF | KIOSKS,
    # orders
    "GET /orders/": STAFF,
    "GET /orders/<number>": STAFF,
    "GET /orders/new": ORDER_DESK,
    "POST /orders/new": ORDER_DESK,
    "GET /orders/import": ORDER_DESK,
    "POST /orders/import": ORDER_DESK,
    "POST /orders/<number>/release": ORDER_DESK,
    "GET /orders/<number>/cards": CARD_PRINTERS,
    "POST /orders/<number>/hold": SUPERVISORS,
    # boards and trace: desk users, and any paired device (a kiosk, or a TV paired as a display)
    "GET /board": STAFF | KIOSKS,
    "GET /board/rows": STAFF | KIOSKS,
    "GET /board/events": STAFF | KIOSKS,
    "GET /board/stations": STAFF | KIOSKS,
    "GET /board/stations/report.<fmt>": STAFF | KIOSKS,
    "GET /trace": STAFF | KIOSKS,
    "GET /trace/<path:code>": STAFF | KIOSKS,
    # shipping desk: pick lists, cartons and their labels (kiosk/shipping_views.py); printouts also for kiosks
    "GET /shipping/": SHIPPING_DESK,
    "GET /shipping/pick-lists": SHIPPING_DESK,
    "GET /shipping/pick-lists/new": SHIPPING_DESK,
    "POST /shipping/pick-lists/new": SHIPPING_DESK,
    "GET /shipping/pick-lists/<code>": SHIPPING_DESK,
    "GET /shipping/pick-lists/<code>/tally": SHIPPING_DESK | KIOSKS,
    "GET /shipping/pick-lists/<code>/sheet": SHIPPING_DESK | KIOSKS,
    "GET /shipping/pick-lists/<code>/manifest": SHIPPING_DESK | KIOSKS,
    "POST /shipping/pick-lists/<code>/print": SHIPPING_DESK,
    "POST /shipping/pick-lists/<code>/finish": SHIPPING_DESK,
    "POST /shipping/pick-lists/<code>/undo": SUPERVISORS,
    "POST /shipping/stations/<code>/undo": frozenset({K_HERE}),
    "POST /shipping/stations/<code>/finish-short": frozenset({K_HERE}),
    "GET /shipping/cartons": SHIPPING_DESK,
    "POST /shipping/cartons/<code>/reprint": SHIPPING_DESK,
    "GET /shipping/cartons/<code>/label": SHIPPING_DESK | KIOSKS,
    "GET /shipping/cards/<code>/labels": SHIPPING_DESK | KIOSKS,
    # delivery notes and outside work (kiosk/delivery_views.py): the shipping desk; outside work is the clerks'
    "GET /delivery/": SHIPPING_DESK,
    "GET /delivery/notes/<code>": SHIPPING_DESK,
    "GET /delivery/notes/<code>.png": SHIPPING_DESK,  # issue 15 F10: a customer's address, not for displays
    "GET /delivery/notes/<code>/a4": SHIPPING_DESK,
    "POST /delivery/notes/<code>/print": SHIPPING_DESK,
    "GET /delivery/returns": SHIPPING_DESK,
    "POST /delivery/returns": SHIPPING_DESK,
    "GET /outside/": STAFF,  # issue 15 F10: suppliers' phones, not for displays or agents
    "GET /outside/out": frozenset({"admin", "supervisor", "clerk"}),
    "POST /outside/out": frozenset({"admin", "supervisor", "clerk"}),
    "GET /outside/in": frozenset({"admin", "supervisor", "clerk"}),
    "POST /outside/in": frozenset({"admin", "supervisor", "clerk"}),
    "POST /outside/suppliers": frozenset({"admin", "supervisor", "clerk"}),
    # camera decoding for a station (a kiosk's camera sends frames)
    "POST /station/<code>/decode": frozenset({K_HERE}),
    # printers, the print queue and label pictures (kiosk/printer_views.py)
    "GET /printers": PRINT_DESK,
    "POST /printers": ADMINS,
    "GET /printers/<int:printer_id>/edit": ADMINS,
    "POST /printers/<int:printer_id>/edit": ADMINS,
    "POST /printers/stations": ADMINS,
    "POST /printers/<int:printer_id>/test": PRINT_DESK,
    "POST /printers/<int:printer_id>/retry": PRINT_DESK,
    "GET /printers/jobs/<int:job_id>.png": PRINT_DESK,
    "POST /printers/jobs/<int:job_id>/reprint": PRINT_DESK,
    "POST /printers/labels/void": PRINT_DESK,
    "POST /printers/jobs/<int:job_id>/cancel": PRINT_DESK,
    "POST /orders/<number>/cards/print": CARD_PRINTERS,
    "GET /labels/carton/<code>.png": STAFF | KIOSKS,
    "GET /labels/job-card/<code>.png": STAFF | KIOSKS,
    "GET /labels/manifest/<code>.png": STAFF | KIOSKS,
    "GET /labels/pick-list/<code>.png": STAFF | KIOSKS,
    # order changes, payment release and the customer's status link (kiosk/order_change_views.py)
    "GET /orders/<number>/change": ORDER_DESK,
    "POST /orders/<number>/change": ORDER_DESK,
    "POST /orders/<number>/clear-hold": ORDER_DESK,
    "POST /orders/<number>/status-links": ORDER_DESK,
    "POST /orders/<number>/status-links/revoke": ORDER_DESK,
    "GET /orders/<number>/status-link.png": ORDER_DESK,
    "GET /orders/<number>/status-link/print": ORDER_DESK,
    "GET /s/<token>": EVERYONE,  # the customer's read-only page: the unguessable token is the key
    "GET /payments": STAFF,
    "POST /payments/customers": FINANCE,
    "POST /orders/<number>/payment/release": FINANCE,
    "POST /orders/<number>/payment/withdraw": FINANCE,
    "POST /orders/<number>/payment/rule": frozenset({"admin", "clerk", "finance"}),
    # customer complaints (kiosk/complaint_views.py)
    "GET /complaints/": STAFF,
    "GET /complaints/<code>": STAFF,
    "GET /complaints/<code>/photos/<int:photo_id>": STAFF,
    "GET /complaints/new": CARD_PRINTERS,
    "POST /complaints/new": CARD_PRINTERS,
    "POST /complaints/<code>/photos": CARD_PRINTERS,
    "POST /complaints/<code>/decide": SUPERVISORS,
    # andon calls (kiosk/andon/views.py): the kiosk calls and answers; the desk acknowledges and records delays
    "GET /station/<code>/andon": frozenset({K_HERE}),
    "POST /station/<code>/andon": frozenset({K_HERE}),
    "POST /station/<code>/andon/<int:call_id>/<step>": frozenset({K_HERE}),
    "GET /andon": STAFF | KIOSKS,
    "GET /andon/strip": STAFF | KIOSKS,
    "POST /andon/<int:call_id>/acknowledge": CARD_PRINTERS,
    "POST /andon/<int:call_id>/delay": CARD_PRINTERS,
    # alert channels, rules and messages (kiosk/alerts/views.py)
    "GET /alerts": CARD_PRINTERS,
    "POST /alerts/channels": CARD_PRINTERS,
    "POST /alerts/channels/<int:channel_id>/test": CARD_PRINTERS,
    "POST /alerts/rules": CARD_PRINTERS,
    "POST /alerts/rules/<int:rule_id>/switch": CARD_PRINTERS,
    "POST /alerts/sent/<int:delivery_id>/retry": CARD_PRINTERS,
    # the daily plan per station (kiosk/plan/views.py)
    "GET /plan": CARD_PRINTERS,
    "POST /plan": CARD_PRINTERS,
    "POST /plan/import": CARD_PRINTERS,
    "POST /plan/derive": CARD_PRINTERS,
    # supervisor
    "GET /supervisor/": SUPERVISORS,
    "POST /supervisor/scans/<int:event_id>/undo": SUPERVISORS,
    "POST /supervisor/orders/<number>/delays": CARD_PRINTERS,  # clerks record delay reasons too
    "POST /supervisor/orders/<number>/delays/<int:delay_id>/clear": SUPERVISORS,
    # piece pay (kiosk/pay/views.py): rates and crews for supervisors, settlement also read by finance,
    # a worker's own day on the kiosk of the station
    "GET /pay/rates": SUPERVISORS,
    "POST /pay/rates": SUPERVISORS,
    "POST /pay/rates/import": SUPERVISORS,
    "POST /pay/crews": SUPERVISORS,
    "GET /pay/settlement": SUPERVISORS | FINANCE,
    "GET /pay/settlement.xlsx": SUPERVISORS | FINANCE,
    "POST /pay/settlement/approve": SUPERVISORS,
    "POST /pay/adjustments": SUPERVISORS,
    "GET /station/<code>/my-day": frozenset({K_HERE}),
    # admin
    "GET /admin/users": ADMINS,
    "POST /admin/users": ADMINS,
    "POST /admin/users/<int:user_id>": ADMINS,
    "POST /admin/users/<int:user_id>/password": ADMINS,
    "POST /admin/users/<int:user_id>/approval": ADMINS,
    "GET /admin/devices": ADMINS,
    "POST /admin/devices/approve": ADMINS,
    "POST /admin/devices/agent": ADMINS,
    "POST /admin/devices/<int:device_id>/unpair": ADMINS,
    "POST /admin/devices/<int:device_id>/remove": ADMINS,
    "GET /admin/workers": SUPERVISORS,
    "POST /admin/workers": SUPERVISORS,
    "POST /admin/workers/<int:worker_id>": SUPERVISORS,
    "GET /admin/badges": SUPERVISORS,
}


def app_routes(app) -> list[tuple[str, object]]:
    """("METHOD /rule", rule) for every route and method the app answers (not HEAD / OPTIONS)."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((f"{method} {rule.rule}", rule))
    return sorted(found, key=lambda item: item[0])
