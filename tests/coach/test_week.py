"""The weekly plan: fits the hours, mixes frontier and foundations, remembered per week,
never repeats what was read or hidden."""

from __future__ import annotations

import pytest
from related_data import records

from paperpath import Library
from paperpath.coach.clock import ClockError


@pytest.fixture
def lib(library: Library, monkeypatch: pytest.MonkeyPatch) -> Library:
    monkeypatch.setenv("PAPERPATH_NOW", "2026-11-25T10:00:00")
    library.add_records(records())
    return library


def test_empty_library_gets_the_canon_and_a_useful_plan(library: Library,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERPATH_NOW", "2026-11-25T10:00:00")
    plan = library.coach.week()
    assert len(library) >= 150  # seeded from the canon, offline
    assert plan.items and all(i.kind == "foundation" for i in plan.items)
    assert any("no new papers" in n for n in plan.notes)
    assert any("paperpath init" in n for n in plan.notes)
    assert all(i.reason for i in plan.items)


def test_plan_mixes_fits_hours_and_is_remembered(lib: Library) -> None:
    coach = lib.coach
    coach.set_profile(interests=["diffusion models for image generation"], hours_per_week=3,
                      papers_per_week=3, math_comfort=3)
    plan = coach.week()
    kinds = [i.kind for i in plan.items]
    assert len(plan.items) == 3 and "foundation" in kinds and "frontier" in kinds
    assert plan.planned_minutes <= 3 * 60
    assert plan.week == "2026-W48" and plan.fresh
    frontier = [i for i in plan.items if i.kind == "frontier"]
    assert frontier[0].paper.id in {"2501.00001", "2501.00002", "2501.00003", "2501.00004"}
    again = coach.week()
    assert not again.fresh
    assert [i.paper.id for i in again.items] == [i.paper.id for i in plan.items]


def test_plan_never_repeats_read_or_hidden(lib: Library) -> None:
    coach = lib.coach
    coach.set_profile(interests=["diffusion models for image generation"], papers_per_week=2)
    first = coach.week()
    read = first.items[0].paper.id
    coach.read(read, minutes=40, rating=5)
    hidden = first.items[1].paper.id
    coach.feedback(hidden, "hide")
    remade = coach.week(new=True)
    ids = [i.paper.id for i in remade.items]
    assert read in ids  # read this week: stays in this week's plan, marked read
    assert [i.status for i in remade.items if i.paper.id == read] == ["read"]
    assert hidden not in ids
    later = coach.week(week="2026-W49")
    assert read not in [i.paper.id for i in later.items]
    assert hidden not in [i.paper.id for i in later.items]


def test_small_budget_plans_first_passes(lib: Library) -> None:
    coach = lib.coach
    coach.set_profile(interests=["graph neural networks"], hours_per_week=0.5,
                      papers_per_week=3)
    plan = coach.week()
    assert plan.items
    assert any(i.mode == "first pass" for i in plan.items)
    assert any("first pass" in n for n in plan.notes)


def test_bad_week_label(lib: Library) -> None:
    with pytest.raises(ClockError, match="not an ISO week"):
        lib.coach.week(week="next week")
