"""The server settings a public deployment relies on, read the way Streamlit reads them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from liqcore.loaders import LoadLimits

CONFIG = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())


def test_tracebacks_never_reach_users() -> None:
    assert CONFIG["client"]["showErrorDetails"] in ("none", False)


def test_upload_size_per_file_matches_the_loaders_budget() -> None:
    per_file_mb = CONFIG["server"]["maxUploadSize"]
    limits = LoadLimits()
    assert per_file_mb * 1_000_000 <= limits.max_bytes <= limits.max_total_bytes
