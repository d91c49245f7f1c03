"""The coach: profile, feedback, reading log, tags, notes, explanations, weekly plans and
spaced-repetition cards with their review log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _paper_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["paper_pk"], ["papers.pk"], ondelete="CASCADE",
                                   name=f"fk_{table}_paper_pk_papers")


def upgrade() -> None:
    op.create_table(
        "profile",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("interests", sa.JSON, nullable=False),
        sa.Column("math_comfort", sa.Integer, nullable=False),
        sa.Column("hours_per_week", sa.Float, nullable=False),
        sa.Column("papers_per_week", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_profile"),
    )
    op.create_table(
        "feedback",
        sa.Column("paper_pk", sa.Integer, nullable=False),
        sa.Column("signal", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        _paper_fk("feedback"),
        sa.PrimaryKeyConstraint("paper_pk", "signal", name="pk_feedback"),
    )
    op.create_table(
        "reading_log",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("paper_pk", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("rating", sa.Integer),
        sa.Column("week", sa.String(10), nullable=False),
        sa.Column("logged_at", sa.DateTime, nullable=False),
        _paper_fk("reading_log"),
        sa.PrimaryKeyConstraint("id", name="pk_reading_log"),
    )
    op.create_index("ix_reading_log_paper_pk", "reading_log", ["paper_pk"])
    op.create_index("ix_reading_log_week", "reading_log", ["week"])
    op.create_table(
        "paper_tags",
        sa.Column("paper_pk", sa.Integer, nullable=False),
        sa.Column("tag", sa.String(100), nullable=False),
        _paper_fk("paper_tags"),
        sa.PrimaryKeyConstraint("paper_pk", "tag", name="pk_paper_tags"),
    )
    op.create_index("ix_paper_tags_tag", "paper_tags", ["tag"])
    op.create_table(
        "notes",
        sa.Column("paper_pk", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        _paper_fk("notes"),
        sa.PrimaryKeyConstraint("paper_pk", name="pk_notes"),
    )
    op.create_table(
        "explanations",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("paper_pk", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        _paper_fk("explanations"),
        sa.PrimaryKeyConstraint("id", name="pk_explanations"),
    )
    op.create_index("ix_explanations_paper_pk", "explanations", ["paper_pk"])
    op.create_table(
        "week_plans",
        sa.Column("week", sa.String(10), nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("hours", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("week", name="pk_week_plans"),
    )
    op.create_table(
        "review_cards",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(300), nullable=False),
        sa.Column("front", sa.Text, nullable=False),
        sa.Column("back", sa.Text, nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("due", sa.DateTime, nullable=False),
        sa.Column("suspended", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_cards"),
        sa.UniqueConstraint("kind", "ref", name="uq_review_cards_kind_ref"),
    )
    op.create_index("ix_review_cards_due", "review_cards", ["due"])
    op.create_table(
        "review_log",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("card_id", sa.Integer, nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("reviewed_at", sa.DateTime, nullable=False),
        sa.Column("duration_ms", sa.Integer),
        sa.ForeignKeyConstraint(["card_id"], ["review_cards.id"], ondelete="CASCADE",
                                name="fk_review_log_card_id_review_cards"),
        sa.PrimaryKeyConstraint("id", name="pk_review_log"),
    )
    op.create_index("ix_review_log_card_id", "review_log", ["card_id"])


def downgrade() -> None:
    # paperpath never drops user data on a version change; downgrades are not supported.
    raise NotImplementedError("downgrade would drop user data")
