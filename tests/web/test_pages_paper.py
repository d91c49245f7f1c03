"""The paper page: reading guide, related work, log, feedback, notes, tags, explain-back."""

from __future__ import annotations

from fastapi.testclient import TestClient

from paperpath.library import Library
from paperpath.records import PaperRecord

PID = "2611.00001"  # Score Distillation for Fast Video Diffusion (conftest)


def test_paper_page_shows_the_reading_guide(client: TestClient) -> None:
    r = client.get(f"/paper/{PID}")
    assert r.status_code == 200
    page = r.text
    assert "Score Distillation for Fast Video Diffusion" in page
    for heading in ("In one line", "Problem, method, result", "Key terms",
                    "Questions to read with", "Explain it back", "Notes and tags",
                    "Related work"):
        assert heading in page
    assert 'class="facet problem"' in page and 'class="facet result"' in page
    assert 'class="term new"' in page and 'role="tooltip"' in page
    assert "first pass" in page and "full read" in page
    assert 'href="https://github.com/example/fastvid"' in page  # code link
    assert 'data-fragment="/related/approaches/2611.00001"' in page


def test_unknown_paper_is_a_404_page(client: TestClient) -> None:
    r = client.get("/paper/0000.00000")
    assert r.status_code == 404
    assert "0000.00000: no such paper" in r.text and "<nav" in r.text


def test_old_style_ids_with_a_slash_work(client: TestClient, web_lib: Library) -> None:
    web_lib.add_records([PaperRecord(title="Old style id", abstract="We test an old id.",
                                     arxiv_id="hep-th/9901001")])
    assert client.get("/paper/hep-th/9901001").status_code == 200


def test_mark_read_logs_it_and_explain_back_gives_feedback(client: TestClient,
                                                           web_lib: Library) -> None:
    r = client.post("/papers/read", data={"id": PID, "minutes": "45", "rating": "4",
                                          "status": "finished"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/paper/{PID}?msg=read"
    entry = web_lib.coach.log(PID)[-1]
    assert (entry.status, entry.minutes, entry.rating) == ("finished", 45, 4)
    page = client.get(r.headers["location"]).text
    assert "Logged as read" in page and "finished, 45 min, rated 4/5" in page

    r = client.post("/papers/explain", data={
        "id": PID, "text": "Video diffusion is slow because it needs many denoising steps; "
                           "they distill the score into a four-step student that keeps the "
                           "quality at a twentieth of the cost."})
    assert r.status_code == 200 and "#explain" not in r.url.path
    page = r.text
    assert "Explanation scored" in page and "Covered" in page and "%" in page
    assert len(web_lib.coach.explanations(PID)) == 1


def test_a_weak_explanation_points_to_sentences_to_reread(client: TestClient) -> None:
    page = client.post("/papers/explain", data={"id": PID, "text": "It is about videos."}).text
    assert "Missing — re-read these" in page and "<q>" in page


def test_empty_explanation_and_bad_log_are_rejected(client: TestClient,
                                                    web_lib: Library) -> None:
    r = client.post("/papers/explain", data={"id": PID, "text": "   "})
    assert r.status_code == 400 and "Write a few sentences first" in r.text
    r = client.post("/papers/read", data={"id": PID, "minutes": "99999"})
    assert r.status_code == 400 and "minutes" in r.text
    assert web_lib.coach.log(PID) == [] and web_lib.coach.explanations(PID) == []
    assert client.post("/papers/read", data={"id": "nope"}).status_code == 404


def test_feedback_toggles(client: TestClient, web_lib: Library) -> None:
    r = client.post("/papers/feedback", data={"id": PID, "signal": "like"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert web_lib.coach.signals(PID) == ["like"]
    page = client.get(f"/paper/{PID}").text
    assert 'value="-like" aria-pressed="true"' in page
    client.post("/papers/feedback", data={"id": PID, "signal": "-like"})
    assert web_lib.coach.signals(PID) == []
    r = client.post("/papers/feedback", data={"id": PID, "signal": "adore"})
    assert r.status_code == 400 and "adore" in r.text


def test_notes_and_tags(client: TestClient, web_lib: Library) -> None:
    client.post("/papers/note", data={"id": PID, "body": "# Idea\nUse it for <my> project"})
    assert web_lib.coach.note(PID) == "# Idea\nUse it for <my> project"
    page = client.get(f"/paper/{PID}").text
    assert "Use it for &lt;my&gt; project" in page  # escaped in the editor
    client.post("/papers/tags", data={"id": PID, "tags": "video, to-discuss"})
    assert sorted(web_lib.coach.tag(PID, [])) == ["to-discuss", "video"]
    client.post("/papers/tags", data={"id": PID, "tags": "video"})
    assert web_lib.coach.tag(PID, []) == ["video"]


def test_related_fragments(client: TestClient) -> None:
    for view in ("similar", "approaches", "elsewhere"):
        r = client.get(f"/related/{view}/{PID}")
        assert r.status_code == 200
        assert "<html" not in r.text  # a fragment, not a page
        assert 'href="/paper/' in r.text or "Nothing related" in r.text
    assert client.get(f"/related/bogus/{PID}").status_code == 404


def test_no_abstract_means_no_explain_form_but_a_way_forward(client: TestClient,
                                                            web_lib: Library) -> None:
    web_lib.add_records([PaperRecord(title="A blog post about attention", kind="article",
                                     url="https://example.org/attention")])
    item = next(p for p in web_lib.papers() if p.kind == "article")
    page = client.get(f"/paper/{item.id}").text
    assert "nothing to compare an explanation with" in page
    assert 'action="/papers/explain"' not in page and "Write your summary in the notes" in page
    r = client.post("/papers/explain", data={"id": item.id, "text": "About attention."})
    assert r.status_code == 400 and "no abstract" in r.text
