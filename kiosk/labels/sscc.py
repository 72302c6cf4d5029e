"""SSCC-18 numbers for GS1-128 carton labels: the GS1 mod-10 check digit, building and checking.

An SSCC is an extension digit, the company's GS1 prefix, a serial reference and a check digit,
18 digits in all. On the label it is carried by application identifier (00).
"""

from __future__ import annotations

SSCC_LENGTH = 18


class SSCCError(ValueError):
    """An SSCC or one of its parts is not valid; the message says which and why."""


def gs1_check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit for `digits` (the number without its check digit).

    From the right, digits are weighted 3, 1, 3, 1 ...; the check digit brings the sum up to a
    multiple of ten. The same rule serves GTIN-8/12/13/14, GSIN and SSCC.
    """
    if not digits.isascii() or not digits.isdigit():
        raise SSCCError(f"{digits!r} must be digits only")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def is_valid_sscc(sscc: str) -> bool:
    """True for 18 digits whose last digit is the right check digit."""
    return (
        len(sscc) == SSCC_LENGTH
        and sscc.isascii()
        and sscc.isdigit()
        and gs1_check_digit(sscc[:-1]) == int(sscc[-1])
    )


def validate_sscc(sscc: str) -> str:
    """`sscc` unchanged if valid, else SSCCError saying what is wrong."""
    if len(sscc) != SSCC_LENGTH or not sscc.isascii() or not sscc.isdigit():
        raise SSCCError(f"SSCC {sscc!r} must be exactly {SSCC_LENGTH} digits")
    expected = gs1_check_digit(sscc[:-1])
    if expected != int(sscc[-1]):
        raise SSCCError(f"SSCC {sscc} has check digit {sscc[-1]}, expected {expected}")
    return sscc


def make_sscc(extension_digit: int | str, company_prefix: str, serial: int | str) -> str:
    """The 18-digit SSCC for a carton: extension digit, company prefix, zero-padded serial, check digit.

    The company prefix (7 to 10 digits, from the plant's GS1 membership) leaves 16 - len(prefix)
    digits for the serial; a serial that does not fit is an error, not silently cut.
    """
    extension = str(extension_digit)
    if len(extension) != 1 or not extension.isdigit():
        raise SSCCError(f"extension digit {extension_digit!r} must be a single digit 0-9")
    if not (company_prefix.isascii() and company_prefix.isdigit() and 6 <= len(company_prefix) <= 12):
        raise SSCCError(f"GS1 company prefix {company_prefix!r} must be 6 to 12 digits")
    room = SSCC_LENGTH - 2 - len(company_prefix)
    serial_text = str(serial)
    if not (serial_text.isascii() and serial_text.isdigit()):
        raise SSCCError(f"serial {serial!r} must be a non-negative whole number")
    if len(serial_text) > room:
        raise SSCCError(
            f"serial {serial_text} does not fit in {room} digits after company prefix {company_prefix}"
        )
    body = extension + company_prefix + serial_text.zfill(room)
    return body + str(gs1_check_digit(body))


def gs1_element_string(sscc: str) -> str:
    """The data a GS1-128 scanner returns for the SSCC, without FNC1: AI 00 then the 18 digits."""
    return "00" + validate_sscc(sscc)


def human_readable(sscc: str) -> str:
    """How the SSCC is printed under its barcode: the AI in brackets, then the 18 digits."""
    return f"(00) {validate_sscc(sscc)}"
