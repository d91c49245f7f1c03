"""Weekly progress: streaks, cumulative series, goals, clock changes, coverage, chart, JSON."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import update

from paperpath import Library
from paperpath.coach import clock
from paperpath.coach.progress import Progress, progress, streak_line
from paperpath.coach.progress_chart import write_chart, write_json
from paperpath.records import PaperRecord
from paperpath.related.fieldmap import FieldMap, save_map
from paperpath.related.service import vectors_dir
from paperpath.store import coach_store, guide_store
from paperpath.store.db import write_tx
from paperpath.store.schema import known_terms
from paperpath.vectors.index import _slug

TODAY = date(2026, 3, 11)  # a Wednesday of 2026-W11
NOW = datetime(2026, 3, 11, 12)

# (arXiv id, primary category)
PAPERS = [(f"2601.{i:05d}", cat) for i, cat in enumerate(
    ["cs.LG", "cs.LG", "cs.LG", "cs.CV", "cs.CV", "cs.RO", "cs.CL", "cs.CL", "cs.CL", "cs.CL",
     "cs.LG", "cs.CV", "cs.RO", "cs.RO", "cs.LG", "cs.CV"], start=1)]


def week(n: int) -> str:
    return f"2026-W{n:02d}"


@pytest.fixture
def lib(library: Library) -> Library:
    library.add_records([PaperRecord(title=f"Paper {pid}", abstract="An abstract.",
                                     arxiv_id=pid, categories=[cat]) for pid, cat in PAPERS])
    return library


def pk(lib: Library, n: int) -> int:
    paper = lib.get(PAPERS[n - 1][0])
    assert paper is not None
    return paper.pk


def log(lib: Library, entries: list[tuple[int, str, str]], minutes: int = 60,
        rating: int | None = None) -> None:
    """(paper number, status, week label) rows, logged on the Monday of their week."""
    with write_tx(lib.engine) as conn:
        for n, status, label in entries:
            try:
                when = datetime.combine(clock.week_start(label), datetime.min.time())
            except clock.ClockError:
                when = NOW
            coach_store.add_log(conn, pk(lib, n), status, minutes, rating, label, when)


def add_terms(lib: Library, terms: list[str], when: datetime) -> None:
    with write_tx(lib.engine) as conn:
        guide_store.add_known(conn, [(t, t) for t in terms], "marked")
        # add_known stamps now: move the new terms back to when they were learned
        conn.execute(update(known_terms).where(known_terms.c.term_key.in_(terms))
                     .values(added_at=when))


def test_empty_library_gives_zeros_and_a_hint(library: Library) -> None:
    p = progress(library, today=TODAY)
    assert [w.week for w in p.weeks] == [week(11)]
    assert p.weeks[0].finished == 0 and p.weeks[0].current
    assert p.streak == 0 and p.longest_streak == 0 and not p.streak_alive_this_week
    assert p.needed_this_week == 2 and p.goal == 2
    assert p.totals.papers_read == 0 and p.totals.hours == 0 and p.totals.terms_known == 0
    assert p.totals.average_rating is None
    assert p.coverage.source == "none" and p.coverage.clusters_total == 0
    assert p.hint and "paperpath read" in p.hint
    assert "starts one" in streak_line(p)


def test_streak_counts_goal_weeks_through_gaps(lib: Library) -> None:
    log(lib, [(1, "finished", week(5)), (2, "finished", week(5)),
              # week 6: nothing -> breaks the streak
              (3, "finished", week(7)), (4, "finished", week(7)),
              (5, "started", week(8)), (5, "finished", week(8)), (6, "finished", week(8)),
              (7, "finished", week(8)),
              (8, "finished", week(9)), (9, "finished", week(9)),
              (10, "finished", week(10)), (11, "finished", week(10)),
              (12, "finished", week(11))], minutes=30, rating=4)
    p = progress(lib, today=TODAY)
    assert [w.week for w in p.weeks] == [week(n) for n in range(5, 12)]
    gap = p.weeks[1]
    assert gap.week == week(6) and gap.finished == 0 and not gap.goal_met and gap.minutes == 0
    assert [w.finished for w in p.weeks] == [2, 0, 2, 3, 2, 2, 1]
    assert p.weeks[3].started == 1
    assert p.streak == 4 and p.longest_streak == 4
    assert not p.this_week_met and p.streak_alive_this_week and p.needed_this_week == 1
    assert streak_line(p) == "4-week streak — 1 more paper this week keeps it."

    log(lib, [(13, "finished", week(11))])
    p = progress(lib, today=TODAY)
    assert p.streak == 5 and p.longest_streak == 5 and p.this_week_met
    assert not p.streak_alive_this_week and p.needed_this_week == 0
    assert p.totals.papers_read == 13 and p.totals.weeks == 7
    assert p.totals.papers_per_week == round(13 / 7, 2)
    assert p.totals.average_rating == 4.0

    # A week later with nothing read: the streak still stands until the week is over.
    p = progress(lib, today=TODAY + timedelta(days=7))
    assert p.streak == 5 and p.streak_alive_this_week and p.needed_this_week == 2
    # Two weeks later it is broken; the longest is remembered.
    p = progress(lib, today=TODAY + timedelta(days=14))
    assert p.streak == 0 and p.longest_streak == 5 and not p.streak_alive_this_week
    assert "longest: 5 weeks" in streak_line(p)


def test_goal_comes_from_the_profile(lib: Library) -> None:
    log(lib, [(1, "finished", week(9)), (2, "finished", week(10)), (3, "finished", week(10)),
              (4, "finished", week(10)), (5, "finished", week(11))])
    assert progress(lib, today=TODAY).streak == 1  # goal 2: only week 10
    with write_tx(lib.engine) as conn:
        coach_store.save_profile(conn, {"papers_per_week": 1, "hours_per_week": 4.0},
                                 datetime(2026, 2, 18, 9))
    p = progress(lib, today=TODAY)
    assert p.goal == 1 and p.totals.hours_goal == 4.0
    assert p.streak == 3 and p.this_week_met
    # The series starts at the profile's week (W08), before the first logged week.
    assert p.first_week == week(8) and p.weeks[0].week == week(8)
    assert p.weeks[0].finished == 0 and p.totals.weeks == 4


def test_cumulative_series_are_monotone(lib: Library) -> None:
    log(lib, [(1, "finished", week(2)), (2, "finished", week(4)), (1, "finished", week(6)),
              (3, "started", week(6)), (3, "finished", week(9))], minutes=45)
    add_terms(lib, ["baseline"], datetime(2025, 12, 1, 12))  # before the first week
    add_terms(lib, ["attention", "dropout"], datetime(2026, 1, 7, 12))  # W02
    add_terms(lib, ["softmax"], datetime(2026, 2, 25, 12))  # W09
    p = progress(lib, today=TODAY)
    papers = [w.papers_total for w in p.weeks]
    terms = [w.terms_total for w in p.weeks]
    assert papers == sorted(papers) and terms == sorted(terms)
    assert papers[-1] == 3 == p.totals.papers_read  # the re-read in W06 does not count twice
    assert p.weeks[0].week == week(2) and terms[0] == 3 and terms[-1] == 4
    assert p.weeks[4].finished == 0 and p.weeks[4].started == 1 and p.weeks[4].hours == 1.5
    assert p.totals.terms_known == 4 and p.totals.hours == 3.75


def test_clock_changes_keep_every_readable_row(lib: Library) -> None:
    log(lib, [(1, "finished", week(10)), (2, "finished", week(10))])
    with write_tx(lib.engine) as conn:
        # logged now, but labelled in the future (the clock was wrong) and out of order
        coach_store.add_log(conn, pk(lib, 3), "finished", 50, 5, week(20), NOW)
        coach_store.add_log(conn, pk(lib, 4), "finished", 40, None, week(9), NOW)
        coach_store.add_log(conn, pk(lib, 5), "finished", 40, None, "2026-W99", NOW)
        coach_store.add_log(conn, pk(lib, 6), "finished", 40, None, "soon", NOW)
    p = progress(lib, today=TODAY)
    weeks = [w.week for w in p.weeks]
    assert weeks == [week(9), week(10), week(11), week(20)]  # no empty run to the future
    future = p.weeks[-1]
    assert future.future and future.finished == 1 and future.papers_total == 4
    assert p.weeks[0].finished == 1  # the out-of-order row counts where its label says
    assert p.totals.papers_read == 4 and p.streak == 1
    assert any("after the current week" in w and week(20) in w for w in p.warnings)
    assert any("cannot be read" in w and "2026-W99" in w and "soon" in w for w in p.warnings)
    # --weeks keeps the last N weeks up to now, and the future ones
    trimmed = progress(lib, weeks=1, today=TODAY)
    assert [w.week for w in trimmed.weeks] == [week(11), week(20)]
    assert trimmed.weeks[0].papers_total == 3 and trimmed.streak == 1


def test_coverage_by_category_without_a_map(lib: Library) -> None:
    log(lib, [(1, "finished", week(10)), (2, "finished", week(10)), (4, "finished", week(11)),
              (6, "started", week(11))])
    cov = progress(lib, today=TODAY).coverage
    assert cov.source == "category"
    assert cov.clusters_total == 4 and cov.clusters_touched == 2
    top = cov.clusters[0]
    assert top.label == "cs.LG Machine Learning" and top.read == 2 and top.papers == 5
    assert cov.clusters[1].label.startswith("cs.CV") and cov.clusters[1].read == 1
    assert [c.read for c in cov.clusters] == sorted((c.read for c in cov.clusters), reverse=True)
    assert cov.fraction == 0.5


def test_coverage_uses_the_saved_map(lib: Library) -> None:
    ids = [pid for pid, _ in PAPERS[:12]]
    clusters = np.array([i % 3 for i in range(12)], dtype=np.int32)
    fmap = FieldMap(ids, np.zeros((12, 2), np.float32), clusters,
                    {0: "diffusion, images", 1: "graphs, molecules", 2: "robots, policies"},
                    np.zeros((3, 2), np.float32), "paperpath-static-test")
    save_map(fmap, vectors_dir(lib.engine) / _slug(fmap.model) / "map.npz")
    log(lib, [(1, "finished", week(11)), (4, "finished", week(11)), (14, "finished", week(11))])
    cov = progress(lib, today=TODAY).coverage
    assert cov.source == "map" and cov.model == "paperpath-static-test"
    assert cov.clusters_total == 3 and cov.clusters_touched == 1
    assert cov.clusters[0] == type(cov.clusters[0])("diffusion, images", 4, 2)
    assert cov.unplaced_read == 1  # paper 14 is newer than the map


def test_chart_and_json(lib: Library, tmp_path: Path) -> None:
    log(lib, [(n, "finished", week(2 + n // 2)) for n in range(1, 16)], minutes=55, rating=3)
    add_terms(lib, ["attention", "dropout", "softmax"], datetime(2026, 2, 4, 12))
    p = progress(lib, today=TODAY)
    png = write_chart(p, tmp_path / "out" / "progress.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (1200, 700)
    path = write_json(p, tmp_path / "progress.json")
    loaded = json.loads(path.read_text())
    assert loaded == p.to_dict()
    assert Progress.from_dict(loaded) == p
    assert loaded["totals"]["papers_read"] == 15 and loaded["coverage"]["source"] == "category"


def test_chart_of_an_empty_library(library: Library, tmp_path: Path) -> None:
    png = write_chart(progress(library, today=TODAY), tmp_path / "empty.png")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_weeks_must_be_positive(library: Library) -> None:
    with pytest.raises(ValueError):
        progress(library, weeks=0)
