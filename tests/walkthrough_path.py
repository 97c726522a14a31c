"""A new learner's path through the app in a real browser: first page -> lesson -> walkthrough -> every step ->
score card -> "try another moment" / "try this on real data", with a screenshot of each step.

Used by the quick browser test (one scenario, light desktop) and by the opt-in all-scenarios run
(`LIQCORE_SCREENS=1 python -m pytest -m screens tests/test_browser_walkthrough.py`).
"""

from __future__ import annotations

import re
from pathlib import Path

from liqcore.simulator import simulate

STEP_TITLES = (
    "Read the map",
    "Fakeout check",
    "Squeeze reading",
    "Volatility",
    "Enter or wait?",
    "Plan the trade",
    "What happened",
)
SEED = 7  # the sidebar's default seed


_IDLE = "() => !document.querySelector(\"[data-testid='stStatusWidget'], [data-testid='stSpinner']\")"


def _settled(page) -> None:
    """The app finished its rerun: no 'running' indicator and no spinner, twice half a second apart (a loaded
    machine can start the rerun late, and Streamlit streams the top of a page before the rest is redrawn)."""
    for _ in range(2):
        page.wait_for_timeout(500)
        page.wait_for_function(_IDLE, polling=250)


def _no_exception(page) -> None:
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()


PHONE_WIDTH = 768  # below this Streamlit lays the sidebar over the page


def _is_phone(page) -> bool:
    return page.viewport_size["width"] < PHONE_WIDTH


def _sidebar_open(page) -> bool:
    """Whether the sidebar is on screen (Streamlit 1.51 sets no aria-expanded on it; a closed one sits off-screen)."""
    box = page.locator("[data-testid='stSidebar']").bounding_box()
    return box is not None and box["width"] > 0 and box["x"] + box["width"] > 0


def _close_sidebar(page) -> None:
    """On a phone the open sidebar covers the page: close it, as a learner would, with its « button."""
    if _is_phone(page) and _sidebar_open(page):
        page.locator("[data-testid='stSidebarCollapseButton'] button").click(force=True)
        page.wait_for_function(
            "() => document.querySelector(\"[data-testid='stSidebar']\").getBoundingClientRect().right <= 0"
        )


def _open_page(page, name: str) -> None:
    """Go to a page through the sidebar's menu (opened first on a phone, with its » button)."""
    if _is_phone(page) and not _sidebar_open(page):
        page.locator("[data-testid='stExpandSidebarButton']").click()
        page.wait_for_function(
            "() => document.querySelector(\"[data-testid='stSidebar']\").getBoundingClientRect().left >= 0"
        )
    page.locator("[data-testid='stSidebarNav'] a", has_text=name).click()


def _step_heading(page, step: int) -> None:
    page.get_by_role("heading", name=re.compile(rf"^{step} · ")).wait_for()


def walk(page, server: str, scenario: str, shots: Path, tag: str) -> dict[str, object]:
    """Walk `scenario` from the first page to the score card; screenshots go to `shots` as `{tag}-NN-name.png`.

    Returns what the learner saw: the key moment chosen, each step's heading and the score card's rows.
    """
    shots.mkdir(parents=True, exist_ok=True)
    seen: dict[str, object] = {"steps": []}

    def shot(name: str) -> None:
        _settled(page)  # nothing half-redrawn (faded) in the picture
        page.mouse.move(0, 0)  # no tooltip over the text
        page.evaluate("document.activeElement && document.activeElement.blur()")  # nor a focused button's tooltip
        page.wait_for_timeout(300)
        page.screenshot(path=str(shots / f"{tag}-{name}.png"), full_page=True)

    page.goto(f"{server}/?scenario={scenario}")
    page.wait_for_selector("[data-testid='stVegaLiteChart']", state="visible")
    _settled(page)
    _no_exception(page)
    _close_sidebar(page)
    guide = simulate(scenario, seed=SEED, bars=20).guide  # the lesson's text, as the scenario object has it
    page.get_by_text(f"Lesson · {guide.title}").first.click()
    page.get_by_text(guide.watch[:40]).first.wait_for()
    _settled(page)  # the run that opened the lesson must end first: a click during it can be lost when it redraws
    page.get_by_text("Show me the key moment").first.click()
    _settled(page)
    page.get_by_text("Marked on the map:").first.wait_for()
    _no_exception(page)
    shot("00-first-page-lesson")

    _open_page(page, "Trade walkthrough")
    _step_heading(page, 1)
    _settled(page)
    _close_sidebar(page)
    label = guide.moments[0].label
    page.locator("[data-testid='stExpander'] summary", has_text="Decision time").click()  # folded to one line
    show_me = page.get_by_role("button", name=f"Show me: {label}")
    show_me.wait_for()  # the box's controls are sent by the run that opening it starts
    _settled(page)
    shot("01-decision-time")
    show_me.click()
    _settled(page)
    page.get_by_text(re.compile(rf"before {re.escape(label)}")).first.wait_for()
    seen["moment"] = label
    _no_exception(page)
    for step in range(1, 8):
        _step_heading(page, step)
        _settled(page)
        if step == 2 and page.get_by_text("What happens within the next").count():
            page.get_by_text("fakeout", exact=True).first.click()
            _settled(page)
            page.get_by_text(re.compile(r"it was a \w")).first.wait_for()
        if step == 5:
            page.get_by_text("Wait (no trade)", exact=True).first.click()
            _settled(page)
        _no_exception(page)
        heading = page.get_by_role("heading", name=re.compile(rf"^{step} · ")).inner_text()
        seen["steps"].append(heading)
        assert page.locator("[data-testid='stVegaLiteChart']").count() >= 1, f"step {step} shows no map"
        shot(f"{step:02d}-{STEP_TITLES[step - 1].split()[0].lower()}")
        if step < 7:
            page.get_by_role("button", name="Next").click()
    card = page.locator("[data-testid='stTable']").last
    card.wait_for()
    seen["score_card"] = card.inner_text()
    decided = page.locator("[data-testid='stCaptionContainer']", has_text="stopped at").first.inner_text()
    page.get_by_role("button", name="Try another moment").click()
    _step_heading(page, 1)
    _settled(page)
    _no_exception(page)
    seen["another_moment"] = (
        page.locator("[data-testid='stCaptionContainer']", has_text="stopped at").first.inner_text() != decided
    )
    for step in range(1, 7):  # straight back to the last step, answering nothing
        page.get_by_role("button", name="Next").click()
        _step_heading(page, step + 1)
    _settled(page)
    page.get_by_role("button", name="Try this on real data").click()
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="Fetch").wait_for(state="attached")
    _settled(page)
    _no_exception(page)
    seen["sidebar_after_real_data"] = page.locator("[data-testid='stSidebar']").inner_text()
    shot("08-real-data")
    return seen
