"""Alembic environment: runs migrations on the app's own engine (SQLite or PostgreSQL)."""

from __future__ import annotations

from alembic import context
from flask import current_app

from netflix_clone.db import db

config = context.config


def run_migrations_online() -> None:
    # Import every model so autogenerate sees the whole schema.
    import netflix_clone.models  # noqa: F401

    engine = db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            **current_app.extensions["migrate"].configure_args,
        )
        with context.begin_transaction():
            context.run_migrations()


def run_migrations_offline() -> None:
    import netflix_clone.models  # noqa: F401

    context.configure(url=str(db.engine.url), target_metadata=db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
