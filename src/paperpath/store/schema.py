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
