"""Shared test fixtures: isolated library locations, the shared corpus, synthetic snapshots."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # snapshot_data, whatever the import mode

from snapshot_data import shared_dir

from paperpath.library import Library


@pytest.fixture(autouse=True)
def _isolated_default_db(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the developer's real library: the default location points to a temp dir."""
    monkeypatch.setenv("PAPERPATH_DB", str(tmp_path_factory.mktemp("default") / "lib.db"))


@pytest.fixture
def corpus_path() -> Path:
    path = shared_dir() / "data" / "arxiv" / "arxiv-cs-2025-2026.jsonl.gz"
    if not path.exists():
        pytest.skip(f"shared corpus not found at {path}")
    return path


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(tmp_path / "library.db")
    yield lib
    lib.close()


