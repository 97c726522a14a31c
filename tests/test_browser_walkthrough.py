"""Every scenario walked as a new learner would, in light and dark and on a 390 px phone, with a screenshot of each
step in artifacts/walk/ to look at. Opt-in (about 10 minutes on 2 cores):

    LIQCORE_SCREENS=1 python -m pytest -m screens tests/test_browser_walkthrough.py

The quick version (one scenario, light desktop) runs with the browser tests in tests/test_browser.py.
"""

from __future__ import annotations

import os

import pytest

from liqcore.simulator import SCENARIOS
from tests import walkthrough_path
from tests.test_browser import ARTIFACTS, _open, archive_server, browser, server  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.screens,
    pytest.mark.skipif(not os.environ.get("LIQCORE_SCREENS"), reason="opt-in: set LIQCORE_SCREENS=1"),
]
VIEWS = {"light": ("light", 1440), "dark": ("dark", 1440), "phone": ("light", 390)}


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_walk_every_scenario(server: str, browser: object, scenario: str, view: str) -> None:  # noqa: F811
    scheme, width = VIEWS[view]
    page = _open(browser, server, scheme=scheme, width=width, height=2600)
    seen = walkthrough_path.walk(page, server, scenario, ARTIFACTS / "walk", f"{scenario}-{view}")
    assert [s.split(" · ")[0] for s in seen["steps"]] == [str(n) for n in range(1, 8)]
    assert "Enter or wait" in seen["score_card"] and "Wait (no trade)" in seen["score_card"]
    assert seen["another_moment"]
    assert "Fetch" in seen["sidebar_after_real_data"]
    page.context.close()
