"""More formats round-trip through `load_csv`, plus the reporting of odd rows, units and user mappings."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import liqcore as lc
from liqcore import ColumnMapping, DataError, Market, load_csv
from tests import exchange_fakes as fakes
from tests.test_loaders_corpus import assert_valid_market

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
PRICES = ["open", "high", "low", "close"]


def market_with_oi(n: int = 36, freq: str = "1h", price: float = 60_000.0) -> Market:
    """A known market with volume and one-side open interest in coins, rounded so text round-trips exactly."""
    rng = np.random.default_rng(3)
    close = np.round(price * np.exp(np.cumsum(rng.normal(0, 0.004, n))), 2)
    open_ = np.concatenate(([close[0]], close[:-1]))
    frame = pd.DataFrame(
        {
            "open": open_,
            "high": np.round(np.maximum(open_, close) * 1.002, 2),
            "low": np.round(np.minimum(open_, close) * 0.998, 2),
            "close": close,
            "volume": np.round(rng.uniform(100, 900, n), 3),
            "open_interest": np.round(rng.uniform(80_000, 90_000, n), 3),
        },
        index=pd.date_range("2026-03-01", periods=n, freq=freq, tz="UTC"),
    )
    return Market(frame, "BTCUSDT")


def _ms(index: pd.DatetimeIndex) -> np.ndarray:
    return index.as_unit("ns").asi8 // 10**6


def ccxt(m: Market) -> str:
    b = m.bars
    frame = pd.DataFrame({"timestamp": _ms(b.index), **{c: b[c].to_numpy() for c in [*PRICES, "volume"]}})
    return frame.to_csv(index=False)


def okx_newest_first(m: Market) -> str:
    b = m.bars.iloc[::-1]
    frame = pd.DataFrame(
        {
            "ts": _ms(b.index),
            "o": b.open.to_numpy(),
            "h": b.high.to_numpy(),
            "l": b.low.to_numpy(),
            "c": b.close.to_numpy(),
            "vol": b.volume.to_numpy() * 100,  # contracts of 0.01 BTC
            "volCcy": b.volume.to_numpy(),
            "volCcyQuote": np.round(b.volume.to_numpy() * b.close.to_numpy(), 2),
            "confirm": 1,
        }
    )
    return frame.to_csv(index=False)


def tradingview_with_oi_and_offset(m: Market) -> str:
    """TradingView-style ISO times in +02:00 with an open-interest plot column."""
    b = m.bars
    local = b.index.tz_convert("Etc/GMT-2")
    frame = pd.DataFrame(
        {
            "time": [t.isoformat() for t in local],
            **{c: b[c].to_numpy() for c in PRICES},
            "Volume": b.volume.to_numpy(),
            "Open Interest": b.open_interest.to_numpy(),
        }
    )
    return frame.to_csv(index=False)


def generic_price_names_ns(m: Market) -> str:
    b = m.bars
    frame = pd.DataFrame(
        {
            "datetime": b.index.as_unit("ns").asi8,
            **{f"price_{c}": b[c].to_numpy() for c in PRICES},
            "vol": b.volume.to_numpy(),
            "oi_close": b.open_interest.to_numpy(),
        }
    )
    return frame.to_csv(index=False, sep=";")


@pytest.mark.parametrize(
    "writer", [ccxt, okx_newest_first, tradingview_with_oi_and_offset, generic_price_names_ns], ids=lambda w: w.__name__
)
def test_more_formats_round_trip(writer) -> None:
    m = market_with_oi()
    loaded = load_csv(writer(m).encode())
    assert loaded.bars.index.equals(m.bars.index)
    np.testing.assert_array_equal(loaded.bars[PRICES].to_numpy(), m.bars[PRICES].to_numpy())
    np.testing.assert_allclose(loaded.bars["volume"], m.bars["volume"])
    if "oi" in writer.__name__:
        np.testing.assert_allclose(loaded.bars["open_interest"], m.bars["open_interest"])
        assert any("coins" in n for n in loaded.notes)


def test_okx_note_says_which_volume_unit_was_used() -> None:
    loaded = load_csv(okx_newest_first(market_with_oi()).encode())
    notes = " ".join(loaded.notes)
    assert "OKX" in notes and "volCcy" in notes and "contracts" in notes and "newest first" in notes
    assert loaded.has("quote_volume")


def test_okx_contracts_only_volume_is_left_out_and_said() -> None:
    text = re.sub(r",volCcy,volCcyQuote", "", okx_newest_first(market_with_oi()))
    lines = [",".join(line.split(",")[:6] + line.split(",")[8:]) for line in text.splitlines()]
    loaded = load_csv(("\n".join(lines) + "\n").encode())
    assert not loaded.has("volume") and any("contracts" in n for n in loaded.notes)


def test_binance_metrics_and_oi_history_merge_onto_klines() -> None:
    m = market_with_oi(12)
    klines = ccxt(m)
    five = pd.date_range(m.start, m.end, freq="5min", inclusive="left")
    oi = np.linspace(80_000, 81_000, len(five))
    metrics = pd.DataFrame(
        {
            "create_time": five.strftime("%Y-%m-%d %H:%M:%S"),
            "symbol": "BTCUSDT",
            "sum_open_interest": oi,
            "sum_open_interest_value": oi * 60_000,
            "count_toptrader_long_short_ratio": 1.1,
            "sum_toptrader_long_short_ratio": 1.2,
            "count_long_short_ratio": 1.3,
            "sum_taker_long_short_vol_ratio": 0.9,
        }
    ).to_csv(index=False)
    merged = load_csv(klines.encode(), metrics.encode())
    # Each 1h bar takes the value in force at its close: the 5-minute point just before the next bar.
    np.testing.assert_allclose(merged.bars["open_interest"], oi[11::12])
    np.testing.assert_allclose(merged.bars["open_interest_usd"], oi[11::12] * 60_000)
    assert (merged.bars["long_short_ratio"] == 1.3).all()
    hist = pd.DataFrame({"timestamp": _ms(five), "sumOpenInterest": oi, "sumOpenInterestValue": oi * 60_000})
    with_hist = load_csv(klines.encode(), hist.to_csv(index=False).encode())
    np.testing.assert_allclose(with_hist.bars["open_interest"], oi[11::12])
    assert any("open-interest history" in n for n in with_hist.notes)


def test_liquidation_file_merges_as_sums_and_alone_asks_for_a_price_file() -> None:
    m = market_with_oi(6)
    quarter = pd.date_range(m.start, periods=6 * 4, freq="15min")
    liq = pd.DataFrame({"time": _ms(quarter), "longUsd": 1000.0, "shortUsd": 10.0}).to_csv(index=False)
    merged = load_csv(ccxt(m).encode(), liq.encode())
    assert (merged.bars["liq_long_usd"] == 4000.0).all() and (merged.bars["liq_short_usd"] == 40.0).all()
    with pytest.raises(DataError, match="price file is needed"):
        load_csv(liq.encode())


def test_usd_open_interest_and_percent_funding_are_recognised() -> None:
    m = market_with_oi(8)
    b = m.bars
    text = pd.DataFrame(
        {
            "timestamp": _ms(b.index),
            **{f"price_{c}": b[c].to_numpy() for c in PRICES},
            "oi_close": b.open_interest.to_numpy() * b.close.to_numpy(),
            "funding_close": 0.01,
            "liquidation_long_usd": 5.0,
            "liquidation_short_usd": 0.0,
        }
    ).to_csv(index=False)
    loaded = load_csv(text.encode())
    np.testing.assert_allclose(loaded.bars["open_interest_usd"], b.open_interest * b.close)
    np.testing.assert_allclose(loaded.bars["funding_rate"], 0.0001)
    assert loaded.has("liq_long_usd") and any("percent" in n for n in loaded.notes)


def _counts(market: Market) -> tuple[int, int, int]:
    found = re.search(r"([\d,]+) of ([\d,]+) rows loaded, ([\d,]+) dropped", " ".join(market.notes))
    return tuple(int(g.replace(",", "")) for g in found.groups())


def test_out_of_order_conflicting_duplicates_and_line_numbers() -> None:
    lines = ccxt(market_with_oi(10)).splitlines()
    lines[4], lines[6] = lines[6], lines[4]  # out of order (file lines 5 and 7)
    conflicting = lines[8].split(",")
    conflicting[5] = "1.0"
    lines.insert(9, ",".join(conflicting))  # same time as file line 9, other volume: becomes line 10
    text = "\n\n" + "\n".join(lines) + "\n"  # two leading blank lines shift every file line by 2
    loaded = load_csv(text.encode())
    notes = " ".join(loaded.notes)
    assert "2 row(s) were out of time order (lines 8, 9)" in notes
    assert "repeating an earlier time" in notes and "line 12" in notes
    kept, total, dropped = _counts(loaded)
    assert (kept, total, dropped) == (10, 11, 1) and len(loaded) == kept
    assert loaded.bars["volume"].iloc[8] != 1.0  # the first row of the repeated time was kept


def test_semicolon_file_with_decimal_commas() -> None:
    m = market_with_oi(6)
    text = ccxt(m).replace(",", ";").replace(".", ",")
    loaded = load_csv(text.encode())
    np.testing.assert_array_equal(loaded.bars["close"].to_numpy(), m.bars["close"].to_numpy())


@pytest.mark.parametrize(
    "content, message",
    [
        (b"time,open,high,low,close\n1,1,2,0.5,1\n2,1,2,0.5,1\n3,1,2,0.5,1\n", "not times"),
        (b"time,open,high,close\n1700000000,1,2,1\n1700003600,1,2,1\n", "no low"),
        (b"time,open,high,low,close\n1700000000,1,2,0.5,1\n1700003600,1,2,0.5,1\n", None),
    ],
)
def test_time_and_price_column_problems(content: bytes, message: str | None) -> None:
    if message is None:
        assert len(load_csv(content)) == 2
        return
    with pytest.raises(DataError, match=message):
        load_csv(content)


def test_bad_cell_in_otherwise_good_file_names_the_line_and_column() -> None:
    lines = ccxt(market_with_oi(6)).splitlines()
    cells = lines[3].split(",")
    cells[5] = "abc"
    lines[3] = ",".join(cells)
    loaded = load_csv(("\n".join(lines) + "\n").encode())
    assert any("'volume'" in n and "line 4" in n for n in loaded.notes)
    assert np.isnan(loaded.bars["volume"].iloc[2])


def test_mapping_must_name_existing_columns_and_valid_units() -> None:
    text = b"when;a;b;c;d\n2026-01-01 00:00;1;2;0.5;1\n2026-01-01 01:00;1;2;0.5;1\n"
    with pytest.raises(DataError, match="'nope'"):
        load_csv(text, mapping=ColumnMapping({"time": "nope", "open": "a", "high": "b", "low": "c", "close": "d"}))
    with pytest.raises(ValueError, match="oi_unit"):
        ColumnMapping({"time": "when"}, oi_unit="eur")
    mapping = ColumnMapping({"time": "when", "open": "a", "high": "b", "low": "c", "close": "d"}, interval="1h")
    assert mapping == ColumnMapping(tuple(reversed(mapping.columns)), interval="1h")  # order does not matter
    assert load_csv(text, mapping=mapping).interval == pd.Timedelta("1h")


def test_sniff_is_sure_about_known_formats_and_public() -> None:
    detection = lc.sniff(okx_newest_first(market_with_oi(4)).encode())
    assert detection.is_sure and detection.format == "OKX candles" and len(detection.preview) == 4
    assert detection.mapping.get("volume") == "volCcy"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet="0123456789,;\t\n.-:TZ +eabc\"'", max_size=400),
    st.sampled_from(["", "time,open,high,low,close\n", "timestamp;o;h;l;c;oi\n", "date\topen\thigh\tlow\tclose\n"]),
)
def test_arbitrary_text_gives_a_market_or_a_data_error(body: str, header: str) -> None:
    try:
        market = load_csv((header + body).encode())
    except DataError:
        return
    assert isinstance(market, Market)
    assert_valid_market(market, ["file 1"])


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.exists(), reason="../shared/data/real is not beside the repo")
def test_real_single_venue_files_load_and_the_liquidation_file_merges() -> None:
    folder = REAL / "cg_ismethanhtung"
    for path in [*folder.glob("binance_*.csv"), *folder.glob("cg_btc_30m_*.csv"), *REAL.glob("binance_um_*/*.csv")]:
        market = load_csv(path)
        kept, total, dropped = _counts(market)
        assert kept == len(market) and kept + dropped == total
    perp = next(folder.glob("binance_btcusdt_perp_5m_*2026-05-25*.csv"))
    merged = load_csv(perp, next(folder.glob("cg_btc_liq_agg_30m_*.csv")))
    span = merged.bars.loc[:"2026-05-28 04:00", "liq_long_usd"]
    assert span.notna().all() and span.sum() > 0 and merged.bars.loc["2026-05-29":, "liq_long_usd"].isna().all()
    assert any("outside the price bars" in n for n in merged.notes)
    with pytest.raises(DataError, match="price file is needed"):
        load_csv(next(folder.glob("cg_btc_liq_agg_30m_*.csv")))


def test_preamble_line_unit_suffixes_and_latin1_are_handled() -> None:
    text = (
        "https://www.CryptoDataDownload.com\n"
        "unix,date,symbol,open,high,low,close,Volume BTC,Volume USDT,tradecount\n"
        "1700003600000,2023-11-14 23:00:00,BTC/USDT,1,2,0.5,1,10,15,5\n"
        "1700000000000,2023-11-14 22:00:00,BTC/USDT,1,2,0.5,1,20,25,5\n"
    )
    loaded = load_csv(text.encode("latin-1") + b"\n", symbol="BTCUSDT")
    assert loaded.bars["volume"].tolist() == [20.0, 10.0] and loaded.bars["quote_volume"].tolist() == [25.0, 15.0]
    assert any("skipped the line before the header" in n for n in loaded.notes)
    _, total, _ = _counts(loaded)
    assert total == 2
    accented = "time,open,high,low,close,Prix é\n1700000000,1,2,0.5,1,3\n1700003600,1,2,0.5,1,3\n"
    assert any("Latin-1" in n for n in load_csv(accented.encode("latin-1")).notes)


def test_csv_text_and_text_mode_file_objects_are_accepted(tmp_path: Path) -> None:
    text = ccxt(market_with_oi(4))
    path = tmp_path / "ETHUSDT-1h.csv"
    path.write_text(text)
    with path.open() as handle:
        from_handle = load_csv(handle)
    assert from_handle.symbol == "ETHUSDT" and len(load_csv(text)) == 4 == len(from_handle)
    with pytest.raises(DataError, match="no such file"):
        load_csv(tmp_path / "missing.csv")


def test_date_and_time_columns_are_joined() -> None:
    text = b"Date,Time,Open,High,Low,Close,Volume\n2026.01.02,00:00,1,2,0.5,1,3\n2026.01.02,00:15,1,2,0.5,1,3\n"
    loaded = load_csv(text)
    assert loaded.interval == pd.Timedelta("15min") and loaded.start == pd.Timestamp("2026-01-02", tz="UTC")


def _archive_zips(days: list[str], symbol: str = "BTCUSDT") -> list[tuple[str, bytes]]:
    files = fakes.archive_files(symbol, "5m", days)
    return [(path.rsplit("/", 1)[-1], data) for path, data in files.items() if path.endswith(".zip")]


def _named(name: str, data: bytes):
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def test_daily_archive_files_are_joined_into_one_series_with_their_metrics() -> None:
    zips = _archive_zips(["2024-01-29", "2024-01-30", "2024-01-31"])
    market = load_csv(*(_named(name, data) for name, data in zips))
    assert len(market) == 3 * 288 and market.start == pd.Timestamp("2024-01-29", tz="UTC")
    assert market.bars["open_interest"].notna().mean() > 0.99  # every day's metrics, not only the first day's
    assert market.symbol == "BTCUSDT"
    assert any("3 files with the same columns joined in time order" in note for note in market.notes)
    assert sum("288 of 288 rows loaded, 0 dropped" in note for note in market.notes) == 6
    assert market.source.startswith("Uploaded: 6 files, BTCUSDT-5m-2024-01-29.zip")  # not all six names in the label


def test_overlapping_files_keep_the_earlier_file_and_report_the_rest() -> None:
    klines = {name: data for name, data in _archive_zips(["2024-01-29", "2024-01-30"]) if "metrics" not in name}
    day1, day2 = (klines[f"BTCUSDT-5m-{d}.zip"] for d in ("2024-01-29", "2024-01-30"))
    text = zipfile.ZipFile(io.BytesIO(day1)).read("BTCUSDT-5m-2024-01-29.csv").decode().splitlines()
    late_half = "\n".join([text[0], *text[145:]]) + "\n"  # the last 144 bars of day 1 again
    market = load_csv(_named("BTCUSDT-5m-a.zip", day1), _named("BTCUSDT-5m-b.csv", late_half.encode()), day2)
    assert len(market) == 2 * 288
    notes = " ".join(market.notes)
    assert "BTCUSDT-5m-b.csv: 144 row(s) repeat times an earlier file already holds" in notes
    assert "BTCUSDT-5m-b.csv: 0 of 144 rows loaded, 144 dropped." in notes


def test_files_named_for_different_symbols_are_not_joined() -> None:
    btc = dict(_archive_zips(["2024-01-29"]))["BTCUSDT-5m-2024-01-29.zip"]
    eth = dict(_archive_zips(["2024-01-30"], "ETHUSDT"))["ETHUSDT-5m-2024-01-30.zip"]
    market = load_csv(_named("BTCUSDT-5m-2024-01-29.zip", btc), _named("ETHUSDT-5m-2024-01-30.zip", eth))
    assert len(market) == 288 and market.symbol == "BTCUSDT"
    assert any("a second price file; its prices were ignored" in note for note in market.notes)


def test_a_second_version_of_the_same_series_is_refused_naming_both_files() -> None:
    times = pd.date_range("2026-01-01", periods=300, freq="5min", tz="UTC").strftime("%Y-%m-%d %H:%M:%S")

    def version(level: float) -> bytes:
        close = level + np.arange(300) * 0.01
        frame = pd.DataFrame(
            {"timestamp": times, "open": close, "high": close + 0.5, "low": close - 0.5, "close": close, "volume": 10.0}
        )
        return frame.to_csv(index=False).encode()

    first, corrected = version(100.0), version(107.0)
    clash = r"upload-1\.csv holds the same times as upload-0\.csv .*300 of 300 rows differ"
    with pytest.raises(DataError, match=clash):
        load_csv(_named("upload-0.csv", first), _named("upload-1.csv", corrected))
    same = load_csv(_named("upload-0.csv", first), _named("upload-1.csv", first))  # the same file twice: one series
    assert len(same) == 300 and same.bars["close"].iloc[-1] == pytest.approx(102.99)
    one_bar = corrected.decode().splitlines()
    mostly_same = "\n".join([*first.decode().splitlines()[:-1], one_bar[-1]]) + "\n"  # only the last bar differs
    kept = load_csv(_named("upload-0.csv", first), _named("upload-1.csv", mostly_same.encode()))
    assert kept.bars["close"].iloc[-1] == pytest.approx(102.99)  # the earlier file's bar, reported as not used
