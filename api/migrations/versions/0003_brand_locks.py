"""brand locks: knowledge edits of one brand wait for each other across workers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:00:00
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
        "brand_locks",
        sa.Column("brand", sa.String(length=64), nullable=False),
        sa.Column("edits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("brand"),
    )


def downgrade() -> None:
    op.drop_table("brand_locks")
