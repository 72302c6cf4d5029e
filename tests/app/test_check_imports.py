"""scripts/check_imports.py, run as CI runs it: on a small made-up tree with two areas that import each
other through different modules (a circle between areas, though no module circle), and on the real tree."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_imports.py"

FLOORS = """# Architecture

```floors
entry:    kiosk=
areas:    kiosk.boards kiosk.plan
```
"""


def run_check(*args: str) -> tuple[int, list[str], dict]:
    done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)
    lines = done.stdout.splitlines()
    return done.returncode, lines[:-1], json.loads(lines[-1])


def make_tree(root: Path, files: dict[str, str]) -> Path:
    (root / "docs").mkdir()
    (root / "docs" / "architecture.md").write_text(FLOORS, encoding="utf-8")
    for name, text in {"kiosk/__init__.py": "", "kiosk/boards/__init__.py": "",
                       "kiosk/plan/__init__.py": "", **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_two_areas_importing_each_other_are_a_circle(tmp_path):
    tree = make_tree(tmp_path, {
        "kiosk/boards/report.py": "from kiosk.plan import plans\n",
        "kiosk/boards/figures.py": "TOTAL = 1\n",
        "kiosk/plan/plans.py": "from kiosk.boards.figures import TOTAL\n",
    })
    status, problems, counts = run_check("--root", str(tree))
    assert status == 1
    assert counts == {"modules": 6, "circles": 0, "area_circles": 1, "upward": 0, "function_level_imports": 0}
    assert problems == [
        "area circle: boards <-> plan",
        "    boards -> plan: kiosk.boards.report imports kiosk.plan.plans (kiosk/boards/report.py:1)",
        "    plan -> boards: kiosk.plan.plans imports kiosk.boards.figures (kiosk/plan/plans.py:1)",
    ]


def test_an_import_inside_a_function_makes_no_area_arrow(tmp_path):
    tree = make_tree(tmp_path, {
        "kiosk/boards/report.py": "from kiosk.plan import plans\n",
        "kiosk/boards/figures.py": "TOTAL = 1\n",
        "kiosk/plan/plans.py": "def total():\n    from kiosk.boards.figures import TOTAL  # loaded on first use\n"
                               "    return TOTAL\n",
    })
    status, problems, counts = run_check("--root", str(tree))
    assert (status, problems, counts["area_circles"], counts["function_level_imports"]) == (0, [], 0, 1)


def test_the_real_tree_passes():
    status, problems, counts = run_check()
    assert (status, problems) == (0, [])
    assert counts["area_circles"] == 0 and counts["circles"] == 0 and counts["upward"] == 0
