"""Reading guide: per-paper analysis, definitions mined from the library, known terms.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_analysis",
        sa.Column("paper_pk", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("tldr", sa.Text, nullable=False),
        sa.Column("facets", sa.JSON, nullable=False),
        sa.Column("key_terms", sa.JSON, nullable=False),
        sa.Column("difficulty", sa.Integer, nullable=False),
        sa.Column("math_density", sa.Float, nullable=False),
        sa.Column("analyzed_at", sa.DateTime, nullable=False),
        sa.ForeignKeyConstraint(["paper_pk"], ["papers.pk"], ondelete="CASCADE",
                                name="fk_paper_analysis_paper_pk_papers"),
        sa.PrimaryKeyConstraint("paper_pk", name="pk_paper_analysis"),
    )
    op.create_index("ix_paper_analysis_version", "paper_analysis", ["version"])
    op.create_table(
        "mined_definitions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("paper_pk", sa.Integer, nullable=False),
        sa.Column("term_key", sa.String(200), nullable=False),
        sa.Column("term", sa.Text, nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("sentence", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["paper_pk"], ["papers.pk"], ondelete="CASCADE",
                                name="fk_mined_definitions_paper_pk_papers"),
        sa.PrimaryKeyConstraint("id", name="pk_mined_definitions"),
    )
    op.create_index("ix_mined_definitions_paper_pk", "mined_definitions", ["paper_pk"])
    op.create_index("ix_mined_definitions_term_key", "mined_definitions", ["term_key"])
    op.create_table(
        "known_terms",
        sa.Column("term_key", sa.String(200), nullable=False),
        sa.Column("term", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("term_key", name="pk_known_terms"),
    )


def downgrade() -> None:
    # paperpath never drops user data on a version change; downgrades are not supported.
    raise NotImplementedError("downgrade would drop user data")
