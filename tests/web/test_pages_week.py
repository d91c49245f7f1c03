"""Onboarding and this week's plan in the browser."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from paperpath.library import Library


def test_first_visit_goes_to_onboarding(client: TestClient) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/onboarding"
    r = client.get("/week", follow_redirects=False)
    assert r.headers["location"] == "/onboarding"
    page = client.get("/onboarding").text
    assert "let's plan your weekly reading" in page
    assert 'name="math_comfort"' in page and 'type="checkbox" name="known"' in page
    assert '<label for="interests">' in page  # every field has a label


def test_onboarding_saves_profile_and_known_terms(client: TestClient, web_lib: Library) -> None:
    terms = re.findall(r'name="known" value="([^"]+)"', client.get("/onboarding").text)
    assert len(terms) == 30
    r = client.post("/onboarding", data={
        "interests": "diffusion models, reinforcement learning", "math_comfort": "2",
        "hours_per_week": "4.5", "papers_per_week": "3", "liked": "2611.00001",
        "known": terms[:2]}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/week?msg=profile"
    profile = web_lib.coach.profile()
    assert profile is not None
    assert profile.interests == ["diffusion models", "reinforcement learning"]
    assert (profile.math_comfort, profile.hours_per_week, profile.papers_per_week) == (2, 4.5, 3)
    assert web_lib.coach.feedback_ids("like") == ["2611.00001"]
    known = {t.lower() for t, _k, _s in web_lib.known_terms()}
    assert {terms[0].lower(), terms[1].lower()} <= known
    # Editing again: the form shows what was saved; unticking a term forgets it.
    page = client.get("/onboarding").text
    assert 'value="diffusion models, reinforcement learning"' in page
    assert "Your profile" in page
    client.post("/onboarding", data={"interests": "diffusion models", "math_comfort": "2",
                                     "hours_per_week": "4.5", "papers_per_week": "3",
                                     "known": terms[:1]})
    known = {t.lower() for t, _k, _s in web_lib.known_terms()}
    assert terms[0].lower() in known and terms[1].lower() not in known


def test_onboarding_rejects_bad_input_with_a_message(client: TestClient,
                                                     web_lib: Library) -> None:
    r = client.post("/onboarding", data={"interests": "x", "math_comfort": "3",
                                         "hours_per_week": "3", "papers_per_week": "2",
                                         "liked": "9999.99999"})
    assert r.status_code == 400
    assert "9999.99999" in r.text and 'role="alert"' in r.text
    assert web_lib.coach.profile() is None  # nothing half-written
    r = client.post("/onboarding", data={"math_comfort": "9"})
    assert r.status_code == 400


def test_week_lists_picks_with_reasons_and_guides(onboarded: TestClient) -> None:
    r = onboarded.get("/week?msg=profile")
    assert r.status_code == 200
    page = r.text
    assert "Profile saved" in page
    assert "This week" in page and "2026-W48" in page
    picks = re.findall(r'<h2><a href="(/paper/[^"]+)">', page)
    assert len(picks) >= 2
    assert page.count("<i>Why:</i>") == len(picks)
    assert "In one line:" in page and "difficulty" in page
    assert "foundation" in page
    # The plan is remembered: the same picks on the next visit.
    again = re.findall(r'<h2><a href="(/paper/[^"]+)">', onboarded.get("/week").text)
    assert again == picks


def test_week_shows_reading_status_and_replans(onboarded: TestClient, web_lib: Library) -> None:
    first = re.findall(r'<h2><a href="/paper/([^"]+)">', onboarded.get("/week").text)
    web_lib.coach.read(first[0], minutes=30, rating=4)
    page = onboarded.get("/week").text
    assert "1 of 2" in page and 'class="pill read"' in page
    r = onboarded.post("/week/new", follow_redirects=False)
    assert r.status_code == 303 and "replanned" in r.headers["location"]
    # Replanning keeps what was already read this week.
    assert first[0] in onboarded.get("/week").text


def test_week_bad_label_is_a_clear_error(onboarded: TestClient) -> None:
    r = onboarded.get("/week?week=2026-W99")
    assert r.status_code == 400
    assert "2026-W99" in r.text


def test_nav_marks_the_current_page_and_due_reviews(onboarded: TestClient) -> None:
    page = onboarded.get("/week").text
    assert '<a href="/week" aria-current="page">' in page
    assert 'href="#main"' in page  # skip link for keyboard users
    assert "https://" not in re.sub(r'href="https?://[^"]+"', "", page)  # no remote assets


def test_a_slow_first_plan_shows_progress_then_the_plan(
        onboarded: TestClient, web_lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan that needs the library embedded first (a big ingest) runs as a job: the page
    shows its progress and reloads itself when done, instead of hanging."""
    from paperpath.web import pages_week

    release = threading.Event()
    service = web_lib.related()
    real = service.ensure_current

    def slow(progress: Any = None) -> None:
        if progress:
            progress(5, 10)
        release.wait(30)
        real(progress=progress)

    monkeypatch.setattr(service, "ensure_current", slow)
    monkeypatch.setattr(pages_week, "PLAN_WAIT_S", 0.05)
    r = onboarded.get("/week")
    assert r.status_code == 200
    assert "Planning your week" in r.text and "data-job-reload" in r.text
    job_id = re.search(r'data-job="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    assert onboarded.get(f"/api/jobs/{job_id}").json()["state"] == "running"
    # A reload meanwhile shows the same job, not a second planning.
    assert f'data-job="{job_id}"' in onboarded.get("/week").text
    release.set()
    assert onboarded.app.state.jobs.wait(job_id, 30).state == "done"  # type: ignore[attr-defined]
    page = onboarded.get("/week").text
    assert "Planning your week" not in page and "<i>Why:</i>" in page


def test_the_plan_waits_for_a_running_ingest(web_lib: Library) -> None:
    from paperpath.web.jobs import JobManager
    from paperpath.web.pages_week import plan_job

    jobs = JobManager(web_lib)
    release = threading.Event()

    def ingest(lib: Library, report: Any) -> str:
        report(3, 10, "embedding papers: 3 of 10")
        release.wait(30)
        return "ingested"

    jobs.start("ingest", "Ingest", ingest)
    plan = jobs.start("plan", "Plan", plan_job(False, None, jobs))
    assert not jobs.wait(plan.id, 0.3).ended.is_set()
    assert plan.message == "waiting for the library to be ready: embedding papers: 3 of 10"
    release.set()
    assert jobs.wait(plan.id, 60).state == "done", plan.message
