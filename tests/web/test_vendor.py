"""plotly.js served from the installed plotly package (offline, cached for good), and no page
loading a script from the network."""

from __future__ import annotations

import re
from importlib import metadata, resources

from fastapi.testclient import TestClient


def test_plotly_js_is_served_from_the_package(client: TestClient) -> None:
    r = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "identity"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert "immutable" in r.headers["cache-control"]
    assert metadata.version("plotly") in r.headers["etag"]
    bundled = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    assert r.content == bundled
    assert r.headers.get("content-encoding") is None


def test_plotly_js_is_gzipped_when_asked_and_revalidates(client: TestClient) -> None:
    r = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) < len(r.content) / 2  # httpx decompressed it
    again = client.get("/vendor/plotly.min.js", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


SCRIPT_SRC = re.compile(r"<script[^>]*\bsrc=[\"']?([^\"' >]+)", re.I)
STYLE_HREF = re.compile(r"<link[^>]*\bhref=[\"']?([^\"' >]+)", re.I)


def test_no_page_loads_a_script_from_the_network(onboarded: TestClient) -> None:
    pages = ["/week", "/paper/2611.00001", "/map", "/api/docs", "/onboarding"]
    for url in pages:
        r = onboarded.get(url)
        assert r.status_code == 200, url
        for src in SCRIPT_SRC.findall(r.text) + STYLE_HREF.findall(r.text):
            assert not src.startswith(("http:", "https:", "//")), (url, src)
            assert onboarded.get(src).status_code == 200, (url, src)
