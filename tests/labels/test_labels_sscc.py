"""SSCC-18: the GS1 mod-10 check digit against GS1's published examples, building and validation."""

from __future__ import annotations

import pytest

from kiosk.labels.sscc import (
    SSCCError,
    gs1_check_digit,
    gs1_element_string,
    human_readable,
    is_valid_sscc,
    make_sscc,
    validate_sscc,
)


@pytest.mark.parametrize(
    ("number", "check"),
    [
        ("10614141123456789", 7),  # GS1 General Specifications' SSCC example 1 0614141 123456789 7
        ("37610425002123456", 9),  # GS1's check digit calculation example, SSCC 376104250021234569
        ("629104150021", 3),  # same algorithm on GS1's GTIN-13 example 6291041500213
        ("00000000000000000", 0),
    ],
)
def test_check_digit_matches_published_examples(number, check):
    assert gs1_check_digit(number) == check


def test_make_sscc_builds_gs1_example():
    assert make_sscc(1, "0614141", 123456789) == "106141411234567897"
    assert make_sscc("3", "7610425002", 123456) == "376104250021234569"


def test_make_sscc_pads_serial_to_fill_18_digits():
    sscc = make_sscc(0, "6901234", 42)
    assert len(sscc) == 18
    assert sscc.startswith("06901234000000042")
    assert is_valid_sscc(sscc)


def test_every_single_digit_error_is_caught():
    good = "106141411234567897"
    for position in range(18):
        for digit in "0123456789":
            if digit != good[position]:
                bad = good[:position] + digit + good[position + 1 :]
                assert not is_valid_sscc(bad), bad


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((10, "0614141", 1), "single digit"),
        ((1, "06141", 1), "6 to 12 digits"),
        ((1, "0614141", 1234567890), "does not fit in 9 digits"),
        ((1, "0614141", -5), "non-negative"),
    ],
)
def test_make_sscc_refuses_bad_parts(args, message):
    with pytest.raises(SSCCError, match=message):
        make_sscc(*args)


def test_validate_names_the_expected_check_digit():
    with pytest.raises(SSCCError, match="expected 7"):
        validate_sscc("106141411234567890")
    with pytest.raises(SSCCError, match="exactly 18 digits"):
        validate_sscc("10614141123456789")


def test_element_string_and_human_text():
    assert gs1_element_string("106141411234567897") == "00106141411234567897"
    assert human_readable("106141411234567897") == "(00) 106141411234567897"
