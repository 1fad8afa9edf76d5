"""Alembic environment: runs migrations on the engine core.schema hands over (SQLite or
PostgreSQL)."""

from __future__ import annotations

from alembic import context

from netflix_clone.core.db import Base

config = context.config


def run_migrations_online() -> None:
    # Import every model so autogenerate sees the whole schema.
    import netflix_clone.models  # noqa: F401

    engine = config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table by rebuilding it (create, copy, drop, rename), and dropping
            # a parent table with foreign keys on would cascade-delete every row that refers to
            # it. The pragma only changes outside a transaction: here, before the first one.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # end SQLAlchemy's autobegun transaction: alembic begins its own
        try:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.commit()
                if broken:
                    raise RuntimeError(f"migration left rows with dangling references: {broken}")
        finally:
            if sqlite:
                connection.rollback()  # whatever a failure left open
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")  # pooled: as it came
                connection.commit()


def run_migrations_offline() -> None:
    import netflix_clone.models  # noqa: F401

    engine = config.attributes["engine"]
    context.configure(url=str(engine.url), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
