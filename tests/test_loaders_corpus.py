"""A corpus of odd and broken files: each gives a valid Market or a DataError naming the file, never anything else.

Every file is generated here under tmp_path. For a Market the invariants are checked (strictly increasing UTC index,
finite positive OHLC with low <= open/close <= high, and notes that account for every dropped row with counts that
add up to the rows in the file); for a DataError the message must name the file and say what to do.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from liqcore import DataError, Market, load_csv

PRICES = ["open", "high", "low", "close"]
ACTION = re.compile(
    r"\b(check|export|upload|add|rename|keep|map|fix|split|use|remove|save|sort|give|set|unpack|zip|drop|"
    r"resample|write|clear|leave)\b",
    re.IGNORECASE,
)


def bars(n: int = 24, freq: str = "1h", start: str = "2026-02-01", price: float = 60_000.0, seed: int = 0):
    """Known bars rounded to cents, so text round-trips exactly."""
    rng = np.random.default_rng(seed)
    close = np.round(price * np.exp(np.cumsum(rng.normal(0, 0.004, n))), 2)
    open_ = np.concatenate(([close[0]], close[:-1]))
    return pd.DataFrame(
        {
            "open": open_,
            "high": np.round(np.maximum(open_, close) * 1.002, 2),
            "low": np.round(np.minimum(open_, close) * 0.998, 2),
            "close": close,
            "volume": np.round(rng.uniform(100, 900, n), 3),
        },
        index=pd.date_range(start, periods=n, freq=freq, tz="UTC"),
    )


B = bars()


def ms(index: pd.DatetimeIndex) -> np.ndarray:
    return index.as_unit("ns").asi8 // 10**6


def iso(index: pd.DatetimeIndex) -> list[str]:
    return [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in index]


def table(b: pd.DataFrame = B, times: list | np.ndarray | None = None, time_name: str = "timestamp", **kw) -> str:
    """A CSV of the bars with the given time cells (ISO Z by default); keyword args go to DataFrame.to_csv."""
    frame = pd.DataFrame({time_name: iso(b.index) if times is None else times, **{c: b[c].to_numpy() for c in b}})
    return frame.to_csv(index=False, **kw)


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def joined(lines: list[str], end: str = "\n") -> str:
    return end.join(lines) + end


def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def binance_klines(b: pd.DataFrame = B) -> str:
    t = ms(b.index)
    span = int(ms(b.index[:2])[1] - t[0]) if len(b) > 1 else 3_600_000
    return joined(
        [
            f"{t[i]},{b.open.iloc[i]},{b.high.iloc[i]},{b.low.iloc[i]},{b.close.iloc[i]},{b.volume.iloc[i]},"
            f"{t[i] + span - 1},{b.volume.iloc[i] * b.close.iloc[i]:.2f},100,{b.volume.iloc[i] / 2},0,0"
            for i in range(len(b))
        ]
    )


def metrics(b: pd.DataFrame = B) -> str:
    five = pd.date_range(b.index[0], b.index[-1] + pd.Timedelta("1h"), freq="5min", inclusive="left")
    oi = np.linspace(80_000, 81_000, len(five))
    return pd.DataFrame(
        {
            "create_time": five.strftime("%Y-%m-%d %H:%M:%S"),
            "symbol": "BTCUSDT",
            "sum_open_interest": oi,
            "sum_open_interest_value": oi * 60_000,
            "count_long_short_ratio": 1.3,
        }
    ).to_csv(index=False)


def european(b: pd.DataFrame = B) -> str:
    """';' separated, '1.234,5' numbers, day-first dates."""

    def number(x: float) -> str:
        whole, _, frac = f"{x:,.2f}".partition(".")
        return whole.replace(",", ".") + "," + frac

    rows = ["Date;Eröffnung;Open;High;Low;Close;Volume"]
    for t, r in b.iterrows():
        cells = [t.strftime("%d.%m.%Y %H:%M"), "x", *(number(r[c]) for c in PRICES), number(r.volume)]
        rows.append(";".join(cells))
    return joined(rows)


def thousands_quoted(b: pd.DataFrame = B) -> str:
    rows = ["time,open,high,low,close,volume"]
    for t, r in zip(iso(b.index), b.itertuples(), strict=True):
        rows.append(",".join([t, *(f'"{getattr(r, c):,.2f}"' for c in PRICES), f"{r.volume}"]))
    return joined(rows)


def embedded_newlines(b: pd.DataFrame = B) -> str:
    rows = ['time,open,high,low,close,"comment\nwith a new line"']
    for i, (t, r) in enumerate(zip(iso(b.index), b.itertuples(), strict=True)):
        note = '"two\nlines"' if i % 5 == 2 else "ok"
        rows.append(",".join([t, *(str(getattr(r, c)) for c in PRICES), note]))
    return joined(rows)


def interleaved(symbol_column: bool) -> str:
    btc, eth = bars(12), bars(12, price=3_000.0, seed=1)
    rows = ["timestamp,symbol,open,high,low,close" if symbol_column else "timestamp,open,high,low,close"]
    for (t, a), (_, e) in zip(btc.iterrows(), eth.iterrows(), strict=True):
        for sym, r in (("BTCUSDT", a), ("ETHUSDT", e)):
            cells = [t.isoformat(), *([sym] if symbol_column else []), *(str(r[c]) for c in PRICES)]
            rows.append(",".join(cells))
    return joined(rows)


def random_gaps(irregular_times: bool) -> str:
    rng = np.random.default_rng(7)
    if irregular_times:
        seconds = np.cumsum(rng.integers(30, 5000, len(B)))
        times = pd.Timestamp("2026-02-01", tz="UTC") + pd.to_timedelta(seconds, unit="s")
        return table(B, iso(pd.DatetimeIndex(times)))
    keep = np.sort(rng.choice(len(B), 16, replace=False))
    return table(B.iloc[keep])


def tradingview() -> str:
    frame = pd.DataFrame(
        {
            "time": B.index.as_unit("ns").asi8 // 10**9,
            **{c: B[c].to_numpy() for c in PRICES},
            "Basis": np.nan,
            "Upper": "",
            "Volume": B.volume.to_numpy(),
            "Volume MA": B.volume.rolling(3).mean().to_numpy(),
        }
    )
    return frame.to_csv(index=False)


def bybit_newest_first() -> str:
    b = B.iloc[::-1]
    frame = pd.DataFrame(
        {
            "startTime": ms(b.index),
            "openPrice": b.open,
            "highPrice": b.high,
            "lowPrice": b.low,
            "closePrice": b.close,
            "volume": b.volume,
            "turnover": np.round(b.volume * b.close, 2),
        }
    )
    return frame.to_csv(index=False)


def okx_newest_first() -> str:
    b = B.iloc[::-1]
    frame = pd.DataFrame(
        {
            "ts": ms(b.index),
            "o": b.open,
            "h": b.high,
            "l": b.low,
            "c": b.close,
            "vol": b.volume * 100,
            "volCcy": b.volume,
            "confirm": 1,
        }
    )
    return frame.to_csv(index=False)


def with_oi(usd: bool) -> str:
    oi = np.linspace(80_000, 82_000, len(B))
    frame = pd.DataFrame({"timestamp": ms(B.index), **{c: B[c].to_numpy() for c in PRICES}})
    frame["oi"] = np.round(oi * B.close.to_numpy(), 2) if usd else oi
    return frame.to_csv(index=False)


def newline_then_bad_price() -> str:
    """A quoted cell spanning lines 2-3, so the bad price on the third data row sits on file line 5."""
    rows = ["time,open,high,low,close,memo"]
    for i, (t, r) in enumerate(zip(iso(B.index[:6]), B.iloc[:6].itertuples(), strict=True)):
        cells = [t, *(str(getattr(r, c)) for c in PRICES), '"a\nb"' if i == 0 else "ok"]
        if i == 2:
            cells[1] = "abc"
        rows.append(",".join(cells))
    return joined(rows)


def bad_extra_cells() -> str:
    frame = pd.DataFrame({"timestamp": iso(B.index), **{c: B[c].to_numpy() for c in PRICES}})
    frame["volume"] = B.volume.astype(str).to_numpy()
    frame.loc[2, "volume"] = "-5"
    frame.loc[4, "volume"] = "inf"
    frame.loc[6, "volume"] = "1e300"
    frame.loc[8, "volume"] = "lots"
    return frame.to_csv(index=False)


def stray_decimal_comma() -> str:
    """Prices like '600.512' (three decimals) and one quoted '1,5' volume: the prices must stay 600.512."""
    b = bars(24, price=600.0)
    rows = ["time,open,high,low,close,volume"]
    for i, (t, r) in enumerate(zip(iso(b.index), b.itertuples(), strict=True)):
        volume = '"1,5"' if i == 3 else f"{r.volume}"
        rows.append(",".join([t, *(f"{getattr(r, c):.3f}" for c in PRICES), volume]))
    return joined(rows)


def png_bytes() -> bytes:
    rng = np.random.default_rng(1)
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.integers(0, 256, 2000, dtype=np.uint8).tobytes()


def xlsx_like() -> bytes:
    return zipped(("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>"))


def cell_replaced(text: str, line: int, column: int, value: str) -> str:
    """`text` with the cell at file line `line` (1-based), column `column` replaced."""
    rows = lines_of(text)
    cells = rows[line - 1].split(",")
    cells[column] = value
    rows[line - 1] = ",".join(cells)
    return joined(rows)


@dataclass(frozen=True)
class Case:
    """One odd file (or set of files): their names and bytes, and what must come out."""

    files: tuple[tuple[str, bytes | str], ...]
    expect: str  # "market", "error" or "either"
    match: str | None = None  # regex the error message (or the joined notes) must contain
    rows: int | None = None  # data rows in the (first) file, when the test knows it
    check: Callable[[Market], None] | None = field(default=None, compare=False)


def _one(name: str, data: bytes | str, expect: str, match: str | None = None, **kw) -> Case:
    return Case(((name, data),), expect, match, **kw)


def _close_is(expected: pd.Series) -> Callable[[Market], None]:
    def check(m: Market) -> None:
        got = m.bars["close"].reindex(expected.index)
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy())

    return check


def _has(column: str, value: float | None = None) -> Callable[[Market], None]:
    def check(m: Market) -> None:
        assert m.has(column), column
        if value is not None:
            assert m.bars[column].iloc[0] == pytest.approx(value)

    return check


def _volume_emptied(m: Market) -> None:
    notes = " ".join(m.notes)
    assert "negative, which this column cannot be (line 4)" in notes and "too large to be real (line 8)" in notes
    volume = m.bars["volume"].to_numpy()
    assert np.isnan(volume[[2, 4, 6, 8]]).all() and np.isfinite(np.delete(volume, [2, 4, 6, 8])).all()


def _corpus() -> dict[str, Case]:
    good = table()
    rng = np.random.default_rng(11)
    epoch_float = table(times=[f"{s:.3f}" for s in B.index.as_unit("ns").asi8 / 1e9])
    mixed_zones = table(
        times=[
            t.tz_convert("Etc/GMT-2").isoformat() if i % 2 else t.strftime("%Y-%m-%dT%H:%M:%SZ")
            for i, t in enumerate(B.index)
        ]
    )
    descending = table(B.iloc[::-1])
    same_time = table(bars(10), times=["2026-02-01T00:00:00Z"] * 10)
    padded = good.replace("timestamp,open,high,low,close,volume", " Timestamp , OPEN ,High,  low , Close ,Volume ")
    wide = pd.DataFrame({"time": iso(B.index), **{c: B[c] for c in PRICES}})
    for i in range(95):
        wide[f"extra_{i}"] = rng.normal(size=len(B)).round(3)
    long_line = cell_replaced(
        pd.DataFrame({"time": iso(B.index), **{c: B[c] for c in PRICES}, "memo": "m"}).to_csv(index=False),
        4,
        5,
        "x" * 200_000,
    )
    neg_zero = cell_replaced(cell_replaced(good, 3, 1, "-60000"), 6, 4, "0")
    nan_cells = cell_replaced(cell_replaced(cell_replaced(good, 3, 1, "NaN"), 5, 2, "null"), 7, 4, "-")
    high_low = cell_replaced(cell_replaced(good, 4, 2, "50000"), 4, 3, "70000")
    extreme = cell_replaced(cell_replaced(good, 4, 2, "1e308"), 6, 4, "inf")
    huge_only = cell_replaced(good, 5, 2, "1e308")
    return {
        "empty": _one("empty.csv", b"", "error", "empty"),
        "header-only": _one("header.csv", "timestamp,open,high,low,close\n", "error", "header .* but no data rows"),
        "header-and-blank-lines": _one("blank.csv", "time,open,high,low,close\n\n\n  \n", "error", "no data rows"),
        "one-row": _one("one.csv", joined(lines_of(good)[:2]), "error", "only 1 usable row.*two bars"),
        "whitespace": _one("spaces.csv", "   \n\t\n   \n", "error", "empty"),
        "binary": _one(
            "noise.csv",
            np.random.default_rng(2).integers(0, 256, 4000, dtype=np.uint8).tobytes(),
            "error",
            "binary data",
        ),
        "png-renamed": _one("chart.csv", png_bytes(), "error", "PNG image"),
        "xlsx-renamed": _one("book.csv", xlsx_like(), "error", "Excel|workbook"),
        "zip-renamed-csv": _one("klines.csv", zipped(("BTCUSDT-1h.csv", good.encode())), "market"),
        "zip-empty": _one("nothing.zip", zipped(), "error", "no .csv|no CSV"),
        "zip-two-csvs": _one(
            "two.zip", zipped(("a.csv", good.encode()), ("b.csv", metrics().encode())), "error", "a.csv.*b.csv"
        ),
        "zip-macos-resource-fork": _one(
            "mac.zip",
            zipped(("BTCUSDT.csv", good.encode()), ("__MACOSX/._BTCUSDT.csv", b"\x00\x05\x16\x07\x00\x02\x00\x00")),
            "market",
        ),
        "zip-damaged": _one("broken.zip", b"PK\x03\x04" + b"\x00" * 50, "error", "damaged"),
        "gz-truncated": _one("cut.csv.gz", gzip.compress(good.encode())[:300], "error", "damaged|truncated|cut"),
        "gz-named-plain-text": _one("plain.csv.gz", good, "market", rows=24),
        "utf16-bom": _one("u16.csv", good.encode("utf-16"), "market", rows=24),
        "utf16-be-bom": _one("u16be.csv", b"\xfe\xff" + good.encode("utf-16-be"), "market", rows=24),
        "utf16-no-bom": _one("u16nobom.csv", good.encode("utf-16-le"), "market", "UTF-16", rows=24),
        "latin1-headers": _one(
            "latin.csv", good.replace("volume", "Volumen Stück").encode("latin-1"), "market", "Latin-1", rows=24
        ),
        "semicolon-european-numbers": _one(
            "euro.csv", european(), "market", "decimal mark", rows=24, check=_close_is(B.close)
        ),
        "quoted-thousands": _one(
            "thousands.csv", thousands_quoted(), "market", "thousands", rows=24, check=_close_is(B.close)
        ),
        "embedded-newlines": _one("memo.csv", embedded_newlines(), "market", rows=24, check=_close_is(B.close)),
        "trailing-delimiters": _one(
            "trail.csv", joined([line + ",," for line in lines_of(good)]), "market", rows=24, check=_close_is(B.close)
        ),
        "duplicate-column-names": _one(
            "dupcols.csv",
            good.replace("timestamp,open,high,low,close,volume", "timestamp,open,high,low,close,close"),
            "market",
            "more than once|twice",
            rows=24,
            check=_close_is(B.close),
        ),
        "padded-mixed-case-headers": _one("padded.csv", padded, "market", rows=24, check=_close_is(B.close)),
        "excel-day-first": _one(
            "excel.csv",
            table(times=[t.strftime("%d/%m/%Y %H:%M") for t in bars(24, "1D").index], b=bars(24, "1D")),
            "market",
            "day",
            check=_close_is(bars(24, "1D").close),
        ),
        "excel-day-first-ambiguous": _one(
            "excel12.csv",
            table(times=[t.strftime("%d/%m/%Y %H:%M") for t in bars(12, "1D").index], b=bars(12, "1D")),
            "market",
            "day",
            check=_close_is(bars(12, "1D").close),
        ),
        "us-month-first": _one(
            "us.csv",
            table(times=[t.strftime("%m/%d/%Y %I:%M %p") for t in bars(24, "1D").index], b=bars(24, "1D")),
            "market",
            "month",
            check=_close_is(bars(24, "1D").close),
        ),
        "year-first-slashes": _one(
            "ymd.csv",
            table(times=[t.strftime("%Y/%m/%d %H:%M:%S") for t in B.index]),
            "market",
            rows=24,
            check=_close_is(B.close),
        ),
        "mixed-offsets-and-z": _one("zones.csv", mixed_zones, "market", rows=24, check=_close_is(B.close)),
        "epoch-float-seconds": _one("float.csv", epoch_float, "market", rows=24, check=_close_is(B.close)),
        "negative-and-zero-prices": _one("neg.csv", neg_zero, "market", "lines 3, 6", rows=24),
        "nan-null-dash": _one("nans.csv", nan_cells, "market", "lines 3, 5, 7", rows=24),
        "high-below-low": _one("hilo.csv", high_low, "market", "line 4", rows=24),
        "extreme-values": _one("extreme.csv", extreme, "market", "line 4", rows=24),
        "extreme-high-only": _one("huge.csv", huge_only, "market", "line 5", rows=24),
        "single-column": _one("single.csv", "close\n1\n2\n3\n", "error"),
        "single-column-times": _one("times.csv", joined(["time", *iso(B.index)]), "error"),
        "hundred-columns": _one("wide.csv", wide.to_csv(index=False), "market", rows=24, check=_close_is(B.close)),
        "very-long-line": _one("long.csv", long_line, "market", rows=24, check=_close_is(B.close)),
        "identical-timestamps": _one("same.csv", same_time, "error", "one usable row|repeat"),
        "descending": _one("desc.csv", descending, "market", "newest first", rows=24, check=_close_is(B.close)),
        "random-gaps": _one("gaps.csv", random_gaps(False), "market", "gap", rows=16),
        "irregular-times": _one("irregular.csv", random_gaps(True), "error", "irregular"),
        "two-instruments-interleaved": _one("mixed.csv", interleaved(False), "error", "instrument|one per file"),
        "symbol-column-several": _one("symbols.csv", interleaved(True), "error", "BTCUSDT.*ETHUSDT"),
        "tradingview-export": _one("BINANCE_BTCUSDT.P, 60.csv", tradingview(), "market", rows=24),
        "binance-klines-no-header": _one(
            "BTCUSDT-1h-2026-02.csv", binance_klines(), "market", rows=24, check=_close_is(B.close)
        ),
        "metrics-alone": _one("BTCUSDT-metrics-2026-02-01.csv", metrics(), "error", "price file is needed"),
        "klines-plus-metrics": Case(
            (("BTCUSDT-1h.zip", zipped(("BTCUSDT-1h.csv", binance_klines().encode()))), ("m.csv", metrics())),
            "market",
            check=_has("open_interest", 80_000 + 1000 * 11 / (24 * 12 - 1)),
        ),
        "bybit-newest-first": _one("bybit.csv", bybit_newest_first(), "market", "newest first", rows=24),
        "okx-newest-first": _one("okx.csv", okx_newest_first(), "market", "newest first", rows=24),
        "oi-in-coins": _one("oi_coins.csv", with_oi(False), "market", "coins", rows=24, check=_has("open_interest")),
        "oi-in-usd": _one("oi_usd.csv", with_oi(True), "market", "USD", rows=24, check=_has("open_interest_usd")),
        "crlf": _one("crlf.csv", good.replace("\n", "\r\n"), "market", rows=24, check=_close_is(B.close)),
        "cr-only": _one("mac.csv", good.replace("\n", "\r"), "market", rows=24, check=_close_is(B.close)),
        "excel-sep-directive": _one(
            "sep.csv", "sep=;\n" + good.replace(",", ";"), "market", rows=24, check=_close_is(B.close)
        ),
        "header-repeated-mid-file": _one(
            "concat.csv", good + good.replace("2026-02-01", "2026-02-02"), "market", "line 26", rows=49
        ),
        "nul-inside": _one("nul.csv", good[:200] + "\x00" + good[200:], "error", "binary data"),
        "future-and-ancient-times": _one(
            "years.csv",
            cell_replaced(cell_replaced(good, 3, 0, "2301-01-01T00:00:00Z"), 5, 0, "1901-01-01"),
            "market",
            "lines 3, 5",
            rows=24,
        ),
        "date-only-daily": _one(
            "daily.csv",
            table(bars(10, "1D"), [t.strftime("%Y-%m-%d") for t in bars(10, "1D").index]),
            "market",
            rows=10,
        ),
        "text-in-time-column": _one("words.csv", table(times=["yesterday"] * len(B)), "error", "time"),
        "only-prices-no-time": _one("notime.csv", B[PRICES].to_csv(index=False), "error", "time column"),
        "ragged-rows": _one(
            "ragged.csv",
            joined([*lines_of(good)[:5], lines_of(good)[5] + ",9,9,9", *lines_of(good)[6:8], "1,2"]),
            "market",
            rows=8,
        ),
        "ragged-rows-with-a-long-cell": _one(
            "ragged_long.csv",
            joined([*lines_of(long_line)[:10], lines_of(long_line)[10] + ",extra"]),
            "market",
            "more cells than the header names \\(line 11\\)",
            rows=10,
        ),
        "stray-decimal-comma": _one(
            "stray.csv",
            stray_decimal_comma(),
            "market",
            "decimal mark",
            rows=24,
            check=_close_is(bars(24, price=600.0).close),
        ),
        "unclosed-quote": _one("quote.csv", good[:-30] + '"' + good[-30:], "market", "line 25", rows=24),
        "line-numbers-after-quoted-newline": _one(
            "quoted.csv", newline_then_bad_price(), "market", "line 5\\b", rows=6
        ),
        "bad-volume-cells": _one(
            "vol.csv", bad_extra_cells(), "market", r"not numbers \(lines 6, 10\)", rows=24, check=_volume_emptied
        ),
        "colliding-duplicate-headers": _one(
            "collide.csv",
            good.replace("timestamp,open,high,low,close,volume", "timestamp,open,high,low,close,close.1")
            .replace("\n", ",1\n")
            .replace("close.1,1\n", "close.1,close\n", 1),
            "market",
            "more than once",
            rows=24,
            check=_close_is(B.close),
        ),
        "no-header-five-columns": _one(
            "ohlc.csv", joined(lines_of(binance_klines())[i].rsplit(",", 7)[0] for i in range(24)), "market", rows=24
        ),
        "thousands-of-columns": _one(
            "widest.csv", ",".join(f"c{i}" for i in range(5000)) + "\n" + "1," * 4999 + "1\n", "error", "columns"
        ),
        "excel-serial-dates": _one(
            "serial.csv", table(times=[f"{46054 + i / 24:.6f}" for i in range(len(B))]), "error", "Excel"
        ),
        "old-excel-xls": _one("old.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "error", "Excel"),
        "okx-instid-several": _one(
            "okx2.csv", interleaved(True).replace("timestamp,symbol", "ts,instId"), "error", "instId"
        ),
        "semicolon-decimal-comma-only": _one(
            "comma.csv",
            table().replace(",", ";").replace(".", ","),
            "market",
            "decimal mark",
            rows=24,
            check=_close_is(B.close),
        ),
        "gzip-of-european-file": _one("euro.csv.gz", gzip.compress(european().encode("latin-1")), "market", "Latin-1"),
        "pipe-separated": _one("pipe.csv", table().replace(",", "|"), "market", rows=24, check=_close_is(B.close)),
        "nanosecond-apart-times": _one(
            "ns.csv", table(bars(6), [f"2026-02-01T00:00:00.{i:09d}Z" for i in range(6)]), "error", "second"
        ),
    }


CORPUS = _corpus()


def _counts(notes: tuple[str, ...], name: str) -> tuple[int, int, int]:
    pattern = re.escape(name) + r"(?:/[^:]*)?: ([\d,]+) of ([\d,]+) rows loaded, ([\d,]+) dropped"
    found = [re.search(pattern, n) for n in notes]
    found = [f for f in found if f]
    assert len(found) == 1, (name, notes)
    return tuple(int(g.replace(",", "")) for g in found[0].groups())


def _dropped_in_notes(notes: tuple[str, ...], name: str) -> int:
    total = 0
    for note in notes:
        if re.match(re.escape(name) + r"(?:/[^:]*)?:", note):
            for match in re.finditer(r"dropped ([\d,]+)", note):
                total += int(match.group(1).replace(",", ""))
    return total


def assert_valid_market(market: Market, names: list[str], rows: int | None = None) -> None:
    """Invariants of any loaded market; `names` are the files given (the first with prices first)."""
    index = market.bars.index
    assert isinstance(index, pd.DatetimeIndex) and str(index.tz) == "UTC"
    assert len(index) >= 2 and (np.diff(index.asi8) > 0).all()
    o, h, lo, c = (market.bars[p].to_numpy() for p in PRICES)
    assert np.isfinite([o, h, lo, c]).all() and (lo > 0).all()
    assert (lo <= np.minimum(o, c)).all() and (h >= np.maximum(o, c)).all()
    assert (h < 1e15).all()  # absurd values are dropped, not passed on to the model
    price_file = names[0]
    kept, total, dropped = _counts(market.notes, price_file)
    assert kept + dropped == total and kept == len(market)
    assert _dropped_in_notes(market.notes, price_file) == dropped, market.notes
    if rows is not None:
        assert total == rows, market.notes


def _outcome(case: Case, tmp_path: Path) -> Market | DataError:
    paths = []
    for name, data in case.files:
        path = tmp_path / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        paths.append(path)
    try:
        return load_csv(*paths)
    except DataError as exc:
        return exc


@pytest.mark.parametrize("key", list(CORPUS))
def test_odd_file_gives_a_valid_market_or_a_clear_data_error(key: str, tmp_path: Path) -> None:
    case = CORPUS[key]
    names = [name for name, _ in case.files]
    outcome = _outcome(case, tmp_path)  # any other exception fails the test
    if isinstance(outcome, DataError):
        message = str(outcome)
        assert case.expect in ("error", "either"), f"{key}: unexpected DataError: {message}"
        assert any(Path(name).name in message for name in names), message
        assert ACTION.search(message), f"not actionable: {message}"
        assert "Traceback" not in message and len(message) < 600
        if case.match and case.expect == "error":
            assert re.search(case.match, message, re.IGNORECASE), message
        return
    assert case.expect in ("market", "either"), f"{key}: loaded although an error was expected: {outcome.notes}"
    assert_valid_market(outcome, [Path(name).name for name in names], case.rows)
    if case.match and case.expect == "market":
        assert re.search(case.match, " ".join(outcome.notes), re.IGNORECASE), outcome.notes
    if case.check:
        case.check(outcome)


def test_a_forced_interval_that_does_not_fit_the_times_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "five.csv"
    path.write_text(table(bars(24, "5min")))
    with pytest.raises(DataError, match=r"five.csv: only 2 of 24 rows lie on one grid of the 1h interval you set"):
        load_csv(path, interval="1h")
    assert load_csv(path, interval="5m").interval == pd.Timedelta("5min")


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 40
