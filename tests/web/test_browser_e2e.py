"""The weekly loop end to end in a real browser: Debian's Chromium driven by Playwright
against the app served by uvicorn on a real socket.

onboarding → week → open a paper → mark it read → explain it back and see the feedback →
review two cards → progress shows the reading. Every page is also shot at desktop and phone
width into test-artifacts/screenshots/ (``PAPERPATH_ARTIFACTS`` to move it) for a person to
look at. Skipped when no Chromium is installed, unless ``PAPERPATH_CHROMIUM`` names one (as
`.ci/run` does), in which case a broken browser fails the test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paperpath.library import Library

CHROMIUM = os.environ.get("PAPERPATH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("PAPERPATH_ARTIFACTS",
                                Path(__file__).resolve().parents[2] / "test-artifacts"))
if not os.environ.get("PAPERPATH_CHROMIUM") and not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (scripts/chromium-for-tests.sh installs it)",
                allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def server(web_lib: Library) -> Iterator[str]:
    from paperpath.web import create_app
    from paperpath.web.local_server import LocalServer

    with LocalServer(create_app(web_lib, seed=False)) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("request", lambda req: errors.append(f"remote request {req.url}")
          if not req.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    yield pg
    context.close()
    assert errors == [], errors  # no script errors, no request leaving this computer


def shot(pg: Page, name: str) -> None:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_a_week_of_the_method_in_the_browser(server: str, page: Page,
                                             web_lib: Library) -> None:
    # Onboarding: a first visit lands there.
    page.goto(server + "/")
    expect(page).to_have_url(re.compile(r"/onboarding$"))
    shot(page, "01-onboarding")
    page.get_by_label("What do you want to learn about?").fill("diffusion models")
    page.get_by_role("radio", name=re.compile("school algebra")).check()
    page.get_by_label("Hours a week for reading").fill("3")
    page.get_by_role("button", name="Make my plan").click()

    # The week: picks with reasons.
    expect(page).to_have_url(re.compile(r"/week\?msg=profile$"))
    expect(page.get_by_role("status")).to_contain_text("Profile saved")
    picks = page.locator("ol.cards > li")
    expect(picks.first).to_be_visible()
    assert picks.count() >= 2
    expect(picks.first).to_contain_text("Why:")
    shot(page, "02-week")

    # Open the first pick's reading guide.
    title = picks.first.locator("h2 a").inner_text()
    picks.first.get_by_role("link", name="Open the reading guide").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("heading", name="Key terms")).to_be_visible()
    term = page.locator(".term").first
    term.focus()  # a definition shows on focus as on hover (keyboard users)
    shot(page, "03-paper")

    # Mark it read.
    page.get_by_label("Minutes spent").fill("40")
    page.get_by_label("How useful was it?").select_option("4")
    page.get_by_role("button", name="I read it").click()
    expect(page.get_by_role("status")).to_contain_text("Logged as read")
    assert web_lib.coach.read_ids()

    # Explain it back and see the feedback.
    page.get_by_label("Your explanation").fill(
        "The paper asks how to make a model learn well; it proposes a method and shows "
        "results on benchmarks that improve on earlier work.")
    page.get_by_role("button", name="Check my explanation").click()
    expect(page.get_by_role("status")).to_contain_text("Explanation scored")
    feedback = page.locator("#explain .feedback")
    expect(feedback).to_contain_text("%")
    expect(feedback).to_contain_text(re.compile("Covered|Missing"))
    shot(page, "04-explained")

    # Related work loads after the page.
    related = page.locator("section[aria-labelledby=related-h] details").first
    expect(related).to_contain_text(re.compile("similar|Nothing related"))

    # Review two cards with the keyboard.
    page.get_by_role("link", name=re.compile("^Review")).click()
    expect(page).to_have_url(re.compile(r"/review"))
    shot(page, "05-review")
    for _ in range(2):
        expect(page.locator(".review-card")).to_be_visible()
        page.wait_for_load_state("load")  # the deferred review.js is listening
        page.keyboard.press("Space")  # show the answer
        expect(page.locator("#answer")).to_be_visible()
        with page.expect_navigation():
            page.keyboard.press("3")  # good
    assert len(_review_log(web_lib)) == 2

    # Progress shows the reading.
    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Progress")
    expect(page.locator("main")).to_contain_text("1")
    expect(page.locator("main svg").first).to_be_visible()
    shot(page, "06-progress")


def _review_log(lib: Library) -> list[Any]:
    from sqlalchemy import select

    from paperpath.store.schema import review_log

    with lib.engine.connect() as conn:
        return list(conn.execute(select(review_log)))


PAGES = ["/onboarding", "/week", "/paper/2611.00001", "/library?q=diffusion", "/review",
         "/progress", "/map", "/sources", "/export", "/api/docs"]


@pytest.mark.parametrize("width", [1280, 375])
def test_every_page_renders_without_errors_and_fits(server: str, browser: Browser,
                                                    web_lib: Library, width: int) -> None:
    web_lib.coach.set_profile(interests=["diffusion models"])
    context = browser.new_context(viewport={"width": width, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    for path in PAGES:
        response = pg.goto(server + path)
        assert response is not None and response.status == 200, path
        pg.wait_for_load_state("networkidle")
        # Nothing wider than the screen (phone width included).
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} overflows by {overflow}px at {width}px"
        # Every form control has an accessible name.
        unnamed = pg.evaluate("""() => [...document.querySelectorAll(
              'input:not([type=hidden]), select, textarea')].filter(e =>
              !(e.labels && e.labels.length) && !e.getAttribute('aria-label') &&
              !e.getAttribute('aria-labelledby') && !e.title).map(e => e.name || e.id)""")
        assert unnamed == [], f"{path}: unlabelled controls {unnamed}"
        name = path.strip("/").replace("/", "-").split("?")[0] or "home"
        shot(pg, f"{'phone' if width < 600 else 'desktop'}-{name}")
    context.close()
    assert errors == [], errors


def test_keyboard_reaches_the_main_actions(server: str, page: Page, web_lib: Library) -> None:
    web_lib.coach.set_profile(interests=["diffusion models"])
    page.goto(server + "/week")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    # From the main content, Tab reaches the first pick's link.
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('ol.cards') !== null"):
            break
    assert page.evaluate("document.activeElement.closest('ol.cards') !== null")


def test_the_map_is_built_drawn_and_searchable_in_the_browser(server: str, page: Page,
                                                               web_lib: Library) -> None:
    web_lib.coach.set_profile(interests=["diffusion models"])
    web_lib.coach.read("2611.00001", minutes=30, rating=4)
    page.goto(server + "/map")
    page.get_by_role("button", name="Build the map").click()
    # The build runs as a job; the page reloads itself when the map is ready.
    page.wait_for_function("window.paperpathMap && window.paperpathMap.drawn", timeout=120_000)
    assert page.evaluate("window.paperpathMap.points") == len(web_lib)
    expect(page.locator("#fieldmap canvas").first).to_be_attached()
    expect(page.locator("main")).to_contain_text("areas")
    shot(page, "07-map")
    # Search to locate a paper: the matches are listed and ringed on the map.
    page.get_by_role("searchbox").fill("score distillation")
    page.get_by_role("button", name="Find").click()
    results = page.locator("#map-results")
    expect(results).to_contain_text("Score Distillation for Fast Video Diffusion")
    results.get_by_role("link", name=re.compile("Score Distillation")).click()
    expect(page).to_have_url(re.compile(r"/paper/2611\.00001$"))
