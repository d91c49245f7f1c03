"""Fixtures for the online sources: a fast polite client and a fake arXiv API."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

# Make the helper modules next to this file importable whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).parent))

from atom_fixtures import FakeArxiv

from paperpath.sources.http import PoliteClient

API_PATH = "/api/query"


@pytest.fixture
def client() -> Iterator[PoliteClient]:
    """Tiny spacing and backoff so retry tests stay fast; short timeouts for timeout tests."""
    c = PoliteClient(min_interval=0.0, host_intervals={}, tries=3, backoff=0.01,
                     connect_timeout=1.0, read_timeout=0.5)
    yield c
    c.close()


@pytest.fixture
def fake_arxiv(httpserver: HTTPServer) -> FakeArxiv:
    fake = FakeArxiv()
    httpserver.expect_request(API_PATH).respond_with_handler(fake)
    return fake


@pytest.fixture
def api_url(httpserver: HTTPServer, fake_arxiv: FakeArxiv) -> str:
    return httpserver.url_for(API_PATH)


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
