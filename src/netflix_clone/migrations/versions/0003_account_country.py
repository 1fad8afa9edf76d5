"""account certification country

Revision ID: 0003_account_country
Revises: 0002_profiles_library
Create Date: 2026-11-30 15:00:00.000000

The certification country moves from each profile's language region to the account. An existing
account keeps what its main profile used: the region of the main profile's language when it is
a country code (en-GB -> GB), else US.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_account_country"
down_revision = "0002_profiles_library"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("country", sa.String(length=2), server_default="US", nullable=False)
        )
    users = sa.table("users", sa.column("id"), sa.column("country"))
    profiles = sa.table(
        "profiles", sa.column("user_id"), sa.column("language"), sa.column("is_main")
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(profiles.c.user_id, profiles.c.language).where(profiles.c.is_main.is_(True))
    ).all()
    for user_id, language in rows:
        _, _, region = (language or "").partition("-")
        if len(region) == 2 and region.isascii() and region.isalpha() and region != "US":
            conn.execute(
                sa.update(users).where(users.c.id == user_id).values(country=region.upper())
            )


def downgrade() -> None:
    # Not a batch "move and copy" on SQLite: recreating `users` would cascade-delete every
    # profile (and its member rows). SQLite (3.35+) drops a plain column in place.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE users DROP COLUMN country")
    else:
        op.drop_column("users", "country")
