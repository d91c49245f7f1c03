"""The progress dashboard: streak, totals, this week, the compounding chart, coverage."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from paperpath.library import Library
from paperpath.store import coach_store
from paperpath.store.db import write_tx
from paperpath.web.pages_progress import compounding_svg, nice_top

SVG_NS = "{http://www.w3.org/2000/svg}"


def svg_of(page: str) -> ET.Element:
    found = re.search(r"<svg.*?</svg>", page, re.S)
    assert found, "no chart on the page"
    return ET.fromstring(found.group(0))  # well-formed, or this raises


def log_history(lib: Library) -> None:
    """Finished papers in three earlier weeks (2, 1 and 3 papers): a goal-met week, a missed
    one, a met one; the canon papers stand in for anything the reader read."""
    canon = [p for p in lib.papers()][:6]
    plan = [("2026-W45", canon[0:2]), ("2026-W46", canon[2:3]), ("2026-W47", canon[3:6])]
    with write_tx(lib.engine) as conn:
        for week, chosen in plan:
            for paper in chosen:
                coach_store.add_log(conn, paper.pk, "finished", 40, 4, week,
                                    datetime(2026, 11, 10, 9))


def test_a_fresh_reader_gets_an_empty_but_working_dashboard(client: TestClient) -> None:
    r = client.get("/progress")
    assert r.status_code == 200
    page = r.text
    assert "No streak yet" in page and "No reading logged yet" in page
    assert "<b>0 of 2</b> papers read" in page
    svg = svg_of(page)
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "chart-title chart-desc"
    title = svg.find(f"{SVG_NS}title")
    assert title is not None and "0 papers read" in (title.text or "")
    assert "<details>" in page and "The numbers, week by week" in page
    assert "Coverage of the field" in page and "0 of " in page


def test_reading_shows_up_everywhere(onboarded: TestClient, web_lib: Library) -> None:
    for pid in ("2611.00001", "2611.00003"):
        web_lib.coach.read(pid, minutes=30, rating=4)
    page = onboarded.get("/progress").text
    assert "this week&#39;s goal is met" in page  # the streak line
    assert "<b>2 of 2</b> papers read — goal met" in page
    assert '<span class="stat"><b>2</b> papers read</span>' in page
    assert "<b>1 h</b> reading (60 min)" in page
    known = len(web_lib.known_terms())
    assert f"<b>{known}</b> concepts known" in page and known > 0
    title = svg_of(page).find(f"{SVG_NS}title")
    assert title is not None and f"2 papers read and {known} concepts known" in (title.text or "")
    # Coverage by arXiv category, with names, the touched areas first.
    assert "cs.CV Computer Vision" in page and "cs.CL Computation and Language" in page
    assert re.search(r"You have read in <b>2 of \d+</b>", page)
    assert page.index("cs.CV Computer Vision") < page.index("canon: ")


def test_the_chart_and_table_follow_the_weeks(onboarded: TestClient, web_lib: Library) -> None:
    log_history(web_lib)
    page = onboarded.get("/progress").text
    svg = svg_of(page)
    lines = svg.findall(f"{SVG_NS}polyline")
    assert len(lines) == 2  # papers and concepts
    papers_line = lines[0].get("points", "").split()
    assert len(papers_line) == 4  # W45..W48, the current week
    heights = [float(p.split(",")[1]) for p in papers_line]
    assert heights == sorted(heights, reverse=True)  # cumulative: never goes down
    labels = [t.text for t in svg.findall(f"{SVG_NS}text")]
    assert "2026-W45" in labels and "2026-W48" in labels
    table = page[page.index("<tbody>"):page.index("</tbody>")]
    assert table.count("<tr>") == 4
    assert "2026-W48 (this week)" in table and "<td>6</td>" in table
    assert "<b>2 of 4</b> weeks met the goal of 2 papers" in page
    strip = page[page.index('class="weekstrip"'):]
    strip = strip[:strip.index("</ol>")]
    assert re.findall(r'<li class="([a-z ]*)"', strip) == ["met", "some", "met", "now"]
    # No paper yet this week: the streak from W47 is at stake.
    assert "1-week streak — 2 more papers this week keeps it." in page
    assert "(longest: 1 weeks)" not in page


def test_weeks_limits_the_chart(onboarded: TestClient, web_lib: Library) -> None:
    log_history(web_lib)
    page = onboarded.get("/progress?weeks=2").text
    points = svg_of(page).findall(f"{SVG_NS}polyline")[0].get("points", "").split()
    assert len(points) == 2
    assert "the last 2 weeks" in page and 'href="/progress"' in page
    for bad in ("0", "abc", "9999", "-1"):
        r = onboarded.get(f"/progress?weeks={bad}")
        assert r.status_code == 400 and "weeks=" in r.text


def test_the_dashboard_updates_after_reading(client: TestClient, web_lib: Library) -> None:
    assert "<b>0</b> papers read" in client.get("/progress").text
    web_lib.coach.read("2611.00002", minutes=10)
    assert "<b>1</b> papers read" in client.get("/progress").text
    web_lib.coach.set_profile(papers_per_week=1)
    assert "<b>1 of 1</b> papers read — goal met" in client.get("/progress").text


@pytest.mark.parametrize(("value", "expected"), [
    (0, (1, 1)), (1, (1, 1)), (3, (3, 1)), (7, (8, 2)), (34, (40, 10)), (99, (100, 20)),
    (250, (250, 50)), (1234, (1500, 500)),
])
def test_nice_axis_tops(value: int, expected: tuple[int, int]) -> None:
    top, step = nice_top(value)
    assert (top, step) == expected
    assert top >= value and top // step <= 5


def test_a_long_history_keeps_the_chart_readable(web_lib: Library) -> None:
    from paperpath.coach.progress import Progress, WeekProgress

    base = web_lib.coach.progress()
    weeks = tuple(WeekProgress(week=f"2025-W{i:02d}", finished=i % 3, started=0, minutes=60,
                               hours=1.0, goal_met=i % 3 >= 2, papers_total=i, terms_total=9 * i,
                               explanations=0, reviews=0, current=i == 52)
                  for i in range(1, 53))
    long = Progress(**{**base.__dict__, "weeks": weeks})
    svg = ET.fromstring(str(compounding_svg(long)))
    labels = [t.text for t in svg.findall(f"{SVG_NS}text") if (t.text or "").startswith("2025")]
    assert 4 <= len(labels) <= 8 and labels[-1] == "2025-W52"
    assert len(svg.findall(f"{SVG_NS}circle")) == 104  # a tooltip per week and series
