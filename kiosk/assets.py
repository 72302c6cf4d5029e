"""Front-end assets from npm (pinned in package-lock.json), copied where the app serves them.

Factory networks have no internet, so nothing is loaded from a CDN. Run by scripts/setup.sh.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = Path(__file__).resolve().parent / "static" / "vendor"
FILES = {
    "htmx.min.js": "node_modules/htmx.org/dist/htmx.min.js",
    "sse.js": "node_modules/htmx-ext-sse/dist/sse.min.js",
}


def install() -> list[str]:
    VENDOR.mkdir(parents=True, exist_ok=True)
    missing = []
    for name, source in FILES.items():
        path = ROOT / source
        if not path.exists():
            missing.append(source)
            continue
        shutil.copyfile(path, VENDOR / name)
    return missing


def main() -> int:
    missing = install()
    if missing:
        print("assets: missing " + ", ".join(missing) + " - run `npm ci` first", file=sys.stderr)
        return 1
    print(f"assets: {len(FILES)} files in {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
