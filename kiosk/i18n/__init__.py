"""Chinese and English for every user-visible string.

The English text is the message id; each area of the product keeps its Chinese in its own
`kiosk/i18n/zh_<area>.py` (a dict named ZH), merged here. A test fails on any id used in code or
templates that has no Chinese. Domain code returns `Msg` objects, translated when shown, so the
event log stores the message id and its parameters, not one language.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"


def catalogs() -> dict[str, dict[str, str]]:
    """Each area's Chinese, by module name (kiosk/i18n/zh_<area>.py)."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("zh_"):
            found[info.name] = importlib.import_module(f"{__name__}.{info.name}").ZH
    return found


def _merge(parts: dict[str, dict[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    # In name order, the first catalog to give an id wins; the order changes nothing, because the same English
    # says the same Chinese in every catalog (tests/i18n/test_i18n.py checks it).
    for name in sorted(parts):
        for msgid, text in parts[name].items():
            merged.setdefault(msgid, text)
    return merged


ZH: dict[str, str] = _merge(catalogs())


def normalise_lang(lang: str | None) -> str:
    if not lang:
        return DEFAULT_LANG
    lang = lang.lower().replace("_", "-")
    if lang.startswith("zh"):
        return "zh"
    if lang.startswith("en"):
        return "en"
    return DEFAULT_LANG


def gettext(msgid: str, lang: str, /, **params: Any) -> str:
    """`msgid` (English) in `lang`, with {placeholders} filled from params."""
    text = ZH.get(msgid, msgid) if lang == "zh" else msgid
    if params:
        return text.format(**{k: _localise(v, lang) for k, v in params.items()})
    return text


def _localise(value: Any, lang: str) -> Any:
    """A param may itself be bilingual: a Msg, or data kept in both languages {"zh": .., "en": ..}."""
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, dict) and set(value) == {"zh", "en"}:
        return value[lang]
    if isinstance(value, dict) and "key" in value:
        return Msg.from_json(value).render(lang)
    return value


@dataclass(frozen=True)
class Msg:
    """A message to show later in the reader's language. Params are plain JSON values."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return gettext(self.key, lang, **self.params)

    def to_json(self) -> dict[str, Any]:
        params = {k: (v.to_json() if isinstance(v, Msg) else v) for k, v in self.params.items()}
        return {"key": self.key, "params": params}

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> Msg | None:
        if not value:
            return None
        return cls(value["key"], dict(value.get("params") or {}))


def msg(key: str, **params: Any) -> Msg:
    return Msg(key, params)
