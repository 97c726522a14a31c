"""CSV loading: formats round-trip, bad input gives DataError, nothing is dropped silently, files merge on time."""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liqcore import DataError, Market
from liqcore.loaders import ColumnMapping, LoadLimits, load_csv, repairs, sniff, template_csv
from liqcore.notes import NoteKind, kind_of, of_kind
from tests.test_loaders_corpus import assert_valid_market

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


def known_market(n: int = 48) -> Market:
    rng = np.random.default_rng(0)
    close = np.round(60_000 * np.exp(np.cumsum(rng.normal(0, 0.004, n))), 1)
    open_ = np.concatenate(([close[0]], close[:-1]))
    frame = pd.DataFrame(
        {
            "open": open_,
            "high": np.round(np.maximum(open_, close) + 25.0, 1),
            "low": np.round(np.minimum(open_, close) - 25.0, 1),
            "close": close,
            "volume": np.round(rng.uniform(100, 900, n), 3),
        },
        index=pd.date_range("2026-02-01", periods=n, freq="1h", tz="UTC"),
    )
    return Market(frame, "BTCUSDT")


def _ms(index: pd.DatetimeIndex) -> np.ndarray:
    return index.as_unit("ns").asi8 // 10**6


def binance_klines(m: Market, header: bool, micro: bool = False) -> str:
    b = m.bars
    t = _ms(b.index) * (1000 if micro else 1)
    rows = [
        f"{t[i]},{b.open.iloc[i]},{b.high.iloc[i]},{b.low.iloc[i]},{b.close.iloc[i]},{b.volume.iloc[i]},"
        f"{t[i] + 3_599_999},{b.volume.iloc[i] * b.close.iloc[i]:.2f},100,{b.volume.iloc[i] / 2},0,0"
        for i in range(len(b))
    ]
    head = (
        (
            "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,"
            "taker_buy_quote_volume,ignore\n"
        )
        if header
        else ""
    )
    return head + "\n".join(rows) + "\n"


def tradingview(m: Market) -> str:
    b = m.bars
    lines = ["time,open,high,low,close,Volume"] + [
        f"{int(t.timestamp())},{r.open},{r.high},{r.low},{r.close},{r.volume}" for t, r in b.iterrows()
    ]
    return "\n".join(lines) + "\n"


def bybit_newest_first(m: Market) -> str:
    b = m.bars.iloc[::-1]
    lines = ["startTime;openPrice;highPrice;lowPrice;closePrice;volume"] + [
        f"{t.isoformat()};{r.open};{r.high};{r.low};{r.close};{r.volume}" for t, r in b.iterrows()
    ]
    return "\n".join(lines) + "\n"


def generic_naive_iso(m: Market) -> str:
    frame = m.bars.copy()
    frame.index = frame.index.tz_localize(None)
    return "\ufeff" + frame.rename(columns={"open": "o", "high": "h", "low": "l", "close": "c"}).to_csv(
        index_label="date", sep="\t"
    )


@pytest.mark.parametrize(
    "writer",
    [
        lambda m: binance_klines(m, header=True),
        lambda m: binance_klines(m, header=False),
        lambda m: binance_klines(m, header=False, micro=True),
        tradingview,
        bybit_newest_first,
        generic_naive_iso,
    ],
    ids=[
        "binance-header",
        "binance-no-header",
        "binance-microseconds",
        "tradingview",
        "bybit-newest-first",
        "generic-tab-bom-naive",
    ],
)
def test_each_format_round_trips(writer) -> None:
    m = known_market()
    loaded = load_csv(writer(m).encode("utf-8"))
    prices = ["open", "high", "low", "close"]
    assert loaded.bars.index.equals(m.bars.index)
    np.testing.assert_array_equal(loaded.bars[prices].to_numpy(), m.bars[prices].to_numpy())
    assert loaded.interval == pd.Timedelta("1h")
    assert np.allclose(loaded.bars["volume"], m.bars["volume"])


