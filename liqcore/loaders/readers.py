"""Read one user source (path, bytes or file object; .csv, .csv.gz, .zip) into a named table of text cells."""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from liqcore.errors import DataError
from liqcore.loaders.fastpath import filled_cells, typed_frame
from liqcore.loaders.notes import lines_text

Source = str | Path | bytes | IO[bytes] | IO[str]
DELIMITERS = (",", ";", "\t", "|")
MAX_COLUMNS = 1_000  # a table of bars has a handful of columns; thousands mean a wrong separator or not a table
ROW_SLACK = 100  # records read beyond the row limit (header, preamble, blank lines) before the rest is left unread
MAX_CELL_CHARS = 1_000  # a cell of a table of bars is a number, a time or a short name; longer means not such a table
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
# File signatures of things people upload by mistake: (leading bytes, what it is).
_NOT_CSV = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel (.xls) or Office file"),
    (b"PAR1", "a Parquet file"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"SQLite format 3", "an SQLite database"),
)
_SEP_LINE = re.compile(r"\s*sep=(.)\s*$", re.IGNORECASE)  # Excel's first-line hint naming the separator


@dataclass(frozen=True)
class LoadLimits:
    """Guards against files too large for an interactive app: bytes per file (after unpacking, so a zip or gzip bomb
    stops at this budget), data rows per file, bytes of all files of one load together, and how many files.

    Peak memory of a load is about 8× the unpacked text on the fast path (measured: 40 MB → ~280 MB above the
    interpreter), so the defaults keep one load near 1 GB on a hosted instance.
    """

    max_bytes: int = 100_000_000
    max_rows: int = 2_000_000
    max_total_bytes: int = 150_000_000
    max_files: int = 1_000

    def __post_init__(self) -> None:
        if min(self.max_bytes, self.max_rows, self.max_total_bytes, self.max_files) <= 0:
            raise ValueError("LoadLimits must be positive.")


@dataclass(frozen=True)
class RawTable:
    """One CSV as text: its display name, whether it had a header row, and the cells (all strings).

    `lines` holds the 1-based file line where each data row starts (a quoted cell may span lines), `blank` marks
    rows without any filled cell.
    """

    name: str
    frame: pd.DataFrame
    has_header: bool
    first_line: int  # 1-based file line of the first data row
    delimiter: str = ","
    notes: tuple[str, ...] = ()
    lines: np.ndarray | None = field(default=None, compare=False)
    blank: np.ndarray | None = field(default=None, compare=False)
    size: int = 0  # bytes of the file after unpacking

    def __post_init__(self) -> None:
        if self.lines is None:
            object.__setattr__(self, "lines", np.arange(len(self.frame)) + self.first_line)
        if self.blank is None:
            blank = self.frame.apply(lambda col: col.astype(str).str.strip().eq("")).all(axis=1).to_numpy()
            object.__setattr__(self, "blank", blank)


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
    opened_from_disk = isinstance(source, (io.BufferedReader, io.TextIOWrapper, io.FileIO))
    return (Path(name).name if opened_from_disk else name), data  # an upload's name is shown as the user gave it


