"""The app on a real socket in a background thread: for the browser tests, the benchmark
and scripts that drive the web app with a browser (`paperpath serve` runs uvicorn itself)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from fastapi import FastAPI


class LocalServer:
    """``with LocalServer(app) as url:`` serves ``app`` on 127.0.0.1 at a free port."""

    def __init__(self, app: FastAPI, *, start_timeout: float = 60.0) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                     log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True,
                                        name="paperpath-local-server")
        self._timeout = start_timeout

    def __enter__(self) -> str:
        self._thread.start()
        deadline = time.time() + self._timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"{self.url}: the web server stopped while starting "
                                   "(its error is above)")
            if time.time() > deadline:
                raise RuntimeError(f"{self.url}: the web server did not start in "
                                   f"{self._timeout:g} s")
            time.sleep(0.05)
        return self.url

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
