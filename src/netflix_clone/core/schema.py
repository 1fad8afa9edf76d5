"""The schema's migrations (Alembic, in `netflix_clone/migrations`), run on a Database's engine.

No web framework in between: the app factory (the embedded default migrates itself), the CLI
(`netflix-clone migrate`) and the tests call these with the Database they hold.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from netflix_clone.core.db import Database
from netflix_clone.core.settings import Settings

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"


def _config(database: Database | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database is not None:
        config.attributes["engine"] = database.engine
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    command.upgrade(_config(database), revision)


def downgrade(database: Database, revision: str) -> None:
    command.downgrade(_config(database), revision)


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return str(found) if found is not None else None


def head_revision() -> str:
    return str(ScriptDirectory.from_config(_config()).get_current_head())


def migrate_embedded(settings: Settings, database: Database) -> None:
    """The zero-setup default applies its own migrations; several workers take turns."""
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    with (settings.instance_path / "migrate.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        upgrade(database)
