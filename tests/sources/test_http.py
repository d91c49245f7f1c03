"""PoliteClient against a real local server: retries, Retry-After, spacing, timeouts, limits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from paperpath.sources.http import USER_AGENT, HttpError, PoliteClient, _retry_after


class Script:
    """Answers requests from a list (the last answer repeats) and notes arrival times."""

    def __init__(self, *answers: Callable[[Request], Response]) -> None:
        self.answers = list(answers)
        self.times: list[float] = []
        self.headers: list[dict[str, str]] = []

    def __call__(self, request: Request) -> Response:
        self.times.append(time.monotonic())
        self.headers.append(dict(request.headers.items()))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request)


def ok(body: bytes = b"hello") -> Callable[[Request], Response]:
    return lambda _r: Response(body, 200)


def status(code: int, headers: dict[str, str] | None = None) -> Callable[[Request], Response]:
    return lambda _r: Response(b"nope", code, headers=headers or {})


def serve(httpserver: HTTPServer, script: Script, path: str = "/x") -> str:
    httpserver.expect_request(path).respond_with_handler(script)
    return httpserver.url_for(path)


def test_get_returns_body_and_sends_user_agent(httpserver: HTTPServer,
                                               client: PoliteClient) -> None:
    script = Script(ok(b"payload"))
    url = serve(httpserver, script)
    resp = client.get(url, params={"q": "a b"})
    assert resp.status == 200 and resp.content == b"payload"
    assert script.headers[0]["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("paperpath/") and "(+https://github.com/paperpath)" in USER_AGENT


def test_429_then_success_honours_retry_after(httpserver: HTTPServer) -> None:
    script = Script(status(429, {"Retry-After": "1"}), ok())
    url = serve(httpserver, script)
    with PoliteClient(min_interval=0.0, host_intervals={}, backoff=0.01) as c:
        resp = c.get(url)
    assert resp.status == 200
    assert len(script.times) == 2
    # The backoff alone would be 10 ms: the one-second wait is the server's Retry-After.
    assert script.times[1] - script.times[0] >= 0.95


def test_503_retries_then_fails_with_one_line_message(httpserver: HTTPServer,
                                                      client: PoliteClient) -> None:
    script = Script(status(503))
    url = serve(httpserver, script)
    with pytest.raises(HttpError) as err:
        client.get(url)
    assert str(err.value) == f"{url}: HTTP 503 Service Unavailable after 3 tries"
    assert err.value.status == 503
    assert len(script.times) == 3
    assert "\n" not in str(err.value)


def test_backoff_grows_between_retries(httpserver: HTTPServer) -> None:
    script = Script(status(502))
    url = serve(httpserver, script)
    with (PoliteClient(min_interval=0.0, host_intervals={}, tries=3, backoff=0.1) as c,
          pytest.raises(HttpError)):
        c.get(url)
    gaps = [b - a for a, b in zip(script.times, script.times[1:], strict=False)]
    assert gaps[0] >= 0.09 and gaps[1] >= 0.19  # 0.1 s, then doubled


def test_404_is_not_retried(httpserver: HTTPServer, client: PoliteClient) -> None:
    script = Script(status(404))
    url = serve(httpserver, script)
    with pytest.raises(HttpError, match=r": HTTP 404 Not Found$"):
        client.get(url)
    assert len(script.times) == 1


def test_accepted_status_is_returned(httpserver: HTTPServer, client: PoliteClient) -> None:
    url = serve(httpserver, Script(status(304)))
    assert client.get(url, accept=(200, 304)).status == 304


def test_retry_after_too_long_fails_at_once(httpserver: HTTPServer,
                                            client: PoliteClient) -> None:
    script = Script(status(503, {"Retry-After": "3600"}))
    url = serve(httpserver, script)
    with pytest.raises(HttpError, match="retry after 3600 s"):
        client.get(url)
    assert len(script.times) == 1


def test_unreachable_host(closed_port: int, client: PoliteClient) -> None:
    url = f"http://127.0.0.1:{closed_port}/api/query"
    with pytest.raises(HttpError) as err:
        client.get(url)
    assert str(err.value) == f"{url}: cannot connect (connection refused) after 3 tries"


def test_read_timeout(httpserver: HTTPServer) -> None:
    def slow(_r: Request) -> Response:
        time.sleep(0.5)
        return Response(b"late")

    url = serve(httpserver, Script(slow))
    with PoliteClient(min_interval=0.0, host_intervals={}, tries=1, read_timeout=0.2) as c:
        start = time.monotonic()
        with pytest.raises(HttpError) as err:
            c.get(url)
    assert str(err.value) == f"{url}: no response within 0.2 s (read timeout) after 1 try"
    assert time.monotonic() - start < 0.45


def test_minimum_interval_between_requests(httpserver: HTTPServer) -> None:
    script = Script(ok())
    url = serve(httpserver, script)
    interval = 0.15
    with PoliteClient(min_interval=interval, host_intervals={}) as c:
        for _ in range(4):
            c.get(url)
    gaps = [b - a for a, b in zip(script.times, script.times[1:], strict=False)]
    assert len(gaps) == 3
    assert min(gaps) >= interval * 0.95, gaps


def test_host_interval_overrides_default(httpserver: HTTPServer) -> None:
    script = Script(ok())
    url = serve(httpserver, script)
    with PoliteClient(min_interval=0.0, host_intervals={"localhost": 0.2, "127.0.0.1": 0.2}
                      ) as c:
        c.get(url)
        c.get(url)
    assert script.times[1] - script.times[0] >= 0.19


def test_response_size_cap_with_content_length(httpserver: HTTPServer) -> None:
    url = serve(httpserver, Script(ok(b"x" * 5000)))
    with PoliteClient(min_interval=0.0, max_bytes=1000) as c, \
            pytest.raises(HttpError, match="too large"):
        c.get(url)


def test_response_size_cap_when_streamed(httpserver: HTTPServer) -> None:
    def chunked(_r: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(10):
                yield b"y" * 500
        return Response(body(), 200)  # no Content-Length: sent chunked

    url = serve(httpserver, Script(chunked))
    with PoliteClient(min_interval=0.0, max_bytes=1000) as c, \
            pytest.raises(HttpError, match="larger than the 1000-byte limit"):
        c.get(url)


def test_not_http_url(client: PoliteClient) -> None:
    with pytest.raises(HttpError, match="not an http"):
        client.get("ftp://example.org/feed")


def test_retry_after_parsing() -> None:
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert _retry_after("7") == 7.0
    assert _retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert _retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0.0
    assert _retry_after("soon") is None
    assert _retry_after(None) is None
