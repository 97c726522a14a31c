"""README's browser timing table from the browser tests' artifact: targets, measured, and by how much each misses.

    python -m pytest -m browser tests/test_browser.py     # writes artifacts/browser_timings.json
    python -m tests.timing_table --readme                 # rewrites the table in README.md (no flag: prints it)
    python -m tests.timing_table --readme --artifact a.json b.json c.json   # several runs: median and range


The table goes between the `<!-- browser-timings -->` markers of README.md; everything else is left alone.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
ARTIFACT = ROOT / "artifacts" / "browser_timings.json"
README = ROOT / "README.md"
START, END = "<!-- browser-timings -->", "<!-- /browser-timings -->"


class Row(NamedTuple):
    key: str  # the artifact's name for it, without "_seconds"
    what: str
    target: float | None  # seconds; None where the issue sets none


# The pages the timing test switches to, in its order: (artifact name, navigation title).
SWITCHED_PAGES = (
    ("heatmap", "Heatmap"),
    ("sentiment", "Sentiment"),
    ("volatility", "Volatility"),
    ("validation", "Validation"),
    ("walkthrough", "Trade walkthrough"),
    ("replay", "Replay"),
)

ROWS = [
    Row("server_healthy", "server process start → `/_stcore/health` answers", None),
    Row("server_warm_up", "readiness probe (`/_stcore/script-health-check`: one run of the app in the server)", None),
    Row("floor_first_paint", "for scale: first paint of a minimal Streamlit page (tests/floor_app.py)", None),
    Row("floor_warm_new_session", "for scale: the same minimal page, a second new session", None),
    Row("first_paint_fresh_server", "first paint, first visitor of a fresh (probed) server", 2.0),
    Row("first_paint_cold_server_deep_link", "first paint, a page link on a fresh server nobody probed", 2.0),
    Row("warm_new_session", "first paint, a new session on a warm server", 2.0),
    Row("map_side_control", "heatmap: side control", 0.3),
    Row("map_scale_control", "heatmap: colour scale", 0.3),
    Row("map_contrast_control", "heatmap: contrast slider (\u201chide cells fainter than\u201d)", 0.3),
    Row("if_price_reaches", "heatmap: \u201cif price reaches\u201d", 0.3),
    Row("preset_change", "model preset change (estimates the map again)", None),
    Row("window_switch", "window shown change (estimates the map again)", None),
    *(
        Row(f"page_switch_{again}{page}", f"page switch → {title}, {visit}", 1.0)
        for again, visit in (("", "first visit after the preset change"), ("again_", "visited before"))
        for page, title in SWITCHED_PAGES
    ),
    Row("upload_100k_rows_to_map", "upload of a 100k-row 1-minute CSV → map drawn", 3.0),
]


def _verdict(measured: float, target: float | None) -> str:
    if target is None:
        return "no target"
    if measured <= target:
        return "meets"
    return f"misses by {measured - target:.2f} s ({measured / target:.1f}×)"


def table(*runs: dict) -> str:
    """The markdown table (and a line saying when and under what load it was measured). With several runs, each
    figure is their median and the range beside it, because one run on a shared 2-core machine can be off by half."""
    first = runs[0]
    loads = ", ".join(str(run.get("load_average_1min_at_start", "?")) for run in runs)
    how = "one run" if len(runs) == 1 else f"median of {len(runs)} runs, range in brackets"
    lines = [
        f"Measured {first.get('recorded_at_utc', '?')} on {first.get('cpu_count', '?')} cores, 1-minute load "
        f"average {loads} at the start ({how}; wall-clock seconds from the "
        "action to the page's own signal that it is done; KB = websocket bytes the server sent for it).",
        "",
        "| step | target | measured | KB sent | verdict |",
        "|---|---:|---:|---:|---|",
    ]
    for row in ROWS:
        measured = [run[f"{row.key}_seconds"] for run in runs if f"{row.key}_seconds" in run]
        if not measured:
            continue
        seconds = statistics.median(measured)
        spread = f" ({min(measured):.2f}–{max(measured):.2f})" if len(measured) > 1 else ""
        sent = [run[f"{row.key}_kb_sent"] for run in runs if f"{row.key}_kb_sent" in run]
        target = "—" if row.target is None else f"≤ {row.target:g} s"
        kb = f"{statistics.median(sent):,.0f}" if sent else ""
        verdict = _verdict(seconds, row.target)
        lines.append(f"| {row.what} | {target} | {seconds:.2f} s{spread} | {kb} | {verdict} |")
    return "\n".join(lines)


def write_readme(text: str, readme: Path = README) -> None:
    """Put `text` between the markers of `readme`."""
    old = readme.read_text()
    if START not in old or END not in old:
        raise SystemExit(f"{readme} has no {START} … {END} markers")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    readme.write_text(pattern.sub(lambda _: f"{START}\n{text}\n{END}", old, count=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifact", type=Path, nargs="+", default=[ARTIFACT], help="one or more runs' artifacts")
    parser.add_argument("--readme", action="store_true", help="rewrite the table in README.md instead of printing it")
    args = parser.parse_args()
    text = table(*(json.loads(path.read_text()) for path in args.artifact))
    if args.readme:
        write_readme(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
