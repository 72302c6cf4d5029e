"""What the process gunicorn serves the app from (kiosk/wsgi.py) does once it has loaded it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = "import gc, kiosk.wsgi; print(gc.get_freeze_count())"


def test_the_started_app_is_frozen_out_of_full_collections(tmp_path):
    """Its startup objects are frozen (gc.freeze): a full collection, which stops every request of the
    process, walks only what was made since, not the tens of thousands of objects the app is made of."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/kiosk.sqlite3", KIOSK_INSTANCE=str(tmp_path / "i"))
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert int(out.split()[-1]) > 20_000
