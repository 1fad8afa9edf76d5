"""Migrations build the schema from empty on both databases and match the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from netflix_clone.core.db import Base
from netflix_clone.core.schema import downgrade, upgrade
from netflix_clone.web.app import create_app
from netflix_clone.web.deps import db_session, services
from tests.conftest import test_settings


def _fresh_url(backend: str, tmp_path: Path, postgres_url: str, worker_tag: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    import psycopg
    from sqlalchemy.engine import make_url

    from tests.conftest import _pg_admin_dsn

    name = f"nc_mig_{worker_tag}"
    with psycopg.connect(_pg_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(postgres_url).set(database=name).render_as_string(hide_password=False)


def test_upgrade_from_empty_downgrade_and_again(
    backend: str, tmp_path: Path, postgres_url: str, worker_tag: str
) -> None:
    url = _fresh_url(backend, tmp_path, postgres_url, worker_tag)
    app = create_app(test_settings(database_url=url, instance_path=tmp_path))
    with app.app_context():
        upgrade(services().database)
        tables = set(inspect(services().database.engine).get_table_names())
        assert {"users", "refresh_tokens", "alembic_version"} <= tables
        with services().database.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(services().database, "base")
        assert set(inspect(services().database.engine).get_table_names()) <= {"alembic_version"}
        upgrade(services().database)
        services().database.engine.dispose()


def test_0003_account_country_keeps_what_existing_accounts_used(
    backend: str, tmp_path: Path, postgres_url: str, worker_tag: str
) -> None:
    """Existing accounts get the country their main profile's language region gave them."""
    from sqlalchemy import text

    url = _fresh_url(backend, tmp_path, postgres_url, worker_tag)
    app = create_app(test_settings(database_url=url, instance_path=tmp_path))
    with app.app_context():
        upgrade(services().database, "0002_profiles_library")
        with services().database.engine.begin() as conn:
            for uid, email, language in (
                (1, "gb@example.com", "en-GB"),
                (2, "us@example.com", "en-US"),
                (3, "plain@example.com", "en"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO users (id, email, display_name, password_hash, role,"
                        " created_at, updated_at) VALUES (:id, :email, 'M', 'h', 'member',"
                        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"id": uid, "email": email},
                )
                conn.execute(
                    text(
                        "INSERT INTO profiles (user_id, name, avatar, language, kids,"
                        " maturity_level, is_main, created_at) VALUES (:id, 'Main', 'default',"
                        " :language, false, 'adults', true, CURRENT_TIMESTAMP)"
                    ),
                    {"id": uid, "language": language},
                )
            # A kids profile's language never decided anything for the account.
            conn.execute(
                text(
                    "INSERT INTO profiles (user_id, name, avatar, language, kids, maturity_level,"
                    " is_main, created_at) VALUES (2, 'Kid', 'default', 'ja-JP', true,"
                    " 'older_kids', false, CURRENT_TIMESTAMP)"
                )
            )
        upgrade(services().database)
        with services().database.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, country FROM users ORDER BY id")).all()
            countries = {int(uid): str(country) for uid, country in rows}
        assert countries == {1: "GB", 2: "US", 3: "US"}
        downgrade(services().database, "0002_profiles_library")
        assert "country" not in {
            c["name"] for c in inspect(services().database.engine).get_columns("users")
        }
        with (
            services().database.engine.connect() as conn
        ):  # rebuilding `users` must not cascade to profiles
            assert conn.execute(text("SELECT count(*) FROM profiles")).scalar_one() == 4
        services().database.engine.dispose()


def test_0004_titles_by_kind_keeps_every_member_row(
    backend: str, tmp_path: Path, postgres_url: str, worker_tag: str
) -> None:
    """My List, ratings, progress and title records made before series existed survive the
    change to (kind, title_id) as movies, and the app reads them; a downgrade keeps them too."""
    from sqlalchemy import text

    url = _fresh_url(backend, tmp_path, postgres_url, worker_tag)
    app = create_app(test_settings(database_url=url, instance_path=tmp_path))
    with app.app_context():
        upgrade(services().database, "0003_account_country")
        with services().database.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, display_name, password_hash, role, country,"
                    " created_at, updated_at) VALUES (1, 'm@example.com', 'M', 'h', 'member',"
                    " 'US', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO profiles (id, user_id, name, avatar, language, kids,"
                    " maturity_level, is_main, created_at) VALUES (7, 1, 'Main', 'default',"
                    " 'en-US', false, 'adults', true, CURRENT_TIMESTAMP)"
                )
            )
            for movie_id, title in ((550, "Fight Club"), (13, "Forrest Gump")):
                conn.execute(
                    text(
                        "INSERT INTO movies (id, title, overview, genre_ids, vote_count, adult,"
                        " certifications, rating_source, fetched_at) VALUES (:id, :title, '',"
                        " '[18]', 10, false, '{\"US\": \"R\"}', 'demo', CURRENT_TIMESTAMP)"
                    ),
                    {"id": movie_id, "title": title},
                )
            conn.execute(
                text(
                    "INSERT INTO my_list (profile_id, movie_id, added_at) VALUES"
                    " (7, 550, CURRENT_TIMESTAMP), (7, 13, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO ratings (profile_id, movie_id, rating, rated_at) VALUES"
                    " (7, 550, 'love', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO viewings (profile_id, movie_id, position_seconds,"
                    " duration_seconds, sequence, started_at, updated_at, hidden_from_row,"
                    " hidden_from_history) VALUES (7, 13, 1800, 8520, 42, CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP, false, false)"
                )
            )
        upgrade(services().database)

        with services().database.engine.connect() as conn:
            titles = conn.execute(text("SELECT kind, id, title FROM titles ORDER BY id")).all()
            listed = conn.execute(
                text("SELECT profile_id, kind, title_id FROM my_list ORDER BY title_id")
            ).all()
            rated = conn.execute(text("SELECT kind, title_id, rating FROM ratings")).all()
            watched = conn.execute(
                text(
                    "SELECT kind, title_id, season_number, episode_number, position_seconds,"
                    " sequence FROM viewings"
                )
            ).all()
        assert [tuple(r) for r in titles] == [
            ("movie", 13, "Forrest Gump"),
            ("movie", 550, "Fight Club"),
        ]
        assert [tuple(r) for r in listed] == [(7, "movie", 13), (7, "movie", 550)]
        assert [tuple(r) for r in rated] == [("movie", 550, "love")]
        assert [tuple(r) for r in watched] == [("movie", 13, None, None, 1800, 42)]

        # The app reads the migrated rows through its own models.
        from netflix_clone.accounts.models import Profile
        from netflix_clone.library import service

        me = db_session().get(Profile, 7)
        assert me is not None
        rows, total = service.my_list(db_session(), me, 1, 10)
        assert total == 2 and {t.key for _, t in rows} == {("movie", 13), ("movie", 550)}
        assert service.rated_keys(db_session(), me, "love") == [("movie", 550)]
        # A series row beside them, then a downgrade: the movie rows are kept.
        db_session().rollback()
        with services().database.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO my_list (profile_id, kind, title_id, added_at) VALUES"
                    " (7, 'series', 550, CURRENT_TIMESTAMP)"
                )
            )
        db_session().close()
        downgrade(services().database, "0003_account_country")
        with services().database.engine.connect() as conn:
            back = conn.execute(text("SELECT profile_id, movie_id FROM my_list ORDER BY movie_id"))
            assert [tuple(r) for r in back] == [(7, 13), (7, 550)]
            assert conn.execute(text("SELECT count(*) FROM movies")).scalar_one() == 2
        services().database.engine.dispose()
