"""The paper library: papers, full texts, ingest runs, sync state, feeds.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "papers",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("arxiv_id", sa.String(40)),
        sa.Column("doi", sa.String(255)),
        sa.Column("title_key", sa.String(80)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("abstract", sa.Text, nullable=False),
        sa.Column("authors", sa.Text, nullable=False),
        sa.Column("categories", sa.Text, nullable=False),
        sa.Column("primary_category", sa.String(40)),
        sa.Column("published", sa.Date),
        sa.Column("updated", sa.Date),
        sa.Column("year", sa.Integer),
        sa.Column("comments", sa.Text),
        sa.Column("journal_ref", sa.Text),
        sa.Column("venue", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("pdf_url", sa.Text),
        sa.Column("code_urls", sa.JSON, nullable=False),
        sa.Column("has_code", sa.Boolean, nullable=False),
        sa.Column("versions", sa.JSON, nullable=False),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("rev", sa.Integer, nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("modified_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_papers"),
        sa.UniqueConstraint("key", name="uq_papers_key"),
        sa.UniqueConstraint("arxiv_id", name="uq_papers_arxiv_id"),
        sa.UniqueConstraint("doi", name="uq_papers_doi"),
    )
    op.create_index("ix_papers_title_key", "papers", ["title_key"])
    op.create_index("ix_papers_published", "papers", ["published"])
    op.create_index("ix_papers_rev", "papers", ["rev"])

    op.create_table(
        "paper_texts",
        sa.Column("paper_pk", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("pages", sa.Integer),
        sa.Column("pdf_path", sa.Text),
        sa.Column("sha256", sa.String(64)),
        sa.Column("extracted_at", sa.DateTime, nullable=False),
        sa.ForeignKeyConstraint(["paper_pk"], ["papers.pk"], ondelete="CASCADE",
                                name="fk_paper_texts_paper_pk_papers"),
        sa.PrimaryKeyConstraint("paper_pk", name="pk_paper_texts"),
    )

    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_key", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lines_done", sa.Integer, nullable=False),
        sa.Column("bytes_done", sa.BigInteger, nullable=False),
        sa.Column("inserted", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("unchanged", sa.Integer, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("error_samples", sa.JSON, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_runs"),
        sa.UniqueConstraint("source_key", name="uq_ingest_runs_source_key"),
    )

    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_sync_state"),
    )

    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("modified", sa.Text),
        sa.Column("last_synced", sa.DateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feeds"),
        sa.UniqueConstraint("url", name="uq_feeds_url"),
    )

    op.create_table(
        "feed_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("feed_id", sa.Integer, nullable=False),
        sa.Column("guid", sa.String(500), nullable=False),
        sa.Column("link", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.DateTime),
        sa.Column("paper_pk", sa.Integer),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"], ondelete="CASCADE",
                                name="fk_feed_items_feed_id_feeds"),
        sa.ForeignKeyConstraint(["paper_pk"], ["papers.pk"], ondelete="SET NULL",
                                name="fk_feed_items_paper_pk_papers"),
        sa.PrimaryKeyConstraint("id", name="pk_feed_items"),
        sa.UniqueConstraint("feed_id", "guid", name="uq_feed_items_feed_id_guid"),
    )
    op.create_index("ix_feed_items_paper_pk", "feed_items", ["paper_pk"])


def downgrade() -> None:
    # paperpath never drops user data on a version change; downgrades are not supported.
    raise NotImplementedError("downgrade would drop user data")
