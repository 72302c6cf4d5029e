"""Configuration defaults. One home: override in instance/config.py or by KIOSK_* environment
variables (KIOSK_DATABASE_URL=..., KIOSK_DEFAULT_LANG=en, ...); DATABASE_URL is honoured too."""

from __future__ import annotations

import os


class Defaults:
    # sqlite:///<instance>/kiosk.sqlite3 unless DATABASE_URL / KIOSK_DATABASE_URL say otherwise
    DATABASE_URL = None
    DEFAULT_LANG = "zh"  # the plant's language; a kiosk may switch
    CARD_UNITS = 20  # units one job card covers at most
    RECENT_SCANS = 8  # scans listed under the answer on a station page
    # The station's queue is fetched again this long after the last scan that changed it (a burst of scans
    # costs one fetch), never inside a scan's answer (templates/stations/_queue.html).
    QUEUE_REFRESH_DELAY_MS = 300
    AUTO_MIGRATE = True  # upgrade the schema on start-up
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # uploads (order imports)
    # sign-in and kiosk pairing (docs/access.md)
    SESSION_COOKIE_NAME = "kiosk_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # True once the server is reached over HTTPS (cookies then never go in clear)
    PERMANENT_SESSION_LIFETIME = 12 * 3600  # seconds a desk sign-in lasts: one shift
    # The session cookie is written only when the session changed: a sign-in ends one shift after it
    # began anyway (kiosk/auth.py checks its time), so moving the cookie's expiry on every request buys nothing.
    SESSION_REFRESH_EACH_REQUEST = False
    DEVICE_COOKIE_NAME = "kiosk_device"  # the kiosk's random token; only its hash is stored
    MAX_PENDING_DEVICES = 50  # browsers waiting for pairing at once; unpaired ones idle for a day are forgotten
    # failed sign-ins slow down with a doubling wait (kiosk/people/throttle.py), never a lockout
    HASHING_AT_ONCE = 2  # password and PIN hashes computed at once per process (about 32 MB each)
    # seconds a sign-in may wait for its turn to hash; one that would wait longer (judged from how long the
    # last hashes took) is answered 429 "busy, try again in N seconds" at once (kiosk/people/hashing.py)
    HASHING_WAIT = 0.8
    PLANT_NAME = "Demo Furniture Co."
    # keyboard-wedge scanners (docs/scanner.md): the key a scanner sends after each code, "Enter" or "Tab"
    SCANNER_SUFFIX = "Enter"
    PRINT_WORKER = True  # deliver queued print jobs from the web process (a lock per printer)
    # the clerk desk's printers, by Printer.name (docs/printing.md); job cards print on release when set
    DESK_LABEL_PRINTER = None  # job cards; None: on the desk's receipt printer, if it has one
    DESK_RECEIPT_PRINTER = None
    # packing, warehouse and loading (docs/shipping.md)
    SSCC_COMPANY_PREFIX = ""  # the plant's GS1 company prefix (6-12 digits): carton labels then carry an SSCC-18
    SSCC_EXTENSION = 0  # SSCC extension digit, 0-9
    GS1_LABEL_CUSTOMERS = ()  # customer codes whose cartons get the GS1 logistic label (100 x 150 mm, needs SSCC)
    GS1_LABEL_MM = (100, 150)  # that label's stock: (100, 150), or A6 (105, 148)
    LABEL_LANG = None  # language of carton labels, pick lists and manifests (zh or en); None: DEFAULT_LANG
    LOCATION_PREFIX = "LOC-"  # a code scanned at warehouse-in that starts with this names a bin: LOC-A01
    # delivery notes (docs/clerk-guide-delivery.md)
    DELIVERY_NOTE_RETURN_DAYS = 7  # a signed delivery note not back after this many days is listed as overdue
    DELIVERY_NOTE_COPIES = 2  # printed when loading finishes: the customer keeps one, signs and returns one
    # complaints (docs/clerk-guide-complaints.md)
    COMPLAINT_PHOTO_MAX_BYTES = 5 * 1024 * 1024  # largest photo kept with a complaint
    COMPLAINT_PHOTO_DIR = None  # where complaint photos are kept; None: <instance>/photos
    # andon calls (docs/andon.md): minutes each next state may take before the call goes one level up
    ANDON_ACK_MINUTES = 3  # called -> acknowledged
    ANDON_ARRIVE_MINUTES = 10  # acknowledged -> someone arrived at the station
    ANDON_FIX_MINUTES = 30  # arrived -> fixed
    ANDON_RECHECK_MINUTES = 15  # fixed -> rechecked (quality calls only)
    ANDON_LEVELS = 3  # escalation levels: 1 team leader, 2 supervisor, 3 plant manager
    ANDON_RECENT_CARD_MINUTES = 30  # a card scanned here this recently is the order a call is for
    ANDON_RESUMED_MINUTES = 10  # a fixed call stays on the boards in green this long
    # alerts (docs/alerts.md)
    ALERT_WORKER = True  # check rules, escalate andon calls and send alert messages from the web process
    ALERT_CHECK_SECONDS = 60  # how often
    ALERT_RETRIES = 5  # tries per message before it is shown as failed
    ALERT_TIMEOUT = 10  # seconds a webhook or mail server may take to answer
    ALERT_SMTP_HOST = ""  # mail server; empty: mail channels cannot send
    ALERT_SMTP_PORT = 25
    ALERT_SMTP_FROM = "kiosk@localhost"
    ALERT_SMTP_USER = ""
    ALERT_SMTP_PASSWORD = ""
    ALERT_SMTP_STARTTLS = False
    # plan against actual (docs/boards.md): the shift's hours, plant time [start, end)
    SHIFT_START_HOUR = 8
    SHIFT_END_HOUR = 18


def database_url(app) -> str:
    url = app.config.get("DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + os.path.join(app.instance_path, "kiosk.sqlite3")
