"""The settings plain-Python areas read, configured once from the app config by create_app.

Defaults and their meaning live in kiosk/config.py (the one documented home); this is the typed copy
the domain reads (packing, warehouse-in, loading, delivery notes, printed labels), so no domain code
needs Flask's `current_app`. A bad GS1 prefix is refused at start-up, not at the first carton.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.labels.delivery_note import COPIES
from kiosk.labels.sscc import make_sscc


@dataclass
class Settings:
    sscc_company_prefix: str = ""  # GS1 company prefix; empty: cartons get no SSCC
    sscc_extension: int = 0
    label_lang: str = "zh"  # language printed on carton labels, pick lists, manifests and delivery notes
    location_prefix: str = "LOC-"  # a scanned code starting with this names a warehouse bin
    return_days: int = 7  # a delivery note not back after this many days is overdue
    copies: int = 2  # delivery notes printed at the end of loading: the customer's copy, then the one that comes back
    plant: str = ""  # the plant's name: at the top of a delivery note, "From:" on the GS1 logistic label
    gs1_label_customers: tuple[str, ...] = ()  # customer codes whose cartons get the GS1 logistic label
    gs1_label_mm: tuple[float, float] = (100.0, 150.0)  # its stock: 100 x 150 mm, or A6 (105 x 148)


SETTINGS = Settings()


def configure(config: Mapping) -> Settings:
    """Read SSCC_*, LABEL_LANG, LOCATION_PREFIX, DELIVERY_NOTE_*, PLANT_NAME and GS1_LABEL_*."""
    prefix = str(config.get("SSCC_COMPANY_PREFIX") or "").strip()
    extension = int(config.get("SSCC_EXTENSION") or 0)
    if prefix:
        make_sscc(extension, prefix, 0)  # raises SSCCError naming what is wrong
    SETTINGS.sscc_company_prefix = prefix
    SETTINGS.sscc_extension = extension
    SETTINGS.label_lang = str(config.get("LABEL_LANG") or config.get("DEFAULT_LANG") or "zh")
    SETTINGS.location_prefix = str(config.get("LOCATION_PREFIX") or "LOC-")
    SETTINGS.return_days = max(0, int(config.get("DELIVERY_NOTE_RETURN_DAYS", 7)))
    SETTINGS.copies = min(len(COPIES), max(1, int(config.get("DELIVERY_NOTE_COPIES", 2))))
    SETTINGS.plant = str(config.get("PLANT_NAME") or "")
    customers = config.get("GS1_LABEL_CUSTOMERS") or ()
    SETTINGS.gs1_label_customers = tuple(str(c) for c in ([customers] if isinstance(customers, str) else customers))
    width, height = config.get("GS1_LABEL_MM") or (100.0, 150.0)
    SETTINGS.gs1_label_mm = (float(width), float(height))
    return SETTINGS
