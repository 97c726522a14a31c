"""Liquidation EVENTS (time, side, price, size) from exchange recordings, for scoring WHERE the map puts liquidations.

Formats, told apart by their columns:

- **Binance forceOrder** recordings (`Symbol, Side, Quantity, Price, Average Price, … Event Time`): `SELL` is the
  exchange selling a LONG position (a long liquidated), `BUY` a short. `Price` is the order's limit (bankruptcy)
  price; `Average Price` is the real fill, used when present.
- **Bybit liquidation stream** (`ts_ms`/`updatedTime`, `symbol`, `side`, `qty`/`size`, `price`; CSV or parquet):
  `Buy` = a LONG position was liquidated (Bybit's convention for this topic, the opposite of Binance's order side).
  `price` is the bankruptcy price.
- **OKX liquidation orders** (`ts`, `side`, `posSide`, `sz` in contracts, `bkPx`): `posSide` long/short is the side
  liquidated (for `net`, order side `sell` = a long); `bkPx` is the bankruptcy price; `sz` × contract value = base.
- **Generic** `time, side, price, size`: side `long`/`short` names the position liquidated; price as given (taken to
  be where it was liquidated); size in base units (or a `usd`/`notional` column in quote currency).

Bankruptcy prices sit beyond where the position was liquidated by about the maintenance margin; the map's levels are
liquidation (trigger) prices, so they are converted: long ``trigger = bankruptcy / (1 − m)``, short ``trigger =
bankruptcy / (1 + m)`` (from ``P_liq = E(1 ∓ 1/L)/(1 ∓ m)`` and ``P_bankrupt = E(1 ∓ 1/L)``), with m the venue's first
bracket rate. Every assumption, conversion and dropped row goes into `notes`; a file that cannot be read raises
DataError naming the file, column and row. Rows of another format inside a file (the shared Binance recording
switches to a 6-column format without a symbol from line 1846) are not mixed in: reading stops there and says so.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from liqcore.errors import DataError
from liqcore.loaders.readers import LoadLimits, RawTable, Source, _raw_bytes, _unpack, read_table
from liqcore.loaders.timeparse import parse_times

# First-bracket maintenance rates used to turn bankruptcy prices into liquidation (trigger) prices.
MAINTENANCE = {"binance": 0.004, "bybit": 0.005, "okx": 0.004}
# OKX linear swaps: base units per contract.
OKX_CONTRACT_VALUE = {"BTC": 0.01, "ETH": 0.1}
SIDE_WORDS = {"long": "long", "short": "short", "longs": "long", "shorts": "short"}


@dataclass(frozen=True, eq=False)
class Liquidations:
    """Realised liquidation events: `events` indexed by UTC time (sorted) with `side` ('long' = a long position was
    liquidated), `price` (USD, where it was liquidated: trigger or fill), `size` (base units) and `usd` (notional)."""

    events: pd.DataFrame
    symbol: str
    source: str
    notes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.events)

    def per_bar(self, index: pd.DatetimeIndex, interval: pd.Timedelta) -> pd.DataFrame:
        """Realised notional per bar of `index` (bar open times): `liq_long_usd`, `liq_short_usd`."""
        bar = index.searchsorted(self.events.index, side="right") - 1
        inside = (bar >= 0) & (self.events.index < index[np.clip(bar, 0, None)] + interval)
        out = {}
        for side in ("long", "short"):
            keep = inside & (self.events["side"].to_numpy() == side)
            out[f"liq_{side}_usd"] = np.bincount(bar[keep], self.events["usd"].to_numpy()[keep], minlength=len(index))
        return pd.DataFrame(out, index=index)


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _frame(source: Source, index: int, limits: LoadLimits) -> tuple[str, pd.DataFrame, np.ndarray | None]:
    """The source as a frame of cells, its display name and each row's file line (None for parquet: no lines)."""
    name, data = _raw_bytes(source, index, limits)
    name, data = _unpack(name, data, limits)
    if data[:4] == b"PAR1":
        try:
            frame = pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise DataError(f"{name}: the parquet file could not be read ({exc}). Export it again.") from None
        if len(frame) > limits.max_rows:
            raise DataError(f"{name}: {len(frame):,} rows is over the {limits.max_rows:,}-row limit. Split the file.")
        return name, frame.reset_index(drop=True), None
    stream = io.BytesIO(data)
    stream.name = name
    table: RawTable = read_table(stream, index, limits)
    return table.name, table.frame.reset_index(drop=True), np.asarray(table.lines)


def _find(columns: dict[str, str], *names: str) -> str | None:
    """The original column whose normalised name is the first of `names` present (prefix match with '*')."""
    for wanted in names:
        for normal, original in columns.items():
            if normal == wanted or (wanted.endswith("*") and normal.startswith(wanted[:-1])):
                return original
    return None


