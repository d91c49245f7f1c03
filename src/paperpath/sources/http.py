"""A polite HTTP client for the online sources (arXiv API, feeds).

Polite means: a minimum interval between requests to the same host (arXiv asks for one
request every 3 seconds), retries with exponential backoff on overload answers (429/5xx) and
network faults, `Retry-After` honoured, explicit timeouts, a User-Agent that says who we are,
and a cap on response size. Every failure surfaces as one `HttpError` with a one-line
message naming the URL and the problem, ready to show to a person.
"""

from __future__ import annotations

import errno
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib import metadata
from urllib.parse import urlsplit

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_INTERVAL = 1.0
# Hosts whose operators publish a stricter rate: arXiv's API terms ask for 3 s between calls.
HOST_INTERVALS: dict[str, float] = {"export.arxiv.org": 3.0, "arxiv.org": 3.0}
MAX_BYTES = 50 * 1024 * 1024


def _version() -> str:
    # Not `paperpath.__version__`: importing the package root from here would be circular.
    try:
        return metadata.version("paperpath")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


USER_AGENT = f"paperpath/{_version()} (+https://github.com/paperpath)"


class HttpError(RuntimeError):
    """A request that failed for good; str() is one line naming the URL and the problem."""

    def __init__(self, url: str, problem: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = problem
        self.status = status


@dataclass(slots=True)
class Response:
    """A completed response (body fully read, within the size cap)."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def _retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _describe(exc: httpx.TransportError, timeouts: httpx.Timeout) -> str:
    """A short human reason for a transport failure."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"cannot connect (timed out after {timeouts.connect:g} s)"
    if isinstance(exc, httpx.ReadTimeout):
        return f"no response within {timeouts.read:g} s (read timeout)"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        cause = exc.__context__ or exc.__cause__
        err = getattr(cause, "errno", None)
        text = str(exc).lower()
        if err == errno.ECONNREFUSED or "refused" in text:
            return "cannot connect (connection refused)"
        if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
            return "cannot connect (host name not found)"
        return f"cannot connect ({exc or type(exc).__name__})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "connection closed by server"
    return f"network error ({exc or type(exc).__name__})"


class PoliteClient:
    """Sequential, rate-limited, retrying GET client. Thread-safe; reuse one per session.

    `min_interval` is the gap (seconds) kept after each request to a host before the next one
    to that host starts; `host_intervals` overrides it per host (arXiv: 3 s). `tries` counts
    the first attempt. Backoff doubles from `backoff` up to `max_backoff`; a Retry-After above
    `max_retry_after` is not waited for and fails the request instead.
    """

    def __init__(
        self,
        *,
        min_interval: float = DEFAULT_INTERVAL,
        host_intervals: Mapping[str, float] | None = None,
        tries: int = 3,
        backoff: float = 2.0,
        max_backoff: float = 60.0,
        max_retry_after: float = 300.0,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        max_bytes: int = MAX_BYTES,
        user_agent: str = USER_AGENT,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if tries < 1:
            raise ValueError("tries must be at least 1")
        self.min_interval = min_interval
        self.host_intervals = dict(HOST_INTERVALS if host_intervals is None else host_intervals)
        self.tries = tries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.max_bytes = max_bytes
        self.timeouts = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._sleep = sleep
        self._last: dict[str, float] = {}  # host -> monotonic time its last request ended
        self._lock = threading.Lock()
        self._client = httpx.Client(
            timeout=self.timeouts,
            headers={"User-Agent": user_agent},
            follow_redirects=True,
            transport=transport,
        )
        self.requests = 0  # attempts sent, for reports and tests

    # -- lifecycle --------------------------------------------------------------------------
    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ---------------------------------------------------------------------------
    def interval_for(self, host: str) -> float:
        return self.host_intervals.get(host, self.min_interval)

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        accept: Collection[int] = (200,),
    ) -> Response:
        """GET url, retrying transient failures; statuses in `accept` are returned, any
        other final status raises HttpError."""
        host = urlsplit(url).hostname or ""
        if urlsplit(url).scheme not in ("http", "https") or not host:
            raise HttpError(url, "not an http(s) URL")
        with self._lock:
            return self._get(url, host, params, headers, accept)

    def _get(self, url: str, host: str, params: Mapping[str, str | int] | None,
             headers: Mapping[str, str] | None, accept: Collection[int]) -> Response:
        problem = ""
        last_status: int | None = None
        for attempt in range(1, self.tries + 1):
            self._wait_turn(host)
            wait: float | None = None
            try:
                resp = self._send(url, params, headers)
            except httpx.UnsupportedProtocol:
                raise HttpError(url, "not an http(s) URL") from None
            except httpx.InvalidURL as exc:
                raise HttpError(url, f"invalid URL ({exc})") from None
            except httpx.TooManyRedirects:
                raise HttpError(url, "too many redirects") from None
            except httpx.TransportError as exc:
                problem, last_status = _describe(exc, self.timeouts), None
            except httpx.HTTPError as exc:  # e.g. a corrupt gzip body: retrying won't help
                raise HttpError(url, f"bad response ({exc})") from None
            else:
                if resp.status in accept:
                    return resp
                last_status = resp.status
                reason = httpx.codes.get_reason_phrase(resp.status)
                problem = f"HTTP {resp.status}" + (f" {reason}" if reason else "")
                if resp.status not in RETRY_STATUSES:
                    raise HttpError(url, problem, resp.status)
                wait = _retry_after(resp.headers.get("Retry-After"))
                if wait is not None and wait > self.max_retry_after:
                    raise HttpError(url, f"{problem}; server asks to retry after {wait:.0f} s",
                                    resp.status)
            if attempt == self.tries:
                break
            backoff = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
            self._sleep(max(backoff, wait or 0.0))
        tries = "try" if self.tries == 1 else "tries"
        raise HttpError(url, f"{problem} after {self.tries} {tries}", last_status)

    def _wait_turn(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            remaining = last + self.interval_for(host) - time.monotonic()
            if remaining > 0:
                self._sleep(remaining)

    def _send(self, url: str, params: Mapping[str, str | int] | None,
              headers: Mapping[str, str] | None) -> Response:
        self.requests += 1
        host = urlsplit(url).hostname or ""
        try:
            with self._client.stream("GET", url, params=params, headers=headers) as resp:
                declared = resp.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise HttpError(url, f"response too large ({int(declared)} bytes, limit "
                                         f"{self.max_bytes})", resp.status_code)
                chunks: list[bytes] = []
                size = 0
                # Counted after decompression, so a gzip bomb cannot slip past the cap.
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise HttpError(url, f"response larger than the {self.max_bytes}-byte "
                                             "limit", resp.status_code)
                    chunks.append(chunk)
                return Response(str(resp.url), resp.status_code, resp.headers, b"".join(chunks))
        finally:
            # Spacing counts from the end of a request, so a slow answer never shortens it.
            self._last[host] = time.monotonic()


_shared: PoliteClient | None = None
_shared_lock = threading.Lock()


def shared_client() -> PoliteClient:
    """The process-wide default client. Sharing one keeps per-host spacing (3 s for arXiv,
    1 s elsewhere) across separate calls and sources."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = PoliteClient()
        return _shared
