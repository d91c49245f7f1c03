"""`Library.map`: built from the library's vectors, extended with new papers, drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from related_data import records

from paperpath import Library
from paperpath.records import PaperRecord


def test_map_is_built_then_extended_and_drawn(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.db")
    lib.add_records(records())
    html, png = tmp_path / "map.html", tmp_path / "map.png"
    fmap = lib.map(html, png, highlight={"2501.00001": "read", "2501.00013": "liked"})
    assert len(fmap.ids) == 12 and set(fmap.ids) == {r.arxiv_id for r in records()}
    assert html.stat().st_size > 1_000_000  # plotly.js inlined: works offline
    text = html.read_text(encoding="utf-8")
    assert "scattergl" in text.lower() and "Denoising diffusion models" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    before = {i: tuple(c) for i, c in zip(fmap.ids, fmap.coords.tolist(), strict=True)}
    lib.add(PaperRecord(title="Diffusion models for video generation",
                        abstract="We extend image diffusion models to generate videos.",
                        arxiv_id="2501.00005"))
    again = lib.map()
    assert len(again.ids) == 13 and "2501.00005" in again.ids
    for i, c in zip(again.ids, again.coords.tolist(), strict=True):
        if i in before:
            assert tuple(c) == pytest.approx(before[i])  # nothing already placed moves
    with pytest.raises(LookupError):
        lib.map(highlight={"2409.99999": "read"})


def test_empty_library_cannot_be_mapped(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no embedded papers"):
        Library(tmp_path / "lib.db").map()