def _format(columns: dict[str, str]) -> str:
    if _find(columns, "average_price") and _find(columns, "side"):
        return "binance"
    if _find(columns, "bkpx"):
        return "okx"
    if (
        _find(columns, "qty", "size", "sz")
        and _find(columns, "side")
        and _find(columns, "price")
        and (_find(columns, "ts_ms", "updatedtime", "ts", "timestamp", "time"))
        and _find(columns, "symbol")
    ):
        return "bybit"
    if _find(columns, "side") and _find(columns, "price") and _find(columns, "time*", "timestamp", "ts*", "date*"):
        return "generic"
    raise DataError(
        "columns " + ", ".join(repr(c) for c in columns.values()) + " are not a liquidation-events file this loader "
        "knows (Binance forceOrder, Bybit liquidation stream, OKX liquidation orders, or generic time, side, price, "
        "size). Rename the columns to time, side (long/short = the position liquidated), price and size."
    )


def _numbers(values: pd.Series) -> pd.Series:
    number = pd.to_numeric(values, errors="coerce")
    return number.where(np.isfinite(number) & (number > 0))


def _lines_text(lines: np.ndarray) -> str:
    shown = ", ".join(str(int(x)) for x in lines[:5])
    return shown + (f" and {len(lines) - 5:,} more" if len(lines) > 5 else "")


def _foreign_tail(frame: pd.DataFrame, lines: np.ndarray, name: str) -> tuple[int, str | None]:
    """Where rows of another, shorter format start at the end of a text file (all later rows short), and a note."""
    if frame.empty:
        return len(frame), None
    filled = frame.apply(lambda col: col.notna() & col.astype(str).str.strip().ne("")).sum(axis=1).to_numpy()
    short = filled <= frame.shape[1] // 2
    if not short[-1]:
        return len(frame), None
    start = len(short) - int(np.argmin(short[::-1])) if not short.all() else 0
    if start == 0 or len(short) - start < 2:
        return len(frame), None
    width = int(np.median(filled[start:]))
    return start, (
        f"{name}: lines {int(lines[start])}–{int(lines[-1])} ({len(short) - start:,} rows) are in another format "
        f"({width} of {frame.shape[1]} fields, no {frame.columns[0]!r}); reading stopped before them rather than "
        "mixing two recordings."
    )


def _symbol(frame: pd.DataFrame, columns: dict[str, str], name: str, symbol: str | None) -> str:
    column = _find(columns, "symbol", "instid", "s")
    if column is not None:
        values = frame[column].astype(str).str.strip().str.upper()
        values = values[values.ne("")]
        kinds = values.unique()
        if len(kinds) > 1:
            wanted = (symbol or "").upper()
            if wanted not in kinds:
                raise DataError(
                    f"{name}: column {column!r} holds several instruments ({', '.join(map(str, kinds[:5]))}); pass "
                    "symbol=... to choose one."
                )
            return wanted
        if len(kinds) == 1:
            return str(kinds[0])
    return (symbol or Path(name).stem.split("_")[0]).upper()


def _sides(values: pd.Series, fmt: str, position: pd.Series | None) -> pd.Series:
    side = values.astype(str).str.strip().str.lower()
    if fmt == "binance":
        return side.map({"sell": "long", "buy": "short"})
    if fmt == "bybit":
        return side.map({"buy": "long", "sell": "short"})
    if fmt == "okx":
        by_order = side.map({"sell": "long", "buy": "short"})
        if position is None:
            return by_order
        pos = position.astype(str).str.strip().str.lower().map({"long": "long", "short": "short"})
        return pos.fillna(by_order)
    return side.map(SIDE_WORDS)


def load_liquidations(
    *sources: Source, symbol: str | None = None, limits: LoadLimits | None = None, contract_value: float | None = None
) -> Liquidations:
    """Read one or more liquidation-event files (see the module docstring) into one sorted `Liquidations`."""
    if not sources:
        raise DataError("No liquidation-event file given.")
    limits = limits or LoadLimits()
    parts, notes, names, symbols = [], [], [], set()
    for index, source in enumerate(sources):
        events, file_notes, name, sym = _load_one(source, index, limits, symbol, contract_value)
        parts.append(events)
        notes.extend(file_notes)
        names.append(name)
        symbols.add(sym)
    if len(symbols) > 1:
        raise DataError(f"The files hold different instruments ({', '.join(sorted(symbols))}); load one at a time.")
    events = pd.concat(parts).sort_index(kind="stable")
    return Liquidations(events, symbols.pop(), " + ".join(names), tuple(notes))


