"""The archive's zip files: what makes one trustworthy, and the bounded disk cache that keeps only trustworthy ones.

Why: a file cached once is served to every later fetch, so a truncated or corrupted download must never be cached,
and a cached file damaged later (a full disk, a killed write) must be noticed and fetched again rather than failing
that date range for every user. A zip carries a CRC-32 of each member, so a whole-file check needs no published
checksum; members are also bounded in size before anything is unpacked (a zip bomb costs nothing to refuse).
"""

from __future__ import annotations

import io
import os
import time
import zipfile
import zlib
from pathlib import Path

DEFAULT_CACHE_BYTES = 2_000_000_000
MISSING_TTL_SECONDS = 6 * 3600
MAX_MEMBER_BYTES = 64_000_000  # the largest real member, a month of 1m klines, is about 5 MB unpacked
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def looks_like_web_page(data: bytes, content_type: str = "") -> bool:
    """True for an HTML page (a proxy's, a login portal's or a CDN's error page) where a file was expected."""
    head = data[:512].lstrip().lower()
    return "text/html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def zip_problem(data: bytes, max_member_bytes: int = MAX_MEMBER_BYTES) -> str | None:
    """Why `data` is not an intact zip of reasonable size, or None when every member reads back with its CRC."""
    if not data.startswith(ZIP_MAGIC):
        return "it is not a zip file"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if not members:
                return "the zip is empty"
            big = next((m for m in members if m.file_size > max_member_bytes), None)
            if big is not None:
                size, limit = big.file_size / 1e6, max_member_bytes / 1e6
                return f"{big.filename} unpacks to {size:,.0f} MB, over the {limit:g} MB limit"
            bad = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as exc:
        return f"the zip is damaged or cut short ({exc.__class__.__name__})"
    return None if bad is None else f"{bad} inside the zip is damaged (CRC mismatch)"


def read_csv_member(data: bytes, max_member_bytes: int = MAX_MEMBER_BYTES) -> bytes:
    """The CSV inside an archive zip (the first .csv member, else the first member), read at most `max_member_bytes`
    (+1, to notice more) so a member larger than it says is stopped while unpacking. Raises ValueError."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        member = next((n for n in names if n.lower().endswith(".csv")), names[0])
        with archive.open(member) as stream:
            text = stream.read(max_member_bytes + 1)
    if len(text) > max_member_bytes:
        raise ValueError(f"{member} unpacks to more than {max_member_bytes / 1e6:g} MB")
    return text


def default_cache_dir() -> Path:
    """LIQCORE_CACHE_DIR, else $XDG_CACHE_HOME/liqcore/archive, else ~/.cache/liqcore/archive."""
    if os.environ.get("LIQCORE_CACHE_DIR"):
        return Path(os.environ["LIQCORE_CACHE_DIR"])
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "liqcore" / "archive"


class Cache:
    """Intact archive zips on disk, bounded in total size; reading a file marks it recently used, and a file that no
    longer reads back intact is deleted (so the next download replaces it)."""

    def __init__(self, root: str | Path | None = None, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        self.max_bytes = max_bytes
        self.replaced: list[str] = []  # paths of cached files found damaged and deleted by `get`

    def _file(self, path: str) -> Path:
        return self.root / path

    def get(self, path: str) -> bytes | None:
        """The cached bytes, or None when absent or damaged (then the damaged copy is deleted)."""
        file = self._file(path)
        if not file.is_file():
            return None
        data = file.read_bytes()
        if zip_problem(data) is not None:
            file.unlink(missing_ok=True)
            self.replaced.append(path)
            return None
        os.utime(file)
        return data

    def put(self, path: str, data: bytes) -> None:
        """Cache an intact zip (anything else is refused: the caller checks first, this is the last guard)."""
        problem = zip_problem(data)
        if problem is not None:
            raise ValueError(f"refusing to cache {path}: {problem}")
        file = self._file(path)
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(file.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(file)
        self.forget_missing(path)
        self._evict()

    def is_missing(self, path: str) -> bool:
        """True when the archive answered 404 for this file within the last few hours."""
        marker = self._file(path + ".missing")
        return marker.is_file() and time.time() - marker.stat().st_mtime < MISSING_TTL_SECONDS

    def mark_missing(self, path: str) -> None:
        marker = self._file(path + ".missing")
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()

    def forget_missing(self, path: str) -> None:
        """Drop the 'not in the archive' marker of `path` (the file arrived, or the user asked to look again)."""
        self._file(path + ".missing").unlink(missing_ok=True)

    def _evict(self) -> None:
        """Delete least recently used zips until the cache fits its size bound."""
        files = [(f.stat().st_mtime, f.stat().st_size, f) for f in self.root.rglob("*.zip")]
        total = sum(size for _, size, _ in files)
        for _, size, file in sorted(files):
            if total <= self.max_bytes:
                break
            file.unlink(missing_ok=True)
            total -= size
