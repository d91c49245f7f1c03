"""LocalServer: the app on a real socket in a thread."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from paperpath.web.local_server import LocalServer


def test_serves_on_a_free_loopback_port_and_stops() -> None:
    app = FastAPI()

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"ok": "yes"}

    server = LocalServer(app)
    with server as url:
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(url + "/ping", timeout=10).json() == {"ok": "yes"}
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "/ping", timeout=2)


# The failed bind raises in the server's thread; that is what the test provokes.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_server_that_cannot_start_is_an_error() -> None:
    server = LocalServer(FastAPI(), start_timeout=5)
    server._server.config.host = "256.0.0.1"  # not an address: the bind fails
    with pytest.raises(RuntimeError, match=r"stopped while starting|did not start"), server:
        pass
