"""profile data version: what a cached home screen is keyed by

Revision ID: 0005_profile_data_version
Revises: 0004_titles_by_kind
Create Date: 2026-11-30 17:40:00.000000

Every write that changes what a profile's browse rows show bumps `data_version` in the same
unit of work (heartbeats excepted: the cache key also holds the profile's latest viewing
activity, read from the viewings index). Existing profiles start at 0.
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


def downgrade() -> None:
    # Not a batch "move and copy" on SQLite: recreating `profiles` would cascade-delete every
    # member row that references it. SQLite (3.35+) drops a plain column in place.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE profiles DROP COLUMN data_version")
    else:
        op.drop_column("profiles", "data_version")
