"""titles named by kind and TMDB id: series beside movies

Revision ID: 0004_titles_by_kind
Revises: 0003_account_country
Create Date: 2026-11-30 17:00:00.000000

TMDB numbers movies and series separately (movie 1399 and series 1399 are different titles), so
every member row now names its title by (kind, title_id). The `movies` table becomes `titles`
(kind, id) with what series need (seasons, last aired episode, episode runtime), and viewings
gain the episode of a series' resume point. Every existing row is kept, as kind "movie".

Each member table is rebuilt (create new, copy, drop old) because its primary key changes; that
works the same on SQLite and PostgreSQL. A downgrade keeps the movie rows and drops series rows
(the old schema cannot hold them).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004_titles_by_kind"
down_revision = "0003_account_country"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MEMBER_TABLES = {
    "my_list": ("ix_my_list_profile_added", ["profile_id", "added_at"]),
    "ratings": ("ix_ratings_profile_rated", ["profile_id", "rated_at"]),
    "viewings": ("ix_viewings_profile_updated", ["profile_id", "updated_at"]),
}
CARD_COLUMNS = [
    "title",
    "original_title",
    "overview",
    "release_date",
    "poster_path",
    "backdrop_path",
    "genre_ids",
    "vote_average",
    "vote_count",
    "popularity",
    "original_language",
    "adult",
    "certifications",
    "rating_source",
    "fetched_at",
]


def _card_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("original_title", sa.String(length=300), nullable=True),
        sa.Column("overview", sa.Text(), nullable=False),
        sa.Column("release_date", sa.String(length=10), nullable=True),
        sa.Column("poster_path", sa.String(length=100), nullable=True),
        sa.Column("backdrop_path", sa.String(length=100), nullable=True),
        sa.Column("genre_ids", sa.JSON(), nullable=False),
        sa.Column("vote_average", sa.Float(), nullable=True),
        sa.Column("vote_count", sa.Integer(), nullable=False),
        sa.Column("popularity", sa.Float(), nullable=True),
        sa.Column("original_language", sa.String(length=8), nullable=True),
        sa.Column("adult", sa.Boolean(), nullable=False),
        sa.Column("certifications", sa.JSON(), nullable=False),
        sa.Column("rating_source", sa.String(length=16), nullable=False),
    ]


def _member_columns(name: str, key: list[sa.Column[Any]]) -> list[sa.Column[Any]]:
    own: list[sa.Column[Any]] = []
    if name == "my_list":
        own = [sa.Column("added_at", sa.DateTime(timezone=True), nullable=False)]
    elif name == "ratings":
        own = [
            sa.Column("rating", sa.String(length=8), nullable=False),
            sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        ]
    else:
        own = [
            sa.Column("position_seconds", sa.Integer(), nullable=False),
            sa.Column("duration_seconds", sa.Integer(), nullable=False),
            sa.Column("sequence", sa.BigInteger(), nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("hidden_from_row", sa.Boolean(), nullable=False),
            sa.Column("hidden_from_history", sa.Boolean(), nullable=False),
        ]
    return [sa.Column("profile_id", ID, nullable=False), *key, *own]


def _own_columns(name: str) -> list[str]:
    return [c.name for c in _member_columns(name, []) if c.name not in ("profile_id",)]


def _copy(
    target: str,
    target_columns: list[str],
    source: str,
    source_columns: list[sa.ColumnElement[Any]],
    where: sa.ColumnElement[Any] | None = None,
) -> None:
    """INSERT INTO target (...) SELECT ... FROM source, built from table objects."""
    query = sa.select(*source_columns).select_from(sa.table(source))
    if where is not None:
        query = query.where(where)
    op.execute(
        sa.insert(sa.table(target, *(sa.column(c) for c in target_columns))).from_select(
            target_columns, query
        )
    )


def _set_aside(name: str) -> str:
    """Rename the old table out of the way, freeing its index and key names."""
    index, _ = MEMBER_TABLES[name]
    old = f"{name}_old"
    op.drop_index(index, table_name=name)
    op.rename_table(name, old)
    if op.get_bind().dialect.name == "postgresql":  # a key's index name is schema-wide there
        op.execute(f'ALTER TABLE "{old}" RENAME CONSTRAINT "pk_{name}" TO "pk_{old}"')
    return old


def _create_member_table(name: str, key: list[sa.Column[Any]], pk: list[str]) -> None:
    index, columns = MEMBER_TABLES[name]
    op.create_table(
        name,
        *_member_columns(name, key),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name=op.f(f"fk_{name}_profile_id_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(*pk, name=op.f(f"pk_{name}")),
    )
    op.create_index(index, name, columns, unique=False)


def _title_key() -> list[sa.Column[Any]]:
    return [
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("title_id", ID, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "titles",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("id", ID, nullable=False),
        *_card_columns(),
        sa.Column("seasons", sa.JSON(), nullable=False),
        sa.Column("last_aired", sa.JSON(), nullable=True),
        sa.Column("episode_runtime", sa.Integer(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "id", name=op.f("pk_titles")),
    )
    _copy(
        "titles",
        ["kind", "id", *CARD_COLUMNS, "seasons"],
        "movies",
        [
            sa.literal("movie"),
            sa.column("id"),
            *(sa.column(c) for c in CARD_COLUMNS),
            sa.literal_column("'[]'"),
        ],
    )
    op.drop_table("movies")

    for name in MEMBER_TABLES:
        old = _set_aside(name)
        extra = (
            [
                sa.Column("season_number", sa.Integer(), nullable=True),
                sa.Column("episode_number", sa.Integer(), nullable=True),
            ]
            if name == "viewings"
            else []
        )
        _create_member_table(name, [*_title_key(), *extra], ["profile_id", "kind", "title_id"])
        own = _own_columns(name)
        _copy(
            name,
            ["profile_id", "kind", "title_id", *own],
            old,
            [
                sa.column("profile_id"),
                sa.literal("movie"),
                sa.column("movie_id"),
                *(sa.column(c) for c in own),
            ],
        )
        op.drop_table(old)


def downgrade() -> None:
    for name in MEMBER_TABLES:
        old = _set_aside(name)
        _create_member_table(
            name, [sa.Column("movie_id", ID, nullable=False)], ["profile_id", "movie_id"]
        )
        own = _own_columns(name)
        _copy(
            name,
            ["profile_id", "movie_id", *own],
            old,
            [sa.column("profile_id"), sa.column("title_id"), *(sa.column(c) for c in own)],
            sa.column("kind") == "movie",
        )
        op.drop_table(old)

    op.create_table(
        "movies",
        sa.Column("id", ID, autoincrement=False, nullable=False),
        *_card_columns(),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movies")),
    )
    _copy(
        "movies",
        ["id", *CARD_COLUMNS],
        "titles",
        [sa.column("id"), *(sa.column(c) for c in CARD_COLUMNS)],
        sa.column("kind") == "movie",
    )
    op.drop_table("titles")
