"""Enter-to-answer on a station page in Debian's chromium, against a bare page doing the same round trip.

The kiosk: the real server (gunicorn), a paired station page, a worker signed in by badge; codes are
typed and Enter pressed as a keyboard-wedge scanner does. The bare page: bench/scan_reference.py's
/bare page (a field, Enter, one fetch POST to a bare server, the answer put on the page), in the same
browser, taking turns with the kiosk. Each time runs in the page from the Enter keydown to the
moment the answer naming the code is in the DOM (a MutationObserver). Last line: one JSON object.

Usage: .venv/bin/python bench/kiosk_answer.py [--scans 60] [--rounds 6]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scan_reference  # noqa: E402
from bench.scan import percentile, seed  # noqa: E402
from tests.live import LiveServer  # noqa: E402

# Installed in both pages: time from Enter to the answer that names the expected code.
TIMER = """
window.__timings = [];
document.addEventListener("keydown", (event) => { if (event.key === "Enter") window.__t0 = performance.now(); }, true);
document.addEventListener("DOMContentLoaded", () => {
  new MutationObserver(() => {
    const shown = document.querySelector("#scan-result .answer .answer-code");
    if (window.__expect && shown && shown.textContent === window.__expect) {
      window.__timings.push(performance.now() - window.__t0);
      window.__expect = null;
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
});
"""


def server_times(page) -> list[float]:
    """The app's own time for each scan POST the page sends (its Server-Timing header), in ms."""
    found: list[float] = []

    def seen(response) -> None:
        if response.request.method == "POST" and response.url.endswith("/scan"):
            match = re.search(r"app;dur=([0-9.]+)", response.headers.get("server-timing", ""))
            if match:
                found.append(float(match.group(1)))

    page.on("response", seen)
    return found


def time_scans(page, codes: list[str]) -> list[float]:
    for code in codes:
        done = page.evaluate("() => window.__timings.length")
        page.evaluate("(code) => { window.__expect = code; }", code)
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        page.wait_for_function("(n) => window.__timings.length > n", arg=done, timeout=15_000)
    return page.evaluate("() => window.__timings.slice()")[-len(codes):]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scans", type=int, default=60, help="timed scans on each page")
    parser.add_argument("--rounds", type=int, default=6, help="turns the scans are split into")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from tests.browser import launch_chromium

    folder = Path(tempfile.mkdtemp(prefix="bench-answer-"))
    url, ref_url = f"sqlite:///{folder}/kiosk.sqlite3", f"sqlite:///{folder}/reference.sqlite3"
    pools, tokens = seed(url, 1, args.scans + 20)
    cards = pools["whitebody"][0]
    bare_cards = list(cards)
    scan_reference.create_schema(bare_cards, ref_url)
    server = LiveServer(url, folder / "instance", threads=8).start()
    reference = LiveServer(ref_url, folder / "reference", threads=8, app="bench.scan_reference:app").start()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            kiosk_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
            kiosk_context.add_cookies([{"name": "kiosk_device", "value": tokens[0], "url": server.url}])
            kiosk_context.add_init_script(TIMER)
            bare_context = browser.new_context(viewport={"width": 1280, "height": 800})
            bare_context.add_init_script(TIMER)
            kiosk = kiosk_context.new_page()
            kiosk.goto(f"{server.url}/station/whitebody")
            kiosk.keyboard.type("W001")
            kiosk.keyboard.press("Enter")
            kiosk.wait_for_selector("#worker-panel[data-badge=W001]")
            bare = bare_context.new_page()
            bare.goto(f"{reference.url}/bare/whitebody")
            kiosk_server, bare_server = server_times(kiosk), server_times(bare)
            time_scans(kiosk, [cards.pop() for _ in range(5)])  # warm up both
            time_scans(bare, [bare_cards.pop() for _ in range(5)])
            kiosk_ms: list[float] = []
            bare_ms: list[float] = []
            per_round = max(1, args.scans // args.rounds)
            del kiosk_server[:], bare_server[:]  # the warm-up's
            for _ in range(args.rounds):
                kiosk_ms += time_scans(kiosk, [cards.pop() for _ in range(per_round)])
                bare_ms += time_scans(bare, [bare_cards.pop() for _ in range(per_round)])
            browser.close()
    finally:
        server.stop()
        reference.stop()
    kiosk_median, bare_median = statistics.median(kiosk_ms), statistics.median(bare_ms)
    print(f"Enter to answer, {len(kiosk_ms)} scans each: kiosk page median {kiosk_median:.1f} ms "
          f"(p90 {percentile(kiosk_ms, 90):.1f}), bare page {bare_median:.1f} ms (p90 {percentile(bare_ms, 90):.1f})")
    print(f"  of which the app's own time (Server-Timing): kiosk {statistics.median(kiosk_server):.1f} ms, "
          f"bare {statistics.median(bare_server):.1f} ms")
    print(json.dumps({
        "scans": len(kiosk_ms),
        "kiosk_ms": round(kiosk_median, 2),
        "kiosk_p90_ms": round(percentile(kiosk_ms, 90), 2),
        "bare_ms": round(bare_median, 2),
        "bare_p90_ms": round(percentile(bare_ms, 90), 2),
        "ratio_to_bare": round(kiosk_median / bare_median, 3) if bare_median else None,
        "kiosk_server_ms": round(statistics.median(kiosk_server), 2),
        "bare_server_ms": round(statistics.median(bare_server), 2),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
