"""Find every message id used in code and templates, so a test can demand Chinese for each.

`python -m kiosk.i18n.extract` lists the ids that have no Chinese yet.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kiosk.i18n import ZH

ROOT = Path(__file__).resolve().parents[1]
CALLS = {"msg", "gettext", "_", "Msg", "lazy"}
TEMPLATE_CALL = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def _python_ids(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            first = node.args[0]
            if name in CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((first.value, node.lineno))
    return found


def _template_ids(path: Path) -> list[tuple[str, int]]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in TEMPLATE_CALL.finditer(text):
        found.append((match.group(1) if match.group(1) is not None else match.group(2),
                      text.count("\n", 0, match.start()) + 1))
    return found


def find_msgids(root: Path = ROOT) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        if "i18n" in path.parts:
            continue
        for msgid, line in _python_ids(path):
            ids.setdefault(msgid, []).append(f"{path.relative_to(root.parent)}:{line}")
    for path in sorted((root / "templates").rglob("*.html")):
        for msgid, line in _template_ids(path):
            ids.setdefault(msgid, []).append(f"{path.relative_to(root.parent)}:{line}")
    return ids


def main() -> int:
    missing = {k: v for k, v in find_msgids().items() if k not in ZH}
    for msgid, places in sorted(missing.items()):
        print(f"{msgid!r}: {places[0]}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
