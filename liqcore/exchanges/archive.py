"""Binance public data archive (data.binance.vision): USDⓈ-M klines and 5-minute metrics as zip files, no key needed.

Why: hosted apps are often refused by exchange REST APIs (HTTP 451/403) and Binance's REST open-interest history
covers 30 days, while the archive serves every day back to 2020 from a CDN. Layout::

    data/futures/um/monthly/klines/{SYMBOL}/{interval}/{SYMBOL}-{interval}-{YYYY-MM}.zip
    data/futures/um/daily/klines/{SYMBOL}/{interval}/{SYMBOL}-{interval}-{YYYY-MM-DD}.zip
    data/futures/um/daily/metrics/{SYMBOL}/{SYMBOL}-metrics-{YYYY-MM-DD}.zip

each beside a ``.CHECKSUM`` file (``<sha256>  <filename>``). Whole past months use the monthly file, the rest daily
files. Verified zips are kept in a local cache (bounded, least recently used evicted first) so a second fetch of the
same range makes no network call; a day the archive lacks is remembered for a few hours and reported in notes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from liqcore.errors import DataError, FetchError
from liqcore.exchanges.archive_cache import (
    DEFAULT_CACHE_BYTES,
    Cache,
    looks_like_web_page,
    read_csv_member,
    zip_problem,
)
from liqcore.exchanges.common import utc
from liqcore.exchanges.http import HttpClient
from liqcore.loaders import LoadLimits, load_csv
from liqcore.market import Market
from liqcore.notes import Note, NoteKind, kind_of

DEFAULT_URL = "https://data.binance.vision"
INTERVALS = ("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d")
MAX_FILE_BYTES = 50_000_000  # the largest real file, a month of 1m klines, is about 2 MB zipped
MAX_JOINED_BYTES = 400_000_000  # unpacked CSV of one whole fetch (90 days of 1m bars is about 15 MB)
MAX_DAYS = 3 * 366
SHA256 = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class ArchiveFile:
    """One zip in the archive: its kind ('klines' or 'metrics'), URL path, and the first and last day it covers."""

    kind: str
    path: str
    first: dt.date
    last: dt.date

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def plan(symbol: str, interval: str, first: dt.date, last: dt.date, today: dt.date) -> list[ArchiveFile]:
    """Files covering the days first..last: monthly kline files for whole months before this one, else daily."""
    base = "data/futures/um"
    files: list[ArchiveFile] = []
    month_start = first.replace(day=1)
    this_month = today.replace(day=1)
    while month_start <= last:
        next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
        month_end = next_month - dt.timedelta(days=1)
        if first <= month_start and month_end <= last and next_month <= this_month:
            name = f"{symbol}-{interval}-{month_start:%Y-%m}.zip"
            files.append(
                ArchiveFile("klines", f"{base}/monthly/klines/{symbol}/{interval}/{name}", month_start, month_end)
            )
        else:
            files += _daily_klines(symbol, interval, max(first, month_start), min(last, month_end))
        month_start = next_month
    day = first
    while day <= last:
        name = f"{symbol}-metrics-{day:%Y-%m-%d}.zip"
        files.append(ArchiveFile("metrics", f"{base}/daily/metrics/{symbol}/{name}", day, day))
        day += dt.timedelta(days=1)
    return files


def _daily_klines(symbol: str, interval: str, first: dt.date, last: dt.date) -> list[ArchiveFile]:
    out = []
    day = first
    while day <= last:
        name = f"{symbol}-{interval}-{day:%Y-%m-%d}.zip"
        out.append(ArchiveFile("klines", f"data/futures/um/daily/klines/{symbol}/{interval}/{name}", day, day))
        day += dt.timedelta(days=1)
    return out


def fetch(
    client: HttpClient,
    symbol: str,
    interval: str,
    start: object | None,
    end: object | None,
    cache_dir: str | Path | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    cache_bytes: int = DEFAULT_CACHE_BYTES,
    recheck_missing: bool = False,
) -> Market:
    """Klines + metrics for the days start..end (inclusive, UTC) as one Market; missing days are noted.

    A file the archive answered 404 for is remembered for a few hours (so a range with gaps does not ask again on
    every fetch); `recheck_missing` (the user pressed Refresh) forgets those markers for this range and asks again.
    """
    symbol = symbol.upper().replace("/", "").replace("-", "")
    if interval not in INTERVALS:
        raise FetchError(f"The archive has no {interval} klines; choose one of {', '.join(INTERVALS)}.", None)
    if start is None:
        raise FetchError("Choose a start date for the archive (it serves whole days).", None)
    today = pd.Timestamp.now(tz="UTC").date()
    first = utc(start).date()
    last = utc(end).date() if end is not None else today - dt.timedelta(days=1)
    notes: list[str] = []
    if last >= today:
        last = today - dt.timedelta(days=1)
        notes.append("The archive publishes each day after it ends; the range stops at yesterday (UTC).")
    if first > last:
        raise FetchError(f"The date range is empty ({first} to {last}); the archive's newest day is yesterday.", None)
    if (last - first).days + 1 > MAX_DAYS:
        raise FetchError(f"{(last - first).days + 1} days is more than the {MAX_DAYS} one fetch allows.", None)

    cache = Cache(cache_dir, cache_bytes)
    files = plan(symbol, interval, first, last, today)
    klines = [f for f in files if f.kind == "klines"]
    loader = _Downloader(client, cache, max_file_bytes, recheck_missing)
    if loader.absent(klines[0]) and loader.absent(klines[-1]):
        raise FetchError(
            f"The Binance archive has no {interval} klines for '{symbol}' on {klines[0].first} or {klines[-1].last}. "
            "Check the symbol (a USD-M perpetual such as BTCUSDT) and that it traded on those days; "
            "the archive lags one or two days behind.",
            404,
        )
    # Day by day (klines, then that day's metrics), so a download that stops part way covers whole days.
    order = sorted(files, key=lambda f: (f.first, f.kind != "klines"))
    found: dict[ArchiveFile, bytes] = {}
    missing: list[ArchiveFile] = []
    failed_metrics: list[tuple[ArchiveFile, FetchError]] = []
    stopped: FetchError | None = None
    done = 0
    for file in order:
        try:
            data = loader.get(file)
            if data is None and "/monthly/" in file.path:
                for day in _daily_klines(symbol, interval, file.first, file.last):
                    part = loader.get(day)
                    if part is not None:
                        found[day] = part
                    elif day not in loader.discarded:
                        missing.append(day)
            elif data is None and file not in loader.discarded:
                missing.append(file)
            elif data is not None:
                found[file] = data
        except FetchError as exc:
            if file.kind == "metrics":
                failed_metrics.append((file, exc))  # optional: the day's bars stand without its open interest
            elif not any(f.kind == "klines" for f in found):
                raise
            else:
                stopped = exc  # the network or the server is failing: keep what arrived, don't wait on every file
                break
        done += 1
        if on_progress is not None:
            on_progress(done, len(order))
    notes += loader.notes
    notes += _missing_notes(missing)
    notes += _replaced_notes(cache.replaced)
    if failed_metrics:
        notes.append(_failed_metrics_note(failed_metrics))
    if not any(f.kind == "klines" for f in found) and loader.failure is not None:
        raise loader.failure
    notes += _discarded_notes(loader.discarded)
    if stopped is not None:
        notes.append(_stopped_note(stopped, done, order, found, first, last))
    kline_data = [found[f] for f in sorted(found, key=lambda f: f.first) if f.kind == "klines"]
    metrics_data = [found[f] for f in sorted(found, key=lambda f: f.first) if f.kind == "metrics"]
    if not kline_data:
        raise FetchError(f"The Binance archive has no {interval} klines for {symbol} between {first} and {last}.", 404)
    market = _read(kline_data, metrics_data, symbol, interval)
    source = f"Binance data archive {symbol} {interval} USD-M futures ({first} to {last})"
    # Rebuilding the Market re-runs its validation, which adds its own notes (gaps) again: keep the loader's only.
    validation = set(Market(market.bars, symbol, market.interval).notes)
    loader_notes = tuple(n for n in market.notes if n not in validation)
    return Market(market.bars, symbol, market.interval, source, tuple(notes) + loader_notes)


class _Downloader:
    """Get a file from the cache or the archive, verified before it is used or cached (one retry on a mismatch).

    A download is verified against its published SHA-256 checksum when there is one, and always as a zip (every
    member's CRC, member sizes bounded). A file failing twice is discarded (never cached) and remembered in
    `discarded`, its error in `failure`; a web page where a zip should be, and network and server errors, are raised
    as `FetchError`. A cached file that no longer reads back intact is deleted and downloaded again."""

    def __init__(self, client: HttpClient, cache: Cache, max_bytes: int, recheck_missing: bool = False) -> None:
        self.client = client
        self.cache = cache
        self.max_bytes = max_bytes
        self.recheck_missing = recheck_missing
        self.notes: list[str] = []
        self.discarded: list[ArchiveFile] = []
        self.failure: FetchError | None = None
        self._seen: dict[str, bytes | None] = {}

    def get(self, file: ArchiveFile) -> bytes | None:
        """The file's bytes, or None when the archive lacks it or it was discarded."""
        if file.path not in self._seen:
            try:
                self._seen[file.path] = self._load(file)
            except _Corrupted as exc:
                self._seen[file.path] = None
                self.discarded.append(file)
                self.failure = FetchError(str(exc), None)
        return self._seen[file.path]

    def absent(self, file: ArchiveFile) -> bool:
        """True when the archive has no such file (as opposed to one that arrived corrupted)."""
        return self.get(file) is None and file not in self.discarded

    def _load(self, file: ArchiveFile) -> bytes | None:
        cached = self.cache.get(file.path)
        if cached is not None:
            return cached
        if self.recheck_missing:
            self.cache.forget_missing(file.path)
        elif self.cache.is_missing(file.path):
            return None
        problem = ""
        for _ in range(2):
            status, data, content_type = self.client.stream(f"/{file.path}", self.max_bytes)
            if status == 404:
                self.cache.mark_missing(file.path)
                return None
            if looks_like_web_page(data, content_type):
                raise FetchError(_web_page(file, self.client.base_url), None)
            expected = self._checksum(file)
            if expected is not None and hashlib.sha256(data).hexdigest() != expected:
                problem = (
                    f"{file.name} failed its SHA-256 checksum twice, so it was discarded; the download is being "
                    "corrupted on the way. Try again later."
                )
                continue
            damage = zip_problem(data)
            if damage is not None:
                problem = (
                    f"{file.name} was not a usable zip on two tries ({damage}), so it was discarded. Try again later; "
                    "if it persists, the archive or a proxy on the way is sending bad files."
                )
                continue
            self.cache.put(file.path, data)
            return data
        raise _Corrupted(problem)

    def _checksum(self, file: ArchiveFile) -> str | None:
        """The published SHA-256, or None (with a note) when there is none; a web page instead is an error."""
        status, text, content_type = self.client.stream(f"/{file.path}.CHECKSUM", 10_000)
        if status != 404 and looks_like_web_page(text, content_type):
            raise FetchError(_web_page(file, self.client.base_url, ".CHECKSUM"), None)
        parts = text.decode("ascii", "replace").split()
        if status == 404 or not parts or not SHA256.fullmatch(parts[0]):
            self.notes.append(
                f"{file.name} has no readable published checksum; it was checked as a zip (every member's CRC) instead."
            )
            return None
        return parts[0].lower()


def _web_page(file: ArchiveFile, base_url: str, suffix: str = "") -> str:
    return (
        f"{file.name}{suffix}: the server sent a web page, not a zip, so a proxy, a login page or an error page is "
        f"in the way of {base_url}. Open that address in a browser to see it, or try again later."
    )


class _Corrupted(Exception):
    """A file failed its checksum or its zip check on both tries."""


INCOMPLETE = "Incomplete download:"


def is_incomplete_note(note: str) -> bool:
    """True for the notes saying part of the requested range could not be downloaded (the app shows them as a
    warning, not only in the notes list): their kind, set where they are written, not their wording."""
    return kind_of(note) is NoteKind.INCOMPLETE


def _days_text(days: list[dt.date]) -> str:
    days = sorted(days)
    return ", ".join(f"{d:%Y-%m-%d}" for d in days[:10]) + (" …" if len(days) > 10 else "")


def _discarded_notes(discarded: list[ArchiveFile]) -> list[str]:
    notes = []
    months = [f for f in discarded if "/monthly/" in f.path]
    for file in months:
        notes.append(
            f"{file.name} failed verification twice (SHA-256 checksum or zip check) and was discarded; its days were "
            "fetched as daily files."
        )
    lacking = []
    for kind, label in (("klines", "bars"), ("metrics", "open interest")):
        days = [f.first for f in discarded if f.kind == kind and f not in months]
        if days:
            lacking.append(f"{label} for {_days_text(days)}")
    if lacking:
        count = len(discarded) - len(months)
        text = (
            f"{INCOMPLETE} {count} file(s) failed verification twice (SHA-256 checksum or zip check) and were "
            f"discarded, so the map has no "
            f"{' and no '.join(lacking)}. The download is being corrupted on the way; fetching again retries them."
        )
        notes.append(Note(text, NoteKind.INCOMPLETE))
    return notes


def _stopped_note(
    error: FetchError,
    done: int,
    order: list[ArchiveFile],
    found: dict[ArchiveFile, bytes],
    first: dt.date,
    last: dt.date,
) -> Note:
    """What a download that stopped part way covers, what it lacks, and why it stopped."""
    reason = str(error).strip()
    if not reason.endswith((".", "!", "?")):
        reason += "."
    covered = max(f.last for f in found if f.kind == "klines")
    text = f"{INCOMPLETE} stopped after {done} of {len(order)} files. Reason: {reason}"
    if covered < last:
        after = covered + dt.timedelta(days=1)
        lost = f"{after} was" if after == last else f"{after} to {last} were"
        text += f" The map covers {first} to {covered} only; {lost} not downloaded."
    metrics_from = min((f.first for f in order[done:] if f.kind == "metrics"), default=None)
    if metrics_from is not None and metrics_from <= covered:
        text += f" Open interest (metrics) from {metrics_from} on was not downloaded."
    return Note(
        text + " Files already downloaded are cached, so fetching again continues from here.", NoteKind.INCOMPLETE
    )


def _failed_metrics_note(failed: list[tuple[ArchiveFile, FetchError]]) -> Note:
    """Which days' open interest could not be downloaded, and the last reason, while their bars were kept."""
    days = [file.first for file, _ in failed]
    reason = str(failed[-1][1]).strip().rstrip(".")
    return Note(
        f"{INCOMPLETE} open interest (metrics) for {len(days)} day(s) could not be downloaded: {_days_text(days)} "
        f"(last reason: {reason}). The map has those days' bars without open interest; fetching again retries them.",
        NoteKind.INCOMPLETE,
    )


def _replaced_notes(replaced: list[str]) -> list[str]:
    if not replaced:
        return []
    names = ", ".join(path.rsplit("/", 1)[-1] for path in replaced[:5]) + (" …" if len(replaced) > 5 else "")
    return [f"{len(replaced)} cached archive file(s) were damaged on disk and were downloaded again: {names}."]


def _missing_notes(missing: list[ArchiveFile]) -> list[str]:
    notes = []
    for kind, label in (("klines", "kline"), ("metrics", "metrics (open interest)")):
        days = [f.first for f in missing if f.kind == kind]
        if days:
            notes.append(
                Note(f"The archive has no {label} file for {len(days)} day(s): {_days_text(days)}.", NoteKind.MISSING)
            )
    return notes


def _read(klines: list[bytes], metrics: list[bytes], symbol: str, interval: str) -> Market:
    """Join the days of each kind into one CSV and read klines + metrics with the CSV loader into one Market."""
    sources = [_joined(klines, f"{symbol}-{interval}-klines.csv")]
    if metrics:
        sources.append(_joined(metrics, f"{symbol}-metrics.csv"))
    limits = LoadLimits(max_bytes=sum(len(s.getvalue()) for s in sources) + 1, max_rows=10_000_000)
    try:
        return load_csv(*sources, symbol=symbol, limits=limits)
    except DataError as exc:
        raise FetchError(f"The archive files for {symbol} {interval} could not be read: {exc}", None) from None


def _joined(zips: list[bytes], name: str) -> io.BytesIO:
    """The CSVs inside the zips as one text, oldest first, keeping only the first file's header line (if any).

    Archive files of one kind share their columns; older kline files have no header, newer ones do, so a later
    file's first line is dropped when it is a header (starts with a letter). Each member and the whole text are
    bounded while unpacking."""
    parts: list[bytes] = []
    size = 0
    for data in zips:
        try:
            text = read_csv_member(data)
        except (zipfile.BadZipFile, IndexError, zlib.error, EOFError, OSError, ValueError) as exc:
            raise FetchError(
                f"An archive file for {name} is not a readable zip ({exc}); try again later.", None
            ) from None
        if parts and text[:1].isalpha():
            text = text.split(b"\n", 1)[1] if b"\n" in text else b""
        size += len(text)
        if size > MAX_JOINED_BYTES:
            raise FetchError(
                f"The archive files for {name} unpack to more than {MAX_JOINED_BYTES / 1e6:g} MB; choose a shorter "
                "date range or a longer interval.",
                None,
            )
        parts.append(text if text.endswith(b"\n") or not text else text + b"\n")
    joined = io.BytesIO(b"".join(parts))
    joined.name = name
    return joined
