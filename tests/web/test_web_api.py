"""The JSON API: every route's status and shape, its errors, the OpenAPI schema and the
offline documentation page."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from paperpath.library import Library
from paperpath.web.jobs import Reporter

PID = "2611.00001"  # Score Distillation for Fast Video Diffusion (conftest)
ATTENTION = "1706.03762"  # in the canon
ROUTES = [("get", "/api/papers/{pid}"), ("get", "/api/search"), ("get", "/api/guide/{pid}"),
          ("get", "/api/similar/{pid}"), ("get", "/api/recommend"), ("get", "/api/profile"),
          ("put", "/api/profile"), ("get", "/api/week"), ("post", "/api/week/new"),
          ("post", "/api/read"), ("post", "/api/feedback"), ("post", "/api/explain"),
          ("get", "/api/notes/{pid}"), ("put", "/api/notes/{pid}"), ("get", "/api/review/due"),
          ("post", "/api/review/{card_id}"), ("get", "/api/progress"), ("get", "/api/stats"),
          ("get", "/api/jobs"), ("get", "/api/jobs/{job_id}")]
EXPLANATION = ("Video diffusion is slow because it needs many denoising steps; they distill "
               "the score into a four-step student that keeps the quality at a twentieth of "
               "the cost.")


def test_a_paper(client: TestClient) -> None:
    r = client.get(f"/api/papers/{PID}")
    assert r.status_code == 200
    paper = r.json()
    assert paper["id"] == PID and paper["title"] == "Score Distillation for Fast Video Diffusion"
    assert paper["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert paper["code_urls"] == ["https://github.com/example/fastvid"]
    assert paper["abs_url"] == f"https://arxiv.org/abs/{PID}"
    assert "pk" not in paper


@pytest.mark.parametrize("url", ["/api/papers/0000.00000", "/api/guide/0000.00000",
                                 "/api/similar/0000.00000", "/api/notes/0000.00000",
                                 "/api/jobs/nope-1", "/api/nothing-here"])
def test_unknown_things_are_json_404s(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/json"
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail


def test_search_with_filters(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "video diffusion", "limit": 5})
    assert r.status_code == 200
    data = r.json()
    assert data["query"] == "video diffusion" and data["limit"] == 5 and data["offset"] == 0
    hits = data["hits"]
    assert hits and hits[0]["id"] == PID
    assert {"score", "snippet", "title_highlighted", "abstract"} <= set(hits[0])
    assert "«" in hits[0]["title_highlighted"]
    only = client.get("/api/search", params={"q": "diffusion", "category": "cs.CV",
                                             "since": "2026-11", "code": "true"}).json()
    assert [h["id"] for h in only["hits"]] == [PID]
    early = client.get("/api/search", params={"q": "offline reinforcement retrieval",
                                              "until": "2026-11-03"}).json()
    assert "2611.00002" not in {h["id"] for h in early["hits"]}  # published 2026-11-05
    page2 = client.get("/api/search", params={"q": "learning", "limit": 2, "offset": 2}).json()
    first = client.get("/api/search", params={"q": "learning", "limit": 4}).json()
    assert [h["id"] for h in page2["hits"]] == [h["id"] for h in first["hits"][2:4]]


def test_hybrid_search(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "make video generation faster", "hybrid": "1"})
    assert r.status_code == 200 and r.json()["hits"]


@pytest.mark.parametrize("params, status", [
    ({"q": "diffusion", "since": "not-a-date"}, 400),
    ({"q": "\"unclosed"}, None),  # a query the parser may accept or refuse, never a 500
    ({"q": "diffusion", "limit": "0"}, 422),
    ({"q": "diffusion", "limit": "many"}, 422),
    ({}, 422),
])
def test_bad_search_input(client: TestClient, params: dict[str, str], status: int | None
                          ) -> None:
    r = client.get("/api/search", params=params)
    assert r.status_code == status if status else r.status_code in (200, 400)
    assert "detail" in r.json() or r.status_code == 200
    if r.status_code == 400:
        assert isinstance(r.json()["detail"], str)


def test_guide_for_a_reader_level(client: TestClient) -> None:
    r = client.get(f"/api/guide/{PID}", params={"level": 1})
    assert r.status_code == 200
    g = r.json()
    assert g["id"] == PID and g["reader_level"] == 1 and g["tldr"]
    assert g["problem"] and g["result"] and g["key_terms"]
    assert {"first_pass", "full_read"} <= set(g["reading_time"])
    assert 1 <= g["difficulty"]["level"] <= 5 and g["questions"]
    assert client.get(f"/api/guide/{PID}", params={"level": 9}).status_code == 422
    assert client.get(f"/api/guide/{PID}").json()["reader_level"] == 3  # default profile


def test_similar_and_its_views(client: TestClient) -> None:
    r = client.get(f"/api/similar/{PID}", params={"limit": 3})
    assert r.status_code == 200
    items = r.json()
    assert 0 < len(items) <= 3 and PID not in {i["id"] for i in items}
    assert {"id", "title", "score", "reason", "shared_terms", "url"} <= set(items[0])
    for params in ({"facet": "method"}, {"view": "approaches"}, {"view": "elsewhere"}):
        assert client.get(f"/api/similar/{PID}", params=params).status_code == 200
    assert client.get(f"/api/similar/{PID}", params={"facet": "colour"}).status_code == 422


def test_recommend(client: TestClient) -> None:
    r = client.get("/api/recommend", params={"liked": f"{PID},{ATTENTION}", "limit": 5})
    assert r.status_code == 200
    recs = r.json()
    assert 0 < len(recs) <= 5 and not {PID, ATTENTION} & {x["id"] for x in recs}
    assert all(x["title"] and x["reason"] for x in recs)
    cold = client.get("/api/recommend", params=[("liked", "reinforcement learning"),
                                                 ("disliked", PID)]).json()
    assert cold and PID not in {x["id"] for x in cold}
    assert client.get("/api/recommend").status_code == 400


def test_profile_get_and_put(client: TestClient) -> None:
    before = client.get("/api/profile").json()
    assert before["saved"] is False and before["math_comfort"] == 3
    r = client.put("/api/profile", json={"interests": ["diffusion models"], "math_comfort": 2,
                                         "hours_per_week": 4, "liked": [ATTENTION]})
    assert r.status_code == 200
    after = r.json()
    assert after == {"interests": ["diffusion models"], "math_comfort": 2,
                     "hours_per_week": 4.0, "papers_per_week": before["papers_per_week"],
                     "saved": True}
    assert client.get("/api/profile").json() == after
    bad = client.put("/api/profile", json={"math_comfort": 9})
    assert bad.status_code == 400 and "math comfort" in bad.json()["detail"]
    assert client.put("/api/profile", json={"liked": ["0000.00000"]}).status_code == 404
    assert client.put("/api/profile", json={"math_comfort": "lots"}).status_code == 422


def test_week_and_replanning(onboarded: TestClient) -> None:
    r = onboarded.get("/api/week")
    assert r.status_code == 200
    plan = r.json()
    assert plan["week"] == "2026-W48" and plan["items"]
    assert {"id", "title", "kind", "reason", "minutes", "mode", "status"} <= set(plan["items"][0])
    again = onboarded.post("/api/week/new")
    assert again.status_code == 200 and again.json()["fresh"] is True
    assert onboarded.get("/api/week", params={"week": "soon"}).status_code == 400


def test_read_feedback_explain_and_notes(client: TestClient, web_lib: Library) -> None:
    r = client.post("/api/read", json={"id": PID, "minutes": 40, "rating": 5})
    assert r.status_code == 201
    entry = r.json()
    assert (entry["id"], entry["status"], entry["minutes"], entry["rating"]) == (
        PID, "finished", 40, 5)
    assert PID in web_lib.coach.read_ids()
    assert client.post("/api/read", json={"id": PID, "rating": 7}).status_code == 400
    assert client.post("/api/read", json={"id": PID, "status": "skimmed"}).status_code == 422
    assert client.post("/api/read", json={"id": "0000.00000"}).status_code == 404
    assert client.post("/api/read", json={"minutes": 3}).status_code == 422

    r = client.post("/api/feedback", json={"id": PID, "signal": "like"})
    assert r.status_code == 200 and r.json() == {"id": PID, "signals": ["like"]}
    r = client.post("/api/feedback", json={"id": PID, "signal": "like", "on": False})
    assert r.json()["signals"] == []
    bad = client.post("/api/feedback", json={"id": PID, "signal": "love"})
    assert bad.status_code == 400 and "feedback is one of" in bad.json()["detail"]

    r = client.post("/api/explain", json={"id": PID, "text": EXPLANATION})
    assert r.status_code == 200
    score = r.json()
    assert 0 <= score["score"] <= 1 and score["verdict"] and score["covered"]
    assert {"kind", "label", "sentence", "similarity"} <= set(score["covered"][0])
    assert len(web_lib.coach.explanations(PID)) == 1
    client.post("/api/explain", json={"id": PID, "text": EXPLANATION, "save": False})
    assert len(web_lib.coach.explanations(PID)) == 1
    assert client.post("/api/explain", json={"id": PID, "text": "  "}).status_code == 400

    assert client.get(f"/api/notes/{PID}").json() == {"id": PID, "body": None}
    r = client.put(f"/api/notes/{PID}", json={"body": "Four steps instead of hundreds."})
    assert r.status_code == 200 and r.json()["body"] == "Four steps instead of hundreds."
    assert client.get(f"/api/notes/{PID}").json()["body"] == "Four steps instead of hundreds."
    assert client.put("/api/notes/0000.00000", json={"body": "x"}).status_code == 404


def test_reviews_due_and_reviewing(client: TestClient) -> None:
    assert client.get("/api/review/due").json() == []
    client.post("/api/read", json={"id": PID, "minutes": 30})
    due = client.get("/api/review/due").json()
    assert due, "finishing a paper makes review cards"
    card = due[0]
    assert {"id", "kind", "front", "back", "due", "state"} <= set(card)
    assert len(client.get("/api/review/due", params={"limit": 1}).json()) == 1
    r = client.post(f"/api/review/{card['id']}", json={"rating": "good"})
    assert r.status_code == 200
    reviewed = r.json()
    assert reviewed["id"] == card["id"] and reviewed["due"] > card["due"]
    assert client.post(f"/api/review/{card['id']}", json={"rating": 9}).status_code == 400
    assert client.post("/api/review/999999", json={"rating": 3}).status_code == 404
    assert client.post("/api/review/abc", json={"rating": 3}).status_code == 422


def test_progress_and_stats(client: TestClient, web_lib: Library) -> None:
    client.post("/api/read", json={"id": PID, "minutes": 30})
    r = client.get("/api/progress")
    assert r.status_code == 200
    prog = r.json()
    assert prog["totals"]["papers_read"] == 1 and prog["weeks"]
    assert prog["coverage"]["source"] in ("map", "category")
    assert client.get("/api/progress", params={"weeks": 0}).status_code == 422
    stats = client.get("/api/stats").json()
    assert stats["papers"] == len(web_lib) and stats["with_code"] >= 1
    assert stats["top_categories"][0]["papers"] >= 1


def test_jobs(client: TestClient) -> None:
    assert client.get("/api/jobs").json() == []
    jobs = client.app.state.jobs  # type: ignore[attr-defined]
    release = threading.Event()

    def work(lib: Library, report: Reporter) -> str:
        report(1, 4, "a quarter")
        release.wait(30)
        return "all done"

    job = jobs.start("test", "A test job", work)
    try:
        listed = client.get("/api/jobs").json()
        assert [j["id"] for j in listed] == [job.id]
        one = client.get(f"/api/jobs/{job.id}").json()
        assert one["kind"] == "test" and one["state"] in ("queued", "running")
    finally:
        release.set()
    jobs.wait(job.id)
    done = client.get(f"/api/jobs/{job.id}").json()
    assert done["state"] == "done" and done["message"] == "all done"
    assert done["fraction"] == 0.25 and done["finished"] >= done["started"]


def test_openapi_lists_every_route(client: TestClient) -> None:
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    listed = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert set(ROUTES) <= listed
    assert not any(path.startswith(("/map", "/paper", "/week")) for path in schema["paths"])
    models = schema["components"]["schemas"]
    assert {"PaperOut", "GuideOut", "WeekOut", "ProgressOut", "JobOut", "ReadIn"} <= set(models)
    search = schema["paths"]["/api/search"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"q", "limit", "offset", "category",
                                                        "since", "until", "code"}


def test_docs_page_is_offline_and_lists_the_routes(client: TestClient) -> None:
    r = client.get("/api/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    for method, path in ROUTES:
        assert f'{method.upper()}</span> {path}</h3>' in page, (method, path)
    assert "curl -s &#39;http://testserver/api/search?q=diffusion+models" in page
    assert "-X POST" in page and "Content-Type: application/json" in page
    assert "<h3>ReadIn</h3>" in page and "/api/openapi.json" in page
    assert "cdn" not in page.lower() and "swagger" not in page.lower()
