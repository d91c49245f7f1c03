"""Web app fixtures: a library seeded with the canon plus a few recent papers, and a FastAPI
test client over it. The clock is fixed so plans and reviews are reproducible."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paperpath.library import Library
from paperpath.records import PaperRecord
from paperpath.web import create_app

NOW = "2026-11-25T10:00:00"

RECENT = [
    PaperRecord(
        title="Score Distillation for Fast Video Diffusion",
        abstract=("Video diffusion models are slow because sampling needs hundreds of denoising "
                  "steps. We propose score distillation into a student that samples in four "
                  "steps. On two video benchmarks the student matches the teacher's quality "
                  "at a twentieth of the cost. Code: https://github.com/example/fastvid"),
        authors=["Ada Lovelace", "Alan Turing"], arxiv_id="2611.00001",
        categories=["cs.CV", "cs.LG"], published=date(2026, 11, 2)),
    PaperRecord(
        title="Retrieval-Augmented Policies for Offline Reinforcement Learning",
        abstract=("Offline reinforcement learning struggles when the dataset covers few states. "
                  "We retrieve similar trajectories from a large buffer and condition the "
                  "policy on them. Retrieval improves returns on the D4RL benchmark by 12%."),
        authors=["Grace Hopper"], arxiv_id="2611.00002", categories=["cs.LG"],
        published=date(2026, 11, 5)),
    PaperRecord(
        title="Sparse Attention with Learned Routing for Long Documents",
        abstract=("Transformers scale quadratically with sequence length. We route each token "
                  "to a few learned clusters and attend only within them. The model reads "
                  "documents of 64k tokens with a linear cost and matches dense attention."),
        authors=["Edsger Dijkstra"], arxiv_id="2611.00003", categories=["cs.CL"],
        published=date(2026, 11, 10)),
]


@pytest.fixture
def web_lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Library]:
    monkeypatch.setenv("PAPERPATH_NOW", NOW)
    lib = Library(tmp_path / "web.db")
    lib.coach.seed_canon()
    lib.add_records(RECENT)
    yield lib
    lib.close()


@pytest.fixture
def client(web_lib: Library) -> Iterator[TestClient]:
    with TestClient(create_app(web_lib, seed=False)) as c:
        yield c


@pytest.fixture
def onboarded(client: TestClient) -> TestClient:
    """A client whose reader has a profile (interests, comfort 3, 3 h, 2 papers)."""
    r = client.post("/onboarding", data={"interests": "diffusion models", "math_comfort": "3",
                                         "hours_per_week": "3", "papers_per_week": "2"},
                    follow_redirects=False)
    assert r.status_code == 303
    return client
