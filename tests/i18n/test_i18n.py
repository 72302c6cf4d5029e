"""Every user-visible string has Chinese and English, with the same placeholders in both."""

from __future__ import annotations

import re
import string

from db.models import ORDER_STATUSES
from kiosk.i18n import ZH, gettext
from kiosk.i18n.extract import find_msgids
from kiosk.stations.qc import DEFECT_REASONS

CJK = re.compile(r"[\u4e00-\u9fff]")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_in_code_and_templates_has_chinese():
    missing = {msgid: places[0] for msgid, places in find_msgids().items() if msgid not in ZH}
    assert not missing, f"no Chinese for: {missing}"


def test_values_shown_through_translation_have_chinese():
    shown = [s.replace("_", " ").capitalize() for s in ORDER_STATUSES]
    shown += [s.capitalize() for s in ("open", "done", "void")]
    shown += list(DEFECT_REASONS)
    assert [s for s in shown if s not in ZH] == []


def test_chinese_keeps_the_placeholders_and_is_chinese():
    for msgid, text in ZH.items():
        assert placeholders(text) == placeholders(msgid), msgid
        assert CJK.search(text), f"{msgid!r} is not translated: {text!r}"


def test_gettext_fills_params_in_both_languages():
    assert gettext("Signed in: {name}", "en", name="Li") == "Signed in: Li"
    assert gettext("Signed in: {name}", "zh", name="Li") == "已登录：Li"


def test_areas_translate_the_same_english_the_same_way():
    from kiosk.i18n import catalogs

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for area, table in sorted(catalogs().items()):
        for msgid, text in table.items():
            if msgid in seen and seen[msgid][1] != text:
                clashes.append((msgid, seen[msgid], (area, text)))
            seen.setdefault(msgid, (area, text))
    assert clashes == []
