"""The shapes of the JSON API (`api`): request bodies and responses, as pydantic models so
that /api/openapi.json and the offline docs page describe every field. The responses mirror
the ``to_dict()`` of the Python API's objects."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


# -- papers and search ---------------------------------------------------------------------
class PaperOut(Model):
    id: str = Field(description="arXiv id when the paper has one, else the library key")
    title: str
    abstract: str
    authors: list[str]
    arxiv_id: str | None
    doi: str | None
    categories: list[str]
    published: str | None = Field(description="YYYY-MM-DD")
    updated: str | None
    comments: str | None
    journal_ref: str | None
    url: str | None
    pdf_url: str | None
    venue: str | None
    year: int | None
    code_urls: list[str]
    versions: list[str]
    kind: str
    sources: list[str]
    added_at: str | None
    abs_url: str | None = Field(description="where a person reads it (arXiv, DOI or URL)")


class SearchHitOut(PaperOut):
    score: float
    snippet: str = Field(description="abstract excerpt, matches between « and »")
    title_highlighted: str


class SearchOut(Model):
    query: str
    offset: int
    limit: int
    hits: list[SearchHitOut]


# -- reading guide -------------------------------------------------------------------------
class Facet(Model):
    sentence: str
    label: str = Field(description="problem | method | result | other")


class MinedDefinition(Model):
    definition: str
    paper_id: str
    kind: str


class GuideTermOut(Model):
    term: str
    key: str
    new: bool = Field(description="new to this reader")
    glossary_id: str | None = None
    definition: str | None = None
    math: str | None = None
    mined: list[MinedDefinition] = []


class PrerequisiteOut(Model):
    term: str
    glossary_id: str
    definition: str
    introduced_in: str | None
    new: bool


class DifficultyOut(Model):
    level: int = Field(description="1 (gentle) to 5 (hard)")
    label: str
    reasons: list[str]
    math_density: float


class ReadingTimeOut(Model):
    first_pass: int = Field(description="minutes")
    full_read: int = Field(description="minutes")
    pages: int | None
    basis: str


class QuestionOut(Model):
    text: str
    stage: str
    hint: str | None = None


class GuideOut(Model):
    id: str
    title: str
    authors: list[str]
    categories: list[str]
    published: str | None
    url: str | None
    pdf_url: str | None
    code_urls: list[str]
    tldr: str
    problem: list[str]
    method: list[str]
    result: list[str]
    facets: list[Facet]
    key_terms: list[GuideTermOut]
    prerequisites: list[PrerequisiteOut]
    difficulty: DifficultyOut
    reading_time: ReadingTimeOut
    reader_level: int
    questions: list[QuestionOut]


# -- related work and recommendations ------------------------------------------------------
class RelatedOut(Model):
    id: str
    title: str
    year: int | None
    score: float
    reason: str = Field(description="one line: why it is related")
    shared_terms: list[str]
    sentence: str | None
    url: str | None


class RecommendationOut(Model):
    id: str
    title: str
    score: float
    reason: str


# -- the coach -----------------------------------------------------------------------------
class ProfileOut(Model):
    interests: list[str]
    math_comfort: int
    hours_per_week: float
    papers_per_week: int
    saved: bool = Field(description="false: no profile yet, these are the defaults")


class ProfileIn(Model):
    interests: list[str] | None = Field(None, description="replaces the interests")
    add_interests: bool = Field(False, description="add to the interests instead")
    math_comfort: int | None = Field(None, description="1 (little math) to 5")
    hours_per_week: float | None = None
    papers_per_week: int | None = None
    liked: list[str] = Field([], description="paper ids to record as liked")
    known_terms: list[str] = Field([], description="terms to mark as known")


class PlanItemOut(Model):
    id: str
    title: str
    kind: str = Field(description="foundation | frontier")
    reason: str
    minutes: int
    mode: str = Field(description="full read | first pass")
    status: str = Field(description="to read | started | read")
    url: str | None


class WeekOut(Model):
    week: str = Field(description="ISO week, e.g. 2026-W48")
    hours: float
    papers_goal: int
    planned_minutes: int
    done: int
    created_at: str
    fresh: bool
    due_reviews: int
    notes: list[str]
    items: list[PlanItemOut]


class ReadIn(Model):
    id: str
    minutes: int = Field(0, description="0 to 1440")
    rating: int | None = Field(None, description="1 (not useful) to 5 (excellent)")
    status: Literal["finished", "started"] = "finished"


class LogEntryOut(Model):
    id: str
    title: str
    status: str
    minutes: int
    rating: int | None
    week: str
    logged_at: str


class FeedbackIn(Model):
    id: str
    signal: str = Field(description="like | dislike | too_hard | too_easy | hide")
    on: bool = Field(True, description="false withdraws the signal")


class FeedbackOut(Model):
    id: str
    signals: list[str]


class ExplainIn(Model):
    id: str
    text: str = Field(description="the paper in your own words: problem, method, result")
    save: bool = True


class PartOut(Model):
    kind: str = Field(description="problem | method | result | term")
    label: str
    sentence: str
    similarity: float


class ExplainOut(Model):
    score: float = Field(description="0 to 1")
    verdict: str
    warnings: list[str]
    covered: list[PartOut]
    missing: list[PartOut]
    components: dict[str, float]
    copied: float


class NoteIn(Model):
    body: str


class NoteOut(Model):
    id: str
    body: str | None


class ReviewCardOut(Model):
    id: int
    kind: str = Field(description="term | paper | explanation")
    ref: str
    front: str
    back: str
    due: str
    suspended: bool
    state: str
    stability: float | None
    difficulty: float | None
    last_review: str | None
    created_at: str


class ReviewIn(Model):
    rating: int | str = Field(description="1-4 or again | hard | good | easy")
    duration_ms: int | None = None


# -- progress, statistics, jobs ------------------------------------------------------------
class WeekProgressOut(Model):
    week: str
    finished: int
    started: int
    minutes: int
    hours: float
    goal_met: bool
    papers_total: int
    terms_total: int
    explanations: int
    reviews: int
    current: bool
    future: bool


class ClusterCoverageOut(Model):
    label: str
    papers: int
    read: int


class CoverageOut(Model):
    source: str = Field(description="map (its areas) or category")
    clusters: list[ClusterCoverageOut]
    clusters_touched: int
    clusters_total: int
    model: str | None
    unplaced_read: int
    fraction: float


class TotalsOut(Model):
    papers_read: int
    papers_started: int
    minutes: int
    hours: float
    terms_known: int
    explanations: int
    reviews: int
    average_rating: float | None
    weeks: int
    papers_per_week: float
    hours_per_week: float
    goal: int
    hours_goal: float


class ProgressOut(Model):
    current_week: str
    first_week: str
    goal: int
    weeks: list[WeekProgressOut]
    streak: int
    longest_streak: int
    this_week_met: bool
    streak_alive_this_week: bool
    needed_this_week: int
    totals: TotalsOut
    coverage: CoverageOut
    warnings: list[str]
    hint: str | None


class CategoryCount(Model):
    category: str
    papers: int


class StatsOut(Model):
    papers: int
    by_kind: dict[str, int]
    with_code: int
    with_full_text: int
    published_first: str | None
    published_last: str | None
    top_categories: list[CategoryCount]
    by_sources: dict[str, int]


class JobOut(Model):
    id: str
    kind: str
    label: str
    state: str = Field(description="queued | running | done | failed")
    done: int
    total: int
    message: str
    started: float = Field(description="Unix time")
    finished: float | None
    fraction: float | None


class ErrorOut(Model):
    detail: str