def test_gzip_and_zip_files_load_like_plain_text(tmp_path: Path) -> None:
    text = tradingview(known_market()).encode()
    gz = tmp_path / "btc.csv.gz"
    gz.write_bytes(gzip.compress(text))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("BTCUSDT-1h-2026-02.csv", text)
    a, b, c = load_csv(gz), load_csv(buffer.getvalue()), load_csv(text)
    pd.testing.assert_frame_equal(a.bars, c.bars)
    pd.testing.assert_frame_equal(b.bars, c.bars)
    assert a.symbol == "BTC"


def test_klines_and_metrics_merge_with_coverage_noted() -> None:
    m = known_market(24)
    times = pd.date_range("2026-02-01", periods=24 * 12, freq="5min", tz="UTC")
    metrics = pd.DataFrame(
        {
            "create_time": times.strftime("%Y-%m-%d %H:%M:%S"),
            "symbol": "BTCUSDT",
            "sum_open_interest": np.linspace(80_000, 82_000, len(times)),
            "sum_open_interest_value": np.linspace(80_000, 82_000, len(times)) * 60_000,
            "count_long_short_ratio": 1.5,
        }
    ).to_csv(index=False)
    loaded = load_csv(binance_klines(m, header=False).encode(), metrics.encode())
    assert loaded.has("open_interest") and loaded.has("long_short_ratio")
    # Each 1h bar takes the value in force at its close: the 5-minute point just before the next hour.
    assert loaded.bars["open_interest"].iloc[0] == pytest.approx(np.linspace(80_000, 82_000, len(times))[11])
    assert any("coverage" in note for note in loaded.notes)


def test_dropped_rows_are_counted_with_line_numbers_and_loaded_plus_dropped_is_rows() -> None:
    text = tradingview(known_market(10)).splitlines()
    text[3] = "1769911200,abc,1,1,1,1"  # unreadable price
    text[5] = text[4]  # duplicate row (and the original line 6 goes missing: a gap)
    text.insert(7, "not a time,1,2,1,1,1")
    loaded = load_csv(("\n".join(text) + "\n").encode(), symbol="X")
    rows_in_file = len(text) - 1
    counts = re.search(r"([\d,]+) of ([\d,]+) rows loaded, ([\d,]+) dropped", " ".join(loaded.notes))
    kept, total, dropped = (int(g.replace(",", "")) for g in counts.groups())
    assert total == rows_in_file and kept + dropped == total and kept == len(loaded)
    notes = " ".join(loaded.notes)
    assert "line 4" in notes and "line 8" in notes and "duplicate" in notes and "gap" in notes


