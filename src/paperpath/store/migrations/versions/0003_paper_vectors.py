"""Related work: per-paper embedding vectors (whole paper, title, each facet), per model.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_vectors",
        sa.Column("paper_pk", sa.Integer, nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("doc", sa.LargeBinary, nullable=False),
        sa.Column("title", sa.LargeBinary),
        sa.Column("background", sa.LargeBinary),
        sa.Column("method", sa.LargeBinary),
        sa.Column("result", sa.LargeBinary),
        sa.Column("embedded_at", sa.DateTime, nullable=False),
        sa.ForeignKeyConstraint(["paper_pk"], ["papers.pk"], ondelete="CASCADE",
                                name="fk_paper_vectors_paper_pk_papers"),
        sa.PrimaryKeyConstraint("paper_pk", "model", name="pk_paper_vectors"),
    )
    op.create_index("ix_paper_vectors_model", "paper_vectors", ["model"])


def downgrade() -> None:
    # paperpath never drops user data on a version change; downgrades are not supported.
    raise NotImplementedError("downgrade would drop user data")
