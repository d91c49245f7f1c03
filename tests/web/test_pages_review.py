"""The review page: a session of due cards (front, reveal, rate), its errors and its end."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from paperpath.coach.review import Reviewer
from paperpath.library import Library
from paperpath.store.schema import review_log

PID = "2611.00001"  # Score Distillation for Fast Video Diffusion (conftest)


def read_paper(client: TestClient, pid: str = PID) -> None:
    r = client.post("/papers/read", data={"id": pid, "minutes": "30", "rating": "4",
                                          "status": "finished"}, follow_redirects=False)
    assert r.status_code == 303


def shown_card(page: str) -> int:
    found = re.search(r'action="/review/(\d+)"', page)
    assert found, "no card on the page"
    return int(found.group(1))


def shown_due(page: str) -> str:
    found = re.search(r'name="shown_due" value="([^"]+)"', page)
    assert found
    return found.group(1)


def reviews(lib: Library) -> list[tuple[int, int, int | None]]:
    with lib.engine.connect() as conn:
        return [(r.card_id, r.rating, r.duration_ms) for r in conn.execute(
            select(review_log).order_by(review_log.c.id))]


def test_a_fresh_reader_is_told_how_cards_appear(client: TestClient) -> None:
    r = client.get("/review")
    assert r.status_code == 200
    assert "No review cards yet" in r.text
    assert "mark a paper read" in r.text and 'href="/week"' in r.text
    assert 'action="/review/' not in r.text


def test_a_due_card_shows_its_front_and_hides_the_answer(client: TestClient,
                                                         web_lib: Library) -> None:
    read_paper(client)
    r = client.get("/review")
    assert r.status_code == 200
    page = r.text
    card = Reviewer(web_lib).card(shown_card(page))
    due = Reviewer(web_lib).due_count()
    assert due >= 1 and f"<b>{due}</b> card" in page and "due now" in page
    assert card.front in page or f"What is “{card.front}”?" in page
    assert re.search(r'id="answer"[^>]*hidden', page)  # revealed by the link or by JS
    assert re.search(r'id="rate"[^>]*hidden', page)
    assert f'href="/review?card={card.id}&amp;show=1&amp;done=0"' in page
    assert "<kbd>Space</kbd>" in page and "<kbd>1</kbd>" in page and "<kbd>4</kbd>" in page
    assert '<script src="/static/review.js" defer></script>' in page


def test_show_reveals_the_answer_and_the_ratings(client: TestClient, web_lib: Library) -> None:
    read_paper(client)
    card_id = shown_card(client.get("/review").text)
    page = client.get(f"/review?card={card_id}&show=1").text
    card = Reviewer(web_lib).card(card_id)
    assert card.back in page.replace("&#39;", "'").replace("&quot;", '"')
    assert not re.search(r'id="answer"[^>]*hidden', page)
    assert not re.search(r'id="rate"[^>]*hidden', page) and 'id="reveal"' not in page
    for value, label in (("again", "Again"), ("hard", "Hard"), ("good", "Good"),
                         ("easy", "Easy")):
        assert f'name="rating" value="{value}"' in page and label in page
    assert "in 10 days" in page or "days" in page  # when each rating brings it back


def test_rating_moves_to_the_next_card_and_logs_the_review(client: TestClient,
                                                           web_lib: Library) -> None:
    read_paper(client)
    page = client.get("/review").text  # makes the cards
    before = Reviewer(web_lib).due_count()
    first = shown_card(page)
    r = client.post(f"/review/{first}", data={"rating": "good", "done": "0",
                                              "shown_due": shown_due(page),
                                              "duration_ms": "4200"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/review?done=1&last={first}"
    assert reviews(web_lib) == [(first, 3, 4200)]
    page = client.get(r.headers["location"]).text
    assert shown_card(page) != first
    assert "<b>1</b> reviewed this session" in page and "Last card" in page
    assert Reviewer(web_lib).due_count() == before - 1
    # Ratings by number work too; a duration that cannot be real is dropped.
    second = shown_card(page)
    r = client.post(f"/review/{second}", data={"rating": "4", "done": "1",
                                               "duration_ms": "-3"}, follow_redirects=False)
    assert r.status_code == 303 and "done=2" in r.headers["location"]
    assert reviews(web_lib)[-1] == (second, 4, None)


def test_rating_every_card_ends_with_all_done(client: TestClient, web_lib: Library) -> None:
    read_paper(client)
    done = 0
    for _ in range(50):
        page = client.get(f"/review?done={done}").text
        if 'action="/review/' not in page:
            break
        r = client.post(f"/review/{shown_card(page)}", data={"rating": "easy",
                                                             "done": str(done)})
        assert r.status_code == 200
        done += 1
    else:
        raise AssertionError("the session never ended")
    assert done >= 1 and "All done for now" in page
    assert f"You reviewed {done} card" in page
    assert "the next card is due <b>in " in page and 'href="/week"' in page
    assert len(reviews(web_lib)) == done


def test_a_second_post_of_the_same_card_is_not_a_second_review(client: TestClient,
                                                               web_lib: Library) -> None:
    read_paper(client)
    page = client.get("/review").text
    card_id, due = shown_card(page), shown_due(page)
    form = {"rating": "again", "done": "0", "shown_due": due}
    assert client.post(f"/review/{card_id}", data=form, follow_redirects=False
                       ).status_code == 303
    r = client.post(f"/review/{card_id}", data=form, follow_redirects=False)
    assert r.status_code == 303 and "msg=review-stale" in r.headers["location"]
    assert len(reviews(web_lib)) == 1
    assert "already rated" in client.get(r.headers["location"]).text


def test_unknown_cards_are_404(client: TestClient) -> None:
    read_paper(client)
    for path in ("/review/99999", "/review/abc"):
        r = client.post(path, data={"rating": "good"})
        assert r.status_code == 404 and "no such review card" in r.text
    assert client.get("/review?card=99999").status_code == 404
    assert client.get("/review?card=x").status_code == 404
    assert client.post("/review/99999/suspend").status_code == 404


def test_bad_ratings_are_400(client: TestClient, web_lib: Library) -> None:
    read_paper(client)
    card_id = shown_card(client.get("/review").text)
    for rating in ("great", "0", "5", ""):
        r = client.post(f"/review/{card_id}", data={"rating": rating})
        assert r.status_code == 400, rating
        assert "rate 1 (again), 2 (hard), 3 (good) or 4 (easy)" in r.text
    assert reviews(web_lib) == []


def test_suspending_a_card_takes_it_out(client: TestClient, web_lib: Library) -> None:
    read_paper(client)
    card_id = shown_card(client.get("/review").text)
    before = Reviewer(web_lib).due_count()
    r = client.post(f"/review/{card_id}/suspend", data={"done": "0"}, follow_redirects=False)
    assert r.status_code == 303 and "msg=review-suspended" in r.headers["location"]
    assert Reviewer(web_lib).card(card_id).suspended
    assert Reviewer(web_lib).due_count() == before - 1
    page = client.get(r.headers["location"]).text
    assert "Card suspended" in page
    r = client.post(f"/review/{card_id}", data={"rating": "good"})
    assert r.status_code == 400 and "suspended" in r.text


def test_explanations_become_cards(client: TestClient, web_lib: Library) -> None:
    web_lib.coach.explain(PID, "Sampling video diffusion is slow; distilling the score into "
                               "a four-step student keeps quality at a twentieth of the cost.")
    client.get("/review")
    kinds = {c.kind for c in Reviewer(web_lib).cards()}
    assert "explanation" in kinds


def test_the_review_script_is_served(client: TestClient) -> None:
    r = client.get("/static/review.js")
    assert r.status_code == 200
    assert "keydown" in r.text and "duration_ms" in r.text