def test_repairs_are_chosen_by_the_notes_kind_not_their_wording() -> None:
    text = tradingview(known_market(10)).splitlines()
    text[3] = "1769911200,abc,1,1,1,1"  # unreadable price: dropped
    text[5] = text[4]  # duplicate row (and a gap where line 6 was)
    header, rows = text[0], text[1:]
    loaded = load_csv(("\n".join([header, *reversed(rows)]) + "\n").encode(), symbol="X")  # newest first
    fixes = repairs(loaded.notes)
    assert all(kind_of(n) is NoteKind.REPAIR for n in fixes)
    for words in ("a price missing", "duplicate", "reversed to oldest", "gap(s) in the bars", "rows loaded, 2 dropped"):
        assert sum(words in n for n in fixes) == 1, words
    assert [n for n in loaded.notes if n not in fixes] == list(of_kind(loaded.notes, NoteKind.INFO))
    assert repairs(("x.csv: rows were newest first; reversed to oldest first.",)) == ()  # plain text is no repair
    clean = load_csv(tradingview(known_market(10)).encode(), symbol="X")
    assert repairs(clean.notes) == () and any("rows loaded, 0 dropped" in n for n in clean.notes)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"a,b,c\n1,2,3\n", "no time column"),
        (b"time,open_interest\n1700000000,5\n1700003600,6\n", "no file has prices"),
        (b"time,open,high,low,close\n1700000000,1,2,0.5,1\n", "at least two bars"),
    ],
)
def test_bad_files_raise_a_data_error_naming_the_problem(content: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_csv(content)


def test_limits_are_enforced_with_a_clear_message() -> None:
    text = tradingview(known_market()).encode()
    with pytest.raises(DataError, match="row limit"):
        load_csv(text, limits=LoadLimits(max_rows=10))
    with pytest.raises(DataError, match="MB limit"):
        load_csv(text, limits=LoadLimits(max_bytes=100))


def test_sniff_and_explicit_mapping_for_unusual_headers() -> None:
    text = "when;a;b;c;d;oi_total\n" + "\n".join(
        f"2026-01-01 {h:02d}:00;{100 + h};{102 + h};{99 + h};{101 + h};{2_000_000 + h}" for h in range(6)
    )
    detection = sniff(text.encode())
    assert detection.unsure and not detection.is_sure and len(detection.preview) == 6
    mapping = ColumnMapping(
        (("time", "when"), ("open", "a"), ("high", "b"), ("low", "c"), ("close", "d"), ("open_interest", "oi_total")),
        oi_unit="usd",
        oi_sides=2,
    )
    loaded = load_csv(text.encode(), mapping=mapping)
    assert loaded.bars["open_interest_usd"].iloc[0] == pytest.approx(1_000_000)


def test_template_loads() -> None:
    loaded = load_csv(template_csv().encode())
    assert len(loaded) == 3 and loaded.has("open_interest") and loaded.has("liq_long_usd")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mangled_text_gives_a_market_or_a_data_error(data: st.DataObject) -> None:
    lines = tradingview(known_market(12)).splitlines()
    for _ in range(data.draw(st.integers(0, 6))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "garble", "swap", "duplicate", "truncate"]))
        if action == "delete" and len(lines) > 1:
            lines.pop(i)
        elif action == "garble":
            lines[i] = data.draw(st.text(max_size=40))
        elif action == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        else:
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
    try:
        market = load_csv("\n".join(lines).encode("utf-8", errors="replace"))
    except DataError:
        return
    assert isinstance(market, Market)
    assert_valid_market(market, ["file 1"])


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.exists(), reason="../shared/data/real is not beside the repo")
def test_real_files_load_with_their_quirks_reported() -> None:
    klines = load_csv(
        REAL / "binance_um_1h_taker_pojono_2025-05_08" / "binance_um_BTCUSDT_1h_klines_2025-05-11_2025-08-10.csv"
    )
    assert len(klines) == 2208 and any("3 exact duplicate" in n for n in klines.notes)
    cg = load_csv(REAL / "cg_ismethanhtung" / "cg_btc_30m_price_liq_oi_funding_2026-05-21_2026-06-08.csv")
    assert len(cg) == 876 and cg.has("open_interest_usd") and cg.has("liq_long_usd")
    b1 = load_csv(REAL / "cg_ismethanhtung" / "binance_btcusdt_perp_5m_price_oi_funding_2026-05-25_2026-06-08.csv")
    assert not b1.has("liq_long_usd") and any("placeholder" in n for n in b1.notes)


def test_a_zip_of_many_csvs_names_five_of_them_and_marks_that_there_are_more() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(7):
            archive.writestr(f"part{i}.csv", "time,open,high,low,close\n2026-02-01 00:00:00,1,2,0.5,1.5\n")
    with pytest.raises(DataError) as refused:
        load_csv(io.BytesIO(buffer.getvalue()))
    assert "holds 7 CSV files (part0.csv, part1.csv, part2.csv, part3.csv, part4.csv …)" in str(refused.value)


def test_a_row_of_empty_cells_inside_a_file_is_dropped_as_blank_not_as_a_missing_time() -> None:
    rows = ["time,open,high,low,close"] + [f"2026-02-01 {h:02d}:00:00,100,101,99,100.5" for h in range(10)]
    rows.insert(5, ",,,,")  # file line 6
    market = load_csv(io.BytesIO("\n".join(rows).encode()))
    assert len(market.bars) == 10
    assert "file 1: dropped 1 row(s), blank (line 6)." in market.notes
    assert not any("missing or unreadable" in note for note in market.notes)


def test_a_date_column_and_a_clock_time_column_are_joined_and_the_note_says_so() -> None:
    rows = ["Date,Time,Open,High,Low,Close"] + [f"2026.02.01,{h:02d}:00,100,101,99,100.5" for h in range(6)]
    market = load_csv(io.BytesIO("\n".join(rows).encode()))
    assert market.bars.index[3] == pd.Timestamp("2026-02-01 03:00", tz="UTC")
    assert "file 1: date from 'Date' joined with the time of day in 'Time'." in market.notes
