"""Files of one kind (same columns, same symbol in the name) joined in time order into one series."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from liqcore.errors import DataError
from liqcore.loaders.notes import lines_text, repair
from liqcore.loaders.rows import Parsed


def quoted_symbol(name: str) -> str | None:
    """'BTCUSDT-5m-2026-01.csv' or 'binance_um_BTCUSDT_1h.csv' -> 'BTCUSDT'; None when the name holds no such word."""
    tokens = re.split(r"[-_ .]", name.split("/")[-1].upper())
    return next((t for t in tokens if re.fullmatch(r"[A-Z0-9]{2,15}(USDT|USDC|USD|BUSD|PERP)", t)), None)


def symbol_from(name: str) -> str:
    """The quoted symbol in the file name (see `quoted_symbol`); else the first word, or 'UPLOADED'."""
    if re.fullmatch(r"file \d+", name):
        return "UPLOADED"
    tokens = re.split(r"[-_ .]", name.split("/")[-1].upper())
    first = tokens[0] if tokens and tokens[0].isalnum() and tokens[0].isascii() else "UPLOADED"
    return quoted_symbol(name) or first


CONFLICT_SHARE = 0.5  # more of a file's rows than this repeat earlier times with other values: two versions


def _refuse_two_versions(
    member: Parsed, members: list[Parsed], repeated: pd.DataFrame, kept: pd.DataFrame, kept_origin: np.ndarray
) -> None:
    """A file whose rows mostly repeat another file's times with OTHER values is a second version of the series
    (a corrected re-upload added beside the first, say): keeping either silently would show the wrong data.
    Identical overlaps, and a few differing bars (a candle still forming when one file was saved), are fine."""
    numbers = repeated.select_dtypes("number").columns  # a text column (an instrument name) is not a value to compare
    held = kept.loc[repeated.index, numbers]
    a, b = repeated[numbers].to_numpy(dtype=float), held.to_numpy(dtype=float)
    differs = ~np.isclose(a, b, rtol=1e-9, atol=0.0, equal_nan=True).all(axis=1)
    if differs.sum() <= CONFLICT_SHARE * member.rows:
        return
    positions = kept.index.get_indexer(repeated.index[differs])
    holders = {m.origin[0]: m.name for m in members}
    other = holders.get(int(kept_origin[positions[0]]), "an earlier file")
    raise DataError(
        f"{member.name} holds the same times as {other} with different values ({int(differs.sum())} of "
        f"{member.rows} rows differ): these look like two versions of one series, and the app will not pick one. "
        "Remove the one you do not want (the uploader keeps every file you add), then the map uses the other."
    )


def stack_same_kind(files: list[Parsed], notes: list[str]) -> list[Parsed]:
    """Files with the same columns (and no different symbol in their names) are one series cut by time — e.g. one
    Binance archive file per day — so they are joined in time order; a time two files both hold keeps the row of the
    file that starts earlier, and the others are reported as not used."""
    groups: dict[tuple, list[Parsed]] = {}
    for file in files:
        groups.setdefault((tuple(sorted(file.frame.columns)), quoted_symbol(file.name)), []).append(file)
    stacked = []
    for members in groups.values():
        if len(members) == 1:
            stacked.append(members[0])
            continue
        members = sorted(members, key=lambda m: m.frame.index[0])
        frame = pd.concat([m.frame for m in members])
        lines = np.concatenate([m.lines for m in members])
        origin = np.concatenate([m.origin for m in members])
        order = np.argsort(frame.index.asi8, kind="stable")
        frame, lines, origin = frame.iloc[order], lines[order], origin[order]
        repeat = frame.index.duplicated(keep="first")
        kept = frame[~repeat]
        for member in members:
            mine = repeat & (origin == member.origin[0])
            if mine.any():
                _refuse_two_versions(member, members, frame[mine], kept, origin[~repeat])
                notes.append(
                    repair(
                        f"{member.name}: {int(mine.sum())} row(s) repeat times an earlier file already holds "
                        f"({lines_text(lines[mine])}); not used."
                    )
                )
        name = " + ".join(m.name for m in members) if len(members) == 2 else f"{members[0].name} … {members[-1].name}"
        times = frame.index[~repeat]
        notes.append(
            f"{name}: {len(members)} files with the same columns joined in time order into one series "
            f"({times[0]:%Y-%m-%d %H:%M} → {times[-1]:%Y-%m-%d %H:%M} UTC)."
        )
        why = "; ".join(m.why for m in members if m.why)
        stacked.append(
            Parsed(name, frame[~repeat], lines[~repeat], (), sum(m.rows for m in members), why, origin[~repeat])
        )
    return stacked