def _unpack(name: str, data: bytes, limits: LoadLimits) -> tuple[str, bytes]:
    """Undo gzip or zip (the one CSV inside) so the caller sees plain text bytes."""
    too_big = (
        f"{name}: unpacked, it is over the {limits.max_bytes / 1e6:,.0f} MB limit. Split the file or use a longer "
        "interval."
    )
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                data = stream.read(limits.max_bytes + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(
                f"{name}: the gzip data is damaged or cut short ({exc}). Download or compress the file again, or "
                "upload the unpacked CSV."
            ) from None
        if len(data) > limits.max_bytes:
            raise DataError(too_big)
    elif data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        name, data = _from_zip(name, data, limits, too_big)
    return name, data


def _from_zip(name: str, data: bytes, limits: LoadLimits, too_big: str) -> tuple[str, bytes]:
    """The single CSV in a zip; a clear error for an Excel workbook, an empty zip or a zip of several CSVs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = [
                m
                for m in archive.infolist()
                if not m.is_dir()
                and not m.filename.startswith("__MACOSX/")
                and not Path(m.filename).name.startswith(".")
            ]
            if any(m.filename.startswith("xl/") for m in files):
                raise DataError(
                    f"{name}: this is an Excel workbook, not a CSV file. In Excel use File → Save As → "
                    "CSV UTF-8, and upload that file."
                )
            members = [m for m in files if m.filename.lower().endswith(CSV_SUFFIXES)]
            if not members:
                held = ", ".join(Path(m.filename).name for m in files[:5]) or "nothing"
                raise DataError(
                    f"{name}: the zip holds no .csv file (it holds {held}). Put the CSV in the zip, or upload the "
                    "CSV itself."
                )
            if len(members) > 1:
                names = ", ".join(Path(m.filename).name for m in members[:5]) + (" …" if len(members) > 5 else "")
                raise DataError(
                    f"{name}: the zip holds {len(members)} CSV files ({names}). Unzip it and upload the files "
                    "together (they are merged on time), or zip one CSV per archive."
                )
            member = members[0]
            if member.file_size > limits.max_bytes:
                raise DataError(too_big)
            with archive.open(member) as stream:
                data = stream.read(limits.max_bytes + 1)
            if len(data) > limits.max_bytes:
                raise DataError(too_big)
            return f"{name}/{Path(member.filename).name}", data
    except DataError:
        raise
    except RuntimeError as exc:
        if "encrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise DataError(f"{name}: the zip is password-protected. Unzip it first and upload the CSV.") from None
        raise DataError(f"{name}: the zip file is damaged ({exc}). Download or zip the file again.") from None
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError, zlib.error) as exc:
        raise DataError(f"{name}: the zip file is damaged ({exc}). Download or zip the file again.") from None


def _not_csv(name: str, data: bytes) -> None:
    """A clear error for a known non-text file (an image, a PDF, an .xls workbook, another archive)."""
    for magic, kind in _NOT_CSV:
        if data.startswith(magic):
            raise DataError(
                f"{name}: this is {kind}, not a CSV file. Export the data as CSV (comma- or semicolon-separated "
                "text) and upload that."
            )


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes look like UTF-16 text without a byte-order mark."""
    sample = data[:4000]
    if len(sample) < 4 or sample.count(0) < len(sample) // 3:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode(name: str, data: bytes) -> tuple[str, str | None]:
    """Text of the file and, when it was not UTF-8, a note naming the encoding used."""
    utf16 = _utf16_without_bom(data)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        candidates: tuple[tuple[str, str | None], ...] = (("utf-16", None),)
    elif utf16:
        candidates = ((utf16, "UTF-16 (it has no byte-order mark)"),)
    else:
        candidates = (("utf-8-sig", None), ("latin-1", "Latin-1 (it is not valid UTF-8)"))
    for encoding, label in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, None if label is None else f"{name}: text read as {label}."
    raise DataError(
        f"{name}: not a text CSV file (it holds binary data). Check that you picked the right file, and export it "
        "as CSV (UTF-8)."
    )


def _looks_numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def read_table(source: Source, index: int = 0, limits: LoadLimits | None = None) -> RawTable:
    """Read a source into text cells, sniffing the delimiter (, ; tab |) and whether the first row is a header."""
    limits = limits or LoadLimits()
    name, data = _raw_bytes(source, index, limits)
    name, data = _unpack(name, data, limits)
    _not_csv(name, data)
    text, encoding_note = _decode(name, data)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
    notes = [] if encoding_note is None else [encoding_note]
    first_line = text[: text.find("\n")] if "\n" in text else text
    directive = _SEP_LINE.match(first_line.lstrip("\ufeff"))
    if directive:
        delimiter = directive.group(1)
    else:
        head = [line for line in text[:1_000_000].splitlines()[:50] if any(d in line for d in DELIMITERS)]
        counts = {d: min((line.count(d) for line in head[:20]), default=0) for d in DELIMITERS}
        delimiter = max(counts, key=counts.get) if max(counts.values()) > 0 else ","
        _check_width(name, max((line.count(delimiter) for line in head), default=0) + 1)
    typed = None if directive else typed_frame(text, delimiter, limits.max_rows)
    if typed is not None:
        return replace(_typed_table(name, typed, delimiter, notes, limits), size=len(data))
    cells, record_lines = _cells(name, text, delimiter, limits.max_rows)
    if cells.shape[1] > MAX_COLUMNS:
        raise DataError(
            f"{name}: {cells.shape[1]:,} columns is far more than a table of bars has. Check that the file is a "
            "CSV with one row per bar, separated by , ; or tab."
        )
    filled = _nonblank(cells).sum(axis=1)
    wide = int(filled[:20].max(initial=0))
    skipped = 0
    while skipped < len(cells) and (filled[skipped] <= (1 if wide >= 3 else 0) or (directive and skipped == 0)):
        if directive and skipped == 0:
            notes.append(f"{name}: read with the separator {delimiter!r} named on its first line ({first_line!r}).")
        elif filled[skipped]:
            notes.append(f"{name}: skipped the line before the header: {cells.iat[skipped, 0].strip()[:60]!r}.")
        skipped += 1
    last = len(filled)
    while last > skipped and not filled[last - 1]:
        last -= 1
    if last <= skipped:
        raise DataError(
            f"{name}: the file is empty (no rows to read). Check that you picked the right file, or export the data "
            "again."
        )
    cells, filled, record_lines = cells.iloc[skipped:last], filled[skipped:last], record_lines[skipped:last]
    if len(cells) - 1 > limits.max_rows:
        _too_many_rows(name, limits)
    first = [str(cell).strip() for cell in cells.iloc[0]]
    has_header = not all(_looks_numeric(c) for c in first if c) or not any(first)
    named = len(first)
    while named > 1 and not first[named - 1]:
        named -= 1  # empty header cells at the end: a trailing delimiter, or cells no column is named for
    if named < len(first) and has_header:
        beyond = _nonblank(cells.iloc[1:, named:]).any(axis=1)
        if beyond.any():
            notes.append(
                f"{name}: {int(beyond.sum())} row(s) have more cells than the header names "
                f"({lines_text(record_lines[1:][beyond])}); the extra cells were not read."
            )
        cells, first = cells.iloc[:, :named], first[:named]
    elif named < len(first) and not _nonblank(cells.iloc[:, named:]).any():
        cells, first = cells.iloc[:, :named], first[:named]
    if has_header:
        header = [c if c else f"column {i + 1}" for i, c in enumerate(first)]
        cells, filled, record_lines = cells.iloc[1:], filled[1:], record_lines[1:]
        if cells.empty:
            raise DataError(
                f"{name}: the file has a header ({', '.join(header[:6])}{' …' if len(header) > 6 else ''}) but no "
                "data rows. Export it again with its rows."
            )
    else:
        header = [f"column {i + 1}" for i in range(len(first))]
    frame = cells.reset_index(drop=True)
    columns, repeated = _dedupe(header)
    frame.columns = columns
    if repeated:
        notes.append(
            f"{name}: column name(s) {', '.join(map(repr, repeated))} appear more than once; the first of each is "
            "read, the later ones are ignored. Rename them if they hold other data."
        )
    lines = record_lines
    return RawTable(name, frame, has_header, int(lines[0]), delimiter, tuple(notes), lines, filled == 0, len(data))


def _too_many_rows(name: str, limits: LoadLimits) -> None:
    raise DataError(
        f"{name}: more than {limits.max_rows:,} rows, over the row limit. Use a longer interval or a shorter span."
    )


def _typed_table(name: str, frame: pd.DataFrame, delimiter: str, notes: list[str], limits: LoadLimits) -> RawTable:
    """A RawTable from the fast path's typed frame, with the text path's checks (width, cell length, rows)."""
    if frame.shape[1] > MAX_COLUMNS:
        raise DataError(
            f"{name}: {frame.shape[1]:,} columns is far more than a table of bars has. Check that the file is a "
            "CSV with one row per bar, separated by , ; or tab."
        )
    lines = np.arange(2, len(frame) + 2)
    filled = filled_cells(frame)
    last = len(filled)
    while last > 0 and not filled[last - 1]:
        last -= 1
    if last == 0:
        header = ", ".join(map(str, frame.columns[:6]))
        raise DataError(f"{name}: the file has a header ({header}) but no data rows. Export it again with its rows.")
    if last > limits.max_rows:
        _too_many_rows(name, limits)
    frame, filled = frame.iloc[:last], filled[:last]
    return RawTable(name, frame, True, 2, delimiter, tuple(notes), lines[:last], filled == 0)


def check_cell_lengths(name: str, cells: pd.DataFrame, record_lines: np.ndarray) -> None:
    """DataError for a text cell longer than MAX_CELL_CHARS in `cells` (the columns the loader reads), before any
    parser spends time on it; numeric columns pass."""
    for column in cells.columns:
        if is_numeric_dtype(cells[column]):
            continue
        lengths = cells[column].str.len().to_numpy(dtype=float, na_value=0)
        too_long = np.flatnonzero(lengths > MAX_CELL_CHARS)
        if too_long.size:
            row = int(too_long[0])
            raise DataError(
                f"{name}: line {int(record_lines[row])} has a cell of {int(lengths[row]):,} characters in column "
                f"'{column}'; cells of a table of bars are numbers, times or short names of at most "
                f"{MAX_CELL_CHARS:,} characters. Check that this is the file you meant and that its quotes are "
                "balanced (an unclosed quote makes the rest of the file one cell)."
            )


def _cells(name: str, text: str, delimiter: str, max_rows: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Every record as a row of text cells (blank lines kept as empty rows), and the file line each record starts on.

    pandas' C parser does the common case quickly; ragged files (a preamble line, rows with extra cells) fall back
    to the csv module, padding short rows to the widest row. A quoted cell may hold line breaks, so when there are
    fewer records than lines the start line of each record is counted with the csv module.
    """
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            nrows=max_rows + ROW_SLACK,
        ).fillna("")
        if len(frame) == lines or len(frame) == max_rows + ROW_SLACK:
            return frame, np.arange(1, len(frame) + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, IndexError, OverflowError):
        pass
    rows: list[list[str]] = []
    starts: list[int] = []
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(max(limit, len(text)))  # one long cell is no error; LoadLimits already bound the size
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        start = 1
        for row in reader:
            rows.append(row)
            starts.append(start)
            start = reader.line_num + 1
            if len(rows) >= max_rows + ROW_SLACK:
                break  # over the row limit whatever the rest holds: the caller says so
    except csv.Error as exc:
        raise DataError(
            f"{name}: cannot read as CSV ({exc}). Check the quotes in the file and export it again."
        ) from None
    finally:
        csv.field_size_limit(limit)
    width = max((len(row) for row in rows), default=1) or 1
    _check_width(name, width)
    frame = pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=object).fillna("")
    return frame.astype(str), np.asarray(starts, dtype=np.int64)


WIDE = 50  # columns beyond which per-cell work is cheaper than pandas' per-column overhead


def _nonblank(cells: pd.DataFrame) -> np.ndarray:
    """Per cell (rows × columns), whether it holds more than blanks. Column by column for the usual handful of
    columns; cell by cell for a wide table, where pandas' fixed cost per column would dominate (900 columns took
    seconds), so the time stays proportional to the number of cells either way."""
    if cells.shape[1] <= WIDE:
        return cells.apply(lambda col: col.str.strip().ne("")).to_numpy(dtype=bool)
    blank = np.frompyfunc(lambda cell: not str(cell).strip(), 1, 1)
    return ~blank(cells.to_numpy(dtype=object)).astype(bool)


def _check_width(name: str, width: int) -> None:
    """DataError for a row of more than MAX_COLUMNS cells, before a parser builds thousands of columns for it."""
    if width > MAX_COLUMNS:
        raise DataError(
            f"{name}: a row has {width:,} cells (columns), far more than a table of bars has. Check that the file is a "
            "CSV with one row per bar, separated by , ; or tab."
        )


def _dedupe(columns: list[str]) -> tuple[list[str], list[str]]:
    """Unique column names ('close', 'close.1', …) and the names that were repeated."""
    taken = set(columns)
    seen: set[str] = set()
    out, repeated = [], []
    for column in columns:
        if column not in seen:
            seen.add(column)
            out.append(column)
            continue
        if column not in repeated:
            repeated.append(column)
        count = 1
        while f"{column}.{count}" in taken:
            count += 1
        taken.add(f"{column}.{count}")
        out.append(f"{column}.{count}")
    return out, repeated
