"""The library's tables (SQLAlchemy Core). Portable: SQLite by default, PostgreSQL later.

Changes go through a new Alembic revision in `migrations/versions/`, never by editing a
released one; `tests/store/test_migrations.py` checks the two agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

papers = Table(
    "papers",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    # Public id: the arXiv id, else "doi:<doi>", else "item:<hash>".
    Column("key", String(300), nullable=False, unique=True),
    Column("kind", String(16), nullable=False, default="paper"),
    Column("arxiv_id", String(40), unique=True),
    Column("doi", String(255), unique=True),
    Column("title_key", String(80), index=True),  # textnorm.title_key
    Column("title", Text, nullable=False),
    Column("abstract", Text, nullable=False, default=""),
    # Author names as a plain "; "-joined string: searchable and cheap to store; the list
    # form is rebuilt on read (names never contain "; ").
    Column("authors", Text, nullable=False, default=""),
    # Space-separated, primary first. Filters match words in it (" cs.LG "): a join table
    # cost a fifth of the ingest budget and bought nothing the full-text path needs.
    Column("categories", Text, nullable=False, default=""),
    Column("primary_category", String(40)),
    Column("published", Date, index=True),
    Column("updated", Date),
    Column("year", Integer),
    Column("comments", Text),
    Column("journal_ref", Text),
    Column("venue", Text),
    Column("url", Text),
    Column("pdf_url", Text),
    Column("code_urls", JSON, nullable=False, default=list),
    Column("has_code", Boolean, nullable=False, default=False),
    Column("versions", JSON, nullable=False, default=list),
    Column("sources", Text, nullable=False, default=""),  # space-separated source kinds
    Column("content_hash", String(32), nullable=False),
    # Write counter: every transaction that writes papers stamps them with max(rev) + 1, so
    # derived indexes (full text, later vectors) catch up by reading rows with rev > theirs.
    Column("rev", Integer, nullable=False, default=0, index=True),
    Column("added_at", DateTime, nullable=False),
    Column("modified_at", DateTime, nullable=False),
)

paper_texts = Table(
    "paper_texts",
    metadata,
    Column("paper_pk", Integer, ForeignKey("papers.pk", ondelete="CASCADE"), primary_key=True),
    Column("text", Text, nullable=False),
    Column("pages", Integer),
    Column("pdf_path", Text),
    Column("sha256", String(64)),
    Column("extracted_at", DateTime, nullable=False),
)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Identity of the input (path, size, digest of its head): a rerun of the same file resumes.
    Column("source_key", String(128), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("path", Text, nullable=False),
    Column("status", String(16), nullable=False),  # running | done | failed
    Column("lines_done", Integer, nullable=False, default=0),
    # Offset into the file: a plain snapshot is past 2 GiB, the limit of a 32-bit INTEGER.
    Column("bytes_done", BigInteger, nullable=False, default=0),
    Column("inserted", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("error_samples", JSON, nullable=False, default=list),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("title", Text),
    Column("kind", String(16), nullable=False, default="blog"),  # blog | newsletter | video
    Column("etag", Text),
    Column("modified", Text),
    Column("last_synced", DateTime),
    Column("last_error", Text),
    Column("added_at", DateTime, nullable=False),
)

feed_items = Table(
    "feed_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("guid", String(500), nullable=False),
    Column("link", Text),
    Column("title", Text),
    Column("published", DateTime),
    Column("paper_pk", Integer, ForeignKey("papers.pk", ondelete="SET NULL"), index=True),
    Column("added_at", DateTime, nullable=False),
    UniqueConstraint("feed_id", "guid"),
)


# --- Reading guide (migration 0002) -------------------------------------------------------

# Derived per-paper analysis (key terms, TLDR, facets, difficulty): recomputed when the paper's
# content_hash or the analysis version changes, so it never goes stale silently.
paper_analysis = Table(
    "paper_analysis",
    metadata,
    Column("paper_pk", Integer, ForeignKey("papers.pk", ondelete="CASCADE"), primary_key=True),
    Column("content_hash", String(32), nullable=False),
    Column("version", String(32), nullable=False, index=True),
    Column("tldr", Text, nullable=False, default=""),
    Column("facets", JSON, nullable=False, default=list),  # [[sentence, label], ...]
    Column("key_terms", JSON, nullable=False, default=list),  # [term, ...] best first
    Column("difficulty", Integer, nullable=False, default=3),
    Column("math_density", Float, nullable=False, default=0.0),
    Column("analyzed_at", DateTime, nullable=False),
)

# Definitions and acronym expansions found in the library's own text, by normalized term.
mined_definitions = Table(
    "mined_definitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("paper_pk", Integer, ForeignKey("papers.pk", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("term_key", String(200), nullable=False, index=True),
    Column("term", Text, nullable=False),
    Column("definition", Text, nullable=False),
    Column("sentence", Text, nullable=False, default=""),
    Column("kind", String(16), nullable=False),  # definition | acronym
)

# Terms the reader already knows: marked in the CLI/web, reviewed, or met in papers they read.
known_terms = Table(
    "known_terms",
    metadata,
    Column("term_key", String(200), primary_key=True),
    Column("term", Text, nullable=False),
    Column("source", String(16), nullable=False),  # marked | reviewed | read
    Column("added_at", DateTime, nullable=False),
)


# --- Related work (migration 0003) --------------------------------------------------------

# Embedding vectors of each paper, per embedding model: the whole paper, its title, and the
# sentences of each facet (problem -> background, method, result); float16 little-endian,
# L2-normalised. Recomputed when the paper's content_hash changes; the search index is a
# cache built from here.
paper_vectors = Table(
    "paper_vectors",
    metadata,
    Column("paper_pk", Integer, ForeignKey("papers.pk", ondelete="CASCADE"), primary_key=True),
    Column("model", String(200), primary_key=True, index=True),
    Column("content_hash", String(32), nullable=False),
    Column("dim", Integer, nullable=False),
    Column("doc", LargeBinary, nullable=False),
    Column("title", LargeBinary),
    Column("background", LargeBinary),
    Column("method", LargeBinary),
    Column("result", LargeBinary),
    Column("embedded_at", DateTime, nullable=False),
)


# --- The coach (migration 0004) -----------------------------------------------------------
# Timestamps are naive UTC; weeks are ISO weeks ("2026-W48") of the reader's local date,
# stored as strings so a clock change never rewrites what was recorded.

# The reader's profile. One row (id 1) in a personal library; group servers add rows later.
profile = Table(
    "profile",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("interests", JSON, nullable=False, default=list),  # keywords and phrases
    Column("math_comfort", Integer, nullable=False, default=3),  # 1..5
    Column("hours_per_week", Float, nullable=False, default=3.0),
    Column("papers_per_week", Integer, nullable=False, default=2),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# What the reader said about a paper: like | dislike | too_hard | too_easy | hide.
feedback = Table(
    "feedback",
    metadata,
    Column("paper_pk", Integer, ForeignKey("papers.pk", ondelete="CASCADE"), primary_key=True),
    Column("signal", String(16), primary_key=True),
    Column("created_at", DateTime, nullable=False),
)

# Reading sessions: one row per `paperpath read` (started or finished, minutes, rating).
reading_log = Table(
    "reading_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("paper_pk", Integer, ForeignKey("papers.pk", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("status", String(16), nullable=False),  # started | finished
    Column("minutes", Integer, nullable=False, default=0),
    Column("rating", Integer),  # 1..5
    Column("week", String(10), nullable=False, index=True),
    Column("logged_at", DateTime, nullable=False),
)

paper_tags = Table(
    "paper_tags",
    metadata,
    Column("paper_pk", Integer, ForeignKey("papers.pk", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(100), primary_key=True, index=True),
)

# The reader's Markdown notes, one document per paper.
notes = Table(
    "notes",
    metadata,
    Column("paper_pk", Integer, ForeignKey("papers.pk", ondelete="CASCADE"), primary_key=True),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# Explain-back attempts: the reader's own words and the scorer's feedback.
explanations = Table(
    "explanations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("paper_pk", Integer, ForeignKey("papers.pk", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("text", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("report", JSON, nullable=False, default=dict),
    Column("created_at", DateTime, nullable=False),
)

# The plan of each week, remembered as made (items: [{paper_pk, kind, reason, minutes}]).
week_plans = Table(
    "week_plans",
    metadata,
    Column("week", String(10), primary_key=True),
    Column("items", JSON, nullable=False, default=list),
    Column("hours", Float, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# Spaced-repetition cards (FSRS). kind: term | paper | explanation; ref: the term key or the
# paper key, so a card survives re-ingest and export/import. state: fsrs Card.to_dict().
review_cards = Table(
    "review_cards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("ref", String(300), nullable=False),
    Column("front", Text, nullable=False),
    Column("back", Text, nullable=False),
    Column("state", JSON, nullable=False, default=dict),
    Column("due", DateTime, nullable=False, index=True),
    Column("suspended", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("kind", "ref"),
)

review_log = Table(
    "review_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("card_id", Integer, ForeignKey("review_cards.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("rating", Integer, nullable=False),  # fsrs Rating: 1 again .. 4 easy
    Column("reviewed_at", DateTime, nullable=False),
    Column("duration_ms", Integer),
)
