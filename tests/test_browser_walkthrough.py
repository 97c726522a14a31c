"""Every scenario walked as a new learner would, in light and dark and on a 390 px phone, with a screenshot of each
step in artifacts/walk/ to look at. Opt-in (about 3 minutes per walk on 2 cores, twelve walks):

    LIQCORE_SCREENS=1 python -m pytest -m screens tests/test_browser_walkthrough.py
    LIQCORE_SCREENS=1 python -m pytest -m screens tests/test_browser_walkthrough.py -k "fakeout and phone"  # one walk

One server serves every walk. It is not warmed with the deployment's readiness probe (on a loaded machine that probe
hits Streamlit's 60 s limit); each walk instead waits on the page's own signals (a drawn chart, the step's heading,
no running indicator) with generous timeouts.

The quick version (one scenario, light desktop) runs with the browser tests in tests/test_browser.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from liqcore.simulator import SCENARIOS
from tests import walkthrough_path
from tests.test_browser import ARTIFACTS, _open, _streamlit_server, archive_server, browser  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.screens,
    pytest.mark.skipif(not os.environ.get("LIQCORE_SCREENS"), reason="opt-in: set LIQCORE_SCREENS=1"),
]
VIEWS = {"light": ("light", 1440), "dark": ("dark", 1440), "phone": ("light", 390)}
PATIENCE_MS = 300_000  # per wait: a rerun on 2 cores shared with other work can take minutes


@pytest.fixture(scope="module")
def walk_server(archive_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    """One healthy server for every walk (no warm-up probe: the first walk's page load warms it)."""
    env = {"LIQCORE_ARCHIVE_URL": archive_server, "LIQCORE_CACHE_DIR": str(tmp_path_factory.mktemp("archive"))}
    with _streamlit_server("streamlit-walk.log", env) as url:
        yield url


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_walk_every_scenario(walk_server: str, browser: object, scenario: str, view: str) -> None:  # noqa: F811
    scheme, width = VIEWS[view]
    page = _open(browser, walk_server, scheme=scheme, width=width, height=2600)
    page.set_default_timeout(PATIENCE_MS)
    seen = walkthrough_path.walk(page, walk_server, scenario, ARTIFACTS / "walk", f"{scenario}-{view}")
    assert [s.split(" · ")[0] for s in seen["steps"]] == [str(n) for n in range(1, 8)]
    assert "Enter or wait" in seen["score_card"] and "Wait (no trade)" in seen["score_card"]
    assert seen["another_moment"]
    assert "Fetch" in seen["sidebar_after_real_data"]
    page.context.close()
