"""The map page: no map yet (the build button and its job), then the map of the small test
library (canon + 3 papers) with the reader's papers, its data routes and the text list."""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paperpath.library import Library
from paperpath.records import PaperRecord
from paperpath.web import create_app
from paperpath.web.jobs import Reporter
from paperpath.web.map_data import CHUNK

PID = "2611.00001"  # Score Distillation for Fast Video Diffusion (conftest)


def _build(client: TestClient) -> None:
    r = client.post("/map/build", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/map?msg=map-job&job=map-")
    job_id = r.headers["location"].rsplit("=", 1)[1]
    app = client.app
    job = app.state.jobs.wait(job_id, timeout=300)  # type: ignore[attr-defined]
    assert job.state == "done", (job.message, job.result)
    assert "The map is ready" in job.message


def test_no_map_offers_to_build_it_and_the_job_builds_it(client: TestClient,
                                                       web_lib: Library) -> None:
    r = client.get("/map")
    assert r.status_code == 200
    assert "There is no map yet" in r.text
    assert '<form method="post" action="/map/build">' in r.text
    assert "plotly.min.js" not in r.text  # nothing to draw: no 4.8 MB script
    assert client.get("/map/points.json").status_code == 404
    web_lib.coach.read(PID, minutes=20)
    _build(client)
    page = client.get("/map").text
    assert "There is no map yet" not in page
    assert 'id="fieldmap"' in page and "/vendor/plotly.min.js?v=" in page
    assert "Areas of the field" in page and "1 read" in page
    data = client.get("/map/points.json").json()
    assert data["n"] == len(web_lib)
    read = next(h for h in data["highlights"] if h["kind"] == "read")
    assert [p["id"] for p in read["points"]] == [PID]


def test_a_running_job_shows_its_progress_and_a_failed_one_its_reason(
        client: TestClient) -> None:
    jobs = client.app.state.jobs  # type: ignore[attr-defined]
    release = threading.Event()

    def slow(lib: Library, report: Reporter) -> str:
        report(3, 10, "laying out the map (3 of 10)")
        release.wait(30)
        raise ValueError("the library has no embedded papers to map")

    job = jobs.start("map", "Building the map", slow)
    try:
        time.sleep(0.1)
        page = client.get(f"/map?job={job.id}").text
        assert f'data-job="{job.id}"' in page and "<progress" in page
        assert "laying out the map (3 of 10)" in page
        assert "Build the map</button>" not in page  # one build at a time
        # a second build joins the running one
        r = client.post("/map/build", follow_redirects=False)
        assert r.headers["location"].endswith(f"job={job.id}")
        assert client.get(f"/api/jobs/{job.id}").json()["state"] == "running"
    finally:
        release.set()
    assert jobs.wait(job.id).state == "failed"
    page = client.get(f"/map?job={job.id}").text
    assert "no embedded papers" in page and "Build the map</button>" in page


# -- one map, built once for the tests below ----------------------------------------------
EXTRA = [PaperRecord(title=f"Paper number {i} about graph neural networks",
                     abstract="We study message passing on graphs and its over-smoothing.",
                     arxiv_id=f"2611.1{i:04d}", categories=["cs.LG"]) for i in range(3)]


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAPERPATH_NOW", "2026-11-25T10:00:00")
        lib = Library(Path(tmp_path_factory.mktemp("mapped")) / "map.db")
        lib.coach.seed_canon()
        lib.add_records(EXTRA)
        lib.coach.read("2611.10000", minutes=30)
        lib.coach.feedback("2611.10001", "like")
        with TestClient(create_app(lib, seed=False)) as c:
            _build(c)
            yield c
        lib.close()


def test_points_json_lists_clusters_and_the_readers_papers(mapped: TestClient) -> None:
    r = mapped.get("/map/points.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    data = r.json()
    n = data["n"]
    assert n > 300
    clusters = data["clusters"]
    assert clusters and sum(c["count"] for c in clusters) == n
    starts = [c["start"] for c in clusters]
    assert starts == sorted(starts) and starts[0] == 0  # one run of points per cluster
    assert all(c["label"] and c["colour"].startswith("#") for c in clusters)
    kinds = {h["kind"]: h for h in data["highlights"]}
    assert [p["id"] for p in kinds["read"]["points"]] == ["2611.10000"]
    assert [p["id"] for p in kinds["liked"]["points"]] == ["2611.10001"]
    assert kinds["liked"]["points"][0]["title"] == "Paper number 1 about graph neural networks"
    assert data["coords"] == f"/map/points.bin?v={data['version']}"
    # unchanged: the browser's copy is still good
    assert mapped.get("/map/points.json",
                      headers={"if-none-match": r.headers["etag"]}).status_code == 304


def test_points_bin_holds_the_coordinates(mapped: TestClient) -> None:
    data = mapped.get("/map/points.json").json()
    r = mapped.get(data["coords"])
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    assert "immutable" in r.headers["cache-control"]
    n = data["n"]
    assert len(r.content) == 4 * n
    xs = struct.unpack(f"<{n}H", r.content[:2 * n])
    assert min(xs) == 0 and max(xs) == 65535  # spread over the bounds
    x0, _y0, x1, _y1 = data["bounds"]
    assert x1 > x0
    stale = mapped.get("/map/points.bin?v=old")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    assert mapped.get(data["coords"], headers={"if-none-match": r.headers["etag"]}
                      ).status_code == 304


def test_titles_come_in_chunks(mapped: TestClient) -> None:
    data = mapped.get("/map/points.json").json()
    r = mapped.get(data["titles"].replace("{chunk}", "0"))
    assert r.status_code == 200
    chunk = r.json()
    assert chunk["start"] == 0 and len(chunk["ids"]) == len(chunk["titles"]) == min(CHUNK,
                                                                                    data["n"])
    liked = next(h for h in data["highlights"] if h["kind"] == "liked")["points"][0]
    assert chunk["ids"][liked["i"]] == "2611.10001"
    assert chunk["titles"][liked["i"]] == liked["title"]
    assert mapped.get("/map/titles/99.json").status_code == 404


def test_locate_finds_papers_by_id_and_title_words(mapped: TestClient) -> None:
    r = mapped.get("/map/locate", params={"q": "1706.03762"})  # Attention Is All You Need
    found = r.json()["points"]
    assert r.status_code == 200 and [p["id"] for p in found] == ["1706.03762"]
    assert "Attention" in found[0]["title"] and found[0]["area"]
    r = mapped.get("/map/locate", params={"q": "graph neural networks over-smoothing"})
    ids = [p["id"] for p in r.json()["points"]]
    assert set(ids[:3]) == {"2611.10000", "2611.10001", "2611.10002"}
    assert mapped.get("/map/locate", params={"q": ""}).json()["points"] == []
    assert mapped.get("/map/locate", params={"q": "zzzqqqxxy"}).json()["points"] == []


def test_a_click_on_a_point_opens_its_paper(mapped: TestClient) -> None:
    data = mapped.get("/map/points.json").json()
    liked = next(h for h in data["highlights"] if h["kind"] == "liked")["points"][0]
    r = mapped.get(f"/map/go/{liked['i']}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/paper/2611.10001"
    assert mapped.get(f"/map/go/{data['n']}").status_code == 404


def test_the_page_has_search_legend_and_a_text_alternative(mapped: TestClient) -> None:
    r = mapped.get("/map")
    assert r.status_code == 200
    page = r.text
    assert '<label for="map-q">' in page and 'role="search"' in page
    assert 'role="img"' in page and "aria-label=" in page
    assert "read (1)" in page and "liked (1)" in page  # the key
    assert page.count('data-zoom-area="') >= 2  # each area listed, with its size
    assert "papers" in page and "1 read" in page
    assert '<script src="/static/map.js" defer>' in page


def test_the_search_works_without_javascript(mapped: TestClient) -> None:
    r = mapped.get("/map", params={"q": "Attention Is All You Need"})
    assert r.status_code == 200
    assert 'href="/paper/1706.03762"' in r.text
    assert "on the map for “Attention Is All You Need”" in r.text


def test_new_papers_are_offered_to_the_map(mapped: TestClient) -> None:
    lib: Library = mapped.app.state.lib  # type: ignore[attr-defined]
    lib.add_records([PaperRecord(title="A paper added after the map", abstract="Nothing.",
                                 arxiv_id="2611.19999", categories=["cs.LG"])])
    page = mapped.get("/map").text
    assert "1 paper of your library is not on the map yet." in page
    assert "Update the map" in page
    found = mapped.get("/map/locate", params={"q": "2611.19999"}).json()
    assert found["points"] == [] and "not on the map yet" in found["note"]
    assert "is in your library but not on the map yet" in mapped.get(
        "/map", params={"q": "2611.19999"}).text
