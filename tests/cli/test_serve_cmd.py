"""`paperpath serve`: loopback only, and a real server answering on a real socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from paperpath.cli.app import app
from paperpath.cli.serve_cmd import is_loopback

runner = CliRunner()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.invalid"])
def test_non_loopback_hosts(host: str) -> None:
    assert not is_loopback(host)


def test_serve_refuses_a_public_bind(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--db", str(tmp_path / "l.db")])
    assert result.exit_code == 1
    assert "--host 0.0.0.0" in result.output and "no accounts yet" in result.output
    assert not (tmp_path / "l.db").exists()  # refused before touching anything


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_seeds_the_canon_and_prints_the_url(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PAPERPATH_DB": str(tmp_path / "lib.db"), "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "paperpath.cli.app", "serve", "--port",
                             str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.time() < deadline, "server did not start"
                time.sleep(0.2)
        assert r.status_code == 303 and r.headers["location"] == "/onboarding"
        page = httpx.get(f"http://127.0.0.1:{port}/onboarding", timeout=10)
        assert page.status_code == 200 and "let's plan your weekly reading" in page.text
        css = httpx.get(f"http://127.0.0.1:{port}/static/app.css", timeout=10)
        assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert f"paperpath is running at http://127.0.0.1:{port}/" in out
    assert "landmark papers from the built-in canon" in out
    assert "paperpath ingest" in out  # the hint for filling a new library
