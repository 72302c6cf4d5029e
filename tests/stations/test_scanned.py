"""What a scanned code reads as (kiosk/core/scanned.py, the same rules as kiosk.js readScan), without HTTP."""

from __future__ import annotations

import uuid

import pytest

from db.models import ScanEvent
from kiosk.core.errors import ScanInputError
from kiosk.core.outcome import ScanRequest
from kiosk.core.scanned import GS, normalise, two_codes
from kiosk.eventlog.scan_path import record_scan
from tests.factories import cards_of, make_order


@pytest.mark.parametrize(("raw", "read"), [
    ("ＪＣ０００００４２", "JC0000042"),  # full width (全角)
    ("jc0000042", "JC0000042"),  # lower case: every code the plant prints is upper case
    ("  JC0000042 \t", "JC0000042"),  # spaces trimmed
    ("\u3000JC0000042\u3000", "JC0000042"),  # an ideographic space
    ("#units＋1", "#UNITS+1"),
    ("LOC－a01", "LOC-A01"),
    ("", ""),
    ("   ", ""),
    ("0109501101530003" + GS + "10ab12", "0109501101530003" + GS + "10ab12"),  # GS1: the separator and case kept
    ("]C1" + "0109501101530003", "]C1" + "0109501101530003"),
])
def test_a_scan_reads_as_the_code_printed(raw, read):
    assert normalise(raw) == read


def test_two_codes_in_one_burst_are_found():
    assert two_codes("JC0000042 JC0000043") == ["JC0000042", "JC0000043"]
    assert two_codes("JC0000042JC0000043") == ["JC0000042", "JC0000043"]
    assert two_codes("C00000012C00000013") == ["C00000012", "C00000013"]
    assert two_codes("JC0000042") is None


def test_the_scan_path_records_normalised_codes_and_refuses_two_at_once(plant):
    card = cards_of(make_order(lines=[("DT-120", 2)]))[0]
    result = record_scan(ScanRequest("whitebody", " " + card.code.lower().replace("jc", "ｊｃ") + " ",
                                     uuid.uuid4().hex, "w001"))
    assert result.outcome == "ok" and result.code == card.code
    with pytest.raises(ScanInputError) as refused:
        record_scan(ScanRequest("whitebody", f"{card.code}JC0000099", uuid.uuid4().hex, "W001"))
    assert "Two codes arrived as one scan" in refused.value.message.render("en")
    with pytest.raises(ScanInputError):
        record_scan(ScanRequest("whitebody", "   ", uuid.uuid4().hex, "W001"))
    gs1 = record_scan(ScanRequest("whitebody", "0109501101530003" + GS + "10AB12", uuid.uuid4().hex, "W001"))
    assert gs1.outcome == "rejected" and gs1.code == "0109501101530003" + GS + "10AB12"  # kept, looked up as sent
    assert ScanEvent.select().count() == 2
