"""profile data version: what a cached home screen is keyed by

Revision ID: 0005_profile_data_version
Revises: 0004_titles_by_kind
Create Date: 2026-11-30 17:40:00.000000

Every write that changes what a profile's browse rows show bumps `data_version` in the same
unit of work; `watching_kind`/`watching_id` remember the title at the head of Continue
Watching, whose heartbeats change nothing a row shows. Existing profiles start at 0.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_profile_data_version"
down_revision = "0004_titles_by_kind"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.add_column(
            sa.Column("data_version", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("watching_kind", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("watching_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # Not a batch "move and copy" on SQLite: recreating `profiles` would cascade-delete every
    # member row that references it. SQLite (3.35+) drops a plain column in place.
    for column in ("watching_id", "watching_kind", "data_version"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f'ALTER TABLE profiles DROP COLUMN "{column}"')
        else:
            op.drop_column("profiles", column)
