"""`paperpath sync` and `paperpath feeds ...` end to end against local servers."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import typer
from atom_fixtures import FakeArxiv, corpus_papers
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner, Result
from werkzeug.wrappers import Response

from paperpath.cli import feeds_cmds, sync_cmds
from paperpath.sources import http
from paperpath.sources.http import PoliteClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, client: PoliteClient) -> typer.Typer:
    # The commands use the process-wide client; make it fast for tests.
    monkeypatch.setattr(http, "_shared", client)
    cli = typer.Typer()
    sync_cmds.register(cli)
    feeds_cmds.register(cli)
    return cli


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "lib.db")


def run(app: typer.Typer, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def test_sync_json(app: typer.Typer, db: str, fake_arxiv: FakeArxiv, api_url: str) -> None:
    fake_arxiv.papers = corpus_papers(12, datetime(2025, 4, 1, 8), step=timedelta(hours=3),
                                      category="cs.LG")
    res = run(app, "sync", "--category", "cs.LG", "--since", "2025-04-01", "--until",
              "2025-04-02", "--json", "--db", db, env={"PAPERPATH_ARXIV_API": api_url})
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["status"] == "done" and report["inserted"] == 12
    assert report["key"] == "arxiv:cat:cs.LG"
    assert report["since"] == "2025-04-01T00:00:00" and report["until"] == "2025-04-02T23:59:00"


def test_sync_max_then_continue_plain_output(app: typer.Typer, db: str, fake_arxiv: FakeArxiv,
                                             api_url: str) -> None:
    fake_arxiv.papers = corpus_papers(5, datetime(2025, 4, 1, 8), category="cs.LG")
    env = {"PAPERPATH_ARXIV_API": api_url}
    res = run(app, "sync", "-c", "cs.LG", "--since", "2025-04-01", "--until", "2025-04-03",
              "--max", "3", "--db", db, env=env)
    assert res.exit_code == 0, res.output
    assert "3 new" in res.stdout and "run sync again to continue" in res.stdout
    res = run(app, "sync", "-c", "cs.LG", "--db", db, "--json", env=env)
    report = json.loads(res.stdout)
    assert report["resumed_from"] == 3 and report["inserted"] == 2


def test_sync_network_failure_is_one_line(app: typer.Typer, db: str, closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/api/query"
    res = run(app, "sync", "--category", "cs.LG", "--db", db, env={"PAPERPATH_ARXIV_API": url})
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert errors == [f"error: {url}: cannot connect (connection refused) after 3 tries"]


def test_sync_argument_errors(app: typer.Typer, db: str) -> None:
    res = run(app, "sync", "--db", db)
    assert res.exit_code == 1 and "give --category" in res.stderr
    res = run(app, "sync", "--category", "cs.LG OR x", "--db", db)
    assert res.exit_code == 1 and "not an arXiv category" in res.stderr
    res = run(app, "sync", "--category", "cs.LG", "--since", "yesterday", "--db", db)
    assert res.exit_code == 1 and "not a date" in res.stderr
    assert "Traceback" not in res.output


def test_feeds_commands(app: typer.Typer, db: str, httpserver: HTTPServer,
                        fake_arxiv: FakeArxiv, api_url: str) -> None:
    body = (FIXTURES / "youtube.xml").read_bytes()
    httpserver.expect_request("/feeds/yt.xml").respond_with_handler(
        lambda _r: Response(body, 200, content_type="application/atom+xml"))
    feed = httpserver.url_for("/feeds/yt.xml")
    env = {"PAPERPATH_ARXIV_API": api_url}

    res = run(app, "feeds", "add", feed, "--kind", "video", "--db", db)
    assert res.exit_code == 0 and "following" in res.stdout
    res = run(app, "feeds", "sync", "--json", "--db", db, env=env)
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    # 2504.01001 is unknown to this fake arXiv: the video stays a reading item, with a warning.
    assert report["new_items"] == 2 and report["reading"] == 2 and report["errors"] == []
    assert any("2504.01001" in w for w in report["feeds"][0]["warnings"])

    res = run(app, "feeds", "list", "--json", "--db", db)
    [listed] = json.loads(res.stdout)
    assert listed["url"] == feed and listed["kind"] == "video" and listed["items"] == 2
    assert listed["title"] == "Paper Reading Club"

    res = run(app, "feeds", "sync", "--db", db, env=env)  # plain output, nothing new
    assert res.exit_code == 0 and re.search(r"0 new", res.stdout)

    res = run(app, "feeds", "remove", feed, "--db", db)
    assert res.exit_code == 0
    res = run(app, "feeds", "remove", feed, "--db", db)
    assert res.exit_code == 1 and "not a followed feed" in res.stderr


def test_feeds_errors(app: typer.Typer, db: str, closed_port: int) -> None:
    res = run(app, "feeds", "add", "https://www.youtube.com/@someone", "--db", db)
    assert res.exit_code == 1 and "cannot follow this YouTube URL" in res.stderr
    down = f"http://127.0.0.1:{closed_port}/feed.xml"
    assert run(app, "feeds", "add", down, "--db", db).exit_code == 0
    res = run(app, "feeds", "sync", "--db", db)
    assert res.exit_code == 1  # every feed failed
    assert f"{down}: cannot connect (connection refused) after 3 tries" in res.stderr
    assert "Traceback" not in res.output
    res = run(app, "feeds", "list", "--db", db)
    assert res.exit_code == 0 and "refused" in res.stdout  # the table may wrap the error
