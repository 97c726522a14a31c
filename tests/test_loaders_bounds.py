"""The loader's bounds: long cells refused before any parser sees them, time text read in vectorised passes, the typed
fast path giving the same market as the text path, and the row limit."""

from __future__ import annotations

import gzip
import io
import tracemalloc
import zipfile

import numpy as np
import pandas as pd
import pytest

from liqcore.errors import DataError
from liqcore.loaders import LoadLimits, load_csv, repairs
from liqcore.loaders.readers import MAX_CELL_CHARS
from liqcore.loaders.timeparse import MIXED_LIMIT

HEADER = "timestamp,open,high,low,close,volume\n"


def _rows(count: int, times: pd.DatetimeIndex | None = None, fmt: str = "%Y-%m-%dT%H:%M:%SZ") -> list[str]:
    times = pd.date_range("2026-01-01", periods=count, freq="1min") if times is None else times
    rng = np.random.default_rng(3)
    close = 100 + np.cumsum(rng.normal(0, 0.1, count))
    return [
        f"{t.strftime(fmt)},{c:.2f},{c + 0.5:.2f},{c - 0.5:.2f},{c:.2f},{i % 7 + 1}"
        for i, (t, c) in enumerate(zip(times, close, strict=True))
    ]


@pytest.mark.parametrize("where", ["timestamp", "close"])
def test_a_cell_longer_than_the_cap_in_a_read_column_is_an_error_naming_line_and_column(where: str) -> None:
    rows = _rows(30)
    cells = rows[10].split(",")
    position = 0 if where == "timestamp" else 4
    cells[position] = "x" * (MAX_CELL_CHARS + 1)
    rows[10] = ",".join(cells)
    with pytest.raises(
        DataError, match=rf"line 12 has a cell of {MAX_CELL_CHARS + 1:,} characters in column '{where}'"
    ):
        load_csv((HEADER + "\n".join(rows) + "\n").encode())


def test_a_megabyte_field_without_separators_is_refused_by_the_cap() -> None:
    text = HEADER + "x" * (1 << 20) + "\n" + "\n".join(_rows(30)) + "\n"
    with pytest.raises(DataError, match="line 2 has a cell of 1,048,576 characters"):
        load_csv(text.encode())


def test_non_iso_times_beyond_the_one_by_one_limit_are_read_in_one_pass() -> None:
    count = MIXED_LIMIT + 500
    market = load_csv((HEADER + "\n".join(_rows(count, fmt="%d %b %Y %H:%M")) + "\n").encode())
    assert len(market) == count
    assert market.start == pd.Timestamp("2026-01-01", tz="UTC")


def test_time_cells_longer_than_a_time_are_unread_and_reported() -> None:
    rows = _rows(40)
    rows[5] = "2026-01-01T" + "1" * 200 + rows[5][len("2026-01-01T00:05:00Z") :]
    market = load_csv((HEADER + "\n".join(rows) + "\n").encode())
    assert len(market) == 39
    assert any("missing or unreadable" in n and "line 7" in n for n in market.notes)


@pytest.mark.parametrize("fmt", ["%Y-%m-%dT%H:%M:%SZ", "epoch"])
def test_typed_fast_path_gives_the_same_market_as_the_text_path(fmt: str) -> None:
    times = pd.date_range("2026-01-01", periods=300, freq="5min")
    rows = _rows(300, times)
    if fmt == "epoch":
        rows = [f"{int(t.value // 10**6)}," + r.split(",", 1)[1] for t, r in zip(times, rows, strict=True)]
    rows[7] = rows[7].rsplit(",", 1)[0] + ","  # an empty volume cell
    well_formed = HEADER + "\n".join(rows) + "\n"
    ragged = "exported by a tool\n" + well_formed  # a preamble line sends the file down the text path
    fast, slow = load_csv(well_formed.encode()), load_csv(ragged.encode())
    pd.testing.assert_frame_equal(fast.bars, slow.bars)
    assert fast.bars["volume"].isna().sum() == 1
    assert fast.digest == slow.digest


def test_row_limit_names_the_limit() -> None:
    text = HEADER + "\n".join(_rows(50)) + "\n"
    with pytest.raises(DataError, match="more than 20 rows, over the row limit"):
        load_csv(text.encode(), limits=LoadLimits(max_rows=20))
    with pytest.raises(DataError, match="more than 20 rows"):
        load_csv(("note line\n" + text).encode(), limits=LoadLimits(max_rows=20))


def _gzip_bomb(megabytes: int) -> bytes:
    stream = io.BytesIO()
    with gzip.GzipFile(fileobj=stream, mode="wb", compresslevel=9) as out:
        out.write(HEADER.encode())
        for _ in range(megabytes):
            out.write(b"0" * (1 << 20))
    return stream.getvalue()


