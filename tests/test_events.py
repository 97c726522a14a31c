"""Liquidation-event loader and the WHERE score: formats, side conventions, price conversion, bad rows, scoring."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from liqcore import DataError, ModelConfig
from liqcore.heatmap import Heatmap
from liqcore.loaders.events import load_liquidations
from liqcore.market import Market
from liqcore.validation import where_score

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
BINANCE = REAL / "binance_btcusdt_forceorder_2024-12" / "binance_um_btcusdt_forceorder_events_2024-12-04_2024-12-06.csv"
BYBIT = REAL / "bybit_btcusdt_liquidations_2024" / "bybit_btcusdt_liquidation_events_2024-02-12_2024-06-02.parquet"


@pytest.mark.skipif(not BINANCE.exists(), reason="../shared/data/real is not beside the repo")
def test_binance_recording_stops_before_the_second_format_and_reads_sell_as_long() -> None:
    liq = load_liquidations(BINANCE)
    assert len(liq) == 1844 and liq.symbol == "BTCUSDT"
    assert (liq.events["side"] == "long").sum() == 729 and (liq.events["side"] == "short").sum() == 1115
    assert any("lines 1846–2418 (573 rows) are in another format" in note for note in liq.notes)
    assert liq.events.index.is_monotonic_increasing and str(liq.events.index.tz) == "UTC"
    first = liq.events.iloc[0]  # 2024-12-04 22:16:25.587+05:30, SELL, Average Price 94809.6, filled 0.013
    assert liq.events.index[0] == pd.Timestamp("2024-12-04 16:46:25.587", tz="UTC")
    assert first["price"] == 94809.6 and first["side"] == "long" and first["size"] == 0.013


@pytest.mark.skipif(not BYBIT.exists(), reason="../shared/data/real is not beside the repo")
def test_bybit_parquet_buy_is_a_long_and_bankruptcy_moves_to_the_trigger_price() -> None:
    liq = load_liquidations(BYBIT)
    assert len(liq) == 30_630
    assert (liq.events["side"] == "long").sum() == 14_149
    raw = pd.read_parquet(BYBIT).iloc[0]  # Buy 1.496 BTC at 49306.3 (bankruptcy)
    assert liq.events["price"].iloc[0] == pytest.approx(raw["price"] / (1 - 0.005))
    assert liq.events["usd"].iloc[0] == pytest.approx(liq.events["price"].iloc[0] * 1.496)


def test_bybit_csv_short_is_moved_down_by_the_margin() -> None:
    text = "ts_ms,symbol,side,qty,price\n1707756333999,BTCUSDT,Sell,0.5,50250\n1707756340999,BTCUSDT,Buy,1,49000\n"
    liq = load_liquidations(text.encode())
    short = liq.events[liq.events["side"] == "short"].iloc[0]
    assert short["price"] == pytest.approx(50250 / 1.005)
    assert any("Buy = a long" in note for note in liq.notes)


def test_okx_contracts_become_base_units_and_pos_side_names_the_side() -> None:
    text = (
        "ts,instId,side,posSide,sz,bkPx\n"
        "1717000000000,BTC-USDT-SWAP,buy,long,100,60000\n"
        "1717000001000,BTC-USDT-SWAP,sell,net,50,61000\n"
    )
    liq = load_liquidations(text.encode())
    assert list(liq.events["side"]) == ["long", "long"]  # posSide long wins over order side; net sell = a long
    assert list(liq.events["size"]) == [1.0, 0.5]
    assert liq.events["price"].iloc[0] == pytest.approx(60000 / (1 - 0.004))


def test_generic_file_reports_bad_rows_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    rows = ["time,side,price,size"] + [
        f"2024-03-01T00:{i:02d}:00Z,{'long' if i % 2 else 'short'},60000,0.1" for i in range(20)
    ]
    rows[5] = "2024-03-01T00:04:00Z,sideways,60000,0.1"
    path.write_text("\n".join(rows) + "\n")
    liq = load_liquidations(path)
    assert len(liq) == 19
    assert any("1 rows with unreadable 'side' dropped (lines 6)" in note for note in liq.notes)


def test_a_file_of_mostly_unreadable_rows_names_the_file_column_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("time,side,price,size\n" + "".join("2024-03-01,long,n/a,1\n" for _ in range(5)))
    with pytest.raises(
        DataError, match=r"bad\.csv: most rows cannot be read: column 'price' is unreadable from line 2"
    ):
        load_liquidations(path)


def test_a_file_of_several_instruments_keeps_the_chosen_one_and_refuses_without_a_choice(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    rows = ["time,symbol,side,price,usd"] + [  # generic columns (a size column would read as a Bybit export)
        f"2024-03-01T00:{i:02d}:00Z,{'ETHUSDT' if i % 3 == 0 else 'btcusdt'},long,{3000 if i % 3 == 0 else 60000},600"
        for i in range(12)
    ]
    path.write_text("\n".join(rows) + "\n")
    btc = load_liquidations(path, symbol="BTCUSDT")
    assert btc.symbol == "BTCUSDT" and len(btc) == 8 and (btc.events["price"] == 60000).all()
    eth = load_liquidations(path, symbol="ethusdt")
    assert eth.symbol == "ETHUSDT" and len(eth) == 4 and (eth.events["price"] == 3000).all()
    for choice in (None, "SOLUSDT"):
        with pytest.raises(DataError, match=r"mixed\.csv: column 'symbol' holds several instruments .*symbol=\.\.\."):
            load_liquidations(path, symbol=choice)


def test_unknown_columns_say_which_formats_are_read() -> None:
    with pytest.raises(DataError, match="time, side"):
        load_liquidations(b"a,b,c\n1,2,3\n4,5,6\n")


def _two_level_case(right: bool, usd: float = 1e6, n: int = 400) -> tuple[Market, Heatmap, pd.DataFrame]:
    """Price stands at 100; each hour long liquidations happen at 97.5 (odd hours) or 96.5 (even hours). A map that
    knows which (right=True) beats distance, which only learns the 50/50 mix; a map that says the other is worse."""
    times = pd.date_range("2024-03-01", periods=n, freq="1h", tz="UTC")
    price = np.full(n, 100.0)
    market = Market(pd.DataFrame({"open": price, "high": price, "low": price, "close": price}, index=times), "X")
    edges = np.arange(90.0, 110.01, 0.5)
    centers = (edges[:-1] + edges[1:]) / 2
    level = np.where(np.arange(n) % 2 == 1, 97.25, 96.25)  # bin centres of the event prices 97.5−/96.5−
    long = np.zeros((n, len(centers)))
    for t in range(n - 1):
        target = level[t + 1] if right else level[t]
        long[t, np.argmin(np.abs(centers - target))] = usd
    empty = pd.DataFrame(index=times)
    hm = Heatmap(times, edges, long, np.zeros_like(long), empty, price, ModelConfig(), "open interest")
    events = pd.DataFrame(
        {"side": "long", "price": level[1:] + 0.1, "size": 1.0, "usd": 1_000.0}, index=times[1:] + pd.Timedelta("10min")
    )
    return market, hm, events


def test_where_score_rewards_a_map_that_knows_the_level_and_shrinks_a_wrong_one_to_distance() -> None:
    good = where_score(*_two_level_case(True), resamples=200)
    bad = where_score(*_two_level_case(False), resamples=200)
    assert good.hours == 399 - 24 and good.events == good.hours
    assert good.dense_map == pytest.approx(1.0)
    assert good.gain_map[1] > 0.5 and good.gain_combined[1] > 0.5  # about one bit: the map resolves a 50/50 guess
    assert "better than distance alone" in good.verdict
    assert bad.gain_map[0] < -1
    assert abs(bad.gain_combined[0]) < 0.1  # β falls to 0 on the past: the combination is distance alone


def test_where_score_reads_the_map_as_shares_so_its_usd_scale_does_not_matter() -> None:
    # A thin market's map (half a dollar in the bin) says the same thing as a deep one's: only the shares count.
    deep = where_score(*_two_level_case(True, n=72), resamples=20)
    thin = where_score(*_two_level_case(True, usd=0.5, n=72), resamples=20)
    assert thin.gain_map == pytest.approx(deep.gain_map) and thin.dense_map == pytest.approx(1.0)


def _cli_files(tmp_path: Path) -> list[str]:
    """Candles (12 days of hours) and long liquidations in every hour from the 31st on, as CLI arguments."""
    rng = np.random.default_rng(0)
    times = pd.date_range("2024-03-01", periods=24 * 12, freq="1h", tz="UTC")
    close = 60_000 * np.exp(np.cumsum(rng.normal(0, 0.004, len(times))))
    candles = pd.DataFrame(
        {
            "time": times.asi8 // 10**6,
            "open": close,
            "high": close * 1.004,
            "low": close * 0.996,
            "close": close,
            "volume": rng.uniform(100, 200, len(times)),
        }
    )
    candles.to_csv(tmp_path / "candles.csv", index=False)
    at = times[30:] + pd.Timedelta("20min")
    events = pd.DataFrame(
        {"time": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "side": "long", "price": close[30:] * 0.997, "size": 0.5}
    )
    events.to_csv(tmp_path / "events.csv", index=False)
    return [str(tmp_path / "candles.csv"), "--events", str(tmp_path / "events.csv")]


def test_cli_prints_the_where_table_with_sample_sizes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from liqcore.validate import main

    assert main(_cli_files(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "map × distance" in out and "bits per USD" in out and "hours," in out and "events" in out
    assert "234 hours" in out and "first 24 hours" in out  # 258 hours with events, the default 24 only start it


@pytest.mark.parametrize(("burn_in", "hours"), [("6", 6), ("6h", 6), ("1d", 24), ("90min", None), ("soon", None)])
def test_cli_burn_in_sets_the_hours_that_only_start_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], burn_in: str, hours: int | None
) -> None:
    from liqcore.validate import main

    if hours is None:  # not whole hours, or not a duration: a usage error naming the value, no score
        with pytest.raises(SystemExit) as exit_:
            main([*_cli_files(tmp_path), "--burn-in", burn_in])
        assert exit_.value.code == 2 and f"'{burn_in}'" in capsys.readouterr().err
        return
    assert main([*_cli_files(tmp_path), "--burn-in", burn_in]) == 0
    out = capsys.readouterr().out
    assert f"{258 - hours} hours" in out and f"first {hours} hours with events" in out


def test_a_file_of_many_instruments_names_the_first_five_it_found(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    rows = ["time,symbol,side,price,usd"] + [f"2024-03-01T00:{i:02d}:00Z,COIN{i}USDT,long,100,600" for i in range(7)]
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(DataError) as refused:
        load_liquidations(path)
    assert "(COIN0USDT, COIN1USDT, COIN2USDT, COIN3USDT, COIN4USDT)" in str(refused.value)


def test_where_gains_are_each_forecaster_minus_distance_and_the_table_names_all_three() -> None:
    result = where_score(*_two_level_case(True, n=72), resamples=20)
    assert result.gain_map[0] == pytest.approx(result.bits_map - result.bits_distance)
    assert result.gain_combined[0] == pytest.approx(result.bits_combined - result.bits_distance)
    assert result.gain_combined[0] > 0.5  # the map resolves the 50/50 guess: a gain well away from zero
    table = result.table()
    assert list(table.index) == ["distance only (baseline)", "map", "map × distance"]
    assert table.loc["map × distance", "gain vs distance (bits)"] == pytest.approx(result.gain_combined[0])


def test_where_score_without_a_scorable_hour_gives_three_part_gains_that_are_not_numbers() -> None:
    market, heatmap, events = _two_level_case(True, n=40)
    empty = where_score(market, heatmap, events.iloc[:0], resamples=5)
    assert (empty.hours, empty.events) == (0, 0)
    for gain in (empty.gain_map, empty.gain_combined):
        assert len(gain) == 3 and np.isnan(gain).all()
    assert empty.verdict == "No hour with events could be scored."