def _load_one(
    source: Source, index: int, limits: LoadLimits, symbol: str | None, contract_value: float | None
) -> tuple[pd.DataFrame, list[str], str, str]:
    name, frame, lines = _frame(source, index, limits)
    parquet = Path(name).suffix.lower() == ".parquet" or lines is None
    lines = np.arange(len(frame)) + 1 if lines is None else lines
    if frame.empty:
        raise DataError(f"{name}: the file has no rows.")
    columns = {_normal(str(c)): str(c) for c in frame.columns}
    try:
        fmt = _format(columns)
    except DataError as exc:
        raise DataError(f"{name}: {exc}") from None
    notes: list[str] = []
    stop, note = _foreign_tail(frame, lines, name) if not parquet else (len(frame), None)
    if note:
        notes.append(note)
        frame, lines = frame.iloc[:stop], lines[:stop]
    sym = _symbol(frame, columns, name, symbol)
    symbol_column = _find(columns, "symbol", "instid")
    if symbol_column is not None:
        same = frame[symbol_column].astype(str).str.strip().str.upper().isin([sym, ""])
        frame, lines = frame[same.to_numpy()], lines[same.to_numpy()]

    time_column = {
        "binance": _find(columns, "event_time*", "trade_time*", "time*"),
        "bybit": _find(columns, "ts_ms", "updatedtime", "ts", "timestamp", "time"),
        "okx": _find(columns, "ts", "time*"),
        "generic": _find(columns, "time*", "timestamp", "ts*", "date*"),
    }[fmt]
    side_column = _find(columns, "side")
    if fmt == "binance":
        price_column = _find(columns, "average_price")
        size_column = _find(columns, "filled_quantity", "quantity")
    elif fmt == "okx":
        price_column, size_column = _find(columns, "bkpx"), _find(columns, "sz", "size")
    else:
        price_column = _find(columns, "price")
        size_column = _find(columns, "qty", "size", "quantity", "amount", "sz")
    usd_column = _find(columns, "usd", "notional", "value", "size_usd") if fmt == "generic" else None
    if size_column is None and usd_column is None:
        raise DataError(f"{name}: no size column (size, qty, quantity, or a usd/notional column) found.")

    if pd.api.types.is_datetime64_any_dtype(frame[time_column]):
        times = pd.to_datetime(frame[time_column], utc=True)
    else:
        times, time_notes = parse_times(frame[time_column], name, time_column)
        notes.extend(time_notes)
    position = frame[_find(columns, "posside")] if fmt == "okx" and _find(columns, "posside") else None
    side = _sides(frame[side_column], fmt, position)
    price = _numbers(frame[price_column])
    if size_column is not None:
        size = _numbers(frame[size_column])
        if fmt == "okx":
            value = contract_value or OKX_CONTRACT_VALUE.get(sym.split("-")[0])
            if value is None:
                raise DataError(
                    f"{name}: OKX sizes are in contracts and the contract value of {sym} is not known; pass "
                    "contract_value=... (base units per contract)."
                )
            size = size * value
            notes.append(f"{name}: OKX sizes converted from contracts at {value:g} {sym.split('-')[0]} per contract.")
    else:
        size = _numbers(frame[usd_column]) / price
    bad = {
        time_column: times.isna().to_numpy(),
        side_column: side.isna().to_numpy(),
        price_column: price.isna().to_numpy(),
        size_column or usd_column: size.isna().to_numpy(),
    }
    dropped = np.zeros(len(frame), dtype=bool)
    for column, mask in bad.items():
        if mask.any():
            where = _lines_text(lines[mask])
            notes.append(f"{name}: {int(mask.sum()):,} rows with unreadable '{column}' dropped (lines {where}).")
        dropped |= mask
    if dropped.mean() > 0.5:
        worst = max(bad, key=lambda c: bad[c].sum())
        first = int(lines[bad[worst]][0])
        raise DataError(
            f"{name}: most rows cannot be read: column '{worst}' is unreadable from line {first} on (e.g. "
            f"{frame[worst].iloc[int(np.argmax(bad[worst]))]!r}). Check that the file is a {fmt} liquidation export."
        )
    keep = ~dropped
    side, price, size, times = side[keep], price[keep].to_numpy(), size[keep].to_numpy(), times[keep]
    price = _to_trigger(price, side.to_numpy(), fmt, name, notes)
    notes.append(_side_note(fmt, name))
    notes.append(f"{name}: {int(keep.sum()):,} of {len(keep):,} rows read as {sym} liquidation events ({fmt}).")
    events = pd.DataFrame(
        {"side": side.to_numpy(), "price": price, "size": size, "usd": price * size},
        index=pd.DatetimeIndex(times, name="time"),
    )
    return events, notes, name, sym


def _to_trigger(price: np.ndarray, side: np.ndarray, fmt: str, name: str, notes: list[str]) -> np.ndarray:
    """Bankruptcy prices (Bybit, OKX) moved to the liquidation (trigger) price; fills and generic prices kept."""
    if fmt == "binance":
        notes.append(f"{name}: price = 'Average Price' (the fill), not the order's bankruptcy limit 'Price'.")
        return price
    if fmt == "generic":
        notes.append(f"{name}: price taken as given (where the position was liquidated).")
        return price
    m = MAINTENANCE[fmt]
    notes.append(
        f"{name}: {fmt} prices are bankruptcy prices; moved to the liquidation price by the {m:.1%} first-bracket "
        "maintenance margin (long ÷ (1 − m), short ÷ (1 + m))."
    )
    return np.where(side == "long", price / (1 - m), price / (1 + m))


def _side_note(fmt: str, name: str) -> str:
    return {
        "binance": f"{name}: Binance order side SELL = a long position liquidated, BUY = a short.",
        "bybit": f"{name}: Bybit side Buy = a long position liquidated, Sell = a short (this topic's convention).",
        "okx": f"{name}: OKX posSide long/short is the side liquidated (net positions: order side sell = a long).",
        "generic": f"{name}: side long/short read as the position liquidated.",
    }[fmt]
