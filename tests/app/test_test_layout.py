"""The tests' own layout: every test file sits in an area folder, and no test module imports another
(shared helpers live beside conftest.py), so a test file can move or go without breaking the rest."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SHARED = {p.stem for p in TESTS.glob("*.py")} - {"__init__"}


def test_every_test_file_is_in_an_area_folder():
    assert sorted(p.name for p in TESTS.glob("test_*.py")) == []
    areas = {p.parent.name for p in TESTS.glob("*/test_*.py")}
    assert {"stations", "shipping", "labels", "printing", "pay"} <= areas
    assert all((TESTS / area / "__init__.py").exists() for area in areas)


def test_test_modules_import_only_the_shared_helpers():
    wrong = []
    for path in TESTS.glob("*/test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module == "tests":
                names = [f"tests.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "tests" and (len(parts) < 2 or parts[1] not in SHARED):
                    wrong.append(f"{path.relative_to(TESTS)}: {name}")
    assert wrong == []
