"""Read one user source (path, bytes or file object; .csv, .csv.gz, .zip) into a named table of text cells."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd

from liqcore.errors import DataError

Source = str | Path | bytes | IO[bytes] | IO[str]
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class LoadLimits:
    """Guards against files too large for an interactive app: bytes per file (after unpacking), data rows per file."""

    max_bytes: int = 200_000_000
    max_rows: int = 2_000_000

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_rows <= 0:
            raise ValueError("LoadLimits must be positive.")


@dataclass(frozen=True)
class RawTable:
    """One CSV as text: its display name, whether it had a header row, and the cells (all strings)."""

    name: str
    frame: pd.DataFrame
    has_header: bool
    first_line: int  # 1-based file line of the first data row
    delimiter: str = ","
    notes: tuple[str, ...] = ()


def _raw_bytes(source: Source, index: int, limits: LoadLimits) -> tuple[str, bytes]:
    if isinstance(source, str) and "\n" in source:
        source = source.encode("utf-8")  # CSV text itself, not a path
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise DataError(f"{path}: no such file. Check the path.")
        if path.stat().st_size > limits.max_bytes:
            raise DataError(
                f"{path.name}: {path.stat().st_size / 1e6:,.0f} MB is over the {limits.max_bytes / 1e6:,.0f} MB limit."
            )
        return path.name, path.read_bytes()
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), f"file {index + 1}"
    else:
        name = str(getattr(source, "name", f"file {index + 1}"))
        data = source.read(limits.max_bytes + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > limits.max_bytes:
        raise DataError(
            f"{name}: larger than the {limits.max_bytes / 1e6:,.0f} MB limit. Split the file or use a longer interval."
        )
    return Path(name).name, data


def _unpack(name: str, data: bytes, limits: LoadLimits) -> tuple[str, bytes]:
    """Undo gzip or zip (the first CSV inside) so the caller sees plain text bytes."""
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                data = stream.read(limits.max_bytes + 1)
        except (OSError, EOFError) as exc:
            raise DataError(f"{name}: the gzip data is damaged ({exc}).") from None
        if len(data) > limits.max_bytes:
            raise DataError(f"{name}: unpacked, it is over the {limits.max_bytes / 1e6:,.0f} MB limit.")
        name = name.removesuffix(".gz")
    elif data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [
                    m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith((".csv", ".txt"))
                ]
                if not members:
                    raise DataError(f"{name}: the zip holds no .csv file.")
                if members[0].file_size > limits.max_bytes:
                    raise DataError(f"{name}: the CSV inside is over the {limits.max_bytes / 1e6:,.0f} MB limit.")
                data = archive.read(members[0])
                if len(data) > limits.max_bytes:
                    raise DataError(f"{name}: the CSV inside is over the {limits.max_bytes / 1e6:,.0f} MB limit.")
                name = f"{name}/{Path(members[0].filename).name}"
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
            raise DataError(f"{name}: the zip file is damaged ({exc}).") from None
    return name, data


def _decode(name: str, data: bytes) -> tuple[str, str | None]:
    """Text of the file and, when it was not UTF-8, a note naming the encoding used."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        candidates = (("utf-16", "UTF-16"),)
    else:
        candidates = (("utf-8-sig", None), ("latin-1", "Latin-1 (it is not valid UTF-8)"))
    for encoding, label in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, None if label is None else f"{name}: text read as {label}."
    raise DataError(f"{name}: not a text CSV file (it looks binary). Export it as CSV (UTF-8) and try again.")


def _looks_numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def read_table(source: Source, index: int = 0, limits: LoadLimits | None = None) -> RawTable:
    """Read a source into text cells, sniffing the delimiter (, ; tab) and whether the first row is a header."""
    limits = limits or LoadLimits()
    name, data = _raw_bytes(source, index, limits)
    name, data = _unpack(name, data, limits)
    text, encoding_note = _decode(name, data)
    notes = [] if encoding_note is None else [encoding_note]
    head = [line for line in text[:1_000_000].splitlines()[:50] if any(d in line for d in DELIMITERS)]
    counts = {d: min((line.count(d) for line in head[:20]), default=0) for d in DELIMITERS}
    delimiter = max(counts, key=counts.get) if max(counts.values()) > 0 else ","
    cells = _cells(name, text, delimiter)
    filled = cells.apply(lambda col: col.str.strip().ne("")).sum(axis=1).to_numpy()
    wide = int(filled[:20].max(initial=0))
    skipped = 0
    while skipped < len(cells) and filled[skipped] <= (1 if wide >= 3 else 0):
        if filled[skipped]:
            notes.append(f"{name}: skipped the line before the header: {cells.iat[skipped, 0].strip()[:60]!r}.")
        skipped += 1
    last = len(filled)
    while last > skipped and not filled[last - 1]:
        last -= 1
    if last <= skipped:
        raise DataError(f"{name}: the file is empty.")
    cells = cells.iloc[skipped:last]
    if len(cells) - 1 > limits.max_rows:
        raise DataError(
            f"{name}: {len(cells):,} rows is over the {limits.max_rows:,}-row limit. "
            "Use a longer interval or a shorter span."
        )
    first = [str(cell).strip() for cell in cells.iloc[0]]
    while len(first) > 1 and not first[-1] and not cells.iloc[:, len(first) - 1].str.strip().ne("").any():
        first.pop()  # a trailing delimiter on every line makes an empty last column
    cells = cells.iloc[:, : len(first)]
    has_header = not all(_looks_numeric(c) for c in first if c) or not any(first)
    if has_header:
        header = [c if c else f"column {i + 1}" for i, c in enumerate(first)]
        cells = cells.iloc[1:]
    else:
        header = [f"column {i + 1}" for i in range(len(first))]
    frame = cells.reset_index(drop=True)
    frame.columns = _dedupe(header)
    return RawTable(name, frame, has_header, skipped + (2 if has_header else 1), delimiter, tuple(notes))


def _cells(name: str, text: str, delimiter: str) -> pd.DataFrame:
    """Every line as a row of text cells (blank lines kept as empty rows, so row i is line i + 1).

    pandas' C parser does the common case quickly; ragged files (a preamble line, rows with extra cells) fall back
    to the csv module, padding short rows and cutting long ones to the widest of the first lines.
    """
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
        return frame.fillna("")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, IndexError):
        pass
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise DataError(f"{name}: cannot read as CSV ({exc}).") from None
    width = max((len(row) for row in rows[:50]), default=1) or 1
    return pd.DataFrame([(row + [""] * width)[:width] for row in rows], dtype=object).fillna("")


def _dedupe(columns: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for column in columns:
        count = seen.get(column, 0)
        out.append(column if count == 0 else f"{column}.{count}")
        seen[column] = count + 1
    return out