def test_gzip_bomb_stops_at_the_byte_budget_without_unpacking_the_rest() -> None:
    bomb = _gzip_bomb(64)  # 64 MB of zeros in about 64 kB
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="unpacked, it is over the 2 MB limit"):
            load_csv(bomb, limits=LoadLimits(max_bytes=2_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2_000_000  # a small multiple of the budget, not the 64 MB inside


def test_zip_member_declaring_more_than_the_budget_is_refused_before_reading() -> None:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.csv", HEADER + "0" * 3_000_000)
    with pytest.raises(DataError, match="over the 2 MB limit"):
        load_csv(stream.getvalue(), limits=LoadLimits(max_bytes=2_000_000))


def test_several_files_together_are_capped_not_only_each_file() -> None:
    day = (HEADER + "\n".join(_rows(2000)) + "\n").encode()
    size = len(day)
    limits = LoadLimits(max_bytes=size + 1, max_total_bytes=int(2.5 * size))
    assert len(load_csv(day, day, limits=limits)) == 2000
    with pytest.raises(DataError, match=r"file 3: with the files before it, this load is .* over the"):
        load_csv(day, day, day, limits=limits)
    with pytest.raises(DataError, match="3 files at once is over the limit of 2"):
        load_csv(day, day, day, limits=LoadLimits(max_files=2))


def _swap(rows: list[str], every: int, first: int, second: int) -> list[str]:
    out = []
    for i, row in enumerate(rows):
        cells = row.split(",")
        if i % every == 0:
            cells[first], cells[second] = cells[second], cells[first]
        out.append(",".join(cells))
    return out


def test_high_below_low_on_many_rows_is_an_error_saying_the_columns_look_swapped() -> None:
    rows = _swap(_rows(300), 2, 2, 3)  # high and low exchanged on every other row: 150 of 300
    with pytest.raises(DataError, match=r"150 of 300 rows \(50%\).*limit is 20%.*high and low columns look swapped"):
        load_csv((HEADER + "\n".join(rows) + "\n").encode())


def test_a_few_inconsistent_rows_are_dropped_and_reported() -> None:
    rows = _swap(_rows(300), 50, 2, 3)  # 6 of 300
    market = load_csv((HEADER + "\n".join(rows) + "\n").encode())
    assert len(market) == 294
    assert any("dropped 6 row(s), high below open/close" in n for n in market.notes)


def test_prices_in_mixed_units_on_many_rows_are_an_error_saying_so() -> None:
    rows = []
    for i, row in enumerate(_rows(100)):
        cells = row.split(",")
        if i % 3 == 0:
            cells[1:5] = [f"{float(c) * 1e6:.2f}" for c in cells[1:5]]
        rows.append(",".join(cells))
    with pytest.raises(DataError, match="mixed units"):
        load_csv((HEADER + "\n".join(rows) + "\n").encode())


def test_frozen_open_interest_is_stated_and_counted_as_a_repair() -> None:
    rows = _rows(600)  # 1-minute bars
    oi = np.linspace(1000, 2000, 600)
    oi[100:500] = oi[100]  # 400 minutes, over six hours, of one value
    text = HEADER.replace("volume", "volume,open_interest") + "\n".join(
        f"{row},{value:.3f}" for row, value in zip(rows, oi, strict=True)
    )
    market = load_csv((text + "\n").encode())
    frozen = [n for n in market.notes if "open interest frozen" in n]
    assert len(frozen) == 1 and "(400 bars)" in frozen[0] and "01:40" in frozen[0]
    assert frozen[0] in repairs(market.notes)
    short = oi.copy()
    short[100:500] = np.linspace(1000, 2000, 600)[100:500]
    short[100:300] = short[100]  # 200 minutes: a quiet spell, not a stopped feed
    text = HEADER.replace("volume", "volume,open_interest") + "\n".join(
        f"{row},{value:.3f}" for row, value in zip(rows, short, strict=True)
    )
    assert not any("frozen" in n for n in load_csv((text + "\n").encode()).notes)


@pytest.mark.parametrize("line", [2, 62])
def test_a_row_far_wider_than_any_table_is_refused_naming_its_width(line: int) -> None:
    rows = _rows(100)
    rows.insert(line - 2, rows[0] + "," * 200_000)  # the first data row or one past the sniffed head
    with pytest.raises(DataError, match=r"a row has 200,006 cells \(columns\), far more than a table of bars has"):
        load_csv((HEADER + "\n".join(rows) + "\n").encode())


def test_a_wide_row_under_the_column_cap_loads_and_says_its_extra_cells_were_not_read() -> None:
    rows = _rows(100)
    rows.insert(60, rows[60].replace("2026", "2027", 1) + "," * 900 + "x")
    market = load_csv((HEADER + "\n".join(rows) + "\n").encode())
    assert len(market) == 101
    assert any("1 row(s) have more cells than the header names (line 62)" in n for n in market.notes)
