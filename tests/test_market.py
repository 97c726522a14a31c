"""Market validation: every bad input is refused with a DataError naming the column and the row; gaps are noted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from liqcore.errors import DataError
from liqcore.market import Market, format_interval


def _bars(n: int = 6, freq: str = "5min") -> pd.DataFrame:
    """A small well-formed market: rising prices, volume and open interest."""
    index = pd.date_range("2024-03-01", periods=n, freq=freq, tz="UTC")
    close = 100.0 + np.arange(n)
    return pd.DataFrame(
        {
            "open": close - 0.5,
            "high": close + 1.0,
            "low": close - 1.0,
            "close": close,
            "volume": np.full(n, 10.0),
            "open_interest": 1000.0 + np.arange(n),
            "funding_rate": np.full(n, -0.0001),
        },
        index=index,
    )


def _refused(bars: pd.DataFrame, **kwargs: object) -> str:
    with pytest.raises(DataError) as info:
        Market(bars, **kwargs)
    return str(info.value)


def test_valid_market_is_normalised_to_utc_ns_float64() -> None:
    bars = _bars()
    bars.index = bars.index.tz_convert("Europe/Berlin").as_unit("s")
    bars["volume"] = bars["volume"].astype(int)
    bars["unused"] = "x"
    m = Market(bars, symbol="BTCUSDT")
    assert str(m.bars.index.tz) == "UTC" and m.bars.index.unit == "ns"
    assert m.bars.index[0] == pd.Timestamp("2024-03-01", tz="UTC")
    assert all(m.bars[c].dtype == np.float64 for c in m.bars.columns)
    assert "unused" not in m.bars.columns and any("unused" in n for n in m.notes)
    assert m.interval == pd.Timedelta("5min") and len(m) == 6
    assert m.end == m.start + 6 * pd.Timedelta("5min") and m.last_price == 105.0
    assert m.has("open_interest") and not m.has("quote_volume")


def test_naive_index_is_taken_as_utc_and_negative_funding_is_allowed() -> None:
    bars = _bars()
    bars.index = bars.index.tz_localize(None)
    m = Market(bars)
    assert m.start == pd.Timestamp("2024-03-01", tz="UTC") and m.notes == ()


def test_column_of_only_empty_cells_is_not_had() -> None:
    bars = _bars()
    bars["quote_volume"] = np.nan
    assert not Market(bars).has("quote_volume")


@pytest.mark.parametrize(
    ("column", "row", "value", "words"),
    [
        ("close", 3, np.nan, "finite and above zero"),
        ("open", 1, 0.0, "finite and above zero"),
        ("high", 5, np.inf, "finite and above zero"),
        ("low", 2, -4.0, "finite and above zero"),
    ],
)
def test_bad_price_names_column_and_row(column: str, row: int, value: float, words: str) -> None:
    bars = _bars()
    bars.iloc[row, bars.columns.get_loc(column)] = value
    message = _refused(bars)
    assert f"Column '{column}'" in message and f"row {row + 1} (" in message and words in message
    assert f"{bars.index[row]:%Y-%m-%d %H:%M} UTC" in message


def test_low_above_open_or_close_names_row() -> None:
    bars = _bars()
    bars.iloc[4, bars.columns.get_loc("low")] = bars["close"].iloc[4] + 0.1
    message = _refused(bars)
    assert "Column 'low'" in message and "row 5 (" in message and "order" in message


def test_high_below_open_or_close_names_row() -> None:
    bars = _bars()
    bars.iloc[2, bars.columns.get_loc("high")] = bars["open"].iloc[2] - 0.1
    message = _refused(bars)
    assert "Column 'high'" in message and "row 3 (" in message


def test_low_equal_to_close_within_rounding_is_accepted() -> None:
    bars = _bars()
    bars.iloc[1, bars.columns.get_loc("low")] = bars["close"].iloc[1] * (1 + 1e-13)
    bars.iloc[1, bars.columns.get_loc("open")] = bars["close"].iloc[1]
    assert len(Market(bars)) == 6


def test_text_cell_names_column_row_and_value() -> None:
    bars = _bars().astype({"volume": object})
    bars.iloc[3, bars.columns.get_loc("volume")] = "12,5"
    message = _refused(bars)
    assert "Column 'volume'" in message and "row 4 (" in message and "'12,5'" in message


def test_numbers_written_as_text_and_empty_cells_are_read() -> None:
    bars = _bars().astype({"volume": object, "close": str})
    bars.iloc[1, bars.columns.get_loc("volume")] = None
    bars.iloc[2, bars.columns.get_loc("volume")] = "7.5"
    m = Market(bars)
    assert np.isnan(m.bars["volume"].iloc[1]) and m.bars["volume"].iloc[2] == 7.5
    assert m.bars["close"].iloc[0] == 100.0


@pytest.mark.parametrize("column", ["volume", "open_interest", "liq_long_usd"])
def test_negative_quantity_names_column_and_row(column: str) -> None:
    bars = _bars()
    bars[column] = 1.0
    bars.iloc[2, bars.columns.get_loc(column)] = -3.0
    message = _refused(bars)
    assert f"Column '{column}'" in message and "row 3 (" in message and "negative" in message


def test_infinite_extra_value_names_column_and_row() -> None:
    bars = _bars()
    bars["long_short_ratio"] = 1.2
    bars.iloc[4, bars.columns.get_loc("long_short_ratio")] = np.inf
    message = _refused(bars)
    assert "Column 'long_short_ratio'" in message and "row 5 (" in message


def test_duplicate_column_is_named() -> None:
    bars = _bars()
    bars.columns = ["open", "high", "low", "close", "volume", "volume", "funding_rate"]
    assert "Column 'volume' appears more than once" in _refused(bars)


def test_missing_price_column_is_named() -> None:
    message = _refused(_bars().drop(columns=["low"]))
    assert "low" in message and "open, high, low and close" in message


@pytest.mark.parametrize(
    ("bars", "words"),
    [
        (_bars().iloc[:0], "no bars"),
        (_bars().reset_index(drop=True), "DatetimeIndex"),
        (_bars().iloc[:1], "single bar"),
    ],
)
def test_unusable_tables_are_refused_with_a_next_step(bars: pd.DataFrame, words: str) -> None:
    assert words in _refused(bars)


def test_not_a_dataframe_is_refused() -> None:
    with pytest.raises(DataError, match="DataFrame"):
        Market(np.ones((3, 4)))  # type: ignore[arg-type]


def test_single_bar_with_known_interval_is_accepted() -> None:
    assert len(Market(_bars().iloc[:1], interval=pd.Timedelta("5min"))) == 1


def test_repeated_time_names_row() -> None:
    bars = _bars()
    bars.index = bars.index[[0, 1, 2, 2, 4, 5]]
    message = _refused(bars)
    assert "repeats" in message and "row 4 (" in message


def test_time_going_back_names_row() -> None:
    bars = _bars()
    bars.index = bars.index[[0, 1, 3, 2, 4, 5]]
    message = _refused(bars)
    assert "goes back in time" in message and "row 4 (" in message


def test_missing_time_names_row() -> None:
    bars = _bars()
    bars.index = pd.DatetimeIndex([t if i != 2 else pd.NaT for i, t in enumerate(bars.index)])
    message = _refused(bars)
    assert "empty at row 3" in message


def test_off_grid_bar_names_row() -> None:
    bars = _bars()
    bars.index = bars.index[:3].append(bars.index[3:] + pd.Timedelta("1min"))
    message = _refused(bars)
    assert "regular 5m grid" in message and "row 4 (" in message


def test_interval_that_is_not_positive_is_refused() -> None:
    assert "must be positive" in _refused(_bars(), interval=pd.Timedelta("-5min"))


def test_gaps_are_allowed_and_reported() -> None:
    bars = _bars(10).drop(index=_bars(10).index[[3, 6, 7]])
    m = Market(bars)
    assert m.interval == pd.Timedelta("5min")
    (note,) = m.notes
    assert "2 gap(s)" in note and "3 missing bar(s)" in note and "row 4 (" in note


def test_tail_cuts_the_span_and_reports_only_its_own_gaps() -> None:
    bars = _bars(10).drop(index=_bars(10).index[[2]])
    m = Market(bars, notes=("Loaded from a test.",))
    assert len(m.notes) == 2
    tail = m.tail("20min")
    assert len(tail) == 4 and tail.end == m.end and tail.notes == ("Loaded from a test.",)
    wide = m.tail("45min")
    assert len(wide) == 8 and sum("gap(s)" in n for n in wide.notes) == 1 and "row 2 (" in wide.notes[-1]
    assert len(m.tail("1min")) == 1


@pytest.mark.parametrize(
    ("interval", "text"),
    [("5min", "5m"), ("1h", "1h"), ("4h", "4h"), ("1D", "1d"), ("90min", "90m"), ("30s", "30s")],
)
def test_format_interval(interval: str, text: str) -> None:
    assert format_interval(pd.Timedelta(interval)) == text


def test_per_venue_columns_are_kept_validated_and_name_the_venues() -> None:
    bars = _bars()
    bars["open_interest_usd_binance"] = 5e5
    bars["open_interest_usd_okx"] = 2e5
    bars["liq_long_usd_okx"] = 0.0
    bars["open_interest_usd_"] = 1.0  # no venue name: an unknown column like any other
    market = Market(bars)
    assert market.venues == ("binance", "okx")
    assert "liq_long_usd_okx" in market.bars and "open_interest_usd_" not in market.bars
    assert any("open_interest_usd_" in n for n in market.notes)
    assert Market(_bars()).venues == ()
    bad = _bars()
    bad["open_interest_usd_bybit"] = -1.0
    assert "open_interest_usd_bybit" in _refused(bad) and "cannot be negative" in _refused(bad)
