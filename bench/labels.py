"""How many carton labels per second each renderer makes, and (if bench/print_delivery.py is there)
how long 1,000 take to queue and deliver to a loopback TCP printer.

Each round builds the carton layout from a fresh document (a new carton code and carton number
every time) and renders it; caches are warmed first, as they are in a running server.
Targets (issue 3): ZPL and TSPL >= 2,000/s, ESC/POS >= 500/s, 1,000 labels delivered in <= 3 s.
Usage: python bench/labels.py [n]   (n labels per renderer, default 2000; PNG does n/10)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.labels import (  # noqa: E402
    carton_label_layout,
    make_sscc,
    render_escpos,
    render_png,
    render_svg,
    render_tspl,
    render_zpl,
)
from kiosk.labels.samples import sample_carton  # noqa: E402


def carton(i: int, lang: str, with_sscc: bool = False):
    doc = sample_carton(
        code=f"C-{i:06d}",
        package_no=i % 3 + 1,
        unit_no=i // 3 % 50 + 1,
        units=50,
        sscc=make_sscc(0, "6901234", i) if with_sscc else None,
    )
    return carton_label_layout(doc, lang)


def per_second(render, n: int, lang: str = "zh", with_sscc: bool = False) -> float:
    """Labels per second for `render`, layout building included, after a warm-up round."""
    for i in range(min(50, n)):
        render(carton(i, lang, with_sscc))
    start = time.perf_counter()
    for i in range(n):
        render(carton(i, lang, with_sscc))
    return n / (time.perf_counter() - start)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    runs = {
        "zpl_per_s": (render_zpl, n, "ZPL, Chinese as ^GFA bitmaps (no printer CJK font)"),
        "zpl_cjk_font_per_s": (lambda lay: render_zpl(lay, cjk_font="E:SIMSUN.FNT"), n,
                               "ZPL, Chinese in a printer-resident font (^A@)"),
        "tspl_per_s": (render_tspl, n, "TSPL, Chinese in TSS24.BF2 (GB2312)"),
        "tspl_bitmap_per_s": (lambda lay: render_tspl(lay, cjk_font=None), n, "TSPL, Chinese as BITMAP"),
        "escpos_per_s": (render_escpos, n, "ESC/POS, Chinese mode GB18030"),
        "escpos_raster_per_s": (lambda lay: render_escpos(lay, chinese="raster"), max(1, n // 4),
                                "ESC/POS, Chinese lines as raster images"),
        "png_per_s": (render_png, max(1, n // 10), "PNG preview, 203 dpi"),
        "svg_per_s": (render_svg, max(1, n // 4), "SVG preview"),
    }
    figures: dict[str, float | None] = {}
    for key, (render, count, what) in runs.items():
        rate = per_second(render, count)
        figures[key] = round(rate, 1)
        print(f"{what:<52} {rate:9.0f} carton labels/s (Chinese label, {count} rendered)")
    english = per_second(render_zpl, n, "en", with_sscc=True)
    figures["zpl_en_sscc_per_s"] = round(english, 1)
    print(f"{'ZPL, English label with GS1-128 SSCC':<52} {english:9.0f} carton labels/s")
    try:
        from bench.print_delivery import deliver_labels
    except ImportError:
        try:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from print_delivery import deliver_labels
        except ImportError:
            deliver_labels = None
    if deliver_labels is None:
        figures["deliver_1000_s"] = None
        print("deliver_1000_s: bench/print_delivery.py not found")
    else:
        seconds = deliver_labels(1000)
        figures["deliver_1000_s"] = round(seconds, 3)
        print(f"{'queue and deliver 1,000 labels to loopback TCP':<52} {seconds:9.3f} s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
