"""The README timing table made from the browser artifact: targets, verdicts, and only the marked block rewritten."""

from __future__ import annotations

from pathlib import Path

from tests.timing_table import END, START, table, write_readme


def test_rows_say_whether_they_meet_their_target_and_by_how_much_they_miss() -> None:
    text = table(
        {
            "recorded_at_utc": "2026-12-01T15:00:00+00:00",
            "cpu_count": 2,
            "load_average_1min_at_start": 0.4,
            "first_paint_fresh_server_seconds": 3.5,
            "map_side_control_seconds": 0.25,
            "map_side_control_kb_sent": 81.2,
            "preset_change_seconds": 1.9,
        }
    )
    lines = text.splitlines()
    assert "load average 0.4" in lines[0]
    first = "| first paint, first visitor of a fresh (probed) server | ≤ 2 s | 3.50 s |  | misses by 1.50 s (1.8×) |"
    assert first in lines
    assert "| heatmap: side control | ≤ 0.3 s | 0.25 s | 81 | meets |" in lines
    assert "| model preset change (estimates the map again) | — | 1.90 s |  | no target |" in lines
    assert not any("page switch" in line for line in lines)  # not measured: no row


def test_the_readme_block_between_the_markers_is_replaced_and_nothing_else(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nbefore\n{START}\nold table\n{END}\nafter\n")
    write_readme("new table", readme)
    assert readme.read_text() == f"# Title\n\nbefore\n{START}\nnew table\n{END}\nafter\n"


def test_several_runs_give_the_median_and_range_and_a_row_missing_from_one_run_uses_the_others() -> None:
    runs = [
        {"recorded_at_utc": "t", "cpu_count": 2, "load_average_1min_at_start": load, **figures}
        for load, figures in [
            (0.4, {"map_side_control_seconds": 0.9, "map_side_control_kb_sent": 100.0}),
            (1.2, {"map_side_control_seconds": 0.2, "map_side_control_kb_sent": 300.0, "preset_change_seconds": 2.0}),
            (0.8, {"map_side_control_seconds": 0.25, "map_side_control_kb_sent": 200.0}),
        ]
    ]
    lines = table(*runs).splitlines()
    assert "load average 0.4, 1.2, 0.8" in lines[0] and "median of 3 runs" in lines[0]
    assert "| heatmap: side control | ≤ 0.3 s | 0.25 s (0.20–0.90) | 200 | meets |" in lines
    assert "| model preset change (estimates the map again) | — | 2.00 s |  | no target |" in lines
