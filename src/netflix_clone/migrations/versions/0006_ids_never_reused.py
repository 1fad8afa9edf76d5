"""ids never reused: SQLite AUTOINCREMENT, and a random value per profile for caches

Revision ID: 0006_ids_never_reused
Revises: 0005_profile_data_version
Create Date: 2026-12-07 16:00:00.000000

Without AUTOINCREMENT, SQLite gives a new row the largest id in use plus one: delete the newest
account, profile or refresh token and the next one gets its id, and whatever still names that id
(a cached home screen, an access token of the deleted account) reaches the new row. The three
tables are rebuilt with AUTOINCREMENT (SQLite's own copy-and-rename; env.py turns foreign keys
off around it, so no cascade fires); the copied rows keep their ids and the sequence starts after
the largest. PostgreSQL's sequences never reuse an id: nothing to change there.

Every profile also gets `cache_nonce`, a random value made with it: caches keyed by profile hold
it too, so a profile can never meet another profile's entries, whatever happens to ids.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_ids_never_reused"
down_revision = "0005_profile_data_version"
branch_labels = None
depends_on = None

TABLES = ("users", "profiles", "refresh_tokens")
NONCE = sa.String(length=16)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("profiles") as batch:  # in place: SQLite adds a column as is
        batch.add_column(sa.Column("cache_nonce", NONCE, nullable=True))
    random_hex = (
        "lower(hex(randomblob(8)))"
        if sqlite
        else "substr(md5(random()::text || clock_timestamp()::text || id::text), 1, 16)"
    )
    op.execute(f"UPDATE profiles SET cache_nonce = {random_hex}")  # noqa: S608 - no input
    if not sqlite:
        op.alter_column("profiles", "cache_nonce", existing_type=NONCE, nullable=False)
        return
    # SQLite: one rebuild per table, the last change to it (a later batch rebuild without
    # table_kwargs would drop AUTOINCREMENT again).
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ) as batch:
            if table == "profiles":
                batch.alter_column("cache_nonce", existing_type=NONCE, nullable=False)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES if sqlite else ("profiles",):
        with op.batch_alter_table(
            table, recreate="always" if sqlite else "auto", table_kwargs={}
        ) as batch:
            if table == "profiles":
                batch.drop_column("cache_nonce")
